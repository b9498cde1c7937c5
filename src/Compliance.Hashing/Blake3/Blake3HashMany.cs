namespace Compliance.Hashing.Blake3;

/// <summary>
/// Compresses several equal-length inputs that lie back to back in memory (whole chunks, or pairs of
/// chaining values for parent nodes) into one chaining value each.
/// </summary>
internal static class Blake3HashMany
{
    /// <param name="inputs">inputCount inputs of blocksPerInput blocks each, contiguous.</param>
    /// <param name="counter">Counter of the first input; each next input gets counter + 1 when incrementCounter.</param>
    /// <param name="flagsStart">Added to the first block's flags (CHUNK_START for chunks).</param>
    /// <param name="flagsEnd">Added to the last block's flags (CHUNK_END for chunks).</param>
    /// <param name="output">32 bytes per input.</param>
    public static void Hash(Blake3SimdWidth width, ReadOnlySpan<byte> inputs, int inputCount, int blocksPerInput, in ChainingValue key,
        ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
    {
        int inputLength = blocksPerInput * Blake3Constants.BlockLength;
        for (int i = 0; i < inputCount; i++)
        {
            ChainingValue cv = key;
            ReadOnlySpan<byte> input = inputs.Slice(i * inputLength, inputLength);
            ulong inputCounter = incrementCounter ? counter + (ulong)i : counter;
            for (int b = 0; b < blocksPerInput; b++)
            {
                uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocksPerInput - 1 ? flagsEnd : 0);
                Blake3Compression.CompressInPlace(ref cv, input.Slice(b * Blake3Constants.BlockLength), Blake3Constants.BlockLength, inputCounter, blockFlags);
            }
            cv.WriteTo(output.Slice(i * Blake3Constants.OutputLength, Blake3Constants.OutputLength));
        }
    }
}
