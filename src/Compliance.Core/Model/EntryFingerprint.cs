using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Compliance.Core.Model;

/// <summary>
/// Every observed field of an entry that an attribute compares, as one byte string: two entries with equal
/// fingerprints compare equal on every attribute except the content hashes, which a scan carries over when size,
/// times, inode and device (all in the fingerprint) are unchanged. An unchanged check compares a walked entry with
/// its baseline row this way, without decoding the row. Path, category, hashes and error are not part of it.
/// </summary>
/// <remarks>
/// Layout: a format version byte, then each field in a fixed order. Nullable numbers are a presence byte and eight
/// little-endian bytes; strings are a presence byte, a 32-bit length and their UTF-16 code units (exact, and no
/// transcoding). A change of layout must change <see cref="FormatVersion"/>: a stored fingerprint of another
/// version never matches, so old rows are compared in full, never wrongly taken as unchanged.
/// </remarks>
public static class EntryFingerprint
{
    public const byte FormatVersion = 1;

    /// <summary>The fingerprint of an entry, or null for one with an error (never taken as unchanged).</summary>
    public static byte[]? Of(FileEntry entry)
    {
        if (entry.Error is not null)
            return null;
        var output = new ArrayBufferWriter<byte>(128);
        Write(entry, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// True when <paramref name="stored"/> is the fingerprint of an entry equal to <paramref name="entry"/> on every
    /// field it covers. <paramref name="scratch"/> is reused between calls to spare an allocation per entry.
    /// </summary>
    public static bool Matches(FileEntry entry, ReadOnlySpan<byte> stored, ArrayBufferWriter<byte> scratch)
    {
        if (entry.Error is not null || stored.IsEmpty || stored[0] != FormatVersion)
            return false;
        scratch.ResetWrittenCount();
        Write(entry, scratch);
        return scratch.WrittenSpan.SequenceEqual(stored);
    }

    private static void Write(FileEntry e, IBufferWriter<byte> output)
    {
        var w = new Writer(output);
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
        var xattrs = e.ExtendedAttributes;
        w.Int32(xattrs?.Count ?? 0);
        if (xattrs is not null)
        {
            foreach (var (name, value) in xattrs)
            {
                w.Text(name);
                w.Bytes(value);
            }
        }
        var streams = e.Streams;
        w.Int32(streams?.Count ?? 0);
        if (streams is not null)
        {
            foreach (var stream in streams)
            {
                w.Text(stream.Name);
                w.Number(stream.Size);
            }
        }
    }

    private readonly ref struct Writer(IBufferWriter<byte> output)
    {
        private readonly IBufferWriter<byte> _output = output;

        public void Byte(byte value)
        {
            _output.GetSpan(1)[0] = value;
            _output.Advance(1);
        }

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), value);
            _output.Advance(4);
        }

        public void Number(long? value)
        {
            var span = _output.GetSpan(9);
            span[0] = value.HasValue ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt64LittleEndian(span[1..], value.GetValueOrDefault());
            _output.Advance(9);
        }

        public void Text(string? value)
        {
            Byte(value is null ? (byte)0 : (byte)1);
            if (value is not null)
                Bytes(MemoryMarshal.AsBytes(value.AsSpan()));
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Int32(value.Length);
            value.CopyTo(_output.GetSpan(value.Length));
            _output.Advance(value.Length);
        }
    }
}
