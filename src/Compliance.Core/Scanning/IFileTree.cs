using Compliance.Core.Model;

namespace Compliance.Core.Scanning;

/// <summary>
/// A tree of files the scanner can read: the live filesystem, or an offline disk image. Paths are '/'-separated as
/// the policy names them; the tree maps them to wherever the bytes really are.
/// </summary>
public interface IFileTree
{
    /// <summary>Short name for evidence: "linux:/", "ntfs-image:disk.raw"...</summary>
    string Description { get; }

    /// <summary>
    /// The tree's own spelling of a path a policy names: a live tree keeps it; an image tree names paths as The
    /// Sleuth Kit's `fls -p` prints them, without a leading '/'.
    /// </summary>
    string CanonicalPath(string path) => path;

    /// <summary>
    /// Whether a file whose type, size, times and identity are as approved may be taken to have its approved content,
    /// unhashed. On a live system the kernel sets change times; in a disk image every byte, times included, is as
    /// easy to write as the content.
    /// </summary>
    bool IdentityVouchesForContent => true;

    /// <summary>
    /// Metadata of the path itself (a final symlink is not followed), without content hashes. Null when the path
    /// does not exist. An entry that exists but cannot be read fully has <see cref="FileEntry.Error"/> set.
    /// </summary>
    FileEntry? Stat(string path);

    /// <summary>
    /// Just enough of <see cref="Stat"/> to tell whether content may have changed (type, size, times, inode, device,
    /// file ID); trees where that is cheaper than a full stat override it.
    /// </summary>
    FileEntry? StatIdentity(string path) => Stat(path);

    /// <summary>
    /// A directory's entries (not "." or ".."), each as <see cref="Stat"/> gives it, in no particular order; an entry
    /// gone by the time it is examined is left out. Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when the directory cannot be listed.
    /// </summary>
    IReadOnlyList<FileEntry> ReadDirectory(string path);

    /// <summary>
    /// Whether <see cref="ReadDirectory"/> may list the directory, as far as permissions go: a cheap look for when
    /// they changed. A tree that never refuses says yes.
    /// </summary>
    bool MayList(string path) => true;

    /// <summary>
    /// Opens a regular file's content for hashing. Implementations must refuse anything that is not the regular file
    /// <paramref name="expected"/> describes (never block on a FIFO, never follow a symlink swapped in).
    /// </summary>
    Stream OpenContent(string path, FileEntry expected);
}

/// <summary>
/// A content stream that can describe the object it reads. The scanner asks it, after reading, whether the content
/// changed meanwhile, instead of looking the path up again with <see cref="IFileTree.StatIdentity"/>.
/// </summary>
public interface IContentIdentity
{
    /// <summary>Type, size, times, inode and device of the opened object as they are now, under the path it was opened by.</summary>
    FileEntry CurrentIdentity();
}

/// <summary>
/// Thrown by <see cref="IFileTree.OpenContent"/> when the path no longer names the object that was stat'ed (replaced
/// by another file or a symlink): the scanner looks at the path again instead of reading the wrong object.
/// </summary>
public sealed class FileReplacedException(string message) : IOException(message);
