using System.CommandLine;
using Compliance.Core;
using Compliance.Usn.Formatting;
using Compliance.Windows;

namespace Compliance.Cli.Commands;

/// <summary><c>compliance usn</c>: tools for the NTFS change journal.</summary>
internal static class UsnCommand
{
    public static Command Create()
    {
        var usn = new Command("usn", "Work with the NTFS USN change journal (records from $UsnJrnl:$J or the journal's FSCTL output).");
        usn.Subcommands.Add(CreateDump());
        usn.Subcommands.Add(CreateRead());
        return usn;
    }

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format")
        {
            Description = "Output layout: fsutil (as 'fsutil usn readjournal' prints), csv (header usn,timestamp,file_id,parent_file_id,reason,reason_names,source_info,security_id,attributes,name,major_version,record_length) or json (an array of objects with the CSV fields).",
            DefaultValueFactory = _ => "fsutil",
        };
        format.AcceptOnlyFromAmong("fsutil", "csv", "json");
        return format;
    }

    private static UsnRecordFormat FormatOf(ParseResult parse, Option<string> format) =>
        Enum.Parse<UsnRecordFormat>(parse.GetValue(format)!, ignoreCase: true);

    private static Command CreateRead()
    {
        var volume = new Argument<string>("VOLUME") { Description = "A drive such as C: (administrator rights needed to open it)." };
        var format = FormatOption();
        var read = new Command("read", "Windows only: print the records the live change journal of VOLUME holds now, from its first USN to its next USN. Exit code 3 when the volume has no active journal.");
        read.Arguments.Add(volume);
        read.Options.Add(format);
        read.SetAction(parse =>
        {
            if (!OperatingSystem.IsWindows())
                throw new ComplianceException("'usn read' reads a live NTFS volume and needs Windows; use 'usn dump' on a saved $J file.", FailureKind.Usage);
            using var live = WindowsUsnVolume.Open(parse.GetValue(volume)!);
            using var stdout = new StreamWriter(Console.OpenStandardOutput());
            int problems = UsnDump.Journal(live, FormatOf(parse, format), stdout, Console.Error);
            return problems == 0 ? ExitCodes.Ok : ExitCodes.Usage;
        });
        return read;
    }

    private static Command CreateDump()
    {
        var file = new Argument<FileInfo>("FILE")
        {
            Description = "A raw $UsnJrnl:$J stream (its sparse zero-filled start is skipped), a file of packed USN records, or saved FSCTL output (see --input).",
        };
        var format = FormatOption();
        var input = new Option<string>("--input")
        {
            Description = "What FILE holds: raw (records back to back, zero padding skipped) or output (FSCTL_READ_USN_JOURNAL / FSCTL_ENUM_USN_DATA output: an 8-byte next-USN or next-file-reference header, then records).",
            DefaultValueFactory = _ => "raw",
        };
        input.AcceptOnlyFromAmong("raw", "output");

        var dump = new Command("dump", "Print every USN_RECORD_V2/V3/V4 in FILE. Malformed or truncated records are reported on stderr and skipped; the exit code is then 2.");
        dump.Arguments.Add(file);
        dump.Options.Add(format);
        dump.Options.Add(input);
        dump.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (Directory.Exists(path.FullName))
                throw new ComplianceException($"{path.FullName} is a directory: give a $UsnJrnl:$J file or saved FSCTL output.", FailureKind.Usage);
            if (!path.Exists)
                throw new ComplianceException($"{path.FullName}: no such file", FailureKind.Usage);
            var layout = parse.GetValue(input) == "output" ? UsnInputLayout.Output : UsnInputLayout.Raw;
            var recordFormat = FormatOf(parse, format);
            using var stream = path.OpenRead();
            using var stdout = new StreamWriter(Console.OpenStandardOutput());
            try
            {
                int problems = UsnDump.Run(stream, layout, recordFormat, stdout, Console.Error);
                return problems == 0 ? ExitCodes.Ok : ExitCodes.Usage;
            }
            catch (InvalidDataException e)
            {
                throw new ComplianceException($"{path.Name}: {e.Message}", FailureKind.Usage, e);
            }
        });
        return dump;
    }
}
