using System.Threading.Channels;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Scanning;

public sealed class ScanOptions
{
    /// <summary>Hash every regular file, not only those whose size, times, inode or device changed.</summary>
    public bool RehashAll { get; init; }

    /// <summary>Threads hashing content; the walk runs on one more.</summary>
    public int HashWorkers { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Walks what a policy selects, merges the walk with the baseline (both in walk order, so memory stays bounded),
/// and hashes what needs hashing on every core. The same <see cref="Examine"/> serves single paths from change
/// hints, so scheduled and event-driven results cannot disagree.
/// </summary>
public sealed class Scanner
{
    /// <summary>
    /// Items cross between threads in batches, so that a waiting thread wakes (and spins before it sleeps again) once
    /// per batch rather than once per item.
    /// </summary>
    private const int BatchSize = 256;

    /// <summary>Files per batch for a hashing worker: small, so that one batch of large files does not leave the others idle.</summary>
    private const int HashBatchSize = 8;

    /// <summary>Batches a queue holds before its writer waits: memory stays bounded however large the tree.</summary>
    private const int QueueCapacity = 32;

    private readonly IFileTree _tree;
    private readonly Policy _policy;
    private readonly ScanOptions _options;
    private readonly ContentHashing _hashing;
    /// <summary>
    /// Whether a file that looks as approved keeps its approved hashes unread. With every file to be hashed, a
    /// matching fingerprint proves nothing about the content.
    /// </summary>
    private readonly bool _skipUnchanged;

    public Scanner(IFileTree tree, Policy policy, ScanOptions? options = null)
    {
        _tree = tree;
        _policy = policy;
        _options = options ?? new ScanOptions();
        _hashing = new ContentHashing(tree);
        _skipUnchanged = !_options.RehashAll && !_policy.RehashAlways && tree.IdentityVouchesForContent;
    }

    public ScanCounters Counters { get; } = new();

    /// <summary>Scans against baseline entries already in memory; see <see cref="Scan(IBaselineCursor, string?, CancellationToken)"/>.</summary>
    public IEnumerable<ScanItem> Scan(IEnumerable<FileEntry> baseline, string? scope = null, CancellationToken cancellationToken = default) =>
        Scan(BaselineCursor.Over(baseline), scope, cancellationToken);

    /// <summary>
    /// Scans the policy's scope, or only <paramref name="scope"/> and what lies below it. <paramref name="baseline"/>
    /// must hold the baseline entries of that same scope in <see cref="EntryPath.CompareWalkOrder"/> order; the scan
    /// disposes it when it ends, so it must be enumerated. Items come back in no particular order. A walked entry whose <see cref="EntryFingerprint"/>
    /// equals its baseline entry's is not returned (unless every file is rehashed): it matches on every attribute,
    /// so comparing it would find nothing. It is counted all the same.
    /// </summary>
    public IEnumerable<ScanItem> Scan(IBaselineCursor baseline, string? scope = null, CancellationToken cancellationToken = default)
    {
        var toHash = Channel.CreateBounded<List<ScanItem>>(QueueCapacity);
        var done = Channel.CreateBounded<List<ScanItem>>(QueueCapacity);

        var walker = Task.Factory.StartNew(() =>
        {
            try
            {
                var hashBatch = new List<ScanItem>(HashBatchSize);
                var doneBatch = new List<ScanItem>(BatchSize);
                // The walk runs a bounded distance ahead on a thread of its own; this one steps the baseline, which
                // must stay on one thread, and decides what needs hashing.
                foreach (var item in MergeWithBaseline(ReadAhead(Walk(scope, cancellationToken), cancellationToken), baseline))
                {
                    if (NeedsHashing(item))
                        Add(toHash.Writer, ref hashBatch, item, HashBatchSize, cancellationToken);
                    else
                        Add(done.Writer, ref doneBatch, item, BatchSize, cancellationToken);
                }
                Flush(toHash.Writer, ref hashBatch, HashBatchSize, cancellationToken);
                Flush(done.Writer, ref doneBatch, BatchSize, cancellationToken);
            }
            finally
            {
                baseline.Dispose();
                toHash.Writer.Complete();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var workers = Enumerable.Range(0, Math.Max(1, _options.HashWorkers)).Select(_ => Task.Run(async () =>
        {
            await foreach (var batch in toHash.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var hashedBatch = new List<ScanItem>(batch.Count);
                foreach (var item in batch)
                {
                    var hashed = item with { Observed = HashObserved(item, cancellationToken) };
                    // A file that vanished before it was read and was not in the baseline leaves nothing to report.
                    if (hashed.Observed is not null || hashed.Baseline is not null)
                        hashedBatch.Add(hashed);
                }
                await done.Writer.WriteAsync(hashedBatch, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken)).ToArray();

        var all = Task.WhenAll([walker, .. workers]);
        all.ContinueWith(t => done.Writer.Complete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        foreach (var batch in ReadAll(done.Reader, cancellationToken))
        {
            foreach (var item in batch)
                yield return item;
        }
        all.GetAwaiter().GetResult();
    }

    /// <summary>
    /// The policy's include roots that leave something it names unmonitored on this tree: one that does not exist (a
    /// typo, or a policy for another system) selects nothing, and one that is a symbolic link is recorded as the
    /// link, never followed, so nothing behind it is compared. One line for each, naming the root.
    /// </summary>
    public IReadOnlyList<string> RootWarnings()
    {
        var warnings = new List<string>();
        foreach (var root in _policy.IncludeRoots())
        {
            var shown = EntryPath.ToDisplay(root);
            switch (_tree.Stat(_tree.CanonicalPath(root)))
            {
                case null:
                    warnings.Add($"{shown}: no such file or directory; the policy selects nothing there.");
                    break;
                // A link whose target the policy covers as well (/bin and /usr/bin on merged-/usr) hides nothing.
                case { Type: FileType.Symlink, LinkTarget: var target } when !CoversTarget(root, target):
                    warnings.Add($"{shown} is a symbolic link to {EntryPath.ToDisplayText(target ?? "")}: only the link is monitored, never what it leads to; name the target to monitor that.");
                    break;
            }
        }
        return warnings;
    }

    private bool CoversTarget(string link, string? target)
    {
        var directory = EntryPath.Parent(link);
        if (target is null || !Path.IsPathRooted(directory))
            return false;
        var resolved = Path.GetFullPath(target, directory);
        return _policy.Classify(resolved) is not null && _policy.ShouldDescend(resolved);
    }

    /// <summary>
    /// Examines one path as a scan would: metadata, and content when it may have changed. Cancelling stops a large
    /// file's hashing between two reads.
    /// </summary>
    public ScanItem Examine(string path, FileEntry? baseline, CancellationToken cancellationToken = default)
    {
        var category = _policy.Classify(path);
        var observed = category is null ? null : Observe(path, category);
        var item = new ScanItem(path, baseline, observed, category);
        return NeedsHashing(item) ? item with { Observed = HashObserved(item, cancellationToken) } : item;
    }

    private FileEntry? Observe(string path, PolicyCategory category) =>
        _tree.Stat(path) is { } entry ? Observed(entry, category) : null;

    private FileEntry Observed(FileEntry entry, PolicyCategory category)
    {
        entry.Category = category.Name;
        Counters.AddEntry();
        if (entry.Error is not null)
            Counters.AddError();
        return entry;
    }

    private bool NeedsHashing(ScanItem item)
    {
        if (item.Observed is not { Type: FileType.File, Error: null } observed || item.Category is null)
            return false;
        var algorithms = item.Category.Attributes.HashAlgorithms;
        if (algorithms.Count == 0)
            return false;
        if (_skipUnchanged && item.Baseline is { } known
            && observed.HasSameContentIdentity(known) && HasAll(known, algorithms))
        {
            foreach (var algorithm in algorithms)
                observed.Hashes[algorithm] = known.Hashes[algorithm];
            return false;
        }
        return true;
    }

    private static bool HasAll(FileEntry entry, IReadOnlyList<string> algorithms)
    {
        foreach (var algorithm in algorithms)
        {
            if (!entry.Hashes.ContainsKey(algorithm))
                return false;
        }
        return true;
    }

    private FileEntry? HashObserved(ScanItem item, CancellationToken cancellationToken)
    {
        var hashed = _hashing.Hash(item.Observed!, item.Category!.Attributes.HashAlgorithms, Counters, cancellationToken);
        if (hashed is null)
            return null;
        hashed.Category = item.Category.Name;
        if (hashed.Error is not null && item.Observed?.Error is null)
            Counters.AddError();
        return hashed;
    }

    /// <summary>
    /// Depth-first, children sorted, so paths come out in <see cref="EntryPath.CompareWalkOrder"/> order. A directory's
    /// entries are examined together when it is read (the tree can then look each up relative to the directory);
    /// only the roots are looked up by whole path.
    /// </summary>
    private IEnumerable<ScanItem> Walk(string? scope, CancellationToken cancellationToken)
    {
        IEnumerable<string> roots = (scope is null ? _policy.WalkRoots() : [scope]).Select(_tree.CanonicalPath);
        var stack = new Stack<FileEntry>();
        foreach (var root in roots)
        {
            if (_tree.Stat(root) is { } rootEntry)
                stack.Push(rootEntry);
            while (stack.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = stack.Pop();
                var path = entry.Path;
                var category = _policy.Classify(path);
                if (category is not null)
                    Observed(entry, category);
                bool descend = entry.Type == FileType.Directory && _policy.ShouldDescend(path);
                FileEntry[] children = [];
                string? listError = null;
                if (descend)
                {
                    try
                    {
                        children = [.. _tree.ReadDirectory(path)];
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        listError = e is UnauthorizedAccessException ? "permission denied" : e.Message;
                        Counters.AddError();
                        entry.Error ??= $"cannot list directory: {listError}";
                    }
                }
                else if (entry.Type == FileType.Unknown && entry.Error is not null)
                {
                    // Not even stat'ed (a root, or an entry of a directory that can be listed but not searched): it may
                    // be a directory with everything approved below it still there, so that is unverified, not removed.
                    listError = entry.Error;
                }
                if (category is not null)
                    yield return new ScanItem(path, null, entry, category);
                if (listError is not null)
                    yield return new ScanItem(path, null, null, null) { UnlistableDirectoryReason = listError };
                if (!descend || listError is not null)
                {
                    // Roots below what this walk does not enter are walked from their own path, in walk order here.
                    if (entry.Type != FileType.File)
                    {
                        foreach (var nested in _policy.RootsBelow(path).Reverse())
                        {
                            if (_tree.Stat(_tree.CanonicalPath(nested)) is { } nestedEntry)
                                stack.Push(nestedEntry);
                        }
                    }
                    continue;
                }
                Array.Sort(children, static (a, b) => EntryPath.CompareWalkOrder(a.Path, b.Path));
                for (int i = children.Length - 1; i >= 0; i--)
                    stack.Push(children[i]);
            }
        }
    }

    /// <summary>
    /// Pairs walked entries with baseline entries, both in walk order. Baseline entries below a directory that
    /// could not be listed, or below an entry that could not be stat'ed, are reported as unverified, never as removed; those the policy does not select are left out. A walked entry whose fingerprint equals
    /// its baseline entry's is left out (see <see cref="Scan(IBaselineCursor, string?, CancellationToken)"/>).
    /// </summary>
    private IEnumerable<ScanItem> MergeWithBaseline(IEnumerable<ScanItem> walked, IBaselineCursor known)
    {
        bool hasKnown = known.MoveNext();
        string? unlistable = null;
        string? unlistableReason = null;
        var scratch = new FingerprintBuffer();

        IEnumerable<ScanItem> BaselineOnlyUpTo(string? path)
        {
            while (hasKnown && (path is null || EntryPath.CompareWalkOrder(known.Path, path) < 0))
            {
                // An approved entry this policy does not select (a watch's --policy narrower than the recorded one)
                // is outside what this scan compares: neither removed nor anything else.
                if (_policy.Classify(known.Path) is null)
                {
                    hasKnown = known.MoveNext();
                    continue;
                }
                var entry = known.Entry();
                if (unlistable is not null && Policies.PathPattern.IsSameOrBelow(entry.Path, unlistable) && entry.Path != unlistable)
                {
                    var unverified = entry.Clone();
                    unverified.Hashes.Clear();
                    unverified.Error = $"could not list {unlistable}: {unlistableReason}";
                    yield return new ScanItem(entry.Path, entry, unverified, _policy.Classify(entry.Path));
                }
                else
                {
                    yield return new ScanItem(entry.Path, entry, null, _policy.Classify(entry.Path));
                }
                hasKnown = known.MoveNext();
            }
        }

        foreach (var item in walked)
        {
            foreach (var removed in BaselineOnlyUpTo(item.Path))
                yield return removed;
            if (item.UnlistableDirectoryReason is not null)
            {
                unlistable = item.Path;
                unlistableReason = item.UnlistableDirectoryReason;
                continue;
            }
            if (hasKnown && known.Path == item.Path)
            {
                bool unchanged = _skipUnchanged && EntryFingerprint.Matches(item.Observed!, known.Fingerprint, scratch);
                if (!unchanged)
                    yield return item with { Baseline = known.Entry() };
                hasKnown = known.MoveNext();
            }
            else
            {
                yield return item;
            }
        }
        foreach (var removed in BaselineOnlyUpTo(null))
            yield return removed;
    }

    /// <summary>
    /// Enumerates <paramref name="source"/> on its own thread, a bounded distance ahead: the walk's system calls then
    /// overlap with the merge instead of taking turns with it.
    /// </summary>
    private static IEnumerable<T> ReadAhead<T>(IEnumerable<T> source, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<List<T>>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, SingleWriter = true });
        // Cancelled however the reading side ends: a producer waiting for room in a full queue after the reader stopped
        // early (an exception in the merge, say) would otherwise wait for ever, holding its thread and the source.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var batch = new List<T>(BatchSize);
                foreach (var item in source)
                    Add(queue.Writer, ref batch, item, BatchSize, stop.Token);
                Flush(queue.Writer, ref batch, BatchSize, stop.Token);
                queue.Writer.Complete();
            }
            catch (Exception e)
            {
                queue.Writer.Complete(e);
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var batch in ReadAll(queue.Reader, cancellationToken))
            {
                foreach (var item in batch)
                    yield return item;
            }
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            // The source is disposed once the producer ends; its outcome was reported above, or the reader is failing anyway.
            Task.WaitAny(producer);
        }
    }

    /// <summary>Adds an item to a batch, and sends the batch on (waiting for room) once it holds <paramref name="size"/> items.</summary>
    private static void Add<T>(ChannelWriter<List<T>> writer, ref List<T> batch, T item, int size, CancellationToken cancellationToken)
    {
        batch.Add(item);
        if (batch.Count >= size)
            Flush(writer, ref batch, size, cancellationToken);
    }

    /// <summary>Sends a batch on unless it is empty, and starts a new one.</summary>
    private static void Flush<T>(ChannelWriter<List<T>> writer, ref List<T> batch, int size, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return;
        if (!writer.TryWrite(batch))
            writer.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();
        batch = new List<T>(size);
    }

    /// <summary>Every batch a queue delivers until its writer completes, waiting on the calling thread.</summary>
    private static IEnumerable<List<T>> ReadAll<T>(ChannelReader<List<T>> reader, CancellationToken cancellationToken)
    {
        while (reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var batch))
                yield return batch;
        }
    }
}
