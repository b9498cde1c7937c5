using System.Security.Cryptography;
using Compliance.Store;

namespace Compliance.Reports.Attestation;

/// <summary>One check that verify made, and what it found.</summary>
public sealed record VerificationCheck(string Name, bool Passed, string Detail);

/// <summary>
/// Checks an attestation: its form and signature against a public key, and, when given, that the report's
/// SHA-256 and the database's baseline and policy digests are still those attested. Every check runs, so the
/// output lists all that failed.
/// </summary>
public static class AttestationVerifier
{
    public static IReadOnlyList<VerificationCheck> Verify(byte[] file, ECDsa publicKey, string? reportPath, StateStore? store)
    {
        var checks = new List<VerificationCheck>();
        if (SignedAttestation.Read(file, out var problem) is not var (statementBytes, signature))
        {
            checks.Add(new("attestation", false, $"not a valid attestation: {problem}"));
            return checks;
        }
        if (!SignedAttestation.VerifySignature(statementBytes, signature, publicKey))
        {
            checks.Add(new("signature", false, "does not verify with the given public key: the statement was altered or signed by another key"));
            return checks;
        }
        var statement = AttestationStatement.FromJson(statementBytes);
        checks.Add(new("signature", true, $"valid, key {statement.KeyId[..16]}, attested {statement.AttestedAt}, verdict {statement.Verdict}"));

        if (reportPath is not null)
        {
            var actual = Convert.ToHexStringLower(HashFile(reportPath));
            checks.Add(actual == statement.ReportSha256
                ? new("report", true, $"{reportPath} has the attested SHA-256 {actual}")
                : new("report", false, $"{reportPath} has SHA-256 {actual}, the attestation names {statement.ReportSha256}"));
            if (statement.SummarySha256 is { } attested)
            {
                var summary = Csv.DriftCsv.SummaryPath(reportPath);
                var summaryActual = File.Exists(summary) ? Convert.ToHexStringLower(HashFile(summary)) : null;
                checks.Add(summaryActual == attested
                    ? new("summary", true, $"{summary} has the attested SHA-256 {attested}")
                    : new("summary", false, summaryActual is null
                        ? $"{summary}, the CSV report's figures, is not there; the attestation names SHA-256 {attested}"
                        : $"{summary} has SHA-256 {summaryActual}, the attestation names {attested}"));
            }
        }
        if (store is not null)
        {
            var generation = store.Generations().FirstOrDefault(g => g.Id == statement.BaselineGeneration);
            if (generation is null)
            {
                checks.Add(new("baseline", false, $"the database has no baseline generation {statement.BaselineGeneration}"));
                return checks;
            }
            string digest;
            try
            {
                digest = store.BaselineDigest(statement.BaselineGeneration);
            }
            catch (BaselineEditedException edited)
            {
                checks.Add(new("baseline", false, edited.Message));
                return checks;
            }
            checks.Add(digest == statement.BaselineDigest
                ? new("baseline", true, $"generation {statement.BaselineGeneration} has the attested digest {digest}")
                : new("baseline", false, $"generation {statement.BaselineGeneration} has digest {digest}, the attestation names {statement.BaselineDigest}: the stored baseline changed"));
            checks.Add(generation.PolicyDigest == statement.PolicyDigest
                ? new("policy", true, $"generation {statement.BaselineGeneration} records the attested policy digest")
                : new("policy", false, $"generation {statement.BaselineGeneration} records policy digest {generation.PolicyDigest}, the attestation names {statement.PolicyDigest}"));
        }
        return checks;
    }

    public static byte[] HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return SHA256.HashData(stream);
    }
}
