using System.Text;
using System.Text.Json;

namespace Compliance.Core.Policies;

/// <summary>The policy YAML made from an osquery configuration, and what the conversion could not carry over.</summary>
public sealed record OsqueryImport(string Yaml, IReadOnlyList<string> Notes);

/// <summary>
/// Converts osquery's FIM configuration (file_paths, exclude_paths, file_accesses) into a policy: one category per
/// file_paths category. Patterns are kept as written, since <see cref="PathPattern"/> speaks osquery's wildcards.
/// </summary>
public static class OsqueryImporter
{
    // osquery configs are often hand-edited JSON with // comments and trailing commas.
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static OsqueryImport Convert(string json, string sourceName, string policyName)
    {
        using var document = Read(json, sourceName);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("file_paths", out var filePaths)
            || filePaths.ValueKind != JsonValueKind.Object)
            throw new ComplianceException($"{sourceName}: no \"file_paths\" object: nothing to import", FailureKind.Usage);

        var notes = new List<string>();
        var includes = PatternsByCategory(filePaths, sourceName, "file_paths", notes);
        foreach (var empty in includes.Where(c => c.Value.Count == 0).Select(c => c.Key).ToList())
        {
            includes.Remove(empty);
            notes.Add($"file_paths category '{empty}' skipped: it lists no paths");
        }
        if (includes.Count == 0)
            throw new ComplianceException($"{sourceName}: \"file_paths\" has no categories: nothing to import", FailureKind.Usage);
        var excludes = root.TryGetProperty("exclude_paths", out var excludePaths)
            ? PatternsByCategory(excludePaths, sourceName, "exclude_paths", notes)
            : [];
        var accessed = root.TryGetProperty("file_accesses", out var fileAccesses)
            ? CategoryList(fileAccesses, sourceName)
            : [];

        foreach (var category in excludes.Keys.Where(k => !includes.ContainsKey(k)))
            notes.Add($"exclude_paths category '{category}' dropped: file_paths has no such category");
        foreach (var category in accessed.Where(k => !includes.ContainsKey(k)))
            notes.Add($"file_accesses category '{category}' dropped: file_paths has no such category");

        var yaml = new StringBuilder()
            .AppendLine($"# Imported from the osquery configuration {sourceName} by `compliance policy import-osquery`.")
            .AppendLine("# One category per file_paths category; osquery wildcards (%, %%) are kept as written.");
        foreach (var note in notes)
            yaml.AppendLine($"# Note: {note}.");
        yaml.AppendLine($"name: {PolicyLoader.QuoteScalar(policyName)}")
            .AppendLine("categories:");
        foreach (var (category, patterns) in includes)
        {
            yaml.AppendLine($"  - name: {PolicyLoader.QuoteScalar(category)}")
                .AppendLine($"    description: {PolicyLoader.QuoteScalar($"osquery file_paths category {category}")}");
            AppendList(yaml, "include", patterns);
            if (excludes.TryGetValue(category, out var excluded) && excluded.Count > 0)
                AppendList(yaml, "exclude", excluded);
            if (accessed.Contains(category))
                yaml.AppendLine("    report_access: true");
        }
        return new OsqueryImport(yaml.ToString(), notes);
    }

    private static JsonDocument Read(string json, string sourceName)
    {
        try
        {
            return JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ComplianceException(
                $"{sourceName}:{e.LineNumber + 1}:{e.BytePositionInLine + 1}: not valid JSON: {e.Message.Split(" LineNumber:")[0]}", FailureKind.Usage, e);
        }
    }

    private static Dictionary<string, List<string>> PatternsByCategory(JsonElement element, string sourceName, string section, List<string> notes)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ComplianceException($"{sourceName}: \"{section}\" must be an object of category: [patterns]", FailureKind.Usage);
        var byCategory = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            string name = Unescape(() => property.Name, sourceName);
            if (string.IsNullOrWhiteSpace(name))
                throw new ComplianceException($"{sourceName}: \"{section}\" has a category with an empty name", FailureKind.Usage);
            if (byCategory.ContainsKey(name))
                throw new ComplianceException($"{sourceName}: \"{section}\" names category '{name}' twice", FailureKind.Usage);
            if (property.Value.ValueKind != JsonValueKind.Array)
                throw new ComplianceException($"{sourceName}: \"{section}\".{name} must be a list of patterns", FailureKind.Usage);
            var patterns = new List<string>();
            foreach (var item in property.Value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    throw new ComplianceException($"{sourceName}: \"{section}\".{name} holds a {item.ValueKind}, not a pattern", FailureKind.Usage);
                patterns.Add(Pattern(Unescape(() => item.GetString()!, sourceName), sourceName, section, name, notes));
            }
            byCategory[name] = patterns;
        }
        return byCategory;
    }

    /// <summary>The pattern as our matcher reads it; Windows paths lose their drive and use '/' (paths are volume-relative).</summary>
    private static string Pattern(string text, string sourceName, string section, string category, List<string> notes)
    {
        string pattern = text;
        if (text.Length >= 3 && char.IsAsciiLetter(text[0]) && text[1] == ':' && text[2] is '\\' or '/')
        {
            pattern = text[2..].Replace('\\', '/');
            notes.Add($"{section} '{category}': '{text}' imported as '{pattern}' (paths are relative to the scanned volume)");
        }
        try
        {
            var parsed = PathPattern.Parse(pattern);
            if (section == "file_paths" && parsed.IsBasename)
                throw new PolicyPatternException(pattern, 0, "a monitored path must contain '/'");
        }
        catch (PolicyPatternException e)
        {
            throw new ComplianceException($"{sourceName}: \"{section}\".{category}: {e.Message}", FailureKind.Usage, e);
        }
        return pattern;
    }

    private static HashSet<string> CategoryList(JsonElement element, string sourceName)
    {
        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw new ComplianceException($"{sourceName}: \"file_accesses\" must be a list of category names", FailureKind.Usage);
        return element.EnumerateArray().Select(e => Unescape(() => e.GetString()!, sourceName)).ToHashSet(StringComparer.Ordinal);
    }

    // The only failure reading a string the document already holds: a \u escape for an unpaired surrogate.
    private static string Unescape(Func<string> read, string sourceName)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException e)
        {
            throw new ComplianceException($"{sourceName}: a string is not valid UTF-16: {e.Message}", FailureKind.Usage, e);
        }
    }

    private static void AppendList(StringBuilder yaml, string key, List<string> items)
    {
        yaml.AppendLine($"    {key}:");
        foreach (var item in items)
            yaml.AppendLine($"      - {PolicyLoader.QuoteScalar(item)}");
    }
}
