using System.Security.Cryptography;
using System.Text;
using Compliance.Core.Attributes;

namespace Compliance.Core.Policies;

public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>Severity names as policies, the store and every output spell them: low, medium, high, critical.</summary>
public static class SeverityNames
{
    public static string ToName(this Severity severity) => severity switch
    {
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        Severity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "not a severity"),
    };

    /// <summary>The severity a name spells, in any case.</summary>
    public static bool TryParse(string name, out Severity severity)
    {
        foreach (var candidate in Enum.GetValues<Severity>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.OrdinalIgnoreCase))
            {
                severity = candidate;
                return true;
            }
        }
        severity = Severity.Medium;
        return false;
    }
}

/// <summary>A named group of paths compared with one attribute set, evidencing some compliance controls.</summary>
public sealed record PolicyCategory
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public Severity Severity { get; init; } = Severity.Medium;

    /// <summary>Controls this category evidences, e.g. "PCI-DSS 11.5.2", "HIPAA 164.312(c)(1)".</summary>
    public IReadOnlyList<string> Controls { get; init; } = [];
    public required AttributeSet Attributes { get; init; }
    public required IReadOnlyList<PathPattern> Include { get; init; }
    public IReadOnlyList<PathPattern> Exclude { get; init; } = [];

    /// <summary>osquery's file_accesses: the category also wants read access reported where the source can see it.</summary>
    public bool ReportAccess { get; init; }

    /// <summary>True when the path is included and not excluded (an exclude also covers everything below what it matches).</summary>
    public bool Selects(string path) =>
        Any(Include, path, static (p, s) => p.Matches(s)) && !Any(Exclude, path, static (p, s) => p.Excludes(s));

    /// <summary>True when something below directory <paramref name="directory"/> may be selected, so the walk must descend.</summary>
    public bool MayContainSelected(string directory) =>
        Any(Include, directory, static (p, s) => p.MayMatchBelow(s)) && !Any(Exclude, directory, static (p, s) => p.Excludes(s));

    // Runs for every path a scan meets: a loop with static lambdas allocates nothing, where LINQ with a closure would.
    private static bool Any(IReadOnlyList<PathPattern> patterns, string path, Func<PathPattern, string, bool> test)
    {
        for (int i = 0; i < patterns.Count; i++)
        {
            if (test(patterns[i], path))
                return true;
        }
        return false;
    }
}

