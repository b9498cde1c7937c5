using System.Runtime.InteropServices;

namespace Compliance.Linux.Native;

/// <summary>The few libc calls the Linux layer needs; paths are passed as NUL-terminated raw bytes.</summary>
internal static unsafe partial class LibC
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;
    public const int AtEAccess = 0x200;
    public const int ROk = 4;
    public const int XOk = 1;
    public const uint StatxBasicStats = 0x7ff;
    public const uint StatxBirthTime = 0x800;
    public const uint StatxMountId = 0x1000;

    public const int ORdOnly = 0;
    public const int ONoCtty = 0x100;
    public const int ONonBlock = 0x800;
    public const int ODirectory = 0x10000;
    public const int ONoFollow = 0x20000;
    public const int ONoAtime = 0x40000;
    public const int OCloExec = 0x80000;
    public const int OWrOnly = 0x1;
    public const int OCreat = 0x40;
    public const int OAppend = 0x400;

    /// <summary>PATH_MAX with its NUL: the longest path the kernel takes in one call, or gives back (d_path).</summary>
    public const int PathMax = 4096;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EAccess = 13;
    public const int ENotDir = 20;
    public const int EPipe = 32;
    public const int ERange = 34;
    public const int ENameTooLong = 36;
    public const int ELoop = 40;
    public const int ENoData = 61;
    public const int ENotSup = 95;
    public const int ENoSys = 38;

    /// <summary>listxattrat(2), Linux 6.13 and later; glibc has no wrapper yet.</summary>
    private const long SysListXattrAt = 465;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int faccessat(int dirfd, byte* path, int mode, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint pread(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint opendir(byte* path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint fdopendir(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial Dirent64* readdir64(nint dir);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int closedir(nint dir);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint readlink(byte* path, byte* buffer, nint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint readlinkat(int dirfd, byte* path, byte* buffer, nint size);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint syscall(long number, int dirfd, byte* path, int flags, byte* list, nint size);

    /// <summary>The names of a path's extended attributes, the path taken relative to a directory like statx's.</summary>
    public static nint listxattrat(int dirfd, byte* path, int flags, byte* list, nint size) =>
        syscall(SysListXattrAt, dirfd, path, flags, list, size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint llistxattr(byte* path, byte* list, nint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint lgetxattr(byte* path, byte* name, byte* value, nint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int lchown(byte* path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static string Describe(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    /// <summary>glibc's makedev: the st_dev value stat(2) would return for a major/minor pair.</summary>
    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}

[StructLayout(LayoutKind.Sequential)]
internal struct StatxTimestamp
{
    public long Seconds;
    public uint Nanoseconds;
    private int _reserved;

    public readonly long ToUnixNs() => Seconds * 1_000_000_000L + Nanoseconds;
}

/// <summary>struct statx: the same layout on every Linux architecture, which is why it is used instead of stat.</summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
internal struct Statx
{
    public uint Mask;
    public uint BlockSize;
    public ulong Attributes;
    public uint LinkCount;
    public uint Uid;
    public uint Gid;
    public ushort Mode;
    private ushort _spare0;
    public ulong Inode;
    public ulong Size;
    public ulong Blocks;
    public ulong AttributesMask;
    public StatxTimestamp AccessTime;
    public StatxTimestamp BirthTime;
    public StatxTimestamp ChangeTime;
    public StatxTimestamp ModifyTime;
    public uint RdevMajor;
    public uint RdevMinor;
    public uint DevMajor;
    public uint DevMinor;
    public ulong MountId;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Dirent64
{
    public ulong Inode;
    public long Offset;
    public ushort RecordLength;
    public byte Type;
    public fixed byte Name[256];
}
