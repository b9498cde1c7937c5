using Compliance.Core;
using Compliance.Reports.Drift;
using Compliance.Store;

namespace Compliance.Reports.Tests;

public sealed class ReportSelectionTests : IDisposable
{
    private readonly DemoScenario _demo = new();

    [Fact]
    public void A_generation_selects_the_findings_recorded_against_it()
    {
        using var store = StateStore.Open(_demo.DatabasePath, create: false);

        var first = DriftReportBuilder.Build(store, new ReportSelection(Generation: 1));
        var second = DriftReportBuilder.Build(store, new ReportSelection(Generation: 2));

        first.Findings.Select(f => f.Path).Should().BeEquivalentTo(["/opt/app/bin/payments", "/opt/app/feature.flags"]);
        first.Baseline.ApprovedBy.Should().Be("alice");
        second.Findings.Should().HaveCount(DriftReportBuilder.Build(store, new ReportSelection()).Findings.Count - first.Findings.Count);
        second.Baseline.ApprovedBy.Should().Be("bob");
    }

    [Fact]
    public void Since_after_the_last_check_selects_nothing_and_the_verdict_is_incomplete()
    {
        using var store = StateStore.Open(_demo.DatabasePath, create: false);

        var report = DriftReportBuilder.Build(store, new ReportSelection(Since: DateTimeOffset.UtcNow.AddMinutes(1)));

        report.Findings.Should().BeEmpty();
        report.Verdict.Should().Be(Verdict.Incomplete, "no scan completed in the period");
    }

    [Fact]
    public void A_framework_keeps_only_its_controls()
    {
        using var store = StateStore.Open(_demo.DatabasePath, create: false);

        var report = DriftReportBuilder.Build(store, new ReportSelection(Framework: Frameworks.Parse("hipaa")));

        report.ByControl().Select(c => c.Control).Should().Equal("HIPAA 164.312(c)(1)", "HIPAA 164.312(b)");
        report.ByControl()[0].Requirement.Should().StartWith("Integrity:");
        var unknown = () => Frameworks.Parse("sox");
        unknown.Should().Throw<ComplianceException>().WithMessage("unknown framework 'sox'*");
    }

    public void Dispose() => _demo.Dispose();
}
