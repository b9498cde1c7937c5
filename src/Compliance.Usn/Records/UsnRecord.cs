namespace Compliance.Usn.Records;

/// <summary>One byte range of a file that a USN_RECORD_V4 (range tracking) reports as changed.</summary>
public readonly record struct UsnExtent(long Offset, long Length);

/// <summary>
/// One change journal record, whatever its version. V2 file references (64 bits) are widened to 128 bits
/// so that every version has one file ID type. V4 records carry no name, time stamp, attributes or
/// security ID; for them <see cref="FileName"/> is null and those fields are zero.
/// </summary>
public sealed class UsnRecord
{
    /// <summary>Where the record starts in the input (file offset for a raw $J stream).</summary>
    public required long Offset { get; init; }
    public required int RecordLength { get; init; }
    public required ushort MajorVersion { get; init; }
    public required ushort MinorVersion { get; init; }
    public required UInt128 FileId { get; init; }
    public required UInt128 ParentFileId { get; init; }
    public required long Usn { get; init; }

    /// <summary>FILETIME: 100 ns intervals since 1601-01-01 UTC.</summary>
    public long TimeStamp { get; init; }
    public required UsnReason Reason { get; init; }
    public required UsnSourceInfo SourceInfo { get; init; }
    public uint SecurityId { get; init; }
    public UsnFileAttributes FileAttributes { get; init; }
    public string? FileName { get; init; }

    /// <summary>V4 only: how many more V4 records follow for the same change.</summary>
    public uint RemainingExtents { get; init; }
    public IReadOnlyList<UsnExtent> Extents { get; init; } = [];

    public bool IsDirectory => (FileAttributes & UsnFileAttributes.Directory) != 0;

    /// <summary>The time stamp as UTC, or null when it lies outside what <see cref="DateTime"/> can hold.</summary>
    public DateTime? TimeStampUtc =>
        TimeStamp >= 0 && TimeStamp <= DateTime.MaxValue.ToFileTimeUtc() ? DateTime.FromFileTimeUtc(TimeStamp) : null;
}
