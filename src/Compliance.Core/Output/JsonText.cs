using System.Globalization;
using System.Text;
using System.Text.Json;
using Compliance.Core.Model;

namespace Compliance.Core.Output;

/// <summary>
/// JSON strings that may hold escaped path bytes. System.Text.Json replaces a lone surrogate with U+FFFD, which
/// would lose the byte; this writes it as \udcXX instead (Python: json.loads then os.fsencode gives the bytes back).
/// </summary>
public static class JsonText
{
    /// <summary>An entry's path; the root of a tree of relative paths ("") is written "/", as it is shown.</summary>
    public static void WritePath(Utf8JsonWriter writer, string propertyName, string path) =>
        WriteText(writer, propertyName, path.Length == 0 ? "/" : path);

    /// <summary>Text that may hold escaped path bytes but is not an entry's path, such as a symlink's target.</summary>
    public static void WriteText(Utf8JsonWriter writer, string propertyName, string text)
    {
        writer.WritePropertyName(propertyName);
        WriteTextValue(writer, text);
    }

    /// <summary>As <see cref="WriteText(Utf8JsonWriter, string, string)"/>, for a value without a name (an array's item).</summary>
    public static void WriteTextValue(Utf8JsonWriter writer, string text)
    {
        if (!EntryPath.HasEscapedBytes(text))
        {
            writer.WriteStringValue(text);
            return;
        }
        var literal = new StringBuilder(text.Length + 16).Append('"');
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                literal.Append(c).Append(text[++i]);
                continue;
            }
            switch (c)
            {
                case '"': literal.Append("\\\""); break;
                case '\\': literal.Append("\\\\"); break;
                case < ' ' or '\u007f':
                case >= '\ud800' and <= '\udfff':
                    literal.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: literal.Append(c); break;
            }
        }
        literal.Append('"');
        writer.WriteRawValue(literal.ToString(), skipInputValidation: true);
    }
}
