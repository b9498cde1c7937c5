using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// Hash-many reads every input at once, one block apart per input, which hardware prefetchers follow poorly.
/// Inputs are consecutive (chunks of a subtree, pairs of chaining values), so the batch after this one starts
/// lanes * stride further on: while a block of this batch is loaded, the same block of the next batch is asked for.
/// </summary>
internal static unsafe class LanePrefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NextBatch(ref byte block, nint batchLength)
    {
        // A prefetch is only a hint: it never faults (past the end of the input included), and should the GC move
        // an unpinned buffer it merely misses.
        if (Sse.IsSupported)
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref block, batchLength)));
    }
}

/// <summary>
/// Four inputs per 128-bit vector (SSSE3): 16-bit word shuffles rotate by 16, a byte shuffle by 8, shifts by 12 and 7.
/// The word shuffles take their pattern as an immediate, leaving one register more for the state than a byte shuffle's mask.
/// </summary>
internal readonly struct Lanes128 : ILaneOps<Vector128<uint>>
{
    public static int Lanes => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Broadcast(uint value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Add(Vector128<uint> left, Vector128<uint> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Xor(Vector128<uint> left, Vector128<uint> right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateRight16(Vector128<uint> value) =>
        Sse2.ShuffleHigh(Sse2.ShuffleLow(value.AsUInt16(), 0xB1), 0xB1).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateRight12(Vector128<uint> value) => (value >>> 12) | (value << 20);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateRight8(Vector128<uint> value) =>
        Ssse3.Shuffle(value.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> RotateRight7(Vector128<uint> value) => (value >>> 7) | (value << 25);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Load(ReadOnlySpan<uint> words) => Vector128.Create(words);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<uint> value, Span<uint> words) => value.CopyTo(words);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(ref byte first, nint stride, ref Message16<Vector128<uint>> message)
    {
        for (int input = 0; input < 4; input++)
            LanePrefetch.NextBatch(ref Unsafe.Add(ref first, input * stride), Lanes * stride);
        for (int quarter = 0; quarter < 4; quarter++)
        {
            nint offset = quarter * 16;
            Transpose(
                Vector128.LoadUnsafe(ref Unsafe.Add(ref first, offset)).AsUInt32(),
                Vector128.LoadUnsafe(ref Unsafe.Add(ref first, stride + offset)).AsUInt32(),
                Vector128.LoadUnsafe(ref Unsafe.Add(ref first, 2 * stride + offset)).AsUInt32(),
                Vector128.LoadUnsafe(ref Unsafe.Add(ref first, 3 * stride + offset)).AsUInt32(),
                out message[quarter * 4], out message[quarter * 4 + 1], out message[quarter * 4 + 2], out message[quarter * 4 + 3]);
        }
    }

    /// <summary>Rows a..d (one input each) become columns: word w of every input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector128<uint> a, Vector128<uint> b, Vector128<uint> c, Vector128<uint> d,
        out Vector128<uint> w0, out Vector128<uint> w1, out Vector128<uint> w2, out Vector128<uint> w3)
    {
        var ab01 = Sse2.UnpackLow(a, b).AsUInt64();
        var ab23 = Sse2.UnpackHigh(a, b).AsUInt64();
        var cd01 = Sse2.UnpackLow(c, d).AsUInt64();
        var cd23 = Sse2.UnpackHigh(c, d).AsUInt64();
        w0 = Sse2.UnpackLow(ab01, cd01).AsUInt32();
        w1 = Sse2.UnpackHigh(ab01, cd01).AsUInt32();
        w2 = Sse2.UnpackLow(ab23, cd23).AsUInt32();
        w3 = Sse2.UnpackHigh(ab23, cd23).AsUInt32();
    }
}

/// <summary>Eight inputs per 256-bit vector (AVX2), rotating as <see cref="Lanes128"/> does.</summary>
internal readonly struct Lanes256 : ILaneOps<Vector256<uint>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Broadcast(uint value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> left, Vector256<uint> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Xor(Vector256<uint> left, Vector256<uint> right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateRight16(Vector256<uint> value) =>
        Avx2.ShuffleHigh(Avx2.ShuffleLow(value.AsUInt16(), 0xB1), 0xB1).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateRight12(Vector256<uint> value) => (value >>> 12) | (value << 20);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateRight8(Vector256<uint> value) =>
        Avx2.Shuffle(value.AsByte(), Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12,
            1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> RotateRight7(Vector256<uint> value) => (value >>> 7) | (value << 25);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Load(ReadOnlySpan<uint> words) => Vector256.Create(words);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<uint> value, Span<uint> words) => value.CopyTo(words);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(ref byte first, nint stride, ref Message16<Vector256<uint>> message)
    {
        for (int half = 0; half < 2; half++)
        {
            nint offset = half * 32;
            int w = half * 8;
            if (half == 0)
            {
                for (int input = 0; input < 8; input++)
                    LanePrefetch.NextBatch(ref Unsafe.Add(ref first, input * stride), Lanes * stride);
            }
            Transpose(
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, stride + offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, 2 * stride + offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, 3 * stride + offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, 4 * stride + offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, 5 * stride + offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, 6 * stride + offset)).AsUInt32(),
                Vector256.LoadUnsafe(ref Unsafe.Add(ref first, 7 * stride + offset)).AsUInt32(),
                ref message, w);
        }
    }

    /// <summary>Rows a..h (one input each, eight words) become message[w..w+8]: word w of every input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c, Vector256<uint> d,
        Vector256<uint> e, Vector256<uint> f, Vector256<uint> g, Vector256<uint> h, ref Message16<Vector256<uint>> message, int w)
    {
        // Within each 128-bit half: 32-bit interleave, then 64-bit, leaves words (0,4), (1,5), (2,6), (3,7) of four inputs.
        var ab0145 = Avx2.UnpackLow(a, b).AsUInt64();
        var ab2367 = Avx2.UnpackHigh(a, b).AsUInt64();
        var cd0145 = Avx2.UnpackLow(c, d).AsUInt64();
        var cd2367 = Avx2.UnpackHigh(c, d).AsUInt64();
        var ef0145 = Avx2.UnpackLow(e, f).AsUInt64();
        var ef2367 = Avx2.UnpackHigh(e, f).AsUInt64();
        var gh0145 = Avx2.UnpackLow(g, h).AsUInt64();
        var gh2367 = Avx2.UnpackHigh(g, h).AsUInt64();
        var abcd04 = Avx2.UnpackLow(ab0145, cd0145).AsUInt32();
        var abcd15 = Avx2.UnpackHigh(ab0145, cd0145).AsUInt32();
        var abcd26 = Avx2.UnpackLow(ab2367, cd2367).AsUInt32();
        var abcd37 = Avx2.UnpackHigh(ab2367, cd2367).AsUInt32();
        var efgh04 = Avx2.UnpackLow(ef0145, gh0145).AsUInt32();
        var efgh15 = Avx2.UnpackHigh(ef0145, gh0145).AsUInt32();
        var efgh26 = Avx2.UnpackLow(ef2367, gh2367).AsUInt32();
        var efgh37 = Avx2.UnpackHigh(ef2367, gh2367).AsUInt32();
        // Then pair the 128-bit halves: low halves give words 0-3, high halves words 4-7.
        message[w] = Avx2.Permute2x128(abcd04, efgh04, 0x20);
        message[w + 1] = Avx2.Permute2x128(abcd15, efgh15, 0x20);
        message[w + 2] = Avx2.Permute2x128(abcd26, efgh26, 0x20);
        message[w + 3] = Avx2.Permute2x128(abcd37, efgh37, 0x20);
        message[w + 4] = Avx2.Permute2x128(abcd04, efgh04, 0x31);
        message[w + 5] = Avx2.Permute2x128(abcd15, efgh15, 0x31);
        message[w + 6] = Avx2.Permute2x128(abcd26, efgh26, 0x31);
        message[w + 7] = Avx2.Permute2x128(abcd37, efgh37, 0x31);
    }
}

