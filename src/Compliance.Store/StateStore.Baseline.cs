using Compliance.Core.Model;
using Compliance.Core.Policies;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

public sealed partial class StateStore
{
    /// <summary>
    /// Starts writing a new baseline generation. Everything happens in one transaction: the previous baseline stays
    /// current for every other reader, and after a crash, until <see cref="BaselineWriter.Commit"/>. Rows go straight
    /// to their table (SQLite spills a large transaction to the write-ahead log, so memory stays bounded); writing
    /// them to a staging table and copying them at the end had cost a third of the store's time.
    /// </summary>
    public BaselineWriter BeginBaseline(Policy policy, string tree, string approvedBy, string reason) => new(this, policy, tree, approvedBy, reason);

    public sealed class BaselineWriter : IDisposable
    {
        private readonly StateStore _store;
        private readonly SqliteTransaction _transaction;
        private readonly SQLitePCL.sqlite3_stmt _insert;
        private readonly FingerprintBuffer _fingerprint = new();

        internal BaselineWriter(StateStore store, Policy policy, string tree, string approvedBy, string reason)
        {
            _store = store;
            _transaction = store.BeginTransaction();
            try
            {
                Generation = store.InsertGeneration(_transaction, "baseline", policy, tree, approvedBy, reason, entryCount: 0);
                store.Execute("UPDATE baseline SET retired_gen = $gen WHERE retired_gen IS NULL", _transaction, ("$gen", Generation));
                // A raw statement bound by position: every entry of the tree passes here, and ADO.NET would look each
                // parameter up by name on every row.
                _insert = store.Prepare(
                    $"INSERT INTO baseline ({Schema.EntryColumns}, fingerprint, first_gen) VALUES ({EntryCodec.Placeholders()}, $fingerprint, {Generation})");
            }
            catch
            {
                _transaction.Dispose();
                throw;
            }
        }

        /// <summary>The generation being written.</summary>
        public long Generation { get; }

        public long Count { get; private set; }

        public void Add(FileEntry entry)
        {
            EntryCodec.Bind(_insert, entry);
            EntryCodec.BindFingerprint(_insert, entry, _fingerprint);
            _store.StepToEnd(_insert);
            Count++;
        }

        /// <summary>Makes the entries written the current baseline and clears observed drift; returns the generation.</summary>
        public long Commit()
        {
            _store.Execute("UPDATE generations SET entry_count = $count WHERE id = $gen; DELETE FROM observed;", _transaction,
                ("$count", Count), ("$gen", Generation));
            _transaction.Commit();
            return Generation;
        }

        /// <summary>Without <see cref="Commit"/>, everything written is rolled back.</summary>
        public void Dispose()
        {
            _insert.Dispose();
            _transaction.Dispose();
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
