using System.Text.Encodings.Web;
using System.Text.Json;
using Compliance.Reports.Drift;

namespace Compliance.Reports.Attestation;

/// <summary>
/// What an attestation asserts: which host, policy and baseline (with its digest), the latest scan, the period's
/// counts and verdict, and the SHA-256 of the report it accompanies. Signed as the exact bytes <see cref="ToJson"/> wrote.
/// </summary>
public sealed record AttestationStatement
{
    public const string FormatName = "compliance-attestation/1";

    public required string Host { get; init; }
    public required string AttestedAt { get; init; }
    public required string KeyId { get; init; }
    public required string ReportFile { get; init; }
    public required string ReportSha256 { get; init; }
    public required long ReportBytes { get; init; }
    /// <summary>The report's own ID, as it states it (null in statements made before it was recorded).</summary>
    public string? ReportId { get; init; }
    /// <summary>A CSV report's figures are in a second file beside it, signed by its SHA-256 too; null for one-file reports.</summary>
    public string? SummarySha256 { get; init; }
    public required string PolicyName { get; init; }
    public required string PolicyDigest { get; init; }
    public required long BaselineGeneration { get; init; }
    public required string BaselineApprovedBy { get; init; }
    public required long BaselineEntries { get; init; }
    public required string BaselineDigest { get; init; }
    public required string? ScanTime { get; init; }
    public required string PeriodFrom { get; init; }
    public required string PeriodTo { get; init; }
    public required string Verdict { get; init; }

    /// <summary>Counts as the summary CSV names them (findings, findings_unapproved, kind.content.unapproved, ...).</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> Counts { get; init; }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteString("host", Host);
            w.WriteString("attested_at", AttestedAt);
            w.WriteString("key_id", KeyId);
            w.WriteStartObject("report");
            w.WriteString("file", ReportFile);
            w.WriteString("sha256", ReportSha256);
            w.WriteNumber("bytes", ReportBytes);
            if (ReportId is not null)
                w.WriteString("id", ReportId);
            if (SummarySha256 is not null)
                w.WriteString("summary_sha256", SummarySha256);
            w.WriteEndObject();
            w.WriteStartObject("policy");
            w.WriteString("name", PolicyName);
            w.WriteString("digest", PolicyDigest);
            w.WriteEndObject();
            w.WriteStartObject("baseline");
            w.WriteNumber("generation", BaselineGeneration);
            w.WriteString("approved_by", BaselineApprovedBy);
            w.WriteNumber("entries", BaselineEntries);
            w.WriteString("digest", BaselineDigest);
            w.WriteEndObject();
            if (ScanTime is null)
                w.WriteNull("scan_time");
            else
                w.WriteString("scan_time", ScanTime);
            w.WriteStartObject("period");
            w.WriteString("from", PeriodFrom);
            w.WriteString("to", PeriodTo);
            w.WriteEndObject();
            w.WriteStartObject("counts");
            foreach (var (name, value) in Counts)
                w.WriteNumber(name, value);
            w.WriteEndObject();
            w.WriteString("verdict", Verdict);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static AttestationStatement FromJson(ReadOnlySpan<byte> json)
    {
        var root = JsonDocument.Parse(json.ToArray()).RootElement;
        if (root.GetProperty("format").GetString() != FormatName)
            throw new FormatException($"not a {FormatName} statement.");
        var report = root.GetProperty("report");
        var policy = root.GetProperty("policy");
        var baseline = root.GetProperty("baseline");
        var period = root.GetProperty("period");
        return new AttestationStatement
        {
            Host = root.GetProperty("host").GetString()!,
            AttestedAt = root.GetProperty("attested_at").GetString()!,
            KeyId = root.GetProperty("key_id").GetString()!,
            ReportFile = report.GetProperty("file").GetString()!,
            ReportSha256 = report.GetProperty("sha256").GetString()!,
            ReportBytes = report.GetProperty("bytes").GetInt64(),
            ReportId = report.TryGetProperty("id", out var id) ? id.GetString() : null,
            SummarySha256 = report.TryGetProperty("summary_sha256", out var summary) ? summary.GetString() : null,
            PolicyName = policy.GetProperty("name").GetString()!,
            PolicyDigest = policy.GetProperty("digest").GetString()!,
            BaselineGeneration = baseline.GetProperty("generation").GetInt64(),
            BaselineApprovedBy = baseline.GetProperty("approved_by").GetString()!,
            BaselineEntries = baseline.GetProperty("entries").GetInt64(),
            BaselineDigest = baseline.GetProperty("digest").GetString()!,
            ScanTime = root.GetProperty("scan_time").GetString(),
            PeriodFrom = period.GetProperty("from").GetString()!,
            PeriodTo = period.GetProperty("to").GetString()!,
            Verdict = root.GetProperty("verdict").GetString()!,
            Counts = root.GetProperty("counts").EnumerateObject().Select(p => new KeyValuePair<string, long>(p.Name, p.Value.GetInt64())).ToArray(),
        };
    }

    /// <summary>
    /// The statement for a report: its figures come from a <see cref="DriftReport"/> of the database, which the
    /// caller has checked are those the report states (<see cref="ReportClaims.Differences"/>).
    /// </summary>
    public static AttestationStatement For(DriftReport report, string baselineDigest, string keyId, string reportFile, byte[] reportSha256, long reportBytes,
        DateTimeOffset now) => new()
    {
        Host = report.Host,
        AttestedAt = ReportSummary.Time(now),
        KeyId = keyId,
        ReportFile = Path.GetFileName(reportFile),
        ReportSha256 = Convert.ToHexStringLower(reportSha256),
        ReportBytes = reportBytes,
        PolicyName = report.Policy.Name,
        PolicyDigest = report.Policy.Digest,
        BaselineGeneration = report.Baseline.Id,
        BaselineApprovedBy = report.Baseline.ApprovedBy,
        BaselineEntries = report.FilesMonitored,
        BaselineDigest = baselineDigest,
        ScanTime = report.Scans.Count > 0 ? ReportSummary.Time(report.Scans[0].FinishedAt ?? report.Scans[0].StartedAt) : null,
        PeriodFrom = ReportSummary.Time(report.PeriodFrom),
        PeriodTo = ReportSummary.Time(report.PeriodTo),
        Verdict = report.Verdict.ToString().ToLowerInvariant(),
        Counts = ReportSummary.Metrics(report)
            .Where(m => long.TryParse(m.Value, out _) && m.Metric is not "baseline_generation")
            .Select(m => new KeyValuePair<string, long>(m.Metric, long.Parse(m.Value)))
            .ToArray(),
    };
}
