using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Store;
using Compliance.Usn.Journal;
using Compliance.Usn.Simulation;

namespace Compliance.Usn.Tests;

/// <summary>
/// The follower feeding the real reconcile path and SQLite store: after wraps, a new journal ID and a crash,
/// the store's state (baseline overlaid with observed drift) equals a fresh scan of the simulated volume.
/// </summary>
public sealed class ReconcilerIntegrationTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"usn-reconcile-{Guid.NewGuid():n}.db");
    private readonly SimulatedUsnVolume _volume = new();
    private readonly SimulatedFileTree _tree;
    private readonly Policy _policy = Policy.ForPaths(["/data"]);
    private readonly StateStore _store;

    public ReconcilerIntegrationTests()
    {
        _tree = new SimulatedFileTree(_volume);
        _volume.CreateDirectory(@"C:\data");
        _volume.CreateDirectory(@"C:\data\sub");
        _volume.CreateFile(@"C:\data\sub\a.txt");
        _volume.CreateFile(@"C:\data\b.txt");
        _store = StateStore.Open(_database);
        using var writer = _store.BeginBaseline(_policy, _tree.Description, "test", "initial baseline");
        foreach (var item in new Scanner(_tree, _policy, new ScanOptions { RehashAll = true }).Scan([]))
        {
            if (item.Observed is not null)
                writer.Add(item.Observed);
        }
        writer.Commit();
    }

    public void Dispose()
    {
        _store.Dispose();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_database)!, Path.GetFileName(_database) + "*"))
            File.Delete(file);
    }

    private UsnJournalFollower Follower(bool crashOnFirstCommit = false)
    {
        var reconciler = new Reconciler(_store, _tree, _policy);
        long runId = _store.StartRun("watch", _tree.Description);
        IUsnCursorStore sink = new ReconcilerCursorStore(reconciler, _store, runId, _tree.TreePath);
        return new UsnJournalFollower(_volume, crashOnFirstCommit ? new CrashesOnce(sink) : sink, [@"C:\data"]);
    }

    /// <summary>The process dies after reading records and before their commit.</summary>
    private sealed class CrashesOnce(IUsnCursorStore inner) : IUsnCursorStore
    {
        private bool _crashed;

        public UsnCursor? Load(string volume) => inner.Load(volume);

        public void Commit(string volume, IReadOnlyList<Core.ChangeFeed.ChangeSignal> signals, UsnCursor cursor)
        {
            if (!_crashed)
            {
                _crashed = true;
                throw new SimulatedCrashException();
            }
            inner.Commit(volume, signals, cursor);
        }
    }

    // Path to content hash as the store now believes it: the baseline, overlaid with what was observed since.
    private Dictionary<string, string> StoredState()
    {
        var state = _store.BaselineInWalkOrder().ToDictionary(e => e.Path, Fingerprint);
        foreach (var row in _store.ObservedDrift())
        {
            if (row.Present)
                state[row.Entry.Path] = Fingerprint(row.Entry);
            else
                state.Remove(row.Entry.Path);
        }
        return state;
    }

    private Dictionary<string, string> VolumeState() =>
        new Scanner(_tree, _policy, new ScanOptions { RehashAll = true }).Scan([])
            .Where(i => i.Observed is not null)
            .ToDictionary(i => i.Path, i => Fingerprint(i.Observed!));

    private static string Fingerprint(Core.Model.FileEntry entry) =>
        $"{entry.Type} {string.Join(",", entry.Hashes.Select(h => $"{h.Key}={Convert.ToHexString(h.Value)}"))}";

    [Fact]
    public void Store_follows_the_journal_through_changes_wraps_a_new_id_and_a_crash()
    {
        var follower = Follower();
        follower.CatchUp();
        _store.LoadCursor("usn", @"C:\").Should().NotBeNull();

        _volume.Write(@"C:\data\sub\a.txt");
        _volume.CreateFile(@"C:\data\new.txt");
        _volume.Rename(@"C:\data\sub", @"C:\data\moved");
        follower.CatchUp();
        StoredState().Should().BeEquivalentTo(VolumeState());

        _volume.Write(@"C:\data\b.txt");
        _volume.DropRecordsThrough(_volume.NextUsn - 1);
        follower.CatchUp();
        StoredState().Should().BeEquivalentTo(VolumeState());

        _volume.Write(@"C:\data\moved\a.txt");
        var crashing = Follower(crashOnFirstCommit: true);
        crashing.Invoking(f => f.Poll()).Should().Throw<SimulatedCrashException>();
        Follower().CatchUp();
        StoredState().Should().BeEquivalentTo(VolumeState());

        _volume.Delete(@"C:\data\new.txt");
        _volume.RestampJournal();
        Follower().CatchUp();
        StoredState().Should().BeEquivalentTo(VolumeState());

        _store.Gaps().Select(g => g.Reason).Should().Equal("FirstStart", "JournalWrapped", "JournalReplaced");
        _store.LoadCursor("usn", @"C:\")!.Position.Should().Be(_volume.NextUsn);
    }
}
