namespace Compliance.Core.ChangeFeed;

/// <summary>What a change source saw happen to a path. A hint only: the reconciler re-examines the path itself.</summary>
public enum ChangeKind
{
    Created,
    Modified,
    MetadataChanged,
    Deleted,
    /// <summary>The path is the new name; <see cref="ChangeHint.OldPath"/> the old one, when the source knows it.</summary>
    Renamed,
    /// <summary>Something happened; the source cannot say what.</summary>
    Unknown,
}

/// <summary>Why a change source may have missed changes.</summary>
public enum GapReason
{
    /// <summary>The source has no cursor yet (first start): nothing before now was followed.</summary>
    FirstStart,
    /// <summary>The kernel or source queue overflowed and dropped events.</summary>
    Overflow,
    /// <summary>A journal wrapped past the saved cursor, or its records were deleted.</summary>
    JournalWrapped,
    /// <summary>The journal was recreated (its ID changed).</summary>
    JournalReplaced,
    /// <summary>The journal was deleted or disabled.</summary>
    JournalDeleted,
    /// <summary>The source restarted or a watch was lost (inotify IN_IGNORED, unmount).</summary>
    SourceRestarted,
    /// <summary>The source could not watch part of the scope (inotify watch limit).</summary>
    CoverageDegraded,
    /// <summary>The periodic full reconcile that backs up every event source.</summary>
    Periodic,
}

/// <summary>A change hint or a gap: the two things a change source yields.</summary>
public abstract record ChangeSignal(string Source, DateTimeOffset Time);

/// <summary>A path (and, on NTFS, the file ID) that may have changed.</summary>
public sealed record ChangeHint(string Source, DateTimeOffset Time, string Path, ChangeKind Kind) : ChangeSignal(Source, Time)
{
    public string? OldPath { get; init; }
    public UInt128? FileId { get; init; }
    public int? ProcessId { get; init; }
    public string? ProcessPath { get; init; }
}

/// <summary>
/// Changes may have been missed under <see cref="Scope"/> (a subtree; "/" or "" for the whole volume). The reconciler
/// closes a gap by rescanning its scope; until then nothing under it can be trusted.
/// </summary>
public sealed record GapSignal(string Source, DateTimeOffset Time, string Scope, GapReason Reason, string Detail) : ChangeSignal(Source, Time);

/// <summary>
/// A platform change source (fanotify, inotify, the NTFS USN journal, FSEvents). It knows nothing of policies,
/// storage or reports: it yields hints and gaps for the roots it was given.
/// </summary>
public interface IChangeSource : IAsyncDisposable
{
    string Name { get; }

    /// <summary>
    /// Starts following the given roots and yields signals. Once cancelled it yields what it had already received
    /// (from its kernel queue or journal, as far as it can without waiting) and ends: those changes happened before the
    /// stop and must reach the store.
    /// </summary>
    IAsyncEnumerable<ChangeSignal> ReadAsync(IReadOnlyList<string> roots, CancellationToken cancellationToken);
}
