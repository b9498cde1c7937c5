using System.Reflection;

namespace Compliance.Usn.Tests;

/// <summary>Finds the shared fixtures: ../shared/testdata next to the folder holding Compliance.sln.</summary>
internal static class TestData
{
    private static readonly string[] RepoMarkers = ["Compliance.sln", "Compliance.slnx"];
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Path(params string[] parts) => System.IO.Path.Combine([s_root.Value, .. parts]);

    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(Path(parts));

    private static string FindRoot()
    {
        string? sourceDirectory = typeof(TestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SourceDirectory")?.Value;
        foreach (var start in new[] { AppContext.BaseDirectory, sourceDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (RepoMarkers.Any(marker => File.Exists(System.IO.Path.Combine(dir.FullName, marker))))
                    return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "testdata"));
            }
        }
        throw new DirectoryNotFoundException("No Compliance.sln above the test binaries or their sources; cannot find ../shared/testdata.");
    }
}
