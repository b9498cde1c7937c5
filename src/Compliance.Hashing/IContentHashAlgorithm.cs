namespace Compliance.Hashing;

/// <summary>A content hash the scanner can record, named as it appears in policies, the store and exports.</summary>
public interface IContentHashAlgorithm
{
    /// <summary>Lower-case name used everywhere outside the code: <c>blake3</c>, <c>sha256</c>.</summary>
    string Name { get; }

    /// <summary>Digest length in bytes.</summary>
    int HashSizeInBytes { get; }

    /// <summary>True when the algorithm is FIPS 140 approved (policies for FIPS environments ask for these only).</summary>
    bool IsFipsApproved { get; }

    /// <summary>Starts an incremental hash; feed it with <see cref="IContentHasher.Append"/>.</summary>
    IContentHasher CreateHasher();

    /// <summary>The digest of data that is all at hand, in one call (<paramref name="destination"/> holds <see cref="HashSizeInBytes"/>).</summary>
    void HashData(ReadOnlySpan<byte> data, Span<byte> destination);
}

/// <summary>One incremental hash computation. Not thread-safe; one per file being hashed.</summary>
public interface IContentHasher : IDisposable
{
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Writes the digest of everything appended so far and resets the hasher for reuse.</summary>
    void FinishAndReset(Span<byte> destination);
}
