using Compliance.Core.ChangeFeed;

namespace Compliance.Linux.Tests;

/// <summary>Reading a change source's signals in tests: started, then waited on one by one.</summary>
internal static class SourceSignals
{
    /// <summary>The source's signals for the roots, once its first-start gap says the marks or watches are set.</summary>
    public static async Task<IAsyncEnumerator<ChangeSignal>> Started(IChangeSource source, IReadOnlyList<string> roots)
    {
        var signals = source.ReadAsync(roots, CancellationToken.None).GetAsyncEnumerator();
        (await signals.MoveNextAsync()).Should().BeTrue();
        signals.Current.Should().BeOfType<GapSignal>().Which.Reason.Should().Be(GapReason.FirstStart);
        return signals;
    }

    /// <summary>Signals until one matches, or fails after ten seconds.</summary>
    public static async Task<T> Next<T>(IAsyncEnumerator<ChangeSignal> signals, Func<T, bool> wanted) where T : ChangeSignal
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            (await signals.MoveNextAsync().AsTask().WaitAsync(timeout.Token)).Should().BeTrue();
            if (signals.Current is T signal && wanted(signal))
                return signal;
        }
    }
}
