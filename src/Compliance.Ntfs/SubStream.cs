namespace Compliance.Ntfs;

/// <summary>A read-only window [offset, offset + length) of a seekable stream: a partition inside a disk image.</summary>
public sealed class SubStream : Stream
{
    private readonly Stream _inner;
    private readonly long _offset;
    private readonly long _length;
    private long _position;

    public SubStream(Stream inner, long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > inner.Length - length)
            throw new NtfsFormatException($"region {offset}+{length} lies outside the {inner.Length}-byte image");
        _inner = inner;
        _offset = offset;
        _length = length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        if (count == 0)
            return 0;
        _inner.Position = _offset + _position;
        int read = _inner.Read(buffer[..count]);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
