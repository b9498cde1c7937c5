using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>
/// LZNT1, the compression of NTFS compressed files. A compression unit is a series of chunks, each a 2-byte header
/// (12-bit size minus one, bit 15 set when compressed) and up to 4 KiB of output. A compressed chunk is groups of
/// a flag byte and eight items: a literal byte, or a 16-bit back-reference whose split between offset and length
/// depends on how far into the chunk the output is.
/// </summary>
public static class Lznt1
{
    public const int ChunkSize = 4096;

    /// <summary>Decompresses one compression unit into <paramref name="output"/>, which the caller has zeroed.</summary>
    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int position = 0;
        int chunkStart = 0;
        while (position + 2 <= input.Length && chunkStart < output.Length)
        {
            ushort header = BinaryPrimitives.ReadUInt16LittleEndian(input[position..]);
            if (header == 0)
                return;
            int size = (header & 0x0FFF) + 1;
            position += 2;
            if (size > input.Length - position)
                throw new NtfsFormatException($"LZNT1 chunk of {size} bytes at {position} runs past the compressed data");
            var chunk = input.Slice(position, size);
            var chunkOutput = output.Slice(chunkStart, Math.Min(ChunkSize, output.Length - chunkStart));
            if ((header & 0x8000) == 0)
            {
                if (chunk.Length > chunkOutput.Length)
                    throw new NtfsFormatException("LZNT1 stored chunk is larger than the compression unit");
                chunk.CopyTo(chunkOutput);
            }
            else
            {
                DecompressChunk(chunk, chunkOutput);
            }
            position += size;
            // A chunk that decompressed short is padded with zeros: the next chunk starts 4 KiB further on.
            chunkStart += ChunkSize;
        }
    }

    private static void DecompressChunk(ReadOnlySpan<byte> chunk, Span<byte> output)
    {
        int input = 0;
        int written = 0;
        while (input < chunk.Length)
        {
            byte flags = chunk[input++];
            for (int bit = 0; bit < 8 && input < chunk.Length; bit++)
            {
                if ((flags & (1 << bit)) == 0)
                {
                    if (written >= output.Length)
                        throw new NtfsFormatException("LZNT1 literal writes past the 4 KiB chunk");
                    output[written++] = chunk[input++];
                    continue;
                }
                if (input + 2 > chunk.Length)
                    throw new NtfsFormatException("LZNT1 back-reference cut short at the end of its chunk");
                ushort token = BinaryPrimitives.ReadUInt16LittleEndian(chunk[input..]);
                input += 2;
                // The offset field is as wide as needed to reach the start of the chunk (at least 4 bits).
                int lengthBits = 12;
                for (int reach = written - 1; reach >= 0x10; reach >>= 1)
                    lengthBits--;
                int offset = (token >> lengthBits) + 1;
                int length = (token & ((1 << lengthBits) - 1)) + 3;
                if (offset > written)
                    throw new NtfsFormatException($"LZNT1 back-reference {offset} bytes back, only {written} written");
                if (length > output.Length - written)
                    throw new NtfsFormatException("LZNT1 back-reference writes past the 4 KiB chunk");
                // Byte by byte: source and destination may overlap (a run of one repeated pattern).
                for (int i = 0; i < length; i++, written++)
                    output[written] = output[written - offset];
            }
        }
    }
}
