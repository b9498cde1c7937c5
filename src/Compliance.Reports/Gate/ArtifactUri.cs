using System.Text;
using Compliance.Core.Model;

namespace Compliance.Reports.Gate;

/// <summary>Entry paths as RFC 3986 URI references, built from the path's exact bytes so non-UTF-8 names survive.</summary>
public static class ArtifactUri
{
    /// <summary>
    /// The path relative to its tree's root, e.g. "/etc/my file" → "etc/my%20file". ':' is encoded too: in a
    /// relative reference's first segment it would read as a scheme. The root itself is "./", as SARIF consumers
    /// reject an empty URI.
    /// </summary>
    public static string Relative(string path)
    {
        var encoded = Encode(EntryPath.ToBytes(path.TrimStart('/')));
        return encoded.Length == 0 ? "./" : encoded;
    }

    /// <summary>A directory as an absolute file URI ending in '/', the form SARIF requires of a base URI.</summary>
    public static string DirectoryFileUri(string directory)
    {
        var encoded = Encode(EntryPath.ToBytes(directory.Trim('/')));
        return encoded.Length == 0 ? "file:///" : $"file:///{encoded}/";
    }

    private static string Encode(byte[] bytes)
    {
        var uri = new StringBuilder(bytes.Length + 8);
        foreach (byte b in bytes)
        {
            if (IsKept(b))
                uri.Append((char)b);
            else
                uri.Append('%').Append(b.ToString("X2"));
        }
        return uri.ToString();
    }

    // RFC 3986 pchar without ':' (unreserved, sub-delims, '@'), plus the '/' between segments.
    private static bool IsKept(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'
            or (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'(' or (byte)')' or (byte)'*' or (byte)'+' or (byte)',' or (byte)';' or (byte)'='
            or (byte)'@' or (byte)'/';
}
