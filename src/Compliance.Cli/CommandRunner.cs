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

    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var errors = parse.Errors.Select(e => e.Message).Concat(EmptyValues(parse)).ToList();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
                Console.Error.WriteLine($"compliance: {error}");
            Console.Error.WriteLine("Try 'compliance --help'.");
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
