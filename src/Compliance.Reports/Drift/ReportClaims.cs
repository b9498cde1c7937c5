using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Compliance.Reports.Csv;
using CsvHelper;
using PdfSharp.Pdf.IO;

namespace Compliance.Reports.Drift;

/// <summary>
/// The summary metrics (<see cref="ReportSummary"/>) a report file states, read back from it: a PDF's document
/// information, a JSON report's "summary" object, a CSV report's summary file beside it. An attestation signs the
/// database's figures, which must be the report's: otherwise it would vouch for a report that says something else
/// (a report made before the last scan, or a summary file edited).
/// </summary>
public static class ReportClaims
{
    /// <summary>The PDF document-information key holding the metrics as one JSON object.</summary>
    public const string PdfInfoKey = "/ComplianceSummary";

    /// <summary>What two reports of the same state differ in by construction: which report, made when.</summary>
    private static readonly HashSet<string> PerReport = ["report_id", "generated_at", "period_to"];

    public static string ToJson(DriftReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (metric, value) in ReportSummary.Metrics(report))
                writer.WriteString(metric, value);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The metrics a report states, by name, and the files that state them (a CSV report's figures are in its summary
    /// file, <see cref="DriftCsv.SummaryPath"/>). The kind of report is told as PDF readers and parsers tell it, so that
    /// a file shown as one kind is never read as another. Throws <see cref="InvalidDataException"/> for a file that is
    /// no report `compliance report` made.
    /// </summary>
    public static StatedReport Read(string reportPath)
    {
        var head = new byte[1024];
        int length;
        using (var file = File.OpenRead(reportPath))
            length = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // JSON and CSV are told by their first bytes and then read whole, strictly: a PDF behind a line of JSON or of
        // CSV header is neither. A PDF is told as PDF readers tell it, by its header anywhere in the first kilobyte,
        // which a CSV or JSON report listing a file named "%PDF-..." may also hold.
        var text = Encoding.UTF8.GetString(head, 0, length).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.StartsWith('{'))
            return FromJsonReport(reportPath);
        if (text.StartsWith(string.Join(',', DriftCsv.FindingColumns) + "\r\n", StringComparison.Ordinal))
            return FromCsvReport(reportPath);
        if (head.AsSpan(0, length).IndexOf("%PDF-"u8) >= 0)
            return new StatedReport(StatedReport.Kind.Pdf, FromPdf(reportPath), [reportPath]);
        throw new InvalidDataException($"{reportPath} is no PDF, JSON or CSV report");
    }

    /// <summary>One line for each metric the report states otherwise than <paramref name="current"/> (the database's figures now).</summary>
    public static IReadOnlyList<string> Differences(StatedReport stated, DriftReport current)
    {
        // A CSV cell is compared as the CSV writer writes it (a value a spreadsheet would run is written behind a ').
        Dictionary<string, string> now;
        if (stated.Format == StatedReport.Kind.Csv)
        {
            using var summary = new MemoryStream();
            DriftCsv.WriteSummary(current, summary);
            summary.Position = 0;
            now = FromCsv(summary, "the database's summary");
        }
        else
        {
            now = ReportSummary.Metrics(current).ToDictionary(m => m.Metric, m => m.Value);
        }
        var metrics = stated.Metrics;
        return now.Keys.Union(metrics.Keys).Where(metric => !PerReport.Contains(metric))
            .Where(metric => metrics.GetValueOrDefault(metric) != now.GetValueOrDefault(metric))
            .Select(metric => $"{metric}: the report says {metrics.GetValueOrDefault(metric) ?? "nothing"}, the database {now.GetValueOrDefault(metric) ?? "nothing"}")
            .ToList();
    }

    private static StatedReport FromJsonReport(string path)
    {
        var json = File.ReadAllBytes(path);
        var metrics = FromJson(json, "summary", path);
        // The findings listed must be as many as the summary counts.
        int listed;
        try
        {
            listed = JsonDocument.Parse(json).RootElement.GetProperty("findings").GetArrayLength();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} holds no findings array: {e.Message}", e);
        }
        RequireCount(metrics, listed, path);
        return new StatedReport(StatedReport.Kind.Json, metrics, [path]);
    }

    private static StatedReport FromCsvReport(string path)
    {
        var summary = DriftCsv.SummaryPath(path);
        if (!File.Exists(summary))
            throw new InvalidDataException($"the summary a CSV report has beside it, {summary}, is not there");
        Dictionary<string, string> metrics;
        using (var stream = File.OpenRead(summary))
            metrics = FromCsv(stream, summary);
        int rows = 0;
        using (var reader = CsvReader.Create(File.OpenRead(path), new CsvReaderOptions { HasHeader = true }))
        {
            while (reader.Read())
            {
                rows++;
                if (reader.FieldCount != DriftCsv.FindingColumns.Count)
                    throw new InvalidDataException($"{path}: row {rows} has {reader.FieldCount} fields, a finding {DriftCsv.FindingColumns.Count}");
            }
        }
        RequireCount(metrics, rows, path);
        return new StatedReport(StatedReport.Kind.Csv, metrics, [path, summary]);
    }

    private static void RequireCount(IReadOnlyDictionary<string, string> metrics, int listed, string path)
    {
        if (metrics.GetValueOrDefault("findings") != listed.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{path} lists {listed} finding(s), its summary counts {metrics.GetValueOrDefault("findings") ?? "none"}");
    }

    private static Dictionary<string, string> FromPdf(string path)
    {
        // PDFsharp reads nothing either before a licence is loaded: the one the environment names, else AGPL.
        Pdf.PdfLicence.Apply(null);
        string json;
        try
        {
            using var document = PdfReader.Open(path, PdfDocumentOpenMode.Import);
            json = document.Info.Elements.GetString(PdfInfoKey);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException($"{path} cannot be read as a PDF: {e.Message}", e);
        }
        if (string.IsNullOrEmpty(json))
            throw new InvalidDataException($"{path} carries no report summary (made by another program, or by a version before {PdfInfoKey})");
        return FromJson(Encoding.UTF8.GetBytes(json), null, path);
    }

    private static Dictionary<string, string> FromJson(byte[] json, string? property, string path)
    {
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            var summary = property is null ? root : root.GetProperty(property);
            return summary.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} holds no report summary: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> FromCsv(Stream stream, string name)
    {
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = CsvReader.Create(stream, new CsvReaderOptions { HasHeader = true });
        while (reader.Read())
        {
            if (reader.FieldCount != 2)
                throw new InvalidDataException($"{name}: a summary row has {reader.FieldCount} fields, not metric and value");
            metrics[reader.GetString(0)] = reader.GetString(1);
        }
        return metrics;
    }
}

/// <summary>What a report file states: its kind, its summary metrics by name, and the files they were read from.</summary>
public sealed record StatedReport(StatedReport.Kind Format, IReadOnlyDictionary<string, string> Metrics, IReadOnlyList<string> Files)
{
    public enum Kind { Pdf, Json, Csv }
}
