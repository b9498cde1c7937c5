namespace Compliance.Core.Model;

/// <summary>
/// Inode flags a file integrity check cares about (what chattr sets and lsattr shows). The values are Linux's
/// STATX_ATTR_* bits, stored as statx reports them; flags the filesystem cannot have are never set.
/// </summary>
[Flags]
public enum InodeFlags : uint
{
    None = 0,
    Compressed = 0x4,
    /// <summary>No one, root included, may change, rename, link or remove the file until the flag is cleared.</summary>
    Immutable = 0x10,
    /// <summary>The file may only be appended to: what protects a log from being rewritten.</summary>
    AppendOnly = 0x20,
    NoDump = 0x40,
    Encrypted = 0x800,
    Verity = 0x100000,
}

public static class InodeFlagNames
{
    private static readonly (InodeFlags Flag, string Name)[] Names =
    [
        (InodeFlags.Immutable, "immutable"),
        (InodeFlags.AppendOnly, "append_only"),
        (InodeFlags.NoDump, "nodump"),
        (InodeFlags.Compressed, "compressed"),
        (InodeFlags.Encrypted, "encrypted"),
        (InodeFlags.Verity, "verity"),
    ];

    /// <summary>Every flag this program records: the rest of statx's attribute bits describe mounts, not the inode.</summary>
    public static InodeFlags Known { get; } = Names.Aggregate(InodeFlags.None, (all, n) => all | n.Flag);

    /// <summary>The flags' names joined by commas, e.g. "immutable,append_only"; bits without a name as hex.</summary>
    public static string Format(InodeFlags flags)
    {
        var names = Names.Where(n => flags.HasFlag(n.Flag)).Select(n => n.Name).ToList();
        if ((flags & ~Known) is var unknown and not InodeFlags.None)
            names.Add("0x" + ((uint)unknown).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        return string.Join(",", names);
    }
}
