using Compliance.Core.ChangeFeed;
using Compliance.Usn.Journal;
using Compliance.Usn.Simulation;

namespace Compliance.Usn.Tests;

/// <summary>
/// Every gap path against the simulated journal: whatever happens to the journal, once the follower has caught
/// up the store holds exactly what the volume holds.
/// </summary>
public sealed class JournalFollowerTests
{
    private readonly SimulatedUsnVolume _volume = new();
    private readonly ReconcilingStore _store;

    public JournalFollowerTests()
    {
        _store = new ReconcilingStore(_volume);
        _volume.CreateDirectory(@"C:\data");
        _volume.CreateDirectory(@"C:\data\sub");
        _volume.CreateFile(@"C:\data\sub\a.txt");
        _volume.CreateFile(@"C:\data\b.txt");
        _volume.CreateFile(@"C:\outside.txt");
    }

    private UsnJournalFollower Follower() => new(_volume, _store, []);

    private void StoreShouldMatchVolume() => _store.Files.Should().BeEquivalentTo(_volume.Snapshot());

    private void MakeChanges()
    {
        _volume.Write(@"C:\data\sub\a.txt");
        _volume.CreateFile(@"C:\data\c.txt");
        _volume.Rename(@"C:\data\b.txt", @"C:\data\sub\b2.txt");
        _volume.Delete(@"C:\outside.txt");
        _volume.ChangeAttributes(@"C:\data\sub");
    }

    private static IEnumerable<GapSignal> Gaps(IEnumerable<ChangeSignal> signals) => signals.OfType<GapSignal>();

    [Fact]
    public void First_start_rescans_and_then_follows_changes_as_hints()
    {
        var follower = Follower();

        var first = follower.CatchUp();
        Gaps(first).Should().ContainSingle().Which.Reason.Should().Be(GapReason.FirstStart);
        StoreShouldMatchVolume();

        MakeChanges();
        var later = follower.CatchUp();

        Gaps(later).Should().BeEmpty();
        later.OfType<ChangeHint>().Should().Contain(h =>
            h.Kind == ChangeKind.Renamed && h.Path == @"C:\data\sub\b2.txt" && h.OldPath == @"C:\data\b.txt");
        later.OfType<ChangeHint>().Should().Contain(h => h.Kind == ChangeKind.Modified && h.Path == @"C:\data\sub\a.txt");
        later.OfType<ChangeHint>().Should().Contain(h => h.Kind == ChangeKind.Deleted && h.Path == @"C:\outside.txt");
        StoreShouldMatchVolume();
    }

    [Fact]
    public void A_directory_rename_moves_its_descendants_paths()
    {
        var follower = Follower();
        follower.CatchUp();

        _volume.Rename(@"C:\data", @"C:\moved");
        _volume.Write(@"C:\moved\sub\a.txt");
        var signals = follower.CatchUp().OfType<ChangeHint>().ToList();

        signals.Should().Contain(h => h.Kind == ChangeKind.Renamed && h.Path == @"C:\moved" && h.OldPath == @"C:\data");
        signals.Should().Contain(h => h.Kind == ChangeKind.Modified && h.Path == @"C:\moved\sub\a.txt");
        StoreShouldMatchVolume();
    }

    [Fact]
    public void Records_lost_to_wraparound_while_running_become_a_rescan()
    {
        var follower = Follower();
        follower.CatchUp();

        MakeChanges();
        _volume.DropRecordsThrough(_store.Cursor!.NextUsn);
        var signals = follower.CatchUp();

        Gaps(signals).Should().ContainSingle().Which.Reason.Should().Be(GapReason.JournalWrapped);
        StoreShouldMatchVolume();
    }

    [Fact]
    public void Records_overwritten_between_query_and_read_give_entry_deleted_and_a_rescan()
    {
        bool armed = false;
        var racing = new InterceptedRead(_volume, (startUsn, _) =>
        {
            if (armed)
                _volume.DropRecordsThrough(startUsn);
            armed = false;
        });
        var follower = new UsnJournalFollower(racing, _store, []);
        follower.CatchUp();
        MakeChanges();
        armed = true;

        var signals = follower.CatchUp();

        Gaps(signals).Should().ContainSingle().Which.Detail.Should().Contain("were overwritten");
        StoreShouldMatchVolume();
    }

    [Fact]
    public void A_cancelled_read_commits_nothing_and_the_next_poll_carries_on()
    {
        // A live read waits for new records; cancelling it throws as the Windows volume does.
        var follower = new UsnJournalFollower(new InterceptedRead(_volume, (_, token) => token.ThrowIfCancellationRequested()), _store, []);
        follower.CatchUp();
        var before = _store.Cursor;
        MakeChanges();

        follower.Invoking(f => f.Poll(new CancellationToken(canceled: true))).Should().Throw<OperationCanceledException>();
        _store.Cursor.Should().Be(before);

        Gaps(follower.CatchUp()).Should().BeEmpty();
        StoreShouldMatchVolume();
    }

    /// <summary>The simulated volume with something happening just before each FSCTL_READ_USN_JOURNAL.</summary>
    private sealed class InterceptedRead(SimulatedUsnVolume volume, Action<long, CancellationToken> beforeRead) : IUsnVolume
    {
        public string RootPath => volume.RootPath;
        public UInt128 RootFileId => volume.RootFileId;
        public UsnJournalQuery QueryJournal() => volume.QueryJournal();
        public IEnumerable<byte[]> EnumerateFiles() => volume.EnumerateFiles();

        public UsnJournalRead ReadJournal(ulong journalId, long startUsn, CancellationToken cancellationToken)
        {
            beforeRead(startUsn, cancellationToken);
            return volume.ReadJournal(journalId, startUsn, cancellationToken);
        }
    }

