using System.CommandLine;
using Compliance.Core;
using Compliance.Reports.Export;

namespace Compliance.Cli.Commands;

/// <summary>`compliance export`: the baseline, one row per entry.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var format = new Option<string>("--format") { Description = "csv (header: path,type,size,... with a column per hash algorithm) or json (an array of entries).", Required = true };
        format.AcceptOnlyFromAmong("csv", "json");
        var generation = new Option<long?>("--generation") { Description = "Export this baseline generation instead of the current one.", HelpName = "N" };
        var output = new Option<string?>("--out") { Description = "Write to FILE instead of stdout.", HelpName = "FILE" };
        var command = new Command("export", "Export the approved baseline: path, type, size, mode, uid, gid, times, hashes and every other attribute.")
        {
            db, format, generation, output,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(output);
            OutputFile.RefuseInputs("--out", file, CommonOptions.DatabaseFiles(parse.GetValue(db)!));
            using var store = CommonOptions.OpenStoreReadOnly(parse.GetValue(db)!);
            var requested = parse.GetValue(generation);
            store.RequireCurrentGeneration();
            if (requested is { } g && store.Generations().All(x => x.Id != g))
                throw new ComplianceException($"no baseline generation {g} in {store.DatabasePath}.", FailureKind.Usage);

            var entries = store.BaselineInWalkOrder(generation: requested);
            void Write(Stream stream)
            {
                if (parse.GetValue(format) == "csv")
                {
                    using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
                    BaselineExport.WriteCsv(entries, writer);
                }
                else
                {
                    BaselineExport.WriteJson(entries, stream);
                }
            }
            if (file is null)
            {
                using var stdout = Console.OpenStandardOutput();
                Write(stdout);
            }
            else
            {
                OutputFile.Write(file, Write);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
