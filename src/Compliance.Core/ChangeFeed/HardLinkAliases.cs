using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// A change through one name of a hard-linked file changes every name (content, nlink, ctime), and a new or removed
/// link changes the others' nlink, but a change source reports only the name it saw. This remembers which paths
/// share an inode so that the other names are re-examined too, as a full scan would see them.
/// </summary>
/// <remarks>
/// It holds one entry per name that exists or is approved. A name with an approved entry stays known, with the
/// approved identity, while it is gone: it may come back exactly as approved (a directory moved out of scope and
/// back), which gives no finding to learn from. Any other name is dropped when it is seen gone or naming another
/// inode, so a watch that runs for weeks through temporary files stays the size of its tree. Every name is kept, not
/// only those with several links, because the first new link to a file must find the file's existing name. Knowing
/// a name too many costs one stat of a path that no longer names the inode; a name too few would lose a change.
/// </remarks>
internal sealed class HardLinkAliases
{
    private readonly Dictionary<string, Name> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<Identity, string> _firstName = [];
    private readonly Dictionary<Identity, List<string>> _moreNames = [];

    /// <summary>Names remembered.</summary>
    internal int Count => _names.Count;

    /// <summary>Remembers an entry seen on disk, in place of whatever its path named before.</summary>
    public void Remember(FileEntry? entry)
    {
        if (IdentityOf(entry) is not { } identity)
            return;
        var path = entry!.Path;
        bool multiLinked = entry.LinkCount > 1;
        if (_names.TryGetValue(path, out var known))
        {
            if (known.Identity == identity)
            {
                _names[path] = known with { MultiLinked = multiLinked };
                return;
            }
            Unlink(path, known.Identity);
        }
        _names[path] = new Name(identity, multiLinked);
        if (!_firstName.TryAdd(identity, path))
        {
            if (!_moreNames.TryGetValue(identity, out var more))
                _moreNames[identity] = more = [];
            more.Add(path);
        }
    }

    /// <summary>
    /// Takes in what a finding shows: the name it observed is remembered. Its <see cref="Finding.Before"/> is the
    /// approved entry, so a name found gone goes back to its approved identity; a move's old name keeps it as well.
    /// </summary>
    public void Update(Finding finding)
    {
        if (IdentityOf(finding.After) is not null)
            Remember(finding.After);
        else if (finding.Before is { } approved && approved.Path == finding.Path && IdentityOf(approved) is not null)
            Remember(approved);
        else
            Forget(finding.Path);
    }

    /// <summary>Drops a name that neither exists (or names a file) nor is approved.</summary>
    public void Forget(string path)
    {
        if (_names.Remove(path, out var known))
            Unlink(path, known.Identity);
    }

    /// <summary>Other names of a path last seen with several links.</summary>
    public IEnumerable<string> OtherNames(string path) =>
        _names.TryGetValue(path, out var known) && known.MultiLinked ? NamesOf(known.Identity).Where(p => p != path) : [];

    /// <summary>Other names of the inode(s) a finding involves, when either side has or had several links.</summary>
    public IEnumerable<string> OtherNames(Finding finding)
    {
        if (finding.Before?.LinkCount is not > 1 && finding.After?.LinkCount is not > 1)
            return [];
        return new[] { finding.Before, finding.After }
            .Select(IdentityOf).OfType<Identity>().Distinct()
            .SelectMany(NamesOf).Where(p => p != finding.Path).Distinct(StringComparer.Ordinal);
    }

    private IEnumerable<string> NamesOf(Identity identity)
    {
        if (_firstName.TryGetValue(identity, out var first))
            yield return first;
        if (_moreNames.TryGetValue(identity, out var more))
        {
            foreach (var path in more)
                yield return path;
        }
    }

    private void Unlink(string path, Identity identity)
    {
        _moreNames.TryGetValue(identity, out var more);
        if (_firstName[identity] == path)
        {
            if (more is null)
            {
                _firstName.Remove(identity);
                return;
            }
            _firstName[identity] = more[^1];
            path = more[^1];
        }
        more!.Remove(path);
        if (more.Count == 0)
            _moreNames.Remove(identity);
    }

    private static Identity? IdentityOf(FileEntry? entry) =>
        entry is { Type: not FileType.Directory, Inode: { } inode, Device: { } device } ? new Identity(device, inode) : null;

    private readonly record struct Identity(ulong Device, ulong Inode);

    private readonly record struct Name(Identity Identity, bool MultiLinked);
}
