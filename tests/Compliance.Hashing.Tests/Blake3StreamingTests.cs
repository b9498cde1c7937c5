using Compliance.Hashing.Blake3;

namespace Compliance.Hashing.Tests;

/// <summary>
/// Whole-subtree hashing (SIMD batches, threads) against the chunk-at-a-time path, which never batches
/// and which the official vectors pin down; inputs sit on and around every chunk and subtree boundary.
/// </summary>
public class Blake3StreamingTests
{
    private static readonly int[] BoundaryLengths =
    [
        0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121, 6144, 6145,
        7168, 7169, 8192, 8193, 16384, 31744, 102400, 3 * 1024 * 1024 + 17, 4 * 1024 * 1024,
    ];

    public static TheoryData<Blake3SimdWidth> Widths() => Blake3VectorTests.Widths();

    [Theory]
    [MemberData(nameof(Widths))]
    public void One_update_matches_chunk_at_a_time_at_every_boundary(Blake3SimdWidth width)
    {
        foreach (int length in BoundaryLengths)
        {
            var input = RandomBytes(length, seed: length);
            var whole = new Blake3Hasher(width);
            whole.Update(input);
            Digest(whole).Should().Equal(ChunkAtATime(input), $"length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Random_split_points_give_the_same_digest(Blake3SimdWidth width)
    {
        var random = new Random(7);
        foreach (int length in new[] { 1025, 8193, 102400, 1024 * 1024 + 3 })
        {
            var input = RandomBytes(length, seed: length);
            var expected = ChunkAtATime(input);
            for (int trial = 0; trial < 8; trial++)
            {
                var hasher = new Blake3Hasher(width);
                for (int offset = 0; offset < length;)
                {
                    // Mostly small pieces, sometimes large ones that take the subtree path mid-stream.
                    int piece = Math.Min(length - offset, random.Next(4) == 0 ? random.Next(1, 70_000) : random.Next(0, 2_100));
                    hasher.Update(input.AsSpan(offset, piece));
                    offset += piece;
                }
                Digest(hasher).Should().Equal(expected, $"length {length}, trial {trial}");
            }
        }
    }

    [Fact]
    public void Threads_split_subtrees_without_changing_the_digest()
    {
        foreach (int length in new[] { 256 * 1024, 1024 * 1024 + 1, 5 * 1024 * 1024 + 4097 })
        {
            var input = RandomBytes(length, seed: length);
            var expected = ChunkAtATime(input);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                var hasher = new Blake3Hasher { MaxDegreeOfParallelism = threads };
                hasher.Update(input);
                Digest(hasher).Should().Equal(expected, $"length {length}, {threads} threads");
            }
        }
    }

    [Fact]
    public void Extended_output_can_be_read_from_any_position()
    {
        var c = Blake3TestVectors.Cases.Single(v => v.InputLength == 31744);
        var hasher = Blake3Hasher.CreateKeyed(Blake3TestVectors.Key);
        hasher.Update(Blake3TestVectors.Input(c.InputLength));
        foreach (int position in new[] { 0, 1, 31, 32, 63, 64, 65, 100, 130 })
        {
            var slice = new byte[c.KeyedHash.Length - position];
            hasher.Finalize((ulong)position, slice);
            slice.Should().Equal(c.KeyedHash.Skip(position), $"position {position}");
        }

        var reader = hasher.FinalizeReader();
        var pieces = new List<byte>();
        foreach (int size in new[] { 7, 57, 1, 64, 2 })
        {
            var piece = new byte[size];
            reader.Read(piece);
            pieces.AddRange(piece);
        }
        pieces.Should().Equal(c.KeyedHash);
        reader.Position.Should().Be(131);
    }

    [Fact]
    public void Finalize_leaves_the_hasher_usable_and_Reset_forgets_input()
    {
        var vectors = Blake3TestVectors.Cases.ToDictionary(c => c.InputLength);
        var input = Blake3TestVectors.Input(2049);
        var hasher = new Blake3Hasher();
        hasher.Update(input.AsSpan(0, 1025));
        Digest(hasher).Should().Equal(vectors[1025].Hash.Take(32));
        hasher.Update(input.AsSpan(1025));
        Digest(hasher).Should().Equal(vectors[2049].Hash.Take(32));
        hasher.Reset();
        Digest(hasher).Should().Equal(vectors[0].Hash.Take(32));
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused()
    {
        var act = () => Blake3Hasher.CreateKeyed(new byte[31]);
        act.Should().Throw<ArgumentException>().WithMessage("*32 bytes, not 31*");
    }

    [Fact]
    public void Forcing_an_unsupported_width_falls_back_to_a_supported_one()
    {
        Blake3Simd.ChooseDefault("scalar").Should().Be(Blake3SimdWidth.Scalar);
        Blake3Simd.ChooseDefault("nonsense").Should().Be(Blake3Simd.Supported.Max());
        Blake3Simd.IsSupported(Blake3Simd.ChooseDefault("512")).Should().BeTrue();
    }

    /// <summary>Feeds at most one chunk per update, so neither SIMD batches nor threads are involved.</summary>
    internal static byte[] ChunkAtATime(byte[] input)
    {
        var hasher = new Blake3Hasher(Blake3SimdWidth.Scalar);
        for (int offset = 0; offset < input.Length; offset += 1000)
            hasher.Update(input.AsSpan(offset, Math.Min(1000, input.Length - offset)));
        return Digest(hasher);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static byte[] Digest(Blake3Hasher hasher)
    {
        var digest = new byte[32];
        hasher.Finalize(digest);
        return digest;
    }
}
