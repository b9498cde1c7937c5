using System.Runtime.InteropServices;
using Compliance.Core;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Linux.Native;

namespace Compliance.Linux;

/// <summary>
/// inotify, the unprivileged fallback: a watch on every followed directory, added for new directories as they
/// appear (and moved-in trees), whose creation hint makes the follower scan them for what was created before the
/// watch existed. Renames are paired by cookie; IN_Q_OVERFLOW and an unexpected IN_IGNORED become gaps, and running
/// out of watches becomes a coverage-degraded gap. The directories above each root are watched too, for the
/// entry that leads to the root: a directory above it renamed or deleted, or the root made again where it was.
/// </summary>
public sealed unsafe class InotifySource(InotifyOptions? options = null) : KernelNotifySource
{
    private const uint WatchMask = Inotify.Modify | Inotify.Attrib | Inotify.CloseWrite | Inotify.MovedFrom | Inotify.MovedTo
        | Inotify.Create | Inotify.Delete | Inotify.DeleteSelf | Inotify.MoveSelf | Inotify.OnlyDir | Inotify.DontFollow | Inotify.ExclUnlink;

    /// <summary>
    /// What a watch on a directory above a root listens for: entries that appear, go or are renamed, and the directory
    /// itself going. Added to whatever the directory's watch already has (IN_MASK_ADD), since a directory above one
    /// root may be followed under another. A symbolic link above a root is followed, as the root's path is (/var/run
    /// to /run); the link itself being changed is an event in the directory above it.
    /// </summary>
    private const uint AncestorMask = Inotify.Create | Inotify.MovedTo | Inotify.MovedFrom | Inotify.Delete | Inotify.DeleteSelf
        | Inotify.MoveSelf | Inotify.OnlyDir | Inotify.MaskAdd;

    /// <summary>
    /// What a watch on a root that is a file (or a symbolic link, not followed) listens for: its content, its
    /// attributes and its going. Its parent's watch sees it made, deleted or replaced by name.
    /// </summary>
    private const uint FileRootMask = Inotify.Modify | Inotify.Attrib | Inotify.CloseWrite | Inotify.DeleteSelf | Inotify.MoveSelf | Inotify.DontFollow;

    /// <summary>How long a rename's first half waits for its second half to arrive in a later read.</summary>
    private const int MovePairingWaitMs = 5;

    private readonly InotifyOptions _options = options ?? new InotifyOptions();
    private readonly Dictionary<int, string> _pathByWatch = [];
    private readonly Dictionary<string, int> _watchByPath = new(StringComparer.Ordinal);
    private readonly HashSet<int> _leaving = [];
    /// <summary>
    /// The directories above the roots that exist, by their watch: several paths when links make them one directory
    /// (/var/run and /run).
    /// </summary>
    private readonly Dictionary<int, List<string>> _ancestorsByWatch = [];
    /// <summary>For each directory above a root, the roots below it by the entry that leads to each.</summary>
    private Dictionary<string, Dictionary<string, List<string>>> _rootsBelow = new(StringComparer.Ordinal);
    /// <summary>The directory each followed root's watches started from; a root not here is waited for.</summary>
    private readonly Dictionary<string, (ulong Device, ulong Inode)> _rootDirectories = new(StringComparer.Ordinal);
    /// <summary>Roots that are files or links, by the watch on each.</summary>
    private readonly Dictionary<int, string> _fileRoots = [];
    private int _fd = -1;
    private PendingMove? _movedFrom;

    /// <summary>
    /// The last hint of the current read, when it was for a name in a watched directory: its watch, name and kind
    /// (<see cref="_lastWatch"/> -1 when the last signal was anything else). A file written as it is made gives IN_CREATE,
    /// IN_MODIFY and IN_CLOSE_WRITE; the last two, read together with the first, add nothing the follower would not
    /// merge into it, and any look at the file after the read sees what they did, so they are not emitted.
    /// </summary>
    private int _lastWatch = -1;
    private ChangeKind _lastKind;
    private readonly byte[] _lastName = new byte[Inotify.NameMax];
    private int _lastNameLength;

