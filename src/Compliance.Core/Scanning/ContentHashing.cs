using System.Buffers;
using Compliance.Core.Model;
using Compliance.Hashing;
using Polly;
using Polly.Retry;

namespace Compliance.Core.Scanning;

/// <summary>
/// Hashes a regular file's content with every algorithm asked for, in one read, and makes sure the file did not
/// change while it was read: its size, times, inode and device are compared before and after. A file that keeps
/// changing is retried a few times and then recorded as unstable rather than with a hash of a moving target.
/// </summary>
public sealed class ContentHashing
{
    private const int BufferSize = 1 << 20;
    private const int Attempts = 4;

    /// <summary>
    /// One retry pipeline for the process, built when the first file is hashed: building it validates its options by
    /// reflection (15 ms), which an unchanged check, hashing nothing, need not pay.
    /// </summary>
    private static readonly Lazy<ResiliencePipeline> Retry = new(() => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<ContentChangedWhileHashingException>(),
            MaxRetryAttempts = Attempts - 1,
            Delay = TimeSpan.FromMilliseconds(20),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build());

    private readonly IFileTree _tree;

    public ContentHashing(IFileTree tree)
    {
        _tree = tree;
    }

    /// <summary>
    /// Returns the entry with hashes filled in; an entry with <see cref="FileEntry.Error"/> when it could not be read
    /// or kept changing; null when the file disappeared. Cancelling stops a large file between reads.
    /// </summary>
    public FileEntry? Hash(FileEntry observed, IReadOnlyList<string> algorithms, ScanCounters counters, CancellationToken cancellationToken = default)
    {
        try
        {
            // The first attempt trusts the scan's own stat and runs outside the retry pipeline, whose machinery cost
            // 3% of a baseline's CPU when every file went through it; only a file that changed meanwhile enters it.
            try
            {
                return HashOnce(observed.Path, observed, algorithms, counters, cancellationToken);
            }
            catch (ContentChangedWhileHashingException first)
            {
                // The pipeline's first attempt is the one just made, so it waits before each retry as before; a retry
                // looks at the file again, since it changed.
                Exception? made = first;
                return Retry.Value.Execute(() =>
                {
                    if (made is { } failed)
                    {
                        made = null;
                        throw failed;
                    }
                    return HashOnce(observed.Path, null, algorithms, counters, cancellationToken);
                });
            }
        }
        catch (ContentChangedWhileHashingException e)
        {
            var unstable = e.LastSeen;
            unstable.Error = $"changed while being hashed ({Attempts} attempts): unstable";
            return unstable;
        }
        catch (FileVanishedException)
        {
            return null;
        }
    }

    private FileEntry HashOnce(string path, FileEntry? stat, IReadOnlyList<string> algorithms, ScanCounters counters, CancellationToken cancellationToken)
    {
        var before = stat ?? _tree.Stat(path) ?? throw new FileVanishedException();
        if (before.Type != FileType.File || before.Error is not null)
            return before;

        // Only a file larger than the buffer needs incremental hashers; most files are read whole in one call and
        // hashed in one shot, which spares creating and freeing a hash context per algorithm per file.
        IContentHasher[]? hashers = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        FileEntry? after = null;
        try
        {
            using (var stream = _tree.OpenContent(path, before))
            {
                // Reading stops at the size stat gave, saving a read that would only find the end: a file that grew
                // meanwhile shows it in the stat after, and one that shrank in the total.
                int read;
                while (total < before.Size && (read = stream.Read(buffer, 0, BufferSize)) > 0)
                {
                    if (total == 0 && read >= before.Size)
                    {
                        total = read;
                        break;
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                    hashers ??= algorithms.Select(a => ContentHashAlgorithms.Get(a).CreateHasher()).ToArray();
                    foreach (var hasher in hashers)
                        hasher.Append(buffer.AsSpan(0, read));
                    total += read;
                }
                // The tree checked at open that this is the object stat'ed, so its own metadata now says whether its
                // content changed while it was read; a path renamed over afterwards is a later change, for the next
                // scan or the change feed to report. One system call on the open file, rather than a path lookup.
                if (stream is IContentIdentity opened)
                    after = opened.CurrentIdentity();
            }

            after ??= _tree.StatIdentity(path) ?? throw new FileVanishedException();
            if (!after.HasSameContentIdentity(before) || total != before.Size)
                throw new ContentChangedWhileHashingException(_tree.Stat(path) ?? throw new FileVanishedException());

            for (int i = 0; i < algorithms.Count; i++)
            {
                var algorithm = ContentHashAlgorithms.Get(algorithms[i]);
                var digest = new byte[algorithm.HashSizeInBytes];
                if (hashers is null)
                    algorithm.HashData(buffer.AsSpan(0, (int)total), digest);
                else
                    hashers[i].FinishAndReset(digest);
                before.Hashes[algorithms[i]] = digest;
            }
            counters.AddHashed(total);
            return before;
        }
        catch (FileReplacedException)
        {
            throw new ContentChangedWhileHashingException(_tree.Stat(path) ?? throw new FileVanishedException());
        }
        catch (FileNotFoundException)
        {
            throw new FileVanishedException();
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileVanishedException();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException and not FileVanishedException)
        {
            before.Error = e is UnauthorizedAccessException ? "permission denied" : $"read failed: {e.Message}";
            return before;
        }
        finally
        {
            foreach (var hasher in hashers ?? [])
                hasher.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class ContentChangedWhileHashingException(FileEntry lastSeen) : Exception("Content changed while being hashed.")
    {
        public FileEntry LastSeen { get; } = lastSeen;
    }

    private sealed class FileVanishedException : IOException;
}
