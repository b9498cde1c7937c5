namespace Compliance.Ntfs;

/// <summary>One NTFS volume over a seekable stream: its boot sector, its $MFT (however fragmented) and file content.</summary>
public sealed class NtfsVolume
{
    private const long MftRecord = 0;
    private const long SecureRecord = 9;

    // Windows caps an attribute list at 256 KiB; a larger one is corruption and must not become a huge allocation.
    private const long MaxAttributeListSize = 256 * 1024;

    private readonly Stream _volume;

    private NtfsVolume(Stream volume, BootSector boot)
    {
        _volume = volume;
        Boot = boot;
    }

    public BootSector Boot { get; }

    public static NtfsVolume Open(Stream volume)
    {
        var sector = new byte[BootSector.Size];
        volume.Position = 0;
        int read = volume.ReadAtLeast(sector, sector.Length, throwOnEndOfStream: false);
        if (read < sector.Length)
            throw new NtfsFormatException($"image truncated: {read} bytes, an NTFS boot sector needs {BootSector.Size}");
        if (sector.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            throw new NtfsFormatException("the boot sector is all zeros: not a formatted NTFS volume");
        return new NtfsVolume(volume, BootSector.Parse(sector));
    }

    /// <summary>Reads every MFT entry through the $MFT's own data runs.</summary>
    public MftCatalog ReadCatalog()
    {
        var mft = OpenMft();
        return MftCatalog.Read(mft, Boot.MftRecordSize, Boot.ClusterCount, Boot.BytesPerCluster);
    }

    /// <summary>Owner SIDs by security ID, from $Secure:$SDS (record 9); empty when the volume has none (NTFS 1.2).</summary>
    public Dictionary<uint, string> ReadOwners(MftCatalog catalog)
    {
        if (catalog[SecureRecord]?.DataStreams.Find(s => s.Name == "$SDS") is not { } sds)
            return [];
        if (sds.Size > Boot.VolumeSize || sds.Size > int.MaxValue)
            throw new NtfsFormatException($"$Secure:$SDS of {sds.Size} bytes does not fit the volume");
        var bytes = new byte[sds.Size];
        OpenRead(sds).ReadExactly(bytes);
        return SecurityDescriptors.ReadOwners(bytes);
    }

    /// <summary>The content of a stream: resident bytes from the record, otherwise through the data runs.</summary>
    public Stream OpenRead(DataStream stream) =>
        stream.ResidentData is { } data ? new MemoryStream(data, writable: false) : new NtfsDataStream(_volume, stream, Boot.BytesPerCluster);

    /// <summary>
    /// The $MFT as a stream. Record 0 describes the $MFT itself; when the MFT is so fragmented that its runs do not
    /// fit record 0, its $ATTRIBUTE_LIST names the extension records holding the rest, which lie in the part
    /// already mapped.
    /// </summary>
    private NtfsDataStream OpenMft()
    {
        var record = ReadMftRecordZero();
        var header = MftRecordHeader.Read(record);
        var entry = new MftEntry(MftRecord, header);
        MftRecordParser.AddAttributes(record, header, entry, Boot.ClusterCount);
        if (entry.MainStream is not { IsResident: false } data)
            throw new NtfsFormatException("$MFT record 0 has no non-resident $DATA attribute");

        if (entry.AttributeList is { } listStream)
        {
            if (listStream.Size > MaxAttributeListSize)
                throw new NtfsFormatException($"$MFT record 0: attribute list of {listStream.Size} bytes exceeds the {MaxAttributeListSize} NTFS allows");
            using var list = new MemoryStream();
            OpenRead(listStream).CopyTo(list);
            var seen = new HashSet<long> { MftRecord };
            foreach (var item in AttributeListEntry.ParseAll(list.GetBuffer().AsSpan(0, (int)list.Length)))
            {
                if (item.Type != AttributeType.Data || item.Name.Length != 0 || !seen.Add(item.Record.RecordNumber))
                    continue;
                var extension = ReadRecord(new NtfsDataStream(_volume, data, Boot.BytesPerCluster), item.Record.RecordNumber);
                MftRecordParser.AddAttributes(extension, MftRecordHeader.Read(extension), entry, Boot.ClusterCount);
            }
        }
        if (data.CheckRuns(Boot.BytesPerCluster) is { } problem)
            throw new NtfsFormatException("$MFT: " + problem);
        // The record table is sized from this: it must not exceed the volume that holds it.
        if (data.Size > Boot.VolumeSize || data.Size < Boot.MftRecordSize)
            throw new NtfsFormatException($"$MFT: a size of {data.Size} bytes does not fit a {Boot.VolumeSize}-byte volume");
        return new NtfsDataStream(_volume, data, Boot.BytesPerCluster);
    }

    private byte[] ReadMftRecordZero()
    {
        var record = new byte[Boot.MftRecordSize];
        long offset = Boot.MftCluster * Boot.BytesPerCluster;
        _volume.Position = offset;
        if (_volume.ReadAtLeast(record, record.Length, throwOnEndOfStream: false) < record.Length)
            throw new NtfsFormatException($"image truncated: the $MFT at byte {offset} lies past the end of the {_volume.Length}-byte image");
        return CheckedFixups(record, MftRecord);
    }

    private byte[] ReadRecord(Stream mft, long number)
    {
        var record = new byte[Boot.MftRecordSize];
        if (number * record.Length > mft.Length - record.Length)
            throw new NtfsFormatException($"$ATTRIBUTE_LIST of $MFT points to record {number}, beyond the mapped $MFT");
        mft.Position = number * record.Length;
        mft.ReadExactly(record);
        return CheckedFixups(record, number);
    }

    private static byte[] CheckedFixups(byte[] record, long number)
    {
        var state = MftRecordHeader.ApplyFixups(record, out string? problem);
        if (state != RecordState.Valid)
            throw new NtfsFormatException($"$MFT record {number}: {problem ?? "no FILE signature"}");
        return record;
    }
}
