using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>A run of clusters of a non-resident attribute: <see cref="Length"/> clusters from virtual cluster
/// <see cref="Vcn"/> stored at logical cluster <see cref="Lcn"/>, or a hole (sparse) when Lcn is -1.</summary>
public readonly record struct DataRun(long Vcn, long Lcn, long Length)
{
    public bool IsSparse => Lcn < 0;

    /// <summary>
    /// Decodes a mapping-pairs array. Each pair is a header byte (low nibble: bytes of length, high nibble:
    /// bytes of a signed LCN delta, 0 for a hole), then the two little-endian numbers. Every run must stay
    /// inside the volume and the runs must end at <paramref name="lastVcn"/>.
    /// </summary>
    public static List<DataRun> Decode(ReadOnlySpan<byte> pairs, long firstVcn, long lastVcn, long clusterCount)
    {
        var runs = new List<DataRun>();
        long vcn = firstVcn;
        long lcn = 0;
        int position = 0;
        while (position < pairs.Length && pairs[position] != 0)
        {
            int lengthSize = pairs[position] & 0x0F;
            int offsetSize = pairs[position] >> 4;
            if (lengthSize is 0 or > 8 || offsetSize > 8)
                throw new NtfsFormatException($"data run at byte {position}: header 0x{pairs[position]:X2} has invalid field sizes");
            if (position + 1 + lengthSize + offsetSize > pairs.Length)
                throw new NtfsFormatException($"data run at byte {position} runs past the end of its attribute");

            long length = ReadSigned(pairs.Slice(position + 1, lengthSize));
            if (length <= 0)
                throw new NtfsFormatException($"data run at byte {position}: length {length} is not positive");
            long start = -1;
            if (offsetSize > 0)
            {
                lcn += ReadSigned(pairs.Slice(position + 1 + lengthSize, offsetSize));
                if (lcn < 0 || length > clusterCount || lcn > clusterCount - length)
                    throw new NtfsFormatException($"data run at VCN {vcn}: clusters {lcn}..{lcn + length - 1} lie outside the volume's {clusterCount} clusters");
                start = lcn;
            }
            if (length > lastVcn + 1 - vcn)
                throw new NtfsFormatException($"data runs reach past the attribute's last VCN {lastVcn}");
            runs.Add(new DataRun(vcn, start, length));
            vcn += length;
            position += 1 + lengthSize + offsetSize;
        }
        return runs;
    }

    // Little-endian two's complement of 1..8 bytes.
    private static long ReadSigned(ReadOnlySpan<byte> bytes)
    {
        Span<byte> wide = stackalloc byte[8];
        bytes.CopyTo(wide);
        if ((sbyte)bytes[^1] < 0)
            wide[bytes.Length..].Fill(0xFF);
        return BinaryPrimitives.ReadInt64LittleEndian(wide);
    }
}
