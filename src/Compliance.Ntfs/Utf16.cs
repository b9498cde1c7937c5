using System.Runtime.InteropServices;
using System.Text;

namespace Compliance.Ntfs;

/// <summary>NTFS stores names as little-endian UTF-16, unvalidated (lone surrogates are legal on disk).</summary>
internal static class Utf16
{
    public static string Read(ReadOnlySpan<byte> bytes) => new(MemoryMarshal.Cast<byte, char>(bytes));

    /// <summary>
    /// An NTFS name or path as the scanner and the store handle paths: Linux's model, UTF-8 with every byte that is
    /// not UTF-8 as U+DC00+byte. An unpaired surrogate has no UTF-8 form, and the store would keep it as U+FFFD (the
    /// file then moved on every gate, and two names differing there collided): it becomes the three bytes of its
    /// WTF-8 form, each escaped, which are never UTF-8 either, so each name keeps a form of its own.
    /// </summary>
    public static string ToPathText(string name)
    {
        if (name.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            return name;
        var text = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
                text.Append(c).Append(name[++i]);
            else if (char.IsSurrogate(c))
                text.Append(Escaped(0xE0 | c >> 12)).Append(Escaped(0x80 | (c >> 6 & 0x3F))).Append(Escaped(0x80 | (c & 0x3F)));
            else
                text.Append(c);
        }
        return text.ToString();
    }

    private static char Escaped(int value) => (char)(0xDC00 + value);
}
