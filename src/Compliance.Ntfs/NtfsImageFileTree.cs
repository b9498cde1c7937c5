using System.Collections.Concurrent;
using Compliance.Core;
using Compliance.Core.Model;
using Compliance.Core.Scanning;
using Compliance.Hashing.Blake3;

namespace Compliance.Ntfs;

/// <summary>
/// One NTFS volume of an image as a tree the scanner walks, without mounting: metadata from the MFT ($STANDARD_INFORMATION
/// times, file ID, attributes, named streams) and content read through the data runs. Paths are the image's, with '/'
/// and no drive letter; a leading '/' is accepted, so "/Windows/System32" and "Windows/System32" are the same path.
/// Paths come from the records' own names; where a directory's index, which Windows goes by, says otherwise, the names
/// concerned are unverified (<see cref="IndexAgreement"/>).
/// NTFS's own metadata files ($MFT, $LogFile, ..., $Extend) are not part of the tree: they change on every mount.
/// </summary>
public sealed class NtfsImageFileTree : IFileTree, IDisposable
{
    // Records 0-15 are the metadata files; 11 is $Extend, holding $ObjId, $Quota, $Reparse, $UsnJrnl, ...
    private const long FirstUserRecord = 16;
    private const long ExtendRecord = 11;
    // FILETIME counts from 1601, the scanner's nanoseconds from 1970.
    private const long FileTimeUnixEpoch = 116_444_736_000_000_000;
    private const int MaxDamageListed = 5;

    private readonly NtfsImage _image;
    private readonly NtfsVolume _volume;
    private readonly Dictionary<string, MftEntry> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MftEntry> _byPathIgnoringCase = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, List<string>> _childrenByRecord = [];
    private readonly Lazy<Dictionary<uint, string>> _owners;
    private readonly Dictionary<string, string> _damageByDirectory = new(StringComparer.Ordinal);
    private readonly IndexAgreement _indexes;
    private readonly ConcurrentDictionary<string, string?> _linkProblems = new(StringComparer.Ordinal);
    private readonly Func<string, string?> _linkProblemOf;

    private NtfsImageFileTree(NtfsImage image, NtfsVolume volume, MftCatalog catalog, string description)
    {
        _image = image;
        _volume = volume;
        Catalog = catalog;
        Description = description;
        _owners = new(() => volume.ReadOwners(catalog));
        _indexes = new IndexAgreement(volume, catalog);
        _linkProblemOf = LinkProblem;
        var damage = catalog.Problems.Select(problem => (Directory: problem.Parent is { } parent ? DirectoryNamed(catalog, parent.RecordNumber) : "",
            Text: $"record {problem.RecordNumber}: {problem.Message}")).ToList();
        foreach (var entry in catalog.Entries)
        {
            if (!entry.InUse || entry.RecordNumber < FirstUserRecord && entry.RecordNumber != MftCatalog.RootRecord)
                continue;
            foreach (var name in entry.VisibleNames())
            {
                if (entry.RecordNumber == MftCatalog.RootRecord || name.Parent.RecordNumber == ExtendRecord)
                    continue;
                string path = Utf16.ToPathText(catalog.PathOf(entry, name));
                if (path.StartsWith(MftCatalog.OrphanFolder + "/", StringComparison.Ordinal))
                {
                    // An in-use file no directory reaches has no path to be examined at: an edit may have hidden it.
                    damage.Add((DirectoryNamed(catalog, name.Parent.RecordNumber),
                        $"record {entry.RecordNumber} ({EntryPath.ToDisplayText(Utf16.ToPathText(name.Name))}) is in use but no directory reaches it"));
                    continue;
                }
                _byPath[path] = entry;
                _byPathIgnoringCase.TryAdd(path, entry);
                if (!_childrenByRecord.TryGetValue(name.Parent.RecordNumber, out var siblings))
                    _childrenByRecord[name.Parent.RecordNumber] = siblings = [];
                siblings.Add(Utf16.ToPathText(name.Name));
            }
        }
        _byPath[""] = catalog[MftCatalog.RootRecord] ?? throw new NtfsFormatException("the root directory (MFT record 5) is missing");
        if (damage.Count > 0)
            Damage = Describe(damage.Select(d => d.Text).ToList());
        foreach (var group in damage.GroupBy(d => d.Directory))
            _damageByDirectory[group.Key] = Describe(group.Select(d => d.Text).ToList());
    }

