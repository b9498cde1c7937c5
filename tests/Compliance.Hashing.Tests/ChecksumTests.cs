using Compliance.Hashing.Checksums;

namespace Compliance.Hashing.Tests;

public sealed class ChecksumTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("blake3-checksum-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lines_are_hex_two_spaces_and_the_name_with_b3sum_escapes()
    {
        byte[] digest = [0xAB, 0x01];
        ChecksumLine.Format(digest, "a b.txt").Should().Be("ab01  a b.txt");
        ChecksumLine.Format(digest, "new\nline\\x").Should().Be("\\ab01  new\\nline\\\\x");

        ChecksumLine.TryParse("\\ab01  new\\nline\\\\x", out var parsed, out var name).Should().BeTrue();
        parsed.Should().Equal(digest);
        name.Should().Be("new\nline\\x");
    }

    [Theory]
    [InlineData("ab01 one-space")]
    [InlineData("abc  odd-hex")]
    [InlineData("zz01  not-hex")]
    [InlineData("ab01  ")]
    [InlineData("\\ab01  bad\\escape")]
    [InlineData("no digest at all")]
    public void Malformed_lines_are_refused(string line) =>
        ChecksumLine.TryParse(line, out _, out _).Should().BeFalse();

    [Fact]
    public void Hashing_writes_a_line_per_file_and_reports_what_cannot_be_read()
    {
        string file = Write("abc.txt", "abc"u8.ToArray());
        var (outcome, output, errors) = Hash(new DigestRequest(), [file, _dir, Path.Combine(_dir, "missing")]);

        // BLAKE3("abc"), from the reference implementation's documentation.
        output.Should().Be($"6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85  {file}\n");
        errors.Should().Be($"compliance: {_dir}: is a directory\ncompliance: {Path.Combine(_dir, "missing")}: no such file\n");
        // Both are bad input, as a missing file is to every command.
        outcome.Should().Be(ChecksumOutcome.InvalidInput);
    }

    [Fact]
    public void A_directory_alone_is_invalid_input()
    {
        Hash(new DigestRequest(), [_dir]).Outcome.Should().Be(ChecksumOutcome.InvalidInput);
    }

    [Fact]
    public void Sha256_matches_the_well_known_digest_of_abc()
    {
        string file = Write("abc.txt", "abc"u8.ToArray());
        Hash(new DigestRequest { Algorithm = "sha256" }, [file]).Output
            .Should().Be($"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  {file}\n");
    }

    [Fact]
    public void Check_reports_ok_failed_and_unreadable_and_exits_with_mismatch()
    {
        string good = Write("good", [1, 2, 3]);
        string changed = Write("changed", [4, 5, 6]);
        var session = Session(new DigestRequest(), out var output, out var errors);
        session.HashFiles([good, changed]);
        string sums = output.ToString() + $"{new string('0', 64)}  {Path.Combine(_dir, "gone")}\n";
        File.WriteAllBytes(changed, [4, 5, 7]);
        string sumsFile = Write("sums", System.Text.Encoding.UTF8.GetBytes(sums));

        var check = Session(new DigestRequest(), out output, out errors);
        check.CheckFiles(sumsFile, quiet: false).Should().Be(ChecksumOutcome.Mismatch);
        output.ToString().Should().Be($"{good}: OK\n{changed}: FAILED\n{Path.Combine(_dir, "gone")}: FAILED (no such file)\n");
        errors.ToString().Should().Be("compliance: WARNING: 2 computed checksums did NOT match\n");

        var quiet = Session(new DigestRequest(), out output, out _);
        quiet.CheckFiles(sumsFile, quiet: true);
        output.ToString().Should().NotContain(": OK");
    }

    /// <summary>Names were printed raw: a file named "x\nevil: OK" made a line that said a file checked out.</summary>
    [Fact]
    public void Check_results_escape_names_as_digest_lines_do()
    {
        string split = Write("a\nb", [1]);
        string forging = Write("evil: OK\nz", [2]);
        var session = Session(new DigestRequest(), out var output, out _);
        session.HashFiles([split, forging]);
        string sumsFile = Write("sums", System.Text.Encoding.UTF8.GetBytes(output.ToString()));
        File.WriteAllBytes(forging, [3]);

        Session(new DigestRequest(), out output, out _).CheckFiles(sumsFile, quiet: false).Should().Be(ChecksumOutcome.Mismatch);

        output.ToString().Should().Be($"\\{_dir}/a\\nb: OK\n\\{_dir}/evil: OK\\nz: FAILED\n");
    }

    [Fact]
    public void Check_passes_for_extended_length_lines()
    {
        string file = Write("data", new byte[5000]);
        var session = Session(new DigestRequest { OutputLength = 100 }, out var output, out _);
        session.HashFiles([file]);
        string sumsFile = Write("sums", System.Text.Encoding.UTF8.GetBytes(output.ToString()));
        Session(new DigestRequest(), out output, out _).CheckFiles(sumsFile, quiet: false).Should().Be(ChecksumOutcome.Ok);
        output.ToString().Should().Be($"{file}: OK\n");
    }

    [Fact]
    public void A_malformed_check_file_is_invalid_input_before_any_file_is_read()
    {
        string sumsFile = Write("sums", "0123  a\nthis is not a digest line\n"u8.ToArray());
        var session = Session(new DigestRequest(), out var output, out var errors);
        session.CheckFiles(sumsFile, quiet: false).Should().Be(ChecksumOutcome.InvalidInput);
        output.ToString().Should().BeEmpty();
        errors.ToString().Should().Be($"compliance: {sumsFile}:2: malformed line, expected '<hex>  <name>'\n");
    }

    [Fact]
    public void Sha256_check_refuses_lines_of_another_length()
    {
        string sumsFile = Write("sums", "0123  a\n"u8.ToArray());
        Session(new DigestRequest { Algorithm = "sha256" }, out _, out var errors).CheckFiles(sumsFile, quiet: false)
            .Should().Be(ChecksumOutcome.InvalidInput);
        errors.ToString().Should().Contain("2-byte digest");
    }

    [Theory]
    [InlineData("sha256", 32, true, "--keyed and --derive-key need --algo blake3*")]
    [InlineData("sha256", 20, false, "--length needs --algo blake3*")]
    [InlineData("md5", 32, false, "unknown algorithm 'md5'*")]
    [InlineData("blake3", 0, false, "--length must be from 1 to 16777216, not 0")]
    [InlineData("blake3", 16777217, false, "--length must be from 1 to 16777216, not 16777217")]
    public void Contradictory_requests_are_refused(string algorithm, int length, bool keyed, string message)
    {
        var request = new DigestRequest { Algorithm = algorithm, OutputLength = length, Key = keyed ? new byte[32] : null };
        request.Invoking(r => r.Validate()).Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Standard_input_is_hashed_when_no_file_is_named()
    {
        var output = new StringWriter();
        var session = new ChecksumSession(new DigestRequest(), output, new StringWriter(), () => new MemoryStream("abc"u8.ToArray()), "compliance");
        session.HashFiles([]).Should().Be(ChecksumOutcome.Ok);
        output.ToString().Should().Be("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85  -\n");
    }

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static ChecksumSession Session(DigestRequest request, out StringWriter output, out StringWriter errors)
    {
        output = new StringWriter();
        errors = new StringWriter();
        return new ChecksumSession(request, output, errors, () => throw new InvalidOperationException("no stdin in this test"), "compliance");
    }

    private static (ChecksumOutcome Outcome, string Output, string Errors) Hash(DigestRequest request, string[] files)
    {
        var session = Session(request, out var output, out var errors);
        var outcome = session.HashFiles(files);
        return (outcome, output.ToString(), errors.ToString());
    }
}
