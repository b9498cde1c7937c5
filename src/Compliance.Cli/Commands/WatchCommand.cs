using System.CommandLine;
using System.Runtime.InteropServices;
using Compliance.Core;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Linux;
using Compliance.Store;

namespace Compliance.Cli.Commands;

/// <summary>`compliance watch`: follow the filesystem's change feed into the store, after a reconcile scan.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var policyOption = new Option<string?>("--policy") { Description = "Follow this policy (YAML) instead of the one recorded with the approved baseline.", HelpName = "FILE" };
        var events = new Option<string?>("--events") { Description = "Write each finding, gap and resolved drift as one JSON line to FILE (appended; SIGHUP opens it again after a log rotation), or to stdout with '-'.", HelpName = "FILE|-" };
        var source = new Option<string>("--source")
        {
            Description = "Change source: fanotify (root, Linux 5.9+), inotify (unprivileged), or auto: fanotify when available and able to follow every root in full (not on an overlay, FUSE or bind mount), else inotify.",
            DefaultValueFactory = _ => "auto",
        };
        source.AcceptOnlyFromAmong("auto", FanotifySource.SourceName, InotifySource.SourceName);
        var coalesce = new Option<int>("--coalesce-ms")
        {
            Description = "Hold changes until none has come for this long (and at most five times this long), so the several events of one save become one finding (milliseconds).",
            DefaultValueFactory = _ => 200,
        };
        var reconcile = new Option<int>("--reconcile-minutes")
        {
            Description = "Rescan the whole policy this often as a safety net (minutes; 0: never).",
            DefaultValueFactory = _ => 60,
        };
        var root = CommonOptions.Root();
        var threads = CommonOptions.Threads();
        var command = new Command("watch", "Reconcile once (changes made while not watching are reported, not absorbed), then follow fanotify or inotify: each change is re-examined, stored, and with --events written as a JSON line. Stops cleanly on SIGINT or SIGTERM; SIGHUP reopens the events file.")
        {
            db, policyOption, events, source, coalesce, reconcile, root, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(coalesce) < 0 || parse.GetValue(reconcile) < 0)
                throw new ComplianceException("--coalesce-ms and --reconcile-minutes cannot be negative.", FailureKind.Usage);
            OutputFile.RefuseInputs("--events", parse.GetValue(events) is "-" ? null : parse.GetValue(events),
                [.. CommonOptions.DatabaseFiles(parse.GetValue(db)!), parse.GetValue(policyOption)]);
            PolicyLoader.WarmUpInBackground();
            using var store = CommonOptions.OpenStore(parse.GetValue(db)!, create: false);
            // A baseline or accept in another process holds the database while it writes; the watch waits for it,
            // its changes queueing meanwhile, rather than stopping and missing what happens until it is restarted.
            store.WaitForOtherWriters(Timeout.InfiniteTimeSpan);
            using var report = new WatchReport(parse.GetValue(events));
            using var stop = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            // SIGHUP, as daemons take it: the events file is opened again (after a log rotation moved it), and the
            // watch goes on; a closed terminal does not stop it.
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                report.ReopenEvents();
            });

            var settings = new Settings(parse.GetValue(policyOption), parse.GetValue(root), parse.GetValue(threads),
                parse.GetValue(coalesce), parse.GetValue(reconcile), parse.GetValue(source)!);
            // A new baseline may come with another policy: the watch then starts over under it, with the reconcile
            // scan every start makes, so that what changed while it switched is found too.
            while (!Follow(settings, store, report, stop.Token))
            {
            }
            Console.Error.WriteLine($"compliance: watch stopped; {report.Findings} finding(s) and {report.Gaps} gap(s) recorded, {report.PathsResolved} path(s) found as approved again.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What the command line asked for.</summary>
    private sealed record Settings(string? PolicyFile, string? Root, int Threads, int CoalesceMs, int ReconcileMinutes, string Source);

    /// <summary>
    /// Follows the change feed under the current baseline's policy (or --policy) until stopped (true), or until a new
    /// baseline brings another policy (false).
    /// </summary>
    private static bool Follow(Settings settings, StateStore store, WatchReport report, CancellationToken stop)
    {
        var generation = store.RequireCurrentGeneration();
        var policy = settings.PolicyFile is { } policyFile ? PolicyLoader.Load(policyFile) : StateStore.PolicyOf(generation);
        if (CommonOptions.OpenTree(null, null, settings.Root, generation.Tree) is not LinuxFileTree tree)
            throw new ComplianceException($"watch follows the live Linux filesystem; the baseline was taken from '{generation.Tree}'.", FailureKind.Usage);
        // The drift a watch keeps is its subject's: a watch of another tree would replace it with that tree's.
        if (!generation.IsSubject(tree))
            throw new ComplianceException($"watch follows the tree the baseline was taken from ({generation.Tree}), not {tree.Description}: baseline that tree into a database of its own to watch it.", FailureKind.Usage);
        policy = CommonOptions.LeavingOutOwnFiles(policy, store.DatabasePath, tree);

        long? checkedGeneration = generation.Id;
        var databaseFile = new DatabaseFile(store.DatabasePath);
        var reconciler = new Reconciler(store, tree, policy, new ScanOptions { HashWorkers = settings.Threads })
        {
            ComparingWith = id =>
            {
                databaseFile.RequireUnchanged();
                if (settings.PolicyFile is not null || id == checkedGeneration)
                    return;
                checkedGeneration = id;
                if (store.CurrentGeneration() is { } current && current.PolicyDigest != generation.PolicyDigest)
                    throw new PolicyReplacedException(current.Id);
            },
        };
        var options = new ChangeFeedOptions
        {
            CoalesceWindow = TimeSpan.FromMilliseconds(settings.CoalesceMs),
            ReconcileInterval = settings.ReconcileMinutes == 0 ? null : TimeSpan.FromMinutes(settings.ReconcileMinutes),
            SourceRoots = policy.WalkRoots().Select(tree.ToOsPath).ToArray(),
            ToTreePath = path => tree.ToTreePath(path),
            // Its own writes: the database, and the events file, whose every line would otherwise be another change.
            IgnoredPaths = CommonOptions.DatabaseFiles(store.DatabasePath)
                .Concat(report.EventsFile is { } eventsFile ? [eventsFile] : [])
                .Select(path => tree.ToTreePath(path)).OfType<string>().ToHashSet(StringComparer.Ordinal),
        };
        foreach (var own in new[] { store.DatabasePath, report.EventsFile }.OfType<string>())
        {
            if (tree.ToTreePath(own) is { } ownPath && policy.Classify(ownPath) is not null)
                Console.Error.WriteLine($"compliance: warning: {own} is written by this watch, yet the policy selects it: its changes are not followed, while check and rescans report it; exclude it in the policy or keep it elsewhere.");
        }
        var changeSource = OpenSource(settings.Source, policy, tree, options.SourceRoots);
        var follower = new ChangeFeedFollower(changeSource, reconciler, store, policy, tree.Description, report, options);
        Console.Error.WriteLine($"compliance: watching {string.Join(", ", options.SourceRoots)} with {changeSource.Name} (policy {policy.Name}, generation {generation.Id}); SIGINT or SIGTERM stops.");
        try
        {
            follower.RunAsync(stop).GetAwaiter().GetResult();
            return true;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (databaseFile.Problem() is { } problem)
        {
            // SQLite may notice first, when the -wal and -shm beside it went too.
            throw new ComplianceException(problem, inner: e);
        }
        catch (PolicyReplacedException replaced)
        {
            Console.Error.WriteLine($"compliance: baseline generation {replaced.Generation} has another policy: the watch starts over under it.");
            return false;
        }
        finally
        {
            changeSource.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The database file the watch opened, known by its inode: one deleted or replaced under it (a new baseline made
    /// at the same path) would have the watch store into a file nobody reads again.
    /// </summary>
    private sealed class DatabaseFile(string path)
    {
        private readonly (ulong? Device, ulong? Inode)? _opened = Identity(LiveTree.StatIdentity(path));

        /// <summary>One statx before each batch and rescan, and every couple of seconds while idle.</summary>
        public void RequireUnchanged()
        {
            if (Problem() is { } problem)
                throw new ComplianceException(problem);
        }

        /// <summary>What happened to the file, if it is no longer the one opened; null while it is.</summary>
        public string? Problem()
        {
            // A path that cannot be looked at just now (its directory made unsearchable for a moment) is no sign
            // of another file: it is looked at again before the next batch.
            var now = LiveTree.StatIdentity(path);
            if (now is { Error: not null } || Identity(now) == _opened)
                return null;
            return now is null
                ? $"the database {path} was deleted while watching: the watch stops, as what it stored would be lost; start it again once a database is there"
                : $"the database {path} was replaced while watching: the watch stops; start it again to follow the new one";
        }

        private static readonly LinuxFileTree LiveTree = new();

        private static (ulong? Device, ulong? Inode)? Identity(FileEntry? entry) => entry is null ? null : (entry.Device, entry.Inode);
    }

    /// <summary>A new baseline generation came with a policy other than the one being followed.</summary>
    private sealed class PolicyReplacedException(long generation) : StopFollowingException($"baseline generation {generation} has another policy")
    {
        public long Generation { get; } = generation;
    }

    /// <summary>
    /// The source asked for; with auto, fanotify where it can follow every root in full, else inotify (a root on an
    /// overlay, as a container's / is, or a FUSE or btrfs-subvolume mount below one).
    /// </summary>
    private static IChangeSource OpenSource(string name, Policy policy, LinuxFileTree tree, IReadOnlyList<string> roots)
    {
        // Only where something below may be selected: excluded trees cost no inotify watch and no fanotify mark.
        bool Selected(string path) => tree.ToTreePath(path) is { } treePath && policy.ShouldDescend(treePath);
        var fanotify = new FanotifyOptions { ShouldMark = Selected };
        if (name == FanotifySource.SourceName)
        {
            var source = new FanotifySource(fanotify);
            source.RequireAvailable();
            return source;
        }
        if (name == "auto" && FanotifySource.CanFollowFully(roots, fanotify))
            return new FanotifySource(fanotify);
        return new InotifySource(new InotifyOptions { ShouldWatch = Selected });
    }

    /// <summary>JSON lines when asked for, and a warning on stderr when coverage is lost.</summary>
    private sealed class WatchReport : IChangeFeedSink, IDisposable
    {
        private readonly ChangeEventJson? _json;
        private readonly EventOutput? _output;
        private bool _warnedDegraded;

        public WatchReport(string? events)
        {
            if (events is null)
                return;
            if (events != "-")
                EventsFile = Path.GetFullPath(events);
            _output = EventsFile is null ? EventOutput.StandardOutput() : EventOutput.OpenFile(EventsFile);
            _json = new ChangeEventJson(_output);
        }

        /// <summary>The events file's full path; null when events go to standard output or nowhere.</summary>
        public string? EventsFile { get; }

        public void ReopenEvents()
        {
            if (_output is null || EventsFile is null)
                return;
            try
            {
                _output.Reopen();
                Console.Error.WriteLine($"compliance: SIGHUP: events go to {EventsFile} as it is now.");
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"compliance: SIGHUP: {e.Message}; events still go to the file opened before.");
            }
        }

        public long Findings { get; private set; }
        public long Gaps { get; private set; }

        public void Committed(IReadOnlyList<Finding> findings)
        {
            Findings += findings.Count;
            _json?.Committed(findings);
        }

        public long PathsResolved { get; private set; }

        public void Resolved(IReadOnlyList<Resolution> resolutions)
        {
            PathsResolved += resolutions.Count;
            _json?.Resolved(resolutions);
        }

        public void Gap(GapSignal gap)
        {
            Gaps++;
            _json?.Gap(gap);
            if (gap.Reason == GapReason.Overflow || (gap.Reason == GapReason.CoverageDegraded && !_warnedDegraded))
            {
                _warnedDegraded |= gap.Reason == GapReason.CoverageDegraded;
                Console.Error.WriteLine($"compliance: warning: {gap.Detail}; rescanning {(gap.Scope.Length == 0 ? "everything" : gap.Scope)}.");
            }
        }

        public void Dispose()
        {
            _json?.Dispose();
            _output?.Dispose();
        }
    }
}
