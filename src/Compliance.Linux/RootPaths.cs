using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Linux.Native;

namespace Compliance.Linux;

/// <summary>
/// The roots a source follows, by the policy's name for each and by the kernel's. The kernel names a directory
/// without symbolic links (/run/app for the root /var/run/app; /usr/lib/x for /lib/x on a merged /usr), and the
/// mount table names mount points so too; such a path is translated back to every root that reaches it. Each
/// root's lookup is kept step by step, so that a change to any entry on the way (a directory above renamed, a link
/// replaced, a filesystem mounted over it) is known to lead to the roots, whose lookup is then done again.
/// </summary>
internal sealed unsafe class RootPaths
{
    /// <summary>Links followed in one lookup, at most, as the kernel's own lookup (ELOOP).</summary>
    private const int MaxLinks = 40;

    private readonly IReadOnlyList<string> _roots;
    private (string Root, string Resolved)[] _resolved = [];
    private Dictionary<string, List<string>> _rootsByWayPoint = new(StringComparer.Ordinal);
    private HashSet<string> _wayPointDirectories = new(StringComparer.Ordinal);

    public RootPaths(IReadOnlyList<string> roots)
    {
        _roots = roots;
        Refresh();
    }

    /// <summary>Where each root's path leads now (a root that does not exist yet: where it would be).</summary>
    public IEnumerable<string> Resolved => _resolved.Select(r => r.Resolved).Distinct(StringComparer.Ordinal);

    /// <summary>Each root with where it leads now.</summary>
    public IReadOnlyList<(string Root, string Resolved)> Pairs => _resolved;

    /// <summary>The directories that hold an entry on the way to a root, each root's own parent included.</summary>
    public IReadOnlyCollection<string> WayPointDirectories => _wayPointDirectories;

    /// <summary>Looks every root up again, as the paths on the way to them may have changed.</summary>
    public void Refresh()
    {
        var resolved = new List<(string, string)>();
        var byWayPoint = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in _roots)
        {
            var (target, wayPoints) = Lookup(root);
            resolved.Add((root, target));
            foreach (var wayPoint in wayPoints)
            {
                if (!byWayPoint.TryGetValue(wayPoint, out var roots))
                    byWayPoint[wayPoint] = roots = [];
                if (!roots.Contains(root))
                    roots.Add(root);
                directories.Add(EntryPath.Parent(wayPoint));
            }
        }
        (_resolved, _rootsByWayPoint, _wayPointDirectories) = (resolved.ToArray(), byWayPoint, directories);
    }

    /// <summary>True when a kernel path is at or below where a root leads.</summary>
    public bool IsFollowed(string path)
    {
        foreach (var (_, resolved) in _resolved)
        {
            if (PathPattern.IsSameOrBelow(path, resolved))
                return true;
        }
        return false;
    }

    /// <summary>Adds a kernel path under the name of every root it is at or below (none when it is not followed).</summary>
    public void AddRootNames(string path, List<string> names)
    {
        foreach (var (root, resolved) in _resolved)
        {
            if (!PathPattern.IsSameOrBelow(path, resolved))
                continue;
            var name = Rebase(path, resolved, root);
            if (!names.Contains(name))
                names.Add(name);
        }
    }

    /// <summary>The roots whose lookup passed through a kernel path (an entry above a root, or the root itself); null when none did.</summary>
    public IReadOnlyList<string>? RootsLedThrough(string path) => _rootsByWayPoint.GetValueOrDefault(path);

    private static string Rebase(string path, string from, string to)
    {
        if (from == to)
            return path;   // no link on the way: the common case, and the one every event of a storm takes
        var rest = path.Length == from.Length ? "" : from == "/" ? path : path[from.Length..];
        return rest.Length == 0 ? to : to == "/" ? rest : to + rest;
    }

    /// <summary>
    /// Resolves a path as the kernel would with O_NOFOLLOW (links followed on the way, not at the end), one entry at a
    /// time, and lists each entry looked at (in the directories where they are). Entries that do not exist are taken
    /// as directories to be.
    /// </summary>
    internal static (string Resolved, List<string> WayPoints) Lookup(string path)
    {
        var wayPoints = new List<string>();
        var pending = new LinkedList<string>(path.Split('/'));
        var current = "/";
        int links = 0;
        while (pending.First is { } first)
        {
            var name = first.Value;
            pending.RemoveFirst();
            if (name is "" or ".")
                continue;
            if (name == "..")
            {
                current = EntryPath.Parent(current) is { Length: > 0 } parent ? parent : "/";
                continue;
            }
            var next = EntryPath.Combine(current, name);
            wayPoints.Add(next);
            // The path's own last entry is not followed: a root that is a link is watched as the link, as scanned.
            if (pending.First is not null && links < MaxLinks && ReadLink(next) is { } target)
            {
                links++;
                if (target.StartsWith('/'))
                    current = "/";
                foreach (var part in target.Split('/').Reverse())
                    pending.AddFirst(part);
                continue;
            }
            current = next;
        }
        return (current, wayPoints);
    }

    /// <summary>A symbolic link's target; null when the path is not a link (or not there).</summary>
    internal static string? ReadLink(string link)
    {
        var raw = EntryPath.ToBytes(link);
        var path = new byte[raw.Length + 1];
        raw.CopyTo(path, 0);
        var target = stackalloc byte[4096];
        nint length;
        fixed (byte* p = path)
            length = LibC.readlink(p, target, 4096);
        return length < 0 ? null : EntryPath.FromBytes(new ReadOnlySpan<byte>(target, (int)length));
    }
}
