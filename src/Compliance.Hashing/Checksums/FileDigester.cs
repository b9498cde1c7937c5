using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Compliance.Hashing.Blake3;

namespace Compliance.Hashing.Checksums;

/// <summary>Computes a <see cref="DigestRequest"/> over files and streams.</summary>
public sealed class FileDigester
{
    /// <summary>Smaller files are read as one stream: splitting them into subtrees costs more than it saves (b3sum's mmap threshold).</summary>
    private const long SubtreeReadThreshold = 16 * 1024;

    /// <summary>Read size of a stream: large enough for whole SIMD subtrees per update.</summary>
    private const int ReadBufferLength = 1 << 20;

    private readonly DigestRequest _request;

    public FileDigester(DigestRequest request)
    {
        request.Validate();
        _request = request;
    }

    public int OutputLength => _request.OutputLength;

    /// <summary>True when this algorithm can produce a digest of that many bytes (BLAKE3: any; SHA-256: 32).</summary>
    public bool CanProduce(int outputLength) =>
        _request.IsBlake3 ? outputLength >= 1 : outputLength == ContentHashAlgorithms.Get(_request.Algorithm).HashSizeInBytes;

    /// <summary>The same request with another output length: a check file's lines may each have their own.</summary>
    public FileDigester WithOutputLength(int outputLength) => new(_request with { OutputLength = outputLength });

    /// <summary>Digest of a file's contents. Throws the usual I/O exceptions for files that cannot be read.</summary>
    public byte[] DigestFile(string path)
    {
        using var handle = Open(path);
        return DigestFile(handle);
    }

    /// <summary>Opens a file to be digested, as .NET opens a path: read once from its start, while others may write, rename or delete it.</summary>
    public static SafeFileHandle Open(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);

    /// <summary>Digest of a file just opened (read from where its offset is); the handle is closed after.</summary>
    public byte[] DigestFile(SafeFileHandle handle)
    {
        using var file = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        if (_request.IsBlake3 && _request.ReadInSubtrees && file.CanSeek && file.Length >= SubtreeReadThreshold)
            return DigestInSubtrees(file);
        return DigestStream(file);
    }

    /// <summary>Digest of everything left in a stream (standard input, pipes, small files), read on one thread.</summary>
    public byte[] DigestStream(Stream stream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferLength);
        try
        {
            if (_request.IsBlake3)
            {
                var hasher = CreateBlake3();
                for (int read; (read = stream.Read(buffer, 0, ReadBufferLength)) > 0;)
                    hasher.Update(buffer.AsSpan(0, read));
                return Finish(hasher);
            }
            using var contentHasher = ContentHashAlgorithms.Get(_request.Algorithm).CreateHasher();
            for (int read; (read = stream.Read(buffer, 0, ReadBufferLength)) > 0;)
                contentHasher.Append(buffer.AsSpan(0, read));
            var digest = new byte[_request.OutputLength];
            contentHasher.FinishAndReset(digest);
            return digest;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] DigestInSubtrees(FileStream file)
    {
        var hasher = CreateBlake3();
        hasher.MaxDegreeOfParallelism = _request.Threads;
        hasher.UpdateFromFile(file.SafeFileHandle, file.Length);
        return Finish(hasher);
    }

    private Blake3Hasher CreateBlake3() =>
        _request.Key is not null ? Blake3Hasher.CreateKeyed(_request.Key)
        : _request.DeriveKeyContext is not null ? Blake3Hasher.CreateDeriveKey(_request.DeriveKeyContext)
        : new Blake3Hasher();

    private byte[] Finish(Blake3Hasher hasher)
    {
        var digest = new byte[_request.OutputLength];
        hasher.Finalize(digest);
        return digest;
    }
}
