using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

/// <summary>The compression function on a single block, through the one-lane kernel.</summary>
internal static class Blake3Compression
{
    /// <summary>Replaces <paramref name="cv"/> with the chaining value of compressing <paramref name="block"/> (64 bytes, zero-padded past blockLength).</summary>
    public static void CompressInPlace(ref ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags)
    {
        var h = ToLanes(cv);
        Compress(ref h, block, blockLength, counter, flags, ref Unsafe.NullRef<Chaining8<uint>>());
        cv = FromLanes(h);
    }

    /// <summary>Writes all 64 bytes of the extended output of one block, as the root node emits them.</summary>
    public static void CompressExtended(in ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags, Span<byte> destination)
    {
        var h = ToLanes(cv);
        Chaining8<uint> high = default;
        Compress(ref h, block, blockLength, counter, flags, ref high);
        FromLanes(h).WriteTo(destination);
        FromLanes(high).WriteTo(destination[Blake3Constants.OutputLength..]);
    }

    private static void Compress(ref Chaining8<uint> h, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags, ref Chaining8<uint> outputHigh)
    {
        block = block[..Blake3Constants.BlockLength];
        Blake3Rounds.CompressBlocks<uint, ScalarLanes>(ref h, ref MemoryMarshal.GetReference(block), Blake3Constants.BlockLength, 1,
            (uint)counter, (uint)(counter >> 32), blockLength, flags, 0, 0, ref outputHigh);
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