/// <summary>Sixteen inputs per 512-bit vector (AVX-512F), with the native 32-bit rotate.</summary>
internal readonly struct Lanes512 : ILaneOps<Vector512<uint>>
{
    public static int Lanes => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Broadcast(uint value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Add(Vector512<uint> left, Vector512<uint> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Xor(Vector512<uint> left, Vector512<uint> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateRight16(Vector512<uint> value) => Avx512F.RotateRight(value, 16);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateRight12(Vector512<uint> value) => Avx512F.RotateRight(value, 12);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateRight8(Vector512<uint> value) => Avx512F.RotateRight(value, 8);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> RotateRight7(Vector512<uint> value) => Avx512F.RotateRight(value, 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(ReadOnlySpan<uint> words) => Vector512.Create(words);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<uint> value, Span<uint> words) => value.CopyTo(words);

    /// <summary>
    /// A 16x16 transpose in four steps: 32-bit and 64-bit interleaves within 128-bit lanes, then two rounds of
    /// 128-bit lane shuffles (0x88 takes lanes 0 and 2 of each operand, 0xDD lanes 1 and 3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(ref byte first, nint stride, ref Message16<Vector512<uint>> message)
    {
        var r0 = Row(ref first, stride, 0); var r1 = Row(ref first, stride, 1);
        var r2 = Row(ref first, stride, 2); var r3 = Row(ref first, stride, 3);
        var r4 = Row(ref first, stride, 4); var r5 = Row(ref first, stride, 5);
        var r6 = Row(ref first, stride, 6); var r7 = Row(ref first, stride, 7);
        var r8 = Row(ref first, stride, 8); var r9 = Row(ref first, stride, 9);
        var r10 = Row(ref first, stride, 10); var r11 = Row(ref first, stride, 11);
        var r12 = Row(ref first, stride, 12); var r13 = Row(ref first, stride, 13);
        var r14 = Row(ref first, stride, 14); var r15 = Row(ref first, stride, 15);

        // Each of these holds, in 128-bit lane k, words 4k+i of four consecutive inputs.
        Interleave4(r0, r1, r2, r3, out var abcd0, out var abcd1, out var abcd2, out var abcd3);
        Interleave4(r4, r5, r6, r7, out var efgh0, out var efgh1, out var efgh2, out var efgh3);
        Interleave4(r8, r9, r10, r11, out var ijkl0, out var ijkl1, out var ijkl2, out var ijkl3);
        Interleave4(r12, r13, r14, r15, out var mnop0, out var mnop1, out var mnop2, out var mnop3);

        Gather(abcd0, efgh0, ijkl0, mnop0, ref message, 0);
        Gather(abcd1, efgh1, ijkl1, mnop1, ref message, 1);
        Gather(abcd2, efgh2, ijkl2, mnop2, ref message, 2);
        Gather(abcd3, efgh3, ijkl3, mnop3, ref message, 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Row(ref byte first, nint stride, int input)
    {
        ref byte row = ref Unsafe.Add(ref first, input * stride);
        LanePrefetch.NextBatch(ref row, Lanes * stride);
        return Vector512.LoadUnsafe(ref row).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave4(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c, Vector512<uint> d,
        out Vector512<uint> i0, out Vector512<uint> i1, out Vector512<uint> i2, out Vector512<uint> i3)
    {
        var ab0 = Avx512F.UnpackLow(a, b).AsUInt64();
        var ab2 = Avx512F.UnpackHigh(a, b).AsUInt64();
        var cd0 = Avx512F.UnpackLow(c, d).AsUInt64();
        var cd2 = Avx512F.UnpackHigh(c, d).AsUInt64();
        i0 = Avx512F.UnpackLow(ab0, cd0).AsUInt32();
        i1 = Avx512F.UnpackHigh(ab0, cd0).AsUInt32();
        i2 = Avx512F.UnpackLow(ab2, cd2).AsUInt32();
        i3 = Avx512F.UnpackHigh(ab2, cd2).AsUInt32();
    }

    /// <summary>From the four groups' vectors for word offset i, builds message words i, i+4, i+8 and i+12 of all sixteen inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gather(Vector512<uint> abcd, Vector512<uint> efgh, Vector512<uint> ijkl, Vector512<uint> mnop,
        ref Message16<Vector512<uint>> message, int i)
    {
        var abcdefghEven = Avx512F.Shuffle4x128(abcd, efgh, 0x88);
        var abcdefghOdd = Avx512F.Shuffle4x128(abcd, efgh, 0xDD);
        var ijklmnopEven = Avx512F.Shuffle4x128(ijkl, mnop, 0x88);
        var ijklmnopOdd = Avx512F.Shuffle4x128(ijkl, mnop, 0xDD);
        message[i] = Avx512F.Shuffle4x128(abcdefghEven, ijklmnopEven, 0x88);
        message[i + 4] = Avx512F.Shuffle4x128(abcdefghOdd, ijklmnopOdd, 0x88);
        message[i + 8] = Avx512F.Shuffle4x128(abcdefghEven, ijklmnopEven, 0xDD);
        message[i + 12] = Avx512F.Shuffle4x128(abcdefghOdd, ijklmnopOdd, 0xDD);
    }
}
