namespace Compliance.Ntfs.Tests;

/// <summary>Which names of an entry become rows: the Win32 name wins over its DOS 8.3 alias, hard links all count.</summary>
public class FileNameTests
{
    private static readonly FileReference Docs = new(64, 1);
    private static readonly FileReference Other = new(65, 1);

    private static MftEntry EntryWith(params (string Name, FileNameNamespace Space, FileReference Parent)[] names)
    {
        var entry = new MftEntry(100, new MftRecordHeader(1, (ushort)names.Length, 56, true, false, 400, default));
        foreach (var (name, space, parent) in names)
            entry.FileNames.Add(new FileName(parent, name, space, 0, 0, 0, 0, 0));
        return entry;
    }

    [Fact]
    public void A_dos_alias_beside_a_win32_name_is_not_a_row()
    {
        var entry = EntryWith(("LONGFI~1.TXT", FileNameNamespace.Dos, Docs), ("long file name.txt", FileNameNamespace.Win32, Docs));
        entry.VisibleNames().Select(n => n.Name).Should().Equal("long file name.txt");
    }

    [Fact]
    public void A_dos_name_alone_in_its_directory_is_kept()
    {
        var entry = EntryWith(("LONGFI~1.TXT", FileNameNamespace.Win32, Docs), ("SHORT.TXT", FileNameNamespace.Dos, Other));
        entry.VisibleNames().Select(n => n.Name).Should().Equal("LONGFI~1.TXT", "SHORT.TXT");
    }

    [Fact]
    public void Hard_links_in_posix_and_combined_namespaces_are_all_rows()
    {
        var entry = EntryWith(("a.txt", FileNameNamespace.Posix, Docs), ("B.TXT", FileNameNamespace.Win32AndDos, Other), ("c", FileNameNamespace.Posix, Other));
        entry.VisibleNames().Select(n => n.Name).Should().Equal("a.txt", "B.TXT", "c");
    }
}
