using Compliance.Core.ChangeFeed;
using Compliance.Tests;

namespace Compliance.Linux.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
/// <summary>
/// What a source reports when filesystems are mounted or unmounted at, below or above a root while it follows it, and
/// when a root is reached through a symbolic link: real tmpfs and bind mounts (the tests run as root).
/// </summary>
public sealed class MountTests : IDisposable
{
    private readonly string _top = Path.Combine(Path.GetTempPath(), $"compliance-mounts-{Guid.NewGuid():N}");
    private readonly string _root;
    private readonly List<string> _mounts = [];

    public MountTests()
    {
        _root = Path.Combine(_top, "tree");
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "a"), "a\n");
    }

    public void Dispose()
    {
        foreach (var mountPoint in Enumerable.Reverse(_mounts))
            ExternalCommand.Run("umount", "--lazy", mountPoint);
        Directory.Delete(_top, recursive: true);
    }

    public static TheoryData<string> Sources => [FanotifySource.SourceName, InotifySource.SourceName];

    private static KernelNotifySource Create(string source) =>
        source == FanotifySource.SourceName ? new FanotifySource() : new InotifySource();

    private void MountTmpfs(string at)
    {
        Directory.CreateDirectory(at);
        ExternalCommand.Run("mount", "-t", "tmpfs", "tmpfs", at);
        _mounts.Add(at);
    }

    /// <summary>The source's signals for the roots (the fixture's root when none are named), once it has started.</summary>
    private Task<IAsyncEnumerator<ChangeSignal>> Follow(IChangeSource source, params string[] roots) =>
        SourceSignals.Started(source, roots.Length > 0 ? roots : [_root]);

    /// <summary>Makes TARGET/app and a link LINK to TARGET beside the tree; returns the root LINK/app.</summary>
    private string AppBelowLink(string link, string target)
    {
        Directory.CreateDirectory(Path.Combine(_top, target, "app"));
        File.CreateSymbolicLink(Path.Combine(_top, link), Path.Combine(_top, target));
        return Path.Combine(_top, link, "app");
    }

    /// <summary>Writes a file and waits for its hint.</summary>
    private static async Task WrittenAndSeen(IAsyncEnumerator<ChangeSignal> signals, string path)
    {
        File.WriteAllText(path, "x\n");
        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == path);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_filesystem_mounted_below_a_root_while_followed_is_rescanned_and_followed(string sourceName)
    {
        await using var source = Create(sourceName);
        await using var signals = await Follow(source);

        var mountPoint = Path.Combine(_root, "m");
        MountTmpfs(mountPoint);

        var gap = await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == mountPoint);
        gap.Reason.Should().Be(GapReason.SourceRestarted);
        await WrittenAndSeen(signals, Path.Combine(mountPoint, "dropped-in"));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_filesystem_mounted_over_the_root_itself_is_rescanned_and_followed(string sourceName)
    {
        await using var source = Create(sourceName);
        await using var signals = await Follow(source);

        MountTmpfs(_root);

        await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == _root && gap.Reason == GapReason.SourceRestarted);
        await WrittenAndSeen(signals, Path.Combine(_root, "on-the-new-filesystem"));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_filesystem_below_a_root_unmounted_is_rescanned(string sourceName)
    {
        var mountPoint = Path.Combine(_root, "m");
        MountTmpfs(mountPoint);
        await using var source = Create(sourceName);
        await using var signals = await Follow(source);
        await WrittenAndSeen(signals, Path.Combine(mountPoint, "on-the-mount"));

        // A plain umount: the source must not hold the filesystem busy.
        ExternalCommand.Run("umount", mountPoint);
        _mounts.Remove(mountPoint);

        await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == mountPoint && gap.Reason == GapReason.SourceRestarted);
        await WrittenAndSeen(signals, Path.Combine(mountPoint, "below-the-old-mount"));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_filesystem_unmounted_and_mounted_again_is_followed_again(string sourceName)
    {
        // ext4 keeps its fsid (from its UUID) across mounts, unlike tmpfs.
        var image = Path.Combine(_top, "volume.ext4");
        ExternalCommand.Run("truncate", "-s", "16M", image);
        ExternalCommand.Run("mkfs.ext4", "-q", "-F", image);
        var mountPoint = Path.Combine(_root, "m");
        Directory.CreateDirectory(mountPoint);
        ExternalCommand.Run("mount", "-o", "loop", image, mountPoint);
        _mounts.Add(mountPoint);
        await using var source = Create(sourceName);
        await using var signals = await Follow(source);

        ExternalCommand.Run("umount", mountPoint);
        await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == mountPoint);
        ExternalCommand.Run("mount", "-o", "loop", image, mountPoint);
        await SourceSignals.Next<GapSignal>(signals, gap => gap.Scope == mountPoint);

        await WrittenAndSeen(signals, Path.Combine(mountPoint, "after-the-remount"));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_filesystem_below_a_root_whose_directory_above_is_renamed_is_still_followed(string sourceName)
    {
        var mountPoint = Path.Combine(_root, "d", "m");
        MountTmpfs(mountPoint);
        await using var source = Create(sourceName);
        await using var signals = await Follow(source);

        Directory.Move(Path.Combine(_root, "d"), Path.Combine(_root, "e"));
        _mounts[^1] = Path.Combine(_root, "e", "m");

        await WrittenAndSeen(signals, Path.Combine(_root, "e", "m", "after-the-rename"));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_root_that_is_a_link_is_followed_as_the_link_not_into_its_target(string sourceName)
    {
        var target = Path.Combine(_top, "target");
        Directory.CreateDirectory(target);
        var link = Path.Combine(_top, "link");
        File.CreateSymbolicLink(link, target);
        await using var source = Create(sourceName);
        await using var signals = await Follow(source, link);

        File.WriteAllText(Path.Combine(target, "inside"), "x\n");
        File.Delete(link);
        File.CreateSymbolicLink(link, _root);

        var seen = new List<ChangeHint>();
        await SourceSignals.Next<ChangeHint>(signals, hint => { seen.Add(hint); return hint.Path == link; });
        seen.Should().NotContain(hint => hint.Path.StartsWith(link + "/"), "a scan records the link, and nothing through it");
    }

    [Fact]
    public async Task Inotify_keeps_a_directory_bind_mounted_below_the_root_under_its_first_name()
    {
        var (source, bind) = (Path.Combine(_root, "src"), Path.Combine(_root, "bind"));
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(bind);
        await using var inotify = new InotifySource();
        await using var signals = await Follow(inotify);

        ExternalCommand.Run("mount", "--bind", source, bind);
        _mounts.Add(bind);
        var gap = await SourceSignals.Next<GapSignal>(signals, gap => gap.Reason == GapReason.CoverageDegraded);
        gap.Scope.Should().Be(bind);
        await WrittenAndSeen(signals, Path.Combine(source, "while-bound"));

        ExternalCommand.Run("umount", bind);
        _mounts.Remove(bind);
        await WrittenAndSeen(signals, Path.Combine(source, "after-the-unmount"));
    }

    [Fact]
    public async Task Fanotify_follows_a_root_below_a_symbolic_link_under_the_roots_own_name()
    {
        var root = AppBelowLink("var-run", "run");
        await using var source = new FanotifySource();
        await using var signals = await Follow(source, root);

        File.WriteAllText(Path.Combine(_top, "run", "app", "pid"), "1\n");

        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == Path.Combine(root, "pid"));
    }

    [Fact]
    public async Task Fanotify_rescans_a_root_whose_link_above_it_is_pointed_elsewhere()
    {
        var second = Path.Combine(_top, "release-2");
        Directory.CreateDirectory(Path.Combine(second, "app"));
        var root = AppBelowLink("current", "release-1");
        var current = Path.Combine(_top, "current");
        await using var source = new FanotifySource();
        await using var signals = await Follow(source, root);

        // As a deployment switches releases: a new link renamed over the old one.
        File.CreateSymbolicLink(current + ".new", second);
        ExternalCommand.Run("mv", "--no-target-directory", current + ".new", current);

        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == root);
        await WrittenAndSeen(signals, Path.Combine(root, "in-release-2"));
    }

    [Fact]
    public async Task Fanotify_reports_the_root_when_a_directory_above_it_on_another_filesystem_is_renamed()
    {
        var opt = Path.Combine(_top, "opt");
        var app = Path.Combine(opt, "app");
        MountTmpfs(app);
        await using var source = new FanotifySource();
        await using var signals = await Follow(source, app);

        Directory.Move(opt, opt + ".old");
        _mounts[^1] = Path.Combine(opt + ".old", "app");

        await SourceSignals.Next<ChangeHint>(signals, hint => hint.Path == app);
    }

    [Fact]
    public async Task Fanotify_starts_beside_a_file_mounted_over_a_file_below_a_root_and_says_it_is_not_followed()
    {
        var hosts = Path.Combine(_root, "hosts");
        File.WriteAllText(hosts, "127.0.0.1 localhost\n");
        var fromOutside = Path.Combine(_top, "hosts-of-the-container");
        File.WriteAllText(fromOutside, "10.0.0.1 app\n");
        ExternalCommand.Run("mount", "--bind", fromOutside, hosts);
        _mounts.Add(hosts);

        await using var source = new FanotifySource();
        await using var signals = await Follow(source);

        var gap = await SourceSignals.Next<GapSignal>(signals, _ => true);
        (gap.Scope, gap.Reason).Should().Be((hosts, GapReason.CoverageDegraded));
        await WrittenAndSeen(signals, Path.Combine(_root, "beside-it"));
    }

    [Fact]
    public void Fanotify_claims_to_follow_in_full_only_what_it_can_name_and_the_policy_selects()
    {
        FanotifySource.CanFollowFully([_root]).Should().BeTrue();
        var b = Path.Combine(_root, "y");
        Directory.CreateDirectory(Path.Combine(_root, "x"));
        Directory.CreateDirectory(b);
        ExternalCommand.Run("mount", "--bind", Path.Combine(_root, "x"), b);
        _mounts.Add(b);

        FanotifySource.CanFollowFully([_root]).Should().BeFalse("a bind mount below the root would be left to rescans");
        FanotifySource.CanFollowFully([_root], new FanotifyOptions { ShouldMark = path => path != b }).Should().BeTrue("nothing is selected below it");
        FanotifySource.CanFollowFully([Path.Combine(_top, "absent", "root")]).Should().BeTrue("a root not made yet is followed from above");
    }

    [Fact]
    public async Task Fanotify_says_a_filesystem_mounted_twice_below_a_root_is_followed_only_by_rescans()
    {
        Directory.CreateDirectory(Path.Combine(_root, "x"));
        var b = Path.Combine(_root, "y");
        Directory.CreateDirectory(b);
        ExternalCommand.Run("mount", "--bind", Path.Combine(_root, "x"), b);
        _mounts.Add(b);

        await using var source = new FanotifySource();
        await using var signals = await Follow(source);

        var gap = await SourceSignals.Next<GapSignal>(signals, _ => true);
        (gap.Scope, gap.Reason).Should().Be((b, GapReason.CoverageDegraded));
    }
}
