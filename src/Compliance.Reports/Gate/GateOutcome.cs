using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;

namespace Compliance.Reports.Gate;

/// <summary>Everything a gate's CI outputs say: the baseline it compared against, what it scanned, and what drifted.</summary>
public sealed record GateOutcome
{
    public required Policy Policy { get; init; }
    public required long Generation { get; init; }

    /// <summary>The scanned tree as the store records it, e.g. "linux:/mnt/golden" or "ntfs-image:/images/disk.img".</summary>
    public required string Tree { get; init; }

    /// <summary>
    /// The directory on this machine that the tree's paths are below ("/" for the running system), so SARIF can give
    /// their file URIs; null when the paths are inside an image and have no location of their own.
    /// </summary>
    public string? RootDirectory { get; init; }

    public required string ToolVersion { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Every finding of the run, unverified ones included: any finding fails the gate.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required RunTotals Totals { get; init; }

    public bool Passed => Findings.Count == 0;
}
