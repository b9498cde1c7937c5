using Compliance.Core.Drift;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// What was last reported for each drifted path, so that re-examining an unchanged path (a directory's late event,
/// a hint that overlaps a rescan) does not report the same change twice.
/// </summary>
internal sealed class ReportedStates
{
    private readonly Dictionary<string, State> _last = new(StringComparer.Ordinal);

    /// <summary>True when the finding shows a state of its path not reported before.</summary>
    public bool IsNew(Finding finding)
    {
        var after = finding.After;
        // ctime moves with every change to an inode, so with the inode and the kind it tells states apart.
        var state = new State(finding.Kind, after?.Inode, after?.CtimeNs, after?.MtimeNs, after?.Size, after?.Error, finding.Before?.Path);
        if (_last.TryGetValue(finding.Path, out var last) && last == state)
            return false;
        _last[finding.Path] = state;
        return true;
    }

    private sealed record State(DriftKind Kind, ulong? Inode, long? CtimeNs, long? MtimeNs, long? Size, string? Error, string? From);
}
