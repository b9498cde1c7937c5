using Compliance.Core.Drift;
using Compliance.Core.Policies;

namespace Compliance.Reports.Gate;

/// <summary>One rule a finding breaks: one per drift kind, the same ids in every SARIF file so CI alerts stay matched across runs.</summary>
public sealed record DriftRule(DriftKind Kind, string Name, string ShortDescription, string FullDescription, string Help)
{
    public string Id => "FIM." + Kind.ToName();
}

public static class DriftRules
{
    /// <summary>The rules in <see cref="DriftKind"/> order, so a kind's position is its SARIF ruleIndex.</summary>
    public static IReadOnlyList<DriftRule> All { get; } =
    [
        new(DriftKind.Added, "FileAdded", "A file appeared that the approved baseline does not have.",
            "A path selected by the policy exists now but was not part of the approved baseline.",
            "Remove the file if it is unexpected; if the change is approved, run `compliance accept` to add it to the baseline."),
        new(DriftKind.Removed, "FileRemoved", "A file of the approved baseline is missing.",
            "A path recorded in the approved baseline no longer exists.",
            "Restore the file if its removal is unexpected; if the change is approved, run `compliance accept`."),
        new(DriftKind.Content, "ContentChanged", "A file's content differs from the approved baseline.",
            "The file's content hash no longer matches the one recorded in the approved baseline.",
            "Compare the file with its approved version; restore it, or approve the new content with `compliance accept`."),
        new(DriftKind.Metadata, "MetadataChanged", "A file's metadata differs from the approved baseline.",
            "Attributes such as mode, owner, times or extended attributes differ from the approved baseline while the content is unchanged.",
            "Check the listed attributes; restore them, or approve the change with `compliance accept`."),
        new(DriftKind.Type, "TypeChanged", "A path changed type.",
            "The path is now a different kind of entry (file, directory, symbolic link...) than in the approved baseline.",
            "Find out what replaced the entry; restore it, or approve the change with `compliance accept`."),
        new(DriftKind.Moved, "FileMoved", "A file of the approved baseline moved.",
            "A baseline file is missing from its recorded path and the same file (same identity and content) is at a new path.",
            "Move the file back if the rename is unexpected; if it is approved, run `compliance accept`."),
        new(DriftKind.Unverified, "FileUnverified", "A file could not be verified.",
            "The scan could not read the entry (permissions, I/O error...), so it cannot say whether it matches the approved baseline.",
            "Fix the access problem named in the message and run the gate again."),
    ];

    public static DriftRule For(DriftKind kind) => All[(int)kind];

    /// <summary>SARIF's level for a finding of a category with this severity.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };
}
