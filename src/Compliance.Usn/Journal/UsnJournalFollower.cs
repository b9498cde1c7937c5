using Compliance.Core.ChangeFeed;
using Compliance.Usn.Records;

namespace Compliance.Usn.Journal;

/// <summary>Where following a volume's journal resumes: the journal's ID and the first USN not yet acted on. Journal ID 0: the volume had no active journal.</summary>
public sealed record UsnCursor(ulong JournalId, long NextUsn);

/// <summary>
/// The consumer of the journal follower's output: it acts on the signals (re-examines hinted paths, rescans
/// gap scopes) and saves them together with the cursor that follows them, in one transaction, so that a
/// crash either keeps both or neither.
/// </summary>
public interface IUsnCursorStore
{
    UsnCursor? Load(string volume);

    void Commit(string volume, IReadOnlyList<ChangeSignal> signals, UsnCursor cursor);
}

/// <summary>
/// Follows one volume's change journal. Anything that may have lost changes becomes a gap over the monitored
/// roots, which the consumer closes with a rescan: no cursor yet (first start), a saved USN below the journal's
/// FirstUsn or ERROR_JOURNAL_ENTRY_DELETED (wraparound), a new journal ID, a deleted or disabled journal, and a
/// record that cannot be read. The cursor it saves never passes the first record of a file still open.
/// </summary>
public sealed class UsnJournalFollower
{
    public const string SourceName = "usn";

    private readonly IUsnVolume _volume;
    private readonly IUsnCursorStore _store;
    private readonly IReadOnlyList<string> _roots;
    private readonly FileIdPathCache _paths;
    private readonly UsnChangeTracker _tracker;
    private readonly TimeProvider _time;

    // Where the next read starts; null until the saved cursor was checked against the journal.
    private long? _readUsn;
    private ulong _journalId;

