namespace Compliance.Usn.Journal;

/// <summary>
/// Maps file IDs to full paths through parent links, so that renaming a directory (one entry) moves all its
/// descendants at once: their paths are built from their parents' current names whenever they are asked for.
/// </summary>
public sealed class FileIdPathCache(string rootPath, UInt128 rootFileId)
{
    // Deeper than any real tree (NTFS paths stop at 32,767 characters); a longer chain is a loop.
    private const int MaxDepth = 16_384;

    private readonly Dictionary<UInt128, Entry> _entries = [];

    private readonly record struct Entry(UInt128 ParentId, string Name, bool IsDirectory);

    public string RootPath { get; } = rootPath.TrimEnd('\\');
    public int Count => _entries.Count;

    public void Clear() => _entries.Clear();

    public void Set(UInt128 fileId, UInt128 parentId, string name, bool isDirectory) =>
        _entries[fileId] = new Entry(parentId, name, isDirectory);

    public void Remove(UInt128 fileId) => _entries.Remove(fileId);

    public bool IsDirectory(UInt128 fileId) => _entries.TryGetValue(fileId, out var entry) && entry.IsDirectory;

    /// <summary>The full path of a file, or null when a link up to the root is missing (or loops).</summary>
    public string? PathOf(UInt128 fileId) =>
        fileId == rootFileId ? RootPath + "\\" : ChildPath(fileId);

    /// <summary>The path <paramref name="name"/> has under the directory <paramref name="parentId"/>, or null when the directory's path is unknown.</summary>
    public string? PathOf(UInt128 parentId, string name)
    {
        if (parentId == rootFileId)
            return $"{RootPath}\\{name}";
        string? parent = ChildPath(parentId);
        return parent is null ? null : $"{parent}\\{name}";
    }

    private string? ChildPath(UInt128 fileId)
    {
        var names = new List<string>();
        var id = fileId;
        while (id != rootFileId)
        {
            if (names.Count == MaxDepth || !_entries.TryGetValue(id, out var entry))
                return null;
            names.Add(entry.Name);
            id = entry.ParentId;
        }
        names.Reverse();
        return $"{RootPath}\\{string.Join('\\', names)}";
    }
}
