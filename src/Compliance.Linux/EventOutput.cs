using System.Runtime.InteropServices;
using Compliance.Core.Model;
using Compliance.Linux.Native;

namespace Compliance.Linux;

/// <summary>
/// Where `watch --events` lines go: a file opened for appending, or standard output. The file is opened with
/// O_APPEND, so that each write lands at its end whoever else appends (a second watch) or truncates it (logrotate's
/// copytruncate); <see cref="Reopen"/> follows a file that was moved away, and so does every write that finds another
/// file at the path, or none: lines written to a file moved away are read by no one, and one moved within what the
/// watch follows turns each line into a change, which is another line. A write that fails partway is taken back, so
/// the file holds whole lines only; a reader gone from the pipe is an error, not silence.
/// </summary>
public sealed unsafe class EventOutput : Stream
{
    private readonly string? _path;
    private static readonly LinuxFileTree Paths = new();
    private readonly Lock _lock = new();
    private int _fd;

    private EventOutput(string? path, int fd, string name)
    {
        _path = path;
        _fd = fd;
        Name = name;
    }

    /// <summary>The file at <paramref name="path"/>, made if absent (mode 0644 before the umask).</summary>
    public static EventOutput OpenFile(string path) => new(path, OpenAppending(path), path);

    /// <summary>Standard output, left open when this is disposed.</summary>
    public static EventOutput StandardOutput() => ForDescriptor(1, "standard output");

    /// <summary>An open descriptor that is not a file to reopen (a pipe, a terminal), left open when this is disposed.</summary>
    internal static EventOutput ForDescriptor(int fd, string name) => new(null, fd, name);

    /// <summary>What the lines are written to, for messages.</summary>
    public string Name { get; }

    /// <summary>Opens the file's path again, so that lines go to the file there now (after `mv` by a log rotation).</summary>
    public void Reopen()
    {
        if (_path is null)
            return;
        int fd = OpenAppending(_path);
        lock (_lock)
        {
            LibC.close(_fd);
            _fd = fd;
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_lock)
        {
            long before = -1;
            if (_path is not null)
            {
                var open = LinuxFileTree.ToEntry(_path, LinuxFileTree.StatDescriptor(_fd, _path));
                if (!IsAtPath(open))
                {
                    try
                    {
                        int fd = OpenAppending(_path);
                        LibC.close(_fd);
                        _fd = fd;
                        open = LinuxFileTree.ToEntry(_path, LinuxFileTree.StatDescriptor(_fd, _path));
                    }
                    catch (IOException)
                    {
                        // Nowhere to make it again (its directory went too): the file still open is better than no lines.
                    }
                }
                before = open.Size;
            }
            int written = 0;
            while (written < buffer.Length)
            {
                nint count;
                fixed (byte* p = &buffer[written])
                    count = NotifyIo.write(_fd, p, buffer.Length - written);
                if (count >= 0)
                {
                    written += (int)count;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EIntr)
                    continue;
                // A disk that filled up mid-line: what was appended is cut off again, unless another writer appended meanwhile.
                if (written > 0 && before >= 0 && (long)LinuxFileTree.StatDescriptor(_fd, _path!).Size == before + written)
                    LibC.ftruncate(_fd, before);
                throw new IOException(errno == LibC.EPipe
                    ? $"cannot write events to {Name}: its reader has gone (broken pipe); the changes are stored"
                    : $"cannot write events to {Name}: {LibC.Describe(errno)}; the changes are stored");
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Whether the path still names the file open for writing, as <paramref name="open"/> describes it.</summary>
    private bool IsAtPath(FileEntry open)
    {
        try
        {
            return Paths.StatIdentity(_path!) is { } there && there.Inode == open.Inode && there.Device == open.Device;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;   // not to be looked up now (a directory closed for a moment): the file open is kept
        }
    }

    public override void Flush()
    {
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_path is not null && _fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
        base.Dispose(disposing);
    }

    private static int OpenAppending(string path)
    {
        var native = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = native)
            fd = LibC.open(p, LibC.OWrOnly | LibC.OAppend | LibC.OCreat | LibC.OCloExec, 0x1a4);
        return fd >= 0 ? fd : throw new IOException($"cannot open the events file {path}: {LibC.Describe(Marshal.GetLastPInvokeError())}");
    }
}
