using System.Runtime.InteropServices;

namespace Compliance.Linux.Native;

/// <summary>The calls a notification reader needs: read, poll and an eventfd to wake it.</summary>
internal static unsafe partial class NotifyIo
{
    public const short PollIn = 0x1;
    public const short PollPri = 0x2;
    public const short PollErr = 0x8;
    public const int EfdCloExec = 0x80000;
    public const int EAgain = 11;
    public const int ENoSpc = 28;
    public const int EStale = 116;

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);
}

[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Returned;
}
