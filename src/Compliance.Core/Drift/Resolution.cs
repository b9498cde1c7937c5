using Compliance.Core.Policies;

namespace Compliance.Core.Drift;

/// <summary>
/// Drift that went away: a path the store held as differing from the baseline was found as approved again (put
/// back, or gone where nothing was approved). Not a finding, as there is nothing left to approve: it is reported,
/// and the store simply no longer holds the path.
/// </summary>
public sealed record Resolution(string Path, string Source)
{
    /// <summary>The policy's category for the path; null once the path is outside the policy.</summary>
    public string? Category { get; init; }
    public Severity? Severity { get; init; }

    /// <summary>The process that made the change, when the change source knows it.</summary>
    public int? ProcessId { get; init; }
    public string? ProcessPath { get; init; }

    public DateTimeOffset ObservedAt { get; init; } = DateTimeOffset.UtcNow;
}
