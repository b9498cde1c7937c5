using System.Runtime.CompilerServices;
using Compliance.Core.ChangeFeed;

namespace Compliance.Usn.Journal;

/// <summary>
/// The USN journal as an <see cref="IChangeSource"/> for the change-feed follower: the same journal follower,
/// with its cursor kept in memory. The change feed has no way yet to store a cursor with the hints it applies,
/// so each run starts with a first-start gap (a rescan) rather than trusting a cursor saved ahead of its changes;
/// <see cref="ReconcilerCursorStore"/> is the path that persists the cursor.
/// </summary>
public sealed class UsnChangeSource(IUsnVolume volume, TimeSpan idleDelay) : IChangeSource
{
    public string Name => UsnJournalFollower.SourceName;

    public async IAsyncEnumerable<ChangeSignal> ReadAsync(IReadOnlyList<string> roots, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var onVolume = roots.Where(r => UsnJournalFollower.IsUnder(r, volume.RootPath)).ToList();
        var follower = new UsnJournalFollower(volume, new MemoryCursor(), onVolume);
        while (!cancellationToken.IsCancellationRequested)
        {
            // A live read waits for the first new record, so it runs off the caller's thread; cancelling ends the wait.
            var signals = await Task.Run(() => follower.Poll(cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var signal in signals)
                yield return signal;
            if (follower.CaughtUp)
                await Task.Delay(idleDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class MemoryCursor : IUsnCursorStore
    {
        private UsnCursor? _cursor;

        public UsnCursor? Load(string volume) => _cursor;

        public void Commit(string volume, IReadOnlyList<ChangeSignal> signals, UsnCursor cursor) => _cursor = cursor;
    }
}
