namespace Compliance.Usn.Journal;

/// <summary>What FSCTL_QUERY_USN_JOURNAL reports (USN_JOURNAL_DATA): the journal's identity and the USN range it still holds.</summary>
public readonly record struct UsnJournalData(ulong JournalId, long FirstUsn, long NextUsn, long LowestValidUsn, long MaxUsn);

/// <summary>How a journal request ended, as the Win32 error of the FSCTL says it.</summary>
public enum UsnJournalStatus
{
    Ok,

    /// <summary>No journal, or it was disabled (ERROR_JOURNAL_NOT_ACTIVE).</summary>
    NotActive,

    /// <summary>The journal is being deleted (ERROR_JOURNAL_DELETE_IN_PROGRESS).</summary>
    DeleteInProgress,

    /// <summary>The records from the requested USN on were overwritten (ERROR_JOURNAL_ENTRY_DELETED).</summary>
    EntryDeleted,

    /// <summary>The journal ID asked for is not the current one: the journal was recreated in between.</summary>
    JournalReplaced,
}

public readonly record struct UsnJournalQuery(UsnJournalStatus Status, UsnJournalData Data);

/// <summary>One FSCTL_READ_USN_JOURNAL answer: its output buffer (next USN, then records) when the status is Ok.</summary>
public readonly record struct UsnJournalRead(UsnJournalStatus Status, byte[] Output);

/// <summary>
/// A volume with a change journal, as the journal follower sees it: the live NTFS volume on Windows, or the
/// simulated one in tests. Buffers are byte-exact FSCTL output, so both go through the same parser.
/// </summary>
public interface IUsnVolume
{
    /// <summary>The volume's root path, e.g. <c>C:\</c>; every path built from the journal starts with it.</summary>
    string RootPath { get; }

    /// <summary>The file ID of the root directory (the parent named by records of top-level files).</summary>
    UInt128 RootFileId { get; }

    UsnJournalQuery QueryJournal();

    /// <summary>Records from <paramref name="startUsn"/> on; a live volume waits for the first new record, until cancelled.</summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    UsnJournalRead ReadJournal(ulong journalId, long startUsn, CancellationToken cancellationToken);

    /// <summary>FSCTL_ENUM_USN_DATA output buffers covering every file and directory on the volume (one record a name).</summary>
    IEnumerable<byte[]> EnumerateFiles();
}
