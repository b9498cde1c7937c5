using Compliance.Core.Attributes;
using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Reports.Gate;

/// <summary>A finding as one line for a person reading a CI result: kind, path, and each changed attribute's before → after.</summary>
public static class FindingText
{
    public static string Describe(Finding finding)
    {
        var path = EntryPath.ToDisplay(finding.Path);
        return finding.Kind switch
        {
            DriftKind.Added => $"added: {path} is not in the approved baseline",
            DriftKind.Removed => $"removed: {path} is in the approved baseline but missing",
            DriftKind.Unverified => $"unverified: {path}: {finding.Detail ?? "could not be read"}",
            DriftKind.Moved => $"moved: {path} from {EntryPath.ToDisplay(finding.Before!.Path)}{Changes(finding, except: "path")}",
            _ => $"{finding.Kind.ToName()} changed: {path}{Changes(finding)}",
        };
    }

    private static string Changes(Finding finding, string? except = null)
    {
        var changes = finding.Attributes.Where(a => a != except).Select(a => Change(finding, a)).ToList();
        return changes.Count == 0 ? "" : ": " + string.Join(", ", changes);
    }

    private static string Change(Finding finding, string attribute)
    {
        if (AttributeCatalog.ByName(attribute) is not { } definition)
            return attribute;
        string Value(FileEntry? entry) => entry is null ? "-" : definition.Format(entry) ?? "-";
        return $"{attribute} {Value(finding.Before)} → {Value(finding.After)}";
    }
}
