using System.Globalization;
using Compliance.Core.Scanning;

namespace Compliance.Cli;

/// <summary>
/// A one-line progress display on stderr (files, bytes, rate), shown only when stdout and stderr are a terminal, so
/// pipes and CI logs stay clean.
/// </summary>
internal sealed class ScanProgress : IDisposable
{
    private readonly ScanCounters _counters;
    private readonly Timer? _timer;
    private readonly DateTime _started = DateTime.UtcNow;
    private int _lastLength;

    public ScanProgress(ScanCounters counters)
    {
        _counters = counters;
        if (!Console.IsOutputRedirected && !Console.IsErrorRedirected)
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    private void Draw()
    {
        double seconds = Math.Max(0.001, (DateTime.UtcNow - _started).TotalSeconds);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"\r{_counters.Entries:N0} entries, {_counters.FilesHashed:N0} files hashed, {Bytes(_counters.BytesHashed)} ({Bytes((long)(_counters.BytesHashed / seconds))}/s), {_counters.Errors:N0} errors");
        lock (this)
        {
            Console.Error.Write(line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    public void Dispose()
    {
        if (_timer is null)
            return;
        _timer.Dispose();
        lock (this)
            Console.Error.Write("\r" + new string(' ', _lastLength) + "\r");
    }
}
