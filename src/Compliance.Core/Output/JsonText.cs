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
    public static void WritePath(Utf8JsonWriter writer, string propertyName, string path)
    {
        writer.WritePropertyName(propertyName);
        WritePathValue(writer, path);
    }

    public static void WritePathValue(Utf8JsonWriter writer, string path)
    {
        if (!EntryPath.HasEscapedBytes(path))
        {
            writer.WriteStringValue(path);
            return;
        }
        var literal = new StringBuilder(path.Length + 16).Append('"');
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                literal.Append(c).Append(path[++i]);
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
