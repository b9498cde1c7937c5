using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

public class PathPatternTests
{
    [Theory]
    // A bare path: the path and everything beneath it.
    [InlineData("/etc", "/etc", true)]
    [InlineData("/etc", "/etc/passwd", true)]
    [InlineData("/etc", "/etc/ssh/sshd_config", true)]
    [InlineData("/etc", "/etcetera", false)]
    [InlineData("/etc/passwd", "/etc/passwd", true)]
    [InlineData("/etc/passwd", "/etc/passwd-", false)]
    [InlineData("/", "/anything/at/all", true)]
    // A leading '/' is ignored on both sides; repeated and trailing separators normalise.
    [InlineData("/Windows/System32/**", "Windows/System32/drivers/x.sys", true)]
    [InlineData("Windows/System32/**", "/Windows/System32/drivers/x.sys", true)]
    [InlineData("/usr//bin/", "usr/bin//ls/", true)]
    // Case-sensitive.
    [InlineData("/Windows/System32/**", "windows/system32/x", false)]
    // osquery: % is one level, %% everything beneath, %abc / abc% partial names, trailing / the entries.
    [InlineData("/Users/%/Library", "/Users/alice/Library", true)]
    [InlineData("/Users/%/Library", "/Users/alice/Library/Prefs", false)]
    [InlineData("/Users/%/Library/", "/Users/alice/Library/Prefs", true)]
    [InlineData("/Users/%/Library/", "/Users/alice/Library/Prefs/x.plist", false)]
    [InlineData("/Users/%/Library/", "/Users/alice/Library", false)]
    [InlineData("/Users/%/Library/%", "/Users/alice/Library/Prefs", true)]
    [InlineData("/Users/%/Library/%%", "/Users/alice/Library/Prefs/x.plist", true)]
    [InlineData("/Users/%/Library/%%", "/Users/alice/Library", false)]
    [InlineData("/bin/%sh", "/bin/bash", true)]
    [InlineData("/bin/%sh", "/bin/bash.old", false)]
    [InlineData("/bin/%sh", "/bin/x/zsh", false)]
    [InlineData("/var/log/auth%", "/var/log/auth.log.1", true)]
    [InlineData("/home/%/.ssh/%%", "/home/bob/.ssh/authorized_keys", true)]
    [InlineData("/home/%/.ssh/%%", "/home/bob/.ssh/keys/id_ed25519", true)]
    [InlineData("/home/%/.ssh/%%", "/home/bob/.sshx/id", false)]
    [InlineData("/home/%/.ssh/%%", "/home/bob/x/.ssh/id", false)]
    [InlineData("/etc/", "/etc/passwd", true)]
    [InlineData("/etc/", "/etc/ssh/sshd_config", false)]
    // Shell globs: * and ? within one name, classes, ** as zero or more whole segments.
    [InlineData("/etc/*.conf", "/etc/host.conf", true)]
    [InlineData("/etc/*.conf", "/etc/a/host.conf", false)]
    [InlineData("/etc/*", "/etc/.hidden", true)]
    [InlineData("/dev/tty?", "/dev/tty1", true)]
    [InlineData("/dev/tty?", "/dev/tty12", false)]
    [InlineData("/dev/sd[a-c]", "/dev/sdb", true)]
    [InlineData("/dev/sd[a-c]", "/dev/sdd", false)]
    [InlineData("/dev/sd[!a-c]", "/dev/sdd", true)]
    [InlineData("/dev/sd[!a-c]", "/dev/sda", false)]
    [InlineData("/x/[]]", "/x/]", true)]
    [InlineData("/usr/**", "/usr", true)]
    [InlineData("/usr/**", "/usr/lib/x/y.so", true)]
    [InlineData("/usr/**/bin/*", "/usr/bin/ls", true)]
    [InlineData("/usr/**/bin/*", "/usr/local/share/bin/ls", true)]
    [InlineData("/usr/**/bin/*", "/usr/local/bin", false)]
    [InlineData("/**/*.so", "/lib/x86_64/libc.so", true)]
    [InlineData("/a/*b*c", "/a/xbyybzc", true)]
    [InlineData("/a/*b*c", "/a/xbyybzcd", false)]
    // A name with no '/' matches the last name at any depth.
    [InlineData("*.swp", "/etc/.passwd.swp", true)]
    [InlineData("*.swp", "/etc/swp/passwd", false)]
    // A supplementary character is one character.
    [InlineData("/x/?", "/x/\U0001F600", true)]
    [InlineData("/x/??", "/x/\U0001F600", false)]
    public void Matches(string pattern, string path, bool expected) =>
        PathPattern.Parse(pattern).Matches(path).Should().Be(expected);

