using System.Buffers.Binary;

namespace Compliance.Ntfs.Tests;

/// <summary>Finds things inside raw FILE records so tests can damage one precise field.</summary>
internal static class RecordBytes
{
    /// <summary>Offset, within the record, of the first attribute of the given type.</summary>
    public static int FindAttribute(ReadOnlySpan<byte> record, AttributeType type)
    {
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(record[20..]);
        while (BinaryPrimitives.ReadUInt32LittleEndian(record[offset..]) != (uint)type)
            offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(record[(offset + 4)..]);
        return offset;
    }

    /// <summary>Offset, within the record, of a resident attribute's value.</summary>
    public static int ValueOf(ReadOnlySpan<byte> record, AttributeType type)
    {
        int attribute = FindAttribute(record, type);
        return attribute + BinaryPrimitives.ReadUInt16LittleEndian(record[(attribute + 20)..]);
    }
}
