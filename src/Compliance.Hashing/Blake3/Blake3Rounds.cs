using System.Runtime.CompilerServices;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// The arithmetic the compression function needs, for one lane (<see cref="uint"/>) or for several
/// independent inputs side by side in a vector, one input per lane ("hash many" in the reference design).
/// </summary>
internal interface ILaneOps<TVec> where TVec : struct
{
    /// <summary>How many inputs one vector holds.</summary>
    static abstract int Lanes { get; }

    /// <summary>Lane i of the result is words[i].</summary>
    static abstract TVec Load(ReadOnlySpan<uint> words);

    /// <summary>Writes lane i of value to words[i].</summary>
    static abstract void Store(TVec value, Span<uint> words);

    /// <summary>
    /// Loads one 64-byte block from each of <see cref="Lanes"/> inputs, input i starting at first + i * stride,
    /// transposed so that message[w] holds word w of every input. The caller has checked the bounds.
    /// </summary>
    static abstract void LoadTransposed(ref byte first, nint stride, ref Message16<TVec> message);

    static abstract TVec Broadcast(uint value);
    static abstract TVec Add(TVec left, TVec right);
    static abstract TVec Xor(TVec left, TVec right);
    static abstract TVec RotateRight16(TVec value);
    static abstract TVec RotateRight12(TVec value);
    static abstract TVec RotateRight8(TVec value);
    static abstract TVec RotateRight7(TVec value);
}

/// <summary>Eight chaining-value words, each a vector of lanes (or one lane).</summary>
internal struct Chaining8<TVec> where TVec : struct
{
    public TVec H0, H1, H2, H3, H4, H5, H6, H7;

    public static Chaining8<TVec> Broadcast<TOps>(in ChainingValue cv) where TOps : struct, ILaneOps<TVec> => new()
    {
        H0 = TOps.Broadcast(cv[0]), H1 = TOps.Broadcast(cv[1]), H2 = TOps.Broadcast(cv[2]), H3 = TOps.Broadcast(cv[3]),
        H4 = TOps.Broadcast(cv[4]), H5 = TOps.Broadcast(cv[5]), H6 = TOps.Broadcast(cv[6]), H7 = TOps.Broadcast(cv[7]),
    };
}

