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

        // The widest batches first, the remainder in narrower ones: 16 chunks left over from a 512-bit width still get 128-bit speed.
        int done = 0;
        if (width >= Blake3SimdWidth.Vector512)
            done = HashBatches<Vector512<uint>, Lanes512>(inputs, inputCount, done, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
        if (width >= Blake3SimdWidth.Vector256)
            done = HashBatches<Vector256<uint>, Lanes256>(inputs, inputCount, done, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
        if (width >= Blake3SimdWidth.Vector128)
            done = HashBatches<Vector128<uint>, Lanes128>(inputs, inputCount, done, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
        HashBatches<uint, ScalarLanes>(inputs, inputCount, done, blocksPerInput, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        TVec h0 = TOps.Broadcast(key[0]), h1 = TOps.Broadcast(key[1]), h2 = TOps.Broadcast(key[2]), h3 = TOps.Broadcast(key[3]);
        TVec h4 = TOps.Broadcast(key[4]), h5 = TOps.Broadcast(key[5]), h6 = TOps.Broadcast(key[6]), h7 = TOps.Broadcast(key[7]);
        Message16<TVec> m = default;
        State16<TVec> s;
        for (int block = 0; block < blocksPerInput; block++)
        {
            TOps.LoadTransposed(ref Unsafe.Add(ref first, block * Blake3Constants.BlockLength), inputLength, ref m);
            uint blockFlags = flags | (block == 0 ? flagsStart : 0) | (block == blocksPerInput - 1 ? flagsEnd : 0);
            s.V0 = h0; s.V1 = h1; s.V2 = h2; s.V3 = h3; s.V4 = h4; s.V5 = h5; s.V6 = h6; s.V7 = h7;
            s.V8 = TOps.Broadcast(Blake3Constants.IV0); s.V9 = TOps.Broadcast(Blake3Constants.IV1);
            s.V10 = TOps.Broadcast(Blake3Constants.IV2); s.V11 = TOps.Broadcast(Blake3Constants.IV3);
            s.V12 = counterLow; s.V13 = counterHigh;
            s.V14 = TOps.Broadcast(Blake3Constants.BlockLength); s.V15 = TOps.Broadcast(blockFlags);
            Blake3Rounds.Run<TVec, TOps>(ref s, ref m);
            h0 = TOps.Xor(s.V0, s.V8); h1 = TOps.Xor(s.V1, s.V9); h2 = TOps.Xor(s.V2, s.V10); h3 = TOps.Xor(s.V3, s.V11);
            h4 = TOps.Xor(s.V4, s.V12); h5 = TOps.Xor(s.V5, s.V13); h6 = TOps.Xor(s.V6, s.V14); h7 = TOps.Xor(s.V7, s.V15);
        }

        // Word w of every input's chaining value sits in h_w; write each input's eight words out in order.
        Span<uint> words = stackalloc uint[8 * 16];
        TOps.Store(h0, words); TOps.Store(h1, words[16..]); TOps.Store(h2, words[32..]); TOps.Store(h3, words[48..]);
        TOps.Store(h4, words[64..]); TOps.Store(h5, words[80..]); TOps.Store(h6, words[96..]); TOps.Store(h7, words[112..]);
        for (int input = 0; input < TOps.Lanes; input++)
        {
            for (int w = 0; w < 8; w++)
                BinaryPrimitives.WriteUInt32LittleEndian(output.Slice(input * Blake3Constants.OutputLength + w * 4, 4), words[w * 16 + input]);
        }
    }
}
