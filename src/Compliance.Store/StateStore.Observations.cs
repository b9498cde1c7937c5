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
        using var command = Command("INSERT INTO runs (kind, started_at, status, generation, tree) VALUES ($kind, $now, 'running', $gen, $tree) RETURNING id",
            null, ("$kind", kind), ("$now", Now()), ("$gen", CurrentGeneration()?.Id), ("$tree", tree));
        return (long)command.ExecuteScalar()!;
    }

    public void FinishRun(long runId, RunTotals totals, string status, string? detail = null) =>
        Execute("""
            UPDATE runs SET finished_at = $now, status = $status, entries = $entries, files_hashed = $files, bytes_hashed = $bytes,
                errors = $errors, findings = $findings, detail = $detail WHERE id = $id
            """, null, ("$now", Now()), ("$status", status), ("$entries", totals.Entries), ("$files", totals.FilesHashed),
            ("$bytes", totals.BytesHashed), ("$errors", totals.Errors), ("$findings", totals.Findings), ("$detail", detail), ("$id", runId));

    public IReadOnlyList<RunRecord> Runs(int limit = 100)
    {
        using var command = Command("SELECT id, kind, started_at, finished_at, status, tree, entries, files_hashed, bytes_hashed, errors, findings, detail FROM runs ORDER BY id DESC LIMIT $limit",
            null, ("$limit", limit));
        using var reader = command.ExecuteReader();
        var result = new List<RunRecord>();
        while (reader.Read())
        {
            result.Add(new RunRecord(reader.GetInt64(0), reader.GetString(1), Time(reader.GetString(2)),
                reader.IsDBNull(3) ? null : Time(reader.GetString(3)), reader.GetString(4), reader.GetString(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10),
                reader.IsDBNull(11) ? null : reader.GetString(11)));
        }
        return result;
    }

    // ---- observed state and findings ---------------------------------------------------------------------------

    /// <summary>
    /// Records one batch of observations in one transaction: the observed state of each path (removed from
    /// `observed` when it matches the baseline again), the findings, and, when given, the change-feed cursor that
    /// produced them, so a crash can never save a cursor past changes that were not stored.
    /// </summary>
    public void ApplyObservations(IReadOnlyList<Observation> batch, long? runId, FeedCursor? cursor = null)
    {
        using var transaction = BeginTransaction();
        using var upsert = Command($"""
            INSERT INTO observed ({Schema.EntryColumns}, present, observed_at, run_id) VALUES ({EntryCodec.Placeholders()}, 1, $at, $run)
            ON CONFLICT(walk_key) DO UPDATE SET {string.Join(", ", Schema.EntryColumns.Split(", ").Select(c => $"{c} = excluded.{c}"))},
                present = 1, observed_at = excluded.observed_at, run_id = excluded.run_id
            """, transaction, ("$at", Now()), ("$run", runId));
        var upsertParameters = EntryCodec.AddParameters(upsert);
        using var markAbsent = Command($"""
            INSERT INTO observed ({Schema.EntryColumns}, present, observed_at, run_id) VALUES ({EntryCodec.Placeholders()}, 0, $at, $run)
            ON CONFLICT(walk_key) DO UPDATE SET present = 0, observed_at = excluded.observed_at, run_id = excluded.run_id
            """, transaction, ("$at", Now()), ("$run", runId));
        var absentParameters = EntryCodec.AddParameters(markAbsent);
        using var clear = Command("DELETE FROM observed WHERE walk_key = $key", transaction);
        var clearKey = clear.Parameters.Add(new SqliteParameter("$key", null));
        using var insertFinding = Command("""
            INSERT INTO findings (run_id, generation, observed_at, path, kind, attributes, category, severity, source, detail, pid, exe, before_json, after_json)
            VALUES ($run, $gen, $at, $path, $kind, $attributes, $category, $severity, $source, $detail, $pid, $exe, $before, $after)
            """, transaction, ("$run", runId), ("$gen", CurrentGenerationId(transaction)));
        var f = new[] { "$at", "$path", "$kind", "$attributes", "$category", "$severity", "$source", "$detail", "$pid", "$exe", "$before", "$after" }
            .Select(n => insertFinding.Parameters.Add(new SqliteParameter(n, null))).ToArray();

        foreach (var observation in batch)
        {
            if (observation.Finding is null)
            {
                clearKey.Value = EntryPath.SortKey(observation.Path);
                clear.ExecuteNonQuery();
            }
            else if (observation.Observed is { } observed)
            {
                EntryCodec.Bind(upsertParameters, observed);
                upsert.ExecuteNonQuery();
            }
            else
            {
                EntryCodec.Bind(absentParameters, observation.Finding.Before!);
                markAbsent.ExecuteNonQuery();
            }

            if (observation.Finding is { } finding && observation.RecordFinding)
            {
                f[0].Value = finding.ObservedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
                f[1].Value = EntryPath.ToBytes(finding.Path);
                f[2].Value = finding.Kind.ToName();
                f[3].Value = string.Join(",", finding.Attributes);
                f[4].Value = finding.Category;
                f[5].Value = finding.Severity.ToString().ToLowerInvariant();
                f[6].Value = finding.Source;
                f[7].Value = (object?)finding.Detail ?? DBNull.Value;
                f[8].Value = (object?)finding.ProcessId ?? DBNull.Value;
                f[9].Value = (object?)finding.ProcessPath ?? DBNull.Value;
                f[10].Value = (object?)EntryCodec.ToJson(finding.Before) ?? DBNull.Value;
                f[11].Value = (object?)EntryCodec.ToJson(finding.After) ?? DBNull.Value;
                insertFinding.ExecuteNonQuery();
            }
        }
        if (cursor is not null)
            SaveCursor(cursor, transaction);
        transaction.Commit();
    }

    /// <summary>
    /// Drops observed rows at or below <paramref name="scope"/> that a completed full scan of that scope did not
    /// touch: the scan saw them match the baseline again (or leave scope).
    /// </summary>
    public void ForgetObservationsNotFromRun(string? scope, long runId)
    {
        var (low, high) = ScopeRange(scope);
        Execute("DELETE FROM observed WHERE walk_key >= $low AND walk_key < $high AND (run_id IS NULL OR run_id <> $run)", null,
            ("$low", low), ("$high", high), ("$run", runId));
    }

    /// <summary>The current drift: every observed row, as findings against the current baseline.</summary>
    public IEnumerable<ObservedRow> ObservedDrift()
    {
        using var command = Command($"SELECT {Schema.EntryColumns}, present FROM observed ORDER BY walk_key");
        using var reader = command.ExecuteReader();
        while (reader.Read())
            yield return new ObservedRow(EntryCodec.Read(reader), reader.GetInt64(EntryCodec.ColumnCount) == 1);
    }

    private long? CurrentGenerationId(SqliteTransaction transaction) =>
        Scalar<long?>("SELECT max(id) FROM generations", transaction);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>A path's latest observed state that differs from the baseline; not present means it was removed.</summary>
public sealed record ObservedRow(FileEntry Entry, bool Present);

public sealed record RunRecord(long Id, string Kind, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Status, string Tree,
    long Entries, long FilesHashed, long BytesHashed, long Errors, long Findings, string? Detail);
