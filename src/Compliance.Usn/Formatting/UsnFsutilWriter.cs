using System.Globalization;
using Compliance.Usn.Records;

namespace Compliance.Usn.Formatting;

/// <summary>
/// Reproduces the record layout of <c>fsutil usn readjournal</c>: labels padded to 18 columns, flags as
/// 8 hex digits followed by their names, time stamps in UTC to the second (fsutil drops the fraction).
/// V4 records have no name, time or attributes and end with their extents instead of a blank line.
/// </summary>
public sealed class UsnFsutilWriter(TextWriter output) : UsnRecordWriter(output)
{
    public override void Write(UsnRecord record)
    {
        Line("Usn", record.Usn.ToString(CultureInfo.InvariantCulture));
        if (record.MajorVersion != 4)
        {
            Line("File name", UsnFormat.Name(record.FileName!));
            Line("File name length", (record.FileName!.Length * 2).ToString(CultureInfo.InvariantCulture));
        }
        Line("Reason", $"0x{(uint)record.Reason:x8}: {UsnFlagNames.Of(record.Reason)}");
        if (record.MajorVersion != 4)
        {
            Line("Time stamp", record.TimeStampUtc?.ToString("M/d/yyyy H:mm:ss", CultureInfo.InvariantCulture) ?? $"(FILETIME {record.TimeStamp})");
            Line("File attributes", $"0x{(uint)record.FileAttributes:x8}: {UsnFlagNames.Of(record.FileAttributes)}");
        }
        Line("File ID", UsnFormat.FileId(record.FileId));
        Line("Parent file ID", UsnFormat.FileId(record.ParentFileId));
        Line("Source info", $"0x{(uint)record.SourceInfo:x8}: {UsnFlagNames.Of(record.SourceInfo)}");
        if (record.MajorVersion != 4)
            Line("Security ID", record.SecurityId.ToString(CultureInfo.InvariantCulture));
        Line("Major version", record.MajorVersion.ToString(CultureInfo.InvariantCulture));
        Line("Minor version", record.MinorVersion.ToString(CultureInfo.InvariantCulture));
        Line("Record length", record.RecordLength.ToString(CultureInfo.InvariantCulture));
        if (record.MajorVersion != 4)
        {
            Output.WriteLine();
            return;
        }
        Line("Number of extents", record.Extents.Count.ToString(CultureInfo.InvariantCulture));
        Line("Remaining extents", record.RemainingExtents.ToString(CultureInfo.InvariantCulture));
        Line("Extents", "");
        for (int i = 0; i < record.Extents.Count; i++)
            Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    [{i + 1}: {record.Extents[i].Offset}, {record.Extents[i].Length}] "));
    }

    private void Line(string label, string value) =>
        Output.WriteLine(value.Length == 0 ? $"{label,-18}:" : $"{label,-18}: {value}");
}
