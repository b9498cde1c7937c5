using System.CommandLine;
using Compliance.Cli.Commands;

namespace Compliance.Cli;

/// <summary>Every top-level command, in the order --help lists them. Each command lives in its own file under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return BaselineCommand.Create();
        yield return CheckCommand.Create();
        yield return GateCommand.Create();
        yield return AcceptCommand.Create();
        yield return ExportCommand.Create();
        yield return PolicyCommand.Create();
        yield return UsnCommand.Create();
        yield return MftCommand.Create();
        yield return HashCommand.Create();
        yield return ReportCommand.Create();
        yield return KeygenCommand.Create();
        yield return AttestCommand.Create();
        yield return VerifyCommand.Create();
        yield return WatchCommand.Create();
    }
}
