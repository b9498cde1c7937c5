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
        ExternalCommand.Run("mount", "--bind", directory, directory);
        try
        {
            ExternalCommand.Run("mount", "-o", "remount,ro,bind", directory, directory);
        }
        catch
        {
            ExternalCommand.Run("umount", directory);
            throw;
        }
    }

    public void Dispose() => ExternalCommand.Run("umount", _directory);
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
