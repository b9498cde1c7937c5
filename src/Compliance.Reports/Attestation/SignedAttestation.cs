using System.Security.Cryptography;
using System.Text.Json;

namespace Compliance.Reports.Attestation;

/// <summary>
/// The attestation file: {"statement": ..., "signature": {...}}, where the signature is ECDSA P-256 with SHA-256
/// (DER-encoded, as openssl writes it) over the statement's exact bytes. The file has one canonical form, written
/// by <see cref="Write"/>; <see cref="Read"/> rebuilds it from what it parsed and rejects any file that differs,
/// so a change to any byte, signed or not, is caught.
/// </summary>
public static class SignedAttestation
{
    public const string Algorithm = "ECDSA-P256-SHA256";
    public const string SignatureEncoding = "DER";

    public static byte[] Sign(AttestationStatement statement, ECDsa key)
    {
        var statementBytes = statement.ToJson();
        return Write(statementBytes, key.SignData(statementBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    public static byte[] Write(ReadOnlySpan<byte> statement, byte[] signature)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("statement");
            writer.WriteRawValue(statement, skipInputValidation: true);
            writer.WriteStartObject("signature");
            writer.WriteString("algorithm", Algorithm);
            writer.WriteString("encoding", SignatureEncoding);
            writer.WriteBase64String("value", signature);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Splits a file into the signed statement bytes and the signature; null with a reason when it is not one canonical attestation.</summary>
    public static (byte[] Statement, byte[] Signature)? Read(byte[] file, out string? problem)
    {
        try
        {
            var reader = new Utf8JsonReader(file);
            byte[]? statement = null, signature = null;
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("statement"))
                {
                    Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    statement = file[start..(int)reader.BytesConsumed];
                }
                else if (reader.ValueTextEquals("signature"))
                {
                    Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isValue = reader.ValueTextEquals("value");
                        reader.Read();
                        if (isValue)
                            signature = reader.GetBytesFromBase64();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (statement is null || signature is null)
            {
                problem = "it has no statement or no signature value";
                return null;
            }
            if (!Write(statement, signature).AsSpan().SequenceEqual(file))
            {
                problem = "bytes outside the signed statement differ from the form compliance attest writes";
                return null;
            }
            problem = null;
            return (statement, signature);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            problem = $"it is not valid attestation JSON ({e.Message})";
            return null;
        }
    }

    public static bool VerifySignature(byte[] statement, byte[] signature, ECDsa publicKey) =>
        publicKey.VerifyData(statement, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    private static void Expect(bool condition)
    {
        if (!condition)
            throw new FormatException("unexpected JSON structure");
    }
}
