namespace Compliance.Hashing.Blake3;

/// <summary>
/// A node not yet compressed: enough to produce either its chaining value (for its parent)
/// or, when it is the root, any number of output bytes from any position.
/// </summary>
internal struct Blake3Output
{
    public ChainingValue InputChainingValue;
    public BlockBuffer Block;
    public uint BlockLength;
    public ulong Counter;
    public uint Flags;
    public Blake3SimdWidth Width;

    public static Blake3Output Parent(ReadOnlySpan<byte> leftAndRight, in ChainingValue key, uint flags, Blake3SimdWidth width)
    {
        Blake3Output output = default;
        output.InputChainingValue = key;
        leftAndRight[..Blake3Constants.BlockLength].CopyTo(output.Block);
        output.BlockLength = Blake3Constants.BlockLength;
        output.Flags = flags | Blake3Constants.Parent;
        output.Width = width;
        return output;
    }

    public readonly ChainingValue ChainingValue()
    {
        ChainingValue cv = InputChainingValue;
        Blake3Compression.CompressInPlace(ref cv, Block, BlockLength, Counter, Flags, Width);
        return cv;
    }

    /// <summary>Root output bytes starting at byte <paramref name="position"/> of the (practically endless) output stream.</summary>
    public readonly void RootBytes(ulong position, Span<byte> destination)
    {
        Span<byte> block = stackalloc byte[Blake3Constants.BlockLength];
        ulong blockCounter = position / Blake3Constants.BlockLength;
        int offset = (int)(position % Blake3Constants.BlockLength);
        while (!destination.IsEmpty)
        {
            Blake3Compression.CompressExtended(in InputChainingValue, Block, BlockLength, blockCounter, Flags | Blake3Constants.Root, Width, block);
            int take = Math.Min(Blake3Constants.BlockLength - offset, destination.Length);
            block.Slice(offset, take).CopyTo(destination);
            destination = destination[take..];
            offset = 0;
            blockCounter++;
        }
    }
}
