using System.Buffers.Binary;
using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

/// <summary>The same records found in the layouts they come in: sparse raw $J streams and FSCTL output buffers.</summary>
public sealed class BufferLayoutTests
{
    private static readonly byte[] s_journal = TestData.Bytes("ntfs", "usnjrnlj.bin");

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    // Puts the first record across the reader's 1 MiB block boundary, so it is carried into the next block.
    [InlineData((1 << 20) - 40)]
    [InlineData(3 << 20)]
    public void Sparse_leading_zeros_are_skipped(int zeros)
    {
        var withSparseStart = new byte[zeros + s_journal.Length];
        s_journal.CopyTo(withSparseStart, zeros);

        var items = UsnRecordStream.Read(new MemoryStream(withSparseStart)).ToList();

        items.Should().HaveCount(271).And.OnlyContain(i => i.Record != null);
        items[0].Record!.Offset.Should().Be(zeros);
        items[^1].Record!.Usn.Should().Be(29968);
        items[^1].Record!.Offset.Should().Be(zeros + 29968);
    }

    [Fact]
    public void Read_journal_output_gives_the_next_usn_and_its_records()
    {
        // FSCTL_READ_USN_JOURNAL output: the USN to continue from, then the records, no padding.
        var output = new byte[8 + 80 + 80];
        BinaryPrimitives.WriteInt64LittleEndian(output, 160);
        s_journal.AsSpan(0, 160).CopyTo(output.AsSpan(8));

        var buffer = UsnOutputBuffer.Parse(output);

        buffer.Next.Should().Be(160);
        buffer.Records.Select(r => r.Usn).Should().Equal(0, 80);
        buffer.Records.First().Offset.Should().Be(8);
        buffer.Problems.Should().BeEmpty();
    }

    [Fact]
    public void Output_shorter_than_its_header_is_invalid_data()
    {
        var act = () => UsnOutputBuffer.Parse(new byte[5]);
        act.Should().Throw<InvalidDataException>().WithMessage("*5 bytes*");
    }
}
