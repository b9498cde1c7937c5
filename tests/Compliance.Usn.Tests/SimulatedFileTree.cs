using System.Text;
using Compliance.Core.Model;
using Compliance.Core.Scanning;
using Compliance.Usn.Simulation;

namespace Compliance.Usn.Tests;

/// <summary>The simulated volume as the scanner reads it: '/'-separated paths, content "v{version}" whose mtime moves with it.</summary>
internal sealed class SimulatedFileTree(SimulatedUsnVolume volume) : IFileTree
{
    public string Description => "simulated:" + volume.RootPath;

    /// <summary><c>C:\data\a.txt</c> to <c>/data/a.txt</c>; the volume root to <c>/</c>.</summary>
    public string TreePath(string journalPath) =>
        "/" + journalPath[volume.RootPath.Length..].Replace('\\', '/').TrimEnd('/');

    private string JournalPath(string treePath) => volume.RootPath + treePath.TrimStart('/').Replace('/', '\\');

    public FileEntry? Stat(string path)
    {
        if (path == "/")
            return new FileEntry { Path = path, Type = FileType.Directory };
        if (!volume.Snapshot().TryGetValue(JournalPath(path), out var file))
            return null;
        return new FileEntry
        {
            Path = path,
            Type = file.IsDirectory ? FileType.Directory : FileType.File,
            Size = file.IsDirectory ? 0 : Content(file).Length,
            MtimeNs = file.ContentVersion * 1_000_000_000L,
            FileId = file.FileId,
        };
    }

    public IReadOnlyList<FileEntry> ReadDirectory(string path)
    {
        string prefix = path == "/" ? volume.RootPath : JournalPath(path) + "\\";
        return volume.Snapshot().Keys
            .Where(p => p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && p.IndexOf('\\', prefix.Length) < 0)
            .Select(p => Stat(EntryPath.Combine(path, p[prefix.Length..])))
            .OfType<FileEntry>()
            .ToList();
    }

    public Stream OpenContent(string path, FileEntry expected) =>
        new MemoryStream(Content(volume.Snapshot()[JournalPath(path)]));

    private static byte[] Content(SimulatedFile file) => Encoding.ASCII.GetBytes($"v{file.ContentVersion}");
}
