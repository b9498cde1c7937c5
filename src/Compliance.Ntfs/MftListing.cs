using System.Text;

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
        var line = new StringBuilder(256);
        foreach (var entry in catalog.Entries)
        {
            foreach (var name in entry.VisibleNames())
            {
                if (entry.RecordNumber == MftCatalog.RootRecord && name.Parent.RecordNumber == MftCatalog.RootRecord)
                    continue;
                line.Clear();
                var si = entry.StandardInformation;
                line.Append(entry.RecordNumber).Append(',')
                    .Append(entry.Sequence).Append(',')
                    .Append(entry.InUse ? "true" : "false").Append(',');
                AppendField(line, pathPrefix + catalog.PathOf(entry, name));
                line.Append(',').Append(entry.IsDirectory ? "true" : "false").Append(',')
                    .Append(SizeOf(entry)).Append(',')
                    .Append(si is null ? "" : FileTime.ToIso8601(si.Created)).Append(',')
                    .Append(si is null ? "" : FileTime.ToIso8601(si.Modified)).Append(',')
                    .Append(si is null ? "" : FileTime.ToIso8601(si.MftModified)).Append(',')
                    .Append(si is null ? "" : FileTime.ToIso8601(si.Accessed)).Append(',');
                AppendField(line, string.Join(';', entry.DataStreams.Where(s => s.Name.Length > 0).Select(s => s.Name)));
                writer.Write(line);
                writer.Write('\n');
            }
        }
    }

    /// <summary>A file's size is its main stream's; a directory's is its $I30 index root's, the figure `fls -l` prints.</summary>
    public static long SizeOf(MftEntry entry) => entry.IsDirectory ? entry.IndexRootSize : entry.MainStream?.Size ?? 0;

    // RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes.
    private static void AppendField(StringBuilder line, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }
        line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
    }
}
