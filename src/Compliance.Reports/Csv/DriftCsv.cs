using System.Globalization;
using Compliance.Core.Model;
using Compliance.Reports.Drift;
using CsvHelper;

namespace Compliance.Reports.Csv;

/// <summary>
/// A drift report as two CSV files (RFC 4180, UTF-8 with a byte order mark so spreadsheets detect the encoding):
/// one row per finding, and a summary of metric,value rows. Column names are documented in the README; attribute
/// names inside before/after are those of the attribute catalog.
/// </summary>
public static class DriftCsv
{
    public static IReadOnlyList<string> FindingColumns { get; } =
    [
        "finding", "observed_at", "path", "kind", "status", "approved_generation", "approved_by", "severity", "category",
        "controls", "attributes", "before", "after", "source", "pid", "process", "detail",
    ];

    // Paths, names and reasons come from whoever named the file or ran accept: a cell starting with = + - @ would be
    // a formula in the spreadsheet an auditor opens, so it is written behind a ' (shown as text).
    private static readonly CsvWriterOptions Options = new() { WriteByteOrderMark = true, Injection = CsvInjection.Escape };

    /// <summary>Where the summary goes when the findings go to <paramref name="findingsPath"/>: report.csv gives report.summary.csv.</summary>
    public static string SummaryPath(string findingsPath) =>
        Path.Combine(Path.GetDirectoryName(findingsPath) ?? "", Path.GetFileNameWithoutExtension(findingsPath) + ".summary.csv");

    public static void WriteFindings(DriftReport report, Stream output)
    {
        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        foreach (var row in FindingRows(report))
            csv.WriteRecord(row);
    }

    /// <summary>The header, then one row per finding: exactly the fields <see cref="WriteFindings"/> writes.</summary>
    public static IEnumerable<string[]> FindingRows(DriftReport report)
    {
        yield return FindingColumns.ToArray();
        foreach (var finding in report.Findings)
        {
            var stored = finding.Stored;
            yield return
            [
                finding.Number.ToString(CultureInfo.InvariantCulture),
                Time(stored.ObservedAt),
                EntryPath.ToDisplay(stored.Path),
                stored.Kind,
                finding.Status.ToString().ToLowerInvariant(),
                finding.ApprovedIn?.Id.ToString(CultureInfo.InvariantCulture) ?? "",
                finding.ApprovedIn?.ApprovedBy ?? "",
                stored.Severity,
                stored.Category,
                string.Join("; ", finding.Controls),
                string.Join(",", stored.Attributes),
                Values(finding.Before),
                Values(finding.After),
                stored.Source,
                stored.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "",
                stored.ProcessPath ?? "",
                stored.Detail ?? "",
            ];
        }
    }

    /// <summary>metric,value rows: the report's identity, its verdict, coverage, and approved/unapproved counts per kind, severity and control.</summary>
    public static void WriteSummary(DriftReport report, Stream output)
    {
        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteRecord(["metric", "value"]);
        foreach (var (metric, value) in ReportSummary.Metrics(report))
            csv.WriteRecord([metric, value]);
    }

    /// <summary>One name=value line per shown attribute; a multi-line cell reads well in a spreadsheet.</summary>
    private static string Values(IReadOnlyList<KeyValuePair<string, string>> values) =>
        string.Join("\n", values.Select(v => $"{v.Key}={v.Key switch { "path" => EntryPath.ToDisplay(v.Value), "target" => EntryPath.ToDisplayText(v.Value), _ => v.Value }}"));

    private static string Time(DateTimeOffset time) => ReportSummary.Time(time);
}
