using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Compliance.Windows.Interop;

/// <summary>The security descriptor calls (aclapi.h, sddl.h).</summary>
[SupportedOSPlatform("windows")]
internal static partial class Advapi32
{
    public const int SeFileObject = 1;
    public const uint OwnerSecurityInformation = 0x1;
    public const uint DaclSecurityInformation = 0x4;
    public const uint SddlRevision1 = 1;

    /// <returns>A Win32 error code; 0 on success. The descriptor is freed with LocalFree.</returns>
    [LibraryImport("advapi32.dll")]
    public static partial int GetSecurityInfo(
        SafeFileHandle handle, int objectType, uint securityInfo, out nint owner, out nint group, out nint dacl, out nint sacl, out nint securityDescriptor);

    [LibraryImport("advapi32.dll", EntryPoint = "ConvertSecurityDescriptorToStringSecurityDescriptorW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool ConvertSecurityDescriptorToStringSecurityDescriptor(
        nint securityDescriptor, uint revision, uint securityInfo, out nint stringSecurityDescriptor, out uint length);

    [LibraryImport("advapi32.dll", EntryPoint = "ConvertSidToStringSidW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool ConvertSidToStringSid(nint sid, out nint stringSid);
}
