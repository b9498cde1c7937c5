namespace Compliance.Core.Policies;

/// <summary>One compiled segment of a <see cref="PathPattern"/>: a literal name, a glob within one name, or '**' (any depth).</summary>
internal sealed class PatternSegment
{
    private readonly GlobToken[] _tokens;

    private PatternSegment(string? literal, GlobToken[] tokens, bool isAnyDepth)
    {
        Literal = literal;
        _tokens = tokens;
        IsAnyDepth = isAnyDepth;
    }

    /// <summary>The name this segment matches exactly, or null when it has wildcards.</summary>
    public string? Literal { get; }

    /// <summary>True for '**': zero or more whole segments.</summary>
    public bool IsAnyDepth { get; }

    public static PatternSegment AnyDepth { get; } = new(null, [], isAnyDepth: true);

    /// <summary>Any one name: '*', '%', and the level a trailing '/' stands for.</summary>
    public static PatternSegment OneLevel { get; } = new(null, [GlobToken.Star], isAnyDepth: false);

    public bool Matches(ReadOnlySpan<char> name) =>
        Literal is not null ? name.SequenceEqual(Literal) : MatchesGlob(name);

    /// <summary>Compiles one '/'-free segment; <paramref name="column"/> is where it starts in <paramref name="pattern"/>, for errors.</summary>
    public static PatternSegment Compile(string pattern, string segment, int column)
    {
        var tokens = new List<GlobToken>();
        int i = 0;
        while (i < segment.Length)
        {
            char c = segment[i];
            switch (c)
            {
                case '*' or '%':
                    tokens.Add(GlobToken.Star);
                    i++;
                    break;
                case '?':
                    tokens.Add(GlobToken.AnyOne);
                    i++;
                    break;
                case '[':
                    tokens.Add(ParseClass(pattern, segment, column, ref i));
                    break;
                case '\\':
                    int unit = ParseEscape(pattern, segment, column, ref i);
                    // A pair written as two \u escapes (how a character that draws nothing beyond U+FFFF is shown) is one character.
                    if (char.IsHighSurrogate((char)unit) && i < segment.Length && segment[i] == '\\' && Peek(pattern, segment, column, i) is var next && char.IsLowSurrogate((char)next.Unit))
                    {
                        unit = char.ConvertToUtf32((char)unit, (char)next.Unit);
                        i = next.End;
                    }
                    tokens.Add(GlobToken.Exactly(unit));
                    break;
                default:
                    tokens.Add(GlobToken.Exactly(CodePointAt(segment, i, out int width)));
                    i += width;
                    break;
            }
        }
        return tokens.All(t => t.Kind == GlobTokenKind.CodePoint)
            ? new PatternSegment(LiteralText(tokens), [], isAnyDepth: false)
            : new PatternSegment(null, tokens.ToArray(), isAnyDepth: false);
    }

    // The name itself, with escapes and one-character classes resolved; lone surrogates stay single code units.
    private static string LiteralText(List<GlobToken> tokens)
    {
        var builder = new System.Text.StringBuilder(tokens.Count);
        foreach (var token in tokens)
        {
            if (token.CodePoint > 0xFFFF)
                builder.Append(char.ConvertFromUtf32(token.CodePoint));
            else
                builder.Append((char)token.CodePoint);
        }
        return builder.ToString();
    }

    private static (int Unit, int End) Peek(string pattern, string segment, int column, int i)
    {
        int unit = ParseEscape(pattern, segment, column, ref i);
        return (unit, i);
    }

    // The escapes EntryPath.ToDisplay writes: \xHH a byte that is not UTF-8 (80-FF), \uHHHH one UTF-16 code unit
    // (an unpaired surrogate, or a character that draws nothing), \\ a backslash.
    private static int ParseEscape(string pattern, string segment, int column, ref int i)
    {
        const string Usage = "'\\' starts \\xHH (a byte that is not UTF-8, 80 to FF), \\uHHHH (a UTF-16 code unit) or \\\\ (a backslash); "
            + "paths use '/' as separator";
        if (i + 1 < segment.Length && segment[i + 1] == '\\')
        {
            i += 2;
            return '\\';
        }
        int digits = i + 1 < segment.Length ? segment[i + 1] switch { 'x' => 2, 'u' => 4, _ => 0 } : 0;
        if (digits == 0 || i + 2 + digits > segment.Length
            || !int.TryParse(segment.AsSpan(i + 2, digits), System.Globalization.NumberStyles.AllowHexSpecifier, null, out int value))
            throw new PolicyPatternException(pattern, column + i, Usage);
        int codeUnit = digits == 2 ? 0xDC00 + value : value;
        if (digits == 2 ? value < 0x80 : value is 0 or '/')
            throw new PolicyPatternException(pattern, column + i, Usage);
        i += 2 + digits;
        return codeUnit;
    }

