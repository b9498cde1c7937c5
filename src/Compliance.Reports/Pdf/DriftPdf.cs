using System.Globalization;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Reports.Drift;

namespace Compliance.Reports.Pdf;

/// <summary>
/// The auditor's PDF: a cover, an executive summary with coverage, a section per control, the unapproved and the
/// approved changes as tables that run across pages with their headers repeated, and an appendix with the full
/// hashes that the tables shorten. Every page carries the report ID, the generation time and "page N of M".
/// </summary>
public static class DriftPdf
{
    private const int HashShown = 12;
    private const int FindingsListedPerControl = 15;

    private static readonly Rgb PassColor = new(30, 120, 60);
    private static readonly Rgb FailColor = new(170, 30, 30);
    private static readonly Rgb IncompleteColor = new(190, 120, 0);

    /// <summary>
    /// The drift table's columns. "#" is as wide as the report's largest finding number needs (at 10,000 findings a
    /// fixed width wrapped the fifth digit onto a line of its own); the other columns share the rest.
    /// </summary>
    private static TableColumn[] DriftColumns(PageFlow flow, int findings)
    {
        double number = flow.CellWidthFor(findings.ToString(CultureInfo.InvariantCulture), PageFlow.Small) / flow.Width;
        return
        [
            new("#", Math.Max(0.05, number), AlignRight: true), new("Path", 0.26), new("Kind / status", 0.19),
            new("Before (changed attributes)", 0.25), new("After", 0.25),
        ];
    }

    public static void Write(DriftReport report, IPdfCanvas canvas, Stream output)
    {
        canvas.SetInfo($"File integrity drift report {report.ReportId}", $"{report.Host}: {report.Policy.Name}, baseline generation {report.Baseline.Id}",
            ReportClaims.ToJson(report));
        var flow = new PageFlow(canvas);
        Cover(flow, report);
        Summary(flow, report);
        Controls(flow, report);
        DriftTable(flow, report.Findings.Count, "Unapproved changes",
            "Changes no later baseline generation approved. Open: the path still differs from the baseline. Reverted: it returned to the baseline without an approval.",
            report.Unapproved);
        DriftTable(flow, report.Findings.Count, "Approved changes",
            "Changes that a later generation accepted into the baseline (compliance accept) or that a new baseline superseded, with who approved them.",
            report.Approved);
        HashAppendix(flow, report);
        Furniture(canvas, report);
        canvas.Save(output);
    }

    private static void Cover(PageFlow flow, DriftReport report)
    {
        flow.NewPage();
        flow.Space(40);
        flow.Paragraph("File integrity drift report", new TextStyle(Face.Bold, 24), Rgb.Black);
        flow.Space(4);
        flow.Paragraph(report.Framework is null ? "All compliance frameworks in the policy" : $"Framework: {report.Framework.ToUpperInvariant()}",
            new TextStyle(Face.Sans, 12), PageFlow.Grey);
        flow.Space(24);

        var (verdict, color, explanation) = Verdict(report);
        double boxHeight = 62;
        flow.Canvas.FillRectangle(flow.Left, flow.Y, flow.Width, boxHeight, color);
        flow.Canvas.DrawText("Verdict: " + verdict, flow.Left + 14, flow.Y + 28, new TextStyle(Face.Bold, 20), Rgb.White);
        flow.Canvas.DrawText(explanation, flow.Left + 14, flow.Y + 48, new TextStyle(Face.Sans, 9.5), Rgb.White);
        flow.Space(boxHeight + 24);

        var baseline = report.Baseline;
        flow.Facts(
        [
            ("Host", Plain(report.Host)),
            ("Baseline taken on", Plain(baseline.Host)),
            ("Scope", Plain($"{baseline.Tree}: {string.Join(", ", report.Policy.WalkRoots().Select(PathText))}")),
            ("Policy", Plain($"{report.Policy.Name} ({report.Policy.Categories.Count} categories)")),
            ("Policy digest (SHA-256)", new StyledText(report.Policy.Digest, new TextStyle(Face.Mono, 8.5), Rgb.Black)),
            ("Baseline generation", Plain($"{baseline.Id} ({baseline.Kind}), {baseline.EntryCount.ToString("N0", CultureInfo.InvariantCulture)} entries")),
            ("Approved by", Plain($"{baseline.ApprovedBy} on {Time(baseline.CreatedAt)}{(baseline.Reason.Length > 0 ? $": {baseline.Reason}" : "")}")),
            ("Period covered", Plain($"{Time(report.PeriodFrom)} to {Time(report.PeriodTo)}")),
            ("Findings", Plain($"{N(report.Findings.Count)}: {N(report.UnapprovedCount)} unapproved, {N(report.ApprovedCount)} approved")),
            ("Report ID", Plain(report.ReportId)),
            ("Generated", Plain(Time(report.GeneratedAt))),
        ]);
    }

