using System.Text;

namespace Compliance.Reports.Pdf;

/// <summary>Breaks text into lines that fit a width: at spaces or after path separators and punctuation, or anywhere in a long word.</summary>
internal static class TextWrap
{
    public static List<string> Lines(IPdfCanvas canvas, string text, TextStyle style, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
            Wrap(canvas, paragraph, style, width, lines);
        return lines;
    }

    private static void Wrap(IPdfCanvas canvas, string text, TextStyle style, double width, List<string> lines)
    {
        int lineStart = 0, lastBreak = -1;
        double lineWidth = 0, widthAtBreak = 0;
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int length);
            double w = canvas.Measure(rune, style);
            if (lineWidth + w > width && i > lineStart)
            {
                int end = lastBreak > lineStart ? lastBreak : i;
                lines.Add(text[lineStart..end].TrimEnd());
                lineWidth = end == i ? 0 : lineWidth - widthAtBreak;
                lineStart = end;
                lastBreak = -1;
                continue;
            }
            lineWidth += w;
            i += length;
            if (rune.Value is ' ' or '/' or ',' or ';' or '-' or '_' or '.' or ':' or '\\')
            {
                lastBreak = i;
                widthAtBreak = lineWidth;
            }
        }
        lines.Add(text[lineStart..]);
    }
}
