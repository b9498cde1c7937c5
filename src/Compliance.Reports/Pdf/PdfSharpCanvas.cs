using System.Text;
using Compliance.Reports.Drift;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Compliance.Reports.Pdf;

/// <summary>
/// <see cref="IPdfCanvas"/> on PDFsharp: fonts embedded as subsets with Unicode encoding, so text stays selectable
/// and searchable; each character run goes to the first of the style's face and the fallback face that has it.
/// </summary>
public sealed class PdfSharpCanvas : IPdfCanvas
{
    private readonly PdfDocument _document;
    private readonly PageSize _size;
    private readonly EmbeddedFonts _fonts;
    private readonly Dictionary<(Face, int Fallback, double Size), XFont> _xfonts = [];
    private readonly Dictionary<(Face, int CodePoint), double> _unitWidths = [];
    private readonly Dictionary<Rgb, XSolidBrush> _brushes = [];
    private readonly Dictionary<Face, double[]> _asciiWidths = [];
    private readonly XGraphics _measure;
    private XGraphics? _graphics;

    /// <param name="licence">The PDFsharp licence setting, see <see cref="PdfLicence"/>.</param>
    public PdfSharpCanvas(PageSize size, string? licence)
    {
        PdfLicence.Apply(licence);   // before the document: PDFsharp checks the licence when one is created
        _document = new PdfDocument();
        _fonts = EmbeddedFonts.Install();
        _size = size;
        _measure = XGraphics.CreateMeasureContext(new XSize(1000, 1000), XGraphicsUnit.Point, XPageDirection.Downwards);
    }

    public double PageWidth => _document.PageCount > 0 ? _document.Pages[0].Width.Point : PageSizeConverter.ToSize(_size).Width;
    public double PageHeight => _document.PageCount > 0 ? _document.Pages[0].Height.Point : PageSizeConverter.ToSize(_size).Height;
    public int PageCount { get; private set; }

    public void AddPage()
    {
        var page = _document.AddPage();
        page.Size = _size;
        PageCount++;
        SwitchTo(page, XGraphicsPdfPageOptions.Append);
    }

    public void ReturnToPage(int index) => SwitchTo(_document.Pages[index], XGraphicsPdfPageOptions.Append);

    private void SwitchTo(PdfPage page, XGraphicsPdfPageOptions options)
    {
        _graphics?.Dispose();
        _graphics = XGraphics.FromPdfPage(page, options);
    }

    public double Measure(string text, TextStyle style)
    {
        double width = 0;
        foreach (var rune in Drawable(text, style.Face).EnumerateRunes())
            width += UnitWidth(style.Face, rune.Value) * style.Size;
        return width;
    }

    public double Measure(Rune character, TextStyle style) =>
        character.Value < 0x80 ? AsciiWidths(style.Face)[character.Value] * style.Size
        : IsDrawable(style.Face, character) ? UnitWidth(style.Face, character.Value) * style.Size
        : Measure(Escape(character), style);

    public void DrawText(string text, double x, double baseline, TextStyle style, Rgb color)
    {
        var graphics = _graphics ?? throw new InvalidOperationException("AddPage before drawing.");
        var brush = Brush(color);
        // Most report text (numbers, hashes, ASCII paths) is ASCII, which every face covers: one run, drawn as it is.
        if (Ascii.IsValid(text))
        {
            graphics.DrawString(text, Font(style.Face, -1, style.Size), brush, x, baseline, XStringFormats.BaseLineLeft);
            return;
        }
        foreach (var (run, fallback) in Runs(VisualOrder(Drawable(text, style.Face)), style.Face))
        {
            graphics.DrawString(run, Font(style.Face, fallback, style.Size), brush, x, baseline, XStringFormats.BaseLineLeft);
            x += Measure(run, style);
        }
    }

    public void FillRectangle(double x, double y, double width, double height, Rgb color) =>
        (_graphics ?? throw new InvalidOperationException("AddPage before drawing.")).DrawRectangle(Brush(color), x, y, width, height);

    public void DrawLine(double x1, double y1, double x2, double y2, Rgb color, double width) =>
        (_graphics ?? throw new InvalidOperationException("AddPage before drawing.")).DrawLine(new XPen(XColor.FromArgb(color.R, color.G, color.B), width), x1, y1, x2, y2);

    public void SetInfo(string title, string subject, string summaryJson)
    {
        _document.Info.Title = title;
        _document.Info.Subject = subject;
        _document.Info.Creator = "compliance";
        _document.Info.Elements.SetString(ReportClaims.PdfInfoKey, summaryJson);
    }

    public void Save(Stream output)
    {
        _graphics?.Dispose();
        _graphics = null;
        _document.Save(output, closeStream: false);
    }

    public void Dispose()
    {
        _graphics?.Dispose();
        _measure.Dispose();
        _document.Dispose();
    }

