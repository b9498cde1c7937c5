using System.Buffers.Binary;
using System.Collections;

namespace Compliance.Reports.Pdf;

/// <summary>
/// Which Unicode code points a TrueType/OpenType font has a glyph for, read from its 'cmap' table (formats 4 and
/// 12), so text can fall back to another font one character run at a time.
/// </summary>
public sealed class FontCoverage
{
    private readonly BitArray _covered = new(0x110000);

    public FontCoverage(ReadOnlySpan<byte> font)
    {
        var cmap = FindTable(font, "cmap");
        int subtables = BinaryPrimitives.ReadUInt16BigEndian(cmap[2..]);
        int best = -1, bestRank = 0;
        for (int i = 0; i < subtables; i++)
        {
            var record = cmap.Slice(4 + i * 8, 8);
            int platform = BinaryPrimitives.ReadUInt16BigEndian(record);
            int encoding = BinaryPrimitives.ReadUInt16BigEndian(record[2..]);
            int offset = checked((int)BinaryPrimitives.ReadUInt32BigEndian(record[4..]));
            int format = BinaryPrimitives.ReadUInt16BigEndian(cmap[offset..]);
            // Full-repertoire (format 12) Unicode tables first, then BMP (format 4) ones.
            int rank = (platform, encoding, format) switch
            {
                (3, 10, 12) or (0, 4, 12) or (0, 6, 12) => 3,
                (3, 1, 4) or (0, 3, 4) => 2,
                (0, _, 4) => 1,
                _ => 0,
            };
            if (rank > bestRank)
                (best, bestRank) = (offset, rank);
        }
        if (best < 0)
            throw new InvalidDataException("The font has no Unicode cmap subtable of format 4 or 12.");
        var table = cmap[best..];
        if (BinaryPrimitives.ReadUInt16BigEndian(table) == 12)
            ReadFormat12(table);
        else
            ReadFormat4(table);
    }

    public bool Covers(int codePoint) => codePoint is >= 0 and < 0x110000 && _covered[codePoint];

    private void ReadFormat4(ReadOnlySpan<byte> table)
    {
        int segments = BinaryPrimitives.ReadUInt16BigEndian(table[6..]) / 2;
        int ends = 14, starts = ends + segments * 2 + 2, deltas = starts + segments * 2, rangeOffsets = deltas + segments * 2;
        for (int s = 0; s < segments; s++)
        {
            int end = BinaryPrimitives.ReadUInt16BigEndian(table[(ends + s * 2)..]);
            int start = BinaryPrimitives.ReadUInt16BigEndian(table[(starts + s * 2)..]);
            int delta = BinaryPrimitives.ReadInt16BigEndian(table[(deltas + s * 2)..]);
            int rangeOffsetAt = rangeOffsets + s * 2;
            int rangeOffset = BinaryPrimitives.ReadUInt16BigEndian(table[rangeOffsetAt..]);
            for (int c = start; c <= end && c != 0xFFFF; c++)
            {
                int glyph;
                if (rangeOffset == 0)
                {
                    glyph = (c + delta) & 0xFFFF;
                }
                else
                {
                    int at = rangeOffsetAt + rangeOffset + 2 * (c - start);
                    glyph = at + 2 <= table.Length ? BinaryPrimitives.ReadUInt16BigEndian(table[at..]) : 0;
                    if (glyph != 0)
                        glyph = (glyph + delta) & 0xFFFF;
                }
                if (glyph != 0)
                    _covered[c] = true;
            }
        }
    }

    private void ReadFormat12(ReadOnlySpan<byte> table)
    {
        long groups = BinaryPrimitives.ReadUInt32BigEndian(table[12..]);
        for (long g = 0; g < groups; g++)
        {
            var group = table.Slice(16 + (int)g * 12, 12);
            long start = BinaryPrimitives.ReadUInt32BigEndian(group);
            long end = Math.Min(BinaryPrimitives.ReadUInt32BigEndian(group[4..]), 0x10FFFF);
            long firstGlyph = BinaryPrimitives.ReadUInt32BigEndian(group[8..]);
            for (long c = start; c <= end; c++)
            {
                if (firstGlyph + (c - start) != 0)
                    _covered[(int)c] = true;
            }
        }
    }

    private static ReadOnlySpan<byte> FindTable(ReadOnlySpan<byte> font, string tag)
    {
        int tables = BinaryPrimitives.ReadUInt16BigEndian(font[4..]);
        for (int i = 0; i < tables; i++)
        {
            var record = font.Slice(12 + i * 16, 16);
            if (record[0] == tag[0] && record[1] == tag[1] && record[2] == tag[2] && record[3] == tag[3])
            {
                int offset = checked((int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]));
                int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(record[12..]));
                return font.Slice(offset, length);
            }
        }
        throw new InvalidDataException($"The font has no '{tag}' table.");
    }
}
