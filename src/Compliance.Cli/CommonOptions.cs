using System.CommandLine;
using Compliance.Core;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;
using Compliance.Linux;
using Compliance.Ntfs;
using Compliance.Store;

namespace Compliance.Cli;

/// <summary>Options several commands share, and how they turn into a store and a file tree.</summary>
internal static class CommonOptions
{
    public static Option<string> Database() => new("--db")
    {
        Description = $"The state database. Default: {StateStore.DefaultPath} in the current directory.",
        DefaultValueFactory = _ => StateStore.DefaultPath,
        HelpName = "FILE",
    };

    /// <summary>
    /// Paths as the command line gave them. .NET decodes arguments as UTF-8 and puts U+FFFD for bytes that are not, so
    /// a Linux file name that is not UTF-8 cannot be named through them; such an argument is read again, as bytes,
    /// from /proc/self/cmdline and kept in the form every path has here (see <see cref="EntryPath"/>). Arguments that
    /// decode alike (`x\377` and `x\376`, from `hash x*`) are told apart by their order, when they are all the
    /// command line holds that decodes so; otherwise which is which cannot be told, and that is a usage error.
    /// </summary>
    public static string[] PathArguments(IReadOnlyList<string> values)
    {
        const char replacement = '\uFFFD';
        if (!values.Any(value => value.Contains(replacement)) || !File.Exists("/proc/self/cmdline"))
            return [.. values];
        static string Collapsed(string text) => System.Text.RegularExpressions.Regex.Replace(text, "\uFFFD+", "\uFFFD");
        var commandLine = File.ReadAllBytes("/proc/self/cmdline");
        var raw = new List<(string Decoded, string Path)>();
        foreach (var range in commandLine.AsSpan().TrimEnd((byte)0).Split((byte)0))
        {
            var bytes = commandLine.AsSpan(range);
            raw.Add((Collapsed(System.Text.Encoding.UTF8.GetString(bytes)), EntryPath.FromBytes(bytes)));
        }
        var paths = values.ToArray();
        foreach (var group in Enumerable.Range(0, paths.Length).Where(i => paths[i].Contains(replacement)).GroupBy(i => Collapsed(paths[i])))
        {
            var given = raw.Where(r => r.Decoded == group.Key).Select(r => r.Path).ToList();
            if (given.Count != group.Count())
                throw new ComplianceException($"cannot tell which bytes the argument {values[group.First()]} was given as; name the path by a pattern with \\xHH in a policy instead.", FailureKind.Usage);
            foreach (var (index, path) in group.Zip(given))
                paths[index] = path;
        }
        return paths;
    }

