using System.CommandLine;
using Compliance.Core;
using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;
using Compliance.Store;

namespace Compliance.Cli.Commands;

/// <summary>`compliance baseline`: scan and record an approved baseline generation.</summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var policyOption = new Option<string?>("--policy") { Description = "Policy file (YAML) selecting what to monitor. Without it, the PATHs are monitored recursively with every attribute.", HelpName = "FILE" };
        var paths = new Argument<string[]>("PATH") { Description = "Paths to monitor, each with everything beneath it (when no --policy is given).", Arity = ArgumentArity.ZeroOrMore };
        var db = CommonOptions.Database();
        var image = CommonOptions.Image();
        var partition = CommonOptions.Partition();
        var root = CommonOptions.Root();
        var by = new Option<string>("--by") { Description = "Who approves this baseline (default: the current user).", DefaultValueFactory = _ => Environment.UserName };
        var reason = CommonOptions.Reason("Why this baseline is approved.", "initial baseline");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();

        var command = new Command("baseline", "Scan what a policy (or the given paths) selects and record it as the approved baseline, a new generation in the database.")
        {
            policyOption, db, image, partition, root, by, reason, threads, json,
        };
        command.Arguments.Add(paths);
        command.SetAction(parse =>
        {
            bool liveRoot = parse.GetValue(image) is null && parse.GetValue(root) is null;
            var database = Path.GetFullPath(parse.GetValue(db)!);
            var policy = LoadPolicy(parse.GetValue(policyOption), CommonOptions.PathArguments(parse.GetValue(paths) ?? []), parse.GetValue(image) is not null,
                liveRoot ? CommonOptions.OwnFiles(database) : []);
            if (liveRoot)
                KeepDatabaseOutOfTheWalk(policy, database);
            var tree = CommonOptions.OpenTree(parse.GetValue(image), parse.GetValue(partition), parse.GetValue(root));
            using var treeLifetime = tree as IDisposable;
            policy = CommonOptions.LeavingOutOwnFiles(policy, database, tree);
            var scanner = new Scanner(tree, policy, new ScanOptions { RehashAll = true, HashWorkers = parse.GetValue(threads) });
            CommonOptions.WarnAboutRoots(scanner);

            // The store opens and the baseline transaction begins here while the walk and the hashing start on
            // another thread: each takes about a tenth of a second, through which one core would otherwise idle.
            // Nothing reaches the store before the policy has been read in full, and a store that cannot be opened
            // is reported at once.
            using var stop = new CancellationTokenSource();
            using var items = scanner.Scan([], cancellationToken: stop.Token).GetEnumerator();
            var started = Task.Run(items.MoveNext);
            try
            {
                OpenedBaseline baseline;
                try
                {
                    baseline = OpenedBaseline.Open(database, policy, tree, parse.GetValue(by)!, parse.GetValue(reason)!);
                }
                catch
                {
                    stop.Cancel();
                    // The scan's first step ends (cancelled) before its enumerator is disposed on the way out.
                    started.ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
                    throw;
                }

                using (baseline)
                {
                    using var output = new FindingsOutput(parse.GetValue(json), FindingsOutput.RunHeader("baseline", null, tree, policy));
                    long generation;
                    Core.Reconcile.RunTotals totals;
                    using (new ScanProgress(scanner.Counters))
                    {
                        for (bool more = started.GetAwaiter().GetResult(); more; more = items.MoveNext())
                        {
                            var item = items.Current;
                            if (item.Observed is null)
                                continue;
                            baseline.Writer.Add(item.Observed);
                            // A baseline has nothing to drift from; what it reports is what it could not verify.
                            if (item.Observed.Error is { } error && item.Category is { } category)
                                output.Add(new Finding
                                {
                                    Path = item.Path, Kind = DriftKind.Unverified, After = item.Observed, Category = category.Name,
                                    Severity = category.Severity, Detail = error, Source = "baseline",
                                });
                        }
                        // An approved generation of nothing would pass every check while monitoring nothing.
                        if (scanner.Counters.Entries == 0)
                            throw new ComplianceException("nothing to baseline: the policy selects no entry here, so no generation was recorded.", FailureKind.Usage);
                        generation = baseline.Writer.Commit();
                        var c = scanner.Counters;
                        totals = new Core.Reconcile.RunTotals(c.Entries, c.FilesHashed, c.BytesHashed, c.Errors, output.Count);
                        baseline.Store.FinishRun(baseline.RunId, totals, "completed", $"generation {generation}");
                    }
                    output.Complete(totals, $"baseline generation {generation}", output.Count == 0
                        ? $"Recorded baseline generation {generation}: every entry was read."
                        : $"Recorded baseline generation {generation}; {output.Count:N0} entr(ies) could not be read: they are recorded unverified, and every check reports them until they are read and accepted.");
                }
            }
            finally
            {
                // A scan left early, by a failure in it or here, stops its threads; a finished one has none left.
                stop.Cancel();
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The store, its run record and the open baseline transaction a baseline writes into.</summary>
    private sealed record OpenedBaseline(StateStore Store, long RunId, StateStore.BaselineWriter Writer) : IDisposable
    {
        public static OpenedBaseline Open(string database, Policy policy, IFileTree tree, string approvedBy, string reason)
        {
            var store = CommonOptions.OpenStore(database, create: true);
            try
            {
                long runId = store.StartRun("baseline", tree.Description);
                return new OpenedBaseline(store, runId, store.BeginBaseline(policy, tree.Description, approvedBy, reason));
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Writer.Dispose();
            Store.Dispose();
        }
    }

    /// <summary>
    /// The database's directory is made before the walk starts (the store opens beside it), or a first baseline
    /// could record a parent directory as it was before and a check then report its new entry. The database itself
    /// is never scanned (<see cref="CommonOptions.LeavingOutOwnFiles"/>); a policy selecting its directory, whose
    /// entries come and go on every run, is warned about.
    /// </summary>
    private static void KeepDatabaseOutOfTheWalk(Policy policy, string database)
    {
        var directory = Path.GetDirectoryName(database)!;
        Directory.CreateDirectory(directory);
        if (policy.Classify(directory) is not null && !CommonOptions.OwnFiles(database).Contains(directory))
            Console.Error.WriteLine($"compliance: warning: the policy selects {directory}, which holds this program's database: its modification time changes whenever the database is opened. Keep the database elsewhere (--db) or exclude the directory.");
    }

    internal static Policy LoadPolicy(string? policyFile, string[] paths, bool forImage, IReadOnlyList<string> ownFiles)
    {
        if (policyFile is not null && paths.Length > 0)
            throw new ComplianceException("give either --policy FILE or PATHs, not both.", FailureKind.Usage);
        if (policyFile is not null)
            return PolicyLoader.Load(policyFile);
        if (paths.Length > 0)
        {
            foreach (var path in paths)
            {
                if (!forImage && CommonOptions.TypeOf(path, followLinks: false) is null)
                    throw new ComplianceException($"{path}: no such file or directory.", FailureKind.Usage);
            }
            if (forImage)
                return Policy.ForPaths(paths);
            var full = paths.Select(p => Path.GetFullPath(p)).ToList();
            // The database is left out of a tree that holds it, as `baseline .` with the default database does.
            return Policy.ForPaths(full, ownFiles.Where(own => full.Any(path => PathPattern.IsSameOrBelow(own, path))));
        }
        if (forImage)
            return Policy.ForPaths(["/"]);
        throw new ComplianceException("nothing to monitor: give --policy FILE or one or more PATHs (see `compliance baseline --help`).", FailureKind.Usage);
    }
}
