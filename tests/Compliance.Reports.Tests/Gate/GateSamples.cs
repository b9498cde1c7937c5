using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Reports.Gate;

namespace Compliance.Reports.Tests.Gate;

/// <summary>A policy with one category per severity and findings built by hand, for the gate writers' tests.</summary>
internal static class GateSamples
{
    public static readonly Policy Policy = PolicyLoader.Parse("""
        name: gate-sample
        categories:
          - name: boot
            severity: critical
            controls: ["PCI-DSS 11.5.2", "NIST 800-53 SI-7"]
            attributes: [all]
            include: [/boot]
          - name: accounts
            severity: high
            attributes: [all]
            include: [/etc]
          - name: application
            severity: medium
            controls: ["NIST 800-53 CM-3"]
            attributes: [all]
            include: [/opt]
          - name: logs
            severity: low
            attributes: [all]
            include: [/var/log]
        """, "gate-sample.yaml");

    public static FileEntry File(string path, string? sha256 = null, uint mode = 0x1a4) => new()
    {
        Path = path,
        Type = FileType.File,
        Size = 4,
        Mode = mode,
        Hashes = sha256 is null ? new(StringComparer.Ordinal) : new(StringComparer.Ordinal) { ["sha256"] = Convert.FromHexString(sha256) },
    };

    public static Finding Finding(DriftKind kind, string path, string category, Severity severity, FileEntry? before = null, FileEntry? after = null,
        string[]? attributes = null, string? detail = null) => new()
    {
        Path = path,
        Kind = kind,
        Category = category,
        Severity = severity,
        Before = before,
        After = after,
        Attributes = attributes ?? [],
        Detail = detail,
    };

    /// <summary>One finding of every drift kind, across the four severities.</summary>
    public static IReadOnlyList<Finding> OneOfEveryKind() =>
    [
        Finding(DriftKind.Added, "/etc/new.conf", "accounts", Severity.High, after: File("/etc/new.conf")),
        Finding(DriftKind.Removed, "/etc/old.conf", "accounts", Severity.High, before: File("/etc/old.conf")),
        Finding(DriftKind.Content, "/boot/vmlinuz", "boot", Severity.Critical,
            File("/boot/vmlinuz", "aa".PadRight(64, '0')), File("/boot/vmlinuz", "bb".PadRight(64, '0')), ["sha256"]),
        Finding(DriftKind.Metadata, "/opt/app.conf", "application", Severity.Medium,
            File("/opt/app.conf", mode: 0x1a4), File("/opt/app.conf", mode: 0x1b6), ["mode"]),
        Finding(DriftKind.Type, "/opt/bin", "application", Severity.Medium, File("/opt/bin"), new FileEntry { Path = "/opt/bin", Type = FileType.Symlink, LinkTarget = "/tmp" }, ["type"]),
        Finding(DriftKind.Moved, "/var/log/app.1", "logs", Severity.Low, File("/var/log/app.log"), File("/var/log/app.1"), ["path"]),
        Finding(DriftKind.Unverified, "/etc/shadow", "accounts", Severity.High, File("/etc/shadow"), File("/etc/shadow"), detail: "open failed: permission denied"),
    ];

    public static GateOutcome Outcome(IReadOnlyList<Finding> findings, string? rootDirectory = "/mnt/golden image") => new()
    {
        Policy = Policy,
        Generation = 3,
        Tree = rootDirectory is null ? "ntfs-image:/images/disk.img" : $"linux:{rootDirectory}",
        RootDirectory = rootDirectory,
        ToolVersion = "1.0.0-test",
        StartedAt = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 11, 21, 10, 0, 2, 500, TimeSpan.Zero),
        Findings = findings,
        Totals = new RunTotals(100, 90, 1 << 20, findings.Count(f => f.Kind == DriftKind.Unverified), findings.Count),
    };
}
