using System.Reflection;
using PdfSharp.Fonts;

namespace Compliance.Reports.Pdf;

/// <summary>
/// The fonts shipped in reports/fonts and embedded in this assembly: DejaVu Sans (Latin, Greek, Cyrillic, Hebrew,
/// Arabic, many symbols; bold for headings), DejaVu Sans Mono for hashes, then for characters those lack Droid Sans
/// Fallback (Han, kana and more) and NanumSquare (Hangul, which Droid Sans Fallback lacks). PDFsharp asks this resolver for every font, so nothing depends on the
/// fonts a machine happens to have.
/// </summary>
internal sealed class EmbeddedFonts : IFontResolver
{
    public const string SansFamily = "Compliance Sans";
    public const string MonoFamily = "Compliance Mono";

    /// <summary>Families tried in order for a character the style's own face lacks.</summary>
    public static readonly string[] FallbackFamilies = ["Compliance Fallback 1", "Compliance Fallback 2"];

    private const string SansFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";
    private const string MonoFace = "DejaVuSansMono";
    private static readonly string[] FallbackFaces = ["DroidSansFallbackFull", "NanumSquareR"];

    private static readonly object InstallLock = new();
    private static readonly Lazy<EmbeddedFonts> Shared = new(() => new EmbeddedFonts());

    private readonly Dictionary<string, Lazy<byte[]>> _files;
    private readonly Dictionary<string, Lazy<FontCoverage>> _coverage;

    private EmbeddedFonts()
    {
        _files = new[] { SansFace, BoldFace, MonoFace }.Concat(FallbackFaces)
            .ToDictionary(face => face, face => new Lazy<byte[]>(() => Load(face)));
        _coverage = _files.ToDictionary(pair => pair.Key, pair => new Lazy<FontCoverage>(() => new FontCoverage(pair.Value.Value)));
    }

    /// <summary>Makes the embedded fonts PDFsharp's font resolver (a process-wide setting, so done once).</summary>
    public static EmbeddedFonts Install()
    {
        lock (InstallLock)
        {
            if (GlobalFontSettings.FontResolver != Shared.Value)
                GlobalFontSettings.FontResolver = Shared.Value;
        }
        return Shared.Value;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => familyName switch
    {
        SansFamily => new FontResolverInfo(bold ? BoldFace : SansFace),
        MonoFamily => new FontResolverInfo(MonoFace),
        _ when Array.IndexOf(FallbackFamilies, familyName) is var index and >= 0 => new FontResolverInfo(FallbackFaces[index]),
        _ => null,
    };

    public byte[]? GetFont(string faceName) => _files.TryGetValue(faceName, out var file) ? file.Value : null;

    /// <summary>True when the face used for <paramref name="face"/> has a glyph for the code point.</summary>
    public bool Covers(Face face, int codePoint) => _coverage[FaceName(face)].Value.Covers(codePoint);

    /// <summary>The index in <see cref="FallbackFamilies"/> of the first fallback with a glyph for the code point, or -1.</summary>
    public int Fallback(int codePoint)
    {
        for (int i = 0; i < FallbackFaces.Length; i++)
        {
            if (_coverage[FallbackFaces[i]].Value.Covers(codePoint))
                return i;
        }
        return -1;
    }

    private static string FaceName(Face face) => face switch
    {
        Face.Bold => BoldFace,
        Face.Mono => MonoFace,
        _ => SansFace,
    };

    private static byte[] Load(string face)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"fonts/{face}.ttf")
            ?? throw new InvalidOperationException($"fonts/{face}.ttf is not embedded in Compliance.Reports.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
