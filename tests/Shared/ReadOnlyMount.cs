using System.Diagnostics;

namespace Compliance.Tests;

/// <summary>
/// A directory made read-only for every user, root included, by bind-mounting it read-only onto itself: root reads
/// and writes through any mode bits, so permissions alone cannot make a read-only directory in a test run as root.
/// </summary>
internal sealed class ReadOnlyMount : IDisposable
{
    private readonly string _directory;

    public ReadOnlyMount(string directory)
    {
        _directory = directory;
        Run("mount", "--bind", directory, directory);
        try
        {
            Run("mount", "-o", "remount,ro,bind", directory, directory);
        }
        catch
        {
            Run("umount", directory);
            throw;
        }
    }

    public void Dispose() => Run("umount", _directory);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error}");
    }
}

/// <summary>A test that needs <see cref="ReadOnlyMount"/>: skipped, and says why, when not run as root.</summary>
public sealed class ReadOnlyMountFactAttribute : FactAttribute
{
    public ReadOnlyMountFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "needs root, to bind-mount a directory read-only";
    }
}
