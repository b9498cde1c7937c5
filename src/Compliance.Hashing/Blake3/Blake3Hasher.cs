using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Hashing.Blake3;

/// <summary>
/// Incremental BLAKE3 in all three modes (hash, keyed hash, derive key), with output of any length from
/// any position. Input may be split anywhere across <see cref="Update"/> calls; large updates hash whole
/// subtrees with SIMD and, when <see cref="MaxDegreeOfParallelism"/> allows, on several threads.
/// Not thread-safe.
/// </summary>
public sealed class Blake3Hasher
{
    public const int KeyLength = Blake3Constants.KeyLength;
    public const int DefaultOutputLength = Blake3Constants.OutputLength;

    [InlineArray(Blake3Constants.MaxTreeDepth + 1)]
    private struct ChainingValueStack
    {
        private ChainingValue _cv0;
    }

    private readonly ChainingValue _key;
    private readonly uint _flags;
    private readonly Blake3SimdWidth _width;
    private readonly ulong _firstChunk;
    private Blake3ChunkState _chunk;
    private ChainingValueStack _stack;
    private int _stackLength;
    private int _maxDegreeOfParallelism = 1;

    /// <summary>A hasher for the default (unkeyed) hash, using the process's default SIMD width.</summary>
    public Blake3Hasher() : this(ChainingValue.FromIV(), 0, Blake3Simd.Default) { }

    /// <summary>A hasher that uses the given SIMD width, which must be supported by this CPU: for tests and benchmarks.</summary>
    public Blake3Hasher(Blake3SimdWidth width) : this(ChainingValue.FromIV(), 0, width) { }

    /// <param name="firstChunk">Counter of the first chunk: 0 for a whole input, more for a subtree hashed on its own.</param>
    private Blake3Hasher(in ChainingValue key, uint flags, Blake3SimdWidth width, ulong firstChunk = 0)
    {
        if (!Blake3Simd.IsSupported(width))
            throw new PlatformNotSupportedException($"This CPU does not support the BLAKE3 SIMD width {width}.");
        _key = key;
        _flags = flags;
        _width = width;
        _firstChunk = firstChunk;
        _chunk = new Blake3ChunkState(key, firstChunk, flags, width);
    }

