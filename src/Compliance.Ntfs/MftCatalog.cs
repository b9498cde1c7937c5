using System.Buffers;
using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>
/// Something wrong with one MFT record: reported and skipped, never fatal for the rest of the listing. The directory
/// its file names as its parent, when that much of it could still be read.
/// </summary>
public readonly record struct RecordProblem(long RecordNumber, string Message, FileReference? Parent = null);

/// <summary>
/// Every entry of an $MFT, with extension records merged into their base records and full paths resolved
/// from parent references. Built in one sequential pass over the $MFT's bytes.
/// </summary>
public sealed class MftCatalog
{
    public const long RootRecord = 5;

    /// <summary>Entries whose parent is missing, reused or part of a cycle are kept under this top folder (as The Sleuth Kit does).</summary>
    public const string OrphanFolder = "$OrphanFiles";

    // Records are read this many at a time: large sequential reads are what makes a 100k-entry MFT fast.
    private const int RecordsPerRead = 1024;

    private readonly MftEntry?[] _entries;
    private readonly string?[] _directoryPaths;
    private readonly List<RecordProblem> _problems = [];

    private MftCatalog(long recordCount)
    {
        _entries = new MftEntry?[recordCount];
        _directoryPaths = new string?[recordCount];
    }

    /// <summary>Base entries in record order; records that are free and never written, or extension records, are not here.</summary>
    public IEnumerable<MftEntry> Entries => _entries.Where(entry => entry is not null)!;

    public IReadOnlyList<RecordProblem> Problems => _problems;

    public long RecordCount => _entries.LongLength;

    public MftEntry? this[long recordNumber] =>
        recordNumber >= 0 && recordNumber < _entries.LongLength ? _entries[recordNumber] : null;

