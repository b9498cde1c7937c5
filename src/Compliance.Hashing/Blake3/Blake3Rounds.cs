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

/// <summary>The 4x4 state of the compression function; a struct of plain fields so the JIT keeps it in registers.</summary>
internal struct State16<TVec> where TVec : struct
{
    public TVec V0, V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15;
}

/// <summary>The seven rounds, written once for every lane width.</summary>
internal static class Blake3Rounds
{
    /// <summary>
    /// Runs on a copy of the state in locals so it stays in registers; kept out of line so the JIT's inlining
    /// budget is spent on the G calls here rather than exhausted by the caller's loops.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run<TVec, TOps>(ref State16<TVec> state, ref Message16<TVec> message)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        TVec v0 = state.V0, v1 = state.V1, v2 = state.V2, v3 = state.V3, v4 = state.V4, v5 = state.V5, v6 = state.V6, v7 = state.V7;
        TVec v8 = state.V8, v9 = state.V9, v10 = state.V10, v11 = state.V11, v12 = state.V12, v13 = state.V13, v14 = state.V14, v15 = state.V15;
        TVec m0 = message[0], m1 = message[1], m2 = message[2], m3 = message[3], m4 = message[4], m5 = message[5], m6 = message[6], m7 = message[7];
        TVec m8 = message[8], m9 = message[9], m10 = message[10], m11 = message[11], m12 = message[12], m13 = message[13], m14 = message[14], m15 = message[15];
        for (int round = 0; round < 7; round++)
        {
            // Columns.
            G<TVec, TOps>(ref v0, ref v4, ref v8, ref v12, m0, m1);
            G<TVec, TOps>(ref v1, ref v5, ref v9, ref v13, m2, m3);
            G<TVec, TOps>(ref v2, ref v6, ref v10, ref v14, m4, m5);
            G<TVec, TOps>(ref v3, ref v7, ref v11, ref v15, m6, m7);
            // Diagonals.
            G<TVec, TOps>(ref v0, ref v5, ref v10, ref v15, m8, m9);
            G<TVec, TOps>(ref v1, ref v6, ref v11, ref v12, m10, m11);
            G<TVec, TOps>(ref v2, ref v7, ref v8, ref v13, m12, m13);
            G<TVec, TOps>(ref v3, ref v4, ref v9, ref v14, m14, m15);
            // The message permutation (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8) is two 8-cycles of register renames.
            TVec t = m0; m0 = m2; m2 = m3; m3 = m10; m10 = m12; m12 = m9; m9 = m11; m11 = m5; m5 = t;
            t = m1; m1 = m6; m6 = m4; m4 = m7; m7 = m13; m13 = m14; m14 = m15; m15 = m8; m8 = t;
        }
        state.V0 = v0; state.V1 = v1; state.V2 = v2; state.V3 = v3; state.V4 = v4; state.V5 = v5; state.V6 = v6; state.V7 = v7;
        state.V8 = v8; state.V9 = v9; state.V10 = v10; state.V11 = v11; state.V12 = v12; state.V13 = v13; state.V14 = v14; state.V15 = v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G<TVec, TOps>(ref TVec a, ref TVec b, ref TVec c, ref TVec d, TVec x, TVec y)
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
