using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

/// <summary>
/// Properties over random patterns and random trees built from a small alphabet, so that matches are frequent:
/// pruning never hides a match, excludes cover exactly the subtrees of matches, and a leading '/' never matters.
/// </summary>
public class MayMatchBelowPropertyTests
{
    private static readonly string[] Names = ["a", "b", "ab", "ba", ".ssh", "x.so"];
    private static readonly string[] PatternSegments = ["a", "b", "ab", ".ssh", "%", "*", "?", "a%", "%b", "*.so", "[ab]", "[!a]*", "**"];
    private static readonly string[] PatternEndings = ["", "", "/", "/%%"];

    [Fact]
    public void MayMatchBelow_never_prunes_a_directory_with_a_match_beneath()
    {
        var random = new Random(20261121);
        var tree = RandomTree(random);
        foreach (var pattern in RandomPatterns(random))
        {
            foreach (var path in tree.Where(pattern.Matches))
            {
                foreach (var ancestor in StrictAncestors(path))
                    pattern.MayMatchBelow(ancestor).Should().BeTrue($"'{pattern.Text}' matches '{path}' below '{ancestor}'");
            }
        }
    }

    [Fact]
    public void MayMatchBelow_does_prune()
    {
        var random = new Random(7);
        var tree = RandomTree(random);
        PathPattern.Parse("/a/b/").MayMatchBelow("/b").Should().BeFalse();
        tree.Count(PathPattern.Parse("/%/.ssh/%%").MayMatchBelow).Should().BeInRange(1, tree.Count - 1);
    }

    [Fact]
    public void Excludes_is_a_match_of_the_path_or_an_ancestor()
    {
        var random = new Random(11);
        var tree = RandomTree(random);
        foreach (var pattern in RandomPatterns(random))
        {
            foreach (var path in tree)
            {
                bool expected = StrictAncestors(path).Prepend(path).Any(pattern.Matches);
                pattern.Excludes(path).Should().Be(expected, $"'{pattern.Text}' against '{path}'");
            }
        }
    }

    [Fact]
    public void A_leading_slash_never_matters()
    {
        var random = new Random(13);
        var tree = RandomTree(random);
        // Without its leading '/', a one-segment pattern would have no '/' at all: a basename pattern, by design.
        foreach (var pattern in RandomPatterns(random).Where(p => p.Text.TrimStart('/').Contains('/')))
        {
            var relative = PathPattern.Parse(pattern.Text.TrimStart('/'));
            foreach (var path in tree)
            {
                relative.Matches(path).Should().Be(pattern.Matches(path), $"'{pattern.Text}' against '{path}'");
                pattern.Matches(path.TrimStart('/')).Should().Be(pattern.Matches(path), $"'{pattern.Text}' against '{path}'");
            }
        }
    }

    private static List<string> RandomTree(Random random) =>
        Enumerable.Range(0, 300)
            .Select(_ => "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Names[random.Next(Names.Length)])))
            .Distinct()
            .ToList();

    private static List<PathPattern> RandomPatterns(Random random) =>
        Enumerable.Range(0, 150)
            .Select(_ => "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => PatternSegments[random.Next(PatternSegments.Length)]))
                + PatternEndings[random.Next(PatternEndings.Length)])
            .Select(PathPattern.Parse)
            .ToList();

    private static IEnumerable<string> StrictAncestors(string path)
    {
        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            yield return path[..slash];
        yield return "/";
    }
}
