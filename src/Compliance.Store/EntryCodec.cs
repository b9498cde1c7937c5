using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Compliance.Core.Model;
using Compliance.Core.Output;
using Microsoft.Data.Sqlite;

namespace Compliance.Store;

/// <summary>Writes a <see cref="FileEntry"/> into the columns of <see cref="Schema.EntryColumns"/> and reads it back.</summary>
internal static class EntryCodec
{
    public const int ColumnCount = 26;

    public static string Placeholders(int first = 0) =>
        string.Join(", ", Enumerable.Range(first, ColumnCount).Select(i => "$p" + i));

    /// <summary>Adds parameters $p0..$p25 (or from <paramref name="first"/>) to a command, to be filled by <see cref="Bind"/>.</summary>
    public static SqliteParameter[] AddParameters(SqliteCommand command, int first = 0)
    {
        var parameters = new SqliteParameter[ColumnCount];
        for (int i = 0; i < ColumnCount; i++)
            parameters[i] = command.Parameters.Add(new SqliteParameter("$p" + (first + i), null));
        return parameters;
    }

    public static void Bind(SqliteParameter[] parameters, FileEntry entry) => Bind(new AdoParameters(parameters), entry);

    /// <summary>Binds the entry to parameters ?1..?26 of a raw statement (the hot path of writing a baseline).</summary>
    public static void Bind(SQLitePCL.sqlite3_stmt statement, FileEntry entry) => Bind(new StatementParameters(statement), entry);

    private static void Bind<TParameters>(TParameters p, FileEntry e) where TParameters : struct, IParameters
    {
        p.Blob(0, EntryPath.ToBytes(e.Path));
        p.Blob(1, EntryPath.SortKey(e.Path));
        p.Text(2, e.Category);
        p.Text(3, e.Type.ToName());
        p.Int64(4, e.Size);
        p.Int64(5, e.Mode);
        p.Int64(6, e.Uid);
        p.Int64(7, e.Gid);
        p.Int64(8, e.MtimeNs);
        p.Int64(9, e.CtimeNs);
        p.Int64(10, e.BirthTimeNs);
        p.Int64(11, e.Inode is { } inode ? unchecked((long)inode) : null);
        p.Int64(12, e.Device is { } device ? unchecked((long)device) : null);
        p.Int64(13, e.LinkCount is { } nlink ? unchecked((long)nlink) : null);
        p.Blob(14, e.LinkTarget is { } target ? EntryPath.ToBytes(target) : null);
        p.Blob(15, e.ExtendedAttributes is { } xattrs ? EncodeXattrs(xattrs) : null);
        p.Int64(16, e.WindowsAttributes);
        p.Text(17, e.OwnerSid);
        p.Text(18, e.Dacl);
        p.Blob(19, e.FileIdBigEndian);
        // [name, size] or, with the content's digest, [name, size, hex]: rows from before digests read as they were.
        p.Text(20, e.Streams is { } streams
            ? JsonSerializer.Serialize(streams.Select(s => s.Blake3 is { } digest ? new[] { s.Name, s.Size.ToString(), Convert.ToHexStringLower(digest) } : [s.Name, s.Size.ToString()]))
            : null);
        p.Blob(21, e.Hashes.GetValueOrDefault("blake3"));
        p.Blob(22, e.Hashes.GetValueOrDefault("sha256"));
        p.Text(23, e.Error);
        p.Int64(24, e.SpecialDevice is { } rdev ? unchecked((long)rdev) : null);
        p.Int64(25, e.Flags is { } flags ? (long)flags : null);
    }

    /// <summary>
    /// Binds the entry's <see cref="EntryFingerprint"/> to the parameter after the entry columns of a raw
    /// baseline insert; NULL for an entry with an error.
    /// </summary>
    public static void BindFingerprint(SQLitePCL.sqlite3_stmt statement, FileEntry entry, FingerprintBuffer scratch)
    {
        Span<byte> fingerprint = stackalloc byte[EntryFingerprint.Length];
        int result = EntryFingerprint.TryCompute(entry, scratch, fingerprint)
            ? SQLitePCL.raw.sqlite3_bind_blob(statement, ColumnCount + 1, fingerprint)
            : SQLitePCL.raw.sqlite3_bind_null(statement, ColumnCount + 1);
        StatementParameters.Check(result);
    }

