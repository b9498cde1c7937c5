using System.Buffers.Binary;
using Compliance.Core;

namespace Compliance.Ntfs.Tests;

/// <summary>A disk with two NTFS partitions, made in the test from the volume inside mbr.img: choose one, or take both.</summary>
public class PartitionTests : IDisposable
{
    private const int Sector = 512;
    private const int VolumeStart = 2048;
    private readonly string _folder = Directory.CreateTempSubdirectory("compliance-ntfs-parts-").FullName;
    private readonly string _disk;

    public PartitionTests()
    {
        // mbr.img holds a 3 MiB volume at 1 MiB; the new disk holds it twice, in MBR slots 1 and 3.
        var source = File.ReadAllBytes(TestData.Gunzipped(TestData.OwnImage("mbr.img.gz")));
        int volumeSectors = 3 << 20 >> 9;
        var volume = source.AsSpan(VolumeStart * Sector, volumeSectors * Sector);
        var disk = new byte[(VolumeStart + 2 * volumeSectors) * Sector];
        volume.CopyTo(disk.AsSpan(VolumeStart * Sector));
        volume.CopyTo(disk.AsSpan((VolumeStart + volumeSectors) * Sector));
        WritePartition(disk, slot: 0, VolumeStart, volumeSectors);
        WritePartition(disk, slot: 2, VolumeStart + volumeSectors, volumeSectors);
        disk[510] = 0x55;
        disk[511] = 0xAA;
        _disk = Path.Combine(_folder, "two.img");
        File.WriteAllBytes(_disk, disk);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void WritePartition(byte[] disk, int slot, int firstSector, int sectors)
    {
        var entry = disk.AsSpan(446 + 16 * slot, 16);
        entry[4] = 0x07;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)firstSector);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], (uint)sectors);
    }

    [Fact]
    public void Every_ntfs_partition_is_listed_under_its_own_prefix()
    {
        var paths = TestData.ListCsv(_disk).Where(r => r["in_use"] == "true").Select(r => r["path"]).ToList();
        paths.Should().Contain(["partition1/inside/partitioned.txt", "partition3/inside/partitioned.txt", "partition3/second.txt"]);
        paths.Should().OnlyContain(p => p.StartsWith("partition1/") || p.StartsWith("partition3/"));
    }

    [Fact]
    public void A_chosen_partition_is_listed_alone_and_a_missing_one_is_a_usage_error()
    {
        TestData.ListCsv(_disk, partition: 3).Select(r => r["path"]).Should().Contain("inside/partitioned.txt").And.NotContain(p => p.StartsWith("partition"));
        FluentActions.Invoking(() => TestData.ListCsv(_disk, partition: 2)).Should().Throw<ComplianceException>()
            .Where(e => e.Kind == FailureKind.Usage).WithMessage("partition 2 is not an NTFS partition; NTFS partitions: 1, 3");
    }

    [Fact]
    public void A_scan_needs_one_partition_named_directly_or_in_the_recorded_description()
    {
        FluentActions.Invoking(() => NtfsImageFileTree.Open(_disk)).Should().Throw<ComplianceException>()
            .WithMessage("*has 2 NTFS partitions (1, 3); choose one with --partition");
        using var tree = NtfsImageFileTree.Open(_disk, 3);
        tree.Description.Should().Be("ntfs-image:" + _disk + "#3");
        using var reopened = NtfsImageFileTree.Open(tree.Description["ntfs-image:".Length..]);
        reopened.Stat("/inside/partitioned.txt")!.Size.Should().Be(20000);
    }
}
