using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

/// <summary>Records the simulated journal writes decode to what went in, in both named versions.</summary>
public sealed class RecordEncoderTests
{
    private static UsnRecord Sample(UInt128 fileId) => new()
    {
        Offset = 0,
        RecordLength = 0,
        MajorVersion = 3,
        MinorVersion = 0,
        FileId = fileId,
        ParentFileId = (5UL << 48) | 5,
        Usn = 123456,
        TimeStamp = 131926665709243619,
        Reason = UsnReason.RenameNewName | UsnReason.Close,
        SourceInfo = UsnSourceInfo.DataManagement,
        SecurityId = 7,
        FileAttributes = UsnFileAttributes.Archive | UsnFileAttributes.Hidden,
        FileName = "Ünïcode name.txt",
    };

    [Theory]
    [InlineData(2, 96)]
    [InlineData(3, 112)]
    public void Round_trip(ushort version, int expectedLength)
    {
        var input = Sample((1UL << 48) | 42);
        var bytes = new byte[UsnRecordEncoder.LengthOf(version, input.FileName!)];

        UsnRecordEncoder.Write(bytes, input, version).Should().Be(expectedLength);
        UsnRecordParser.TryParse(bytes, 0, out var output, out _).Should().Be(UsnParseStatus.Parsed);

        output.Should().BeEquivalentTo(input, o => o.Excluding(r => r.RecordLength).Excluding(r => r.MajorVersion));
        output!.MajorVersion.Should().Be(version);
        output.RecordLength.Should().Be(expectedLength);
    }

    [Fact]
    public void V3_keeps_all_128_bits_of_a_file_id()
    {
        UInt128 wide = new(0x0123456789abcdef, 0xfedcba9876543210);
        var input = Sample(wide);
        var bytes = new byte[UsnRecordEncoder.LengthOf(3, input.FileName!)];
        UsnRecordEncoder.Write(bytes, input, 3);

        UsnRecordParser.TryParse(bytes, 0, out var output, out _);

        UsnFormat.FileId(output!.FileId).Should().Be("0123456789abcdeffedcba9876543210");
    }

    [Fact]
    public void V2_refuses_a_file_id_wider_than_64_bits()
    {
        var act = () => UsnRecordEncoder.Write(new byte[200], Sample(new UInt128(1, 0)), 2);
        act.Should().Throw<ArgumentException>().WithMessage("*64-bit*");
    }
}
