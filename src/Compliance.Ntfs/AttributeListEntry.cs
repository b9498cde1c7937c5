using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>One entry of an $ATTRIBUTE_LIST: which record holds which attribute (and from which VCN) of a file
/// too big for one record.</summary>
public readonly record struct AttributeListEntry(AttributeType Type, string Name, long FirstVcn, FileReference Record, ushort AttributeId)
{
    private const int MinimumLength = 26;

    public static List<AttributeListEntry> ParseAll(ReadOnlySpan<byte> list)
    {
        var entries = new List<AttributeListEntry>();
        int position = 0;
        while (position + MinimumLength <= list.Length)
        {
            var entry = list[position..];
            var type = (AttributeType)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]);
            int nameChars = entry[6];
            int nameOffset = entry[7];
            if (length < MinimumLength || length > entry.Length || nameOffset + 2 * nameChars > length)
                throw new NtfsFormatException($"$ATTRIBUTE_LIST entry at byte {position}: length {length} or its name does not fit the list");
            string name = Utf16.Read(entry.Slice(nameOffset, 2 * nameChars));
            entries.Add(new AttributeListEntry(type, name, BinaryPrimitives.ReadInt64LittleEndian(entry[8..]),
                FileReference.Read(entry[16..]), BinaryPrimitives.ReadUInt16LittleEndian(entry[24..])));
            position += length;
        }
        return entries;
    }
}
