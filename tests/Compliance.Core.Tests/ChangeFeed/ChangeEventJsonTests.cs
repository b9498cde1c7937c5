using System.Text.Json;
using Compliance.Core.ChangeFeed;
using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.Tests.ChangeFeed;

/// <summary>The `watch --events` lines: one JSON object a line, with the keys the issue names.</summary>
public sealed class ChangeEventJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 9, 30, 1, TimeSpan.FromHours(1));

    private static FileEntry Hashed(string path, params (string Algorithm, byte Fill)[] hashes)
    {
        var entry = new FileEntry { Path = path, Type = FileType.File, Size = 4, Mode = 0x1a4 };
        foreach (var (algorithm, fill) in hashes)
            entry.Hashes[algorithm] = Enumerable.Repeat(fill, 32).ToArray();
        return entry;
    }

    private static List<JsonElement> Lines(Action<ChangeEventJson> write)
    {
        using var output = new MemoryStream();
        using (var events = new ChangeEventJson(output))
            write(events);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        text.Should().EndWith("\n");
        return text.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    [Fact]
    public void A_content_change_carries_both_hashes_the_process_and_the_time_in_utc()
    {
        var line = Lines(events => events.Committed([new Finding
        {
            Path = "/etc/app.conf",
            Kind = DriftKind.Content,
            Attributes = ["size", "blake3"],
            Before = Hashed("/etc/app.conf", ("blake3", 0xaa), ("sha256", 0x11)),
            After = Hashed("/etc/app.conf", ("sha256", 0x22), ("blake3", 0xbb)),
            Source = "fanotify",
            ProcessId = 4242,
            ProcessPath = "/usr/bin/vi",
            ObservedAt = At.AddTicks(1234567),
        }])).Should().ContainSingle().Subject;

        line.GetProperty("time").GetString().Should().Be("2026-11-29T08:30:01.1234567Z");
        line.GetProperty("path").GetString().Should().Be("/etc/app.conf");
        line.GetProperty("kind").GetString().Should().Be("content");
        line.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()).Should().Equal("size", "blake3");
        // Both sides have both algorithms: the first of the old side's, in the entry's (sorted) order.
        line.GetProperty("old_hash").GetString().Should().Be("blake3:" + new string('a', 64));
        line.GetProperty("new_hash").GetString().Should().Be("blake3:" + new string('b', 64));
        line.GetProperty("pid").GetInt32().Should().Be(4242);
        line.GetProperty("exe").GetString().Should().Be("/usr/bin/vi");
        line.GetProperty("source").GetString().Should().Be("fanotify");
    }

    [Fact]
    public void Drift_gone_is_a_resolved_line_with_the_process_and_the_paths_category()
    {
        var lines = Lines(events => events.Resolved([
            new Resolution("/etc/app.conf", "fanotify") { Category = "config", Severity = Compliance.Core.Policies.Severity.High, ProcessId = 77, ProcessPath = "/usr/bin/cp", ObservedAt = At },
            new Resolution("/gone/elsewhere", "rescan"),
        ]));

        lines.Should().HaveCount(2);
        lines[0].GetProperty("time").GetString().Should().Be("2026-11-29T08:30:01.0000000Z");
        lines[0].GetProperty("path").GetString().Should().Be("/etc/app.conf");
        lines[0].GetProperty("kind").GetString().Should().Be("resolved");
        lines[0].GetProperty("pid").GetInt32().Should().Be(77);
        lines[0].GetProperty("exe").GetString().Should().Be("/usr/bin/cp");
        lines[0].GetProperty("source").GetString().Should().Be("fanotify");
        lines[0].GetProperty("category").GetString().Should().Be("config");
        lines[0].GetProperty("severity").GetString().Should().Be("high");
        lines[1].GetProperty("source").GetString().Should().Be("rescan");
        lines[1].TryGetProperty("pid", out _).Should().BeFalse();
        lines[1].TryGetProperty("category", out _).Should().BeFalse("a path the policy no longer covers has no category");
    }

    [Fact]
    public void Hashes_are_compared_in_an_algorithm_both_sides_have_and_a_missing_side_is_null()
    {
        var lines = Lines(events => events.Committed([
            new Finding
            {
                Path = "/a",
                Kind = DriftKind.Content,
                Before = Hashed("/a", ("blake3", 0x01), ("sha256", 0x02)),
                After = Hashed("/a", ("sha256", 0x03)),
            },
            new Finding { Path = "/b", Kind = DriftKind.Added, After = Hashed("/b", ("sha256", 0x04)) },
            new Finding { Path = "/c", Kind = DriftKind.Removed, Before = Hashed("/c", ("blake3", 0x05)) },
        ]));

        lines.Should().HaveCount(3);
        lines[0].GetProperty("old_hash").GetString().Should().Be("sha256:" + string.Concat(Enumerable.Repeat("02", 32)));
        lines[0].GetProperty("new_hash").GetString().Should().Be("sha256:" + string.Concat(Enumerable.Repeat("03", 32)));
        lines[1].GetProperty("old_hash").ValueKind.Should().Be(JsonValueKind.Null);
        lines[1].GetProperty("new_hash").GetString().Should().Be("sha256:" + string.Concat(Enumerable.Repeat("04", 32)));
        lines[2].GetProperty("old_hash").GetString().Should().Be("blake3:" + string.Concat(Enumerable.Repeat("05", 32)));
        lines[2].GetProperty("new_hash").ValueKind.Should().Be(JsonValueKind.Null);
        lines[1].TryGetProperty("pid", out _).Should().BeFalse("no process is known");
    }

    [Fact]
    public void A_gap_is_a_line_of_kind_gap_with_its_scope_and_reason()
    {
        var line = Lines(events => events.Gap(new GapSignal("fanotify", At, "", GapReason.Overflow, "queue overflowed")))
            .Should().ContainSingle().Subject;

        line.GetProperty("time").GetString().Should().Be("2026-11-29T08:30:01.0000000Z");
        line.GetProperty("kind").GetString().Should().Be("gap");
        line.GetProperty("scope").GetString().Should().Be("/");
        line.GetProperty("reason").GetString().Should().Be("overflow");
        line.GetProperty("source").GetString().Should().Be("fanotify");
    }
}
