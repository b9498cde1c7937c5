using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Store;

namespace Compliance.Reports.Drift;

/// <summary>Overall result of a report's period.</summary>
public enum Verdict
{
    /// <summary>Scanned, every change approved, every file verified, every feed gap closed.</summary>
    Pass,
    /// <summary>Unapproved changes.</summary>
    Fail,
    /// <summary>No unapproved change, but the evidence has holes: no completed scan, unverified files or open feed gaps.</summary>
    Incomplete,
}

/// <summary>Everything a drift report shows, gathered once from the store; every output format renders this.</summary>
public sealed class DriftReport
{
    public required string ReportId { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required string? Framework { get; init; }
    public required Generation Baseline { get; init; }
    public required Policy Policy { get; init; }
    public required DateTimeOffset PeriodFrom { get; init; }
    public required DateTimeOffset PeriodTo { get; init; }

    /// <summary>Findings in the order they were made, numbered from 1.</summary>
    public required IReadOnlyList<ReportFinding> Findings { get; init; }

    public required long FilesMonitored { get; init; }
    public required long FilesUnverified { get; init; }
    public required IReadOnlyList<GapRecord> Gaps { get; init; }

    /// <summary>Completed scans (check, gate, watch, rescan runs) of the baseline's own tree in the period, newest first.</summary>
    public required IReadOnlyList<RunRecord> Scans { get; init; }

    /// <summary>
    /// The machine(s) the period's scans ran on, which a copied or committed database need not share with the one
    /// that took the baseline; that one when no scan recorded its host (runs before schema 6).
    /// </summary>
    public string Host => Scans.Select(s => s.Host).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList() is { Count: > 0 } hosts
        ? string.Join(", ", hosts)
        : Baseline.Host;

    public IEnumerable<ReportFinding> Approved => Findings.Where(f => f.IsApproved);
    public IEnumerable<ReportFinding> Unapproved => Findings.Where(f => !f.IsApproved);
    public int ApprovedCount => Findings.Count(f => f.IsApproved);
    public int UnapprovedCount => Findings.Count - ApprovedCount;
    public int OpenGapCount => Gaps.Count(g => g.ClosedAt is null);

    public Verdict Verdict =>
        UnapprovedCount > 0 ? Verdict.Fail
        : Scans.Count == 0 || FilesUnverified > 0 || OpenGapCount > 0 ? Verdict.Incomplete
        : Verdict.Pass;

    /// <summary>The controls the report covers (those of the chosen framework), in policy order, each with its findings.</summary>
    public IReadOnlyList<ControlFindings> ByControl()
    {
        var controls = Policy.Categories.SelectMany(c => c.Controls).Where(c => Frameworks.Includes(Framework, c))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return controls.Select(control => new ControlFindings(control, Frameworks.Requirement(control),
                Policy.Categories.Where(c => c.Controls.Contains(control, StringComparer.OrdinalIgnoreCase)).Select(c => c.Name).ToArray(),
                Findings.Where(f => f.Controls.Contains(control, StringComparer.OrdinalIgnoreCase)).ToArray()))
            .ToArray();
    }

    /// <summary>Approved and unapproved counts per group, in the order the groups first appear in <paramref name="order"/>.</summary>
    public IReadOnlyList<CountRow> CountBy(Func<ReportFinding, string> key, IEnumerable<string> order)
    {
        var counts = order.Distinct().ToDictionary(k => k, _ => (Approved: 0, Unapproved: 0));
        foreach (var finding in Findings)
        {
            var k = key(finding);
            var (approved, unapproved) = counts.GetValueOrDefault(k);
            counts[k] = finding.IsApproved ? (approved + 1, unapproved) : (approved, unapproved + 1);
        }
        return counts.Select(pair => new CountRow(pair.Key, pair.Value.Approved, pair.Value.Unapproved)).ToArray();
    }

    public IReadOnlyList<CountRow> CountByKind() => CountBy(f => f.Stored.Kind, Enum.GetValues<DriftKind>().Select(k => k.ToName()));

    public IReadOnlyList<CountRow> CountBySeverity() =>
        CountBy(f => f.Stored.Severity, Enum.GetValues<Severity>().Reverse().Select(s => s.ToName()));

    public IReadOnlyList<CountRow> CountByControl() =>
        ByControl().Select(c => new CountRow(c.Control, c.Findings.Count(f => f.IsApproved), c.Findings.Count(f => !f.IsApproved))).ToArray();
}

public sealed record CountRow(string Name, int Approved, int Unapproved)
{
    public int Total => Approved + Unapproved;
}

/// <summary>A control, what it requires, the policy categories that evidence it and the findings in those categories.</summary>
public sealed record ControlFindings(string Control, string? Requirement, IReadOnlyList<string> Categories, IReadOnlyList<ReportFinding> Findings);
