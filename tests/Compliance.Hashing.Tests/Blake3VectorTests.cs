using Compliance.Hashing.Blake3;

namespace Compliance.Hashing.Tests;

public class Blake3VectorTests
{
    public static TheoryData<Blake3SimdWidth> Widths()
    {
        var data = new TheoryData<Blake3SimdWidth>();
        foreach (var width in Blake3TestVectors.SupportedWidths)
            data.Add(width);
        return data;
    }

    [Fact]
    public void The_vector_file_holds_the_official_cases()
    {
        Blake3TestVectors.Cases.Should().HaveCount(35);
        Blake3TestVectors.Cases.Select(c => c.InputLength).Should().Contain([0, 1, 1023, 1024, 1025, 31744, 102400]);
        Blake3TestVectors.Cases.Should().OnlyContain(c => c.Hash.Length == 131 && c.KeyedHash.Length == 131 && c.DeriveKey.Length == 131);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Default_hash_matches_every_vector_in_full_extended_output(Blake3SimdWidth width)
    {
        foreach (var c in Blake3TestVectors.Cases)
        {
            var hasher = new Blake3Hasher(width);
            hasher.Update(Blake3TestVectors.Input(c.InputLength));
            Finish(hasher, c.Hash.Length).Should().Equal(c.Hash, $"input length {c.InputLength}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Keyed_hash_matches_every_vector_in_full_extended_output(Blake3SimdWidth width)
    {
        foreach (var c in Blake3TestVectors.Cases)
        {
            var hasher = Blake3Hasher.CreateKeyed(Blake3TestVectors.Key, width);
            hasher.Update(Blake3TestVectors.Input(c.InputLength));
            Finish(hasher, c.KeyedHash.Length).Should().Equal(c.KeyedHash, $"input length {c.InputLength}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Derive_key_matches_every_vector_in_full_extended_output(Blake3SimdWidth width)
    {
        foreach (var c in Blake3TestVectors.Cases)
        {
            var hasher = Blake3Hasher.CreateDeriveKey(Blake3TestVectors.Context, width);
            hasher.Update(Blake3TestVectors.Input(c.InputLength));
            Finish(hasher, c.DeriveKey.Length).Should().Equal(c.DeriveKey, $"input length {c.InputLength}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void One_shot_hash_matches_every_vector_in_full_extended_output(Blake3SimdWidth width)
    {
        foreach (var c in Blake3TestVectors.Cases)
        {
            var digest = new byte[c.Hash.Length];
            Blake3Hasher.Hash(Blake3TestVectors.Input(c.InputLength), digest, width);
            digest.Should().Equal(c.Hash, $"input length {c.InputLength}");
        }
    }

    /// <summary>
    /// The one-shot folds the whole input as one subtree, the incremental hasher (checked against the vectors above)
    /// chunk by chunk: they must agree at lengths the vectors do not reach, deeper trees included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void One_shot_hash_agrees_with_the_incremental_hasher_at_any_length(Blake3SimdWidth width)
    {
        var random = new Random(3);
        var input = new byte[1 << 20];
        random.NextBytes(input);
        var lengths = Enumerable.Range(1, 20).SelectMany(c => new[] { c * 1024 - 1, c * 1024, c * 1024 + 1 })
            .Concat(Enumerable.Range(0, 60).Select(_ => random.Next(input.Length + 1)))
            .Concat([65 * 1024, 129 * 1024 + 7, input.Length]);
        foreach (int length in lengths)
        {
            int outputLength = 1 + random.Next(200);
            var oneShot = new byte[outputLength];
            Blake3Hasher.Hash(input.AsSpan(0, length), oneShot, width);
            var hasher = new Blake3Hasher(width);
            hasher.Update(input.AsSpan(0, length));
            Finish(hasher, outputLength).Should().Equal(oneShot, $"input length {length}, {outputLength} bytes of output");
        }
    }

    [Fact]
    public void Content_hash_plugin_gives_the_first_32_bytes_and_resets()
    {
        var c = Blake3TestVectors.Cases.Single(v => v.InputLength == 1025);
        using var hasher = Blake3ContentHash.Instance.CreateHasher();
        var digest = new byte[32];
        for (int round = 0; round < 2; round++)
        {
            hasher.Append(Blake3TestVectors.Input(1025));
            hasher.FinishAndReset(digest);
            digest.Should().Equal(c.Hash.Take(32));
        }
        Blake3ContentHash.Instance.Name.Should().Be("blake3");
        Blake3ContentHash.Instance.HashSizeInBytes.Should().Be(32);
        Blake3ContentHash.Instance.IsFipsApproved.Should().BeFalse();
    }

    private static byte[] Finish(Blake3Hasher hasher, int length)
    {
        var output = new byte[length];
        hasher.Finalize(output);
        return output;
    }
}
