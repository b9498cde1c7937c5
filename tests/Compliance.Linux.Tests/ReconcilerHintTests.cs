using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
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
}
