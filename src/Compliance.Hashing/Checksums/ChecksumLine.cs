using System.Buffers;
using System.Text;

namespace Compliance.Hashing.Checksums;

/// <summary>
/// One line of b3sum / sha256sum output: lower-case hex, two spaces, the name. A name holding a backslash or a
/// newline is escaped (<c>\\</c>, <c>\n</c>) and the line then starts with a backslash, as b3sum writes it.
/// </summary>
public static class ChecksumLine
{
    public static string Format(ReadOnlySpan<byte> digest, string name)
    {
        var (marker, shown) = Escaped(name);
        return marker + Convert.ToHexStringLower(digest) + "  " + shown;
    }

    /// <summary>
    /// A check's result line, "name: OK", escaped as a digest line is: a raw newline in a name would make it two
    /// lines, the second one forged ("evil: OK").
    /// </summary>
    public static string Result(string name, string verdict)
    {
        var (marker, shown) = Escaped(name);
        return marker + shown + ": " + verdict;
    }

    /// <summary>The backslash that starts an escaped line, or nothing, and the name as it is shown.</summary>
    private static (string Marker, string Shown) Escaped(string name) =>
        name.Contains('\\') || name.Contains('\n') ? ("\\", name.Replace("\\", "\\\\").Replace("\n", "\\n")) : ("", name);

    /// <summary>Parses a line (without its line ending); false when it is not in the format <see cref="Format"/> writes.</summary>
    public static bool TryParse(string line, out byte[] digest, out string name)
    {
        digest = [];
        name = "";
        bool escaped = line.StartsWith('\\');
        ReadOnlySpan<char> rest = escaped ? line.AsSpan(1) : line;
        int separator = rest.IndexOf("  ");
        if (separator <= 0 || separator % 2 != 0 || separator + 2 == rest.Length)
            return false;
        var bytes = new byte[separator / 2];
        if (Convert.FromHexString(rest[..separator], bytes, out _, out int written) != OperationStatus.Done || written != bytes.Length)
            return false;
        ReadOnlySpan<char> shown = rest[(separator + 2)..];
        if (!escaped)
        {
            name = shown.ToString();
        }
        else if (!TryUnescape(shown, out name))
        {
            return false;
        }
        digest = bytes;
        return true;
    }

    private static bool TryUnescape(ReadOnlySpan<char> shown, out string name)
    {
        var builder = new StringBuilder(shown.Length);
        for (int i = 0; i < shown.Length; i++)
        {
            if (shown[i] != '\\')
            {
                builder.Append(shown[i]);
                continue;
            }
            if (++i == shown.Length)
            {
                name = "";
                return false;
            }
            switch (shown[i])
            {
                case '\\': builder.Append('\\'); break;
                case 'n': builder.Append('\n'); break;
                default: name = ""; return false;
            }
        }
        name = builder.ToString();
        return true;
    }
}
