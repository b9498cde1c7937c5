using Compliance.Core;
using Compliance.Core.Model;
using Compliance.Linux;

namespace Compliance.Cli;

/// <summary>
/// How every command writes a file it was named: never over one of its own inputs, and never half. Evidence that a
/// failed run left truncated, or wrote over the database it came from, is worse than none.
/// </summary>
internal static class OutputFile
{
    /// <summary>
    /// Refuses, before anything is written, an output that is one of the command's inputs: the same file (by device
    /// and inode, through links and hard links) or, when the output does not exist yet, the same name in the same
    /// directory (a database's -wal or -shm that SQLite has not made yet).
    /// </summary>
    public static void RefuseInputs(string option, string? output, IEnumerable<string?> inputs)
    {
        if (output is null)
            return;
        // .NET opens a path by its UTF-8 form: bytes that are not UTF-8 would become U+FFFD, and the output another
        // file than the one named, while a stale file at the named path stayed.
        if (EntryPath.HasEscapedBytes(CommonOptions.PathArguments([output])[0]))
            throw new ComplianceException($"{option} {output}: the name holds bytes that are not UTF-8; write the output to a name that is.", FailureKind.Usage);
        if (IsOpenDescriptor(Path.GetFullPath(output)))
            return;
        var written = Identity(output);
        foreach (var input in inputs.OfType<string>())
        {
            if (Identity(input) == written)
                throw new ComplianceException($"{option} {output} is the same file as {input}, which this command reads: write the output to another file.", FailureKind.Usage);
        }
    }

    /// <summary>
    /// Writes a temporary file beside the target and renames it into place once complete and on disk, so that a full
    /// disk or a failure leaves the earlier file as it was. A link is followed and its target replaced, so a link into
    /// an artifacts directory stays a link. What cannot be renamed over, a descriptor (/dev/stdout, /dev/fd/N), a
    /// device or a pipe, is written in place. A missing directory is made, as the database's is.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        if (IsStream(full))
        {
            using var stream = new FileStream(full, CommonOptions.TypeOf(full, followLinks: true) == FileType.File ? FileMode.Truncate : FileMode.Open, FileAccess.Write);
            write(stream);
            return;
        }
        if (File.Exists(full) && File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName is { } target)
            full = target;
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Whether a path names something written as a stream, not a file: a descriptor, a device, a pipe or a socket.</summary>
    public static bool IsStream(string path)
    {
        var full = Path.GetFullPath(path);
        return IsOpenDescriptor(full) || File.Exists(full) && CommonOptions.TypeOf(full, followLinks: true) is not (FileType.File or null);
    }

    /// <summary>Whether a path, or a link on the way from it, names a descriptor: /dev/stdout, /dev/fd/N, /proc/self/fd/N.</summary>
    public static bool IsOpenDescriptor(string path)
    {
        for (int hops = 0; hops < 40; hops++)
        {
            if (path is "/dev/stdin" or "/dev/stdout" or "/dev/stderr" || path.StartsWith("/dev/fd/", StringComparison.Ordinal)
                || System.Text.RegularExpressions.Regex.IsMatch(path, "^/proc/(self|[0-9]+)/fd/"))
                return true;
            if (!File.Exists(path) || File.ResolveLinkTarget(path, returnFinalTarget: false)?.FullName is not { } next)
                return false;
            path = next;
        }
        return false;
    }

    /// <summary>What tells two paths apart: an existing file's device and inode, else its directory's and its name.</summary>
    private static (ulong? Device, ulong? Inode, string? Name) Identity(string path)
    {
        var full = Path.GetFullPath(path);
        if (!LinuxFileTree.IsSupported)
            return (null, null, full);
        if (Stat(full) is { } file)
            return (file.Device, file.Inode, null);
        return Stat(Path.GetDirectoryName(full)!) is { } directory
            ? (directory.Device, directory.Inode, Path.GetFileName(full))
            : (null, null, full);
    }

    /// <summary>The file a path leads to, through its links.</summary>
    private static FileEntry? Stat(string full)
    {
        if (File.Exists(full) || Directory.Exists(full))
            full = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        return new LinuxFileTree().StatIdentity(full);
    }
}
