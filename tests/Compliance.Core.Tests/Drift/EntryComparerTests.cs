using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Drift;

public sealed class EntryComparerTests
{
    private static FileEntry File(uint uid, uint mode, string? error = null) =>
        new() { Path = "/srv/app/secret", Type = FileType.File, Size = 2, Uid = uid, Gid = 0, Mode = mode, Inode = 7, Device = 1, LinkCount = 1, Error = error };

    [Fact]
    public void A_file_that_cannot_be_read_still_shows_what_stat_sees_changed()
    {
        var finding = EntryComparer.Compare(File(uid: 65534, mode: 0x1A4), File(uid: 0, mode: 0x180, error: "permission denied"), null)!;

        finding.Kind.Should().Be(DriftKind.Unverified);
        finding.Attributes.Should().BeEquivalentTo("mode", "uid");
        finding.Detail.Should().Be("permission denied");
    }

    [Fact]
    public void A_new_file_that_cannot_be_read_says_it_is_not_in_the_baseline()
    {
        var finding = EntryComparer.Compare(null, File(uid: 0, mode: 0x180, error: "permission denied"), null)!;

        finding.Kind.Should().Be(DriftKind.Unverified);
        finding.Detail.Should().Be("permission denied (not in the approved baseline)");
    }

    [Fact]
    public void A_path_that_cannot_even_be_stat_ed_claims_no_changed_attribute()
    {
        var unknown = new FileEntry { Path = "/srv/app/secret", Type = FileType.Unknown, Error = "stat failed: permission denied" };

        EntryComparer.Compare(File(uid: 0, mode: 0x1A4), unknown, null)!.Attributes.Should().BeEmpty();
    }

    [Fact]
    public void Inode_flags_set_or_cleared_are_drift_named_as_lsattr_would_and_an_entry_from_before_flags_reads_as_none()
    {
        var recordedBeforeFlags = File(uid: 0, mode: 0x1A4);
        var appendOnly = File(uid: 0, mode: 0x1A4);
        appendOnly.Flags = InodeFlags.AppendOnly | InodeFlags.Immutable;

        var set = EntryComparer.Compare(recordedBeforeFlags, appendOnly, null)!;
        set.Kind.Should().Be(DriftKind.Metadata);
        set.Attributes.Should().Equal("flags");
        Attributes.AttributeCatalog.Flags.Format(appendOnly).Should().Be("immutable,append_only");
        Attributes.AttributeCatalog.Flags.Format(recordedBeforeFlags).Should().BeNull();
        EntryComparer.Compare(appendOnly, recordedBeforeFlags, null)!.Attributes.Should().Equal("flags");
        EntryComparer.Compare(recordedBeforeFlags, File(uid: 0, mode: 0x1A4), null).Should().BeNull();
        Attributes.AttributeCatalog.Flags.Format(new FileEntry { Path = "/x", Flags = InodeFlags.NoDump | (InodeFlags)0x8000 }).Should().Be("nodump,0x8000");
    }

    [Fact]
    public void A_device_file_pointed_at_another_device_is_drift_in_rdev_shown_as_major_and_minor()
    {
        FileEntry Device(ulong rdev) => new() { Path = "/dev/null", Type = FileType.CharDevice, Mode = 0x1B6, Uid = 0, Gid = 0, Inode = 5, Device = 6, SpecialDevice = rdev };
        const ulong null13 = 0x103;                  // makedev(1, 3)
        const ulong zero15 = 0x105;                  // makedev(1, 5)
        const ulong large = 0x1000_1000_0101UL;      // makedev(4097, 65537): both halves of the encoding

        var finding = EntryComparer.Compare(Device(null13), Device(zero15), null)!;
        finding.Kind.Should().Be(DriftKind.Metadata);
        finding.Attributes.Should().Equal("rdev");
        Attributes.AttributeCatalog.SpecialDevice.Format(Device(null13)).Should().Be("1:3");
        Attributes.AttributeCatalog.SpecialDevice.Format(Device(large)).Should().Be("4097:65537");
    }

    [Fact]
    public void A_growing_log_may_grow_but_one_emptied_or_cut_short_is_drift_in_growing_size()
    {
        var logs = new PolicyCategory
        {
            Name = "audit-logs",
            Attributes = Attributes.AttributeCatalog.Resolve(["growing"], out _),
            Include = [],
        };
        FileEntry Log(long size, ulong inode = 7) => new()
        {
            Path = "/var/log/auth.log", Type = FileType.File, Size = size, Mode = 0x1A0, Uid = 0, Gid = 4, Inode = inode, Device = 1, LinkCount = 1,
            MtimeNs = size, CtimeNs = size,
        };

        EntryComparer.Compare(Log(11_892), Log(12_000), logs).Should().BeNull();
        var emptied = EntryComparer.Compare(Log(11_892), Log(19), logs)!;
        emptied.Kind.Should().Be(DriftKind.Metadata);
        emptied.Attributes.Should().Equal("growing_size");
        Attributes.AttributeCatalog.GrowingSize.Format(Log(19)).Should().Be("19");
        // Rotated by rename: the live log is a new, shorter file.
        EntryComparer.Compare(Log(11_892), Log(0, inode: 8), logs)!.Attributes.Should().Equal("growing_size", "inode");
    }
}
