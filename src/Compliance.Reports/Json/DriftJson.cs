using System.Text.Encodings.Web;
using System.Text.Json;
using Compliance.Core.Output;
using Compliance.Reports.Drift;

namespace Compliance.Reports.Json;

/// <summary>
/// A drift report as one JSON document: "summary" (the summary CSV's metrics as an object), "gaps", and
/// "findings" with each side's shown attribute values (the changed ones; identity and hashes for added and removed). Streamed, so size is bounded by the
/// report's findings list, not by the JSON text.
/// </summary>
public static class DriftJson
{
    public static void Write(DriftReport report, Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteStartObject("summary");
        foreach (var (metric, value) in ReportSummary.Metrics(report))
            writer.WriteString(metric, value);
        writer.WriteEndObject();

        writer.WriteStartArray("gaps");
        foreach (var gap in report.Gaps)
        {
            writer.WriteStartObject();
            writer.WriteString("source", gap.Source);
            JsonText.WritePath(writer, "scope", gap.Scope);
            writer.WriteString("reason", gap.Reason);
            writer.WriteString("detail", gap.Detail);
            writer.WriteString("detected_at", ReportSummary.Time(gap.DetectedAt));
            if (gap.ClosedAt is { } closed)
                writer.WriteString("closed_at", ReportSummary.Time(closed));
            if (gap.ClosedByRun is { } run)
                writer.WriteNumber("closed_by_run", run);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            var stored = finding.Stored;
            writer.WriteStartObject();
            writer.WriteNumber("finding", finding.Number);
            writer.WriteString("observed_at", ReportSummary.Time(stored.ObservedAt));
            writer.WriteString("last_observed_at", ReportSummary.Time(finding.LastObservedAt));
            JsonText.WritePath(writer, "path", stored.Path);
            writer.WriteString("kind", stored.Kind);
            writer.WriteString("status", finding.Status.ToString().ToLowerInvariant());
            if (finding.ApprovedIn is { } approvedIn)
            {
                writer.WriteNumber("approved_generation", approvedIn.Id);
                writer.WriteString("approved_by", approvedIn.ApprovedBy);
            }
            writer.WriteString("severity", stored.Severity);
            writer.WriteString("category", stored.Category);
            writer.WriteStartArray("controls");
            foreach (var control in finding.Controls)
                writer.WriteStringValue(control);
            writer.WriteEndArray();
            writer.WriteStartArray("attributes");
            foreach (var attribute in stored.Attributes)
                writer.WriteStringValue(attribute);
            writer.WriteEndArray();
            writer.WriteString("source", stored.Source);
            if (stored.ProcessId is { } pid)
                writer.WriteNumber("pid", pid);
            if (stored.ProcessPath is not null)
                writer.WriteString("process", stored.ProcessPath);
            if (stored.Detail is not null)
                writer.WriteString("detail", stored.Detail);
            WriteSide(writer, "before", finding.Before);
            WriteSide(writer, "after", finding.After);
            writer.WriteEndObject();
            if (writer.BytesPending > 1 << 16)
                writer.Flush();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The side's shown values by attribute name; null for the side that does not exist (added, removed).</summary>
    private static void WriteSide(Utf8JsonWriter writer, string name, IReadOnlyList<KeyValuePair<string, string>> values)
    {
        writer.WritePropertyName(name);
        if (values.Count == 0)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartObject();
        foreach (var (attribute, value) in values)
            writer.WriteString(attribute, value);
        writer.WriteEndObject();
    }
}
