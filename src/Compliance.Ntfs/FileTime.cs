namespace Compliance.Ntfs;

/// <summary>NTFS timestamps: 100 ns intervals since 1601-01-01 UTC (Windows FILETIME).</summary>
public static class FileTime
{
    private static readonly long MaxFileTime = DateTime.MaxValue.ToFileTimeUtc();

    /// <summary>The UTC time, or null when the raw value lies outside what DateTime can hold (a corrupt field).</summary>
    public static DateTime? ToUtc(long fileTime) =>
        fileTime >= 0 && fileTime <= MaxFileTime ? DateTime.FromFileTimeUtc(fileTime) : null;

    /// <summary>ISO 8601 UTC with all seven fraction digits, e.g. 2019-01-20T11:53:36.1234567Z; empty when out of range.</summary>
    public static string ToIso8601(long fileTime) => ToUtc(fileTime)?.ToString("O") ?? "";

    /// <summary>As <see cref="ToIso8601"/>, into a buffer of at least 28 characters; returns the characters written.</summary>
    /// <remarks>The round-trip format "O" of a UTC DateTime is exactly this layout, and .NET formats it without parsing a pattern.</remarks>
    public static int FormatIso8601(long fileTime, Span<char> destination) =>
        ToUtc(fileTime) is { } time && time.TryFormat(destination, out int written, "O") ? written : 0;
}
