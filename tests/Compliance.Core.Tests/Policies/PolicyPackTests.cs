using System.Runtime.CompilerServices;
using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

/// <summary>The packs shipped in policies/ must load cleanly and select what their comments say they select.</summary>
public class PolicyPackTests
{
    public static TheoryData<string> Packs() => new(Directory.GetFiles(PacksDirectory(), "*.yaml").Select(Path.GetFileName).OfType<string>());

    [Fact]
    public void Every_pack_is_there() =>
        Directory.GetFiles(PacksDirectory(), "*.yaml").Select(Path.GetFileName).Should().Contain(
            ["pci-dss-linux.yaml", "hipaa-linux.yaml", "pci-dss-windows.yaml", "hipaa-windows.yaml", "golden-image.yaml"]);

    [Theory]
    [MemberData(nameof(Packs))]
    public void Pack_lints_clean_and_every_category_names_its_controls(string pack)
    {
        string file = Path.Combine(PacksDirectory(), pack);
        PolicyLoader.Lint(File.ReadAllText(file), file).Should().BeEmpty();
        var policy = PolicyLoader.Load(file);
        policy.Name.Should().Be(Path.GetFileNameWithoutExtension(pack));
        policy.Categories.Should().OnlyContain(c => c.Controls.Count > 0);
    }

    [Theory]
    [InlineData("pci-dss-linux.yaml", "/etc/shadow", "authentication")]
    [InlineData("pci-dss-linux.yaml", "/home/alice/.ssh/authorized_keys", "authentication")]
    [InlineData("pci-dss-linux.yaml", "/usr/sbin/sshd", "system-binaries")]
    [InlineData("pci-dss-linux.yaml", "/etc/cron.d/backup", "scheduled-jobs")]
    [InlineData("pci-dss-linux.yaml", "/etc/nginx/nginx.conf", "system-configuration")]
    [InlineData("pci-dss-linux.yaml", "/etc/mtab", null)]
    [InlineData("pci-dss-linux.yaml", "/etc/ld.so.cache", null)]
    [InlineData("pci-dss-linux.yaml", "/var/log/audit/audit.log", "audit-logs")]
    [InlineData("pci-dss-linux.yaml", "/var/log/audit/audit.log.3", null)]
    [InlineData("pci-dss-linux.yaml", "/usr/lib/python3/dist-packages/__pycache__/x.pyc", null)]
    [InlineData("hipaa-linux.yaml", "/etc/audit/rules.d/audit.rules", "audit-configuration")]
    [InlineData("hipaa-linux.yaml", "/var/log/secure", "audit-logs")]
    [InlineData("pci-dss-windows.yaml", "Windows/System32/drivers/etc/hosts", "drivers")]
    [InlineData("pci-dss-windows.yaml", "/Windows/System32/config/SAM", "registry-hives")]
    [InlineData("pci-dss-windows.yaml", "Windows/System32/winevt/Logs/Security.evtx", "event-logs")]
    [InlineData("pci-dss-windows.yaml", "Windows/System32/kernel32.dll", "windows-system")]
    [InlineData("pci-dss-windows.yaml", "Windows/Prefetch/CMD.EXE-0BD30981.pf", null)]
    [InlineData("pci-dss-windows.yaml", "Windows/SoftwareDistribution/Download/x.cab", null)]
    [InlineData("pci-dss-windows.yaml", "ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp/evil.lnk", "autostart")]
    [InlineData("hipaa-windows.yaml", "Windows/System32/Tasks/Updater", "scheduled-tasks")]
    [InlineData("hipaa-windows.yaml", "Program Files (x86)/EHR/ehr.exe", "applications")]
    [InlineData("golden-image.yaml", "boot/vmlinuz-6.8.0", "boot")]
    [InlineData("golden-image.yaml", "usr/bin/ls", "linux-system")]
    [InlineData("golden-image.yaml", "etc/machine-id", "linux-system")]
    [InlineData("golden-image.yaml", "tmp/build.log", null)]
    [InlineData("golden-image.yaml", "Windows/System32/ntoskrnl.exe", "windows-system")]
    [InlineData("golden-image.yaml", "pagefile.sys", null)]
    [InlineData("golden-image.yaml", "hiberfil.sys", null)]
    [InlineData("golden-image.yaml", "srv/app/config.yaml", "rest-of-image")]
    [InlineData("golden-image.yaml", "var/log/syslog", null)]
    public void Pack_classifies_paths_as_documented(string pack, string path, string? category) =>
        (PolicyLoader.Load(Path.Combine(PacksDirectory(), pack)).Classify(path)?.Name).Should().Be(category);

    // Classify runs for every file of a scan; allocating there would put the garbage collector on the hot path.
    [Fact]
    public void Classifying_and_pruning_allocate_nothing()
    {
        var policy = PolicyLoader.Load(Path.Combine(PacksDirectory(), "pci-dss-linux.yaml"));
        string[] paths = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/home/alice/.ssh/authorized_keys", "/var/log/audit/audit.log.2", "/srv/www/index.html"];
        foreach (var path in paths)
            _ = policy.Classify(path) is null && policy.ShouldDescend(path);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 1000; round++)
        {
            foreach (var path in paths)
                _ = policy.Classify(path) is null && policy.ShouldDescend(path);
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static string PacksDirectory([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "policies"));
}
