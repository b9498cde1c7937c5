using System.Globalization;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Output;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

public sealed partial class StateStore : IReconcileStore
{
    // ---- runs --------------------------------------------------------------------------------------------------

    public long StartRun(string kind, string tree)
    {
        using var command = Command("INSERT INTO runs (kind, started_at, status, generation, tree, host) VALUES ($kind, $now, 'running', $gen, $tree, $host) RETURNING id",
            null, ("$kind", kind), ("$now", Now()), ("$gen", CurrentGeneration()?.Id), ("$tree", tree), ("$host", Environment.MachineName));
        return (long)command.ExecuteScalar()!;
    }

    public void FinishRun(long runId, RunTotals totals, string status, string? detail = null) =>
        Execute("""
            UPDATE runs SET finished_at = $now, status = $status, entries = $entries, files_hashed = $files, bytes_hashed = $bytes,
                errors = $errors, findings = $findings, detail = $detail WHERE id = $id
            """, null, ("$now", Now()), ("$status", status), ("$entries", totals.Entries), ("$files", totals.FilesHashed),
            ("$bytes", totals.BytesHashed), ("$errors", totals.Errors), ("$findings", totals.Findings), ("$detail", detail), ("$id", runId));

    /// <summary>
    /// The runs that scanned the subject the database followed then: the tree of the generation current when each
    /// started. The others (a gate of a CI artifact, a check of a copy) scanned another tree.
    /// </summary>
    private const string SubjectRunIds = "SELECT r.id FROM runs r JOIN generations g ON g.id = r.generation AND g.tree = r.tree";

    public IReadOnlyList<RunRecord> Runs(int limit = 100)
    {
        using var command = Command($"""
            SELECT id, kind, started_at, finished_at, status, tree, entries, files_hashed, bytes_hashed, errors, findings, detail,
                id IN ({SubjectRunIds}), host
            FROM runs ORDER BY id DESC LIMIT $limit
            """, null, ("$limit", limit));
        using var reader = command.ExecuteReader();
        var result = new List<RunRecord>();
        while (reader.Read())
        {
            result.Add(new RunRecord(reader.GetInt64(0), reader.GetString(1), Time(reader.GetString(2)),
                reader.IsDBNull(3) ? null : Time(reader.GetString(3)), reader.GetString(4), reader.GetString(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetInt64(12) == 1, reader.IsDBNull(13) ? null : reader.GetString(13)));
        }
        return result;
    }

    // ---- observed state and findings ---------------------------------------------------------------------------

    /// <summary>
    /// Records one batch of observations in one transaction: the observed state of each path (removed from
    /// `observed` when it matches the baseline again), the findings, and, when given, the change-feed cursor that
    /// produced them, so a crash can never save a cursor past changes that were not stored. Refused, with nothing
    /// stored, when <paramref name="generation"/>, the baseline they were compared with, is no longer current.
    /// Without <paramref name="keepsDrift"/> (a scan of another tree than the one the database follows) only the
    /// findings are recorded, as history, and the stored drift stays as it was. Returns the paths whose stored drift
    /// this cleared.
    /// </summary>
    public IReadOnlyList<string> ApplyObservations(IReadOnlyList<Observation> batch, long? runId, long? generation, FeedCursor? cursor = null,
        bool keepsDrift = true)
    {
        using var transaction = BeginTransaction();
        var current = RequireGeneration(generation, transaction);
        // Raw statements bound by position: a watch storm passes every change here, and ADO.NET would look each
        // parameter up by name on every row. The entry's columns come first; what is the same for the whole batch
        // follows them and is bound once.
        string batchWideParameters = $"?{EntryCodec.ColumnCount + 1}, ?{EntryCodec.ColumnCount + 2}";
        var everyColumn = string.Join(", ", Schema.EntryColumns.Split(", ").Select(c => $"{c} = excluded.{c}"));
        using var upsert = Prepare($"""
            INSERT INTO observed ({Schema.EntryColumns}, present, observed_at, run_id) VALUES ({EntryCodec.Placeholders()}, 1, {batchWideParameters})
            ON CONFLICT(walk_key) DO UPDATE SET {everyColumn},
                present = 1, observed_at = excluded.observed_at, run_id = excluded.run_id
            """);
        // An absent path keeps the approved entry's columns, as a scan that finds it gone stores them, not whatever
        // was observed there before it went: the store then says the same whichever way the removal was found.
        using var markAbsent = Prepare($"""
            INSERT INTO observed ({Schema.EntryColumns}, present, observed_at, run_id) VALUES ({EntryCodec.Placeholders()}, 0, {batchWideParameters})
            ON CONFLICT(walk_key) DO UPDATE SET {everyColumn},
                present = 0, observed_at = excluded.observed_at, run_id = excluded.run_id
            """);
        using var clear = Prepare("DELETE FROM observed WHERE walk_key = ?1");
        using var insertFinding = Prepare("""
            INSERT INTO findings (observed_at, path, kind, attributes, category, severity, source, detail, pid, exe, before_json, after_json, run_id, generation)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """);
        var now = Now();
        foreach (var statement in new[] { upsert, markAbsent })
        {
            var batchWide = new EntryCodec.StatementParameters(statement);
            batchWide.Text(EntryCodec.ColumnCount, now);
            batchWide.Int64(EntryCodec.ColumnCount + 1, runId);
        }
        var f = new EntryCodec.StatementParameters(insertFinding);
        f.Int64(12, runId);
        f.Int64(13, current);

        var cleared = new List<string>();
        foreach (var observation in batch)
        {
            if (keepsDrift)
            {
                if (observation.Finding is null)
                {
                    new EntryCodec.StatementParameters(clear).Blob(0, EntryPath.SortKey(observation.Path));
                    StepToEnd(clear);
                    if (SQLitePCL.raw.sqlite3_changes(_connection.Handle) > 0)
                        cleared.Add(observation.Path);
                }
                else if (observation.Observed is { } observed)
                {
                    EntryCodec.Bind(upsert, observed);
                    StepToEnd(upsert);
                }
                else
                {
                    EntryCodec.Bind(markAbsent, observation.Finding.Before!);
                    StepToEnd(markAbsent);
                }
            }

            if (observation.Finding is { } finding && observation.RecordFinding)
            {
                f.Time(0, finding.ObservedAt);
                f.Blob(1, EntryPath.ToBytes(finding.Path));
                f.Text(2, finding.Kind.ToName());
                f.Text(3, string.Join(",", finding.Attributes));
                f.Text(4, finding.Category);
                f.Text(5, finding.Severity.ToName());
                f.Text(6, finding.Source);
                f.Text(7, finding.Detail);
                f.Int64(8, finding.ProcessId);
                f.Text(9, finding.ProcessPath);
                f.Json(10, finding.Before);
                f.Json(11, finding.After);
                StepToEnd(insertFinding);
            }
        }
        if (cursor is not null)
            SaveCursor(cursor, transaction);
        transaction.Commit();
        return cleared;
    }

    /// <summary>
    /// Drops observed rows at or below <paramref name="scope"/> that a completed full scan of that scope did not
    /// touch: the scan saw them match the baseline again (or leave scope). Rows stored since the scan started are
    /// kept: another process (a watch beside a check) stored them after the scan may have looked at their paths, so
    /// they are newer than what the scan saw. So are rows of paths the scan's policy does not select
    /// (<paramref name="selected"/>: a watch under a narrower --policy did not look at them). Refused, with nothing
    /// forgotten, when <paramref name="generation"/>, the baseline the scan compared with, is no longer current.
    /// Returns the paths forgotten.
    /// </summary>
    public IReadOnlyList<string> ForgetObservationsNotFromRun(string? scope, long runId, long? generation, Func<string, bool> selected)
    {
        using var transaction = BeginTransaction();
        RequireGeneration(generation, transaction);
        var (low, high) = ScopeRange(scope);
        var candidates = new List<(byte[] Key, string Path)>();
        using (var select = Command("""
                   SELECT walk_key, path FROM observed WHERE walk_key >= $low AND walk_key < $high AND (run_id IS NULL OR run_id <> $run)
                       AND observed_at < (SELECT started_at FROM runs WHERE id = $run)
                   """, transaction, ("$low", low), ("$high", high), ("$run", runId)))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
                candidates.Add(((byte[])reader.GetValue(0), EntryPath.FromBytes((byte[])reader.GetValue(1))));
        }
        var forgotten = new List<string>();
        using var delete = Command("DELETE FROM observed WHERE walk_key = $key", transaction);
        var key = delete.Parameters.Add(new SqliteParameter("$key", null));
        foreach (var (walkKey, path) in candidates.Where(candidate => selected(candidate.Path)))
        {
            key.Value = walkKey;
            delete.ExecuteNonQuery();
            forgotten.Add(path);
        }
        transaction.Commit();
        return forgotten;
    }

