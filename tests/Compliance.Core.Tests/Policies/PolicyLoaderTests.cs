using Compliance.Core.Attributes;
using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

public class PolicyLoaderTests
{
    private const string Valid = """
        name: pci
        description: test policy
        rehash: true
        categories:
          - name: binaries
            severity: critical
            controls: ["PCI-DSS 11.5.2"]
            attributes: [sha256, perms]
            include: [/usr/bin/**, /usr/sbin/]
            exclude: ["*.swp"]
          - name: logs
            attributes: [growing]
            include: [/var/log/audit/]
            report_access: true
        """;

    [Fact]
    public void Parse_reads_every_field()
    {
        var policy = PolicyLoader.Parse(Valid, "p.yaml");

        policy.Name.Should().Be("pci");
        policy.Description.Should().Be("test policy");
        policy.RehashAlways.Should().BeTrue();
        policy.SourceText.Should().Be(Valid);
        policy.Categories.Select(c => c.Name).Should().Equal("binaries", "logs");
        var binaries = policy.Categories[0];
        binaries.Severity.Should().Be(Severity.Critical);
        binaries.Controls.Should().Equal("PCI-DSS 11.5.2");
        binaries.Attributes.Contains(AttributeCatalog.Mode).Should().BeTrue();
        binaries.Attributes.HashAlgorithms.Should().Equal("sha256");
        binaries.Attributes.Contains(AttributeCatalog.Size).Should().BeFalse();
        binaries.Include.Select(p => p.Text).Should().Equal("/usr/bin/**", "/usr/sbin/");
        binaries.Exclude.Select(p => p.Text).Should().Equal("*.swp");
        binaries.ReportAccess.Should().BeFalse();
        policy.Categories[1].Severity.Should().Be(Severity.Medium);
        policy.Categories[1].ReportAccess.Should().BeTrue();
        policy.Categories[1].Attributes.Contains(AttributeCatalog.Size).Should().BeFalse();
        policy.Classify("/usr/bin/ls")!.Name.Should().Be("binaries");
        policy.Classify("/usr/bin/.ls.swp").Should().BeNull();
        policy.Classify("/var/log/audit/audit.log")!.Name.Should().Be("logs");
        policy.WalkRoots().Should().Equal("/usr/bin", "/usr/sbin", "/var/log/audit");
    }

    [Fact]
    public void Attributes_default_to_all()
    {
        var policy = PolicyLoader.Parse("name: p\ncategories:\n  - name: c\n    include: [/etc]\n", "p.yaml");
        policy.Categories[0].Attributes.Attributes.Should().Equal(AttributeCatalog.Everything.Attributes);
    }