    /// <summary>Parameter binding shared by ADO.NET commands and raw statements, so one encoder serves both; null binds NULL.</summary>
    private interface IParameters
    {
        void Blob(int index, byte[]? value);
        void Text(int index, string? value);
        void Int64(int index, long? value);
    }

    private readonly struct AdoParameters(SqliteParameter[] parameters) : IParameters
    {
        public void Blob(int index, byte[]? value) => parameters[index].Value = (object?)value ?? DBNull.Value;
        public void Text(int index, string? value) => parameters[index].Value = (object?)value ?? DBNull.Value;
        public void Int64(int index, long? value) => parameters[index].Value = value is { } v ? v : DBNull.Value;
    }

    /// <summary>Binds by position (index i is parameter i + 1): ADO.NET looks every parameter up by name on every execution.</summary>
    internal readonly struct StatementParameters(SQLitePCL.sqlite3_stmt statement) : IParameters
    {
        public void Blob(int index, byte[]? value) =>
            Check(value is null ? SQLitePCL.raw.sqlite3_bind_null(statement, index + 1) : SQLitePCL.raw.sqlite3_bind_blob(statement, index + 1, value));
        public void Text(int index, string? value) =>
            Check(value is null ? SQLitePCL.raw.sqlite3_bind_null(statement, index + 1) : SQLitePCL.raw.sqlite3_bind_text(statement, index + 1, value));

        /// <summary>A time as the store keeps times (<see cref="StateStore.TimeFormat"/>), formatted as UTF-8 on the stack.</summary>
        public void Time(int index, DateTimeOffset time)
        {
            Span<byte> text = stackalloc byte[64];
            if (!time.UtcDateTime.TryFormat(text, out int length, StateStore.TimeFormat, System.Globalization.CultureInfo.InvariantCulture))
                throw new InvalidOperationException("A stored time does not fit 64 bytes.");
            Check(SQLitePCL.raw.sqlite3_bind_text(statement, index + 1, text[..length]));
        }

        /// <summary>An entry as JSON text (null: NULL), bound from the JSON writer's UTF-8 bytes.</summary>
        public void Json(int index, FileEntry? entry)
        {
            var bound = statement;
            Check(entry is null ? SQLitePCL.raw.sqlite3_bind_null(bound, index + 1)
                : EntryJson.WithJson(w => EntryJson.WriteEntry(w, entry), utf8 => SQLitePCL.raw.sqlite3_bind_text(bound, index + 1, utf8)));
        }
        public void Int64(int index, long? value) =>
            Check(value is { } v ? SQLitePCL.raw.sqlite3_bind_int64(statement, index + 1, v) : SQLitePCL.raw.sqlite3_bind_null(statement, index + 1));

        public static void Check(int result)
        {
            if (result != SQLitePCL.raw.SQLITE_OK)
                throw new SqliteException($"binding a statement parameter failed with SQLite error {result}", result);
        }
    }

    /// <summary>Reads the entry columns starting at column <paramref name="at"/>.</summary>
    public static FileEntry Read(SqliteDataReader r, int at = 0) => Read(new DataReaderColumns(r), at);

    /// <summary>Reads the entry columns of the current row of a raw statement (the hot path of a scan).</summary>
    public static FileEntry Read(SQLitePCL.sqlite3_stmt statement) => Read(new StatementColumns(statement), 0);

