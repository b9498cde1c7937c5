using Compliance.Core.Model;

namespace Compliance.Core.Tests.Model;

/// <summary>The 128-bit file ID is stored in halves; every way in and out of FileEntry must give back the same ID.</summary>
public sealed class FileEntryTests
{
    private static readonly UInt128 Id = new(0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210);

    private static FileEntry Entry(UInt128? id) => new() { Path = "/f", Type = FileType.File, Size = 1, Inode = 5, Device = 2, FileId = id };

    [Fact]
    public void A_file_id_reads_back_as_set_through_either_property()
    {
        Entry(Id).FileId.Should().Be(Id);
        Entry(Id).FileIdBigEndian.Should().Equal(0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10);

        var fromBytes = Entry(null);
        fromBytes.FileIdBigEndian = Entry(Id).FileIdBigEndian;
        fromBytes.FileId.Should().Be(Id);
        fromBytes.Clone().FileId.Should().Be(Id);
    }

    [Fact]
    public void No_file_id_and_a_zero_file_id_are_different()
    {
        Entry(null).FileId.Should().BeNull();
        Entry(null).FileIdBigEndian.Should().BeNull();
        Entry(UInt128.Zero).FileId.Should().Be(UInt128.Zero);
        Entry(null).HasSameContentIdentity(Entry(UInt128.Zero)).Should().BeFalse();
        var cleared = Entry(Id);
        cleared.FileId = null;
        cleared.HasSameContentIdentity(Entry(null)).Should().BeTrue();
    }

    [Fact]
    public void Content_identity_tells_file_ids_apart_in_either_half()
    {
        Entry(Id).HasSameContentIdentity(Entry(Id)).Should().BeTrue();
        Entry(Id).HasSameContentIdentity(Entry(Id ^ 1)).Should().BeFalse();
        Entry(Id).HasSameContentIdentity(Entry(Id ^ ((UInt128)1 << 100))).Should().BeFalse();
    }

    [Fact]
    public void A_file_id_of_the_wrong_length_is_refused()
    {
        var entry = Entry(null);
        var act = () => entry.FileIdBigEndian = new byte[15];
        act.Should().Throw<ArgumentException>().WithMessage("*16 bytes, not 15*");
    }
}
