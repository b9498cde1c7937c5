using System.Runtime.InteropServices;
using Compliance.Core.Model;
using Compliance.Core.Scanning;
using Compliance.Linux.Native;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Linux;

/// <summary>
/// The live Linux filesystem through statx, readdir and the xattr calls, with names kept as raw bytes so that
/// non-UTF-8 names round-trip. Policy paths are mapped below <see cref="Root"/> ("/" for the running system).
/// </summary>
public sealed unsafe class LinuxFileTree : IFileTree
{
    public LinuxFileTree(string root = "/")
    {
        Root = root == "/" ? "/" : root.TrimEnd('/');
    }

    public string Root { get; }

    public string Description => Root == "/" ? "linux" : $"linux:{Root}";

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// The operating-system path for a policy path. Policy paths are relative to <see cref="Root"/> whether or not
    /// they start with '/', and "" is the root itself (a policy of relative patterns walks from there).
    /// </summary>
    public string ToOsPath(string path) =>
        path.Length == 0 ? Root
        : Root == "/" ? (path.StartsWith('/') ? path : "/" + path)
        : Root + (path.StartsWith('/') ? path : "/" + path);

    /// <summary>The policy path of an operating-system path under <see cref="Root"/>; null for a path outside it.</summary>
    public string? ToTreePath(string osPath) =>
        Root == "/" ? osPath
        : osPath == Root ? "/"
        : osPath.Length > Root.Length && osPath[Root.Length] == '/' && osPath.StartsWith(Root, StringComparison.Ordinal) ? osPath[Root.Length..] : null;

    public FileEntry? Stat(string path) => Stat(path, withDetails: true);

    /// <summary>statx alone: no symlink target and no extended attributes.</summary>
    public FileEntry? StatIdentity(string path) => Stat(path, withDetails: false);

    private FileEntry? Stat(string path, bool withDetails)
    {
        var native = NativePath(path);
        if (native.Length <= LibC.PathMax)
        {
            fixed (byte* p = native)
                return StatAt(LibC.AtFdCwd, p, path, withDetails);
        }

        // Longer than the kernel takes in one call (a tree nested deep enough): looked up by name in its directory,
        // as a walk finds it, so that a change there is examined as a scan examines it.
        int slash = Array.LastIndexOf(native, (byte)'/');
        native[slash] = 0;
        int directory;
        fixed (byte* p = native)
            directory = LibC.open(p, LibC.ORdOnly | LibC.ODirectory | LibC.OCloExec, 0);
        if (directory < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is LibC.ENoEnt or LibC.ENotDir ? null
                : new FileEntry { Path = path, Type = FileType.Unknown, Error = $"stat failed: {LibC.Describe(errno)}" };
        }
        try
        {
            fixed (byte* name = &native[slash + 1])
                return StatAt(directory, name, path, withDetails);
        }
        finally
        {
            LibC.close(directory);
        }
    }

