using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Store;

namespace Compliance.Linux.Tests;

/// <summary>Hints applied through the reconcile path against a real tree and a real store.</summary>
public sealed class ReconcilerHintTests : IDisposable
{
    private readonly string _workspace = Path.Combine(Path.GetTempPath(), $"compliance-hints-{Guid.NewGuid():N}");
    private readonly string _root;
    private readonly Policy _policy;
    private readonly StateStore _store;

    public ReconcilerHintTests()
    {
        _root = Path.Combine(_workspace, "tree");
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "approved"), "approved\n");
        File.WriteAllText(Path.Combine(_root, "unchanged"), "unchanged\n");
        _policy = Policy.ForPaths([_root]);
        _store = StateStore.Open(Path.Combine(_workspace, "state.db"));
        using var writer = _store.BeginBaseline(_policy, "linux", "test", "test baseline");
        foreach (var item in new Scanner(new LinuxFileTree(), _policy).Scan([]))
            writer.Add(item.Observed!);
        writer.Commit();
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_workspace, recursive: true);
    }

    [Fact]
    public void Paths_gone_with_nothing_approved_are_vanished_and_entries_found_as_approved_are_matched_neither_a_finding()
    {
        File.Delete(Path.Combine(_root, "approved"));
        File.WriteAllText(Path.Combine(_root, "new"), "new\n");
        var reconciler = new Reconciler(_store, new LinuxFileTree(), _policy);
        var hints = new[] { "approved", "new", "temporary", "unchanged" }
            .Select(name => new ChangeHint("test", DateTimeOffset.UtcNow, Path.Combine(_root, name), ChangeKind.Deleted))
            .ToList();

        var applied = reconciler.ApplyHints(hints, _store.StartRun("watch", "linux"));

        applied.Findings.Select(f => (f.Path, f.Kind)).Should().BeEquivalentTo(
            [(Path.Combine(_root, "approved"), DriftKind.Removed), (Path.Combine(_root, "new"), DriftKind.Added)]);
        applied.Vanished.Should().Equal(Path.Combine(_root, "temporary"));
        applied.Matched.Should().ContainSingle().Which.Path.Should().Be(Path.Combine(_root, "unchanged"));
    }

    [Fact]
    public void A_file_where_the_store_has_entries_below_clears_them()
    {
        // What fanotify may leave: a new directory's entries stored, the directory replaced by a file, and only the
        // directory's own name reported, because the handle of a deleted directory no longer opens.
        var directory = Path.Combine(_root, "var");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "x"), "x\n");
        var reconciler = new Reconciler(_store, new LinuxFileTree(), _policy);
        ChangeHint Created(string path) => new("test", DateTimeOffset.UtcNow, path, ChangeKind.Created);
        reconciler.ApplyHints([Created(directory)], _store.StartRun("watch", "linux"));
        _store.ObservedDrift().Select(row => row.Entry.Path).Should().Contain(Path.Combine(directory, "x"));

        Directory.Delete(directory, recursive: true);
        File.WriteAllText(directory, "now a file\n");
        var applied = reconciler.ApplyHints([Created(directory)], _store.StartRun("watch", "linux"));

        applied.Findings.Should().ContainSingle(f => f.Path == directory).Which.After!.Type.Should().Be(FileType.File);
        _store.ObservedDrift().Select(row => row.Entry.Path).Should().Equal(directory);
    }

    /// <summary>
    /// A watch may run under a --policy narrower than the recorded one: approved entries it does not select are not
    /// its to compare, and were reported removed, by its start's scan and by its hints alike.
    /// </summary>
    [Fact]
    public void Approved_entries_a_narrower_policy_does_not_select_are_neither_removed_nor_compared()
    {
        Directory.CreateDirectory(Path.Combine(_root, "a"));
        File.WriteAllText(Path.Combine(_root, "a", "inside"), "inside\n");
        using (var writer = _store.BeginBaseline(_policy, "linux", "test", "with a"))
        {
            foreach (var item in new Scanner(new LinuxFileTree(), _policy).Scan([]))
                writer.Add(item.Observed!);
            writer.Commit();
        }
        // Drift the recorded policy's check stored, outside the narrower one: not the narrower watch's to clear.
        File.AppendAllText(Path.Combine(_root, "approved"), "changed\n");
        new Reconciler(_store, new LinuxFileTree(), _policy).Scan("check", "scan");
        var narrower = Policy.ForPaths([Path.Combine(_root, "a")]);
        var reconciler = new Reconciler(_store, new LinuxFileTree(), narrower);
        File.AppendAllText(Path.Combine(_root, "a", "inside"), "changed\n");

        var findings = new List<Finding>();
        reconciler.Scan("check", "scan", onFinding: findings.Add);
        var applied = reconciler.ApplyHints(
            [new ChangeHint("test", DateTimeOffset.UtcNow, _root, ChangeKind.MetadataChanged), new ChangeHint("test", DateTimeOffset.UtcNow, Path.Combine(_root, "approved"), ChangeKind.Modified)],
            _store.StartRun("watch", "linux"));

        findings.Select(f => (f.Path, f.Kind)).Should().Equal((Path.Combine(_root, "a", "inside"), DriftKind.Content));
        applied.Findings.Should().OnlyContain(f => f.Path == Path.Combine(_root, "a", "inside") && f.Kind == DriftKind.Content,
            "the root and the file beside a are outside the narrower policy; the root's rescan finds a's change again");
        _store.ObservedDrift().Select(row => row.Entry.Path).Should().BeEquivalentTo(
            [Path.Combine(_root, "a", "inside"), Path.Combine(_root, "approved")], "what the recorded policy's check stored stays");
    }
}
