using Compliance.Reports.Attestation;
using Compliance.Reports.Drift;
using Compliance.Store;
using Microsoft.Data.Sqlite;

namespace Compliance.Reports.Tests;

public sealed class AttestationTests : IDisposable
{
    private readonly DemoScenario _demo = new();
    private readonly string _key;
    private readonly string _report;
    private readonly byte[] _attestation;

    public AttestationTests()
    {
        _key = Path.Combine(_demo.Root, "signing-key");
        AttestationKeys.Generate(_key);
        _report = Path.Combine(_demo.Root, "report.pdf");
        File.WriteAllText(_report, "stands in for the rendered report");
        using var store = StateStore.Open(_demo.DatabasePath, create: false);
        using var key = AttestationKeys.LoadPrivate(_key);
        var report = DriftReportBuilder.Build(store, new ReportSelection());
        var statement = AttestationStatement.For(report, store.BaselineDigest(report.Baseline.Id), AttestationKeys.KeyId(key), _report,
            AttestationVerifier.HashFile(_report), new FileInfo(_report).Length, DateTimeOffset.UtcNow);
        _attestation = SignedAttestation.Sign(statement, key);
    }

    [Fact]
    public void An_untouched_attestation_verifies_with_its_report_and_database()
    {
        var checks = Verify(_attestation, withReport: true, withDatabase: true);

        checks.Select(c => c.Name).Should().Equal("signature", "report", "baseline", "policy");
        checks.Should().OnlyContain(c => c.Passed);
    }

    [Fact]
    public void Changing_any_single_byte_of_the_attestation_fails_verification()
    {
        _attestation.Length.Should().BeGreaterThan(500);
        for (int i = 0; i < _attestation.Length; i++)
        {
            var altered = (byte[])_attestation.Clone();
            altered[i] ^= 0x01;
            Verify(altered, withReport: false, withDatabase: false).Should().Contain(c => !c.Passed, $"byte {i} was changed");
        }
    }

    [Fact]
    public void A_report_whose_hash_differs_fails_verification()
    {
        File.AppendAllText(_report, " ");

        var checks = Verify(_attestation, withReport: true, withDatabase: false);

        checks.Single(c => c.Name == "report").Passed.Should().BeFalse();
        checks.Single(c => c.Name == "signature").Passed.Should().BeTrue();
    }

    [Theory]
    [InlineData("UPDATE baseline SET size = size + 1 WHERE rowid = (SELECT min(rowid) FROM baseline WHERE retired_gen IS NULL)")]
    [InlineData("UPDATE baseline SET sha256 = zeroblob(32) WHERE sha256 IS NOT NULL AND rowid = (SELECT max(rowid) FROM baseline WHERE sha256 IS NOT NULL AND retired_gen IS NULL)")]
    [InlineData("UPDATE baseline SET mode = 511 WHERE rowid = (SELECT max(rowid) FROM baseline WHERE retired_gen IS NULL)")]
    [InlineData("DELETE FROM baseline WHERE rowid = (SELECT max(rowid) FROM baseline WHERE retired_gen IS NULL)")]
    [InlineData("UPDATE generations SET approved_by = 'mallory' WHERE id = 2")]
    // The fingerprint is outside the digest, but a row whose fingerprint matches a changed file would hide the change.
    [InlineData("""
        UPDATE baseline SET fingerprint = (SELECT other.fingerprint FROM baseline other WHERE other.fingerprint <> baseline.fingerprint LIMIT 1)
        WHERE rowid = (SELECT max(rowid) FROM baseline WHERE retired_gen IS NULL AND fingerprint IS NOT NULL)
        """)]
    public void A_database_with_one_baseline_entry_edited_fails_verification(string edit)
    {
        using (var connection = new SqliteConnection($"Data Source={_demo.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = edit;
            command.ExecuteNonQuery().Should().Be(1);
        }

        var checks = Verify(_attestation, withReport: false, withDatabase: true);

        checks.Single(c => c.Name == "baseline").Passed.Should().BeFalse();
    }

    /// <summary>A fingerprint of another format (an older build's, a later one's) is never taken as a match, so it hides nothing.</summary>
    [Fact]
    public void A_fingerprint_of_another_format_is_not_taken_for_an_edit()
    {
        using (var connection = new SqliteConnection($"Data Source={_demo.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE baseline SET fingerprint = X'020000000000000000000000000000000000000000000000000000000000000000' WHERE fingerprint IS NOT NULL";
            command.ExecuteNonQuery().Should().BeGreaterThan(0);
        }

        Verify(_attestation, withReport: false, withDatabase: true).Should().OnlyContain(c => c.Passed);
    }

    [Fact]
    public void A_later_accepted_generation_leaves_the_attested_one_verifiable()
    {
        File.AppendAllText(Path.Combine(_demo.Tree, "etc", "passwd"), "more\n");
        using (var store = StateStore.Open(_demo.DatabasePath, create: false))
            store.Accept(null, "carol", "approve everything").Generation.Should().Be(3);

        Verify(_attestation, withReport: false, withDatabase: true).Should().OnlyContain(c => c.Passed);
    }

    [Fact]
    public void Another_key_does_not_verify_the_signature()
    {
        var other = Path.Combine(_demo.Root, "other-key");
        AttestationKeys.Generate(other);
        using var publicKey = AttestationKeys.LoadPublic(AttestationKeys.PublicKeyPath(other));

        var checks = AttestationVerifier.Verify(_attestation, publicKey, null, null);

        checks.Should().ContainSingle().Which.Should().Match<VerificationCheck>(c => c.Name == "signature" && !c.Passed);
    }

    [Fact]
    public void Keygen_keeps_the_private_key_to_its_owner_and_refuses_to_overwrite()
    {
        File.GetUnixFileMode(_key).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(AttestationKeys.PublicKeyPath(_key)).Should().StartWith("-----BEGIN PUBLIC KEY-----");
        var again = () => AttestationKeys.Generate(_key);
        again.Should().Throw<Core.ComplianceException>().WithMessage("*already exists*");
    }

    private IReadOnlyList<VerificationCheck> Verify(byte[] attestation, bool withReport, bool withDatabase)
    {
        using var publicKey = AttestationKeys.LoadPublic(AttestationKeys.PublicKeyPath(_key));
        using var store = withDatabase ? StateStore.Open(_demo.DatabasePath, create: false) : null;
        return AttestationVerifier.Verify(attestation, publicKey, withReport ? _report : null, store);
    }

    public void Dispose() => _demo.Dispose();
}
