using Compliance.Core.Drift;

namespace Compliance.Core.ChangeFeed;

/// <summary>How a <see cref="ChangeFeedFollower"/> batches hints and how often it rescans everything anyway.</summary>
public sealed class ChangeFeedOptions
{
    /// <summary>
    /// Hints are held until none has arrived for this long, so that the several events of one save (write a temporary
    /// file, rename it over, chmod) become one re-examination and one finding, whatever came just before them; but
    /// never more than <see cref="MaxHoldWindows"/> times this long after the first, so that a steady trickle of
    /// changes is still applied.
    /// </summary>
    public TimeSpan CoalesceWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How many coalescing windows the oldest pending hint is held at most.</summary>
    public const int MaxHoldWindows = 5;

    /// <summary>A full reconcile of the policy's scope this often, the safety net under every event source. Null: never.</summary>
    public TimeSpan? ReconcileInterval { get; init; }

    /// <summary>
    /// How often the follower, idle or not, looks at which baseline generation is current, through
    /// <see cref="Reconcile.Reconciler.ComparingWith"/>: a new baseline's policy must take effect without waiting
    /// for a change the old policy would see.
    /// </summary>
    public TimeSpan GenerationCheckInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many paths are re-examined and committed in one transaction.</summary>
    public int MaxBatch { get; init; } = 4096;

    /// <summary>The source's roots: the operating-system directories that hold the policy's walk roots.</summary>
    public IReadOnlyList<string> SourceRoots { get; init; } = [];

    /// <summary>Maps a path the source reports to the tree's path for it; null when it lies outside the tree.</summary>
    public Func<string, string?> ToTreePath { get; init; } = static path => path;

    /// <summary>Tree paths whose changes are the follower's own doing (the state database and its journal files).</summary>
    public IReadOnlySet<string> IgnoredPaths { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>Where a follower reports what it recorded: findings once stored, each gap once closed by its rescan.</summary>
public interface IChangeFeedSink
{
    /// <summary>The new findings of one batch, once its transaction committed; handed over together so a sink can write them at once.</summary>
    void Committed(IReadOnlyList<Finding> findings);

    /// <summary>A gap, reported before the findings of the rescan that closed it.</summary>
    void Gap(GapSignal gap);

    /// <summary>Stored drift that a batch or rescan found gone, once committed; handed over just before its findings.</summary>
    void Resolved(IReadOnlyList<Resolution> resolutions);
}
