using System.Runtime.InteropServices;
using System.Text;
using Compliance.Core;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Model;
using Compliance.Linux.Native;

namespace Compliance.Linux;

/// <summary>
/// fanotify with one FAN_MARK_FILESYSTEM mark per filesystem holding a root and FAN_REPORT_DFID_NAME records (Linux
/// 5.9+, CAP_SYS_ADMIN): no per-directory watches to run out of or to miss when a tree is moved in. Each event names
/// a directory by file handle plus an entry name; handles are opened against the filesystem's root to find the
/// directory's current path, and the writer's PID and executable come with every hint.
/// </summary>
public sealed unsafe class FanotifySource(FanotifyOptions? options = null) : KernelNotifySource
{
    private const ulong Events = Fanotify.Create | Fanotify.Delete | Fanotify.MovedFrom | Fanotify.MovedTo
        | Fanotify.Attrib | Fanotify.Modify | Fanotify.CloseWrite | Fanotify.OnDir;

    /// <summary>What a mark on a directory on the way to a root listens for: entries that appear, go or are renamed.</summary>
    private const ulong WayEvents = Fanotify.Create | Fanotify.Delete | Fanotify.MovedFrom | Fanotify.MovedTo | Fanotify.OnDir;

    private readonly FanotifyOptions _options = options ?? new FanotifyOptions();
    /// <summary>
    /// Each filesystem events come from, by fsid, with its mount point, opened to resolve its handles: opened each
    /// time rather than held, since a descriptor held open would keep the filesystem from being unmounted.
    /// </summary>
    private readonly Dictionary<ulong, MarkedFilesystem> _filesystems = [];
    private readonly DirectoryHandles _directories = new();
    private readonly HashSet<string> _degraded = new(StringComparer.Ordinal);
    private readonly List<string> _paths = [];

    public const string SourceName = "fanotify";

    public override string Name => SourceName;

