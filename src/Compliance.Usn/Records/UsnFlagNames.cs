namespace Compliance.Usn.Records;

/// <summary>
/// The names Windows' <c>fsutil usn readjournal</c> prints for reason, source and attribute flags,
/// in the order it prints them (lowest bit first), joined by " | ".
/// </summary>
public static class UsnFlagNames
{
    private static readonly (uint Flag, string Name)[] s_reasons =
    [
        (0x00000001, "Data overwrite"),
        (0x00000002, "Data extend"),
        (0x00000004, "Data truncation"),
        (0x00000010, "Named data overwrite"),
        (0x00000020, "Named data extend"),
        (0x00000040, "Named data truncation"),
        (0x00000100, "File create"),
        (0x00000200, "File delete"),
        (0x00000400, "EA change"),
        (0x00000800, "Security change"),
        (0x00001000, "Rename: old name"),
        (0x00002000, "Rename: new name"),
        (0x00004000, "Indexable change"),
        (0x00008000, "Basic info change"),
        (0x00010000, "Hard link change"),
        (0x00020000, "Compression change"),
        (0x00040000, "Encryption change"),
        (0x00080000, "Object ID change"),
        (0x00100000, "Reparse point change"),
        (0x00200000, "Stream change"),
        (0x00400000, "Transacted change"),
        (0x00800000, "Integrity change"),
        (0x01000000, "Desired storage class change"),
        (0x80000000, "Close"),
    ];

    private static readonly (uint Flag, string Name)[] s_sources =
    [
        (0x00000001, "Data management"),
        (0x00000002, "Auxiliary data"),
        (0x00000004, "Replication management"),
        (0x00000008, "Client replication management"),
    ];

    private static readonly (uint Flag, string Name)[] s_attributes =
    [
        (0x00000001, "Read only"),
        (0x00000002, "Hidden"),
        (0x00000004, "System"),
        (0x00000010, "Directory"),
        (0x00000020, "Archive"),
        (0x00000040, "Device"),
        (0x00000080, "Normal"),
        (0x00000100, "Temporary"),
        (0x00000200, "Sparse file"),
        (0x00000400, "Reparse point"),
        (0x00000800, "Compressed"),
        (0x00001000, "Offline"),
        (0x00002000, "Not content indexed"),
        (0x00004000, "Encrypted"),
        (0x00008000, "Integrity stream"),
        (0x00010000, "Virtual"),
        (0x00020000, "No scrub data"),
        (0x00040000, "Recall on open"),
        (0x00080000, "Pinned"),
        (0x00100000, "Unpinned"),
        (0x00400000, "Recall on data access"),
    ];

    public static string Of(UsnReason reason) => Join((uint)reason, s_reasons);

    public static string Of(UsnSourceInfo source) => Join((uint)source, s_sources);

    public static string Of(UsnFileAttributes attributes) => Join((uint)attributes, s_attributes);

    // fsutil prints "*NONE*" for an empty set; bits it has no name for are shown in hex rather than dropped.
    private static string Join(uint value, (uint Flag, string Name)[] table)
    {
        if (value == 0)
            return "*NONE*";
        var names = new List<string>();
        uint unnamed = value;
        foreach (var (flag, name) in table)
        {
            if ((value & flag) != 0)
            {
                names.Add(name);
                unnamed &= ~flag;
            }
        }
        if (unnamed != 0)
            names.Add($"0x{unnamed:x8}");
        return string.Join(" | ", names);
    }
}
