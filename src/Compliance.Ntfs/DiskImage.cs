using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>Where one NTFS volume lies in an image. <see cref="Partition"/> is the 1-based partition table slot, 0 for a bare volume.</summary>
public sealed record VolumeLocation(int Partition, long Offset, long Length);

/// <summary>
/// Finds the NTFS volumes of an image: a bare volume, a disk with an MBR or GPT partition table, either of those
/// inside a fixed VHD. Other formats (VHDX, VMDK, qcow2, dynamic VHD) convert with `qemu-img convert -O raw`.
/// </summary>
public static class DiskImage
{
    private const int SectorSize = 512;
    private const int VhdFooterLength = 512;
    private const uint VhdFixedDisk = 2;
    private const byte MbrProtectiveGpt = 0xEE;
    private const int MbrPartitionTable = 446;
    private const int MaxGptEntries = 1024;

    public static IReadOnlyList<VolumeLocation> FindNtfsVolumes(Stream image)
    {
        long length = DiskLength(image);
        if (length < SectorSize)
            throw new NtfsFormatException($"image truncated: {image.Length} bytes is less than one sector");
        var first = ReadSector(image, 0);
        if (BootSector.HasNtfsSignature(first))
            return [new VolumeLocation(0, 0, length)];
        if (BinaryPrimitives.ReadUInt16LittleEndian(first.AsSpan(510)) != 0xAA55)
            throw new NtfsFormatException("neither an NTFS volume nor a disk with a partition table: sector 0 has no NTFS boot sector or MBR signature");

        var candidates = first[MbrPartitionTable + 4] == MbrProtectiveGpt ? GptPartitions(image, length) : MbrPartitions(first);
        var volumes = new List<VolumeLocation>();
        foreach (var (partition, offset, size) in candidates)
        {
            if (offset <= 0 || size <= 0 || offset > length - Math.Min(size, SectorSize))
                continue;
            if (!BootSector.HasNtfsSignature(ReadSector(image, offset)))
                continue;
            if (size > length - offset)
                throw new NtfsFormatException($"image truncated: partition {partition} ends at byte {offset + size}, the image at {length}");
            volumes.Add(new VolumeLocation(partition, offset, size));
        }
        if (volumes.Count == 0)
            throw new NtfsFormatException("the partition table lists no NTFS partition");
        return volumes;
    }

    /// <summary>The disk's length: the whole file, less the 512-byte footer of a fixed VHD.</summary>
    public static long DiskLength(Stream image)
    {
        if (image.Length < VhdFooterLength)
            return image.Length;
        var footer = ReadSector(image, image.Length - VhdFooterLength);
        if (!footer.AsSpan(0, 8).SequenceEqual("conectix"u8))
            return image.Length;
        uint diskType = BinaryPrimitives.ReadUInt32BigEndian(footer.AsSpan(60));
        if (diskType != VhdFixedDisk)
            throw new NtfsFormatException($"VHD disk type {diskType} is not a fixed VHD; convert it first: qemu-img convert -O raw IMAGE.vhd IMAGE.raw");
        return image.Length - VhdFooterLength;
    }

    private static IEnumerable<(int, long, long)> MbrPartitions(byte[] mbr)
    {
        for (int slot = 0; slot < 4; slot++)
        {
            var entry = mbr.AsSpan(MbrPartitionTable + 16 * slot, 16);
            // Any type may hold NTFS (0x07 is usual; 0x27 recovery, 0x17 hidden): the boot sector decides.
            if (entry[4] == 0)
                continue;
            yield return (slot + 1, BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]) * (long)SectorSize,
                BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]) * (long)SectorSize);
        }
    }

    private static List<(int, long, long)> GptPartitions(Stream image, long length)
    {
        var header = ReadSector(image, SectorSize);
        if (!header.AsSpan(0, 8).SequenceEqual("EFI PART"u8))
            throw new NtfsFormatException("protective MBR found but no GPT header at LBA 1");
        long entriesLba = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(72));
        uint entryCount = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(80));
        uint entrySize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(84));
        if (entryCount > MaxGptEntries || entrySize < 128 || entrySize > 4096 || entrySize % 8 != 0)
            throw new NtfsFormatException($"GPT header: {entryCount} entries of {entrySize} bytes is out of range");
        if (entriesLba < 2 || entriesLba > (length - entryCount * entrySize) / SectorSize)
            throw new NtfsFormatException($"GPT partition entries at LBA {entriesLba} lie outside the image");

        var entries = new byte[entryCount * entrySize];
        image.Position = entriesLba * SectorSize;
        image.ReadExactly(entries);
        var partitions = new List<(int, long, long)>();
        for (int index = 0; index < entryCount; index++)
        {
            var entry = entries.AsSpan((int)(index * entrySize), (int)entrySize);
            if (entry[..16].IndexOfAnyExcept((byte)0) < 0)
                continue;
            long firstLba = BinaryPrimitives.ReadInt64LittleEndian(entry[32..]);
            long lastLba = BinaryPrimitives.ReadInt64LittleEndian(entry[40..]);
            if (firstLba <= 0 || lastLba < firstLba || lastLba > long.MaxValue / SectorSize - 1)
                continue;
            partitions.Add((index + 1, firstLba * SectorSize, (lastLba - firstLba + 1) * SectorSize));
        }
        return partitions;
    }

    private static byte[] ReadSector(Stream image, long offset)
    {
        var sector = new byte[SectorSize];
        image.Position = offset;
        if (image.ReadAtLeast(sector, SectorSize, throwOnEndOfStream: false) < SectorSize)
            throw new NtfsFormatException($"image truncated: no full sector at byte {offset}");
        return sector;
    }
}
