namespace Compliance.Ntfs.Tests;

/// <summary>$I30 directory indexes read from real volumes, against what ntfs-3g's ntfsls lists and what the records' own names say.</summary>
public sealed class DirectoryIndexTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compliance-ntfs-index-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (NtfsImage Image, NtfsVolume Volume, MftCatalog Catalog) Open(string path)
    {
        var image = NtfsImage.Open(path);
        var volume = image.OpenVolume(image.Volumes.Single());
        return (image, volume, volume.ReadCatalog());
    }

    /// <summary>Linux's ntfs3 driver left test/1.txt out of its directory's index: `ntfsls -p /test` lists only these two.</summary>
    [Fact]
    public void The_ntfs3_test_directory_indexes_the_names_ntfsls_lists()
    {
        var (image, volume, catalog) = Open(TestData.Gunzipped(TestData.Shared("ntfs/ntfs3.raw.gz")));
        using var _ = image;
        catalog[27]!.FileNames.Single().Name.Should().Be("test");
        DirectoryIndex.Read(volume, catalog[27]!).Should().Equal(
            new IndexedName(new FileReference(29, 1), "2.txt"),
            new IndexedName(new FileReference(30, 1), "3.txt"));
        catalog[28]!.FileNames.Single().Should().Match<FileName>(name => name.Name == "1.txt" && name.Parent.RecordNumber == 27);
    }

    /// <summary>
    /// On a consistent volume every directory's index holds exactly its files' names, 8.3 aliases and the root's "."
    /// included. Five of them (the root, docs and the three batch directories) spread over INDX blocks.
    /// </summary>
    [Fact]
    public void Every_index_of_the_basic_image_holds_exactly_the_names_its_files_bear()
    {
        var (image, volume, catalog) = Open(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")));
        using var _ = image;
        var directories = catalog.Entries.Where(e => e.InUse && e.IsDirectory).ToList();
        directories.Count(d => d.IndexAllocation is not null).Should().Be(5);
        foreach (var directory in directories)
        {
            var expected = catalog.Entries.Where(e => e.InUse)
                .SelectMany(e => e.FileNames.Where(n => n.Parent.RecordNumber == directory.RecordNumber).Select(n => (e.RecordNumber, e.Sequence, n.Name)));
            DirectoryIndex.Read(volume, directory).Select(i => (i.File.RecordNumber, i.File.Sequence, i.Name))
                .Should().BeEquivalentTo(expected, $"directory record {directory.RecordNumber}");
        }
        var root = DirectoryIndex.Read(volume, catalog[MftCatalog.RootRecord]!);
        root.Should().Contain([new IndexedName(new FileReference(0, 1), "$MFT"), new IndexedName(new FileReference(5, 5), ".")]);
        root.Select(i => i.Name).Should().Contain("batch1").And.Contain("日本語.txt");
    }

    [Theory]
    [InlineData(0, "$I30 index block at VCN 0 has no INDX signature")]
    [InlineData(510, "$I30 index block at VCN 0: torn index block: sector 0 ends in 0xBBAA")]
    public void A_damaged_index_block_is_an_error_naming_the_block(int offsetInBlock, string expected)
    {
        string copy = Path.Combine(_folder, "basic.img");
        File.Copy(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")), copy);
        long at;
        {
            var (image, volume, catalog) = Open(copy);
            using var _ = image;
            var docs = catalog.Entries.Single(e => e.InUse && e.FileNames.Any(n => n.Name == "docs" && n.Parent.RecordNumber == MftCatalog.RootRecord));
            at = image.Volumes[0].Offset + docs.IndexAllocation!.Runs[0].Lcn * volume.Boot.BytesPerCluster + offsetInBlock;
        }
        using (var file = File.OpenWrite(copy))
        {
            file.Position = at;
            file.Write([0xAA, 0xBB]);
        }

        var (reopened, volumeAgain, catalogAgain) = Open(copy);
        using var __ = reopened;
        var damaged = catalogAgain.Entries.Single(e => e.InUse && e.FileNames.Any(n => n.Name == "docs" && n.Parent.RecordNumber == MftCatalog.RootRecord));
        var read = () => DirectoryIndex.Read(volumeAgain, damaged);
        read.Should().Throw<NtfsFormatException>().Which.Message.Should().StartWith(expected);
    }
}
