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

    private readonly FanotifyOptions _options = options ?? new FanotifyOptions();
    private readonly Dictionary<ulong, int> _mountFds = [];
    private readonly DirectoryHandles _directories = new();

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

    protected override int Open()
    {
        uint flags = Fanotify.ClassNotif | Fanotify.CloExec | Fanotify.ReportDfidName | (_options.UnlimitedQueue ? Fanotify.UnlimitedQueue : 0);
        int fd = Fanotify.Init(flags, Fanotify.ORdOnly | Fanotify.OLargeFile | Fanotify.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new ComplianceException(errno switch
            {
                LibC.EPerm => "fanotify needs CAP_SYS_ADMIN (run as root), or use --source inotify",
                22 => "this kernel has no fanotify FAN_REPORT_DFID_NAME (Linux 5.9 or newer is needed); use --source inotify",
                _ => $"fanotify_init: {LibC.Describe(errno)}",
            }, FailureKind.Runtime);
        }
        try
        {
            foreach (var root in Roots)
                MarkFilesystemOf(fd, root, isRoot: true);
            // A filesystem mark stops at mount points; scans do not, so filesystems mounted below a root get theirs.
            foreach (var mountPoint in MountPointsBelowRoots())
                MarkFilesystemOf(fd, mountPoint, isRoot: false);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
        return fd;
    }

    private IEnumerable<string> MountPointsBelowRoots() =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4])
            .Select(UnescapeMountPoint)
            .Where(mountPoint => IsFollowed(mountPoint) && !Roots.Contains(mountPoint))
            .Distinct(StringComparer.Ordinal);

    /// <summary>mountinfo writes space, tab, newline and backslash in mount points as three-digit octal escapes.</summary>
    private static string UnescapeMountPoint(string escaped) =>
        System.Text.RegularExpressions.Regex.Replace(escaped, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    private void MarkFilesystemOf(int fd, string root, bool isRoot)
    {
        var path = NativePath(root);
        int mountFd;
        fixed (byte* p = path)
            mountFd = LibC.open(p, LibC.ORdOnly | LibC.ODirectory | LibC.OCloExec, 0);
        if (mountFd < 0)
            throw new ComplianceException($"cannot watch {root}: {LibC.Describe(Marshal.GetLastPInvokeError())}", FailureKind.Runtime);
        StatFs fs;
        if (Fanotify.fstatfs(mountFd, &fs) != 0 || _mountFds.ContainsKey(fs.FsId))
        {
            LibC.close(mountFd);
            return;
        }
        int result;
        fixed (byte* p = path)
            result = Fanotify.Mark(fd, Fanotify.MarkAdd | Fanotify.MarkFilesystem, Events, LibC.AtFdCwd, p);
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.close(mountFd);
            if (!isRoot)
            {
                // Pseudo filesystems (proc, sysfs...) cannot report file handles; what a scan reads there is still rescanned.
                Emit(Gap(root, GapReason.CoverageDegraded, $"fanotify cannot mark the filesystem mounted at {root} ({LibC.Describe(errno)}): changes below it are found only by rescans"));
                return;
            }
            throw new ComplianceException($"cannot mark the filesystem of {root} for fanotify: {LibC.Describe(errno)}"
                + (errno is 18 or 95 ? " (the filesystem cannot report file handles; use --source inotify)" : ""), FailureKind.Runtime);
        }
        _mountFds[fs.FsId] = mountFd;
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
            if (PathOf(record[metadata.MetadataLength..]) is not { } path)
                continue;
            if (!processes.TryGetValue(metadata.Pid, out var exe))
                processes[metadata.Pid] = exe = ExecutableOf(metadata.Pid);
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
    /// The path an event's first file-handle record names, when it is followed. A directory handle that no longer
    /// opens belongs to a deleted directory: its own deletion reaches its parent, whose handle still opens.
    /// </summary>
    private string? PathOf(ReadOnlySpan<byte> info)
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
                if (Resolve(fsid, handleWithHeader) is not { } resolved)
                    return null;
                directory = _directories.Add(fsid, handleWithHeader, resolved, IsFollowed(resolved), IsAboveARoot(resolved));
            }
            if (type != Fanotify.InfoDfidName)
                return directory.Followed ? directory.Path : null;

            var name = handle[(8 + handleBytes)..];
            int end = name.IndexOf((byte)0);
            name = end < 0 ? name : name[..end];
            if (name.SequenceEqual("."u8))
                return directory.Followed ? directory.Path : null;
            if (!directory.Followed && !directory.AboveARoot)
                return null;
            var path = Join(directory.Path, EntryPath.FromBytes(name));
            // A directory above a root, renamed or deleted, takes the root with it: its path is passed on, and the
            // follower rescans what the policy holds below it.
            return directory.Followed || IsFollowed(path) || IsAboveARoot(path) ? path : null;
        }
        return null;
    }

    private bool IsAboveARoot(string directory) => Roots.Any(root => Core.Policies.PathPattern.IsSameOrBelow(root, directory));

    /// <summary>The current path of the object a file handle names; null when it is gone.</summary>
    private string? Resolve(ulong fsid, ReadOnlySpan<byte> handle)
    {
        if (!_mountFds.TryGetValue(fsid, out int mountFd))
            return null;
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
            var target = ReadLink($"/proc/self/fd/{fd}");
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

    private static string? ExecutableOf(int pid) => pid > 0 ? ReadLink($"/proc/{pid}/exe") : null;

    private static string? ReadLink(string link)
    {
        var path = Encoding.ASCII.GetBytes(link + "\0");
        var target = stackalloc byte[4096];
        nint length;
        fixed (byte* p = path)
            length = LibC.readlink(p, target, 4096);
        return length < 0 ? null : EntryPath.FromBytes(new ReadOnlySpan<byte>(target, (int)length));
    }

    protected override void Close()
    {
        foreach (var fd in _mountFds.Values)
            LibC.close(fd);
        _mountFds.Clear();
    }
}

/// <summary>How the fanotify source sets up its group.</summary>
public sealed class FanotifyOptions
{
    /// <summary>
    /// FAN_UNLIMITED_QUEUE: the kernel never drops events (the reader thread keeps the queue short). Off, the queue
    /// holds /proc/sys/fs/fanotify/max_queued_events and overflows into a gap and a rescan.
    /// </summary>
    public bool UnlimitedQueue { get; init; } = true;
}