    private static (string Verdict, Rgb Color, string Explanation) Verdict(DriftReport report) => report.Verdict switch
    {
        Drift.Verdict.Pass => ("PASS", PassColor, "Every change in the period was approved; every monitored file was verified."),
        Drift.Verdict.Fail => ("FAIL", FailColor, $"{N(report.UnapprovedCount)} change(s) in the period were not approved."),
        _ => ("INCOMPLETE", IncompleteColor, IncompleteReason(report)),
    };

    private static string IncompleteReason(DriftReport report)
    {
        var reasons = new List<string>();
        if (report.Scans.Count == 0)
            reasons.Add("no completed scan in the period");
        if (report.FilesUnverified > 0)
            reasons.Add($"{N(report.FilesUnverified)} file(s) could not be verified");
        if (report.OpenGapCount > 0)
            reasons.Add($"{N(report.OpenGapCount)} change-feed gap(s) not yet closed by a rescan");
        return "No unapproved change, but " + string.Join("; ", reasons) + ".";
    }

    private static void Summary(PageFlow flow, DriftReport report)
    {
        flow.NewPage();
        flow.Heading("Executive summary", 16);
        flow.Paragraph(
            $"Between {Time(report.PeriodFrom)} and {Time(report.PeriodTo)}, {N(report.Scans.Count)} completed scan(s) compared {N(report.FilesMonitored)} monitored " +
            $"entries of {report.Host} with baseline generation {report.Baseline.Id} and recorded {N(report.Findings.Count)} finding(s): " +
            $"{N(report.UnapprovedCount)} unapproved and {N(report.ApprovedCount)} approved.", PageFlow.Body, Rgb.Black);
        flow.Space(8);

        CountTable(flow, "Findings by drift kind", "Kind", report.CountByKind());
        CountTable(flow, "Findings by severity", "Severity", report.CountBySeverity());
        // A finding counts under every control its category evidences, so these rows do not add up to the findings.
        CountTable(flow, "Findings by control", "Control", report.CountByControl(), withTotal: false);

        flow.Heading("Coverage", 12);
        var lastScan = report.Scans.Count > 0 ? Time(report.Scans[0].FinishedAt ?? report.Scans[0].StartedAt) : "none";
        flow.Facts(
        [
            ("Files monitored", Plain($"{N(report.FilesMonitored)} baseline entries in generation {report.Baseline.Id}")),
            ("Could not be verified", Plain($"{N(report.FilesUnverified)} file(s) unreadable or unhashable at their latest observation")),
            ("Completed scans", Plain($"{N(report.Scans.Count)} in the period; latest finished {lastScan}")),
            ("Change-feed gaps", Plain($"{N(report.Gaps.Count)} in the period, {N(report.OpenGapCount)} still open")),
        ]);
        flow.Space(6);
        if (report.Gaps.Count == 0)
        {
            flow.Paragraph("The change feed had no gaps in the period.", PageFlow.Body, PageFlow.Grey);
            return;
        }
        var table = flow.BeginTable([new("Source", 0.12), new("Scope", 0.25), new("Reason", 0.28), new("Detected", 0.15), new("Closed", 0.2)], PageFlow.SmallBold);
        foreach (var gap in report.Gaps)
        {
            table.AddRow(
            [
                [Small(gap.Source)], [Small(PathText(gap.Scope))], [Small($"{gap.Reason}: {gap.Detail}")], [Small(Time(gap.DetectedAt))],
                [gap.ClosedAt is { } closed ? Small($"{Time(closed)} by rescan run {gap.ClosedByRun}") : new StyledText("OPEN", PageFlow.SmallBold, FailColor)],
            ]);
        }
        table.End();
    }

