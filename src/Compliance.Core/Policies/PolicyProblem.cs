namespace Compliance.Core.Policies;

/// <summary>One thing wrong with a policy file, at a 1-based line and column.</summary>
public sealed record PolicyProblem(string Source, int Line, int Column, string Message)
{
    public override string ToString() => $"{Source}:{Line}:{Column}: {Message}";
}

/// <summary>A policy that cannot be used; the message names the first problem and counts the others.</summary>
public sealed class PolicyException(IReadOnlyList<PolicyProblem> problems)
    : ComplianceException(Describe(problems), FailureKind.Usage)
{
    public IReadOnlyList<PolicyProblem> Problems { get; } = problems;

    private static string Describe(IReadOnlyList<PolicyProblem> problems) => problems.Count switch
    {
        0 => throw new ArgumentException("a policy exception needs at least one problem", nameof(problems)),
        1 => problems[0].ToString(),
        2 => $"{problems[0]} (and 1 other problem; run 'compliance policy lint')",
        _ => $"{problems[0]} (and {problems.Count - 1} other problems; run 'compliance policy lint')",
    };
}
