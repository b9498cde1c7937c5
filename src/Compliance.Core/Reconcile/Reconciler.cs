using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;

namespace Compliance.Core.Reconcile;

/// <summary>
/// The one path from observations to the store. A full or scoped scan and a batch of change hints both end here,
/// compared by the same <see cref="EntryComparer"/> and written by the same batches, so scheduled and event-driven
/// results cannot disagree.
/// </summary>
public sealed class Reconciler
{
    private const int BatchSize = 2000;

    private readonly IReconcileStore _store;
    private readonly IFileTree _tree;
    private readonly Policy _policy;
    private readonly ScanOptions _options;

    public Reconciler(IReconcileStore store, IFileTree tree, Policy policy, ScanOptions? options = null)
    {
        _store = store;
        _tree = tree;
        _policy = policy;
        _options = options ?? new ScanOptions();
        Scanner = new Scanner(tree, policy, _options);
    }

    /// <summary>The scanner whose counters show progress.</summary>
    public Scanner Scanner { get; }

    /// <summary>
    /// Called with the baseline generation each scan or batch of hints is about to be compared with; it may throw to
    /// stop there (a watch whose policy a new baseline replaced starts over under the new one).
    /// </summary>
    public Action<long?>? ComparingWith { get; init; }

    /// <summary>
    /// Whether this tree is the subject the database follows, the tree its current generation records: only scans of
    /// it keep the stored drift that accept approves and reports follow. A scan of another tree (a CI artifact, a
    /// copy) records its run and findings as history and leaves the subject's drift as it was.
    /// </summary>
    public bool KeepsDrift { get; init; } = true;

    /// <summary>Hands the current generation to <see cref="ComparingWith"/> between scans and batches (a watch that is idle).</summary>
    public void LookAtCurrentGeneration() => ComparingWith?.Invoke(_store.CurrentGenerationId());

    /// <summary>
    /// Scans the policy's scope (or one subtree) against the baseline, stores the observed drift and findings, and
    /// hands each finding to <paramref name="onFinding"/>; the run's <see cref="ScanRun.Resolved"/> is the stored drift
    /// it found gone.
    /// </summary>
    public ScanRun Scan(string runKind, string source, string? scope = null, Action<Finding>? onFinding = null,
        CancellationToken cancellationToken = default) =>
        Scan(runKind, source, [scope], onFinding, null, null, _ => false, cancellationToken);

    /// <summary>
    /// Scans several disjoint scopes (null: the policy's whole scope) as one run, so that an entry removed from one
    /// and added in another, a directory renamed, say, pairs into a move as a full scan would report it. What it finds
    /// at a path is credited to the process of <paramref name="hintFor"/> that path, when given. Halves of moves still
    /// unpaired elsewhere (<paramref name="unpaired"/>) may pair with what the scan finds; whatever stays unpaired is
    /// stored. <paramref name="alsoExamined"/> says which paths were examined with them (a batch's hinted entries).
    /// </summary>
    private ScanRun Scan(string runKind, string source, IReadOnlyList<string?> scopes, Action<Finding>? onFinding,
        Func<string, ChangeHint?>? hintFor, MovePairing? unpaired, Func<string, bool> alsoExamined, CancellationToken cancellationToken)
    {
        long runId = _store.StartRun(runKind, _tree.Description);
        long findings = 0;
        try
        {
            // Read before the baseline is: a baseline approved in between is then caught by the first write.
            var generation = _store.CurrentGenerationId();
            ComparingWith?.Invoke(generation);
            var batch = new List<Observation>(BatchSize);
            var moves = unpaired ?? new MovePairing();

            void Emit(Finding finding)
            {
                if (hintFor?.Invoke(finding.Path) is { } hint)
                    finding = WithProcess(finding, hint);
                findings++;
                batch.AddRange(Observation.For(finding));
                onFinding?.Invoke(finding);
                if (batch.Count >= BatchSize)
                    Flush(batch, runId, generation);
            }

            foreach (var scope in scopes)
            {
                foreach (var item in Scanner.Scan(_store.OpenBaseline(scope), scope, cancellationToken))
                {
                    if (EntryComparer.Compare(item.Baseline, item.Observed, item.Category, source) is { } finding && moves.Offer(finding) is { } ready)
                        Emit(ready);
                }
            }
            var named = scopes.OfType<string>().ToList();
            var drained = moves.Drain();
            if (named.Count == scopes.Count)
                drained = PairWithStoredRemovals(drained, path => ScopeHolding(named, path) is not null || alsoExamined(path));
            foreach (var finding in drained)
                Emit(finding);
            Flush(batch, runId, generation);
            var resolved = new List<Resolution>();
            foreach (var scope in KeepsDrift ? scopes : [])
            {
                foreach (var path in _store.ForgetObservationsNotFromRun(scope, runId, generation, path => _policy.Classify(path) is not null))
                    resolved.Add(hintFor?.Invoke(path) is { } hint ? Resolved(path, hint) : Resolved(path, source));
            }

            var totals = Totals(findings);
            _store.FinishRun(runId, totals, "completed", named.Count == 0 ? null : $"scope {string.Join(", ", named)}");
            return new ScanRun(runId, totals, resolved);
        }
        catch (Exception e)
        {
            _store.FinishRun(runId, Totals(findings), "failed", e.Message);
            throw;
        }
    }

