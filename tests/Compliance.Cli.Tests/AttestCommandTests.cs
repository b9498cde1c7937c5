namespace Compliance.Cli.Tests;

/// <summary>`compliance attest` and `verify` through the real program: what is signed is what the report states.</summary>
public sealed class AttestCommandTests
{
    /// <summary>
    /// attest computed its figures from the database at signing time and only hashed the report: a PDF made while the
    /// tree matched said PASS under a signature that verified, though the statement said fail.
    /// </summary>
    [Fact]
    public void A_report_made_before_the_last_check_is_refused_and_one_made_after_it_is_attested()
    {
        using var dir = new TempDir();
        var config = dir.Write("tree/app.conf", "v1");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "keygen", "--out", "key").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "report", "--format", "pdf", "--out", "pass.pdf").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", "pass.pdf", "--out", "pass.json").ExitCode.Should().Be(0, "it states what the database does");
        File.WriteAllText(config, "v2");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);

        var stale = CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", "pass.pdf", "--out", "stale.json");
        stale.ExitCode.Should().Be(2);
        stale.Stderr.Should().Contain("does not state what the database does now").And.Contain("verdict: the report says pass, the database fail");
        File.Exists(dir.Combine("stale.json")).Should().BeFalse();
        // PDF readers open a PDF behind a line of anything: it was taken for a CSV report, whose fresh summary beside
        // it was then all that attest compared.
        File.WriteAllBytes(dir.Combine("shown.pdf"), [.. "x\n"u8, .. File.ReadAllBytes(dir.Combine("pass.pdf"))]);
        CliRunner.Run(dir.Path, "report", "--format", "csv", "--out", "shown.csv").ExitCode.Should().Be(0);
        var prefixed = CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", "shown.pdf", "--out", "prefixed.json");
        prefixed.ExitCode.Should().Be(2, prefixed.Stderr);
        File.Exists(dir.Combine("prefixed.json")).Should().BeFalse();

        foreach (var format in new[] { "pdf", "csv", "json" })
        {
            CliRunner.Run(dir.Path, "report", "--format", format, "--out", $"fail.{format}").ExitCode.Should().Be(0);
            var attest = CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", $"fail.{format}", "--out", $"{format}.att.json");
            attest.ExitCode.Should().Be(0, attest.Stderr);
            attest.Stderr.Should().Contain("verdict fail");
            CliRunner.Run(dir.Path, "verify", $"{format}.att.json", "--pub", "key.pub", "--report", $"fail.{format}").ExitCode.Should().Be(0, format);
        }
    }

    /// <summary>
    /// A file named "%PDF-1.7" on the monitored host, listed in the first kilobyte of a CSV or JSON report, made attest
    /// read the genuine report as a broken PDF and refuse it: an intruder could block attestation (review Q). A PDF
    /// behind a CSV header or a line of JSON, which PDF readers still open, must not pass for either.
    /// </summary>
    [Fact]
    public void A_report_listing_a_file_named_like_a_pdf_header_is_attested_and_a_pdf_behind_a_csv_or_json_line_is_not()
    {
        using var dir = new TempDir();
        dir.Write("tree/app.conf", "v1");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "keygen", "--out", "key").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "report", "--format", "pdf", "--out", "pass.pdf").ExitCode.Should().Be(0);
        dir.Write("tree/%PDF-1.7", "x");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);

        foreach (var format in new[] { "csv", "json" })
        {
            CliRunner.Run(dir.Path, "report", "--format", format, "--out", $"fail.{format}").ExitCode.Should().Be(0);
            var attest = CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", $"fail.{format}", "--out", $"{format}.att.json");
            attest.ExitCode.Should().Be(0, attest.Stderr);
        }
        var csvHeader = File.ReadLines(dir.Combine("fail.csv")).First() + "\r\n";
        foreach (var (name, prefix) in new[] { ("behind-header.csv", csvHeader), ("behind-brace.json", "{\n") })
        {
            File.WriteAllBytes(dir.Combine(name), [.. System.Text.Encoding.UTF8.GetBytes(prefix), .. File.ReadAllBytes(dir.Combine("pass.pdf"))]);
            if (name.EndsWith(".csv"))
                File.Copy(dir.Combine("fail.summary.csv"), dir.Combine("behind-header.summary.csv"));
            var forged = CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", name, "--out", name + ".att.json");
            forged.ExitCode.Should().Be(2, name + ": " + forged.Stderr);
            File.Exists(dir.Combine(name + ".att.json")).Should().BeFalse();
        }
    }

    /// <summary>
    /// A CSV report is two files; the verdict and counts are in the second, which nothing signed. (An approver whose
    /// name starts with ' was read back without it, and the report just made refused.)
    /// </summary>
    [Fact]
    public void An_edited_summary_of_a_csv_report_fails_verification()
    {
        using var dir = new TempDir();
        var config = dir.Write("tree/app.conf", "v1");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--by", "'=x").ExitCode.Should().Be(0);
        File.WriteAllText(config, "v2");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);
        CliRunner.Run(dir.Path, "keygen", "--out", "key").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "report", "--format", "csv", "--out", "r.csv").ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", "r.csv", "--out", "att.json").ExitCode.Should().Be(0);
        // Its findings file must list as many findings as the summary counts.
        File.WriteAllText(dir.Combine("short.csv"), File.ReadAllLines(dir.Combine("r.csv"))[0] + "\r\n");
        File.Copy(dir.Combine("r.summary.csv"), dir.Combine("short.summary.csv"));
        var shortened = CliRunner.Run(dir.Path, "attest", "--key", "key", "--report", "short.csv", "--out", "short.json");
        shortened.ExitCode.Should().Be(2);
        shortened.Stderr.Should().Contain("lists 0 finding(s), its summary counts 1");
        CliRunner.Run(dir.Path, "verify", "att.json", "--pub", "key.pub", "--report", "r.csv").ExitCode.Should().Be(0);

        var summary = dir.Combine("r.summary.csv");
        File.ReadAllText(summary).Should().Contain("verdict,fail");
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("verdict,fail", "verdict,pass"));
        var verify = CliRunner.Run(dir.Path, "verify", "att.json", "--pub", "key.pub", "--report", "r.csv");
        verify.ExitCode.Should().Be(1);
        verify.Stdout.Should().Contain("ok   report:").And.Contain("FAIL summary: ").And.Contain("r.summary.csv has SHA-256");
    }
}
