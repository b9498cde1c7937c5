using Compliance.Core;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Output;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Tests;
using Microsoft.Data.Sqlite;

namespace Compliance.Store.Tests;

/// <summary>The SQLite store on real database files.</summary>
public sealed class StateStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "store-test-" + Guid.NewGuid().ToString("n")[..8]);
    private readonly Policy _policy = Policy.ForPaths(["/data"]);

    public StateStoreTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "state.db");

    private static FileEntry Entry(string path, long size = 1, byte hashByte = 1) => new()
    {
        Path = path,
        Type = FileType.File,
        Size = size,
        Mode = 0x1a4,
        Inode = 42,
        Device = 7,
        MtimeNs = 1_700_000_000_123_456_789,
        Category = "paths",
        Hashes = new(StringComparer.Ordinal) { ["blake3"] = Enumerable.Repeat(hashByte, 32).ToArray() },
        ExtendedAttributes = new(StringComparer.Ordinal) { ["user.note"] = [1, 2, 3] },
    };

    private long Baseline(StateStore store, params FileEntry[] entries)
    {
        using var writer = store.BeginBaseline(_policy, "linux:/", "tester", "test");
        foreach (var entry in entries)
            writer.Add(entry);
        return writer.Commit();
    }

    [Fact]
    public void A_new_database_is_in_wal_mode_with_the_current_schema_version()
    {
        using var store = StateStore.Open(Db);
        store.Scalar<string>("PRAGMA journal_mode").Should().Be("wal");
        store.Scalar<long>("PRAGMA user_version").Should().Be(6);
        store.IntegrityCheck().Should().Be("ok");
    }

    [Fact]
    public async Task A_store_told_to_wait_outlasts_another_process_writing_and_one_that_is_not_gives_up()
    {
        using (var store = StateStore.Open(Db))
            Baseline(store, Entry("/data/a"));
        var removed = new Finding { Path = "/data/a", Kind = DriftKind.Removed, Before = Entry("/data/a"), Category = "paths", Severity = Severity.High };
        using var impatient = StateStore.Open(Db, create: false);
        impatient.WaitForOtherWriters(TimeSpan.FromMilliseconds(200));
        using var patient = StateStore.Open(Db, create: false);
        patient.WaitForOtherWriters(Timeout.InfiniteTimeSpan);

        // Another process in the middle of a long write transaction, as a baseline of a large tree is.
        using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False");
        other.Open();
        using var writing = other.BeginTransaction();
        using (var insert = other.CreateCommand())
        {
            insert.CommandText = "INSERT INTO meta(key, value) VALUES ('other', 'writing')";
            insert.ExecuteNonQuery();
        }

        var givingUp = () => impatient.ApplyObservations([new Observation("/data/a", null, removed)], runId: null, impatient.CurrentGenerationId());
        givingUp.Should().Throw<Microsoft.Data.Sqlite.SqliteException>().Which.SqliteErrorCode.Should().Be(SQLitePCL.raw.SQLITE_BUSY);

        var waiting = Task.Run(() => patient.ApplyObservations([new Observation("/data/a", null, removed)], runId: null, patient.CurrentGenerationId()));
        await Task.Delay(TimeSpan.FromSeconds(35));   // longer than any default wait
        waiting.IsCompleted.Should().BeFalse();
        writing.Commit();
        await waiting;
        patient.ObservedDrift().Should().ContainSingle().Which.Present.Should().BeFalse();
    }

    [Fact]
    public void An_empty_file_is_refused_by_what_only_reads_and_left_empty()
    {
        File.WriteAllBytes(Db, []);

        var open = () => StateStore.Open(Db, create: false);

        open.Should().Throw<Compliance.Core.ComplianceException>().WithMessage("*is empty, not a compliance database*");
        new FileInfo(Db).Length.Should().Be(0);
    }

    [Fact]
    public void A_store_opened_read_only_reads_and_refuses_every_write()
    {
        using (var store = StateStore.Open(Db))
            Baseline(store, Entry("/data/a"), Entry("/data/b"));
        var before = Sha256(Db);

        using (var store = StateStore.OpenReadOnly(Db))
        {
            store.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a", "/data/b");
            var insert = () => store.Execute("INSERT INTO meta(key, value) VALUES ('tampered', 'yes')");
            insert.Should().Throw<SqliteException>().Where(e => e.SqliteErrorCode == SQLitePCL.raw.SQLITE_READONLY);
            var baseline = () => Baseline(store, Entry("/data/c"));
            baseline.Should().Throw<SqliteException>().Where(e => e.SqliteErrorCode == SQLitePCL.raw.SQLITE_READONLY);
        }

        Sha256(Db).Should().Equal(before);
        using var reopened = StateStore.Open(Db);
        reopened.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a", "/data/b");
    }

    [Fact]
    public void Read_only_open_refuses_an_older_schema_instead_of_upgrading_it()
    {
        using (var store = StateStore.Open(Db))
        {
            Baseline(store, Entry("/data/a"));
            store.Execute("ALTER TABLE baseline DROP COLUMN fingerprint; DROP INDEX observed_absent_by_inode; PRAGMA user_version = 2;");
        }
        var before = Sha256(Db);

        var open = () => StateStore.OpenReadOnly(Db);

        open.Should().Throw<ComplianceException>().WithMessage("*schema version 2, older than this program's 6*upgrade it*not modified*");
        Sha256(Db).Should().Equal(before);
    }

    [Fact]
    public void Read_only_open_refuses_a_newer_schema_as_a_writable_open_does()
    {
        using (var store = StateStore.Open(Db))
            store.Execute("PRAGMA user_version = 99");
        var before = Sha256(Db);

        var open = () => StateStore.OpenReadOnly(Db);

        open.Should().Throw<ComplianceException>().WithMessage("*schema version 99, newer than this program's 6*not modified*");
        Sha256(Db).Should().Equal(before);
    }

    [Fact]
    public void Read_only_open_refuses_a_missing_file_an_empty_one_and_one_that_is_no_compliance_database()
    {
        var missing = Path.Combine(_dir, "missing.db");
        FluentActions.Invoking(() => StateStore.OpenReadOnly(missing)).Should().Throw<ComplianceException>().WithMessage("no database at*");
        File.Exists(missing).Should().BeFalse();

        File.WriteAllBytes(Db, []);
        FluentActions.Invoking(() => StateStore.OpenReadOnly(Db)).Should().Throw<ComplianceException>().WithMessage("*is empty, not a compliance database*");
        new FileInfo(Db).Length.Should().Be(0);

        var notes = Path.Combine(_dir, "notes.db");
        File.WriteAllText(notes, string.Concat(Enumerable.Repeat("not a database, only notes\n", 100)));
        FluentActions.Invoking(() => StateStore.OpenReadOnly(notes)).Should().Throw<ComplianceException>().WithMessage("cannot open database*not a database*");

        // A SQLite database, but one without tables: reading it read-only cannot give it the schema.
        var bare = Path.Combine(_dir, "bare.db");
        ExecuteSql(bare, "CREATE TABLE t (x); DROP TABLE t;");
        var bareBefore = Sha256(bare);
        FluentActions.Invoking(() => StateStore.OpenReadOnly(bare)).Should().Throw<ComplianceException>().WithMessage("*not a compliance database (it has no tables)*");
        Sha256(bare).Should().Equal(bareBefore);

        Directory.GetFiles(_dir).Select(Path.GetFileName).Should().BeEquivalentTo(["state.db", "notes.db", "bare.db"]);
    }

    [ReadOnlyMountFact]
    public void A_WAL_database_on_a_read_only_mount_is_read_without_creating_its_log_or_index()
    {
        // Characters that a SQLite URI would otherwise take for its query, fragment or escapes.
        var evidence = Path.Combine(_dir, "evidence #1 ?%20");
        Directory.CreateDirectory(evidence);
        var db = Path.Combine(evidence, "state%.db");
        using (var store = StateStore.Open(db))
        {
            Baseline(store, Entry("/data/a"), Entry("/data/b"));
            store.Scalar<string>("PRAGMA journal_mode").Should().Be("wal");
        }
        Directory.GetFiles(evidence).Should().Equal(db);
        var before = Sha256(db);

        using (new ReadOnlyMount(evidence))
        {
            using (var store = StateStore.OpenReadOnly(db))
            {
                store.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a", "/data/b");
                store.Generations().Should().ContainSingle().Which.EntryCount.Should().Be(2);
                store.IntegrityCheck().Should().Be("ok");
            }
            Directory.GetFiles(evidence).Should().Equal(db);
            Sha256(db).Should().Equal(before);
        }
    }

    [ReadOnlyMountFact]
    public void A_log_holding_changes_on_a_read_only_mount_is_refused_rather_than_read_without_them()
    {
        var evidence = Path.Combine(_dir, "evidence");
        Directory.CreateDirectory(evidence);
        var db = Path.Combine(evidence, "state.db");
        using (var store = StateStore.Open(Db))
        {
            Baseline(store, Entry("/data/a"));
            // Copied while open, the way a careless copy takes a live database: with its log, without its index.
            File.Copy(Db, db);
            File.Copy(Db + "-wal", db + "-wal");
        }
        new FileInfo(db + "-wal").Length.Should().BeGreaterThan(0);
        var before = Sha256(db);

        using (new ReadOnlyMount(evidence))
        {
            var open = () => StateStore.OpenReadOnly(db);
            open.Should().Throw<ComplianceException>().WithMessage("*its log state.db-wal holds changes*Copy the database and its log*");
            Directory.GetFiles(evidence).Select(Path.GetFileName).Should().BeEquivalentTo(["state.db", "state.db-wal"]);
            Sha256(db).Should().Equal(before);
        }
    }

    private static byte[] Sha256(string path) => System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path));

    private static void ExecuteSql(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void A_new_database_has_64_KiB_pages_and_an_existing_one_keeps_its_own()
    {
        using (var store = StateStore.Open(Db))
            store.Scalar<long>("PRAGMA page_size").Should().Be(65536);

        // A database made with SQLite's default page size, as this program made them before, and then opened.
        var older = Path.Combine(_dir, "older.db");
        using (var store = StateStore.Open(older))
            Baseline(store, Entry("/data/a"));
        var rebuilt = Path.Combine(_dir, "rebuilt.db");
        using (var store = StateStore.Open(older))
            store.Execute($"PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM INTO '{rebuilt}';");

        using var reopened = StateStore.Open(rebuilt);
        reopened.Scalar<long>("PRAGMA page_size").Should().Be(4096);
        reopened.Scalar<string>("PRAGMA journal_mode").Should().Be("wal");
        reopened.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a");
        Baseline(reopened, Entry("/data/b"));
        reopened.IntegrityCheck().Should().Be("ok");
    }

    [Fact]
    public void A_version_1_database_is_upgraded_in_place_and_keeps_its_baseline()
    {
        using (var store = StateStore.Open(Db))
        {
            Baseline(store, Entry("/data/a"));
            // What version 1 had and version 2 dropped, the staging table of a baseline being written; and what
            // version 1 did not have yet, the fingerprint column of version 3, the index of version 4 and the columns of 5.
            store.Execute($"CREATE TABLE baseline_staging (path BLOB); ALTER TABLE baseline DROP COLUMN fingerprint; DROP INDEX observed_absent_by_inode; {DropColumnsSinceVersion4} PRAGMA user_version = 1;");
        }

        using var reopened = StateStore.Open(Db);
        reopened.Scalar<long>("PRAGMA user_version").Should().Be(6);
        reopened.Scalar<long>("SELECT count(*) FROM sqlite_master WHERE name = 'baseline_staging'").Should().Be(0);
        reopened.Scalar<long>("SELECT count(*) FROM sqlite_master WHERE name = 'observed_absent_by_inode'").Should().Be(1);
        reopened.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a");
        reopened.IntegrityCheck().Should().Be("ok");
    }

    [Fact]
    public void A_version_2_database_gains_fingerprints_for_new_rows_and_keeps_its_old_rows_and_digest()
    {
        string digest;
        using (var store = StateStore.Open(Db))
        {
            Baseline(store, Entry("/data/a"));
            digest = store.BaselineDigest(1);
            // Version 2 had no fingerprint column, nor the index of version 4 and the columns of 5.
            store.Execute($"ALTER TABLE baseline DROP COLUMN fingerprint; DROP INDEX observed_absent_by_inode; {DropColumnsSinceVersion4} PRAGMA user_version = 2;");
        }

        using var reopened = StateStore.Open(Db);
        reopened.Scalar<long>("PRAGMA user_version").Should().Be(6);
        reopened.BaselineDigest(1).Should().Be(digest, "an attestation of an old generation must still verify");
        using (var cursor = reopened.OpenBaseline())
        {
            cursor.MoveNext().Should().BeTrue();
            cursor.Fingerprint.IsEmpty.Should().BeTrue("a row written before version 3 is compared in full");
            cursor.Entry().Should().BeEquivalentTo(Entry("/data/a"));
        }
        Baseline(reopened, Entry("/data/b"));
        using (var cursor = reopened.OpenBaseline())
        {
            cursor.MoveNext().Should().BeTrue();
            cursor.Fingerprint.ToArray().Should().Equal(EntryFingerprint.Of(Entry("/data/b")));
        }
        reopened.IntegrityCheck().Should().Be("ok");
    }

    private const string DropColumnsSinceVersion4 = """
        ALTER TABLE baseline DROP COLUMN rdev; ALTER TABLE baseline DROP COLUMN flags;
        ALTER TABLE observed DROP COLUMN rdev; ALTER TABLE observed DROP COLUMN flags;
        ALTER TABLE runs DROP COLUMN host;
        """;

    /// <summary>
    /// Attestations name a generation's digest. Version 5 added columns, and a generation approved before them must
    /// keep the digest this program gave it then, or every attestation signed over it would fail to verify.
    /// </summary>
    [Fact]
    public void A_version_4_database_gains_rdev_and_flags_and_its_generations_keep_the_digest_version_4_gave_them()
    {
        using (var store = StateStore.Open(Db))
        {
            Baseline(store, Entry("/data/a"));
            store.Execute($"UPDATE generations SET created_at = '2026-11-29T00:00:00Z', host = 'golden'; DROP INDEX observed_absent_by_inode; {DropColumnsSinceVersion4} PRAGMA user_version = 4;");
            store.Execute("CREATE INDEX observed_absent_by_inode ON observed(inode) WHERE present = 0;");
        }

        using var reopened = StateStore.Open(Db);
        reopened.Scalar<long>("PRAGMA user_version").Should().Be(6);
        // Computed by the program before version 5, on the same generation.
        reopened.BaselineDigest(1).Should().Be("efe801ed01ee76a1afb4eb349de5aeeda9351a7f7e326bf971411a8fc3be944a");
        reopened.FindBaseline("/data/a").Should().BeEquivalentTo(Entry("/data/a"));

        // A generation whose entries have them stores them, and its digest covers them.
        var device = Entry("/data/dev");
        device.Type = FileType.CharDevice;
        device.SpecialDevice = 0x103;
        var flagged = Entry("/data/log");
        flagged.Flags = InodeFlags.AppendOnly;
        long second = Baseline(reopened, Entry("/data/a"), device, flagged);
        reopened.FindBaseline("/data/dev").Should().BeEquivalentTo(device);
        reopened.FindBaseline("/data/log").Should().BeEquivalentTo(flagged);
        string digest = reopened.BaselineDigest(second);
        // Edits that drop the row's fingerprint too (as rows from before fingerprints have none), so that only the
        // digest can tell.
        reopened.Execute("UPDATE baseline SET flags = 48, fingerprint = NULL WHERE path = CAST('/data/log' AS BLOB)");
        reopened.BaselineDigest(second).Should().NotBe(digest, "the flags are part of what was approved");
        reopened.Execute("UPDATE baseline SET flags = NULL, rdev = 32 WHERE path = CAST('/data/log' AS BLOB)");
        reopened.BaselineDigest(second).Should().NotBe(digest, "a value moved to another added column is another approval");
        reopened.IntegrityCheck().Should().Be("ok");
    }

    [Fact]
    public void Baseline_and_accepted_rows_carry_their_fingerprint_and_rows_with_errors_none()
    {
        using var store = StateStore.Open(Db);
        var unreadable = Entry("/data/u");
        unreadable.Hashes.Clear();
        unreadable.Error = "permission denied";
        Baseline(store, Entry("/data/a"), Entry("/data/b"), unreadable);
        var changed = Entry("/data/a", size: 2, hashByte: 9);
        store.ApplyObservations([new Observation("/data/a", changed, EntryComparer.Compare(store.FindBaseline("/data/a"), changed, _policy.Categories[0]))], runId: null, store.CurrentGenerationId());
        store.Accept(null, "alice", "release");

        var fingerprints = new List<(string, byte[])>();
        using (var cursor = store.OpenBaseline())
        {
            while (cursor.MoveNext())
                fingerprints.Add((cursor.Path, cursor.Fingerprint.ToArray()));
        }
        fingerprints.Should().BeEquivalentTo(new[]
        {
            ("/data/a", EntryFingerprint.Of(changed)),
            ("/data/b", EntryFingerprint.Of(Entry("/data/b"))),
            ("/data/u", Array.Empty<byte>()),
        }, options => options.WithStrictOrdering());
        EntryFingerprint.Of(changed).Should().NotEqual(EntryFingerprint.Of(Entry("/data/a")));
    }

    [Fact]
    public void A_baseline_not_committed_leaves_the_previous_one_current_and_no_trace()
    {
        using var store = StateStore.Open(Db);
        long first = Baseline(store, Entry("/data/a"), Entry("/data/b"));
        using (var writer = store.BeginBaseline(_policy, "linux:/", "tester", "abandoned"))
        {
            writer.Add(Entry("/data/c"));
            writer.Generation.Should().BeGreaterThan(first);
        }

        store.CurrentGeneration()!.Id.Should().Be(first);
        store.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a", "/data/b");
        store.Scalar<long>("SELECT count(*) FROM baseline").Should().Be(2);
        store.Scalar<long>("SELECT count(*) FROM generations").Should().Be(1);
    }

    [Fact]
    public void Entries_round_trip_with_every_field_and_come_back_in_walk_order()
    {
        using var store = StateStore.Open(Db);
        var odd = EntryPath.FromBytes([(byte)'/', (byte)'d', (byte)'a', (byte)'t', (byte)'a', (byte)'/', 0xFF]);
        Baseline(store, Entry("/data/z"), Entry("/data-x"), Entry("/data/a/b"), Entry("/data"), Entry(odd));

        store.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data", "/data/a/b", "/data/z", odd, "/data-x");
        store.BaselineInWalkOrder("/data").Select(e => e.Path).Should().Equal("/data", "/data/a/b", "/data/z", odd);
        var back = store.FindBaseline("/data/z")!;
        back.Should().BeEquivalentTo(Entry("/data/z"));
    }

    /// <summary>
    /// A check that ends forgets the drift rows it did not write, as the paths matched the baseline when it looked.
    /// A watch beside it may store a change after that look: such a row, stored after the check started, stays.
    /// </summary>
    [Fact]
    public void A_finished_scan_forgets_rows_stored_before_it_started_but_keeps_those_another_process_stored_since()
    {
        using var store = StateStore.Open(Db);
        Baseline(store, Entry("/data/a"), Entry("/data/b"));
        long generation = store.CurrentGenerationId()!.Value;
        Observation Changed(string path) => new(path, Entry(path, size: 2), EntryComparer.Compare(Entry(path), Entry(path, size: 2), _policy.Categories[0]));
        store.ApplyObservations([Changed("/data/a")], runId: store.StartRun("watch", "linux"), generation);
        Thread.Sleep(5);

        long check = store.StartRun("check", "linux");
        Thread.Sleep(5);
        store.ApplyObservations([Changed("/data/b")], runId: store.StartRun("watch", "linux"), generation);
        var forgotten = store.ForgetObservationsNotFromRun(null, check, generation, _ => true);

        forgotten.Should().Equal("/data/a");
        store.ObservedDrift().Select(row => row.Entry.Path).Should().Equal("/data/b");
    }

    /// <summary>A watch under a broader --policy may store drift the recorded policy does not select: not this baseline's to approve.</summary>
    [Fact]
    public void Accept_leaves_out_drift_the_recorded_policy_does_not_select()
    {
        using var store = StateStore.Open(Db);
        Baseline(store, Entry("/data/a"));
        long generation = store.CurrentGenerationId()!.Value;
        var outside = Entry("/elsewhere/new");
        var inside = Entry("/data/new");
        store.ApplyObservations(
            [new Observation(outside.Path, outside, EntryComparer.Compare(null, outside, _policy.Categories[0])),
             new Observation(inside.Path, inside, EntryComparer.Compare(null, inside, _policy.Categories[0]))],
            runId: null, generation);

        store.Accept(null, "alice", "both").Approved.Should().Be(1);

        store.BaselineInWalkOrder().Select(e => e.Path).Should().Equal("/data/a", "/data/new");
    }

    [Fact]
    public void Windows_fields_round_trip_through_the_store()
    {
        using var store = StateStore.Open(Db);
        var entry = Entry("/data/w");
        entry.FileId = new UInt128(0x8000_0000_0000_0001, 0xFFFF_0000_FFFF_0000);
        entry.WindowsAttributes = 0x20;
        entry.OwnerSid = "S-1-5-32-544";
        entry.Dacl = "D:(A;;FA;;;SY)";
        entry.Streams = [new DataStream("Zone.Identifier", 26, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()), new DataStream("ünïcode", 0)];
        Baseline(store, entry, Entry("/data/v"));

        // Through both readers: the lookup on the store's connection and the scan's own raw connection.
        foreach (var back in new[] { store.FindBaseline("/data/w")!, store.BaselineInWalkOrder("/data/w").Single() })
        {
            back.Should().BeEquivalentTo(entry);
            back.Streams.Should().Equal(entry.Streams, "digest bytes included");
            back.FileId.Should().Be(entry.FileId);
            back.HasSameContentIdentity(entry).Should().BeTrue();
        }
        store.FindBaseline("/data/v")!.FileId.Should().BeNull();
    }

    [Fact]
    public void A_baseline_read_stopped_early_lets_go_of_its_snapshot()
    {
        using var store = StateStore.Open(Db);
        Baseline(store, Entry("/data/a"), Entry("/data/b"), Entry("/data/c"));
        store.BaselineInWalkOrder().Take(1).Select(e => e.Path).Should().Equal("/data/a");
        Baseline(store, Entry("/data/d"));

        // A reader still open on the first generation's snapshot would keep the checkpoint from emptying the log.
        using var checkpoint = store.Connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var result = checkpoint.ExecuteReader();
        result.Read().Should().BeTrue();
        result.GetInt64(0).Should().Be(0, "no other connection may hold the log busy");
    }

    [Fact]
    public void Removed_entries_are_found_by_inode_and_device_through_their_index()
    {
        using var store = StateStore.Open(Db);
        var a = Entry("/data/a");
        var b = Entry("/data/b");
        b.Inode = 43;
        var c = Entry("/data/c");
        c.Inode = 44;
        Baseline(store, a, b, c);
        var category = _policy.Categories[0];
        var changedC = Entry("/data/c", size: 2);
        changedC.Inode = 44;
        store.ApplyObservations(
            [new Observation("/data/a", null, EntryComparer.Compare(a, null, category)),
             new Observation("/data/b", null, EntryComparer.Compare(b, null, category)),
             new Observation("/data/c", changedC, EntryComparer.Compare(c, changedC, category))],
            runId: null, store.CurrentGenerationId());

        var found = store.FindRemovedWithInodes([(42, 7), (43, 7), (42, 8), (44, 7)]);

        found.Select(entries => entries.Select(e => e.Path)).Should().BeEquivalentTo(
            new[] { new[] { "/data/a" }, new[] { "/data/b" }, [], [] }, o => o.WithStrictOrdering(),
            "a present entry (c) is no removal, and an inode is matched on its own device only");
        found[0][0].Should().BeEquivalentTo(a, "the approved entry, as the absent row keeps it");
        using var plan = store.Connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN SELECT path FROM observed WHERE present = 0 AND inode = 1 AND device = 2";
        using var rows = plan.ExecuteReader();
        var steps = new List<string>();
        while (rows.Read())
            steps.Add(rows.GetString(3));
        steps.Should().ContainMatch("*observed_absent_by_inode*", "a storm of new files must not scan the table once per file");
    }

    [Fact]
    public void Accept_makes_a_new_generation_and_keeps_the_old_one_queryable()
    {
        using var store = StateStore.Open(Db);
        long first = Baseline(store, Entry("/data/a"), Entry("/data/b"));
        var changed = Entry("/data/a", size: 2, hashByte: 9);
        var finding = EntryComparer.Compare(store.FindBaseline("/data/a"), changed, _policy.Categories[0])!;
        var removed = EntryComparer.Compare(store.FindBaseline("/data/b"), null, _policy.Categories[0])!;
        store.ApplyObservations([new Observation("/data/a", changed, finding), new Observation("/data/b", null, removed)], runId: null, store.CurrentGenerationId());

        var result = store.Accept(null, "alice", "release");

        result.Approved.Should().Be(2);
        store.CurrentGeneration()!.Id.Should().Be(result.Generation);
        store.CurrentGeneration()!.ApprovedBy.Should().Be("alice");
        store.BaselineInWalkOrder().Select(e => (e.Path, e.Size)).Should().Equal(("/data/a", 2L));
        store.BaselineInWalkOrder(generation: first).Select(e => (e.Path, e.Size)).Should().Equal(("/data/a", 1L), ("/data/b", 1L));
        store.ObservedDrift().Should().BeEmpty();
    }

    [Fact]
    public void A_findings_time_before_and_after_are_stored_as_written()
    {
        using var store = StateStore.Open(Db);
        var path = "/data/caf\u00e9 \u65e5\u672c";
        Baseline(store, Entry(path));
        var changed = Entry(path, size: 2, hashByte: 9);
        var finding = EntryComparer.Compare(store.FindBaseline(path), changed, _policy.Categories[0])!;
        store.ApplyObservations([new Observation(path, changed, finding)], runId: null, store.CurrentGenerationId());

        var stored = store.FindingsForReport(since: null, generation: null).Single();

        stored.ObservedAt.Should().Be(finding.ObservedAt, "the time is stored to the 100 ns");
        stored.BeforeJson.Should().Be(EntryJson.ToJson(w => EntryJson.WriteEntry(w, finding.Before!)));
        stored.AfterJson.Should().Be(EntryJson.ToJson(w => EntryJson.WriteEntry(w, changed)));
        using var after = System.Text.Json.JsonDocument.Parse(stored.AfterJson!);
        after.RootElement.GetProperty("path").GetString().Should().Be(path);
        after.RootElement.GetProperty("size").GetString().Should().Be("2");
        after.RootElement.GetProperty("xattrs").GetString().Should().Contain("user.note");
        using var types = store.Connection.CreateCommand();
        types.CommandText = "SELECT typeof(observed_at) || ',' || typeof(before_json) || ',' || typeof(after_json) FROM findings";
        types.ExecuteScalar().Should().Be("text,text,text", "bound from UTF-8 bytes, they are still text, as SQL compares and reads them");
    }

    [Fact]
    public void Unverified_observations_are_never_approved()
    {
        using var store = StateStore.Open(Db);
        Baseline(store, Entry("/data/a"));
        var unreadable = Entry("/data/a");
        unreadable.Hashes.Clear();
        unreadable.Error = "permission denied";
        var finding = EntryComparer.Compare(store.FindBaseline("/data/a"), unreadable, _policy.Categories[0])!;
        finding.Kind.Should().Be(DriftKind.Unverified);
        store.ApplyObservations([new Observation("/data/a", unreadable, finding)], runId: null, store.CurrentGenerationId());

        var result = store.Accept(null, "bob", "try");

        result.Generation.Should().BeNull();
        result.SkippedUnverified.Should().Be(1);
        store.FindBaseline("/data/a")!.Hashes.Should().ContainKey("blake3");
    }

    [Fact]
    public void A_cursor_is_saved_in_the_same_transaction_as_its_observations()
    {
        using var store = StateStore.Open(Db);
        Baseline(store, Entry("/data/a"));
        var cursor = new FeedCursor("usn", "C:", "0x1d2", 4096);
        var finding = EntryComparer.Compare(store.FindBaseline("/data/a"), null, _policy.Categories[0])!;

        store.ApplyObservations([new Observation("/data/a", null, finding)], runId: null, store.CurrentGenerationId(), cursor);

        store.LoadCursor("usn", "C:").Should().Be(cursor);
        store.ObservedDrift().Single().Present.Should().BeFalse();
    }

    [Fact]
    public void Gaps_are_recorded_and_closed_by_a_run()
    {
        using var store = StateStore.Open(Db);
        long run = store.StartRun("rescan", "linux:/");
        long gap = store.RecordGap(new GapSignal("inotify", DateTimeOffset.UtcNow, "/data", GapReason.Overflow, "IN_Q_OVERFLOW"));
        store.CloseGap(gap, run);

        var recorded = store.Gaps().Single();
        recorded.Reason.Should().Be("Overflow");
        recorded.Scope.Should().Be("/data");
        recorded.ClosedByRun.Should().Be(run);
    }
}
