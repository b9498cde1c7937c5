using System.Diagnostics;
using System.Text.Json;
using Compliance.Tests;

namespace Compliance.Cli.Tests;

/// <summary>baseline → changes → check → accept → check, with every kind of drift, through the real program.</summary>
public sealed class DriftCycleTests
{
    private static Dictionary<string, JsonElement> FindingsByPath(CliRunner.Result result) =>
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("findings").EnumerateArray()
            .ToDictionary(f => f.GetProperty("path").GetString()!);

    private static string[] Attributes(JsonElement finding) =>
        finding.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()!).ToArray();

    [Fact]
    public void Each_change_is_reported_with_its_kind_and_attributes_and_accept_approves_them()
    {
        using var dir = new TempDir();
        string T(string relative) => dir.Combine("tree", relative);
        dir.Write("tree/keep", "unchanged");
        dir.Write("tree/delete-me", "gone soon");
        dir.Write("tree/edit-me", "version 1");
        dir.Write("tree/chmod-me", "mode");
        dir.Write("tree/chown-me", "owner");
        dir.Write("tree/rename-me", "moving");
        dir.Write("tree/sub/replace-me", "becomes a link");

        var baseline = CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"));
        baseline.ExitCode.Should().Be(0, baseline.Stderr);
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(0);

        dir.Write("tree/new-file", "added");
        File.Delete(T("delete-me"));
        File.WriteAllText(T("edit-me"), "version 2, longer");
        File.SetUnixFileMode(T("chmod-me"), UnixFileMode.UserRead);
        Process.Start("chown", ["12345:54321", T("chown-me")])!.WaitForExit();
        File.Move(T("rename-me"), T("sub/renamed"));
        File.Delete(T("sub/replace-me"));
        File.CreateSymbolicLink(T("sub/replace-me"), "../keep");

        var check = CliRunner.Run(dir.Path, "check", "--json");
        check.ExitCode.Should().Be(1, check.Stderr);
        var findings = FindingsByPath(check);

        findings[T("new-file")].GetProperty("kind").GetString().Should().Be("added");
        findings[T("delete-me")].GetProperty("kind").GetString().Should().Be("removed");
        findings[T("edit-me")].GetProperty("kind").GetString().Should().Be("content");
        Attributes(findings[T("edit-me")]).Should().Contain(["size", "blake3", "mtime"]);
        findings[T("edit-me")].GetProperty("before").GetProperty("size").GetString().Should().Be("9");
        findings[T("edit-me")].GetProperty("after").GetProperty("size").GetString().Should().Be("17");
        findings[T("chmod-me")].GetProperty("kind").GetString().Should().Be("metadata");
        Attributes(findings[T("chmod-me")]).Should().Contain("mode").And.NotContain("blake3");
        findings[T("chmod-me")].GetProperty("before").GetProperty("mode").GetString().Should().Be("0644");
        findings[T("chmod-me")].GetProperty("after").GetProperty("mode").GetString().Should().Be("0400");
        if (NativeFile.geteuid() == 0)
        {
            findings[T("chown-me")].GetProperty("kind").GetString().Should().Be("metadata");
            Attributes(findings[T("chown-me")]).Should().Contain(["uid", "gid"]);
            findings[T("chown-me")].GetProperty("after").GetProperty("uid").GetString().Should().Be("12345");
        }
        findings[T("sub/renamed")].GetProperty("kind").GetString().Should().Be("moved");
        findings[T("sub/renamed")].GetProperty("from").GetString().Should().Be(T("rename-me"));
        findings.Should().NotContainKey(T("rename-me"), "the old half of a move is part of the moved finding");
        findings[T("sub/replace-me")].GetProperty("kind").GetString().Should().Be("type");
        findings[T("sub/replace-me")].GetProperty("after").GetProperty("type").GetString().Should().Be("symlink");
        findings.Should().NotContainKey(T("keep"));

        // Approve one path, then the rest; each approval is a generation and the first stays queryable.
        var partial = CliRunner.Run(dir.Path, "accept", T("edit-me"), "--reason", "release 2", "--by", "alice");
        partial.ExitCode.Should().Be(0, partial.Stderr);
        FindingsByPath(CliRunner.Run(dir.Path, "check", "--json")).Should().NotContainKey(T("edit-me")).And.ContainKey(T("new-file"));
        CliRunner.Run(dir.Path, "accept", "--all", "--reason", "reviewed").ExitCode.Should().Be(0);
        var clean = CliRunner.Run(dir.Path, "check");
        clean.ExitCode.Should().Be(0, clean.Stdout);

        var first = CliRunner.Run(dir.Path, "export", "--format", "csv", "--generation", "1").Stdout;
        first.Should().Contain(T("delete-me")).And.NotContain(T("new-file"));
        var current = CliRunner.Run(dir.Path, "export", "--format", "csv").Stdout;
        current.Should().Contain(T("new-file")).And.NotContain(T("delete-me"));
        current.Split('\n')[0].Should().StartWith("path,type,size").And.Contain(",blake3,").And.Contain(",sha256,");
    }

    [Theory]
    [InlineData("tree/new-name")]
    [InlineData("tree/old-name")]
    public void Accepting_either_path_of_a_move_approves_the_whole_move(string approvedPath)
    {
        using var dir = new TempDir();
        dir.Write("tree/old-name", "moving");
        dir.Write("tree/other", "stays");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        File.Move(dir.Combine("tree", "old-name"), dir.Combine("tree", "new-name"));
        File.AppendAllText(dir.Combine("tree", "other"), " and changes");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);

        var accepted = CliRunner.Run(dir.Path, "accept", dir.Combine(approvedPath), "--reason", "renamed", "--json");
        var result = JsonDocument.Parse(accepted.Stdout).RootElement;
        result.GetProperty("approved").GetInt32().Should().Be(2, "both halves of the move");
        // The path approved though not named is said: it was approved in silence (review R).
        string other = dir.Combine(approvedPath == "tree/new-name" ? "tree/old-name" : "tree/new-name");
        result.GetProperty("other_paths_of_moves").EnumerateArray().Select(p => p.GetString()).Should().Equal(other);

        var after = CliRunner.Run(dir.Path, "check", "--json");
        FindingsByPath(after).Keys.Should().BeEquivalentTo([dir.Combine("tree", "other"), dir.Combine("tree")],
            "the move is approved; the other change and the directory's times are not");
    }

    [Fact]
    public void Check_rehashes_only_what_changed_unless_asked()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 50; i++)
            dir.Write($"tree/f{i}", new string('x', i));
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        File.AppendAllText(dir.Combine("tree", "f7"), "!");

        var quick = JsonDocument.Parse(CliRunner.Run(dir.Path, "check", "--json").Stdout).RootElement.GetProperty("summary");
        quick.GetProperty("files_hashed").GetInt64().Should().Be(1);
        var full = JsonDocument.Parse(CliRunner.Run(dir.Path, "check", "--json", "--rehash").Stdout).RootElement.GetProperty("summary");
        full.GetProperty("files_hashed").GetInt64().Should().Be(50);
    }

    /// <summary>
    /// chattr +i and +a are how an intruder pins a planted file or how an administrator protects a log, and a device
    /// node pointed at another device (/dev/null made /dev/mem) is a classic backdoor: each is drift of its own.
    /// </summary>
    [Fact]
    public void Inode_flags_set_or_cleared_and_a_device_file_pointed_elsewhere_are_drift()
    {
        if (NativeFile.geteuid() != 0)
            return; // chattr and mknod need root; CI runs as root
        using var dir = new TempDir();
        dir.Write("tree/app.log", "started\n");
        dir.Write("tree/run.sh", "#!/bin/sh\n");
        ExternalCommand.Run("chattr", "+a", dir.Combine("tree", "app.log"));
        ExternalCommand.Run("mknod", dir.Combine("tree", "null"), "c", "1", "3");
        try
        {
            CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
            CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(0, "flags and rdev read the same twice");

            ExternalCommand.Run("chattr", "-a", dir.Combine("tree", "app.log"));
            ExternalCommand.Run("chattr", "+i", dir.Combine("tree", "run.sh"));
            File.Delete(dir.Combine("tree", "null"));
            ExternalCommand.Run("mknod", dir.Combine("tree", "null"), "c", "1", "1");

            var findings = FindingsByPath(CliRunner.Run(dir.Path, "check", "--json"));
            var log = findings[dir.Combine("tree", "app.log")];
            Attributes(log).Should().Equal("ctime", "flags");
            log.GetProperty("before").GetProperty("flags").GetString().Should().Be("append_only");
            log.GetProperty("after").TryGetProperty("flags", out _).Should().BeFalse("no flag is left");
            var script = findings[dir.Combine("tree", "run.sh")];
            Attributes(script).Should().Equal("ctime", "flags");
            script.GetProperty("after").GetProperty("flags").GetString().Should().Be("immutable");
            var device = findings[dir.Combine("tree", "null")];
            Attributes(device).Should().Contain("rdev");
            device.GetProperty("before").GetProperty("rdev").GetString().Should().Be("1:3");
            device.GetProperty("after").GetProperty("rdev").GetString().Should().Be("1:1");

            CliRunner.Run(dir.Path, "accept", "--all", "--reason", "test").ExitCode.Should().Be(0);
            CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(0, "the accepted flags and device are the baseline now");
        }
        finally
        {
            Process.Start("chattr", ["-i", "-a", dir.Combine("tree", "run.sh"), dir.Combine("tree", "app.log")])!.WaitForExit();
        }
    }

    /// <summary>
    /// `baseline .` keeps its database in ./.compliance, inside the tree: it changes on every run, and was drift on
    /// every check, forever. A database kept elsewhere in the tree is left out too, with a warning for its directory.
    /// </summary>
    [Fact]
    public void The_database_inside_the_tree_a_zero_config_baseline_monitors_is_not_drift()
    {
        using var dir = new TempDir();
        dir.Write("tree/app.conf", "port=1\n");
        var tree = dir.Combine("tree");

        CliRunner.Run(tree, "baseline", ".").ExitCode.Should().Be(0);
        for (int run = 0; run < 2; run++)
        {
            var check = CliRunner.Run(tree, "check", "--json");
            check.ExitCode.Should().Be(0, $"run {run}: {check.Stdout}");
        }
        var exported = JsonDocument.Parse(CliRunner.Run(tree, "export", "--format", "json").Stdout).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("path").GetString()!).ToList();
        exported.Should().BeEquivalentTo([tree, Path.Combine(tree, "app.conf")]);
        File.AppendAllText(Path.Combine(tree, "app.conf"), "debug=1\n");
        FindingsByPath(CliRunner.Run(tree, "check", "--json")).Keys.Should().BeEquivalentTo([Path.Combine(tree, "app.conf")]);

        var elsewhere = CliRunner.Run(dir.Path, "baseline", tree, "--db", Path.Combine(tree, "state.db"));
        elsewhere.ExitCode.Should().Be(0, elsewhere.Stderr);
        elsewhere.Stderr.Should().Contain($"the policy selects {tree}, which holds this program's database");
        var entries = JsonDocument.Parse(CliRunner.Run(dir.Path, "export", "--db", Path.Combine(tree, "state.db"), "--format", "json").Stdout)
            .RootElement.EnumerateArray().Select(e => e.GetProperty("path").GetString()!);
        entries.Should().Contain(Path.Combine(tree, "app.conf")).And.NotContain(path => path.StartsWith(Path.Combine(tree, "state.db")));
    }

    [Fact]
    public void Usage_errors_exit_2_with_one_line()
    {
        using var dir = new TempDir();
        var noArgs = CliRunner.Run(dir.Path, "baseline");
        noArgs.ExitCode.Should().Be(2);
        noArgs.Stderr.Should().Contain("nothing to monitor");
        var missing = CliRunner.Run(dir.Path, "baseline", dir.Combine("nope"));
        missing.ExitCode.Should().Be(2);
        missing.Stderr.Trim().Split('\n').Should().HaveCount(1);
        var noDb = CliRunner.Run(dir.Path, "check");
        noDb.ExitCode.Should().Be(2);
        noDb.Stderr.Should().Contain("compliance baseline");
        CliRunner.Run(dir.Path, "accept", "--reason", "x").ExitCode.Should().Be(2);
        CliRunner.Run(dir.Path, "check", "--no-such-flag").ExitCode.Should().Be(2);

        // What an unset shell variable gives: no file, no reason. Each was an internal error or recorded as given.
        dir.Write("tree/f", "x");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        var emptyDb = CliRunner.Run(dir.Path, "check", "--db", "");
        emptyDb.ExitCode.Should().Be(2);
        emptyDb.Stderr.Should().Be("compliance: --db was given an empty value (see 'compliance check --help')\n");
        CliRunner.Run(dir.Path, "report", "--format", "csv", "--out", "").ExitCode.Should().Be(2);
        File.AppendAllText(dir.Combine("tree", "f"), "y");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);
        var blank = CliRunner.Run(dir.Path, "accept", "--all", "--reason", "  ");
        blank.ExitCode.Should().Be(2);
        blank.Stderr.Should().Contain("--reason must say why");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1, "nothing was approved");

        var directoryAsPolicy = CliRunner.Run(dir.Path, "policy", "lint", dir.Combine("tree"));
        directoryAsPolicy.ExitCode.Should().Be(2);
        directoryAsPolicy.Stderr.Should().Contain("is a directory, not a policy file");
        // A CSV report is two files; /dev/null.summary.csv must not be made beside a device.
        var toDevice = CliRunner.Run(dir.Path, "report", "--format", "csv", "--out", "/dev/null");
        toDevice.ExitCode.Should().Be(2);
        toDevice.Stderr.Should().Contain("--out must name a file");
        File.Exists("/dev/null.summary.csv").Should().BeFalse();

        // A FIFO given as a disk image would block the open until a writer came.
        Process.Start("mkfifo", dir.Combine("image.fifo"))!.WaitForExit();
        var fifo = CliRunner.Run(dir.Path, "gate", "--baseline", ".compliance/state.db", "--image", "image.fifo");
        fifo.ExitCode.Should().Be(2);
        fifo.Stderr.Should().Contain("image.fifo is a fifo, not a disk image");

        // A directory given for a file said "no such file" or "access denied".
        foreach (var command in new[] { new[] { "mft", "list", "tree" }, ["usn", "dump", "tree"], ["gate", "--baseline", ".compliance/state.db", "--image", "tree"] })
        {
            var directory = CliRunner.Run(dir.Path, command);
            directory.ExitCode.Should().Be(2, string.Join(' ', command));
            directory.Stderr.Should().Contain("tree is a directory");
        }
        // A private key verifies too, yet has no business where attestations are checked.
        CliRunner.Run(dir.Path, "keygen", "--out", "key").ExitCode.Should().Be(0);
        dir.Write("attestation.json", "{}");
        var privateKey = CliRunner.Run(dir.Path, "verify", "attestation.json", "--pub", "key");
        privateKey.ExitCode.Should().Be(2);
        privateKey.Stderr.Should().Contain("key is a private key: give the public key");
    }
}
