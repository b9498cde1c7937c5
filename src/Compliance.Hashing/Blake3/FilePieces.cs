namespace Compliance.Hashing.Blake3;

/// <summary>How <see cref="Blake3Hasher.UpdateFromFile"/> cuts a file into subtrees, and how it reads them.</summary>
internal static class FilePieces
{
    /// <summary>One positional read: whole SIMD batches of chunks, and still in the core's cache (L2) when hashed.</summary>
    public const int ReadLength = 512 * 1024;

    /// <summary>Pieces per thread: more pieces than threads keeps every thread busy when the CPU is shared.</summary>
    private const int PiecesPerThread = 4;

    /// <summary>Pieces are never smaller than this (unless the input is): below it the hand-off costs more than it saves.</summary>
    private const long MinPieceLength = 256 * 1024;

    /// <summary>A subtree of the file: a power-of-two number of chunks, at an offset that is a multiple of its length.</summary>
    public readonly record struct Piece(long Offset, long Length);

    /// <summary>
    /// Cuts the first <paramref name="length"/> bytes (a whole number of chunks) into subtrees of the final tree: equal
    /// power-of-two pieces, then the remainder as ever smaller powers of two, each aligned to its own length.
    /// </summary>
    public static List<Piece> Split(long length, int threads)
    {
        if (length % Blake3Constants.ChunkLength != 0)
            throw new ArgumentException($"{length} bytes are not a whole number of chunks.", nameof(length));
        long target = Math.Max(MinPieceLength, length / ((long)threads * PiecesPerThread));
        long pieceLength = Blake3Constants.ChunkLength;
        while (pieceLength * 2 <= target)
            pieceLength *= 2;
        var pieces = new List<Piece>();
        for (long offset = 0; offset < length;)
        {
            while (pieceLength > length - offset)
                pieceLength /= 2;
            pieces.Add(new Piece(offset, pieceLength));
            offset += pieceLength;
        }
        return pieces;
    }

    /// <summary>Fills destination from the file at offset, or throws should the file end first (it was truncated while hashed).</summary>
    public static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(file, destination, offset);
            if (read == 0)
                throw new IOException($"the file ended at byte {offset} while it was being hashed (it was truncated)");
            destination = destination[read..];
            offset += read;
        }
    }
}
