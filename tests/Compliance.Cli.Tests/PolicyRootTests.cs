namespace Compliance.Cli.Tests;

/// <summary>Roots of a policy or of baseline PATH that would leave what they name unmonitored are said, never passed over.</summary>
public sealed class PolicyRootTests
{
    private static string Policy(TempDir dir, params string[] include) =>
        dir.Write("p.yaml", $"name: roots\ncategories:\n  - name: ssh\n    include: [{string.Join(", ", include)}]\n");

    [Fact]
    public void A_policy_that_selects_nothing_records_no_baseline_and_names_each_missing_root()
    {
        using var dir = new TempDir();
        var policy = Policy(dir, dir.Combine("ect/ssh"), dir.Combine("sshd_confg"));

        var baseline = CliRunner.Run(dir.Path, "baseline", "--policy", policy);

        baseline.ExitCode.Should().Be(2);
        baseline.Stderr.Should().Contain($"warning: {dir.Combine("ect/ssh")}: no such file or directory")
            .And.Contain($"warning: {dir.Combine("sshd_confg")}: no such file or directory")
            .And.Contain("nothing to baseline");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(2, "no generation was approved");
    }

    [Fact]
    public void A_missing_root_beside_existing_ones_is_a_warning_on_baseline_and_on_check()
    {
        using var dir = new TempDir();
        dir.Write("etc/ssh/sshd_config", "PermitRootLogin no");
        var policy = Policy(dir, dir.Combine("etc/ssh"), dir.Combine("ect/sudoers"));

        var baseline = CliRunner.Run(dir.Path, "baseline", "--policy", policy);
        var check = CliRunner.Run(dir.Path, "check");

        baseline.ExitCode.Should().Be(0, baseline.Stderr);
        baseline.Stderr.Should().Contain($"warning: {dir.Combine("ect/sudoers")}: no such file or directory");
        check.ExitCode.Should().Be(0, check.Stderr);
        check.Stderr.Should().Contain($"warning: {dir.Combine("ect/sudoers")}: no such file or directory");
    }

    [Fact]
    public void A_root_that_is_a_symbolic_link_is_warned_about_unless_the_policy_covers_its_target()
    {
        using var dir = new TempDir();
        dir.Write("usr/bin/tool", "#!/bin/sh");
        File.CreateSymbolicLink(dir.Combine("bin"), "usr/bin");

        var linkOnly = CliRunner.Run(dir.Path, "baseline", dir.Combine("bin"));
        var both = CliRunner.Run(dir.Path, "baseline", "--policy", Policy(dir, dir.Combine("bin"), dir.Combine("usr/bin")));

        linkOnly.ExitCode.Should().Be(0, linkOnly.Stderr);
        linkOnly.Stderr.Should().Contain($"warning: {dir.Combine("bin")} is a symbolic link to usr/bin: only the link is monitored");
        both.ExitCode.Should().Be(0, both.Stderr);
        both.Stderr.Should().NotContain("symbolic link");
    }

    /// <summary>
    /// A policy selecting the database's files: baseline happened to miss the database (made after its directory was
    /// walked), and every check then reported it, its -wal and its -shm added (review S).
    /// </summary>
    [Fact]
    public void The_database_is_never_scanned_even_where_the_policy_selects_it()
    {
        using var dir = new TempDir();
        dir.Write("app/f", "x");
        var policy = Policy(dir, dir.Combine("app/*"));
        string db = dir.Combine("app/state.db");

        CliRunner.Run(dir.Path, "baseline", "--policy", policy, "--db", db).ExitCode.Should().Be(0);
        var check = CliRunner.Run(dir.Path, "check", "--db", db, "--json");

        check.ExitCode.Should().Be(0, check.Stdout);
        var exported = CliRunner.Run(dir.Path, "export", "--db", db, "--format", "csv").Stdout;
        exported.Should().Contain(dir.Combine("app/f")).And.NotContain("state.db");
    }
}
