using Compliance.Core.Model;

namespace Compliance.Linux;

/// <summary>This process's mount table, /proc/self/mountinfo: which filesystem is mounted where.</summary>
internal static class MountTable
{
    public const string FilePath = "/proc/self/mountinfo";

    /// <summary>
    /// Every mount: its ID, the directory of its filesystem it shows ("/" but for a bind mount of a subdirectory), and
    /// its mount point as the kernel names it (bytes that are not UTF-8 kept as the store keeps them).
    /// </summary>
    public static List<Mount> Read()
    {
        var mounts = new List<Mount>();
        ReadOnlySpan<byte> table = File.ReadAllBytes(FilePath);
        while (!table.IsEmpty)
        {
            int end = table.IndexOf((byte)'\n');
            var line = end < 0 ? table : table[..end];
            table = end < 0 ? [] : table[(end + 1)..];
            // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": ID, parent, device, root, mount point...
            var fields = new List<Range>(5);
            foreach (var field in line.Split((byte)' '))
            {
                fields.Add(field);
                if (fields.Count == 5)
                    break;
            }
            if (fields.Count == 5 && int.TryParse(line[fields[0]], out int id))
                mounts.Add(new Mount(id, Unescape(line[fields[3]]), Unescape(line[fields[4]])));
        }
        return mounts;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash in mount points as three-digit octal escapes.</summary>
    private static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var bytes = new List<byte>(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == (byte)'\\' && i + 3 < escaped.Length && IsOctal(escaped[i + 1]) && IsOctal(escaped[i + 2]) && IsOctal(escaped[i + 3]))
            {
                bytes.Add((byte)((escaped[i + 1] - '0') * 64 + (escaped[i + 2] - '0') * 8 + (escaped[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(escaped[i]);
            }
        }
        return EntryPath.FromBytes(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}

/// <summary>One line of the mount table.</summary>
internal sealed record Mount(int Id, string Root, string MountPoint);
