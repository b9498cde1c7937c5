using Compliance.Core.Attributes;
using Compliance.Core.Drift;
using Compliance.Core.Model;

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
        var state = StateOf(finding);
        if (_last.TryGetValue(finding.Path, out var last) && last == state)
            return false;
        if (_last.Count >= Capacity)
            _last.Clear();
        _last[finding.Path] = state;
        return true;
    }

    /// <summary>A path found as approved, or with nothing there and nothing approved: its next drift is news again.</summary>
    public void Forget(string path) => _last.Remove(path);

    /// <summary>
    /// After a rescan of <paramref name="scopes"/> (a null scope: everything) that found <paramref name="found"/>, the
    /// paths in them that it found no drift at are forgotten: they were found as approved. One pass over the paths
    /// remembered, each looked up by its own ancestors, so a batch of many new directories costs no more than one.
    /// </summary>
    public void ForgetAllBut(IReadOnlyCollection<string?> scopes, IReadOnlyList<Finding> found)
    {
        if (scopes.Count == 0 || _last.Count == 0)
            return;
        var keep = found.Select(finding => finding.Path).ToHashSet(StringComparer.Ordinal);
        bool everything = scopes.Contains(null);
        var scoped = scopes.OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var path in _last.Keys.Where(path => !keep.Contains(path) && (everything || IsInAny(path, scoped))).ToList())
            _last.Remove(path);
    }

    private static bool IsInAny(string path, HashSet<string> scopes)
    {
        for (var at = path; at.Length > 0; at = EntryPath.Parent(at))
        {
            if (scopes.Contains(at))
                return true;
            if (at == "/")
                break;
        }
        return false;
    }

    /// <summary>
    /// What a finding says: its kind, where it moved from, an error, and the observed values of the attributes that
    /// differ, so that a change to an attribute its category does not compare (a growing log's size) is no news.
    /// Anything added is news whenever it changes at all: ctime moves with every change to an inode. (Its identity
    /// is kept as numbers: a storm of new files is a finding each.)
    /// </summary>
    private static State StateOf(Finding finding)
    {
        var after = finding.After;
        if (finding.Kind == DriftKind.Added)
            return new State(finding.Kind, finding.Before?.Path, after?.Error, null, (after?.Inode, after?.CtimeNs, after?.MtimeNs, after?.Size));
        string? values = after is null ? null : string.Join('\0', finding.Attributes.Select(name => AttributeCatalog.ByName(name)?.Format(after)));
        return new State(finding.Kind, finding.Before?.Path, after?.Error, values, default);
    }

    private sealed record State(DriftKind Kind, string? From, string? Error, string? Values, (ulong?, long?, long?, long?) Added);
}
