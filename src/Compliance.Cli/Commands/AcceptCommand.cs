using System.CommandLine;
using Compliance.Core;
using Compliance.Core.Model;

namespace Compliance.Cli.Commands;

/// <summary>`compliance accept`: approve observed changes into a new baseline generation.</summary>
internal static class AcceptCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Approve every observed change." };
        var paths = new Argument<string[]>("PATH") { Description = "Approve the changes at these paths (and below them).", Arity = ArgumentArity.ZeroOrMore };
        var reason = CommonOptions.Reason("Why the changes are legitimate (required; recorded with the generation).");
        var by = new Option<string>("--by") { Description = "Who approves (default: the current user).", DefaultValueFactory = _ => Environment.UserName };
        var db = CommonOptions.Database();
        var json = CommonOptions.Json();
        var command = new Command("accept", "Promote the drift the last check or watch observed into a new baseline generation. Older generations stay queryable. Unverified entries are never approved.")
        {
            all, reason, by, db, json,
        };
        command.Arguments.Add(paths);
        command.SetAction(parse =>
        {
            var selected = CommonOptions.PathArguments(parse.GetValue(paths) ?? []);
            bool everything = parse.GetValue(all);
            if (everything == selected.Length > 0)
                throw new ComplianceException("give either --all or one or more PATHs.", FailureKind.Usage);
            using var store = CommonOptions.OpenStore(parse.GetValue(db)!, create: false);
            // What a scan of another tree saw was never stored as drift: said, or the user may think it approved.
            if (store.Runs(1) is [{ OfSubject: false, Kind: not "baseline" } last] && store.CurrentGeneration() is { } current)
                Console.Error.WriteLine($"compliance: note: the last {last.Kind} (run {last.Id}) scanned {last.Tree}, not this baseline's tree {current.Tree}; " +
                    $"accept approves only the drift checks of {current.Tree} observed. To approve {last.Tree}, baseline it instead (`compliance baseline --image` or `--root`, with this --db).");
            // Live paths may be given relative to the current directory; image paths are the image's own.
            bool live = store.CurrentGeneration()?.Tree.StartsWith("linux", StringComparison.Ordinal) ?? true;
            var result = store.Accept(everything ? null : selected.Select(p => live ? Path.GetFullPath(p) : p).ToArray(),
                parse.GetValue(by)!, parse.GetValue(reason)!);
            if (parse.GetValue(json))
            {
                Console.WriteLine(Core.Output.EntryJson.ToJson(w =>
                {
                    w.WriteStartObject();
                    if (result.Generation is { } g)
                        w.WriteNumber("generation", g);
                    else
                        w.WriteNull("generation");
                    w.WriteNumber("approved", result.Approved);
                    w.WriteNumber("skipped_unverified", result.SkippedUnverified);
                    w.WriteNumber("skipped_changed", result.SkippedChanged);
                    w.WriteStartArray("other_paths_of_moves");
                    foreach (var path in result.OtherPathsOfMoves)
                        Core.Output.JsonText.WriteTextValue(w, path);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }, indented: true));
            }
            else
            {
                // A move is one finding over two paths: the count is of paths, and a path approved with the one named is said.
                Console.WriteLine((result.Generation is { } generation
                        ? $"Approved the observed state of {result.Approved} path(s) as baseline generation {generation}."
                        : "Nothing to approve: no observed change matches.")
                    + (result.OtherPathsOfMoves.Count > 0 ? $" Approved with them, as the other path of a move: {string.Join(", ", result.OtherPathsOfMoves.Select(path => EntryPath.ToDisplayLine(path)))}." : "")
                    + (result.SkippedUnverified > 0 ? $" {result.SkippedUnverified} unverified entries were left out." : "")
                    + (result.SkippedChanged > 0 ? $" {result.SkippedChanged} changed again while being approved and were left out: review them and accept again." : ""));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
