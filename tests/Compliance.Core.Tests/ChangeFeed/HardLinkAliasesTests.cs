using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.Tests.ChangeFeed;

public sealed class HardLinkAliasesTests
{
    private static FileEntry File(string path, ulong inode, ulong links = 1) =>
        new() { Path = path, Type = FileType.File, Device = 2049, Inode = inode, LinkCount = links };

    private static Finding Added(FileEntry after) => new() { Path = after.Path, Kind = DriftKind.Added, After = after };

    private static Finding Removed(FileEntry before) => new() { Path = before.Path, Kind = DriftKind.Removed, Before = before };

    [Fact]
    public void A_new_link_finds_the_names_the_file_already_had()
    {
        var aliases = new HardLinkAliases();
        aliases.Remember(File("/t/a", 10));
        aliases.Remember(File("/t/other", 11));

        var link = Added(File("/t/b", 10, links: 2));

        aliases.OtherNames(link).Should().Equal("/t/a");
        aliases.Update(link);
        aliases.OtherNames("/t/b").Should().Equal("/t/a");
        aliases.OtherNames("/t/a").Should().BeEmpty("/t/a was last seen with one link; its own finding will say two");
    }

    [Fact]
    public void Temporary_files_that_come_and_go_are_not_kept()
    {
        var aliases = new HardLinkAliases();
        aliases.Remember(File("/t/kept", 1));

        for (ulong i = 0; i < 1000; i++)
        {
            var path = $"/t/tmp{i}";
            aliases.Update(Added(File(path, 100 + i)));
            aliases.Forget(path);                          // gone with nothing approved: no finding, only a vanished path
        }

        aliases.Count.Should().Be(1);
    }

    [Fact]
    public void A_reused_inode_number_does_not_bring_back_a_deleted_temporary_name()
    {
        var aliases = new HardLinkAliases();
        aliases.Update(Added(File("/t/old", 42)));
        aliases.Forget("/t/old");

        aliases.Update(Added(File("/t/new", 42)));
        var link = Added(File("/t/link", 42, links: 2));

        aliases.OtherNames(link).Should().Equal("/t/new");
    }

    [Fact]
    public void An_approved_name_found_gone_keeps_its_approved_identity_for_when_it_comes_back()
    {
        var aliases = new HardLinkAliases();
        aliases.Remember(File("/t/a", 7, links: 2));
        aliases.Remember(File("/t/b", 7, links: 2));

        // /t/b's directory moved out of scope, and back: back exactly as approved, it gives no finding.
        aliases.Update(Removed(File("/t/b", 7, links: 2)));

        aliases.OtherNames("/t/a").Should().Equal("/t/b");
        var written = new Finding { Path = "/t/a", Kind = DriftKind.Content, Before = File("/t/a", 7, links: 2), After = File("/t/a", 7, links: 2) };
        aliases.OtherNames(written).Should().Equal("/t/b");
        aliases.Count.Should().Be(2);
    }

    [Fact]
    public void A_name_replaced_by_another_inode_leaves_the_old_inode_names()
    {
        var aliases = new HardLinkAliases();
        aliases.Remember(File("/t/a", 7, links: 2));
        aliases.Remember(File("/t/b", 7, links: 2));

        // An editor's save by rename-over: /t/a now names a new inode with one link.
        aliases.Update(new Finding { Path = "/t/a", Kind = DriftKind.Content, Before = File("/t/a", 7, links: 2), After = File("/t/a", 8) });

        aliases.OtherNames("/t/b").Should().BeEmpty();
        aliases.OtherNames(Added(File("/t/c", 8, links: 2))).Should().Equal("/t/a");
        aliases.Count.Should().Be(2);
    }

    [Fact]
    public void A_move_keeps_the_old_approved_name_unless_something_else_is_there_now()
    {
        var aliases = new HardLinkAliases();
        aliases.Remember(File("/t/x", 5));
        aliases.Remember(File("/t/y", 6));
        aliases.Update(new Finding { Path = "/t/x2", Kind = DriftKind.Moved, Before = File("/t/x", 5), After = File("/t/x2", 5) });

        // A new file took /t/y's name before the move of its old inode was reported.
        aliases.Remember(File("/t/y", 9));
        aliases.Update(new Finding { Path = "/t/y2", Kind = DriftKind.Moved, Before = File("/t/y", 6), After = File("/t/y2", 6) });

        aliases.OtherNames(Added(File("/t/x3", 5, links: 2))).Should().Equal(["/t/x", "/t/x2"], "/t/x may come back as approved");
        aliases.OtherNames(Added(File("/t/y3", 9, links: 2))).Should().Equal(["/t/y"], "the move of /t/y's old inode leaves the new file alone");
        aliases.Count.Should().Be(4);
    }
}
