using System.Collections.Concurrent;
using Compliance.Core.Model;

namespace Compliance.Ntfs;

/// <summary>
/// What a directory's $I30 index says against its files' own $FILE_NAMEs. A scan finds files by their own names;
/// Windows finds them through the index. An index edited to lead a name to another record, or a file left out of
/// it, makes the file examined another than the one Windows opens: such names are reported, never trusted.
/// </summary>
/// <param name="DirectoryProblem">Every disagreement in the directory, or null when the index says what the names say.</param>
/// <param name="NameProblems">By name (case-insensitive, as Windows looks names up): what is wrong with that name.</param>
internal sealed record IndexVerdict(string? DirectoryProblem, IReadOnlyDictionary<string, string> NameProblems);

/// <summary>Compares directories' indexes with the catalog, each directory once, on first use (scans ask from several threads).</summary>
internal sealed class IndexAgreement(NtfsVolume volume, MftCatalog catalog)
{
    private const int MaxListed = 5;
    private static readonly IReadOnlyDictionary<string, string> NoProblems = new Dictionary<string, string>();

    private readonly ConcurrentDictionary<long, Lazy<IndexVerdict>> _verdicts = new();
    private readonly Lazy<Dictionary<long, List<NameInDirectory>>> _namesByDirectory = new(() => NamesByDirectory(catalog));
    // Records already reported as damaged: an index entry leading to one is that damage, not another disagreement.
    private readonly HashSet<long> _damaged = catalog.Problems.Select(problem => problem.RecordNumber).ToHashSet();

    // Asked for every entry a scan examines: the factory takes its state as an argument, so a lookup allocates nothing.
    public IndexVerdict Of(MftEntry directory) =>
        _verdicts.GetOrAdd(directory.RecordNumber, static (_, state) => new Lazy<IndexVerdict>(() => state.Self.Compare(state.Directory)), (Self: this, Directory: directory)).Value;

    private IndexVerdict Compare(MftEntry directory)
    {
        List<IndexedName> indexed;
        try
        {
            indexed = DirectoryIndex.Read(volume, directory);
        }
        catch (Exception e) when (e is NtfsFormatException or IOException)
        {
            return new IndexVerdict($"its {DirectoryIndex.Name} index, by which Windows finds its files, cannot be read: {e.Message}", NoProblems);
        }

        // What the files' names say, as a multiset: a name appears twice only if two records claim it.
        var expected = new Dictionary<(long Record, string Name), int>();
        foreach (var name in _namesByDirectory.Value.GetValueOrDefault(directory.RecordNumber) ?? [])
            if (name.ParentSequence == 0 || name.ParentSequence == directory.Sequence)
                expected[(name.Record, name.Name)] = expected.GetValueOrDefault((name.Record, name.Name)) + 1;

        var problems = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var listed = new List<string>();
        foreach (var name in indexed)
        {
            var key = (name.File.RecordNumber, name.Name);
            if (catalog[name.File.RecordNumber] is { InUse: true } target && target.Sequence == name.File.Sequence
                && expected.GetValueOrDefault(key) is > 0 and var count)
            {
                expected[key] = count - 1;
                continue;
            }
            if (_damaged.Contains(name.File.RecordNumber))
                continue;
            Add(problems, listed, name.Name, $"the directory index leads this name to MFT record {name.File.RecordNumber} (sequence {name.File.Sequence}), which does not bear it");
        }
        foreach (var ((record, name), missing) in expected)
            if (missing > 0)
                Add(problems, listed, name, $"is not in the directory index: Windows does not find MFT record {record} by this name");

        if (listed.Count == 0)
            return new IndexVerdict(null, NoProblems);
        string summary = $"its {DirectoryIndex.Name} index, by which Windows finds its files, disagrees with their names: "
            + string.Join("; ", listed.Take(MaxListed)) + (listed.Count > MaxListed ? $"; and {listed.Count - MaxListed} more" : "");
        return new IndexVerdict(summary, problems);
    }

    private static void Add(Dictionary<string, string> problems, List<string> listed, string name, string problem)
    {
        string text = Utf16.ToPathText(name);
        problems.TryAdd(text, problem);
        listed.Add($"'{EntryPath.ToDisplayText(text)}' {problem}");
    }

    // Every name of every in-use record, the 8.3 aliases included: the index holds an entry for each.
    private static Dictionary<long, List<NameInDirectory>> NamesByDirectory(MftCatalog catalog)
    {
        var byDirectory = new Dictionary<long, List<NameInDirectory>>();
        foreach (var entry in catalog.Entries)
        {
            if (!entry.InUse)
                continue;
            foreach (var name in entry.FileNames)
            {
                if (!byDirectory.TryGetValue(name.Parent.RecordNumber, out var names))
                    byDirectory[name.Parent.RecordNumber] = names = [];
                names.Add(new NameInDirectory(entry.RecordNumber, name.Parent.Sequence, name.Name));
            }
        }
        return byDirectory;
    }

    /// <summary>One $FILE_NAME of an in-use record, filed under the directory it names.</summary>
    private readonly record struct NameInDirectory(long Record, ushort ParentSequence, string Name);
}
