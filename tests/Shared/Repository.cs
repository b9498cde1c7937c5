using System.Runtime.CompilerServices;

namespace Compliance.Tests;

/// <summary>
/// Where the repository and the shared fixtures (../shared/testdata beside it) are, for every test project. Builds
/// may put binaries outside the repository (--artifacts-path), so this file's compile-time path is a second start;
/// the solution file marks the root.
/// </summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string SharedTestData(params string[] parts) => Path.GetFullPath(Path.Combine([Root, "..", "shared", "testdata", .. parts]));

    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            for (var directory = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Compliance.sln")))
                    return directory.FullName;
            }
        }
        throw new InvalidOperationException($"Compliance.sln not found above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
