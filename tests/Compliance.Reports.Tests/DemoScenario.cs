using System.Runtime.InteropServices;
using System.Text;
using Compliance.Core.Drift;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Core.Scanning;
using Compliance.Linux;
using Compliance.Store;

// The demo runs the Linux scanner on a real tree.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Compliance.Reports.Tests;

/// <summary>
/// A demo tree run through the real pipeline: a baseline under reports/templates/demo-policy.yaml, changes, a
/// check, an accepted change, a change that is reverted, and open drift, with names holding commas, quotes, line
/// breaks, non-Latin scripts and a byte that is not UTF-8.
/// </summary>
public sealed class DemoScenario : IDisposable
{
    /// <summary>Names the tests look for, in several scripts and with CSV's special characters.</summary>
    public static readonly string[] AddedNames =
    [
        "name, with comma.conf", "say \"cheese\".conf", "line\nbreak.conf", "日本語の設定.conf", "Ελληνικά.conf",
        "Кириллица.conf", "한국어.conf", "עברית.conf",
    ];

    public DemoScenario()
    {
        Root = Path.Combine(Path.GetTempPath(), "compliance-report-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Tree = Path.Combine(Root, "tree");
        DatabasePath = Path.Combine(Root, "state.db");
        Write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
        Write("etc/ssh/sshd_config", "PermitRootLogin no\n");
        Write("opt/app/bin/payments", "#!/bin/sh\necho v1\n");
        Write("opt/app/config.yaml", "currency: EUR\n");
        Write("opt/app/feature.flags", "fast_checkout=false\n");
        // A whole second: .NET sets times in 100 ns ticks, so only such a time can be put back exactly.
        var flagsWritten = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Full("opt/app/feature.flags"), flagsWritten);
        Write("opt/app/obsolete.conf", "old\n");
        Write("var/log/audit/audit.log", "type=DAEMON_START\n");

        var policy = PolicyLoader.Load(Path.Combine(AppContext.BaseDirectory, "demo-policy.yaml"));
        using var store = StateStore.Open(DatabasePath);
        var tree = new LinuxFileTree(Tree);
        Baseline(store, tree, policy);

        // Changes: one approved afterwards, one reverted before anyone approved it, the rest left open.
        Write("opt/app/bin/payments", "#!/bin/sh\necho v2\n");
        Write("opt/app/feature.flags", "fast_checkout=true\n");
        Check(store, tree, policy);
        store.Accept([P("opt/app/bin/payments")], "bob", "CHG-1042 payments v2");

        Write("opt/app/feature.flags", "fast_checkout=false\n");
        File.SetLastWriteTimeUtc(Full("opt/app/feature.flags"), flagsWritten);
        Write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nmallory:x:0:0::/root:/bin/bash\n");
        File.SetUnixFileMode(Full("etc/ssh/sshd_config"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        File.Delete(Full("opt/app/obsolete.conf"));
        File.SetUnixFileMode(Full("var/log/audit/audit.log"), (UnixFileMode)0b110_110_110);
        foreach (var name in AddedNames)
            Write("opt/app/" + name, "added\n");
        CreateWithRawName(RawName);
        Findings = Check(store, tree, policy);
    }

    public string Root { get; }
    public string Tree { get; }
    public string DatabasePath { get; }

    /// <summary>The findings of the last check (the open drift).</summary>
    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>A path as the policy sees it (below the scanned root).</summary>
    public static string P(string relative) => "/" + relative;

    /// <summary>Records a fresh baseline of <paramref name="tree"/>, approved by alice, with its run.</summary>
    public static void Baseline(StateStore store, LinuxFileTree tree, Policy policy)
    {
        var scanner = new Scanner(tree, policy, new ScanOptions { RehashAll = true, HashWorkers = 1 });
        long baselineRun = store.StartRun("baseline", tree.Description);
        using (var writer = store.BeginBaseline(policy, tree.Description, "alice", "initial baseline"))
        {
            foreach (var item in scanner.Scan([]))
            {
                if (item.Observed is not null)
                    writer.Add(item.Observed);
            }
            writer.Commit();
        }
        store.FinishRun(baselineRun, new RunTotals(0, 0, 0, 0, 0), "completed");
    }

    /// <summary>Runs a check of <paramref name="tree"/> through the reconcile path; returns its findings.</summary>
    public static List<Finding> Check(StateStore store, LinuxFileTree tree, Policy policy)
    {
        var findings = new List<Finding>();
        new Reconciler(store, tree, policy, new ScanOptions { HashWorkers = 1 }).Scan("check", "scan", onFinding: findings.Add);
        return findings;
    }

    /// <summary>The path of the file whose name holds byte 0xE9 alone, as reports display it.</summary>
    public static string RawNameDisplay => "/opt/app/latin1-caf\\xe9.conf";

    // .NET encodes every file name as UTF-8, so a name that is not valid UTF-8 needs the system call itself.
    [DllImport("libc", SetLastError = true)]
    private static extern int creat(byte[] path, int mode);

    [DllImport("libc")]
    private static extern int close(int fd);

    [DllImport("libc")]
    private static extern int unlink(byte[] path);

    private byte[] RawName => [.. Encoding.UTF8.GetBytes(Full("opt/app/latin1-caf")), 0xE9, .. ".conf"u8, 0];

    private static void CreateWithRawName(byte[] path)
    {
        int fd = creat(path, 0b110_100_100);
        if (fd < 0)
            throw new IOException($"creat failed: errno {Marshal.GetLastPInvokeError()}");
        close(fd);
    }

    private string Full(string relative) => Path.Combine(Tree, relative);

    private void Write(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Full(relative))!);
        File.WriteAllText(Full(relative), text);
    }

    public void Dispose()
    {
        unlink(RawName);   // Directory.Delete cannot name it
        Directory.Delete(Root, recursive: true);
    }
}
