using System.Text;

namespace Compliance.Core.Model;

/// <summary>
/// Converts between the bytes an operating system uses for a path and the string the rest of the program handles.
/// </summary>
/// <remarks>
/// Linux file names are arbitrary bytes. Valid UTF-8 decodes as usual; every byte that is not part of valid UTF-8
/// becomes the lone surrogate U+DC00+byte (PEP 383 "surrogateescape"), which valid UTF-8 can never produce, so the
/// mapping is exact in both directions. The store keeps the original bytes; JSON carries the surrogate as \udcXX,
/// which Python's os.fsencode turns back into the same bytes; text outputs show it as \xXX.
/// </remarks>
public static class EntryPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
            return StrictUtf8.GetString(bytes);

        var builder = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
            }
            else
            {
                consumed = 1;
                builder.Append((char)(0xDC00 + bytes[0]));
            }
            bytes = bytes[consumed..];
        }
        return builder.ToString();
    }

    public static byte[] ToBytes(string path)
    {
        if (!HasEscapedBytes(path))
            return StrictUtf8.GetBytes(path);

        var output = new List<byte>(path.Length + 8);
        Span<byte> buffer = stackalloc byte[4];
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c is >= '\uDC80' and <= '\uDCFF' && !(i > 0 && char.IsHighSurrogate(path[i - 1])))
            {
                output.Add((byte)(c - 0xDC00));
                continue;
            }
            int length = char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1])
                ? Encoding.UTF8.GetBytes(path.AsSpan(i++, 2), buffer)
                : Encoding.UTF8.GetBytes(path.AsSpan(i, 1), buffer);
            for (int b = 0; b < length; b++)
                output.Add(buffer[b]);
        }
        return output.ToArray();
    }

    /// <summary>True when the path holds bytes that are not valid UTF-8 (escaped as lone surrogates).</summary>
    public static bool HasEscapedBytes(string path)
    {
        // Almost every path has no surrogate at all; one vectorized search says so. Only a path that has one is
        // walked char by char, to tell escaped bytes from the pairs that encode characters outside the BMP.
        int first = path.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
            return false;
        for (int i = first; i < path.Length; i++)
        {
            char c = path[i];
            if (char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
                return true;
        }
        return false;
    }

    /// <summary>
    /// An entry's path for people and UTF-8 text files, as <see cref="ToDisplayText"/> shows it. The root of a tree
    /// whose paths are relative (a disk image's) is "", shown as "/" rather than as an empty cell.
    /// </summary>
    public static string ToDisplay(string path) => path.Length == 0 ? "/" : ToDisplayText(path);

    /// <summary>
    /// A path (or, with <paramref name="isPath"/> false, a symlink's target) for one line of a table or page: as
    /// <see cref="ToDisplay"/> shows it, with control characters escaped as well, so that a line break in a file name
    /// is seen rather than taken for the end of the line (and cannot forge the next one).
    /// </summary>
    public static string ToDisplayLine(string path, bool isPath = true)
    {
        var display = isPath ? ToDisplay(path) : ToDisplayText(path);
        if (!display.Any(char.IsControl))
            return display;
        return string.Concat(display.Select(c => c switch
        {
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            _ when char.IsControl(c) => $"\\x{(int)c:x2}",
            _ => c.ToString(),
        }));
    }

    /// <summary>
    /// Text that may hold escaped path bytes (a path, a symlink's target), shown so that two different names never
    /// look alike: bytes that are not UTF-8 as \xXX, a backslash as \\, and as \uXXXX an unpaired surrogate and
    /// every character that draws nothing or a plain space (format characters such as U+200B or the bidi override
    /// U+202E, line and paragraph separators, spaces other than U+0020). The rest is shown as it is; policy patterns
    /// read the same escapes.
    /// </summary>
    public static string ToDisplayText(string text)
    {
        // Printable ASCII without a backslash, nearly every path, needs nothing: one vectorized search says so.
        if (text.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0 && !text.Contains('\\'))
            return text;
        var builder = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                char low = text[++i];
                if (DrawsNothing(Rune.GetUnicodeCategory(new Rune(c, low))))
                    builder.Append("\\u").Append(((int)c).ToString("x4")).Append("\\u").Append(((int)low).ToString("x4"));
                else
                    builder.Append(c).Append(low);
            }
            else if (c is >= '\uDC80' and <= '\uDCFF')
            {
                builder.Append("\\x").Append(((int)c - 0xDC00).ToString("x2"));
            }
            else if (c == '\\')
            {
                builder.Append("\\\\");
            }
            else if (char.IsSurrogate(c) || c >= '\u0080' && DrawsNothing(char.GetUnicodeCategory(c)))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4"));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    // U+0020 itself is printable ASCII, shown as it is; every other space separator is escaped.
    private static bool DrawsNothing(System.Globalization.UnicodeCategory category) =>
        category is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator
            or System.Globalization.UnicodeCategory.ParagraphSeparator or System.Globalization.UnicodeCategory.SpaceSeparator;

    /// <summary>Joins a directory path and a child name with '/', the separator every stored path uses.</summary>
    public static string Combine(string directory, string name) =>
        directory.Length == 0 ? name
        : directory.EndsWith('/') ? directory + name
        : directory + "/" + name;

    /// <summary>The parent of a '/'-separated path; "" for a top-level relative name, "/" for a top-level absolute one.</summary>
    public static string Parent(string path)
    {
        int slash = path.TrimEnd('/').LastIndexOf('/');
        return slash < 0 ? "" : slash == 0 ? "/" : path[..slash];
    }

    /// <summary>
    /// A byte key whose ordinal order is the order of a depth-first walk that visits a directory's children sorted by
    /// name: the separator becomes 0x00, which sorts before every byte a name can hold. The store orders entries by it so that a walk and the
    /// stored baseline can be merged in one pass with bounded memory.
    /// </summary>
    public static byte[] SortKey(string path)
    {
        var bytes = ToBytes(path);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'/')
                bytes[i] = 0x00;
        }
        return bytes;
    }

    /// <summary>Compares two paths in <see cref="SortKey"/> order without allocating keys.</summary>
    public static int CompareWalkOrder(string a, string b)
    {
        // Sibling names often share long prefixes: skip the common part a vector at a time.
        int i = a.AsSpan().CommonPrefixLength(b);
        if (i == a.Length || i == b.Length)
            return a.Length.CompareTo(b.Length);
        char x = a[i], y = b[i];
        if (x == '/')
            return -1;
        if (y == '/')
            return 1;
        // UTF-16 order is UTF-8 byte order except where surrogates (supplementary characters, escaped bytes)
        // meet other characters; only then are the byte keys needed.
        if (char.IsSurrogate(x) || char.IsSurrogate(y))
            return SortKey(a).AsSpan().SequenceCompareTo(SortKey(b));
        return x < y ? -1 : 1;
    }
}
