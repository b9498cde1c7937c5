namespace Compliance.Usn.Records;

/// <summary>Field offsets and fixed sizes of USN_RECORD_V2, V3 and V4 (winioctl.h); every record starts with USN_RECORD_COMMON_HEADER.</summary>
internal static class UsnRecordLayout
{
    // USN_RECORD_COMMON_HEADER: RecordLength (4), MajorVersion (2), MinorVersion (2).
    public const int CommonHeaderSize = 8;

    // NTFS never lets a record cross a journal page, so a longer length is corruption, not a long record.
    public const int MaxRecordLength = 4096;

    // V2: 64-bit FileReferenceNumber and ParentFileReferenceNumber, then the fields below.
    public const int V2FileReference = 8;
    public const int V2ParentFileReference = 16;
    public const int V2Usn = 24;
    public const int V2TimeStamp = 32;
    public const int V2Reason = 40;
    public const int V2SourceInfo = 44;
    public const int V2SecurityId = 48;
    public const int V2FileAttributes = 52;
    public const int V2FileNameLength = 56;
    public const int V2FileNameOffset = 58;
    public const int V2FixedSize = 60;

    // V3 and V4 carry 128-bit FILE_ID_128s, which moves every V3 field after them 16 bytes on.
    public const int FileId128 = 8;
    public const int ParentFileId128 = 24;
    public const int V3Shift = 16;

    public const int V4Usn = 40;
    public const int V4Reason = 48;
    public const int V4SourceInfo = 52;
    public const int V4RemainingExtents = 56;
    public const int V4NumberOfExtents = 60;
    public const int V4ExtentSize = 62;
    public const int V4Extents = 64;

    // USN_RECORD_EXTENT: Offset (8), Length (8).
    public const int ExtentSize = 16;

    // Records are QuadAligned: each one starts on an 8-byte boundary.
    public const int Alignment = 8;
}
