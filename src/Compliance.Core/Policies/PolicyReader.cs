using Compliance.Core.Attributes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Compliance.Core.Policies;

/// <summary>
/// Reads one policy file through YamlDotNet's representation model, so every node keeps its position, and collects every
/// problem instead of stopping at the first.
/// </summary>
internal sealed class PolicyReader(string text, string source, bool lintFileSystem = false)
{
    private static readonly string[] PolicyKeys = ["name", "description", "rehash", "categories"];
    private static readonly string[] CategoryKeys =
        ["name", "description", "severity", "controls", "attributes", "include", "exclude", "report_access"];

    private readonly List<PolicyProblem> _problems = [];

    public IReadOnlyList<PolicyProblem> Problems => _problems;

    /// <summary>The policy, or null when there are <see cref="Problems"/>.</summary>
    public Policy? Read()
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            Report(e.Start, SyntaxMessage(e));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet fails so on some malformed flow collections (an unclosed '[' before a '-' line), with no
            // position of its own; where its scanner stopped is the place to look.
            Report(scanner.CurrentPosition, "malformed YAML here: check the brackets, quotes and indentation before this point");
            return null;
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            Report(1, 1, "the policy is empty: it needs a name and categories");
            return null;
        }
        if (stream.Documents.Count > 1)
            Report(stream.Documents[1].RootNode.Start, "a policy file holds one YAML document; remove the '---' and what follows");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Report(stream.Documents[0].RootNode.Start, "a policy is a mapping with the keys name, categories and optionally description, rehash");
            return null;
        }

        var values = Keys(root, PolicyKeys);
        string? name = RequiredText(root, values, "name", "the policy");
        string? description = OptionalText(values, "description");
        bool rehash = OptionalBool(values, "rehash") ?? false;
        var categories = ReadCategories(root, values);

        _problems.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
        if (_problems.Count > 0 || name is null || categories is null)
            return null;
        return new Policy
        {
            Name = name,
            Description = description,
            RehashAlways = rehash,
            Categories = categories,
            SourceText = text,
        };
    }

    private List<PolicyCategory>? ReadCategories(YamlMappingNode root, Dictionary<string, YamlNode> values)
    {
        if (!values.TryGetValue("categories", out var node) || IsNull(node))
        {
            Report(node?.Start ?? root.Start, "the policy has no categories; add 'categories:' with at least one category");
            return null;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Report(node.Start, "'categories' must be a list of categories, each starting with '- name:'");
            return null;
        }
        if (sequence.Children.Count == 0)
        {
            Report(node.Start, "'categories' is empty; add at least one category");
            return null;
        }

        var categories = new List<PolicyCategory>();
        var firstLineOfName = new Dictionary<string, Mark>(StringComparer.Ordinal);
        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode mapping)
            {
                Report(item.Start, "a category must be a mapping with at least name and include");
                continue;
            }
            if (ReadCategory(mapping, firstLineOfName) is { } category)
                categories.Add(category);
        }
        return categories;
    }

    /// <summary>
    /// One category, null when it has problems. Its name is checked against <paramref name="firstLineOfName"/> (and
    /// added to it) whatever else is wrong with either category, so that lint reports every problem at once.
    /// </summary>
    private PolicyCategory? ReadCategory(YamlMappingNode mapping, Dictionary<string, Mark> firstLineOfName)
    {
        int problemsBefore = _problems.Count;
        var values = Keys(mapping, CategoryKeys);
        string? name = RequiredText(mapping, values, "name", "the category");
        if (name is not null && firstLineOfName.TryGetValue(name, out var first))
            Report(values["name"].Start, $"duplicate category name '{name}': first defined at line {first.Line}");
        else if (name is not null)
            firstLineOfName[name] = values["name"].Start;
        string? description = OptionalText(values, "description");
        var severity = ReadSeverity(values);
        var controls = OptionalList(values, "controls")?.Select(c => c.Value ?? "").ToArray() ?? [];
        var attributes = ReadAttributes(values);
        var include = ReadPatterns(values, "include", isInclude: true);
        if (!values.ContainsKey("include"))
            Report(mapping.Start, $"{(name is null ? "the category" : $"category '{name}'")} has no include: list the paths it covers, e.g. include: [/etc/]");
        var exclude = ReadPatterns(values, "exclude", isInclude: false);
        bool reportAccess = OptionalBool(values, "report_access") ?? false;

        if (name is null || _problems.Count > problemsBefore)
            return null;
        return new PolicyCategory
        {
            Name = name,
            Description = description,
            Severity = severity,
            Controls = controls,
            Attributes = attributes,
            Include = include,
            Exclude = exclude,
            ReportAccess = reportAccess,
        };
    }

    private Severity ReadSeverity(Dictionary<string, YamlNode> values)
    {
        if (OptionalScalar(values, "severity") is not { } node)
            return Severity.Medium;
        if (SeverityNames.TryParse(node.Value ?? "", out var severity))
            return severity;
        Report(node.Start, $"unknown severity '{node.Value}': expected low, medium, high or critical");
        return Severity.Medium;
    }

    private AttributeSet ReadAttributes(Dictionary<string, YamlNode> values)
    {
        if (OptionalList(values, "attributes") is not { } names)
            return AttributeCatalog.Everything;
        if (names.Count == 0)
        {
            Report(values["attributes"].Start, "'attributes' is empty; omit it to compare all attributes");
            return AttributeCatalog.Everything;
        }
        foreach (var name in names)
        {
            AttributeCatalog.Resolve([name.Value ?? ""], out var unknown);
            if (unknown.Count > 0)
                Report(name.Start, $"unknown attribute '{name.Value}': known are {KnownAttributeNames()}");
        }
        return AttributeCatalog.Resolve(names.Select(n => n.Value ?? ""), out _);
    }

    private static string KnownAttributeNames() =>
        string.Join(", ", AttributeCatalog.Groups.Keys.Concat(AttributeCatalog.Named.Select(a => a.Name)));

    private List<PathPattern> ReadPatterns(Dictionary<string, YamlNode> values, string key, bool isInclude)
    {
        var patterns = new List<PathPattern>();
        if (OptionalList(values, key) is not { } nodes)
            return patterns;
        if (isInclude && nodes.Count == 0 && values[key] is not YamlSequenceNode { Children.Count: > 0 })
            Report(values[key].Start, "'include' is empty; list at least one path pattern");
        foreach (var node in nodes)
        {
            string patternText = node.Value ?? "";
            try
            {
                var pattern = PathPattern.Parse(patternText);
                if (isInclude && pattern.IsBasename)
                {
                    Report(node.Start, $"'{patternText}' has no '/': a name matched at any depth is allowed only in exclude; "
                        + $"in include write a path, e.g. /etc/**/{patternText}");
                    continue;
                }
                // '..' is taken lexically; through a symbolic link the kernel would take it from where the link leads.
                foreach (var parent in lintFileSystem ? pattern.LexicalParents : [])
                {
                    if (new FileInfo(parent).LinkTarget is not null)
                        Report(node.Start, $"'{patternText}' is read as {pattern.Root} ('..' taken lexically), but {parent} is a symbolic link, "
                            + "from whose target the system would resolve '..'; write the path meant");
                }
                patterns.Add(pattern);
            }
            catch (PolicyPatternException e)
            {
                // Quoted scalars start at the quote; the pattern text starts one column later.
                int offset = node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
                Report((int)node.Start.Line, (int)node.Start.Column + offset + e.Column, $"bad pattern '{patternText}': {e.Problem}");
            }
        }
        return patterns;
    }

    /// <summary>The values by key; unknown and non-text keys are reported (YamlDotNet itself rejects duplicate keys).</summary>
    private Dictionary<string, YamlNode> Keys(YamlMappingNode mapping, string[] known)
    {
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && known.Contains(name))
                values[name] = value;
            else
                Report(key.Start, $"unknown key '{(key as YamlScalarNode)?.Value ?? key.ToString()}': expected one of {string.Join(", ", known)}");
        }
        return values;
    }

    private string? RequiredText(YamlMappingNode owner, Dictionary<string, YamlNode> values, string key, string what)
    {
        if (!values.ContainsKey(key))
        {
            Report(owner.Start, $"{what} has no {key}");
            return null;
        }
        var node = OptionalScalar(values, key);
        if (node is null)
            return null;
        if (string.IsNullOrWhiteSpace(node.Value) || IsNull(node))
        {
            Report(node.Start, $"{what} has an empty {key}");
            return null;
        }
        return node.Value;
    }

    private string? OptionalText(Dictionary<string, YamlNode> values, string key) =>
        OptionalScalar(values, key) is { } node && !IsNull(node) ? node.Value : null;

    private bool? OptionalBool(Dictionary<string, YamlNode> values, string key)
    {
        if (OptionalScalar(values, key) is not { } node)
            return null;
        switch (node.Value)
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                Report(node.Start, $"'{key}' must be true or false, not '{node.Value}'");
                return null;
        }
    }

    /// <summary>The scalar under the key, null when absent; a list or mapping there is reported.</summary>
    private YamlScalarNode? OptionalScalar(Dictionary<string, YamlNode> values, string key)
    {
        if (!values.TryGetValue(key, out var node))
            return null;
        if (node is YamlScalarNode scalar)
            return scalar;
        Report(node.Start, $"'{key}' must be a single value, not a {KindOf(node)}");
        return null;
    }

    /// <summary>The list of scalars under the key, null when absent; anything else there is reported.</summary>
    private List<YamlScalarNode>? OptionalList(Dictionary<string, YamlNode> values, string key)
    {
        if (!values.TryGetValue(key, out var node))
            return null;
        if (IsNull(node))
            return [];
        if (node is not YamlSequenceNode sequence)
        {
            Report(node.Start, $"'{key}' must be a list, e.g. {key}: [a, b], not a {KindOf(node)}");
            return null;
        }
        var items = new List<YamlScalarNode>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode scalar)
                items.Add(scalar);
            else
                Report(item.Start, $"each item of '{key}' must be a single value, not a {KindOf(item)}");
        }
        return items;
    }

    private static string KindOf(YamlNode node) => node switch
    {
        YamlSequenceNode => "list",
        YamlMappingNode => "mapping",
        _ => "value",
    };

    // An empty value, '~' or 'null' written without quotes.
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null";

    // YamlException messages begin with "(Line: l, Col: c, Idx: i) - (...): "; the position is given separately.
    private static string SyntaxMessage(YamlException e)
    {
        string message = e.InnerException?.Message ?? e.Message;
        int end = message.IndexOf("): ", StringComparison.Ordinal);
        return "YAML syntax: " + (message.StartsWith('(') && end >= 0 ? message[(end + 3)..] : message);
    }

    private void Report(Mark mark, string message) => Report((int)mark.Line, (int)mark.Column, message);

    private void Report(int line, int column, string message) => _problems.Add(new PolicyProblem(source, line, column, message));
}
