using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compliance.Hashing.Blake3;

/// <summary>Eight 32-bit words: a key or a chaining value.</summary>
[InlineArray(8)]
internal struct ChainingValue
{
    private uint _word0;

    public static ChainingValue FromIV()
    {
        ChainingValue cv = default;
        cv[0] = Blake3Constants.IV0; cv[1] = Blake3Constants.IV1; cv[2] = Blake3Constants.IV2; cv[3] = Blake3Constants.IV3;
        cv[4] = Blake3Constants.IV4; cv[5] = Blake3Constants.IV5; cv[6] = Blake3Constants.IV6; cv[7] = Blake3Constants.IV7;
        return cv;
    }

    public static ChainingValue FromBytes(ReadOnlySpan<byte> bytes)
    {
        ChainingValue cv = default;
        for (int i = 0; i < 8; i++)
            cv[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(i * 4, 4));
        return cv;
    }

    public readonly void WriteTo(Span<byte> destination)
    {
        for (int i = 0; i < 8; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(i * 4, 4), this[i]);
    }
}

/// <summary>One 64-byte message block.</summary>
[InlineArray(Blake3Constants.BlockLength)]
internal struct BlockBuffer
{
    private byte _byte0;
}

/// <summary>The sixteen message words of a block, or sixteen lanes-wide vectors of them.</summary>
[InlineArray(16)]
internal struct Message16<TVec> where TVec : struct
{
    private TVec _word0;
}
