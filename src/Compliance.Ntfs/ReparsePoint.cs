using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>$REPARSE_POINT: the tag, and for symbolic links and junctions the target as Windows prints it.</summary>
public sealed record ReparsePoint(uint Tag, string? Target)
{
    public const uint SymbolicLinkTag = 0xA000000C;
    public const uint MountPointTag = 0xA0000003;

    private const int HeaderLength = 8;

    public bool IsSymbolicLink => Tag == SymbolicLinkTag;

    public static ReparsePoint Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length < HeaderLength)
            throw new NtfsFormatException($"$REPARSE_POINT is {value.Length} bytes, at least {HeaderLength} expected");
        uint tag = BinaryPrimitives.ReadUInt32LittleEndian(value);
        int dataLength = BinaryPrimitives.ReadUInt16LittleEndian(value[4..]);
        if (HeaderLength + dataLength > value.Length)
            throw new NtfsFormatException($"$REPARSE_POINT: {dataLength} bytes of data do not fit its {value.Length}-byte value");
        var data = value.Slice(HeaderLength, dataLength);
        // Symbolic links carry a 4-byte flags field before the path buffer; junctions do not.
        int pathBuffer = tag switch { SymbolicLinkTag => 12, MountPointTag => 8, _ => -1 };
        return new ReparsePoint(tag, pathBuffer < 0 || data.Length < pathBuffer ? null : PrintName(data, pathBuffer));
    }

    private static string? PrintName(ReadOnlySpan<byte> data, int pathBuffer)
    {
        int substituteOffset = BinaryPrimitives.ReadUInt16LittleEndian(data);
        int substituteLength = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        int printOffset = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        int printLength = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        // The print name is what `dir` shows; some writers leave it empty and fill only the substitute name.
        (int offset, int length) = printLength > 0 ? (printOffset, printLength) : (substituteOffset, substituteLength);
        if (pathBuffer + offset + length > data.Length || length % 2 != 0)
            return null;
        return Utf16.Read(data.Slice(pathBuffer + offset, length));
    }
}
