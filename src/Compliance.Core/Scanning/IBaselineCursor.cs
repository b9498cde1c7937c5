using Compliance.Core.Model;

namespace Compliance.Core.Scanning;

/// <summary>
/// Baseline entries in <see cref="EntryPath.CompareWalkOrder"/> order, one at a time, each decoded only when asked:
/// a scan compares most entries of an unchanged tree by path and <see cref="EntryFingerprint"/> alone. A cursor is
/// used by one thread at a time; the values of an entry are valid until the next <see cref="MoveNext"/>.
/// </summary>
public interface IBaselineCursor : IDisposable
{
    bool MoveNext();

    /// <summary>The current entry's path.</summary>
    string Path { get; }

    /// <summary>The current entry's stored <see cref="EntryFingerprint"/>; empty when none was stored.</summary>
    ReadOnlySpan<byte> Fingerprint { get; }

    /// <summary>The current entry, decoded in full.</summary>
    FileEntry Entry();
}

/// <summary>Cursors over entries already in memory.</summary>
public static class BaselineCursor
{
    /// <summary>A cursor over entries in walk order, with fingerprints computed as they are reached.</summary>
    public static IBaselineCursor Over(IEnumerable<FileEntry> entries) => new EnumerableCursor(entries.GetEnumerator());

    private sealed class EnumerableCursor(IEnumerator<FileEntry> entries) : IBaselineCursor
    {
        private readonly FingerprintBuffer _scratch = new();
        private byte[]? _fingerprint;

        public bool MoveNext()
        {
            if (!entries.MoveNext())
                return false;
            _fingerprint = EntryFingerprint.Of(entries.Current, _scratch);
            return true;
        }

        public string Path => entries.Current.Path;
        public ReadOnlySpan<byte> Fingerprint => _fingerprint;
        public FileEntry Entry() => entries.Current;
        public void Dispose() => entries.Dispose();
    }
}