    /// <param name="mft">The $MFT's content: a bare $MFT file, or the $MFT stream read through a volume.</param>
    /// <param name="recordSize">The record size (from the boot sector, or from the first record of a bare file).</param>
    /// <param name="clusterCount">The volume's cluster count bounding data runs; long.MaxValue when unknown.</param>
    /// <param name="clusterSize">The volume's cluster size, to check runs cover their streams; 0 when unknown.</param>
    public static MftCatalog Read(Stream mft, int recordSize, long clusterCount, int clusterSize)
    {
        long recordCount = mft.Length / recordSize;
        if (recordCount > int.MaxValue)
            throw new NtfsFormatException($"$MFT of {mft.Length} bytes holds more records than the reader supports");
        var catalog = new MftCatalog(recordCount);
        var extensions = new List<(long Number, MftRecordHeader Header, byte[] Record)>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(recordSize * RecordsPerRead);
        try
        {
            mft.Position = 0;
            for (long first = 0; first < recordCount; first += RecordsPerRead)
            {
                int count = (int)Math.Min(RecordsPerRead, recordCount - first);
                mft.ReadExactly(buffer, 0, count * recordSize);
                for (int i = 0; i < count; i++)
                    catalog.AddRecord(first + i, buffer.AsSpan(i * recordSize, recordSize), clusterCount, extensions);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        foreach (var (number, header, record) in extensions)
            catalog.MergeExtension(number, header, record, clusterCount);
        catalog.CheckStreams(clusterSize);
        catalog.ResolveDirectories();
        return catalog;
    }

    private void AddRecord(long number, Span<byte> record, long clusterCount, List<(long, MftRecordHeader, byte[])> extensions)
    {
        var state = MftRecordHeader.ApplyFixups(record, out string? problem);
        if (state == RecordState.Empty)
            return;
        if (state != RecordState.Valid)
        {
            _problems.Add(new RecordProblem(number, problem!, state == RecordState.Torn ? ParentInFirstSector(record) : null));
            return;
        }
        try
        {
            var header = MftRecordHeader.Read(record);
            if (!header.BaseRecord.IsNone)
            {
                extensions.Add((number, header, record.ToArray()));
                return;
            }
            var entry = new MftEntry(number, header);
            MftRecordParser.AddAttributes(record, header, entry, clusterCount);
            _entries[number] = entry;
        }
        catch (NtfsFormatException e)
        {
            _problems.Add(new RecordProblem(number, e.Message));
        }
    }

    /// <summary>
    /// The parent reference of a torn record's first $FILE_NAME, when it lies in the first sector: a write torn after
    /// that sector still says which directory the file is in. Null when it cannot be told.
    /// </summary>
    private static FileReference? ParentInFirstSector(ReadOnlySpan<byte> record)
    {
        var sector = record[..(UpdateSequenceArray.Stride - 2)];
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(sector[20..]);
        while (offset + 24 <= sector.Length)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(sector[offset..]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(sector[(offset + 4)..]);
            if (type == (uint)AttributeType.End || length < 24 || length > sector.Length)
                return null;
            if (type == (uint)AttributeType.FileName && sector[offset + 8] == 0)
            {
                int value = offset + BinaryPrimitives.ReadUInt16LittleEndian(sector[(offset + 20)..]);
                return value + 8 <= sector.Length ? FileReference.Read(sector[value..]) : null;
            }
            offset += (int)length;
        }
        return null;
    }

    // An extension record belongs to its base only if the base is that same incarnation (sequence numbers match).
    private void MergeExtension(long number, MftRecordHeader header, byte[] record, long clusterCount)
    {
        if (!header.InUse)
            return;
        var owner = this[header.BaseRecord.RecordNumber];
        if (owner is null || owner.Sequence != header.BaseRecord.Sequence)
        {
            _problems.Add(new RecordProblem(number, $"extension record of base record {header.BaseRecord.RecordNumber} (sequence {header.BaseRecord.Sequence}), which is not there"));
            return;
        }
        try
        {
            MftRecordParser.AddAttributes(record, header, owner, clusterCount);
        }
        catch (NtfsFormatException e)
        {
            _problems.Add(new RecordProblem(number, e.Message));
        }
    }

    private void CheckStreams(int clusterSize)
    {
        foreach (var entry in Entries)
            foreach (var stream in entry.DataStreams)
                if (stream.CheckRuns(clusterSize) is { } message)
                    _problems.Add(new RecordProblem(entry.RecordNumber, message));
    }

    // Resolving every directory up front makes Problems complete (cycles included) before anyone lists a path.
    private void ResolveDirectories()
    {
        foreach (var entry in Entries)
            if (entry.IsDirectory && entry.RecordNumber != RootRecord)
                DirectoryPath(new FileReference(entry.RecordNumber, entry.Sequence), entry.InUse);
    }

    /// <summary>The full path of one name: "dir/sub/name" with '/' separators and no leading slash, as `fls -p` prints it.</summary>
    public string PathOf(MftEntry entry, FileName name) => Join(DirectoryPath(name.Parent, entry.InUse), name.Name);

    private static string Join(string parent, string name) => parent.Length == 0 ? name : string.Concat(parent, "/", name);

    /// <summary>
    /// The path of the directory a reference points to. Walks up iteratively (a chain of 100,000 directories must
    /// not overflow the stack), stopping at the root, at a directory already resolved, or at a bad link, and
    /// memoizes every directory on the way.
    /// </summary>
    private string DirectoryPath(FileReference reference, bool childInUse)
    {
        var chain = new List<(long Record, string Name)>();
        var onChain = new HashSet<long>();
        var current = reference;
        string prefix;
        while (true)
        {
            var directory = ValidDirectory(current, childInUse);
            if (directory is null)
            {
                prefix = OrphanFolder;
                break;
            }
            if (directory.RecordNumber == RootRecord)
            {
                prefix = "";
                break;
            }
            if (_directoryPaths[directory.RecordNumber] is { } known)
            {
                prefix = known;
                break;
            }
            if (!onChain.Add(directory.RecordNumber))
            {
                _problems.Add(new RecordProblem(directory.RecordNumber, "parent references form a cycle; kept under " + OrphanFolder));
                prefix = OrphanFolder;
                break;
            }
            var name = directory.VisibleNames().FirstOrDefault();
            if (name is null)
            {
                prefix = OrphanFolder;
                break;
            }
            chain.Add((directory.RecordNumber, name.Name));
            current = name.Parent;
            childInUse = directory.InUse;
        }
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            prefix = Join(prefix, chain[i].Name);
            _directoryPaths[chain[i].Record] = prefix;
        }
        return prefix;
    }

    // A parent link holds only if that record is a directory of the same incarnation: a reused record is another
    // file. Deleting a record bumps its sequence, so a deleted file may point at its deleted directory's sequence - 1.
    private MftEntry? ValidDirectory(FileReference reference, bool childInUse)
    {
        var entry = this[reference.RecordNumber];
        if (entry is not { IsDirectory: true })
            return null;
        bool sameIncarnation = reference.Sequence == 0 || entry.Sequence == reference.Sequence;
        bool deletedTogether = !childInUse && !entry.InUse && entry.Sequence == reference.Sequence + 1;
        return sameIncarnation || deletedTogether ? entry : null;
    }
}
