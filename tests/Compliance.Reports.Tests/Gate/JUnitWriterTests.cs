using System.Xml.Linq;
using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Reports.Gate;

namespace Compliance.Reports.Tests.Gate;

public sealed class JUnitWriterTests
{
    private static XDocument Written(GateOutcome outcome)
    {
        using var buffer = new MemoryStream();
        JUnitWriter.Write(buffer, outcome);
        buffer.Position = 0;
        return XDocument.Load(buffer);
    }

    private static XElement Suite(XDocument junit, string name) =>
        junit.Root!.Elements("testsuite").Single(s => (string?)s.Attribute("name") == name);

    [Fact]
    public void Each_category_is_a_suite_whose_one_case_fails_on_drift_and_errors_on_unverified_files()
    {
        var junit = Written(GateSamples.Outcome(GateSamples.OneOfEveryKind()));

        junit.Root!.Name.LocalName.Should().Be("testsuites");
        junit.Root.Elements("testsuite").Select(s => (string?)s.Attribute("name")).Should().Equal("boot", "accounts", "application", "logs");
        ((int)junit.Root.Attribute("tests")!).Should().Be(4);
        ((int)junit.Root.Attribute("failures")!).Should().Be(4);
        ((int)junit.Root.Attribute("errors")!).Should().Be(1);
        ((string?)junit.Root.Attribute("time")).Should().Be("2.500");

        var accounts = Suite(junit, "accounts");
        ((int)accounts.Attribute("tests")!).Should().Be(1);
        ((int)accounts.Attribute("failures")!).Should().Be(1);
        ((int)accounts.Attribute("errors")!).Should().Be(1);
        ((string?)accounts.Attribute("timestamp")).Should().Be("2026-11-21T10:00:00");
        var testCase = accounts.Elements("testcase").Single();
        var failure = testCase.Element("failure")!;
        ((string?)failure.Attribute("type")).Should().Be("drift");
        ((string?)failure.Attribute("message")).Should().Be("2 path(s) drifted from the approved baseline");
        failure.Value.Split('\n').Should().Equal("added: /etc/new.conf is not in the approved baseline", "removed: /etc/old.conf is in the approved baseline but missing");
        var error = testCase.Element("error")!;
        ((string?)error.Attribute("type")).Should().Be("unverified");
        error.Value.Should().Be("unverified: /etc/shadow: open failed: permission denied");

        var boot = Suite(junit, "boot");
        boot.Element("properties")!.Elements("property").Single(p => (string?)p.Attribute("name") == "controls").Attribute("value")!.Value
            .Should().Be("PCI-DSS 11.5.2, NIST 800-53 SI-7");
        boot.Element("properties")!.Elements("property").Single(p => (string?)p.Attribute("name") == "severity").Attribute("value")!.Value
            .Should().Be("critical");
    }

    [Fact]
    public void A_clean_run_passes_every_category()
    {
        var junit = Written(GateSamples.Outcome([]));

        junit.Root!.Elements("testsuite").Should().HaveCount(4);
        ((int)junit.Root.Attribute("failures")!).Should().Be(0);
        ((int)junit.Root.Attribute("errors")!).Should().Be(0);
        junit.Descendants("testcase").Should().HaveCount(4).And.OnlyContain(c => !c.HasElements);
    }

    [Fact]
    public void A_path_with_a_character_xml_cannot_hold_is_written_escaped()
    {
        var finding = GateSamples.Finding(DriftKind.Added, "/opt/bell\u0007.conf", "application", Severity.Medium);

        var junit = Written(GateSamples.Outcome([finding]));

        Suite(junit, "application").Descendants("failure").Single().Value.Should().Be(@"added: /opt/bell\u0007.conf is not in the approved baseline");
    }

    [Fact]
    public void A_finding_of_a_category_the_policy_does_not_name_still_fails_in_its_own_suite()
    {
        var finding = GateSamples.Finding(DriftKind.Removed, "/srv/x", "retired", Severity.Medium);

        var junit = Written(GateSamples.Outcome([finding]));

        ((int)Suite(junit, "retired").Attribute("failures")!).Should().Be(1);
        ((int)junit.Root!.Attribute("tests")!).Should().Be(5);
    }
}
