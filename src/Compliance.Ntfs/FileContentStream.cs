namespace Compliance.Ntfs;

/// <summary>
/// A file's content in an image. Damage found in opening or reading it (a run past the image's end, compressed data
/// that does not decompress, EFS encryption) is a read error of that one file, an <see cref="IOException"/>: the
/// scan records the file as unverified and goes on, where damage to the image's own structures stops it.
/// </summary>
internal sealed class FileContentStream : Stream
{
    private readonly Stream _content;

    private FileContentStream(Stream content) => _content = content;

    public static Stream Open(NtfsVolume volume, DataStream stream)
    {
        try
        {
            return new FileContentStream(volume.OpenRead(stream));
        }
        catch (NtfsFormatException e)
        {
            throw Damaged(e);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => _content.CanSeek;
    public override bool CanWrite => false;
    public override long Length => _content.Length;

    public override long Position
    {
        get => _content.Position;
        set => _content.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _content.Read(buffer);
        }
        catch (Exception e) when (e is NtfsFormatException or InvalidDataException)
        {
            throw Damaged(e);
        }
    }

    private static IOException Damaged(Exception e) => new($"damaged content: {e.Message.TrimEnd('.')}", e);

    public override long Seek(long offset, SeekOrigin origin) => _content.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _content.Dispose();
        base.Dispose(disposing);
    }
}