    public const string SourceName = "inotify";

    public override string Name => SourceName;

    /// <summary>Directories being watched.</summary>
    public int WatchCount => _watchByPath.Count;

    protected override int IdleTimeoutMs => _movedFrom is null ? -1 : MovePairingWaitMs;

    protected override int Open()
    {
        _fd = Inotify.Init(Inotify.NonBlock | Inotify.CloExec);
        if (_fd < 0)
            throw new ComplianceException($"inotify_init1: {LibC.Describe(Marshal.GetLastPInvokeError())}", FailureKind.Runtime);
        _rootsBelow = RootsBelowAncestors();
        foreach (var root in Roots)
            WatchRoot(root);
        return _fd;
    }

    protected override void Idle() => ReleaseMovedFrom();

    /// <summary>Watches below a path mounted over, or unmounted, stand for what is no longer seen there: watched anew.</summary>
    protected override void MountsChanged(IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            UnwatchTree(path);
            if (Roots.Contains(path))
                WatchRoot(path);
            else
                WatchTree(path);
        }
    }

    protected override void Decode(ReadOnlySpan<byte> events)
    {
        _lastWatch = -1;
        while (events.Length >= Inotify.EventHeaderSize)
        {
            int wd = MemoryMarshal.Read<int>(events);
            uint mask = MemoryMarshal.Read<uint>(events[4..]);
            uint cookie = MemoryMarshal.Read<uint>(events[8..]);
            int length = (int)MemoryMarshal.Read<uint>(events[12..]);
            if (Inotify.EventHeaderSize + length > events.Length)
                throw new IOException($"inotify: malformed event with a {length}-byte name");
            var name = events.Slice(Inotify.EventHeaderSize, length);
            int end = name.IndexOf((byte)0);
            Handle(wd, mask, cookie, end < 0 ? name : name[..end]);
            events = events[(Inotify.EventHeaderSize + length)..];
        }
    }

    private void Handle(int wd, uint mask, uint cookie, ReadOnlySpan<byte> name)
    {
        bool sameNameAsLast = _lastWatch == wd && name.SequenceEqual(_lastName.AsSpan(0, _lastNameLength));
        _lastWatch = -1;
        if (_movedFrom is { } from && ((mask & Inotify.MovedTo) == 0 || cookie != from.Cookie))
            ReleaseMovedFrom();
        if ((mask & Inotify.QueueOverflow) != 0)
        {
            Emit(Gap("", GapReason.Overflow, "the inotify queue overflowed (fs.inotify.max_queued_events) and the kernel dropped events"));
            return;
        }
        if ((mask & Inotify.Ignored) != 0)
        {
            WatchEnded(wd);
            return;
        }
        if (_fileRoots.TryGetValue(wd, out var fileRoot))
        {
            Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, fileRoot, (mask & (Inotify.DeleteSelf | Inotify.MoveSelf)) != 0 ? ChangeKind.Deleted : KindOf(mask)));
            if ((mask & Inotify.MoveSelf) != 0 && Inotify.RemoveWatch(_fd, wd) == 0)
                _leaving.Add(wd);   // the file went elsewhere: whatever is at the root's path now is another
            return;
        }
        if (_ancestorsByWatch.TryGetValue(wd, out var ancestors))
        {
            foreach (var ancestor in ancestors.ToArray())   // a root followed anew watches the ancestors anew
                OnAncestorEvent(ancestor, name);
        }
        if (!_pathByWatch.TryGetValue(wd, out var directory))
            return;
        if (name.IsEmpty)
        {
            OnWatchedDirectoryItself(wd, directory, mask);
            return;
        }

        var kind = KindOf(mask);
        if (sameNameAsLast && kind == ChangeKind.Modified && _lastKind is ChangeKind.Created or ChangeKind.Modified)
        {
            _lastWatch = wd;
            return;
        }
        var path = Join(directory, EntryPath.FromBytes(name));
        bool isDirectory = (mask & Inotify.IsDir) != 0;
        if ((mask & Inotify.MovedFrom) != 0)
        {
            _movedFrom = new PendingMove(cookie, path, isDirectory);
            return;
        }
        if ((mask & Inotify.MovedTo) != 0)
        {
            string? oldPath = null;
            if (_movedFrom is { } pair && pair.Cookie == cookie)
            {
                _movedFrom = null;
                oldPath = pair.Path;
                if (isDirectory)
                    FollowMovedDirectory(pair.Path, path);
            }
            else if (isDirectory)
            {
                WatchTree(path);   // moved in from outside: nothing below it is watched yet
            }
            Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, path, ChangeKind.Renamed) { OldPath = oldPath });
            return;
        }
        if ((mask & Inotify.Create) != 0 && isDirectory)
            WatchTree(path);
        Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, path, kind));
        if ((mask & Inotify.Attrib) != 0 && isDirectory && !_watchByPath.ContainsKey(path))
        {
            // A directory that could not be watched (an unprivileged watch denied it) may be allowed now.
            WatchTree(path);
            if (_watchByPath.ContainsKey(path))
                Emit(Gap(path, GapReason.SourceRestarted, $"{path} can be watched now: what changed below it meanwhile is found by this rescan"));
            return;
        }
        if (!_ancestorsByWatch.ContainsKey(wd) && name.Length <= _lastName.Length)
        {
            (_lastWatch, _lastKind, _lastNameLength) = (wd, kind, name.Length);
            name.CopyTo(_lastName);
        }
    }

    private static ChangeKind KindOf(uint mask) =>
        (mask & Inotify.Create) != 0 ? ChangeKind.Created
        : (mask & Inotify.Delete) != 0 ? ChangeKind.Deleted
        : (mask & (Inotify.Modify | Inotify.CloseWrite)) != 0 ? ChangeKind.Modified
        : (mask & Inotify.Attrib) != 0 ? ChangeKind.MetadataChanged
        : ChangeKind.Unknown;

    /// <summary>Events on a watched directory itself; its parent's watch reports the same under a name, except for roots.</summary>
    private void OnWatchedDirectoryItself(int wd, string directory, uint mask)
    {
        bool isRoot = Roots.Contains(directory);
        if ((mask & Inotify.DeleteSelf) != 0)
        {
            Forget(wd, directory);
            if (isRoot)
            {
                // Watched again (if it is already back) before the gap's rescan, so nothing made in between is missed.
                WatchRoot(directory);
                Emit(Gap(directory, GapReason.SourceRestarted, $"the watched root {directory} was deleted"));
            }
        }
        else if ((mask & Inotify.MoveSelf) != 0 && isRoot)
        {
            // The root's watches now follow the moved directory, wherever it went: start over at the root's path.
            UnwatchTree(directory);
            WatchRoot(directory);
            Emit(Gap(directory, GapReason.SourceRestarted, $"the watched root {directory} was moved away"));
        }
        else if ((mask & Inotify.Attrib) != 0 && isRoot)
        {
            Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, directory, ChangeKind.MetadataChanged));
        }
    }

    /// <summary>IN_IGNORED: expected after a deletion or our own removal; otherwise the watch was lost (unmount...).</summary>
    private void WatchEnded(int wd)
    {
        _fileRoots.Remove(wd);
        if (_leaving.Remove(wd))
            return;
        if (_ancestorsByWatch.Remove(wd, out var ancestors))
        {
            foreach (var ancestor in ancestors)
                OnAncestorEvent(ancestor, []);
        }
        if (!_pathByWatch.Remove(wd, out var path))
            return;
        _watchByPath.Remove(path);
        WatchTree(path);
        Emit(Gap(path, GapReason.SourceRestarted, $"inotify dropped the watch on {path} (IN_IGNORED)"));
    }

    /// <summary>A rename's first half with no second half: the entry left the watched directories.</summary>
    private void ReleaseMovedFrom()
    {
        if (_movedFrom is not { } from)
            return;
        _movedFrom = null;
        if (from.IsDirectory)
            UnwatchTree(from.Path);
        Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, from.Path, ChangeKind.Deleted));
    }

    /// <summary>
    /// Watches a root's tree and the directories above it. A root that is not a directory now (deleted or moved
    /// away, not made yet, or replaced by a file) is waited for through the watches above it. True when the root
    /// is watched.
    /// </summary>
    private bool WatchRoot(string root)
    {
        _rootDirectories.Remove(root);
        // Directories may come and go between looking and watching: each try starts again from what exists.
        for (int attempt = 0; attempt < MaxRootAttempts; attempt++)
        {
            WatchTree(root);
            var directory = _watchByPath.ContainsKey(root) ? DirectoryAt(root) : null;
            if (directory is { } watched)
                _rootDirectories[root] = watched;
            else
                UnwatchTree(root);
            var above = WatchAncestors(root);
            // What happened above the root before those watches were set is reported to none of them: look again.
            if (DirectoryAt(root) == directory && Ancestors(root).Where(Directory.Exists).SequenceEqual(above))
            {
                if (directory is null && LiveTree.StatIdentity(root) is { Type: not FileType.Directory })
                    WatchFileRoot(root);
                return directory is not null;
            }
            _rootDirectories.Remove(root);
            UnwatchTree(root);
        }
        Emit(Gap(root, GapReason.CoverageDegraded, $"the directories above {root} keep changing: changes there are found only by rescans"));
        return false;
    }

    private const int MaxRootAttempts = 100;

    /// <summary>Watches a root that is a file or a link itself, when it is one now.</summary>
    private void WatchFileRoot(string root)
    {
        int wd;
        fixed (byte* p = NativePath(root))
            wd = Inotify.AddWatch(_fd, p, FileRootMask);
        if (wd >= 0)
            _fileRoots[wd] = root;
    }

    /// <summary>The directories above a root, nearest first.</summary>
    private static IEnumerable<string> Ancestors(string root)
    {
        for (var ancestor = EntryPath.Parent(root); ancestor.Length > 0; ancestor = EntryPath.Parent(ancestor))
        {
            yield return ancestor;
            if (ancestor == "/")
                yield break;
        }
    }

    /// <summary>
    /// Watches every existing directory above every root, and stops watching those that are no longer above one
    /// (a watch follows its directory when it is renamed; the path above the root is what matters). Returns the
    /// existing directories above <paramref name="forRoot"/>, nearest first; one that cannot be watched is a
    /// coverage-degraded gap for that root alone.
    /// </summary>
    private List<string> WatchAncestors(string forRoot)
    {
        var watches = new Dictionary<int, List<string>>();
        var existingAboveRoot = new List<string>();
        foreach (var root in Roots)
        {
            foreach (var ancestor in Ancestors(root))
            {
                int wd;
                fixed (byte* p = NativePath(ancestor))
                    wd = Inotify.AddWatch(_fd, p, AncestorMask);
                int errno = wd < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (wd >= 0)
                {
                    if (!watches.TryGetValue(wd, out var paths))
                        watches[wd] = paths = [];
                    if (!paths.Contains(ancestor))
                        paths.Add(ancestor);
                }
                // Listed as the caller's look again lists them (Directory.Exists): one that cannot even be looked at is neither.
                if (root != forRoot || errno is LibC.ENoEnt or LibC.ENotDir || errno != 0 && !Directory.Exists(ancestor))
                    continue;
                existingAboveRoot.Add(ancestor);
                if (errno != 0)
                {
                    Emit(Gap(forRoot, GapReason.CoverageDegraded,
                        $"cannot watch {ancestor} above {forRoot}: {LibC.Describe(errno)}; if it is renamed, or {forRoot} is made again, only rescans find it"));
                }
            }
        }
        foreach (var (wd, _) in _ancestorsByWatch)
        {
            // A directory followed as part of a tree keeps its watch; only the mask it was given here stays on it.
            if (!watches.ContainsKey(wd) && !_pathByWatch.ContainsKey(wd) && Inotify.RemoveWatch(_fd, wd) == 0)
                _leaving.Add(wd);
        }
        _ancestorsByWatch.Clear();
        foreach (var (wd, paths) in watches)
            _ancestorsByWatch[wd] = paths;
        return existingAboveRoot;
    }

    /// <summary>
    /// Something happened in a directory above roots (<paramref name="name"/> empty: to the directory itself). A root
    /// whose path no longer leads to the directory it was followed from is followed anew from what is there now; a
    /// root waited for that is a directory again is followed and rescanned, and one that is something else is rescanned.
    /// </summary>
    private void OnAncestorEvent(string ancestor, ReadOnlySpan<byte> name)
    {
        // Directories like /tmp above a root see much that is not on the way to it: one lookup each.
        if (!_rootsBelow.TryGetValue(ancestor, out var byEntry))
            return;
        var roots = name.IsEmpty ? byEntry.Values.SelectMany(r => r).ToList()
            : byEntry.GetValueOrDefault(EntryPath.FromBytes(name)) ?? [];
        foreach (var root in roots)
        {
            if (_rootDirectories.TryGetValue(root, out var followed))
            {
                if (DirectoryAt(root) == followed)
                    continue;
                UnwatchTree(root);
                WatchRoot(root);
                Emit(Gap(root, GapReason.SourceRestarted, $"the watched root {root} is no longer the directory it was (it or a directory above it was moved or deleted): followed anew"));
            }
            // Waited for: a directory on the way to it may have been made or gone, and so watched or not any more.
            else if (WatchRoot(root))
            {
                Emit(Gap(root, GapReason.SourceRestarted, $"the watched root {root} is there again: rescanned for what it holds"));
            }
            else if (Exists(root))
            {
                Emit(Gap(root, GapReason.SourceRestarted, $"something other than a directory is at the watched root {root}: rescanned"));
            }
            else
            {
                Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, root, ChangeKind.Deleted));
            }
        }
    }

    /// <summary>Builds <see cref="_rootsBelow"/> from the roots.</summary>
    private Dictionary<string, Dictionary<string, List<string>>> RootsBelowAncestors()
    {
        var result = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var root in Roots)
        {
            foreach (var ancestor in Ancestors(root))
            {
                var below = root.AsSpan(ancestor == "/" ? 1 : ancestor.Length + 1);
                int slash = below.IndexOf('/');
                var entry = below[..(slash < 0 ? below.Length : slash)].ToString();
                if (!result.TryGetValue(ancestor, out var byEntry))
                    result[ancestor] = byEntry = new(StringComparer.Ordinal);
                if (!byEntry.TryGetValue(entry, out var roots))
                    byEntry[entry] = roots = [];
                roots.Add(root);
            }
        }
        return result;
    }

    /// <summary>The running system's tree, for looking at what stands at a root's path (never following a symlink).</summary>
    private static readonly LinuxFileTree LiveTree = new();

    private static bool Exists(string path) => LiveTree.StatIdentity(path) is not null;

    /// <summary>The device and inode of the directory at a path; null when there is none.</summary>
    private static (ulong Device, ulong Inode)? DirectoryAt(string path) =>
        LiveTree.StatIdentity(path) is { Type: FileType.Directory, Device: { } device, Inode: { } inode } ? (device, inode) : null;

    /// <summary>Watches a directory and every directory below it that the options let through.</summary>
    private void WatchTree(string top)
    {
        var stack = new Stack<string>();
        stack.Push(top);
        while (stack.TryPop(out var directory))
        {
            if (!_options.ShouldWatch(directory))
                continue;
            int wd;
            fixed (byte* p = NativePath(directory))
                wd = Inotify.AddWatch(_fd, p, WatchMask);
            if (wd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is LibC.ENoEnt or LibC.ENotDir or LibC.ELoop)
                    continue;
                if (errno == NotifyIo.ENoSpc)
                {
                    Emit(Gap(top, GapReason.CoverageDegraded,
                        $"inotify watch limit reached (fs.inotify.max_user_watches = {MaxUserWatches()}) at {directory}: changes below {top} are found only by rescans; raise the limit, or run as root to use fanotify"));
                    return;
                }
                // Permission denied, a path longer than the kernel takes (anyone may nest directories that deep), or
                // anything else about this one directory: the rest stays followed.
                Emit(Gap(directory, GapReason.CoverageDegraded, $"cannot watch {directory}: {LibC.Describe(errno)}; changes below it are found only by rescans"));
                continue;
            }
            if (_pathByWatch.TryGetValue(wd, out var named) && named != directory && DirectoryAt(named) is { } same && same == DirectoryAt(directory))
            {
                // One directory under two names (a bind mount below a root, or two roots through a link): inotify
                // has one watch for it, and its events keep the name it was first watched by.
                Emit(Gap(directory, GapReason.CoverageDegraded,
                    $"{directory} is the directory already watched as {named} (a bind mount or a link): its changes are reported under {named}, and below {directory} found only by rescans"));
                _watchByPath[directory] = wd;   // a second name: unwatching it leaves the watch to the first
                continue;
            }
            // A watch that existed comes back with its descriptor: it now stands for this path (its directory moved).
            if (_pathByWatch.Remove(wd, out var earlier) && _watchByPath.TryGetValue(earlier, out int there) && there == wd)
                _watchByPath.Remove(earlier);
            _pathByWatch[wd] = directory;
            _watchByPath[directory] = wd;
            foreach (var subdirectory in Subdirectories(directory))
                stack.Push(subdirectory);
        }
    }

    private void UnwatchTree(string top)
    {
        foreach (var (path, wd) in _watchByPath.Where(w => PathPattern.IsSameOrBelow(w.Key, top)).ToList())
        {
            if (_pathByWatch.GetValueOrDefault(wd) is { } first && first != path)
            {
                _watchByPath.Remove(path);
                continue;
            }
            Inotify.RemoveWatch(_fd, wd);
            _leaving.Add(wd);
            Forget(wd, path);
        }
    }

    private void Forget(int wd, string path)
    {
        _pathByWatch.Remove(wd);
        _watchByPath.Remove(path);
        _leaving.Add(wd);
    }

    /// <summary>
    /// A directory renamed within the watched tree: its watches follow it, and the paths they stand for are read again
    /// from the disk rather than derived from the old path. Two directories swapped (RENAME_EXCHANGE) give two renames,
    /// the second of which would move the first one's watches back; and a directory that was excluded where it came
    /// from has no watches to move.
    /// </summary>
    private void FollowMovedDirectory(string oldPath, string newPath)
    {
        if (_options.ShouldWatch(newPath))
            WatchTree(newPath);
        else
            UnwatchTree(oldPath);
    }

    /// <summary>Subdirectories by the type readdir reports; entries of unknown type are tried, inotify refuses non-directories.</summary>
    private static List<string> Subdirectories(string directory)
    {
        const byte TypeUnknown = 0, TypeDirectory = 4;
        var result = new List<string>();
        nint dir;
        fixed (byte* p = NativePath(directory))
            dir = LibC.opendir(p);
        if (dir == 0)
            return result;
        try
        {
            Dirent64* entry;
            while ((entry = LibC.readdir64(dir)) != null)
            {
                if (entry->Type is not (TypeDirectory or TypeUnknown))
                    continue;
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry->Name);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                    continue;
                result.Add(Join(directory, EntryPath.FromBytes(name)));
            }
        }
        finally
        {
            LibC.closedir(dir);
        }
        return result;
    }

    private static string MaxUserWatches()
    {
        try
        {
            return File.ReadAllText("/proc/sys/fs/inotify/max_user_watches").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private sealed record PendingMove(uint Cookie, string Path, bool IsDirectory);
}

/// <summary>What the inotify source watches.</summary>
public sealed class InotifyOptions
{
    /// <summary>Whether a directory (an operating-system path) needs a watch; excluded trees should not spend one.</summary>
    public Func<string, bool> ShouldWatch { get; init; } = static _ => true;
}
