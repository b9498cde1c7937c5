using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>Walks the attributes of one FILE record (fixups already applied) and adds what they say to an entry.</summary>
internal static class MftRecordParser
{
    private const int ResidentHeaderLength = 24;
    private const int NonResidentHeaderLength = 64;
    private const ushort FlagCompressed = 0x0001;
    private const ushort FlagEncrypted = 0x4000;
    private const ushort FlagSparse = 0x8000;
    // Compression units are 2^n clusters; Windows only writes n = 4, anything past 16 is corruption.
    private const int MaxCompressionUnitExponent = 16;

    /// <param name="clusterCount">The volume's clusters, bounding every data run (long.MaxValue for a bare $MFT).</param>
    public static void AddAttributes(ReadOnlySpan<byte> record, MftRecordHeader header, MftEntry entry, long clusterCount)
    {
        var used = record[..header.UsedSize];
        int offset = header.FirstAttributeOffset;
        while (true)
        {
            if (offset + 4 > used.Length)
                throw new NtfsFormatException($"attributes run past the record's used size {used.Length} without an end marker");
            var type = (AttributeType)BinaryPrimitives.ReadUInt32LittleEndian(used[offset..]);
            if (type == AttributeType.End)
                return;
            if (offset + 16 > used.Length)
                throw new NtfsFormatException($"attribute 0x{(uint)type:X} at offset {offset}: header does not fit the record");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(used[(offset + 4)..]);
            if (length < 16 || length > used.Length - offset)
                throw new NtfsFormatException($"attribute 0x{(uint)type:X} at offset {offset}: length {length} points outside its {record.Length}-byte record");
            AddAttribute(type, used.Slice(offset, (int)length), offset, entry, clusterCount);
            offset += (int)length;
        }
    }

    private static void AddAttribute(AttributeType type, ReadOnlySpan<byte> attribute, int offset, MftEntry entry, long clusterCount)
    {
        bool nonResident = attribute[8] != 0;
        int nameChars = attribute[9];
        int nameOffset = BinaryPrimitives.ReadUInt16LittleEndian(attribute[10..]);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(attribute[12..]);
        if (nameOffset + 2 * nameChars > attribute.Length)
            throw new NtfsFormatException($"attribute 0x{(uint)type:X} at offset {offset}: its name lies outside the attribute");
        string name = nameChars == 0 ? "" : Utf16.Read(attribute.Slice(nameOffset, 2 * nameChars));

        if (nonResident)
        {
            bool directoryIndex = type == AttributeType.IndexAllocation && name == DirectoryIndex.Name;
            if (type is not (AttributeType.Data or AttributeType.AttributeList) && !directoryIndex)
                return; // $BITMAP, other indexes...: not needed for listing, content or paths.
            var header = ReadNonResidentHeader(attribute, flags, offset, clusterCount, out int runsOffset);
            var runs = DataRun.Decode(attribute[runsOffset..], header.FirstVcn, header.LastVcn, clusterCount);
            var stream = type == AttributeType.Data ? entry.GetOrAddNonResident(name)
                : directoryIndex ? entry.IndexAllocation ??= DataStream.NonResident(name)
                : entry.AttributeList ??= DataStream.NonResident("$ATTRIBUTE_LIST");
            stream.AddPiece(header, runs);
            return;
        }

        if (attribute.Length < ResidentHeaderLength)
            throw new NtfsFormatException($"resident attribute 0x{(uint)type:X} at offset {offset}: {attribute.Length} bytes is shorter than its header");
        uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(attribute[16..]);
        int valueOffset = BinaryPrimitives.ReadUInt16LittleEndian(attribute[20..]);
        if (valueOffset > attribute.Length || valueLength > attribute.Length - valueOffset)
            throw new NtfsFormatException($"resident attribute 0x{(uint)type:X} at offset {offset}: value ({valueLength} bytes at {valueOffset}) lies outside the attribute");
        var value = attribute.Slice(valueOffset, (int)valueLength);

        switch (type)
        {
            case AttributeType.StandardInformation:
                entry.StandardInformation ??= StandardInformation.Parse(value);
                break;
            case AttributeType.AttributeList:
                entry.AttributeList = DataStream.Resident("$ATTRIBUTE_LIST", value.ToArray());
                break;
            case AttributeType.FileName:
                entry.FileNames.Add(FileName.Parse(value));
                break;
            case AttributeType.SecurityDescriptor:
                entry.SecurityDescriptor = value.ToArray();
                break;
            case AttributeType.Data:
                entry.DataStreams.Add(DataStream.Resident(name, value.ToArray()));
                break;
            case AttributeType.IndexRoot when name == DirectoryIndex.Name:
                entry.IndexRoot = value.ToArray();
                break;
            case AttributeType.ReparsePoint:
                entry.ReparsePoint = ReparsePoint.Parse(value);
                break;
        }
    }

    private static NonResidentHeader ReadNonResidentHeader(ReadOnlySpan<byte> attribute, ushort flags, int offset, long clusterCount, out int runsOffset)
    {
        if (attribute.Length < NonResidentHeaderLength)
            throw new NtfsFormatException($"non-resident attribute at offset {offset}: {attribute.Length} bytes is shorter than its header");
        long firstVcn = BinaryPrimitives.ReadInt64LittleEndian(attribute[16..]);
        long lastVcn = BinaryPrimitives.ReadInt64LittleEndian(attribute[24..]);
        runsOffset = BinaryPrimitives.ReadUInt16LittleEndian(attribute[32..]);
        int unitExponent = BinaryPrimitives.ReadUInt16LittleEndian(attribute[34..]);
        long allocated = BinaryPrimitives.ReadInt64LittleEndian(attribute[40..]);
        long dataSize = BinaryPrimitives.ReadInt64LittleEndian(attribute[48..]);
        long initialized = BinaryPrimitives.ReadInt64LittleEndian(attribute[56..]);

        if (runsOffset < NonResidentHeaderLength || runsOffset > attribute.Length)
            throw new NtfsFormatException($"non-resident attribute at offset {offset}: data runs at {runsOffset} lie outside the attribute");
        if (firstVcn < 0 || lastVcn < firstVcn - 1 || lastVcn >= clusterCount)
            throw new NtfsFormatException($"non-resident attribute at offset {offset}: VCN range {firstVcn}..{lastVcn} does not fit the volume");
        if (dataSize < 0 || allocated < 0 || initialized < 0 || initialized > dataSize)
            throw new NtfsFormatException($"non-resident attribute at offset {offset}: sizes (allocated {allocated}, data {dataSize}, initialized {initialized}) are inconsistent");
        if (unitExponent > MaxCompressionUnitExponent)
            throw new NtfsFormatException($"non-resident attribute at offset {offset}: compression unit 2^{unitExponent} clusters is out of range");

        return new NonResidentHeader(firstVcn, lastVcn, allocated, dataSize, initialized,
            unitExponent == 0 ? 0 : 1 << unitExponent,
            (flags & FlagCompressed) != 0, (flags & FlagSparse) != 0, (flags & FlagEncrypted) != 0);
    }
}
