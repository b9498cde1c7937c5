using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>The namespace a $FILE_NAME belongs to. A long name and its 8.3 alias are two attributes (Win32 + Dos),
/// or one (Win32AndDos) when the long name already fits 8.3.</summary>
public enum FileNameNamespace : byte
{
    Posix = 0,
    Win32 = 1,
    Dos = 2,
    Win32AndDos = 3,
}

/// <summary>$FILE_NAME: one name of the file in one directory. Hard links are several of these in one record.</summary>
public sealed record FileName(
    FileReference Parent,
    string Name,
    FileNameNamespace Namespace,
    long Created,
    long Modified,
    long MftModified,
    long Accessed,
    long DataSize)
{
    private const int NameOffset = 66;

    public static FileName Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length < NameOffset)
            throw new NtfsFormatException($"$FILE_NAME is {value.Length} bytes, at least {NameOffset} expected");
        int nameChars = value[64];
        if (NameOffset + 2 * nameChars > value.Length)
            throw new NtfsFormatException($"$FILE_NAME: a {nameChars}-character name does not fit its {value.Length}-byte value");
        var nameBytes = value.Slice(NameOffset, 2 * nameChars);
        string name = Utf16.Read(nameBytes);
        return new FileName(
            FileReference.Read(value),
            name,
            (FileNameNamespace)(value[65] & 3),
            BinaryPrimitives.ReadInt64LittleEndian(value[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[48..]));
    }
}
