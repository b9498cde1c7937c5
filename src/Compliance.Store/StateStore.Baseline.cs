using Compliance.Core.Model;
using Compliance.Core.Policies;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

public sealed partial class StateStore
{
    /// <summary>
    /// Starts writing a new baseline. Entries go to a staging table in batches; nothing is visible, and the previous
    /// baseline stays current, until <see cref="BaselineWriter.Commit"/> swaps them in one transaction.
    /// </summary>
    public BaselineWriter BeginBaseline() => new(this);

    public sealed class BaselineWriter : IDisposable
    {
        private const int BatchSize = 5000;

        private readonly StateStore _store;
        private SqliteTransaction? _transaction;
        private SQLitePCL.sqlite3_stmt? _insert;
        private int _inBatch;

        internal BaselineWriter(StateStore store)
        {
            _store = store;
            // Whatever a killed earlier run left in staging is discarded.
            _store.Execute("DELETE FROM baseline_staging");
        }

        public long Count { get; private set; }

        public void Add(FileEntry entry)
        {
            _transaction ??= _store.BeginTransaction();
            // A raw statement bound by position: every entry of the tree passes here, and ADO.NET would look each
            // of the 24 parameters up by name on every row.
            _insert ??= _store.Prepare($"INSERT INTO baseline_staging ({Schema.EntryColumns}) VALUES ({EntryCodec.Placeholders()})");
            EntryCodec.Bind(_insert, entry);
            _store.StepToEnd(_insert);
            Count++;
            if (++_inBatch >= BatchSize)
                FlushBatch();
        }

        private void FlushBatch()
        {
            _transaction?.Commit();
            _transaction?.Dispose();
            _transaction = null;
            _inBatch = 0;
        }

        /// <summary>Makes the staged entries the current baseline, as a new generation, and clears observed drift.</summary>
        public long Commit(Policy policy, string tree, string approvedBy, string reason)
        {
            FlushBatch();
            using var transaction = _store.BeginTransaction();
            long generation = _store.InsertGeneration(transaction, "baseline", policy, tree, approvedBy, reason, Count);
            _store.Execute("UPDATE baseline SET retired_gen = $gen WHERE retired_gen IS NULL", transaction, ("$gen", generation));
            _store.Execute($"INSERT INTO baseline ({Schema.EntryColumns}, first_gen) SELECT {Schema.EntryColumns}, $gen FROM baseline_staging ORDER BY walk_key",
                transaction, ("$gen", generation));
            _store.Execute("DELETE FROM baseline_staging; DELETE FROM observed;", transaction);
            transaction.Commit();
            return generation;
        }

        public void Dispose()
        {
            _insert?.Dispose();
            _transaction?.Dispose();
        }
    }

    internal long InsertGeneration(SqliteTransaction transaction, string kind, Policy policy, string tree, string approvedBy, string reason, long entryCount)
    {
        using var command = Command("""
            INSERT INTO generations (created_at, approved_by, reason, kind, policy_name, policy_digest, policy_text, tree, host, entry_count)
            VALUES ($now, $by, $reason, $kind, $name, $digest, $text, $tree, $host, $count) RETURNING id
            """, transaction,
            ("$now", Now()), ("$by", approvedBy), ("$reason", reason), ("$kind", kind), ("$name", policy.Name), ("$digest", policy.Digest),
            ("$text", policy.SourceText), ("$tree", tree), ("$host", Environment.MachineName), ("$count", entryCount));
        return (long)command.ExecuteScalar()!;
    }
}
