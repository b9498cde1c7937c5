using System.Globalization;
using Compliance.Core;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Reconcile;
using Compliance.Core.Output;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

/// <summary>
/// The embedded SQLite database: approved baseline generations, the latest observed drift, findings history, scan
/// runs, change-feed cursors and gaps. WAL mode; every multi-row change is one transaction or a batch of them.
/// </summary>
public sealed partial class StateStore : IDisposable
{
    /// <summary>Where the database lives when no --db is given.</summary>
    public const string DefaultPath = ".compliance/state.db";

    /// <summary>Page size of a database this program creates.</summary>
    private const int PageSize = 65536;

    private static readonly object InitLock = new();
    private static bool _initialized;

    private readonly SqliteConnection _connection;

    /// <summary>What SQLite was given to open: the path, or a URI naming it when opened immutable.</summary>
    private readonly string _sqliteName;

    private StateStore(SqliteConnection connection, string path, string sqliteName)
    {
        _connection = connection;
        DatabasePath = path;
        _sqliteName = sqliteName;
    }

    public string DatabasePath { get; }

    internal SqliteConnection Connection => _connection;

    /// <summary>Opens (or, when <paramref name="create"/>, creates) the database for writing and checks its schema version.</summary>
    public static StateStore Open(string path, bool create = true)
    {
        var full = CheckedPath(path, create);
        try
        {
            return Connect(full, full, create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite);
        }
        catch (SqliteException e)
        {
            throw CannotOpen(full, e);
        }
    }

    /// <summary>
    /// Opens an existing database only to read it, for the commands that never write: SQLite refuses every write,
    /// and the schema is checked but never created or upgraded. Works on read-only media and directories too.
    /// </summary>
    public static StateStore OpenReadOnly(string path)
    {
        var full = CheckedPath(path, create: false);
        try
        {
            return Connect(full, full, SqliteOpenMode.ReadOnly);
        }
        catch (SqliteException e) when (CouldNotCreateWalFiles(e) && !File.Exists(full + "-shm"))
        {
            // Even a reader of a WAL database needs the -wal and -shm files beside it, and SQLite could not create
            // them: the directory is read-only (a copy on read-only media, or a user without write permission).
            // Opened immutable, SQLite reads the database file alone, without locks. That is safe only when the log
            // holds nothing, else its committed changes would be missed, and while nobody writes: a writer needs
            // the same -wal and -shm files, which this directory refuses (on read-only media, to everyone).
            var log = new FileInfo(full + "-wal");
            if (log.Exists && log.Length > 0)
                throw new ComplianceException(
                    $"cannot open database {full} read-only: its log {log.Name} holds changes that SQLite can read only with a {Path.GetFileName(full)}-shm file, which cannot be created in that directory. Copy the database and its log to a writable directory and open the copy. The database was not modified.",
                    FailureKind.Runtime, e);
            try
            {
                return Connect(full, ImmutableUri(full), SqliteOpenMode.ReadOnly);
            }
            catch (SqliteException retry)
            {
                throw CannotOpen(full, retry);
            }
        }
        catch (SqliteException e)
        {
            throw CannotOpen(full, e);
        }
    }