    // '[' ... ']' with '!' or '^' negating, ranges a-z, and ']' literal when first.
    private static GlobToken ParseClass(string pattern, string segment, int column, ref int i)
    {
        int open = i++;
        bool negated = i < segment.Length && segment[i] is '!' or '^';
        if (negated)
            i++;
        var ranges = new List<(int Low, int High)>();
        bool first = true;
        while (i < segment.Length && (segment[i] != ']' || first))
        {
            first = false;
            int low = CodePointAt(segment, i, out int width);
            int lowColumn = i;
            i += width;
            int high = low;
            if (i + 1 < segment.Length && segment[i] == '-' && segment[i + 1] != ']')
            {
                high = CodePointAt(segment, i + 1, out int highWidth);
                i += 1 + highWidth;
                if (high < low)
                    throw new PolicyPatternException(pattern, column + lowColumn, "the character range is reversed: its first character sorts after its last");
            }
            ranges.Add((low, high));
        }
        if (i >= segment.Length)
            throw new PolicyPatternException(pattern, column + open, "'[' starts a character class that has no closing ']' in this segment; match '[' itself with [[]");
        i++; // the closing ']'
        // A one-character class such as [*] is how a wildcard character is written literally, so it stays a literal.
        if (!negated && ranges is [var only] && only.Low == only.High)
            return GlobToken.Exactly(only.Low);
        return GlobToken.Class(ranges.ToArray(), negated);
    }

    // Iterative wildcard matching that backtracks only to the last '*': linear for the usual one-star names.
    private bool MatchesGlob(ReadOnlySpan<char> name)
    {
        int token = 0, position = 0, starToken = -1, starPosition = 0;
        while (position < name.Length)
        {
            if (token < _tokens.Length)
            {
                var current = _tokens[token];
                if (current.Kind == GlobTokenKind.Star)
                {
                    starToken = token++;
                    starPosition = position;
                    continue;
                }
                if (current.Matches(CodePointAt(name, position, out int width)))
                {
                    token++;
                    position += width;
                    continue;
                }
            }
            if (starToken < 0)
                return false;
            token = starToken + 1;
            CodePointAt(name, starPosition, out int skipped);
            starPosition += skipped;
            position = starPosition;
        }
        while (token < _tokens.Length && _tokens[token].Kind == GlobTokenKind.Star)
            token++;
        return token == _tokens.Length;
    }

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate (an escaped byte) counts as its own code point.</summary>
    private static int CodePointAt(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }
        width = 1;
        return c;
    }

    private enum GlobTokenKind
    {
        CodePoint,
        AnyOne,
        Star,
        Class,
    }

    private readonly record struct GlobToken(GlobTokenKind Kind, int CodePoint, (int Low, int High)[]? Ranges, bool Negated)
    {
        public static GlobToken Star { get; } = new(GlobTokenKind.Star, 0, null, false);
        public static GlobToken AnyOne { get; } = new(GlobTokenKind.AnyOne, 0, null, false);

        public static GlobToken Exactly(int codePoint) => new(GlobTokenKind.CodePoint, codePoint, null, false);

        public static GlobToken Class((int Low, int High)[] ranges, bool negated) => new(GlobTokenKind.Class, 0, ranges, negated);

        public bool Matches(int codePoint) => Kind switch
        {
            GlobTokenKind.CodePoint => codePoint == CodePoint,
            GlobTokenKind.AnyOne => true,
            GlobTokenKind.Class => InClass(codePoint) != Negated,
            _ => false,
        };

        private bool InClass(int codePoint)
        {
            foreach (var (low, high) in Ranges!)
            {
                if (codePoint >= low && codePoint <= high)
                    return true;
            }
            return false;
        }
    }
}