    /// <param name="roots">The monitored paths on this volume (each starting with its root path); none: the whole volume.</param>
    public UsnJournalFollower(IUsnVolume volume, IUsnCursorStore store, IReadOnlyList<string> roots, TimeProvider? time = null)
    {
        _volume = volume;
        _store = store;
        _roots = roots.Count == 0 ? [volume.RootPath] : roots;
        _paths = new FileIdPathCache(volume.RootPath, volume.RootFileId);
        _tracker = new UsnChangeTracker(_paths, SourceName);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>True when the last read found no new records.</summary>
    public bool CaughtUp { get; private set; }

    /// <summary>The path cache the follower keeps (for tests and diagnostics).</summary>
    public FileIdPathCache Paths => _paths;

    /// <summary>Reads one buffer of the journal (or detects a gap) and commits what it produced; returns the signals committed.</summary>
    /// <exception cref="OperationCanceledException">A live read waiting for new records was cancelled; nothing was committed.</exception>
    public IReadOnlyList<ChangeSignal> Poll(CancellationToken cancellationToken = default)
    {
        var query = _volume.QueryJournal();
        if (query.Status != UsnJournalStatus.Ok)
            return JournalGone(query.Status);
        var journal = query.Data;

        if (_readUsn is null)
        {
            var saved = _store.Load(_volume.RootPath);
            if (CheckSaved(saved, journal) is { } gap)
                return Restart(gap.Reason, gap.Detail, journal);
            LoadPaths();
            _journalId = saved!.JournalId;
            _readUsn = saved.NextUsn;
        }
        else if (journal.JournalId != _journalId)
        {
            return Restart(GapReason.JournalReplaced, $"journal ID changed from {_journalId:x16} to {journal.JournalId:x16}", journal);
        }

        // Checked here too because FSCTL_READ_USN_JOURNAL quietly starts at the first record when asked for USN 0.
        if (_readUsn < journal.FirstUsn)
            return Restart(GapReason.JournalWrapped, $"next USN {_readUsn} is below the journal's first USN {journal.FirstUsn}", journal);

        var read = _volume.ReadJournal(_journalId, _readUsn.Value, cancellationToken);
        switch (read.Status)
        {
            case UsnJournalStatus.EntryDeleted:
                return Restart(GapReason.JournalWrapped, $"records from USN {_readUsn} on were overwritten", journal);
            case UsnJournalStatus.JournalReplaced:
                return Restart(GapReason.JournalReplaced, $"journal {_journalId:x16} is no longer the volume's journal", journal);
            case UsnJournalStatus.NotActive or UsnJournalStatus.DeleteInProgress:
                return JournalGone(read.Status);
        }

        UsnOutputBuffer buffer;
        try
        {
            buffer = UsnOutputBuffer.Parse(read.Output);
        }
        catch (InvalidDataException e)
        {
            return Restart(GapReason.JournalWrapped, $"unreadable journal output at USN {_readUsn}: {e.Message}", journal);
        }
        if (buffer.Problems.FirstOrDefault() is { } problem)
            return Restart(GapReason.JournalWrapped, $"unreadable record after USN {_readUsn}: {problem.Message}", journal);

        var signals = new List<ChangeSignal>();
        foreach (var record in buffer.Records)
            _tracker.Apply(record, signals);
        long next = (long)buffer.Next;
        CaughtUp = next == _readUsn;
        if (CaughtUp)
            return [];

        var scoped = Scope(signals);
        _store.Commit(_volume.RootPath, scoped, new UsnCursor(_journalId, _tracker.LowestOpenUsn ?? next));
        _readUsn = next;
        return scoped;
    }

    /// <summary>Polls until the journal has nothing new; returns every signal committed on the way.</summary>
    public IReadOnlyList<ChangeSignal> CatchUp()
    {
        var all = new List<ChangeSignal>();
        do
        {
            all.AddRange(Poll());
        }
        while (!CaughtUp);
        return all;
    }

    private static (GapReason Reason, string Detail)? CheckSaved(UsnCursor? saved, UsnJournalData journal) => saved switch
    {
        null => (GapReason.FirstStart, "no saved journal position: following starts now"),
        { JournalId: 0 } => (GapReason.JournalReplaced, $"a journal ({journal.JournalId:x16}) appeared where there was none"),
        _ when saved.JournalId != journal.JournalId =>
            (GapReason.JournalReplaced, $"journal ID changed from {saved.JournalId:x16} to {journal.JournalId:x16}"),
        _ when saved.NextUsn < journal.FirstUsn =>
            (GapReason.JournalWrapped, $"saved USN {saved.NextUsn} is below the journal's first USN {journal.FirstUsn}"),
        _ when saved.NextUsn > journal.NextUsn =>
            (GapReason.JournalReplaced, $"saved USN {saved.NextUsn} is past the journal's next USN {journal.NextUsn}"),
        _ => null,
    };

    // The new cursor is the journal's next USN as queried before the rescan starts, so that changes made
    // while the volume is rescanned are read again afterwards rather than lost.
    private IReadOnlyList<ChangeSignal> Restart(GapReason reason, string detail, UsnJournalData journal)
    {
        _tracker.Reset();
        LoadPaths();
        var gaps = Gaps(reason, detail);
        _store.Commit(_volume.RootPath, gaps, new UsnCursor(journal.JournalId, journal.NextUsn));
        _journalId = journal.JournalId;
        _readUsn = journal.NextUsn;
        CaughtUp = false;
        return gaps;
    }

    // Reported once: while the saved cursor says "no journal", the gap is still open and periodic rescans cover the volume.
    private IReadOnlyList<ChangeSignal> JournalGone(UsnJournalStatus status)
    {
        _readUsn = null;
        _tracker.Reset();
        CaughtUp = true;
        if (_store.Load(_volume.RootPath) is { JournalId: 0 })
            return [];
        string why = status == UsnJournalStatus.DeleteInProgress ? "is being deleted" : "is not active";
        var gaps = Gaps(GapReason.JournalDeleted, $"the change journal {why}: no journal protects this volume, only periodic rescans");
        _store.Commit(_volume.RootPath, gaps, new UsnCursor(0, 0));
        return gaps;
    }

    private List<ChangeSignal> Gaps(GapReason reason, string detail)
    {
        var now = _time.GetUtcNow();
        return _roots.Select(root => (ChangeSignal)new GapSignal(SourceName, now, root, reason, detail)).ToList();
    }

    private void LoadPaths()
    {
        _paths.Clear();
        foreach (var output in _volume.EnumerateFiles())
        {
            var buffer = UsnOutputBuffer.Parse(output);
            foreach (var record in buffer.Records)
                _paths.Set(record.FileId, record.ParentFileId, record.FileName!, record.IsDirectory);
        }
    }

    // Hints outside every monitored root are dropped; a gap over the whole volume becomes one gap a root.
    private List<ChangeSignal> Scope(List<ChangeSignal> signals)
    {
        var scoped = new List<ChangeSignal>();
        foreach (var signal in signals)
        {
            if (signal is GapSignal gap)
                scoped.AddRange(Gaps(gap.Reason, gap.Detail));
            else if (signal is ChangeHint hint && (IsMonitored(hint.Path) || (hint.OldPath is not null && IsMonitored(hint.OldPath))))
                scoped.Add(hint);
        }
        return scoped;
    }

    private bool IsMonitored(string path) => _roots.Any(root => IsUnder(path, root));

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it (NTFS names compare case-insensitively).</summary>
    public static bool IsUnder(string path, string root)
    {
        var trimmed = root.AsSpan().TrimEnd('\\');
        return path.StartsWith(trimmed, StringComparison.OrdinalIgnoreCase)
            && (path.Length == trimmed.Length || path[trimmed.Length] == '\\');
    }
}
