using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Scanning;

/// <summary>One path as a scan saw it: the baseline entry, the observed one, or both.</summary>
public sealed record ScanItem(string Path, FileEntry? Baseline, FileEntry? Observed, PolicyCategory? Category)
{
    /// <summary>Set on the walk's marker for a directory whose entries could not be listed, or an entry that could not be stat'ed.</summary>
    internal string? UnlistableDirectoryReason { get; init; }
}

/// <summary>Counters a scan updates as it goes; read them for progress and the scan-run record.</summary>
public sealed class ScanCounters
{
    private long _entries;
    private long _bytesHashed;
    private long _filesHashed;
    private long _errors;

    public long Entries => Interlocked.Read(ref _entries);
    public long FilesHashed => Interlocked.Read(ref _filesHashed);
    public long BytesHashed => Interlocked.Read(ref _bytesHashed);
    public long Errors => Interlocked.Read(ref _errors);

    internal void AddEntry() => Interlocked.Increment(ref _entries);
    internal void AddError() => Interlocked.Increment(ref _errors);

    internal void AddHashed(long bytes)
    {
        Interlocked.Increment(ref _filesHashed);
        Interlocked.Add(ref _bytesHashed, bytes);
    }
}