/// <summary>A loaded, valid policy. Build one with <see cref="PolicyLoader"/> or <see cref="ForPaths"/>.</summary>
public sealed record Policy
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyList<PolicyCategory> Categories { get; init; }

    /// <summary>When true, check rehashes every file instead of only those whose size, times, inode or device changed.</summary>
    public bool RehashAlways { get; init; }

    /// <summary>The policy's YAML text, recorded with the baseline so later checks and watches use the same policy.</summary>
    public required string SourceText { get; init; }

    /// <summary>SHA-256 of <see cref="SourceText"/> with line endings normalized: identifies the policy in evidence.</summary>
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SourceText.ReplaceLineEndings("\n"))));

    /// <summary>The first category that selects the path, or null when the path is out of scope.</summary>
    public PolicyCategory? Classify(string path)
    {
        // Indexing, not foreach: enumerating an IReadOnlyList boxes its enumerator, once per scanned path.
        for (int i = 0; i < Categories.Count; i++)
        {
            if (Categories[i].Selects(path))
                return Categories[i];
        }
        return null;
    }

    public bool ShouldDescend(string directory)
    {
        for (int i = 0; i < Categories.Count; i++)
        {
            if (Categories[i].MayContainSelected(directory))
                return true;
        }
        return false;
    }

    /// <summary>Where a walk starts: the literal directory prefixes of every include pattern, with nested ones removed, sorted in walk order.</summary>
    public IReadOnlyList<string> WalkRoots() => Outermost(IncludeRoots());

    /// <summary>
    /// The include roots strictly below <paramref name="path"/>, nested ones removed. A walk that does not descend
    /// into <paramref name="path"/> (a symbolic link, a directory it cannot list) walks these from their own path, as
    /// it would with no root above them: /srv/current/config, through the link /srv/current, is no less monitored
    /// for lying below /srv.
    /// </summary>
    public IReadOnlyList<string> RootsBelow(string path)
    {
        _nestedRoots ??= IncludeRoots().Except(WalkRoots()).ToArray();
        return _nestedRoots.Length == 0 ? []
            : Outermost(_nestedRoots.Where(root => root != path && PathPattern.IsSameOrBelow(root, path)));
    }

    private string[]? _nestedRoots;

    /// <summary>The literal directory prefix of every include pattern, once each, nested ones included.</summary>
    public IEnumerable<string> IncludeRoots() => Categories.SelectMany(c => c.Include).Select(p => p.Root).Distinct();

    private static List<string> Outermost(IEnumerable<string> roots)
    {
        var sorted = roots.ToList();
        sorted.Sort(Model.EntryPath.CompareWalkOrder);
        var minimal = new List<string>();
        foreach (var root in sorted)
        {
            if (!minimal.Any(outer => PathPattern.IsSameOrBelow(root, outer)))
                minimal.Add(root);
        }
        return minimal;
    }

    /// <summary>Every hash algorithm some category compares.</summary>
    public IReadOnlyList<string> HashAlgorithms() =>
        Categories.SelectMany(c => c.Attributes.HashAlgorithms).Distinct().ToArray();

    /// <summary>
    /// This policy with <paramref name="paths"/>, each with everything beneath it, out of every category's scope; its
    /// text and digest stay as they are. For what the program itself writes on every run (its database), which a scan
    /// must never report, whatever the policy says.
    /// </summary>
    public Policy Without(IReadOnlyCollection<string> paths)
    {
        if (paths.Count == 0)
            return this;
        var excluded = paths.Select(path => PathPattern.Parse(PathPattern.EscapeLiteral(path))).ToArray();
        return this with { Categories = Categories.Select(c => c with { Exclude = [.. c.Exclude, .. excluded] }).ToArray() };
    }

    /// <summary>
    /// The policy of `compliance baseline PATH...`: each path and everything beneath it with every attribute, but for
    /// the paths in <paramref name="exclude"/> (each with everything beneath it).
    /// </summary>
    public static Policy ForPaths(IEnumerable<string> paths, IEnumerable<string>? exclude = null)
    {
        var list = paths.ToList();
        var yaml = new StringBuilder()
            .AppendLine("# Generated for `compliance baseline PATH...`: every attribute of each path and everything beneath it.")
            .AppendLine("name: paths")
            .AppendLine("categories:")
            .AppendLine("  - name: paths")
            .AppendLine("    severity: high")
            .AppendLine("    attributes: [all]")
            .AppendLine("    include:");
        foreach (var path in list)
            yaml.Append("      - ").AppendLine(PolicyLoader.QuoteScalar(PathPattern.EscapeLiteral(WithoutTrailingSlash(path))));
        if (exclude?.ToList() is { Count: > 0 } excluded)
        {
            yaml.AppendLine("    exclude:");
            foreach (var path in excluded)
                yaml.Append("      - ").AppendLine(PolicyLoader.QuoteScalar(PathPattern.EscapeLiteral(WithoutTrailingSlash(path))));
        }
        return PolicyLoader.Parse(yaml.ToString(), "<paths>");
    }

    /// <summary>
    /// A path as given names the directory even with a trailing '/' (shell completion adds one); in a pattern that
    /// '/' would select the directory's entries only, one level deep.
    /// </summary>
    private static string WithoutTrailingSlash(string path) =>
        path.Length > 1 && path.EndsWith('/') ? (path.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/") : path;
}
