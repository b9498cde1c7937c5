using Compliance.Core.Model;

namespace Compliance.Ntfs;

/// <summary>`mft list` rows: one per visible name of each entry, so a file with three hard links gives three rows.</summary>
public static class MftListing
{
    public const string CsvHeader = "entry,sequence,in_use,path,is_dir,size,si_created,si_modified,si_mft_modified,si_accessed,streams";

    /// <summary>
    /// Writes one CSV row per name. <paramref name="pathPrefix"/> ("" or e.g. "partition2/") tells apart volumes
    /// of one disk. The root directory's own "." name is not a row, as in `fls`.
    /// </summary>
    public static void WriteCsvRows(MftCatalog catalog, TextWriter writer, string pathPrefix = "")
    {
        Span<char> time = stackalloc char[32];
        foreach (var entry in catalog.Entries)
        {
            string? streams = null;
            foreach (var name in entry.VisibleNames())
            {
                if (entry.RecordNumber == MftCatalog.RootRecord && name.Parent.RecordNumber == MftCatalog.RootRecord)
                    continue;
                writer.Write(entry.RecordNumber);
                writer.Write(',');
                writer.Write(entry.Sequence);
                writer.Write(entry.InUse ? ",true," : ",false,");
                // Unpaired surrogates, legal in NTFS names, escaped as the gate shows them.
                WriteField(writer, EntryPath.ToDisplayText(pathPrefix + catalog.PathOf(entry, name)));
                writer.Write(entry.IsDirectory ? ",true," : ",false,");
                writer.Write(SizeOf(entry));
                if (entry.StandardInformation is { } si)
                {
                    WriteTime(writer, si.Created, time);
                    WriteTime(writer, si.Modified, time);
                    WriteTime(writer, si.MftModified, time);
                    WriteTime(writer, si.Accessed, time);
                }
                else
                {
                    writer.Write(",,,,");
                }
                writer.Write(',');
                streams ??= EntryPath.ToDisplayText(string.Join(';', entry.DataStreams.Where(s => s.Name.Length > 0).Select(s => s.Name)));
                WriteField(writer, streams);
                writer.Write('\n');
            }
        }
    }

    /// <summary>A file's size is its main stream's; a directory's is its $I30 index root's, the figure `fls -l` prints.</summary>
    public static long SizeOf(MftEntry entry) => entry.IsDirectory ? entry.IndexRootSize : entry.MainStream?.Size ?? 0;

    private static void WriteTime(TextWriter writer, long fileTime, Span<char> buffer)
    {
        writer.Write(',');
        writer.Write(buffer[..FileTime.FormatIso8601(fileTime, buffer)]);
    }

    // RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes.
    private static void WriteField(TextWriter writer, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\""));
        writer.Write('"');
    }
}
