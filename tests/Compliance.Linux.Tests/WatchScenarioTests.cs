using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Tests;

namespace Compliance.Linux.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
/// <summary>Each kind of change, under each source, gives the finding a full scan gives, and the store agrees with one.</summary>
public sealed class WatchScenarioTests
{
    public static TheoryData<string> Sources => [FanotifySource.SourceName, InotifySource.SourceName];

    private static void Prepare(WatchHarness h)
    {
        Directory.CreateDirectory(h.PathOf("etc"));
        Directory.CreateDirectory(h.PathOf("bin"));
        File.WriteAllText(h.PathOf("etc/app.conf"), "port = 80\n");
        File.WriteAllText(h.PathOf("etc/hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(h.PathOf("bin/tool"), "#!/bin/sh\n");
    }

    /// <summary>A watch under the given source over the common tree, plus whatever a test adds to it before approval.</summary>
    private static Task<WatchHarness> StartAsync(string source, Action<WatchHarness>? more = null, TimeSpan? coalesceWindow = null) =>
        WatchHarness.StartAsync(WatchHarness.CreateSource(source), harness =>
        {
            Prepare(harness);
            more?.Invoke(harness);
        }, coalesceWindow);

    private static async Task<Finding> SingleFindingAfter(WatchHarness h, string relative, Action change)
    {
        h.ClearFindings();
        change();
        await h.SettleAsync();
        var findings = h.FindingsFor(h.PathOf(relative));
        findings.Should().ContainSingle($"one change to {relative} is one finding; the watch reported:\n{Describe(h.Sink.Findings)}");
        return findings[0];
    }

    private static string Describe(IEnumerable<Finding> findings) =>
        string.Join("\n", findings.Select(f => $"{f.Path} {f.Kind} [{string.Join(",", f.Attributes)}] {f.Source} {f.Detail}"));

    private static string ContentOnly(string root) =>
        $"name: content\ncategories:\n  - name: c\n    include: [\"{root}\"]\n    attributes: [blake3]\n";

    private static async Task StoreMatchesFreshScan(WatchHarness h)
    {
        var (watched, fresh) = await h.CompareWithFreshScanAsync();
        watched.Should().Equal(fresh);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Create_is_added_with_the_writing_process(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "etc/new.conf", () => File.WriteAllText(h.PathOf("etc/new.conf"), "new\n"));
        finding.Kind.Should().Be(DriftKind.Added);
        finding.Source.Should().Be(source);
        finding.After!.Hashes.Should().ContainKey("blake3");
        if (source == FanotifySource.SourceName)
        {
            finding.ProcessId.Should().Be(Environment.ProcessId);
            finding.ProcessPath.Should().Be(Environment.ProcessPath);
        }
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Modify_is_content(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "etc/app.conf", () => File.AppendAllText(h.PathOf("etc/app.conf"), "debug = 1\n"));
        finding.Kind.Should().Be(DriftKind.Content);
        finding.Attributes.Should().Contain(["size", "mtime", "blake3"]);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Chmod_is_metadata_mode(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "bin/tool", () => File.SetUnixFileMode(h.PathOf("bin/tool"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute));
        finding.Kind.Should().Be(DriftKind.Metadata);
        finding.Attributes.Should().Equal("mode", "ctime");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Chown_is_metadata_owner(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "etc/hosts", () => ExternalCommand.Run("chown", "4321:4322", h.PathOf("etc/hosts")));
        finding.Kind.Should().Be(DriftKind.Metadata);
        finding.Attributes.Should().Equal("uid", "gid", "ctime");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Rename_within_a_directory_is_a_move(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "etc/app.conf.old", () => File.Move(h.PathOf("etc/app.conf"), h.PathOf("etc/app.conf.old")));
        finding.Kind.Should().Be(DriftKind.Moved);
        finding.Before!.Path.Should().Be(h.PathOf("etc/app.conf"));
        h.FindingsFor(h.PathOf("etc/app.conf")).Should().BeEmpty("the old name is part of the move");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Rename_across_directories_is_a_move(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "bin/app.conf", () => File.Move(h.PathOf("etc/app.conf"), h.PathOf("bin/app.conf")));
        finding.Kind.Should().Be(DriftKind.Moved);
        finding.Before!.Path.Should().Be(h.PathOf("etc/app.conf"));
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_file_renamed_then_changed_and_renamed_again_in_later_windows_is_still_the_approved_file_moved(string source)
    {
        await using var h = await StartAsync(source);
        var approved = h.PathOf("etc/app.conf");
        (await SingleFindingAfter(h, "bin/app.conf", () => File.Move(approved, h.PathOf("bin/app.conf")))).Kind.Should().Be(DriftKind.Moved);

        // As a full scan pairs them: the approved file, by its inode and birth time, now changed at its new name.
        var changed = await SingleFindingAfter(h, "bin/app.conf", () => File.AppendAllText(h.PathOf("bin/app.conf"), "tls = on\n"));
        changed.Kind.Should().Be(DriftKind.Moved, Describe([changed]));
        changed.Before!.Path.Should().Be(approved);
        changed.Attributes.Should().Contain(["path", "size", "blake3"]);

        var renamed = await SingleFindingAfter(h, "bin/app.cfg", () => File.Move(h.PathOf("bin/app.conf"), h.PathOf("bin/app.cfg")));
        renamed.Kind.Should().Be(DriftKind.Moved, Describe([renamed]));
        renamed.Before!.Path.Should().Be(approved);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Delete_is_removed(string source)
    {
        await using var h = await StartAsync(source);
        var finding = await SingleFindingAfter(h, "etc/hosts", () => File.Delete(h.PathOf("etc/hosts")));
        finding.Kind.Should().Be(DriftKind.Removed);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Delete_and_recreate_is_followed_afterwards(string source)
    {
        await using var h = await StartAsync(source);
        var path = h.PathOf("etc/hosts");
        // Held open, the deleted inode is not freed, so the kernel cannot give its number to the new file
        // (ext4 reuses freed numbers at once, which made the inode assertion below flaky).
        using (new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            File.Delete(path);
            await h.SettleAsync();
            var recreated = await SingleFindingAfter(h, "etc/hosts", () => File.WriteAllText(path, "10.0.0.1 db\n"));
            recreated.Kind.Should().Be(DriftKind.Content);
            recreated.Attributes.Should().Contain(["inode", "blake3"]);
        }

        // The new file is followed like the old one (osquery#6495 stops here).
        var modified = await SingleFindingAfter(h, "etc/hosts", () => File.AppendAllText(path, "10.0.0.2 cache\n"));
        modified.After!.Size.Should().Be(new FileInfo(path).Length);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Atomic_replace_by_rename_over_is_one_content_finding(string source)
    {
        await using var h = await StartAsync(source, coalesceWindow: TimeSpan.FromSeconds(1));
        var finding = await SingleFindingAfter(h, "etc/app.conf", () =>
        {
            // What editors and package managers do: write a temporary file, then rename it over the original.
            File.WriteAllText(h.PathOf("etc/.app.conf.swp"), "port = 8080\n");
            File.Move(h.PathOf("etc/.app.conf.swp"), h.PathOf("etc/app.conf"), overwrite: true);
        });
        finding.Kind.Should().Be(DriftKind.Content);
        finding.Attributes.Should().Contain(["inode", "blake3"]);
        h.FindingsFor(h.PathOf("etc/.app.conf.swp")).Should().BeEmpty("the temporary file was gone within the coalescing window");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Hard_link_added_changes_both_names(string source)
    {
        await using var h = await StartAsync(source);
        var link = await SingleFindingAfter(h, "bin/tool-link", () => ExternalCommand.Run("ln", h.PathOf("bin/tool"), h.PathOf("bin/tool-link")));
        link.Kind.Should().Be(DriftKind.Added);
        link.After!.LinkCount.Should().Be(2);
        var original = h.FindingsFor(h.PathOf("bin/tool")).Should().ContainSingle(Describe(h.Sink.Findings)).Subject;
        original.Kind.Should().Be(DriftKind.Metadata);
        original.Attributes.Should().Contain(["nlink", "ctime"]);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_hard_link_in_a_directory_moved_out_of_scope_and_back_is_followed_again(string source)
    {
        await using var h = await StartAsync(source, harness =>
        {
            Directory.CreateDirectory(harness.PathOf("lib"));
            ExternalCommand.Run("ln", harness.PathOf("bin/tool"), harness.PathOf("lib/tool"));
        });
        Directory.Move(h.PathOf("lib"), Path.Combine(h.Outside, "lib"));
        await h.SettleAsync();
        // Back exactly as approved (a directory's rename leaves its entries' ctime alone): no finding for lib/tool.
        Directory.Move(Path.Combine(h.Outside, "lib"), h.PathOf("lib"));
        await h.SettleAsync();

        // A write through the other name changes lib/tool as well, and the watch must say so.
        await SingleFindingAfter(h, "bin/tool", () => File.AppendAllText(h.PathOf("bin/tool"), "exit 0\n"));
        h.FindingsFor(h.PathOf("lib/tool")).Should().ContainSingle(Describe(h.Sink.Findings)).Which.Kind.Should().Be(DriftKind.Content);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_directory_named_like_a_deleted_one_is_followed(string source)
    {
        // The kernel marks the path of an unlinked directory with this suffix; a live one may carry it as its name.
        await using var h = await StartAsync(source, harness =>
        {
            Directory.CreateDirectory(harness.PathOf("old (deleted)"));
            File.WriteAllText(harness.PathOf("old (deleted)/notes"), "a\n");
        });
        var finding = await SingleFindingAfter(h, "old (deleted)/notes", () => File.AppendAllText(h.PathOf("old (deleted)/notes"), "b\n"));
        finding.Kind.Should().Be(DriftKind.Content);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Two_directories_swapped_in_one_rename_are_followed_at_their_new_places(string source)
    {
        await using var h = await StartAsync(source, harness =>
        {
            File.WriteAllText(harness.PathOf("bin/from-bin"), "b\n");
            File.WriteAllText(harness.PathOf("etc/from-etc"), "e\n");
        });
        NativeRename.Exchange(h.PathOf("etc"), h.PathOf("bin"));
        await h.SettleAsync();

        var written = await SingleFindingAfter(h, "etc/from-bin", () => File.AppendAllText(h.PathOf("etc/from-bin"), "more\n"));
        written.After!.Size.Should().Be(new FileInfo(h.PathOf("etc/from-bin")).Length);
        var created = await SingleFindingAfter(h, "bin/created", () => File.WriteAllText(h.PathOf("bin/created"), "c\n"));
        created.Kind.Should().Be(DriftKind.Added);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_directory_renamed_is_reported_as_moves_like_a_full_scan(string source)
    {
        await using var h = await StartAsync(source);
        h.ClearFindings();
        Directory.Move(h.PathOf("etc"), h.PathOf("config"));
        await h.SettleAsync();

        foreach (var moved in new[] { "config", "config/app.conf", "config/hosts" })
            h.FindingsFor(h.PathOf(moved)).Should().ContainSingle(Describe(h.Sink.Findings)).Which.Kind.Should().Be(DriftKind.Moved, moved);
        h.FindingsFor(h.PathOf("etc")).Concat(h.FindingsFor(h.PathOf("etc/app.conf"))).Should().BeEmpty("the old paths are the moves' other halves");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task The_root_deleted_and_made_again_is_followed_again(string source)
    {
        await using var h = await StartAsync(source);
        var removed = h.Sink.WaitFor(h.Root);
        Directory.Delete(h.Root, recursive: true);
        await removed.WaitAsync(TimeSpan.FromSeconds(20));

        Directory.CreateDirectory(h.PathOf(".settle"));
        Directory.CreateDirectory(h.PathOf("etc"));
        File.WriteAllText(h.PathOf("etc/hosts"), "10.0.0.9 back\n");
        await h.SettleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var later = await SingleFindingAfter(h, "etc/app.conf", () => File.WriteAllText(h.PathOf("etc/app.conf"), "port = 81\n"));
        later.Kind.Should().Be(DriftKind.Content);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Tree_moved_into_scope_is_added_entirely_and_then_followed(string source)
    {
        await using var h = await StartAsync(source);
        var staged = Path.Combine(h.Outside, "release");
        Directory.CreateDirectory(Path.Combine(staged, "lib", "deep"));
        File.WriteAllText(Path.Combine(staged, "lib", "a.so"), "a");
        File.WriteAllText(Path.Combine(staged, "lib", "deep", "b.so"), "b");
        h.ClearFindings();

        Directory.Move(staged, h.PathOf("release"));
        await h.SettleAsync();
        foreach (var relative in new[] { "release", "release/lib", "release/lib/a.so", "release/lib/deep", "release/lib/deep/b.so" })
            h.FindingsFor(h.PathOf(relative)).Should().ContainSingle().Which.Kind.Should().Be(DriftKind.Added, relative);

        // Below the moved-in tree changes are seen too (osquery#1969 misses them).
        var later = await SingleFindingAfter(h, "release/lib/deep/c.so", () => File.WriteAllText(h.PathOf("release/lib/deep/c.so"), "c"));
        later.Kind.Should().Be(DriftKind.Added);
        later.Source.Should().Be(source);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_filesystem_mounted_below_the_root_is_followed(string source)
    {
        string? mounted = null;
        var h = await StartAsync(source, harness =>
        {
            mounted = harness.PathOf("mnt");
            Directory.CreateDirectory(mounted);
            ExternalCommand.Run("mount", "-t", "tmpfs", "compliance-test", mounted);
        });
        try
        {
            var finding = await SingleFindingAfter(h, "mnt/new", () => File.WriteAllText(h.PathOf("mnt/new"), "on tmpfs\n"));
            finding.Kind.Should().Be(DriftKind.Added);
            finding.Source.Should().Be(source);
            await StoreMatchesFreshScan(h);
        }
        finally
        {
            await h.StopAsync();
            ExternalCommand.Run("umount", mounted!);
            await h.DisposeAsync();
        }
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task An_excluded_entry_made_renamed_or_removed_still_changes_its_selected_directory(string source)
    {
        // An editor's swap file: excluded itself, yet its coming and going sets the directory's mtime and ctime.
        await using var h = await WatchHarness.StartAsync(WatchHarness.CreateSource(source), Prepare, policyYaml: root =>
            $"name: swap\ncategories:\n  - name: c\n    include: [\"{root}\"]\n    exclude: [\"*.swp\"]\n");
        var swap = h.PathOf("etc/.app.conf.swp");
        foreach (var change in new Action[]
        {
            () => File.WriteAllText(swap, "swap"),
            () => File.Move(swap, swap + ".swp"),
            () => File.Delete(swap + ".swp"),
        })
        {
            h.ClearFindings();
            change();
            await h.SettleAsync();
            h.FindingsFor(h.PathOf("etc")).Should().ContainSingle().Which.Kind.Should().Be(DriftKind.Metadata);
            h.Sink.Findings.Should().NotContain(f => f.Path.EndsWith(".swp", StringComparison.Ordinal));
        }
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Changes_outside_the_policy_produce_nothing(string source)
    {
        await using var h = await StartAsync(source);
        h.ClearFindings();
        File.WriteAllText(Path.Combine(h.Outside, "noise"), "x");
        await h.SettleAsync();
        h.Sink.Findings.Where(f => !f.Path.Contains("/.settle")).Should().BeEmpty();
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Starting_reports_what_changed_while_not_watching_as_a_rescan(string source)
    {
        await using var h = await StartAsync(source, harness =>
        {
        });
        h.Sink.Gaps.Should().Contain(g => g.Reason == GapReason.FirstStart && g.Source == source);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_directory_made_with_a_file_in_it_is_one_finding_each_with_the_writing_process(string source)
    {
        // One coalescing window holds both: the directory's rescan finds the file its own hint also names.
        await using var h = await StartAsync(source, coalesceWindow: TimeSpan.FromMilliseconds(300));
        h.ClearFindings();
        Directory.CreateDirectory(h.PathOf("plugins"));
        File.WriteAllText(h.PathOf("plugins/loader.so"), "binary\n");
        await h.SettleAsync();

        var findings = h.FindingsFor(h.PathOf("plugins/loader.so"));
        findings.Should().ContainSingle($"the watch reported:\n{Describe(h.Sink.Findings)}").Which.Kind.Should().Be(DriftKind.Added);
        if (source == FanotifySource.SourceName)
            h.FindingsFor(h.PathOf("plugins")).Concat(findings).Should().OnlyContain(f => f.ProcessId == Environment.ProcessId);
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task An_editors_save_right_after_another_change_is_still_one_finding(string source)
    {
        await using var h = await StartAsync(source, coalesceWindow: TimeSpan.FromSeconds(1));
        h.ClearFindings();
        File.AppendAllText(h.PathOf("etc/hosts"), "10.0.0.1 db\n");
        await Task.Delay(800);
        // Written to a temporary name, then renamed over the file, while the change above is still held.
        File.WriteAllText(h.PathOf("etc/.app.conf.swp"), "port = 8080\n");
        await Task.Delay(400);
        File.Move(h.PathOf("etc/.app.conf.swp"), h.PathOf("etc/app.conf"), overwrite: true);
        await h.SettleAsync();

        h.Sink.Findings.Select(f => f.Path).Should().NotContain(h.PathOf("etc/.app.conf.swp"), $"the watch reported:\n{Describe(h.Sink.Findings)}");
        h.FindingsFor(h.PathOf("etc/app.conf")).Should().ContainSingle();
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_file_moved_into_a_directory_made_in_the_same_window_is_moved(string source)
    {
        await using var h = await StartAsync(source, coalesceWindow: TimeSpan.FromMilliseconds(300));
        h.ClearFindings();
        Directory.CreateDirectory(h.PathOf("etc/old"));
        File.Move(h.PathOf("etc/hosts"), h.PathOf("etc/old/hosts"));
        await h.SettleAsync();

        h.FindingsFor(h.PathOf("etc/old/hosts")).Should().ContainSingle($"the watch reported:\n{Describe(h.Sink.Findings)}")
            .Which.Kind.Should().Be(DriftKind.Moved);
        h.FindingsFor(h.PathOf("etc/hosts")).Should().BeEmpty("the move's old half is part of its finding");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task A_tree_nested_deeper_than_a_path_can_name_is_a_coverage_gap_and_the_watch_goes_on(string source)
    {
        await using var h = await StartAsync(source);
        h.ClearFindings();

        // Seventeen directories of 250-byte names: the last one's path passes 4,096 bytes, and a file is made in it.
        try
        {
            var deepest = NativeDeepTree.Make(h.PathOf("etc"), levels: 17, nameLength: 250, file: "inside");
            File.WriteAllText(h.PathOf("etc/later"), "still followed");
            await h.SettleAsync();

            h.FindingsFor(h.PathOf("etc/later")).Should().ContainSingle().Which.Kind.Should().Be(DriftKind.Added);
            h.FindingsFor(deepest).Should().ContainSingle().Which.Kind.Should().Be(DriftKind.Unverified,
                "no scan can list a directory whose path is too long, check included");
            h.Sink.Gaps.Should().Contain(g => g.Reason == GapReason.CoverageDegraded && deepest.StartsWith(g.Scope, StringComparison.Ordinal));
            await StoreMatchesFreshScan(h);
        }
        finally
        {
            NativeDeepTree.Remove(h.PathOf("etc"), nameLength: 250);
        }
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Approved_files_below_an_unselected_directory_moved_away_are_removed(string source)
    {
        // As the README's `/home/%/.ssh/%%`: the files are selected, the directories above them are not.
        await using var h = await WatchHarness.StartAsync(WatchHarness.CreateSource(source), harness =>
        {
            Directory.CreateDirectory(harness.PathOf("home/alice/.ssh"));
            File.WriteAllText(harness.PathOf("home/alice/.ssh/authorized_keys"), "ssh-ed25519 AAAA alice");
            File.WriteAllText(harness.PathOf("home/alice/.ssh/config"), "Host *");
        }, policyYaml: root => $"name: ssh\ncategories:\n  - name: keys\n    include: [\"{root}/home/%/.ssh/%%\", \"{root}/.settle\"]\n");
        h.ClearFindings();

        Directory.Move(h.PathOf("home/alice/.ssh"), h.PathOf("home/alice/.ssh.bak"));
        await h.SettleAsync();

        foreach (var name in new[] { "authorized_keys", "config" })
            h.FindingsFor(h.PathOf($"home/alice/.ssh/{name}")).Should().ContainSingle().Which.Kind.Should().Be(DriftKind.Removed);
        await StoreMatchesFreshScan(h);
    }

    [Fact]
    public async Task Fanotify_says_nothing_of_a_tree_too_deep_to_name_outside_the_policy()
    {
        await using var h = await StartAsync(FanotifySource.SourceName);
        try
        {
            NativeDeepTree.Make(h.Outside, levels: 17, nameLength: 250, file: "inside");
            await h.SettleAsync();

            h.Sink.Gaps.Should().NotContain(g => g.Reason == GapReason.CoverageDegraded, "nothing there is followed");
        }
        finally
        {
            NativeDeepTree.Remove(h.Outside, nameLength: 250);
        }
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Drift_that_goes_away_is_reported_as_resolved_with_the_process_that_undid_it(string source)
    {
        // Content only, so that a file written back as approved matches again whatever its times.
        await using var h = await WatchHarness.StartAsync(WatchHarness.CreateSource(source), Prepare, policyYaml: ContentOnly);
        var conf = h.PathOf("etc/app.conf");
        var approved = File.ReadAllText(conf);
        File.WriteAllText(conf, "port = 8080\n");
        File.WriteAllText(h.PathOf("etc/new.conf"), "x");
        Directory.CreateDirectory(h.PathOf("etc/drop.d"));
        File.WriteAllText(h.PathOf("etc/drop.d/extra.conf"), "y");
        await h.SettleAsync();
        h.Sink.Resolutions.Should().BeEmpty();
        h.ClearFindings();

        File.WriteAllText(conf, approved);                          // put back: an entry examined again
        File.Delete(h.PathOf("etc/new.conf"));                      // gone where nothing was approved
        Directory.Delete(h.PathOf("etc/drop.d"), recursive: true);  // a subtree rescanned
        await h.SettleAsync();

        var resolved = h.Sink.Resolutions.ToList();
        resolved.Select(r => r.Path).Should().BeEquivalentTo(
            [conf, h.PathOf("etc/new.conf"), h.PathOf("etc/drop.d"), h.PathOf("etc/drop.d/extra.conf")]);
        resolved.Should().OnlyContain(r => r.Source == source && r.Category != null);
        resolved.Single(r => r.Path == conf).ProcessId.Should().Be(source == FanotifySource.SourceName ? Environment.ProcessId : null);
        h.Sink.Findings.Where(f => !f.Path.Contains("marker")).Should().BeEmpty("nothing differs from the baseline any more");
        await StoreMatchesFreshScan(h);
    }

    [Theory, MemberData(nameof(Sources))]
    public async Task Drift_that_returns_after_the_file_was_put_back_is_reported_again(string source)
    {
        // Content only, as a policy that must not flag a file merely rewritten: put back, the file matches again.
        await using var h = await WatchHarness.StartAsync(WatchHarness.CreateSource(source), Prepare, policyYaml: ContentOnly);
        var hosts = h.PathOf("etc/hosts");
        var approved = File.ReadAllText(hosts);

        (await SingleFindingAfter(h, "etc/hosts", () => File.Delete(hosts))).Kind.Should().Be(DriftKind.Removed);
        h.ClearFindings();
        File.WriteAllText(hosts, approved);
        await h.SettleAsync();
        h.FindingsFor(hosts).Should().BeEmpty("put back as approved");
        h.Sink.Resolutions.Should().ContainSingle().Which.Path.Should().Be(hosts);

        (await SingleFindingAfter(h, "etc/hosts", () => File.Delete(hosts))).Kind.Should().Be(DriftKind.Removed);
        await StoreMatchesFreshScan(h);
    }
}

/// <summary>renameat2(RENAME_EXCHANGE), which neither .NET nor this system's mv offers.</summary>
internal static unsafe partial class NativeRename
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int renameat2(int oldDirectory, byte* oldPath, int newDirectory, byte* newPath, uint flags);

    public static void Exchange(string first, string second)
    {
        var a = System.Text.Encoding.UTF8.GetBytes(first + "\0");
        var b = System.Text.Encoding.UTF8.GetBytes(second + "\0");
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            if (renameat2(AtFdCwd, pa, AtFdCwd, pb, RenameExchange) != 0)
                throw new IOException($"renameat2: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }
}

/// <summary>A directory tree deeper than PATH_MAX, made one level at a time as nothing that takes a whole path can.</summary>
internal static unsafe partial class NativeDeepTree
{
    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int openat(int directory, byte* path, int flags, int mode);

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int mkdirat(int directory, byte* path, int mode);

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    /// <summary>Makes the levels below top and a file in the deepest; returns the deepest directory's path.</summary>
    public static string Make(string top, int levels, int nameLength, string file)
    {
        const int AtFdCwd = -100, ORdOnly = 0, ODirectory = 0x10000, OWrOnlyCreate = 0x41;
        int fd = Open(AtFdCwd, top, ORdOnly | ODirectory);
        var path = top;
        try
        {
            for (int level = 0; level < levels; level++)
            {
                var name = Name(level, nameLength);
                Check(Call(name, n => mkdirat(fd, n, 0x1ed)), "mkdirat");
                int next = Open(fd, name, ORdOnly | ODirectory);
                close(fd);
                fd = next;
                path += "/" + name;
            }
            close(Open(fd, file, OWrOnlyCreate));
            return path;
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>
    /// Removes what <see cref="Make"/> made below top, with rm, which walks down by descriptor: .NET's recursive
    /// delete stops where the paths get too long.
    /// </summary>
    public static void Remove(string top, int nameLength) =>
        System.Diagnostics.Process.Start("rm", ["-rf", Path.Combine(top, Name(0, nameLength))])!.WaitForExit();

    private static string Name(int level, int nameLength) => $"d{level:D2}".PadRight(nameLength, 'd');

    private static int Open(int directory, string name, int flags) => Check(Call(name, n => openat(directory, n, flags, 0x1a4)), "openat");

    private delegate int NameCall(byte* name);

    private static int Call(string name, NameCall call)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* n = bytes)
            return call(n);
    }

    private static int Check(int result, string what) =>
        result >= 0 ? result : throw new IOException($"{what}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
}
