using System.Text.RegularExpressions;
using Compliance.Reports.Drift;
using Compliance.Reports.Pdf;
using Compliance.Store;

namespace Compliance.Reports.Tests;

public sealed class PdfReportTests : IDisposable
{
    private readonly DemoScenario _demo = new();

    [Theory]
    [InlineData(PdfSharp.PageSize.A4)]
    [InlineData(PdfSharp.PageSize.Letter)]
    public void Every_finding_path_is_in_the_text_of_the_pdf(PdfSharp.PageSize size)
    {
        var pdf = Render(size, out var report);

        // pdftotext gives right-to-left text back in logical order, wrapped in directional embedding marks.
        var text = Regex.Replace(ExternalTool.Run("pdftotext", "-enc", "UTF-8", pdf, "-"), "[\u202A-\u202E\u2066-\u2069]", "");

        report.Findings.Should().HaveCountGreaterThan(12);
        foreach (var finding in report.Findings)
            text.Should().Contain(DriftPdf.PathText(finding.Path), $"finding #{finding.Number} is in the report");
        text.Should().Contain(DemoScenario.RawNameDisplay).And.Contain("/opt/app/line\\nbreak.conf").And.Contain("日本語の設定.conf").And.Contain("/opt/app/עברית.conf");
    }

    /// <summary>
    /// Cells were cut after 40 lines: two files deep in one directory showed as the same cut path, and neither name
    /// was anywhere in the report. A path of nearly 4,096 bytes now runs on over as many pages as it needs.
    /// </summary>
    [Fact]
    public void A_path_longer_than_a_page_is_printed_in_full()
    {
        var directory = Path.Combine(_demo.Tree, "opt/app", string.Join("/", Enumerable.Range(0, 58).Select(i => $"d{i:D2}" + new string('x', 60))));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ROOTKIT.so"), "x");
        File.WriteAllText(Path.Combine(directory, "harmless.txt"), "x");
        using (var store = StateStore.Open(_demo.DatabasePath, create: false))
        {
            var policy = Core.Policies.PolicyLoader.Load(Path.Combine(AppContext.BaseDirectory, "demo-policy.yaml"));
            new Core.Reconcile.Reconciler(store, new Linux.LinuxFileTree(_demo.Tree), policy).Scan("check", "scan");
        }

        var pdf = Render(PdfSharp.PageSize.A4, out var report);

        // The path runs on over pages: between its parts come the row's other cells, the footer and the repeated
        // table header, which are taken out so that what is left of the row is its path alone.
        var text = Regex.Replace(ExternalTool.Run("pdftotext", "-enc", "UTF-8", pdf, "-"), "\\s", "");
        text = Regex.Replace(text, $"Report{report.ReportId}·generated.+?Page\\d+of\\d+|#PathKind/statusBefore\\(changedattributes\\)After|added·highopen·[-\\d:]+Z—type\\w+·size\\d+·mode\\d+·uid\\d+·gid\\d+(blake3[0-9a-f]+…)?", "");
        var deep = report.Findings.Where(f => f.Path.EndsWith("ROOTKIT.so") || f.Path.EndsWith("harmless.txt")).ToList();
        deep.Should().HaveCount(2);
        deep[0].Path.Length.Should().BeGreaterThan(3700);
        foreach (var finding in deep)
            text.Should().Contain(DriftPdf.PathText(finding.Path), $"#{finding.Number} is printed whole");
    }

    /// <summary>
    /// A character no embedded font has printed as an empty box and was missing from the text layer, and an emoji
    /// came out of it as another character: a name the auditor reads or copies must be the file's own.
    /// </summary>
    [Fact]
    public void A_character_no_font_draws_or_maps_back_is_printed_as_its_escape()
    {
        var pdf = Path.Combine(_demo.Root, "characters.pdf");
        var style = new TextStyle(Face.Sans, 10);
        string[] names = ["rune-ᚠ-x", "math-𝔘-x", "emoji-😀-x", "samaritan-ࠀ-x", "kanji-日本語-x", "latin-café-x"];
        using (var canvas = new PdfSharpCanvas(PdfSharp.PageSize.A4, PdfLicence.Agpl))
        {
            canvas.AddPage();
            for (int i = 0; i < names.Length; i++)
                canvas.DrawText(names[i], 50, 100 + 20 * i, style, Rgb.Black);
            canvas.Measure("rune-ᚠ-x", style).Should().Be(canvas.Measure("rune-\\u16A0-x", style), "measured as drawn");
            using var output = File.Create(pdf);
            canvas.Save(output);
        }

        var lines = ExternalTool.Run("pdftotext", "-enc", "UTF-8", pdf, "-").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();

        lines.Should().ContainInOrder("rune-\\u16A0-x", "math-\\U0001D518-x", "emoji-\\U0001F600-x", "samaritan-\\u0800-x", "kanji-日本語-x", "latin-café-x");
    }

    [Fact]
    public void Every_page_has_the_report_id_and_its_number_of_the_total()
    {
        var pdf = Render(PdfSharp.PageSize.A4, out var report);

        var pages = ExternalTool.Run("pdftotext", "-enc", "UTF-8", pdf, "-").Split('\f', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.Trim().Length > 0).ToList();

        pages.Should().HaveCountGreaterThanOrEqualTo(6);
        for (int i = 0; i < pages.Count; i++)
        {
            pages[i].Should().Contain($"Page {i + 1} of {pages.Count}");
            pages[i].Should().Contain(report.ReportId);
        }
    }

    [Fact]
    public void The_cover_names_the_verdict_policy_digest_and_the_current_generations_approver()
    {
        var pdf = Render(PdfSharp.PageSize.A4, out var report);

        var cover = ExternalTool.Run("pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", pdf, "-");

        cover.Should().Contain("Verdict: FAIL").And.Contain(report.Policy.Digest).And.Contain("bob").And.Contain("demo-pci-dss");
    }

    [Fact]
    public void Fonts_are_embedded()
    {
        var pdf = Render(PdfSharp.PageSize.A4, out _);

        var fonts = ExternalTool.Run("pdffonts", pdf).Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();

        fonts.Should().NotBeEmpty();
        fonts.Should().OnlyContain(line => Regex.IsMatch(line, @"\byes\s+yes\s+yes\b"), "every font is embedded, subset and has a ToUnicode map");
        fonts.Should().Contain(line => line.Contains("Droid Sans Fallback"), "CJK and Hangul names fall back to Droid Sans Fallback");
    }

    private string Render(PdfSharp.PageSize size, out DriftReport report)
    {
        using var store = StateStore.Open(_demo.DatabasePath, create: false);
        report = DriftReportBuilder.Build(store, new ReportSelection());
        var path = Path.Combine(_demo.Root, $"report-{size}.pdf");
        using var output = File.Create(path);
        using var canvas = new PdfSharpCanvas(size, PdfLicence.Agpl);
        DriftPdf.Write(report, canvas, output);
        return path;
    }

    public void Dispose() => _demo.Dispose();
}