    [Theory]
    // YAML syntax error: position from the parser.
    [InlineData("name: p\ncategories: [\n", 3, 1, "YAML syntax")]
    [InlineData("", 1, 1, "empty")]
    [InlineData("- a\n", 1, 1, "mapping")]
    [InlineData("name: p\ncolour: red\ncategories:\n  - name: c\n    include: [/a]\n", 2, 1, "unknown key 'colour'")]
    [InlineData("name: p\ncategories:\n  - name: c\n    severity: low\n", 3, 5, "category 'c' has no include")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [/a]\n    sevrity: high\n", 5, 5, "unknown key 'sevrity'")]
    [InlineData("categories:\n  - name: c\n    include: [/a]\n", 1, 1, "the policy has no name")]
    [InlineData("name: \"\"\ncategories:\n  - name: c\n    include: [/a]\n", 1, 7, "empty name")]
    [InlineData("name: p\n", 1, 1, "no categories")]
    [InlineData("name: p\ncategories: []\n", 2, 13, "'categories' is empty")]
    [InlineData("name: p\ncategories:\n  - include: [/a]\n", 3, 5, "the category has no name")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [/a]\n  - name: c\n    include: [/b]\n", 5, 11, "duplicate category name 'c': first defined at line 3")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: []\n", 4, 14, "'include' is empty")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [/a, /var/%%/x]\n", 4, 24, "bad pattern '/var/%%/x'")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include:\n      - \"/dev/sd[ab\"\n", 5, 17, "no closing ']'")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [/a]\n    attributes: [mode, colour]\n", 5, 24, "unknown attribute 'colour': known are all, perms, growing, type")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [/a]\n    severity: severe\n", 5, 15, "unknown severity 'severe': expected low, medium, high or critical")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [\"*.swp\"]\n", 4, 15, "allowed only in exclude")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: /a\n", 4, 14, "'include' must be a list")]
    [InlineData("name: p\nrehash: maybe\ncategories:\n  - name: c\n    include: [/a]\n", 2, 9, "'rehash' must be true or false")]
    [InlineData("name: [p]\ncategories:\n  - name: c\n    include: [/a]\n", 1, 7, "'name' must be a single value, not a list")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [[/a]]\n", 4, 15, "each item of 'include' must be a single value")]
    [InlineData("name: p\ncategories:\n  - just-a-string\n", 3, 5, "a category must be a mapping")]
    [InlineData("name: p\nname: q\ncategories:\n  - name: c\n    include: [/a]\n", 2, 1, "YAML syntax: Duplicate key name")]
    [InlineData("name: p\ncategories:\n  - name: c\n    include: [/a]\n---\nname: q\n", 6, 1, "one YAML document")]
    [InlineData("name: p\ncategories:\n  - name: c\n    description: {a: b}\n    include: [/a]\n", 4, 18, "'description' must be a single value, not a mapping")]
    [InlineData("name: p\ncategories:\n  - name: c\n    attributes: []\n    include: [/a]\n", 4, 17, "'attributes' is empty")]
    public void Lint_reports_the_exact_position(string yaml, int line, int column, string message)
    {
        var problems = PolicyLoader.Lint(yaml, "p.yaml");

        problems.Should().ContainSingle();
        problems[0].Line.Should().Be(line);
        problems[0].Column.Should().Be(column);
        problems[0].Message.Should().Contain(message);
        problems[0].ToString().Should().StartWith($"p.yaml:{line}:{column}: ");
    }

    [Fact]
    public void Lint_reports_every_problem_in_file_order()
    {
        const string yaml = "name: p\ncolour: red\ncategories:\n  - name: c\n    severity: severe\n    include: [\"*.swp\", /a/**b]\n";

        var problems = PolicyLoader.Lint(yaml, "p.yaml");

        problems.Select(p => (p.Line, p.Column)).Should().Equal((2, 1), (5, 15), (6, 15), (6, 27));
    }

    [Fact]
    public void Lint_reports_a_duplicate_category_name_beside_the_other_problems_of_either_category()
    {
        const string yaml = "name: x\ncategories:\n  - name: a\n    include: [/etc/ssh]\n  - name: a\n    severity: hgh\n    include: [/etc/pam.d]\n  - name: b\n    severity: hgh\n    include: [/b]\n  - name: b\n    include: [/c]\n";

        var problems = PolicyLoader.Lint(yaml, "p.yaml");

        problems.Select(p => (p.Line, p.Column, p.Message.Split(':')[0])).Should().Equal(
            (5, 11, "duplicate category name 'a'"), (6, 15, "unknown severity 'hgh'"), (9, 15, "unknown severity 'hgh'"), (11, 11, "duplicate category name 'b'"));
    }

    [Fact]
    public void Parse_throws_a_usage_error_naming_the_first_problem_and_counting_the_rest()
    {
        var act = () => PolicyLoader.Parse("name: p\ncolour: red\ncategories:\n  - name: c\n    severity: severe\n    include: [/a]\n", "p.yaml");

        var error = act.Should().Throw<PolicyException>().Which;
        error.Kind.Should().Be(FailureKind.Usage);
        error.Problems.Should().HaveCount(2);
        error.Message.Should().Be("p.yaml:2:1: unknown key 'colour': expected one of name, description, rehash, categories (and 1 other problem; run 'compliance policy lint')");
    }

    [Fact]
    public void Load_of_a_missing_file_is_a_usage_error()
    {
        var act = () => PolicyLoader.Load("/nonexistent/policy.yaml");
        act.Should().Throw<ComplianceException>().Where(e => e.Kind == FailureKind.Usage && e.Message.Contains("/nonexistent/policy.yaml"));
    }

    [Theory]
    [InlineData("/usr/bin", "/usr/bin")]
    [InlineData("Windows/System32/**", "Windows/System32/**")]
    [InlineData("/a b", "\"/a b\"")]
    [InlineData("/a: b", "\"/a: b\"")]
    [InlineData("*.swp", "\"*.swp\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("/say \"hi\"\\", "\"/say \\\"hi\\\"\\\\\"")]
    [InlineData("/tab\there", "\"/tab\\u0009here\"")]
    public void QuoteScalar_quotes_only_when_needed(string value, string expected) =>
        PolicyLoader.QuoteScalar(value).Should().Be(expected);

    [Fact]
    public void QuoteScalar_refuses_what_YAML_cannot_carry()
    {
        var act = () => PolicyLoader.QuoteScalar("/srv/" + (char)0xDC80);
        act.Should().Throw<ArgumentException>();
        PolicyLoader.QuoteScalar("/srv/\U0001F600 x").Should().Be("\"/srv/\U0001F600 x\"");
    }

    [Fact]
    public void ForPaths_selects_each_path_and_its_subtree_even_with_awkward_names()
    {
        string escaped = "/srv/bad" + (char)0xDCFF + "name";
        var policy = Policy.ForPaths(["/etc", "/opt/my app: v1", "/data/#1 [x]", escaped]);

        policy.Categories.Should().ContainSingle();
        policy.Categories[0].Attributes.Attributes.Should().Equal(AttributeCatalog.Everything.Attributes);
        policy.Categories[0].Include.Select(p => p.Text).Should().Equal("/etc", "/opt/my app: v1", "/data/#1 [[]x]", "/srv/bad\\xFFname");
        policy.Categories[0].Include.Select(p => p.Root).Should().Equal("/etc", "/opt/my app: v1", "/data/#1 [x]", escaped);
        policy.Classify("/data/#1 [x]/f").Should().NotBeNull();
        policy.Classify("/data/#1 x/f").Should().BeNull();
        policy.Classify("/etc/passwd").Should().NotBeNull();
        policy.Classify("/opt/my app: v1/bin/tool").Should().NotBeNull();
        policy.Classify(escaped + "/file").Should().NotBeNull();
        policy.Classify("/var/log/syslog").Should().BeNull();
    }

    [Fact]
    public void ForPaths_takes_a_trailing_slash_as_the_directory_and_everything_below_it()
    {
        // What shell completion writes; in a pattern a trailing '/' would mean the directory's entries only.
        var policy = Policy.ForPaths(["/srv/app/", "/", "docs//"]);

        policy.Categories[0].Include.Select(p => p.Text).Take(2).Should().Equal("/srv/app", "/");
        policy.Classify("/srv/app").Should().NotBeNull();
        policy.Classify("/srv/app/a/b/c").Should().NotBeNull();
        policy.Classify("docs/x/y").Should().NotBeNull();
    }

    [Fact]
    public void An_unclosed_flow_sequence_is_a_problem_with_a_position_not_a_crash()
    {
        // YamlDotNet throws InvalidOperationException, without a position, on this one.
        var problems = PolicyLoader.Lint("name: x\ncategories:\n  - name: c\n    include: [/a\n  - name: d\n", "p.yaml");

        var problem = problems.Should().ContainSingle().Subject;
        problem.Line.Should().BeGreaterThan(3);
        problem.Message.Should().Contain("malformed YAML");
    }
}
