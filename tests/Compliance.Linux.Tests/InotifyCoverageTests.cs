using Compliance.Core.ChangeFeed;

namespace Compliance.Linux.Tests;

/// <summary>What inotify watches: nothing in excluded trees, and a coverage-degraded gap when the watch limit runs out.</summary>
public sealed class InotifyCoverageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"compliance-inotify-{Guid.NewGuid():N}");

    public InotifyCoverageTests()
    {
        foreach (var directory in new[] { "etc/a", "etc/b", "cache/x/y", "cache/z" })
            Directory.CreateDirectory(Path.Combine(_root, directory));
    }

    [Fact]
    public async Task Excluded_trees_cost_no_watches()
    {
        var cache = Path.Combine(_root, "cache");
        await using var source = new InotifySource(new InotifyOptions { ShouldWatch = path => !Core.Policies.PathPattern.IsSameOrBelow(path, cache) });
        await using var signals = source.ReadAsync([_root], CancellationToken.None).GetAsyncEnumerator();
        (await signals.MoveNextAsync()).Should().BeTrue();

        source.WatchCount.Should().Be(4, "the root, etc, etc/a and etc/b are watched; cache and below are not");
    }

    [Fact]
    public async Task An_excluded_directory_renamed_into_scope_is_watched_from_then_on()
    {
        var off = Path.Combine(_root, "etc", "c.off");
        Directory.CreateDirectory(Path.Combine(off, "inner"));
        await using var source = new InotifySource(new InotifyOptions { ShouldWatch = path => !path.EndsWith(".off", StringComparison.Ordinal) });
        await using var signals = source.ReadAsync([_root], CancellationToken.None).GetAsyncEnumerator();
        (await signals.MoveNextAsync()).Should().BeTrue();
        int before = source.WatchCount;

        Directory.Move(off, Path.Combine(_root, "etc", "c"));
        var renamed = await NextHint(signals);
        renamed.Path.Should().Be(Path.Combine(_root, "etc", "c"));
        source.WatchCount.Should().Be(before + 2, "etc/c and etc/c/inner are watched now");

        var written = Path.Combine(_root, "etc", "c", "inner", "new");
        File.WriteAllText(written, "x");
        (await NextHint(signals)).Path.Should().Be(written);
    }

    private static async Task<ChangeHint> NextHint(IAsyncEnumerator<ChangeSignal> signals)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            (await signals.MoveNextAsync().AsTask().WaitAsync(timeout.Token)).Should().BeTrue();
            if (signals.Current is ChangeHint hint)
                return hint;
        }
    }

    [Fact]
    public async Task Running_out_of_watches_is_a_coverage_degraded_gap()
    {
        const string limit = "/proc/sys/fs/inotify/max_user_watches";
        var original = await File.ReadAllTextAsync(limit);
        await using var source = new InotifySource();
        await using var signals = source.ReadAsync([_root], CancellationToken.None).GetAsyncEnumerator();
        // The limit counts every watch of the user; it is lowered to what is in use now plus two, only while the
        // source sets up its watches (the first signal comes once they are in place), and restored at once.
        await File.WriteAllTextAsync(limit, (WatchesInUse() + 2).ToString());
        try
        {
            (await signals.MoveNextAsync()).Should().BeTrue();
        }
        finally
        {
            await File.WriteAllTextAsync(limit, original);
        }

        var first = signals.Current;
        (await signals.MoveNextAsync()).Should().BeTrue();
        var gaps = new[] { first, signals.Current }.OfType<GapSignal>().ToList();
        var degraded = gaps.Should().ContainSingle(g => g.Reason == GapReason.CoverageDegraded).Subject;
        degraded.Scope.Should().Be(_root);
        degraded.Detail.Should().Contain("max_user_watches");
        gaps.Should().Contain(g => g.Reason == GapReason.FirstStart);
    }

    /// <summary>inotify watches held by all processes now, from /proc/*/fdinfo.</summary>
    private static int WatchesInUse()
    {
        int count = 0;
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
        {
            try
            {
                foreach (var info in Directory.EnumerateFiles(Path.Combine(process, "fdinfo")))
                    count += File.ReadLines(info).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }
        return count;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
