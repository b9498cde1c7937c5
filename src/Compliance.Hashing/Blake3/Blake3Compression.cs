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

/// <summary>The compression function on a single block.</summary>
internal static class Blake3Compression
{
    /// <summary>Replaces <paramref name="cv"/> with the chaining value of compressing <paramref name="block"/> (64 bytes, zero-padded past blockLength).</summary>
    public static void CompressInPlace(ref ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags)
    {
        Compress(in cv, block, blockLength, counter, flags, out State16<uint> s);
        cv[0] = s.V0 ^ s.V8; cv[1] = s.V1 ^ s.V9; cv[2] = s.V2 ^ s.V10; cv[3] = s.V3 ^ s.V11;
        cv[4] = s.V4 ^ s.V12; cv[5] = s.V5 ^ s.V13; cv[6] = s.V6 ^ s.V14; cv[7] = s.V7 ^ s.V15;
    }

    /// <summary>Writes all 64 bytes of the extended output of one block, as the root node emits them.</summary>
    public static void CompressExtended(in ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags, Span<byte> destination)
    {
        Compress(in cv, block, blockLength, counter, flags, out State16<uint> s);
        Span<uint> words = stackalloc uint[16]
        {
            s.V0 ^ s.V8, s.V1 ^ s.V9, s.V2 ^ s.V10, s.V3 ^ s.V11, s.V4 ^ s.V12, s.V5 ^ s.V13, s.V6 ^ s.V14, s.V7 ^ s.V15,
            s.V8 ^ cv[0], s.V9 ^ cv[1], s.V10 ^ cv[2], s.V11 ^ cv[3], s.V12 ^ cv[4], s.V13 ^ cv[5], s.V14 ^ cv[6], s.V15 ^ cv[7],
        };
        for (int i = 0; i < 16; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(i * 4, 4), words[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compress(in ChainingValue cv, ReadOnlySpan<byte> block, uint blockLength, ulong counter, uint flags, out State16<uint> s)
    {
        Message16<uint> m = default;
        LoadMessage(block, ref m);
        s.V0 = cv[0]; s.V1 = cv[1]; s.V2 = cv[2]; s.V3 = cv[3];
        s.V4 = cv[4]; s.V5 = cv[5]; s.V6 = cv[6]; s.V7 = cv[7];
        s.V8 = Blake3Constants.IV0; s.V9 = Blake3Constants.IV1; s.V10 = Blake3Constants.IV2; s.V11 = Blake3Constants.IV3;
        s.V12 = (uint)counter; s.V13 = (uint)(counter >> 32); s.V14 = blockLength; s.V15 = flags;
        Blake3Rounds.Run<uint, ScalarLanes>(ref s, ref m);
    }

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
