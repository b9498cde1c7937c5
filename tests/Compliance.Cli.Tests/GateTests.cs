using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public void A_tree_mounted_at_a_name_that_is_not_utf8_is_refused_as_such_not_as_missing()
    {
        using var dir = new TempDir();
        // printf turns \377 into the byte 0xFF, which no .NET string can carry to a child process.
        const string Mount = "\"$(printf 'mnt\\377')\"";
        CliRunner.Bash(dir.Path, $"mkdir -p {Mount}/etc && printf 'root:x:0:0\\n' > {Mount}/etc/passwd").ExitCode.Should().Be(0);
        try
        {
            dir.Write("tree/etc/passwd", "root:x:0:0\n");
            CliRunner.Run(dir.Path, "baseline", "--root", "tree", "--db", "state.db", "/etc").ExitCode.Should().Be(0);
            foreach (var command in new[] { "baseline --db other.db /etc --root", "gate --baseline state.db --root", "check --db state.db --root" })
            {
                var refused = CliRunner.Shell(dir.Path, $"{command} {Mount}");
                refused.ExitCode.Should().Be(2, command);
                refused.Stderr.Should().StartWith("compliance: --root mnt\\xff: the name holds bytes that are not UTF-8", command);
            }
            File.Exists(dir.Combine("other.db")).Should().BeFalse("nothing was recorded");
        }
        finally
        {
            CliRunner.Bash(dir.Path, $"rm -rf {Mount}");
        }
    }

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
        var (image, db, sarif) = BaselinedImage(dir);
        string junit = dir.Combine("gate.xml");
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

        // A check of the copy is a scan of another tree than the baseline's: nothing it saw can be approved.
        CliRunner.Run(dir.Path, "check", "--db", db, "--image", copy).ExitCode.Should().Be(1, "an image's times, left as they were, vouch for nothing");
        var notTheSubject = CliRunner.Run(dir.Path, "accept", "/docs/readme.txt", "--db", db, "--reason", "test");
        notTheSubject.ExitCode.Should().Be(2, "no drift of the baseline's own image is stored there");
        notTheSubject.Stderr.Should().Contain($"scanned ntfs-image:{copy}, not this baseline's tree").And.Contain("baseline it instead");

        // The baseline's own image changed the same way: its change can be approved by the image's path written either way.
        File.Copy(copy, image, overwrite: true);
        CliRunner.Run(dir.Path, "check", "--db", db).ExitCode.Should().Be(1);
        var accepted = CliRunner.Run(dir.Path, "accept", "/docs/readme.txt", "--db", db, "--reason", "test", "--json");
        JsonDocument.Parse(accepted.Stdout).RootElement.GetProperty("approved").GetInt32().Should().Be(1, accepted.Stderr);
    }

    /// <summary>
    /// A database follows the tree its baseline was taken from. A gate of another tree (a CI artifact) replaced that
    /// tree's stored drift with its own: accept --all then approved the artifact's tampered file, not the reviewed
    /// change, and a report took the gate for a scan of the baseline's tree, its open drift shown reverted.
    /// </summary>
    [Fact]
    public void A_gate_of_another_tree_leaves_the_baseline_trees_drift_to_accept_and_report()
    {
        using var dir = new TempDir();
        dir.Write("tree/opt/app/a.conf", "a\n");
        dir.Write("tree/opt/app/b.conf", "b\n");
        dir.Write("artifact/opt/app/a.conf", "a\n");
        dir.Write("artifact/opt/app/b.conf", "EVIL\n");
        File.WriteAllText(dir.Combine("policy.yaml"), Policy);
        string db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, "baseline", "--root", "tree", "--policy", "policy.yaml", "--db", db).ExitCode.Should().Be(0);
        dir.Write("tree/opt/app/a.conf", "a, reviewed\n");
        CliRunner.Run(dir.Path, "check", "--db", db).ExitCode.Should().Be(1);
        // A report's period starts at a whole second: the next one, after the check.
        var since = new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);
        Thread.Sleep(since - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(10));

        CliRunner.Run(dir.Path, "gate", "--baseline", db, "--root", "artifact").ExitCode.Should().Be(1, "the artifact's b.conf differs");
        var report = CliRunner.Run(dir.Path, "report", "--db", db, "--format", "json", "--out", "all.json");
        report.ExitCode.Should().Be(0, report.Stderr);
        var all = JsonDocument.Parse(File.ReadAllBytes(dir.Combine("all.json"))).RootElement;
        all.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("path").GetString(), f.GetProperty("status").GetString()))
            .Should().Equal([("/opt/app/a.conf", "open")], "the artifact's findings are not the tree's, and its gate did not see the tree");
        CliRunner.Run(dir.Path, "report", "--db", db, "--format", "json", "--out", "since.json", "--since", since.ToString("O")).ExitCode.Should().Be(0);
        JsonDocument.Parse(File.ReadAllBytes(dir.Combine("since.json"))).RootElement.GetProperty("summary").GetProperty("verdict").GetString()
            .Should().Be("incomplete", "no scan of the baseline's tree completed in the period");

        var accepted = CliRunner.Run(dir.Path, "accept", "--all", "--db", db, "--reason", "reviewed");
        accepted.Stdout.Should().Contain("Approved the observed state of 1 path(s)");
        accepted.Stderr.Should().Contain("the last gate").And.Contain("baseline it instead");
        dir.Write("tree/opt/app/b.conf", "EVIL\n");
        var check = CliRunner.Run(dir.Path, "check", "--db", db);
        check.ExitCode.Should().Be(1, "the artifact's EVIL was never approved");
        check.Stdout.Should().MatchRegex(@"content\s+/opt/app/b\.conf").And.NotContain("a.conf");
    }

    /// <summary>
    /// Compressed data that no longer decompresses is damage to one file, not to the image: it stopped the whole gate
    /// with exit 2, naming no file and writing no SARIF.
    /// </summary>
    [Fact]
    public void A_file_whose_compressed_data_is_damaged_is_unverified_and_the_gate_reads_the_rest()
    {
        using var dir = new TempDir();
        var (image, db, sarif) = BaselinedImage(dir);

        // A chunk header saying "compressed, 4,032 bytes" over data that is no such thing.
        Patch(image, Locate(image, "compressed/text.txt", (entry, volume) =>
        {
            entry.MainStream!.IsCompressed.Should().BeTrue();
            return entry.MainStream.Runs[0].Lcn * volume.Boot.BytesPerCluster;
        }), [0xFF, 0xBF]);

        var gate = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", image, "--sarif", sarif);
        gate.ExitCode.Should().Be(1, gate.Stderr);
        var result = Results(sarif).EnumerateArray().Should().ContainSingle().Subject;
        result.GetProperty("ruleId").GetString().Should().Be("FIM.unverified");
        Uri(result).Should().Be("compressed/text.txt");
        gate.Stdout.Should().Contain("damaged content");
    }

    /// <summary>
    /// A file whose MFT record is torn, or whose name no longer leads to its directory (while the directory's index
    /// may still lead Windows to it), has no path a scan examines: it was left out in silence, and the gate passed.
    /// </summary>
    [Fact]
    public void A_torn_mft_record_or_a_file_no_directory_reaches_is_unverified_not_left_out()
    {
        using var dir = new TempDir();
        var (image, db, sarif) = BaselinedImage(dir);

        // Torn writes: the second sector no longer ends in the record's update sequence number. The first still
        // names the file's directory.
        Patch(image, Locate(image, "sparse.bin", MftRecord) + 1022, [0xAA, 0xBB]);
        Patch(image, Locate(image, "compressed/text.txt", MftRecord) + 1022, [0xAA, 0xBB]);
        // empty.txt's $FILE_NAME names its directory with another sequence number: a reused record, not docs.
        Patch(image, Locate(image, "docs/empty.txt", (entry, volume) => MftRecord(entry, volume) + FileNameParentSequence(image, entry, volume)), [0x63, 0x00]);

        var gate = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", image, "--sarif", sarif);
        gate.ExitCode.Should().Be(1, gate.Stderr);
        var results = Results(sarif).EnumerateArray().Select(r => (Rule: r.GetProperty("ruleId").GetString(), Uri: Uri(r))).ToList();
        results.Should().Contain([("FIM.unverified", "./"), ("FIM.unverified", "compressed"), ("FIM.unverified", "docs"),
            ("FIM.removed", "sparse.bin"), ("FIM.removed", "compressed/text.txt"), ("FIM.removed", "docs/empty.txt")]);
        gate.Stdout.Should().Contain("torn record").And.Contain("(empty.txt) is in use but no directory reaches it");
        gate.Stderr.Should().Contain("warning: ").And.Contain("3 MFT record(s) damaged or unreachable");
    }

    /// <summary>
    /// Windows opens a file through its directory's $I30 index; the scan found it through the file's own name. An index
    /// entry edited to lead readme.txt to another record (original.txt's) changes what Windows opens under that name
    /// while every MFT record stays as approved: the gate passed.
    /// </summary>
    [Fact]
    public void An_index_entry_leading_a_name_to_another_record_is_unverified_not_passed()
    {
        using var dir = new TempDir();
        var (image, db, sarif) = BaselinedImage(dir);

        long original = Locate(image, "docs/original.txt", (entry, _) => entry.RecordNumber);
        RedirectIndexEntries(image, "docs", "readme.txt", "docs/original.txt").Should().BeGreaterThan(0);

        var gate = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", image, "--sarif", sarif);
        gate.ExitCode.Should().Be(1, gate.Stdout);
        Results(sarif).EnumerateArray().Select(r => (Rule: r.GetProperty("ruleId").GetString(), Uri: Uri(r))).Should()
            .BeEquivalentTo([("FIM.unverified", "docs"), ("FIM.unverified", "docs/readme.txt")]);
        gate.Stdout.Should().Contain($"docs/readme.txt: the directory index leads this name to MFT record {original}");
    }

    /// <summary>
    /// NTFS names are UTF-16 that Windows does not validate. An unpaired surrogate in one was stored as U+FFFD: such a
    /// file showed as moved on every gate of the very image it was baselined from, and two names that differ only
    /// there became one.
    /// </summary>
    [Fact]
    public void Names_with_unpaired_surrogates_stay_apart_and_the_unchanged_image_passes()
    {
        using var dir = new TempDir();
        var image = BasicImage(dir);
        // Two hard links of docs/many-links.txt renamed in their record and in the directory's index alike, as
        // Windows writes a name: the digit before ".txt" becomes U+D800 in one, U+D801 in the other.
        const string Name = "many-links-with-a-rather-long-name-to-fill-the-record-{0}.txt";
        RenameEverywhere(image, string.Format(Name, 1), string.Format(Name, '\uD800')).Should().BeGreaterThanOrEqualTo(2);
        RenameEverywhere(image, string.Format(Name, 2), string.Format(Name, '\uD801')).Should().BeGreaterThanOrEqualTo(2);
        string db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, "baseline", "--image", image, "--db", db).ExitCode.Should().Be(0);

        var gate = CliRunner.Run(dir.Path, "gate", "--baseline", db, "--image", image);
        gate.ExitCode.Should().Be(0, gate.Stdout);
        var export = CliRunner.Run(dir.Path, "export", "--db", db, "--format", "csv");
        export.Stdout.Should().Contain("docs/" + string.Format(Name, "\\xed\\xa0\\x80")).And.Contain("docs/" + string.Format(Name, "\\xed\\xa0\\x81"));
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

    /// <summary>A copy of basic.img with its baseline in state.db, and where a gate's SARIF goes.</summary>
    private static (string Image, string Db, string Sarif) BaselinedImage(TempDir dir)
    {
        var image = BasicImage(dir);
        string db = dir.Combine("state.db");
        CliRunner.Run(dir.Path, "baseline", "--image", image, "--db", db).ExitCode.Should().Be(0);
        return (image, db, dir.Combine("gate.sarif"));
    }

    private static string BasicImage(TempDir dir)
    {
        var image = dir.Combine("basic.img");
        using var gz = new GZipStream(File.OpenRead(NtfsImage("basic.img.gz")), CompressionMode.Decompress);
        using var raw = File.Create(image);
        gz.CopyTo(raw);
        return image;
    }

    /// <summary>An image offset found from the in-use entry at a path: the volume's start plus what <paramref name="within"/> says.</summary>
    private static long Locate(string image, string path, Func<Ntfs.MftEntry, Ntfs.NtfsVolume, long> within)
    {
        using var ntfs = Ntfs.NtfsImage.Open(image);
        var volume = ntfs.OpenVolume(ntfs.Volumes[0]);
        var catalog = volume.ReadCatalog();
        var entry = catalog.Entries.Single(e => e.InUse && e.VisibleNames().Any(n => catalog.PathOf(e, n) == path));
        return ntfs.Volumes[0].Offset + within(entry, volume);
    }

    /// <summary>Where an entry's MFT record lies in the volume, through the $MFT's own data runs.</summary>
    private static long MftRecord(Ntfs.MftEntry entry, Ntfs.NtfsVolume volume)
    {
        var (cluster, recordSize) = (volume.Boot.BytesPerCluster, volume.Boot.MftRecordSize);
        long at = entry.RecordNumber * recordSize;
        var mft = volume.ReadCatalog()[0]!.MainStream!;
        var run = mft.Runs.Single(r => r.Vcn * cluster <= at && at < (r.Vcn + r.Length) * cluster);
        return (run.Lcn - run.Vcn) * cluster + at;
    }

    /// <summary>Offset in the record of the sequence number in its $FILE_NAME's parent reference (the reference's bytes 6 and 7).</summary>
    private static long FileNameParentSequence(string image, Ntfs.MftEntry entry, Ntfs.NtfsVolume volume)
    {
        var record = new byte[volume.Boot.MftRecordSize];
        using (var file = File.OpenRead(image))
        {
            file.Position = MftRecord(entry, volume);
            file.ReadExactly(record);
        }
        for (int at = BitConverter.ToUInt16(record, 0x14); BitConverter.ToUInt32(record, at) != 0xFFFFFFFF; at += BitConverter.ToInt32(record, at + 4))
        {
            if (BitConverter.ToUInt32(record, at) == 0x30)
                return at + BitConverter.ToUInt16(record, at + 0x14) + 6;
        }
        throw new InvalidDataException($"record {entry.RecordNumber} has no $FILE_NAME");
    }

    /// <summary>
    /// Points every entry for <paramref name="name"/> in a directory's INDX blocks (stale copies in free space too) at
    /// the record of <paramref name="targetPath"/>; returns how many were found.
    /// </summary>
    private static int RedirectIndexEntries(string image, string directory, string name, string targetPath)
    {
        var found = new List<long>();
        byte[] reference;
        using (var ntfs = Ntfs.NtfsImage.Open(image))
        {
            var volume = ntfs.OpenVolume(ntfs.Volumes[0]);
            var catalog = volume.ReadCatalog();
            Ntfs.MftEntry At(string path) => catalog.Entries.Single(e => e.InUse && e.VisibleNames().Any(n => catalog.PathOf(e, n) == path));
            var target = At(targetPath);
            reference = BitConverter.GetBytes(target.RecordNumber | (long)target.Sequence << 48);
            var utf16 = Encoding.Unicode.GetBytes(name);
            int cluster = volume.Boot.BytesPerCluster;
            using var file = File.OpenRead(image);
            foreach (var run in At(directory).IndexAllocation!.Runs)
            {
                long start = ntfs.Volumes[0].Offset + run.Lcn * cluster;
                var bytes = new byte[run.Length * cluster];
                file.Position = start;
                file.ReadExactly(bytes);
                // An index entry: its file reference, 16 bytes of header, then the $FILE_NAME key, whose name (after
                // its length byte at 64) starts at 66.
                for (int at = 0; bytes.AsSpan(at).IndexOf(utf16) is var next and >= 0; at += next + 1)
                    if (at + next >= 82 && bytes[at + next - 2] == name.Length)
                        found.Add(start + at + next - 82);
            }
        }
        foreach (var offset in found)
            Patch(image, offset, reference);
        return found.Count;
    }

    /// <summary>Writes <paramref name="renamed"/> over every UTF-16 copy of <paramref name="name"/> in the image (same length); returns how many.</summary>
    private static int RenameEverywhere(string image, string name, string renamed)
    {
        var bytes = File.ReadAllBytes(image);
        byte[] from = Encoding.Unicode.GetBytes(name), to = MemoryMarshal.AsBytes(renamed.AsSpan()).ToArray();
        int found = 0;
        for (int at = 0; bytes.AsSpan(at).IndexOf(from) is var next and >= 0; at += next + from.Length, found++)
            to.CopyTo(bytes, at + next);
        File.WriteAllBytes(image, bytes);
        return found;
    }

    private static void Patch(string image, long offset, byte[] bytes)
    {
        using var file = File.OpenWrite(image);
        file.Position = offset;
        file.Write(bytes);
    }

    private static string NtfsImage(string name, [CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "ntfs-images", name);
}
