using Compliance.Hashing.Blake3;

namespace Compliance.Hashing;

/// <summary>BLAKE3 (default mode, 32-byte digest): the scanner's default content hash. Not FIPS approved.</summary>
public sealed class Blake3ContentHash : IContentHashAlgorithm
{
    public static Blake3ContentHash Instance { get; } = new();

    private Blake3ContentHash() { }

    public string Name => "blake3";
    public int HashSizeInBytes => Blake3Hasher.DefaultOutputLength;
    public bool IsFipsApproved => false;

    public IContentHasher CreateHasher() => new Hasher();

    public void HashData(ReadOnlySpan<byte> data, Span<byte> destination) => Blake3Hasher.Hash(data, destination[..Blake3Hasher.DefaultOutputLength]);

    private sealed class Hasher : IContentHasher
    {
        private readonly Blake3Hasher _hasher = new();

        public void Append(ReadOnlySpan<byte> data) => _hasher.Update(data);

        public void FinishAndReset(Span<byte> destination)
        {
            if (destination.Length < Blake3Hasher.DefaultOutputLength)
                throw new ArgumentException($"Destination must hold {Blake3Hasher.DefaultOutputLength} bytes.", nameof(destination));
            _hasher.Finalize(destination[..Blake3Hasher.DefaultOutputLength]);
            _hasher.Reset();
        }

        public void Dispose() { }
    }
}
