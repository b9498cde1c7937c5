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
}
