using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Drift;

/// <summary>One difference between the approved baseline and what was observed.</summary>
public sealed class Finding
{
    public required string Path { get; init; }
    public required DriftKind Kind { get; init; }

    /// <summary>Names of the attributes that differ (for moved: the path's old location is in <see cref="Before"/>).</summary>
    public IReadOnlyList<string> Attributes { get; init; } = [];

    /// <summary>The baseline entry; null for added.</summary>
    public FileEntry? Before { get; init; }

    /// <summary>The observed entry; null for removed.</summary>
    public FileEntry? After { get; init; }

    public string Category { get; init; } = "";
    public Severity Severity { get; init; } = Severity.Medium;

    /// <summary>
    /// For unverified: why the entry could not be read. For an approved entry recorded unverified and readable now:
    /// what its baseline recorded (it was never verified).
    /// </summary>
    public string? Detail { get; init; }

    /// <summary>Where the observation came from: scan, rescan, fanotify, inotify, usn...</summary>
    public string Source { get; init; } = "scan";

    /// <summary>The process that made the change, when the change source knows it.</summary>
    public int? ProcessId { get; init; }
    public string? ProcessPath { get; init; }

    public DateTimeOffset ObservedAt { get; init; } = DateTimeOffset.UtcNow;
}
