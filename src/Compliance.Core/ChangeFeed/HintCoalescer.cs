using Compliance.Core.Policies;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// Pending hints, one per path: later hints for a path replace earlier ones (the path is re-examined once, whatever
/// happened to it), keeping a rename's old path. Paths leave in the order they first arrived.
/// </summary>
internal sealed class HintCoalescer
{
    private readonly Dictionary<string, ChangeHint> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _arrival = new();

    public int Count => _pending.Count;

    /// <summary>When the first and the last of the pending hints arrived; meaningless when <see cref="Count"/> is 0.</summary>
    private DateTimeOffset _oldestArrival, _newestArrival;

    /// <summary>
    /// When the pending hints are due: a window after the last one arrived, and at most
    /// <see cref="ChangeFeedOptions.MaxHoldWindows"/> windows after the first.
    /// </summary>
    public DateTimeOffset DueAt(TimeSpan window)
    {
        var quiet = _newestArrival + window;
        var held = _oldestArrival + window * ChangeFeedOptions.MaxHoldWindows;
        return quiet < held ? quiet : held;
    }

    public void Add(ChangeHint hint, DateTimeOffset now)
    {
        if (_pending.Count == 0)
            _oldestArrival = now;
        _newestArrival = now;
        if (!_pending.TryGetValue(hint.Path, out var earlier))
        {
            _pending[hint.Path] = hint;
            _arrival.Enqueue(hint.Path);
            return;
        }
        if (earlier.OldPath is { } earlierOld && hint.OldPath is { } newOld && earlierOld != newOld)
            Add(earlier with { Path = earlierOld, OldPath = null, Kind = ChangeKind.Deleted }, now);
        var merged = hint.OldPath is null && earlier.OldPath is not null ? hint with { OldPath = earlier.OldPath } : hint;
        // "Appeared, moved or gone" makes the reconciler rescan a directory's subtree; a later "modified" must not undo that.
        _pending[hint.Path] = IsEntryOnly(merged.Kind) && !IsEntryOnly(earlier.Kind) ? merged with { Kind = earlier.Kind } : merged;
    }

    private static bool IsEntryOnly(ChangeKind kind) => kind is ChangeKind.Modified or ChangeKind.MetadataChanged;

    /// <summary>Takes up to <paramref name="max"/> paths, oldest first.</summary>
    public List<ChangeHint> Take(int max)
    {
        var batch = new List<ChangeHint>(Math.Min(max, _pending.Count));
        while (batch.Count < max && _arrival.TryDequeue(out var path))
        {
            if (_pending.Remove(path, out var hint))
                batch.Add(hint);
        }
        return batch;
    }

    /// <summary>
    /// Drops hints a rescan of <paramref name="scope"/> makes redundant; a rename into the scope from outside keeps
    /// its old path as a hint of its own.
    /// </summary>
    public void DropUnder(string scope, DateTimeOffset now)
    {
        var covered = _pending.Values.Where(h => PathPattern.IsSameOrBelow(h.Path, scope)).ToList();
        foreach (var hint in covered)
        {
            _pending.Remove(hint.Path);
            if (hint.OldPath is { } old && !PathPattern.IsSameOrBelow(old, scope))
                Add(hint with { Path = old, OldPath = null, Kind = ChangeKind.Deleted }, now);
        }
    }
}
