using System.CommandLine;
using Compliance.Reports.Attestation;
using Compliance.Reports.Csv;
using Compliance.Reports.Drift;

namespace Compliance.Cli.Commands;

/// <summary>`compliance attest`: a signed statement of the state a report shows, bound to the report by its SHA-256.</summary>
internal static class AttestCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var key = new Option<string>("--key") { Description = "The private key from `compliance keygen`.", HelpName = "NAME", Required = true };
        var report = new Option<string>("--report") { Description = "The report this attestation accompanies; its SHA-256 is signed.", HelpName = "FILE", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the attestation.", HelpName = "FILE.json", Required = true };
        var selection = new ReportSelectionOptions();
        var command = new Command("attest", "Sign an attestation: host, policy digest, baseline digest, scan time, counts, verdict and the report's SHA-256. Pass the same --since/--generation/--framework as the report.")
        {
            db, key, report, output, selection.Framework, selection.Since, selection.Generation,
        };
        command.SetAction(parse =>
        {
            var reportFile = parse.GetValue(report)!;
            if (!File.Exists(reportFile))
                throw new Core.ComplianceException($"--report {reportFile}: no such file.", Core.FailureKind.Usage);
            var keyFile = parse.GetValue(key)!;
            OutputFile.RefuseInputs("--out", parse.GetValue(output),
                [.. CommonOptions.DatabaseFiles(parse.GetValue(db)!), keyFile, AttestationKeys.PublicKeyPath(keyFile), reportFile, DriftCsv.SummaryPath(reportFile)]);
            using var signingKey = AttestationKeys.LoadPrivate(keyFile);
            using var store = CommonOptions.OpenStoreReadOnly(parse.GetValue(db)!);
            var drift = DriftReportBuilder.Build(store, selection.Read(parse));
            StatedReport stated;
            try
            {
                stated = ReportClaims.Read(reportFile);
            }
            catch (InvalidDataException e)
            {
                throw new Core.ComplianceException($"--report {reportFile}: {e.Message}: attest a report `compliance report` made.", Core.FailureKind.Usage, e);
            }
            if (ReportClaims.Differences(stated, drift) is { Count: > 0 } differences)
                throw new Core.ComplianceException(
                    $"--report {reportFile} does not state what the database does now ({string.Join("; ", differences)}): make the report again " +
                    "(with the same --since, --generation and --framework as this attestation), then attest that.", Core.FailureKind.Usage);
            var statement = AttestationStatement.For(drift, store.BaselineDigest(drift.Baseline.Id), AttestationKeys.KeyId(signingKey), reportFile,
                AttestationVerifier.HashFile(reportFile), new FileInfo(reportFile).Length, DateTimeOffset.UtcNow) with
            {
                ReportId = stated.Metrics.GetValueOrDefault("report_id"),
                SummarySha256 = stated.Files is [_, var summary] ? Convert.ToHexStringLower(AttestationVerifier.HashFile(summary)) : null,
            };
            var signed = SignedAttestation.Sign(statement, signingKey);
            OutputFile.Write(parse.GetValue(output)!, stream => stream.Write(signed));
            Console.Error.WriteLine($"attested generation {statement.BaselineGeneration} (digest {statement.BaselineDigest[..16]}…), verdict {statement.Verdict}, report sha256 {statement.ReportSha256[..16]}…: {parse.GetValue(output)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
