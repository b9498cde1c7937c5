using System.Security.Cryptography;

namespace Compliance.Ntfs.Tests;

/// <summary>File content read through data runs, byte for byte what The Sleuth Kit's `icat` reads from the same images.</summary>
public class ImageContentTests
{
    public static TheoryData<string, string, int?> Images => new()
    {
        // A volume written by Linux's ntfs3 driver, and our own ntfs-3g images (see tests/ntfs-images/make-images.sh).
        { TestData.Shared("ntfs/ntfs3.raw.gz"), TestData.Shared("ntfs/ntfs3.sleuthkit.csv"), 0 },
        { TestData.OwnImage("basic.img.gz"), TestData.OwnImage("basic.sleuthkit.csv"), 0 },
        { TestData.OwnImage("mbr.img.gz"), TestData.OwnImage("small.sleuthkit.csv"), 1 },
        { TestData.OwnImage("gpt.img.gz"), TestData.OwnImage("small.sleuthkit.csv"), 1 },
        { TestData.OwnImage("fixed.vhd.gz"), TestData.OwnImage("small.sleuthkit.csv"), 1 },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Every_file_and_stream_has_the_size_and_sha256_icat_gives(string gz, string groundTruth, int? partition)
    {
        using var image = NtfsImage.Open(TestData.Gunzipped(gz));
        var location = image.Volumes.Should().ContainSingle().Subject;
        location.Partition.Should().Be(partition);
        var volume = image.OpenVolume(location);
        var catalog = volume.ReadCatalog();
        catalog.Problems.Should().BeEmpty();
        var byPath = PathIndex(catalog);

        var expected = TestData.SleuthkitCsv(groundTruth);
        expected.Should().NotBeEmpty();
        foreach (var (path, entryNumber, size, sha256) in expected)
        {
            int colon = path.IndexOf(':');
            var entry = byPath[colon < 0 ? path : path[..colon]];
            entry.RecordNumber.Should().Be(entryNumber, path);
            var stream = entry.DataStreams.Single(s => s.Name == (colon < 0 ? "" : path[(colon + 1)..]));
            using var content = volume.OpenRead(stream);
            content.Length.Should().Be(size, path);
            Convert.ToHexStringLower(SHA256.HashData(content)).Should().Be(sha256, path);
        }
    }

    [Fact]
    public void Partitioned_disks_place_the_volume_after_a_one_mebibyte_gap()
    {
        foreach (var name in new[] { "mbr.img.gz", "gpt.img.gz", "fixed.vhd.gz" })
        {
            using var image = NtfsImage.Open(TestData.Gunzipped(TestData.OwnImage(name)));
            image.Volumes.Should().Equal(new VolumeLocation(1, 1 << 20, 3 << 20));
        }
    }

    internal static Dictionary<string, MftEntry> PathIndex(MftCatalog catalog) =>
        catalog.Entries.Where(e => e.InUse)
            .SelectMany(e => e.VisibleNames().Select(n => (Path: catalog.PathOf(e, n), Entry: e)))
            .ToDictionary(p => p.Path, p => p.Entry);
}
