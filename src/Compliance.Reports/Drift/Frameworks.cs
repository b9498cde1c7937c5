using System.Reflection;
using System.Text.Json;
using Compliance.Core;

namespace Compliance.Reports.Drift;

/// <summary>
/// The frameworks a report can be limited to, and the requirement each control stands for. Control names are the
/// ones policies use ("PCI-DSS 11.5.2", "HIPAA 164.312(c)(1)", "NIST 800-53 SI-7"): a framework is their prefix.
/// </summary>
public static class Frameworks
{
    private static readonly Dictionary<string, string> PrefixByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pci-dss"] = "PCI-DSS ",
        ["hipaa"] = "HIPAA ",
        ["nist-800-53"] = "NIST 800-53 ",
    };

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Requirements = new(LoadRequirements);

    public static IReadOnlyCollection<string> Names => PrefixByName.Keys;

    /// <summary>The canonical name of a framework given on the command line; null for all frameworks.</summary>
    public static string? Parse(string? name)
    {
        if (name is null)
            return null;
        return PrefixByName.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ComplianceException($"unknown framework '{name}': expected one of {string.Join(", ", PrefixByName.Keys)}.", FailureKind.Usage);
    }

    /// <summary>True when the control belongs to the framework (every control when no framework is chosen).</summary>
    public static bool Includes(string? framework, string control) =>
        framework is null || control.StartsWith(PrefixByName[framework], StringComparison.OrdinalIgnoreCase);

    /// <summary>A short paraphrase of what the control requires, or null for a control the catalog does not know.</summary>
    public static string? Requirement(string control) => Requirements.Value.GetValueOrDefault(control);

    private static IReadOnlyDictionary<string, string> LoadRequirements()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("templates/controls.json")
            ?? throw new InvalidOperationException("templates/controls.json is not embedded in Compliance.Reports.");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.EnumerateObject()
            .Where(p => !p.Name.StartsWith('_'))
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
    }
}
