using System.Numerics;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// Hashes a whole subtree of chunks at once: leaves in SIMD batches, parents layer by layer in SIMD
/// batches, and the two halves of large subtrees on separate threads.
/// </summary>
internal static unsafe class Blake3Tree
{
    /// <summary>Most chaining values any level hands up: the widest SIMD degree, and never fewer than 2.</summary>
    private const int MaxDegreeOr2 = 16;

    /// <summary>Below this many bytes a subtree is not split across threads: the hand-off would cost more than it saves.</summary>
    private const long MinParallelSubtreeLength = 128 * 1024;

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
            count = CompressSubtreeWide(start, input.Length, key, chunkCounter, flags, width, threads, cvs);
        // With a SIMD degree above 2 the wide step returns up to that many chaining values; fold them down to two.
        while (count > 2)
        {
            count = CompressParents(new ReadOnlySpan<byte>(cvs, count * Blake3Constants.OutputLength), key, flags, width,
                new Span<byte>(parents, MaxDegreeOr2 / 2 * Blake3Constants.OutputLength));
            new ReadOnlySpan<byte>(parents, count * Blake3Constants.OutputLength).CopyTo(new Span<byte>(cvs, count * Blake3Constants.OutputLength));
        }
        new ReadOnlySpan<byte>(cvs, 2 * Blake3Constants.OutputLength).CopyTo(leftAndRight);
    }

    /// <summary>Returns how many chaining values (at most the SIMD degree, and 2 when it is 1) were written to output.</summary>
    private static int CompressSubtreeWide(byte* input, long length, ChainingValue key, ulong chunkCounter, uint flags,
        Blake3SimdWidth width, int threads, byte* output)
    {
        int degree = Blake3Simd.Degree(width);
        if (length <= (long)degree * Blake3Constants.ChunkLength)
            return CompressChunks(new ReadOnlySpan<byte>(input, (int)length), key, chunkCounter, flags, width,
                new Span<byte>(output, MaxDegreeOr2 * Blake3Constants.OutputLength));

        // The left subtree is the largest power-of-two number of whole chunks that leaves at least one byte for the right.
        long leftLength = (1L << BitOperations.Log2((ulong)((length - 1) / Blake3Constants.ChunkLength))) * Blake3Constants.ChunkLength;
        long rightLength = length - leftLength;
        ulong rightChunkCounter = chunkCounter + (ulong)(leftLength / Blake3Constants.ChunkLength);

        int childDegree = leftLength == Blake3Constants.ChunkLength ? 1 : Math.Max(degree, 2);
        byte* children = stackalloc byte[2 * MaxDegreeOr2 * Blake3Constants.OutputLength];
        byte* rightOut = children + childDegree * Blake3Constants.OutputLength;

        int leftCount, rightCount;
        if (threads > 1 && rightLength >= MinParallelSubtreeLength)
        {
            int leftThreads = threads / 2;
            nint leftInput = (nint)input, leftOutput = (nint)children;
            var left = Task.Factory.StartNew(
                () => CompressSubtreeWide((byte*)leftInput, leftLength, key, chunkCounter, flags, width, leftThreads, (byte*)leftOutput),
                CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
            rightCount = CompressSubtreeWide(input + leftLength, rightLength, key, rightChunkCounter, flags, width, threads - leftThreads, rightOut);
            leftCount = left.GetAwaiter().GetResult();
        }
        else
        {
            leftCount = CompressSubtreeWide(input, leftLength, key, chunkCounter, flags, width, 1, children);
            rightCount = CompressSubtreeWide(input + leftLength, rightLength, key, rightChunkCounter, flags, width, 1, rightOut);
        }

        // With one lane the leaves come back one each; hand both up unmerged so a level always returns at least two.
        if (leftCount == 1)
        {
            new ReadOnlySpan<byte>(children, 2 * Blake3Constants.OutputLength).CopyTo(new Span<byte>(output, 2 * Blake3Constants.OutputLength));
            return 2;
        }
        int total = leftCount + rightCount;
        return CompressParents(new ReadOnlySpan<byte>(children, total * Blake3Constants.OutputLength), key, flags, width,
            new Span<byte>(output, MaxDegreeOr2 * Blake3Constants.OutputLength));
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
        var chunk = new Blake3ChunkState(key, chunkCounter + (ulong)wholeChunks, flags);
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
