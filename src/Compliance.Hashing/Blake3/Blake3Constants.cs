namespace Compliance.Hashing.Blake3;

/// <summary>Sizes, initial vector and domain flags from the BLAKE3 specification.</summary>
internal static class Blake3Constants
{
    public const int BlockLength = 64;
    public const int ChunkLength = 1024;
    public const int BlocksPerChunk = ChunkLength / BlockLength;
    public const int KeyLength = 32;
    public const int OutputLength = 32;

    /// <summary>A tree of 2^64 bytes has at most 54 levels of 1 KiB chunks, so the chaining-value stack never grows deeper.</summary>
    public const int MaxTreeDepth = 54;

    public const uint ChunkStart = 1 << 0;
    public const uint ChunkEnd = 1 << 1;
    public const uint Parent = 1 << 2;
    public const uint Root = 1 << 3;
    public const uint KeyedHash = 1 << 4;
    public const uint DeriveKeyContext = 1 << 5;
    public const uint DeriveKeyMaterial = 1 << 6;

    // The SHA-256 initial hash values, as BLAKE3 reuses them.
    public const uint IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;
    public const uint IV4 = 0x510E527F, IV5 = 0x9B05688C, IV6 = 0x1F83D9AB, IV7 = 0x5BE0CD19;

    /// <summary>Which message word each G call of each of the 7 rounds reads: the permutation applied round after round.</summary>
    public static ReadOnlySpan<byte> MessageSchedule =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8,
        3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1,
        10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6,
        12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4,
        9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7,
        11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13,
    ];
}
