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

    private static readonly CsvWriterOptions Options = new() { WriteByteOrderMark = true };

    /// <summary>Where the summary goes when the findings go to <paramref name="findingsPath"/>: report.csv gives report.summary.csv.</summary>
    public static string SummaryPath(string findingsPath) =>
        Path.Combine(Path.GetDirectoryName(findingsPath) ?? "", Path.GetFileNameWithoutExtension(findingsPath) + ".summary.csv");

    public static void WriteFindings(DriftReport report, Stream output)
    {
        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteRecord(FindingColumns.ToArray());
        var row = new string[FindingColumns.Count];
        foreach (var finding in report.Findings)
        {
            var stored = finding.Stored;
            row[0] = finding.Number.ToString(CultureInfo.InvariantCulture);
            row[1] = Time(stored.ObservedAt);
            row[2] = EntryPath.ToDisplay(stored.Path);
            row[3] = stored.Kind;
            row[4] = finding.Status.ToString().ToLowerInvariant();
            row[5] = finding.ApprovedIn?.Id.ToString(CultureInfo.InvariantCulture) ?? "";
            row[6] = finding.ApprovedIn?.ApprovedBy ?? "";
            row[7] = stored.Severity;
            row[8] = stored.Category;
            row[9] = string.Join("; ", finding.Controls);
            row[10] = string.Join(",", stored.Attributes);
            row[11] = Values(finding, finding.BeforeValues());
            row[12] = Values(finding, finding.AfterValues());
            row[13] = stored.Source;
            row[14] = stored.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "";
            row[15] = stored.ProcessPath ?? "";
            row[16] = stored.Detail ?? "";
            csv.WriteRecord(row);
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
    private static string Values(ReportFinding finding, IReadOnlyList<KeyValuePair<string, string>> values) =>
        string.Join("\n", finding.Shown(values).Select(v => $"{v.Key}={(v.Key is "path" or "target" ? EntryPath.ToDisplay(v.Value) : v.Value)}"));

    private static string Time(DateTimeOffset time) => ReportSummary.Time(time);
}
