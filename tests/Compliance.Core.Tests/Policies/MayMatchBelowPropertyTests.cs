using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

/// <summary>Pruning must never hide a match: wherever MayMatchBelow says no, no path beneath may match.</summary>
public class MayMatchBelowPropertyTests
{
    private static readonly string[] Names = ["a", "b", "ab", "ba", ".ssh", "bin", "x.so"];

    private static readonly string[] Patterns =
    [
        "/a", "/a/b", "/a/", "/a/%", "/a/%%", "/%/b", "/%/.ssh/%%", "/a/**", "/**/b", "/**/a/**/b", "/a/**/%",
        "/%b", "/a%/%", "/*/*.so", "/[ab]/?", "/[!a]*/**", "/b/a/", "a/**", "%/%/%", "/**", "/",
    ];

    [Fact]
    public void MayMatchBelow_never_prunes_a_directory_with_a_match_beneath()
    {
        var random = new Random(20261121);
        var tree = Enumerable.Range(0, 400).Select(_ => RandomPath(random)).ToList();
        foreach (var text in Patterns)
        {
            var pattern = PathPattern.Parse(text);
            foreach (var path in tree.Where(pattern.Matches))
            {
                foreach (var ancestor in StrictAncestors(path))
                    pattern.MayMatchBelow(ancestor).Should().BeTrue($"'{text}' matches '{path}' below '{ancestor}'");
            }
        }
    }

    [Fact]
    public void MayMatchBelow_does_prune_somewhere()
    {
        var random = new Random(7);
        var directories = Enumerable.Range(0, 200).Select(_ => RandomPath(random)).ToList();
        PathPattern.Parse("/a/b/").MayMatchBelow("/b").Should().BeFalse();
        directories.Count(PathPattern.Parse("/%/.ssh/%%").MayMatchBelow).Should().BeLessThan(directories.Count);
    }

    private static string RandomPath(Random random) =>
        "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Names[random.Next(Names.Length)]));

    private static IEnumerable<string> StrictAncestors(string path)
    {
        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            yield return path[..slash];
        yield return "/";
    }
}