    private static FileEntry Read<TColumns>(TColumns r, int at) where TColumns : struct, IColumns
    {
        var entry = new FileEntry
        {
            Path = EntryPath.FromBytes(r.Blob(at)),
            Category = r.Text(at + 2),
            Type = FileTypeNames.Parse(r.Text(at + 3)),
            Size = r.Int64(at + 4),
            Mode = r.IsNull(at + 5) ? null : (uint)r.Int64(at + 5),
            Uid = NullableLong(r, at + 6),
            Gid = NullableLong(r, at + 7),
            MtimeNs = NullableLong(r, at + 8),
            CtimeNs = NullableLong(r, at + 9),
            BirthTimeNs = NullableLong(r, at + 10),
            Inode = r.IsNull(at + 11) ? null : unchecked((ulong)r.Int64(at + 11)),
            Device = r.IsNull(at + 12) ? null : unchecked((ulong)r.Int64(at + 12)),
            LinkCount = r.IsNull(at + 13) ? null : unchecked((ulong)r.Int64(at + 13)),
            LinkTarget = r.IsNull(at + 14) ? null : EntryPath.FromBytes(r.Blob(at + 14)),
            ExtendedAttributes = r.IsNull(at + 15) ? null : DecodeXattrs(r.Blob(at + 15)),
            WindowsAttributes = r.IsNull(at + 16) ? null : (uint)r.Int64(at + 16),
            OwnerSid = r.IsNull(at + 17) ? null : r.Text(at + 17),
            Dacl = r.IsNull(at + 18) ? null : r.Text(at + 18),
            FileIdBigEndian = r.IsNull(at + 19) ? null : r.Blob(at + 19),
            Streams = r.IsNull(at + 20) ? null : JsonSerializer.Deserialize<string[][]>(r.Text(at + 20))!
                .Select(s => new DataStream(s[0], long.Parse(s[1]), s.Length > 2 ? Convert.FromHexString(s[2]) : null)).ToArray(),
            Error = r.IsNull(at + 23) ? null : r.Text(at + 23),
            SpecialDevice = r.IsNull(at + 24) ? null : unchecked((ulong)r.Int64(at + 24)),
            Flags = r.IsNull(at + 25) ? null : (InodeFlags)r.Int64(at + 25),
        };
        if (!r.IsNull(at + 21))
            entry.Hashes["blake3"] = r.Blob(at + 21);
        if (!r.IsNull(at + 22))
            entry.Hashes["sha256"] = r.Blob(at + 22);
        return entry;
    }

    /// <summary>Column access shared by the ADO.NET reader and raw statements, so one decoder serves both.</summary>
    private interface IColumns
    {
        bool IsNull(int column);
        long Int64(int column);
        byte[] Blob(int column);
        string Text(int column);
    }

    private readonly struct DataReaderColumns(SqliteDataReader reader) : IColumns
    {
        public bool IsNull(int column) => reader.IsDBNull(column);
        public long Int64(int column) => reader.GetInt64(column);
        public byte[] Blob(int column) => (byte[])reader.GetValue(column);
        public string Text(int column) => reader.GetString(column);
    }

    private readonly struct StatementColumns(SQLitePCL.sqlite3_stmt statement) : IColumns
    {
        public bool IsNull(int column) => SQLitePCL.raw.sqlite3_column_type(statement, column) == SQLitePCL.raw.SQLITE_NULL;
        public long Int64(int column) => SQLitePCL.raw.sqlite3_column_int64(statement, column);
        public byte[] Blob(int column) => SQLitePCL.raw.sqlite3_column_blob(statement, column).ToArray();
        public string Text(int column) => SQLitePCL.raw.sqlite3_column_text(statement, column).utf8_to_string();
    }

    private static long? NullableLong<TColumns>(TColumns r, int column) where TColumns : struct, IColumns => r.IsNull(column) ? null : r.Int64(column);

    /// <summary>Extended attributes as repeated [u16 name length][name][u32 value length][value], little-endian.</summary>
    private static byte[] EncodeXattrs(SortedDictionary<string, byte[]> xattrs)
    {
        // Most files have none: no stream, and no walk of the sorted set (its enumerator allocates a stack).
        if (xattrs.Count == 0)
            return [];
        using var buffer = new MemoryStream();
        Span<byte> header = stackalloc byte[4];
        foreach (var (name, value) in xattrs)
        {
            var nameBytes = EntryPath.ToBytes(name);
            BinaryPrimitives.WriteUInt16LittleEndian(header, checked((ushort)nameBytes.Length));
            buffer.Write(header[..2]);
            buffer.Write(nameBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)value.Length);
            buffer.Write(header);
            buffer.Write(value);
        }
        return buffer.ToArray();
    }

    private static SortedDictionary<string, byte[]> DecodeXattrs(byte[] data)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var span = data.AsSpan();
        while (!span.IsEmpty)
        {
            if (span.Length < 2)
                throw new InvalidDataException("Truncated extended attribute record in the store.");
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(span);
            if (span.Length < 2 + nameLength + 4)
                throw new InvalidDataException("Truncated extended attribute name in the store.");
            var name = EntryPath.FromBytes(span.Slice(2, nameLength));
            uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(span[(2 + nameLength)..]);
            int valueStart = 2 + nameLength + 4;
            if ((ulong)span.Length < (ulong)valueStart + valueLength)
                throw new InvalidDataException("Truncated extended attribute value in the store.");
            result[name] = span.Slice(valueStart, (int)valueLength).ToArray();
            span = span[(valueStart + (int)valueLength)..];
        }
        return result;
    }
}
