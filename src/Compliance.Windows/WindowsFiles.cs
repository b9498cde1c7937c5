using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Compliance.Windows.Interop;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Windows;

/// <summary>Owner and DACL of a file in SDDL form.</summary>
public sealed record WindowsSecurity(string OwnerSid, string DaclSddl);

/// <summary>A named (alternate) data stream: its name without the ":$DATA" suffix, and its size.</summary>
public sealed record AlternateDataStream(string Name, long Size);

/// <summary>Per-file metadata the journal layer needs: file IDs, opening by ID, security descriptors, alternate streams.</summary>
[SupportedOSPlatform("windows")]
public static class WindowsFiles
{
    private const FileShare ShareAll = FileShare.ReadWrite | FileShare.Delete;

    /// <summary>The 128-bit file ID (FILE_ID_INFO) of a file or directory, as V3 records name it.</summary>
    public static unsafe UInt128 FileIdOf(string path)
    {
        using var handle = Kernel32.CreateFile(path, Kernel32.FileReadAttributes, ShareAll, 0, FileMode.Open, Kernel32.FileFlagBackupSemantics, 0);
        if (handle.IsInvalid)
            throw WindowsUsnVolume.Win32Failure($"cannot open {path}", Marshal.GetLastPInvokeError());
        // FILE_ID_INFO: ULONGLONG VolumeSerialNumber, FILE_ID_128 FileId.
        Span<byte> info = stackalloc byte[24];
        fixed (byte* buffer = info)
        {
            if (!Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileIdInfo, buffer, 24))
                throw WindowsUsnVolume.Win32Failure($"cannot read the file ID of {path}", Marshal.GetLastPInvokeError());
        }
        return BinaryPrimitives.ReadUInt128LittleEndian(info[8..]);
    }

    /// <summary>Opens a file by the ID a journal record names, for reading its content (hashing) and metadata, whatever its current path.</summary>
    /// <exception cref="IOException">The file is gone or cannot be opened.</exception>
    public static unsafe FileStream OpenById(WindowsUsnVolume volume, UInt128 fileId)
    {
        // FILE_ID_DESCRIPTOR: DWORD dwSize, FILE_ID_TYPE Type, then the 16-byte ExtendedFileId.
        Span<byte> descriptor = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 24);
        BinaryPrimitives.WriteInt32LittleEndian(descriptor[4..], Kernel32.ExtendedFileIdType);
        BinaryPrimitives.WriteUInt128LittleEndian(descriptor[8..], fileId);
        SafeFileHandle handle;
        fixed (byte* id = descriptor)
            handle = Kernel32.OpenFileById(volume.Handle, id, Kernel32.GenericRead, ShareAll, 0, Kernel32.FileFlagBackupSemantics);
        if (handle.IsInvalid)
            throw WindowsUsnVolume.Win32Failure($"cannot open file {fileId:x32} on {volume.RootPath}", Marshal.GetLastPInvokeError());
        return new FileStream(handle, FileAccess.Read);
    }

    /// <summary>The owner SID (S-1-5-…) and the DACL in SDDL ("D:…") of an open file.</summary>
    public static WindowsSecurity SecurityOf(SafeFileHandle file)
    {
        const uint wanted = Advapi32.OwnerSecurityInformation | Advapi32.DaclSecurityInformation;
        int error = Advapi32.GetSecurityInfo(file, Advapi32.SeFileObject, wanted, out nint owner, out _, out _, out _, out nint descriptor);
        if (error != 0)
            throw WindowsUsnVolume.Win32Failure("cannot read the security descriptor", error);
        try
        {
            if (!Advapi32.ConvertSidToStringSid(owner, out nint ownerText))
                throw WindowsUsnVolume.Win32Failure("cannot format the owner SID", Marshal.GetLastPInvokeError());
            string ownerSid = TakeString(ownerText);
            if (!Advapi32.ConvertSecurityDescriptorToStringSecurityDescriptor(descriptor, Advapi32.SddlRevision1, Advapi32.DaclSecurityInformation, out nint daclText, out _))
                throw WindowsUsnVolume.Win32Failure("cannot format the DACL", Marshal.GetLastPInvokeError());
            return new WindowsSecurity(ownerSid, TakeString(daclText));
        }
        finally
        {
            Kernel32.LocalFree(descriptor);
        }
    }

    /// <summary>The named data streams of a file; the unnamed main stream ("::$DATA") is left out.</summary>
    public static unsafe IReadOnlyList<AlternateDataStream> AlternateStreamsOf(string path)
    {
        var streams = new List<AlternateDataStream>();
        byte* data = stackalloc byte[Kernel32.FindStreamDataSize];
        nint find = Kernel32.FindFirstStream(path, 0, data, 0);
        if (find == -1)
        {
            int error = Marshal.GetLastPInvokeError();
            return error == Kernel32.ErrorHandleEof ? streams : throw WindowsUsnVolume.Win32Failure($"cannot list the streams of {path}", error);
        }
        try
        {
            do
            {
                var entry = new ReadOnlySpan<byte>(data, Kernel32.FindStreamDataSize);
                var name = MemoryMarshal.Cast<byte, char>(entry[8..]);
                int end = name.IndexOf('\0');
                // cStreamName is ":name:$DATA"; an unterminated name is cut at the buffer's end.
                string full = new(end < 0 ? name : name[..end]);
                if (full != "::$DATA")
                    streams.Add(new AlternateDataStream(full.TrimStart(':').Replace(":$DATA", ""), BinaryPrimitives.ReadInt64LittleEndian(entry)));
            }
            while (Kernel32.FindNextStream(find, data));
            int error = Marshal.GetLastPInvokeError();
            return error == Kernel32.ErrorHandleEof ? streams : throw WindowsUsnVolume.Win32Failure($"cannot list the streams of {path}", error);
        }
        finally
        {
            Kernel32.FindClose(find);
        }
    }

    private static string TakeString(nint text)
    {
        try
        {
            return Marshal.PtrToStringUni(text) ?? "";
        }
        finally
        {
            Kernel32.LocalFree(text);
        }
    }
}
