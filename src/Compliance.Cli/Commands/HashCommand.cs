using System.CommandLine;
using Compliance.Core;
using Compliance.Core.Model;
using Compliance.Hashing.Blake3;
using Compliance.Hashing.Checksums;
using Compliance.Linux;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Cli.Commands;

/// <summary>`compliance hash`: BLAKE3 (or SHA-256) digests of files, printed and checked as b3sum does.</summary>
internal static class HashCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Files to hash, or with --check the files of digest lines to verify. '-' or none: standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var length = new Option<int>("--length", "-l")
        {
            HelpName = "N",
            Description = "Output length in bytes (BLAKE3 extended output; 32 is the standard hash). Printed as twice as many hex digits.",
            DefaultValueFactory = _ => Blake3Hasher.DefaultOutputLength,
        };
        var keyed = new Option<bool>("--keyed")
        {
            Description = "BLAKE3 keyed mode (a MAC). The key is read from standard input and must be exactly 32 raw bytes.",
        };
        var deriveKey = new Option<string?>("--derive-key")
        {
            HelpName = "CONTEXT",
            Description = "BLAKE3 key-derivation mode with this context string; the input is the key material.",
        };
        var threads = new Option<int>("--num-threads")
        {
            HelpName = "N",
            Description = "Most threads to hash one large file with (each reads and hashes its own parts of it). Default: the number of logical CPUs.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var noMmap = new Option<bool>("--no-mmap")
        {
            Description = "Read each file as one stream in 1 MiB blocks, on one thread, as b3sum does with this flag. (Files are never memory-mapped: reading parts of a file on several threads is faster here.)",
        };
        var check = new Option<bool>("--check", "-c")
        {
            Description = "Read '<hex>  <name>' lines from each FILE and verify them: prints 'name: OK' or 'name: FAILED', " +
                          "exit code 1 when any fails, 2 for a malformed line.",
        };
        var quiet = new Option<bool>("--quiet")
        {
            Description = "With --check, print only the files that fail.",
        };
        var algorithm = new Option<string>("--algo")
        {
            Description = "blake3 (default) or sha256 (FIPS approved; no --keyed, --derive-key or --length).",
            DefaultValueFactory = _ => "blake3",
        };
        algorithm.AcceptOnlyFromAmong("blake3", "sha256");

        var command = new Command("hash",
            "Print '<hex>  <name>' digest lines for files, like b3sum; exit 0, or 1 when a check fails, 2 for bad input " +
            "(a missing file, a directory, a malformed check file, a wrong key), 3 when a file cannot be read. " +
            $"{Blake3Simd.EnvironmentVariable}=scalar|128|256|512 forces a BLAKE3 SIMD width.");
        command.Arguments.Add(files);
        foreach (var option in new Option[] { length, keyed, deriveKey, threads, noMmap, check, quiet, algorithm })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            // Names that are not UTF-8 are taken as the bytes given and opened by them (b3sum prints them with U+FFFD too).
            var names = CommonOptions.PathArguments(parse.GetValue(files) ?? []);
            bool readsKey = parse.GetValue(keyed);
            if (readsKey && (names.Length == 0 || names.Contains(ChecksumSession.StandardInputName)))
                throw new ComplianceException("--keyed reads the key from standard input, so the input must come from named files", FailureKind.Usage);

            var request = new DigestRequest
            {
                Algorithm = parse.GetValue(algorithm)!,
                Key = readsKey ? ReadKey() : null,
                DeriveKeyContext = parse.GetValue(deriveKey),
                OutputLength = parse.GetValue(length),
                Threads = parse.GetValue(threads),
                ReadInSubtrees = !parse.GetValue(noMmap),
            };
            ChecksumSession session;
            using var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16);
            try
            {
                session = new ChecksumSession(request, output, Console.Error, Console.OpenStandardInput, "compliance",
                    OperatingSystem.IsLinux() ? OpenByBytes : null);
            }
            catch (ArgumentException e)
            {
                throw new ComplianceException(e.Message, FailureKind.Usage);
            }
            if (!parse.GetValue(check))
                return (int)session.HashFiles(names);
            var outcome = ChecksumOutcome.Ok;
            foreach (var checkFile in names.Length == 0 ? [ChecksumSession.StandardInputName] : names)
                outcome = (ChecksumOutcome)Math.Max((int)outcome, (int)session.CheckFiles(checkFile, parse.GetValue(quiet)));
            return (int)outcome;
        });
        return command;
    }

    private static SafeFileHandle OpenByBytes(string name) =>
        EntryPath.HasEscapedBytes(name) ? LinuxFileTree.OpenForReading(name) : ChecksumSession.OpenByName(name);

    private static byte[] ReadKey()
    {
        using var input = Console.OpenStandardInput();
        var key = new byte[Blake3Hasher.KeyLength + 1];
        int total = 0;
        for (int read; total < key.Length && (read = input.Read(key, total, key.Length - total)) > 0;)
            total += read;
        if (total != Blake3Hasher.KeyLength)
        {
            string got = total > Blake3Hasher.KeyLength ? $"more than {Blake3Hasher.KeyLength}" : total.ToString();
            throw new ComplianceException($"--keyed needs exactly {Blake3Hasher.KeyLength} bytes of key on standard input, got {got}", FailureKind.Usage);
        }
        return key[..Blake3Hasher.KeyLength];
    }
}
