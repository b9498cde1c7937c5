using Compliance.Core.ChangeFeed;

namespace Compliance.Linux.Tests;

/// <summary>
/// Which hints inotify's events become: a file written as it is made is one hint, not one per event (IN_CREATE,
/// IN_MODIFY, IN_CLOSE_WRITE), yet nothing that happens after a hint is dropped. Real watches on a real directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InotifyHintTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"compliance-inotify-hints-{Guid.NewGuid():N}");

    public InotifyHintTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes a marker file and returns every hint that came before its own.</summary>
    private async Task<List<ChangeHint>> HintsUntilMarker(IAsyncEnumerator<ChangeSignal> signals, string marker)
    {
        var path = Path.Combine(_root, marker);
        await File.WriteAllTextAsync(path, "marker");
        var hints = new List<ChangeHint>();
        await SourceSignals.Next<ChangeHint>(signals, hint =>
        {
            hints.Add(hint);
            return hint.Path == path;
        });
        return hints.Where(hint => !hint.Path.EndsWith(marker, StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public async Task Files_written_as_they_are_made_give_about_one_hint_each()
    {
        await using var source = new InotifySource();
        await using var signals = await SourceSignals.Started(source, [_root]);
        const int files = 300;
        var paths = Enumerable.Range(0, files).Select(i => Path.Combine(_root, $"f{i:D3}")).ToList();
        foreach (var path in paths)
            await File.WriteAllBytesAsync(path, new byte[4096]);

        var hints = await HintsUntilMarker(signals, "marker");

        hints.Where(hint => hint.Kind == ChangeKind.Created).Select(hint => hint.Path).Should().BeEquivalentTo(paths, "every new file is hinted as made");
        hints.Count.Should().BeLessThan(2 * files, "a write and a close read together with the file's creation add nothing to its hint");
    }

    [Fact]
    public async Task Every_distinct_change_of_a_burst_is_hinted_in_order()
    {
        await using var source = new InotifySource();
        await using var signals = await SourceSignals.Started(source, [_root]);
        string At(string name) => Path.Combine(_root, name);
        File.WriteAllText(At("recreated"), "1");
        File.Delete(At("recreated"));
        File.WriteAllText(At("recreated"), "2");
        File.WriteAllText(At("old"), "1");
        File.Move(At("old"), At("renamed"));
        File.AppendAllText(At("renamed"), "2");
        File.WriteAllText(At("replaced"), "1");
        File.WriteAllText(At("replaced.tmp"), "2");
        File.Move(At("replaced.tmp"), At("replaced"), overwrite: true);
        File.AppendAllText(At("replaced"), "3");
        File.WriteAllText(At("chmodded"), "1");
        File.SetUnixFileMode(At("chmodded"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.AppendAllText(At("chmodded"), "2");

        var hints = await HintsUntilMarker(signals, "marker");

        IEnumerable<ChangeKind> Of(string name) => hints.Where(hint => hint.Path == At(name)).Select(hint => hint.Kind);
        Of("recreated").Should().ContainInOrder(ChangeKind.Created, ChangeKind.Deleted, ChangeKind.Created);
        Of("renamed").Should().ContainInOrder(ChangeKind.Renamed, ChangeKind.Modified);
        Of("replaced").Should().ContainInOrder(ChangeKind.Created, ChangeKind.Renamed, ChangeKind.Modified);
        Of("chmodded").Should().ContainInOrder(ChangeKind.Created, ChangeKind.MetadataChanged, ChangeKind.Modified);
    }

    [Fact]
    public async Task A_chmod_after_a_write_and_a_write_after_a_hint_are_hinted()
    {
        await using var source = new InotifySource();
        await using var signals = await SourceSignals.Started(source, [_root]);
        var path = Path.Combine(_root, "config");
        await File.WriteAllTextAsync(path, "one\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead);

        var burst = await HintsUntilMarker(signals, "marker1");
        burst.Where(hint => hint.Path == path).Select(hint => hint.Kind).Should().Contain(ChangeKind.MetadataChanged);

        await File.AppendAllTextAsync(path, "two\n");
        var later = await HintsUntilMarker(signals, "marker2");
        later.Where(hint => hint.Path == path).Select(hint => hint.Kind).Should().Contain(ChangeKind.Modified, "a write read after the file's hint is news");
    }
}
