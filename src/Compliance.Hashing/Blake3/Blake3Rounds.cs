using System.Runtime.CompilerServices;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// The arithmetic the compression function needs, for one lane (<see cref="uint"/>) or for several
/// independent inputs side by side in a vector, one input per lane ("hash many" in the reference design).
/// </summary>
internal interface ILaneOps<TVec> where TVec : struct
{
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TVec, TOps>(ref State16<TVec> s, ref Message16<TVec> m)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        Round<TVec, TOps>(ref s, ref m, 0);
        Round<TVec, TOps>(ref s, ref m, 1);
        Round<TVec, TOps>(ref s, ref m, 2);
        Round<TVec, TOps>(ref s, ref m, 3);
        Round<TVec, TOps>(ref s, ref m, 4);
        Round<TVec, TOps>(ref s, ref m, 5);
        Round<TVec, TOps>(ref s, ref m, 6);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<TVec, TOps>(ref State16<TVec> s, ref Message16<TVec> m, int round)
        where TVec : struct where TOps : struct, ILaneOps<TVec>
    {
        ReadOnlySpan<byte> w = Blake3Constants.MessageSchedule.Slice(round * 16, 16);
        // Columns.
        G<TVec, TOps>(ref s.V0, ref s.V4, ref s.V8, ref s.V12, m[w[0]], m[w[1]]);
        G<TVec, TOps>(ref s.V1, ref s.V5, ref s.V9, ref s.V13, m[w[2]], m[w[3]]);
        G<TVec, TOps>(ref s.V2, ref s.V6, ref s.V10, ref s.V14, m[w[4]], m[w[5]]);
        G<TVec, TOps>(ref s.V3, ref s.V7, ref s.V11, ref s.V15, m[w[6]], m[w[7]]);
        // Diagonals.
        G<TVec, TOps>(ref s.V0, ref s.V5, ref s.V10, ref s.V15, m[w[8]], m[w[9]]);
        G<TVec, TOps>(ref s.V1, ref s.V6, ref s.V11, ref s.V12, m[w[10]], m[w[11]]);
        G<TVec, TOps>(ref s.V2, ref s.V7, ref s.V8, ref s.V13, m[w[12]], m[w[13]]);
        G<TVec, TOps>(ref s.V3, ref s.V4, ref s.V9, ref s.V14, m[w[14]], m[w[15]]);
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
