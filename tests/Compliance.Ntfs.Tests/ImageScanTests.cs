using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;

namespace Compliance.Ntfs.Tests;

/// <summary>The scanner walking an NTFS image through <see cref="NtfsImageFileTree"/>: every file, SHA-256 as icat's ground truth has.</summary>
public class ImageScanTests : IDisposable
{
    private static readonly Policy EveryFile = PolicyLoader.Parse("""
        name: whole-image
        categories:
          - name: everything
            severity: high
            attributes: [all, sha256]
            include: ["*/**"]
        """, "whole-image.yaml");
    private readonly string _folder = Directory.CreateTempSubdirectory("compliance-ntfs-scan-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Dictionary<string, FileEntry> Scan(string image, IEnumerable<FileEntry>? baseline = null)
    {
        using var tree = NtfsImageFileTree.Open(image);
        return new Scanner(tree, EveryFile, new ScanOptions { RehashAll = true, HashWorkers = 2 })
            .Scan(baseline ?? []).Where(item => item.Observed is not null)
            .ToDictionary(item => item.Path, item => item.Observed!);
    }

    /// <summary>
    /// Each image with its ground truth, and the files its directory indexes leave out. ntfs3's test/1.txt is one: its
    /// record names "test" as its directory, but test's $I30 index holds only 2.txt and 3.txt (`ntfsls -p /test`
    /// lists those two; `fls -r -p` shows 1.txt as "-/r", found by its own name and not in the index).
    /// </summary>
    public static TheoryData<string, string, string[]> Images => new()
    {
        { TestData.Shared("ntfs/ntfs3.raw.gz"), TestData.Shared("ntfs/ntfs3.sleuthkit.csv"), ["test/1.txt"] },
        { TestData.OwnImage("basic.img.gz"), TestData.OwnImage("basic.sleuthkit.csv"), [] },
        { TestData.OwnImage("gpt.img.gz"), TestData.OwnImage("small.sleuthkit.csv"), [] },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void A_scan_records_every_file_with_the_size_and_sha256_icat_gives(string gz, string groundTruth, string[] notInIndex)
    {
        var scanned = Scan(TestData.Gunzipped(gz));
        // icat reads a symbolic link's empty $DATA; the scan records it as the link it is, as Windows shows it.
        var links = scanned.Values.Where(e => e.Type == FileType.Symlink).ToList();
        links.Where(e => e.Path != "docs/reparse-link" || e.LinkTarget != "readme.txt").Should().BeEmpty();
        var files = TestData.SleuthkitCsv(groundTruth).Where(row => !row.Path.Contains(':') && links.All(l => l.Path != row.Path)).ToList();
        foreach (var (path, entry, size, sha256) in files)
        {
            var observed = scanned[path];
            if (notInIndex.Contains(path))
            {
                // Windows would not find it by this name: unverified, never taken for the file approved under it.
                observed.Error.Should().Be($"{path}: is not in the directory index: Windows does not find MFT record {entry} by this name");
                observed.Hashes.Should().BeEmpty();
                continue;
            }
            observed.Error.Should().BeNull(path);
            observed.Type.Should().Be(FileType.File, path);
            observed.Size.Should().Be(size, path);
            Convert.ToHexStringLower(observed.Hashes["sha256"]).Should().Be(sha256, path);
            ((ulong)observed.FileId!.Value & 0xFFFF_FFFF_FFFF).Should().Be((ulong)entry, path);
        }
        // Only directories besides those files: NTFS's own $ files are not part of the tree.
        scanned.Values.Where(e => e.Type == FileType.File).Select(e => e.Path).Should().BeEquivalentTo(files.Select(f => f.Path));
    }

    [Fact]
    public void Named_streams_times_and_link_counts_come_from_the_mft()
    {
        var scanned = Scan(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")));
        var streams = scanned["docs/with-ads.txt"].Streams!;
        streams.Select(s => (s.Name, s.Size)).Should().Equal(("Zone.Identifier", 23), ("big", 30000));
        // Each digest is BLAKE3 of the bytes whose SHA-256 icat gives for the stream (basic.sleuthkit.csv).
        var icat = new Dictionary<string, string>
        {
            ["Zone.Identifier"] = "3bd58e0589a299edc9a77d4937eaedcd5484e6b4619c2da5e4406a618c0d7d51",
            ["big"] = "7e63775257c95c91e274743bbfcd62740b936def9d425634fedd48e0f84f7b80",
        };
        foreach (var stream in streams)
        {
            var content = StreamContent(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")), "docs/with-ads.txt", stream.Name);
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)).Should().Be(icat[stream.Name]);
            var blake3 = new byte[32];
            Hashing.Blake3.Blake3Hasher.Hash(content, blake3);
            stream.Blake3.Should().Equal(blake3, stream.Name);
        }
        scanned["docs/original.txt"].LinkCount.Should().Be(3);
        scanned["docs"].Type.Should().Be(FileType.Directory);
        scanned["docs/reparse-link"].Type.Should().Be(FileType.Symlink);
        var unicode = scanned["Привет/привет.txt"];
        unicode.MtimeNs.Should().BeGreaterThan(1_700_000_000L * 1_000_000_000);
        unicode.BirthTimeNs.Should().NotBeNull();
    }

    /// <summary>A stream's content as the volume reads it (checked against icat by <see cref="ImageContentTests"/>).</summary>
    private static byte[] StreamContent(string image, string path, string name)
    {
        using var opened = NtfsImage.Open(image);
        var volume = opened.OpenVolume(opened.Volumes.Single());
        var catalog = volume.ReadCatalog();
        var entry = catalog.Entries.Single(e => e.VisibleNames().Any(n => catalog.PathOf(e, n) == path));
        using var content = volume.OpenRead(entry.DataStreams.Single(s => s.Name == name));
        using var bytes = new MemoryStream();
        content.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>
    /// Code hides in alternate streams as well as in files. A stream rewritten in place in the image, same length,
    /// no time touched (as an offline edit does), is drift in `streams`; before, only names and sizes were compared.
    /// </summary>
    [Fact]
    public void A_named_stream_rewritten_in_the_image_with_its_size_kept_is_drift()
    {
        var image = Path.Combine(_folder, "ads.img");
        File.Copy(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")), image);
        var approved = Scan(image);
        var zone = StreamContent(image, "docs/with-ads.txt", "Zone.Identifier");
        var bytes = File.ReadAllBytes(image);
        int at = bytes.AsSpan().IndexOf(zone);
        at.Should().BeGreaterThan(0, "the resident stream lies in its MFT record");
        bytes.AsSpan(at + 1).IndexOf(zone).Should().Be(-1, "only one copy to rewrite");
        bytes[at + zone.Length / 2] ^= 0x20;
        File.WriteAllBytes(image, bytes);

        var rescanned = Scan(image, approved.Values);
        var before = approved["docs/with-ads.txt"];
        var after = rescanned["docs/with-ads.txt"];
        after.Streams!.Select(s => s.Size).Should().Equal(before.Streams!.Select(s => s.Size));
        Core.Drift.EntryComparer.Compare(before, after, null)!.Attributes.Should().Equal("streams");
    }

    [Theory]
    [InlineData("basic.img.gz", "docs/readme.txt")] // ntfs-3g: the descriptor in the record itself
    [InlineData("ntfs3.raw.gz", "test/2.txt")] // ntfs3: security ID 258, the descriptor in $Secure:$SDS
    public void The_owner_is_the_one_ntfssecaudit_reports(string gz, string path)
    {
        string image = gz.StartsWith("ntfs3") ? TestData.Shared("ntfs/" + gz) : TestData.OwnImage(gz);
        // `ntfssecaudit -v IMAGE PATH` (ntfs-3g) prints "Windows owner S-1-5-32-544" for both.
        Scan(TestData.Gunzipped(image))[path].OwnerSid.Should().Be("S-1-5-32-544");
    }

    [Fact]
    public void One_changed_byte_in_one_file_is_the_only_content_difference()
    {
        string original = TestData.Gunzipped(TestData.OwnImage("basic.img.gz"));
        var baseline = Scan(original);
        var bytes = File.ReadAllBytes(original);
        // numbers.txt starts "1\n2\n3\n": find its first cluster and change the '2'.
        using (var image = NtfsImage.Open(original))
        {
            var volume = image.OpenVolume(image.Volumes[0]);
            var run = ImageContentTests.PathIndex(volume.ReadCatalog())["docs/nested/deeper/numbers.txt"].MainStream!.Runs[0];
            long offset = run.Lcn * volume.Boot.BytesPerCluster + 2;
            bytes[offset].Should().Be((byte)'2');
            bytes[offset] = (byte)'7';
        }
        string changed = Path.Combine(_folder, "changed.img");
        File.WriteAllBytes(changed, bytes);

        var ordered = baseline.Values.OrderBy(e => e.Path, Comparer<string>.Create(EntryPath.CompareWalkOrder));
        var rescanned = Scan(changed, ordered);
        rescanned.Keys.Should().BeEquivalentTo(baseline.Keys);
        rescanned.Where(pair => pair.Value.Type == FileType.File && !pair.Value.Hashes["sha256"].AsSpan().SequenceEqual(baseline[pair.Key].Hashes["sha256"]))
            .Select(pair => pair.Key).Should().Equal("docs/nested/deeper/numbers.txt");
    }
}
