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
/// unbounded channel, a first-start gap once the marks or watches are in place, and the mount table watched: a
/// filesystem mounted or unmounted at, below or above a root raises no event in the filesystems being followed.
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
    private int _mountTableFd = -1;
    private HashSet<(int Id, string MountPoint)> _mounts = [];
    private Thread? _reader;
    private volatile bool _stopping;

    public abstract string Name { get; }

    /// <summary>The roots being followed, as given to <see cref="ReadAsync"/>.</summary>
    protected IReadOnlyList<string> Roots { get; private set; } = [];

    /// <summary>The roots by the kernel's names for them (no symbolic links), and the way to each.</summary>
    private protected RootPaths RootPaths { get; private set; } = new([]);

    public async IAsyncEnumerable<ChangeSignal> ReadAsync(IReadOnlyList<string> roots, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_reader is not null)
            throw new InvalidOperationException($"{Name} source is already being read.");
        UseRoots(roots);
        // Opened before the table is read: a change from then on makes it readable (POLLPRI) once.
        _mountTableFd = OpenMountTable();
        _mounts = MountsOnTheWay(MountTable.Read());
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

    private protected void UseRoots(IReadOnlyList<string> roots)
    {
        Roots = roots.Select(r => r.Length > 1 ? r.TrimEnd('/') : r).ToArray();
        RootPaths = new RootPaths(Roots);
    }

    /// <summary>Creates the notification descriptor and sets the marks or watches for <see cref="Roots"/>.</summary>
    protected abstract int Open();

    /// <summary>Decodes one read's worth of events into <see cref="Emit"/>.</summary>
    protected abstract void Decode(ReadOnlySpan<byte> events);

    /// <summary>
    /// Filesystems were mounted or unmounted at these paths (by the roots' names; a root itself when it was at or
    /// above it), and <see cref="RootPaths"/> looked up again: follow what is there now. Each path's rescan follows.
    /// </summary>
    protected abstract void MountsChanged(IReadOnlyList<string> paths);

    /// <summary>Milliseconds to wait for more events before <see cref="Idle"/>; -1 when nothing is held back.</summary>
    protected virtual int IdleTimeoutMs => -1;

    /// <summary>No more events came within <see cref="IdleTimeoutMs"/>: release whatever was held back.</summary>
    protected virtual void Idle()
    {
    }

    protected int Descriptor => _fd;

    protected void Emit(ChangeSignal signal) => _signals.Writer.TryWrite(signal);

    protected GapSignal Gap(string scope, GapReason reason, string detail) => new(Name, DateTimeOffset.UtcNow, scope, reason, detail);

    /// <summary>A kernel path by the roots' names: under each root it is at or below, else each root it is on the way to.</summary>
    private protected List<string> RootNamesOf(string path)
    {
        var names = new List<string>();
        RootPaths.AddRootNames(path, names);
        foreach (var root in RootPaths.RootsLedThrough(path) ?? [])
        {
            if (!names.Contains(root))
                names.Add(root);
        }
        return names;
    }

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
        var fds = stackalloc PollFd[3];
        try
        {
            while (!_stopping)
            {
                fds[0] = new PollFd { Fd = _fd, Events = NotifyIo.PollIn };
                fds[1] = new PollFd { Fd = _wakeFd, Events = NotifyIo.PollIn };
                fds[2] = new PollFd { Fd = _mountTableFd, Events = NotifyIo.PollPri };
                int timeout = IdleTimeoutMs;
                int ready = NotifyIo.poll(fds, 3, timeout);
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
                if ((fds[2].Returned & (NotifyIo.PollPri | NotifyIo.PollErr)) != 0)
                {
                    MountTableChanged();
                    continue;
                }
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

    private static int OpenMountTable()
    {
        int fd;
        fixed (byte* p = NativePath(MountTable.FilePath))
            fd = LibC.open(p, LibC.ORdOnly | LibC.OCloExec, 0);
        return fd >= 0 ? fd : throw new IOException($"{MountTable.FilePath}: {LibC.Describe(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>The mounts at, below or on the way to a root.</summary>
    private HashSet<(int Id, string MountPoint)> MountsOnTheWay(List<Mount> table) =>
        table.Where(mount => RootPaths.IsFollowed(mount.MountPoint) || RootPaths.RootsLedThrough(mount.MountPoint) is not null)
            .Select(mount => (mount.Id, mount.MountPoint)).ToHashSet();

    private void MountTableChanged()
    {
        // One reading of the table throughout: a mount made after it changes the table again, and is seen next time.
        var table = MountTable.Read();
        var changed = MountsOnTheWay(table);
        changed.SymmetricExceptWith(_mounts);
        if (changed.Count == 0)
            return;
        var paths = changed.SelectMany(mount => RootNamesOf(mount.MountPoint)).ToList();
        RootPaths.Refresh();
        paths.AddRange(changed.SelectMany(mount => RootNamesOf(mount.MountPoint)));
        _mounts = MountsOnTheWay(table);
        var distinct = paths.Distinct(StringComparer.Ordinal).ToList();
        MountsChanged(distinct);
        foreach (var path in distinct)
            Emit(Gap(path, GapReason.SourceRestarted, $"filesystems were mounted or unmounted at or above {path}: rescanned"));
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
        foreach (var fd in new[] { _fd, _wakeFd, _mountTableFd })
        {
            if (fd >= 0)
                LibC.close(fd);
        }
        _fd = _wakeFd = _mountTableFd = -1;
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
