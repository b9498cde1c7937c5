using Compliance.Core;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;

namespace Compliance.Store;

public sealed partial class StateStore
{
    /// <summary>For tests: called once the drift to approve is read, before the write transaction is begun.</summary>
    internal Action? DriftRead { get; set; }

    /// <summary>
    /// Promotes observed drift into a new baseline generation: all of it, or what lies at or below the given paths.
    /// Entries that could not be verified are never approved. Older generations stay queryable.
    /// </summary>
    public AcceptResult Accept(IReadOnlyList<string>? paths, string approvedBy, string reason)
    {
        var current = RequireCurrentGeneration();
        var policy = PolicyOf(current);

        // Drift a watch stored under a broader --policy than the recorded one is not this baseline's to approve: a
        // generation holds only what its policy selects, or its own check would find the rest removed.
        var drift = ObservedDrift().Where(row => policy.Classify(row.Entry.Path) is not null).ToList();
        var rows = drift.Where(row => paths is null || paths.Any(p => PathPattern.IsSameOrBelow(row.Entry.Path, p))).ToList();
        // A path with nothing to approve is a typo or a path check never saw: said at once, with nothing approved.
        if (paths?.Where(p => !rows.Any(row => PathPattern.IsSameOrBelow(row.Entry.Path, p))).ToList() is { Count: > 0 } unmatched)
            throw new ComplianceException(
                $"no observed change at or below {string.Join(", ", unmatched.Select(EntryPath.ToDisplay))}; nothing was approved. `compliance check` lists the changes there are.",
                FailureKind.Usage);
        var otherHalves = paths is null ? [] : OtherHalvesOfMoves(rows, drift);
        rows.AddRange(otherHalves);
        var approvable = rows.Where(row => !row.Present || row.Entry.Error is null).ToList();
        DriftRead?.Invoke();
        int skipped = rows.Count - approvable.Count;
        if (approvable.Count == 0)
            return new AcceptResult(null, 0, skipped, 0, []);

        using var transaction = BeginTransaction();
        // The drift was read outside the transaction; a baseline or accept committed since then has replaced it.
        RequireGeneration(current.Id, transaction);
        long generation = InsertGeneration(transaction, "accept", policy, current.Tree, approvedBy, reason, 0);
        using var retire = Command("UPDATE baseline SET retired_gen = $gen WHERE retired_gen IS NULL AND walk_key = $key", transaction, ("$gen", generation));
        var retireKey = retire.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$key", null));
        using var insert = Command($"INSERT INTO baseline ({Schema.EntryColumns}, fingerprint, first_gen) VALUES ({EntryCodec.Placeholders()}, $fingerprint, $gen)",
            transaction, ("$gen", generation));
        var insertParameters = EntryCodec.AddParameters(insert);
        var fingerprint = insert.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$fingerprint", null));
        var fingerprintScratch = new FingerprintBuffer();
        // Only a row that still holds the state read is approved (and forgotten): a watch may have stored a newer
        // state, or cleared the row, since the drift was read, and approving what was read would then approve a state
        // that is no longer on disk, or leave the newer one unreported.
        using var forget = Command("DELETE FROM observed WHERE walk_key = $key AND observed_at = $stored", transaction);
        var forgetKey = forget.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$key", null));
        var forgetStored = forget.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("$stored", null));
        int changed = 0;

        foreach (var row in approvable)
        {
            var key = EntryPath.SortKey(row.Entry.Path);
            forgetKey.Value = key;
            forgetStored.Value = row.StoredAt;
            if (forget.ExecuteNonQuery() == 0)
            {
                changed++;
                continue;
            }
            retireKey.Value = key;
            retire.ExecuteNonQuery();
            if (row.Present)
            {
                EntryCodec.Bind(insertParameters, row.Entry);
                fingerprint.Value = (object?)EntryFingerprint.Of(row.Entry, fingerprintScratch) ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }
        if (changed == approvable.Count)
            return new AcceptResult(null, 0, skipped, changed, []);   // the transaction is rolled back: no empty generation
        Execute("UPDATE generations SET entry_count = (SELECT count(*) FROM baseline WHERE retired_gen IS NULL) WHERE id = $gen", transaction, ("$gen", generation));
        transaction.Commit();
        return new AcceptResult(generation, approvable.Count - changed, skipped, changed, otherHalves.Select(row => row.Entry.Path).ToArray());
    }

    /// <summary>
    /// A move is one change with two paths: approving either approves both, or the baseline would keep the old
    /// path (reported removed ever after) or miss the new one.
    /// </summary>
    private List<ObservedRow> OtherHalvesOfMoves(List<ObservedRow> selected, List<ObservedRow> drift)
    {
        var chosen = selected.Select(row => row.Entry.Path).ToHashSet(StringComparer.Ordinal);
        var others = drift.Where(row => !chosen.Contains(row.Entry.Path)).ToList();
        if (others.Count == 0)
            return [];
        // An absent row's object is the approved entry at its path; a present one is new where it has none.
        var gone = Approved(selected.Concat(others).Where(row => !row.Present));
        var added = selected.Concat(others).Where(row => row.Present).ToList();
        var newPaths = Approved(added).Where(pair => pair.Value is null).Select(pair => pair.Key).ToHashSet(StringComparer.Ordinal);

        // Looked up by the key move pairing uses, so that approving a large subtree stays linear.
        var selectedGone = selected.Where(s => !s.Present && gone[s.Entry.Path] is not null)
            .ToLookup(s => MovePairing.Identity(gone[s.Entry.Path]!), s => gone[s.Entry.Path]!);
        var selectedAdded = selected.Where(s => s.Present && newPaths.Contains(s.Entry.Path))
            .ToLookup(s => MovePairing.Identity(s.Entry), s => s.Entry);

        var halves = new List<ObservedRow>();
        foreach (var row in others)
        {
            bool pairs = row.Present
                ? newPaths.Contains(row.Entry.Path) && selectedGone[MovePairing.Identity(row.Entry)].Any(before => MovePairing.AreOneMove(before, row.Entry))
                : gone[row.Entry.Path] is { } approved && selectedAdded[MovePairing.Identity(approved)].Any(after => MovePairing.AreOneMove(approved, after));
            if (pairs)
                halves.Add(row);
        }
        return halves;
    }

    private Dictionary<string, FileEntry?> Approved(IEnumerable<ObservedRow> rows)
    {
        var paths = rows.Select(row => row.Entry.Path).Distinct(StringComparer.Ordinal).ToArray();
        var entries = FindBaselines(paths);
        return paths.Select((path, i) => (path, entries[i])).ToDictionary(pair => pair.path, pair => pair.Item2, StringComparer.Ordinal);
    }
}

/// <summary>
/// The new generation (null when nothing was approved), how many paths it changed, how many unverified ones were
/// left out, how many changed again between being read and being approved (a watch stored a newer state) and so
/// were left out too, and the paths approved though not named, as the other path of a move that was.
/// </summary>
public sealed record AcceptResult(long? Generation, int Approved, int SkippedUnverified, int SkippedChanged, IReadOnlyList<string> OtherPathsOfMoves);
