using System.Security.Cryptography;
using System.Text.Json;
using Compliance.Tests;

namespace Compliance.Cli.Tests;

/// <summary>The commands that only read the database (export, report, attest, verify) never write to it.</summary>
public sealed class ReadOnlyDatabaseTests
{
    private static byte[] Sha256(string path) => SHA256.HashData(File.ReadAllBytes(path));

    [ReadOnlyMountFact]
    public void Export_report_attest_and_verify_read_a_database_on_a_read_only_mount_and_leave_it_as_it_was()
    {
        using var dir = new TempDir();
        string keep = dir.Write("tree/keep", "unchanged"), edited = dir.Write("tree/edit-me", "version 1");
        var evidence = dir.Combine("evidence");
        var db = Path.Combine(evidence, "state.db");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);
        File.WriteAllText(edited, "version 2");
        CliRunner.Run(dir.Path, "check", "--db", db).ExitCode.Should().Be(1, "the edit is a finding for the report");
        CliRunner.Run(dir.Path, "keygen", "--out", dir.Combine("key")).ExitCode.Should().Be(0);
        Directory.GetFiles(evidence).Should().Equal(db);
        var before = Sha256(db);

        using (new ReadOnlyMount(evidence))
        {
            var export = CliRunner.Run(dir.Path, "export", "--db", db, "--format", "csv", "--out", dir.Combine("export.csv"));
            export.ExitCode.Should().Be(0, export.Stderr);
            File.ReadAllLines(dir.Combine("export.csv")).Skip(1).Select(row => row.Split(',')[0]).Should().Contain([keep, edited]);

            var report = CliRunner.Run(dir.Path, "report", "--db", db, "--format", "json", "--out", dir.Combine("report.json"));
            report.ExitCode.Should().Be(0, report.Stderr);
            var finding = JsonDocument.Parse(File.ReadAllBytes(dir.Combine("report.json"))).RootElement.GetProperty("findings").EnumerateArray().Should().ContainSingle().Subject;
            finding.GetProperty("path").GetString().Should().Be(edited);
            finding.GetProperty("status").GetString().Should().Be("open");

            var attest = CliRunner.Run(dir.Path, "attest", "--db", db, "--key", "key", "--report", "report.json", "--out", "attestation.json");
            attest.ExitCode.Should().Be(0, attest.Stderr);
            var verify = CliRunner.Run(dir.Path, "verify", "attestation.json", "--pub", "key.pub", "--report", "report.json", "--db", db);
            verify.ExitCode.Should().Be(0, verify.Stdout + verify.Stderr);

            Directory.GetFiles(evidence).Should().Equal([db], "no -wal or -shm file may appear beside the evidence");
            Sha256(db).Should().Equal(before);
        }
    }

    [Fact]
    public void Export_and_report_read_a_database_in_a_directory_the_user_cannot_write()
    {
        using var dir = new TempDir();
        var asUser = Unprivileged.Configure(dir.Path);
        var file = dir.Write("tree/f", "x");
        var evidence = dir.Combine("evidence");
        var db = Path.Combine(evidence, "state.db");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);
        // Made by root when the test runs as root, and read as user nobody; the mode alone keeps other users out.
        File.SetUnixFileMode(db, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(evidence, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var before = Sha256(db);

        var export = CliRunner.Run(dir.Path, asUser, "export", "--db", db, "--format", "csv");
        export.ExitCode.Should().Be(0, export.Stderr);
        export.Stdout.Split('\n').Skip(1).Select(row => row.Split(',')[0]).Should().Contain(file);
        var report = CliRunner.Run(dir.Path, asUser, "report", "--db", db, "--format", "json", "--out", dir.Combine("report.json"));
        report.ExitCode.Should().Be(0, report.Stderr);

        Directory.GetFiles(evidence).Should().Equal(db);
        Sha256(db).Should().Equal(before);
    }

    [Fact]
    public void Export_refuses_an_older_schema_instead_of_upgrading_it()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "x");
        var db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);
        // Version 2 had no fingerprint column, nor the index of version 4 and the columns of version 5.
        Sqlite.Execute(db, """
            ALTER TABLE baseline DROP COLUMN fingerprint; DROP INDEX observed_absent_by_inode;
            ALTER TABLE baseline DROP COLUMN rdev; ALTER TABLE baseline DROP COLUMN flags;
            ALTER TABLE observed DROP COLUMN rdev; ALTER TABLE observed DROP COLUMN flags; PRAGMA user_version = 2;
            """);
        var before = Sha256(db);

        var export = CliRunner.Run(dir.Path, "export", "--db", db, "--format", "csv");

        export.ExitCode.Should().Be(3, export.Stdout);
        export.Stderr.Should().Contain("schema version 2, older than this program's 6").And.Contain("not modified");
        Sha256(db).Should().Equal(before);
        Sqlite.Scalar(db, "PRAGMA user_version").Should().Be("2");
    }
}
