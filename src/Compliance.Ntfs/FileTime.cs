namespace Compliance.Ntfs;

/// <summary>NTFS timestamps: 100 ns intervals since 1601-01-01 UTC (Windows FILETIME).</summary>
public static class FileTime
{
    private static readonly long MaxFileTime = DateTime.MaxValue.ToFileTimeUtc();

    /// <summary>The UTC time, or null when the raw value lies outside what DateTime can hold (a corrupt field).</summary>
    public static DateTime? ToUtc(long fileTime) =>
        fileTime >= 0 && fileTime <= MaxFileTime ? DateTime.FromFileTimeUtc(fileTime) : null;

    /// <summary>
    /// ISO 8601 UTC with all seven fraction digits (2019-01-20T11:53:36.1234567Z) into a buffer of at least 28
    /// characters; returns the characters written, 0 when the value is out of range.
    /// </summary>
    /// <remarks>The round-trip format "O" of a UTC DateTime is exactly this layout, and .NET formats it without parsing a pattern.</remarks>
    public static int FormatIso8601(long fileTime, Span<char> destination) =>
        ToUtc(fileTime) is { } time && time.TryFormat(destination, out int written, "O") ? written : 0;
}