    /// <summary>Consecutive characters that the same face draws: the style's own (-1), or the first fallback that has the glyph.</summary>
    private IEnumerable<(string Run, int Fallback)> Runs(string text, Face face)
    {
        var run = new StringBuilder();
        int runFallback = -1;
        foreach (var rune in text.EnumerateRunes())
        {
            int fallback = FallbackFor(face, rune.Value);
            if (run.Length > 0 && fallback != runFallback)
            {
                yield return (run.ToString(), runFallback);
                run.Clear();
            }
            runFallback = fallback;
            run.Append(rune.ToString());
        }
        if (run.Length > 0)
            yield return (run.ToString(), runFallback);
    }

    private int FallbackFor(Face face, int codePoint) =>
        _fonts.Covers(face, codePoint) ? -1 : _fonts.Fallback(codePoint);

    private double[] AsciiWidths(Face face)
    {
        if (!_asciiWidths.TryGetValue(face, out var widths))
            _asciiWidths[face] = widths = Enumerable.Range(0, 0x80).Select(c => UnitWidth(face, c)).ToArray();
        return widths;
    }

    private double UnitWidth(Face face, int codePoint)
    {
        if (!_unitWidths.TryGetValue((face, codePoint), out var width))
        {
            const double probeSize = 100;
            var font = Font(face, FallbackFor(face, codePoint), probeSize);
            width = _measure.MeasureString(char.ConvertFromUtf32(codePoint), font).Width / probeSize;
            _unitWidths[(face, codePoint)] = width;
        }
        return width;
    }

    private XFont Font(Face face, int fallback, double size)
    {
        if (!_xfonts.TryGetValue((face, fallback, size), out var font))
        {
            var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
            font = fallback >= 0 ? new XFont(EmbeddedFonts.FallbackFamilies[fallback], size, XFontStyleEx.Regular, options)
                : face == Face.Mono ? new XFont(EmbeddedFonts.MonoFamily, size, XFontStyleEx.Regular, options)
                : new XFont(EmbeddedFonts.SansFamily, size, face == Face.Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, options);
            _xfonts[(face, fallback, size)] = font;
        }
        return font;
    }

    private XSolidBrush Brush(Rgb color)
    {
        if (!_brushes.TryGetValue(color, out var brush))
            _brushes[color] = brush = new XSolidBrush(XColor.FromArgb(color.R, color.G, color.B));
        return brush;
    }

    /// <summary>
    /// Hebrew and Arabic are stored first letter first but read right to left, and PDFsharp places glyphs left to
    /// right: each right-to-left stretch is reversed so it reads correctly (a file name rarely needs more of the
    /// Unicode bidirectional algorithm; Arabic letters keep their isolated forms, as PDFsharp does not shape).
    /// </summary>
    private static string VisualOrder(string text)
    {
        if (!text.Any(IsRightToLeft))
            return text;
        var chars = text.ToCharArray();
        for (int start = 0; start < chars.Length;)
        {
            if (!IsRightToLeft(chars[start]))
            {
                start++;
                continue;
            }
            int end = start;
            while (end + 1 < chars.Length && (IsRightToLeft(chars[end + 1]) || (chars[end + 1] == ' ' && end + 2 < chars.Length && IsRightToLeft(chars[end + 2]))))
                end++;
            Array.Reverse(chars, start, end - start + 1);
            start = end + 1;
        }
        return new string(chars);
    }

    private static bool IsRightToLeft(char c) => c is (>= '\u0590' and <= '\u08FF') or (>= '\uFB1D' and <= '\uFDFF') or (>= '\uFE70' and <= '\uFEFF');

    /// <summary>
    /// The text as it is drawn. A character that no embedded font has would print as an empty box and be missing from
    /// the text layer, and PDFsharp maps a character outside the Basic Multilingual Plane (an emoji) to the wrong one
    /// there: both are printed as their escape (\u16A0, \U0001F600), so what a reader or a search sees is exactly what
    /// the name holds. Lone surrogates (escaped path bytes not yet shown as \xXX) cannot be drawn and show U+FFFD.
    /// </summary>
    private string Drawable(string text, Face face)
    {
        StringBuilder? drawable = null;
        int at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            bool asIs = rune.Value < 0x80 || IsDrawable(face, rune);
            if (!asIs || (rune == Rune.ReplacementChar && text[at] != '\uFFFD'))
                drawable ??= new StringBuilder(text.Length + 16).Append(text, 0, at);
            drawable?.Append(asIs ? rune.ToString() : Escape(rune));
            at += rune.Utf16SequenceLength;
        }
        return drawable?.ToString() ?? text;
    }

    private bool IsDrawable(Face face, Rune rune) =>
        rune.IsBmp && (_fonts.Covers(face, rune.Value) || _fonts.Fallback(rune.Value) >= 0);

    private static string Escape(Rune rune) => rune.IsBmp ? $"\\u{rune.Value:X4}" : $"\\U{rune.Value:X8}";
}
