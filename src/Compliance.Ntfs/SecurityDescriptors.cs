using System.Buffers.Binary;
using System.Text;

namespace Compliance.Ntfs;

/// <summary>
/// Owners from NTFS security descriptors (self-relative SECURITY_DESCRIPTOR): held in the record itself on NTFS 1.2
/// and by ntfs-3g, or shared in $Secure:$SDS under the security ID that $STANDARD_INFORMATION names (NTFS 3.x).
/// </summary>
public static class SecurityDescriptors
{
    private const int DescriptorHeaderLength = 20;
    private const int SdsEntryHeaderLength = 20;
    // $SDS is written in 256 KiB blocks, each followed by a mirror copy of itself.
    private const int SdsBlockSize = 256 * 1024;
    // A SID has at most 15 sub-authorities.
    private const int MaxSubAuthorities = 15;

    /// <summary>The owner SID as a string (S-1-5-32-544), or null when the descriptor has none or does not parse.</summary>
    public static string? OwnerSid(ReadOnlySpan<byte> descriptor)
    {
        if (descriptor.Length < DescriptorHeaderLength || descriptor[0] != 1)
            return null;
        uint ownerOffset = BinaryPrimitives.ReadUInt32LittleEndian(descriptor[4..]);
        return ownerOffset == 0 || ownerOffset >= descriptor.Length ? null : FormatSid(descriptor[(int)ownerOffset..]);
    }

    /// <summary>S-R-A-S1-S2...: revision, 48-bit big-endian authority, little-endian 32-bit sub-authorities.</summary>
    public static string? FormatSid(ReadOnlySpan<byte> sid)
    {
        if (sid.Length < 8 || sid[0] != 1 || sid[1] > MaxSubAuthorities || sid.Length < 8 + 4 * sid[1])
            return null;
        ulong authority = 0;
        foreach (byte b in sid.Slice(2, 6))
            authority = authority << 8 | b;
        var text = new StringBuilder("S-1-").Append(authority);
        for (int i = 0; i < sid[1]; i++)
            text.Append('-').Append(BinaryPrimitives.ReadUInt32LittleEndian(sid[(8 + 4 * i)..]));
        return text.ToString();
    }

    /// <summary>
    /// Owner SIDs by security ID from the $SDS stream. Entries are 16-byte aligned, each a header (hash, ID, its own
    /// offset, length) and the descriptor; a block's unused tail and every mirror block are skipped.
    /// </summary>
    public static Dictionary<uint, string> ReadOwners(ReadOnlySpan<byte> sds)
    {
        var owners = new Dictionary<uint, string>();
        long position = 0;
        while (position + SdsEntryHeaderLength <= sds.Length)
        {
            long blockEnd = (position / SdsBlockSize + 1) * SdsBlockSize;
            if (position / SdsBlockSize % 2 == 1)
            {
                position = blockEnd;
                continue;
            }
            var header = sds[(int)position..];
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            if (offset != position || length <= SdsEntryHeaderLength || position + length > Math.Min(blockEnd, sds.Length))
            {
                position = blockEnd;
                continue;
            }
            if (OwnerSid(header.Slice(SdsEntryHeaderLength, (int)length - SdsEntryHeaderLength)) is { } owner)
                owners.TryAdd(id, owner);
            position += (length + 15) & ~15L;
        }
        return owners;
    }
}
