namespace Compliance.Store;

/// <summary>The database layout. Bump <see cref="Version"/> with every change and add a migration step.</summary>
internal static class Schema
{
    public const int Version = 6;

    /// <summary>The step from each older version to the next, run in order in one transaction when a database is opened.</summary>
    public static readonly IReadOnlyDictionary<int, string> Upgrades = new Dictionary<int, string>
    {
        // 1 -> 2: baselines are written in place in one transaction; the staging table is gone.
        [1] = "DROP TABLE IF EXISTS baseline_staging;",
        // 2 -> 3: baseline rows carry their entry's fingerprint. Older rows have none and are compared in full.
        [2] = "ALTER TABLE baseline ADD COLUMN fingerprint BLOB;",
        // 3 -> 4: removed entries can be found by inode, to pair a file that appears with where it was moved from.
        [3] = ObservedAbsentByInode,
        // 4 -> 5: device files' rdev and inode flags. Older rows have neither, which reads as none (see FileEntry.Flags).
        [4] = """
            ALTER TABLE baseline ADD COLUMN rdev INTEGER; ALTER TABLE baseline ADD COLUMN flags INTEGER;
            ALTER TABLE observed ADD COLUMN rdev INTEGER; ALTER TABLE observed ADD COLUMN flags INTEGER;
            """,
        // 5 -> 6: the host each run ran on; older runs have none (reports then name the baseline's host).
        [5] = "ALTER TABLE runs ADD COLUMN host TEXT;",
    };

    /// <summary>Removed entries (absent rows keep the approved entry's columns) by inode; the rows present are not indexed.</summary>
    private const string ObservedAbsentByInode = "CREATE INDEX observed_absent_by_inode ON observed(inode) WHERE present = 0;";

    /// <summary>Columns shared by the baseline and the observed state, in this order.</summary>
    public const string EntryColumns = FirstEntryColumns + ", " + AddedEntryColumns;

    /// <summary>The entry columns of schema version 3, every one of which the baseline digest frames, NULL or not.</summary>
    public const string FirstEntryColumns =
        "path, walk_key, category, type, size, mode, uid, gid, mtime_ns, ctime_ns, btime_ns, inode, device, nlink, " +
        "target, xattrs, win_attributes, owner_sid, dacl, file_id, streams, blake3, sha256, error";

    /// <summary>
    /// Entry columns added since, which the baseline digest frames only when not NULL: a generation approved before
    /// they existed keeps its digest, and the attestations signed over it still verify.
    /// </summary>
    public const string AddedEntryColumns = "rdev, flags";

    private const string EntryColumnDefinitions = """
        path BLOB NOT NULL,
        walk_key BLOB NOT NULL,
        category TEXT NOT NULL,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        mode INTEGER, uid INTEGER, gid INTEGER,
        mtime_ns INTEGER, ctime_ns INTEGER, btime_ns INTEGER,
        inode INTEGER, device INTEGER, nlink INTEGER,
        target BLOB, xattrs BLOB,
        win_attributes INTEGER, owner_sid TEXT, dacl TEXT, file_id BLOB, streams TEXT,
        blake3 BLOB, sha256 BLOB,
        error TEXT,
        rdev INTEGER, flags INTEGER
        """;

    public static readonly string Create = $"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- An approved baseline generation: who approved it, when, why, and under which policy.
        CREATE TABLE generations (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            approved_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            kind TEXT NOT NULL,              -- baseline (a fresh scan) or accept (approved changes)
            policy_name TEXT NOT NULL,
            policy_digest TEXT NOT NULL,
            policy_text TEXT NOT NULL,
            tree TEXT NOT NULL,              -- what was scanned: linux, linux:/mnt/x, ntfs-image:disk.raw
            host TEXT NOT NULL,
            entry_count INTEGER NOT NULL
        );

        -- Baseline entries. A row belongs to generations first_gen .. retired_gen-1; retired_gen NULL means current.
        -- fingerprint: the entry's EntryFingerprint, so that a scan compares an unchanged entry without decoding
        -- its row; NULL for an entry with an error. Not part of the baseline digest, which covers the entry columns.
        CREATE TABLE baseline (
            {EntryColumnDefinitions},
            first_gen INTEGER NOT NULL REFERENCES generations(id),
            retired_gen INTEGER REFERENCES generations(id),
            fingerprint BLOB
        );
        CREATE UNIQUE INDEX baseline_current ON baseline(walk_key) WHERE retired_gen IS NULL;
        CREATE INDEX baseline_by_generation ON baseline(first_gen, retired_gen);

        -- The latest observed state of every path that differs from the current baseline (absent = removed).
        -- Paths not here were last seen as approved.
        CREATE TABLE observed (
            {EntryColumnDefinitions},
            present INTEGER NOT NULL,
            observed_at TEXT NOT NULL,
            run_id INTEGER
        );
        CREATE UNIQUE INDEX observed_by_key ON observed(walk_key);
        {ObservedAbsentByInode}

        -- Every finding ever made, for reports over a period.
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            run_id INTEGER,
            generation INTEGER,
            observed_at TEXT NOT NULL,
            path BLOB NOT NULL,
            kind TEXT NOT NULL,
            attributes TEXT NOT NULL,
            category TEXT NOT NULL,
            severity TEXT NOT NULL,
            source TEXT NOT NULL,
            detail TEXT,
            pid INTEGER,
            exe TEXT,
            before_json TEXT,
            after_json TEXT
        );
        CREATE INDEX findings_by_time ON findings(observed_at);
        CREATE INDEX findings_by_run ON findings(run_id);

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,              -- baseline, check, watch, rescan
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,            -- running, completed, failed (a run left running was interrupted)
            generation INTEGER,
            tree TEXT NOT NULL,
            host TEXT,                       -- the machine the run ran on (NULL: recorded before schema 6)
            entries INTEGER NOT NULL DEFAULT 0,
            files_hashed INTEGER NOT NULL DEFAULT 0,
            bytes_hashed INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            findings INTEGER NOT NULL DEFAULT 0,
            detail TEXT
        );

        -- Change-feed positions (e.g. USN journal ID + next USN), saved with the changes they produced.
        CREATE TABLE feed_cursors (
            source TEXT NOT NULL,
            volume TEXT NOT NULL,
            journal_id TEXT,
            position INTEGER,
            state TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (source, volume)
        );

        -- Gaps in a change feed and the rescan that closed each.
        CREATE TABLE feed_gaps (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            scope BLOB NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            closed_at TEXT,
            closed_by_run INTEGER
        );
        """;
}
