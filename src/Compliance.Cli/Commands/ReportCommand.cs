using System.CommandLine;
using System.Globalization;
using Compliance.Core;
using Compliance.Reports.Csv;
using Compliance.Reports.Drift;
using Compliance.Reports.Json;
using Compliance.Reports.Pdf;

namespace Compliance.Cli.Commands;

/// <summary>`compliance report`: the drift of a period as an auditor's PDF, CSV for spreadsheets, or JSON.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var format = new Option<string>("--format") { Description = "pdf (the auditor's report), csv (FILE one row per finding, FILE.summary.csv the figures) or json.", Required = true };
        format.AcceptOnlyFromAmong("pdf", "csv", "json");
        var output = new Option<string>("--out") { Description = "The report file to write.", HelpName = "FILE", Required = true };
        var selection = new ReportSelectionOptions();
        var paper = new Option<string>("--paper") { Description = "PDF page size: a4 or letter.", DefaultValueFactory = _ => "a4" };
        paper.AcceptOnlyFromAmong("a4", "letter");
        var licence = new Option<string?>("--pdf-license")
        {
            Description = $"PDFsharp licence: '{PdfLicence.Agpl}' (the AGPL-3.0 terms, the default) or a file holding a commercial licence key. Default: ${PdfLicence.EnvironmentVariable}, else agpl.",
            HelpName = "agpl|FILE",
        };
        var command = new Command("report", "Report the drift of a period: cover with verdict, summary and coverage, a section per control, unapproved and approved changes, full hashes.")
        {
            db, format, output, selection.Framework, selection.Since, selection.Generation, paper, licence,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(output)!;
            var csv = parse.GetValue(format) == "csv";
            // The summary goes beside the findings, and is as much the evidence: /dev/stdout would make /dev/stdout.summary.csv.
            if (csv && OutputFile.IsStream(file))
                throw new ComplianceException($"a CSV report is two files, {file} and {DriftCsv.SummaryPath(file)} beside it: --out must name a file, not a device or pipe; use --format json or pdf for a stream.", FailureKind.Usage);
            var inputs = CommonOptions.DatabaseFiles(parse.GetValue(db)!);
            OutputFile.RefuseInputs("--out", file, inputs);
            if (csv)
                OutputFile.RefuseInputs("--out", DriftCsv.SummaryPath(file), inputs);
            using var store = CommonOptions.OpenStoreReadOnly(parse.GetValue(db)!);
            var report = DriftReportBuilder.Build(store, selection.Read(parse));
            switch (parse.GetValue(format))
            {
                case "pdf":
                {
                    using var canvas = new PdfSharpCanvas(parse.GetValue(paper) == "letter" ? PdfSharp.PageSize.Letter : PdfSharp.PageSize.A4, parse.GetValue(licence));
                    OutputFile.Write(file, stream => DriftPdf.Write(report, canvas, stream));
                    break;
                }
                case "csv":
                    OutputFile.Write(file, stream => DriftCsv.WriteFindings(report, stream));
                    OutputFile.Write(DriftCsv.SummaryPath(file), stream => DriftCsv.WriteSummary(report, stream));
                    break;
                default:
                    OutputFile.Write(file, stream => DriftJson.Write(report, stream));
                    break;
            }
            Console.Error.WriteLine($"report {report.ReportId}: {report.Findings.Count} finding(s), {report.UnapprovedCount} unapproved, verdict {report.Verdict.ToString().ToLowerInvariant()}: {file}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>The options that choose a report's findings; attest takes the same ones so its counts match the report's.</summary>
internal sealed class ReportSelectionOptions
{
    public Option<string?> Framework { get; } = new("--framework")
    {
        Description = $"Limit controls to one framework: {string.Join(", ", Frameworks.Names)}.",
        HelpName = "NAME",
    };

    public Option<string?> Since { get; } = new("--since")
    {
        Description = "Findings observed at or after DATE (ISO 8601, e.g. 2026-11-01 or 2026-11-01T00:00:00Z; UTC unless an offset is given). Default: since the current baseline was taken.",
        HelpName = "DATE",
    };

    public Option<long?> Generation { get; } = new("--generation") { Description = "Findings recorded against baseline generation N.", HelpName = "N" };

    public ReportSelection Read(ParseResult parse)
    {
        var since = parse.GetValue(Since);
        DateTimeOffset? sinceTime = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                throw new ComplianceException($"--since {since}: not a date; use ISO 8601, e.g. 2026-11-01 or 2026-11-01T08:00:00Z.", FailureKind.Usage);
            // Reports state a period to the second: the period selected starts at the second stated, fractions
            // dropped, or findings inside the stated period would be left out of it.
            sinceTime = parsed.AddTicks(-(parsed.UtcTicks % TimeSpan.TicksPerSecond));
            if (sinceTime > DateTimeOffset.UtcNow)
                throw new ComplianceException($"--since {since}: that is in the future; a report covers what was observed up to now.", FailureKind.Usage);
        }
        return new ReportSelection(sinceTime, parse.GetValue(Generation), Frameworks.Parse(parse.GetValue(Framework)));
    }
}
