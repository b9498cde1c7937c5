namespace Compliance.Cli;

/// <summary>The exit codes every command uses, as the README documents them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Drift found, a gate failed, a check or verification did not match.</summary>
    public const int Drift = 1;
    public const int Usage = 2;
    public const int Failure = 3;
}
