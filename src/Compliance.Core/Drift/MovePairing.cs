using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Drift;

/// <summary>
/// Turns a removed entry and an added entry that are the same object (same file ID, or same inode on the same
/// device, and the same type) into one "moved" finding. Holds only added and removed findings, which are few.
/// </summary>
public sealed class MovePairing
{
    private readonly List<Finding> _added = [];
    private readonly List<Finding> _removed = [];

    /// <summary>Holds back added and removed findings; returns every other finding as it is.</summary>
    public Finding? Offer(Finding finding)
    {
        switch (finding.Kind)
        {
            case DriftKind.Added:
                _added.Add(finding);
                return null;
            case DriftKind.Removed:
                _removed.Add(finding);
                return null;
            default:
                return finding;
        }
    }

    /// <summary>The held findings with pairs merged into moves.</summary>
    public IEnumerable<Finding> Drain()
    {
        var removedByIdentity = new Dictionary<(ulong, ulong, UInt128), Queue<Finding>>();
        foreach (var removed in _removed)
        {
            if (Identity(removed.Before!) is { } key)
            {
                if (!removedByIdentity.TryGetValue(key, out var queue))
                    removedByIdentity[key] = queue = new Queue<Finding>();
                queue.Enqueue(removed);
            }
        }

        var paired = new HashSet<Finding>(ReferenceEqualityComparer.Instance);
        foreach (var added in _added)
        {
            var after = added.After!;
            if (Identity(after) is { } key && removedByIdentity.TryGetValue(key, out var queue) && queue.Count > 0
                && IsSameObject(queue.Peek().Before!, after))
            {
                var removed = queue.Dequeue();
                paired.Add(removed);
                yield return Move(removed.Before!, removed.Severity, added);
            }
            else
            {
                yield return added;
            }
        }
        foreach (var removed in _removed)
        {
            if (!paired.Contains(removed))
                yield return removed;
        }
        _added.Clear();
        _removed.Clear();
    }

    /// <summary>
    /// The move of approved entry <paramref name="removed"/> to where <paramref name="added"/> found it. It keeps the
    /// severity of the category it left (<paramref name="leftSeverity"/>) when that is higher: a critical binary moved
    /// into a low category is still a critical file gone from where it was approved.
    /// </summary>
    public static Finding Move(FileEntry removed, Severity leftSeverity, Finding added)
    {
        var after = added.After!;
        var changed = new List<string> { "path" };
        changed.AddRange(EntryComparer.ChangedAttributes(removed, after, Attributes.AttributeCatalog.Everything)
            .Where(name => name != "ctime"));
        return new Finding
        {
            Path = added.Path,
            Kind = DriftKind.Moved,
            Attributes = changed,
            Before = removed,
            After = after,
            Category = added.Category,
            Severity = leftSeverity > added.Severity ? leftSeverity : added.Severity,
            Source = added.Source,
            Detail = $"moved from {EntryPath.ToDisplay(removed.Path)}",
            ProcessId = added.ProcessId,
            ProcessPath = added.ProcessPath,
        };
    }

    /// <summary>
    /// Inode numbers are reused as soon as a file is deleted, so the same number is not enough: a rename keeps the
    /// birth time (and size and mtime), a new file that got the old number does not.
    /// </summary>
    private static bool IsSameObject(FileEntry before, FileEntry after)
    {
        if (before.Type != after.Type)
            return false;
        if (before.FileId is not null && before.FileId == after.FileId)
            return true;
        if (before.BirthTimeNs is { } born && after.BirthTimeNs is { } bornAgain)
            return born == bornAgain;
        return before.Type == FileType.Directory || (before.Size == after.Size && before.MtimeNs == after.MtimeNs);
    }

    // Hard links share an inode, so a file with several links has no safe identity: a new link is not a move.
    // Directories cannot be hard-linked; their link count counts subdirectories.
    /// <summary>Whether an approved entry now gone and an entry added elsewhere are one object moved, as pairing judges it.</summary>
    public static bool AreOneMove(FileEntry removed, FileEntry added) =>
        Identity(removed) is { } key && Identity(added) == key && IsSameObject(removed, added);

    /// <summary>The key an entry pairs by (file ID, or inode and device); null for what is never paired (hard links).</summary>
    public static (ulong, ulong, UInt128)? Identity(FileEntry entry)
    {
        if (entry.Type != FileType.Directory && entry.LinkCount is > 1)
            return null;
        if (entry.FileId is { } id)
            return (0, 0, id);
        if (entry.Inode is { } inode && entry.Device is { } device)
            return (inode, device, 0);
        return null;
    }
}
