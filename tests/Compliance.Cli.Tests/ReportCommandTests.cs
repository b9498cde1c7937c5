using System.Text.Json;

namespace Compliance.Cli.Tests;

/// <summary>`compliance report --since`: the period a report states is the period it selects.</summary>
public sealed class ReportCommandTests
{
    /// <summary>
    /// A --since with fractions of a second selected by the exact instant but stated the period from the second, so a
    /// finding inside the stated period was left out of it; a --since in the future made a period that ran backwards
    /// (review Q, S).
    /// </summary>
    [Fact]
    public void The_period_selected_starts_at_the_second_stated_and_cannot_start_in_the_future()
    {
        using var dir = new TempDir();
        var file = dir.Write("tree/a", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        File.AppendAllText(file, "x");
        var check = CliRunner.Run(dir.Path, "check", "--json");
        check.ExitCode.Should().Be(1);
        var observed = JsonDocument.Parse(check.Stdout).RootElement.GetProperty("findings")[0].GetProperty("time").GetDateTimeOffset();
        var second = observed.AddTicks(-(observed.UtcTicks % TimeSpan.TicksPerSecond));

        var report = CliRunner.Run(dir.Path, "report", "--format", "json", "--out", "r.json", "--since", second.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.9999999Z'"));
        report.ExitCode.Should().Be(0, report.Stderr);
        var summary = JsonDocument.Parse(File.ReadAllBytes(dir.Combine("r.json"))).RootElement.GetProperty("summary");
        summary.GetProperty("period_from").GetString().Should().Be(second.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        summary.GetProperty("findings").GetString().Should().Be("1", "the finding lies in the second the period is stated from");

        var future = CliRunner.Run(dir.Path, "report", "--format", "json", "--out", "f.json", "--since", "2999-01-01");
        future.ExitCode.Should().Be(2);
        future.Stderr.Should().Contain("in the future");
        File.Exists(dir.Combine("f.json")).Should().BeFalse();
    }
}
