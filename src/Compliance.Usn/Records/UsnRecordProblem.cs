namespace Compliance.Usn.Records;

/// <summary>A stretch of the input that is not a readable record: where it starts and why it was skipped.</summary>
public sealed record UsnRecordProblem(long Offset, string Message)
{
    public override string ToString() => $"offset {Offset}: {Message}";
}

/// <summary>What reading the input produced next: a record or a problem, never both.</summary>
public readonly record struct UsnReadItem(UsnRecord? Record, UsnRecordProblem? Problem);
