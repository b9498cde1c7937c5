namespace Compliance.Cli.Tests;

/// <summary>SIGKILL at any moment of a baseline leaves the previous baseline current and the database sound.</summary>
public sealed class KillDuringBaselineTests
{
    [Fact]
    public void A_killed_baseline_leaves_the_previous_generation_intact()
    {
        using var dir = new TempDir();
        for (int d = 0; d < 20; d++)
        {
            for (int f = 0; f < 250; f++)
                dir.Write($"tree/d{d}/f{f}", $"{d}-{f}");
        }
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        var db = dir.Combine(".compliance", "state.db");
        var firstExport = CliRunner.Run(dir.Path, "export", "--format", "csv").Stdout;
        dir.Write("tree/d0/new", "added after the first baseline");

        // Kill at spread-out moments: while starting, while scanning and staging, while committing.
        foreach (var delay in new[] { 50, 150, 300, 450, 600, 800, 1000, 1300 })
        {
            using var process = CliRunner.Start(dir.Path, "baseline", dir.Combine("tree"), "--reason", "second");
            Thread.Sleep(delay);
            if (!process.HasExited)
                process.Kill();
            process.WaitForExit();

            Sqlite.Scalar(db, "PRAGMA integrity_check").Should().Be("ok");
            var generations = long.Parse(Sqlite.Scalar(db, "SELECT count(*) FROM generations"));
            var export = CliRunner.Run(dir.Path, "export", "--format", "csv").Stdout;
            if (generations == 1)
                export.Should().Be(firstExport, $"killed after {delay} ms before the commit");
            else
                export.Should().Contain(dir.Combine("tree", "d0", "new"), "a committed second baseline is complete");
            Sqlite.Execute(db, "DELETE FROM baseline WHERE first_gen > 1; UPDATE baseline SET retired_gen = NULL WHERE retired_gen > 1; DELETE FROM generations WHERE id > 1;");
        }
    }
}
