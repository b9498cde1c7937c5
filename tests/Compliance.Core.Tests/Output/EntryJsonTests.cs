using System.Text.Json;
using Compliance.Core.Model;
using Compliance.Core.Output;

namespace Compliance.Core.Tests.Output;

/// <summary>
/// ToJson reuses one writer per thread; each call must still give exactly its own document. Paths keep every byte,
/// and a relative tree's root has a name.
/// </summary>
public sealed class EntryJsonTests
{
    private static FileEntry Entry(string path, long size) => new() { Path = path, Type = FileType.File, Size = size, Mode = 0x1A4 };

    [Fact]
    public void Consecutive_documents_share_nothing()
    {
        var long1 = EntryJson.ToJson(w => EntryJson.WriteEntry(w, Entry("/etc/" + new string('x', 3000), 1)));
        var short2 = EntryJson.ToJson(w => EntryJson.WriteEntry(w, Entry("/a", 22)));

        JsonDocument.Parse(long1).RootElement.GetProperty("path").GetString().Should().HaveLength(3005);
        var second = JsonDocument.Parse(short2).RootElement;
        second.GetProperty("path").GetString().Should().Be("/a");
        second.GetProperty("size").GetString().Should().Be("22");
        short2.Should().NotContain("xxx");
    }

    [Fact]
    public void A_document_written_while_writing_another_is_its_own()
    {
        string? inner = null;
        var outer = EntryJson.ToJson(w =>
        {
            w.WriteStartObject();
            inner = EntryJson.ToJson(v => EntryJson.WriteEntry(v, Entry("/inner", 1)));
            w.WriteString("nested", inner);
            w.WriteEndObject();
        });

        JsonDocument.Parse(inner!).RootElement.GetProperty("path").GetString().Should().Be("/inner");
        JsonDocument.Parse(outer).RootElement.GetProperty("nested").GetString().Should().Be(inner);
    }

    [Fact]
    public void A_writer_that_failed_midway_leaves_nothing_behind()
    {
        var failing = () => EntryJson.ToJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("half", "written");
            throw new InvalidOperationException("stop");
        });
        failing.Should().Throw<InvalidOperationException>();

        var next = EntryJson.ToJson(w => EntryJson.WriteEntry(w, Entry("/b", 3)));

        next.Should().StartWith("{\"path\":\"/b\"");
        JsonDocument.Parse(next).RootElement.GetProperty("size").GetString().Should().Be("3");
    }

    [Fact]
    public void Indented_and_compact_layouts_stay_apart()
    {
        var indented = EntryJson.ToJson(w => EntryJson.WriteEntry(w, Entry("/c", 4)), indented: true);
        var compact = EntryJson.ToJson(w => EntryJson.WriteEntry(w, Entry("/c", 4)));

        indented.Should().Contain("\n");
        compact.Should().NotContain("\n");
        JsonDocument.Parse(indented).RootElement.GetRawText().Replace(" ", "").Replace("\n", "")
            .Should().Be(compact);
    }

    [Fact]
    public void The_root_of_a_relative_tree_is_written_as_a_slash_and_a_target_as_it_is()
    {
        var root = new FileEntry { Path = "", Type = FileType.Directory };
        JsonDocument.Parse(EntryJson.ToJson(w => EntryJson.WriteEntry(w, root))).RootElement.GetProperty("path").GetString().Should().Be("/");

        var link = new FileEntry { Path = "links/odd", Type = FileType.Symlink, LinkTarget = "" };
        JsonDocument.Parse(EntryJson.ToJson(w => EntryJson.WriteEntry(w, link))).RootElement.GetProperty("target").GetString().Should().BeEmpty();
    }
}
