namespace Compliance.Usn.Records;

/// <summary>The USN_REASON_* flags of a change journal record: what happened to the file since it was opened.</summary>
[Flags]
public enum UsnReason : uint
{
    None = 0,
    DataOverwrite = 0x00000001,
    DataExtend = 0x00000002,
    DataTruncation = 0x00000004,
    NamedDataOverwrite = 0x00000010,
    NamedDataExtend = 0x00000020,
    NamedDataTruncation = 0x00000040,
    FileCreate = 0x00000100,
    FileDelete = 0x00000200,
    EaChange = 0x00000400,
    SecurityChange = 0x00000800,
    RenameOldName = 0x00001000,
    RenameNewName = 0x00002000,
    IndexableChange = 0x00004000,
    BasicInfoChange = 0x00008000,
    HardLinkChange = 0x00010000,
    CompressionChange = 0x00020000,
    EncryptionChange = 0x00040000,
    ObjectIdChange = 0x00080000,
    ReparsePointChange = 0x00100000,
    StreamChange = 0x00200000,
    TransactedChange = 0x00400000,
    IntegrityChange = 0x00800000,
    DesiredStorageClassChange = 0x01000000,
    Close = 0x80000000,
}

/// <summary>The USN_SOURCE_* flags: changes made by a storage or replication service rather than a user.</summary>
[Flags]
public enum UsnSourceInfo : uint
{
    None = 0,
    DataManagement = 0x00000001,
    AuxiliaryData = 0x00000002,
    ReplicationManagement = 0x00000004,
    ClientReplicationManagement = 0x00000008,
}

/// <summary>The FILE_ATTRIBUTE_* flags as a USN record carries them.</summary>
[Flags]
public enum UsnFileAttributes : uint
{
    None = 0,
    ReadOnly = 0x00000001,
    Hidden = 0x00000002,
    System = 0x00000004,
    Directory = 0x00000010,
    Archive = 0x00000020,
    Device = 0x00000040,
    Normal = 0x00000080,
    Temporary = 0x00000100,
    SparseFile = 0x00000200,
    ReparsePoint = 0x00000400,
    Compressed = 0x00000800,
    Offline = 0x00001000,
    NotContentIndexed = 0x00002000,
    Encrypted = 0x00004000,
    IntegrityStream = 0x00008000,
    Virtual = 0x00010000,
    NoScrubData = 0x00020000,
    RecallOnOpen = 0x00040000,
    Pinned = 0x00080000,
    Unpinned = 0x00100000,
    RecallOnDataAccess = 0x00400000,
}
