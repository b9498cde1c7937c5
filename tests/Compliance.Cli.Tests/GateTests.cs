using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Compliance.Store;

namespace Compliance.Cli.Tests;

/// <summary>`compliance gate` through the real program, on a mounted tree and on an NTFS image.</summary>
public sealed class GateTests
{
    private const string Policy = """
        name: gate-test
        categories:
          - name: accounts
            severity: critical
            controls: ["PCI-DSS 11.5.2"]
            attributes: [all]
            include: [/etc]
          - name: application
            severity: medium
            attributes: [all]
            include: [/opt/app]
        """;

    private static JsonElement Results(string sarifPath)
    {
        var log = JsonDocument.Parse(File.ReadAllBytes(sarifPath)).RootElement;
        log.GetProperty("version").GetString().Should().Be("2.1.0");
        return log.GetProperty("runs")[0].GetProperty("results").Clone();
    }

    private static string Uri(JsonElement result) =>
        result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!;

    private static (string Digest, int Generations) Baseline(string database)
    {
        using var store = StateStore.Open(database, create: false);
        return (store.BaselineDigest(store.CurrentGeneration()!.Id), store.Generations().Count);
    }

    [Fact]
    public void A_tree_passes_until_one_byte_changes_then_fails_with_one_content_result_at_its_category_severity()
    {
        using var dir = new TempDir();
        dir.Write("tree/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        dir.Write("tree/etc/hosts", "127.0.0.1 localhost\n");
        var config = dir.Write("tree/opt/app/app.conf", "port=8080\n");
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        string db = dir.Combine("state.db"), sarif = dir.Combine("out", "gate.sarif"), junit = dir.Combine("out", "gate.xml");
        CliRunner.Run(dir.Path, "baseline", "--root", "tree", "--policy", "policy.yaml", "--db", db).ExitCode.Should().Be(0);
        var approved = Baseline(db);

        var clean = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "tree", "--sarif", sarif, "--junit", junit);
        clean.ExitCode.Should().Be(0, clean.Stderr);
        Results(sarif).GetArrayLength().Should().Be(0);
        XDocument.Load(junit).Root!.Attribute("failures")!.Value.Should().Be("0");

        // A forger keeps size and mtime; the content hash still differs.
        var passwd = dir.Combine("tree", "etc", "passwd");
        var mtime = File.GetLastWriteTimeUtc(passwd);
        var bytes = File.ReadAllBytes(passwd);
        bytes[0] = (byte)'R';
        File.WriteAllBytes(passwd, bytes);
        File.SetLastWriteTimeUtc(passwd, mtime);

        var drift = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "tree", "--sarif", sarif, "--junit", junit);
        drift.ExitCode.Should().Be(1, drift.Stderr);
        var result = Results(sarif).EnumerateArray().Should().ContainSingle().Subject;
        result.GetProperty("ruleId").GetString().Should().Be("FIM.content");
        result.GetProperty("level").GetString().Should().Be("error", "accounts is critical");
        Uri(result).Should().Be("etc/passwd");
        result.GetProperty("properties").GetProperty("category").GetString().Should().Be("accounts");
        result.GetProperty("properties").GetProperty("controls")[0].GetString().Should().Be("PCI-DSS 11.5.2");

        var suites = XDocument.Load(junit).Root!.Elements("testsuite").ToDictionary(s => s.Attribute("name")!.Value);
        suites["accounts"].Attribute("failures")!.Value.Should().Be("1");
        suites["accounts"].Descendants("failure").Single().Value.Should().StartWith("content changed: /etc/passwd");
        suites["application"].Attribute("failures")!.Value.Should().Be("0");
        suites["application"].Descendants("testcase").Single().HasElements.Should().BeFalse();

