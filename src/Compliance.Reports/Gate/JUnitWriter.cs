using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Reports.Gate;

/// <summary>
/// A gate as JUnit XML, which every CI system shows: one test suite per policy category holding one test case,
/// failed by drift (the paths listed) and errored by files that could not be verified.
/// </summary>
public static class JUnitWriter
{
    public static void Write(Stream stream, GateOutcome outcome)
    {
        using var writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        ToXml(outcome).Save(writer);
    }

    public static XDocument ToXml(GateOutcome outcome)
    {
        var byCategory = outcome.Findings.ToLookup(f => f.Category);
        var suites = outcome.Policy.Categories.Select(c => Suite(c.Name, c, byCategory[c.Name].ToList(), outcome)).ToList();
        // A finding whose category the policy does not name still fails the gate visibly, in a suite of its own.
        var known = outcome.Policy.Categories.Select(c => c.Name).ToHashSet();
        foreach (var unknown in byCategory.Where(g => !known.Contains(g.Key)))
            suites.Add(Suite(unknown.Key.Length > 0 ? unknown.Key : "(no category)", null, unknown.ToList(), outcome));

        return new XDocument(new XElement("testsuites",
            new XAttribute("name", Text($"compliance gate: policy {outcome.Policy.Name}, baseline generation {outcome.Generation}")),
            new XAttribute("tests", suites.Count),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", suites.Sum(s => (int)s.Attribute("errors")!)),
            new XAttribute("time", Seconds(outcome.FinishedAt - outcome.StartedAt)),
            new XAttribute("timestamp", Timestamp(outcome.StartedAt)),
            suites));
    }

    private static XElement Suite(string name, PolicyCategory? category, List<Finding> findings, GateOutcome outcome)
    {
        findings.Sort((a, b) => EntryPath.CompareWalkOrder(a.Path, b.Path));
        var drifted = findings.Where(f => f.Kind != DriftKind.Unverified).ToList();
        var unverified = findings.Where(f => f.Kind == DriftKind.Unverified).ToList();
        var testCase = new XElement("testcase",
            new XAttribute("classname", Text($"compliance.{outcome.Policy.Name}")),
            new XAttribute("name", Text($"{name} matches the approved baseline")),
            // Categories are checked together in one walk; the walk's time is on <testsuites>.
            new XAttribute("time", "0"));
        if (drifted.Count > 0)
        {
            testCase.Add(new XElement("failure",
                new XAttribute("message", $"{drifted.Count} path(s) drifted from the approved baseline"),
                new XAttribute("type", "drift"),
                Lines(drifted)));
        }
        if (unverified.Count > 0)
        {
            testCase.Add(new XElement("error",
                new XAttribute("message", $"{unverified.Count} path(s) could not be verified"),
                new XAttribute("type", "unverified"),
                Lines(unverified)));
        }
        return new XElement("testsuite",
            new XAttribute("name", Text(name)),
            new XAttribute("tests", 1),
            new XAttribute("failures", drifted.Count > 0 ? 1 : 0),
            new XAttribute("errors", unverified.Count > 0 ? 1 : 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", "0"),
            new XAttribute("timestamp", Timestamp(outcome.StartedAt)),
            new XElement("properties",
                category is null ? null : Property("severity", category.Severity.ToName()),
                category is null ? null : Property("controls", string.Join(", ", category.Controls)),
                Property("tree", outcome.Tree),
                Property("policy_digest", outcome.Policy.Digest)),
            testCase);
    }

    private static XElement Property(string name, string value) =>
        new("property", new XAttribute("name", name), new XAttribute("value", Text(value)));

    private static string Lines(IEnumerable<Finding> findings) =>
        string.Join("\n", findings.Select(f => Text(FindingText.Describe(f))));

    /// <summary>XML 1.0 cannot hold some characters at all, even escaped (most control characters): they are shown as \uXXXX.</summary>
    private static string Text(string value)
    {
        if (value.All(XmlConvert.IsXmlChar))
            return value;
        var text = new StringBuilder(value.Length + 8);
        for (int i = 0; i < value.Length; i++)
        {
            if (XmlConvert.IsXmlChar(value[i]))
                text.Append(value[i]);
            else if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
                text.Append(value[i]).Append(value[++i]);
            else
                text.Append("\\u").Append(((int)value[i]).ToString("x4", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    // JUnit's timestamp is an ISO 8601 date-time without a zone; it is UTC here.
    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
