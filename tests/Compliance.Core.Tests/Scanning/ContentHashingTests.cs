using System.Security.Cryptography;
using Compliance.Core.Model;
using Compliance.Core.Scanning;
using Compliance.Hashing.Blake3;
using Compliance.Linux;

namespace Compliance.Core.Tests.Scanning;

/// <summary>
/// Content hashes of real files on both paths the hashing takes: whole in one read and hashed in one shot, or read in
/// pieces through incremental hashers (files larger than its 1 MiB buffer), against the digests computed directly.
/// </summary>
public sealed class ContentHashingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("content-hashing-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    [InlineData((1 << 20) + 1)]
    [InlineData(3 * (1 << 20) + 7)]
    public void Both_algorithms_match_the_digest_of_the_whole_file(int length)
    {
        var content = new byte[length];
        new Random(length).NextBytes(content);
        string path = Path.Combine(_root, $"file-{length}");
        File.WriteAllBytes(path, content);
        var tree = new LinuxFileTree();

        var hashed = new ContentHashing(tree).Hash(tree.Stat(path)!, ["blake3", "sha256"], new ScanCounters())!;

        hashed.Error.Should().BeNull();
        hashed.Hashes["sha256"].Should().Equal(SHA256.HashData(content));
        var blake3 = new byte[32];
        Blake3Hasher.Hash(content, blake3);
        hashed.Hashes["blake3"].Should().Equal(blake3);
    }
}
