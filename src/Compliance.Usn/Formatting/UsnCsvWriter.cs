using System.Globalization;
using Compliance.Usn.Records;

namespace Compliance.Usn.Formatting;

/// <summary>One CSV row a record (RFC 4180 quoting), under a fixed header.</summary>
public sealed class UsnCsvWriter : UsnRecordWriter
{
    public const string Header =
        "usn,timestamp,file_id,parent_file_id,reason,reason_names,source_info,security_id,attributes,name,major_version,record_length";

    public UsnCsvWriter(TextWriter output)
        : base(output) => Output.WriteLine(Header);

    public override void Write(UsnRecord record)
    {
        string[] fields =
        [
            record.Usn.ToString(CultureInfo.InvariantCulture),
            UsnFormat.TimeStamp(record),
            UsnFormat.FileId(record.FileId),
            UsnFormat.FileId(record.ParentFileId),
            $"0x{(uint)record.Reason:x8}",
            UsnFlagNames.Of(record.Reason),
            $"0x{(uint)record.SourceInfo:x8}",
            record.SecurityId.ToString(CultureInfo.InvariantCulture),
            $"0x{(uint)record.FileAttributes:x8}",
            UsnFormat.Name(record.FileName ?? ""),
            record.MajorVersion.ToString(CultureInfo.InvariantCulture),
            record.RecordLength.ToString(CultureInfo.InvariantCulture),
        ];
        Output.WriteLine(string.Join(',', fields.Select(Quote)));
    }

    // File names may hold commas, quotes and even line breaks.
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"")}\"";
}
