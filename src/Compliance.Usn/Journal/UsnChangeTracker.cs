using Compliance.Core.ChangeFeed;
using Compliance.Usn.Records;

namespace Compliance.Usn.Journal;

/// <summary>
/// Turns journal records into change hints. A file's reasons accumulate until the record that carries
/// USN_REASON_CLOSE; only then is it acted on, once. Renames are paired by file ID: the RENAME_OLD_NAME half
/// gives the old path, the RENAME_NEW_NAME half the new one. Every other record refreshes the file's entry in
/// the path cache, so the cache follows renames and moves as the journal reports them.
/// </summary>
public sealed class UsnChangeTracker(FileIdPathCache paths, string source)
{
    private const UsnReason DataChanges =
        UsnReason.DataOverwrite | UsnReason.DataExtend | UsnReason.DataTruncation
        | UsnReason.NamedDataOverwrite | UsnReason.NamedDataExtend | UsnReason.NamedDataTruncation;

    private readonly Dictionary<UInt128, OpenFile> _open = [];

    private sealed class OpenFile(long firstUsn)
    {
        public long FirstUsn { get; } = firstUsn;
        public UsnReason Reasons { get; set; }

        /// <summary>The path before the first rename of this open, once known.</summary>
        public string? OldPath { get; set; }
    }

    /// <summary>The first USN of a file still open (no close record yet): a saved cursor must not pass it, or the file's change is lost on restart.</summary>
    public long? LowestOpenUsn => _open.Count == 0 ? null : _open.Values.Min(f => f.FirstUsn);

    /// <summary>Forgets files still open: after a gap, the rescan covers them.</summary>
    public void Reset() => _open.Clear();

    /// <summary>Takes in one record and appends the signals it completes.</summary>
    public void Apply(UsnRecord record, List<ChangeSignal> signals)
    {
        // V4 records detail the byte ranges of a change whose V3 record comes too; they carry no name.
        if (record.FileName is null)
            return;
        var id = record.FileId;
        if (!_open.TryGetValue(id, out var file))
            _open[id] = file = new OpenFile(record.Usn);
        file.Reasons |= record.Reason;

        if ((record.Reason & UsnReason.RenameOldName) != 0)
        {
            // The old-name half names the file where it was; the cache keeps that until the new-name half comes.
            file.OldPath ??= paths.PathOf(record.ParentFileId, record.FileName);
            return;
        }
        if ((record.Reason & UsnReason.RenameNewName) != 0 && file.OldPath is null)
        {
            // The old-name half is gone (overwritten, or before the cursor we resumed from):
            // fall back to the name the cache had for the file before this record.
            file.OldPath = paths.PathOf(id);
        }
        paths.Set(id, record.ParentFileId, record.FileName, record.IsDirectory);

        if ((record.Reason & UsnReason.Close) == 0)
            return;
        _open.Remove(id);
        string? path = paths.PathOf(id);
        if ((file.Reasons & UsnReason.FileDelete) != 0)
            paths.Remove(id);

        var time = record.TimeStampUtc is { } utc ? new DateTimeOffset(utc) : DateTimeOffset.UnixEpoch;
        var kind = KindOf(file.Reasons);
        if (path is null || (kind == ChangeKind.Renamed && file.OldPath is null))
        {
            // Without a path, or without the place a renamed file (perhaps a directory and all it held) came from,
            // no hint can name what changed: only a rescan can.
            signals.Add(new GapSignal(source, time, paths.RootPath + "\\", GapReason.JournalWrapped,
                $"file {UsnFormat.FileId(id)} ({record.FileName}) changed, but the journal no longer says where it {(path is null ? "is" : "came from")}"));
            return;
        }
        signals.Add(new ChangeHint(source, time, path, kind)
        {
            OldPath = kind == ChangeKind.Renamed ? file.OldPath : null,
            FileId = id,
        });
    }

    private static ChangeKind KindOf(UsnReason reasons) =>
        (reasons & UsnReason.FileDelete) != 0 ? ChangeKind.Deleted
        : (reasons & (UsnReason.RenameNewName | UsnReason.RenameOldName)) != 0 ? ChangeKind.Renamed
        : (reasons & UsnReason.FileCreate) != 0 ? ChangeKind.Created
        : (reasons & DataChanges) != 0 ? ChangeKind.Modified
        : ChangeKind.MetadataChanged;
}
