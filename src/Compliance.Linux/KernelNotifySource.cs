using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Linux.Native;

namespace Compliance.Linux;

/// <summary>
/// What fanotify and inotify sources share: a notification descriptor read on a thread of its own (so the kernel
/// queue is drained while the consumer is busy, e.g. rescanning after a gap), signals handed over through an
/// unbounded channel, and a first-start gap once the marks or watches are in place.
/// </summary>
public abstract unsafe class KernelNotifySource : IChangeSource
{
    private const int BufferSize = 256 * 1024;

    /// <summary>
    /// After a read that did not fill a quarter of the buffer, the reader waits this long before the next: events
    /// then arrive by the hundred instead of one wake-up each, and fanotify merges a file's create, modify and
    /// close into one event while it is still queued. It delays a change's finding by at most this much.
    /// </summary>
    private const int GatherMs = 1;

    /// <summary>Reads of what the kernel still holds when stopping, at most (each up to <see cref="BufferSize"/>).</summary>
    private const int MaxReadsAtStop = 64;

    private readonly Channel<ChangeSignal> _signals = Channel.CreateUnbounded<ChangeSignal>(new UnboundedChannelOptions { SingleWriter = true });
    private int _fd = -1;
    private int _wakeFd = -1;
    private Thread? _reader;
    private volatile bool _stopping;

    public abstract string Name { get; }

    /// <summary>The roots being followed, as given to <see cref="ReadAsync"/>.</summary>
    protected IReadOnlyList<string> Roots { get; private set; } = [];

    public async IAsyncEnumerable<ChangeSignal> ReadAsync(IReadOnlyList<string> roots, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_reader is not null)
            throw new InvalidOperationException($"{Name} source is already being read.");
        Roots = roots.Select(r => r.Length > 1 ? r.TrimEnd('/') : r).ToArray();
        _fd = Open();
        _wakeFd = NotifyIo.eventfd(0, NotifyIo.EfdCloExec);
        if (_wakeFd < 0)
            throw new IOException($"eventfd: {LibC.Describe(Marshal.GetLastPInvokeError())}");
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"{Name} reader" };
        _reader.Start();
        await using var stop = cancellationToken.Register(Stop);

        yield return Gap("", GapReason.FirstStart, $"{Name} is watching now: changes made while it was not are found by this rescan");
        // Cancelling stops the reader, which first reads what the kernel still holds; all of it is yielded.
        await foreach (var signal in _signals.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            yield return signal;
    }

    /// <summary>Creates the notification descriptor and sets the marks or watches for <see cref="Roots"/>.</summary>
    protected abstract int Open();

    /// <summary>Decodes one read's worth of events into <see cref="Emit"/>.</summary>
    protected abstract void Decode(ReadOnlySpan<byte> events);

    /// <summary>Milliseconds to wait for more events before <see cref="Idle"/>; -1 when nothing is held back.</summary>
    protected virtual int IdleTimeoutMs => -1;

    /// <summary>No more events came within <see cref="IdleTimeoutMs"/>: release whatever was held back.</summary>
    protected virtual void Idle()
    {
    }

    protected int Descriptor => _fd;

    protected void Emit(ChangeSignal signal) => _signals.Writer.TryWrite(signal);

    protected GapSignal Gap(string scope, GapReason reason, string detail) => new(Name, DateTimeOffset.UtcNow, scope, reason, detail);

    /// <summary>True when <paramref name="path"/> is one of the roots or lies below one.</summary>
    protected bool IsFollowed(string path)
    {
        foreach (var root in Roots)
        {
            if (PathPattern.IsSameOrBelow(path, root))
                return true;
        }
        return false;
    }

    protected static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    /// <summary>A path as the NUL-terminated bytes a system call takes.</summary>
    protected static byte[] NativePath(string path)
    {
        var raw = EntryPath.ToBytes(path);
        var bytes = new byte[raw.Length + 1];
        raw.CopyTo(bytes, 0);
        return bytes;
    }

    private void ReadLoop()
    {
        var buffer = new byte[BufferSize];
        var fds = stackalloc PollFd[2];
        try
        {
            while (!_stopping)
            {
                fds[0] = new PollFd { Fd = _fd, Events = NotifyIo.PollIn };
                fds[1] = new PollFd { Fd = _wakeFd, Events = NotifyIo.PollIn };
                int timeout = IdleTimeoutMs;
                int ready = NotifyIo.poll(fds, 2, timeout);
                if (ready < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EIntr)
                        continue;
                    throw new IOException($"{Name}: poll: {LibC.Describe(errno)}");
                }
                if (ready == 0)
                {
                    Idle();
                    continue;
                }
                if ((fds[1].Returned & NotifyIo.PollIn) != 0)
                    break;
                if (ReadOnce(buffer) is int length && length < BufferSize / 4)
                    Thread.Sleep(GatherMs);
            }
            DrainAtStop(buffer, fds);
            _signals.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _signals.Writer.TryComplete(e);
        }
    }

    /// <summary>Reads and decodes one buffer of events; null when there was nothing to read.</summary>
    private int? ReadOnce(byte[] buffer)
    {
        nint length;
        fixed (byte* b = buffer)
            length = NotifyIo.read(_fd, b, buffer.Length);
        if (length < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is LibC.EIntr or NotifyIo.EAgain)
                return null;
            throw new IOException($"{Name}: read: {LibC.Describe(errno)}");
        }
        Decode(buffer.AsSpan(0, (int)length));
        return (int)length;
    }

    /// <summary>
    /// Stopping reads what the kernel queued before it (changes made up to the stop request must reach the store)
    /// and releases whatever is held back. Bounded, so that writers that never pause cannot keep it from ending.
    /// </summary>
    private void DrainAtStop(byte[] buffer, PollFd* fds)
    {
        for (int reads = 0; reads < MaxReadsAtStop; reads++)
        {
            fds[0] = new PollFd { Fd = _fd, Events = NotifyIo.PollIn };
            int ready = NotifyIo.poll(fds, 1, 0);
            if (ready < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr)
                continue;
            if (ready <= 0 || ReadOnce(buffer) is null)
                break;
        }
        Idle();
    }

    private void Stop()
    {
        _stopping = true;
        if (_wakeFd < 0)
            return;
        ulong one = 1;
        NotifyIo.write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _reader?.Join();
        Close();
        if (_fd >= 0)
            LibC.close(_fd);
        if (_wakeFd >= 0)
            LibC.close(_wakeFd);
        _fd = _wakeFd = -1;
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases what <see cref="Open"/> acquired besides the descriptor.</summary>
    protected virtual void Close()
    {
    }
}
