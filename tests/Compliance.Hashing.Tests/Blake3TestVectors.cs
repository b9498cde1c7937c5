using System.Text.Json;
using Compliance.Hashing.Blake3;

namespace Compliance.Hashing.Tests;

/// <summary>The official BLAKE3 test vectors from ../shared/testdata/blake3/test_vectors.json.</summary>
internal static class Blake3TestVectors
{
    public sealed record Case(int InputLength, byte[] Hash, byte[] KeyedHash, byte[] DeriveKey);

    public static byte[] Key { get; }
    public static string Context { get; }
    public static IReadOnlyList<Case> Cases { get; }

    static Blake3TestVectors()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Compliance.Tests.Repository.SharedTestData("blake3", "test_vectors.json")));
        var root = json.RootElement;
        Key = System.Text.Encoding.ASCII.GetBytes(root.GetProperty("key").GetString()!);
        Context = root.GetProperty("context_string").GetString()!;
        Cases = root.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("input_len").GetInt32(),
            Convert.FromHexString(c.GetProperty("hash").GetString()!),
            Convert.FromHexString(c.GetProperty("keyed_hash").GetString()!),
            Convert.FromHexString(c.GetProperty("derive_key").GetString()!))).ToList();
    }

    /// <summary>The vectors' input: byte i is i mod 251.</summary>
    public static byte[] Input(int length)
    {
        var input = new byte[length];
        for (int i = 0; i < length; i++)
            input[i] = (byte)(i % 251);
        return input;
    }

    public static IEnumerable<Blake3SimdWidth> SupportedWidths => Blake3Simd.Supported;
}
