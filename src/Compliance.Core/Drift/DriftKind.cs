namespace Compliance.Core.Drift;

/// <summary>The kinds of drift; their names are the `kind` values of every machine output.</summary>
public enum DriftKind
{
    Added,
    Removed,
    Content,
    Metadata,
    Type,
    Moved,
    Unverified,
}

public static class DriftKindNames
{
    public static string ToName(this DriftKind kind) => kind switch
    {
        DriftKind.Added => "added",
        DriftKind.Removed => "removed",
        DriftKind.Content => "content",
        DriftKind.Metadata => "metadata",
        DriftKind.Type => "type",
        DriftKind.Moved => "moved",
        _ => "unverified",
    };

    public static DriftKind Parse(string name) =>
        Enum.GetValues<DriftKind>().FirstOrDefault(k => k.ToName() == name, DriftKind.Unverified);
}
