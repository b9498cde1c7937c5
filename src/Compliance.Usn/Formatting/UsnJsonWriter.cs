using System.Buffers;
using System.Text;
using System.Text.Json;
using Compliance.Core.Output;
using Compliance.Usn.Records;

namespace Compliance.Usn.Formatting;

/// <summary>A JSON array with one object a record, one object a line; the fields and their text are those of the CSV layout, plus the extents of V4 records.</summary>
public sealed class UsnJsonWriter(TextWriter output) : UsnRecordWriter(output)
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private bool _any;

    public override void Write(UsnRecord record)
    {
        _buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("usn", record.Usn);
            json.WriteString("timestamp", UsnFormat.TimeStamp(record));
            json.WriteString("file_id", UsnFormat.FileId(record.FileId));
            json.WriteString("parent_file_id", UsnFormat.FileId(record.ParentFileId));
            json.WriteString("reason", $"0x{(uint)record.Reason:x8}");
            json.WriteString("reason_names", UsnFlagNames.Of(record.Reason));
            json.WriteString("source_info", $"0x{(uint)record.SourceInfo:x8}");
            json.WriteNumber("security_id", record.SecurityId);
            json.WriteString("attributes", $"0x{(uint)record.FileAttributes:x8}");
            if (record.FileName is null)
                json.WriteNull("name");
            else
                JsonText.WriteText(json, "name", record.FileName);
            json.WriteNumber("major_version", record.MajorVersion);
            json.WriteNumber("record_length", record.RecordLength);
            if (record.MajorVersion == 4)
            {
                json.WriteNumber("remaining_extents", record.RemainingExtents);
                json.WriteStartArray("extents");
                foreach (var extent in record.Extents)
                {
                    json.WriteStartObject();
                    json.WriteNumber("offset", extent.Offset);
                    json.WriteNumber("length", extent.Length);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        Output.WriteLine(_any ? "," : "[");
        Output.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _any = true;
    }

    public override void Complete() => Output.WriteLine(_any ? "\n]" : "[]");
}
