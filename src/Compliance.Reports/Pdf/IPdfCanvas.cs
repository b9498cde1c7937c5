namespace Compliance.Reports.Pdf;

/// <summary>The faces a report uses: body text, headings and labels, and fixed-width text for hashes.</summary>
public enum Face
{
    Sans,
    Bold,
    Mono,
}

public readonly record struct TextStyle(Face Face, double Size)
{
    public double LineHeight => Size * 1.2;
}

/// <summary>A colour as 0..255 red, green, blue.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Black { get; } = new(0, 0, 0);
    public static Rgb White { get; } = new(255, 255, 255);
}

/// <summary>
/// The only surface the report layout draws on, so the PDF engine behind it can be swapped without touching the
/// layout. Coordinates are points from the top-left corner of the page; text is positioned by its baseline.
/// The engine picks, per character, a face that has a glyph for it, so any script renders.
/// </summary>
public interface IPdfCanvas : IDisposable
{
    double PageWidth { get; }
    double PageHeight { get; }
    int PageCount { get; }

    /// <summary>Starts a new page; drawing goes to it until the next call or <see cref="ReturnToPage"/>.</summary>
    void AddPage();

    /// <summary>Draws on an earlier page again, e.g. a footer that needs the final page count.</summary>
    void ReturnToPage(int index);

    /// <summary>The advance width of <paramref name="text"/> in points.</summary>
    double Measure(string text, TextStyle style);

    /// <summary>The advance width of one character, for line breaking without building substrings.</summary>
    double Measure(System.Text.Rune character, TextStyle style);

    void DrawText(string text, double x, double baseline, TextStyle style, Rgb color);
    void FillRectangle(double x, double y, double width, double height, Rgb color);
    void DrawLine(double x1, double y1, double x2, double y2, Rgb color, double width);

    /// <summary>
    /// Document properties shown by PDF viewers, and the report's summary metrics as JSON, for programs (attest
    /// reads them back, see <see cref="Drift.ReportClaims"/>).
    /// </summary>
    void SetInfo(string title, string subject, string summaryJson);

    void Save(Stream output);
}