    /// <summary>The database's full path, once the checks made before SQLite sees the file have passed.</summary>
    private static string CheckedPath(string path, bool create)
    {
        lock (InitLock)
        {
            if (!_initialized)
            {
                SQLitePCL.Batteries_V2.Init();
                _initialized = true;
            }
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new ComplianceException($"{full} is a directory, not a database: name the database file, e.g. {Path.Combine(full, Path.GetFileName(DefaultPath))}.", FailureKind.Usage);
        bool exists = File.Exists(full);
        if (!exists && !create)
            throw new ComplianceException($"no database at {full}: run `compliance baseline` first, or pass --db.", FailureKind.Usage);
        // SQLite would take an empty file for a new database and write the schema into it; only a baseline may.
        if (exists && !create && new FileInfo(full).Length == 0)
            throw new ComplianceException($"{full} is empty, not a compliance database: run `compliance baseline` first, or pass --db.", FailureKind.Usage);
        if (!exists)
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    private static StateStore Connect(string full, string sqliteName, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = sqliteName,
            Mode = mode,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            var store = new StateStore(connection, full, sqliteName);
            store.Initialize(readOnly: mode == SqliteOpenMode.ReadOnly);
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether SQLite failed for want of a -wal or -shm file it could not create: "cannot open" on read-only media
    /// (and for a missing -shm), "read-only directory" where permissions deny it a new -wal.
    /// </summary>
    private static bool CouldNotCreateWalFiles(SqliteException e) =>
        e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CANTOPEN || e.SqliteExtendedErrorCode == SqliteReadOnlyDirectory;

    /// <summary>SQLITE_READONLY_DIRECTORY, which SQLitePCL.raw does not name.</summary>
    private const int SqliteReadOnlyDirectory = SQLitePCL.raw.SQLITE_READONLY | (6 << 8);

    /// <summary>
    /// SQLite says only "unable to open database file" when it cannot create the database, or the -wal and -shm files
    /// every opener needs beside it, in a directory this user cannot write (another owner's, read-only, immutable).
    /// </summary>
    private static ComplianceException CannotOpen(string full, SqliteException e) =>
        e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CANTOPEN
            ? new($"cannot open database {full}: SQLite could not create it, or the -wal and -shm files it keeps beside it, in {Path.GetDirectoryName(full)}: let this user write that directory, or copy the database to one it can.", FailureKind.Runtime, e)
            : new($"cannot open database {full}: {e.Message}", FailureKind.Runtime, e);

    /// <summary>
    /// A URI that opens the file as immutable. Each path segment is percent-encoded, as SQLite decodes %HH in a URI
    /// path and would otherwise end the path at a '?' or '#' in a name.
    /// </summary>
    private static string ImmutableUri(string full) =>
        "file:" + string.Join('/', full.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString)) + "?immutable=1";

    private void Initialize(bool readOnly)
    {
        WaitForOtherWriters(DefaultWriterWait);
        int version = UserVersion();
        bool empty = Scalar<long>("SELECT count(*) FROM sqlite_master") == 0;
        if (version > Schema.Version)
            throw new ComplianceException(
                $"database {DatabasePath} has schema version {version}, newer than this program's {Schema.Version}; use a newer compliance. The database was not modified.",
                FailureKind.Runtime);
        if (version == 0 && !empty)
            throw new ComplianceException($"{DatabasePath} is not a compliance database (it has tables but no schema version). It was not modified.", FailureKind.Runtime);
        if (readOnly)
        {
            // Creating or upgrading the schema writes, and older schemas lack columns that reading expects.
            if (version == 0)
                throw new ComplianceException($"{DatabasePath} is not a compliance database (it has no tables). It was not modified.", FailureKind.Runtime);
            if (version < Schema.Version)
                throw new ComplianceException(
                    $"database {DatabasePath} has schema version {version}, older than this program's {Schema.Version}, and this command only reads it: open it once with a command that writes, such as `compliance check`, to upgrade it (on a copy, if this file must stay as it is). The database was not modified.",
                    FailureKind.Runtime);
            return;
        }

        // A new database gets 64 KiB pages, set before its first write. Rows are a few hundred bytes, and with 4 KiB
        // pages a baseline's commit and checkpoint moved sixteen times as many log frames, and every batch of watch
        // findings split more pages. A database that exists keeps its page size: WAL mode cannot change it.
        if (version == 0)
            Execute($"PRAGMA page_size = {PageSize};");
        // Journal mode is changed only after the version check, so a refused database is never touched.
        // A 64 MiB page cache holds a baseline transaction of some 100,000 entries until its commit; with SQLite's
        // 2 MiB default, its pages were written to the log again and again as the index grew.
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;");
        if (version == 0)
        {
            using var transaction = _connection.BeginTransaction();
            Execute(Schema.Create, transaction);
            Execute($"PRAGMA user_version = {Schema.Version};", transaction);
            Execute("INSERT INTO meta(key, value) VALUES ('created_at', $now), ('created_by', 'compliance')", transaction, ("$now", Now()));
            transaction.Commit();
        }
        else if (version < Schema.Version)
        {
            using var transaction = _connection.BeginTransaction();
            for (int from = version; from < Schema.Version; from++)
                Execute(Schema.Upgrades[from], transaction);
            Execute($"PRAGMA user_version = {Schema.Version};", transaction);
            transaction.Commit();
        }
    }

    private int UserVersion() => (int)Scalar<long>("PRAGMA user_version");

    /// <summary>How long a write waits for another process's write transaction unless told otherwise.</summary>
    public static readonly TimeSpan DefaultWriterWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to wait for another process's write transaction before failing with SQLite's "database is locked";
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it lasts. A baseline holds its transaction for its
    /// whole scan, which on a large tree is minutes.
    /// </summary>
    public void WaitForOtherWriters(TimeSpan wait)
    {
        bool forever = wait == Timeout.InfiniteTimeSpan;
        // Statements through ADO.NET retry for DefaultTimeout seconds (0: without end); raw ones wait in SQLite's busy handler.
        _connection.DefaultTimeout = forever ? 0 : Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        Execute($"PRAGMA busy_timeout = {(forever ? int.MaxValue : (int)Math.Min(int.MaxValue, wait.TotalMilliseconds))};");
    }

    // ---- generations -------------------------------------------------------------------------------------------

    public Generation? CurrentGeneration() => Generations(1).FirstOrDefault();

    /// <summary>Generations, newest first.</summary>
    public IReadOnlyList<Generation> Generations(int limit = int.MaxValue)
    {
        using var command = Command("SELECT id, created_at, approved_by, reason, kind, policy_name, policy_digest, policy_text, tree, host, entry_count FROM generations ORDER BY id DESC LIMIT $limit", null, ("$limit", limit));
        using var reader = command.ExecuteReader();
        var result = new List<Generation>();
        while (reader.Read())
        {
            result.Add(new Generation(reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt64(10)));
        }
        return result;
    }

    /// <summary>The current generation; a usage error naming the fix when the database has none yet.</summary>
    public Generation RequireCurrentGeneration() =>
        CurrentGeneration()
        ?? throw new ComplianceException($"no approved baseline in {DatabasePath}: run `compliance baseline` first.", FailureKind.Usage);

    /// <summary>The policy recorded with the current baseline.</summary>
    public Policy CurrentPolicy() => PolicyOf(RequireCurrentGeneration());

    /// <summary>
    /// The policy recorded with a generation, verified against the digest recorded with it: a text edited in the
    /// database (an exclude added) would otherwise narrow every later check without a trace.
    /// </summary>
    public static Policy PolicyOf(Generation generation)
    {
        var policy = PolicyLoader.Parse(generation.PolicyText, $"policy of generation {generation.Id}");
        if (policy.Digest != generation.PolicyDigest)
            throw new ComplianceException(
                $"the policy stored with generation {generation.Id} does not match its recorded digest (sha256:{generation.PolicyDigest}): "
                + "the database was altered; refusing to use it", FailureKind.Runtime);
        return policy;
    }

    // ---- baseline entries --------------------------------------------------------------------------------------

    /// <summary>
    /// Baseline entries of the current generation (or of <paramref name="generation"/>), at or below
    /// <paramref name="scope"/>, in walk order.
    /// </summary>
    public IEnumerable<FileEntry> BaselineInWalkOrder(string? scope = null, long? generation = null)
    {
        using var cursor = OpenBaseline(scope, generation);
        while (cursor.MoveNext())
            yield return cursor.Entry();
    }

    /// <summary>
    /// A cursor over the baseline entries of the current generation (or of <paramref name="generation"/>), at or
    /// below <paramref name="scope"/>, in walk order. The caller disposes it.
    /// </summary>
    public IBaselineCursor OpenBaseline(string? scope = null, long? generation = null)
    {
        var where = generation is null ? "retired_gen IS NULL" : "first_gen <= ?3 AND (retired_gen IS NULL OR retired_gen > ?3)";
        var (low, high) = ScopeRange(scope);
        // Its own read-only connection: a scan reads the baseline on one thread while it writes observations on
        // another, and in WAL mode this reader sees one consistent snapshot throughout. Opened raw, as ADO.NET cannot
        // ask for either of two things that matter when every row is read: no mutex (only one thread uses it; in
        // serialized mode each of the million column calls locked one) and memory-mapped pages (no pread per page).
        // The same name the store's connection was opened with, so that an immutable store reads immutable here too.
        var reading = OpenReader();
        try
        {
            Check(SQLitePCL.raw.sqlite3_busy_timeout(reading, (int)BusyTimeout.TotalMilliseconds), reading);
            Check(SQLitePCL.raw.sqlite3_exec(reading, $"PRAGMA mmap_size = {ReaderMapSize}"), reading);
            // Rows are read through SQLite's own statement API: a scan reads every baseline row, and the ADO.NET
            // reader's per-column checks cost more than decoding the row itself.
            var range = scope is null ? "" : " AND walk_key >= ?1 AND walk_key < ?2";
            var sql = $"SELECT {Schema.EntryColumns}, fingerprint FROM baseline WHERE {where}{range} ORDER BY walk_key";
            Check(SQLitePCL.raw.sqlite3_prepare_v2(reading, sql, out var statement), reading);
            if (scope is not null)
            {
                SQLitePCL.raw.sqlite3_bind_blob(statement, 1, low);
                SQLitePCL.raw.sqlite3_bind_blob(statement, 2, high);
            }
            if (generation is { } g)
                SQLitePCL.raw.sqlite3_bind_int64(statement, 3, g);
            return new StoredBaselineCursor(reading, statement);
        }
        catch
        {
            reading.Dispose();
            throw;
        }
    }

    /// <summary>Steps a baseline statement; decodes a row's path once, and the rest of it only when asked.</summary>
    private sealed class StoredBaselineCursor(SQLitePCL.sqlite3 database, SQLitePCL.sqlite3_stmt statement) : IBaselineCursor
    {
        private string? _path;

        public bool MoveNext()
        {
            _path = null;
            int step = SQLitePCL.raw.sqlite3_step(statement);
            if (step == SQLitePCL.raw.SQLITE_ROW)
                return true;
            if (step != SQLitePCL.raw.SQLITE_DONE)
                Check(step, database);
            return false;
        }

        public string Path => _path ??= EntryPath.FromBytes(SQLitePCL.raw.sqlite3_column_blob(statement, 0));

        public ReadOnlySpan<byte> Fingerprint => SQLitePCL.raw.sqlite3_column_blob(statement, EntryCodec.ColumnCount);

        public FileEntry Entry() => EntryCodec.Read(statement);

        public void Dispose()
        {
            statement.Dispose();
            database.Dispose();
        }
    }

    /// <summary>How much of the database file the baseline reader maps (SQLite maps no more than the file's size).</summary>
    private const long ReaderMapSize = 1L << 30;

    /// <summary>How long the baseline reader waits for a lock another process holds, as ADO.NET's default command timeout.</summary>
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A second, read-only connection to the store's file, by its name. A name that cannot be looked up for a moment
    /// (its directory closed by chmod, while the store's own connection is still open) is tried again, as a lock
    /// is waited for, rather than failing the scan.
    /// </summary>
    private SQLitePCL.sqlite3 OpenReader()
    {
        var deadline = DateTime.UtcNow + BusyTimeout;
        while (true)
        {
            int opened = SQLitePCL.raw.sqlite3_open_v2(_sqliteName, out var reading,
                SQLitePCL.raw.SQLITE_OPEN_READONLY | SQLitePCL.raw.SQLITE_OPEN_NOMUTEX | SQLitePCL.raw.SQLITE_OPEN_URI, null);
            if (opened == SQLitePCL.raw.SQLITE_OK)
                return reading;
            var message = SQLitePCL.raw.sqlite3_errmsg(reading).utf8_to_string();
            reading.Dispose();
            if (opened != SQLitePCL.raw.SQLITE_CANTOPEN || DateTime.UtcNow > deadline)
                throw new SqliteException(message, opened);
            Thread.Sleep(100);
        }
    }

    private static void Check(int result, SQLitePCL.sqlite3 database)
    {
        if (result != SQLitePCL.raw.SQLITE_OK)
            throw new SqliteException(SQLitePCL.raw.sqlite3_errmsg(database).utf8_to_string(), result);
    }

    private static void Check(int result, SqliteConnection connection) => Check(result, connection.Handle!);

    /// <summary>A raw statement on this store's connection (for rows written by the ten thousand); the caller disposes it.</summary>
    internal SQLitePCL.sqlite3_stmt Prepare(string sql)
    {
        Check(SQLitePCL.raw.sqlite3_prepare_v2(_connection.Handle, sql, out var statement), _connection);
        return statement;
    }

    /// <summary>Runs a statement that returns no rows, then resets it for its next parameters.</summary>
    internal void StepToEnd(SQLitePCL.sqlite3_stmt statement)
    {
        int step = SQLitePCL.raw.sqlite3_step(statement);
        SQLitePCL.raw.sqlite3_reset(statement);
        if (step != SQLitePCL.raw.SQLITE_DONE)
            Check(step, _connection);
    }

    public FileEntry? FindBaseline(string path) => FindBaselines([path])[0];

    /// <summary>
    /// The current baseline entry of each path (null where there is none), read in one transaction: a watch looks up
    /// every path of a batch, and each lookup on its own would take and release SQLite's read lock.
    /// </summary>
    public IReadOnlyList<FileEntry?> FindBaselines(IReadOnlyList<string> paths)
    {
        using var transaction = _connection.BeginTransaction(deferred: true);
        using var find = Prepare($"SELECT {Schema.EntryColumns} FROM baseline WHERE retired_gen IS NULL AND walk_key = ?1");
        var key = new EntryCodec.StatementParameters(find);
        var entries = new FileEntry?[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            key.Blob(0, EntryPath.SortKey(paths[i]));
            int step = SQLitePCL.raw.sqlite3_step(find);
            if (step == SQLitePCL.raw.SQLITE_ROW)
                entries[i] = EntryCodec.Read(find);
            SQLitePCL.raw.sqlite3_reset(find);
            if (step is not (SQLitePCL.raw.SQLITE_ROW or SQLitePCL.raw.SQLITE_DONE))
                Check(step, _connection);
        }
        return entries;
    }

    /// <summary>For each path, what the current baseline and the stored drift hold below it; read in one transaction.</summary>
    public IReadOnlyList<EntriesBelow> FindEntriesBelow(IReadOnlyList<string> paths)
    {
        var result = new EntriesBelow[paths.Count];
        if (paths.Count == 0)
            return result;
        using var transaction = _connection.BeginTransaction(deferred: true);
        using var drift = Prepare("SELECT 1 FROM observed WHERE walk_key > ?1 AND walk_key < ?2 LIMIT 1");
        using var approved = Prepare("SELECT 1 FROM baseline WHERE retired_gen IS NULL AND walk_key > ?1 AND walk_key < ?2 LIMIT 1");
        for (int i = 0; i < paths.Count; i++)
        {
            // The range of a path and everything below it; the path's own key is its low end, which > leaves out.
            var (low, high) = ScopeRange(paths[i]);
            result[i] = (AnyRow(drift, low, high) ? EntriesBelow.Drift : EntriesBelow.None)
                | (AnyRow(approved, low, high) ? EntriesBelow.Approved : EntriesBelow.None);
        }
        return result;
    }

    private bool AnyRow(SQLitePCL.sqlite3_stmt find, byte[] low, byte[] high)
    {
        var range = new EntryCodec.StatementParameters(find);
        range.Blob(0, low);
        range.Blob(1, high);
        int step = SQLitePCL.raw.sqlite3_step(find);
        SQLitePCL.raw.sqlite3_reset(find);
        if (step is not (SQLitePCL.raw.SQLITE_ROW or SQLitePCL.raw.SQLITE_DONE))
            Check(step, _connection);
        return step == SQLitePCL.raw.SQLITE_ROW;
    }

    /// <summary>
    /// For each object (inode on device), the approved entries whose paths are stored as absent and which had that
    /// inode on that device: where an object that appeared may have been moved from. Read in one transaction.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<FileEntry>> FindRemovedWithInodes(IReadOnlyList<(ulong Inode, ulong Device)> objects)
    {
        var result = new IReadOnlyList<FileEntry>[objects.Count];
        Array.Fill(result, []);
        if (objects.Count == 0)
            return result;
        using var transaction = _connection.BeginTransaction(deferred: true);
        // A storm of new files with nothing removed asks once, not once per file.
        if (Scalar<long>("SELECT EXISTS (SELECT 1 FROM observed WHERE present = 0)", transaction) == 0)
            return result;
        using var find = Prepare($"SELECT {Schema.EntryColumns} FROM observed WHERE present = 0 AND inode = ?1 AND device = ?2");
        var key = new EntryCodec.StatementParameters(find);
        for (int i = 0; i < objects.Count; i++)
        {
            key.Int64(0, unchecked((long)objects[i].Inode));
            key.Int64(1, unchecked((long)objects[i].Device));
            List<FileEntry>? found = null;
            int step;
            while ((step = SQLitePCL.raw.sqlite3_step(find)) == SQLitePCL.raw.SQLITE_ROW)
                (found ??= []).Add(EntryCodec.Read(find));
            SQLitePCL.raw.sqlite3_reset(find);
            if (step != SQLitePCL.raw.SQLITE_DONE)
                Check(step, _connection);
            if (found is not null)
                result[i] = found;
        }
        return result;
    }

    public long BaselineCount() => Scalar<long>("SELECT count(*) FROM baseline WHERE retired_gen IS NULL");

    /// <summary>The walk-key range holding a path and everything below it (the separator is 0x00 in keys).</summary>
    internal static (byte[] Low, byte[] High) ScopeRange(string? scope)
    {
        if (scope is null)
            return ([], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        var key = EntryPath.SortKey(scope.Length > 1 ? scope.TrimEnd('/') : scope);
        if (key.Length > 0 && key[^1] == 0)
            key = key[..^1];   // "/" is key 0x00: the range below is every key starting 0x00
        var high = new byte[key.Length + 1];
        key.CopyTo(high, 0);
        high[^1] = 0x01;
        return (key, high);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /// <summary>How every time is stored: UTC to the 100 ns, a fixed width, so that times compare as text.</summary>
    internal const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    internal static string StoreTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal static string Now() => StoreTime(DateTimeOffset.UtcNow);

    internal SqliteCommand Command(string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    internal void Execute(string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        command.ExecuteNonQuery();
    }

    internal T Scalar<T>(string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        var value = command.ExecuteScalar();
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
    }

    internal SqliteTransaction BeginTransaction() => _connection.BeginTransaction();

    /// <summary>Runs SQLite's own consistency check; "ok" when the file is sound.</summary>
    public string IntegrityCheck() => Scalar<string>("PRAGMA integrity_check");

    public void Dispose()
    {
        _connection.Dispose();
    }
}

/// <summary>An approved baseline generation.</summary>
public sealed record Generation(long Id, DateTimeOffset CreatedAt, string ApprovedBy, string Reason, string Kind, string PolicyName,
    string PolicyDigest, string PolicyText, string Tree, string Host, long EntryCount)
{
    /// <summary>
    /// Whether a scan of <paramref name="tree"/> is a scan of the subject the database follows while this generation
    /// is current: its recorded tree. Only such scans keep the drift accept approves (see <see cref="Reconciler.KeepsDrift"/>).
    /// </summary>
    public bool IsSubject(IFileTree tree) => tree.Description == Tree;
}
