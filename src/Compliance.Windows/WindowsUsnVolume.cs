using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Compliance.Usn.Journal;
using Compliance.Windows.Interop;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Windows;

/// <summary>
/// A live NTFS (or ReFS) volume's change journal through DeviceIoControl: FSCTL_QUERY_USN_JOURNAL,
/// FSCTL_ENUM_USN_DATA for the baseline of names and parents, FSCTL_READ_USN_JOURNAL for changes. A read at the
/// end of the journal stays outstanding until the first new record arrives (BytesToWaitFor 1, looking again every
/// <see cref="WaitSeconds"/>), so changes arrive with low latency and no busy polling; cancelling the read's token
/// cancels the I/O. Needs administrator rights (the volume handle).
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class WindowsUsnVolume : IUsnVolume, IDisposable
{
    /// <summary>READ_USN_JOURNAL_DATA.Timeout, in seconds: how often a waiting read looks for new records.</summary>
    public const ulong WaitSeconds = 2;

    private const int OutputSize = 64 * 1024;

    // READ_USN_JOURNAL_DATA_V1 and MFT_ENUM_DATA_V1 as the compiler pads them (8-byte alignment).
    private const int ReadJournalDataSize = 48;
    private const int MftEnumDataSize = 32;

    // USN_JOURNAL_DATA_V2, the largest answer FSCTL_QUERY_USN_JOURNAL gives.
    private const int JournalDataSize = 80;

    private readonly SafeFileHandle _volume;

    private WindowsUsnVolume(string rootPath, SafeFileHandle volume, UInt128 rootFileId)
    {
        RootPath = rootPath;
        _volume = volume;
        RootFileId = rootFileId;
    }

    public string RootPath { get; }
    public UInt128 RootFileId { get; }

    /// <summary>The handle other calls (OpenFileById) use as the volume hint.</summary>
    internal SafeFileHandle Handle => _volume;

    /// <param name="rootPath">A drive root such as <c>C:\</c>.</param>
    /// <exception cref="IOException">The volume cannot be opened (not an administrator, no such drive).</exception>
    public static WindowsUsnVolume Open(string rootPath)
    {
        string root = rootPath.TrimEnd('\\') + "\\";
        var volume = Kernel32.CreateFile(@"\\.\" + root.TrimEnd('\\'), Kernel32.GenericRead, FileShare.ReadWrite, 0, FileMode.Open, 0, 0);
        if (volume.IsInvalid)
            throw Win32Failure($"cannot open volume {root}", Marshal.GetLastPInvokeError());
        try
        {
            return new WindowsUsnVolume(root, volume, WindowsFiles.FileIdOf(root));
        }
        catch
        {
            volume.Dispose();
            throw;
        }
    }

    public unsafe UsnJournalQuery QueryJournal()
    {
        Span<byte> data = stackalloc byte[JournalDataSize];
        fixed (byte* output = data)
        {
            if (!Kernel32.DeviceIoControl(_volume, Kernel32.FsctlQueryUsnJournal, null, 0, output, JournalDataSize, out uint returned, 0))
                return new UsnJournalQuery(StatusOf(Marshal.GetLastPInvokeError(), "query the change journal of"), default);
            if (returned < 40)
                throw new IOException($"FSCTL_QUERY_USN_JOURNAL on {RootPath} returned {returned} bytes, fewer than USN_JOURNAL_DATA holds.");
        }
        return new UsnJournalQuery(UsnJournalStatus.Ok, new UsnJournalData(
            BinaryPrimitives.ReadUInt64LittleEndian(data),
            BinaryPrimitives.ReadInt64LittleEndian(data[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[32..])));
    }

    public unsafe UsnJournalRead ReadJournal(ulong journalId, long startUsn, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Span<byte> input = stackalloc byte[ReadJournalDataSize];
        input.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(input, startUsn);
        BinaryPrimitives.WriteUInt32LittleEndian(input[8..], uint.MaxValue); // ReasonMask: every reason
        // ReturnOnlyOnClose stays 0: rename old-name halves never carry USN_REASON_CLOSE.
        BinaryPrimitives.WriteUInt64LittleEndian(input[16..], WaitSeconds);
        BinaryPrimitives.WriteUInt64LittleEndian(input[24..], 1); // BytesToWaitFor: return at the first new record
        BinaryPrimitives.WriteUInt64LittleEndian(input[32..], journalId);
        BinaryPrimitives.WriteUInt16LittleEndian(input[40..], 2); // MinMajorVersion
        BinaryPrimitives.WriteUInt16LittleEndian(input[42..], 3); // MaxMajorVersion: no V4 range records

        var output = new byte[OutputSize];
        // The read blocks this thread until a record arrives; cancelling aborts it from the canceller's thread.
        using var cancel = cancellationToken.Register(() => Kernel32.CancelIoEx(_volume, 0));
        fixed (byte* inBuffer = input)
        fixed (byte* outBuffer = output)
        {
            if (Kernel32.DeviceIoControl(_volume, Kernel32.FsctlReadUsnJournal, inBuffer, ReadJournalDataSize, outBuffer, OutputSize, out uint returned, 0))
                return new UsnJournalRead(UsnJournalStatus.Ok, output.AsSpan(0, (int)returned).ToArray());
        }
        int error = Marshal.GetLastPInvokeError();
        if (error == Kernel32.ErrorOperationAborted)
            throw new OperationCanceledException(cancellationToken);
        return new UsnJournalRead(StatusOf(error, "read the change journal of"), []);
    }

    public IEnumerable<byte[]> EnumerateFiles()
    {
        ulong start = 0;
        while (EnumerateFrom(start) is { } output)
        {
            yield return output;
            start = BinaryPrimitives.ReadUInt64LittleEndian(output);
        }
    }

    private unsafe byte[]? EnumerateFrom(ulong startFileReference)
    {
        Span<byte> input = stackalloc byte[MftEnumDataSize];
        input.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(input, startFileReference);
        BinaryPrimitives.WriteInt64LittleEndian(input[8..], 0); // LowUsn
        BinaryPrimitives.WriteInt64LittleEndian(input[16..], long.MaxValue); // HighUsn
        BinaryPrimitives.WriteUInt16LittleEndian(input[24..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(input[26..], 3);

        var output = new byte[OutputSize];
        fixed (byte* inBuffer = input)
        fixed (byte* outBuffer = output)
        {
            if (Kernel32.DeviceIoControl(_volume, Kernel32.FsctlEnumUsnData, inBuffer, MftEnumDataSize, outBuffer, OutputSize, out uint returned, 0))
                return returned <= 8 ? null : output.AsSpan(0, (int)returned).ToArray();
        }
        int error = Marshal.GetLastPInvokeError();
        return error == Kernel32.ErrorHandleEof ? null : throw Win32Failure($"cannot enumerate the files of {RootPath}", error);
    }

    private UsnJournalStatus StatusOf(int error, string what) => error switch
    {
        Kernel32.ErrorJournalNotActive or Kernel32.ErrorInvalidFunction or Kernel32.ErrorNotSupported => UsnJournalStatus.NotActive,
        Kernel32.ErrorJournalDeleteInProgress => UsnJournalStatus.DeleteInProgress,
        Kernel32.ErrorJournalEntryDeleted => UsnJournalStatus.EntryDeleted,
        // A journal ID that is no longer current is refused as a bad parameter.
        Kernel32.ErrorInvalidParameter => UsnJournalStatus.JournalReplaced,
        _ => throw Win32Failure($"cannot {what} {RootPath}", error),
    };

    internal static IOException Win32Failure(string what, int error) =>
        new($"{what}: {new Win32Exception(error).Message}", new Win32Exception(error));

    public void Dispose() => _volume.Dispose();
}
