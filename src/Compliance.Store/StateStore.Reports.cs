using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Compliance.Core;
using Compliance.Core.Model;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

/// <summary>What reports and attestations read: findings over a period, how each was resolved, and the baseline digest.</summary>
public sealed partial class StateStore
{
    /// <summary>
    /// Findings recorded against baseline generation <paramref name="generation"/>, or observed at or after
    /// <paramref name="since"/>, or (neither given) every finding; oldest first. Only findings about the subject the
    /// database follows: those of a scan of another tree (a gate of a CI artifact) are that tree's, not its.
    /// </summary>
    public IEnumerable<StoredFinding> FindingsForReport(DateTimeOffset? since, long? generation)
    {
        var (where, parameter) = generation is { } g ? ("generation = $value", (object)g)
            : since is { } s ? ("observed_at >= $value", StoreTime(s))
            : ("1 = 1", 0L);
        using var command = Command($"""
            SELECT id, run_id, generation, observed_at, path, kind, attributes, category, severity, source, detail, pid, exe, before_json, after_json
            FROM findings WHERE {where} AND (run_id IS NULL OR run_id IN ({SubjectRunIds})) ORDER BY id
            """, null, ("$value", parameter));
        using var reader = command.ExecuteReader();
        // A report may hold 100,000 findings: their few distinct kinds, categories, severities, sources and
        // attribute names are shared, not copied per finding.
        while (reader.Read())
        {
            yield return new StoredFinding(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                EntryPath.FromBytes((byte[])reader.GetValue(4)),
                string.Intern(reader.GetString(5)),
                reader.GetString(6).Length == 0 ? [] : reader.GetString(6).Split(',').Select(string.Intern).ToArray(),
                string.Intern(reader.GetString(7)),
                string.Intern(reader.GetString(8)),
                string.Intern(reader.GetString(9)),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetInt32(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                reader.IsDBNull(14) ? null : reader.GetString(14));
        }
    }

    /// <summary>
    /// For each path that an accept generation changed (a baseline row it added or retired), what each of those
    /// generations approved there, in ascending order: the entry it added, or null where it approved a removal. A
    /// report asks them whether the state a finding saw was approved, not merely whether the path was touched.
    /// </summary>
    public IReadOnlyDictionary<string, AcceptedState[]> AcceptedStates()
    {
        // A path's row that an accept added carries its entry; one it only retired leaves the path without one.
        using var command = Command($"""
            SELECT b.path, g.id, b.first_gen = g.id, {Prefixed("b.", Schema.EntryColumns)}
            FROM generations g JOIN baseline b ON b.first_gen = g.id OR b.retired_gen = g.id
            WHERE g.kind = 'accept' ORDER BY g.id
            """);
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, List<AcceptedState>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var path = EntryPath.FromBytes((byte[])reader.GetValue(0));
            if (!result.TryGetValue(path, out var states))
                result[path] = states = [];
            long generation = reader.GetInt64(1);
            var entry = reader.GetInt64(2) == 1 ? EntryCodec.Read(reader, 3) : null;
            if (states.Count > 0 && states[^1].Generation == generation)
                states[^1] = states[^1] with { Entry = states[^1].Entry ?? entry };   // retired one row, added another
            else
                states.Add(new AcceptedState(generation, entry));
        }
        return result.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
    }

    private static string Prefixed(string prefix, string columns) => string.Join(", ", columns.Split(", ").Select(c => prefix + c));

    /// <summary>Paths that differ from the current baseline now (open drift).</summary>
    public HashSet<string> OpenDriftPaths()
    {
        using var command = Command("SELECT path FROM observed");
        using var reader = command.ExecuteReader();
        var result = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
            result.Add(EntryPath.FromBytes((byte[])reader.GetValue(0)));
        return result;
    }

    /// <summary>Paths present now that could not be read or hashed at their latest observation.</summary>
    public long UnverifiedCount() => Scalar<long>("SELECT count(*) FROM observed WHERE present = 1 AND error IS NOT NULL");

    /// <summary>How many baseline entries generation <paramref name="generation"/> holds.</summary>
    public long BaselineCountAt(long generation) =>
        Scalar<long>("SELECT count(*) FROM baseline WHERE first_gen <= $gen AND (retired_gen IS NULL OR retired_gen > $gen)", null, ("$gen", generation));

