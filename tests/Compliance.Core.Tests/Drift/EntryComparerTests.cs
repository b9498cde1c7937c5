using Compliance.Core.Drift;
using Compliance.Core.Model;

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
}
