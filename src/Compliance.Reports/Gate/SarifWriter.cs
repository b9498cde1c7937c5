using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Reports.Gate;

/// <summary>
/// A gate's findings as a SARIF 2.1.0 log: one rule per drift kind, one result per drifted path, located by a URI
/// relative to the scanned tree's root, for GitHub code scanning and other SARIF viewers.
/// </summary>
public static class SarifWriter
{
    public const string SchemaUri = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

    /// <summary>The uriBaseId every location is relative to: the root of the scanned tree.</summary>
    public const string RootBaseId = "TARGETROOT";

    public static void Write(Stream stream, GateOutcome outcome)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("$schema", SchemaUri);
        writer.WriteString("version", "2.1.0");
        writer.WriteStartArray("runs");
        writer.WriteStartObject();
        WriteTool(writer, outcome.ToolVersion);
        WriteInvocation(writer, outcome);
        WriteBaseUri(writer, outcome);
        writer.WriteStartArray("results");
        foreach (var finding in outcome.Findings.OrderBy(f => f.Path, Comparer<string>.Create(EntryPath.CompareWalkOrder)))
            WriteResult(writer, finding, outcome);
        writer.WriteEndArray();
        WriteRunProperties(writer, outcome);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTool(Utf8JsonWriter writer, string version)
    {
        writer.WriteStartObject("tool");
        writer.WriteStartObject("driver");
        writer.WriteString("name", "compliance");
        writer.WriteString("version", version);
        writer.WriteStartArray("rules");
        foreach (var rule in DriftRules.All)
        {
            writer.WriteStartObject();
            writer.WriteString("id", rule.Id);
            writer.WriteString("name", rule.Name);
            WriteText(writer, "shortDescription", rule.ShortDescription);
            WriteText(writer, "fullDescription", rule.FullDescription);
            WriteText(writer, "help", rule.Help);
            writer.WriteStartObject("defaultConfiguration");
            // Any drift fails the gate; a result's own level then follows its category's severity.
            writer.WriteString("level", "error");
            writer.WriteEndObject();
            writer.WriteStartObject("properties");
            writer.WriteStartArray("tags");
            writer.WriteStringValue("security");
            writer.WriteStringValue("file-integrity");
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteInvocation(Utf8JsonWriter writer, GateOutcome outcome)
    {
        writer.WriteStartArray("invocations");
        writer.WriteStartObject();
        // The scan completed; drift is its result, not a failure to run.
        writer.WriteBoolean("executionSuccessful", true);
        writer.WriteNumber("exitCode", outcome.Passed ? 0 : 1);
        writer.WriteString("startTimeUtc", Utc(outcome.StartedAt));
        writer.WriteString("endTimeUtc", Utc(outcome.FinishedAt));
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void WriteBaseUri(Utf8JsonWriter writer, GateOutcome outcome)
    {
        writer.WriteStartObject("originalUriBaseIds");
        writer.WriteStartObject(RootBaseId);
        if (outcome.RootDirectory is { } directory)
            writer.WriteString("uri", ArtifactUri.DirectoryFileUri(directory));
        WriteText(writer, "description", $"The root of the scanned tree, {outcome.Tree}.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter writer, Finding finding, GateOutcome outcome)
    {
        var rule = DriftRules.For(finding.Kind);
        writer.WriteStartObject();
        writer.WriteString("ruleId", rule.Id);
        writer.WriteNumber("ruleIndex", (int)finding.Kind);
        writer.WriteString("level", DriftRules.Level(finding.Severity));
        WriteText(writer, "message", FindingText.Describe(finding));
        writer.WriteStartArray("locations");
        WriteLocation(writer, finding.Path);
        writer.WriteEndArray();
        if (finding.Kind == DriftKind.Moved && finding.Before is { } before)
        {
            writer.WriteStartArray("relatedLocations");
            WriteLocation(writer, before.Path, "where the approved baseline has it");
            writer.WriteEndArray();
        }
        writer.WriteStartObject("partialFingerprints");
        // The path identifies the alert across runs; GitHub cannot compute line hashes for files outside the repository.
        writer.WriteString("fimPath/v1", Convert.ToHexStringLower(SHA256.HashData(EntryPath.ToBytes(finding.Path))));
        writer.WriteEndObject();
        writer.WriteStartObject("properties");
        writer.WriteString("kind", finding.Kind.ToName());
        writer.WriteString("category", finding.Category);
        writer.WriteString("severity", finding.Severity.ToName());
        writer.WriteStartArray("controls");
        foreach (var control in outcome.Policy.Categories.FirstOrDefault(c => c.Name == finding.Category)?.Controls ?? [])
            writer.WriteStringValue(control);
        writer.WriteEndArray();
        writer.WriteStartArray("attributes");
        foreach (var attribute in finding.Attributes)
            writer.WriteStringValue(attribute);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteLocation(Utf8JsonWriter writer, string path, string? message = null)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("physicalLocation");
        writer.WriteStartObject("artifactLocation");
        writer.WriteString("uri", ArtifactUri.Relative(path));
        writer.WriteString("uriBaseId", RootBaseId);
        writer.WriteEndObject();
        writer.WriteEndObject();
        if (message is not null)
            WriteText(writer, "message", message);
        writer.WriteEndObject();
    }

    private static void WriteRunProperties(Utf8JsonWriter writer, GateOutcome outcome)
    {
        writer.WriteStartObject("properties");
        writer.WriteString("policy", outcome.Policy.Name);
        writer.WriteString("policyDigest", outcome.Policy.Digest);
        writer.WriteNumber("baselineGeneration", outcome.Generation);
        writer.WriteString("tree", outcome.Tree);
        writer.WriteNumber("entriesScanned", outcome.Totals.Entries);
        writer.WriteNumber("filesHashed", outcome.Totals.FilesHashed);
        writer.WriteNumber("bytesHashed", outcome.Totals.BytesHashed);
        writer.WriteNumber("errors", outcome.Totals.Errors);
        writer.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter writer, string name, string text)
    {
        writer.WriteStartObject(name);
        writer.WriteString("text", text);
        writer.WriteEndObject();
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
}
