using Compliance.Usn.Records;

namespace Compliance.Usn.Formatting;

/// <summary>The layouts <c>compliance usn dump</c> can print records in.</summary>
public enum UsnRecordFormat
{
    /// <summary>The layout of Windows' <c>fsutil usn readjournal</c>.</summary>
    Fsutil,
    Csv,

    /// <summary>A JSON array, one object a record.</summary>
    Json,
}

/// <summary>Writes records one at a time in one of the <see cref="UsnRecordFormat"/> layouts.</summary>
public abstract class UsnRecordWriter(TextWriter output)
{
    protected TextWriter Output { get; } = output;

    public static UsnRecordWriter Create(UsnRecordFormat format, TextWriter output) => format switch
    {
        UsnRecordFormat.Fsutil => new UsnFsutilWriter(output),
        UsnRecordFormat.Csv => new UsnCsvWriter(output),
        UsnRecordFormat.Json => new UsnJsonWriter(output),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public abstract void Write(UsnRecord record);

    /// <summary>Writes whatever closes the output (the JSON array's bracket); call once after the last record.</summary>
    public virtual void Complete()
    {
    }

    /// <summary>A 128-bit file ID as 32 hex digits, most significant first: how fsutil prints FILE_ID_128.</summary>
    public static string FormatFileId(UInt128 fileId) => fileId.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 UTC with the full 100 ns precision of a FILETIME; empty for a V4 record or an out-of-range value.</summary>
    public static string FormatTimeStamp(UsnRecord record) =>
        record.MajorVersion == 4 || record.TimeStampUtc is not { } utc
            ? ""
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
