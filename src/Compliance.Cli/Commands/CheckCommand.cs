using System.CommandLine;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Store;

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
            PolicyLoader.WarmUpInBackground();
            using var store = CommonOptions.OpenStore(parse.GetValue(db)!, create: false);
            var generation = store.RequireCurrentGeneration();
            var tree = CommonOptions.OpenTree(parse.GetValue(image), parse.GetValue(partition), parse.GetValue(root), generation.Tree);
            using var treeLifetime = tree as IDisposable;
            var policy = CommonOptions.LeavingOutOwnFiles(StateStore.PolicyOf(generation), store.DatabasePath, tree);
            var reconciler = new Reconciler(store, tree, policy,
                new ScanOptions { RehashAll = parse.GetValue(rehash), HashWorkers = parse.GetValue(threads) })
            {
                KeepsDrift = generation.IsSubject(tree),
            };

            CommonOptions.WarnAboutRoots(reconciler.Scanner);
            using var output = new FindingsOutput(parse.GetValue(json), FindingsOutput.RunHeader("check", generation.Id, tree, policy));
            ScanRun run;
            using (new ScanProgress(reconciler.Scanner.Counters))
                run = reconciler.Scan("check", "scan", onFinding: output.Add);
            output.Complete(run.Totals, $"drift against generation {generation.Id}");
            return output.Count == 0 ? ExitCodes.Ok : ExitCodes.Drift;
        });
        return command;
    }
}
