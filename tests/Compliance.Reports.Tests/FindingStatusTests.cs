using Compliance.Core.Policies;
using Compliance.Linux;
using Compliance.Reports.Drift;
using Compliance.Store;

namespace Compliance.Reports.Tests;

/// <summary>How a report decides whether a finding was approved: by the state a later generation approved.</summary>
public sealed class FindingStatusTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "compliance-status-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Policy _policy = PolicyLoader.Parse("""
        name: status
        categories:
          - name: app
            attributes: [perms, size, mtime, ctime, blake3]
            include: [/d]
        """, "status policy");

    [Fact]
    public void A_content_change_put_back_is_reverted_though_a_later_accept_approved_a_mode_change_of_the_path()
    {
        var file = Path.Combine(_root, "d", "a");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "good\n");
        var tree = new LinuxFileTree(_root);
        using var store = StateStore.Open(Path.Combine(_root, "state.db"));
        DemoScenario.Baseline(store, tree, _policy);

        File.WriteAllText(file, "EVIL\n");
        DemoScenario.Check(store, tree, _policy);
        File.WriteAllText(file, "good\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DemoScenario.Check(store, tree, _policy);
        store.Accept(null, "bob", "approve chmod 600");

        var report = DriftReportBuilder.Build(store, new ReportSelection());

        report.Findings.Should().HaveCount(2);
        report.Findings[0].Stored.Kind.Should().Be("content");
        report.Findings[0].Status.Should().Be(FindingStatus.Reverted, "the EVIL content was put back, and nobody approved it");
        report.Findings[1].Status.Should().Be(FindingStatus.Approved, "bob approved the state the last check saw");
        report.Verdict.Should().Be(Verdict.Fail);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
