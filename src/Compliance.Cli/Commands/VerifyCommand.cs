using System.CommandLine;
using Compliance.Reports.Attestation;
using Compliance.Store;

namespace Compliance.Cli.Commands;

/// <summary>`compliance verify`: checks an attestation's signature and, when given, its report and the database it attests.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var attestation = new Argument<string>("FILE.json") { Description = "The attestation from `compliance attest`." };
        var publicKey = new Option<string>("--pub") { Description = "The signer's public key (NAME.pub from keygen).", HelpName = "NAME.pub", Required = true };
        var report = new Option<string?>("--report") { Description = "Also check that this report is the one attested (same SHA-256).", HelpName = "FILE" };
        var db = new Option<string?>("--db") { Description = "Also check that this database still holds the attested baseline and policy.", HelpName = "FILE" };
        var command = new Command("verify", "Verify an attestation. Exit 0 when the signature and everything given check out, 1 when anything does not.")
        {
            publicKey, report, db,
        };
        command.Arguments.Add(attestation);
        command.SetAction(parse =>
        {
            var file = parse.GetValue(attestation)!;
            if (!File.Exists(file))
                throw new Core.ComplianceException($"{file}: no such attestation file.", Core.FailureKind.Usage);
            var reportFile = parse.GetValue(report);
            if (reportFile is not null && !File.Exists(reportFile))
                throw new Core.ComplianceException($"--report {reportFile}: no such file.", Core.FailureKind.Usage);
            using var key = AttestationKeys.LoadPublic(parse.GetValue(publicKey)!);
            using var store = parse.GetValue(db) is { } dbPath ? StateStore.OpenReadOnly(dbPath) : null;
            var checks = AttestationVerifier.Verify(File.ReadAllBytes(file), key, reportFile, store);
            foreach (var check in checks)
                Console.WriteLine($"{(check.Passed ? "ok  " : "FAIL")} {check.Name}: {check.Detail}");
            return checks.All(c => c.Passed) ? ExitCodes.Ok : ExitCodes.Drift;
        });
        return command;
    }
}
