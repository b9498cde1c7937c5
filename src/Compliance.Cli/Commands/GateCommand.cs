using System.CommandLine;
using System.Reflection;
using Compliance.Core;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Linux;
using Compliance.Reports.Gate;
using Compliance.Store;

namespace Compliance.Cli.Commands;

/// <summary>
/// `compliance gate`: a check for CI pipelines. It scans an image or a mounted tree against the approved baseline
/// and writes SARIF and JUnit files. Like check, it records its run and findings in the database; it never writes
/// the baseline itself, so the approved state a pipeline gates on stays as it was approved. A gate of another tree
/// than the baseline's own (the usual CI artifact) leaves the drift stored for that tree as it was: what it saw is
/// history, neither approvable nor a scan of the baseline's tree in reports.
/// </summary>
internal static class GateCommand
{
    public static Command Create()
    {
        var baseline = new Option<string>("--baseline")
        {
            Description = "The state database holding the approved baseline to gate on (made by `compliance baseline`).",
            HelpName = "DB",
            Required = true,
        };
        var image = CommonOptions.Image();
        var partition = CommonOptions.Partition();
        var root = CommonOptions.Root();
        var sarif = new Option<string?>("--sarif") { Description = "Write the findings as SARIF 2.1.0 to FILE (e.g. for GitHub code scanning).", HelpName = "FILE" };
        var junit = new Option<string?>("--junit") { Description = "Write one JUnit test suite per policy category to FILE.", HelpName = "FILE" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("gate", "Fail a CI pipeline when an image (--image) or a mounted tree (--root) drifted from the approved baseline: every file is hashed; exit 0 when it matches, 1 on any finding (unverified included), with optional SARIF and JUnit files.")
        {
            baseline, image, partition, root, sarif, junit, threads, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(image) is null && parse.GetValue(root) is null)
                throw new ComplianceException("gate needs the target to check: --image IMAGE or --root DIR.", FailureKind.Usage);
            var database = parse.GetValue(baseline)!;
            string?[] inputs = [.. CommonOptions.DatabaseFiles(database), parse.GetValue(image)];
            OutputFile.RefuseInputs("--sarif", parse.GetValue(sarif), inputs);
            OutputFile.RefuseInputs("--junit", parse.GetValue(junit), inputs);
            if (!File.Exists(database))
                throw new ComplianceException($"--baseline {database}: no such database; make one with `compliance baseline --db {database}`.", FailureKind.Usage);
            PolicyLoader.WarmUpInBackground();
            using var store = CommonOptions.OpenStore(database, create: false);
            var generation = store.RequireCurrentGeneration();
            var tree = CommonOptions.OpenTree(parse.GetValue(image), parse.GetValue(partition), parse.GetValue(root));
            using var treeLifetime = tree as IDisposable;
            var policy = CommonOptions.LeavingOutOwnFiles(StateStore.PolicyOf(generation), store.DatabasePath, tree);
            // Every file is hashed: a gated artifact comes from elsewhere, and its sizes and times, which a check
            // trusts to skip unchanged files, are as easy to forge as its content.
            var reconciler = new Reconciler(store, tree, policy,
                new ScanOptions { RehashAll = true, HashWorkers = parse.GetValue(threads) })
            {
                KeepsDrift = generation.IsSubject(tree),
            };

            var findings = new List<Finding>();
            using var output = new FindingsOutput(parse.GetValue(json), FindingsOutput.RunHeader("gate", generation.Id, tree, policy));
            var startedAt = DateTimeOffset.UtcNow;
            ScanRun run;
            using (new ScanProgress(reconciler.Scanner.Counters))
            {
                run = reconciler.Scan("gate", "scan", onFinding: finding =>
                {
                    findings.Add(finding);
                    output.Add(finding);
                });
            }
            var outcome = new GateOutcome
            {
                Policy = policy,
                Generation = generation.Id,
                Tree = tree.Description,
                RootDirectory = (tree as LinuxFileTree)?.Root,
                ToolVersion = typeof(GateCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                StartedAt = startedAt,
                FinishedAt = DateTimeOffset.UtcNow,
                Findings = findings,
                Totals = run.Totals,
            };
            WriteFile(parse.GetValue(sarif), stream => SarifWriter.Write(stream, outcome));
            WriteFile(parse.GetValue(junit), stream => JUnitWriter.Write(stream, outcome));
            output.Complete(run.Totals, $"drift against generation {generation.Id}");
            return outcome.Passed ? ExitCodes.Ok : ExitCodes.Drift;
        });
        return command;
    }

    /// <summary>
    /// Written as every evidence file is (<see cref="OutputFile.Write"/>). The standard streams are refused: reopening
    /// /dev/stdout opens the file it is redirected to anew, from its start, over the gate's own output.
    /// </summary>
    private static void WriteFile(string? path, Action<Stream> write)
    {
        if (path is null)
            return;
        if (OutputFile.IsOpenDescriptor(Path.GetFullPath(path)))
            throw new ComplianceException($"{path} is one of this process's open files (a standard stream, where the gate writes its own output): give --sarif and --junit a file.", FailureKind.Usage);
        OutputFile.Write(path, write);
    }
}