    /// <summary>The current drift: every observed row, as findings against the current baseline.</summary>
    public IEnumerable<ObservedRow> ObservedDrift()
    {
        using var command = Command($"SELECT {Schema.EntryColumns}, present, observed_at FROM observed ORDER BY walk_key");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new ObservedRow(EntryCodec.Read(reader), reader.GetInt64(EntryCodec.ColumnCount) == 1)
            {
                StoredAt = reader.GetString(EntryCodec.ColumnCount + 1),
            };
        }
    }

    public long? CurrentGenerationId() => CurrentGenerationId(null);

    /// <summary>
    /// The current generation, which must be <paramref name="expected"/>. Checked inside the write transaction, so no
    /// baseline or accept can commit between the check and the writes.
    /// </summary>
    private long? RequireGeneration(long? expected, SqliteTransaction transaction)
    {
        var current = CurrentGenerationId(transaction);
        return current == expected ? current : throw new BaselineChangedException(expected, current);
    }

    private long? CurrentGenerationId(SqliteTransaction? transaction) =>
        Scalar<long?>("SELECT max(id) FROM generations", transaction);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>A path's latest observed state that differs from the baseline; not present means it was removed.</summary>
public sealed record ObservedRow(FileEntry Entry, bool Present)
{
    /// <summary>When the row was stored: accept forgets a row only while it still holds the state approved.</summary>
    internal string StoredAt { get; init; } = "";
}

/// <summary>
/// A run as recorded; <see cref="OfSubject"/>: it scanned the tree the database follows, not another one;
/// <see cref="Host"/>: the machine it ran on (null for runs recorded before schema 6).
/// </summary>
public sealed record RunRecord(long Id, string Kind, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Status, string Tree,
    long Entries, long FilesHashed, long BytesHashed, long Errors, long Findings, string? Detail, bool OfSubject, string? Host);
