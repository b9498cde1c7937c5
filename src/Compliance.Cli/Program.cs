using System.CommandLine;
using Compliance.Cli;
using Compliance.Cli.Commands;

var root = new RootCommand("compliance: file-integrity monitoring with evidence an auditor accepts.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

return CommandRunner.Run(root, args);
