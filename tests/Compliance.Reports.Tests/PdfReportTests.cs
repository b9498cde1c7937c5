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
