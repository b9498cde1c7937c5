using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Compliance.Usn.Records.UsnRecordLayout;

namespace Compliance.Usn.Records;

/// <summary>Writes V2 and V3 records byte for byte as NTFS lays them out: the simulated journal's output and the parser's round trip.</summary>
public static class UsnRecordEncoder
{
    /// <summary>The record's length as written: fixed part and name, rounded up to 8 bytes.</summary>
    public static int LengthOf(ushort majorVersion, string fileName) =>
        Align(V2FixedSize + Shift(majorVersion) + fileName.Length * 2);

    /// <summary>Writes <paramref name="record"/> as a version <paramref name="majorVersion"/> record; returns its length.</summary>
    /// <exception cref="ArgumentException">The destination is too small, the version is not 2 or 3, or a V2 record's IDs do not fit 64 bits.</exception>
    public static int Write(Span<byte> destination, UsnRecord record, ushort majorVersion)
    {
        string name = record.FileName ?? throw new ArgumentException("V2 and V3 records carry a file name.", nameof(record));
        int length = LengthOf(majorVersion, name);
        if (destination.Length < length)
            throw new ArgumentException($"{length}-byte record does not fit in {destination.Length} bytes.", nameof(destination));
        if (majorVersion == 2 && (record.FileId > ulong.MaxValue || record.ParentFileId > ulong.MaxValue))
            throw new ArgumentException("A V2 record holds 64-bit file references only.", nameof(record));

        int shift = Shift(majorVersion);
        var bytes = destination[..length];
        bytes.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[4..], majorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[6..], record.MinorVersion);
        if (majorVersion == 2)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[V2FileReference..], (ulong)record.FileId);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[V2ParentFileReference..], (ulong)record.ParentFileId);
        }
        else
        {
            BinaryPrimitives.WriteUInt128LittleEndian(bytes[FileId128..], record.FileId);
            BinaryPrimitives.WriteUInt128LittleEndian(bytes[ParentFileId128..], record.ParentFileId);
        }
        BinaryPrimitives.WriteInt64LittleEndian(bytes[(V2Usn + shift)..], record.Usn);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[(V2TimeStamp + shift)..], record.TimeStamp);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(V2Reason + shift)..], (uint)record.Reason);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(V2SourceInfo + shift)..], (uint)record.SourceInfo);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(V2SecurityId + shift)..], record.SecurityId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(V2FileAttributes + shift)..], (uint)record.FileAttributes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[(V2FileNameLength + shift)..], (ushort)(name.Length * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[(V2FileNameOffset + shift)..], (ushort)(V2FixedSize + shift));
        MemoryMarshal.AsBytes(name.AsSpan()).CopyTo(bytes[(V2FixedSize + shift)..]);
        return length;
    }

    private static int Shift(ushort majorVersion) => majorVersion switch
    {
        2 => 0,
        3 => V3Shift,
        _ => throw new ArgumentException($"Only V2 and V3 records are written, not V{majorVersion}.", nameof(majorVersion)),
    };

    private static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}
