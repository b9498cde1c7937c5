using System.Globalization;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Reconcile;

namespace Compliance.Usn.Journal;

/// <summary>
/// Connects the journal follower to the reconcile path: a gap is recorded and closed by a rescan of its scope,
/// hints are re-examined and stored together with the cursor in one transaction (<see cref="Reconciler.ApplyHints"/>).
/// A batch without hints stores the cursor alone, after its gaps were rescanned: a crash in between only replays.
/// </summary>
/// <param name="treePath">Turns a journal path (<c>C:\dir\file</c>) into the scanned tree's path for the same file.</param>
public sealed class ReconcilerCursorStore(Reconciler reconciler, IReconcileStore store, long runId, Func<string, string> treePath) : IUsnCursorStore
{
    /// <summary>The saved cursor; a journal ID that does not parse counts as none, so the follower starts over with a rescan.</summary>
    public UsnCursor? Load(string volume) =>
        store.LoadCursor(UsnJournalFollower.SourceName, volume) is { JournalId: { } id, Position: { } position }
        && ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong journalId)
            ? new UsnCursor(journalId, position)
            : null;

    public void Commit(string volume, IReadOnlyList<ChangeSignal> signals, UsnCursor cursor)
    {
        var feedCursor = new FeedCursor(UsnJournalFollower.SourceName, volume, cursor.JournalId.ToString("x16", CultureInfo.InvariantCulture), cursor.NextUsn);
        foreach (var gap in signals.OfType<GapSignal>())
            reconciler.CloseGap(gap with { Scope = treePath(gap.Scope) });
        var hints = signals.OfType<ChangeHint>()
            .Select(h => h with { Path = treePath(h.Path), OldPath = h.OldPath is null ? null : treePath(h.OldPath) })
            .ToList();
        if (hints.Count > 0)
            reconciler.ApplyHints(hints, runId, feedCursor);
        else
            store.SaveCursor(feedCursor);
    }
}