    /// <summary>Keyed hashing (a MAC) with a 32-byte key.</summary>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key, Blake3SimdWidth? width = null)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"A BLAKE3 key is {KeyLength} bytes, not {key.Length}.", nameof(key));
        return new Blake3Hasher(ChainingValue.FromBytes(key), Blake3Constants.KeyedHash, width ?? Blake3Simd.Default);
    }

    /// <summary>Key derivation: the context string should be hard-coded, globally unique and application-specific; the key material is the input.</summary>
    public static Blake3Hasher CreateDeriveKey(string context, Blake3SimdWidth? width = null)
    {
        var contextHasher = new Blake3Hasher(ChainingValue.FromIV(), Blake3Constants.DeriveKeyContext, width ?? Blake3Simd.Default);
        contextHasher.Update(Encoding.UTF8.GetBytes(context));
        Span<byte> contextKey = stackalloc byte[KeyLength];
        contextHasher.Finalize(contextKey);
        return new Blake3Hasher(ChainingValue.FromBytes(contextKey), Blake3Constants.DeriveKeyMaterial, width ?? Blake3Simd.Default);
    }

    /// <summary>One-shot default hash, of any output length.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> destination) => Hash(input, destination, Blake3Simd.Default);

    internal static void Hash(ReadOnlySpan<byte> input, Span<byte> destination, Blake3SimdWidth width)
    {
        var key = ChainingValue.FromIV();
        if (input.Length <= Blake3Constants.ChunkLength)
        {
            // One chunk is the whole tree: small files, hashed by the thousand, need no hasher and no stack of
            // chaining values to allocate and clear.
            var chunk = new Blake3ChunkState(key, 0, 0, width);
            chunk.Update(input);
            chunk.Output().RootBytes(0, destination);
            return;
        }
        // Input that is all at hand is one subtree from chunk 0, the tree's right edge, so any length folds down to
        // the root's two children directly: no hasher to allocate, and the chunks go through the SIMD batches.
        Span<byte> leftAndRight = stackalloc byte[2 * Blake3Constants.OutputLength];
        Blake3Tree.CompressSubtreeToParentNode(input, key, 0, 0, width, 1, leftAndRight);
        Blake3Output.Parent(leftAndRight, key, 0, width).RootBytes(0, destination);
    }

    /// <summary>How many threads one large <see cref="Update"/> may use (1, the default, stays on the calling thread).</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "At least one thread is needed.");
    }

    public Blake3SimdWidth SimdWidth => _width;

    /// <summary>Forgets all input, keeping the mode and key.</summary>
    public void Reset()
    {
        _chunk = new Blake3ChunkState(_key, _firstChunk, _flags, _width);
        _stackLength = 0;
    }

    public void Update(ReadOnlySpan<byte> input)
    {
        // Finish a partly filled chunk first; if more input follows, that chunk is not the root.
        if (_chunk.Length > 0)
        {
            int take = Math.Min(Blake3Constants.ChunkLength - _chunk.Length, input.Length);
            _chunk.Update(input[..take]);
            input = input[take..];
            if (input.IsEmpty)
                return;
            PushChainingValue(_chunk.Output().ChainingValue(), _chunk.ChunkCounter);
            _chunk = new Blake3ChunkState(_key, _chunk.ChunkCounter + 1, _flags, _width);
        }

        // Hash the largest whole subtrees the input holds. A subtree must be a power-of-two number of
        // chunks and must evenly divide the chunks hashed so far, or it would not be a subtree of the final tree.
        Span<byte> leftAndRight = stackalloc byte[2 * Blake3Constants.OutputLength];
        while (input.Length > Blake3Constants.ChunkLength)
        {
            long subtreeLength = 1L << BitOperations.Log2((ulong)input.Length);
            ulong bytesSoFar = _chunk.ChunkCounter * Blake3Constants.ChunkLength;
            while ((((ulong)subtreeLength - 1) & bytesSoFar) != 0)
                subtreeLength /= 2;
            ulong subtreeChunks = (ulong)subtreeLength / Blake3Constants.ChunkLength;
            ReadOnlySpan<byte> subtree = input[..(int)subtreeLength];
            if (subtreeLength <= Blake3Constants.ChunkLength)
            {
                var single = new Blake3ChunkState(_key, _chunk.ChunkCounter, _flags, _width);
                single.Update(subtree);
                PushChainingValue(single.Output().ChainingValue(), _chunk.ChunkCounter);
            }
            else
            {
                Blake3Tree.CompressSubtreeToParentNode(subtree, _key, _chunk.ChunkCounter, _flags, _width, _maxDegreeOfParallelism, leftAndRight);
                // Pushing both halves lets the stack merge lazily, so the subtree's root is never mistaken for the tree's.
                PushChainingValue(ChainingValue.FromBytes(leftAndRight), _chunk.ChunkCounter);
                PushChainingValue(ChainingValue.FromBytes(leftAndRight[Blake3Constants.OutputLength..]), _chunk.ChunkCounter + subtreeChunks / 2);
            }
            _chunk.ChunkCounter += subtreeChunks;
            input = input[(int)subtreeLength..];
        }

        if (!input.IsEmpty)
        {
            _chunk.Update(input);
            // Input now follows everything on the stack, so it can all merge down except what the chunk count keeps.
            MergeStack(_chunk.ChunkCounter);
        }
    }

    /// <summary>
    /// Hashes the first <paramref name="length"/> bytes of a file as this hasher's whole input so far (nothing may have
    /// been hashed before), on up to <see cref="MaxDegreeOfParallelism"/> threads. Each thread takes whole subtrees and
    /// reads them with positional reads into its own buffer, small enough that the bytes are still in the core's cache
    /// when they are hashed: faster here than hashing a memory mapping, which reads every byte from main memory and
    /// faults its pages in one at a time. The subtrees' chaining values are merged in order afterwards.
    /// Throws <see cref="IOException"/> should the file end before <paramref name="length"/> bytes.
    /// </summary>
    public void UpdateFromFile(SafeFileHandle file, long length)
    {
        if (_chunk.ChunkCounter != 0 || _chunk.Length != 0)
            throw new InvalidOperationException("UpdateFromFile needs a hasher that has hashed nothing yet.");
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        // Everything but the last chunk goes to subtrees; the last chunk stays in this hasher, so that no subtree's
        // chaining value is ever mistaken for the root.
        long lastChunkLength = length == 0 ? 0 : (length - 1) % Blake3Constants.ChunkLength + 1;
        var pieces = FilePieces.Split(length - lastChunkLength, _maxDegreeOfParallelism);
        var cvs = new ChainingValue[pieces.Count];
        // Each thread takes the next piece until none is left. (Parallel.For, tried first, left most pieces to one
        // thread here: two threads ran no faster than one.)
        int next = -1;
        void HashPieces()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < pieces.Count;)
                cvs[i] = HashFilePiece(file, pieces[i]);
        }
        var helpers = new Task[Math.Max(0, Math.Min(_maxDegreeOfParallelism, pieces.Count) - 1)];
        for (int i = 0; i < helpers.Length; i++)
            helpers[i] = Task.Factory.StartNew(HashPieces, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        HashPieces();
        Task.WaitAll(helpers);
        for (int i = 0; i < pieces.Count; i++)
        {
            PushChainingValue(cvs[i], _chunk.ChunkCounter);
            _chunk.ChunkCounter += (ulong)(pieces[i].Length / Blake3Constants.ChunkLength);
        }

        Span<byte> lastChunk = stackalloc byte[Blake3Constants.ChunkLength];
        lastChunk = lastChunk[..(int)lastChunkLength];
        FilePieces.ReadExactly(file, lastChunk, length - lastChunkLength);
        Update(lastChunk);
    }

    /// <summary>The chaining value of one whole subtree of the file, read and hashed on the calling thread.</summary>
    private ChainingValue HashFilePiece(SafeFileHandle file, FilePieces.Piece piece)
    {
        var hasher = new Blake3Hasher(_key, _flags, _width, (ulong)(piece.Offset / Blake3Constants.ChunkLength));
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(FilePieces.ReadLength, piece.Length));
        try
        {
            for (long done = 0; done < piece.Length;)
            {
                var read = buffer.AsSpan(0, (int)Math.Min(buffer.Length, piece.Length - done));
                FilePieces.ReadExactly(file, read, piece.Offset + done);
                hasher.Update(read);
                done += read.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return hasher.RootOutput().ChainingValue();
    }

    /// <summary>Writes destination.Length bytes of output (32 is the standard hash); the hasher stays usable.</summary>
    public void Finalize(Span<byte> destination) => RootOutput().RootBytes(0, destination);

    /// <summary>Writes output bytes starting at byte <paramref name="position"/> of the extended output.</summary>
    public void Finalize(ulong position, Span<byte> destination) => RootOutput().RootBytes(position, destination);

    /// <summary>A reader over the unbounded extended output, positioned at its start.</summary>
    public Blake3OutputReader FinalizeReader() => new(RootOutput());

    private Blake3Output RootOutput()
    {
        if (_stackLength == 0)
            return _chunk.Output();

        // update() already merged everything a non-empty chunk allows, so only the right edge remains to fold.
        Blake3Output output;
        int remaining = _stackLength;
        Span<byte> pair = stackalloc byte[2 * Blake3Constants.OutputLength];
        if (_chunk.Length > 0)
        {
            output = _chunk.Output();
        }
        else
        {
            _stack[remaining - 2].WriteTo(pair);
            _stack[remaining - 1].WriteTo(pair[Blake3Constants.OutputLength..]);
            output = Blake3Output.Parent(pair, _key, _flags, _width);
            remaining -= 2;
        }
        while (remaining > 0)
        {
            _stack[remaining - 1].WriteTo(pair);
            output.ChainingValue().WriteTo(pair[Blake3Constants.OutputLength..]);
            output = Blake3Output.Parent(pair, _key, _flags, _width);
            remaining--;
        }
        return output;
    }

    private void PushChainingValue(in ChainingValue cv, ulong chunkCounter)
    {
        MergeStack(chunkCounter);
        _stack[_stackLength++] = cv;
    }

    /// <summary>A complete tree of n chunks keeps one subtree per set bit of n; everything beyond that merges into parents.</summary>
    private void MergeStack(ulong chunkCounter)
    {
        int keep = BitOperations.PopCount(chunkCounter - _firstChunk);
        Span<byte> pair = stackalloc byte[2 * Blake3Constants.OutputLength];
        while (_stackLength > keep)
        {
            _stack[_stackLength - 2].WriteTo(pair);
            _stack[_stackLength - 1].WriteTo(pair[Blake3Constants.OutputLength..]);
            _stack[_stackLength - 2] = Blake3Output.Parent(pair, _key, _flags, _width).ChainingValue();
            _stackLength--;
        }
    }
}

/// <summary>Reads the extended output of a finished hash sequentially, from any position.</summary>
public struct Blake3OutputReader
{
    private readonly Blake3Output _root;

    internal Blake3OutputReader(Blake3Output root) => _root = root;

    /// <summary>Byte offset in the output stream of the next byte <see cref="Read"/> returns.</summary>
    public ulong Position { get; set; }

    public void Read(Span<byte> destination)
    {
        _root.RootBytes(Position, destination);
        Position += (ulong)destination.Length;
    }
}
