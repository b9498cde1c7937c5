using System.Globalization;

namespace Compliance.Core.Model;

/// <summary>Timestamps are kept as nanoseconds since the Unix epoch; printed as ISO 8601 UTC.</summary>
public static class Timestamps
{
    private const long NsPerTick = 100;

    /// <summary>ISO 8601 UTC with nine fractional digits, e.g. 2024-05-01T12:00:00.123456789Z.</summary>
    public static string FormatNs(long ns)
    {
        long seconds = Math.DivRem(ns, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + fraction.ToString("D9", CultureInfo.InvariantCulture) + "Z";
    }

    public static long FromDateTime(DateTime utc) => (utc.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * NsPerTick;

    public static DateTime ToDateTime(long ns) => new(DateTime.UnixEpoch.Ticks + ns / NsPerTick, DateTimeKind.Utc);
}
