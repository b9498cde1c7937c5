namespace Compliance.Ntfs;

/// <summary>
/// A file or directory as its MFT records describe it: the base record's header plus the attributes of the base
/// record and of every extension record that points back to it.
/// </summary>
public sealed class MftEntry(long recordNumber, MftRecordHeader header)
{
    public long RecordNumber { get; } = recordNumber;

    public ushort Sequence { get; } = header.Sequence;

    public bool InUse { get; } = header.InUse;

    public bool IsDirectory { get; } = header.IsDirectory;

    public ushort LinkCount { get; } = header.LinkCount;

    public StandardInformation? StandardInformation { get; internal set; }

    /// <summary>Every $FILE_NAME, in every namespace, in record order.</summary>
    public List<FileName> FileNames { get; } = [];

    /// <summary>Every $DATA attribute: the unnamed main stream and the named alternate streams.</summary>
    public List<DataStream> DataStreams { get; } = [];

    /// <summary>The value of a directory's $INDEX_ROOT:$I30: the top node of its file name index.</summary>
    public byte[]? IndexRoot { get; internal set; }

    /// <summary>Length of the $I30 index root: the size The Sleuth Kit reports for a directory.</summary>
    public long IndexRootSize => IndexRoot?.Length ?? 0;

    /// <summary>$INDEX_ALLOCATION:$I30, the index blocks below the root, when the directory outgrew its record.</summary>
    public DataStream? IndexAllocation { get; internal set; }

    public ReparsePoint? ReparsePoint { get; internal set; }

    /// <summary>A security descriptor stored in the record itself (NTFS 1.2); NTFS 3.x keeps it in $Secure
    /// under <see cref="StandardInformation.SecurityId"/>.</summary>
    public byte[]? SecurityDescriptor { get; internal set; }

    /// <summary>The $ATTRIBUTE_LIST, read as a stream, when the file spans several records.</summary>
    public DataStream? AttributeList { get; internal set; }

    public DataStream? MainStream => DataStreams.Find(stream => stream.Name.Length == 0);

    /// <summary>
    /// The names shown for this entry: per parent directory, the Win32 or POSIX names, and the DOS 8.3 name only
    /// where a directory has nothing else (Windows lists the long name; the 8.3 alias is not another link).
    /// </summary>
    public IEnumerable<FileName> VisibleNames()
    {
        foreach (var name in FileNames)
        {
            if (name.Namespace != FileNameNamespace.Dos)
                yield return name;
            else if (!FileNames.Exists(other => other.Namespace != FileNameNamespace.Dos && other.Parent == name.Parent))
                yield return name;
        }
    }

    internal DataStream GetOrAddNonResident(string name)
    {
        var stream = DataStreams.Find(s => s.Name == name && !s.IsResident);
        if (stream is null)
        {
            stream = DataStream.NonResident(name);
            DataStreams.Add(stream);
        }
        return stream;
    }
}
