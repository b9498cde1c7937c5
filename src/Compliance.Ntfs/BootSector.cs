using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>The facts of an NTFS boot sector ($Boot, sector 0 of the volume) the reader needs.</summary>
public sealed record BootSector(
    int BytesPerSector,
    int BytesPerCluster,
    long TotalSectors,
    long MftCluster,
    long MftMirrorCluster,
    int MftRecordSize,
    int IndexRecordSize,
    ulong SerialNumber)
{
    public const int Size = 512;

    // Windows formats clusters up to 2 MiB; anything larger is a corrupt field, not a real volume.
    private const int MaxClusterSize = 2 * 1024 * 1024;

    public long ClusterCount => TotalSectors * BytesPerSector / BytesPerCluster;

    public long VolumeSize => TotalSectors * BytesPerSector;

    /// <summary>True when the OEM ID at offset 3 says "NTFS    ", the cheap test containers use to find volumes.</summary>
    public static bool HasNtfsSignature(ReadOnlySpan<byte> sector) =>
        sector.Length >= 11 && sector.Slice(3, 8).SequenceEqual("NTFS    "u8);

    public static BootSector Parse(ReadOnlySpan<byte> sector)
    {
        if (sector.Length < Size)
            throw new NtfsFormatException($"boot sector is {sector.Length} bytes, expected {Size}");
        if (!HasNtfsSignature(sector))
            throw new NtfsFormatException("not an NTFS boot sector: the OEM ID at offset 3 is not \"NTFS    \"");
        if (BinaryPrimitives.ReadUInt16LittleEndian(sector[510..]) != 0xAA55)
            throw new NtfsFormatException("NTFS boot sector lacks the 0x55AA end marker");

        int bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(sector[0x0B..]);
        if (bytesPerSector is < 256 or > 4096 || !IsPowerOfTwo(bytesPerSector))
            throw new NtfsFormatException($"boot sector: {bytesPerSector} bytes per sector is not a power of two in 256..4096");

        // Sectors per cluster above 0x80 is a negative exponent: 2^(256 - value) sectors (volumes with clusters > 64 KiB).
        byte rawSectorsPerCluster = sector[0x0D];
        long sectorsPerCluster = rawSectorsPerCluster <= 0x80 ? rawSectorsPerCluster : 1L << Math.Min(256 - rawSectorsPerCluster, 31);
        long bytesPerCluster = sectorsPerCluster * bytesPerSector;
        if (sectorsPerCluster == 0 || !IsPowerOfTwo(sectorsPerCluster) || bytesPerCluster > MaxClusterSize)
            throw new NtfsFormatException($"boot sector: sectors per cluster byte 0x{rawSectorsPerCluster:X2} gives no valid cluster size");

        long totalSectors = BinaryPrimitives.ReadInt64LittleEndian(sector[0x28..]);
        long mftCluster = BinaryPrimitives.ReadInt64LittleEndian(sector[0x30..]);
        long mirrorCluster = BinaryPrimitives.ReadInt64LittleEndian(sector[0x38..]);
        if (totalSectors <= 0 || totalSectors > long.MaxValue / bytesPerSector)
            throw new NtfsFormatException($"boot sector: total sector count {totalSectors} is out of range");
        long clusterCount = totalSectors * bytesPerSector / bytesPerCluster;
        if (mftCluster <= 0 || mftCluster >= clusterCount)
            throw new NtfsFormatException($"boot sector: $MFT cluster {mftCluster} lies outside the volume's {clusterCount} clusters");

        int recordSize = RecordSize(sector[0x40], bytesPerCluster, "MFT record");
        int indexSize = RecordSize(sector[0x44], bytesPerCluster, "index record");
        if (recordSize is < 256 or > 65536)
            throw new NtfsFormatException($"boot sector: MFT record size {recordSize} is outside 256..65536");

        return new BootSector(bytesPerSector, (int)bytesPerCluster, totalSectors, mftCluster, mirrorCluster,
            recordSize, indexSize, BinaryPrimitives.ReadUInt64LittleEndian(sector[0x48..]));
    }

    // A positive value counts clusters; a negative one is -log2 of the size in bytes (the usual 0xF6 = 1 KiB).
    private static int RecordSize(byte raw, long bytesPerCluster, string what)
    {
        sbyte value = unchecked((sbyte)raw);
        long size = value > 0 ? value * bytesPerCluster : value < 0 && value >= -31 ? 1L << -value : 0;
        if (size <= 0 || size > 1 << 24 || !IsPowerOfTwo(size))
            throw new NtfsFormatException($"boot sector: {what} size byte 0x{raw:X2} gives no valid size");
        return (int)size;
    }

    private static bool IsPowerOfTwo(long value) => value > 0 && (value & (value - 1)) == 0;
}
