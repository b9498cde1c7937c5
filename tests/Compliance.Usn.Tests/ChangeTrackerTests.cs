using Compliance.Core.ChangeFeed;
using Compliance.Usn.Journal;
using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

/// <summary>Close handling, rename pairing and its fallbacks, fed record by record.</summary>
public sealed class ChangeTrackerTests
{
    private static readonly UInt128 Root = (5UL << 48) | 5;
    private static readonly UInt128 Dir = (1UL << 48) | 100;
    private static readonly UInt128 File = (1UL << 48) | 101;

    private readonly FileIdPathCache _paths = new(@"C:\", Root);
    private readonly UsnChangeTracker _tracker;
    private readonly List<ChangeSignal> _signals = [];
    private long _usn;

    public ChangeTrackerTests()
    {
        _tracker = new UsnChangeTracker(_paths, "usn");
        _paths.Set(Dir, Root, "dir", isDirectory: true);
        _paths.Set(File, Dir, "old.txt", isDirectory: false);
    }

    private void Feed(UInt128 id, UInt128 parent, string name, UsnReason reason)
    {
        var record = new UsnRecord
        {
            Offset = _usn,
            RecordLength = 96,
            MajorVersion = 3,
            MinorVersion = 0,
            FileId = id,
            ParentFileId = parent,
            Usn = _usn,
            Reason = reason,
            SourceInfo = UsnSourceInfo.None,
            FileName = name,
        };
        _usn += 96;
        _tracker.Apply(record, _signals);
    }

    [Fact]
    public void Reasons_accumulate_until_close_and_give_one_hint()
    {
        Feed(File, Dir, "old.txt", UsnReason.DataOverwrite);
        Feed(File, Dir, "old.txt", UsnReason.DataOverwrite | UsnReason.DataExtend);
        _signals.Should().BeEmpty();
        _tracker.LowestOpenUsn.Should().Be(0);

        Feed(File, Dir, "old.txt", UsnReason.DataOverwrite | UsnReason.DataExtend | UsnReason.Close);

        _signals.Should().ContainSingle().Which.Should().BeOfType<ChangeHint>()
            .Which.Should().Match<ChangeHint>(h => h.Kind == ChangeKind.Modified && h.Path == @"C:\dir\old.txt" && h.FileId == File);
        _tracker.LowestOpenUsn.Should().BeNull();
    }

    [Fact]
    public void Rename_halves_pair_by_file_id()
    {
        Feed(File, Dir, "old.txt", UsnReason.RenameOldName);
        Feed(File, Root, "new.txt", UsnReason.RenameNewName);
        Feed(File, Root, "new.txt", UsnReason.RenameNewName | UsnReason.Close);

        var hint = _signals.Should().ContainSingle().Which.Should().BeOfType<ChangeHint>().Subject;
        hint.Kind.Should().Be(ChangeKind.Renamed);
        hint.Path.Should().Be(@"C:\new.txt");
        hint.OldPath.Should().Be(@"C:\dir\old.txt");
    }

    [Fact]
    public void Without_the_old_half_the_cached_path_is_the_old_path()
    {
        Feed(File, Root, "new.txt", UsnReason.RenameNewName | UsnReason.Close);

        var hint = _signals.Should().ContainSingle().Which.Should().BeOfType<ChangeHint>().Subject;
        hint.OldPath.Should().Be(@"C:\dir\old.txt");
        hint.Path.Should().Be(@"C:\new.txt");
    }

    [Fact]
    public void Without_the_old_half_or_a_cached_path_the_rename_is_a_gap()
    {
        var stranger = (1UL << 48) | 555;

        Feed(stranger, Root, "came-from-somewhere", UsnReason.RenameNewName | UsnReason.Close);

        var gap = _signals.Should().ContainSingle().Which.Should().BeOfType<GapSignal>().Subject;
        gap.Reason.Should().Be(GapReason.JournalWrapped);
        gap.Scope.Should().Be(@"C:\");
        gap.Detail.Should().Contain("came from");
    }

    [Fact]
    public void A_directory_rename_in_the_cache_moves_every_descendant()
    {
        Feed(Dir, Root, "dir", UsnReason.RenameOldName);
        Feed(Dir, Root, "renamed", UsnReason.RenameNewName | UsnReason.Close);

        _paths.PathOf(File).Should().Be(@"C:\renamed\old.txt");
        _paths.PathOf(Root).Should().Be(@"C:\");
    }

    [Fact]
    public void A_deleted_file_leaves_the_cache()
    {
        Feed(File, Dir, "old.txt", UsnReason.FileDelete | UsnReason.Close);

        _signals.OfType<ChangeHint>().Should().ContainSingle(h => h.Kind == ChangeKind.Deleted && h.Path == @"C:\dir\old.txt");
        _paths.PathOf(File).Should().BeNull();
    }

    [Fact]
    public void A_parent_loop_has_no_path()
    {
        var a = (1UL << 48) | 1000;
        var b = (1UL << 48) | 1001;
        _paths.Set(a, b, "a", isDirectory: true);
        _paths.Set(b, a, "b", isDirectory: true);

        _paths.PathOf(a).Should().BeNull();
    }
}
