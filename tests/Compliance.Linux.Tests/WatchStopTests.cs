using System.Runtime.CompilerServices;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Policies;

namespace Compliance.Linux.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
/// <summary>Stopping a watch (SIGINT, SIGTERM) stores every change made before the stop: none is left in a queue.</summary>
public sealed class WatchStopTests
{
    public static TheoryData<string> Sources => WatchScenarioTests.Sources;

    [Theory, MemberData(nameof(Sources))]
    public async Task A_cancelled_source_still_yields_what_the_kernel_queued_before(string name)
    {
        var root = Path.Combine(Path.GetTempPath(), $"compliance-stop-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            await using var source = WatchHarness.CreateSource(name);
            using var stop = new CancellationTokenSource();
            await using var signals = source.ReadAsync([root], stop.Token).GetAsyncEnumerator();
            (await signals.MoveNextAsync()).Should().BeTrue();
            signals.Current.Should().BeOfType<GapSignal>("the first start is reported once the marks or watches are set");

            var written = Enumerable.Range(0, 200).Select(i => Path.Combine(root, $"f{i:D3}")).ToList();
            foreach (var path in written)
                File.WriteAllText(path, "x");
            stop.Cancel();

            var hinted = new HashSet<string>(StringComparer.Ordinal);
            while (await signals.MoveNextAsync())
            {
                if (signals.Current is ChangeHint hint)
                    hinted.Add(hint.Path);
            }
            hinted.Should().Contain(written);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Signals_a_source_hands_over_when_stopped_are_stored_before_the_follower_returns(string name)
    {
        string? held = null;
        var h = await WatchHarness.StartAsync(new HoldingSource(WatchHarness.CreateSource(name), () => held), harness =>
        {
            held = harness.PathOf("held");
            Directory.CreateDirectory(held);
        });
        await using (h)
        {
            for (int i = 0; i < 20; i++)
                File.WriteAllText(h.PathOf($"held/f{i:D2}"), "x");
            await h.SettleAsync();
            h.FindingsFor(h.PathOf("held/f00")).Should().BeEmpty("the source holds these back until it is stopped");

            var (watched, fresh) = await h.CompareWithFreshScanAsync();
            watched.Should().Equal(fresh);
        }
    }

    /// <summary>
    /// Passes a real source's signals on, except those below one directory, which it hands over only once stopped:
    /// as a source does with what it read just before the stop.
    /// </summary>
    private sealed class HoldingSource(IChangeSource inner, Func<string?> heldDirectory) : IChangeSource
    {
        public string Name => inner.Name;

        public async IAsyncEnumerable<ChangeSignal> ReadAsync(IReadOnlyList<string> roots, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var held = new List<ChangeSignal>();
            await foreach (var signal in inner.ReadAsync(roots, cancellationToken).ConfigureAwait(false))
            {
                if (signal is ChangeHint hint && heldDirectory() is { } directory && PathPattern.IsSameOrBelow(hint.Path, directory))
                    held.Add(signal);
                else
                    yield return signal;
            }
            foreach (var signal in held)
                yield return signal;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
