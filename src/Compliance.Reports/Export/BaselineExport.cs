using System.Globalization;
using System.Text.Json;
using Compliance.Core.Attributes;
using Compliance.Core.Model;
using Compliance.Core.Output;
using CsvHelper;

namespace Compliance.Reports.Export;

/// <summary>
/// One row per baseline entry, columns named by the attribute vocabulary: path, then every attribute in catalog
/// order (type, size, mode, ... and one column per hash algorithm named after it), then category and error.
/// </summary>
public static class BaselineExport
{
    public static IReadOnlyList<string> CsvHeader { get; } =
        ["path", .. AttributeCatalog.All.Select(a => a.Name), "category", "error"];

    // A file named =HYPERLINK(...) must not become a formula in the spreadsheet an auditor opens this in.
    private static readonly CsvWriterOptions Options = new() { Injection = CsvInjection.Escape };

    public static void WriteCsv(IEnumerable<FileEntry> entries, TextWriter output)
    {
        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteRecord(CsvHeader.ToArray());
        var row = new string[CsvHeader.Count];
        foreach (var entry in entries)
        {
            int column = 0;
            row[column++] = EntryPath.ToDisplay(entry.Path);
            foreach (var attribute in AttributeCatalog.All)
            {
                var value = attribute == AttributeCatalog.LinkTarget && entry.LinkTarget is { } target ? EntryPath.ToDisplayText(target) : attribute.Format(entry);
                row[column++] = value ?? "";
            }
            row[column++] = entry.Category;
            row[column] = entry.Error ?? "";
            csv.WriteRecord(row);
        }
    }

    /// <summary>A JSON array of entries, streamed.</summary>
    public static void WriteJson(IEnumerable<FileEntry> entries, Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartArray();
        foreach (var entry in entries)
        {
            EntryJson.WriteEntry(writer, entry);
            if (writer.BytesPending > 1 << 16)
                writer.Flush();
        }
        writer.WriteEndArray();
    }
}
