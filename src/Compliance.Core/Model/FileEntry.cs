using System.Buffers.Binary;

namespace Compliance.Core.Model;

/// <summary>
/// Everything recorded about one path at one moment: metadata, extended attributes, content hashes, or the reason
/// it could not be verified. Fields a platform does not have stay null; the attribute catalog decides what compares.
/// </summary>
public sealed class FileEntry
{
    /// <summary>The path, '/'-separated; bytes that are not UTF-8 are escaped as described in <see cref="EntryPath"/>.</summary>
    public required string Path { get; init; }

    public FileType Type { get; set; }
    public long Size { get; set; }

    /// <summary>Permission and special bits (the low 12 bits of st_mode).</summary>
    public uint? Mode { get; set; }
    public long? Uid { get; set; }
    public long? Gid { get; set; }

    /// <summary>Nanoseconds since 1970-01-01 UTC.</summary>
    public long? MtimeNs { get; set; }
    public long? CtimeNs { get; set; }

    /// <summary>Creation time where the filesystem keeps one (NTFS, statx btime).</summary>
    public long? BirthTimeNs { get; set; }

    public ulong? Inode { get; set; }
    public ulong? Device { get; set; }
    public ulong? LinkCount { get; set; }

    /// <summary>A symlink's target as stored in the link, never resolved.</summary>
    public string? LinkTarget { get; set; }

    /// <summary>For a character or block device: the device it stands for (st_rdev, as glibc's makedev encodes it).</summary>
    public ulong? SpecialDevice { get; set; }

    /// <summary>
    /// The inode flags set on the entry (immutable, append-only ...), or null when none is set or the platform has
    /// none: an entry recorded before this field existed reads as having none.
    /// </summary>
    public InodeFlags? Flags { get; set; }

    /// <summary>Extended attributes by name (security.selinux, security.capability, system.posix_acl_*, user.*...).</summary>
    public SortedDictionary<string, byte[]>? ExtendedAttributes { get; set; }

    /// <summary>Windows FILE_ATTRIBUTE_* flags.</summary>
    public uint? WindowsAttributes { get; set; }

    /// <summary>The owner as a SID string (S-1-5-...).</summary>
    public string? OwnerSid { get; set; }

    /// <summary>The discretionary ACL in SDDL.</summary>
    public string? Dacl { get; set; }

    /// <summary>NTFS file reference or ReFS 128-bit file ID.</summary>
    public UInt128? FileId
    {
        get => _hasFileId ? new UInt128(_fileIdUpper, _fileIdLower) : null;
        set
        {
            _hasFileId = value.HasValue;
            _fileIdUpper = (ulong)(value.GetValueOrDefault() >> 64);
            _fileIdLower = (ulong)value.GetValueOrDefault();
        }
    }

    /// <summary>
    /// <see cref="FileId"/> as 16 bytes, most significant first (the store's encoding), or null. The store uses this
    /// rather than <see cref="FileId"/> so that its row codec never handles a UInt128 (see the fields below).
    /// </summary>
    public byte[]? FileIdBigEndian
    {
        get
        {
            if (!_hasFileId)
                return null;
            var bytes = new byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, _fileIdUpper);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), _fileIdLower);
            return bytes;
        }
        set
        {
            if (value is not null && value.Length != 16)
                throw new ArgumentException($"A file ID is 16 bytes, not {value.Length}.", nameof(value));
            _hasFileId = value is not null;
            _fileIdUpper = value is null ? 0 : BinaryPrimitives.ReadUInt64BigEndian(value);
            _fileIdLower = value is null ? 0 : BinaryPrimitives.ReadUInt64BigEndian(value.AsSpan(8));
        }
    }

    /// <summary><see cref="FileId"/> as two halves, for code that must not handle a UInt128 (see the fields below).</summary>
    internal bool TryGetFileIdHalves(out ulong upper, out ulong lower)
    {
        upper = _fileIdUpper;
        lower = _fileIdLower;
        return _hasFileId;
    }

    // The file ID is kept in halves: a UInt128 field would make this class's layout depend on one ReadyToRun does not
    // take as fixed, and then no method that touches a FileEntry (the whole scan) would be precompiled.
    private ulong _fileIdUpper;
    private ulong _fileIdLower;
    private bool _hasFileId;

    /// <summary>Named data streams (NTFS alternate data streams), sorted by name.</summary>
    public IReadOnlyList<DataStream>? Streams { get; set; }

    /// <summary>Content digests by algorithm name (blake3, sha256).</summary>
    public SortedDictionary<string, byte[]> Hashes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Why the entry could not be fully read or hashed; such an entry is reported as unverified.</summary>
    public string? Error { get; set; }

    /// <summary>The policy category that selected the entry.</summary>
    public string Category { get; set; } = "";

    public FileEntry Clone() => new()
    {
        Path = Path,
        Type = Type,
        Size = Size,
        Mode = Mode,
        Uid = Uid,
        Gid = Gid,
        MtimeNs = MtimeNs,
        CtimeNs = CtimeNs,
        BirthTimeNs = BirthTimeNs,
        Inode = Inode,
        Device = Device,
        LinkCount = LinkCount,
        LinkTarget = LinkTarget,
        SpecialDevice = SpecialDevice,
        Flags = Flags,
        ExtendedAttributes = ExtendedAttributes is null ? null : new(ExtendedAttributes, StringComparer.Ordinal),
        WindowsAttributes = WindowsAttributes,
        OwnerSid = OwnerSid,
        Dacl = Dacl,
        _fileIdUpper = _fileIdUpper,
        _fileIdLower = _fileIdLower,
        _hasFileId = _hasFileId,
        Streams = Streams,
        Hashes = new(Hashes, StringComparer.Ordinal),
        Error = Error,
        Category = Category,
    };

    /// <summary>
    /// True when the content cannot have changed since <paramref name="known"/> was hashed: same size, mtime, ctime,
    /// inode and device. ctime cannot be set by a user, so a write always changes it.
    /// </summary>
    public bool HasSameContentIdentity(FileEntry known) =>
        Type == known.Type && Size == known.Size && MtimeNs == known.MtimeNs && CtimeNs == known.CtimeNs
        && Inode == known.Inode && Device == known.Device
        && _hasFileId == known._hasFileId && _fileIdUpper == known._fileIdUpper && _fileIdLower == known._fileIdLower;
}

/// <summary>
/// A named data stream of a file (an NTFS alternate data stream), with the BLAKE3 digest of its content where it
/// was read (a disk image's streams) and null where it was not: code can hide in a stream as well as in the file.
/// </summary>
public sealed record DataStream(string Name, long Size, byte[]? Blake3 = null)
{
    /// <summary>
    /// The same stream as far as both sides tell: name and size, and content when both digests are there. A stream
    /// recorded before its content was hashed compares by name and size, so that no upgrade reports every stream.
    /// </summary>
    public bool Matches(DataStream other) =>
        Name == other.Name && Size == other.Size && (Blake3 is null || other.Blake3 is null || Blake3.AsSpan().SequenceEqual(other.Blake3));

    /// <summary>Exactly equal, digest bytes included (a record compares arrays by reference).</summary>
    public bool Equals(DataStream? other) =>
        other is not null && Name == other.Name && Size == other.Size
        && (Blake3 is null ? other.Blake3 is null : other.Blake3 is not null && Blake3.AsSpan().SequenceEqual(other.Blake3));

    public override int GetHashCode() => HashCode.Combine(Name, Size);
}