    /// <summary>
    /// SHA-256 over generation <paramref name="generation"/>'s record (approver, reason, kind, policy, tree, host,
    /// time) and every column of every baseline entry it holds, in walk order. Each value is framed with its type
    /// and length, so any edit to the record or to any entry, including moving bytes between columns, changes it.
    /// retired_gen is left out: a later generation sets it without changing what this one approved. Columns added
    /// to the schema later are framed with their name and only when not NULL (see <see cref="Schema.AddedEntryColumns"/>).
    /// Throws <see cref="BaselineEditedException"/> when a row's stored fingerprint is not the one of its columns.
    /// </summary>
    public string BaselineDigest(long generation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var command = Command("SELECT id, created_at, approved_by, reason, kind, policy_name, policy_digest, policy_text, tree, host, entry_count FROM generations WHERE id = $gen",
                   null, ("$gen", generation)))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
                throw new ComplianceException($"no baseline generation {generation} in {DatabasePath}.", FailureKind.Usage);
            AppendRow(hash, reader);
        }
        using (var command = Command($"""
                   SELECT {Schema.EntryColumns}, fingerprint, first_gen FROM baseline
                   WHERE first_gen <= $gen AND (retired_gen IS NULL OR retired_gen > $gen) ORDER BY walk_key
                   """, null, ("$gen", generation)))
        using (var reader = command.ExecuteReader())
        {
            int firstAdded = Schema.FirstEntryColumns.Split(", ").Length;
            int fingerprint = EntryCodec.ColumnCount;
            int firstGen = fingerprint + 1;
            var scratch = new FingerprintBuffer();
            var edited = new List<string>();
            while (reader.Read())
            {
                AppendRow(hash, reader, 0, firstAdded);
                AppendRow(hash, reader, firstGen, firstGen + 1);
                for (int column = firstAdded; column < EntryCodec.ColumnCount; column++)
                {
                    if (!reader.IsDBNull(column))
                    {
                        AppendValue(hash, AddedColumnTag, Encoding.UTF8.GetBytes(reader.GetName(column)));
                        AppendRow(hash, reader, column, column + 1);
                    }
                }
                // The fingerprint is left out of the digest (rows written before it existed have none), but a scan
                // takes a row whose fingerprint matches as unchanged: one edited to match a changed file would hide it.
                // A fingerprint of another format is never taken as a match, so it can hide nothing.
                if (!reader.IsDBNull(fingerprint) && (byte[])reader.GetValue(fingerprint) is var stored && EntryFingerprint.IsCurrentFormat(stored)
                    && EntryCodec.Read(reader) is var entry && !EntryFingerprint.Matches(entry, stored, scratch))
                    edited.Add(entry.Path);
            }
            if (edited.Count > 0)
                throw new BaselineEditedException(generation, edited);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The frame tag of a later column's name, which comes before its value; values use tags 0-4.</summary>
    private const byte AddedColumnTag = 5;

    /// <summary>Frames columns <paramref name="from"/> up to <paramref name="to"/> (all when omitted) of the current row.</summary>
    private static void AppendRow(IncrementalHash hash, SqliteDataReader reader, int from = 0, int? to = null)
    {
        Span<byte> number = stackalloc byte[8];
        for (int column = from; column < (to ?? reader.FieldCount); column++)
        {
            var value = reader.GetValue(column);
            switch (value)
            {
                case DBNull:
                    AppendValue(hash, 0, []);
                    break;
                case long integer:
                    BinaryPrimitives.WriteInt64BigEndian(number, integer);
                    AppendValue(hash, 1, number);
                    break;
                case double real:
                    BinaryPrimitives.WriteDoubleBigEndian(number, real);
                    AppendValue(hash, 2, number);
                    break;
                case string text:
                    AppendValue(hash, 3, Encoding.UTF8.GetBytes(text));
                    break;
                case byte[] blob:
                    AppendValue(hash, 4, blob);
                    break;
                default:
                    throw new InvalidDataException($"unexpected SQLite value type {value.GetType().Name} in column {reader.GetName(column)}.");
            }
        }
    }

    /// <summary>One frame: its tag, its length as a 32-bit big-endian number, its bytes.</summary>
    private static void AppendValue(IncrementalHash hash, byte tag, ReadOnlySpan<byte> bytes)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = tag;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], bytes.Length);
        hash.AppendData(header);
        hash.AppendData(bytes);
    }
}

/// <summary>What an accept generation approved at a path: the entry, or null for the path removed.</summary>
public sealed record AcceptedState(long Generation, FileEntry? Entry);

/// <summary>One row of the findings history, as stored: the entry sides are the JSON that <c>EntryJson</c> wrote.</summary>
public sealed record StoredFinding(long Id, long? RunId, long? Generation, DateTimeOffset ObservedAt, string Path, string Kind,
    IReadOnlyList<string> Attributes, string Category, string Severity, string Source, string? Detail, int? ProcessId,
    string? ProcessPath, string? BeforeJson, string? AfterJson);

/// <summary>Baseline rows whose stored fingerprint does not match their columns: the database was edited outside this program.</summary>
public sealed class BaselineEditedException(long generation, IReadOnlyList<string> paths) : ComplianceException(
    $"generation {generation} of the stored baseline was edited outside compliance: the stored fingerprint of {paths.Count} " +
    $"{(paths.Count == 1 ? "entry does" : "entries do")} not match {(paths.Count == 1 ? "its" : "their")} columns " +
    $"({string.Join(", ", paths.Take(3).Select(EntryPath.ToDisplay))}{(paths.Count > 3 ? ", ..." : "")}), " +
    "so a check would take those entries as unchanged whatever is on disk")
{
    public IReadOnlyList<string> Paths { get; } = paths;
}
