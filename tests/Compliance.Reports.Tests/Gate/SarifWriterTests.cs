using System.Text.Json;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Reports.Gate;

namespace Compliance.Reports.Tests.Gate;

public sealed class SarifWriterTests
{
    private static JsonElement Sarif(GateOutcome outcome)
    {
        using var buffer = new MemoryStream();
        SarifWriter.Write(buffer, outcome);
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    private static JsonElement Run(GateOutcome outcome) => Sarif(outcome).GetProperty("runs")[0];

    /// <summary>Each property the SARIF 2.1.0 schema marks required, on every object of those types the writer emits.</summary>
    [Fact]
    public void Every_object_has_the_properties_the_2_1_0_schema_requires()
    {
        var log = Sarif(GateSamples.Outcome(GateSamples.OneOfEveryKind()));

        // sarifLog: version, runs
        log.GetProperty("version").GetString().Should().Be("2.1.0");
        log.GetProperty("$schema").GetString().Should().Be(SarifWriter.SchemaUri);
        log.GetProperty("runs").GetArrayLength().Should().Be(1);
        var run = log.GetProperty("runs")[0];
        // run: tool; tool: driver; toolComponent: name
        var driver = run.GetProperty("tool").GetProperty("driver");
        driver.GetProperty("name").GetString().Should().Be("compliance");
        // reportingDescriptor: id; multiformatMessageString: text
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        rules.Select(r => r.GetProperty("id").GetString()).Should().Equal(
            "FIM.added", "FIM.removed", "FIM.content", "FIM.metadata", "FIM.type", "FIM.moved", "FIM.unverified");
        foreach (var rule in rules)
        {
            foreach (var text in new[] { "shortDescription", "fullDescription", "help" })
                rule.GetProperty(text).GetProperty("text").GetString().Should().NotBeNullOrWhiteSpace();
            rule.GetProperty("defaultConfiguration").GetProperty("level").GetString().Should().BeOneOf("none", "note", "warning", "error");
        }
        // invocation: executionSuccessful
        run.GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean().Should().BeTrue();
        // result: message; message: text or id; physicalLocation: artifactLocation or address
        var results = run.GetProperty("results").EnumerateArray().ToList();
        results.Should().HaveCount(7);
        foreach (var result in results)
        {
            result.GetProperty("message").GetProperty("text").GetString().Should().NotBeNullOrWhiteSpace();
            rules[result.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString().Should().Be(result.GetProperty("ruleId").GetString());
            var locations = result.GetProperty("locations").EnumerateArray().ToList();
            if (result.TryGetProperty("relatedLocations", out var related))
                locations.AddRange(related.EnumerateArray());
            foreach (var location in locations)
            {
                var artifact = location.GetProperty("physicalLocation").GetProperty("artifactLocation");
                Uri.IsWellFormedUriString(artifact.GetProperty("uri").GetString(), UriKind.Relative).Should().BeTrue();
                run.GetProperty("originalUriBaseIds").TryGetProperty(artifact.GetProperty("uriBaseId").GetString()!, out _).Should().BeTrue();
            }
        }
        // A base URI must be absolute and end with a slash.
        var baseUri = run.GetProperty("originalUriBaseIds").GetProperty(SarifWriter.RootBaseId).GetProperty("uri").GetString();
        baseUri.Should().Be("file:///mnt/golden%20image/");
        Uri.IsWellFormedUriString(baseUri, UriKind.Absolute).Should().BeTrue();
    }

    [Theory]
    [InlineData(Severity.Critical, "error")]
    [InlineData(Severity.High, "error")]
    [InlineData(Severity.Medium, "warning")]
    [InlineData(Severity.Low, "note")]
    public void A_result_level_follows_its_category_severity(Severity severity, string level)
    {
        var finding = GateSamples.Finding(DriftKind.Content, "/etc/x", "accounts", severity, GateSamples.File("/etc/x"), GateSamples.File("/etc/x"), ["sha256"]);
        Run(GateSamples.Outcome([finding])).GetProperty("results")[0].GetProperty("level").GetString().Should().Be(level);
    }

    [Fact]
    public void A_content_result_names_its_rule_category_controls_and_the_hashes_before_and_after()
    {
        var result = Run(GateSamples.Outcome(GateSamples.OneOfEveryKind())).GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("ruleId").GetString() == "FIM.content");

        result.GetProperty("ruleIndex").GetInt32().Should().Be(2);
        result.GetProperty("message").GetProperty("text").GetString().Should().Be(
            $"content changed: /boot/vmlinuz: sha256 {"aa".PadRight(64, '0')} → {"bb".PadRight(64, '0')}");
        result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString().Should().Be("boot/vmlinuz");
        var properties = result.GetProperty("properties");
        properties.GetProperty("category").GetString().Should().Be("boot");
        properties.GetProperty("severity").GetString().Should().Be("critical");
        properties.GetProperty("controls").EnumerateArray().Select(c => c.GetString()).Should().Equal("PCI-DSS 11.5.2", "NIST 800-53 SI-7");
        properties.GetProperty("attributes").EnumerateArray().Select(c => c.GetString()).Should().Equal("sha256");
    }

    [Fact]
    public void A_move_points_to_its_new_path_with_the_old_one_as_a_related_location()
    {
        var result = Run(GateSamples.Outcome(GateSamples.OneOfEveryKind())).GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("ruleId").GetString() == "FIM.moved");

        result.GetProperty("message").GetProperty("text").GetString().Should().Be("moved: /var/log/app.1 from /var/log/app.log");
        result.GetProperty("relatedLocations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()
            .Should().Be("var/log/app.log");
    }

    [Fact]
    public void A_clean_run_has_every_rule_and_no_results()
    {
        var run = Run(GateSamples.Outcome([]));

        run.GetProperty("results").GetArrayLength().Should().Be(0);
        run.GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength().Should().Be(7);
        run.GetProperty("invocations")[0].GetProperty("exitCode").GetInt32().Should().Be(0);
        run.GetProperty("properties").GetProperty("baselineGeneration").GetInt64().Should().Be(3);
    }

    [Fact]
    public void Image_paths_have_a_described_root_without_a_uri()
    {
        var root = Run(GateSamples.Outcome([], rootDirectory: null)).GetProperty("originalUriBaseIds").GetProperty(SarifWriter.RootBaseId);

        root.TryGetProperty("uri", out _).Should().BeFalse();
        root.GetProperty("description").GetProperty("text").GetString().Should().Contain("ntfs-image:/images/disk.img");
    }

    [Theory]
    [InlineData("/etc/passwd", "etc/passwd")]
    [InlineData("/etc/my file:1.conf", "etc/my%20file%3A1.conf")]
    [InlineData("/opt/café/100%.txt", "opt/caf%C3%A9/100%25.txt")]
    [InlineData("/opt/a#b?c[d]", "opt/a%23b%3Fc%5Bd%5D")]
    [InlineData("docs/readme.txt", "docs/readme.txt")]
    [InlineData("/", "./")]
    public void Paths_become_rfc_3986_relative_references(string path, string uri)
    {
        ArtifactUri.Relative(path).Should().Be(uri);
        Uri.IsWellFormedUriString(uri, UriKind.Relative).Should().BeTrue();
    }

    [Fact]
    public void A_name_that_is_not_utf8_keeps_its_exact_bytes_in_the_uri()
    {
        var path = "/srv/" + EntryPath.FromBytes([0x6f, 0xff, 0x6b]);

        ArtifactUri.Relative(path).Should().Be("srv/o%FFk");
        FindingText.Describe(GateSamples.Finding(DriftKind.Added, path, "logs", Severity.Low)).Should().Contain(@"/srv/o\xffk");
    }
}
