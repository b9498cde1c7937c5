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

    public static FileAttribute Type { get; } = new("type", "object type (file, dir, symlink, fifo, socket, char, block)",
        AttributeGroup.Identity, e => e.Type.ToName());
    public static FileAttribute Size { get; } = new("size", "size in bytes", AttributeGroup.Metadata,
        e => e.Size.ToString(CultureInfo.InvariantCulture));
    public static FileAttribute Mode { get; } = new("mode", "permission bits, setuid/setgid/sticky (octal)", AttributeGroup.Security,
        e => e.Mode is { } m ? Convert.ToString(m, 8).PadLeft(4, '0') : null);
    public static FileAttribute Uid { get; } = new("uid", "owning user ID", AttributeGroup.Security, e => Number(e.Uid));
    public static FileAttribute Gid { get; } = new("gid", "owning group ID", AttributeGroup.Security, e => Number(e.Gid));
    public static FileAttribute Mtime { get; } = new("mtime", "content modification time", AttributeGroup.Metadata, e => Time(e.MtimeNs));
    public static FileAttribute Ctime { get; } = new("ctime", "inode change time", AttributeGroup.Metadata, e => Time(e.CtimeNs));
    public static FileAttribute Inode { get; } = new("inode", "inode number", AttributeGroup.Identity, e => Number(e.Inode));
    public static FileAttribute Device { get; } = new("device", "device number of the filesystem", AttributeGroup.Identity, e => Number(e.Device));
    public static FileAttribute LinkCount { get; } = new("nlink", "number of hard links", AttributeGroup.Metadata, e => Number(e.LinkCount));
    public static FileAttribute LinkTarget { get; } = new("target", "symlink target, as stored", AttributeGroup.Identity, e => e.LinkTarget);
    public static FileAttribute Xattrs { get; } = new("xattrs", "extended attributes other than SELinux, capabilities and ACLs",
        AttributeGroup.Security, e => FormatXattrs(e, name => name != SelinuxXattr && name != CapabilityXattr && !name.StartsWith(AclXattrPrefix, StringComparison.Ordinal)));
    public static FileAttribute Selinux { get; } = new("selinux", "SELinux label (security.selinux)", AttributeGroup.Security,
        e => FormatXattrs(e, name => name == SelinuxXattr));
    public static FileAttribute Capabilities { get; } = new("caps", "file capabilities (security.capability)", AttributeGroup.Security,
        e => FormatXattrs(e, name => name == CapabilityXattr));
    public static FileAttribute Acl { get; } = new("acl", "POSIX ACLs (system.posix_acl_access, system.posix_acl_default)", AttributeGroup.Security,
        e => FormatXattrs(e, name => name.StartsWith(AclXattrPrefix, StringComparison.Ordinal)));
    public static FileAttribute WindowsAttributes { get; } = new("attributes", "Windows file attributes (FILE_ATTRIBUTE_*)", AttributeGroup.Windows,
        e => e.WindowsAttributes is { } a ? "0x" + a.ToString("x8", CultureInfo.InvariantCulture) : null);
    public static FileAttribute Owner { get; } = new("owner", "Windows owner SID", AttributeGroup.Windows, e => e.OwnerSid);
    public static FileAttribute Dacl { get; } = new("dacl", "Windows DACL in SDDL", AttributeGroup.Windows, e => e.Dacl);
    public static FileAttribute FileId { get; } = new("file_id", "NTFS/ReFS file ID (128-bit)", AttributeGroup.Identity,
        e => e.FileId is { } id ? id.ToString("x32", CultureInfo.InvariantCulture) : null);
    public static FileAttribute Streams { get; } = new("streams", "named data streams (alternate data streams) and their sizes", AttributeGroup.Windows,
        e => e.Streams is { Count: > 0 } s ? string.Join(";", s.Select(x => $"{x.Name}:{x.Size}")) : null);

    /// <summary>One attribute per hash algorithm, named after it.</summary>
    public static IReadOnlyList<FileAttribute> ContentHashes { get; } = ContentHashAlgorithms.All
        .Select(a => new FileAttribute(a.Name, $"{a.Name} content hash", AttributeGroup.ContentHash,
            e => e.Hashes.TryGetValue(a.Name, out var h) ? Convert.ToHexStringLower(h) : null))
        .ToArray();

    public static IReadOnlyList<FileAttribute> All { get; } =
    [
        Type, Size, Mode, Uid, Gid, Mtime, Ctime, Inode, Device, LinkCount, LinkTarget, Xattrs, Selinux, Capabilities, Acl,
        WindowsAttributes, Owner, Dacl, FileId, Streams, .. ContentHashes,
    ];

    /// <summary>Named groups usable in a policy's attribute list, expanded in place.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<FileAttribute>> Groups { get; } = new Dictionary<string, IReadOnlyList<FileAttribute>>
    {
        // Every attribute and the default hash: what a bare `baseline PATH` records and compares.
        ["all"] = [.. All.Where(a => !a.IsContentHash), ByName(ContentHashAlgorithms.Default.Name)!],
        // Ownership and permissions, the usual "who can touch it" set.
        ["perms"] = [Mode, Uid, Gid, Acl, Selinux, Capabilities, Owner, Dacl],
        // For logs and other files expected to grow: identity and permissions, not content.
        ["growing"] = [Type, Mode, Uid, Gid, Inode, Device, Acl, Selinux, Owner, Dacl],
    };

    public static FileAttribute? ByName(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

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

    private static string? Time(long? ns) => ns is { } v ? Timestamps.FormatNs(v) : null;

    private static string? FormatXattrs(FileEntry entry, Func<string, bool> include)
    {
        if (entry.ExtendedAttributes is null)
            return null;
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
    public AttributeSet(IEnumerable<FileAttribute> attributes) => Attributes = attributes.Distinct().ToArray();

    public IReadOnlyList<FileAttribute> Attributes { get; }

    public IEnumerable<string> HashAlgorithms => Attributes.Where(a => a.IsContentHash).Select(a => a.Name);

    public bool Contains(FileAttribute attribute) => Attributes.Contains(attribute);

    public override string ToString() => string.Join(",", Attributes.Select(a => a.Name));
}
