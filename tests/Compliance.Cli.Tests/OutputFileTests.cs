namespace Compliance.Cli.Tests;

/// <summary>The files commands write: never over their own inputs, never left half-written.</summary>
public sealed class OutputFileTests
{
    private static string Hash(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// report --out DB and gate --sarif DB replaced the database; export --out DB emptied it, then failed reading it;
    /// attest --out KEY replaced the signing key and attest --out REPORT the report it had just signed.
    /// </summary>
    [Fact]
    public void An_output_naming_one_of_the_commands_inputs_is_refused_and_the_input_kept()
    {
        using var dir = new TempDir();
        dir.Write("tree/a", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "db").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "keygen", "--out", "key").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "report", "--db", "db", "--format", "json", "--out", "r.json").ExitCode.Should().Be(0);
        File.CreateSymbolicLink(dir.Combine("db-link"), "db");
        Compliance.Tests.ExternalCommand.Run("ln", dir.Combine("db"), dir.Combine("db-hard"));
        var kept = new[] { "db", "key", "r.json" }.ToDictionary(name => name, name => Hash(dir.Combine(name)));

        string[][] commands =
        [
            ["report", "--db", "db", "--format", "json", "--out", "db"],
            ["report", "--db", "db", "--format", "pdf", "--out", "db-link"],
            ["report", "--db", "db", "--format", "csv", "--out", "db-hard"],
            ["export", "--db", "db", "--format", "json", "--out", "db"],
            // Not there yet, and SQLite's all the same.
            ["export", "--db", "db", "--format", "json", "--out", "db-journal"],
            ["gate", "--baseline", "db", "--root", dir.Combine("tree"), "--sarif", dir.Combine("db")],
            ["gate", "--baseline", "db", "--root", dir.Combine("tree"), "--junit", "db-hard"],
            ["attest", "--db", "db", "--key", "key", "--report", "r.json", "--out", "key"],
            ["attest", "--db", "db", "--key", "key", "--report", "r.json", "--out", "r.json"],
        ];
        foreach (var command in commands)
        {
            var result = CliRunner.Run(dir.Path, command);
            result.ExitCode.Should().Be(2, string.Join(' ', command) + ": " + result.Stderr);
            result.Stderr.Should().Contain("which this command reads").And.Subject.TrimEnd().Should().NotContain("\n");
            foreach (var (name, hash) in kept)
                Hash(dir.Combine(name)).Should().Be(hash, $"{string.Join(' ', command)} must leave {name} as it was");
        }
        File.Exists(dir.Combine("db-journal")).Should().BeFalse();
    }

    /// <summary>
    /// report wrote straight to --out: on a full disk it failed with a truncated report in place of the earlier good
    /// one; gate wrote FILE.partial and left it behind.
    /// </summary>
    [Fact]
    public void A_report_that_cannot_be_written_in_full_leaves_the_earlier_file_and_no_partial_one()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 40; i++)
            dir.Write($"tree/f{i}", "x");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "db").ExitCode.Should().Be(0);
        for (int i = 0; i < 40; i++)
            File.AppendAllText(dir.Combine("tree", $"f{i}"), "changed");
        CliRunner.Run(dir.Path, "check", "--db", "db").ExitCode.Should().Be(1);
        var small = dir.Combine("small");
        Directory.CreateDirectory(small);
        Compliance.Tests.ExternalCommand.Run("mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", small);
        try
        {
            var earlier = Path.Combine(small, "r.json");
            File.WriteAllText(earlier, "earlier report");
            File.WriteAllBytes(Path.Combine(small, "filler"), new byte[40 * 1024]);

            foreach (var (format, file) in new[] { ("json", "r.json"), ("pdf", "r.pdf"), ("csv", "r.csv") })
                CliRunner.Run(dir.Path, "report", "--db", "db", "--format", format, "--out", Path.Combine(small, file)).ExitCode.Should().Be(3, format);
            CliRunner.Run(dir.Path, "gate", "--baseline", "db", "--root", dir.Combine("tree"), "--sarif", Path.Combine(small, "g.sarif")).ExitCode.Should().Be(3);

            File.ReadAllText(earlier).Should().Be("earlier report");
            Directory.GetFiles(small).Select(Path.GetFileName).Should().BeEquivalentTo("r.json", "filler");
        }
        finally
        {
            Compliance.Tests.ExternalCommand.Run("umount", small);
        }
    }

    /// <summary>A CSV report's summary went beside /dev/stdout, into /dev; a JSON report still goes to a stream.</summary>
    [Fact]
    public void A_csv_report_to_a_descriptor_is_refused_and_a_json_report_is_written_to_it()
    {
        using var dir = new TempDir();
        dir.Write("tree/a", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "db").ExitCode.Should().Be(0);

        // Standard output redirected to a file, as `> out.csv` does: /dev/stdout then leads to a regular file.
        var csv = CliRunner.Run(dir.Path, start =>
        {
            start.FileName = "sh";
            foreach (var argument in new[] { "-c", "exec dotnet \"$@\" > out.csv", "sh" }.Reverse())
                start.ArgumentList.Insert(0, argument);
        }, "report", "--db", "db", "--format", "csv", "--out", "/dev/stdout");
        // Refused before anything is written: no summary beside the descriptor, none in the output.
        csv.ExitCode.Should().Be(2);
        csv.Stderr.Should().Contain("a CSV report is two files");
        File.ReadAllText(dir.Combine("out.csv")).Should().BeEmpty();

        var json = CliRunner.Run(dir.Path, "report", "--db", "db", "--format", "json", "--out", "/dev/stdout");
        json.ExitCode.Should().Be(0, json.Stderr);
        json.Stdout.Should().Contain("\"report_id\"");
    }

    /// <summary>
    /// report --out with a name that is not UTF-8 wrote a U+FFFD-named file beside it, exit 0, and a stale file at the
    /// named path stayed as it was (review Q).
    /// </summary>
    [Fact]
    public void An_output_named_with_bytes_that_are_not_utf8_is_refused()
    {
        using var dir = new TempDir();
        dir.Write("tree/a", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "db").ExitCode.Should().Be(0);
        var report = CliRunner.Shell(dir.Path, "report --db db --format json --out \"$(printf 'out\\377.json')\"");

        report.ExitCode.Should().Be(2, report.Stderr);
        report.Stderr.Should().Contain("bytes that are not UTF-8");
        Directory.GetFiles(dir.Path, "out*").Should().BeEmpty();
    }
}
