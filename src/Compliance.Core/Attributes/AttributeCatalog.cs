using System.Globalization;
using System.Text;
using Compliance.Core.Model;
using Compliance.Hashing;

namespace Compliance.Core.Attributes;

/// <summary>The attribute vocabulary: every attribute that exists, and the named groups a policy may use.</summary>
public static class AttributeCatalog
{
    // Extended attributes that have attributes of their own; "xattrs" compares the rest.
    private const string SelinuxXattr = "security.selinux";
    private const string CapabilityXattr = "security.capability";
    private const string AclXattrPrefix = "system.posix_acl_";

    public static FileAttribute Type { get; } = FileAttribute.Of("type", "object type (file, dir, symlink, fifo, socket, char, block)",
        AttributeGroup.Identity, e => e.Type, t => t.ToName());
    public static FileAttribute Size { get; } = FileAttribute.Of("size", "size in bytes", AttributeGroup.Metadata,
        e => e.Size, s => s.ToString(CultureInfo.InvariantCulture));
    public static FileAttribute Mode { get; } = FileAttribute.Of("mode", "permission bits, setuid/setgid/sticky (octal)", AttributeGroup.Security,
        e => e.Mode, m => m is { } bits ? Convert.ToString(bits, 8).PadLeft(4, '0') : null);
    public static FileAttribute Uid { get; } = FileAttribute.Of("uid", "owning user ID", AttributeGroup.Security, e => e.Uid, Number);
    public static FileAttribute Gid { get; } = FileAttribute.Of("gid", "owning group ID", AttributeGroup.Security, e => e.Gid, Number);
    public static FileAttribute Mtime { get; } = FileAttribute.Of("mtime", "content modification time", AttributeGroup.Metadata, e => e.MtimeNs, Time);
    public static FileAttribute Ctime { get; } = FileAttribute.Of("ctime", "inode change time", AttributeGroup.Metadata, e => e.CtimeNs, Time);
    public static FileAttribute Inode { get; } = FileAttribute.Of("inode", "inode number", AttributeGroup.Identity, e => e.Inode, Number);
    public static FileAttribute Device { get; } = FileAttribute.Of("device", "device number of the filesystem", AttributeGroup.Identity, e => e.Device, Number);
    public static FileAttribute LinkCount { get; } = FileAttribute.Of("nlink", "number of hard links", AttributeGroup.Metadata, e => e.LinkCount, Number);
    public static FileAttribute LinkTarget { get; } = FileAttribute.Of("target", "symlink target, as stored", AttributeGroup.Identity, e => e.LinkTarget, t => t);
    public static FileAttribute SpecialDevice { get; } = FileAttribute.Of("rdev", "device a character or block device file stands for (major:minor)",
        AttributeGroup.Identity, e => e.SpecialDevice, MajorMinor);
    public static FileAttribute Xattrs { get; } = ExtendedAttributeView("xattrs", "extended attributes other than SELinux, capabilities and ACLs",
        name => name != SelinuxXattr && name != CapabilityXattr && !name.StartsWith(AclXattrPrefix, StringComparison.Ordinal));
    public static FileAttribute Selinux { get; } = ExtendedAttributeView("selinux", "SELinux label (security.selinux)", name => name == SelinuxXattr);
    public static FileAttribute Capabilities { get; } = ExtendedAttributeView("caps", "file capabilities (security.capability)", name => name == CapabilityXattr);
    public static FileAttribute Acl { get; } = ExtendedAttributeView("acl", "POSIX ACLs (system.posix_acl_access, system.posix_acl_default)",
        name => name.StartsWith(AclXattrPrefix, StringComparison.Ordinal));
    public static FileAttribute Flags { get; } = FileAttribute.Of("flags", "inode flags: immutable, append_only, nodump, compressed, encrypted, verity (chattr)",
        AttributeGroup.Security, e => e.Flags, f => f is { } flags ? InodeFlagNames.Format(flags) : null);
    public static FileAttribute WindowsAttributes { get; } = FileAttribute.Of("attributes", "Windows file attributes (FILE_ATTRIBUTE_*)", AttributeGroup.Windows,
        e => e.WindowsAttributes, a => a is { } flags ? "0x" + flags.ToString("x8", CultureInfo.InvariantCulture) : null);
    public static FileAttribute Owner { get; } = FileAttribute.Of("owner", "Windows owner SID", AttributeGroup.Windows, e => e.OwnerSid, s => s);
    public static FileAttribute Dacl { get; } = FileAttribute.Of("dacl", "Windows DACL in SDDL", AttributeGroup.Windows, e => e.Dacl, s => s);
    public static FileAttribute FileId { get; } = FileAttribute.Of("file_id", "NTFS/ReFS file ID (128-bit)", AttributeGroup.Identity,
        e => e.FileId, id => id is { } value ? value.ToString("x32", CultureInfo.InvariantCulture) : null);
    public static FileAttribute Streams { get; } = new("streams", "named data streams (alternate data streams): sizes, and BLAKE3 of their content where read (images)",
        AttributeGroup.Windows,
        e => e.Streams is { Count: > 0 } s ? string.Join(";", s.Select(x => x.Blake3 is { } digest ? $"{x.Name}:{x.Size}:blake3={Convert.ToHexStringLower(digest)}" : $"{x.Name}:{x.Size}")) : null,
        (a, b) => (a.Streams ?? []) is var left && (b.Streams ?? []) is var right && left.Count == right.Count && left.Zip(right).All(pair => pair.First.Matches(pair.Second)));

