using System.Buffers.Binary;

namespace Compliance.Usn.Records;

/// <summary>
/// Walks the records packed in a buffer: a raw <c>$UsnJrnl:$J</c> stream (zero-filled sparse region and page
/// padding are skipped), or the record area of FSCTL_READ_USN_JOURNAL / FSCTL_ENUM_USN_DATA output.
/// A malformed record is reported once and the reader moves on 8 bytes at a time (records are 8-byte aligned)
/// until a valid record appears; nothing past the buffer is ever read.
/// </summary>
/// <remarks>
/// Like Utf8JsonReader, a reader over one block of a larger input stops at a record that runs past the block
/// when <c>isFinalBlock</c> is false, and <see cref="Consumed"/> says where the next block must start.
/// </remarks>
public ref struct UsnRecordReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly long _baseOffset;
    private readonly bool _isFinalBlock;
    private int _position;
    private bool _resynchronizing;

    public UsnRecordReader(ReadOnlySpan<byte> buffer, long baseOffset = 0, bool isFinalBlock = true)
    {
        _buffer = buffer;
        _baseOffset = baseOffset;
        _isFinalBlock = isFinalBlock;
    }

    /// <summary>Bytes of the buffer fully dealt with.</summary>
    public readonly int Consumed => _position;

    /// <summary>Reads the next record or problem; false when the buffer is done (or, if not final, needs the next block).</summary>
    public bool Read(out UsnReadItem item)
    {
        item = default;
        while (_position < _buffer.Length)
        {
            var rest = _buffer[_position..];
            long offset = _baseOffset + _position;
            if (rest.Length >= UsnRecordLayout.CommonHeaderSize && BinaryPrimitives.ReadUInt32LittleEndian(rest) == 0)
            {
                if (SkipZeros(rest, offset))
                    continue;
            }
            else if (rest.Length < UsnRecordLayout.CommonHeaderSize && !rest.ContainsAnyExcept((byte)0))
            {
                _position = _buffer.Length;
                continue;
            }

            var status = UsnRecordParser.TryParse(rest, offset, out var record, out var error);
            if (status == UsnParseStatus.Parsed)
            {
                _position += record!.RecordLength;
                _resynchronizing = false;
                item = new UsnReadItem(record, null);
                return true;
            }
            if (status == UsnParseStatus.Incomplete && !_isFinalBlock)
                return false;
            if (status == UsnParseStatus.Incomplete && !_resynchronizing)
            {
                _position = _buffer.Length;
                item = new UsnReadItem(null, new UsnRecordProblem(offset, $"truncated record: {error}"));
                return true;
            }

            _position = Math.Min(_position + UsnRecordLayout.Alignment, _buffer.Length);
            if (!_resynchronizing)
            {
                _resynchronizing = true;
                item = new UsnReadItem(null, new UsnRecordProblem(offset, $"malformed record skipped: {error}"));
                return true;
            }
        }
        return false;
    }

    // Moves past a run of zero bytes to the aligned start of the next non-zero data. Returns false when the
    // run is shorter than a header, i.e. the zero RecordLength is followed by a non-zero version: a bad record.
    private bool SkipZeros(ReadOnlySpan<byte> rest, long offset)
    {
        int nonZero = rest.IndexOfAnyExcept((byte)0);
        if (nonZero < 0)
        {
            _position = _buffer.Length;
            return true;
        }
        long next = (offset + nonZero) & ~(long)(UsnRecordLayout.Alignment - 1);
        if (next <= offset)
            return false;
        _position += (int)(next - offset);
        return true;
    }
}