    private static void CountTable(PageFlow flow, string title, string heading, IReadOnlyList<CountRow> rows, bool withTotal = true)
    {
        flow.Paragraph(title, PageFlow.BodyBold, Rgb.Black);
        flow.Space(3);
        var table = flow.BeginTable([new(heading, 0.46), new("Unapproved", 0.18, true), new("Approved", 0.18, true), new("Total", 0.18, true)], PageFlow.SmallBold);
        foreach (var row in rows)
            table.AddRow([[Small(row.Name)], [Count(row.Unapproved, FailColor)], [Small(N(row.Approved))], [Small(N(row.Total))]]);
        if (withTotal)
            table.AddRow([[new StyledText("Total", PageFlow.SmallBold, Rgb.Black)], [Count(rows.Sum(r => r.Unapproved), FailColor)],
                [Small(N(rows.Sum(r => r.Approved)))], [Small(N(rows.Sum(r => r.Total)))]]);
        table.End();
    }

    private static void Controls(PageFlow flow, DriftReport report)
    {
        flow.NewPage();
        flow.Heading("Findings by control", 16);
        var controls = report.ByControl();
        if (controls.Count == 0)
            flow.Paragraph("The policy maps no control of this framework.", PageFlow.Body, PageFlow.Grey);
        foreach (var control in controls)
        {
            flow.Heading(control.Control, 12);
            flow.Paragraph(control.Requirement ?? "(no requirement text in reports/templates/controls.json)", PageFlow.Body, PageFlow.Grey);
            flow.Paragraph($"Evidenced by policy categories: {string.Join(", ", control.Categories)}", PageFlow.Body, Rgb.Black);
            var unapproved = control.Findings.Where(f => !f.IsApproved).ToList();
            int open = unapproved.Count(f => f.Status == FindingStatus.Open);
            flow.Paragraph($"{N(control.Findings.Count)} finding(s): {N(unapproved.Count)} unapproved ({N(open)} open, {N(unapproved.Count - open)} reverted), " +
                $"{N(control.Findings.Count - unapproved.Count)} approved.", PageFlow.BodyBold, unapproved.Count > 0 ? FailColor : PassColor);
            foreach (var finding in unapproved.Take(FindingsListedPerControl))
                flow.Paragraph($"#{finding.Number}  {finding.Stored.Kind}  {PathText(finding.Path)}", PageFlow.Small, Rgb.Black, indent: 12);
            if (unapproved.Count > FindingsListedPerControl)
                flow.Paragraph($"… and {N(unapproved.Count - FindingsListedPerControl)} more unapproved finding(s) in the drift table.", PageFlow.Small, PageFlow.Grey, indent: 12);
            flow.Space(6);
        }
    }

    private static void DriftTable(PageFlow flow, int numbers, string title, string explanation, IEnumerable<ReportFinding> findings)
    {
        flow.NewPage();
        flow.Heading(title, 16);
        flow.Paragraph(explanation + $" Hashes are shortened to {HashShown} hex digits; Appendix A has the full values under the same #.", PageFlow.Body, PageFlow.Grey);
        flow.Space(6);
        var table = flow.BeginTable(DriftColumns(flow, numbers), PageFlow.SmallBold);
        bool any = false;
        foreach (var finding in findings)
        {
            any = true;
            table.AddRow(
            [
                [Small(finding.Number.ToString(CultureInfo.InvariantCulture))],
                [Small(PathText(finding.Path))],
                KindCell(finding),
                ValuesCell(finding, finding.Before, process: false),
                ValuesCell(finding, finding.After, process: true),
            ]);
        }
        table.End();
        if (!any)
            flow.Paragraph("None in the period.", PageFlow.Body, PageFlow.Grey);
    }

    // Two lines, so a page holds a few dozen findings: 100,000 of them must stay a document one can page through.
    private static List<StyledText> KindCell(ReportFinding finding)
    {
        var stored = finding.Stored;
        var seen = stored.ObservedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
        var cell = new List<StyledText> { new($"{stored.Kind} · {stored.Severity}", PageFlow.SmallBold, Rgb.Black) };
        cell.Add(finding.Status switch
        {
            FindingStatus.Approved => Small($"gen {finding.ApprovedIn!.Id} by {finding.ApprovedIn.ApprovedBy} · {seen}"),
            FindingStatus.Open => new StyledText($"open · {seen}", PageFlow.Small, FailColor),
            _ => new StyledText($"reverted · {seen}", PageFlow.Small, IncompleteColor),
        });
        if (stored.Source != "scan")
            cell.Add(new StyledText($"via {stored.Source}", PageFlow.Small, PageFlow.Grey));
        return cell;
    }