    /// <summary>One attribute per hash algorithm, named after it.</summary>
    public static IReadOnlyList<FileAttribute> ContentHashes { get; } = ContentHashAlgorithms.All
        .Select(a => new FileAttribute(a.Name, $"{a.Name} content hash", AttributeGroup.ContentHash,
            e => e.Hashes.TryGetValue(a.Name, out var h) ? Convert.ToHexStringLower(h) : null,
            (x, y) => x.Hashes.TryGetValue(a.Name, out var hx) == y.Hashes.TryGetValue(a.Name, out var hy) && (hx is null || hx.AsSpan().SequenceEqual(hy))))
        .ToArray();

    /// <summary>
    /// Size that may grow but not shrink (AIDE's growing size): a log cut short lost data, a log that grew did not.
    /// A rule over the size field rather than a field of its own, so it is not in <see cref="All"/>: entries and
    /// exports show the size once.
    /// </summary>
    public static FileAttribute GrowingSize { get; } = new("growing_size", "size, which may grow: smaller than approved is drift (logs)",
        AttributeGroup.Metadata, Size.Format, (approved, observed) => !(observed.Size < approved.Size)) { Field = Size.Name };

    /// <summary>Every recorded field, in the order entries, exports and reports show them.</summary>
    public static IReadOnlyList<FileAttribute> All { get; } =
    [
        Type, Size, Mode, Uid, Gid, Mtime, Ctime, Inode, Device, LinkCount, LinkTarget, SpecialDevice, Xattrs, Selinux, Capabilities, Acl,
        Flags, WindowsAttributes, Owner, Dacl, FileId, Streams, .. ContentHashes,
    ];

    /// <summary>Every name a policy may list and a finding may name: the fields and the rules over them.</summary>
    public static IReadOnlyList<FileAttribute> Named { get; } = [.. All, GrowingSize];

    /// <summary>Named groups usable in a policy's attribute list, expanded in place.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<FileAttribute>> Groups { get; } = new Dictionary<string, IReadOnlyList<FileAttribute>>
    {
        // Every attribute and the default hash: what a bare `baseline PATH` records and compares.
        ["all"] = [.. All.Where(a => !a.IsContentHash), ByName(ContentHashAlgorithms.Default.Name)!],
        // Ownership and permissions, the usual "who can touch it" set; immutable and append-only limit root too.
        ["perms"] = [Mode, Uid, Gid, Acl, Selinux, Capabilities, Flags, Owner, Dacl],
        // For logs and other files expected to grow: identity, permissions and a size that only grows, not content.
        // A log emptied or cut short lost what it recorded; append-only is the flag that keeps a log from being
        // rewritten, so its removal is drift too.
        ["growing"] = [Type, GrowingSize, Mode, Uid, Gid, Inode, Device, Acl, Selinux, Flags, Owner, Dacl],
    };

