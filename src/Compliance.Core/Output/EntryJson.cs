using System.Buffers;
using System.Text.Json;
using Compliance.Core.Attributes;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Output;

/// <summary>Entries and findings as JSON, in the attribute vocabulary's names: what check --json, export and the store use.</summary>
public static class EntryJson
{
    /// <summary>{"path": ..., "type": ..., each attribute the entry has: its formatted value, "error": ...}</summary>
    public static void WriteEntry(Utf8JsonWriter writer, FileEntry entry)
    {
        writer.WriteStartObject();
        JsonText.WritePath(writer, "path", entry.Path);
        foreach (var attribute in AttributeCatalog.All)
        {
            if (attribute == AttributeCatalog.LinkTarget)
            {
                if (entry.LinkTarget is { } target)
                    JsonText.WriteText(writer, attribute.Name, target);
                continue;
            }
            if (attribute.Format(entry) is { } value)
                writer.WriteString(attribute.Name, value);
        }
        if (entry.Category.Length > 0)
            writer.WriteString("category", entry.Category);
        if (entry.Error is not null)
            writer.WriteString("error", entry.Error);
        writer.WriteEndObject();
    }

    /// <summary>The keys every finding's JSON starts with, in check output and in watch events alike: path, kind, attributes.</summary>
    public static void WriteWhatChanged(Utf8JsonWriter writer, Finding finding)
    {
        JsonText.WritePath(writer, "path", finding.Path);
        writer.WriteString("kind", finding.Kind.ToName());
        writer.WriteStartArray("attributes");
        foreach (var name in finding.Attributes)
            writer.WriteStringValue(name);
        writer.WriteEndArray();
    }

    public static void WriteFinding(Utf8JsonWriter writer, Finding finding)
    {
        writer.WriteStartObject();
        WriteWhatChanged(writer, finding);
        writer.WriteString("category", finding.Category);
        writer.WriteString("severity", finding.Severity.ToName());
        writer.WriteString("source", finding.Source);
        writer.WriteString("time", finding.ObservedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"));
        if (finding.Detail is not null)
            writer.WriteString("detail", finding.Detail);
        if (finding.Kind == DriftKind.Moved && finding.Before is not null)
            JsonText.WritePath(writer, "from", finding.Before.Path);
        WriteChangedValues(writer, "before", finding.Before, finding);
        WriteChangedValues(writer, "after", finding.After, finding);
        if (finding.ProcessId is { } pid)
            writer.WriteNumber("pid", pid);
        if (finding.ProcessPath is not null)
            writer.WriteString("exe", finding.ProcessPath);
        writer.WriteEndObject();
    }

    /// <summary>The values of the changed attributes (all of them for added/removed), null for the missing side.</summary>
    private static void WriteChangedValues(Utf8JsonWriter writer, string name, FileEntry? entry, Finding finding)
    {
        writer.WritePropertyName(name);
        if (entry is null)
        {
            writer.WriteNullValue();
            return;
        }
        if (finding.Kind is DriftKind.Added or DriftKind.Removed or DriftKind.Unverified)
        {
            WriteEntry(writer, entry);
            return;
        }
        writer.WriteStartObject();
        JsonText.WritePath(writer, "path", entry.Path);
        foreach (var attributeName in finding.Attributes)
        {
            if (AttributeCatalog.ByName(attributeName) is { } attribute && attribute.Format(entry) is { } value)
                writer.WriteString(attribute.Name, value);
        }
        writer.WriteEndObject();
    }

    /// <summary>What <paramref name="write"/> writes, as a string.</summary>
    public static string ToJson(Action<Utf8JsonWriter> write, bool indented = false) =>
        WithJson(write, static utf8 => System.Text.Encoding.UTF8.GetString(utf8), indented);

    /// <summary>Reads JSON as the UTF-8 bytes it was written as, valid only during the call.</summary>
    public delegate TResult Utf8Reader<TResult>(ReadOnlySpan<byte> utf8);

    /// <summary>
    /// Hands what <paramref name="write"/> writes to <paramref name="read"/> as UTF-8, straight from the writer's
    /// buffer. Every stored finding is two of these (before and after), so each thread keeps one buffer and writer per
    /// layout, and the store binds the bytes with no string between: a watch storing tens of thousands of findings a
    /// second otherwise spent more time allocating and clearing than writing JSON.
    /// </summary>
    public static TResult WithJson<TResult>(Action<Utf8JsonWriter> write, Utf8Reader<TResult> read, bool indented = false)
    {
        ref var cached = ref indented ? ref t_indented : ref t_compact;
        // A nested call (write itself asking for JSON) gets a writer of its own.
        var (buffer, writer) = cached ?? NewWriter(indented);
        cached = null;
        try
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            write(writer);
            writer.Flush();
            return read(buffer.WrittenSpan);
        }
        finally
        {
            cached = (buffer, writer);
        }
    }

    [ThreadStatic] private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_compact;
    [ThreadStatic] private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_indented;

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewWriter(bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        return (buffer, new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = indented,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
    }
}
