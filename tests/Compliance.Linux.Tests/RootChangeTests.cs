using Compliance.Core.ChangeFeed;

namespace Compliance.Linux.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
/// <summary>What a source reports when a followed root, or a directory above it, goes away or is replaced.</summary>
public sealed class RootChangeTests : IDisposable
{
    private readonly string _top = Path.Combine(Path.GetTempPath(), $"compliance-roots-{Guid.NewGuid():N}");
    private readonly string _root;

    public RootChangeTests()
    {
        _root = Path.Combine(_top, "p", "q", "s");
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "a"), "a\n");
    }

    public void Dispose() => Directory.Delete(_top, recursive: true);

    /// <summary>The source's signals for the roots (the fixture's one root when none are named), once it has started.</summary>
    private Task<IAsyncEnumerator<ChangeSignal>> Follow(IChangeSource source, params string[] roots) =>
        SourceSignals.Started(source, roots.Length > 0 ? roots : [_root]);

    /// <summary>
    /// Waits for the gap that says the root is there again, then writes a file in it and waits for its hint; returns
    /// the hints seen on the way.
    /// </summary>
    private static async Task<List<ChangeHint>> FollowedAgain(IAsyncEnumerator<ChangeSignal> signals, string root)
    {
        await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == root && gap.Detail.Contains("there again"));
        var written = Path.Combine(root, "b");
        File.WriteAllText(written, "b\n");
        var seen = new List<ChangeHint>();
        await SourceSignals.Next<ChangeHint>(signals, hint => { seen.Add(hint); return hint.Path == written; });
        return seen;
    }

    /// <summary>Renames p/q, which holds the root, to p/q2; returns its old path.</summary>
    private string RenameTheDirectoryAboveTheRoot()
    {
        var above = Path.Combine(_top, "p", "q");
        Directory.Move(above, above + "2");
        return above;
    }

    /// <summary>A directory and a symbolic link to it, as /run and /var/run are.</summary>
    private (string Real, string Link) LinkedDirectory()
    {
        var real = Path.Combine(_top, "run");
        Directory.CreateDirectory(real);
        var link = Path.Combine(_top, "var-run");
        File.CreateSymbolicLink(link, real);
        return (real, link);
    }

    [Fact]
    public async Task Inotify_rescans_a_root_replaced_by_a_file()
    {
        await using var source = new InotifySource();
        await using var signals = await Follow(source);

        Directory.Delete(_root, recursive: true);
        await SourceSignals.Next<GapSignal>(signals, gap => gap.Detail.Contains("deleted"));
        File.WriteAllText(_root, "a file now\n");

        var gap = await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == _root && gap.Detail.Contains("other than a directory"));
        gap.Reason.Should().Be(GapReason.SourceRestarted);
    }

    [Fact]
    public async Task Inotify_finds_a_root_again_after_the_directory_above_it_was_made_anew()
    {
        await using var source = new InotifySource();
        await using var signals = await Follow(source);

        var parent = Path.Combine(_top, "p");
        Directory.Delete(parent, recursive: true);
        Directory.CreateDirectory(parent);
        await SourceSignals.Next<GapSignal>(signals, gap => gap.Detail.Contains("deleted"));
        await Task.Delay(200);   // the old parent's watch has ended by now; the root waits on the new one
        Directory.CreateDirectory(_root);

        await FollowedAgain(signals, _root);
    }

    [Fact]
    public async Task Inotify_follows_the_root_anew_when_a_directory_above_it_is_renamed()
    {
        await using var source = new InotifySource();
        await using var signals = await Follow(source);

        var above = RenameTheDirectoryAboveTheRoot();
        var gap = await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == _root);
        gap.Reason.Should().Be(GapReason.SourceRestarted);

        // The old tree's watches went with it: a write there must not be reported under the root's path.
        File.WriteAllText(Path.Combine(above + "2", "s", "moved-away"), "x\n");
        Directory.CreateDirectory(_root);   // a new release put in place of the old one
        var seen = await FollowedAgain(signals, _root);
        seen.Should().NotContain(hint => hint.Path.EndsWith("moved-away"));
    }

    [Fact]
    public async Task Inotify_waits_for_a_root_below_a_symbolic_link_and_follows_it_once_made()
    {
        var (real, link) = LinkedDirectory();
        var root = Path.Combine(link, "app");
        await using var source = new InotifySource();
        await using var signals = await Follow(source, root);

        Directory.CreateDirectory(Path.Combine(real, "app"));
        await FollowedAgain(signals, root);
    }

    [Fact]
    public async Task Inotify_waits_for_two_roots_that_reach_one_directory_by_two_names()
    {
        var (real, link) = LinkedDirectory();
        string[] roots = [Path.Combine(link, "a"), Path.Combine(real, "b")];
        await using var source = new InotifySource();
        await using var signals = await Follow(source, roots);

        Directory.CreateDirectory(Path.Combine(real, "a"));
        Directory.CreateDirectory(Path.Combine(real, "b"));
        var seen = new HashSet<string>();
        await SourceSignals.Next<GapSignal>(signals, gap => gap.Detail.Contains("there again") && seen.Add(gap.Scope) && seen.Count == 2);
        seen.Should().BeEquivalentTo(roots);
    }

    [Theory]
    [InlineData(FanotifySource.SourceName)]
    [InlineData(InotifySource.SourceName)]
    public async Task A_root_that_is_a_file_is_followed_through_writes_and_its_deletion(string sourceName)
    {
        var file = Path.Combine(_root, "a");
        await using IChangeSource source = sourceName == FanotifySource.SourceName ? new FanotifySource() : new InotifySource();
        await using var signals = await Follow(source, file);

        File.AppendAllText(file, "more\n");
        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == file && hint.Kind == ChangeKind.Modified);
        File.Delete(file);
        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == file && hint.Kind == ChangeKind.Deleted);
    }

    [Fact]
    public async Task Fanotify_reports_the_root_when_a_directory_above_it_is_renamed()
    {
        await using var source = new FanotifySource();
        await using var signals = await Follow(source);

        RenameTheDirectoryAboveTheRoot();

        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == _root);
    }
}
