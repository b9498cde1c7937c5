namespace Compliance.Ntfs.Tests;

/// <summary>Facts of tests/ntfs-images/basic.img, built by make-images.sh with ntfs-3g: each NTFS feature it set up.</summary>
public class BasicImageTests
{
    private static readonly string ImagePath = TestData.Gunzipped(TestData.OwnImage("basic.img.gz"));
    private static readonly MftCatalog Catalog = ReadCatalog();
    private static readonly Dictionary<string, MftEntry> ByPath = ImageContentTests.PathIndex(Catalog);
    private static readonly List<Dictionary<string, string>> Rows = TestData.ListCsv(ImagePath);

    private static MftCatalog ReadCatalog()
    {
        using var image = NtfsImage.Open(ImagePath);
        return image.OpenVolume(image.Volumes[0]).ReadCatalog();
    }

    [Fact]
    public void The_mft_itself_is_fragmented_and_fully_read()
    {
        var mft = Catalog[0]!.MainStream!;
        mft.Runs.Count.Should().BeGreaterThan(1);
        Catalog.RecordCount.Should().Be(mft.Size / 1024);
        ByPath.Keys.Where(p => p.StartsWith("batch3/")).Should().HaveCount(150);
    }

    [Fact]
    public void Hard_links_are_one_entry_with_a_row_per_name()
    {
        Rows.Where(r => r["entry"] == "76").Select(r => r["path"]).Should()
            .BeEquivalentTo("docs/original.txt", "docs/link-one.txt", "Привет/link-two.txt");
    }

    [Fact]
    public void A_file_spread_over_records_by_an_attribute_list_keeps_all_its_names()
    {
        var entry = ByPath["docs/many-links.txt"];
        entry.AttributeList.Should().NotBeNull();
        entry.VisibleNames().Should().HaveCount(41);
        Rows.Count(r => r["entry"] == entry.RecordNumber.ToString()).Should().Be(41);
    }

    [Fact]
    public void Sparse_compressed_and_named_streams_are_reported()
    {
        ByPath["sparse.bin"].MainStream!.IsSparse.Should().BeTrue();
        ByPath["sparse.bin"].MainStream!.Runs.Should().Contain(run => run.IsSparse);
        ByPath["compressed/text.txt"].MainStream!.IsCompressed.Should().BeTrue();
        ByPath["compressed/text.txt"].MainStream!.CompressionUnitClusters.Should().Be(16);
        ByPath["fragmented.bin"].MainStream!.Runs.Should().HaveCountGreaterThan(1);
        Rows.Single(r => r["path"] == "docs/with-ads.txt")["streams"].Split(';').Should().BeEquivalentTo("big", "Zone.Identifier");
    }

    [Fact]
    public void Deleted_files_are_rows_not_in_use_where_fls_finds_them()
    {
        // fls -l marks deleted names with '*'; its $OrphanFiles holds records without any name, which are no rows here.
        var flsDeleted = File.ReadAllLines(TestData.OwnImage("basic.fls")).Select(line => line.Split('\t'))
            .Where(f => f[0].Contains(" * ") && !f[1].StartsWith("$OrphanFiles") && !f[1].Contains(':'))
            .Select(f => (Entry: f[0].Split(' ')[^1].Split('-')[0], Path: f[1])).ToList();
        flsDeleted.Should().Contain(("96", "filler")).And.HaveCountGreaterThan(50);
        var ours = Rows.Where(r => r["in_use"] == "false").Select(r => (r["entry"], r["path"])).ToList();
        ours.Should().BeEquivalentTo(flsDeleted);
        Rows.Should().NotContain(r => r["in_use"] == "true" && r["path"].StartsWith("filler"));
    }

    [Fact]
    public void A_symbolic_link_reparse_point_gives_its_tag_and_target()
    {
        var link = ByPath["docs/reparse-link"].ReparsePoint!;
        link.Tag.Should().Be(ReparsePoint.SymbolicLinkTag);
        link.Target.Should().Be("readme.txt");
        ByPath["docs/readme.txt"].ReparsePoint.Should().BeNull();
    }

    [Fact]
    public void Directories_are_marked_and_sized_by_their_index_root()
    {
        var docs = Rows.Single(r => r["path"] == "docs");
        docs["is_dir"].Should().Be("true");
        long.Parse(docs["size"]).Should().BeGreaterThan(0);
    }
}
