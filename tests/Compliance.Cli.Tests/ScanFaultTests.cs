using System.Diagnostics;
using System.Text.Json;
using Compliance.Store;

namespace Compliance.Cli.Tests;

/// <summary>The "bad input and faults" list of the core issue, each on real files through the real program.</summary>
public sealed class ScanFaultTests
{
    private static JsonDocument Json(CliRunner.Result result)
    {
        result.Stderr.Should().NotContain("Unhandled exception");
        return JsonDocument.Parse(result.Stdout);
    }

    private static List<JsonElement> Findings(CliRunner.Result result) =>
        Json(result).RootElement.GetProperty("findings").EnumerateArray().ToList();

    [Fact]
    public void Fifo_socket_and_device_are_recorded_by_metadata_and_never_opened()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(tree);
        Process.Start("mkfifo", Path.Combine(tree, "pipe"))!.WaitForExit();
        // Disposing a bound socket removes its file, so it stays open while the baseline runs.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(tree, "sock")));
        File.WriteAllText(Path.Combine(tree, "plain"), "x");

        // A FIFO with no writer blocks an open for reading forever; the scan must finish regardless.
        var baseline = CliRunner.Run(dir.Path, "baseline", tree, "--json");
        baseline.ExitCode.Should().Be(0, baseline.Stderr);
        var export = JsonDocument.Parse(CliRunner.Run(dir.Path, "export", "--format", "json").Stdout).RootElement.EnumerateArray()
            .ToDictionary(e => Path.GetFileName(e.GetProperty("path").GetString()!));
        export["pipe"].GetProperty("type").GetString().Should().Be("fifo");
        export["pipe"].TryGetProperty("blake3", out _).Should().BeFalse();
        export["sock"].GetProperty("type").GetString().Should().Be("socket");
        export["plain"].GetProperty("blake3").GetString().Should().HaveLength(64);
    }

    [Fact]
    public void Device_nodes_are_recorded_not_read()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(tree);
        // /dev/zero would hash forever if it were read; a copy of the node is a real char device.
        var mknod = Process.Start("mknod", [Path.Combine(tree, "zero"), "c", "1", "5"])!;
        mknod.WaitForExit();
        if (mknod.ExitCode != 0)
            return; // not permitted here (not root): the FIFO test covers never opening special files

        CliRunner.Run(dir.Path, "baseline", tree).ExitCode.Should().Be(0);
        var zero = JsonDocument.Parse(CliRunner.Run(dir.Path, "export", "--format", "json").Stdout).RootElement.EnumerateArray()
            .Single(e => e.GetProperty("path").GetString()!.EndsWith("/zero"));
        zero.GetProperty("type").GetString().Should().Be("char");
    }

    [Fact]
    public void Symlinks_are_recorded_with_their_target_and_loops_do_not_hang()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "a"));
        File.CreateSymbolicLink(Path.Combine(tree, "a", "loop"), "../a");
        File.CreateSymbolicLink(Path.Combine(tree, "self"), "self");
        File.CreateSymbolicLink(Path.Combine(tree, "out"), "/etc");

        CliRunner.Run(dir.Path, "baseline", tree).ExitCode.Should().Be(0);
        var entries = JsonDocument.Parse(CliRunner.Run(dir.Path, "export", "--format", "json").Stdout).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!);
        entries.Should().HaveCount(5, "the tree, a, a/loop, self and out; nothing below the links");
        entries[Path.Combine(tree, "a", "loop")].GetProperty("target").GetString().Should().Be("../a");
        entries[Path.Combine(tree, "out")].GetProperty("type").GetString().Should().Be("symlink");
        entries.Keys.Should().NotContain(k => k.StartsWith("/etc"));
    }

    [Fact]
    public void Names_that_are_not_utf8_round_trip_exactly()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(tree);
        byte[] rawName = [(byte)'b', 0xFF, 0xFE, (byte)'n', 0xC3, 0x28, (byte)'.', (byte)'t', 0x80];
        var fullRaw = System.Text.Encoding.UTF8.GetBytes(tree + "/").Concat(rawName).ToArray();
        NativeFile.Create(fullRaw, "content");

        CliRunner.Run(dir.Path, "baseline", tree).ExitCode.Should().Be(0);
        var export = CliRunner.Run(dir.Path, "export", "--format", "json").Stdout;
        // An independent reader: Python's json module plus os.fsencode turn each \udcXX escape back into its byte.
        var decoded = PythonFsEncode(export);
        decoded.Should().Contain(Convert.ToHexStringLower(fullRaw));
        export.Should().NotContain("\ufffd").And.NotContain("\uFFFD");

        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(0, "the odd name is found again under the same key");
        NativeFile.Append(fullRaw, "more");
        var drift = CliRunner.Run(dir.Path, "check", "--json");
        drift.ExitCode.Should().Be(1);
        PythonFsEncode(drift.Stdout, "findings").Should().Contain(Convert.ToHexStringLower(fullRaw));
        var csv = CliRunner.Run(dir.Path, "export", "--format", "csv").Stdout;
        csv.Should().Contain("b\\xff\\xfen\\xc3(.t\\x80");

        // A move names both paths exactly: the old one in "from", and in the detail written for people as \xXX escapes.
        CliRunner.Run(dir.Path, "accept", "--all", "--reason", "test").ExitCode.Should().Be(0);
        NativeFile.Rename(fullRaw, [.. fullRaw, (byte)'~']);
        var moved = CliRunner.Run(dir.Path, "check", "--json");
        moved.ExitCode.Should().Be(1);
        moved.Stdout.Should().NotContain("\\uFFFD").And.NotContain("\ufffd");
        var finding = Findings(moved).Should().ContainSingle(f => f.GetProperty("kind").GetString() == "moved").Subject;
        finding.GetProperty("detail").GetString().Should().Be($"moved from {tree}/b\\xff\\xfen\\xc3(.t\\x80");
    }

    /// <summary>
    /// .NET hands a program its arguments decoded as UTF-8, with U+FFFD for the bytes that are not: a file named by
    /// such bytes could be baselined only through a parent, and accepted only with --all, while accept PATH approved
    /// nothing. The shell passes the raw bytes here, as a user's does.
    /// </summary>
    [Fact]
    public void A_path_that_is_not_utf8_can_be_named_on_the_command_line()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Combine("tree"));
        dir.Write("tree/ok", "fine");
        var tree = System.Text.Encoding.UTF8.GetBytes(dir.Combine("tree") + "/");
        NativeFile.Create([.. tree, (byte)'b', 0xFF, (byte)'d'], "odd");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        NativeFile.Append([.. tree, (byte)'b', 0xFF, (byte)'d'], " and changed");
        NativeFile.Create([.. tree, (byte)'n', 0xFE, (byte)'w'], "new");
        CliRunner.Run(dir.Path, "check").ExitCode.Should().Be(1);

        // printf turns \377 into the byte 0xFF, which no .NET string can carry to a child process.
        var accept = CliRunner.Shell(dir.Path, "accept \"$(printf 'tree/b\\377d')\" --reason 'reviewed'");
        accept.ExitCode.Should().Be(0, accept.Stderr);
        accept.Stdout.Should().Contain("Approved the observed state of 1 path(s)");
        var left = CliRunner.Run(dir.Path, "check", "--json");
        Findings(left).Select(f => f.GetProperty("kind").GetString()).Should().BeEquivalentTo(["added", "metadata"],
            "the other odd name and the directory it went into are left");
        var typo = CliRunner.Shell(dir.Path, "accept \"$(printf 'tree/x\\377y')\" --reason 'reviewed'");
        typo.ExitCode.Should().Be(2);
        typo.Stderr.Should().Contain("no observed change at or below").And.Contain("x\\xffy").And.Contain("nothing was approved");

        var baseline = CliRunner.Shell(dir.Path, "baseline \"$(printf 'tree/n\\376w')\" --db single.db");
        baseline.ExitCode.Should().Be(0, baseline.Stderr);
        CliRunner.Run(dir.Path, "export", "--db", "single.db", "--format", "csv").Stdout.Should().Contain("tree/n\\xfew");

        // b3sum opens such a name by its bytes and prints it with U+FFFD; a directory so named is no file to hash.
        // Two names that .NET decodes alike are told apart by their order (as `hash tree/b*` gives them).
        CliRunner.Bash(dir.Path, "printf 'other' > \"$(printf 'tree/b\\376d')\"").ExitCode.Should().Be(0);
        const string Both = "\"$(printf 'tree/b\\377d')\" \"$(printf 'tree/b\\376d')\"";
        var hash = CliRunner.Shell(dir.Path, "hash " + Both);
        hash.ExitCode.Should().Be(0, hash.Stderr);
        hash.Stdout.Should().Be(CliRunner.Bash(dir.Path, "b3sum " + Both).Stdout).And.Contain("  tree/b\uFFFDd");
        hash.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[..64]).Should().OnlyHaveUniqueItems();
        CliRunner.Bash(dir.Path, "mkdir \"$(printf 'tree/d\\377')\"").ExitCode.Should().Be(0);
        var directory = CliRunner.Shell(dir.Path, "hash \"$(printf 'tree/d\\377')\"");
        (directory.ExitCode, directory.Stderr).Should().Be((2, "compliance: tree/d\uFFFD: is a directory\n"));
        CliRunner.Bash(dir.Path, "rmdir \"$(printf 'tree/d\\377')\"").ExitCode.Should().Be(0, ".NET cannot clean such a directory up");
    }

    private static string PythonFsEncode(string json, string? arrayKey = null)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import json,os,sys\nd=json.load(sys.stdin)\nrows=d[sys.argv[1]] if len(sys.argv)>1 else d\nprint('\\n'.join(os.fsencode(r['path']).hex() for r in rows))");
        if (arrayKey is not null)
            start.ArgumentList.Add(arrayKey);
        using var python = Process.Start(start)!;
        python.StandardInput.Write(json);
        python.StandardInput.Close();
        var output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        python.ExitCode.Should().Be(0);
        return output;
    }

    [Fact]
    public void Permission_denied_is_reported_as_unverified_and_the_scan_finishes()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("tree");
        var secret = dir.Write("tree/secret", "s");
        var closed = dir.Combine("tree", "closed");
        Directory.CreateDirectory(closed);
        File.WriteAllText(Path.Combine(closed, "inner"), "i");
        dir.Write("tree/ok", "o");
        File.SetUnixFileMode(secret, 0);
        File.SetUnixFileMode(closed, 0);

        // Root reads through any mode bits, so run the program as an unprivileged user when the test runs as root.
        var asUser = Unprivileged.Configure(dir.Path);
        var result = CliRunner.Run(dir.Path, asUser, "baseline", tree, "--json", "--db", dir.Combine("state.db"));
        result.ExitCode.Should().Be(0, result.Stderr);
        var unverified = Findings(result).Where(f => f.GetProperty("kind").GetString() == "unverified")
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("detail").GetString());
        unverified.Should().ContainKey(secret).WhoseValue.Should().Contain("permission denied");
        unverified.Should().ContainKey(closed).WhoseValue.Should().Contain("permission denied");

        var check = CliRunner.Run(dir.Path, asUser, "check", "--json", "--db", dir.Combine("state.db"));
        check.ExitCode.Should().Be(1, "unreadable entries are findings of their own, never silently skipped");
        Findings(check).Select(f => f.GetProperty("kind").GetString()).Should().OnlyContain(k => k == "unverified");
    }

    /// <summary>
    /// A file unreadable when the baseline was taken is approved without a hash. Once readable, a hash on one side
    /// only was taken as no evidence, so every later change to it passed as "No drift" with a content-only policy.
    /// </summary>
    [Fact]
    public void A_file_unreadable_when_baselined_is_drift_once_readable_until_accepted()
    {
        using var dir = new TempDir();
        var secret = dir.Write("tree/secret", "original");
        var policy = dir.Write("p.yaml", $"name: p\ncategories:\n  - name: content\n    attributes: [blake3]\n    include: ['{dir.Combine("tree")}']\n");
        File.SetUnixFileMode(secret, 0);
        var asUser = Unprivileged.Configure(dir.Path);
        string db = dir.Combine("state.db");
        var baseline = CliRunner.Run(dir.Path, asUser, "baseline", "--policy", policy, "--db", db);
        baseline.ExitCode.Should().Be(0);
        // It says what it recorded, not "No drift", and why the file is unverified, not that it is missing from the
        // baseline it is making (review S).
        baseline.Stdout.Should().Contain("1 entr(ies) could not be read").And.Contain("unverified  " + secret + "  permission denied")
            .And.NotContain("No drift").And.NotContain("not in the approved baseline");

        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.WriteAllText(secret, "tampered");
        var check = CliRunner.Run(dir.Path, asUser, "check", "--json", "--db", db);

        check.ExitCode.Should().Be(1, check.Stderr);
        var finding = Findings(check).Should().ContainSingle().Subject;
        finding.GetProperty("kind").GetString().Should().Be("content");
        finding.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()).Should().Equal("blake3");
        finding.GetProperty("detail").GetString().Should().Contain("never verified").And.Contain("permission denied");
        CliRunner.Run(dir.Path, asUser, "check", "--db", db).ExitCode.Should().Be(1, "it stays drift until approved");
        CliRunner.Run(dir.Path, asUser, "accept", "--all", "--reason", "read at last", "--db", db).ExitCode.Should().Be(0);
        CliRunner.Run(dir.Path, asUser, "check", "--db", db).ExitCode.Should().Be(0, "accept recorded its hash");
        File.WriteAllText(secret, "tampered again");
        CliRunner.Run(dir.Path, asUser, "check", "--db", db).ExitCode.Should().Be(1);
    }

    /// <summary>
    /// A directory that can be listed but not searched gives names that cannot be stat'ed, and a root in such a
    /// directory cannot be stat'ed at all: everything approved below was reported removed, and accept --all approved
    /// the removals of files that were never seen gone.
    /// </summary>
    [Fact]
    public void Entries_below_what_cannot_be_stat_ed_are_unverified_and_stay_approved()
    {
        using var dir = new TempDir();
        var tree = dir.Combine("outer", "tree");
        var deep = dir.Write("outer/tree/sub/deep/h", "h");
        dir.Write("outer/tree/sub/g", "g");
        var asUser = Unprivileged.Configure(dir.Path);
        string db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, asUser, "baseline", tree, "--db", db).ExitCode.Should().Be(0);
        const UnixFileMode ListableOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        foreach (var closed in new[] { dir.Combine("outer", "tree", "sub"), dir.Combine("outer") })
        {
            File.SetUnixFileMode(closed, ListableOnly);
            var check = CliRunner.Run(dir.Path, asUser, "check", "--json", "--db", db);
            var kinds = Findings(check).ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("kind").GetString());
            kinds.Should().Contain(deep, "unverified", $"{closed} hides it, and it may well be there");
            kinds.Values.Should().NotContain("removed");

            CliRunner.Run(dir.Path, asUser, "accept", "--all", "--reason", "review", "--db", db).ExitCode.Should().Be(0);
            CliRunner.Run(dir.Path, asUser, "export", "--format", "csv", "--db", db).Stdout.Should().Contain(deep + ",");
            File.SetUnixFileMode(closed, ListableOnly | UnixFileMode.UserExecute);
        }
    }

    /// <summary>check ran the policy text stored in the database unverified: one exclude added there hid a subtree.</summary>
    [Fact]
    public void A_stored_policy_that_no_longer_matches_its_digest_is_refused()
    {
        using var dir = new TempDir();
        dir.Write("tree/bin/tool", "v1");
        var policy = dir.Write("p.yaml", $"name: p\ncategories:\n  - name: c\n    include: ['{dir.Combine("tree")}']\n");
        CliRunner.Run(dir.Path, "baseline", "--policy", policy).ExitCode.Should().Be(0);
        var db = dir.Combine(".compliance", "state.db");
        Sqlite.Execute(db, $"UPDATE generations SET policy_text = policy_text || '    exclude: [\"{dir.Combine("tree", "bin")}\"]' || char(10)");
        File.WriteAllText(dir.Combine("tree", "bin", "tool"), "v2");

        var check = CliRunner.Run(dir.Path, "check");

        check.ExitCode.Should().Be(3, check.Stdout);
        check.Stderr.Should().Contain("does not match its recorded digest");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100000")]
    public void A_thread_count_out_of_range_is_a_usage_error(string threads)
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "x");

        var result = CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--threads", threads);

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("--threads must be between 1 and 256");
    }

    [Fact]
    public void The_default_thread_count_on_a_host_with_more_cores_than_allowed_is_the_most_allowed()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "x");

        var result = CliRunner.Run(dir.Path, start => start.Environment["DOTNET_PROCESSOR_COUNT"] = "300", "baseline", dir.Combine("tree"));

        result.ExitCode.Should().Be(0, result.Stderr);
    }

    [Fact]
    public void A_database_on_a_full_disk_is_a_clear_failure_not_an_internal_error()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 400; i++)
            dir.Write($"tree/f{i:D3}", "x");
        var small = dir.Combine("small");
        Directory.CreateDirectory(small);
        Compliance.Tests.ExternalCommand.Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small);
        try
        {
            var db = Path.Combine(small, "state.db");
            CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);
            // The rest of the filesystem filled up, then drift for every file to store.
            using (var filler = new FileStream(Path.Combine(small, "filler"), FileMode.CreateNew))
            {
                var block = new byte[64 * 1024];
                try
                {
                    while (true)
                        filler.Write(block);
                }
                catch (IOException)
                {
                }
                // Room to open it (its -wal and -shm), not to store the drift.
                filler.SetLength(filler.Length - 256 * 1024);
            }
            for (int i = 0; i < 400; i++)
                File.AppendAllText(dir.Combine("tree", $"f{i:D3}"), "changed");

            var result = CliRunner.Run(dir.Path, "check", "--db", db);

            result.ExitCode.Should().Be(3);
            result.Stderr.Should().Contain("cannot write the database (is its disk full").And.NotContain("internal error");
        }
        finally
        {
            Compliance.Tests.ExternalCommand.Run("umount", small);
        }
    }

    [Fact]
    public void Malformed_policy_exits_2_with_a_position_and_writes_nothing()
    {
        using var dir = new TempDir();
        var policy = dir.Write("bad.yaml", "name: bad\ncategories:\n  - name: c\n    include: [/etc/**]\n    attributes: [size, colour]\n");
        var result = CliRunner.Run(dir.Path, "baseline", "--policy", policy);
        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("bad.yaml:5:").And.Contain("colour");
        File.Exists(dir.Combine(".compliance", "state.db")).Should().BeFalse();

        var badPattern = dir.Write("pattern.yaml", "name: p\ncategories:\n  - name: c\n    include: ['/etc/%%/x']\n");
        var second = CliRunner.Run(dir.Path, "baseline", "--policy", badPattern);
        second.ExitCode.Should().Be(2);
        second.Stderr.Should().Contain("pattern.yaml:4:");
        File.Exists(dir.Combine(".compliance", "state.db")).Should().BeFalse();
    }

    [Fact]
    public void A_database_from_a_newer_schema_is_refused_and_left_untouched()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "x");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree")).ExitCode.Should().Be(0);
        var db = dir.Combine(".compliance", "state.db");
        using (var store = StateStore.Open(db))
        {
        }
        Sqlite.Execute(db, "PRAGMA user_version = 99");
        var before = File.ReadAllBytes(db);

        var result = CliRunner.Run(dir.Path, "check");
        result.ExitCode.Should().Be(3);
        result.Stderr.Should().Contain("schema version 99").And.Contain("newer");
        File.ReadAllBytes(db).Should().Equal(before);
    }
}
