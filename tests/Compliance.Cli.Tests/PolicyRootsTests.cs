using System.Text.Json;

namespace Compliance.Cli.Tests;

/// <summary>
/// An include lying below another include was left to the outer walk, which never reached it under its name when the
/// way there went through a symbolic link or '..': what it selected went unmonitored, or fell to another category.
/// </summary>
public sealed class PolicyRootsTests
{
    private static Dictionary<string, string> CategoriesByPath(TempDir dir) =>
        JsonDocument.Parse(CliRunner.Run(dir.Path, "export", "--format", "json").Stdout).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("category").GetString()!);

    private static string Policy(TempDir dir, string critical, string other) => dir.Write("p.yaml",
        $"name: p\ncategories:\n  - name: critical\n    include: ['{critical}']\n"
        + $"  - name: layout\n    attributes: [type, mode]\n    include: ['{other}']\n");

    [Fact]
    public void A_root_below_another_through_a_symbolic_link_is_walked_under_its_own_name()
    {
        using var dir = new TempDir();
        var srv = dir.Combine("srv");
        dir.Write("srv/releases/v42/config/app.yml", "db: prod");
        File.CreateSymbolicLink(Path.Combine(srv, "current"), "releases/v42");
        var policy = Policy(dir, $"{srv}/current/config", srv);

        CliRunner.Run(dir.Path, "baseline", "--policy", policy).ExitCode.Should().Be(0);
        CategoriesByPath(dir).Should().Contain($"{srv}/current/config/app.yml", "critical");
        File.WriteAllText(dir.Combine("srv/releases/v42/config/app.yml"), "db: attacker");

        var check = CliRunner.Run(dir.Path, "check", "--json");
        check.ExitCode.Should().Be(1, check.Stderr);
        var findings = JsonDocument.Parse(check.Stdout).RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("path").GetString(), f.GetProperty("kind").GetString())).ToList();
        findings.Should().BeEquivalentTo([($"{srv}/current/config/app.yml", "content")], "the layout category compares no content, and nothing else changed");
    }

    [Fact]
    public void Dot_dot_in_an_include_is_resolved_by_name_and_lint_says_when_a_link_makes_that_another_path()
    {
        using var dir = new TempDir();
        var srv = dir.Combine("srv");
        dir.Write("srv/app/app.conf", "conf");
        dir.Write("srv/keys/server.key", "secret");
        var policy = Policy(dir, $"{srv}/app/./../keys", $"{srv}/app");

        CliRunner.Run(dir.Path, "policy", "lint", policy).ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, "baseline", "--policy", policy).ExitCode.Should().Be(0);
        CategoriesByPath(dir).Should().Contain($"{srv}/keys/server.key", "critical");
        File.WriteAllText(dir.Combine("srv/keys/server.key"), "forged");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);

        var linked = Policy(dir, $"{srv}/current/../keys", $"{srv}/app");
        File.CreateSymbolicLink(Path.Combine(srv, "current"), "app");
        var lint = CliRunner.Run(dir.Path, "policy", "lint", linked);
        lint.ExitCode.Should().Be(2);
        lint.Stdout.Should().Contain($"{srv}/current is a symbolic link");
    }
}
