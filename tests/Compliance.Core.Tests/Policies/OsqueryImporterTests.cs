using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

public class OsqueryImporterTests
{
    // Shaped like the FIM part of a real osquery.conf, comments and trailing commas included.
    private const string Config = """
        {
          // Options and schedule as osquery deployments write them.
          "options": { "enable_file_events": "true" },
          "schedule": {
            "file_events": { "query": "SELECT * FROM file_events;", "interval": 300 }
          },
          "file_paths": {
            "homes": ["/root/.ssh/%%", "/home/%/.ssh/%%"],
            "etc": ["/etc/%%"],
            "tmp": ["/tmp/%%"],
            "binaries": ["/usr/bin/%", "/usr/sbin/", "/bin/%sh"],
            "windows": ["C:\\Windows\\System32\\drivers\\%%"],
          },
          "exclude_paths": {
            "etc": ["/etc/mtab", "/etc/%.swp"],
            "tmp": ["/tmp/too_many_events/"],
            "gone": ["/nowhere/%%"]
          },
          "file_accesses": ["homes", "etc"]
        }
        """;

    [Fact]
    public void Converts_categories_excludes_and_accesses_into_a_policy_that_lints_clean()
    {
        var import = OsqueryImporter.Convert(Config, "osquery.conf", "from-osquery");

        PolicyLoader.Lint(import.Yaml, "imported.yaml").Should().BeEmpty();
        var policy = PolicyLoader.Parse(import.Yaml, "imported.yaml");
        policy.Name.Should().Be("from-osquery");
        policy.Categories.Select(c => c.Name).Should().Equal("homes", "etc", "tmp", "binaries", "windows");

        var homes = policy.Categories[0];
        homes.Include.Select(p => p.Text).Should().Equal("/root/.ssh/%%", "/home/%/.ssh/%%");
        homes.ReportAccess.Should().BeTrue();
        var etc = policy.Categories[1];
        etc.Exclude.Select(p => p.Text).Should().Equal("/etc/mtab", "/etc/%.swp");
        etc.ReportAccess.Should().BeTrue();
        policy.Categories[2].ReportAccess.Should().BeFalse();
        policy.Categories[4].Include.Select(p => p.Text).Should().Equal("/Windows/System32/drivers/%%");

        policy.Classify("/home/alice/.ssh/authorized_keys")!.Name.Should().Be("homes");
        policy.Classify("/etc/ssh/sshd_config")!.Name.Should().Be("etc");
        policy.Classify("/etc/mtab").Should().BeNull();
        policy.Classify("/etc/.passwd.swp").Should().BeNull();
        policy.Classify("/tmp/too_many_events/x").Should().BeNull();
        policy.Classify("/bin/bash")!.Name.Should().Be("binaries");
        policy.Classify("/usr/sbin/sshd")!.Name.Should().Be("binaries");
        policy.Classify("/usr/sbin/x/y").Should().BeNull();
    }

    [Fact]
    public void Reports_what_it_could_not_carry_over()
    {
        var import = OsqueryImporter.Convert(Config, "osquery.conf", "p");

        import.Notes.Should().Equal(
            @"file_paths 'windows': 'C:\Windows\System32\drivers\%%' imported as '/Windows/System32/drivers/%%' (paths are relative to the scanned volume)",
            "exclude_paths category 'gone' dropped: file_paths has no such category");
        import.Yaml.Should().Contain("# Note: exclude_paths category 'gone' dropped");
    }

    [Theory]
    [InlineData("{ \"file_paths\": { \"x\": [\"/a/%%/b\"] } }", "\"file_paths\".x: bad pattern '/a/%%/b' at column 4")]
    [InlineData("{ \"options\": {} }", "osquery.conf: no \"file_paths\" object")]
    [InlineData("{ \"file_paths\": { \"x\": \"/etc\" } }", "\"file_paths\".x must be a list of patterns")]
    [InlineData("{ \"file_paths\": { \"x\": [\"etc\"] } }", "a monitored path must contain '/'")]
    [InlineData("{\n  \"file_paths\": {\n    \"x\": [/etc]\n  }\n}", "osquery.conf:3:11: not valid JSON")]
    [InlineData("{ \"file_paths\": { \"x\": [\"/a/\\udc80\"] } }", "not valid UTF-16")]
    public void Rejects_what_cannot_become_a_valid_policy(string json, string message)
    {
        var act = () => OsqueryImporter.Convert(json, "osquery.conf", "p");
        act.Should().Throw<ComplianceException>().Where(e => e.Kind == FailureKind.Usage && e.Message.Contains(message));
    }
}
