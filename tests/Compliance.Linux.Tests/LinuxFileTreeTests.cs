using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Compliance.Core.Model;
using Compliance.Linux.Native;
using Compliance.Tests;

namespace Compliance.Linux.Tests;

/// <summary>
/// The live tree's two ways to examine an entry (by whole path, and by name within an open directory while a walk
/// reads it) must agree attribute for attribute, on a real directory holding every kind of entry.
/// </summary>
public sealed partial class LinuxFileTreeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "linux-tree-" + Guid.NewGuid().ToString("n")[..8]);
    private readonly LinuxFileTree _tree = new();

    public LinuxFileTreeTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "plain.txt"), "plain");
        File.WriteAllText(Path.Combine(_root, "tagged.txt"), "tagged");
        SetAttribute(Path.Combine(_root, "tagged.txt"), "user.compliance.owner", "payments team");
        SetAttribute(Path.Combine(_root, "tagged.txt"), "user.compliance.level", "3");
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "plain.txt");
        Process.Start("mkfifo", Path.Combine(_root, "pipe"))!.WaitForExit();
        // A name that is not UTF-8 (0xFF), created through the raw bytes.
        CreateRawName(Encoding.UTF8.GetBytes(_root + "/odd-").Concat(new byte[] { 0xFF }).ToArray());
    }

    // rm, since .NET cannot name the non-UTF-8 file to delete it.
    public void Dispose() => Process.Start("rm", ["-rf", _root])!.WaitForExit();

    [Fact]
    public void Reading_a_directory_gives_each_entry_exactly_as_stat_by_path_does()
    {
        var listed = _tree.ReadDirectory(_root);

        listed.Select(e => e.Path).Should().BeEquivalentTo(
            new[] { "sub", "plain.txt", "tagged.txt", "link", "pipe", "odd-" + EntryPath.FromBytes([0xFF]) }.Select(n => _root + "/" + n));
        foreach (var entry in listed)
            entry.Should().BeEquivalentTo(_tree.Stat(entry.Path), entry.Path);
        var byName = listed.ToDictionary(e => e.Path[(_root.Length + 1)..]);
        byName["sub"].Type.Should().Be(FileType.Directory);
        byName["pipe"].Type.Should().Be(FileType.Fifo);
        byName["link"].Type.Should().Be(FileType.Symlink);
        byName["link"].LinkTarget.Should().Be("plain.txt");
        byName["plain.txt"].Size.Should().Be(5);
        byName["plain.txt"].ExtendedAttributes.Should().BeEmpty();
        byName["tagged.txt"].ExtendedAttributes!.ToDictionary(a => a.Key, a => Encoding.UTF8.GetString(a.Value))
            .Should().Equal(new Dictionary<string, string> { ["user.compliance.level"] = "3", ["user.compliance.owner"] = "payments team" });
    }

    [Fact]
    public void A_large_directory_read_by_two_threads_gives_every_entry_once_as_stat_by_path_does()
    {
        // Large enough for the thread-pool helper to share the lookups, with entries of several kinds spread through it.
        var big = Path.Combine(_root, "big");
        Directory.CreateDirectory(big);
        for (int i = 0; i < 5000; i++)
        {
            var path = Path.Combine(big, $"f{i:D4}");
            if (i % 500 == 7)
                File.CreateSymbolicLink(path, "target");
            else if (i % 500 == 9)
                Directory.CreateDirectory(path);
            else
                File.WriteAllText(path, new string('x', i % 37));
        }

        for (int round = 0; round < 3; round++)
        {
            var listed = _tree.ReadDirectory(big);
            // Sorted and compared in order: an equivalence check of 5,000 items matches them pair by pair, for minutes.
            listed.Select(e => e.Path).Order(StringComparer.Ordinal).Should().Equal(Enumerable.Range(0, 5000).Select(i => $"{big}/f{i:D4}"));
            foreach (var entry in listed.Where((_, i) => i % 97 == 0))
                entry.Should().BeEquivalentTo(_tree.Stat(entry.Path), entry.Path);
            listed.Count(e => e.Type == FileType.Symlink).Should().Be(10);
            listed.Count(e => e.Type == FileType.Directory).Should().Be(10);
            foreach (var file in listed.Where(e => e.Type == FileType.File))
                file.Size.Should().Be(int.Parse(file.Path[^4..]) % 37, file.Path);
        }
    }

    [Fact]
    public void Extended_attributes_are_the_same_on_kernels_without_listxattrat()
    {
        var withListXattrAt = _tree.ReadDirectory(_root).Single(e => e.Path.EndsWith("tagged.txt"));
        try
        {
            LinuxFileTree.UseListXattrAt = false;
            var byPath = _tree.ReadDirectory(_root).Single(e => e.Path.EndsWith("tagged.txt"));
            byPath.ExtendedAttributes.Should().BeEquivalentTo(withListXattrAt.ExtendedAttributes);
            byPath.ExtendedAttributes.Should().HaveCount(2);
        }
        finally
        {
            LinuxFileTree.UseListXattrAt = true;
        }
    }

    /// <summary>
    /// A name whose whole path is longer than the kernel takes, in a directory that can still be listed: its attribute
    /// values were read by whole path, failed, and were dropped, so an added ACL or capability was no drift.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Extended_attributes_of_a_name_whose_whole_path_is_too_long_are_read(bool listXattrAt)
    {
        var deep = _root;
        while (deep.Length < 3800)
            deep = Path.Combine(deep, new string('d', 200));
        deep = Path.Combine(deep, new string('e', 4000 - deep.Length));   // 4,000 bytes: listable, with no room for the name
        Directory.CreateDirectory(deep);
        var name = new string('f', 250);
        // Created relative to its directory: no call takes the whole path.
        var shell = Process.Start("bash", ["-c", $"cd \"{deep}\" && touch {name} && setfattr -n user.compliance.owner -v payments {name}"])!;
        shell.WaitForExit();
        shell.ExitCode.Should().Be(0);
        try
        {
            LinuxFileTree.UseListXattrAt = listXattrAt;
            var entry = _tree.ReadDirectory(deep).Single();

            (entry.Path.Length > LibC.PathMax).Should().BeTrue();
            entry.Error.Should().BeNull();
            entry.ExtendedAttributes!.Keys.Should().Equal("user.compliance.owner");
        }
        finally
        {
            LinuxFileTree.UseListXattrAt = true;
        }
    }

    [Fact]
    public void Inode_flags_and_the_device_a_device_file_stands_for_are_read_alike_by_path_and_by_listing()
    {
        if (LibC.geteuid() != 0)
            return; // mknod and chattr +i need root; CI runs as root
        var log = Path.Combine(_root, "sub", "audit.log");
        var locked = Path.Combine(_root, "sub", "locked");
        File.WriteAllText(log, "line\n");
        File.WriteAllText(locked, "fixed");
        ExternalCommand.Run("chattr", "+a", log);
        ExternalCommand.Run("chattr", "+i", locked);
        ExternalCommand.Run("mknod", Path.Combine(_root, "sub", "null"), "c", "1", "3");
        try
        {
            var listed = _tree.ReadDirectory(Path.Combine(_root, "sub")).ToDictionary(e => Path.GetFileName(e.Path));
            foreach (var entry in listed.Values)
                entry.Should().BeEquivalentTo(_tree.Stat(entry.Path), entry.Path);
            listed["audit.log"].Flags.Should().Be(InodeFlags.AppendOnly);
            listed["locked"].Flags.Should().Be(InodeFlags.Immutable);
            listed["null"].Flags.Should().BeNull("no flag is set");
            listed["null"].SpecialDevice.Should().Be(LibC.MakeDevice(1, 3));
            listed["locked"].SpecialDevice.Should().BeNull("only device files stand for a device");
        }
        finally
        {
            ExternalCommand.Run("chattr", "-a", log);
            ExternalCommand.Run("chattr", "-i", locked);
        }
        _tree.Stat(log)!.Flags.Should().BeNull();
    }

    [Fact]
    public void A_symlink_to_a_directory_is_not_followed_when_read_as_one()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "elsewhere"), "/etc");

        var read = () => _tree.ReadDirectory(Path.Combine(_root, "elsewhere"));

        read.Should().Throw<IOException>();
    }

    [Fact]
    public void A_missing_directory_is_reported_as_not_found()
    {
        var read = () => _tree.ReadDirectory(Path.Combine(_root, "missing"));

        read.Should().Throw<DirectoryNotFoundException>();
    }

    [Fact]
    public void Reading_a_file_for_its_hash_or_a_directory_for_its_entries_leaves_its_access_time_as_it_was()
    {
        // Three days old: under relatime (how this machine mounts /) any read would bring it up to now.
        var path = Path.Combine(_root, "plain.txt");
        var directory = Path.Combine(_root, "sub");
        var accessed = DateTime.UtcNow.AddDays(-3);
        File.SetLastAccessTimeUtc(path, accessed);
        Directory.SetLastAccessTimeUtc(directory, accessed);

        using (var content = _tree.OpenContent(path, _tree.Stat(path)!))
            content.ReadExactly(new byte[5]);
        _tree.ReadDirectory(directory);

        File.GetLastAccessTimeUtc(path).Should().Be(accessed);
        Directory.GetLastAccessTimeUtc(directory).Should().Be(accessed);
    }

    private static void SetAttribute(string path, string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (lsetxattr(path, name, bytes, bytes.Length, 0) != 0)
            throw new IOException($"lsetxattr {path} {name}: errno {Marshal.GetLastPInvokeError()}");
    }

    private static void CreateRawName(byte[] path)
    {
        int fd = open([.. path, 0], 0x41 /* O_WRONLY | O_CREAT */, 0x1A4);
        if (fd < 0)
            throw new IOException($"open: errno {Marshal.GetLastPInvokeError()}");
        close(fd);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lsetxattr(string path, string name, byte[] value, nint size, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int open(byte[] path, int flags, int mode);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
