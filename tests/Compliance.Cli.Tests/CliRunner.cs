using System.Diagnostics;
using System.Text;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Compliance.Cli.Tests;

/// <summary>Runs the real `compliance` program (the build output referenced by this project) as a child process.</summary>
public static class CliRunner
{
    public static string AssemblyPath { get; } = Path.Combine(AppContext.BaseDirectory, "compliance.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static Result Run(string workingDirectory, Action<ProcessStartInfo>? configure, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        configure?.Invoke(start);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"compliance {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the program through bash with <paramref name="arguments"/> as shell words, so that they reach it as raw bytes.</summary>
    public static Result Shell(string workingDirectory, string arguments) => Bash(workingDirectory, $"exec dotnet \"$0\" {arguments}");

    /// <summary>Runs a bash script with $0 the program's assembly.</summary>
    public static Result Bash(string workingDirectory, string script)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(AssemblyPath);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    public static Process Start(string workingDirectory, Action<ProcessStartInfo>? configure, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        configure?.Invoke(start);
        return Process.Start(start)!;
    }
}

/// <summary>A temporary directory removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "compliance-test-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Write(string relative, string content)
    {
        var full = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            MakeWritable(new DirectoryInfo(Path));
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void MakeWritable(DirectoryInfo directory)
    {
        foreach (var sub in directory.EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (sub.LinkTarget is null)
                sub.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }
    }
}
