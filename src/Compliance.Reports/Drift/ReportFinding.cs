using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Core.Attributes;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Output;
using Compliance.Store;

namespace Compliance.Reports.Drift;

/// <summary>How a finding stands now: approved into a later generation, still differing from the baseline, or back to the baseline without approval.</summary>
public enum FindingStatus
{
    Approved,
    Open,
    Reverted,
}

/// <summary>One finding as a report shows it: its number in the report, the stored finding, how it was resolved and which controls it bears on.</summary>
public sealed class ReportFinding
{
    public required int Number { get; init; }
    public required StoredFinding Stored { get; init; }
    public required FindingStatus Status { get; init; }

    /// <summary>The generation that approved the change, for <see cref="FindingStatus.Approved"/>.</summary>
    public Generation? ApprovedIn { get; init; }

    public required IReadOnlyList<string> Controls { get; init; }

    /// <summary>When the change was last seen: later checks that found it still there are not findings of their own.</summary>
    public required DateTimeOffset LastObservedAt { get; set; }

    public string Path => Stored.Path;
    public DriftKind Kind => DriftKindNames.Parse(Stored.Kind);
    public bool IsApproved => Status == FindingStatus.Approved;

    /// <summary>The baseline side's shown values (see <see cref="ShownValues"/>); empty for added.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Before { get; init; }

    /// <summary>The observed side's shown values; empty for removed.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> After { get; init; }

    /// <summary>
    /// The values a reader needs to judge a finding, from one side's stored JSON: the changed attributes, or for
    /// added, removed and unverified the entry's identity and content hashes. Only these are kept, so a report of
    /// 100,000 findings does not hold 200,000 whole entries.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ShownValues(DriftKind kind, IReadOnlyList<string> changed, string? json)
    {
        var values = EntryValues(json);
        if (kind is DriftKind.Added or DriftKind.Removed or DriftKind.Unverified)
            return values.Where(v => AddedOrRemovedShows.Contains(v.Key) || IsHash(v.Key)).ToArray();
        return values.Where(v => changed.Any(name => (AttributeCatalog.ByName(name)?.Field ?? name) == v.Key)).ToArray();
    }

    /// <summary>
    /// Whether <paramref name="approved"/>, what a generation approved at the finding's path (null: nothing there),
    /// is the state the finding saw: none for a removal, else the same values of what the finding changed (for
    /// added, removed and unverified: the entry's identity and hashes). Times are left out unless they are all that
    /// changed: any later write or chmod moves them, and a content or mode change stays the one approved.
    /// </summary>
    public static bool IsStateApproved(StoredFinding finding, FileEntry? approved)
    {
        if (finding.AfterJson is null || approved is null)
            return finding.AfterJson is null && approved is null;
        var kind = DriftKindNames.Parse(finding.Kind);
        var after = EntryValues(finding.AfterJson).ToDictionary(v => v.Key, v => v.Value);
        var now = EntryValues(EntryJson.ToJson(w => EntryJson.WriteEntry(w, approved))).ToDictionary(v => v.Key, v => v.Value);
        IEnumerable<string> compared = kind is DriftKind.Added or DriftKind.Removed or DriftKind.Unverified
            ? AddedOrRemovedShows.Concat(after.Keys.Where(IsHash))
            : finding.Attributes.Where(a => !Times.Contains(a)) is var lasting && lasting.Any() ? lasting : finding.Attributes;
        return compared.All(a => after.GetValueOrDefault(a) == now.GetValueOrDefault(a));
    }

    private static readonly HashSet<string> Times = [AttributeCatalog.Mtime.Name, AttributeCatalog.Ctime.Name];

    public static bool IsHash(string attribute) =>
        AttributeCatalog.ByName(attribute)?.IsContentHash == true;

    private static readonly HashSet<string> AddedOrRemovedShows =
    [
        AttributeCatalog.Type.Name, AttributeCatalog.Size.Name, AttributeCatalog.Mode.Name,
        AttributeCatalog.Uid.Name, AttributeCatalog.Gid.Name, AttributeCatalog.Owner.Name,
        AttributeCatalog.LinkTarget.Name,
    ];

    private static IReadOnlyList<KeyValuePair<string, string>> EntryValues(string? json)
    {
        if (json is null)
            return [];
        var values = new List<KeyValuePair<string, string>>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = string.Intern(reader.GetString()!);   // a handful of attribute names across every finding
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
                values.Add(new(name, StringValue(ref reader)));
            else
                reader.Skip();
        }
        return values;
    }

    // Paths with bytes that are not UTF-8 are stored as \udcXX escapes, which System.Text.Json refuses to decode:
    // show those the way text output shows escaped bytes.
    private static string StringValue(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var raw = Encoding.UTF8.GetString(reader.ValueSpan);
            return Regex.Replace(raw, @"\\udc([89a-f][0-9a-f])", @"\x$1", RegexOptions.IgnoreCase);
        }
    }
}
