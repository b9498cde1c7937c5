using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// Hashes a whole subtree of chunks at once: leaves in SIMD batches, parents layer by layer in SIMD
/// batches, and the two halves of large subtrees on separate threads.
/// </summary>
internal static unsafe class Blake3Tree
{
    /// <summary>Most chaining values any level hands up: the widest SIMD degree, and never fewer than 2.</summary>
    private const int MaxDegreeOr2 = 16;

    /// <summary>Threads get subtrees of at least this size: below it the hand-off costs more than it saves.</summary>
    private const long MinPieceLength = 256 * 1024;

    /// <summary>Pieces per thread: more pieces than threads keeps every thread busy when the CPU is shared or the sizes differ.</summary>
    private const int PiecesPerThread = 4;

    /// <summary>
    /// Compresses <paramref name="input"/> (more than one chunk, a power-of-two number of chunks unless it is
    /// the right edge of the tree) down to the 64-byte block of its root's two children.
    /// </summary>
    public static void CompressSubtreeToParentNode(ReadOnlySpan<byte> input, in ChainingValue key, ulong chunkCounter, uint flags,
        Blake3SimdWidth width, int threads, Span<byte> leftAndRight)
    {
        byte* cvs = stackalloc byte[MaxDegreeOr2 * Blake3Constants.OutputLength];
        byte* parents = stackalloc byte[MaxDegreeOr2 / 2 * Blake3Constants.OutputLength];
        int count;
        fixed (byte* start = input)
        {
            var pieces = threads > 1 ? HashPiecesInParallel(start, input.Length, key, chunkCounter, flags, width, threads) : null;
            count = CompressSubtreeWide(start, input.Length, key, chunkCounter, flags, width, cvs, pieces, depth: 0);
        }
        // With a SIMD degree above 2 the wide step returns up to that many chaining values; fold them down to two.
        while (count > 2)
        {
            count = CompressParents(new ReadOnlySpan<byte>(cvs, count * Blake3Constants.OutputLength), key, flags, width,
                new Span<byte>(parents, MaxDegreeOr2 / 2 * Blake3Constants.OutputLength));
            new ReadOnlySpan<byte>(parents, count * Blake3Constants.OutputLength).CopyTo(new Span<byte>(cvs, count * Blake3Constants.OutputLength));
        }
        new ReadOnlySpan<byte>(cvs, 2 * Blake3Constants.OutputLength).CopyTo(leftAndRight);
    }

    /// <summary>
    /// Returns how many chaining values (at most the SIMD degree, and 2 when it is 1) were written to output.
    /// Nodes that <paramref name="pieces"/> already hashed (on other threads) are taken from it, in tree order.
    /// </summary>
    private static int CompressSubtreeWide(byte* input, long length, in ChainingValue key, ulong chunkCounter, uint flags,
        Blake3SimdWidth width, byte* output, HashedPieces? pieces, int depth)
    {
        bool isLeaf = length <= (long)Blake3Simd.Degree(width) * Blake3Constants.ChunkLength;
        if (pieces is not null && (isLeaf || depth == pieces.Depth))
            return pieces.TakeNext(output);
        if (isLeaf)
            return CompressChunks(new ReadOnlySpan<byte>(input, (int)length), key, chunkCounter, flags, width,
                new Span<byte>(output, MaxDegreeOr2 * Blake3Constants.OutputLength));

        long leftLength = LeftLength(length);
        int childDegree = leftLength == Blake3Constants.ChunkLength ? 1 : Math.Max(Blake3Simd.Degree(width), 2);
        byte* children = stackalloc byte[2 * MaxDegreeOr2 * Blake3Constants.OutputLength];
        int leftCount = CompressSubtreeWide(input, leftLength, key, chunkCounter, flags, width, children, pieces, depth + 1);
        int rightCount = CompressSubtreeWide(input + leftLength, length - leftLength, key,
            chunkCounter + (ulong)(leftLength / Blake3Constants.ChunkLength), flags, width, children + childDegree * Blake3Constants.OutputLength, pieces, depth + 1);

        // With one lane the leaves come back one each; hand both up unmerged so a level always returns at least two.
        if (leftCount == 1)
        {
            new ReadOnlySpan<byte>(children, 2 * Blake3Constants.OutputLength).CopyTo(new Span<byte>(output, 2 * Blake3Constants.OutputLength));
            return 2;
        }
        return CompressParents(new ReadOnlySpan<byte>(children, (leftCount + rightCount) * Blake3Constants.OutputLength), key, flags, width,
            new Span<byte>(output, MaxDegreeOr2 * Blake3Constants.OutputLength));
    }

    /// <summary>The left child: the largest power-of-two number of whole chunks that leaves at least one byte for the right.</summary>
    private static long LeftLength(long length) =>
        (1L << BitOperations.Log2((ulong)((length - 1) / Blake3Constants.ChunkLength))) * Blake3Constants.ChunkLength;

