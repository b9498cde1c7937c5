namespace Compliance.Core.Policies;

/// <summary>
/// A compiled path pattern: shell globs (<c>*</c>, <c>?</c>, <c>[a-z]</c>, <c>**</c>) and osquery FIM wildcards
/// (<c>%</c>, <c>%%</c>, <c>%abc</c>, <c>abc%</c>, a trailing <c>/</c>), matched segment by segment without allocating.
/// </summary>
/// <remarks>
/// A leading '/' is ignored on both sides, so <c>/Windows/System32/**</c> also matches the relative paths of an offline
/// disk image. A pattern without wildcards selects the path and everything beneath it; a pattern without any '/' is a
/// basename pattern matching the last name at any depth (meant for excludes).
/// </remarks>
public sealed class PathPattern
{
    private readonly PatternSegment[] _segments;
    private readonly bool _subtree;

    private PathPattern(string text, string root, PatternSegment[] segments, bool subtree, bool isBasename)
    {
        Text = text;
        Root = root;
        _segments = segments;
        _subtree = subtree;
        IsBasename = isBasename;
    }

    public string Text { get; }

    /// <summary>The longest literal directory prefix, where a walk for this pattern starts; "/" or "" when the first segment is a wildcard.</summary>
    public string Root { get; }

    /// <summary>True for a pattern without any '/', which matches one name at any depth.</summary>
    public bool IsBasename { get; }

    public override string ToString() => Text;

    public static PathPattern Parse(string text)
    {
        if (text.Length == 0)
            throw new PolicyPatternException(text, 0, "the pattern is empty");

        bool isBasename = !text.Contains('/');
        var raw = SplitSegments(text);
        var lexicalParents = new List<string>();
        if (!isBasename)
            raw = WithoutDotSegments(text, raw, lexicalParents);
        bool trailingSlash = text[^1] == '/' && raw.Count > 0;
        var segments = new List<PatternSegment>();
        for (int i = 0; i < raw.Count; i++)
        {
            var (segmentText, column) = raw[i];
            bool isLast = i == raw.Count - 1 && !trailingSlash;
            segments.AddRange(CompileSegment(text, segmentText, column, isLast));
        }
        // osquery: a trailing '/' means the directory's entries, one level deep.
        if (trailingSlash)
            segments.Add(PatternSegment.OneLevel);

        if (isBasename && segments.Any(s => s.IsAnyDepth))
            throw new PolicyPatternException(text, 0, "a pattern without '/' names one entry at any depth; '**' and '%%' need a directory, as in /var/log/**");

        bool subtree = !isBasename && segments.All(s => s.Literal is not null);
        string root = isBasename ? "" : RootOf(text, segments);
        return new PathPattern(text, root, segments.ToArray(), subtree, isBasename) { LexicalParents = lexicalParents };
    }

    /// <summary>
    /// The paths a '..' of the pattern stepped back from, as written ('/srv/app' for /srv/app/../keys): the pattern
    /// means /srv/keys, which is what the kernel finds unless /srv/app is a symbolic link (lint says so then).
    /// </summary>
    public IReadOnlyList<string> LexicalParents { get; private init; } = [];

    /// <summary>
    /// The segments with '.' and '..' resolved lexically, as a path is compared and walked by its names: a walk never
    /// meets a '..', so /srv/app/../keys would select nothing, and seem to lie below /srv/app. '..' at the top stays
    /// there, as in the kernel; after a wildcard it has no one meaning.
    /// </summary>
    private static List<(string Text, int Column)> WithoutDotSegments(string text, List<(string Text, int Column)> raw, List<string> lexicalParents)
    {
        var resolved = new List<(string Text, int Column)>(raw.Count);
        foreach (var segment in raw)
        {
            if (segment.Text == ".")
                continue;
            if (segment.Text != "..")
            {
                resolved.Add(segment);
                continue;
            }
            var literals = resolved.SelectMany(r => CompileSegment(text, r.Text, r.Column, isLast: false)).Select(c => c.Literal).ToList();
            if (literals.Any(literal => literal is null))
                throw new PolicyPatternException(text, segment.Column, "'..' after a wildcard has no single meaning; write the path without it");
            if (resolved.Count == 0)
                continue;
            lexicalParents.Add((text[0] == '/' ? "/" : "") + string.Join('/', literals));
            resolved.RemoveAt(resolved.Count - 1);
        }
        return resolved;
    }