    [Fact]
    public void Without_the_rescan_the_same_wraparound_leaves_the_store_wrong()
    {
        // The control for the test above: the lost records really hold changes no hint reports.
        var store = new ReconcilingStore(_volume) { IgnoreGaps = true };
        var follower = new UsnJournalFollower(_volume, store, []);
        follower.CatchUp();
        MakeChanges();
        _volume.DropRecordsThrough(store.Cursor!.NextUsn);

        follower.CatchUp();

        store.Files.Should().NotBeEquivalentTo(_volume.Snapshot());
    }

    [Fact]
    public void A_saved_usn_below_first_usn_after_a_restart_becomes_a_rescan()
    {
        Follower().CatchUp();
        MakeChanges();
        _volume.DropRecordsThrough(_store.Cursor!.NextUsn);

        var signals = Follower().CatchUp();

        Gaps(signals).Should().ContainSingle().Which.Detail.Should().Contain("below the journal's first USN");
        StoreShouldMatchVolume();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_new_journal_id_becomes_a_rescan(bool restartInBetween)
    {
        var follower = Follower();
        follower.CatchUp();
        MakeChanges();
        _volume.RestampJournal();

        var signals = (restartInBetween ? Follower() : follower).CatchUp();

        Gaps(signals).Should().ContainSingle().Which.Reason.Should().Be(GapReason.JournalReplaced);
        StoreShouldMatchVolume();
    }

    [Fact]
    public void A_deleted_journal_is_reported_once_and_its_return_becomes_a_rescan()
    {
        var follower = Follower();
        follower.CatchUp();
        _volume.DeleteJournal();

        Gaps(follower.Poll()).Should().ContainSingle().Which.Reason.Should().Be(GapReason.JournalDeleted);
        _store.Cursor.Should().Be(new UsnCursor(0, 0));
        MakeChanges();
        follower.Poll().Should().BeEmpty("the open gap was already reported");

        _volume.CreateJournal();
        var signals = follower.CatchUp();

        Gaps(signals).Should().ContainSingle().Which.Reason.Should().Be(GapReason.JournalReplaced);
        StoreShouldMatchVolume();
    }

    [Fact]
    public void A_crash_between_reading_and_committing_loses_nothing()
    {
        var follower = Follower();
        follower.CatchUp();
        var before = _store.Cursor;
        MakeChanges();

        _store.CrashOnNextCommit = true;
        var crashed = () => follower.Poll();
        crashed.Should().Throw<SimulatedCrashException>();
        _store.Cursor.Should().Be(before, "nothing of the failed batch was saved");

        var signals = Follower().CatchUp();

        Gaps(signals).Should().BeEmpty("the saved cursor is still in the journal");
        StoreShouldMatchVolume();
    }

    [Fact]
    public void A_file_still_open_at_shutdown_is_acted_on_after_the_restart()
    {
        var follower = Follower();
        follower.CatchUp();
        long openedAt = _volume.NextUsn;
        _volume.Write(@"C:\data\b.txt", keepOpen: true);
        _volume.CreateFile(@"C:\data\later.txt");

        var beforeClose = follower.CatchUp();

        beforeClose.OfType<ChangeHint>().Should().NotContain(h => h.Path == @"C:\data\b.txt", "reasons accumulate until close");
        _store.Cursor!.NextUsn.Should().Be(openedAt, "the cursor stops at the open file's first record");

        _volume.Close(@"C:\data\b.txt");
        var afterRestart = Follower().CatchUp();

        afterRestart.OfType<ChangeHint>().Should().Contain(h => h.Path == @"C:\data\b.txt" && h.Kind == ChangeKind.Modified);
        StoreShouldMatchVolume();
    }

    [Fact]
    public void Hints_outside_the_monitored_roots_are_dropped_and_gaps_cover_each_root()
    {
        var follower = new UsnJournalFollower(_volume, _store, [@"C:\data"]);

        Gaps(follower.CatchUp()).Should().ContainSingle().Which.Scope.Should().Be(@"C:\data");
        MakeChanges();
        var hints = follower.CatchUp().OfType<ChangeHint>().ToList();

        hints.Should().NotBeEmpty().And.OnlyContain(h => h.Path.StartsWith(@"C:\data\"));
    }

    [Fact]
    public void A_ring_too_small_for_the_changes_since_the_last_poll_wraps_into_a_rescan()
    {
        var volume = new SimulatedUsnVolume(capacity: 1024);
        var store = new ReconcilingStore(volume);
        var follower = new UsnJournalFollower(volume, store, []);
        follower.CatchUp();
        for (int i = 0; i < 30; i++)
            volume.CreateFile($@"C:\f{i}.txt");

        Gaps(follower.CatchUp()).Should().ContainSingle().Which.Reason.Should().Be(GapReason.JournalWrapped);
        store.Files.Should().HaveCount(30).And.BeEquivalentTo(volume.Snapshot());
    }

    [Fact]
    public void Version_2_records_are_followed_the_same_way()
    {
        var volume = new SimulatedUsnVolume(recordVersion: 2, outputSize: 256);
        var store = new ReconcilingStore(volume);
        var follower = new UsnJournalFollower(volume, store, []);
        follower.CatchUp();
        volume.CreateDirectory(@"C:\d");
        for (int i = 0; i < 20; i++)
            volume.CreateFile($@"C:\d\file{i}.txt");
        volume.Rename(@"C:\d", @"C:\e");

        follower.CatchUp().OfType<ChangeHint>().Should().Contain(h => h.Path == @"C:\e" && h.OldPath == @"C:\d");

        store.Files.Should().BeEquivalentTo(volume.Snapshot());
    }
}
