using Microsoft.Win32.SafeHandles;

namespace Compliance.Hashing.Checksums;

/// <summary>The result of a run, numbered as the project's exit codes.</summary>
public enum ChecksumOutcome
{
    Ok = 0,
    /// <summary>A checked file did not match its recorded digest (or could not be read while checking).</summary>
    Mismatch = 1,
    /// <summary>Bad input: a directory given as a file, a malformed check file.</summary>
    InvalidInput = 2,
    /// <summary>A file could not be read.</summary>
    Failure = 3,
}

/// <summary>
/// b3sum's behaviour over a list of files: digest lines for each, or a check of a list of lines. A file that
/// cannot be read gets a one-line message and the run goes on; the worst outcome is returned.
/// </summary>
public sealed class ChecksumSession
{
    /// <summary>The name for standard input, on the command line and in output lines.</summary>
    public const string StandardInputName = "-";

    private readonly FileDigester _digester;
    private readonly TextWriter _output;
    private readonly TextWriter _errors;
    private readonly Func<Stream> _openStandardInput;
    private readonly string _program;
    private readonly Func<string, SafeFileHandle> _openFile;

    /// <param name="openFile">
    /// Opens a named file for reading (by default as .NET opens a path; a caller may open names .NET cannot, such as
    /// bytes that are not UTF-8). Throws <see cref="FileNotFoundException"/>, <see cref="UnauthorizedAccessException"/>
    /// or <see cref="IOException"/>.
    /// </param>
    public ChecksumSession(DigestRequest request, TextWriter output, TextWriter errors, Func<Stream> openStandardInput, string program,
        Func<string, SafeFileHandle>? openFile = null)
    {
        _digester = new FileDigester(request);
        _output = output;
        _errors = errors;
        _openStandardInput = openStandardInput;
        _program = program;
        _openFile = openFile ?? OpenByName;
    }

    /// <summary>Opens a named file as .NET opens a path.</summary>
    public static SafeFileHandle OpenByName(string name) =>
        // .NET refuses to open a directory as if access were denied: say what it is instead.
        Directory.Exists(name) ? throw new DirectoryGivenException() : FileDigester.Open(name);

    /// <summary>Writes a line per input; no inputs means standard input.</summary>
    public ChecksumOutcome HashFiles(IReadOnlyList<string> names)
    {
        var outcome = ChecksumOutcome.Ok;
        foreach (var name in names.Count == 0 ? [StandardInputName] : names)
        {
            if (TryDigest(name, out var digest, out var failure, out string? message))
                _output.Write(ChecksumLine.Format(digest, name) + "\n");
            else
            {
                _errors.Write($"{_program}: {name}: {message}\n");
                outcome = Worse(outcome, failure);
            }
        }
        _output.Flush();
        return outcome;
    }

    /// <summary>
    /// Reads digest lines from checkFile (standard input for "-") and re-digests each named file, writing
    /// "name: OK" or "name: FAILED". A malformed line stops the run before any file is read.
    /// </summary>
    public ChecksumOutcome CheckFiles(string checkFile, bool quiet)
    {
        var entries = new List<(byte[] Digest, string Name)>();
        string[] lines;
        try
        {
            lines = ReadLines(checkFile);
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            _errors.Write($"{_program}: {checkFile}: {Describe(checkFile, e, out var failure)}\n");
            return failure;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
                continue;
            if (!ChecksumLine.TryParse(lines[i], out var digest, out var name))
            {
                _errors.Write($"{_program}: {checkFile}:{i + 1}: malformed line, expected '<hex>  <name>'\n");
                return ChecksumOutcome.InvalidInput;
            }
            if (!_digester.CanProduce(digest.Length))
            {
                _errors.Write($"{_program}: {checkFile}:{i + 1}: a {digest.Length}-byte digest cannot come from this algorithm\n");
                return ChecksumOutcome.InvalidInput;
            }
            entries.Add((digest, name));
        }

        int failed = 0;
        foreach (var (expected, name) in entries)
        {
            var digester = expected.Length == _digester.OutputLength ? _digester : _digester.WithOutputLength(expected.Length);
            string verdict;
            if (!TryDigestWith(digester, name, out var actual, out _, out string? message))
                verdict = $"FAILED ({message})";
            else if (!actual.AsSpan().SequenceEqual(expected))
                verdict = "FAILED";
            else
                verdict = "OK";
            if (verdict != "OK")
                failed++;
            if (verdict != "OK" || !quiet)
                _output.Write(ChecksumLine.Result(name, verdict) + "\n");
        }
        _output.Flush();
        if (failed == 0)
            return ChecksumOutcome.Ok;
        _errors.Write($"{_program}: WARNING: {failed} computed checksum{(failed == 1 ? "" : "s")} did NOT match\n");
        return ChecksumOutcome.Mismatch;
    }

    private string[] ReadLines(string path)
    {
        string text;
        if (path == StandardInputName)
        {
            using var reader = new StreamReader(_openStandardInput());
            text = reader.ReadToEnd();
        }
        else
        {
            if (Directory.Exists(path))
                throw new DirectoryGivenException();
            text = File.ReadAllText(path);
        }
        // Only "\n" ends a line: a name may hold a "\r", as b3sum allows.
        return text.Split('\n');
    }

    private bool TryDigest(string name, out byte[] digest, out ChecksumOutcome failure, out string? message) =>
        TryDigestWith(_digester, name, out digest, out failure, out message);

    private bool TryDigestWith(FileDigester digester, string name, out byte[] digest, out ChecksumOutcome failure, out string? message)
    {
        try
        {
            if (name == StandardInputName)
            {
                using var input = _openStandardInput();
                digest = digester.DigestStream(input);
            }
            else
            {
                using var file = _openFile(name);
                if ((File.GetAttributes(file) & FileAttributes.Directory) != 0)
                    throw new DirectoryGivenException();
                digest = digester.DigestFile(file);
            }
            failure = ChecksumOutcome.Ok;
            message = null;
            return true;
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            digest = [];
            message = Describe(name, e, out failure);
            return false;
        }
    }

    private static bool IsReadFailure(Exception e) => e is IOException or UnauthorizedAccessException or DirectoryGivenException;

    private static string Describe(string name, Exception e, out ChecksumOutcome failure)
    {
        // A name that leads nowhere is bad input, as a directory is; a file that is there and cannot be read is a failure.
        failure = e is (DirectoryGivenException or FileNotFoundException or DirectoryNotFoundException) ? ChecksumOutcome.InvalidInput : ChecksumOutcome.Failure;
        return e switch
        {
            DirectoryGivenException => "is a directory",
            FileNotFoundException or DirectoryNotFoundException => "no such file",
            UnauthorizedAccessException => "permission denied",
            // .NET appends " : 'path'" to OS error texts; the line already starts with the name.
            _ => e.Message.Replace($" : '{name}'", "", StringComparison.Ordinal),
        };
    }

    private static ChecksumOutcome Worse(ChecksumOutcome a, ChecksumOutcome b) => (ChecksumOutcome)Math.Max((int)a, (int)b);

    private sealed class DirectoryGivenException : Exception;
}
