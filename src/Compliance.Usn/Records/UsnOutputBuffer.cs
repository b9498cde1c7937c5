using System.Buffers.Binary;

namespace Compliance.Usn.Records;

/// <summary>
/// The output of FSCTL_READ_USN_JOURNAL (first 8 bytes: the USN to continue from) or FSCTL_ENUM_USN_DATA
/// (first 8 bytes: the file reference to continue from), followed by packed records.
/// </summary>
public sealed class UsnOutputBuffer
{
    private const int HeaderSize = 8;

    private UsnOutputBuffer(ulong next, IReadOnlyList<UsnReadItem> items)
    {
        Next = next;
        Items = items;
    }

    /// <summary>The next USN (READ_USN_JOURNAL) or next file reference number (ENUM_USN_DATA).</summary>
    public ulong Next { get; }

    /// <summary>Records and problems in buffer order.</summary>
    public IReadOnlyList<UsnReadItem> Items { get; }

    public IEnumerable<UsnRecord> Records => Items.Where(i => i.Record is not null).Select(i => i.Record!);
    public IEnumerable<UsnRecordProblem> Problems => Items.Where(i => i.Problem is not null).Select(i => i.Problem!);

    /// <exception cref="InvalidDataException">The buffer is shorter than its 8-byte header.</exception>
    public static UsnOutputBuffer Parse(ReadOnlySpan<byte> output)
    {
        if (output.Length < HeaderSize)
            throw new InvalidDataException($"USN output buffer of {output.Length} bytes is shorter than its {HeaderSize}-byte header.");
        ulong next = BinaryPrimitives.ReadUInt64LittleEndian(output);
        var items = new List<UsnReadItem>();
        var reader = new UsnRecordReader(output[HeaderSize..], HeaderSize);
        while (reader.Read(out var item))
            items.Add(item);
        return new UsnOutputBuffer(next, items);
    }
}
