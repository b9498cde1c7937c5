using System.Runtime.InteropServices;

namespace Compliance.Ntfs;

/// <summary>NTFS stores names as little-endian UTF-16, unvalidated (lone surrogates are legal on disk).</summary>
internal static class Utf16
{
    public static string Read(ReadOnlySpan<byte> bytes) => new(MemoryMarshal.Cast<byte, char>(bytes));
}
