using System.Globalization;

namespace Compliance.Ntfs.Tests;

/// <summary>A real Windows $MFT (1 KiB records, Cyrillic names) against The Sleuth Kit's `fls -r -p -l` of it.</summary>
public class UnicodeMftTests
{
    private static readonly List<Dictionary<string, string>> Rows = TestData.ListCsv(TestData.Shared("ntfs/unicode.mft"));

    // fls -l: "type entry-attr-id:<TAB>path<TAB>mtime<TAB>atime<TAB>ctime<TAB>crtime<TAB>size<TAB>uid<TAB>gid".
    private static readonly List<(long Entry, int AttributeType, string Path, string Stream, string[] Times, long Size)> Fls =
        File.ReadAllLines(TestData.Shared("ntfs/unicode.fls"))
            .Select(line => line.Split('\t'))
            .Where(f => f.Length == 9 && !f[0].StartsWith("V/V"))
            .Select(f =>
            {
                var address = f[0].Split(' ')[^1].TrimEnd(':').Split('-');
                int colon = f[1].IndexOf(':');
                return (long.Parse(address[0]), int.Parse(address[1]),
                    colon < 0 ? f[1] : f[1][..colon], colon < 0 ? "" : f[1][(colon + 1)..],
                    new[] { f[2], f[3], f[4], f[5] }, long.Parse(f[6]));
            })
            .ToList();

    [Fact]
    public void Header_is_exactly_the_documented_one()
    {
        var writer = new StringWriter();
        MftLister.List(TestData.Shared("ntfs/unicode.mft"), null, writer);
        writer.ToString().Split('\n')[0].Should()
            .Be("entry,sequence,in_use,path,is_dir,size,si_created,si_modified,si_mft_modified,si_accessed,streams");
    }

    [Fact]
    public void Every_fls_name_has_a_row_with_the_same_entry_size_and_times()
    {
        var main = Fls.Where(f => f.Stream.Length == 0).ToList();
        main.Should().HaveCount(27);
        foreach (var expected in main)
        {
            var row = Rows.Single(r => r["path"] == expected.Path && r["in_use"] == "true");
            long.Parse(row["entry"]).Should().Be(expected.Entry, expected.Path);
            long.Parse(row["size"]).Should().Be(expected.Size, expected.Path);
            // fls prints modified, accessed, changed ($MFT modified), created, to the second.
            var ours = new[] { row["si_modified"], row["si_accessed"], row["si_mft_modified"], row["si_created"] }
                .Select(t => DateTime.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).ToString("yyyy-MM-dd HH:mm:ss") + " (UTC)");
            ours.Should().Equal(expected.Times, expected.Path);
        }
    }

    [Fact]
    public void Named_data_streams_are_listed_for_their_file()
    {
        foreach (var stream in Fls.Where(f => f.Stream.Length > 0 && f.AttributeType == 128))
            Rows.Single(r => r["path"] == stream.Path && r["in_use"] == "true")["streams"].Split(';')
                .Should().Contain(stream.Stream, stream.Path);
        Rows.Single(r => r["path"] == "$Extend/$RmMetadata/$Repair")["streams"].Should().Be("$Config;$Corrupt;$Verify");
    }

    [Fact]
    public void Allocated_paths_are_exactly_those_of_fls()
    {
        // fls lists $Secure only as $Secure:$SDS etc.; the base path is the same set either way.
        Rows.Where(r => r["in_use"] == "true").Select(r => r["path"]).Should()
            .BeEquivalentTo(Fls.Select(f => f.Path).Distinct());
    }

    [Fact]
    public void Non_ascii_names_and_full_precision_times_come_through()
    {
        var row = Rows.Single(r => r["path"] == "Привет/привет.txt");
        row["entry"].Should().Be("43");
        row["size"].Should().Be("25");
        row["is_dir"].Should().Be("false");
        row["si_created"].Should().MatchRegex(@"^2019-01-20T12:01:21\.\d{7}Z$");
        Rows.Single(r => r["path"] == "Привет")["is_dir"].Should().Be("true");
    }

    [Fact]
    public void The_bare_mft_reads_without_problems_and_takes_its_record_size_from_the_first_record()
    {
        using var image = NtfsImage.Open(TestData.Shared("ntfs/unicode.mft"));
        image.IsBareMft.Should().BeTrue();
        var catalog = image.ReadBareMft();
        catalog.Problems.Should().BeEmpty();
        catalog.RecordCount.Should().Be(256);
        catalog[8]!.DataStreams.Select(s => (s.Name, s.Size)).Should().Equal(("", 0L), ("$Bad", 1070592000L));
    }
}
