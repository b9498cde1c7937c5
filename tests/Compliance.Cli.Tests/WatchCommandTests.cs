using System.Diagnostics;
using System.Text.Json;
using Compliance.Store;

namespace Compliance.Cli.Tests;

/// <summary>`compliance watch` as a process, beside the other commands writing to the same database.</summary>
public sealed class WatchCommandTests
{
    [Fact]
    public async Task A_new_baseline_with_another_policy_is_followed_from_then_on()
    {
        using var dir = new TempDir();
        dir.Write("tree/app/config", "v1");
        dir.Write("tree/lib/existing", "lib");
        string Policy(string name, params string[] includes) => dir.Write(name,
            $"name: {name}\ncategories:\n  - name: c\n    include: [{string.Join(", ", includes.Select(i => $"\"{dir.Combine("tree", i)}\""))}]\n");
        var db = dir.Combine("state.db");
        var events = dir.Combine("events.jsonl");
        CliRunner.Run(dir.Path, "baseline", "--policy", Policy("p1.yaml", "app"), "--db", db).ExitCode.Should().Be(0);

        using var watch = CliRunner.Start(dir.Path, "watch", "--db", db, "--events", events, "--coalesce-ms", "0", "--reconcile-minutes", "0");
        var stderr = watch.StandardError.ReadToEndAsync();
        try
        {
            WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap");
            var started = DateTime.UtcNow;
            CliRunner.Run(dir.Path, "baseline", "--policy", Policy("p2.yaml", "app", "lib"), "--db", db).ExitCode.Should().Be(0);
            // The watch sees nothing under the first policy meanwhile, yet starts over under the second.
            WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap" && e.GetProperty("time").GetDateTime() > started);

            // Under the first policy nothing below lib was followed.
            var added = dir.Write("tree/lib/added", "new");
            WaitForLine(events, e => e.TryGetProperty("path", out var path) && path.GetString() == added);
        }
        finally
        {
            Process.Start("kill", ["-TERM", watch.Id.ToString()])!.WaitForExit();
            watch.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue();
        }
        watch.ExitCode.Should().Be(0);
        (await stderr).Should().Contain("baseline generation 2 has another policy: the watch starts over under it");
        // Ending under the first policy is no failure: that watch run did all it had to until then.
        using var store = StateStore.Open(db, create: false);
        var watchRuns = store.Runs().Where(run => run.Kind == "watch").OrderBy(run => run.Id).ToList();
        watchRuns.Select(run => (run.Status, run.Detail)).Should().Equal(
            ("completed", "stopped: baseline generation 2 has another policy"), ("completed", null));
    }

    [Fact]
    public async Task An_unprivileged_watch_follows_a_directory_through_losing_and_regaining_read_permission()
    {
        using var dir = new TempDir();
        var closed = dir.Combine("tree", "d");
        dir.Write("tree/d/a", "a");
        dir.Write("tree/ok", "o");
        var db = dir.Combine("state.db");
        var events = dir.Combine("events.jsonl");
        // Root reads through any mode bits: the watch runs as an unprivileged user, as inotify's users do.
        var asUser = Unprivileged.Configure(dir.Path);
        CliRunner.Run(dir.Path, asUser, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);
        File.SetUnixFileMode(closed, UnixFileMode.None);

        using var watch = CliRunner.Start(dir.Path, asUser, "watch", "--db", db, "--events", events, "--source", "inotify",
            "--coalesce-ms", "0", "--reconcile-minutes", "0");
        var stderr = watch.StandardError.ReadToEndAsync();
        try
        {
            WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap" && e.GetProperty("reason").GetString() == "coverage_degraded");
            WaitForLine(events, e => Is(e, closed, "unverified"));

            // Readable again: watched from then on, and what is below it examined again.
            File.SetUnixFileMode(closed, (UnixFileMode)0x1ed);
            WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap" && e.GetProperty("reason").GetString() == "source_restarted");
            var added = dir.Write("tree/d/new", "n");
            WaitForLine(events, e => Is(e, added, "added"));

            // Readable but not searchable: its entries cannot be looked up, so they are unverified, as check has them.
            File.SetUnixFileMode(closed, (UnixFileMode)0x124);
            WaitForLine(events, e => Is(e, added, "unverified"));

            // Unreadable while watched: unverified, as check reports a directory it cannot list.
            File.SetUnixFileMode(closed, UnixFileMode.None);
            WaitForLine(events, e => Is(e, closed, "unverified") && e.GetProperty("time").GetDateTime() > File.GetLastWriteTimeUtc(added));
        }
        finally
        {
            Process.Start("kill", ["-TERM", watch.Id.ToString()])!.WaitForExit();
            watch.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue();
            File.SetUnixFileMode(closed, (UnixFileMode)0x1ed);
        }
        watch.ExitCode.Should().Be(0, await stderr);
    }

    /// <summary>
    /// The database's directory made unsearchable for a moment (by root, to an unprivileged watch) hides the file,
    /// which is still the one open: the watch took that for a replaced database and stopped with exit 3.
    /// </summary>
    [Fact]
    public async Task A_database_directory_closed_for_a_moment_does_not_stop_an_unprivileged_watch()
    {
        using var dir = new TempDir();
        var config = dir.Write("tree/app.conf", "v1");
        Directory.CreateDirectory(dir.Combine("db"));
        var db = dir.Combine("db", "state.db");
        var events = dir.Combine("events.jsonl");
        var asUser = Unprivileged.Configure(dir.Path);
        CliRunner.Run(dir.Path, asUser, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);

        using var watch = CliRunner.Start(dir.Path, asUser, "watch", "--db", db, "--events", events, "--source", "inotify",
            "--coalesce-ms", "0", "--reconcile-minutes", "0");
        var stderr = watch.StandardError.ReadToEndAsync();
        try
        {
            WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap");
            // A rescan reads the baseline through a second connection, opened by the database's name, which waits
            // while the directory is closed: closed once the start's rescan is over (its gap's row closed; the
            // gap's line comes before its row), so that a changed file's finding comes while it is.
            WaitFor(() => Sqlite.Scalar(db, StartClosed) == "1", "the start's rescan to end");
            File.SetUnixFileMode(dir.Combine("db"), UnixFileMode.None);
            File.AppendAllText(config, "v2");
            WaitForLine(events, e => Is(e, config, "content"));
            var made = dir.Write("tree/made/file", "new");   // a directory made is rescanned
            await Task.Delay(2500);   // idle checks of the database, every couple of seconds
            File.SetUnixFileMode(dir.Combine("db"), (UnixFileMode)0x1ed);
            WaitForLine(events, e => Is(e, made, "added"));
            watch.HasExited.Should().BeFalse("the database is still the one the watch opened");
        }
        finally
        {
            File.SetUnixFileMode(dir.Combine("db"), (UnixFileMode)0x1ed);
            Process.Start("kill", ["-TERM", watch.Id.ToString()])!.WaitForExit();
            watch.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue();
        }
        watch.ExitCode.Should().Be(0, await stderr);
    }

    [Fact]
    public async Task An_events_file_inside_the_scope_is_not_a_change_and_is_reopened_after_a_rotation_with_or_without_SIGHUP()
    {
        using var dir = new TempDir();
        dir.Write("tree/app.conf", "v1");
        var db = dir.Combine("state.db");
        var events = dir.Combine("tree", "events.jsonl");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);

        using var watch = CliRunner.Start(dir.Path, "watch", "--db", db, "--events", events, "--coalesce-ms", "0", "--reconcile-minutes", "0");
        var stderrLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        watch.ErrorDataReceived += (_, line) => { if (line.Data is { } data) stderrLines.Enqueue(data); };
        watch.BeginErrorReadLine();
        try
        {
            var first = dir.Write("tree/first", "1");
            WaitForLine(events, e => Is(e, first, "added"));
            await Task.Delay(1500);
            // Each line written would otherwise be a change to the file, reported in a line of its own, for ever:
            // only the start's rescan reports it, as check would.
            var lines = File.ReadAllLines(events);
            lines.Where(line => line.Contains("\"path\":\"" + events + "\"")).Should().ContainSingle().Which.Should().Contain("\"source\":\"rescan\"");
            await Task.Delay(1000);
            File.ReadAllLines(events).Should().HaveCount(lines.Length, "nothing changed meanwhile");

            File.Move(events, events + ".1");
            Process.Start("kill", ["-HUP", watch.Id.ToString()])!.WaitForExit();
            // The handler runs on its own thread, a moment after the signal: a line written before it reopened the
            // file goes to the rotated one. Its stderr line comes once the new descriptor is in place.
            WaitFor(() => stderrLines.Any(line => line.Contains("SIGHUP: events go to " + events)), "the watch to reopen its events file");
            var second = dir.Write("tree/second", "2");
            WaitForLine(events, e => Is(e, second, "added"));
            File.ReadAllText(events + ".1").Should().NotContain(second);

            // Rotated with no SIGHUP (or before it comes): lines went on into the moved file, which, within the
            // scope, made each a change and another line, a hundred a second.
            File.Move(events, events + ".2");
            var third = dir.Write("tree/third", "3");
            WaitForLine(events, e => Is(e, third, "added"));
            var rotated = File.ReadAllLines(events + ".2").Length;
            await Task.Delay(1500);
            File.ReadAllLines(events + ".2").Should().HaveCount(rotated, "the moved file is written no more");
        }
        finally
        {
            Process.Start("kill", ["-TERM", watch.Id.ToString()])!.WaitForExit();
            watch.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue();
        }
        watch.ExitCode.Should().Be(0);
        string.Join('\n', stderrLines).Should().Contain("SIGHUP: events go to " + events).And.Contain($"warning: {events} is written by this watch, yet the policy selects it");
    }

    [Fact]
    public async Task SIGTERM_during_the_starting_rescan_stops_the_watch_without_waiting_for_the_rescan()
    {
        using var dir = new TempDir();
        // 16 GiB of holes: no disk space, yet a rescan that rehashes it reads and hashes all of it, for many seconds.
        var big = dir.Combine("tree", "big");
        Directory.CreateDirectory(dir.Combine("tree"));
        using (var file = new FileStream(big, FileMode.CreateNew))
            file.SetLength(16L << 30);
        string Policy(string name, string more, string attributes) => dir.Write(name,
            $"name: {name}\n{more}categories:\n  - name: c\n    include: [\"{dir.Combine("tree")}\"]\n    attributes: [{attributes}]\n");
        var db = dir.Combine("state.db");
        var events = dir.Combine("events.jsonl");
        CliRunner.Run(dir.Path, "baseline", "--policy", Policy("sizes.yaml", "", "size"), "--db", db).ExitCode.Should().Be(0);
        File.AppendAllText(big, "grown");

        using var watch = CliRunner.Start(dir.Path, "watch", "--db", db, "--events", events, "--policy", Policy("rehash.yaml", "rehash: true\n", "size, blake3"),
            "--threads", "1", "--reconcile-minutes", "0");
        var stderr = watch.StandardError.ReadToEndAsync();
        WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap");
        await Task.Delay(500);
        TimeToStop(watch).Should().BeLessThan(TimeSpan.FromSeconds(10), "the rescan stops between reads; the next start's reconcile covers it");
        watch.ExitCode.Should().Be(0, await stderr);
        Sqlite.Scalar(db, "SELECT count(*) FROM feed_gaps WHERE closed_at IS NULL").Should().Be("1", "the gap is on record as never closed");
    }

    /// <summary>
    /// A directory moved in is rescanned, and a changed file hashed, however large: SIGTERM gives either up a second
    /// after the signal rather than finish it (16 GiB of holes, no disk space, hashed for many seconds).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SIGTERM_while_a_change_is_examined_stops_the_watch_without_waiting_for_a_rescan_or_a_large_hash(bool movedIn)
    {
        using var dir = new TempDir();
        dir.Write("tree/app.conf", "v1");
        Directory.CreateDirectory(dir.Combine("outside", "data"));
        var big = movedIn ? dir.Combine("outside", "data", "big") : dir.Combine("tree", "big");
        var db = dir.Combine("state.db");
        var events = dir.Combine("events.jsonl");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);

        using var watch = CliRunner.Start(dir.Path, "watch", "--db", db, "--events", events, "--threads", "1", "--coalesce-ms", "0", "--reconcile-minutes", "0");
        var stderr = watch.StandardError.ReadToEndAsync();
        WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap");
        // The start's rescan is over (its gap closed), so that what examines the change below is the watch following it.
        // The gap's line is written before its row: a table with no open gap may only be one the gap is not in yet.
        WaitFor(() => Sqlite.Scalar(db, StartClosed) == "1", "the start's rescan to end");
        using (var file = new FileStream(big, FileMode.CreateNew))
            file.SetLength(16L << 30);
        if (movedIn)
            Directory.Move(dir.Combine("outside", "data"), dir.Combine("tree", "data"));
        await Task.Delay(1000);
        TimeToStop(watch).Should().BeLessThan(TimeSpan.FromSeconds(10), "the work stops between reads; the next start's reconcile covers it");
        watch.ExitCode.Should().Be(0, await stderr);
        File.ReadAllText(events).Should().Contain("the watch stopped while examining changes");
        Sqlite.Scalar(db, "SELECT count(*) FROM feed_gaps WHERE closed_at IS NULL").Should().Be("1", "the gap is on record as never closed");
    }

    [Fact]
    public async Task A_database_deleted_or_replaced_while_watching_stops_the_watch_with_an_error()
    {
        foreach (var replace in new[] { false, true })
        {
            using var dir = new TempDir();
            dir.Write("tree/app.conf", "v1");
            var db = dir.Combine("state.db");
            var events = dir.Combine("events.jsonl");
            CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);

            using var watch = CliRunner.Start(dir.Path, "watch", "--db", db, "--events", events, "--coalesce-ms", "0", "--reconcile-minutes", "0");
            var stderr = watch.StandardError.ReadToEndAsync();
            WaitForLine(events, e => e.GetProperty("kind").GetString() == "gap");
            if (replace)
            {
                // Made elsewhere and renamed over it, so that the path never lacks a database.
                CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", dir.Combine("new.db")).ExitCode.Should().Be(0);
                File.Move(dir.Combine("new.db"), db, overwrite: true);
            }
            foreach (var file in Directory.GetFiles(dir.Path, replace ? "state.db-*" : "state.db*"))
                File.Delete(file);

            watch.WaitForExit(TimeSpan.FromSeconds(20)).Should().BeTrue("the watch notices within seconds");
            watch.ExitCode.Should().Be(3);
            (await stderr).Should().Contain(replace ? $"the database {db} was replaced while watching" : $"the database {db} was deleted while watching");
        }
    }

    /// <summary>How long the watch takes to exit after SIGTERM.</summary>
    private static TimeSpan TimeToStop(Process watch)
    {
        var stopping = Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", watch.Id.ToString()])!.WaitForExit();
        watch.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue();
        return stopping.Elapsed;
    }

    private static bool Is(JsonElement line, string path, string kind) =>
        line.TryGetProperty("path", out var p) && p.GetString() == path && line.GetProperty("kind").GetString() == kind;

    /// <summary>The start's gap is on record, and closed: its rescan is over. (Its events line comes before its row.)</summary>
    private const string StartClosed = "SELECT count(*) = 1 AND count(closed_at) = 1 FROM feed_gaps";

    /// <summary>Waits up to 30 seconds for a condition.</summary>
    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited 30 s for {what}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits up to 30 seconds for a line of the events file that matches.</summary>
    private static void WaitForLine(string events, Func<JsonElement, bool> wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(events))
            {
                using var reader = new StreamReader(new FileStream(events, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                while (reader.ReadLine() is { } line)
                {
                    if (line.EndsWith('}') && wanted(JsonDocument.Parse(line).RootElement))
                        return;
                }
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no matching line in {events}:\n{(File.Exists(events) ? File.ReadAllText(events) : "(no file)")}");
    }
}
