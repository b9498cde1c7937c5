namespace Compliance.Usn.Records;

/// <summary>Reads the records of a raw <c>$UsnJrnl:$J</c> stream (or any file of packed records) block by block, so a multi-gigabyte sparse journal never has to fit in memory.</summary>
public static class UsnRecordStream
{
    // A multiple of the 8-byte record alignment and far larger than the longest record.
    private const int BlockSize = 1 << 20;

    public static IEnumerable<UsnReadItem> Read(Stream stream)
    {
        var buffer = new byte[BlockSize];
        int filled = 0;
        long blockOffset = 0;
        var items = new List<UsnReadItem>();
        while (true)
        {
            int read = stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
            filled += read;
            bool isFinal = filled < buffer.Length;
            int consumed = ReadBlock(buffer.AsSpan(0, filled), blockOffset, isFinal, items);
            foreach (var item in items)
                yield return item;
            items.Clear();
            if (isFinal)
                yield break;

            // Carry the unfinished record over to the front of the next block.
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            blockOffset += consumed;
        }
    }

    private static int ReadBlock(ReadOnlySpan<byte> block, long blockOffset, bool isFinal, List<UsnReadItem> items)
    {
        var reader = new UsnRecordReader(block, blockOffset, isFinal);
        while (reader.Read(out var item))
            items.Add(item);
        return reader.Consumed;
    }
}
