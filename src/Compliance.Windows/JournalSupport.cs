using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Compliance.Windows.Interop;

namespace Compliance.Windows;

/// <summary>
/// Whether a volume can have a change journal. FAT, exFAT and network shares cannot: they are followed by
/// directory walks and periodic rescans only, and <see cref="Describe"/> says so in words for reports.
/// </summary>
public sealed record JournalSupport(string RootPath, string FileSystem, bool HasJournal)
{
    public string Describe() => HasJournal
        ? $"{RootPath} ({FileSystem}) is followed through its USN change journal"
        : $"no change journal protects {RootPath} ({FileSystem}): changes are found only by periodic rescans";

    /// <exception cref="IOException">The volume's information cannot be read.</exception>
    [SupportedOSPlatform("windows")]
    public static unsafe JournalSupport Probe(string rootPath)
    {
        string root = rootPath.TrimEnd('\\') + "\\";
        char* fileSystem = stackalloc char[64];
        if (!Kernel32.GetVolumeInformation(root, null, 0, out _, out _, out uint flags, fileSystem, 64))
            throw WindowsUsnVolume.Win32Failure($"cannot read the volume information of {root}", Marshal.GetLastPInvokeError());
        string name = new(fileSystem);
        return new JournalSupport(root, name, (flags & Kernel32.FileSupportsUsnJournal) != 0);
    }
}
