using System.Security.Cryptography;
using Compliance.Core;
using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Store;

namespace Compliance.Reports.Drift;

/// <summary>
/// Which findings a report covers: those recorded against one baseline generation, those observed since a time,
/// or by default those since the current baseline was taken (its latest fresh scan, so approvals stay in view).
/// </summary>
public sealed record ReportSelection(DateTimeOffset? Since = null, long? Generation = null, string? Framework = null);

/// <summary>Reads what a report shows from the store and decides how each finding was resolved.</summary>
public static class DriftReportBuilder
{
    public static DriftReport Build(StateStore store, ReportSelection selection, DateTimeOffset? now = null)
    {
        if (selection.Since is not null && selection.Generation is not null)
            throw new ComplianceException("--since and --generation cannot be used together.", FailureKind.Usage);
        var generatedAt = now ?? DateTimeOffset.UtcNow;
        store.RequireCurrentGeneration();
        var generations = store.Generations().OrderBy(g => g.Id).ToList();

        Generation baseline;
        DateTimeOffset from, to = generatedAt;
        if (selection.Generation is { } id)
        {
            baseline = generations.FirstOrDefault(g => g.Id == id)
                ?? throw new ComplianceException($"no baseline generation {id} in {store.DatabasePath}.", FailureKind.Usage);
            from = baseline.CreatedAt;
            to = generations.FirstOrDefault(g => g.Id > id)?.CreatedAt ?? generatedAt;
        }
        else
        {
            baseline = generations[^1];
            from = selection.Since ?? generations.Last(g => g.Kind == "baseline").CreatedAt;
        }
        var policy = PolicyLoader.Parse(baseline.PolicyText, $"policy of generation {baseline.Id}");
        var since = selection.Generation is null ? from : (DateTimeOffset?)null;

        var byId = generations.ToDictionary(g => g.Id);
        var freshBaselines = generations.Where(g => g.Kind == "baseline").Select(g => g.Id).ToArray();
        var accepted = store.AcceptedStates();
        var open = store.OpenDriftPaths();
        var controlsByCategory = policy.Categories.ToDictionary(c => c.Name, c => c.Controls.Where(x => Frameworks.Includes(selection.Framework, x)).ToArray());

        var findings = new List<ReportFinding>();
        // Every check records the drift it finds, so drift left open is stored once per check: one change is the
        // same path seen in the same state against the same baseline, shown once with when it was first and last seen.
        var changes = new Dictionary<(string Path, string Kind, long? Generation, string? After), ReportFinding>();
        foreach (var stored in store.FindingsForReport(since, selection.Generation))
        {
            var change = (stored.Path, stored.Kind, stored.Generation, stored.AfterJson);
            if (changes.TryGetValue(change, out var seen))
            {
                seen.LastObservedAt = stored.ObservedAt;
                continue;
            }
            long madeIn = stored.Generation ?? 0;
            long? approvedIn = accepted.GetValueOrDefault(stored.Path)?
                .FirstOrDefault(state => state.Generation > madeIn && ReportFinding.IsStateApproved(stored, state.Entry))?.Generation;
            if (FirstAfter(freshBaselines, madeIn) is { } rebaseline && (approvedIn is null || rebaseline < approvedIn))
                approvedIn = rebaseline;
            var kind = DriftKindNames.Parse(stored.Kind);
            var finding = new ReportFinding
            {
                Number = findings.Count + 1,
                Stored = stored with { BeforeJson = null, AfterJson = null },   // kept parsed, and only what is shown
                Before = ReportFinding.ShownValues(kind, stored.Attributes, stored.BeforeJson),
                After = ReportFinding.ShownValues(kind, stored.Attributes, stored.AfterJson),
                Status = approvedIn is not null ? FindingStatus.Approved : open.Contains(stored.Path) ? FindingStatus.Open : FindingStatus.Reverted,
                ApprovedIn = approvedIn is { } g ? byId[g] : null,
                Controls = controlsByCategory.GetValueOrDefault(stored.Category) ?? [],
                LastObservedAt = stored.ObservedAt,
            };
            findings.Add(finding);
            changes.Add(change, finding);
        }

        return new DriftReport
        {
            ReportId = NewReportId(generatedAt),
            GeneratedAt = generatedAt,
            Framework = selection.Framework,
            Baseline = baseline,
            Policy = policy,
            PeriodFrom = from,
            PeriodTo = to,
            Findings = findings,
            FilesMonitored = store.BaselineCountAt(baseline.Id),
            FilesUnverified = store.UnverifiedCount(),
            Gaps = store.Gaps(from).Where(g => g.DetectedAt <= to).ToArray(),
            Scans = store.Runs(int.MaxValue)
                .Where(r => r.Kind != "baseline" && r.OfSubject && r.Status == "completed" && r.StartedAt >= from && r.StartedAt <= to).ToArray(),
        };
    }

    private static long? FirstAfter(long[] ascending, long generation)
    {
        foreach (var g in ascending)
        {
            if (g > generation)
                return g;
        }
        return null;
    }

    /// <summary>Date and time for people, random bits so two reports made in the same second still differ.</summary>
    private static string NewReportId(DateTimeOffset at) =>
        $"CR-{at.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
}
