using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// Compresses several equal-length inputs that lie back to back in memory (whole chunks, or pairs of
/// chaining values for parent nodes) into one chaining value each, as many side by side as the SIMD width allows.
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
        if (inputs.Length < inputCount * inputLength || output.Length < inputCount * Blake3Constants.OutputLength)
            throw new ArgumentException($"{inputCount} inputs of {inputLength} bytes do not fit the buffers given.");

        // Whole batches at the chosen width; a remainder of two or more is padded to one more batch (its spare lanes
        // hash leftovers and are dropped) so that only this width's kernel is ever compiled; a single input goes scalar.
        int done = width switch
        {
            Blake3SimdWidth.Vector512 => HashAtWidth<Vector512<uint>, Lanes512>(inputs, inputCount, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output),
            Blake3SimdWidth.Vector256 => HashAtWidth<Vector256<uint>, Lanes256>(inputs, inputCount, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output),
            Blake3SimdWidth.Vector128 => HashAtWidth<Vector128<uint>, Lanes128>(inputs, inputCount, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output),
            _ => 0,
        };
        HashBatches<uint, ScalarLanes>(inputs, inputCount, done, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
    }

    /// <summary>Returns how many inputs were hashed: all of them, or all but one.</summary>
    private static int HashAtWidth<TVec, TOps>(ReadOnlySpan<byte> inputs, int inputCount, int blocksPerInput, in ChainingValue key,
        ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        int done = HashBatches<TVec, TOps>(inputs, inputCount, 0, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
        int rest = inputCount - done;
        if (rest < 2)
            return done;
        int inputLength = blocksPerInput * Blake3Constants.BlockLength;
        byte[] padded = ArrayPool<byte>.Shared.Rent(TOps.Lanes * inputLength);
        try
        {
            inputs.Slice(done * inputLength, rest * inputLength).CopyTo(padded);
            Span<byte> cvs = stackalloc byte[TOps.Lanes * Blake3Constants.OutputLength];
            HashBatch<TVec, TOps>(ref padded[0], inputLength, blocksPerInput, key, incrementCounter ? counter + (ulong)done : counter,
                incrementCounter, flags, flagsStart, flagsEnd, cvs);
            cvs[..(rest * Blake3Constants.OutputLength)].CopyTo(output.Slice(done * Blake3Constants.OutputLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(padded);
        }
        return inputCount;
    }

    /// <summary>Hashes inputs from index done on in batches of TOps.Lanes while a whole batch remains; returns the new done.</summary>
    private static int HashBatches<TVec, TOps>(ReadOnlySpan<byte> inputs, int inputCount, int done, int blocksPerInput, in ChainingValue key,
        ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        int inputLength = blocksPerInput * Blake3Constants.BlockLength;
        for (; inputCount - done >= TOps.Lanes; done += TOps.Lanes)
        {
            HashBatch<TVec, TOps>(ref MemoryMarshal.GetReference(inputs.Slice(done * inputLength)), inputLength, blocksPerInput, key,
                incrementCounter ? counter + (ulong)done : counter, incrementCounter, flags, flagsStart, flagsEnd,
                output.Slice(done * Blake3Constants.OutputLength, TOps.Lanes * Blake3Constants.OutputLength));
        }
        return done;
    }

    /// <summary>Exactly TOps.Lanes inputs, each inputLength bytes from first on (bounds checked by the caller).</summary>
    private static void HashBatch<TVec, TOps>(ref byte first, int inputLength, int blocksPerInput, in ChainingValue key,
        ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        Span<uint> lanes = stackalloc uint[16];
        for (int i = 0; i < TOps.Lanes; i++)
            lanes[i] = (uint)(counter + (incrementCounter ? (ulong)i : 0));
        TVec counterLow = TOps.Load(lanes);
        for (int i = 0; i < TOps.Lanes; i++)
            lanes[i] = (uint)((counter + (incrementCounter ? (ulong)i : 0)) >> 32);
        TVec counterHigh = TOps.Load(lanes);

        var h = Chaining8<TVec>.Broadcast<TOps>(key);
        Blake3Rounds.CompressBlocks<TVec, TOps>(ref h, ref first, inputLength, blocksPerInput, counterLow, counterHigh,
            Blake3Constants.BlockLength, flags, flagsStart, flagsEnd, ref Unsafe.NullRef<Chaining8<TVec>>());

        // Word w of every input's chaining value sits in h_w; write each input's eight words out in order.
        Span<uint> words = stackalloc uint[8 * 16];
        TOps.Store(h.H0, words); TOps.Store(h.H1, words[16..]); TOps.Store(h.H2, words[32..]); TOps.Store(h.H3, words[48..]);
        TOps.Store(h.H4, words[64..]); TOps.Store(h.H5, words[80..]); TOps.Store(h.H6, words[96..]); TOps.Store(h.H7, words[112..]);
        Span<uint> outputWords = MemoryMarshal.Cast<byte, uint>(output[..(TOps.Lanes * Blake3Constants.OutputLength)]);
        for (int input = 0; input < TOps.Lanes; input++)
        {
            for (int w = 0; w < 8; w++)
            {
                uint word = words[w * 16 + input];
                outputWords[input * 8 + w] = BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
            }
        }
    }
}
