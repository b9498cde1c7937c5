using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Output;
using Compliance.Core.Policies;

namespace Compliance.Core.ChangeFeed;

/// <summary>
/// Writes what a follower records as JSON lines, one object a line: a finding with `time`, `path`, `kind` (the
/// vocabulary of check --json), `attributes`, `old_hash`, `new_hash`, `pid`, `exe` and `source`; a gap as kind `gap`
/// with its `scope` and `reason`; drift gone as kind `resolved`. A batch's lines (or a gap's) reach the stream in
/// one write, flushed at once.
/// </summary>
public sealed class ChangeEventJson : IChangeFeedSink, IDisposable
{
    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _lines = new();
    private readonly Utf8JsonWriter _writer;
    private readonly Lock _lock = new();

    public ChangeEventJson(Stream output)
    {
        _output = output;
        _writer = new(_lines, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Committed(IReadOnlyList<Finding> findings)
    {
        lock (_lock)
        {
            foreach (var finding in findings)
                WriteFinding(finding);
            WriteOut();
        }
    }

    private void WriteFinding(Finding finding)
    {
        _writer.WriteStartObject();
        WriteTime(finding.ObservedAt);
        EntryJson.WriteWhatChanged(_writer, finding);
        if (finding.Kind == DriftKind.Moved && finding.Before is not null)
            JsonText.WritePath(_writer, "from", finding.Before.Path);
        var algorithm = HashAlgorithm(finding);
        WriteHash("old_hash", finding.Before, algorithm);
        WriteHash("new_hash", finding.After, algorithm);
        if (finding.ProcessId is { } pid)
            _writer.WriteNumber("pid", pid);
        if (finding.ProcessPath is { } exe)
            JsonText.WritePath(_writer, "exe", exe);
        _writer.WriteString("source", finding.Source);
        _writer.WriteString("category", finding.Category);
        _writer.WriteString("severity", finding.Severity.ToName());
        if (finding.Detail is not null)
            _writer.WriteString("detail", finding.Detail);
        EndLine();
    }

    public void Resolved(IReadOnlyList<Resolution> resolutions)
    {
        lock (_lock)
        {
            foreach (var resolution in resolutions)
            {
                _writer.WriteStartObject();
                WriteTime(resolution.ObservedAt);
                JsonText.WritePath(_writer, "path", resolution.Path);
                _writer.WriteString("kind", ResolvedKind);
                if (resolution.ProcessId is { } pid)
                    _writer.WriteNumber("pid", pid);
                if (resolution.ProcessPath is { } exe)
                    JsonText.WritePath(_writer, "exe", exe);
                _writer.WriteString("source", resolution.Source);
                if (resolution.Category is { } category)
                    _writer.WriteString("category", category);
                if (resolution.Severity is { } severity)
                    _writer.WriteString("severity", severity.ToName());
                _writer.WriteString("detail", "as approved again: the drift stored for this path is gone");
                EndLine();
            }
            WriteOut();
        }
    }

    /// <summary>The kind of a line saying that a path's drift went away; not a drift kind, as nothing is left to approve.</summary>
    private const string ResolvedKind = "resolved";

    public void Gap(GapSignal gap)
    {
        lock (_lock)
        {
            _writer.WriteStartObject();
            WriteTime(gap.Time);
            _writer.WriteString("kind", "gap");
            JsonText.WritePath(_writer, "scope", gap.Scope);
            _writer.WriteString("reason", ReasonName(gap.Reason));
            _writer.WriteString("source", gap.Source);
            _writer.WriteString("detail", gap.Detail);
            EndLine();
            WriteOut();
        }
    }

    /// <summary>snake_case, as every other machine-readable name: first_start, overflow, coverage_degraded...</summary>
    public static string ReasonName(GapReason reason) => JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString());

    /// <summary>...ss.fffffffZ, formatted on the stack: a storm writes tens of thousands of lines a second.</summary>
    private void WriteTime(DateTimeOffset time)
    {
        Span<char> text = stackalloc char[64];
        if (!time.UtcDateTime.TryFormat(text, out int length, "O", CultureInfo.InvariantCulture))
            throw new InvalidOperationException("A round-trip time does not fit 64 characters.");
        _writer.WriteString("time", text[..length]);
    }

    /// <summary>The algorithm both sides were hashed with, else whichever one side has.</summary>
    private static string? HashAlgorithm(Finding finding)
    {
        // Without LINQ's set operations: this runs for every line, and they were 5% of a storm's CPU in a profile.
        string? first = null;
        if (finding.Before is { } before)
        {
            foreach (var algorithm in before.Hashes.Keys)
            {
                if (finding.After?.Hashes.ContainsKey(algorithm) == true)
                    return algorithm;
                first ??= algorithm;
            }
        }
        if (first is null && finding.After is { } after)
        {
            foreach (var algorithm in after.Hashes.Keys)
                return algorithm;
        }
        return first;
    }

    private void WriteHash(string name, FileEntry? entry, string? algorithm)
    {
        if (algorithm is null || entry is null || !entry.Hashes.TryGetValue(algorithm, out var digest))
        {
            _writer.WriteNull(name);
            return;
        }
        // algorithm:hex, formatted on the stack.
        Span<char> text = stackalloc char[algorithm.Length + 1 + 2 * digest.Length];
        algorithm.CopyTo(text);
        text[algorithm.Length] = ':';
        Convert.TryToHexStringLower(digest, text[(algorithm.Length + 1)..], out _);
        _writer.WriteString(name, text);
    }

    private void EndLine()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        _writer.Reset();
        _lines.Write("\n"u8);
    }

    private void WriteOut()
    {
        _output.Write(_lines.WrittenSpan);
        _output.Flush();
        _lines.ResetWrittenCount();
    }

    public void Dispose() => _writer.Dispose();
}
