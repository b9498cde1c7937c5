using System.Security.Cryptography;
using Compliance.Core;

namespace Compliance.Reports.Attestation;

/// <summary>
/// ECDSA P-256 key pairs for attestations: the private key as PKCS#8 PEM in NAME (owner-only permissions), the
/// public key as SubjectPublicKeyInfo PEM in NAME.pub, the formats openssl reads.
/// </summary>
public static class AttestationKeys
{
    public static string PublicKeyPath(string privateKeyPath) => privateKeyPath + ".pub";

    /// <summary>Creates a new key pair; refuses to overwrite either file. Returns the key ID.</summary>
    public static string Generate(string privateKeyPath)
    {
        var publicKeyPath = PublicKeyPath(privateKeyPath);
        foreach (var path in new[] { privateKeyPath, publicKeyPath })
        {
            if (File.Exists(path))
                throw new ComplianceException($"{path} already exists; remove it or choose another --out.", FailureKind.Usage);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(privateKeyPath, options))
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(publicKeyPath, key.ExportSubjectPublicKeyInfoPem());
        return KeyId(key);
    }

    public static ECDsa LoadPrivate(string path) => Load(path, "private", key => key.ExportParameters(true));

    public static ECDsa LoadPublic(string path) => Load(path, "public", key => key.ExportParameters(false));

    /// <summary>SHA-256 of the public key's SubjectPublicKeyInfo, hex: names the key in an attestation.</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static ECDsa Load(string path, string kind, Func<ECDsa, ECParameters> probe)
    {
        if (!File.Exists(path))
            throw new ComplianceException($"{path}: no such {kind} key file.", FailureKind.Usage);
        var pem = File.ReadAllText(path);
        // A private key holds the public one too, and would verify; but it has no business where attestations are checked.
        if (kind == "public" && pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new ComplianceException($"{path} is a private key: give the public key keygen wrote beside it (NAME.pub), and keep the private key with the signer.", FailureKind.Usage);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var parameters = probe(key);
            if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new ComplianceException($"{path}: the key is not on curve P-256.", FailureKind.Usage);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ComplianceException($"{path}: not a PEM {kind} ECDSA key ({e.Message}).", FailureKind.Usage, e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
