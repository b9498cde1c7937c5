using Compliance.Hashing.Blake3;

namespace Compliance.Hashing.Checksums;

/// <summary>What digest to compute for each input, and how to read it.</summary>
public sealed record DigestRequest
{
    /// <summary><c>blake3</c> or <c>sha256</c>, as <see cref="ContentHashAlgorithms"/> names them.</summary>
    public string Algorithm { get; init; } = Blake3ContentHash.Instance.Name;

    /// <summary>BLAKE3 keyed mode with this 32-byte key.</summary>
    public byte[]? Key { get; init; }

    /// <summary>BLAKE3 derive-key mode with this context string.</summary>
    public string? DeriveKeyContext { get; init; }

    /// <summary>Digests are held and printed whole, so the extended output is capped (at 16 MiB, 32 MiB of hex).</summary>
    public const int MaxOutputLength = 16 << 20;

    /// <summary>Output bytes: 1 to <see cref="MaxOutputLength"/> for BLAKE3 (extended output); 32 for SHA-256.</summary>
    public int OutputLength { get; init; } = Blake3Hasher.DefaultOutputLength;

    /// <summary>Threads one large BLAKE3 file may use; files read in subtrees only.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Read regular files of 16 KiB or more as subtrees with positional reads, on up to <see cref="Threads"/> threads;
    /// otherwise as one stream, in large blocks on one thread (b3sum's --no-mmap).
    /// </summary>
    public bool ReadInSubtrees { get; init; } = true;

    public bool IsBlake3 => string.Equals(Algorithm, Blake3ContentHash.Instance.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws <see cref="ArgumentException"/> with a message fit for the user when the options contradict each other.</summary>
    public void Validate()
    {
        if (!ContentHashAlgorithms.TryGet(Algorithm, out var algorithm))
            throw new ArgumentException($"unknown algorithm '{Algorithm}'; known: {string.Join(", ", ContentHashAlgorithms.All.Select(a => a.Name))}");
        if (Key is not null && DeriveKeyContext is not null)
            throw new ArgumentException("--keyed and --derive-key cannot be combined");
        if (Threads < 1)
            throw new ArgumentException($"--num-threads must be at least 1, not {Threads}");
        if (OutputLength is < 1 or > MaxOutputLength)
            throw new ArgumentException($"--length must be from 1 to {MaxOutputLength}, not {OutputLength}");
        if (Key is not null && Key.Length != Blake3Hasher.KeyLength)
            throw new ArgumentException($"a key must be exactly {Blake3Hasher.KeyLength} bytes, got {Key.Length}");
        if (!IsBlake3)
        {
            if (Key is not null || DeriveKeyContext is not null)
                throw new ArgumentException($"--keyed and --derive-key need --algo blake3, not {algorithm.Name}");
            if (OutputLength != algorithm.HashSizeInBytes)
                throw new ArgumentException($"--length needs --algo blake3; {algorithm.Name} gives {algorithm.HashSizeInBytes} bytes");
        }
    }
}