    /// <summary>The shown attributes: plain ones together on wrapping lines, each hash shortened on a line of its own.</summary>
    private static List<StyledText> ValuesCell(ReportFinding finding, IReadOnlyList<KeyValuePair<string, string>> values, bool process)
    {
        var cell = new List<StyledText>();
        var plain = new List<string>();
        var hashes = new List<StyledText>();
        foreach (var (name, value) in values)
        {
            if (ReportFinding.IsHash(name))
                hashes.Add(new StyledText($"{name} {Shorten(value)}", PageFlow.SmallMono, Rgb.Black));
            else
                plain.Add($"{name} {name switch { "path" => PathText(value), "target" => EntryPath.ToDisplayLine(value, isPath: false), _ => value }}");
        }
        if (plain.Count > 0)
            cell.Add(Small(string.Join(" · ", plain)));
        cell.AddRange(hashes);
        if (finding.Kind == DriftKind.Unverified && !process && finding.Stored.Detail is { } detail)
            cell.Add(Small(detail));
        if (process && (finding.Stored.ProcessPath is not null || finding.Stored.ProcessId is not null))
            cell.Add(new StyledText($"process {finding.Stored.ProcessPath ?? "?"}{(finding.Stored.ProcessId is { } pid ? $" (pid {pid})" : "")}", PageFlow.Small, PageFlow.Grey));
        if (cell.Count == 0)
            cell.Add(new StyledText("—", PageFlow.Small, PageFlow.Grey));
        return cell;
    }

    private static void HashAppendix(PageFlow flow, DriftReport report)
    {
        flow.NewPage();
        flow.Heading("Appendix A: full content hashes", 16);
        flow.Paragraph("The content hashes that the drift tables shorten, by finding number (#).", PageFlow.Body, PageFlow.Grey);
        flow.Space(6);
        // No path column: the # leads to it in the drift table, and 100,000 findings make this appendix long.
        var table = flow.BeginTable([new("#", 0.08, true), new("Hashes (before, after)", 0.92)], PageFlow.SmallBold);
        foreach (var finding in report.Findings)
        {
            var hashes = new List<StyledText>();
            foreach (var (side, values) in new[] { ("before", finding.Before), ("after", finding.After) })
            {
                foreach (var (name, value) in values.Where(v => ReportFinding.IsHash(v.Key)))
                    hashes.Add(new StyledText($"{side} {name} {value}", PageFlow.SmallMono, Rgb.Black));
            }
            if (hashes.Count > 0)
                table.AddRow([[Small(finding.Number.ToString(CultureInfo.InvariantCulture))], hashes]);
        }
        table.End();
    }

    /// <summary>Header and footer on every page, drawn last because the footer names the page count.</summary>
    private static void Furniture(IPdfCanvas canvas, DriftReport report)
    {
        var style = new TextStyle(Face.Sans, 7);
        double footer = canvas.PageHeight - PageFlow.Margin + 6;
        for (int page = 0; page < canvas.PageCount; page++)
        {
            canvas.ReturnToPage(page);
            canvas.DrawLine(PageFlow.Margin, footer - 10, canvas.PageWidth - PageFlow.Margin, footer - 10, PageFlow.RuleColor, 0.5);
            canvas.DrawText($"Report {report.ReportId} · generated {Time(report.GeneratedAt)} · {report.Host}", PageFlow.Margin, footer, style, PageFlow.Grey);
            var number = $"Page {page + 1} of {canvas.PageCount}";
            canvas.DrawText(number, canvas.PageWidth - PageFlow.Margin - canvas.Measure(number, style), footer, style, PageFlow.Grey);
        }
    }

    /// <summary>An entry's path on one line of the page: see <see cref="EntryPath.ToDisplayLine"/>.</summary>
    public static string PathText(string path) => EntryPath.ToDisplayLine(path);

    private static StyledText Plain(string text) => new(text, PageFlow.Body, Rgb.Black);

    private static StyledText Small(string text) => new(text, PageFlow.Small, Rgb.Black);

    private static StyledText Count(int value, Rgb nonZero) =>
        value > 0 ? new StyledText(N(value), PageFlow.SmallBold, nonZero) : Small(N(value));

    private static string Shorten(string hash) => hash.Length > HashShown ? hash[..HashShown] + "…" : hash;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
