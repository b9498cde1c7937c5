namespace Compliance.Core.Model;

/// <summary>What kind of filesystem object an entry is. The names are the ones every output uses.</summary>
public enum FileType
{
    File,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Unknown,
}

public static class FileTypeNames
{
    public static string ToName(this FileType type) => type switch
    {
        FileType.File => "file",
        FileType.Directory => "dir",
        FileType.Symlink => "symlink",
        FileType.Fifo => "fifo",
        FileType.Socket => "socket",
        FileType.CharDevice => "char",
        FileType.BlockDevice => "block",
        _ => "unknown",
    };

    public static FileType Parse(string name) => name switch
    {
        "file" => FileType.File,
        "dir" => FileType.Directory,
        "symlink" => FileType.Symlink,
        "fifo" => FileType.Fifo,
        "socket" => FileType.Socket,
        "char" => FileType.CharDevice,
        "block" => FileType.BlockDevice,
        _ => FileType.Unknown,
    };
}
