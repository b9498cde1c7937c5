using Compliance.Core.ChangeFeed;
using Compliance.Core.Model;
using Compliance.Core.Reconcile;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

public sealed partial class StateStore
{
    public FeedCursor? LoadCursor(string source, string volume)
    {
        using var command = Command("SELECT journal_id, position, state FROM feed_cursors WHERE source = $source AND volume = $volume", null,
            ("$source", source), ("$volume", volume));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
            return null;
        return new FeedCursor(source, volume, reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    public void SaveCursor(FeedCursor cursor) => SaveCursor(cursor, null);

    private void SaveCursor(FeedCursor cursor, SqliteTransaction? transaction) =>
        Execute("""
            INSERT INTO feed_cursors (source, volume, journal_id, position, state, updated_at) VALUES ($source, $volume, $journal, $position, $state, $now)
            ON CONFLICT(source, volume) DO UPDATE SET journal_id = excluded.journal_id, position = excluded.position,
                state = excluded.state, updated_at = excluded.updated_at
            """, transaction, ("$source", cursor.Source), ("$volume", cursor.Volume), ("$journal", cursor.JournalId),
            ("$position", cursor.Position), ("$state", cursor.State), ("$now", Now()));

    public long RecordGap(GapSignal gap)
    {
        using var command = Command("""
            INSERT INTO feed_gaps (source, scope, reason, detail, detected_at) VALUES ($source, $scope, $reason, $detail, $at) RETURNING id
            """, null, ("$source", gap.Source), ("$scope", EntryPath.ToBytes(gap.Scope)), ("$reason", gap.Reason.ToString()),
            ("$detail", gap.Detail), ("$at", StoreTime(gap.Time)));
        return (long)command.ExecuteScalar()!;
    }

    public void CloseGap(long gapId, long runId) =>
        Execute("UPDATE feed_gaps SET closed_at = $now, closed_by_run = $run WHERE id = $id", null, ("$now", Now()), ("$run", runId), ("$id", gapId));

    public IReadOnlyList<GapRecord> Gaps(DateTimeOffset? since = null)
    {
        using var command = Command("SELECT id, source, scope, reason, detail, detected_at, closed_at, closed_by_run FROM feed_gaps WHERE detected_at >= $since ORDER BY id",
            null, ("$since", StoreTime(since ?? DateTimeOffset.MinValue)));
        using var reader = command.ExecuteReader();
        var result = new List<GapRecord>();
        while (reader.Read())
        {
            result.Add(new GapRecord(reader.GetInt64(0), reader.GetString(1), EntryPath.FromBytes((byte[])reader.GetValue(2)),
                reader.GetString(3), reader.GetString(4), DateTimeOffset.Parse(reader.GetString(5)),
                reader.IsDBNull(6) ? null : DateTimeOffset.Parse(reader.GetString(6)), reader.IsDBNull(7) ? null : reader.GetInt64(7)));
        }
        return result;
    }
}

public sealed record GapRecord(long Id, string Source, string Scope, string Reason, string Detail, DateTimeOffset DetectedAt,
    DateTimeOffset? ClosedAt, long? ClosedByRun);