    /// <summary>
    /// Re-examines the paths a change source hinted at, with the same code a scan uses; directories (and anything
    /// that was or became one) are rescanned as subtrees. The cursor, when given, is stored with the results. A
    /// baseline approved meanwhile (an accept while watching) has the whole batch examined again against it.
    /// Cancelling gives up a subtree rescan between two reads (the entries are stored by then).
    /// </summary>
    public AppliedHints ApplyHints(IReadOnlyList<ChangeHint> hints, long runId, FeedCursor? cursor = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                return ApplyHintsOnce(hints, runId, cursor, cancellationToken);
            }
            catch (BaselineChangedException)
            {
            }
        }
    }

    private AppliedHints ApplyHintsOnce(IReadOnlyList<ChangeHint> hints, long runId, FeedCursor? cursor, CancellationToken cancellationToken)
    {
        var generation = _store.CurrentGenerationId();
        ComparingWith?.Invoke(generation);
        var findings = new List<Finding>();
        var vanished = new List<string>();
        var matched = new List<FileEntry>();
        var observations = new List<Observation>();
        var moves = new MovePairing();
        var hintsByPath = new Dictionary<string, ChangeHint>(StringComparer.Ordinal);
        foreach (var hint in hints)
        {
            if (hint.OldPath is not null)
                hintsByPath.TryAdd(hint.OldPath, hint);
            hintsByPath[hint.Path] = hint;
        }

        // The store is read on this thread; the stat and hashing of each path run on every core.
        var hinted = hintsByPath.ToArray();
        // What this policy does not select is not its to compare, approved or not (a --policy narrower than the
        // recorded one): such a path is treated as having nothing approved.
        var baselines = _store.FindBaselines(hinted.Select(pair => pair.Key).ToArray())
            .Select((baseline, i) => baseline is not null && _policy.Classify(hinted[i].Key) is null ? null : baseline).ToArray();
        var examined = new ScanItem[hinted.Length];
        Parallel.For(0, hinted.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.HashWorkers), CancellationToken = cancellationToken },
            i => examined[i] = Scanner.Examine(hinted[i].Key, baselines[i], cancellationToken));

        // A directory whose entries or attributes changed is compared as an entry: its children's own hints cover
        // them. One that appeared, moved or changed type is rescanned as a subtree. So is any path with approved
        // entries or stored drift below it: a directory moved away or deleted, or replaced by a file, whose entries'
        // own deletions the source could no longer name (it may not be selected itself, as `/home/%/.ssh` is not
        // while its files are). A path with nothing there and nothing approved (a temporary file) is an entry that
        // clears what was stored for it.
        var asEntry = new bool[hinted.Length];
        for (int i = 0; i < hinted.Length; i++)
        {
            var (observed, baseline) = (examined[i].Observed, baselines[i]);
            bool directoryItself = hinted[i].Value.Kind is ChangeKind.Modified or ChangeKind.MetadataChanged
                && observed?.Type == FileType.Directory && baseline?.Type is null or FileType.Directory;
            bool gone = observed is null && baseline is null;
            if (gone)
                vanished.Add(hinted[i].Key);
            asEntry[i] = directoryItself || !(observed?.Type == FileType.Directory || baseline?.Type == FileType.Directory);
        }
        // New permissions may let a directory be listed, or no longer: one that cannot be listed now, or below which
        // drift is stored (found while it could not be, say), is rescanned, to be reported as a walk of it would.
        var permissionsChanged = Enumerable.Range(0, hinted.Length)
            .Where(i => asEntry[i] && examined[i].Observed?.Type == FileType.Directory && hinted[i].Value.Kind == ChangeKind.MetadataChanged).ToHashSet();
        foreach (var i in permissionsChanged)
            asEntry[i] &= _tree.MayList(hinted[i].Key);
        var candidates = Enumerable.Range(0, hinted.Length)
            .Where(i => asEntry[i] && (examined[i].Observed?.Type != FileType.Directory || permissionsChanged.Contains(i))).ToArray();
        var below = _store.FindEntriesBelow(candidates.Select(i => hinted[i].Key).ToArray());
        for (int c = 0; c < candidates.Length; c++)
            asEntry[candidates[c]] &= (below[c] & (permissionsChanged.Contains(candidates[c]) ? EntriesBelow.Drift : EntriesBelow.Approved | EntriesBelow.Drift)) == 0;

        // One run for all subtrees: a directory renamed within the batch is removed from one and added in another. An
        // entry below one is left to it, not compared twice (a directory made and a file written in it).
        var scopes = RemoveNested(Enumerable.Range(0, hinted.Length).Where(i => !asEntry[i]).Select(i => hinted[i].Key).ToList());
        for (int i = 0; i < hinted.Length; i++)
        {
            var (path, hint) = hinted[i];
            var baseline = baselines[i];
            var item = examined[i];
            if (!asEntry[i] || ScopeHolding(scopes, path) is not null)
                continue;
            // A path the policy does not select (a directory on the way to its roots, hinted to rescan below it) is
            // never stored itself: what is stored there (under a broader recorded policy) is not this policy's to clear.
            if (item.Category is null)
                continue;
            var finding = baseline is null && item.Observed is null ? null
                : EntryComparer.Compare(baseline, item.Observed, item.Category, hint.Source);
            if (finding is null)
            {
                observations.Add(new Observation(path, item.Observed, null));
                if (item.Observed is { } same)
                    matched.Add(same);
                continue;
            }
            finding = WithProcess(finding, hint);
            if (moves.Offer(finding) is { } ready)
                findings.Add(ready);
        }
        // Halves of moves still unpaired may pair with what the subtrees' rescan finds (a file moved into a directory
        // made in the same batch), which stores them either way.
        if (scopes.Count == 0)
            findings.AddRange(PairWithStoredRemovals(moves.Drain(), hintsByPath.ContainsKey));
        observations.AddRange(findings.SelectMany(Observation.For));
        var resolved = _store.ApplyObservations(observations, runId, generation, cursor, KeepsDrift)
            .Select(path => Resolved(path, hintsByPath[path])).ToList();

        // What a rescan finds below a hinted directory was made by the process the hint names, as far as is known.
        if (scopes.Count > 0)
        {
            var run = Scan("rescan", hintsByPath[scopes[0]].Source, scopes.ToList<string?>(), findings.Add,
                path => ScopeHolding(scopes, path) is { } scope ? hintsByPath[scope] : null,
                moves, hintsByPath.ContainsKey, cancellationToken);
            resolved.AddRange(run.Resolved);
        }
        return new AppliedHints(findings, vanished, matched, scopes, resolved);
    }

    /// <summary>
    /// Records a gap and closes it with a rescan of its scope, done again when a baseline is approved meanwhile;
    /// returns the findings of the rescan and the stored drift it found gone.
    /// </summary>
    public (IReadOnlyList<Finding> Findings, IReadOnlyList<Resolution> Resolved) CloseGap(GapSignal gap, CancellationToken cancellationToken = default)
    {
        long gapId = _store.RecordGap(gap);
        string? scope = gap.Scope is "" or "/" ? null : gap.Scope;
        while (true)
        {
            var findings = new List<Finding>();
            try
            {
                var run = Scan("rescan", "rescan", scope, findings.Add, cancellationToken);
                _store.CloseGap(gapId, run.RunId);
                return (findings, run.Resolved);
            }
            catch (BaselineChangedException)
            {
            }
        }
    }

    /// <summary>
    /// Pairs what stayed added after a batch or a scoped rescan with approved entries the store holds as removed
    /// outside what was just examined (<paramref name="examined"/>), as a full scan would pair them: a file renamed,
    /// then changed or renamed again in a later window, is still the approved file moved. A full scan sees every
    /// removal itself and does not ask.
    /// </summary>
    private IEnumerable<Finding> PairWithStoredRemovals(IEnumerable<Finding> findings, Func<string, bool> examined)
    {
        var all = findings as IList<Finding> ?? findings.ToList();
        var added = new List<int>();
        var objects = new List<(ulong, ulong)>();
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i] is { Kind: DriftKind.Added, After: { } after } && MovePairing.Identity(after) is not null
                && after is { Inode: { } inode, Device: { } device })
            {
                added.Add(i);
                objects.Add((inode, device));
            }
        }
        if (added.Count == 0)
            return all;

        var removed = _store.FindRemovedWithInodes(objects);
        var result = all.ToArray();
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < added.Count; k++)
        {
            var finding = result[added[k]];
            var before = removed[k].FirstOrDefault(entry => !examined(entry.Path) && !used.Contains(entry.Path) && MovePairing.AreOneMove(entry, finding.After!));
            if (before is null)
                continue;
            used.Add(before.Path);
            result[added[k]] = MovePairing.Move(before, _policy.Classify(before.Path)?.Severity ?? finding.Severity, finding);
        }
        return result;
    }

    /// <summary>A path's drift gone, with the process of the hint that led there, when there was one.</summary>
    private Resolution Resolved(string path, ChangeHint hint) =>
        Resolved(path, hint.Source) with { ProcessId = hint.ProcessId, ProcessPath = hint.ProcessPath };

    private Resolution Resolved(string path, string source)
    {
        var category = _policy.Classify(path);
        return new Resolution(path, source) { Category = category?.Name, Severity = category?.Severity };
    }

    private static Finding WithProcess(Finding finding, ChangeHint hint) =>
        hint.ProcessId is null ? finding : new Finding
        {
            Path = finding.Path,
            Kind = finding.Kind,
            Attributes = finding.Attributes,
            Before = finding.Before,
            After = finding.After,
            Category = finding.Category,
            Severity = finding.Severity,
            Detail = finding.Detail,
            Source = finding.Source,
            ProcessId = hint.ProcessId,
            ProcessPath = hint.ProcessPath,
            ObservedAt = finding.ObservedAt,
        };

    private static List<string> RemoveNested(List<string> paths)
    {
        paths.Sort(EntryPath.CompareWalkOrder);
        var kept = new List<string>();
        foreach (var path in paths)
        {
            if (ScopeHolding(kept, path) is null)
                kept.Add(path);
        }
        return kept;
    }

    /// <summary>The scope a path is at or below; null when none.</summary>
    private static string? ScopeHolding(List<string> scopes, string path) => scopes.Find(scope => PathPattern.IsSameOrBelow(path, scope));

    private void Flush(List<Observation> batch, long runId, long? generation)
    {
        if (batch.Count == 0)
            return;
        _store.ApplyObservations(batch, runId, generation, keepsDrift: KeepsDrift);
        batch.Clear();
    }

    private RunTotals Totals(long findings)
    {
        var c = Scanner.Counters;
        return new RunTotals(c.Entries, c.FilesHashed, c.BytesHashed, c.Errors, findings);
    }
}

/// <summary>
/// What a batch of hints came to: its findings; the hinted paths found with nothing there and nothing approved (a
/// temporary file come and gone, say); the entries found as approved; and the subtrees rescanned, where whatever
/// is not among the findings was found as approved. None of the last three leaves a finding behind, yet each says
/// what is at a path now. <see cref="Resolved"/> is the stored drift the batch found gone.
/// </summary>
public sealed record AppliedHints(IReadOnlyList<Finding> Findings, IReadOnlyList<string> Vanished, IReadOnlyList<FileEntry> Matched,
    IReadOnlyList<string> Rescanned, IReadOnlyList<Resolution> Resolved);
