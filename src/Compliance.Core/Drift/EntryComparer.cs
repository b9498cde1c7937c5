using Compliance.Core.Attributes;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Drift;

/// <summary>
/// Compares one baseline entry with one observed entry at the same path, using the category's attribute set.
/// Moves are paired separately by <see cref="MovePairing"/>, because they need both sides of the whole scan.
/// </summary>
public static class EntryComparer
{
    /// <summary>The finding for a path, or null when it matches the baseline.</summary>
    public static Finding? Compare(FileEntry? baseline, FileEntry? observed, PolicyCategory? category, string source = "scan")
    {
        var path = (observed ?? baseline)?.Path ?? throw new ArgumentException("Both sides are null.");
        var attributes = category?.Attributes ?? AttributeCatalog.Everything;
        var severity = category?.Severity ?? Severity.Medium;
        var categoryName = category?.Name ?? observed?.Category ?? baseline?.Category ?? "";

        Finding Make(DriftKind kind, IReadOnlyList<string>? changed = null, string? detail = null) => new()
        {
            Path = path,
            Kind = kind,
            Attributes = changed ?? [],
            Before = baseline,
            After = observed,
            Category = categoryName,
            Severity = severity,
            Detail = detail,
            Source = source,
        };

        if (observed is null)
            return baseline is null ? null : Make(DriftKind.Removed);
        if (observed.Error is not null)
        {
            // What stat still shows goes with it: a file that cannot be read may be new, or have a new owner or mode.
            if (baseline is null)
                return Make(DriftKind.Unverified, detail: $"{observed.Error} (not in the approved baseline)");
            IReadOnlyList<string> seen = observed.Type == FileType.Unknown ? []
                : baseline.Type != observed.Type ? [AttributeCatalog.Type.Name]
                : ChangedAttributes(baseline, observed, attributes);
            return Make(DriftKind.Unverified, seen, observed.Error);
        }
        if (baseline is null)
            return Make(DriftKind.Added);
        if (baseline.Type != observed.Type)
            return Make(DriftKind.Type, [AttributeCatalog.Type.Name]);

        var changed = ChangedAttributes(baseline, observed, attributes);
        string? detail = null;
        if (baseline.Error is not null)
        {
            // The approved entry could not be read when it was recorded (unreadable, unstable): it holds no hash, maybe
            // no trustworthy metadata, so what is seen now was never approved. It stays drift, the hashes the category
            // compares named as changed, until a baseline or accept records a verified state.
            if (observed.Type == FileType.File)
                changed.AddRange(attributes.HashAlgorithms.Where(name => !baseline.Hashes.ContainsKey(name)));
            detail = $"never verified: the approved baseline recorded \"{baseline.Error}\"";
        }
        else if (changed.Count == 0)
        {
            return null;
        }
        bool contentChanged = changed.Any(name => AttributeCatalog.ByName(name)?.IsContentHash == true);
        return Make(contentChanged ? DriftKind.Content : DriftKind.Metadata, changed, detail);
    }

    public static List<string> ChangedAttributes(FileEntry baseline, FileEntry observed, AttributeSet attributes)
    {
        var changed = new List<string>();
        foreach (var attribute in attributes.Attributes)
        {
            // A hash recorded on one side only (policy changed, or the other side was not hashed) is not evidence of change;
            // an approved entry recorded with an error has none, and Compare reports it as never verified.
            if (attribute.IsContentHash && (!baseline.Hashes.ContainsKey(attribute.Name) || !observed.Hashes.ContainsKey(attribute.Name)))
                continue;
            if (!attribute.AreEqual(baseline, observed))
                changed.Add(attribute.Name);
        }
        return changed;
    }
}
