using System.IO.Compression;
using Compliance.Tests;

namespace Compliance.Ntfs.Tests;

/// <summary>Locates fixtures: the shared test data beside the repo, and the project's own images under tests/ntfs-images.</summary>
internal static class TestData
{
    public static string Shared(string relative) => Repository.SharedTestData(relative);

    public static string OwnImage(string name) => Path.Combine(Repository.Root, "tests", "ntfs-images", name);

    /// <summary>
    /// Decompresses a .gz fixture into the temp folder and returns the raw file's path. The name carries the fixture's
    /// size and time, so runs reuse one copy (no pile-up of 100 MB per run) and a rebuilt fixture gets a fresh one.
    /// </summary>
    public static string Gunzipped(string gzPath)
    {
        var source = new FileInfo(gzPath);
        string folder = Path.Combine(Path.GetTempPath(), "compliance-ntfs-tests");
        string target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(gzPath)}-{source.Length}-{source.LastWriteTimeUtc.Ticks}");
        lock (typeof(TestData))
        {
            if (File.Exists(target))
                return target;
            Directory.CreateDirectory(folder);
            string part = $"{target}.{Environment.ProcessId}.part";
            using (var input = new GZipStream(source.OpenRead(), CompressionMode.Decompress))
            using (var output = File.Create(part))
                input.CopyTo(output);
            try
            {
                File.Move(part, target);
            }
            catch (IOException) when (File.Exists(target))
            {
                File.Delete(part); // another test process finished the same copy first
            }
        }
        return target;
    }

    /// <summary>Splits one RFC 4180 CSV line (quoted fields may hold commas and doubled quotes).</summary>
    public static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>`mft list` CSV of a file, as rows keyed by column name.</summary>
    public static List<Dictionary<string, string>> ListCsv(string path, int? partition = null)
    {
        var writer = new StringWriter();
        MftLister.List(path, partition, writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = SplitCsv(lines[0]);
        return lines.Skip(1).Select(line => header.Zip(SplitCsv(line)).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    /// <summary>Rows of a Sleuth Kit ground-truth CSV: path, mft_entry, size, sha256.</summary>
    public static List<(string Path, long Entry, long Size, string Sha256)> SleuthkitCsv(string path) =>
        File.ReadAllLines(path).Skip(1).Select(SplitCsv)
            .Select(f => (f[0], long.Parse(f[1]), long.Parse(f[2]), f[3])).ToList();
}
