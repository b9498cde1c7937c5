using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compliance.Hashing.Blake3;

/// <summary>One lane: plain 32-bit arithmetic, correct on every platform.</summary>
internal readonly struct ScalarLanes : ILaneOps<uint>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Broadcast(uint value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Add(uint left, uint right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Xor(uint left, uint right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateRight16(uint value) => BitOperations.RotateRight(value, 16);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateRight12(uint value) => BitOperations.RotateRight(value, 12);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateRight8(uint value) => BitOperations.RotateRight(value, 8);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RotateRight7(uint value) => BitOperations.RotateRight(value, 7);
    public static int Lanes => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Load(ReadOnlySpan<uint> words) => words[0];
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(uint value, Span<uint> words) => words[0] = value;

    public static void LoadTransposed(ref byte first, nint stride, ref Message16<uint> message) =>
        Blake3Compression.LoadMessage(MemoryMarshal.CreateReadOnlySpan(ref first, Blake3Constants.BlockLength), ref message);
}

/// <summary>
/// The compression function on a single block: the state's four rows in 128-bit vectors where the width allows
/// (the reference design's compress-in-place), else the one-lane kernel. Small files are hashed almost entirely here.
/// </summary>
internal static class Blake3Compression
{
    /// <summary>Replaces <paramref name="cv"/> with the chaining value of compressing <paramref name="block"/> (64 bytes, zero-padded past blockLength).</summary>
    public static void CompressInPlace(ref ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags, Blake3SimdWidth width)
    {
        var h = ToLanes(cv);
        Compress(ref h, block, blockLength, counter, flags, ref Unsafe.NullRef<Chaining8<uint>>(), width);
        cv = FromLanes(h);
    }

    /// <summary>Writes all 64 bytes of the extended output of one block, as the root node emits them.</summary>
    public static void CompressExtended(in ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags,
        Blake3SimdWidth width, Span<byte> destination)
    {
        var h = ToLanes(cv);
        Chaining8<uint> high = default;
        Compress(ref h, block, blockLength, counter, flags, ref high, width);
        FromLanes(h).WriteTo(destination);
        FromLanes(high).WriteTo(destination[Blake3Constants.OutputLength..]);
    }

    private static void Compress(ref Chaining8<uint> h, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags,
        ref Chaining8<uint> outputHigh, Blake3SimdWidth width)
    {
        block = block[..Blake3Constants.BlockLength];
        if (width >= Blake3SimdWidth.Vector256 && BitConverter.IsLittleEndian)
        {
            CompressRows(ref h, new PermutedWords(block), blockLength, counter, flags, ref outputHigh);
            return;
        }
        if (width >= Blake3SimdWidth.Vector128 && BitConverter.IsLittleEndian)
        {
            CompressRows(ref h, new GatheredWords(MemoryMarshal.Cast<byte, uint>(block)), blockLength, counter, flags, ref outputHigh);
            return;
        }
        Blake3Rounds.CompressBlocks<uint, ScalarLanes>(ref h, ref MemoryMarshal.GetReference(block), Blake3Constants.BlockLength, 1,
            (uint)counter, (uint)(counter >> 32), blockLength, flags, 0, 0, ref outputHigh);
    }

    /// <summary>
    /// One block with the state's rows as vectors: G runs on the four columns at once, then on the four diagonals
    /// after rotating rows 1 to 3 by one, two and three lanes. Each round takes its message words by the schedule.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CompressRows<TWords>(ref Chaining8<uint> h, TWords words, uint blockLength, ulong counter, uint flags, ref Chaining8<uint> outputHigh)
        where TWords : struct, IRoundWords, allows ref struct
    {
        var cvLow = Vector128.Create(h.H0, h.H1, h.H2, h.H3);
        var cvHigh = Vector128.Create(h.H4, h.H5, h.H6, h.H7);
        var row0 = cvLow;
        var row1 = cvHigh;
        var row2 = Vector128.Create(Blake3Constants.IV0, Blake3Constants.IV1, Blake3Constants.IV2, Blake3Constants.IV3);
        var row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLength, flags);
        for (int round = 0; round < 7; round++)
        {
            words.Round(round, out var columnsX, out var columnsY, out var diagonalsX, out var diagonalsY);
            Blake3Rounds.G<Vector128<uint>, Lanes128>(ref row0, ref row1, ref row2, ref row3, columnsX, columnsY);
            row1 = Vector128.Shuffle(row1, Vector128.Create(1u, 2, 3, 0));
            row2 = Vector128.Shuffle(row2, Vector128.Create(2u, 3, 0, 1));
            row3 = Vector128.Shuffle(row3, Vector128.Create(3u, 0, 1, 2));
            Blake3Rounds.G<Vector128<uint>, Lanes128>(ref row0, ref row1, ref row2, ref row3, diagonalsX, diagonalsY);
            row1 = Vector128.Shuffle(row1, Vector128.Create(3u, 0, 1, 2));
            row2 = Vector128.Shuffle(row2, Vector128.Create(2u, 3, 0, 1));
            row3 = Vector128.Shuffle(row3, Vector128.Create(1u, 2, 3, 0));
        }
        if (!Unsafe.IsNullRef(ref outputHigh))
            Store(row2 ^ cvLow, row3 ^ cvHigh, ref outputHigh);
        Store(row0 ^ row2, row1 ^ row3, ref h);
    }

    /// <summary>
    /// A block's message words as one round of <see cref="CompressRows"/> takes them: for the columns, the first (x) and
    /// second (y) input of each G; then the same for the diagonals.
    /// </summary>
    private interface IRoundWords
    {
        void Round(int round, out Vector128<uint> columnsX, out Vector128<uint> columnsY, out Vector128<uint> diagonalsX, out Vector128<uint> diagonalsY);
    }

    /// <summary>Each word read from memory by the schedule: sixteen loads and twelve inserts a round, but SSSE3 suffices.</summary>
    private readonly ref struct GatheredWords(ReadOnlySpan<uint> words) : IRoundWords
    {
        private readonly ReadOnlySpan<uint> _m = words[..16];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Round(int round, out Vector128<uint> columnsX, out Vector128<uint> columnsY, out Vector128<uint> diagonalsX, out Vector128<uint> diagonalsY)
        {
            var m = _m;
            ReadOnlySpan<byte> w = Blake3Constants.MessageSchedule.Slice(round * 16, 16);
            columnsX = Vector128.Create(m[w[0]], m[w[2]], m[w[4]], m[w[6]]);
            columnsY = Vector128.Create(m[w[1]], m[w[3]], m[w[5]], m[w[7]]);
            diagonalsX = Vector128.Create(m[w[8]], m[w[10]], m[w[12]], m[w[14]]);
            diagonalsY = Vector128.Create(m[w[9]], m[w[11]], m[w[13]], m[w[15]]);
        }
    }

    /// <summary>
    /// The block held in two 256-bit registers (words 0-7 and 8-15); a round's x and y words come out of one
    /// permute of each and a blend (AVX2): about ten vector operations a round (index loads and the extraction of upper
    /// halves included) instead of some forty.
    /// </summary>
    private readonly ref struct PermutedWords(ReadOnlySpan<byte> block) : IRoundWords
    {
        private readonly Vector256<uint> _low = Vector256.Create(block).AsUInt32();
        private readonly Vector256<uint> _high = Vector256.Create(block[32..]).AsUInt32();
        // Taken here, outside the rounds: a static field read inside them brought its class-initialization check
        // into the loop, and with it a possible call that made the JIT keep the state rows in memory.
        private readonly ref readonly uint _indices = ref MemoryMarshal.GetArrayDataReference(s_permutedWordIndices);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Round(int round, out Vector128<uint> columnsX, out Vector128<uint> columnsY, out Vector128<uint> diagonalsX, out Vector128<uint> diagonalsY)
        {
            var columns = Pick(Vector256.LoadUnsafe(in _indices, (nuint)(round * 16)));
            var diagonals = Pick(Vector256.LoadUnsafe(in _indices, (nuint)(round * 16 + 8)));
            columnsX = columns.GetLower();
            columnsY = columns.GetUpper();
            diagonalsX = diagonals.GetLower();
            diagonalsY = diagonals.GetUpper();
        }

        /// <summary>Lane i gets word indices[i] & 7 of the low half, or of the high half where bit 31 is set.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<uint> Pick(Vector256<uint> indices) =>
            Avx.BlendVariable(Avx2.PermuteVar8x32(_low, indices).AsSingle(), Avx2.PermuteVar8x32(_high, indices).AsSingle(),
                indices.AsSingle()).AsUInt32();
    }

    /// <summary>
    /// Per round, the word indices for <see cref="PermutedWords"/>: x then y of the columns (schedule positions 0, 2,
    /// 4, 6 and 1, 3, 5, 7), then of the diagonals (8, 10, 12, 14 and 9, 11, 13, 15). A permute reads only an index's
    /// low three bits; bit 31 marks words 8-15, and is what the blend tests.
    /// </summary>
    private static readonly uint[] s_permutedWordIndices = BuildPermutedWordIndices();

    private static uint[] BuildPermutedWordIndices()
    {
        ReadOnlySpan<int> positions = [0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15];
        var indices = new uint[7 * 16];
        for (int round = 0; round < 7; round++)
        {
            for (int i = 0; i < 16; i++)
            {
                uint word = Blake3Constants.MessageSchedule[round * 16 + positions[i]];
                indices[round * 16 + i] = (word & 7) | (word >= 8 ? 0x8000_0000u : 0);
            }
        }
        return indices;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<uint> low, Vector128<uint> high, ref Chaining8<uint> h)
    {
        h.H0 = low[0]; h.H1 = low[1]; h.H2 = low[2]; h.H3 = low[3];
        h.H4 = high[0]; h.H5 = high[1]; h.H6 = high[2]; h.H7 = high[3];
    }

    private static Chaining8<uint> ToLanes(in ChainingValue cv) => new()
    {
        H0 = cv[0], H1 = cv[1], H2 = cv[2], H3 = cv[3], H4 = cv[4], H5 = cv[5], H6 = cv[6], H7 = cv[7],
    };

    private static ChainingValue FromLanes(in Chaining8<uint> h)
    {
        ChainingValue cv = default;
        cv[0] = h.H0; cv[1] = h.H1; cv[2] = h.H2; cv[3] = h.H3; cv[4] = h.H4; cv[5] = h.H5; cv[6] = h.H6; cv[7] = h.H7;
        return cv;
    }

    /// <summary>The sixteen little-endian message words of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadMessage(ReadOnlySpan<byte> block, ref Message16<uint> message)
    {
        block = block[..Blake3Constants.BlockLength];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, uint>(block).CopyTo(message);
            return;
        }
        for (int i = 0; i < 16; i++)
            message[i] = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(i * 4, 4));
    }
}
