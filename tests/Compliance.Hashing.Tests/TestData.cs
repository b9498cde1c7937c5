using System.Runtime.CompilerServices;

namespace Compliance.Hashing.Tests;

/// <summary>Finds the shared fixtures: ../shared/testdata next to the repo root.</summary>
internal static class TestData
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// Walks up from the test binaries, then from this source file: builds with --artifacts-path put the
    /// binaries outside the repo. The solution file marks the root.
    /// </summary>
    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile)! })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Compliance.sln")))
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
            }
        }
        throw new InvalidOperationException($"Repo root not found above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
