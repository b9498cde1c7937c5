using System.Collections.Concurrent;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Output;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Store;

namespace Compliance.Linux.Tests;

/// <summary>
/// A real temporary tree with an approved baseline, a follower watching it through a real kernel source, and a
/// copy of the baseline database for comparing what the watch stored with what a fresh full scan finds.
/// </summary>
internal sealed class WatchHarness : IAsyncDisposable
{
    private readonly string _workspace;
    private readonly CancellationTokenSource _stop = new();
    private readonly IChangeSource _source;
    private Task? _following;
    private int _settleCount;

    private WatchHarness(string workspace, IChangeSource source)
    {
        _workspace = workspace;
        _source = source;
        Root = Path.Combine(workspace, "tree");
        Outside = Path.Combine(workspace, "outside");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Root, SettleDirectory));
    }

    private const string SettleDirectory = ".settle";

    /// <summary>The watched tree (the policy selects it and everything below).</summary>
    public string Root { get; }

    /// <summary>A directory next to the tree, outside the policy's scope.</summary>
    public string Outside { get; }

    public RecordingSink Sink { get; } = new();
    public StateStore Store { get; private set; } = null!;
    public Policy Policy { get; private set; } = null!;

    public static IChangeSource CreateSource(string name) => name switch
    {
        FanotifySource.SourceName => new FanotifySource(),
        InotifySource.SourceName => new InotifySource(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// Builds the tree with <paramref name="prepare"/>, approves it under the policy's YAML (given the tree's path;
    /// by default every attribute of everything), and starts following once it is watched.
    /// </summary>
    public static async Task<WatchHarness> StartAsync(IChangeSource source, Action<WatchHarness>? prepare = null, TimeSpan? coalesceWindow = null,
        Func<string, string>? policyYaml = null)
    {
        var workspace = Path.Combine(Path.GetTempPath(), $"compliance-watch-{Guid.NewGuid():N}");
        var harness = new WatchHarness(workspace, source);
        prepare?.Invoke(harness);
        harness.Approve(policyYaml is null ? Policy.ForPaths([harness.Root]) : PolicyLoader.Parse(policyYaml(harness.Root), "test policy"));
        // Wider than a busy machine's scheduling stalls: one write of a new file is create, then write, then close, and
        // a writer preempted longer than the window between them gets two findings (added empty, then added).
        harness.Start(coalesceWindow ?? TimeSpan.FromMilliseconds(250));
        await harness.SettleAsync();
        return harness;
    }

    private string DatabasePath => Path.Combine(_workspace, "state.db");
    private string BaselineCopyPath => Path.Combine(_workspace, "baseline-copy.db");

    private void Approve(Policy policy)
    {
        Policy = policy;
        using (var store = StateStore.Open(DatabasePath))
        {
            var scanner = new Scanner(new LinuxFileTree(), Policy, new ScanOptions { RehashAll = true });
            using var writer = store.BeginBaseline(Policy, "linux", "test", "test baseline");
            foreach (var item in scanner.Scan([]))
                writer.Add(item.Observed!);
            writer.Commit();
        }
        // Closed, so the WAL is checkpointed into the file that is copied.
        File.Copy(DatabasePath, BaselineCopyPath);
        Store = StateStore.Open(DatabasePath);
    }

    private void Start(TimeSpan coalesceWindow)
    {
        var reconciler = new Reconciler(Store, new LinuxFileTree(), Policy, new ScanOptions { HashWorkers = 2 });
        var options = new ChangeFeedOptions { CoalesceWindow = coalesceWindow, SourceRoots = [Root] };
        var follower = new ChangeFeedFollower(_source, reconciler, Store, Policy, "linux", Sink, options);
        _following = Task.Run(() => follower.RunAsync(_stop.Token));
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>
    /// Waits until everything the kernel reported so far is stored: a new marker file is created and its own finding
    /// awaited; events are queued in order and applied in order, so everything before it is applied by then.
    /// </summary>
    public async Task SettleAsync()
    {
        var marker = Path.Combine(Root, SettleDirectory, $"marker-{Interlocked.Increment(ref _settleCount)}");
        var seen = Sink.WaitFor(marker);
        await File.WriteAllTextAsync(marker, "settle");
        var finished = await Task.WhenAny(seen, _following!);
        if (finished == _following)
            await _following;   // the follower failed: show why
        await seen;
    }

    /// <summary>Findings for a path (not the settle markers), in the order they were stored.</summary>
    public IReadOnlyList<Finding> FindingsFor(string path) => Sink.Findings.Where(f => f.Path == path).ToList();

    /// <summary>Forgets what was reported so far, so that a step's findings can be looked at alone.</summary>
    public void ClearFindings() => Sink.Clear();

    /// <summary>Stops following (pending hints are applied first) and closes the source; the store is then the test's alone.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        if (_following is not null)
            await _following;
        await _source.DisposeAsync();
    }

    /// <summary>
    /// Stops following, then returns the observed drift a fresh full scan against the same baseline stores, next to
    /// what the watch stored.
    /// </summary>
    public async Task<(List<string> Watched, List<string> FreshScan)> CompareWithFreshScanAsync()
    {
        await StopAsync();
        var fresh = Path.Combine(_workspace, $"fresh-{Guid.NewGuid():N}.db");
        File.Copy(BaselineCopyPath, fresh);
        using var store = StateStore.Open(fresh);
        new Reconciler(store, new LinuxFileTree(), Policy).Scan("check", "scan");
        return (Describe(Store), Describe(store));
    }

    private static List<string> Describe(StateStore store) =>
        store.ObservedDrift().Select(row => $"{(row.Present ? "present" : "absent")} {EntryJson.ToJson(w => EntryJson.WriteEntry(w, row.Entry))}").ToList();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Store?.Dispose();
        Directory.Delete(_workspace, recursive: true);
    }
}

/// <summary>What a follower reported, with a way to wait for a path's first finding.</summary>
internal sealed class RecordingSink : IChangeFeedSink
{
    private readonly ConcurrentQueue<Finding> _findings = new();
    private readonly ConcurrentQueue<GapSignal> _gaps = new();
    private readonly ConcurrentQueue<Resolution> _resolved = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public IEnumerable<Finding> Findings => _findings;
    public IEnumerable<GapSignal> Gaps => _gaps;
    public IEnumerable<Resolution> Resolutions => _resolved;

    public Task WaitFor(string path) =>
        _waiters.GetOrAdd(path, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Committed(IReadOnlyList<Finding> findings)
    {
        // The whole batch is recorded before any waiter is released: a test woken by its settle marker reads the
        // findings at once, and the marker may come before other findings of its batch (moves and removals last).
        foreach (var finding in findings)
            _findings.Enqueue(finding);
        foreach (var finding in findings)
        {
            if (_waiters.TryRemove(finding.Path, out var waiter))
                waiter.TrySetResult();
        }
    }

    public void Gap(GapSignal gap) => _gaps.Enqueue(gap);

    public void Resolved(IReadOnlyList<Resolution> resolutions)
    {
        foreach (var resolution in resolutions)
            _resolved.Enqueue(resolution);
    }

    public void Clear()
    {
        _findings.Clear();
        _gaps.Clear();
        _resolved.Clear();
    }
}
