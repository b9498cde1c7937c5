using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Windows.Interop;

/// <summary>The kernel32 entry points and constants the live journal layer uses (winioctl.h, fileapi.h).</summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    // CTL_CODE(FILE_DEVICE_FILE_SYSTEM, function, method, FILE_ANY_ACCESS).
    public const uint FsctlQueryUsnJournal = 0x000900f4;
    public const uint FsctlEnumUsnData = 0x000900b3;
    public const uint FsctlReadUsnJournal = 0x000900bb;

    public const uint GenericRead = 0x80000000;
    public const uint FileReadAttributes = 0x00000080;
    public const uint FileFlagBackupSemantics = 0x02000000;
    public const uint FileSupportsUsnJournal = 0x02000000;

    public const int ErrorInvalidFunction = 1;
    public const int ErrorHandleEof = 38;
    public const int ErrorNotSupported = 50;
    public const int ErrorInvalidParameter = 87;
    public const int ErrorOperationAborted = 995;
    public const int ErrorJournalDeleteInProgress = 1178;
    public const int ErrorJournalNotActive = 1179;
    public const int ErrorJournalEntryDeleted = 1181;

    // FILE_INFO_BY_HANDLE_CLASS.FileIdInfo and FILE_ID_TYPE.ExtendedFileIdType.
    public const int FileIdInfo = 18;
    public const int ExtendedFileIdType = 2;

    [LibraryImport("kernel32.dll", EntryPoint = "CreateFileW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial SafeFileHandle CreateFile(
        string fileName, uint desiredAccess, FileShare shareMode, nint securityAttributes, FileMode creationDisposition, uint flagsAndAttributes, nint templateFile);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static unsafe partial bool DeviceIoControl(
        SafeFileHandle device, uint ioControlCode, void* inBuffer, uint inBufferSize, void* outBuffer, uint outBufferSize, out uint bytesReturned, nint overlapped);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    public static unsafe partial SafeFileHandle OpenFileById(
        SafeFileHandle volumeHint, void* fileIdDescriptor, uint desiredAccess, FileShare shareMode, nint securityAttributes, uint flagsAndAttributes);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static unsafe partial bool GetFileInformationByHandleEx(SafeFileHandle file, int infoClass, void* info, uint infoSize);

    [LibraryImport("kernel32.dll", EntryPoint = "GetVolumeInformationW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static unsafe partial bool GetVolumeInformation(
        string rootPath, char* volumeName, uint volumeNameSize, out uint serialNumber, out uint maxComponentLength, out uint fileSystemFlags, char* fileSystemName, uint fileSystemNameSize);

    // FindStreamInfoStandard fills a WIN32_FIND_STREAM_DATA: LARGE_INTEGER StreamSize, WCHAR cStreamName[MAX_PATH + 36].
    public const int FindStreamDataSize = 8 + (260 + 36) * 2;

    [LibraryImport("kernel32.dll", EntryPoint = "FindFirstStreamW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static unsafe partial nint FindFirstStream(string fileName, int infoLevel, void* findStreamData, uint flags);

    [LibraryImport("kernel32.dll", EntryPoint = "FindNextStreamW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static unsafe partial bool FindNextStream(nint findStream, void* findStreamData);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool FindClose(nint findFile);

    [LibraryImport("kernel32.dll")]
    public static partial nint LocalFree(nint memory);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CancelIoEx(SafeFileHandle file, nint overlapped);
}