    /// <summary>
    /// The pattern text that selects exactly this path and everything beneath it: wildcard characters are written as
    /// one-character classes, escaped bytes as \xHH, so the result is a bare path.
    /// </summary>
    public static string EscapeLiteral(string path)
    {
        var builder = new System.Text.StringBuilder(path.Length + 8);
        // Without a '/' the text would be a name matched at any depth; the leading '/' is ignored in matching.
        if (!path.Contains('/'))
            builder.Append('/');
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            bool paired = char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1])
                || char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(path[i - 1]);
            if (c is '*' or '?' or '[' or '%' or '\\')
                builder.Append('[').Append(c).Append(']');
            else if (c is >= '\uDC80' and <= '\uDCFF' && !paired)
                builder.Append("\\x").Append((c - 0xDC00).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            else if (char.IsSurrogate(c) && !paired)
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else
                builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>True when the pattern selects the path.</summary>
    public bool Matches(string path)
    {
        if (IsBasename)
            return LastName(path) is { Length: > 0 } name && _segments[0].Matches(name);
        return Match(0, path, 0, _subtree ? MatchMode.SelfOrAncestor : MatchMode.Exact);
    }

    /// <summary>True when the pattern, used as an exclude, covers the path: it matches the path or one of its ancestors.</summary>
    public bool Excludes(string path)
    {
        if (IsBasename)
        {
            int position = 0;
            while (NextSegment(path, ref position, out var name))
            {
                if (_segments[0].Matches(name))
                    return true;
            }
            return false;
        }
        return Match(0, path, 0, MatchMode.SelfOrAncestor);
    }

    /// <summary>True unless no path strictly below <paramref name="directory"/> can match, so a walk may skip the directory's subtree.</summary>
    public bool MayMatchBelow(string directory) => IsBasename || Match(0, directory, 0, MatchMode.Below);

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies beneath it, comparing whole segments.</summary>
    public static bool IsSameOrBelow(string path, string ancestor)
    {
        int pathPosition = 0, ancestorPosition = 0;
        while (NextSegment(ancestor, ref ancestorPosition, out var ancestorName))
        {
            if (!NextSegment(path, ref pathPosition, out var pathName) || !pathName.SequenceEqual(ancestorName))
                return false;
        }
        return true;
    }

    private enum MatchMode
    {
        /// <summary>The pattern covers the whole path.</summary>
        Exact,

        /// <summary>The pattern covers the path or one of its ancestors.</summary>
        SelfOrAncestor,

        /// <summary>The pattern could cover some path strictly below this one.</summary>
        Below,
    }

    private bool Match(int segmentIndex, ReadOnlySpan<char> path, int position, MatchMode mode)
    {
        for (; segmentIndex < _segments.Length; segmentIndex++)
        {
            var segment = _segments[segmentIndex];
            if (segment.IsAnyDepth)
            {
                // Zero segments, then one more each time; recursion depth is bounded by the number of '**' in the pattern.
                while (true)
                {
                    if (Match(segmentIndex + 1, path, position, mode))
                        return true;
                    if (!NextSegment(path, ref position, out _))
                        return mode == MatchMode.Below;
                }
            }
            if (!NextSegment(path, ref position, out var name))
                return mode == MatchMode.Below; // the rest of the pattern can still match names beneath
            if (!segment.Matches(name))
                return false;
        }
        return mode switch
        {
            MatchMode.Exact => !NextSegment(path, ref position, out _),
            MatchMode.SelfOrAncestor => true,
            _ => _subtree, // a bare path selects its whole subtree; otherwise the path itself was the last candidate
        };
    }

    /// <summary>Moves past separators to the next non-empty name; leading, repeated and trailing '/' are ignored.</summary>
    private static bool NextSegment(ReadOnlySpan<char> path, ref int position, out ReadOnlySpan<char> name)
    {
        while (position < path.Length && path[position] == '/')
            position++;
        if (position >= path.Length)
        {
            name = default;
            return false;
        }
        int length = path[position..].IndexOf('/');
        if (length < 0)
            length = path.Length - position;
        name = path.Slice(position, length);
        position += length;
        return true;
    }

    private static ReadOnlySpan<char> LastName(ReadOnlySpan<char> path)
    {
        path = path.TrimEnd('/');
        return path[(path.LastIndexOf('/') + 1)..];
    }

    private static List<(string Text, int Column)> SplitSegments(string text)
    {
        var segments = new List<(string, int)>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '/')
                continue;
            if (i > start)
                segments.Add((text[start..i], start));
            start = i + 1;
        }
        return segments;
    }

    private static IEnumerable<PatternSegment> CompileSegment(string pattern, string segment, int column, bool isLast)
    {
        if (segment == "**")
            return [PatternSegment.AnyDepth];
        if (segment == "%%")
        {
            if (!isLast)
                throw new PolicyPatternException(pattern, column, "'%%' (everything beneath, recursively) is allowed only as the last segment");
            // Everything strictly beneath the directory: one name, then any depth.
            return [PatternSegment.OneLevel, PatternSegment.AnyDepth];
        }
        int doublePercent = segment.IndexOf("%%", StringComparison.Ordinal);
        if (doublePercent >= 0)
            throw new PolicyPatternException(pattern, column + doublePercent, "'%%' must be a whole segment, as in /var/log/%%");
        int doubleStar = segment.IndexOf("**", StringComparison.Ordinal);
        if (doubleStar >= 0)
            throw new PolicyPatternException(pattern, column + doubleStar, "'**' must be a whole segment, as in /usr/**/bin; use '*' within a name");
        return [PatternSegment.Compile(pattern, segment, column)];
    }

    private static string RootOf(string text, List<PatternSegment> segments)
    {
        var literals = segments.TakeWhile(s => s.Literal is not null).Select(s => s.Literal!);
        string joined = string.Join('/', literals);
        return text[0] == '/' ? "/" + joined : joined;
    }
}
