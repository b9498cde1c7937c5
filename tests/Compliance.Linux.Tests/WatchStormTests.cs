using System.Diagnostics;
using Xunit.Abstractions;
using Compliance.Core.ChangeFeed;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Compliance.Linux.Tests;

/// <summary>
/// Storms of creations and modifications, with and without a kernel queue small enough to overflow: once the storm
/// has settled the store equals a fresh full scan, and every overflow is on record as a gap closed by a rescan.
/// </summary>
public sealed class WatchStormTests(ITestOutputHelper output)
{
    private const int Directories = 100;

    public static TheoryData<string> Sources => [FanotifySource.SourceName, InotifySource.SourceName];

    /// <summary>The size: 100,000 files created and 50,000 modified. Minutes long: run when COMPLIANCE_STORM=1.</summary>
    [StormTheory, MemberData(nameof(Sources)), Trait("Category", "Storm")]
    public Task Full_storm_leaves_the_store_equal_to_a_fresh_scan(string source) =>
        StormAsync(WatchHarness.CreateSource(source), created: 100_000, modified: 50_000);

    [Theory, MemberData(nameof(Sources))]
    public Task Storm_leaves_the_store_equal_to_a_fresh_scan(string source) =>
        StormAsync(WatchHarness.CreateSource(source), created: 6_000, modified: 3_000);

    [Fact]
    public Task Inotify_queue_overflow_is_a_gap_closed_by_a_rescan() =>
        OverflowAsync("/proc/sys/fs/inotify/max_queued_events", () => new InotifySource());

    [Fact]
    public Task Fanotify_queue_overflow_is_a_gap_closed_by_a_rescan() =>
        OverflowAsync("/proc/sys/fs/fanotify/max_queued_events", () => new FanotifySource(new FanotifyOptions { UnlimitedQueue = false }));

    private async Task OverflowAsync(string queueLimit, Func<IChangeSource> createSource)
    {
        // The limit is read when the queue is created: lowered for this source's start only, then restored.
        var original = await File.ReadAllTextAsync(queueLimit);
        WatchHarness harness;
        await File.WriteAllTextAsync(queueLimit, "8");
        try
        {
            harness = await WatchHarness.StartAsync(createSource(), h => PrepareBaseline(h, 1_000));
        }
        finally
        {
            await File.WriteAllTextAsync(queueLimit, original);
        }
        await using var h = harness;
        Storm(h, created: 3_000, modified: 1_000);
        await h.SettleAsync();

        var (watched, fresh) = await h.CompareWithFreshScanAsync();
        watched.Should().Equal(fresh);
        var overflows = h.Store.Gaps().Where(g => g.Reason == nameof(GapReason.Overflow)).ToList();
        overflows.Should().NotBeEmpty("a queue of 8 events cannot hold a storm");
        overflows.Should().OnlyContain(g => g.ClosedByRun != null, "each overflow is closed by a rescan");
    }

    private async Task StormAsync(IChangeSource source, int created, int modified)
    {
        await using var h = await WatchHarness.StartAsync(source, harness => PrepareBaseline(harness, modified));
        var clock = Stopwatch.StartNew();
        Storm(h, created, modified);
        var written = clock.Elapsed;
        await h.SettleAsync();
        var settled = clock.Elapsed;
        output.WriteLine($"{source.Name}: {created} created and {modified} modified in {written.TotalSeconds:F1} s; stored {settled.TotalSeconds:F1} s after the storm began ({(created + modified) / settled.TotalSeconds:F0} changes/s)");

        var (watched, fresh) = await h.CompareWithFreshScanAsync();
        watched.Count.Should().BeGreaterThanOrEqualTo(created + modified);
        watched.Should().Equal(fresh);
    }

    private static void PrepareBaseline(WatchHarness h, int files)
    {
        for (int d = 0; d < Directories; d++)
            Directory.CreateDirectory(h.PathOf($"base/d{d:D3}"));
        for (int i = 0; i < files; i++)
            File.WriteAllText(h.PathOf($"base/d{i % Directories:D3}/f{i:D6}"), "baseline\n");
    }

    /// <summary>As fast as one process can: new directories filled with new files, then every baseline file appended to.</summary>
    private static void Storm(WatchHarness h, int created, int modified)
    {
        var content = new byte[64];
        for (int d = 0; d < Directories; d++)
            Directory.CreateDirectory(h.PathOf($"new/d{d:D3}"));
        for (int i = 0; i < created; i++)
            File.WriteAllBytes(h.PathOf($"new/d{i % Directories:D3}/n{i:D6}"), content);
        for (int i = 0; i < modified; i++)
            File.AppendAllText(h.PathOf($"base/d{i % Directories:D3}/f{i:D6}"), "changed\n");
    }
}

/// <summary>A theory that runs only when COMPLIANCE_STORM=1, so the default test run stays within a few minutes.</summary>
public sealed class StormTheoryAttribute : TheoryAttribute
{
    public StormTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("COMPLIANCE_STORM") != "1")
            Skip = "full-size storm: run with COMPLIANCE_STORM=1 (dotnet test --filter Category=Storm)";
    }
}
