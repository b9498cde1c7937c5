namespace Compliance.Core.Policies;

/// <summary>A path pattern that cannot be compiled; <see cref="Column"/> is the 0-based position of the problem in the pattern text.</summary>
public sealed class PolicyPatternException(string pattern, int column, string problem)
    : ComplianceException($"bad pattern '{pattern}' at column {column + 1}: {problem}", FailureKind.Usage)
{
    public string Pattern { get; } = pattern;
    public int Column { get; } = column;

    /// <summary>The problem alone, without the pattern and position, for messages that give the position their own way.</summary>
    public string Problem { get; } = problem;
}
