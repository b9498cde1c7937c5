using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>$STANDARD_INFORMATION: the timestamps Windows shows, the DOS attribute flags and the security ID.</summary>
public sealed record StandardInformation(
    long Created,
    long Modified,
    long MftModified,
    long Accessed,
    uint FileAttributes,
    uint? SecurityId)
{
    // NTFS 1.2 wrote 48 bytes; NTFS 3.x appends owner, security and quota fields up to 72.
    private const int MinimumLength = 48;
    private const int LengthWithSecurityId = 72;

    public static StandardInformation Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length < MinimumLength)
            throw new NtfsFormatException($"$STANDARD_INFORMATION is {value.Length} bytes, at least {MinimumLength} expected");
        return new StandardInformation(
            BinaryPrimitives.ReadInt64LittleEndian(value),
            BinaryPrimitives.ReadInt64LittleEndian(value[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(value[32..]),
            value.Length >= LengthWithSecurityId ? BinaryPrimitives.ReadUInt32LittleEndian(value[52..]) : null);
    }
}
