using System.Threading.Channels;
using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// Follows any <see cref="IChangeSource"/> into the store: hints are coalesced per path and re-examined in batches
/// through <see cref="Reconciler.ApplyHints"/>, gaps are closed by a rescan of their scope while the source keeps
/// queueing, and a periodic full reconcile backs it all up. Whatever the source reports when it starts (a first-start
/// gap, or a replay from its cursor) decides what the startup reconcile covers.
/// </summary>
public sealed class ChangeFeedFollower
{
    private readonly IChangeSource _source;
    private readonly Reconciler _reconciler;
    private readonly IReconcileStore _store;
    private readonly Policy _policy;
    private readonly string _treeDescription;
    private readonly ChangeFeedOptions _options;
    private readonly IChangeFeedSink _sink;
    private readonly HintCoalescer _pending = new();
    private readonly HardLinkAliases _aliases = new();
    private readonly ReportedStates _reported = new();
    private readonly List<GapSignal> _gaps = [];
    private long _findings;
    private long _runId;
    /// <summary>
    /// Cancelled a moment after the stop: pending changes are still applied as the watch stops, but a rescan or a
    /// large file's hashing that would hold the stop up is given up (see <see cref="StopGrace"/>).
    /// </summary>
    private CancellationToken _givingUp;
    private bool _gaveUpExamining;

