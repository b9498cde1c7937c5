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

    public static TheoryData<string, string> Images => new()
    {
        { TestData.Shared("ntfs/ntfs3.raw.gz"), TestData.Shared("ntfs/ntfs3.sleuthkit.csv") },
        { TestData.OwnImage("basic.img.gz"), TestData.OwnImage("basic.sleuthkit.csv") },
        { TestData.OwnImage("gpt.img.gz"), TestData.OwnImage("small.sleuthkit.csv") },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void A_scan_records_every_file_with_the_size_and_sha256_icat_gives(string gz, string groundTruth)
    {
        var scanned = Scan(TestData.Gunzipped(gz));
        // icat reads a symbolic link's empty $DATA; the scan records it as the link it is, as Windows shows it.
        var links = scanned.Values.Where(e => e.Type == FileType.Symlink).ToList();
        links.Where(e => e.Path != "docs/reparse-link" || e.LinkTarget != "readme.txt").Should().BeEmpty();
        var files = TestData.SleuthkitCsv(groundTruth).Where(row => !row.Path.Contains(':') && links.All(l => l.Path != row.Path)).ToList();
        foreach (var (path, entry, size, sha256) in files)
        {
            var observed = scanned[path];
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
        scanned["docs/with-ads.txt"].Streams.Should().Equal(new Core.Model.DataStream("Zone.Identifier", 23), new Core.Model.DataStream("big", 30000));
        scanned["docs/original.txt"].LinkCount.Should().Be(3);
        scanned["docs"].Type.Should().Be(FileType.Directory);
        scanned["docs/reparse-link"].Type.Should().Be(FileType.Symlink);
        var unicode = scanned["Привет/привет.txt"];
        unicode.MtimeNs.Should().BeGreaterThan(1_700_000_000L * 1_000_000_000);
        unicode.BirthTimeNs.Should().NotBeNull();
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
