using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Scanning;
using Compliance.Linux;

namespace Compliance.Core.Tests.Scanning;

/// <summary>
/// Files that vanish or change while the scanner works on them. The tree is the real Linux filesystem; the only
/// addition is a hook that makes the race happen at a known moment instead of by chance.
/// </summary>
public sealed class ScannerRaceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scanner-race-" + Guid.NewGuid().ToString("n")[..8]);

    public ScannerRaceTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The real tree, with an action run just before a file's content is opened.</summary>
    private sealed class RacingTree(Action<string> beforeOpen) : IFileTree
    {
        private readonly LinuxFileTree _inner = new();

        public string Description => _inner.Description;
        public FileEntry? Stat(string path) => _inner.Stat(path);
        public IReadOnlyList<FileEntry> ReadDirectory(string path) => _inner.ReadDirectory(path);

        public Stream OpenContent(string path, FileEntry expected)
        {
            beforeOpen(path);
            return _inner.OpenContent(path, expected);
        }
    }

    private List<ScanItem> Scan(IFileTree tree) =>
        new Scanner(tree, Policy.ForPaths([_root])).Scan([]).ToList();

    [Fact]
    public void A_file_that_vanishes_before_it_is_read_is_simply_absent()
    {
        var doomed = Path.Combine(_root, "doomed");
        File.WriteAllText(doomed, "bye");
        File.WriteAllText(Path.Combine(_root, "stays"), "hi");

        var items = Scan(new RacingTree(path => { if (path == doomed) File.Delete(doomed); }));

        items.Select(i => i.Path).Should().NotContain(doomed);
        items.Single(i => i.Path.EndsWith("stays")).Observed!.Hashes.Should().ContainKey("blake3");
    }

    [Fact]
    public void A_file_that_keeps_changing_while_hashed_is_recorded_as_unstable()
    {
        var busy = Path.Combine(_root, "busy.log");
        File.WriteAllText(busy, "start");
        int opens = 0;

        var items = Scan(new RacingTree(path =>
        {
            if (path != busy)
                return;
            opens++;
            File.AppendAllText(busy, "+");
        }));

        var entry = items.Single(i => i.Path == busy).Observed!;
        entry.Error.Should().Be("changed while being hashed (4 attempts): unstable");
        opens.Should().Be(4, "the first attempt and three retries each open the file once");
        entry.Hashes.Should().BeEmpty("a hash of a moving target is not evidence");
    }

    [Fact]
    public void A_file_that_changes_once_is_hashed_again_and_recorded_with_its_final_content()
    {
        var edited = Path.Combine(_root, "edited");
        File.WriteAllText(edited, "v1");
        int opens = 0;

        var items = Scan(new RacingTree(path => { if (path == edited && opens++ == 0) File.WriteAllText(edited, "version 2"); }));

        var entry = items.Single(i => i.Path == edited).Observed!;
        entry.Error.Should().BeNull();
        entry.Size.Should().Be("version 2".Length);
        var expected = new byte[32];
        using (var hasher = Hashing.ContentHashAlgorithms.Get("blake3").CreateHasher())
        {
            hasher.Append("version 2"u8);
            hasher.FinishAndReset(expected);
        }
        entry.Hashes["blake3"].Should().Equal(expected);
    }

    [Fact]
    public void A_symlink_swapped_in_between_stat_and_open_is_not_followed()
    {
        var target = Path.Combine(_root, "target");
        File.WriteAllText(target, "t");
        var secret = Path.Combine(_root, "..", Path.GetFileName(_root) + "-outside");
        File.WriteAllText(secret, "outside the scope");
        try
        {
            var items = Scan(new RacingTree(path =>
            {
                if (path != target)
                    return;
                File.Delete(target);
                File.CreateSymbolicLink(target, secret);
            }));
            var entry = items.Single(i => i.Path == target).Observed!;
            entry.Type.Should().Be(FileType.Symlink, "the final state is a link, recorded as one");
            entry.Hashes.Should().BeEmpty();
        }
        finally
        {
            File.Delete(secret);
        }
    }
}