        // A medium category's drift is a warning; both findings are reported, and the gate still fails.
        File.AppendAllText(config, "debug=true\n");
        var both = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "tree", "--sarif", sarif, "--json");
        both.ExitCode.Should().Be(1);
        Results(sarif).EnumerateArray().ToDictionary(Uri, r => r.GetProperty("level").GetString())
            .Should().Equal(new Dictionary<string, string?> { ["etc/passwd"] = "error", ["opt/app/app.conf"] = "warning" });
        JsonDocument.Parse(both.Stdout).RootElement.GetProperty("findings").GetArrayLength().Should().Be(2);

        Baseline(db).Should().Be(approved, "a gate never changes the approved baseline");
    }

    /// <summary>
    /// CI jobs point outputs at links into an artifacts directory or at /dev/stdout. Renaming a finished file over such
    /// a target replaced the link or, as root, the device node in /dev itself.
    /// </summary>
    [Fact]
    public void Outputs_through_a_symlink_or_to_a_device_are_written_there_not_renamed_over_it()
    {
        using var dir = new TempDir();
        dir.Write("tree/etc/hosts", "127.0.0.1 localhost\n");
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        string db = dir.Combine("state.db"), artifact = dir.Combine("artifacts", "gate.sarif"), link = dir.Combine("gate.sarif");
        CliRunner.Run(dir.Path, "baseline", "--root", "tree", "--policy", "policy.yaml", "--db", db).ExitCode.Should().Be(0);
        dir.Write("artifacts/gate.sarif", "an older, longer run's output that must not survive at the end of the new one\n");
        File.CreateSymbolicLink(link, artifact);
        string device = dir.Combine("null");
        using (var mknod = System.Diagnostics.Process.Start("mknod", [device, "c", "1", "3"])!)
            mknod.WaitForExit();
        bool isRoot = File.Exists(device);

        var gate = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "tree", "--sarif", link, "--junit", isRoot ? device : dir.Combine("gate.xml"));

        gate.ExitCode.Should().Be(0, gate.Stderr);
        new FileInfo(link).LinkTarget.Should().Be(artifact, "the link stays a link");
        Results(artifact).GetArrayLength().Should().Be(0, "the output went through the link, replacing what was there");
        if (isRoot)
            new FileInfo(device).Length.Should().Be(0, "a device node stays a device node, not a file holding the JUnit output");

        // /dev/stdout reopened is the file stdout is redirected to, from its start: the gate's own output and the
        // SARIF would overwrite each other, and an appended log would lose its lines.
        var toStdout = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "tree", "--sarif", "/dev/stdout");
        toStdout.ExitCode.Should().Be(2);
        toStdout.Stderr.Should().Contain("/dev/stdout is one of this process's open files");
    }

    [Fact]
    public void An_ntfs_image_passes_and_a_copy_with_one_changed_content_byte_fails_with_exactly_that_file()
    {
        using var dir = new TempDir();
        var image = dir.Combine("basic.img");
        using (var gz = new GZipStream(File.OpenRead(NtfsImage("basic.img.gz")), CompressionMode.Decompress))
        using (var raw = File.Create(image))
            gz.CopyTo(raw);
        string db = dir.Combine("state.db"), sarif = dir.Combine("gate.sarif"), junit = dir.Combine("gate.xml");
        CliRunner.Run(dir.Path, "baseline", "--image", image, "--db", db).ExitCode.Should().Be(0);
        // The image's root (stored as "", its paths being relative) is named "/" where people and tools read it.
        var export = CliRunner.Run(dir.Path, "export", "--db", db, "--format", "csv").Stdout.Split('\n');
        export[1].Should().StartWith("/,dir,");
        export.Skip(1).Should().NotContain(row => row.StartsWith(','));

        var clean = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", image, "--sarif", sarif);
        clean.ExitCode.Should().Be(0, clean.Stdout + clean.Stderr);
        Results(sarif).GetArrayLength().Should().Be(0);

        // docs/readme.txt's content is resident in its MFT record, and appears nowhere else in the image.
        var copy = dir.Combine("tampered.img");
        var bytes = File.ReadAllBytes(image);
        var content = Encoding.ASCII.GetBytes("small resident file\n");
        int at = bytes.AsSpan().IndexOf(content);
        at.Should().BePositive();
        bytes.AsSpan(at + 1).IndexOf(content).Should().Be(-1);
        bytes[at] = (byte)'S';
        File.WriteAllBytes(copy, bytes);

        var drift = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", copy, "--sarif", sarif, "--junit", junit);
        drift.ExitCode.Should().Be(1, drift.Stderr);
        var result = Results(sarif).EnumerateArray().Should().ContainSingle().Subject;
        result.GetProperty("ruleId").GetString().Should().Be("FIM.content");
        result.GetProperty("level").GetString().Should().Be("error", "the default policy of an image is high severity");
        Uri(result).Should().Be("docs/readme.txt");
        XDocument.Load(junit).Descendants("failure").Single().Value.Should().StartWith("content changed: docs/readme.txt", "image paths are named as fls -p prints them");

        // The change can be approved by the image's path written either way.
        CliRunner.Run(dir.Path, "check", "--db", db, "--image", copy).ExitCode.Should().Be(1, "an image's times, left as they were, vouch for nothing");
        var accepted = CliRunner.Run(dir.Path, "accept", "/docs/readme.txt", "--db", db, "--reason", "test", "--json");
        JsonDocument.Parse(accepted.Stdout).RootElement.GetProperty("approved").GetInt32().Should().Be(1, accepted.Stderr);
    }

    /// <summary>
    /// Compressed data that no longer decompresses is damage to one file, not to the image: it stopped the whole gate
    /// with exit 2, naming no file and writing no SARIF.
    /// </summary>
    [Fact]
    public void A_file_whose_compressed_data_is_damaged_is_unverified_and_the_gate_reads_the_rest()
    {
        using var dir = new TempDir();
        var image = dir.Combine("basic.img");
        using (var gz = new GZipStream(File.OpenRead(NtfsImage("basic.img.gz")), CompressionMode.Decompress))
        using (var raw = File.Create(image))
            gz.CopyTo(raw);
        string db = dir.Combine("state.db"), sarif = dir.Combine("gate.sarif");
        CliRunner.Run(dir.Path, "baseline", "--image", image, "--db", db).ExitCode.Should().Be(0);

        long firstChunk;
        using (var ntfs = Ntfs.NtfsImage.Open(image))
        {
            var volume = ntfs.OpenVolume(ntfs.Volumes[0]);
            var catalog = volume.ReadCatalog();
            var text = catalog.Entries.Single(e => e.InUse && e.VisibleNames().Any(n => catalog.PathOf(e, n) == "compressed/text.txt"));
            text.MainStream!.IsCompressed.Should().BeTrue();
            firstChunk = ntfs.Volumes[0].Offset + text.MainStream.Runs[0].Lcn * volume.Boot.BytesPerCluster;
        }
        using (var file = File.OpenWrite(image))
        {
            // A chunk header saying "compressed, 4,032 bytes" over data that is no such thing.
            file.Position = firstChunk;
            file.Write([0xFF, 0xBF]);
        }

        var gate = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", image, "--sarif", sarif);
        gate.ExitCode.Should().Be(1, gate.Stderr);
        var result = Results(sarif).EnumerateArray().Should().ContainSingle().Subject;
        result.GetProperty("ruleId").GetString().Should().Be("FIM.unverified");
        Uri(result).Should().Be("compressed/text.txt");
        gate.Stdout.Should().Contain("damaged content");
    }

    [Fact]
    public void Usage_errors_exit_2_and_an_unreadable_database_exits_3()
    {
        using var dir = new TempDir();
        dir.Write("tree/etc/passwd", "root\n");
        var db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, "baseline", "--root", "tree", "--db", db, "/").ExitCode.Should().Be(0);

        CliRunner.Run(dir.Path, "gate", "--baseline", db).ExitCode.Should().Be(2, "a target is required");
        CliRunner.Run(dir.Path, "gate", "--root", "tree").ExitCode.Should().Be(2, "--baseline is required");
        CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "tree", "--image", "x.img").ExitCode.Should().Be(2);
        var missing = CliRunner.Run(dir.Path, "gate", "--baseline", dir.Combine("none.db"), "--root", "tree");
        missing.ExitCode.Should().Be(2);
        missing.Stderr.Should().Contain("--baseline");

        var corrupt = dir.Write("corrupt.db", "this is not a database");
        CliRunner.Run(dir.Path, "gate", "--baseline", corrupt, "--root", "tree").ExitCode.Should().Be(3);
    }

    private static string NtfsImage(string name, [CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "ntfs-images", name);
}
