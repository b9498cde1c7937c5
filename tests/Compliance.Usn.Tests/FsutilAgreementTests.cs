using Compliance.Usn.Formatting;
using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

/// <summary>usnjrnlj.bin printed in the fsutil layout against Windows' own fsutil output for the same journal.</summary>
public sealed class FsutilAgreementTests
{
    private static List<UsnReadItem> ReadJournal()
    {
        using var stream = File.OpenRead(TestData.Path("ntfs", "usnjrnlj.bin"));
        return UsnRecordStream.Read(stream).ToList();
    }

    // Splits fsutil text into blocks keyed by USN: every non-blank line from one "Usn" line to the next.
    private static Dictionary<long, List<string>> Blocks(IEnumerable<string> lines)
    {
        var blocks = new Dictionary<long, List<string>>();
        List<string>? current = null;
        foreach (var raw in lines)
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("Usn ", StringComparison.Ordinal))
            {
                current = [];
                blocks.Add(long.Parse(line[(line.IndexOf(':') + 1)..]), current);
            }
            if (current is not null && line.Length > 0)
                current.Add(line);
        }
        return blocks;
    }

    [Fact]
    public void Raw_journal_holds_271_records_and_no_problems()
    {
        var items = ReadJournal();
        items.Should().HaveCount(271);
        items.Should().OnlyContain(i => i.Record != null);
        items.Count(i => i.Record!.MajorVersion == 2).Should().Be(264);
        items.Count(i => i.Record!.MajorVersion == 4).Should().Be(7);
        // In a raw $J stream a record's USN is its offset in the stream.
        items.Should().OnlyContain(i => i.Record!.Usn == i.Record.Offset);
    }

    [Fact]
    public void Every_record_fsutil_lists_is_printed_as_fsutil_printed_it()
    {
        var expected = Blocks(File.ReadLines(TestData.Path("ntfs", "usnjrnlj.fsutil.txt")));
        var output = new StringWriter();
        var writer = new UsnFsutilWriter(output);
        foreach (var item in ReadJournal())
            writer.Write(item.Record!);
        var actual = Blocks(output.ToString().Split('\n'));

        expected.Should().HaveCount(268);
        foreach (var (usn, fsutilLines) in expected)
        {
            actual.Should().ContainKey(usn);
            bool readAsV3 = fsutilLines.Contains("Major version     : 3");
            // fsutil asked for V3 records where the file holds V2: only version and length may differ.
            var comparable = fsutilLines.Where(l => !readAsV3 || !(l.StartsWith("Major version") || l.StartsWith("Record length")));
            var ours = actual[usn].Where(l => !readAsV3 || !(l.StartsWith("Major version") || l.StartsWith("Record length")));
            ours.Should().Equal(comparable, $"record at USN {usn}");
            if (readAsV3)
                actual[usn].Should().Contain("Major version     : 2");
        }
    }

    [Fact]
    public void The_three_records_written_after_fsutil_ran_parse_too()
    {
        var late = ReadJournal().Select(i => i.Record!).Where(r => r.Usn >= 29792).ToList();
        late.Select(r => r.Usn).Should().Equal(29792, 29880, 29968);
        late.Should().OnlyContain(r => r.MajorVersion == 2 && r.FileName != null && r.FileName.Length > 0);
    }

    [Fact]
    public void First_record_has_the_fields_fsutil_shows()
    {
        var first = ReadJournal()[0].Record!;
        first.FileName.Should().Be("New folder");
        first.Reason.Should().Be(UsnReason.FileCreate);
        first.FileAttributes.Should().Be(UsnFileAttributes.Directory);
        first.FileId.Should().Be((UInt128)0x0001000000000028);
        first.ParentFileId.Should().Be((UInt128)0x0005000000000005);
        first.TimeStamp.Should().Be(131926665709243619);
        first.TimeStampUtc.Should().Be(new DateTime(2019, 1, 22, 21, 36, 10, DateTimeKind.Utc).AddTicks(9243619));
        first.RecordLength.Should().Be(80);
    }
}
