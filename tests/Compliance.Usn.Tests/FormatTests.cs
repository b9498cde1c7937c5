using Compliance.Usn.Formatting;
using Compliance.Usn.Records;

namespace Compliance.Usn.Tests;

public sealed class FormatTests
{
    private static string Dump(UsnRecordFormat format, string fixture)
    {
        var output = new StringWriter();
        var problems = new StringWriter();
        using var input = File.OpenRead(TestData.Path("ntfs", fixture));
        UsnDump.Run(input, UsnInputLayout.Raw, format, output, problems).Should().Be(0);
        problems.ToString().Should().BeEmpty();
        return output.ToString();
    }

    [Fact]
    public void Csv_has_the_documented_header_and_one_row_a_record()
    {
        var lines = Dump(UsnRecordFormat.Csv, "usnjrnlj.bin").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines[0].TrimEnd('\r').Should().Be("usn,timestamp,file_id,parent_file_id,reason,reason_names,source_info,security_id,attributes,name,major_version,record_length");
        lines.Should().HaveCount(272);
        lines[2].TrimEnd('\r').Should().Be(
            "80,2019-01-22T21:36:10.9243619Z,00000000000000000001000000000028,00000000000000000005000000000005,0x80000100,File create | Close,0x00000000,0,0x00000010,New folder,2,80");
    }

    [Fact]
    public void Csv_row_of_a_v4_record_has_no_time_or_name()
    {
        var lines = Dump(UsnRecordFormat.Csv, "usn_1170955904.bin").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines[1].TrimEnd('\r').Should().Be(
            "1170955904,,000000000000000000020000000051c0,00000000000000000004000000001066,0x80000001,Data overwrite | Close,0x00000000,0,0x00000000,,4,96");
    }

    [Fact]
    public void Json_is_an_array_with_the_csv_fields()
    {
        using var document = System.Text.Json.JsonDocument.Parse(Dump(UsnRecordFormat.Json, "usn_1170953448.bin"));

        var record = document.RootElement.EnumerateArray().Should().ContainSingle().Subject;
        record.GetProperty("usn").GetInt64().Should().Be(1170953448);
        record.GetProperty("timestamp").GetString().Should().Be("2019-01-21T22:36:05.1238386Z");
        record.GetProperty("file_id").GetString().Should().Be("0000000000000000000d000000013252");
        record.GetProperty("reason_names").GetString().Should().Be("Data overwrite | Close");
        record.GetProperty("attributes").GetString().Should().Be("0x00000020");
        record.GetProperty("name").GetString().Should().Be("large_file.txt");
    }

    [Fact]
    public void Flags_without_a_name_are_kept_in_hex()
    {
        UsnFlagNames.Of((UsnReason)0x02000001).Should().Be("Data overwrite | 0x02000000");
        UsnFlagNames.Of(UsnFileAttributes.None).Should().Be("*NONE*");
        UsnFlagNames.Of(UsnFileAttributes.Hidden | UsnFileAttributes.System | UsnFileAttributes.Directory).Should().Be("Hidden | System | Directory");
    }

    [Theory]
    [InlineData(UsnRecordFormat.Csv, ",bad\\ud800name,")]
    [InlineData(UsnRecordFormat.Fsutil, "bad\\ud800name\n")]
    [InlineData(UsnRecordFormat.Json, "\"name\":\"bad\\ud800name\"")]
    public void A_lone_surrogate_in_a_name_is_escaped_in_every_format(UsnRecordFormat format, string expected)
    {
        // NTFS accepts any UTF-16 code units in names; no UTF-8 text can carry a lone surrogate. The CLI's strict
        // UTF-8 output threw on it, printing no record at all; U+FFFD would lose which unit it was.
        var record = new UsnRecord
        {
            Offset = 0,
            RecordLength = 80,
            MajorVersion = 2,
            MinorVersion = 0,
            FileId = 1,
            ParentFileId = 5,
            Usn = 0,
            Reason = UsnReason.FileCreate,
            SourceInfo = UsnSourceInfo.None,
            FileName = "bad\uD800name",
        };
        var output = new StringWriter();
        var writer = UsnRecordWriter.Create(format, output);

        writer.Write(record);
        writer.Complete();

        output.ToString().Should().Contain(expected);
        var strictUtf8 = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        strictUtf8.GetByteCount(output.ToString()).Should().BePositive();
        if (format == UsnRecordFormat.Json)
            System.Text.Json.JsonDocument.Parse(output.ToString()).RootElement[0].GetProperty("name").GetRawText().Should().Be("\"bad\\ud800name\"",
                "a JSON escape carries the unit exactly (Python's json reads it back; System.Text.Json refuses it as a string)");
    }
}

/// <summary>Printing a live journal, here the simulated one, through several FSCTL_READ_USN_JOURNAL buffers.</summary>
public sealed class JournalDumpTests
{
    [Fact]
    public void Every_record_from_first_to_next_usn_is_printed_once()
    {
        var volume = new Compliance.Usn.Simulation.SimulatedUsnVolume(outputSize: 512);
        volume.CreateDirectory(@"C:\d");
        for (int i = 0; i < 10; i++)
            volume.CreateFile($@"C:\d\f{i}.txt");
        volume.DropRecordsThrough(0);
        var output = new StringWriter();

        UsnDump.Journal(volume, UsnRecordFormat.Csv, output, new StringWriter()).Should().Be(0);

        var rows = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        // A create and its close for the directory and each file, less the one record dropped.
        rows.Should().HaveCount(21);
        rows.Select(r => long.Parse(r.Split(',')[0])).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems()
            .And.OnlyContain(u => u >= volume.FirstUsn && u < volume.NextUsn);
    }

    [Fact]
    public void A_volume_without_a_journal_is_an_error_not_an_empty_dump()
    {
        var volume = new Compliance.Usn.Simulation.SimulatedUsnVolume();
        volume.DeleteJournal();

        var act = () => UsnDump.Journal(volume, UsnRecordFormat.Fsutil, new StringWriter(), new StringWriter());

        act.Should().Throw<Compliance.Core.ComplianceException>().WithMessage("*no active change journal*");
    }
}
