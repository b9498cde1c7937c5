namespace Compliance.Linux;

/// <summary>
/// Directory paths by fanotify file handle, so that a busy directory is resolved once rather than per event. Any
/// directory rename or deletion forgets everything, since it may have moved what lies below.
/// </summary>
internal sealed class DirectoryHandles
{
    private const int Capacity = 65536;

    private readonly Dictionary<string, ResolvedDirectory> _byHandle = new(StringComparer.Ordinal);

    public ResolvedDirectory? Find(ulong fsid, ReadOnlySpan<byte> handle) =>
        _byHandle.GetValueOrDefault(Key(fsid, handle));

    public ResolvedDirectory Add(ulong fsid, ReadOnlySpan<byte> handle, string path, bool followed, bool onTheWay)
    {
        if (_byHandle.Count >= Capacity)
            _byHandle.Clear();
        var directory = new ResolvedDirectory(path, followed, onTheWay);
        _byHandle[Key(fsid, handle)] = directory;
        return directory;
    }

    public void Forget() => _byHandle.Clear();

    private static string Key(ulong fsid, ReadOnlySpan<byte> handle) => $"{fsid:x16}{Convert.ToHexString(handle)}";
}

/// <summary>A directory's path when its handle was resolved; whether it is followed, or holds an entry on the way to a root.</summary>
internal sealed record ResolvedDirectory(string Path, bool Followed, bool OnTheWay);