    [Theory]
    [InlineData("/var/cache", "/var/cache/apt/x", true)]
    [InlineData("/var/cache/", "/var/cache/apt/x", true)]
    [InlineData("/var/cache/", "/var/cache", false)]
    [InlineData("/etc/*.d", "/etc/cron.d/job", true)]
    [InlineData("/etc/*.d", "/etc/cron.daily", false)]
    [InlineData(".git", "/srv/repo/.git/objects/ab", true)]
    [InlineData("*.swp", "/etc/x.swp", true)]
    [InlineData("*.swp", "/etc/x.swpx", false)]
    public void Excludes_covers_the_match_and_its_subtree(string pattern, string path, bool expected) =>
        PathPattern.Parse(pattern).Excludes(path).Should().Be(expected);

    [Theory]
    [InlineData("/usr/bin/**", "/usr/bin")]
    [InlineData("/usr/bin/", "/usr/bin")]
    [InlineData("/usr/bin/%%", "/usr/bin")]
    [InlineData("/etc/ssh/sshd_config", "/etc/ssh/sshd_config")]
    [InlineData("/home/%/.ssh/%%", "/home")]
    [InlineData("/etc/pass?d", "/etc")]
    [InlineData("/%/x", "/")]
    [InlineData("%/x", "")]
    [InlineData("Windows//System32/config/*", "Windows/System32/config")]
    [InlineData("/", "/")]
    public void Root_is_the_literal_directory_prefix(string pattern, string root) =>
        PathPattern.Parse(pattern).Root.Should().Be(root);

    [Theory]
    [InlineData("/usr/**", "/usr/lib", true)]
    [InlineData("/usr/**", "/var", false)]
    [InlineData("/usr/bin/", "/usr", true)]
    [InlineData("/usr/bin/", "/usr/bin", true)]
    [InlineData("/usr/bin/", "/usr/bin/x", false)]
    [InlineData("/etc/passwd", "/etc/passwd", true)]
    [InlineData("/etc/passwd", "/etc", true)]
    [InlineData("/etc/passwd", "/etc/shadow", false)]
    [InlineData("/home/%/.ssh/%%", "/home/bob", true)]
    [InlineData("/home/%/.ssh/%%", "/home/bob/Documents", false)]
    [InlineData("/home/%/.ssh/%%", "/home/bob/.ssh/keys", true)]
    [InlineData("/etc/*.conf", "/etc/x", false)]
    [InlineData("/**/*.so", "/deep/down/below", true)]
    public void MayMatchBelow_prunes_only_dead_subtrees(string pattern, string directory, bool expected) =>
        PathPattern.Parse(pattern).MayMatchBelow(directory).Should().Be(expected);

