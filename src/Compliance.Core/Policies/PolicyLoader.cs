using System.Text;

namespace Compliance.Core.Policies;

/// <summary>Reads policy YAML into a <see cref="Policy"/>, or reports every problem in it with its position.</summary>
public static class PolicyLoader
{
    public static Policy Load(string file) => Parse(ReadFile(file), file);

    /// <summary>The text of a policy (or other input) file; a missing file is a usage error, as the user named it.</summary>
    public static string ReadFile(string file)
    {
        // .NET says "Access to the path is denied" for a directory, which sends the user after permissions.
        if (Directory.Exists(file))
            throw new ComplianceException($"'{file}' is a directory, not a policy file", FailureKind.Usage);
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ComplianceException($"'{file}' does not exist", FailureKind.Usage, e);
        }
    }

    /// <summary>
    /// Parses a small built-in policy on a pool thread, so that the parser's first use (loading YamlDotNet's types and
    /// compiling its regular expression: some 60 ms) runs on an idle core while the caller opens the store whose
    /// policy it is about to parse. A failure here is of no consequence: the real parse reports its own.
    /// </summary>
    public static void WarmUpInBackground() =>
        _ = Task.Run(() => Parse("name: warm-up\ncategories:\n  - name: c\n    attributes: [type, size, sha256]\n    include: [\"/warm-up/%%\"]\n", "warm-up"));

    /// <summary>Parses a policy; throws <see cref="PolicyException"/> carrying every problem when it is not valid.</summary>
    public static Policy Parse(string yamlText, string sourceName)
    {
        var reader = new PolicyReader(yamlText, sourceName);
        var policy = reader.Read();
        if (policy is null)
            throw new PolicyException(reader.Problems);
        return policy;
    }

    /// <summary>
    /// Every problem in the policy, in file order; empty when it is valid. Lint also looks at this machine: a '..'
    /// stepping back from a symbolic link means another path to the system than to the policy.
    /// </summary>
    public static IReadOnlyList<PolicyProblem> Lint(string yamlText, string sourceName)
    {
        var reader = new PolicyReader(yamlText, sourceName, lintFileSystem: true);
        reader.Read();
        return reader.Problems;
    }

    /// <summary>The scalar as YAML: plain when that reads back as the same text, double-quoted with escapes otherwise.</summary>
    /// <exception cref="ArgumentException">The text holds an unpaired surrogate, which YAML cannot carry; write paths
    /// through <see cref="PathPattern.EscapeLiteral"/> first, which turns them into pattern escapes.</exception>
    public static string QuoteScalar(string s)
    {
        if (Model.EntryPath.HasEscapedBytes(s))
            throw new ArgumentException("YAML cannot carry unpaired surrogates (escaped bytes)", nameof(s));
        if (IsSafePlain(s))
            return s;
        var builder = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            if (c is '"' or '\\')
                builder.Append('\\').Append(c);
            else if (c < 0x20 || c == 0x7f)
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else
                builder.Append(c);
        }
        return builder.Append('"').ToString();
    }

    // Words YAML 1.1 tools read as booleans or null; quoted so that no reader takes them for anything but text.
    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null",
    };

    private static bool IsSafePlain(string s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] is '/' or '_') || ReservedWords.Contains(s))
            return false;
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '@' or '%' or '*' or '?' or '='))
                return false;
        }
        return true;
    }
}
