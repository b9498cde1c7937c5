using Compliance.Core.Drift;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// What was last reported for each drifted path, so that re-examining an unchanged path (a directory's late event,
/// a hint that overlaps a rescan) does not report the same change twice.
/// </summary>
internal sealed class ReportedStates
{
    /// <summary>
    /// Paths remembered at most. A watch that runs for weeks sees countless short-lived paths (temporary files,
    /// editors' swap files), so past this everything is forgotten: the cost is at most one repeated report of a path.
    /// </summary>
    internal const int Capacity = 1 << 17;

    private readonly Dictionary<string, State> _last = new(StringComparer.Ordinal);

    /// <summary>True when the finding shows a state of its path not reported before.</summary>
    public bool IsNew(Finding finding)
    {
        var after = finding.After;
        // ctime moves with every change to an inode, so with the inode and the kind it tells states apart.
        var state = new State(finding.Kind, after?.Inode, after?.CtimeNs, after?.MtimeNs, after?.Size, after?.Error, finding.Before?.Path);
        if (_last.TryGetValue(finding.Path, out var last) && last == state)
            return false;
        if (_last.Count >= Capacity)
            _last.Clear();
        _last[finding.Path] = state;
        return true;
    }

    private sealed record State(DriftKind Kind, ulong? Inode, long? CtimeNs, long? MtimeNs, long? Size, string? Error, string? From);
}
