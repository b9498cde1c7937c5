using Compliance.Core.Policies;
using Compliance.Core.Model;

namespace Compliance.Core.Tests.Scanning;

public sealed class EntryPathTests
{
    [Fact]
    public void Any_byte_sequence_round_trips()
    {
        var random = new Random(1234);
        for (int i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(1, 24)];
            random.NextBytes(bytes);
            for (int b = 0; b < bytes.Length; b++)
            {
                if (bytes[b] == 0)
                    bytes[b] = (byte)'/';
            }
            EntryPath.ToBytes(EntryPath.FromBytes(bytes)).Should().Equal(bytes);
        }
    }

    [Theory]
    [InlineData("/etc", "/etc/a", -1)]
    [InlineData("/etc/z", "/etc-a", -1)]
    [InlineData("/etc/z/y", "/etc/za", -1)]
    [InlineData("/a/\u00e9", "/a/z", 1)]
    [InlineData("/a/\U0001F600", "/a/\uFFFD", 1)]
    public void Walk_order_is_byte_order_with_the_separator_lowest(string a, string b, int expected)
    {
        Math.Sign(EntryPath.CompareWalkOrder(a, b)).Should().Be(expected);
        Math.Sign(EntryPath.SortKey(a).AsSpan().SequenceCompareTo(EntryPath.SortKey(b))).Should().Be(expected);
    }

    [Fact]
    public void Escaped_bytes_are_lone_surrogates_and_pairs_are_characters()
    {
        // Built in code: attribute arguments are stored as UTF-8, which cannot hold a lone surrogate.
        var cases = new (string Path, bool Escaped)[]
        {
            ("/usr/share/doc", false),
            ("/a/\U0001F600/b", false),
            ("/a/\uDCFF", true),
            ("/a/\U0001F600\uDC80", true),
            ("/a/\uD83D", true),
            ("/a/\uDE00/\U0001F600", true),
        };
        foreach (var (path, escaped) in cases)
            EntryPath.HasEscapedBytes(path).Should().Be(escaped, EntryPath.ToDisplay(path));
    }

    [Fact]
    public void Display_escapes_only_stray_bytes()
    {
        EntryPath.ToDisplay(EntryPath.FromBytes([(byte)'a', 0xFF, (byte)'b'])).Should().Be("a\\xffb");
        EntryPath.ToDisplay("/tmp/\u65e5\u672c").Should().Be("/tmp/\u65e5\u672c");
    }

    /// <summary>
    /// Two names must never be shown alike: a byte 0xFF and the four characters "\xff" looked the same, and an added
    /// "pass" + U+200B + "wd" was drawn as "passwd". Each display also reads back, as a policy pattern, as exactly its name.
    /// </summary>
    [Fact]
    public void Names_that_differ_are_shown_differently_and_each_display_is_a_pattern_for_its_name()
    {
        var cases = new (string Name, string Shown)[]
        {
            ("/d/a\\xff", @"/d/a\\xff"),
            (EntryPath.FromBytes([(byte)'/', (byte)'d', (byte)'/', (byte)'a', 0xFF]), @"/d/a\xff"),
            ("/etc/pass\u200Bwd", "/etc/pass\\u200bwd"),
            ("/etc/x\u202Egnp.exe", "/etc/x\\u202egnp.exe"),
            ("/etc/soft\u00ADhyphen and\u00A0space", "/etc/soft\\u00adhyphen and\\u00a0space"),
            ("/etc/tag\U000E0041", "/etc/tag\\udb40\\udc41"),
            ("/etc/caf\u00e9 \U0001F600", "/etc/caf\u00e9 \U0001F600"),
        };
        foreach (var (name, shown) in cases)
        {
            EntryPath.ToDisplay(name).Should().Be(shown);
            var pattern = PathPattern.Parse(shown);
            pattern.Matches(name).Should().BeTrue(shown);
            cases.Where(other => other.Name != name).Should().NotContain(other => pattern.Matches(other.Name), shown);
        }
    }

    [Fact]
    public void The_root_of_a_relative_tree_is_shown_as_a_slash_but_empty_text_stays_empty()
    {
        EntryPath.ToDisplay("").Should().Be("/");
        EntryPath.ToDisplayText("").Should().BeEmpty("a symlink's target is not an entry's path");
        EntryPath.ToDisplayText(EntryPath.FromBytes([(byte)'a', 0xFF])).Should().Be("a\\xff");
    }

    [Fact]
    public void A_display_line_shows_line_breaks_in_names_instead_of_breaking_the_line()
    {
        EntryPath.ToDisplayLine("/tmp/a\nmodified  /etc/shadow").Should().Be("/tmp/a\\nmodified  /etc/shadow");
        EntryPath.ToDisplayLine(EntryPath.FromBytes([(byte)'a', 0xFF, 9])).Should().Be("a\\xff\\t");
        EntryPath.ToDisplayLine("").Should().Be("/");
        EntryPath.ToDisplayLine("", isPath: false).Should().BeEmpty();
    }
}
