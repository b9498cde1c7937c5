using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;
using Compliance.Linux;

namespace Compliance.Core.Tests.Scanning;

/// <summary>
/// A scan leaves out walked entries whose fingerprint equals their baseline entry's. On a real directory: what it
/// leaves out is exactly what matches, every change still comes back, and rehashing turns the shortcut off.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScannerUnchangedTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scanner-unchanged-" + Guid.NewGuid().ToString("n")[..8]);
    private readonly Policy _policy;

    public ScannerUnchangedTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        for (int i = 0; i < 20; i++)
            File.WriteAllText(Path.Combine(_root, i % 2 == 0 ? "sub" : "", $"f{i}"), $"content {i}");
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "f1");
        _policy = Policy.ForPaths([_root]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private List<FileEntry> Baseline() =>
        new Scanner(new LinuxFileTree(), _policy, new ScanOptions { RehashAll = true }).Scan([])
            .Select(item => item.Observed!)
            .OrderBy(entry => entry.Path, Comparer<string>.Create(EntryPath.CompareWalkOrder))
            .ToList();

    private static List<ScanItem> Check(Scanner scanner, List<FileEntry> baseline) =>
        scanner.Scan(baseline).OrderBy(item => item.Path, StringComparer.Ordinal).ToList();

    [Fact]
    public void An_unchanged_tree_returns_no_items_but_counts_every_entry()
    {
        var baseline = Baseline();
        baseline.Should().HaveCount(23);
        var scanner = new Scanner(new LinuxFileTree(), _policy);

        Check(scanner, baseline).Should().BeEmpty();
        scanner.Counters.Entries.Should().Be(23);
        scanner.Counters.FilesHashed.Should().Be(0);
    }

    [Fact]
    public void Each_kind_of_change_still_comes_back_with_its_baseline_entry()
    {
        var baseline = Baseline();
        File.SetUnixFileMode(Path.Combine(_root, "f1"), UnixFileMode.UserRead);
        File.AppendAllText(Path.Combine(_root, "sub", "f2"), "!");
        File.Delete(Path.Combine(_root, "f3"));
        File.WriteAllText(Path.Combine(_root, "new"), "n");
        File.Delete(Path.Combine(_root, "link"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "f5");

        var items = Check(new Scanner(new LinuxFileTree(), _policy), baseline);

        // The directory whose entries changed changed too (mtime, ctime); nothing else comes back.
        var findings = items.Select(item => (item.Path[_root.Length..], EntryComparer.Compare(item.Baseline, item.Observed, item.Category)?.Kind)).ToList();
        findings.Should().BeEquivalentTo(new (string, DriftKind?)[]
        {
            ("", DriftKind.Metadata),
            ("/f1", DriftKind.Metadata),
            ("/sub/f2", DriftKind.Content),
            ("/f3", DriftKind.Removed),
            ("/new", DriftKind.Added),
            ("/link", DriftKind.Metadata),
        });
        items.Where(item => item.Observed is not null && item.Path != _root + "/new").Should().OnlyContain(item => item.Baseline != null);
    }

    [Fact]
    public void Rehashing_every_file_returns_every_entry_and_hashes_every_file()
    {
        var baseline = Baseline();
        var scanner = new Scanner(new LinuxFileTree(), _policy, new ScanOptions { RehashAll = true });

        var items = Check(scanner, baseline);

        items.Should().HaveCount(23).And.OnlyContain(item => item.Baseline != null && item.Observed != null);
        scanner.Counters.FilesHashed.Should().Be(20);
        items.Select(item => EntryComparer.Compare(item.Baseline, item.Observed, item.Category)).Should().OnlyContain(finding => finding == null);
    }
}