    /// <summary>
    /// Every entry is looked up by name relative to the open directory: a walk then resolves one path component per
    /// system call instead of the whole path twice (statx, listxattr), which was a quarter of an unchanged check.
    /// </summary>
    public IReadOnlyList<FileEntry> ReadDirectory(string path)
    {
        int fd = OpenKeepingAccessTime(NativePath(path), LibC.ORdOnly | LibC.ODirectory | LibC.ONoFollow | LibC.OCloExec, owner: null);
        if (fd < 0)
            throw Failure(Marshal.GetLastPInvokeError(), path);
        nint dir = LibC.fdopendir(fd);
        if (dir == 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.close(fd);
            throw Failure(errno, path);
        }

        try
        {
            var names = new List<byte[]>();
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var dirent = LibC.readdir64(dir);
                if (dirent == null)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                        throw Failure(errno, path);
                    break;
                }
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(dirent->Name);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                    continue;
                names.Add([.. name, 0]);
            }
            return LookUpAll(fd, path, names);
        }
        finally
        {
            LibC.closedir(dir);
        }
    }

    /// <summary>Read permission to list the names, search permission to look each up, as this process's IDs have them.</summary>
    public bool MayList(string path)
    {
        int result;
        fixed (byte* p = NativePath(path))
            result = LibC.faccessat(LibC.AtFdCwd, p, LibC.ROk | LibC.XOk, LibC.AtEAccess);
        return result == 0 || Marshal.GetLastPInvokeError() is not (LibC.EAccess or LibC.EPerm);
    }

    /// <summary>Directories with at least this many entries are looked up by two threads.</summary>
    private const int SharedLookupThreshold = 256;

    /// <summary>Entries a thread claims at a time when two share a directory.</summary>
    private const int SharedLookupChunk = 32;

    /// <summary>
    /// Looks up every name in the open directory; an entry removed since readdir saw it is left out. In a large
    /// directory a thread-pool thread claims chunks of names as well: a walk yields nothing while it reads a
    /// directory, so the scan's other threads idle through a directory of 18,000 manual pages unless the lookups
    /// use the second core. The calling thread never waits for the helper to start, only for a chunk it claimed.
    /// </summary>
    private List<FileEntry> LookUpAll(int directory, string path, List<byte[]> names)
    {
        var found = new FileEntry?[names.Count];
        int next = 0;
        int helping = 0;
        Exception? helperFailure = null;

        void Claim()
        {
            int start;
            while ((start = Interlocked.Add(ref next, SharedLookupChunk) - SharedLookupChunk) < names.Count)
            {
                for (int i = start; i < Math.Min(start + SharedLookupChunk, names.Count); i++)
                {
                    var name = names[i];
                    fixed (byte* z = name)
                        found[i] = StatAt(directory, z, EntryPath.Combine(path, EntryPath.FromBytes(name.AsSpan(0, name.Length - 1))), withDetails: true);
                }
            }
        }

        if (names.Count >= SharedLookupThreshold)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                Interlocked.Increment(ref helping);
                try
                {
                    Claim();
                }
                catch (Exception e)
                {
                    helperFailure = e;
                }
                finally
                {
                    Interlocked.Decrement(ref helping);
                }
            }, null);
        }
        try
        {
            Claim();
        }
        finally
        {
            // Nothing more is claimed from here on, and a chunk the helper claimed is finished before the caller
            // closes the directory; a helper that starts only now finds nothing to claim and never touches it.
            Interlocked.Exchange(ref next, int.MaxValue / 2);
            var wait = new SpinWait();
            while (Volatile.Read(ref helping) != 0)
                wait.SpinOnce();
        }
        if (helperFailure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(helperFailure);

        var entries = new List<FileEntry>(names.Count);
        foreach (var entry in found)
        {
            if (entry is not null)
                entries.Add(entry);
        }
        return entries;
    }

    /// <summary>Metadata of <paramref name="name"/> in directory <paramref name="directory"/> (or AT_FDCWD and a whole path).</summary>
    private FileEntry? StatAt(int directory, byte* name, string path, bool withDetails)
    {
        Statx buffer;
        if (LibC.statx(directory, name, LibC.AtSymlinkNoFollow, LibC.StatxBasicStats | LibC.StatxBirthTime, &buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is LibC.ENoEnt or LibC.ENotDir)
                return null;
            return new FileEntry { Path = path, Type = FileType.Unknown, Error = $"stat failed: {LibC.Describe(errno)}" };
        }

        var entry = ToEntry(path, in buffer);
        if (!withDetails)
            return entry;
        if (entry.Type == FileType.Symlink)
            entry.LinkTarget = ReadLink(directory, name, entry);
        entry.ExtendedAttributes = ReadExtendedAttributes(directory, name, entry);
        return entry;
    }

    private static readonly uint EffectiveUid = LibC.geteuid();

    /// <summary>
    /// Opens a path so that reading it leaves its access time as it was: a scan leaves no trace on what it examines,
    /// and dirties no inode (relatime would write one per file and directory a day). Only the owner or a process with
    /// CAP_FOWNER may ask for that; root without it gets EPERM and opens as anyone else does. -1 and errno on failure.
    /// </summary>
    private static int OpenKeepingAccessTime(byte[] nativePath, int flags, long? owner)
    {
        bool mayKeepAccessTime = EffectiveUid == 0 || owner == EffectiveUid;
        fixed (byte* p = nativePath)
        {
            int fd = LibC.open(p, mayKeepAccessTime ? flags | LibC.ONoAtime : flags, 0);
            if (fd < 0 && mayKeepAccessTime && Marshal.GetLastPInvokeError() == LibC.EPerm)
                fd = LibC.open(p, flags, 0);
            return fd;
        }
    }

    /// <summary>
    /// Opens a file for reading by the exact bytes of its name, which .NET cannot do for names that are not UTF-8
    /// (`compliance hash` names files so).
    /// </summary>
    public static SafeFileHandle OpenForReading(string path)
    {
        byte[] nativePath = [.. EntryPath.ToBytes(path), 0];
        fixed (byte* p = nativePath)
        {
            int fd = LibC.open(p, LibC.ORdOnly | LibC.ONoCtty | LibC.OCloExec, 0);
            return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Failure(Marshal.GetLastPInvokeError(), path);
        }
    }

    public Stream OpenContent(string path, FileEntry expected)
    {
        if (expected.Type != FileType.File)
            throw new IOException($"{EntryPath.ToDisplay(path)} is not a regular file.");

        int fd = OpenKeepingAccessTime(NativePath(path), LibC.ORdOnly | LibC.ONoFollow | LibC.ONonBlock | LibC.ONoCtty | LibC.OCloExec, expected.Uid);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // O_NOFOLLOW fails with ELOOP when a symlink took the file's place.
            throw errno == LibC.ELoop ? new FileReplacedException($"{EntryPath.ToDisplay(path)} was replaced by a symlink.") : Failure(errno, path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // The path may have been replaced between stat and open; hash only the object that was stat'ed.
            var opened = StatDescriptor(fd, path);
            if ((opened.Mode & 0xF000) != 0x8000 || opened.Inode != expected.Inode
                || LibC.MakeDevice(opened.DevMajor, opened.DevMinor) != expected.Device)
                throw new FileReplacedException($"{EntryPath.ToDisplay(path)} was replaced while being opened.");
            return new OpenedFileStream(handle, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>statx of an open descriptor (the object itself, whatever its path names now).</summary>
    internal static Statx StatDescriptor(int fd, string path)
    {
        Statx result;
        byte emptyPath = 0;
        if (LibC.statx(fd, &emptyPath, LibC.AtEmptyPath, LibC.StatxBasicStats, &result) != 0)
            throw Failure(Marshal.GetLastPInvokeError(), path);
        return result;
    }

    internal static FileEntry ToEntry(string path, in Statx s) => new()
    {
        Path = path,
        Type = (s.Mode & 0xF000) switch
        {
            0x8000 => FileType.File,
            0x4000 => FileType.Directory,
            0xA000 => FileType.Symlink,
            0x1000 => FileType.Fifo,
            0xC000 => FileType.Socket,
            0x2000 => FileType.CharDevice,
            0x6000 => FileType.BlockDevice,
            _ => FileType.Unknown,
        },
        Size = (long)s.Size,
        Mode = (uint)(s.Mode & 0xFFF),
        Uid = s.Uid,
        Gid = s.Gid,
        MtimeNs = s.ModifyTime.ToUnixNs(),
        CtimeNs = s.ChangeTime.ToUnixNs(),
        BirthTimeNs = (s.Mask & LibC.StatxBirthTime) != 0 ? s.BirthTime.ToUnixNs() : null,
        Inode = s.Inode,
        Device = LibC.MakeDevice(s.DevMajor, s.DevMinor),
        LinkCount = s.LinkCount,
        SpecialDevice = (s.Mode & 0xF000) is 0x2000 or 0x6000 ? LibC.MakeDevice(s.RdevMajor, s.RdevMinor) : null,
        // statx reports the attribute bits whatever the mask asked for; the other bits describe mounts, not the inode.
        Flags = ((InodeFlags)(s.Attributes & s.AttributesMask) & InodeFlagNames.Known) is var flags and not InodeFlags.None ? flags : null,
    };

    private static string? ReadLink(int directory, byte* name, FileEntry entry)
    {
        int size = (int)Math.Clamp(entry.Size + 1, 64, 1 << 16);
        var buffer = new byte[size];
        nint length;
        fixed (byte* b = buffer)
            length = LibC.readlinkat(directory, name, b, buffer.Length);
        if (length < 0)
        {
            entry.Error = $"readlink failed: {LibC.Describe(Marshal.GetLastPInvokeError())}";
            return null;
        }
        return EntryPath.FromBytes(buffer.AsSpan(0, (int)length));
    }

    /// <summary>
    /// Whether listxattrat(2) (Linux 6.13) may be used; cleared the first time the kernel says it lacks it, after
    /// which names are listed by whole path. Tests clear it to cover older kernels.
    /// </summary>
    internal static bool UseListXattrAt { get; set; } = true;

    private SortedDictionary<string, byte[]>? ReadExtendedAttributes(int directory, byte* name, FileEntry entry)
    {
        Span<byte> small = stackalloc byte[512];
        byte[] names;
        nint length;
        fixed (byte* b = small)
            length = ListExtendedAttributes(directory, name, entry.Path, b, small.Length);
        if (length < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.ERange)
            {
                length = ListExtendedAttributes(directory, name, entry.Path, null, 0);
                names = new byte[Math.Max(0, (int)length)];
                fixed (byte* b = names)
                    length = ListExtendedAttributes(directory, name, entry.Path, b, names.Length);
            }
            else
            {
                if (errno is not (LibC.ENotSup or LibC.ENoEnt))
                    entry.Error ??= $"cannot list extended attributes: {LibC.Describe(errno)}";
                return null;
            }
            if (length < 0)
                return null;
        }
        else
        {
            names = small[..(int)length].ToArray();
        }

        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var remaining = names.AsSpan(0, (int)length);
        if (remaining.IsEmpty)
            return result;
        // Values are read by path: few files have any, and glibc has no getxattrat.
        fixed (byte* path = ValuePath(directory, name, entry.Path))
        {
            while (!remaining.IsEmpty)
            {
                int end = remaining.IndexOf((byte)0);
                var attribute = end < 0 ? remaining : remaining[..end];
                remaining = end < 0 ? [] : remaining[(end + 1)..];
                if (attribute.IsEmpty)
                    continue;
                var value = ReadExtendedAttribute(path, attribute, out int errno);
                if (value is not null)
                    result[EntryPath.FromBytes(attribute)] = value;
                else if (errno != LibC.ENoData) // ENODATA: removed since it was listed
                    entry.Error ??= $"cannot read extended attribute {EntryPath.FromBytes(attribute)}: {LibC.Describe(errno)}";
            }
        }
        return result;
    }

    /// <summary>
    /// The path to read an entry's attribute values by: the whole path, or, longer than the kernel takes in one call,
    /// the name below the open directory as /proc shows it (a deep tree's ACL or capability is no less drift).
    /// </summary>
    private byte[] ValuePath(int directory, byte* name, string path)
    {
        var whole = NativePath(path);
        if (whole.Length <= LibC.PathMax || directory == LibC.AtFdCwd)
            return whole;
        return [.. System.Text.Encoding.ASCII.GetBytes($"/proc/self/fd/{directory}/"), .. MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name), 0];
    }

    /// <summary>llistxattr of name in directory, by listxattrat where the kernel has it.</summary>
    private nint ListExtendedAttributes(int directory, byte* name, string path, byte* list, nint size)
    {
        if (UseListXattrAt)
        {
            nint length = LibC.listxattrat(directory, name, LibC.AtSymlinkNoFollow, list, size);
            if (length >= 0 || Marshal.GetLastPInvokeError() != LibC.ENoSys)
                return length;
            UseListXattrAt = false;
        }
        fixed (byte* p = ValuePath(directory, name, path))
            return LibC.llistxattr(p, list, size);
    }

    /// <summary>The attribute's value, or null and the errno (ERANGE: it kept growing while read).</summary>
    private static byte[]? ReadExtendedAttribute(byte* path, ReadOnlySpan<byte> name, out int errno)
    {
        Span<byte> nameZ = stackalloc byte[name.Length + 1];
        name.CopyTo(nameZ);
        nameZ[^1] = 0;
        errno = LibC.ERange;
        fixed (byte* n = nameZ)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                nint size = LibC.lgetxattr(path, n, null, 0);
                if (size < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    return null;
                }
                var value = new byte[size];
                fixed (byte* v = value)
                {
                    nint read = LibC.lgetxattr(path, n, v, value.Length);
                    if (read >= 0)
                        return read == value.Length ? value : value[..(int)read];
                    errno = Marshal.GetLastPInvokeError();
                    if (errno != LibC.ERange)
                        return null;
                }
            }
        }
        return null;
    }

    private static Exception Failure(int errno, string path) => errno switch
    {
        LibC.ENoEnt or LibC.ENotDir => new DirectoryNotFoundException($"{EntryPath.ToDisplay(path)}: {LibC.Describe(errno)}"),
        LibC.EAccess or LibC.EPerm => new UnauthorizedAccessException($"{EntryPath.ToDisplay(path)}: {LibC.Describe(errno)}"),
        _ => new IOException($"{EntryPath.ToDisplay(path)}: {LibC.Describe(errno)}", errno),
    };

    /// <summary>The NUL-terminated raw bytes of the operating-system path for a policy path.</summary>
    private byte[] NativePath(string path)
    {
        var os = ToOsPath(path);
        if (EntryPath.HasEscapedBytes(os))
            return [.. EntryPath.ToBytes(os), 0];
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(os) + 1];
        System.Text.Encoding.UTF8.GetBytes(os, bytes);
        return bytes;
    }
}
