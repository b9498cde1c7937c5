using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

/// <summary>The usn_*.bin fixtures: one record each, the number in the name being its USN.</summary>
public sealed class SingleRecordTests
{
    private static UsnRecord Parse(string name)
    {
        var bytes = TestData.Bytes("ntfs", name);
        UsnRecordParser.TryParse(bytes, 0, out var record, out var error).Should().Be(UsnParseStatus.Parsed, error);
        record!.RecordLength.Should().Be(bytes.Length);
        return record;
    }

    [Fact]
    public void V2_record_of_an_overwritten_file()
    {
        var record = Parse("usn_1170953448.bin");
        record.MajorVersion.Should().Be(2);
        record.Usn.Should().Be(1170953448);
        record.FileName.Should().Be("large_file.txt");
        record.FileId.Should().Be((UInt128)0x000d000000013252);
        record.ParentFileId.Should().Be((UInt128)0x00060000000009eb);
        record.Reason.Should().Be(UsnReason.DataOverwrite | UsnReason.Close);
        record.FileAttributes.Should().Be(UsnFileAttributes.Archive);
        record.TimeStamp.Should().Be(131925837651238386);
        record.TimeStampUtc.Should().Be(new DateTime(2019, 1, 21, 22, 36, 5, DateTimeKind.Utc).AddTicks(1238386));
    }

    [Fact]
    public void V2_record_of_a_security_and_hard_link_change()
    {
        var record = Parse("usn_1170990440.bin");
        record.Usn.Should().Be(1170990440);
        record.FileName.Should().Be("mpasbase.vdm");
        record.FileId.Should().Be((UInt128)0x0002000000013424);
        record.ParentFileId.Should().Be((UInt128)0x00010000000006b7);
        record.Reason.Should().Be(UsnReason.SecurityChange | UsnReason.HardLinkChange | UsnReason.Close);
        UsnFlagNames.Of(record.Reason).Should().Be("Security change | Hard link change | Close");
    }

    [Fact]
    public void V4_record_with_two_extents()
    {
        var record = Parse("usn_1170955904.bin");
        record.MajorVersion.Should().Be(4);
        record.Usn.Should().Be(1170955904);
        record.FileName.Should().BeNull();
        record.FileId.Should().Be((UInt128)0x00020000000051c0);
        record.ParentFileId.Should().Be((UInt128)0x0004000000001066);
        record.Reason.Should().Be(UsnReason.DataOverwrite | UsnReason.Close);
        record.RemainingExtents.Should().Be(0);
        record.Extents.Should().Equal(new UsnExtent(0, 16384), new UsnExtent(6242304, 32768));
    }

    [Fact]
    public void V4_record_of_a_created_file()
    {
        var record = Parse("usn_1170989584.bin");
        record.Usn.Should().Be(1170989584);
        record.FileId.Should().Be((UInt128)0x0004000000013de8);
        record.Reason.Should().Be(UsnReason.DataExtend | UsnReason.FileCreate | UsnReason.Close);
        record.Extents.Should().Equal(new UsnExtent(0, 2162688));
    }
}
