using Compliance.Core;
using Compliance.Core.Scanning;

namespace Compliance.Cli;

/// <summary>Opens offline images as file trees.</summary>
internal static class ImageTrees
{
    public static IFileTree Open(string image) =>
        throw new ComplianceException($"--image {image}: reading NTFS images is not wired into scanning yet.", FailureKind.Usage);
}
