using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>
/// NTFS's guard against torn multi-sector writes, shared by FILE records and INDX blocks: the last two bytes of every
/// 512-byte stride hold the update sequence number, and the array (its offset and count at bytes 4 and 6, after the
/// signature) holds the bytes they stand in for.
/// </summary>
internal static class UpdateSequenceArray
{
    // The array protects every 512 bytes, whatever the disk's sector size.
    public const int Stride = 512;

    // FILE and INDX headers both end at byte 40, where Windows puts the array.
    private const int MinimumOffset = 40;

    /// <summary>
    /// Checks every stride's tail against the update sequence number and puts the saved bytes back, in place.
    /// <paramref name="noun"/> names the structure in the problem ("record", "index block").
    /// </summary>
    public static RecordState Apply(Span<byte> block, string noun, out string? problem)
    {
        problem = null;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(block[4..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(block[6..]);
        int strides = block.Length / Stride;
        if (count != strides + 1 || offset < MinimumOffset || offset + 2 * count > block.Length)
        {
            problem = $"update sequence array (offset {offset}, {count} entries) does not fit a {block.Length}-byte {noun}";
            return RecordState.Malformed;
        }

        ushort sequenceNumber = BinaryPrimitives.ReadUInt16LittleEndian(block[offset..]);
        for (int i = 0; i < strides; i++)
        {
            var tail = block.Slice(i * Stride + Stride - 2, 2);
            if (BinaryPrimitives.ReadUInt16LittleEndian(tail) != sequenceNumber)
            {
                problem = $"torn {noun}: sector {i} ends in 0x{BinaryPrimitives.ReadUInt16LittleEndian(tail):X4}, update sequence number is 0x{sequenceNumber:X4}";
                return RecordState.Torn;
            }
            block.Slice(offset + 2 + 2 * i, 2).CopyTo(tail);
        }
        return RecordState.Valid;
    }
}
