using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Compliance.Cli.Tests;

/// <summary>Creates files whose names are arbitrary bytes, which .NET's own file APIs cannot express.</summary>
internal static unsafe partial class NativeFile
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static partial int rename(byte* from, byte* to);

    private const int OWriteOnly = 1, OCreate = 0x40, OAppend = 0x400, OTruncate = 0x200;

    public static void Create(byte[] path, string content) => Write(path, content, OWriteOnly | OCreate | OTruncate);

    public static void Append(byte[] path, string content) => Write(path, content, OWriteOnly | OAppend);

    public static void Rename(byte[] from, byte[] to)
    {
        var fromZ = from.Append((byte)0).ToArray();
        var toZ = to.Append((byte)0).ToArray();
        fixed (byte* f = fromZ)
        fixed (byte* t = toZ)
        {
            if (rename(f, t) != 0)
                throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void Write(byte[] path, string content, int flags)
    {
        var terminated = path.Append((byte)0).ToArray();
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        fixed (byte* p = terminated)
        fixed (byte* b = bytes)
        {
            int fd = open(p, flags, 0x1a4);
            if (fd < 0)
                throw new IOException($"open failed: errno {Marshal.GetLastPInvokeError()}");
            write(fd, b, bytes.Length);
            close(fd);
        }
    }
}

/// <summary>Runs the program as user nobody when the tests run as root, so that permission checks apply.</summary>
internal static class Unprivileged
{
    public static Action<ProcessStartInfo>? Configure(string ownedDirectory)
    {
        if (NativeFile.geteuid() != 0)
            return null;
        Process.Start("chown", ["-R", "65534:65534", ownedDirectory])!.WaitForExit();
        return start =>
        {
            var original = start.ArgumentList.ToList();
            start.FileName = "setpriv";
            start.ArgumentList.Clear();
            foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" }.Concat(original))
                start.ArgumentList.Add(arg);
            start.Environment["HOME"] = ownedDirectory;
            start.Environment["DOTNET_CLI_HOME"] = ownedDirectory;
        };
    }
}

internal static class Sqlite
{
    public static void Execute(string database, string sql)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string Scalar(string database, string sql)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