    /// <summary>
    /// Hashes the nodes a few levels down the tree, the same nodes <see cref="CompressSubtreeWide"/> would reach, on up to
    /// <paramref name="threads"/> threads; the levels above are then merged on the calling thread. Null when the input is too small to split.
    /// </summary>
    private static HashedPieces? HashPiecesInParallel(byte* input, long length, ChainingValue key, ulong chunkCounter, uint flags,
        Blake3SimdWidth width, int threads)
    {
        int depth = Math.Min(BitOperations.Log2((uint)(threads * PiecesPerThread - 1)) + 1, BitOperations.Log2((ulong)(length / MinPieceLength)));
        if (depth <= 0)
            return null;
        var nodes = new List<(long Offset, long Length, ulong Counter)>();
        CollectNodes(0, length, chunkCounter, Blake3Simd.Degree(width), 0, depth, nodes);
        var pieces = new HashedPieces(depth, nodes.Count);
        nint start = (nint)input;
        Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var (offset, pieceLength, counter) = nodes[i];
            pieces.Counts[i] = CompressSubtreeWide((byte*)start + offset, pieceLength, key, counter, flags, width, pieces.Slot(i), null, 0);
        });
        return pieces;
    }

    private static void CollectNodes(long offset, long length, ulong chunkCounter, int degree, int depth, int targetDepth,
        List<(long Offset, long Length, ulong Counter)> nodes)
    {
        if (depth == targetDepth || length <= (long)degree * Blake3Constants.ChunkLength)
        {
            nodes.Add((offset, length, chunkCounter));
            return;
        }
        long leftLength = LeftLength(length);
        CollectNodes(offset, leftLength, chunkCounter, degree, depth + 1, targetDepth, nodes);
        CollectNodes(offset + leftLength, length - leftLength, chunkCounter + (ulong)(leftLength / Blake3Constants.ChunkLength), degree, depth + 1, targetDepth, nodes);
    }

    /// <summary>The chaining values of nodes hashed ahead of the merge, handed out in tree order.</summary>
    private sealed class HashedPieces(int depth, int count)
    {
        private const int SlotLength = MaxDegreeOr2 * Blake3Constants.OutputLength;
        private readonly byte[] _outputs = GC.AllocateUninitializedArray<byte>(count * SlotLength, pinned: true);
        private int _next;

        public int Depth { get; } = depth;
        public int[] Counts { get; } = new int[count];

        public byte* Slot(int index) => (byte*)Unsafe.AsPointer(ref _outputs[index * SlotLength]);

        public int TakeNext(byte* output)
        {
            int index = _next++;
            new ReadOnlySpan<byte>(Slot(index), Counts[index] * Blake3Constants.OutputLength).CopyTo(new Span<byte>(output, SlotLength));
            return Counts[index];
        }
    }

    /// <summary>Chaining values of every chunk in input (the last one may be partial); returns their count.</summary>
    private static int CompressChunks(ReadOnlySpan<byte> input, in ChainingValue key, ulong chunkCounter, uint flags,
        Blake3SimdWidth width, Span<byte> output)
    {
        int wholeChunks = input.Length / Blake3Constants.ChunkLength;
        Blake3HashMany.Hash(width, input, wholeChunks, Blake3Constants.BlocksPerChunk, key, chunkCounter, incrementCounter: true,
            flags, Blake3Constants.ChunkStart, Blake3Constants.ChunkEnd, output);
        int tail = input.Length - wholeChunks * Blake3Constants.ChunkLength;
        if (tail == 0)
            return wholeChunks;
        var chunk = new Blake3ChunkState(key, chunkCounter + (ulong)wholeChunks, flags, width);
        chunk.Update(input[^tail..]);
        chunk.Output().ChainingValue().WriteTo(output.Slice(wholeChunks * Blake3Constants.OutputLength, Blake3Constants.OutputLength));
        return wholeChunks + 1;
    }

    /// <summary>Merges adjacent pairs of chaining values into parents; an odd last one passes through. Returns the new count.</summary>
    private static int CompressParents(ReadOnlySpan<byte> childCvs, in ChainingValue key, uint flags, Blake3SimdWidth width, Span<byte> output)
    {
        int children = childCvs.Length / Blake3Constants.OutputLength;
        int pairs = children / 2;
        Blake3HashMany.Hash(width, childCvs, pairs, 1, key, 0, incrementCounter: false, flags | Blake3Constants.Parent, 0, 0, output);
        if (children % 2 == 0)
            return pairs;
        childCvs[^Blake3Constants.OutputLength..].CopyTo(output.Slice(pairs * Blake3Constants.OutputLength));
        return pairs + 1;
    }
}
