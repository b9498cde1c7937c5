using System.Diagnostics;
using Compliance.Hashing.Checksums;

namespace Compliance.Hashing.Tests;

/// <summary>Runs only where b3sum is installed (Debian package b3sum); skipped, and says so, elsewhere.</summary>
public sealed class B3sumFactAttribute : FactAttribute
{
    public B3sumFactAttribute()
    {
        if (!B3sum.IsInstalled)
            Skip = "b3sum is not installed (apt-get install -y b3sum)";
    }
}

internal static class B3sum
{
    public static bool IsInstalled { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "b3sum")));

    public static string Run(IEnumerable<string> arguments, byte[]? standardInput = null)
    {
        var start = new ProcessStartInfo("b3sum") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        if (standardInput is not null)
            process.StandardInput.BaseStream.Write(standardInput);
        process.StandardInput.Close();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"b3sum {string.Join(' ', arguments)}");
        return output;
    }
}

/// <summary>The digest lines of <c>compliance hash</c> (its session) byte for byte against b3sum's, over random files of many sizes.</summary>
public sealed class B3sumAgreementTests : IDisposable
{
    private static readonly int[] Sizes = [0, 1, 64, 1000, 1024, 1025, 16383, 16384, 16385, 65537, 1 << 20, 3 * (1 << 20) + 5, 9 * (1 << 20) + 1023];

    private readonly string _dir = Directory.CreateTempSubdirectory("blake3-b3sum-").FullName;
    private readonly string[] _files;

    public B3sumAgreementTests()
    {
        var random = new Random(2024);
        _files = Sizes.Select(size =>
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            string path = Path.Combine(_dir, $"random-{size}.bin");
            File.WriteAllBytes(path, bytes);
            return path;
        }).ToArray();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [B3sumFact]
    public void Default_hash_agrees_in_subtrees_threaded_and_as_one_stream()
    {
        string expected = B3sum.Run(_files);
        Ours(new DigestRequest { Threads = 4 }).Should().Be(expected);
        Ours(new DigestRequest { Threads = 1 }).Should().Be(expected);
        Ours(new DigestRequest { ReadInSubtrees = false }).Should().Be(expected);
    }

    [B3sumFact]
    public void Keyed_hash_agrees()
    {
        var key = new byte[32];
        new Random(5).NextBytes(key);
        Ours(new DigestRequest { Key = key }).Should().Be(B3sum.Run(["--keyed", .. _files], key));
    }

    [B3sumFact]
    public void Derive_key_agrees()
    {
        const string context = "compliance 2026-11-21 b3sum agreement test";
        Ours(new DigestRequest { DeriveKeyContext = context }).Should().Be(B3sum.Run(["--derive-key", context, .. _files]));
    }

    [B3sumFact]
    public void Extended_and_short_lengths_agree()
    {
        foreach (int length in new[] { 1, 31, 33, 64, 65, 200 })
            Ours(new DigestRequest { OutputLength = length }).Should().Be(B3sum.Run(["--length", length.ToString(), .. _files]), $"length {length}");
    }

    /// <summary>Check results name files as b3sum -c names them: escaped when the name holds a backslash or a newline.</summary>
    [B3sumFact]
    public void Check_results_agree_for_names_that_need_escaping()
    {
        string[] names = [.. new[] { "a\nb", "c\\d", "e\rf", "plain" }.Select(name => Path.Combine(_dir, name))];
        foreach (var name in names)
            File.WriteAllText(name, name);
        string sums = Path.Combine(_dir, "sums");
        File.WriteAllText(sums, B3sum.Run(names));

        var output = new StringWriter();
        Session(new DigestRequest(), output).CheckFiles(sums, quiet: false).Should().Be(ChecksumOutcome.Ok);

        output.ToString().Should().Be(B3sum.Run(["--check", sums]));
    }

    private string Ours(DigestRequest request)
    {
        var output = new StringWriter();
        Session(request, output).HashFiles(_files).Should().Be(ChecksumOutcome.Ok);
        return output.ToString();
    }

    private static ChecksumSession Session(DigestRequest request, StringWriter output) =>
        new ChecksumSession(request, output, new StringWriter(), () => throw new InvalidOperationException("no stdin here"), "compliance");
}
