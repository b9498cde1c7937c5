using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.Tests.ChangeFeed;

public sealed class ReportedStatesTests
{
    private static Finding Added(string path, long ctimeNs) => new()
    {
        Path = path,
        Kind = DriftKind.Added,
        After = new FileEntry { Path = path, Type = FileType.File, Size = 4, Inode = 7, CtimeNs = ctimeNs, MtimeNs = ctimeNs },
    };

    [Fact]
    public void A_state_is_reported_once_and_a_new_state_of_the_same_path_again()
    {
        var reported = new ReportedStates();

        reported.IsNew(Added("/t/a", 1)).Should().BeTrue();
        reported.IsNew(Added("/t/a", 1)).Should().BeFalse("the same state of the same path was reported already");
        reported.IsNew(Added("/t/a", 2)).Should().BeTrue("its ctime moved: the file changed again");
        reported.IsNew(Added("/t/b", 2)).Should().BeTrue();
    }

    private static Finding ModeChanged(string path, long size) => new()
    {
        Path = path,
        Kind = DriftKind.Metadata,
        Attributes = ["mode"],
        Before = new FileEntry { Path = path, Type = FileType.File, Size = 4, Mode = 0x1A4, Inode = 7 },
        After = new FileEntry { Path = path, Type = FileType.File, Size = size, Mode = 0x1B6, Inode = 7, CtimeNs = size, MtimeNs = size },
    };

    private static Finding Removed(string path) => new()
    {
        Path = path,
        Kind = DriftKind.Removed,
        Before = new FileEntry { Path = path, Type = FileType.File, Size = 4, Inode = 7 },
    };

    [Fact]
    public void A_change_to_attributes_the_category_does_not_compare_is_no_news()
    {
        var reported = new ReportedStates();

        reported.IsNew(ModeChanged("/t/log", 10)).Should().BeTrue();
        reported.IsNew(ModeChanged("/t/log", 20)).Should().BeFalse("the log grew, which its category ignores; its mode is as reported");
    }

    [Fact]
    public void Drift_that_comes_back_after_the_path_was_found_approved_is_reported_again()
    {
        var reported = new ReportedStates();
        reported.IsNew(Removed("/t/f")).Should().BeTrue();
        reported.IsNew(Removed("/t/f")).Should().BeFalse();

        reported.Forget("/t/f");   // restored: found as approved
        reported.IsNew(Removed("/t/f")).Should().BeTrue();

        // A rescan of /t finds only /t/g drifted: reported, then everything else in /t forgotten.
        reported.IsNew(Removed("/t/g")).Should().BeTrue();
        reported.ForgetAllBut(["/t"], [Removed("/t/g")]);
        reported.IsNew(Removed("/t/f")).Should().BeTrue("the rescan found /t/f as approved");
        reported.IsNew(Removed("/t/g")).Should().BeFalse("the rescan reported it already");

        reported.ForgetAllBut(["/u", "/t/h"], []);   // rescans elsewhere leave /t/g as it was
        reported.IsNew(Removed("/t/g")).Should().BeFalse();
        reported.ForgetAllBut([null], []);   // a rescan of everything that found nothing
        reported.IsNew(Removed("/t/g")).Should().BeTrue();
    }

    [Fact]
    public void Memory_stays_bounded_however_many_paths_drift()
    {
        var reported = new ReportedStates();
        reported.IsNew(Added("/t/first", 1)).Should().BeTrue();
        for (int i = 1; i < ReportedStates.Capacity; i++)
            reported.IsNew(Added($"/t/f{i}", 1));
        reported.IsNew(Added("/t/first", 1)).Should().BeFalse("the table is full but has not overflowed yet");

        reported.IsNew(Added("/t/one-more", 1)).Should().BeTrue();

        // The table was emptied to make room: a repeat of a forgotten state is reported once more, never lost.
        reported.IsNew(Added("/t/first", 1)).Should().BeTrue();
        reported.IsNew(Added("/t/one-more", 1)).Should().BeFalse();
    }
}
