using System.CommandLine;
using Compliance.Cli.Commands;

namespace Compliance.Cli;

/// <summary>Every top-level command, in the order --help lists them. Each command lives in its own file under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return HashCommand.Create();
        yield return WatchCommand.Create();
        yield break;
    }
}
