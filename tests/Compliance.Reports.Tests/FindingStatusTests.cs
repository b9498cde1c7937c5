using Compliance.Core.Policies;
using Compliance.Linux;
using Compliance.Reports.Drift;
using Compliance.Store;

namespace Compliance.Reports.Tests;

/// <summary>What a report counts as a change, and how it decides whether one was approved.</summary>
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
    private readonly LinuxFileTree _tree;
    private readonly StateStore _store;
    private readonly string _file;

    /// <summary>d/a holding "good", baselined.</summary>
    public FindingStatusTests()
    {
        _file = Path.Combine(_root, "d", "a");
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        File.WriteAllText(_file, "good\n");
        _tree = new LinuxFileTree(_root);
        _store = StateStore.Open(Path.Combine(_root, "state.db"));
        DemoScenario.Baseline(_store, _tree, _policy);
    }

    [Fact]
    public void A_content_change_put_back_is_reverted_though_a_later_accept_approved_a_mode_change_of_the_path()
    {
        File.WriteAllText(_file, "EVIL\n");
        DemoScenario.Check(_store, _tree, _policy);
        File.WriteAllText(_file, "good\n");
        File.SetUnixFileMode(_file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DemoScenario.Check(_store, _tree, _policy);
        _store.Accept(null, "bob", "approve chmod 600");

        var report = DriftReportBuilder.Build(_store, new ReportSelection());

        report.Findings.Should().HaveCount(2);
        report.Findings[0].Stored.Kind.Should().Be("content");
        report.Findings[0].Status.Should().Be(FindingStatus.Reverted, "the EVIL content was put back, and nobody approved it");
        report.Findings[1].Status.Should().Be(FindingStatus.Approved, "bob approved the state the last check saw");
        report.Verdict.Should().Be(Verdict.Fail);
    }

    /// <summary>Every check stores the drift it finds: one change checked three times was three findings.</summary>
    [Fact]
    public void A_change_seen_by_three_checks_is_one_finding_first_and_last_seen()
    {
        File.WriteAllText(_file, "changed\n");
        var checks = Enumerable.Range(0, 3).Select(_ => DemoScenario.Check(_store, _tree, _policy).Single()).ToList();

        var report = DriftReportBuilder.Build(_store, new ReportSelection());

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.Stored.ObservedAt.Should().Be(checks[0].ObservedAt);
        finding.LastObservedAt.Should().Be(checks[2].ObservedAt);
        report.CountByKind().Single(row => row.Name == "content").Unapproved.Should().Be(1);
        report.Scans.Should().HaveCount(3);
    }

    /// <summary>A database copied to another machine and checked there: the report named only the baseline's host.</summary>
    [Fact]
    public void The_report_names_the_host_the_scans_ran_on()
    {
        File.WriteAllText(_file, "changed\n");
        DemoScenario.Check(_store, _tree, _policy);
        using (var sql = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_root, "state.db")};Pooling=False"))
        {
            sql.Open();
            using var scannedElsewhere = sql.CreateCommand();
            scannedElsewhere.CommandText = "UPDATE runs SET host = 'scanner-b' WHERE kind = 'check'";
            scannedElsewhere.ExecuteNonQuery().Should().Be(1, "the check recorded its run with the host it ran on");
        }

        var report = DriftReportBuilder.Build(_store, new ReportSelection());

        report.Host.Should().Be("scanner-b");
        ReportSummary.Metrics(report).Should().Contain([("host", "scanner-b"), ("baseline_host", Environment.MachineName)]);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
