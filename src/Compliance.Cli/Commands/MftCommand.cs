using System.CommandLine;
using Compliance.Ntfs;

namespace Compliance.Cli.Commands;

/// <summary>`compliance mft list`: the MFT entries of a copied $MFT or an NTFS image, read without mounting.</summary>
internal static class MftCommand
{
    public static Command Create()
    {
        var command = new Command("mft", "Read NTFS structures directly from a copied $MFT file or a disk image, on any OS, without mounting.");
        command.Subcommands.Add(CreateList());
        return command;
    }

    private static Command CreateList()
    {
        var source = new Argument<string>("FILE|IMAGE")
        {
            Description = "A copied $MFT file, a raw NTFS volume, a raw disk with an MBR or GPT partition table, or a fixed VHD. " +
                          "Other formats: convert with `qemu-img convert -O raw`.",
        };
        var format = new Option<string>("--format")
        {
            Description = "Output format. csv: header `" + MftListing.CsvHeader + "`, a row per name of each entry " +
                          "(hard links give a row each), paths as `fls -p` prints them, times ISO 8601 UTC to 100 ns.",
            DefaultValueFactory = _ => "csv",
        };
        format.AcceptOnlyFromAmong("csv");
        var partition = new Option<int?>("--partition")
        {
            Description = "On a partitioned disk, read only this partition (1-based table slot). Default: every NTFS partition, " +
                          "paths prefixed with `partitionN/` when there are several.",
        };
        var list = new Command("list",
            "List every MFT entry, in use or not, with its full path. Entries whose parent directory is gone are listed under " +
            MftCatalog.OrphanFolder + "/. Damaged records (torn writes, bad lengths) are reported on stderr and skipped.");
        list.Arguments.Add(source);
        list.Options.Add(format);
        list.Options.Add(partition);
        list.SetAction(parse =>
        {
            using var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16);
            var problems = MftLister.List(parse.GetValue(source)!, parse.GetValue(partition), output);
            foreach (var problem in problems)
                Console.Error.WriteLine($"compliance: warning: MFT record {problem.RecordNumber}: {problem.Message}");
            return ExitCodes.Ok;
        });
        return list;
    }
}
