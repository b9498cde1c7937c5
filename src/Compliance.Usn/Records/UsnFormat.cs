using System.Globalization;
using Compliance.Core.Model;

namespace Compliance.Usn.Records;

/// <summary>The text forms of record fields shared by every output layout.</summary>
public static class UsnFormat
{
    /// <summary>A 128-bit file ID as 32 hex digits, most significant first: how fsutil prints FILE_ID_128 (a V2 reference is zero-extended).</summary>
    public static string FileId(UInt128 fileId) => fileId.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>
    /// A name for UTF-8 text. NTFS does not validate its UTF-16 names, and an unpaired surrogate has no UTF-8 form:
    /// it is shown escaped, as paths are (a writer would throw on it, or print U+FFFD and lose it).
    /// </summary>
    public static string Name(string name) => EntryPath.ToDisplayText(name);

    /// <summary>ISO 8601 UTC with the full 100 ns precision of a FILETIME; empty for a V4 record or an out-of-range value.</summary>
    public static string TimeStamp(UsnRecord record) =>
        record.MajorVersion == 4 || record.TimeStampUtc is not { } utc
            ? ""
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
