namespace Compliance.Cli.Tests;

/// <summary>What a command says about the inputs it was given: one line, what is wrong and what to do, the documented exit code.</summary>
public sealed class InputErrorTests
{
    private static void ShouldBeOneLine(CliRunner.Result result, int exitCode, string saying)
    {
        result.ExitCode.Should().Be(exitCode, result.Stderr);
        result.Stderr.TrimEnd().Should().NotContain("\n").And.Contain(saying);
    }

    /// <summary>
    /// A directory as --db was "no database ... run baseline first" (check) or SQLite's "Error 14: unable to open
    /// database file" (baseline); a file as --root "no such directory".
    /// </summary>
    [Fact]
    public void A_directory_as_the_database_and_a_file_as_the_root_are_named_as_what_they_are()
    {
        using var dir = new TempDir();
        var file = dir.Write("tree/f", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "d.db").ExitCode.Should().Be(0);

        ShouldBeOneLine(CliRunner.Run(dir.Path, "check", "--db", "tree"), 2, "tree is a directory, not a database");
        ShouldBeOneLine(CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "tree"), 2, "tree is a directory, not a database");
        ShouldBeOneLine(CliRunner.Run(dir.Path, "gate", "--baseline", "d.db", "--root", file), 2, $"--root {file} is a file, not a directory");
    }

    /// <summary>A database in a directory this user cannot write was SQLite's bare "Error 14: unable to open database file".</summary>
    [Fact]
    public void A_database_in_a_directory_this_user_cannot_write_says_so()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "a");
        var asUser = Unprivileged.Configure(dir.Path);
        Directory.CreateDirectory(dir.Combine("ro"));
        if (asUser is not null)
            Compliance.Tests.ExternalCommand.Run("chown", "0:0", dir.Combine("ro"));
        else
            File.SetUnixFileMode(dir.Combine("ro"), UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var result = CliRunner.Run(dir.Path, asUser, "baseline", dir.Combine("tree"), "--db", dir.Combine("ro", "state.db"));

        ShouldBeOneLine(result, 3, $"let this user write that directory");
        result.Stderr.Should().NotContain("SQLite Error");
    }

    /// <summary>An unprivileged watch asked for fanotify said it was watching with fanotify, then failed for lack of privileges (review S).</summary>
    [Fact]
    public void A_watch_that_cannot_use_fanotify_says_so_before_saying_it_watches()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "a");
        var asUser = Unprivileged.Configure(dir.Path);
        string db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, asUser, "baseline", dir.Combine("tree"), "--db", db).ExitCode.Should().Be(0);

        var watch = CliRunner.Run(dir.Path, asUser, "watch", "--db", db, "--source", "fanotify");

        ShouldBeOneLine(watch, 3, "fanotify needs CAP_SYS_ADMIN (run as root), or use --source inotify");
    }

    /// <summary>report --out into a missing directory was .NET's "Could not find a part of the path"; gate and baseline make theirs.</summary>
    [Fact]
    public void A_report_into_a_missing_directory_makes_it()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "d.db").ExitCode.Should().Be(0);

        CliRunner.Run(dir.Path, "report", "--db", "d.db", "--format", "json", "--out", "new/dir/r.json").ExitCode.Should().Be(0);

        File.Exists(dir.Combine("new", "dir", "r.json")).Should().BeTrue();
    }

    /// <summary>
    /// A usage error was two to four lines pointing at the top-level --help: a mistyped command added "Required command
    /// was not provided.", a wrong choice listed the choices a line each, a word for a number named System.Int32, and
    /// --threads abc crashed the parser's validator.
    /// </summary>
    [Theory]
    [InlineData("compliance: unknown option '--rehsh' (see 'compliance check --help')", "check", "--rehsh")]
    [InlineData("compliance: unknown command 'chek' (see 'compliance --help')", "chek")]
    [InlineData("compliance: Argument 'xml' not recognized. Must be one of: 'csv', 'json' (see 'compliance export --help')", "export", "--format", "xml")]
    [InlineData("compliance: --length x: not a whole number (see 'compliance hash --help')", "hash", "--length", "x")]
    [InlineData("compliance: --threads abc: not a whole number (see 'compliance check --help')", "check", "--threads", "abc")]
    [InlineData("compliance: give one of its commands: dump, read (see 'compliance usn --help')", "usn")]
    [InlineData("compliance: unknown argument 'b' (see 'compliance mft list --help')", "mft", "list", "a", "b")]
    public void A_usage_error_is_one_line_naming_the_commands_own_help(string expected, params string[] args)
    {
        using var dir = new TempDir();
        var result = CliRunner.Run(dir.Path, args);
        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Be(expected + "\n");
    }

    /// <summary>A missing input was exit 3 to mft list, hash and gate --image, 2 to usn dump, verify and gate --root.</summary>
    [Fact]
    public void A_missing_input_is_a_usage_error_to_every_command()
    {
        using var dir = new TempDir();
        dir.Write("tree/f", "a");
        CliRunner.Run(dir.Path, "baseline", dir.Combine("tree"), "--db", "d.db").ExitCode.Should().Be(0);
        string[][] commands =
        [
            ["mft", "list", "missing"],
            ["hash", "missing"],
            ["usn", "dump", "missing"],
            ["verify", "missing", "--pub", "missing.pub"],
            ["gate", "--baseline", "d.db", "--image", "missing"],
            ["gate", "--baseline", "d.db", "--root", "missing"],
            ["gate", "--baseline", "missing.db", "--root", "tree"],
        ];
        foreach (var command in commands)
            CliRunner.Run(dir.Path, command).ExitCode.Should().Be(2, string.Join(' ', command));
    }
}
