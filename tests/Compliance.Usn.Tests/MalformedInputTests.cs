using System.Buffers.Binary;
using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

/// <summary>Corrupted and truncated copies of usnjrnlj.bin: problems are reported, the rest still parses, nothing is read past.</summary>
public sealed class MalformedInputTests
{
    private static readonly byte[] s_journal = TestData.Bytes("ntfs", "usnjrnlj.bin");

    private static List<UsnReadItem> ReadAll(byte[] buffer)
    {
        var items = new List<UsnReadItem>();
        var reader = new UsnRecordReader(buffer);
        while (reader.Read(out var item))
            items.Add(item);
        return items;
    }

    [Fact]
    public void An_impossible_record_length_costs_that_record_only()
    {
        var corrupt = (byte[])s_journal.Clone();
        // The third record starts at 160 (after two 80-byte records) and is 88 bytes long.
        BinaryPrimitives.WriteUInt32LittleEndian(corrupt.AsSpan(160), 3);

        var items = ReadAll(corrupt);

        items.Where(i => i.Problem != null).Should().ContainSingle()
            .Which.Problem!.Offset.Should().Be(160);
        var records = items.Where(i => i.Record != null).Select(i => i.Record!).ToList();
        records.Should().HaveCount(270);
        records.Select(r => r.Usn).Should().NotContain(160).And.Contain(248);
    }

    [Fact]
    public void A_name_that_points_outside_its_record_is_reported()
    {
        var corrupt = (byte[])s_journal.Clone();
        // FileNameOffset of the first record (V2, offset 58) moved past its 80 bytes.
        BinaryPrimitives.WriteUInt16LittleEndian(corrupt.AsSpan(58), 72);

        var items = ReadAll(corrupt);

        items[0].Problem.Should().NotBeNull();
        items[0].Problem!.Message.Should().Contain("file name");
        items.Count(i => i.Record != null).Should().Be(270);
    }

    [Fact]
    public void A_V4_record_claiming_more_extents_than_it_holds_is_reported()
    {
        var corrupt = (byte[])s_journal.Clone();
        // The V4 record at 8192 holds one 16-byte extent; claim 2.
        BinaryPrimitives.WriteUInt16LittleEndian(corrupt.AsSpan(8192 + 60), 2);

        var items = ReadAll(corrupt);

        items.Where(i => i.Problem != null).Should().ContainSingle().Which.Problem!.Offset.Should().Be(8192);
        items.Count(i => i.Record != null).Should().Be(270);
    }

    [Fact]
    public void A_buffer_cut_inside_the_last_record_reports_it_as_truncated()
    {
        var items = ReadAll(s_journal[..(s_journal.Length - 10)]);

        items.Count(i => i.Record != null).Should().Be(270);
        items[^1].Problem!.Message.Should().StartWith("truncated record");
        items[^1].Problem!.Offset.Should().Be(29968);
    }

    [Fact]
    public void Every_cut_of_the_first_pages_reads_only_whole_records_and_never_throws()
    {
        // Cutting the buffer anywhere must leave the records wholly before the cut, and at most one problem.
        var offsets = ReadAll(s_journal).Select(i => i.Record!).ToList();
        for (int length = 0; length <= 2048; length++)
        {
            var items = ReadAll(s_journal[..length]);
            int whole = offsets.Count(r => r.Offset + r.RecordLength <= length);
            items.Count(i => i.Record != null).Should().Be(whole, $"cut at {length}");
            items.Count(i => i.Problem != null).Should().BeLessThanOrEqualTo(1);
        }
    }

    [Fact]
    public void Garbage_bytes_give_problems_not_exceptions()
    {
        var random = new Random(7);
        var buffer = (byte[])s_journal.Clone();
        for (int i = 0; i < 200; i++)
            buffer[random.Next(buffer.Length)] = (byte)random.Next(256);

        var items = ReadAll(buffer);

        items.Should().NotBeEmpty();
        items.Where(i => i.Record != null).Should().OnlyContain(i => i.Record!.Offset + i.Record.RecordLength <= buffer.Length);
    }

    [Fact]
    public void Unknown_major_version_is_malformed()
    {
        var corrupt = (byte[])s_journal[..80].Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(corrupt.AsSpan(4), 5);

        UsnRecordParser.TryParse(corrupt, 0, out var record, out var error).Should().Be(UsnParseStatus.Malformed);
        record.Should().BeNull();
        error.Should().Contain("major version 5");
    }
}
