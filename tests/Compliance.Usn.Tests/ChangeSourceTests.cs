using Compliance.Core.ChangeFeed;
using Compliance.Usn.Journal;
using Compliance.Usn.Simulation;

namespace Compliance.Usn.Tests;

public sealed class ChangeSourceTests
{
    [Fact]
    public async Task Source_starts_with_a_rescan_then_yields_hints_for_its_roots()
    {
        var volume = new SimulatedUsnVolume();
        volume.CreateDirectory(@"C:\data");
        await using var source = new UsnChangeSource(volume, TimeSpan.FromMilliseconds(1));
        using var stop = new CancellationTokenSource();
        var seen = new List<ChangeSignal>();

        try
        {
            await foreach (var signal in source.ReadAsync([@"C:\data", @"D:\elsewhere"], stop.Token))
            {
                seen.Add(signal);
                if (signal is GapSignal)
                {
                    volume.CreateFile(@"C:\outside.txt");
                    volume.CreateFile(@"C:\data\inside.txt");
                }
                if (signal is ChangeHint)
                    stop.Cancel();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancellation may end the enumeration or surface from its idle wait; both are a normal stop.
        }

        seen.Should().HaveCount(2);
        seen[0].Should().BeOfType<GapSignal>().Which.Should().Match<GapSignal>(g => g.Reason == GapReason.FirstStart && g.Scope == @"C:\data");
        seen[1].Should().BeOfType<ChangeHint>().Which.Path.Should().Be(@"C:\data\inside.txt");
    }
}
