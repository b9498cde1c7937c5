using System.Runtime.InteropServices;

namespace Compliance.Linux.Native;

/// <summary>fanotify(7) in the mode the watch uses: directory file handles and names, no file descriptors.</summary>
internal static unsafe partial class Fanotify
{
    // fanotify_init flags
    public const uint CloExec = 0x1;
    public const uint NonBlock = 0x2;
    public const uint ClassNotif = 0x0;
    public const uint UnlimitedQueue = 0x10;
    public const uint ReportDirFid = 0x400;
    public const uint ReportName = 0x800;
    public const uint ReportDfidName = ReportDirFid | ReportName;

    // fanotify_mark flags
    public const uint MarkAdd = 0x1;
    public const uint MarkFilesystem = 0x100;

    // event mask bits
    public const ulong Modify = 0x2;
    public const ulong Attrib = 0x4;
    public const ulong CloseWrite = 0x8;
    public const ulong MovedFrom = 0x40;
    public const ulong MovedTo = 0x80;
    public const ulong Create = 0x100;
    public const ulong Delete = 0x200;
    public const ulong QueueOverflow = 0x4000;
    public const ulong OnDir = 0x40000000;

    // info record types
    public const byte InfoFid = 1;
    public const byte InfoDfidName = 2;
    public const byte InfoDfid = 3;

    public const int MetadataVersion = 3;
    public const int ORdOnly = 0;
    public const int OLargeFile = 0x8000;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;

    [LibraryImport("libc", EntryPoint = "fanotify_init", SetLastError = true)]
    public static partial int Init(uint flags, uint eventFlags);

    [LibraryImport("libc", EntryPoint = "fanotify_mark", SetLastError = true)]
    public static partial int Mark(int fd, uint flags, ulong mask, int dirfd, byte* path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open_by_handle_at(int mountFd, byte* handle, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fstatfs(int fd, StatFs* buffer);
}

/// <summary>struct fanotify_event_metadata.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FanotifyEventMetadata
{
    public uint EventLength;
    public byte Version;
    private byte _reserved;
    public ushort MetadataLength;
    public ulong Mask;
    public int Fd;
    public int Pid;
}

/// <summary>struct statfs on 64-bit Linux; only f_fsid is read, which identifies the filesystem in fanotify records.</summary>
[StructLayout(LayoutKind.Sequential, Size = 120)]
internal struct StatFs
{
    public long Type;
    public long BlockSize;
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public ulong FsId;
}
