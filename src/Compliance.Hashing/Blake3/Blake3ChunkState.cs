namespace Compliance.Hashing.Blake3;

/// <summary>The chunk being filled: up to 1024 bytes, compressed a block at a time as more input proves a block is not the last.</summary>
internal struct Blake3ChunkState
{
    private ChainingValue _cv;
    private BlockBuffer _block;
    private int _blockLength;
    private int _blocksCompressed;
    private readonly uint _flags;
    private readonly Blake3SimdWidth _width;

    public ulong ChunkCounter;

    public Blake3ChunkState(in ChainingValue key, ulong chunkCounter, uint flags, Blake3SimdWidth width)
    {
        _cv = key;
        _flags = flags;
        _width = width;
        ChunkCounter = chunkCounter;
    }

    public readonly int Length => _blocksCompressed * Blake3Constants.BlockLength + _blockLength;

    private readonly uint StartFlag => _blocksCompressed == 0 ? Blake3Constants.ChunkStart : 0;

    /// <summary>Adds at most the bytes that fit in this chunk; the caller never passes more.</summary>
    public void Update(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            // A full block is compressed only once more input shows it is not the chunk's last.
            if (_blockLength == Blake3Constants.BlockLength)
            {
                Blake3Compression.CompressInPlace(ref _cv, _block, Blake3Constants.BlockLength, ChunkCounter, _flags | StartFlag, _width);
                _blocksCompressed++;
                _blockLength = 0;
                ((Span<byte>)_block).Clear();
            }
            if (_blockLength == 0)
            {
                // Whole blocks straight from the input, skipping the copy into the buffer.
                while (input.Length > Blake3Constants.BlockLength)
                {
                    Blake3Compression.CompressInPlace(ref _cv, input, Blake3Constants.BlockLength, ChunkCounter, _flags | StartFlag, _width);
                    _blocksCompressed++;
                    input = input[Blake3Constants.BlockLength..];
                }
            }
            int take = Math.Min(Blake3Constants.BlockLength - _blockLength, input.Length);
            input[..take].CopyTo(((Span<byte>)_block)[_blockLength..]);
            _blockLength += take;
            input = input[take..];
        }
    }

    public readonly Blake3Output Output()
    {
        Blake3Output output = default;
        output.InputChainingValue = _cv;
        output.Block = _block;
        output.BlockLength = (uint)_blockLength;
        output.Counter = ChunkCounter;
        output.Flags = _flags | StartFlag | Blake3Constants.ChunkEnd;
        output.Width = _width;
        return output;
    }
}
