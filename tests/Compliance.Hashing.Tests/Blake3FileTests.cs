using Compliance.Hashing.Blake3;

namespace Compliance.Hashing.Tests;

/// <summary>
/// <see cref="Blake3Hasher.UpdateFromFile"/> (subtrees read and hashed on several threads) against the chunk-at-a-time
/// path over real files, and how it cuts a file into subtrees.
/// </summary>
public sealed class Blake3FileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("blake3-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reading_a_file_in_subtrees_gives_the_streaming_digest(int threads)
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        foreach (int length in new[] { 0, 1, 1023, 1024, 1025, 2049, 16384, 262144, 262145, 1024 * 1024 + 3 * 1024, 5 * 1024 * 1024 + 4097 })
        {
            var input = Blake3StreamingTests.RandomBytes(length, seed: length);
            string path = Path.Combine(_dir, $"{length}.bin");
            File.WriteAllBytes(path, input);
            using var file = File.OpenHandle(path);

            var plain = new Blake3Hasher { MaxDegreeOfParallelism = threads };
            plain.UpdateFromFile(file, length);
            Blake3StreamingTests.Digest(plain).Should().Equal(Blake3StreamingTests.ChunkAtATime(input), $"length {length}");

            // Keyed mode takes the same path with other flags; the hasher stays usable for more input afterwards.
            var keyed = Blake3Hasher.CreateKeyed(key);
            keyed.MaxDegreeOfParallelism = threads;
            keyed.UpdateFromFile(file, length);
            keyed.Update("tail"u8);
            var expected = Blake3Hasher.CreateKeyed(key);
            expected.Update(input);
            expected.Update("tail"u8);
            Blake3StreamingTests.Digest(keyed).Should().Equal(Blake3StreamingTests.Digest(expected), $"keyed, length {length}");
        }
    }

    [Fact]
    public void A_file_shorter_than_promised_is_an_error_not_a_digest()
    {
        string path = Path.Combine(_dir, "short.bin");
        File.WriteAllBytes(path, new byte[300_000]);
        using var file = File.OpenHandle(path);
        var act = () => new Blake3Hasher { MaxDegreeOfParallelism = 2 }.UpdateFromFile(file, 600_000);
        act.Should().Throw<IOException>().WithMessage("*truncated*");
    }

    [Fact]
    public void Only_a_fresh_hasher_reads_a_file()
    {
        string path = Path.Combine(_dir, "any.bin");
        File.WriteAllBytes(path, new byte[10]);
        using var file = File.OpenHandle(path);
        var hasher = new Blake3Hasher();
        hasher.Update([1]);
        var act = () => hasher.UpdateFromFile(file, 10);
        act.Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData(0L, 2)]
    [InlineData(1024L, 2)]
    [InlineData(255L * 1024, 1)]
    [InlineData(1L << 30, 2)]
    [InlineData((1L << 30) + 7 * 1024, 2)]
    [InlineData(3L * 1024 * 1024 * 1024 + 1024 * 1024 + 3 * 1024, 8)]
    public void A_file_is_cut_into_aligned_power_of_two_subtrees_that_cover_it(long length, int threads)
    {
        var pieces = FilePieces.Split(length, threads);
        pieces.Sum(p => p.Length).Should().Be(length);
        long offset = 0;
        foreach (var piece in pieces)
        {
            piece.Offset.Should().Be(offset);
            (piece.Length & (piece.Length - 1)).Should().Be(0, "a subtree holds a power-of-two number of chunks");
            (piece.Length % 1024).Should().Be(0);
            (piece.Offset % piece.Length).Should().Be(0, "a subtree starts at a multiple of its own length");
            offset += piece.Length;
        }
        if (length >= 1L << 30)
            pieces.Count.Should().BeGreaterThanOrEqualTo(threads * 4, "every thread should get several pieces");
    }
}
