using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Compliance.Hashing.Blake3;

namespace Compliance.Core.Model;

/// <summary>
/// A digest of every observed field of an entry that an attribute compares: two entries with equal fingerprints
/// compare equal on every attribute except the content hashes, which a scan carries over when size, times, inode and
/// device (all covered) are unchanged. An unchanged check compares a walked entry with its baseline row this way,
/// without decoding the row. Path, category, hashes and error are not covered.
/// </summary>
/// <remarks>
/// A fingerprint is <see cref="FormatVersion"/> followed by the BLAKE3 digest of the fields written in a fixed
/// order: nullable numbers as a presence byte and eight little-endian bytes, strings as a presence byte, a 32-bit
/// length and their UTF-16 code units (exact, with no transcoding). The digest keeps baseline rows small; being
/// cryptographic, no crafted metadata can make a changed entry match. A change of layout must change
/// <see cref="FormatVersion"/>: a stored fingerprint of another version never matches, so such rows are compared in
/// full, never wrongly taken as unchanged. The one exception is a field added later, which is written at the end
/// behind a tag of its own and only when present: an entry without it keeps the fingerprint stored before the field
/// existed, so upgrading does not turn every stored row into a full compare.
/// </remarks>
public static class EntryFingerprint
{
    public const byte FormatVersion = 1;

    /// <summary>Bytes in a fingerprint: the version and a 32-byte digest.</summary>
    public const int Length = 1 + 32;

    /// <summary>The fingerprint of an entry, or null for one with an error (never taken as unchanged).</summary>
    public static byte[]? Of(FileEntry entry, FingerprintBuffer? scratch = null)
    {
        var fingerprint = new byte[Length];
        return TryCompute(entry, scratch ?? new FingerprintBuffer(), fingerprint) ? fingerprint : null;
    }

    /// <summary>
    /// Writes the fingerprint of an entry to <paramref name="destination"/> (<see cref="Length"/> bytes); false for an
    /// entry with an error, which has none. <paramref name="scratch"/> is reused between calls.
    /// </summary>
    public static bool TryCompute(FileEntry entry, FingerprintBuffer scratch, Span<byte> destination)
    {
        if (entry.Error is not null)
            return false;
        scratch.Clear();
        Write(entry, scratch);
        destination[0] = FormatVersion;
        scratch.Digest(destination.Slice(1, Length - 1));
        return true;
    }

    /// <summary>Whether a stored fingerprint is of this format, and so could be taken as a match (others never are).</summary>
    public static bool IsCurrentFormat(ReadOnlySpan<byte> stored) => stored.Length == Length && stored[0] == FormatVersion;

    /// <summary>
    /// True when <paramref name="stored"/> is the fingerprint of an entry equal to <paramref name="entry"/> on every
    /// field it covers. <paramref name="scratch"/> is reused between calls to spare allocations per entry.
    /// </summary>
    public static bool Matches(FileEntry entry, ReadOnlySpan<byte> stored, FingerprintBuffer scratch)
    {
        if (!IsCurrentFormat(stored))
            return false;
        Span<byte> computed = stackalloc byte[Length];
        return TryCompute(entry, scratch, computed) && computed.SequenceEqual(stored);
    }

    private static void Write(FileEntry e, FingerprintBuffer w)
    {
        w.Byte(FormatVersion);
        w.Byte((byte)e.Type);
        w.Number(e.Size);
        w.Number(e.Mode);
        w.Number(e.Uid);
        w.Number(e.Gid);
        w.Number(e.MtimeNs);
        w.Number(e.CtimeNs);
        w.Number(e.BirthTimeNs);
        w.Number(unchecked((long?)e.Inode));
        w.Number(unchecked((long?)e.Device));
        w.Number(unchecked((long?)e.LinkCount));
        w.Text(e.LinkTarget);
        w.Number(e.WindowsAttributes);
        w.Text(e.OwnerSid);
        w.Text(e.Dacl);
        bool hasFileId = e.TryGetFileIdHalves(out ulong upper, out ulong lower);
        w.Number(hasFileId ? unchecked((long)upper) : null);
        w.Number(hasFileId ? unchecked((long)lower) : null);

        // A missing collection and an empty one compare equal as attributes, so both are written as a count of 0.
        // Most entries have neither, and enumerating an empty sorted dictionary still allocates.
        if (e.ExtendedAttributes is { Count: > 0 } xattrs)
        {
            w.Int32(xattrs.Count);
            foreach (var (name, value) in xattrs)
            {
                w.Text(name);
                w.Bytes(value);
            }
        }
        else
        {
            w.Int32(0);
        }
        if (e.Streams is { Count: > 0 } streams)
        {
            w.Int32(streams.Count);
            for (int i = 0; i < streams.Count; i++)
            {
                w.Text(streams[i].Name);
                w.Number(streams[i].Size);
            }
        }
        else
        {
            w.Int32(0);
        }

        // Fields added after format version 1 (see the remarks): a tag, then the value, only when there is one.
        if (e.SpecialDevice is { } rdev)
        {
            w.Byte(AddedField.SpecialDevice);
            w.Number(unchecked((long)rdev));
        }
        if (e.Flags is { } flags)
        {
            w.Byte(AddedField.Flags);
            w.Number((long)flags);
        }
        if (e.Streams is { Count: > 0 } hashed && hashed.Any(stream => stream.Blake3 is not null))
        {
            w.Byte(AddedField.StreamDigests);
            for (int i = 0; i < hashed.Count; i++)
            {
                w.Byte(hashed[i].Blake3 is null ? (byte)0 : (byte)1);
                w.Bytes(hashed[i].Blake3 ?? []);
            }
        }
    }

    /// <summary>Tags of the fields added after format version 1; never reuse one.</summary>
    private static class AddedField
    {
        public const byte SpecialDevice = 1;
        public const byte Flags = 2;
        public const byte StreamDigests = 3;
    }
}

/// <summary>Where a fingerprint's fields are written and digested; one per thread, reused from entry to entry.</summary>
public sealed class FingerprintBuffer
{
    private byte[] _bytes = new byte[256];
    private int _length;

    internal void Clear() => _length = 0;

    /// <summary>The one-shot hash needs no hasher for the usual fingerprint of one chunk (1 KiB) or less.</summary>
    internal void Digest(Span<byte> destination) => Blake3Hasher.Hash(_bytes.AsSpan(0, _length), destination);

    internal void Byte(byte value) => Room(1)[0] = value;

    internal void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Room(4), value);

    internal void Number(long? value)
    {
        var span = Room(9);
        span[0] = value.HasValue ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], value.GetValueOrDefault());
    }

    internal void Text(string? value)
    {
        Byte(value is null ? (byte)0 : (byte)1);
        if (value is not null)
            Bytes(MemoryMarshal.AsBytes(value.AsSpan()));
    }

    internal void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(Room(value.Length));
    }

    /// <summary>The next <paramref name="count"/> bytes, counted as written.</summary>
    private Span<byte> Room(int count)
    {
        if (_bytes.Length - _length < count)
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + count));
        var span = _bytes.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
