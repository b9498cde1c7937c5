namespace Compliance.Hashing;

/// <summary>The hash algorithms a policy may name, looked up by their lower-case name.</summary>
public static class ContentHashAlgorithms
{
    /// <summary>Used when a policy names none.</summary>
    public static IContentHashAlgorithm Default => Blake3ContentHash.Instance;

    private static readonly IContentHashAlgorithm[] Known = [Blake3ContentHash.Instance, Sha256ContentHash.Instance];

    public static IReadOnlyList<IContentHashAlgorithm> All { get; } = Array.AsReadOnly(Known);

    public static bool TryGet(string name, out IContentHashAlgorithm algorithm)
    {
        // Looked up for every file hashed: the array itself is walked, with no enumerator to allocate.
        foreach (var candidate in Known)
        {
            if (string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }
        algorithm = null!;
        return false;
    }

    public static IContentHashAlgorithm Get(string name) =>
        TryGet(name, out var algorithm)
            ? algorithm
            : throw new ArgumentException($"Unknown hash algorithm '{name}'; known: {string.Join(", ", All.Select(a => a.Name))}.", nameof(name));
}