    /// <summary>True when this kernel and these privileges allow a filesystem mark with directory handles and names.</summary>
    public static bool IsAvailable()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        int fd = Fanotify.Init(Fanotify.ClassNotif | Fanotify.CloExec | Fanotify.ReportDfidName, Fanotify.ORdOnly | Fanotify.OCloExec);
        if (fd < 0)
            return false;
        LibC.close(fd);
        return true;
    }

    /// <summary>
    /// Throws what <see cref="Open"/> would of fanotify itself (privileges, kernel), before a watch says it follows
    /// anything with it.
    /// </summary>
    public void RequireAvailable() => LibC.close(Init(InitFlags));

    private uint InitFlags => Fanotify.ClassNotif | Fanotify.CloExec | Fanotify.ReportDfidName | (_options.UnlimitedQueue ? Fanotify.UnlimitedQueue : 0);

    /// <summary>fanotify_init, or why fanotify cannot be used here, as an error that says what to do instead.</summary>
    private static int Init(uint flags)
    {
        int fd = Fanotify.Init(flags, Fanotify.ORdOnly | Fanotify.OLargeFile | Fanotify.OCloExec);
        if (fd >= 0)
            return fd;
        int errno = Marshal.GetLastPInvokeError();
        throw new ComplianceException(errno switch
        {
            LibC.EPerm => "fanotify needs CAP_SYS_ADMIN (run as root), or use --source inotify",
            22 => "this kernel has no fanotify FAN_REPORT_DFID_NAME (Linux 5.9 or newer is needed); use --source inotify",
            _ => $"fanotify_init: {LibC.Describe(errno)}",
        }, FailureKind.Runtime);
    }

    /// <summary>
    /// True when fanotify can follow these roots in full here: it is available, and the filesystem of every root and
    /// of everything mounted below one that <see cref="FanotifyOptions.ShouldMark"/> lets through can be marked and
    /// its changes named, none left to rescans alone (an overlay, FUSE, a btrfs subvolume, a bind mount). Where it
    /// cannot, inotify follows them better.
    /// </summary>
    public static bool CanFollowFully(IReadOnlyList<string> roots, FanotifyOptions? options = null)
    {
        if (!IsAvailable())
            return false;
        var probe = new FanotifySource(options);
        probe.UseRoots(roots);
        int fd = Fanotify.Init(Fanotify.ClassNotif | Fanotify.CloExec | Fanotify.ReportDfidName, Fanotify.ORdOnly | Fanotify.OCloExec);
        if (fd < 0)
            return false;
        try
        {
            probe.Mark(fd, atStart: true);
            return probe._degraded.Count == 0;
        }
        catch (ComplianceException)
        {
            return false;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    protected override int Open()
    {
        int fd = Init(InitFlags);
        try
        {
            Mark(fd, atStart: true);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
        return fd;
    }

    /// <summary>
    /// Marks the filesystem of every root (a root not made yet: of the nearest directory above it), of every
    /// filesystem mounted below a root, and each directory on the way to a root, whose entries lead to it. Marks
    /// already set are set again unchanged. At the start, a root's filesystem that cannot be marked stops the watch
    /// (another source may do better); later, it is a coverage-degraded gap.
    /// </summary>
    private void Mark(int fd, bool atStart)
    {
        var table = MountTable.Read();
        foreach (var root in RootPaths.Resolved)
            MarkFilesystemOf(fd, NearestDirectory(root), fatal: atStart, table);
        // A filesystem mark stops at mount points; scans do not, so filesystems mounted below a root get theirs.
        foreach (var mountPoint in MountPointsBelowRoots(table))
            MarkFilesystemOf(fd, mountPoint, fatal: false, table);
        foreach (var directory in RootPaths.WayPointDirectories)
            MarkWayPoint(fd, directory, table);
    }

    /// <summary>The path itself when it is a directory (not a link to one), else the nearest such directory above it.</summary>
    private static string NearestDirectory(string path)
    {
        while (path != "/" && (!Directory.Exists(path) || new FileInfo(path).LinkTarget is not null))
            path = EntryPath.Parent(path);
        return path;
    }

    private IEnumerable<string> MountPointsBelowRoots(List<Mount> table) =>
        table.Select(mount => mount.MountPoint).Distinct(StringComparer.Ordinal).Where(mountPoint => RootPaths.IsFollowed(mountPoint) && !RootPaths.Resolved.Contains(mountPoint)
            && RootNamesOf(mountPoint).Any(_options.ShouldMark));

    private void MarkFilesystemOf(int fd, string path, bool fatal, List<Mount> table)
    {
        var native = NativePath(path);
        int directoryFd = OpenDirectory(native);
        if (directoryFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (fatal)
                throw new ComplianceException($"cannot watch {path}: {LibC.Describe(errno)}", FailureKind.Runtime);
            // A file mounted over a file (/etc/hosts in a container), or a mount point hidden by a later mount.
            Degraded(path, $"fanotify cannot follow what is mounted at {path} ({LibC.Describe(errno)}): changes there are found only by rescans");
            return;
        }
        StatFs fs;
        int statResult = Fanotify.fstatfs(directoryFd, &fs);
        var (device, mount) = WhereIs(directoryFd);
        LibC.close(directoryFd);
        if (statResult != 0)
        {
            Degraded(path, $"fanotify cannot identify the filesystem at {path}: changes there are found only by rescans");
            return;
        }
        if (_filesystems.TryGetValue(fs.FsId, out var marked) && (marked.Whole || marked.Device != device))
        {
            if (marked.Device != device)
            {
                // Two filesystems with one fsid (a copied image keeps its UUID): their events cannot be told apart.
                Degraded(path, $"the filesystem at {path} has the same fsid as the one at {marked.Path}, so fanotify cannot tell their changes apart: changes below {path} are found only by rescans; use --source inotify");
            }
            else if (marked.Mount != mount)
            {
                // A filesystem mounted twice (a bind mount): fanotify names each change once, through one mount, best
                // one that shows all of the filesystem; the other is left to rescans.
                if (!marked.ShowsAll && MountOf(mount, table) is { Root: "/" } showsAll)
                {
                    _filesystems[fs.FsId] = marked with { Path = showsAll.MountPoint, Mount = mount, ShowsAll = true };
                    (path, marked) = (marked.Path, _filesystems[fs.FsId]);
                }
                Degraded(path, $"the filesystem at {path} is also mounted at {marked.Path}, and fanotify names its changes by that mount only: changes below {path} are found only by rescans; use --source inotify");
            }
            return;
        }
        int result;
        fixed (byte* p = native)
            result = Fanotify.Mark(fd, Fanotify.MarkAdd | Fanotify.MarkFilesystem, Events, LibC.AtFdCwd, p);
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            var cannot = errno is 18 or 95 or 19 ? " (the filesystem cannot report file handles, or is part of another's; use --source inotify)" : "";
            if (fatal)
                throw new ComplianceException($"cannot mark the filesystem of {path} for fanotify: {LibC.Describe(errno)}{cannot}", FailureKind.Runtime);
            // Pseudo filesystems (proc, sysfs...), FUSE and overlays cannot report file handles; rescans still read them.
            Degraded(path, $"fanotify cannot mark the filesystem mounted at {path} ({LibC.Describe(errno)}){cannot}: changes below it are found only by rescans");
            return;
        }
        _filesystems[fs.FsId] = Registered(path, device, mount, whole: true, table);
    }

    /// <summary>A coverage-degraded gap for a path, once: marking again after a change must not rescan it each time.</summary>
    private void Degraded(string path, string detail)
    {
        if (!_degraded.Add(path))
            return;
        foreach (var scope in RootNamesOf(path) is { Count: > 0 } names ? names : [path])
            Emit(Gap(scope, GapReason.CoverageDegraded, detail));
    }

    private static Mount? MountOf(ulong id, List<Mount> table) => table.Find(mount => (ulong)mount.Id == id);

    /// <summary>
    /// A filesystem found at a path, known by its mount point: a path that stays while the directories below it are
    /// renamed (the path itself when the mount table does not list the mount).
    /// </summary>
    private static MarkedFilesystem Registered(string path, ulong device, ulong mount, bool whole, List<Mount> table)
    {
        var shown = MountOf(mount, table);
        return new MarkedFilesystem(shown?.MountPoint ?? path, device, mount, whole, ShowsAll: shown?.Root is null or "/");
    }

    /// <summary>The device and the mount of an open descriptor's object; zeros when statx cannot say.</summary>
    private static (ulong Device, ulong Mount) WhereIs(int fd)
    {
        Statx stat;
        byte emptyPath = 0;
        if (LibC.statx(fd, &emptyPath, LibC.AtEmptyPath, LibC.StatxBasicStats | LibC.StatxMountId, &stat) != 0)
            return (0, 0);
        return ((ulong)stat.DevMajor << 32 | stat.DevMinor, stat.MountId);
    }

    /// <summary>
    /// Marks a directory on the way to a root for its entries, so that its renaming or deleting one of them is seen
    /// when it lies on another filesystem than the root's (the root a mount point, say); and makes its filesystem's
    /// handles resolvable.
    /// </summary>
    private void MarkWayPoint(int fd, string directory, List<Mount> table)
    {
        var native = NativePath(directory);
        int directoryFd = OpenDirectory(native);
        if (directoryFd < 0)
            return;   // not there (a root waited for): the directory above it is marked instead
        StatFs fs;
        bool known = Fanotify.fstatfs(directoryFd, &fs) == 0;
        var (device, mount) = known ? WhereIs(directoryFd) : (0, 0);
        LibC.close(directoryFd);
        if (!known)
            return;
        if (_filesystems.TryGetValue(fs.FsId, out var marked) && marked.Whole && marked.Device == device)
            return;   // its filesystem's mark covers it
        int result;
        fixed (byte* p = native)
            result = Fanotify.Mark(fd, Fanotify.MarkAdd, WayEvents, LibC.AtFdCwd, p);
        if (result == 0)
            _filesystems.TryAdd(fs.FsId, Registered(directory, device, mount, whole: false, table));
    }

    protected override void Decode(ReadOnlySpan<byte> events)
    {
        var processes = new Dictionary<int, string?>();
        while (events.Length >= sizeof(FanotifyEventMetadata))
        {
            var metadata = MemoryMarshal.Read<FanotifyEventMetadata>(events);
            if (metadata.EventLength < sizeof(FanotifyEventMetadata) || metadata.EventLength > events.Length)
                throw new IOException($"fanotify: malformed event of {metadata.EventLength} bytes");
            if (metadata.Version != Fanotify.MetadataVersion)
                throw new IOException($"fanotify: event metadata version {metadata.Version}, expected {Fanotify.MetadataVersion}");
            var record = events[..(int)metadata.EventLength];
            events = events[(int)metadata.EventLength..];
            if (metadata.Fd >= 0)
                LibC.close(metadata.Fd);

            if ((metadata.Mask & Fanotify.QueueOverflow) != 0)
            {
                _directories.Forget();
                Emit(Gap("", GapReason.Overflow, "the fanotify queue overflowed and the kernel dropped events"));
                continue;
            }
            if ((metadata.Mask & (Fanotify.MovedFrom | Fanotify.Delete)) != 0 && (metadata.Mask & Fanotify.OnDir) != 0)
                _directories.Forget();   // paths below a moved or deleted directory are no longer what the cache says
            _paths.Clear();
            AddPathsOf(record[metadata.MetadataLength..]);
            if (_paths.Count == 0)
                continue;
            if (!processes.TryGetValue(metadata.Pid, out var exe))
                processes[metadata.Pid] = exe = ExecutableOf(metadata.Pid);
            foreach (var path in _paths)
                Emit(new ChangeHint(Name, DateTimeOffset.UtcNow, path, KindOf(metadata.Mask)) { ProcessId = metadata.Pid, ProcessPath = exe });
        }
    }

    private static ChangeKind KindOf(ulong mask) =>
        (mask & Fanotify.Create) != 0 ? ChangeKind.Created
        : (mask & Fanotify.Delete) != 0 ? ChangeKind.Deleted
        : (mask & (Fanotify.MovedFrom | Fanotify.MovedTo)) != 0 ? ChangeKind.Renamed
        : (mask & (Fanotify.Modify | Fanotify.CloseWrite)) != 0 ? ChangeKind.Modified
        : (mask & Fanotify.Attrib) != 0 ? ChangeKind.MetadataChanged
        : ChangeKind.Unknown;

    /// <summary>
    /// Adds to <see cref="_paths"/> the followed path an event's first file-handle record names, under the name of
    /// each root that reaches it. A directory handle that no longer opens belongs to a deleted directory: its own
    /// deletion reaches its parent, whose handle still opens. An entry on the way to roots that changed (a directory
    /// above renamed, a link replaced) has those roots looked up and marked again, and adds the roots themselves.
    /// </summary>
    private void AddPathsOf(ReadOnlySpan<byte> info)
    {
        while (info.Length >= 4)
        {
            byte type = info[0];
            int length = MemoryMarshal.Read<ushort>(info[2..]);
            if (length < 4 || length > info.Length)
                throw new IOException($"fanotify: malformed info record of {length} bytes");
            var body = info[4..length];
            info = info[length..];
            if (type is not (Fanotify.InfoDfidName or Fanotify.InfoDfid or Fanotify.InfoFid))
                continue;

            ulong fsid = MemoryMarshal.Read<ulong>(body);
            var handle = body[8..];
            int handleBytes = (int)MemoryMarshal.Read<uint>(handle);
            var handleWithHeader = handle[..(8 + handleBytes)];
            if (_directories.Find(fsid, handleWithHeader) is not { } directory)
            {
                if (Resolve(fsid, handleWithHeader, out bool tooDeep) is not { } resolved)
                {
                    // Remembered as followed by nothing: its events stop here until the handles are forgotten.
                    if (tooDeep)
                        _directories.Add(fsid, handleWithHeader, "", followed: false, onTheWay: false);
                    return;
                }
                directory = _directories.Add(fsid, handleWithHeader, resolved, RootPaths.IsFollowed(resolved), RootPaths.WayPointDirectories.Contains(resolved));
            }
            var name = handle[(8 + handleBytes)..];
            int end = name.IndexOf((byte)0);
            name = end < 0 ? name : name[..end];
            if (type != Fanotify.InfoDfidName || name.SequenceEqual("."u8))
            {
                if (directory.Followed)
                    RootPaths.AddRootNames(directory.Path, _paths);
                return;
            }
            if (!directory.Followed && !directory.OnTheWay)
                return;
            var path = Join(directory.Path, EntryPath.FromBytes(name));
            RootPaths.AddRootNames(path, _paths);
            if (directory.OnTheWay && RootPaths.RootsLedThrough(path) is { } roots)
                FollowAnew(roots);
            return;
        }
    }

    /// <summary>
    /// The way to some roots changed: every root is looked up again, new filesystems and directories on the way are
    /// marked, and the roots the way led to before and leads to now are rescanned under their own names.
    /// </summary>
    private void FollowAnew(IReadOnlyList<string> roots)
    {
        foreach (var root in roots)
        {
            if (!_paths.Contains(root))
                _paths.Add(root);
        }
        var before = RootPaths.Pairs;
        RootPaths.Refresh();
        MountsChanged([]);
        foreach (var pair in RootPaths.Pairs)
        {
            if (!before.Contains(pair) && !_paths.Contains(pair.Root))
                _paths.Add(pair.Root);
        }
    }

    /// <summary>Handles cached under the old names are forgotten, and what the roots lead to now is marked.</summary>
    protected override void MountsChanged(IReadOnlyList<string> paths)
    {
        // A filesystem mounted again keeps its fsid but needs a new mark; what was degraded may be so again.
        _filesystems.Clear();
        _degraded.Clear();
        _directories.Forget();
        Mark(Descriptor, atStart: false);
    }

    /// <summary>
    /// The current path of the object a file handle names; null when it is gone, or when it lies too deep for the
    /// kernel to name (<paramref name="tooDeep"/>).
    /// </summary>
    private string? Resolve(ulong fsid, ReadOnlySpan<byte> handle, out bool tooDeep)
    {
        tooDeep = false;
        if (!_filesystems.TryGetValue(fsid, out var filesystem))
            return null;
        int mountFd = OpenMountPoint(fsid, filesystem.Path);
        if (mountFd < 0 && MountOf(filesystem.Mount, MountTable.Read()) is { } moved && moved.MountPoint != filesystem.Path)
        {
            // Its mount point moved (a directory above it renamed, or mount --move), which no mount event says.
            _filesystems[fsid] = filesystem with { Path = moved.MountPoint };
            mountFd = OpenMountPoint(fsid, moved.MountPoint);
        }
        if (mountFd < 0)
            return null;   // unmounted: the mount table's change says so, and rescans
        try
        {
            int fd;
            fixed (byte* h = handle)
                fd = Fanotify.open_by_handle_at(mountFd, h, Fanotify.OPath | Fanotify.OCloExec);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is NotifyIo.EStale or LibC.ENoEnt)
                    return null;
                // A directory in the middle of being deleted can fail otherwise (ENOMEM): the event's path is unknown,
                // so its filesystem is rescanned rather than the watch stopped.
                Emit(Gap("", GapReason.Overflow, $"fanotify could not open a directory handle ({LibC.Describe(errno)}): an event's path is unknown"));
                return null;
            }
            try
            {
                var target = RootPaths.ReadLink($"/proc/self/fd/{fd}");
                if (target is null && Marshal.GetLastPInvokeError() == LibC.ENameTooLong)
                {
                    // Nested deeper than a path can be: no scan can list it either (check reports the first directory
                    // too deep as unverified), so the nearest directory above that has a name is rescanned, once.
                    tooDeep = true;
                    if (NamedAncestor(fd) is { } ancestor && RootPaths.IsFollowed(ancestor))
                        Degraded(ancestor, $"directories below {ancestor} are nested deeper than a path can name ({LibC.PathMax} bytes): changes there are found only by rescans, which cannot list them either");
                    return null;
                }
                // d_path marks an unlinked object so, and it has no path any more; but a live directory may be named so
                // too, and only its link count tells the two apart.
                if (target is null || target.EndsWith(" (deleted)", StringComparison.Ordinal) && LinuxFileTree.StatDescriptor(fd, target).LinkCount == 0)
                    return null;
                return target;
            }
            finally
            {
                LibC.close(fd);
            }
        }
        finally
        {
            LibC.close(mountFd);
        }
    }

    /// <summary>The path of the nearest directory above an open one that the kernel can name; null when none opens.</summary>
    private static string? NamedAncestor(int directory)
    {
        int current = directory;
        try
        {
            // Each step up shortens the path by at least two bytes.
            for (int step = 0; step < LibC.PathMax; step++)
            {
                int parent;
                fixed (byte* dots = ".."u8)
                    parent = LibC.openat(current, dots, Fanotify.OPath | LibC.ODirectory | Fanotify.OCloExec, 0);
                if (current != directory)
                    LibC.close(current);
                current = parent;
                if (current < 0)
                    return null;
                if (RootPaths.ReadLink($"/proc/self/fd/{current}") is { } path)
                    return path;
            }
            return null;
        }
        finally
        {
            if (current >= 0 && current != directory)
                LibC.close(current);
        }
    }

    /// <summary>A directory opened for reading (what fstatfs and open_by_handle_at take); -1 when it cannot be.</summary>
    private static int OpenDirectory(byte[] nativePath)
    {
        fixed (byte* p = nativePath)
            return LibC.open(p, LibC.ORdOnly | LibC.ODirectory | LibC.OCloExec, 0);
    }

    /// <summary>A directory opened to resolve handles of a filesystem; -1 when the path does not show that filesystem now.</summary>
    private static int OpenMountPoint(ulong fsid, string path)
    {
        int fd = OpenDirectory(NativePath(path));
        StatFs fs;
        if (fd >= 0 && (Fanotify.fstatfs(fd, &fs) != 0 || fs.FsId != fsid))
        {
            LibC.close(fd);
            return -1;
        }
        return fd;
    }

    private static string? ExecutableOf(int pid) => pid > 0 ? RootPaths.ReadLink($"/proc/{pid}/exe") : null;

    /// <summary>
    /// A filesystem events may come from: where it is mounted, its device and mount, whether all of it is marked (or
    /// only directories on the way to roots), and whether that mount shows all of it (not a bind mount of a part).
    /// </summary>
    private sealed record MarkedFilesystem(string Path, ulong Device, ulong Mount, bool Whole, bool ShowsAll);
}

/// <summary>How the fanotify source sets up its group.</summary>
public sealed class FanotifyOptions
{
    /// <summary>
    /// FAN_UNLIMITED_QUEUE: the kernel never drops events (the reader thread keeps the queue short). Off, the queue
    /// holds /proc/sys/fs/fanotify/max_queued_events and overflows into a gap and a rescan.
    /// </summary>
    public bool UnlimitedQueue { get; init; } = true;

    /// <summary>
    /// Whether a filesystem mounted below a root (its mount point, by a root's name for it) needs following; one
    /// holding nothing selected (/proc under a root of /, say) is neither marked nor reported.
    /// </summary>
    public Func<string, bool> ShouldMark { get; init; } = static _ => true;
}
