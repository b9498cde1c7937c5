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
    /// The metrics a report states, by name; a CSV report's are in its summary file (<see cref="DriftCsv.SummaryPath"/>),
    /// which <paramref name="files"/> then names too. Throws <see cref="InvalidDataException"/> for a file that states none.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(string reportPath, out IReadOnlyList<string> files)
    {
        var head = new byte[8];
        int length;
        using (var file = File.OpenRead(reportPath))
            length = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var start = Encoding.UTF8.GetString(head, 0, length).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        files = [reportPath];
        if (start.StartsWith("%PDF-", StringComparison.Ordinal))
            return FromPdf(reportPath);
        if (start.StartsWith('{'))
            return FromJson(File.ReadAllBytes(reportPath), "summary", reportPath);
        var summary = DriftCsv.SummaryPath(reportPath);
        if (!File.Exists(summary))
            throw new InvalidDataException($"{reportPath} is no PDF or JSON report, and the summary a CSV report has beside it, {summary}, is not there");
        files = [reportPath, summary];
        return FromCsv(summary);
    }

    /// <summary>One line for each metric the report states otherwise than <paramref name="current"/> (the database's figures now).</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> stated, DriftReport current)
    {
        var now = ReportSummary.Metrics(current).ToDictionary(m => m.Metric, m => m.Value);
        return now.Keys.Union(stated.Keys).Where(metric => !PerReport.Contains(metric))
            .Where(metric => stated.GetValueOrDefault(metric) != now.GetValueOrDefault(metric))
            .Select(metric => $"{metric}: the report says {stated.GetValueOrDefault(metric) ?? "nothing"}, the database {now.GetValueOrDefault(metric) ?? "nothing"}")
            .ToList();
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

    private static Dictionary<string, string> FromCsv(string path)
    {
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = CsvReader.Create(File.OpenRead(path), new CsvReaderOptions { HasHeader = true });
        while (reader.Read())
        {
            if (reader.FieldCount != 2)
                throw new InvalidDataException($"{path}: a summary row has {reader.FieldCount} fields, not metric and value");
            metrics[reader.GetString(0)] = CsvText(reader.GetString(1));
        }
        return metrics;
    }

    /// <summary>A cell's text as the summary was made from it: a value a spreadsheet would take for a formula was written behind a '.</summary>
    private static string CsvText(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? cell[1..] : cell;
}
