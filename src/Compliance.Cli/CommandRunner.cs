using System.CommandLine;
using System.CommandLine.Parsing;
using Compliance.Core;

namespace Compliance.Cli;

/// <summary>Parses, runs, and turns failures into one-line messages and the documented exit codes.</summary>
internal static class CommandRunner
{
    /// <summary>An empty value names no file, no path and no person: '' is always a mistake (an unset shell variable).</summary>
    private static IEnumerable<string> EmptyValues(ParseResult parse)
    {
        for (int i = 0; i < parse.Tokens.Count; i++)
        {
            if (parse.Tokens[i] is { Type: TokenType.Argument, Value.Length: 0 })
                yield return i > 0 && parse.Tokens[i - 1].Type == TokenType.Option
                    ? $"{parse.Tokens[i - 1].Value} was given an empty value."
                    : "an empty argument was given.";
        }
    }

    /// <summary>
    /// What is wrong with the command line, as one line; null when nothing is. An unknown word is all that is said
    /// about it (System.CommandLine adds "Required command was not provided." and an error for each word after it),
    /// and its messages that span lines (the choices of an option) or name .NET types are put in words.
    /// </summary>
    private static string? UsageError(ParseResult parse)
    {
        if (parse.UnmatchedTokens is [var unknown, ..])
        {
            var kind = unknown.StartsWith('-') ? "option" : parse.CommandResult.Command.Subcommands.Count > 0 ? "command" : "argument";
            return $"unknown {kind} '{unknown}'";
        }
        var command = parse.CommandResult.Command;
        if (parse.Errors.Count > 0 && command.Action is null && command.Subcommands.Count > 0)
            return $"give one of its commands: {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
        var errors = parse.Errors.Select(e => e.Message).Concat(EmptyValues(parse)).Select(InWords).ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    private static string InWords(string message)
    {
        var notANumber = System.Text.RegularExpressions.Regex.Match(message, "^Cannot parse argument '(.*)' for option '(.*)' as expected type '.*Int(32|64).*'\\.$");
        if (notANumber.Success)
            return $"{notANumber.Groups[2].Value} {notANumber.Groups[1].Value}: not a whole number";
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 1 ? lines[0].TrimEnd('.') : $"{lines[0]} {string.Join(", ", lines[1..])}";
    }

    /// <summary>"compliance mft list": the command whose --help tells how to use it.</summary>
    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)} {command.Command.Name}" : "compliance";

    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (UsageError(parse) is { } usage)
        {
            Console.Error.WriteLine($"compliance: {usage} (see '{CommandPath(parse.CommandResult)} --help')");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ComplianceException e)
        {
            Console.Error.WriteLine($"compliance: {e.Message}");
            return e.Kind == FailureKind.Usage ? ExitCodes.Usage : ExitCodes.Failure;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED)
        {
            Console.Error.WriteLine("compliance: gave up waiting for the database: another process (a baseline or accept still writing?) kept it locked. Run this again when it has finished.");
            return ExitCodes.Failure;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_READONLY)
        {
            Console.Error.WriteLine($"compliance: this user cannot write the database, or the -wal and -shm files beside it that whoever opened it first made; SQLite said: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN)
        {
            // The environment, not a bug: what was committed before stays, and a run that stopped here is redone.
            Console.Error.WriteLine($"compliance: cannot write the database (is its disk full, or were its -wal and -shm files removed?): SQLite said: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"compliance: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            // A bug, not bad input: still one line, with the details on request.
            Console.Error.WriteLine($"compliance: internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("COMPLIANCE_DEBUG") is "1")
                Console.Error.WriteLine(e);
            else
                Console.Error.WriteLine("Set COMPLIANCE_DEBUG=1 to see the stack trace.");
            return ExitCodes.Failure;
        }
    }
}
