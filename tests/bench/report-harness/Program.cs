using System.Diagnostics;
using System.Security.Cryptography;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;
using Compliance.Core.Reconcile;
using Compliance.Reports.Csv;
using Compliance.Reports.Drift;
using Compliance.Reports.Pdf;
using Compliance.Store;

// fill DB N: a baseline of N entries and one check run with N findings (content, metadata, added, removed, in
//            that rotation; every 50th path in Japanese, every 7th deep enough to wrap).
// render DB pdf|csv OUT: builds the report and writes it; prints seconds and the process's peak working set.
switch (args)
{
    case ["fill", var db, var countText]:
        Fill(db, int.Parse(countText));
        break;
    case ["render", var db, var format, var output]:
        Render(db, format, output);
        break;
    default:
        Console.Error.WriteLine("usage: ReportHarness fill DB N | render DB pdf|csv OUT");
        return 2;
}
return 0;

static void Fill(string db, int count)
{
    var policy = PolicyLoader.Parse("""
        name: bench
        categories:
          - name: system
            severity: critical
            controls: ["PCI-DSS 11.5.2", "NIST 800-53 SI-7"]
            attributes: [all, sha256]
            include: [/srv]
        """, "bench policy");
    using var store = StateStore.Open(db);
    var entries = Enumerable.Range(0, count).Select(i => Entry(i, version: 1)).ToList();
    using (var writer = store.BeginBaseline())
    {
        foreach (var entry in entries.OrderBy(e => e.Path, Comparer<string>.Create(EntryPath.CompareWalkOrder)))
            writer.Add(entry);
        writer.Commit(policy, "linux", "bench", "synthetic baseline");
    }
    long run = store.StartRun("check", "linux");
    var batch = new List<Observation>();
    for (int i = 0; i < count; i++)
    {
        var before = entries[i];
        var after = Entry(i, version: 2);
        var finding = (i % 4) switch
        {
            0 => new Finding { Path = before.Path, Kind = DriftKind.Content, Attributes = ["size", "mtime", "blake3", "sha256"], Before = before, After = after, Category = "system", Severity = Severity.Critical },
            1 => new Finding { Path = before.Path, Kind = DriftKind.Metadata, Attributes = ["mode", "uid"], Before = before, After = after, Category = "system", Severity = Severity.Critical },
            2 => new Finding { Path = before.Path + ".new", Kind = DriftKind.Added, After = Entry(i, version: 2, suffix: ".new"), Category = "system", Severity = Severity.Critical },
            _ => new Finding { Path = before.Path, Kind = DriftKind.Removed, Before = before, Category = "system", Severity = Severity.Critical },
        };
        batch.AddRange(Observation.For(finding));
        if (batch.Count >= 5000)
        {
            store.ApplyObservations(batch, run, store.CurrentGenerationId());
            batch.Clear();
        }
    }
    store.ApplyObservations(batch, run, store.CurrentGenerationId());
    store.FinishRun(run, new RunTotals(count, count, 0, 0, count), "completed");
    Console.WriteLine($"{db}: baseline of {count} entries, {count} findings");
}

static FileEntry Entry(int i, int version, string suffix = "")
{
    var name = i % 50 == 0 ? $"設定ファイル-{i}.conf" : $"file-{i}.conf";
    var directory = i % 7 == 0 ? $"/srv/app/releases/2026-11-{i % 28 + 1:00}/services/payments/config/overrides/region-{i % 9}" : $"/srv/app/d{i % 100}";
    var entry = new FileEntry
    {
        Path = directory + "/" + name + suffix,
        Type = FileType.File,
        Size = 1000 + i + version,
        Mode = version == 1 ? 0b110_100_100u : 0b111_111_111u,
        Uid = version == 1 ? 0 : 1000,
        Gid = 0,
        MtimeNs = 1_700_000_000_000_000_000 + i * 1_000_000_000L + version,
        CtimeNs = 1_700_000_000_000_000_000 + i * 1_000_000_000L + version,
        Inode = (ulong)i,
        Device = 2049,
        LinkCount = 1,
        Category = "system",
    };
    entry.Hashes["blake3"] = SHA256.HashData(BitConverter.GetBytes(i * 2 + version));
    entry.Hashes["sha256"] = SHA256.HashData(BitConverter.GetBytes(i * 3 + version));
    return entry;
}

static void Render(string db, string format, string output)
{
    var clock = Stopwatch.StartNew();
    using var store = StateStore.Open(db, create: false);
    var report = DriftReportBuilder.Build(store, new ReportSelection());
    double built = clock.Elapsed.TotalSeconds;
    using (var stream = File.Create(output))
    {
        if (format == "pdf")
        {
            using var canvas = new PdfSharpCanvas(PdfSharp.PageSize.A4, PdfLicence.Agpl);
            DriftPdf.Write(report, canvas, stream);
            Console.WriteLine($"pages: {canvas.PageCount}");
        }
        else
        {
            DriftCsv.WriteFindings(report, stream);
        }
    }
    using var self = Process.GetCurrentProcess();
    Console.WriteLine($"findings: {report.Findings.Count}");
    Console.WriteLine($"build report: {built:F1} s; total with {format}: {clock.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"peak working set: {self.PeakWorkingSet64 / (1024 * 1024)} MiB; output {new FileInfo(output).Length / (1024 * 1024.0):F1} MiB");
}