    /// <summary>
    /// What in the MFT could not be read or reached, or null. Files there have no path a scan would examine, so the
    /// directory they name as their parent (a torn record's, from its first sector) carries it as an error, or the
    /// root when that is not known: unverified, never "no drift" for a volume not fully read. A policy that selects
    /// neither sees only the warning each command gives.
    /// </summary>
    public string? Damage { get; }

    private static string Describe(List<string> damage) =>
        $"{damage.Count} MFT record(s) damaged or unreachable, whose files no path shows: {string.Join("; ", damage.Take(MaxDamageListed))}"
        + (damage.Count > MaxDamageListed ? $"; and {damage.Count - MaxDamageListed} more (`compliance mft list` names them all)" : "");

    /// <summary>The path of an in-use directory record, whatever the sequence number a reference to it gave; "" (the root) otherwise.</summary>
    private static string DirectoryNamed(MftCatalog catalog, long record) =>
        catalog[record] is { IsDirectory: true, InUse: true } directory && record != MftCatalog.RootRecord
        && directory.VisibleNames().FirstOrDefault() is { } name && catalog.PathOf(directory, name) is var path
        && !path.StartsWith(MftCatalog.OrphanFolder + "/", StringComparison.Ordinal) ? Utf16.ToPathText(path) : "";

    public string Description { get; }

    /// <summary>Image paths are relative, as `fls -p` prints them: "/Windows" and "Windows" name the same directory.</summary>
    public string CanonicalPath(string path) => path.TrimStart('/');

    public bool IdentityVouchesForContent => false;

    /// <summary>The MFT as read, with the damaged records met (<see cref="MftCatalog.Problems"/>).</summary>
    public MftCatalog Catalog { get; }

