using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// A change through one name of a hard-linked file changes every name (content, nlink, ctime), and a new or removed
/// link changes the others' nlink, but a change source reports only the name it saw. This remembers which paths
/// share an inode so that the other names are re-examined too, as a full scan would see them.
/// </summary>
internal sealed class HardLinkAliases
{
    private readonly Dictionary<(ulong Device, ulong Inode), string> _firstPath = [];
    private readonly Dictionary<(ulong Device, ulong Inode), List<string>> _morePaths = [];
    private readonly Dictionary<string, (ulong Device, ulong Inode)> _multiLinked = new(StringComparer.Ordinal);

    public void Remember(FileEntry? entry)
    {
        if (Identity(entry) is not { } key)
            return;
        var path = entry!.Path;
        if (entry.LinkCount > 1)
            _multiLinked[path] = key;
        if (!_firstPath.TryGetValue(key, out var first))
        {
            _firstPath[key] = path;
            return;
        }
        if (first == path)
            return;
        if (!_morePaths.TryGetValue(key, out var more))
            _morePaths[key] = more = [];
        if (!more.Contains(path))
            more.Add(path);
    }

    /// <summary>Other names of a path last seen with several links.</summary>
    public IEnumerable<string> OtherNames(string path) =>
        _multiLinked.TryGetValue(path, out var key) ? Names(key).Where(p => p != path) : [];

    /// <summary>Other names of the inode(s) a finding involves, when either side has or had several links.</summary>
    public IEnumerable<string> OtherNames(Finding finding)
    {
        if (finding.Before?.LinkCount is not > 1 && finding.After?.LinkCount is not > 1)
            return [];
        return new[] { finding.Before, finding.After }
            .Select(Identity).OfType<(ulong, ulong)>().Distinct()
            .SelectMany(Names).Where(p => p != finding.Path).Distinct(StringComparer.Ordinal);
    }

    private IEnumerable<string> Names((ulong Device, ulong Inode) key)
    {
        if (_firstPath.TryGetValue(key, out var first))
            yield return first;
        if (_morePaths.TryGetValue(key, out var more))
        {
            foreach (var path in more)
                yield return path;
        }
    }

    private static (ulong Device, ulong Inode)? Identity(FileEntry? entry) =>
        entry is { Type: not FileType.Directory, Inode: { } inode, Device: { } device } ? (device, inode) : null;
}
