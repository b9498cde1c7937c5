using System.Security.Cryptography;

namespace Compliance.Hashing;

/// <summary>SHA-256 from the BCL (OpenSSL on Linux, CNG on Windows): the FIPS-approved choice.</summary>
public sealed class Sha256ContentHash : IContentHashAlgorithm
{
    public static Sha256ContentHash Instance { get; } = new();

    private Sha256ContentHash() { }

    public string Name => "sha256";
    public int HashSizeInBytes => SHA256.HashSizeInBytes;
    public bool IsFipsApproved => true;

    public IContentHasher CreateHasher() => new Hasher();

    public void HashData(ReadOnlySpan<byte> data, Span<byte> destination) => SHA256.HashData(data, destination);

    private sealed class Hasher : IContentHasher
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

        public void FinishAndReset(Span<byte> destination)
        {
            if (!_hash.TryGetHashAndReset(destination, out int written) || written != SHA256.HashSizeInBytes)
                throw new ArgumentException($"Destination must hold {SHA256.HashSizeInBytes} bytes.", nameof(destination));
        }

        public void Dispose() => _hash.Dispose();
    }
}
