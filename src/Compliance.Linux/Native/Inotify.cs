using System.Runtime.InteropServices;

namespace Compliance.Linux.Native;

/// <summary>inotify(7): per-directory watches, the unprivileged fallback.</summary>
internal static unsafe partial class Inotify
{
    public const int NonBlock = 0x800;
    public const int CloExec = 0x80000;

    public const uint Modify = 0x2;
    public const uint Attrib = 0x4;
    public const uint CloseWrite = 0x8;
    public const uint MovedFrom = 0x40;
    public const uint MovedTo = 0x80;
    public const uint Create = 0x100;
    public const uint Delete = 0x200;
    public const uint DeleteSelf = 0x400;
    public const uint MoveSelf = 0x800;
    public const uint Unmount = 0x2000;
    public const uint QueueOverflow = 0x4000;
    public const uint Ignored = 0x8000;
    public const uint OnlyDir = 0x1000000;
    public const uint MaskAdd = 0x20000000;
    public const uint DontFollow = 0x2000000;
    public const uint ExclUnlink = 0x4000000;
    public const uint IsDir = 0x40000000;

    public const int EventHeaderSize = 16;

    /// <summary>NAME_MAX: the longest name an event carries, without its terminating NUL.</summary>
    public const int NameMax = 255;

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int Init(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
    public static partial int AddWatch(int fd, byte* path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int RemoveWatch(int fd, int wd);
}
