using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Store;

namespace Compliance.Linux.Tests;

/// <summary>
/// A baseline or accept committed by another process while a check, a watch batch or an accept is under way: the
/// work compared with the old baseline must never be stored against the new one. Real tree, real SQLite file, and a
/// second connection as the other process.
/// </summary>
public sealed class BaselineChangeTests : IDisposable
{
    private readonly string _workspace = Path.Combine(Path.GetTempPath(), $"compliance-rebaseline-{Guid.NewGuid():N}");
    private readonly string _root;
    private readonly string _file;
    private readonly string _database;
    private readonly Policy _policy;
    private readonly StateStore _store;

    public BaselineChangeTests()
    {
        _root = Path.Combine(_workspace, "tree");
        Directory.CreateDirectory(_root);
        _file = Path.Combine(_root, "config");
        File.WriteAllText(_file, "approved\n");
        File.WriteAllText(Path.Combine(_root, "other"), "other\n");
        // Content only: a file written back as it was matches its baseline again, times and inode aside.
        _policy = PolicyLoader.Parse($"""
            name: content
            categories:
              - name: content
                attributes: [size, blake3]
                include: ["{_root}"]
            """, "test policy");
        _database = Path.Combine(_workspace, "state.db");
        _store = StateStore.Open(_database);
        WriteBaseline(_store);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_workspace, recursive: true);
    }

    [Fact]
    public void A_check_overlapped_by_a_new_baseline_stops_and_stores_nothing_against_the_old_one()
    {
        File.WriteAllText(_file, "edited\n");
        var reconciler = new Reconciler(_store, new LinuxFileTree(), _policy);
        bool rebaselined = false;

        var check = () => reconciler.Scan("check", "scan", onFinding: _ =>
        {
            if (rebaselined)
                return;
            rebaselined = true;
            using var otherProcess = StateStore.Open(_database);
            WriteBaseline(otherProcess);   // approves "edited"
        });

        check.Should().Throw<BaselineChangedException>().Which.Current.Should().Be(2);
        // Stored, "config" would stand as drift against a baseline that already approves its content.
        _store.ObservedDrift().Should().BeEmpty();
        _store.Runs(1).Single().Status.Should().Be("failed");
    }

    [Fact]
    public void A_watch_batch_overlapped_by_an_accept_is_compared_again_with_the_accepted_state()
    {
        File.WriteAllText(_file, "edited\n");
        var reconciler = new Reconciler(_store, new LinuxFileTree(), _policy);
        reconciler.ApplyHints([Modified(_file)], _store.StartRun("watch", "linux"));
        _store.ObservedDrift().Single().Entry.Path.Should().Be(_file);

        // Written back as approved, while another process accepts "edited": compared with the old baseline the file
        // matches, and that match would clear the drift against the accepted "edited" for good.
        File.WriteAllText(_file, "approved\n");
        var racing = new Reconciler(new BeforeFirstWrite(_store, () =>
        {
            using var otherProcess = StateStore.Open(_database);
            otherProcess.Accept(null, "auditor", "approve the edit").Generation.Should().Be(2);
        }), new LinuxFileTree(), _policy);

        var applied = racing.ApplyHints([Modified(_file)], _store.StartRun("watch", "linux"));

        applied.Findings.Should().ContainSingle().Which.Kind.Should().Be(DriftKind.Content);
        var row = _store.ObservedDrift().Should().ContainSingle().Subject;
        (row.Entry.Path, row.Entry.Size).Should().Be((_file, "approved\n".Length));
    }

    [Fact]
    public void A_gap_rescan_overlapped_by_an_accept_is_done_again_against_the_accepted_state()
    {
        File.WriteAllText(_file, "edited\n");
        new Reconciler(_store, new LinuxFileTree(), _policy).ApplyHints([Modified(_file)], _store.StartRun("watch", "linux"));
        File.WriteAllText(_file, "approved\n");
        var store = new BeforeFirstWrite(_store, () =>
        {
            using var otherProcess = StateStore.Open(_database);
            otherProcess.Accept(null, "auditor", "approve the edit").Generation.Should().Be(2);
        });

        var (findings, resolved) = new Reconciler(store, new LinuxFileTree(), _policy)
            .CloseGap(new GapSignal("test", DateTimeOffset.UtcNow, "", GapReason.Overflow, "forced"));

        // Compared with the old baseline, the file matched and the rescan stored nothing: the accepted "edited" stood
        // unchallenged while the disk held "approved".
        findings.Should().ContainSingle().Which.Should().Match<Finding>(f => f.Path == _file && f.Kind == DriftKind.Content);
        resolved.Should().BeEmpty("the edit the watch had stored was approved, so no drift was there to go");
        _store.ObservedDrift().Should().ContainSingle().Which.Entry.Size.Should().Be("approved\n".Length);
        _store.Runs(2).Select(r => r.Status).Should().Equal("completed", "failed");
    }

    [Theory]
    [InlineData("UPDATE observed SET size = 13, observed_at = '2099-01-01T00:00:00.0000000Z'", 1)]   // changed again
    [InlineData("DELETE FROM observed", 0)]   // written back as approved
    public async Task What_a_watch_stores_while_an_accept_waits_to_write_is_not_overruled_by_it(string watchWrites, int driftLeft)
    {
        File.WriteAllText(_file, "edited\n");
        new Reconciler(_store, new LinuxFileTree(), _policy).ApplyHints([Modified(_file)], _store.StartRun("watch", "linux"));

        // Another writer holds the database while the accept reads the drift and then waits for its turn to write;
        // meanwhile that writer stores what a watch found since.
        using var watch = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database};Pooling=False");
        watch.Open();
        using var holding = watch.BeginTransaction();
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var accepting = Task.Run(() =>
        {
            using var otherProcess = StateStore.Open(_database);
            otherProcess.DriftRead = () => read.TrySetResult();
            return otherProcess.Accept(null, "auditor", "approve the edit");
        });
        // The accept has read the drift, and then waits for the write lock held here.
        await Task.WhenAny(read.Task, accepting).WaitAsync(TimeSpan.FromSeconds(60));
        read.Task.IsCompleted.Should().BeTrue("the accept reads the drift before it waits to write");
        using (var write = watch.CreateCommand())
        {
            write.CommandText = watchWrites;
            write.ExecuteNonQuery().Should().Be(1);
        }
        holding.Commit();

        // Approved, "edited" would stand in the baseline while the disk holds something else that nothing reports.
        var result = await accepting;
        (result.Generation, result.Approved, result.SkippedChanged).Should().Be((null, 0, 1));
        _store.FindBaseline(_file)!.Size.Should().Be("approved\n".Length);
        _store.ObservedDrift().Should().HaveCount(driftLeft);
    }

    private void WriteBaseline(StateStore store)
    {
        using var writer = store.BeginBaseline(_policy, "linux", "test", "test baseline");
        foreach (var item in new Scanner(new LinuxFileTree(), _policy).Scan([]))
            writer.Add(item.Observed!);
        writer.Commit();
    }

    private static ChangeHint Modified(string path) => new("test", DateTimeOffset.UtcNow, path, ChangeKind.Modified);

    /// <summary>The store, with something else happening just before the first observations or forgetting are written.</summary>
    private sealed class BeforeFirstWrite(StateStore store, Action meanwhile) : IReconcileStore
    {
        private Action? _meanwhile = meanwhile;

        public IReadOnlyList<string> ApplyObservations(IReadOnlyList<Observation> batch, long? runId, long? generation, FeedCursor? cursor = null,
            bool keepsDrift = true)
        {
            Meanwhile();
            return store.ApplyObservations(batch, runId, generation, cursor, keepsDrift);
        }

        public IReadOnlyList<string> ForgetObservationsNotFromRun(string? scope, long runId, long? generation, Func<string, bool> selected)
        {
            Meanwhile();
            return store.ForgetObservationsNotFromRun(scope, runId, generation, selected);
        }

        private void Meanwhile()
        {
            var happen = _meanwhile;
            _meanwhile = null;
            happen?.Invoke();
        }

        public IEnumerable<FileEntry> BaselineInWalkOrder(string? scope = null, long? generation = null) => store.BaselineInWalkOrder(scope, generation);
        public IBaselineCursor OpenBaseline(string? scope = null, long? generation = null) => store.OpenBaseline(scope, generation);
        public IReadOnlyList<FileEntry?> FindBaselines(IReadOnlyList<string> paths) => store.FindBaselines(paths);
        public IReadOnlyList<EntriesBelow> FindEntriesBelow(IReadOnlyList<string> paths) => store.FindEntriesBelow(paths);
        public IReadOnlyList<IReadOnlyList<FileEntry>> FindRemovedWithInodes(IReadOnlyList<(ulong Inode, ulong Device)> objects) => store.FindRemovedWithInodes(objects);
        public long? CurrentGenerationId() => store.CurrentGenerationId();
        public long StartRun(string kind, string tree) => store.StartRun(kind, tree);
        public void FinishRun(long runId, RunTotals totals, string status, string? detail = null) => store.FinishRun(runId, totals, status, detail);
        public long RecordGap(GapSignal gap) => store.RecordGap(gap);
        public void CloseGap(long gapId, long runId) => store.CloseGap(gapId, runId);
        public FeedCursor? LoadCursor(string source, string volume) => store.LoadCursor(source, volume);
        public void SaveCursor(FeedCursor cursor) => store.SaveCursor(cursor);
    }
}
