using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Compliance.Usn.Records.UsnRecordLayout;

namespace Compliance.Usn.Records;

/// <summary>The outcome of decoding one record from the front of a buffer.</summary>
public enum UsnParseStatus
{
    Parsed,

    /// <summary>The header is plausible but its RecordLength runs past the end of the buffer.</summary>
    Incomplete,
    Malformed,
}

/// <summary>Decodes one USN_RECORD_V2/V3/V4 at the start of a span; every length and offset is checked against the record and the span.</summary>
public static class UsnRecordParser
{
    public static UsnParseStatus TryParse(ReadOnlySpan<byte> data, long offset, out UsnRecord? record, out string? error)
    {
        record = null;
        error = null;
        if (data.Length < CommonHeaderSize)
        {
            error = $"{data.Length} bytes left, fewer than a record header's {CommonHeaderSize}";
            return UsnParseStatus.Incomplete;
        }

        uint recordLength = BinaryPrimitives.ReadUInt32LittleEndian(data);
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        int fixedSize = major switch
        {
            2 => V2FixedSize,
            3 => V2FixedSize + V3Shift,
            4 => V4Extents,
            _ => -1,
        };
        if (fixedSize < 0)
        {
            error = $"unknown record major version {major}";
            return UsnParseStatus.Malformed;
        }
        if (recordLength < fixedSize || recordLength > MaxRecordLength || recordLength % Alignment != 0)
        {
            error = $"record length {recordLength} is impossible for a version {major} record";
            return UsnParseStatus.Malformed;
        }
        if (recordLength > data.Length)
        {
            error = $"record length {recordLength} runs past the end of the input ({data.Length} bytes left)";
            return UsnParseStatus.Incomplete;
        }

        var bytes = data[..(int)recordLength];
        record = major switch
        {
            4 => ParseV4(bytes, offset, minor, out error),
            _ => ParseNamed(bytes, offset, major, minor, out error),
        };
        return record is null ? UsnParseStatus.Malformed : UsnParseStatus.Parsed;
    }

    // V2 and V3 differ only in the width of the two file IDs: every later field of V3 sits 16 bytes further on.
    private static UsnRecord? ParseNamed(ReadOnlySpan<byte> bytes, long offset, ushort major, ushort minor, out string? error)
    {
        bool wideIds = major == 3;
        int shift = wideIds ? V3Shift : 0;
        string? name = ReadName(bytes, V2FixedSize + shift, V2FileNameLength + shift, V2FileNameOffset + shift, out error);
        if (name is null)
            return null;
        return new UsnRecord
        {
            Offset = offset,
            RecordLength = bytes.Length,
            MajorVersion = major,
            MinorVersion = minor,
            FileId = wideIds ? BinaryPrimitives.ReadUInt128LittleEndian(bytes[FileId128..]) : BinaryPrimitives.ReadUInt64LittleEndian(bytes[V2FileReference..]),
            ParentFileId = wideIds ? BinaryPrimitives.ReadUInt128LittleEndian(bytes[ParentFileId128..]) : BinaryPrimitives.ReadUInt64LittleEndian(bytes[V2ParentFileReference..]),
            Usn = BinaryPrimitives.ReadInt64LittleEndian(bytes[(V2Usn + shift)..]),
            TimeStamp = BinaryPrimitives.ReadInt64LittleEndian(bytes[(V2TimeStamp + shift)..]),
            Reason = (UsnReason)BinaryPrimitives.ReadUInt32LittleEndian(bytes[(V2Reason + shift)..]),
            SourceInfo = (UsnSourceInfo)BinaryPrimitives.ReadUInt32LittleEndian(bytes[(V2SourceInfo + shift)..]),
            SecurityId = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(V2SecurityId + shift)..]),
            FileAttributes = (UsnFileAttributes)BinaryPrimitives.ReadUInt32LittleEndian(bytes[(V2FileAttributes + shift)..]),
            FileName = name,
        };
    }

    private static UsnRecord? ParseV4(ReadOnlySpan<byte> bytes, long offset, ushort minor, out string? error)
    {
        ushort count = BinaryPrimitives.ReadUInt16LittleEndian(bytes[V4NumberOfExtents..]);
        ushort extentSize = BinaryPrimitives.ReadUInt16LittleEndian(bytes[V4ExtentSize..]);
        if (count > 0 && extentSize < ExtentSize)
        {
            error = $"extent size {extentSize} is smaller than a USN_RECORD_EXTENT ({ExtentSize})";
            return null;
        }
        if (V4Extents + (long)count * extentSize > bytes.Length)
        {
            error = $"{count} extents of {extentSize} bytes do not fit in a {bytes.Length}-byte record";
            return null;
        }
        var extents = new UsnExtent[count];
        for (int i = 0; i < count; i++)
        {
            var extent = bytes.Slice(V4Extents + i * extentSize, ExtentSize);
            extents[i] = new UsnExtent(
                BinaryPrimitives.ReadInt64LittleEndian(extent),
                BinaryPrimitives.ReadInt64LittleEndian(extent[8..]));
        }
        error = null;
        return new UsnRecord
        {
            Offset = offset,
            RecordLength = bytes.Length,
            MajorVersion = 4,
            MinorVersion = minor,
            FileId = BinaryPrimitives.ReadUInt128LittleEndian(bytes[FileId128..]),
            ParentFileId = BinaryPrimitives.ReadUInt128LittleEndian(bytes[ParentFileId128..]),
            Usn = BinaryPrimitives.ReadInt64LittleEndian(bytes[V4Usn..]),
            Reason = (UsnReason)BinaryPrimitives.ReadUInt32LittleEndian(bytes[V4Reason..]),
            SourceInfo = (UsnSourceInfo)BinaryPrimitives.ReadUInt32LittleEndian(bytes[V4SourceInfo..]),
            RemainingExtents = BinaryPrimitives.ReadUInt32LittleEndian(bytes[V4RemainingExtents..]),
            Extents = extents,
        };
    }

    private static string? ReadName(ReadOnlySpan<byte> bytes, int fixedSize, int lengthField, int offsetField, out string? error)
    {
        ushort nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[lengthField..]);
        ushort nameOffset = BinaryPrimitives.ReadUInt16LittleEndian(bytes[offsetField..]);
        if (nameOffset < fixedSize || nameLength % 2 != 0 || nameOffset + nameLength > bytes.Length)
        {
            error = $"file name ({nameLength} bytes at {nameOffset}) does not fit in the {bytes.Length}-byte record";
            return null;
        }
        error = null;
        // NTFS names are UTF-16 code units that need not be valid Unicode (lone surrogates); keep them as they are.
        return new string(MemoryMarshal.Cast<byte, char>(bytes.Slice(nameOffset, nameLength)));
    }
}
