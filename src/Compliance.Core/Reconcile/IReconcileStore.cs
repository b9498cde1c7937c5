using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Scanning;

namespace Compliance.Core.Reconcile;

/// <summary>What the reconcile path needs from the store (implemented by Compliance.Store's StateStore).</summary>
public interface IReconcileStore
{
    /// <summary>Current baseline entries at or below the scope, in <see cref="EntryPath.CompareWalkOrder"/> order.</summary>
    IEnumerable<FileEntry> BaselineInWalkOrder(string? scope = null, long? generation = null);

    /// <summary>The same entries as a cursor that decodes each only when asked; the caller disposes it.</summary>
    IBaselineCursor OpenBaseline(string? scope = null, long? generation = null);

    /// <summary>The current baseline entry of each path, null where there is none.</summary>
    IReadOnlyList<FileEntry?> FindBaselines(IReadOnlyList<string> paths);

    /// <summary>
    /// For each object (inode on device), the approved entries stored as removed that had that inode on that device.
    /// </summary>
    IReadOnlyList<IReadOnlyList<FileEntry>> FindRemovedWithInodes(IReadOnlyList<(ulong Inode, ulong Device)> objects);

    /// <summary>For each path, whether approved entries or stored drift exist for paths below it.</summary>
    IReadOnlyList<EntriesBelow> FindEntriesBelow(IReadOnlyList<string> paths);

    /// <summary>The current approved baseline generation; null before the first baseline.</summary>
    long? CurrentGenerationId();

    /// <summary>
    /// Stores a batch of observations, and the cursor that produced them, in one transaction. They were compared with
    /// baseline <paramref name="generation"/>; if another is current by then, nothing is stored and
    /// <see cref="BaselineChangedException"/> is thrown. Returns the paths whose stored drift it cleared (found as
    /// approved again). Without <paramref name="keepsDrift"/> only the findings are recorded; the drift stays.
    /// </summary>
    IReadOnlyList<string> ApplyObservations(IReadOnlyList<Observation> batch, long? runId, long? generation, FeedCursor? cursor = null,
        bool keepsDrift = true);

    /// <summary>
    /// After a complete scan of a scope against baseline <paramref name="generation"/>: forget observed drift there,
    /// at paths the scan's policy selects (<paramref name="selected"/>), that this run did not see again, and return
    /// their paths. Refused like <see cref="ApplyObservations"/> once another generation is current.
    /// </summary>
    IReadOnlyList<string> ForgetObservationsNotFromRun(string? scope, long runId, long? generation, Func<string, bool> selected);

    long StartRun(string kind, string tree);
    void FinishRun(long runId, RunTotals totals, string status, string? detail = null);

    long RecordGap(GapSignal gap);
    void CloseGap(long gapId, long runId);

    FeedCursor? LoadCursor(string source, string volume);
    void SaveCursor(FeedCursor cursor);
}

/// <summary>
/// The outcome for one path: its observed entry (null when absent) and the finding against the baseline (null when
/// it matches, which clears earlier drift for the path). <see cref="RecordFinding"/> is false for the old half of a
/// move, whose state is stored but whose finding is the move itself.
/// </summary>
public sealed record Observation(string Path, FileEntry? Observed, Finding? Finding, bool RecordFinding = true)
{
    /// <summary>The observations a finding stands for: a move also marks its old path absent.</summary>
    public static IEnumerable<Observation> For(Finding finding)
    {
        yield return new Observation(finding.Path, finding.After, finding);
        if (finding.Kind == DriftKind.Moved && finding.Before is { } before)
        {
            var oldHalf = new Finding { Path = before.Path, Kind = DriftKind.Removed, Before = before, Category = finding.Category, Severity = finding.Severity, Source = finding.Source };
            yield return new Observation(before.Path, null, oldHalf, RecordFinding: false);
        }
    }
}

/// <summary>What the store holds below a path.</summary>
[Flags]
public enum EntriesBelow
{
    None = 0,
    Approved = 1,
    Drift = 2,
}

/// <summary>A completed run: its ID in the store, its totals, and the stored drift it found gone.</summary>
public sealed record ScanRun(long RunId, RunTotals Totals, IReadOnlyList<Resolution> Resolved);

/// <summary>A change feed's position: for the USN journal, the journal ID and the next USN to read.</summary>
public sealed record FeedCursor(string Source, string Volume, string? JournalId, long? Position, string? State = null);

public sealed record RunTotals(long Entries, long FilesHashed, long BytesHashed, long Errors, long Findings);
