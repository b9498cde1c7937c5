using System.Buffers.Binary;

namespace Compliance.Ntfs.Tests;

/// <summary>Damaged input gives a precise error or a reported problem for that record; never a crash or a hang.</summary>
public class BadInputTests : IDisposable
{
    private const int RecordSize = 1024;
    private readonly string _folder = Directory.CreateTempSubdirectory("compliance-ntfs-bad-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] UnicodeMft() => File.ReadAllBytes(TestData.Shared("ntfs/unicode.mft"));

    private static byte[] BasicImage() => File.ReadAllBytes(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")));

    private static MftCatalog ReadBare(string path)
    {
        using var image = NtfsImage.Open(path);
        return image.ReadBareMft();
    }

    private static MftCatalog ReadVolume(string path)
    {
        using var image = NtfsImage.Open(path);
        return image.OpenVolume(image.Volumes[0]).ReadCatalog();
    }

    [Fact]
    public void A_truncated_image_is_an_error_naming_the_truncation()
    {
        var cut = Write("cut.img", BasicImage()[..(1 << 20)]);
        FluentActions.Invoking(() => ReadVolume(cut)).Should().Throw<NtfsFormatException>().WithMessage("image truncated*");
        var tiny = Write("tiny.img", BasicImage()[..300]);
        FluentActions.Invoking(() => NtfsImage.Open(tiny)).Should().Throw<NtfsFormatException>().WithMessage("image truncated*");
    }

    [Fact]
    public void A_zeroed_boot_sector_is_an_error()
    {
        var image = BasicImage();
        image.AsSpan(0, 512).Clear();
        var path = Write("zeroed.img", image);
        FluentActions.Invoking(() => NtfsImage.Open(path)).Should().Throw<NtfsFormatException>().WithMessage("*no NTFS boot sector*");
        FluentActions.Invoking(() => NtfsVolume.Open(new MemoryStream(image))).Should().Throw<NtfsFormatException>().WithMessage("*all zeros*");
    }

    [Fact]
    public void A_wrong_boot_sector_field_is_an_input_format_error()
    {
        var image = BasicImage();
        image[0x0D] = 3; // sectors per cluster must be a power of two
        var error = FluentActions.Invoking(() => NtfsVolume.Open(new MemoryStream(image))).Should().Throw<NtfsFormatException>().Which;
        error.Message.Should().Contain("sectors per cluster");
        error.Kind.Should().Be(Compliance.Core.FailureKind.Usage);
    }

    [Fact]
    public void An_attribute_length_outside_its_record_is_a_problem_for_that_record_only()
    {
        var mft = UnicodeMft();
        var record = mft.AsSpan(43 * RecordSize, RecordSize);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(RecordBytes.FindAttribute(record, AttributeType.FileName) + 4)..], 0x10000);
        var catalog = ReadBare(Write("bad-length.mft", mft));
        catalog.Problems.Should().ContainSingle().Which.Should().Be(
            new RecordProblem(43, "attribute 0x30 at offset 152: length 65536 points outside its 1024-byte record"));
        catalog[43].Should().BeNull();
        catalog[42]!.FileNames.Single().Name.Should().Be("Привет");
    }

    [Fact]
    public void A_torn_record_is_reported_and_skipped()
    {
        var mft = UnicodeMft();
        mft[43 * RecordSize + 510] ^= 0xFF;
        var catalog = ReadBare(Write("torn.mft", mft));
        catalog.Problems.Should().ContainSingle().Which.Message.Should().StartWith("torn record: sector 0 ends in");
        catalog[43].Should().BeNull();
    }

    [Fact]
    public void A_data_run_past_the_end_of_the_volume_is_a_problem_for_that_record()
    {
        var image = BasicImage();
        var boot = BootSector.Parse(image.AsSpan(0, 512));
        // numbers.txt is entry 72, inside the $MFT's first extent.
        var record = image.AsSpan((int)(boot.MftCluster * boot.BytesPerCluster + 72 * RecordSize), RecordSize);
        int data = RecordBytes.FindAttribute(record, AttributeType.Data);
        int runs = data + BinaryPrimitives.ReadUInt16LittleEndian(record[(data + 32)..]);
        int lengthSize = record[runs] & 0x0F, offsetSize = record[runs] >> 4;
        record.Slice(runs + 1 + lengthSize, offsetSize).Fill(0xFF);
        record[runs + lengthSize + offsetSize] = 0x7F; // largest positive LCN of that width
        var catalog = ReadVolume(Write("far-run.img", image));
        catalog.Problems.Should().ContainSingle().Which.Should().Match<RecordProblem>(p =>
            p.RecordNumber == 72 && p.Message.Contains("lie outside the volume's 3071 clusters"));
        catalog[72].Should().BeNull();
    }

    [Fact]
    public void A_cycle_in_parent_references_keeps_the_files_under_the_orphan_folder()
    {
        var mft = UnicodeMft();
        // $RECYCLE.BIN (39) is made a child of its own subfolder S-1-5-21-... (40).
        var record = mft.AsSpan(39 * RecordSize, RecordSize);
        int name = RecordBytes.ValueOf(record, AttributeType.FileName);
        BinaryPrimitives.WriteUInt64LittleEndian(record[name..], 40UL | (ulong)BinaryPrimitives.ReadUInt16LittleEndian(mft.AsSpan(40 * RecordSize + 16)) << 48);
        var path = Write("cycle.mft", mft);
        TestData.ListCsv(path).Single(r => r["entry"] == "41")["path"].Should()
            .Be("$OrphanFiles/S-1-5-21-2341207468-2645333676-3461800803-1001/desktop.ini");
        ReadBare(path).Problems.Should().ContainSingle().Which.Message.Should().Contain("cycle");
    }

    [Fact]
    public void Not_ntfs_at_all_is_an_input_format_error()
    {
        var path = Write("text.txt", "just some text, long enough to be more than a sector? no."u8.ToArray());
        FluentActions.Invoking(() => NtfsImage.Open(path)).Should().Throw<NtfsFormatException>().WithMessage("image truncated*");
        var sector = new byte[4096];
        sector[510] = 0x55;
        sector[511] = 0xAA;
        var mbr = Write("empty-mbr.img", sector);
        FluentActions.Invoking(() => NtfsImage.Open(mbr)).Should().Throw<NtfsFormatException>().WithMessage("the partition table lists no NTFS partition");
    }

    [Fact]
    public void A_dynamic_vhd_asks_for_conversion()
    {
        var disk = new byte[4096];
        "conectix"u8.CopyTo(disk.AsSpan(disk.Length - 512));
        BinaryPrimitives.WriteUInt32BigEndian(disk.AsSpan(disk.Length - 512 + 60), 3);
        var path = Write("dynamic.vhd", disk);
        FluentActions.Invoking(() => NtfsImage.Open(path)).Should().Throw<NtfsFormatException>().WithMessage("*qemu-img convert -O raw*");
    }
}
