using Compliance.Core;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Store;

public sealed partial class StateStore
{
    /// <summary>
    /// Promotes observed drift into a new baseline generation: all of it, or what lies at or below the given paths.
    /// Entries that could not be verified are never approved. Older generations stay queryable.
    /// </summary>
    public AcceptResult Accept(IReadOnlyList<string>? paths, string approvedBy, string reason)
    {
        var current = RequireCurrentGeneration();
        var policy = PolicyOf(current);

        var rows = ObservedDrift().Where(row => paths is null || paths.Any(p => PathPattern.IsSameOrBelow(row.Entry.Path, p))).ToList();
        var approvable = rows.Where(row => !row.Present || row.Entry.Error is null).ToList();
        int skipped = rows.Count - approvable.Count;
        if (approvable.Count == 0)
            return new AcceptResult(null, 0, skipped);

        using var transaction = BeginTransaction();
        long generation = InsertGeneration(transaction, "accept", policy, current.Tree, approvedBy, reason, 0);
        using var retire = Command("UPDATE baseline SET retired_gen = $gen WHERE retired_gen IS NULL AND walk_key = $key", transaction, ("$gen", generation));
        var retireKey = retire.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$key", null));
        using var insert = Command($"INSERT INTO baseline ({Schema.EntryColumns}, fingerprint, first_gen) VALUES ({EntryCodec.Placeholders()}, $fingerprint, $gen)",
            transaction, ("$gen", generation));
        var insertParameters = EntryCodec.AddParameters(insert);
        var fingerprint = insert.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$fingerprint", null));
        var fingerprintScratch = new FingerprintBuffer();
        using var forget = Command("DELETE FROM observed WHERE walk_key = $key", transaction);
        var forgetKey = forget.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$key", null));

        foreach (var row in approvable)
        {
            var key = EntryPath.SortKey(row.Entry.Path);
            retireKey.Value = key;
            retire.ExecuteNonQuery();
            if (row.Present)
            {
                EntryCodec.Bind(insertParameters, row.Entry);
                fingerprint.Value = (object?)EntryFingerprint.Of(row.Entry, fingerprintScratch) ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            forgetKey.Value = key;
            forget.ExecuteNonQuery();
        }
        Execute("UPDATE generations SET entry_count = (SELECT count(*) FROM baseline WHERE retired_gen IS NULL) WHERE id = $gen", transaction, ("$gen", generation));
        transaction.Commit();
        return new AcceptResult(generation, approvable.Count, skipped);
    }
}

/// <summary>The new generation (null when nothing was approved), how many paths it changed, and how many unverified ones were left out.</summary>
public sealed record AcceptResult(long? Generation, int Approved, int SkippedUnverified);
