namespace Compliance.Core.Reconcile;

/// <summary>
/// Observations compared with one baseline generation reached the store after another had been approved (a
/// `baseline` or `accept` in another process). They were not stored: stored, they would be drift against a baseline
/// that is no longer current, and a match against the old one would clear drift against the new one.
/// </summary>
public sealed class BaselineChangedException(long? comparedWith, long? current)
    : ComplianceException($"the approved baseline changed while this ran (generation {Describe(comparedWith)} is now {Describe(current)}: another baseline or accept); what it found from then on was not stored. Run it again.")
{
    public long? ComparedWith { get; } = comparedWith;
    public long? Current { get; } = current;

    private static string Describe(long? generation) => generation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
}