    /// <summary>
    /// Opens one NTFS volume of an image: the chosen partition, or the only NTFS volume there is. The path may also be
    /// a <see cref="Description"/>'s location, "IMAGE#N" for partition N, so a baseline's recorded tree reopens as it was.
    /// </summary>
    public static NtfsImageFileTree Open(string imagePath, int? partition = null)
    {
        int hash = imagePath.LastIndexOf('#');
        if (partition is null && hash > 0 && !File.Exists(imagePath) && int.TryParse(imagePath.AsSpan(hash + 1), out int recorded))
            (imagePath, partition) = (imagePath[..hash], recorded);
        var image = NtfsImage.Open(imagePath);
        try
        {
            if (image.IsBareMft)
                throw new ComplianceException($"{imagePath} is a bare $MFT: it names files but holds no content; use a volume or disk image", FailureKind.Usage);
            var volumes = image.SelectVolumes(partition);
            if (volumes.Count > 1)
                throw new ComplianceException(
                    $"{imagePath} has {volumes.Count} NTFS partitions ({string.Join(", ", volumes.Select(v => v.Partition))}); choose one with --partition",
                    FailureKind.Usage);
            var volume = image.OpenVolume(volumes[0]);
            string description = "ntfs-image:" + Path.GetFullPath(imagePath) + (volumes[0].Partition > 0 ? $"#{volumes[0].Partition}" : "");
            return new NtfsImageFileTree(image, volume, volume.ReadCatalog(), description);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    public FileEntry? Stat(string path)
    {
        var entry = Find(path);
        if (entry is null)
            return null;
        var si = entry.StandardInformation;
        var result = new FileEntry
        {
            Path = path,
            Type = TypeOf(entry),
            Size = entry.IsDirectory ? 0 : entry.MainStream?.Size ?? 0,
            MtimeNs = si is null ? null : UnixNanoseconds(si.Modified),
            CtimeNs = si is null ? null : UnixNanoseconds(si.MftModified),
            BirthTimeNs = si is null ? null : UnixNanoseconds(si.Created),
            WindowsAttributes = si?.FileAttributes,
            // The 64-bit file reference, as Windows reports it in FILE_ID_INFO on NTFS.
            FileId = (ulong)entry.RecordNumber | (ulong)entry.Sequence << 48,
            LinkCount = (ulong)entry.VisibleNames().Count(),
            LinkTarget = entry.ReparsePoint?.Target is { } target ? Utf16.ToPathText(target) : null,
            OwnerSid = OwnerOf(entry),
        };
        var unreadable = new List<string>();
        result.Streams = entry.DataStreams.Where(s => s.Name.Length > 0).OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new Core.Model.DataStream(s.Name, s.Size, s.IsEncrypted ? null : Digest(s, unreadable))).ToArray();
        // A stream that cannot be read (its runs lie past the end of a truncated image) leaves the entry unverified,
        // as an unreadable file is, rather than stopping the scan.
        if (unreadable.Count > 0)
            result.Error = $"alternate data stream(s) {string.Join(", ", unreadable)} could not be read";
        if (result.Type == FileType.File && entry.MainStream is { IsEncrypted: true })
            result.Error = "EFS-encrypted: content cannot be read from an image";
        if (_damageByDirectory.TryGetValue(Normalize(path), out var damage))
            result.Error = damage;
        result.Error ??= LinkProblem(Normalize(path)) ?? (result.Type == FileType.Directory ? _indexes.Of(entry).DirectoryProblem : null);
        return result;
    }

    /// <summary>
    /// Why Windows may not open what this path names, from the indexes of the directories on the way: a name their
    /// index leads elsewhere, or leaves out, here or above. Memoized per directory: every file below asks.
    /// </summary>
    private string? LinkProblem(string path)
    {
        if (path.Length == 0)
            return null;
        int slash = path.LastIndexOf('/');
        string parentPath = slash < 0 ? "" : path[..slash];
        if (Find(parentPath) is { } parent && _indexes.Of(parent).NameProblems.TryGetValue(path[(slash + 1)..], out var problem))
            return $"{EntryPath.ToDisplay(path)}: {problem}";
        return _linkProblems.GetOrAdd(parentPath, _linkProblemOf);
    }

    /// <summary>
    /// BLAKE3 of an alternate stream's content. Streams are few and mostly small (Zone.Identifier), so each is read
    /// whenever its file is examined: a rewritten stream of the same size is drift, as a rewritten file is.
    /// </summary>
    private byte[]? Digest(DataStream stream, List<string> unreadable)
    {
        var hasher = new Blake3Hasher();
        try
        {
            using var content = FileContentStream.Open(_volume, stream);
            var buffer = new byte[64 * 1024];
            for (int read; (read = content.Read(buffer)) > 0;)
                hasher.Update(buffer.AsSpan(0, read));
        }
        catch (IOException e)
        {
            unreadable.Add($"{stream.Name} ({e.Message.TrimEnd('.')})");
            return null;
        }
        var digest = new byte[Blake3Hasher.DefaultOutputLength];
        hasher.Finalize(digest);
        return digest;
    }

    // The record's own descriptor (NTFS 1.2, ntfs-3g) wins; otherwise the shared one $STANDARD_INFORMATION points to.
    private string? OwnerOf(MftEntry entry) =>
        entry.SecurityDescriptor is { } own ? SecurityDescriptors.OwnerSid(own)
        : entry.StandardInformation?.SecurityId is { } id && _owners.Value.TryGetValue(id, out var owner) ? owner
        : null;

    public IReadOnlyList<FileEntry> ReadDirectory(string path)
    {
        if (Find(path) is not { IsDirectory: true } directory)
            throw new DirectoryNotFoundException($"{EntryPath.ToDisplay(path)} is not a directory in {Description}");
        if (!_childrenByRecord.TryGetValue(directory.RecordNumber, out var names))
            return [];
        return names.Select(name => Stat(EntryPath.Combine(path, name))).OfType<FileEntry>().ToList();
    }

    public Stream OpenContent(string path, FileEntry expected)
    {
        var entry = Find(path);
        if (entry is null || expected.Type != FileType.File || TypeOf(entry) != FileType.File)
            throw new IOException($"{EntryPath.ToDisplay(path)} is not a regular file in {Description}");
        if (expected.FileId is { } id && id != ((ulong)entry.RecordNumber | (ulong)entry.Sequence << 48))
            throw new FileNotFoundException($"{EntryPath.ToDisplay(path)} is another file than the one examined");
        return entry.MainStream is { } main ? FileContentStream.Open(_volume, main) : Stream.Null;
    }

    public void Dispose() => _image.Dispose();

    // Windows paths are case-insensitive: a policy may say "windows/system32" for "Windows/System32".
    private MftEntry? Find(string path)
    {
        string key = Normalize(path);
        return _byPath.TryGetValue(key, out var entry) || _byPathIgnoringCase.TryGetValue(key, out entry) ? entry : null;
    }

    private static string Normalize(string path) => path.Trim('/');

    private static FileType TypeOf(MftEntry entry) =>
        entry.ReparsePoint is { Tag: ReparsePoint.SymbolicLinkTag or ReparsePoint.MountPointTag } ? FileType.Symlink
        : entry.IsDirectory ? FileType.Directory
        : FileType.File;

    private static long? UnixNanoseconds(long fileTime) =>
        fileTime is >= 0 and <= long.MaxValue / 100 + FileTimeUnixEpoch ? (fileTime - FileTimeUnixEpoch) * 100 : null;
}
