using Compliance.Tests;

namespace Compliance.Usn.Tests;

/// <summary>The shared fixtures under ../shared/testdata.</summary>
internal static class TestData
{
    public static string Path(params string[] parts) => Repository.SharedTestData(parts);

    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(Path(parts));
}