/// <summary>The compression function, written once for every lane width.</summary>
internal static class Blake3Rounds
{
    /// <summary>
    /// Compresses <paramref name="blocks"/> consecutive 64-byte blocks of every lane's input (lane i's input starts at
    /// first + i * stride), chaining through <paramref name="cv"/>. The last block counts <paramref name="lastBlockLength"/>
    /// bytes (it is zero-padded to 64). When <paramref name="outputHigh"/> is not a null reference it receives the second
    /// half of the last block's extended output (the first half is the chaining value).
    /// One method holds the whole block loop so the state stays in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void CompressBlocks<TVec, TOps>(ref Chaining8<TVec> cv, ref byte first, nint stride, int blocks,
        TVec counterLow, TVec counterHigh, uint lastBlockLength, uint flags, uint flagsStart, uint flagsEnd, ref Chaining8<TVec> outputHigh)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        TVec h0 = cv.H0, h1 = cv.H1, h2 = cv.H2, h3 = cv.H3, h4 = cv.H4, h5 = cv.H5, h6 = cv.H6, h7 = cv.H7;
        Message16<TVec> message = default;
        // Sixteen state vectors and the two temporaries a shift-and-or rotation needs do not fit in sixteen registers
        // (256-bit and 128-bit code): left to itself the JIT spilled inside every rotation, three memory accesses each.
        // So two state vectors are parked in memory at any time, chosen among those the next G calls do not touch:
        // v14 and v15 during the first two columns, v12 and v13 from there to the last two diagonals (which are
        // reordered: diagonals are independent of one another). That is eight memory accesses a round instead of some forty.
        // 512-bit code has 32 registers and a rotate instruction: it parks nothing (a constant per instantiation, so
        // the parking code is not even compiled there).
        bool parking = TOps.Lanes < 16;
        ParkedPair<TVec> parked = default;
        ref TVec park0 = ref parked[0], park1 = ref parked[1];
        // The JIT's value numbering sees a load from a slot just written as the value stored, keeps that value in its
        // register and so undoes the parking; read back through an index it cannot prove is zero, the load stays a load.
        ref TVec unpark0 = ref Unsafe.Add(ref park0, s_zero), unpark1 = ref Unsafe.Add(ref park1, s_zero);
        for (int block = 0; block < blocks; block++)
        {
            TOps.LoadTransposed(ref Unsafe.Add(ref first, block * Blake3Constants.BlockLength), stride, ref message);
            ref TVec m = ref message[0];

            bool last = block == blocks - 1;
            TVec v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            TVec v8 = TOps.Broadcast(Blake3Constants.IV0), v9 = TOps.Broadcast(Blake3Constants.IV1);
            TVec v10 = TOps.Broadcast(Blake3Constants.IV2), v11 = TOps.Broadcast(Blake3Constants.IV3);
            TVec v12 = counterLow, v13 = counterHigh;
            TVec v14 = TOps.Broadcast(last ? lastBlockLength : Blake3Constants.BlockLength);
            TVec v15 = TOps.Broadcast(flags | (block == 0 ? flagsStart : 0) | (last ? flagsEnd : 0));
            if (parking)
            {
                park0 = v14; park1 = v15;
            }
            for (int round = 0; round < 7; round++)
            {
                // The message stays in memory too, read through the round's schedule as memory operands.
                var words = Blake3Constants.MessageSchedule.Slice(round * 16, 16);
                // Columns.
                G<TVec, TOps>(ref v0, ref v4, ref v8, ref v12, in Unsafe.Add(ref m, words[0]), in Unsafe.Add(ref m, words[1]));
                G<TVec, TOps>(ref v1, ref v5, ref v9, ref v13, in Unsafe.Add(ref m, words[2]), in Unsafe.Add(ref m, words[3]));
                if (parking)
                {
                    v14 = unpark0; v15 = unpark1;
                    park0 = v12; park1 = v13;
                }
                G<TVec, TOps>(ref v2, ref v6, ref v10, ref v14, in Unsafe.Add(ref m, words[4]), in Unsafe.Add(ref m, words[5]));
                G<TVec, TOps>(ref v3, ref v7, ref v11, ref v15, in Unsafe.Add(ref m, words[6]), in Unsafe.Add(ref m, words[7]));
                // Diagonals: the two without v12 and v13 first.
                G<TVec, TOps>(ref v0, ref v5, ref v10, ref v15, in Unsafe.Add(ref m, words[8]), in Unsafe.Add(ref m, words[9]));
                G<TVec, TOps>(ref v3, ref v4, ref v9, ref v14, in Unsafe.Add(ref m, words[14]), in Unsafe.Add(ref m, words[15]));
                if (parking)
                {
                    v12 = unpark0; v13 = unpark1;
                    park0 = v14; park1 = v15;
                }
                G<TVec, TOps>(ref v1, ref v6, ref v11, ref v12, in Unsafe.Add(ref m, words[10]), in Unsafe.Add(ref m, words[11]));
                G<TVec, TOps>(ref v2, ref v7, ref v8, ref v13, in Unsafe.Add(ref m, words[12]), in Unsafe.Add(ref m, words[13]));
            }
            if (parking)
            {
                v14 = unpark0; v15 = unpark1;
            }
            if (last && !Unsafe.IsNullRef(ref outputHigh))
            {
                outputHigh.H0 = TOps.Xor(v8, h0); outputHigh.H1 = TOps.Xor(v9, h1); outputHigh.H2 = TOps.Xor(v10, h2); outputHigh.H3 = TOps.Xor(v11, h3);
                outputHigh.H4 = TOps.Xor(v12, h4); outputHigh.H5 = TOps.Xor(v13, h5); outputHigh.H6 = TOps.Xor(v14, h6); outputHigh.H7 = TOps.Xor(v15, h7);
            }
            h0 = TOps.Xor(v0, v8); h1 = TOps.Xor(v1, v9); h2 = TOps.Xor(v2, v10); h3 = TOps.Xor(v3, v11);
            h4 = TOps.Xor(v4, v12); h5 = TOps.Xor(v5, v13); h6 = TOps.Xor(v6, v14); h7 = TOps.Xor(v7, v15);
        }
        cv.H0 = h0; cv.H1 = h1; cv.H2 = h2; cv.H3 = h3; cv.H4 = h4; cv.H5 = h5; cv.H6 = h6; cv.H7 = h7;
    }

    /// <summary>Always zero; read from a field the JIT cannot treat as a constant (see <see cref="CompressBlocks"/>).</summary>
    private static nint s_zero = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void G<TVec, TOps>(ref TVec a, ref TVec b, ref TVec c, ref TVec d, in TVec x, in TVec y)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        a = TOps.Add(TOps.Add(a, b), x);
        d = TOps.RotateRight16(TOps.Xor(d, a));
        c = TOps.Add(c, d);
        b = TOps.RotateRight12(TOps.Xor(b, c));
        a = TOps.Add(TOps.Add(a, b), y);
        d = TOps.RotateRight8(TOps.Xor(d, a));
        c = TOps.Add(c, d);
        b = TOps.RotateRight7(TOps.Xor(b, c));
    }
}

/// <summary>Two state vectors kept in memory during the rounds (see <see cref="Blake3Rounds.CompressBlocks"/>).</summary>
[InlineArray(2)]
internal struct ParkedPair<TVec> where TVec : struct
{
    private TVec _slot0;
}