    public static FileAttribute? ByName(string name) =>
        Named.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Resolves attribute and group names; unknown names are returned in <paramref name="unknown"/>.</summary>
    public static AttributeSet Resolve(IEnumerable<string> names, out IReadOnlyList<string> unknown)
    {
        var resolved = new List<FileAttribute>();
        var missing = new List<string>();
        foreach (var name in names)
        {
            if (Groups.TryGetValue(name.ToLowerInvariant(), out var group))
                resolved.AddRange(group);
            else if (ByName(name) is { } attribute)
                resolved.Add(attribute);
            else
                missing.Add(name);
        }
        unknown = missing;
        return new AttributeSet(resolved);
    }

    public static AttributeSet Everything { get; } = new(Groups["all"]);

    private static string? Number<T>(T? value) where T : struct, IFormattable =>
        value?.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>The extended attributes whose names pass <paramref name="include"/>, compared by name and bytes.</summary>
    private static FileAttribute ExtendedAttributeView(string name, string description, Func<string, bool> include) =>
        new(name, description, AttributeGroup.Security, e => FormatXattrs(e, include), (a, b) =>
        {
            // Most entries have no extended attributes at all; compare those without allocating.
            if (a.ExtendedAttributes is null or { Count: 0 } && b.ExtendedAttributes is null or { Count: 0 })
                return true;
            var left = (a.ExtendedAttributes ?? []).Where(x => include(x.Key)).ToList();
            var right = (b.ExtendedAttributes ?? []).Where(x => include(x.Key)).ToList();
            return left.Count == right.Count
                && left.Zip(right).All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.AsSpan().SequenceEqual(pair.Second.Value));
        });

    /// <summary>glibc's major() and minor() of a makedev-encoded device number, as ls -l shows them.</summary>
    private static string? MajorMinor(ulong? device)
    {
        if (device is not { } dev)
            return null;
        ulong major = ((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff);
        ulong minor = ((dev >> 12) & 0xffffff00) | (dev & 0xff);
        return string.Create(CultureInfo.InvariantCulture, $"{major}:{minor}");
    }

    private static string? Time(long? ns) => ns is { } v ? Timestamps.FormatNs(v) : null;

    private static string? FormatXattrs(FileEntry entry, Func<string, bool> include)
    {
        if (entry.ExtendedAttributes is null)
            return null;
        // Most files have none: no builder, and no walk of the sorted set (its enumerator allocates a stack).
        if (entry.ExtendedAttributes.Count == 0)
            return "";
        var builder = new StringBuilder();
        foreach (var (name, value) in entry.ExtendedAttributes)
        {
            if (!include(name))
                continue;
            if (builder.Length > 0)
                builder.Append(';');
            builder.Append(name).Append('=').Append(FormatXattrValue(value));
        }
        return builder.ToString();
    }

    // Text labels (SELinux, user.* strings) read best as text; binary values (capabilities, ACLs) as hex.
    private static string FormatXattrValue(byte[] value)
    {
        var text = value.AsSpan();
        if (text.Length > 0 && text[^1] == 0)
            text = text[..^1];
        foreach (byte b in text)
        {
            if (b < 0x20 || b > 0x7e)
                return "0x" + Convert.ToHexStringLower(value);
        }
        return Encoding.ASCII.GetString(text);
    }
}

/// <summary>An ordered, duplicate-free set of attributes to compare.</summary>
public sealed class AttributeSet
{
    public AttributeSet(IEnumerable<FileAttribute> attributes)
    {
        Attributes = attributes.Distinct().ToArray();
        HashAlgorithms = Attributes.Where(a => a.IsContentHash).Select(a => a.Name).ToArray();
    }

    public IReadOnlyList<FileAttribute> Attributes { get; }

    /// <summary>Names of the content hashes in the set, in set order.</summary>
    public IReadOnlyList<string> HashAlgorithms { get; }

    public bool Contains(FileAttribute attribute) => Attributes.Contains(attribute);

    public override string ToString() => string.Join(",", Attributes.Select(a => a.Name));
}
