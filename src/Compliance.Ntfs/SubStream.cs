namespace Compliance.Ntfs;

/// <summary>A read-only window [offset, offset + length) of a seekable stream: a partition inside a disk image.</summary>
public sealed class SubStream : ReadOnlySeekableStream
{
    private readonly Stream _inner;
    private readonly long _offset;
    private readonly long _length;

    public SubStream(Stream inner, long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > inner.Length - length)
            throw new NtfsFormatException($"region {offset}+{length} lies outside the {inner.Length}-byte image");
        _inner = inner;
        _offset = offset;
        _length = length;
    }

    public override long Length => _length;

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Clamp(_length - Position, 0, buffer.Length);
        if (count == 0)
            return 0;
        _inner.Position = _offset + Position;
        int read = _inner.Read(buffer[..count]);
        Position += read;
        return read;
    }
}
