using Compliance.Core.Model;

namespace Compliance.Core.Attributes;

/// <summary>
/// One attribute of the vocabulary: how it is read from an entry, compared, and shown. Policies name attributes,
/// drift lists them, reports and exports print them; all of them go through this one definition.
/// </summary>
public sealed class FileAttribute
{
    private readonly Func<FileEntry, string?> _format;
    private readonly Func<FileEntry, FileEntry, bool> _equal;

    internal FileAttribute(string name, string description, AttributeGroup group, Func<FileEntry, string?> format,
        Func<FileEntry, FileEntry, bool> equal)
    {
        Name = name;
        Description = description;
        Group = group;
        Field = name;
        _format = format;
        _equal = equal;
    }

    /// <summary>An attribute read as a typed value: compared as that value, formatted only for display.</summary>
    internal static FileAttribute Of<T>(string name, string description, AttributeGroup group, Func<FileEntry, T> read, Func<T, string?> format) =>
        new(name, description, group, e => format(read(e)), (a, b) => EqualityComparer<T>.Default.Equals(read(a), read(b)));

    /// <summary>The name used in policies and outputs.</summary>
    public string Name { get; }
    public string Description { get; }
    public AttributeGroup Group { get; }

    /// <summary>The entry field it reads, as entries' JSON names it: its own name, but for a rule over another field's value.</summary>
    public string Field { get; init; }

    /// <summary>True for content hashes: a difference is content drift rather than metadata drift.</summary>
    public bool IsContentHash => Group == AttributeGroup.ContentHash;

    /// <summary>The value as text for before/after columns; null when the entry does not have it.</summary>
    public string? Format(FileEntry entry) => _format(entry);

    public bool AreEqual(FileEntry before, FileEntry after) => _equal(before, after);

    public override string ToString() => Name;
}

public enum AttributeGroup
{
    Identity,
    Metadata,
    Security,
    Windows,
    ContentHash,
}
