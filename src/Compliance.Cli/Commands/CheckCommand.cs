using System.CommandLine;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;

namespace Compliance.Cli.Commands;

/// <summary>`compliance check`: scan again and report drift against the approved baseline.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var rehash = CommonOptions.Rehash();
        var image = CommonOptions.Image();
        var partition = CommonOptions.Partition();
        var root = CommonOptions.Root();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("check", "Scan again with the baseline's policy and report drift: added, removed, content, metadata, type, moved, unverified. Exit 0 when nothing drifted, 1 on drift.")
        {
            db, rehash, image, partition, root, threads, json,
        };
        command.SetAction(parse =>
        {
            using var store = CommonOptions.OpenStore(parse.GetValue(db)!, create: false);
            var generation = store.CurrentGeneration()
                ?? throw new Core.ComplianceException($"no approved baseline in {store.DatabasePath}: run `compliance baseline` first.", Core.FailureKind.Usage);
            var policy = store.CurrentPolicy();
            var tree = CommonOptions.OpenTree(parse.GetValue(image), parse.GetValue(partition), parse.GetValue(root), generation.Tree);
            using var treeLifetime = tree as IDisposable;
            var reconciler = new Reconciler(store, tree, policy,
                new ScanOptions { RehashAll = parse.GetValue(rehash), HashWorkers = Math.Max(1, parse.GetValue(threads)) });

            using var output = new FindingsOutput(parse.GetValue(json), w =>
            {
                w.WriteString("command", "check");
                w.WriteNumber("generation", generation.Id);
                w.WriteString("tree", tree.Description);
                w.WriteString("policy", policy.Name);
                w.WriteString("policy_digest", policy.Digest);
            });
            ScanRun run;
            using (new ScanProgress(reconciler.Scanner.Counters))
                run = reconciler.Scan("check", "scan", onFinding: output.Add);
            output.Complete(run.Totals, $"drift against generation {generation.Id}");
            return output.Count == 0 ? ExitCodes.Ok : ExitCodes.Drift;
        });
        return command;
    }
}
