using Compliance.Core.ChangeFeed;
using Compliance.Usn.Journal;
using Compliance.Usn.Simulation;

namespace Compliance.Usn.Tests;

/// <summary>
/// The consumer side as the reconciler and store behave: a hint makes it re-examine the path (and what lies
/// below it), a gap makes it rescan the gap's scope, and the cursor is saved with the result, atomically.
/// It can be told to crash on the next commit, before anything is saved.
/// </summary>
internal sealed class ReconcilingStore(SimulatedUsnVolume volume) : IUsnCursorStore
{
    private UsnCursor? _cursor;

    public Dictionary<string, SimulatedFile> Files { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<ChangeSignal> Committed { get; } = [];
    public bool CrashOnNextCommit { get; set; }

    /// <summary>For showing what happens without gap handling: gaps are stored but no rescan is done.</summary>
    public bool IgnoreGaps { get; init; }

    public UsnCursor? Cursor => _cursor;

    public UsnCursor? Load(string volumePath) => _cursor;

    public void Commit(string volumePath, IReadOnlyList<ChangeSignal> signals, UsnCursor cursor)
    {
        if (CrashOnNextCommit)
        {
            CrashOnNextCommit = false;
            throw new SimulatedCrashException();
        }
        foreach (var signal in signals)
        {
            if (signal is GapSignal gap && !IgnoreGaps)
                Rescan(gap.Scope);
            else if (signal is ChangeHint hint)
            {
                Rescan(hint.Path);
                if (hint.OldPath is not null)
                    Rescan(hint.OldPath);
            }
        }
        Committed.AddRange(signals);
        _cursor = cursor;
    }

    private void Rescan(string scope)
    {
        foreach (var path in Files.Keys.Where(p => UsnJournalFollower.IsUnder(p, scope)).ToList())
            Files.Remove(path);
        foreach (var (path, file) in volume.Snapshot().Where(f => UsnJournalFollower.IsUnder(f.Key, scope)))
            Files[path] = file;
    }
}

internal sealed class SimulatedCrashException() : Exception("simulated crash before the commit");