    /// <summary>--reason, recorded with the generation it approves: blank is no reason at all.</summary>
    public static Option<string> Reason(string description, string? defaultReason = null)
    {
        var reason = new Option<string>("--reason") { Description = description, Required = defaultReason is null };
        if (defaultReason is not null)
            reason.DefaultValueFactory = _ => defaultReason;
        reason.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
                result.AddError("--reason must say why: it is recorded with the generation it approves.");
        });
        return reason;
    }

    public static Option<bool> Json() => new("--json") { Description = "Write machine-readable JSON to stdout instead of a table." };

    public static Option<string?> Root() => new("--root")
    {
        Description = "Scan the tree mounted at DIR instead of the running system: policy paths are read below DIR (e.g. a mounted golden image).",
        HelpName = "DIR",
    };

    public static Option<string?> Image() => new("--image")
    {
        Description = "Read an offline NTFS image (raw volume, MBR/GPT disk, fixed VHD) instead of the live filesystem.",
        HelpName = "IMAGE",
    };

    public static Option<int?> Partition() => new("--partition")
    {
        Description = "With --image: the partition number to read when a disk image holds several NTFS partitions.",
        HelpName = "N",
    };

    public static Option<bool> Rehash() => new("--rehash") { Description = "Hash every file, not only those whose size, mtime, ctime, inode or device changed (a disk image's files are always all hashed)." };

    /// <summary>More hashing threads than this only cost memory (each holds a 1 MiB read buffer) and time.</summary>
    public const int MaxThreads = 256;

    public static Option<int> Threads()
    {
        var threads = new Option<int>("--threads")
        {
            Description = $"Hashing threads, 1 to {MaxThreads} (default: one per core).",
            DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, MaxThreads),
            HelpName = "N",
        };
        threads.Validators.Add(result =>
        {
            // A value that is not a number is the parser's error to report; reading it here would throw.
            if (result.Tokens is [{ Value: var given }] && !int.TryParse(given, out _))
                return;
            if (result.GetValueOrDefault<int>() is < 1 or > MaxThreads)
                result.AddError($"--threads must be between 1 and {MaxThreads}.");
        });
        return threads;
    }

    /// <summary>The tree to scan: an image, a mounted root, the tree recorded with the baseline, or the running system.</summary>
    public static IFileTree OpenTree(string? image, int? partition, string? root, string? recordedTree = null)
    {
        if (image is not null && root is not null)
            throw new ComplianceException("--image and --root cannot be used together.", FailureKind.Usage);
        if (image is not null)
            return OpenImage(image, partition);
        if (root is not null)
        {
            // .NET would look for such a name with U+FFFD in it, and the store records a tree's location as text.
            if (PathArguments([root])[0] is var given && EntryPath.HasEscapedBytes(given))
                throw new ComplianceException($"--root {EntryPath.ToDisplay(given)}: the name holds bytes that are not UTF-8, which a tree's recorded location cannot hold yet; give the tree a UTF-8 name (a symbolic link or a bind mount to it).", FailureKind.Usage);
            if (!Directory.Exists(root))
                throw new ComplianceException(File.Exists(root)
                    ? $"--root {root} is a file, not a directory: give the directory the tree is mounted at (an image file goes to --image)."
                    : $"--root {root}: no such directory.", FailureKind.Usage);
            return LinuxTree(Path.GetFullPath(root));
        }
        if (recordedTree is not null)
            return TreeFromDescription(recordedTree);
        return LinuxTree("/");
    }

    private static IFileTree TreeFromDescription(string description)
    {
        var (kind, location) = description.IndexOf(':') is var colon and > 0 ? (description[..colon], description[(colon + 1)..]) : (description, "/");
        return kind switch
        {
            "linux" => LinuxTree(location),
            "ntfs-image" => OpenImage(location, null),
            _ => throw new ComplianceException($"the baseline was taken from '{description}', which this build cannot read; pass --root or --image.", FailureKind.Usage),
        };
    }

    /// <summary>
    /// What a path names (null: nothing), the link itself or, with <paramref name="followLinks"/>, what the links lead
    /// to. On Linux by the path's bytes, so a name that is not UTF-8 is found; elsewhere files and directories only.
    /// </summary>
    public static FileType? TypeOf(string path, bool followLinks)
    {
        var full = Path.GetFullPath(path);
        if (followLinks && File.Exists(full))
            full = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        if (LinuxFileTree.IsSupported)
            return new LinuxFileTree().StatIdentity(full)?.Type;
        if (!followLinks && new FileInfo(full).LinkTarget is not null)
            return FileType.Symlink;
        return Directory.Exists(full) ? FileType.Directory : File.Exists(full) ? FileType.File : null;
    }

    /// <summary>
    /// An image is a regular file or a block device. Anything else is refused before it is opened: opening a FIFO
    /// waits for a writer that may never come, and a character device may never end.
    /// </summary>
    private static NtfsImageFileTree OpenImage(string image, int? partition)
    {
        if (File.Exists(image) && TypeOf(image, followLinks: true) is { } type and not (FileType.File or FileType.BlockDevice))
            throw new ComplianceException($"{image} is a {type.ToName()}, not a disk image: give an image file or a block device.", FailureKind.Usage);
        var tree = NtfsImageFileTree.Open(image, partition);
        // The root entry carries it as unverified; said here too, for a policy that does not select the root.
        if (tree.Damage is { } damage)
            Console.Error.WriteLine($"warning: {image}: {damage}");
        return tree;
    }

    private static IFileTree LinuxTree(string root) =>
        LinuxFileTree.IsSupported
            ? new LinuxFileTree(root)
            : throw new ComplianceException("scanning the live filesystem is supported on Linux in this version; use --image for NTFS images.", FailureKind.Usage);

    /// <summary>Says on stderr which of the policy's roots leave something unmonitored (see <see cref="Scanner.RootWarnings"/>).</summary>
    public static void WarnAboutRoots(Scanner scanner)
    {
        foreach (var warning in scanner.RootWarnings())
            Console.Error.WriteLine($"compliance: warning: {warning}");
    }

    /// <summary>
    /// What this program writes beside its database on every run: the directory of the default location, which is
    /// its own, or else the database and SQLite's -wal, -shm and -journal files.
    /// </summary>
    public static string[] OwnFiles(string database)
    {
        var directory = Path.GetDirectoryName(database)!;
        return Path.GetFileName(directory) == Path.GetDirectoryName(StateStore.DefaultPath)
            ? [directory]
            : DatabaseFiles(database);
    }

    /// <summary>
    /// The policy to scan a tree with: the one given, with this program's own files (<see cref="OwnFiles"/>) out of
    /// scope wherever the tree holds them. They change on every run: a policy selecting them had baseline miss the
    /// database (not there yet when the walk passed) and every check then report it added.
    /// </summary>
    public static Policy LeavingOutOwnFiles(Policy policy, string database, IFileTree tree) =>
        tree is LinuxFileTree linux ? policy.Without(OwnFiles(Path.GetFullPath(database)).Select(linux.ToTreePath).OfType<string>().ToArray()) : policy;

    /// <summary>The database and the files SQLite keeps beside it: all of them are the database.</summary>
    public static string[] DatabaseFiles(string database) =>
        [.. new[] { "", "-wal", "-shm", "-journal" }.Select(suffix => database + suffix)];

    public static StateStore OpenStore(string path, bool create) => StateStore.Open(path, create);

    /// <summary>The store of a command that only reads it: never written, and readable on read-only media.</summary>
    public static StateStore OpenStoreReadOnly(string path) => StateStore.OpenReadOnly(path);
}
