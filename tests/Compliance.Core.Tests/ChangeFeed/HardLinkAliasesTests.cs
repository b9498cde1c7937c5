using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.Tests.ChangeFeed;

public sealed class HardLinkAliasesTests
{
    private static FileEntry File(string path, ulong inode, ulong links) =>
        new() { Path = path, Type = FileType.File, Size = 1, Inode = inode, Device = 9, LinkCount = links };

    private static Finding Found(DriftKind kind, FileEntry? before, FileEntry? after) =>
        new() { Path = (after ?? before)!.Path, Kind = kind, Before = before, After = after };

    /// <summary>Two names of inode 5, as a watch learns them from the baseline.</summary>
    private static HardLinkAliases TwoNames()
    {
        var aliases = new HardLinkAliases();
        aliases.Remember(File("/t/a", 5, 2));
        aliases.Remember(File("/t/b", 5, 2));
        return aliases;
    }

    [Fact]
    public void Each_name_of_a_hard_linked_file_knows_the_other()
    {
        var aliases = TwoNames();

        aliases.OtherNames("/t/a").Should().Equal("/t/b");
        aliases.OtherNames("/t/b").Should().Equal("/t/a");
        aliases.OtherNames(Found(DriftKind.Content, File("/t/a", 5, 2), File("/t/a", 5, 2))).Should().Equal("/t/b");
    }

    [Fact]
    public void A_removed_name_is_no_longer_an_alias()
    {
        var aliases = TwoNames();

        aliases.Record(Found(DriftKind.Removed, File("/t/b", 5, 2), null));

        aliases.OtherNames(Found(DriftKind.Metadata, File("/t/a", 5, 2), File("/t/a", 5, 1))).Should().BeEmpty();
        aliases.NameCount.Should().Be(1);
    }

    [Fact]
    public void A_moved_name_is_known_by_its_new_path_only()
    {
        var aliases = TwoNames();

        aliases.Record(Found(DriftKind.Moved, File("/t/b", 5, 2), File("/t/c", 5, 2)));

        aliases.OtherNames("/t/a").Should().Equal("/t/c");
        aliases.OtherNames("/t/c").Should().Equal("/t/a");
        aliases.NameCount.Should().Be(2);
    }

    [Fact]
    public void A_path_replaced_by_another_file_stops_naming_the_old_inode()
    {
        var aliases = TwoNames();

        aliases.Record(Found(DriftKind.Content, File("/t/a", 5, 2), File("/t/a", 77, 1)));

        aliases.OtherNames("/t/b").Should().BeEmpty();
        aliases.OtherNames(Found(DriftKind.Content, File("/t/b", 5, 1), File("/t/b", 5, 1))).Should().BeEmpty();
    }

    [Fact]
    public void Short_lived_files_leave_nothing_behind()
    {
        var aliases = TwoNames();

        for (ulong i = 0; i < 10_000; i++)
        {
            var file = File($"/t/tmp{i}", 1000 + i, 1);
            aliases.Record(Found(DriftKind.Added, null, file));
            aliases.Record(Found(DriftKind.Removed, file, null));
        }

        aliases.NameCount.Should().Be(2, "only the two names of inode 5 are left");
        aliases.OtherNames("/t/a").Should().Equal("/t/b");
    }
}
