using System.Text;
using System.Text.Json;
using Compliance.Reports.Csv;
using Compliance.Reports.Drift;
using Compliance.Store;
using CsvHelper;

namespace Compliance.Reports.Tests;

public sealed class CsvReportTests : IDisposable
{
    private readonly DemoScenario _demo = new();

    [Fact]
    public void Findings_round_trip_through_CsvHelper_and_Python_csv_with_identical_rows()
    {
        var (report, csvPath) = WriteCsv();
        var expected = DriftCsv.FindingRows(report).ToList();

        var readByCsvHelper = new List<string[]>();
        using (var reader = CsvReader.Create(File.OpenRead(csvPath), new CsvReaderOptions { HasHeader = false }))
        {
            while (reader.Read())
                readByCsvHelper.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }
        // utf-8-sig: the file starts with a byte order mark, for spreadsheets.
        var python = ExternalTool.Run("python3", "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))))", csvPath);
        var readByPython = JsonSerializer.Deserialize<string[][]>(python)!;

        readByCsvHelper.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        readByPython.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        readByPython.Select(r => r[2]).Should().Contain(["/opt/app/name, with comma.conf", "/opt/app/say \"cheese\".conf", "/opt/app/line\nbreak.conf",
            "/opt/app/日本語の設定.conf", "/opt/app/한국어.conf", "/opt/app/עברית.conf", DemoScenario.RawNameDisplay]);
    }

    [Fact]
    public void The_file_is_rfc4180_utf8_with_crlf_records_and_quoted_special_fields()
    {
        var (_, csvPath) = WriteCsv();
        var bytes = File.ReadAllBytes(csvPath);

        bytes.Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3);
        text.Should().StartWith(string.Join(",", DriftCsv.FindingColumns) + "\r\n");
        text.Should().Contain(",\"/opt/app/name, with comma.conf\",").And.Contain(",\"/opt/app/say \"\"cheese\"\".conf\",")
            .And.Contain(",\"/opt/app/line\nbreak.conf\",");
    }

    /// <summary>Names come from whoever made the file (an image's root has relative paths) and from accept's --by.</summary>
    [Fact]
    public void A_cell_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text()
    {
        var entries = new[] { "=HYPERLINK(\"http://x\",\"y\")", "@SUM(1+1)", "+1", "-2", "plain=1" }
            .Select(name => new Core.Model.FileEntry { Path = name, Type = Core.Model.FileType.File, Category = "=cmd" }).ToList();
        using var text = new StringWriter();

        Export.BaselineExport.WriteCsv(entries, text);

        var rows = CsvReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), new CsvReaderOptions { HasHeader = true });
        var cells = new List<(string Path, string Category)>();
        while (rows.Read())
            cells.Add((rows.GetString(0), rows.GetString(Export.BaselineExport.CsvHeader.ToList().IndexOf("category"))));
        cells.Select(c => c.Path).Should().Equal("'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1+1)", "'+1", "'-2", "plain=1");
        cells.Should().OnlyContain(c => c.Category == "'=cmd");
    }

    [Fact]
    public void The_summary_has_the_verdict_and_counts_that_match_the_findings()
    {
        var (report, csvPath) = WriteCsv();

        var python = ExternalTool.Run("python3", "-c",
            "import csv, json, sys; print(json.dumps(dict(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))))", DriftCsv.SummaryPath(csvPath));
        var summary = JsonSerializer.Deserialize<Dictionary<string, string>>(python)!;

        summary["verdict"].Should().Be("fail");
        summary["findings"].Should().Be(report.Findings.Count.ToString());
        summary["findings_approved"].Should().Be("1", "the payments binary was accepted into generation 2");
        summary["kind.added.unapproved"].Should().Be(DemoScenario.AddedNames.Length + 1 + "", "every added name and the non-UTF-8 one");
        summary["kind.removed.unapproved"].Should().Be("1");
        summary["files_monitored"].Should().Be("11");
    }

    [Fact]
    public void Statuses_separate_approved_open_and_reverted_changes()
    {
        var (report, _) = WriteCsv();

        report.Findings.Single(f => f.IsApproved).Path.Should().Be("/opt/app/bin/payments");
        report.Findings.Single(f => f.IsApproved).ApprovedIn!.ApprovedBy.Should().Be("bob");
        report.Findings.Single(f => f.Status == FindingStatus.Reverted).Path.Should().Be("/opt/app/feature.flags");
        report.Findings.Where(f => f.Path == "/etc/passwd").Should().ContainSingle().Which.Status.Should().Be(FindingStatus.Open);
    }

    private (DriftReport Report, string Path) WriteCsv()
    {
        using var store = StateStore.Open(_demo.DatabasePath, create: false);
        var report = DriftReportBuilder.Build(store, new ReportSelection());
        var path = Path.Combine(_demo.Root, "findings.csv");
        using (var output = File.Create(path))
            DriftCsv.WriteFindings(report, output);
        using (var output = File.Create(DriftCsv.SummaryPath(path)))
            DriftCsv.WriteSummary(report, output);
        return (report, path);
    }

    public void Dispose() => _demo.Dispose();
}
