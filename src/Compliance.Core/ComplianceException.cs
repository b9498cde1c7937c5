namespace Compliance.Core;

/// <summary>How a failure is reported to the person or script that ran the tool.</summary>
public enum FailureKind
{
    /// <summary>The request itself is wrong: bad arguments, a malformed policy, a wrong-length key. Exit code 2.</summary>
    Usage,

    /// <summary>The request was fine but the work could not be done: unreadable input, a database from a newer schema. Exit code 3.</summary>
    Runtime,
}

/// <summary>An error whose message is written for the user, one line, no stack trace.</summary>
public class ComplianceException(string message, FailureKind kind = FailureKind.Runtime, Exception? inner = null)
    : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;
}
