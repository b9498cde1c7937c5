using System.Text.Json;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Output;
using Compliance.Core.Reconcile;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary>
/// Writes findings as they arrive: a JSON object with a streamed `findings` array for --json, or readable lines and a
/// summary table for a person.
/// </summary>
internal sealed class FindingsOutput : IDisposable
{
    private readonly bool _json;
    private readonly Utf8JsonWriter? _writer;
    private readonly Stream? _stdout;
    private readonly List<Finding> _forPerson = [];
    private readonly Dictionary<DriftKind, int> _counts = [];

    public FindingsOutput(bool json, Action<Utf8JsonWriter>? header = null)
    {
        _json = json;
        if (!json)
            return;
        _stdout = Console.OpenStandardOutput();
        _writer = new Utf8JsonWriter(_stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _writer.WriteStartObject();
        header?.Invoke(_writer);
        _writer.WriteStartArray("findings");
    }

    /// <summary>The fields every scanning command's JSON starts with: what ran, against which generation, tree and policy.</summary>
    public static Action<Utf8JsonWriter> RunHeader(string command, long? generation, Core.Scanning.IFileTree tree, Core.Policies.Policy policy) => w =>
    {
        w.WriteString("command", command);
        if (generation is { } id)
            w.WriteNumber("generation", id);
        w.WriteString("tree", tree.Description);
        w.WriteString("policy", policy.Name);
        w.WriteString("policy_digest", policy.Digest);
    };

    public int Count { get; private set; }

    public void Add(Finding finding)
    {
        Count++;
        _counts[finding.Kind] = _counts.GetValueOrDefault(finding.Kind) + 1;
        if (_writer is not null)
        {
            EntryJson.WriteFinding(_writer, finding);
            if (_writer.BytesPending > 1 << 16)
                _writer.Flush();
        }
        else
        {
            _forPerson.Add(finding);
        }
    }

    /// <summary>
    /// Closes the JSON document (with totals) or prints the sorted findings and a summary, ending with
    /// <paramref name="conclusion"/>, or for a comparison, whether anything drifted.
    /// </summary>
    public void Complete(RunTotals totals, string subject, string? conclusion = null)
    {
        if (_writer is not null)
        {
            _writer.WriteEndArray();
            _writer.WriteStartObject("summary");
            foreach (var kind in Enum.GetValues<DriftKind>())
                _writer.WriteNumber(kind.ToName(), _counts.GetValueOrDefault(kind));
            _writer.WriteNumber("entries", totals.Entries);
            _writer.WriteNumber("files_hashed", totals.FilesHashed);
            _writer.WriteNumber("bytes_hashed", totals.BytesHashed);
            _writer.WriteNumber("errors", totals.Errors);
            _writer.WriteEndObject();
            _writer.WriteEndObject();
            _writer.Flush();
            _stdout!.Write("\n"u8);
            _stdout.Flush();
            return;
        }

        _forPerson.Sort((a, b) => EntryPath.CompareWalkOrder(a.Path, b.Path));
        int kindWidth = _forPerson.Count == 0 ? 0 : _forPerson.Max(f => f.Kind.ToName().Length);
        foreach (var finding in _forPerson)
        {
            var detail = finding.Kind switch
            {
                DriftKind.Moved => string.Join(", ", finding.Attributes.Where(a => a != "path").Select(a => Change(finding, a)).Prepend($"from {EntryPath.ToDisplayLine(finding.Before!.Path)}")),
                DriftKind.Unverified => string.Join(", ", finding.Attributes.Select(a => Change(finding, a)).Prepend(finding.Detail ?? "could not be read")),
                DriftKind.Added or DriftKind.Removed => "",
                _ => string.Join(", ", finding.Attributes.Select(a => Change(finding, a))),
            };
            Console.WriteLine($"{finding.Kind.ToName().PadRight(kindWidth)}  {EntryPath.ToDisplayLine(finding.Path)}{(detail.Length > 0 ? "  " + detail : "")}");
        }

        var rows = Enum.GetValues<DriftKind>().Where(kind => _counts.GetValueOrDefault(kind) > 0)
            .Select(kind => (kind.ToName(), _counts[kind].ToString("N0")))
            .Append(("entries scanned", totals.Entries.ToString("N0")))
            .Append(("files hashed", $"{totals.FilesHashed:N0} ({ScanProgress.Bytes(totals.BytesHashed)})"))
            .Concat(totals.Errors > 0 ? [("errors", totals.Errors.ToString("N0"))] : Array.Empty<(string, string)>())
            .ToList();
        // A table for a person at a terminal; plain lines for pipes and CI logs.
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(subject);
            foreach (var (name, value) in rows)
                Console.WriteLine($"  {name}: {value}");
        }
        else
        {
            WriteTable(subject, rows);
        }
        Console.WriteLine(conclusion ?? (Count == 0 ? "No drift: the machine matches the approved baseline." : $"{Count:N0} finding(s)."));
    }

    /// <summary>A method of its own so that Spectre.Console is loaded only when a table is drawn (some 10 ms).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void WriteTable(string subject, IEnumerable<(string Name, string Value)> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn(subject).AddColumn(new TableColumn("count").RightAligned());
        foreach (var (name, value) in rows)
            table.AddRow(Markup.Escape(name), value);
        AnsiConsole.Write(table);
    }

    private static string Change(Finding finding, string attribute)
    {
        var definition = Core.Attributes.AttributeCatalog.ByName(attribute);
        if (definition is null || definition.IsContentHash)
            return attribute;
        string Value(FileEntry? e) => e is null ? "-" : definition.Format(e) ?? "-";
        return $"{attribute} {Value(finding.Before)} -> {Value(finding.After)}";
    }

    public void Dispose() => _writer?.Dispose();
}