    [Theory]
    [InlineData("/usr/bin/ls", "/usr/bin", true)]
    [InlineData("usr/bin", "/usr/bin/", true)]
    [InlineData("/usr/binary", "/usr/bin", false)]
    [InlineData("/usr", "/usr/bin", false)]
    [InlineData("anything", "/", true)]
    [InlineData("anything", "", true)]
    public void IsSameOrBelow_compares_whole_segments(string path, string ancestor, bool expected) =>
        PathPattern.IsSameOrBelow(path, ancestor).Should().Be(expected);

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("/var/%%/log", 5, "only as the last segment")]
    [InlineData("/var/log%%", 8, "whole segment")]
    [InlineData("/usr/a**", 6, "whole segment")]
    [InlineData("/dev/sd[ab", 7, "no closing ']'")]
    [InlineData("/dev/sd[z-a]", 8, "reversed")]
    [InlineData("C:\\Windows", 2, "paths use '/'")]
    [InlineData("/x/\\x41", 3, "80 to FF")]
    [InlineData("/x/\\u002f", 3, "a UTF-16 code unit")]
    [InlineData("/x/\\xZZ", 3, "\\xHH")]
    [InlineData("**", 0, "need a directory")]
    public void Parse_reports_the_column_of_the_problem(string pattern, int column, string problem)
    {
        var act = () => PathPattern.Parse(pattern);
        var error = act.Should().Throw<PolicyPatternException>().Which;
        error.Column.Should().Be(column);
        error.Problem.Should().Contain(problem);
        error.Kind.Should().Be(FailureKind.Usage);
    }

    // Built in code: attribute arguments cannot carry lone surrogates, which is how escaped bytes appear in paths.
    [Fact]
    public void Escaped_bytes_are_one_character_each()
    {
        string escaped = "a" + (char)0xDC80 + "b";
        PathPattern.Parse("/x/a?b").Matches("/x/" + escaped).Should().BeTrue();
        PathPattern.Parse("/x/a??b").Matches("/x/" + escaped).Should().BeFalse();
        PathPattern.Parse("/x/" + escaped).Matches("/x/" + escaped + "/c").Should().BeTrue();
        PathPattern.Parse("/x/[" + (char)0xDC80 + "]").Matches("/x/" + (char)0xDC80).Should().BeTrue();
        PathPattern.Parse("/x/*").Matches("/x/" + (char)0xDCFF + (char)0xD800).Should().BeTrue();
    }

    [Fact]
    public void Escapes_written_like_EntryPath_ToDisplay_match_escaped_bytes_and_surrogates()
    {
        string escaped = "/x/a" + (char)0xDCFF + "b";
        PathPattern.Parse("/x/a\\xFFb").Matches(escaped).Should().BeTrue();
        PathPattern.Parse("/x/a\\xffb").Root.Should().Be(escaped);
        PathPattern.Parse("/x/\\uD800").Matches("/x/" + (char)0xD800).Should().BeTrue();
    }

    [Theory]
    [InlineData("/var/log")]
    [InlineData("/data/a*b?c[d]%e\\f")]
    [InlineData("relative")]
    [InlineData("/x/\U0001F600")]
    public void EscapeLiteral_gives_a_bare_path_selecting_the_path_and_its_subtree(string path)
    {
        var pattern = PathPattern.Parse(PathPattern.EscapeLiteral(path));
        pattern.IsBasename.Should().BeFalse();
        pattern.Matches(path).Should().BeTrue();
        pattern.Matches(path + "/child").Should().BeTrue();
        pattern.Matches(path + "x").Should().BeFalse();
        pattern.Root.TrimStart('/').Should().Be(path.TrimStart('/'));
    }

    [Fact]
    public void EscapeLiteral_writes_escaped_bytes_as_hex()
    {
        string path = "/srv/" + (char)0xDC80 + "/" + (char)0xDBFF;
        PathPattern.EscapeLiteral(path).Should().Be("/srv/\\x80/\\uDBFF");
        PathPattern.Parse(PathPattern.EscapeLiteral(path)).Matches(path).Should().BeTrue();
    }

    [Fact]
    public void A_name_without_slash_is_a_basename_pattern()
    {
        PathPattern.Parse("*.swp").IsBasename.Should().BeTrue();
        PathPattern.Parse("/*.swp").IsBasename.Should().BeFalse();
    }
}
