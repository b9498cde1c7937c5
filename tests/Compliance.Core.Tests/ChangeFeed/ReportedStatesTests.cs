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
