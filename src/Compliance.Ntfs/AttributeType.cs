namespace Compliance.Ntfs;

/// <summary>The attribute type codes the reader interprets (the full list is in $AttrDef).</summary>
public enum AttributeType : uint
{
    StandardInformation = 0x10,
    AttributeList = 0x20,
    FileName = 0x30,
    SecurityDescriptor = 0x50,
    Data = 0x80,
    IndexRoot = 0x90,
    IndexAllocation = 0xA0,
    ReparsePoint = 0xC0,
    End = 0xFFFF_FFFF,
}
