using System.IO.Pipes;
using Compliance.Tests;

namespace Compliance.Linux.Tests;

/// <summary>The `--events` file: appended to whoever else writes or truncates it, reopened after a rotation, whole lines only.</summary>
public sealed class EventOutputTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"compliance-events-{Guid.NewGuid():N}");

    public EventOutputTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Line(string text) => System.Text.Encoding.UTF8.GetBytes(text + "\n");

    [Fact]
    public void Two_writers_and_a_copytruncate_never_overwrite_a_line()
    {
        var file = Path.Combine(_directory, "events.jsonl");
        using var first = EventOutput.OpenFile(file);
        using var second = EventOutput.OpenFile(file);
        first.Write(Line("one"));
        second.Write(Line("two"));
        first.Write(Line("three"));
        File.ReadAllLines(file).Should().Equal("one", "two", "three");

        // logrotate's copytruncate: the next line starts the emptied file, with no hole of NULs before it.
        File.Copy(file, file + ".1");
        using (var truncate = new FileStream(file, FileMode.Open, FileAccess.Write))
            truncate.SetLength(0);
        first.Write(Line("four"));
        File.ReadAllBytes(file).Should().Equal(Line("four"));
    }

    [Fact]
    public void After_a_move_or_a_delete_it_writes_to_a_new_file_at_its_path_as_after_SIGHUP()
    {
        var file = Path.Combine(_directory, "events.jsonl");
        using var output = EventOutput.OpenFile(file);
        output.Write(Line("before"));
        File.Move(file, file + ".1");
        output.Write(Line("after the move"));
        File.Move(file, file + ".2");
        output.Reopen();   // SIGHUP
        output.Write(Line("after SIGHUP"));
        File.Delete(file);
        output.Write(Line("after the delete"));

        File.ReadAllLines(file + ".1").Should().Equal("before");
        File.ReadAllLines(file + ".2").Should().Equal("after the move");
        File.ReadAllLines(file).Should().Equal("after the delete");
    }

    [Fact]
    public void A_disk_that_fills_up_midway_leaves_whole_lines_only()
    {
        var mount = Path.Combine(_directory, "small");
        Directory.CreateDirectory(mount);
        ExternalCommand.Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount);
        try
        {
            var file = Path.Combine(mount, "events.jsonl");
            using var output = EventOutput.OpenFile(file);
            output.Write(Line("first"));

            var write = () => output.Write(Line(new string('x', 256 * 1024)));

            write.Should().Throw<IOException>().WithMessage("*No space left on device*");
            File.ReadAllLines(file).Should().Equal("first");
        }
        finally
        {
            ExternalCommand.Run("umount", mount);
        }
    }

    [Fact]
    public void A_reader_gone_from_its_pipe_is_an_error_not_silence()
    {
        // A pipe whose reading end is closed, as `watch --events - | head -1` leaves it once head has its line.
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        pipe.DisposeLocalCopyOfClientHandle();
        using var output = EventOutput.ForDescriptor(fd, "the pipe");

        var write = () => output.Write(Line("lost?"));

        write.Should().Throw<IOException>().WithMessage("*reader has gone (broken pipe)*");
    }
}
