using System.Globalization;

namespace Compliance.Reports.Drift;

/// <summary>The report's headline figures as metric/value pairs: the summary CSV's rows and the JSON report's "summary" object.</summary>
public static class ReportSummary
{
    /// <summary>Identity, verdict, coverage, then approved/unapproved counts as kind.NAME.approved, severity.NAME..., control.NAME....</summary>
    public static IEnumerable<(string Metric, string Value)> Metrics(DriftReport report)
    {
        yield return ("report_id", report.ReportId);
        yield return ("generated_at", Time(report.GeneratedAt));
        yield return ("host", report.Host);
        yield return ("baseline_host", report.Baseline.Host);
        yield return ("tree", report.Baseline.Tree);
        yield return ("policy", report.Policy.Name);
        yield return ("policy_digest", report.Policy.Digest);
        yield return ("baseline_generation", Number(report.Baseline.Id));
        yield return ("baseline_approved_by", report.Baseline.ApprovedBy);
        yield return ("baseline_approved_at", Time(report.Baseline.CreatedAt));
        yield return ("framework", report.Framework ?? "all");
        yield return ("period_from", Time(report.PeriodFrom));
        yield return ("period_to", Time(report.PeriodTo));
        yield return ("verdict", report.Verdict.ToString().ToLowerInvariant());
        yield return ("files_monitored", Number(report.FilesMonitored));
        yield return ("files_unverified", Number(report.FilesUnverified));
        yield return ("scans_completed", Number(report.Scans.Count));
        yield return ("feed_gaps", Number(report.Gaps.Count));
        yield return ("feed_gaps_open", Number(report.OpenGapCount));
        yield return ("findings", Number(report.Findings.Count));
        yield return ("findings_approved", Number(report.ApprovedCount));
        yield return ("findings_unapproved", Number(report.UnapprovedCount));
        foreach (var (group, rows) in new[] { ("kind", report.CountByKind()), ("severity", report.CountBySeverity()), ("control", report.CountByControl()) })
        {
            foreach (var row in rows)
            {
                yield return ($"{group}.{row.Name}.approved", Number(row.Approved));
                yield return ($"{group}.{row.Name}.unapproved", Number(row.Unapproved));
            }
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>UTC to the second, ISO 8601: how machine outputs of a report write times.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