    /// <summary>How long a stopping watch goes on examining what it still has before it gives up what is left.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    public ChangeFeedFollower(IChangeSource source, Reconciler reconciler, IReconcileStore store, Policy policy,
        string treeDescription, IChangeFeedSink sink, ChangeFeedOptions? options = null)
    {
        _source = source;
        _reconciler = reconciler;
        _store = store;
        _policy = policy;
        _treeDescription = treeDescription;
        _sink = sink;
        _options = options ?? new ChangeFeedOptions();
    }

    /// <summary>
    /// Follows until cancelled (what the source still holds then, and every pending hint, is applied before it
    /// returns) or until the source ends. A source failure ends the watch run as failed and is rethrown; a
    /// <see cref="StopFollowingException"/> ends it as completed and is rethrown.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in _store.BaselineInWalkOrder())
            _aliases.Remember(entry);

        _runId = _store.StartRun("watch", _treeDescription);
        using var givingUp = new CancellationTokenSource();
        using var graceOnStop = cancellationToken.Register(() => givingUp.CancelAfter(StopGrace));
        _givingUp = givingUp.Token;
        var queue = Channel.CreateUnbounded<ChangeSignal>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = PumpAsync(queue.Writer, stopPump.Token);
        string status = "completed";
        string? detail = null;
        try
        {
            await FollowAsync(queue.Reader, cancellationToken).ConfigureAwait(false);
        }
        catch (StopFollowingException e)
        {
            detail = $"stopped: {e.Message}";
            throw;
        }
        catch (Exception e)
        {
            (status, detail) = ("failed", e.Message);
            throw;
        }
        finally
        {
            stopPump.Cancel();
            await pump.ConfigureAwait(false);
            var c = _reconciler.Scanner.Counters;
            _store.FinishRun(_runId, new RunTotals(c.Entries, c.FilesHashed, c.BytesHashed, c.Errors, _findings), status, detail);
        }
    }

    private async Task PumpAsync(ChannelWriter<ChangeSignal> writer, CancellationToken cancellationToken)
    {
        // Off the caller's thread at once, so the follower can start while the source sets itself up.
        await Task.Yield();
        Exception? failure = null;
        try
        {
            await foreach (var signal in _source.ReadAsync(_options.SourceRoots, cancellationToken).ConfigureAwait(false))
                writer.TryWrite(signal);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }
        writer.TryComplete(failure);
    }

    private async Task FollowAsync(ChannelReader<ChangeSignal> reader, CancellationToken cancellationToken)
    {
        var nextReconcile = _options.ReconcileInterval is { } interval ? DateTimeOffset.UtcNow + interval : DateTimeOffset.MaxValue;
        var nextGenerationCheck = DateTimeOffset.UtcNow + _options.GenerationCheckInterval;
        Task<bool>? waiting = null;
        while (true)
        {
            // A bounded number per round, so a storm cannot keep the batch from ever being applied.
            for (int taken = 0; taken < _options.MaxBatch * 4 && reader.TryRead(out var signal); taken++)
                Accept(signal);
            CloseGaps();

            var now = DateTimeOffset.UtcNow;
            if (_pending.Count > 0 && (now >= _pending.DueAt(_options.CoalesceWindow) || _pending.Count >= _options.MaxBatch * 4))
                ApplyPending();
            if (now >= nextReconcile)
            {
                CloseGap(new GapSignal("watch", now, "", GapReason.Periodic, "periodic full reconcile"));
                nextReconcile = DateTimeOffset.UtcNow + _options.ReconcileInterval!.Value;
            }
            if (now >= nextGenerationCheck)
            {
                _reconciler.LookAtCurrentGeneration();
                nextGenerationCheck = DateTimeOffset.UtcNow + _options.GenerationCheckInterval;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                await DrainAsync(reader, waiting).ConfigureAwait(false);
                break;
            }

            waiting ??= reader.WaitToReadAsync(CancellationToken.None).AsTask();
            if (!waiting.IsCompleted)
            {
                var due = _pending.Count > 0 ? _pending.DueAt(_options.CoalesceWindow) : DateTimeOffset.MaxValue;
                foreach (var next in (ReadOnlySpan<DateTimeOffset>)[nextReconcile, nextGenerationCheck])
                {
                    if (next < due)
                        due = next;
                }
                var delay = due == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : Clamp(due - DateTimeOffset.UtcNow);
                try
                {
                    await Task.WhenAny(waiting, Task.Delay(delay, cancellationToken)).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            if (!waiting.IsCompleted)
                continue;
            if (!await waiting.ConfigureAwait(false))
            {
                await reader.Completion.ConfigureAwait(false);   // rethrows the source's failure
                break;
            }
            waiting = null;
        }
        ApplyPending();
    }

    /// <summary>
    /// On stop, takes everything the source still hands over: cancelled as well, it passes on what it has read and
    /// what its kernel queue held, then ends. The caller applies it all before the watch stops.
    /// </summary>
    private async Task DrainAsync(ChannelReader<ChangeSignal> reader, Task<bool>? waiting)
    {
        while (true)
        {
            while (reader.TryRead(out var signal))
                Accept(signal);
            waiting ??= reader.WaitToReadAsync(CancellationToken.None).AsTask();
            if (!await waiting.ConfigureAwait(false))
                break;
            waiting = null;
        }
        await reader.Completion.ConfigureAwait(false);   // rethrows the source's failure
        CloseGaps();
    }

    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay;

    private void Accept(ChangeSignal signal)
    {
        switch (signal)
        {
            case GapSignal gap:
                _gaps.Add(gap with { Scope = gap.Scope is "" or "/" ? "" : _options.ToTreePath(gap.Scope) ?? "" });
                break;
            case ChangeHint hint:
                var now = DateTimeOffset.UtcNow;
                if (ToRelevant(hint) is { } relevant)
                    _pending.Add(relevant, now);
                // Adding, removing or renaming an entry changes its directory's mtime and ctime, as a scan would see,
                // even when the entry itself is excluded (an editor's swap file) or ignored.
                if (hint.Kind is ChangeKind.Created or ChangeKind.Deleted or ChangeKind.Renamed or ChangeKind.Unknown)
                {
                    AddParent(hint, hint.Path, now);
                    if (hint.OldPath is { } oldPath)
                        AddParent(hint, oldPath, now);
                }
                break;
        }
    }

    /// <summary>Adds the directory holding <paramref name="sourcePath"/> (a path as the source names it) when the policy selects it.</summary>
    private void AddParent(ChangeHint child, string sourcePath, DateTimeOffset now)
    {
        if (_options.ToTreePath(sourcePath) is not { } path)
            return;
        int slash = path.LastIndexOf('/');
        var parent = slash > 0 ? path[..slash] : "/";
        if (parent != path && _policy.Classify(parent) is not null)
            _pending.Add(child with { Path = parent, OldPath = null, Kind = ChangeKind.Modified }, now);
    }

    /// <summary>The hint in tree paths, with an old path that can matter; null when neither side is in scope.</summary>
    private ChangeHint? ToRelevant(ChangeHint hint)
    {
        var path = TreePath(hint.Path);
        var oldPath = hint.OldPath is null ? null : TreePath(hint.OldPath);
        if (path is null)
            return oldPath is null ? null : hint with { Path = oldPath, OldPath = null, Kind = ChangeKind.Deleted };
        return hint with { Path = path, OldPath = oldPath };
    }

    private string? TreePath(string sourcePath)
    {
        var path = _options.ToTreePath(sourcePath);
        if (path is null || _options.IgnoredPaths.Contains(path))
            return null;
        // Excluded and out-of-scope paths stop here, before any stat or database lookup.
        return _policy.Classify(path) is not null || _policy.ShouldDescend(path) ? path : null;
    }

    private void ApplyPending()
    {
        while (_pending.Count > 0)
        {
            var batch = _pending.Take(_options.MaxBatch);
            var inBatch = batch.Select(h => h.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var hint in batch.ToArray())
            {
                foreach (var name in _aliases.OtherNames(hint.Path))
                {
                    if (inBatch.Add(name))
                        batch.Add(hint with { Path = name, OldPath = null, Kind = ChangeKind.Unknown });
                }
            }
            var applied = Apply(batch);
            var findings = applied.Findings;

            // Other names of hard-linked files the batch changed: re-examined once, after the batch, and reported
            // with it, so that whoever sees a batch's last finding knows the whole batch is stored.
            var aliases = new List<ChangeHint>();
            foreach (var finding in findings)
            {
                foreach (var name in _aliases.OtherNames(finding))
                {
                    if (inBatch.Add(name))
                        aliases.Add(new ChangeHint(finding.Source, DateTimeOffset.UtcNow, name, ChangeKind.Unknown));
                }
            }
            if (aliases.Count == 0)
            {
                Report(findings, applied.Resolved);
            }
            else
            {
                var ofAliases = Apply(aliases);
                Report([.. findings, .. ofAliases.Findings], [.. applied.Resolved, .. ofAliases.Resolved]);
            }
            _reported.ForgetAllBut(applied.Rescanned, findings);
        }
    }

    private AppliedHints Apply(List<ChangeHint> hints)
    {
        AppliedHints applied;
        try
        {
            applied = _reconciler.ApplyHints(hints, _runId, cancellationToken: _givingUp);
        }
        catch (OperationCanceledException) when (_givingUp.IsCancellationRequested)
        {
            // Stopping gave up a rescan of directories the batch changed, or the hashing of a large file it changed:
            // on record as a gap left open, which the next start's reconcile covers. The batches still queued behind
            // it are given up the same way, under the same gap.
            if (!_gaveUpExamining)
            {
                _gaveUpExamining = true;
                var gap = new GapSignal(hints[0].Source, DateTimeOffset.UtcNow, "", GapReason.SourceRestarted,
                    "the watch stopped while examining changes (a rescan of changed directories or a large file's hashing): the next start's reconcile covers them");
                _store.RecordGap(gap);
                _sink.Gap(gap);
            }
            return new AppliedHints([], [], [], [], []);
        }
        foreach (var path in applied.Vanished)
        {
            _aliases.Forget(path);
            _reported.Forget(path);
        }
        foreach (var entry in applied.Matched)
        {
            _aliases.Remember(entry);
            _reported.Forget(entry.Path);
        }
        return applied;
    }

    /// <summary>
    /// Closes the gaps that arrived since the last round, one rescan per scope: overflows that pile up while a rescan
    /// runs need one more rescan, not one each. A coverage-degraded gap is never folded into another.
    /// </summary>
    private void CloseGaps()
    {
        if (_gaps.Count == 0)
            return;
        var covering = new List<(GapSignal Gap, int Covers)>();
        foreach (var gap in _gaps.OrderBy(g => g.Scope.Length))
        {
            // Coverage lost is on record on its own (and warned of), whatever rescan covers it.
            int index = gap.Reason == GapReason.CoverageDegraded ? -1 : covering.FindIndex(c => PathPattern.IsSameOrBelow(gap.Scope, c.Gap.Scope));
            if (index < 0)
                covering.Add((gap, 0));
            else
                covering[index] = (covering[index].Gap, covering[index].Covers + 1);
        }
        _gaps.Clear();
        foreach (var (gap, covers) in covering)
            CloseGap(covers == 0 ? gap : gap with { Detail = $"{gap.Detail} (and {covers} more gap(s) within its scope)" });
    }

    private void CloseGap(GapSignal gap)
    {
        // The rescan sees whatever the pending hints would have; hints that arrive during it are applied after.
        _pending.DropUnder(gap.Scope, DateTimeOffset.UtcNow);
        _sink.Gap(gap);
        IReadOnlyList<Finding> findings;
        IReadOnlyList<Resolution> resolved;
        try
        {
            (findings, resolved) = _reconciler.CloseGap(gap, _givingUp);
        }
        catch (OperationCanceledException) when (_givingUp.IsCancellationRequested)
        {
            // Stopping does not wait for a rescan of everything: the gap stays open on record, and the reconcile of
            // the next start covers it.
            return;
        }
        Report(findings, resolved);
        _reported.ForgetAllBut([gap.Scope is "" or "/" ? null : gap.Scope], findings);
    }

    /// <summary>Hands the sink what went away, then the new findings: a batch's last line is always a finding, if it has one.</summary>
    private void Report(IReadOnlyList<Finding> findings, IReadOnlyList<Resolution> resolved)
    {
        if (resolved.Count > 0)
            _sink.Resolved(resolved);
        var fresh = new List<Finding>(findings.Count);
        foreach (var finding in findings)
        {
            _aliases.Update(finding);
            if (_reported.IsNew(finding))
                fresh.Add(finding);
        }
        _findings += fresh.Count;
        if (fresh.Count > 0)
            _sink.Committed(fresh);
    }
}
