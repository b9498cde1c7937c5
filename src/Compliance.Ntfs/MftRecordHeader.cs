using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>What reading one MFT record's header and fixups found.</summary>
public enum RecordState
{
    /// <summary>Never written: all zeros or no signature. Skipped silently.</summary>
    Empty,
    /// <summary>A FILE record whose fixups all matched.</summary>
    Valid,
    /// <summary>"BAAD": chkdsk or Windows found this record bad.</summary>
    MarkedBad,
    /// <summary>A sector's last two bytes differ from the update sequence number: the write was torn.</summary>
    Torn,
    /// <summary>The header's offsets or counts do not fit the record.</summary>
    Malformed,
}

/// <summary>The fixed header of a FILE record (the MFT entry), read after its fixups are applied.</summary>
public readonly record struct MftRecordHeader(
    ushort Sequence,
    ushort LinkCount,
    int FirstAttributeOffset,
    bool InUse,
    bool IsDirectory,
    int UsedSize,
    FileReference BaseRecord)
{
    private const ushort FlagInUse = 0x0001;
    private const ushort FlagDirectory = 0x0002;

    /// <summary>
    /// Checks the signature and applies the update sequence array in place (<see cref="UpdateSequenceArray"/>).
    /// </summary>
    public static RecordState ApplyFixups(Span<byte> record, out string? problem)
    {
        problem = null;
        if (record.Length < 48 || record[..4].SequenceEqual("\0\0\0\0"u8))
            return RecordState.Empty;
        if (record[..4].SequenceEqual("BAAD"u8))
        {
            problem = "record is marked BAAD";
            return RecordState.MarkedBad;
        }
        if (!record[..4].SequenceEqual("FILE"u8))
            return RecordState.Empty;

        return UpdateSequenceArray.Apply(record, "record", out problem);
    }

    /// <summary>Reads the header of a record whose fixups were applied; throws when its offsets do not fit.</summary>
    public static MftRecordHeader Read(ReadOnlySpan<byte> record)
    {
        int firstAttribute = BinaryPrimitives.ReadUInt16LittleEndian(record[20..]);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record[22..]);
        uint usedSize = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
        uint allocatedSize = BinaryPrimitives.ReadUInt32LittleEndian(record[28..]);
        if (allocatedSize != record.Length)
            throw new NtfsFormatException($"record says it is {allocatedSize} bytes, the MFT's records are {record.Length}");
        if (usedSize > record.Length || firstAttribute < 42 || firstAttribute > usedSize)
            throw new NtfsFormatException($"record header: first attribute at {firstAttribute}, used size {usedSize}, do not fit {record.Length} bytes");
        return new MftRecordHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(record[16..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[18..]),
            firstAttribute,
            (flags & FlagInUse) != 0,
            (flags & FlagDirectory) != 0,
            (int)usedSize,
            FileReference.Read(record[32..]));
    }
}

/// <summary>A 64-bit file reference: 48-bit MFT record number and 16-bit sequence number.</summary>
public readonly record struct FileReference(long RecordNumber, ushort Sequence)
{
    public static FileReference Read(ReadOnlySpan<byte> bytes)
    {
        ulong raw = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return new FileReference((long)(raw & 0x0000_FFFF_FFFF_FFFF), (ushort)(raw >> 48));
    }

    public bool IsNone => RecordNumber == 0 && Sequence == 0;
}
