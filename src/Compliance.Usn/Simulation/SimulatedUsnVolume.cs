using System.Buffers.Binary;
using Compliance.Usn.Journal;
using Compliance.Usn.Records;

namespace Compliance.Usn.Simulation;

/// <summary>What the simulated volume really holds at a path: the state a rescan would find.</summary>
public readonly record struct SimulatedFile(UInt128 FileId, bool IsDirectory, int ContentVersion);

/// <summary>
/// An in-memory NTFS volume with a change journal, for tests on any platform. File operations write the
/// records NTFS writes (one record each time a new reason joins an open file, then one with USN_REASON_CLOSE;
/// renames as an old-name and a new-name half); the journal answers with byte-exact FSCTL output and can
/// wrap, lose records, be restamped with a new ID, be deleted and be created again.
/// </summary>
public sealed class SimulatedUsnVolume : IUsnVolume
{
    // NTFS's root directory is MFT entry 5 with sequence number 5.
    private static readonly UInt128 s_rootId = (5UL << 48) | 5;

    // Records start on the day the test journal was written; each one a second later than the one before.
    private static readonly long s_startTime = new DateTime(2019, 1, 22, 21, 36, 10, DateTimeKind.Utc).ToFileTimeUtc();

    private readonly Dictionary<UInt128, Node> _nodes = [];
    private readonly List<(long Usn, byte[] Bytes)> _journal = [];
    private readonly ushort _recordVersion;
    private readonly int _capacity;
    private readonly int _outputSize;
    private ulong _nextMftEntry = 64;
    private long _clock;
    private int _journalBytes;

    private sealed class Node(UInt128 parent, string name, bool isDirectory)
    {
        public UInt128 Parent { get; set; } = parent;
        public string Name { get; set; } = name;
        public bool IsDirectory { get; } = isDirectory;
        public int ContentVersion { get; set; }
        public UsnReason OpenReasons { get; set; }
        public bool HeldOpen { get; set; }
    }

    /// <param name="recordVersion">2 or 3: the record version the journal and enumeration answer with.</param>
    /// <param name="capacity">Journal bytes kept before the oldest records are dropped (the ring wrapping).</param>
    /// <param name="outputSize">Size of each FSCTL output buffer, so that long reads take several calls.</param>
    public SimulatedUsnVolume(string rootPath = @"C:\", ushort recordVersion = 3, int capacity = 1 << 20, int outputSize = 4096)
    {
        RootPath = rootPath;
        _recordVersion = recordVersion;
        _capacity = capacity;
        _outputSize = outputSize;
        JournalId = 0x01d4b29a6f9cc0e9;
    }

    public string RootPath { get; }
    public UInt128 RootFileId => s_rootId;
    public ulong JournalId { get; private set; }
    public bool JournalActive { get; private set; } = true;
    public long FirstUsn { get; private set; }
    public long NextUsn { get; private set; }

    public UInt128 CreateDirectory(string path) => Create(path, isDirectory: true, keepOpen: false);

    public UInt128 CreateFile(string path, bool keepOpen = false) => Create(path, isDirectory: false, keepOpen);

    /// <summary>Writes new content; with <paramref name="keepOpen"/> the handle stays open and no close record is written yet.</summary>
    public void Write(string path, bool keepOpen = false)
    {
        var (id, node) = Find(path);
        node.ContentVersion++;
        Change(id, node, UsnReason.DataOverwrite);
        Change(id, node, UsnReason.DataExtend);
        Finish(id, node, keepOpen);
    }

    public void ChangeAttributes(string path)
    {
        var (id, node) = Find(path);
        Change(id, node, UsnReason.BasicInfoChange);
        Finish(id, node, keepOpen: false);
    }

    /// <summary>Closes a handle left open by <see cref="Write"/> or <see cref="CreateFile"/>.</summary>
    public void Close(string path)
    {
        var (id, node) = Find(path);
        node.HeldOpen = false;
        Finish(id, node, keepOpen: false);
    }

    /// <summary>Renames or moves a file or directory (with everything below it).</summary>
    public void Rename(string path, string newPath)
    {
        var (id, node) = Find(path);
        var (newParent, newName) = ParentOf(newPath);
        if (TryFind(newPath) is not null)
            throw new InvalidOperationException($"{newPath} exists.");
        Append(id, node, node.OpenReasons | UsnReason.RenameOldName);
        node.Parent = newParent;
        node.Name = newName;
        Change(id, node, UsnReason.RenameNewName);
        Finish(id, node, keepOpen: false);
    }

    public void Delete(string path)
    {
        var (id, node) = Find(path);
        if (node.IsDirectory && _nodes.Values.Any(n => n.Parent == id))
            throw new InvalidOperationException($"{path} is not empty.");
        node.OpenReasons |= UsnReason.FileDelete;
        Append(id, node, node.OpenReasons | UsnReason.Close);
        _nodes.Remove(id);
    }

    /// <summary>Drops the oldest records up to and including the one at <paramref name="usn"/>, as the ring does when it wraps; FirstUsn moves past them.</summary>
    public void DropRecordsThrough(long usn)
    {
        while (_journal.Count > 0 && _journal[0].Usn <= usn)
        {
            _journalBytes -= _journal[0].Bytes.Length;
            _journal.RemoveAt(0);
        }
        FirstUsn = _journal.Count > 0 ? _journal[0].Usn : NextUsn;
    }

    /// <summary>Stamps the journal with a new ID (as NTFS does when its records may be unusable); USNs go on.</summary>
    public void RestampJournal() => JournalId++;

    public void DeleteJournal()
    {
        JournalActive = false;
        _journal.Clear();
        _journalBytes = 0;
    }

    /// <summary>Creates a new journal: a new ID and USNs from zero.</summary>
    public void CreateJournal()
    {
        JournalActive = true;
        JournalId += 0x100;
        FirstUsn = NextUsn = 0;
    }

    /// <summary>The volume as a full rescan would see it, by path.</summary>
    public IReadOnlyDictionary<string, SimulatedFile> Snapshot()
    {
        var files = new Dictionary<string, SimulatedFile>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, node) in _nodes)
            files[PathOf(id)] = new SimulatedFile(id, node.IsDirectory, node.ContentVersion);
        return files;
    }

    public UsnJournalQuery QueryJournal() => JournalActive
        ? new UsnJournalQuery(UsnJournalStatus.Ok, new UsnJournalData(JournalId, FirstUsn, NextUsn, FirstUsn, long.MaxValue))
        : new UsnJournalQuery(UsnJournalStatus.NotActive, default);

    /// <summary>Answers at once: the simulated journal never waits for new records.</summary>
    public UsnJournalRead ReadJournal(ulong journalId, long startUsn, CancellationToken cancellationToken)
    {
        if (!JournalActive)
            return new UsnJournalRead(UsnJournalStatus.NotActive, []);
        if (journalId != JournalId)
            return new UsnJournalRead(UsnJournalStatus.JournalReplaced, []);
        if (startUsn < FirstUsn)
            return new UsnJournalRead(UsnJournalStatus.EntryDeleted, []);

        var output = new List<byte[]>();
        int size = 8;
        long next = Math.Max(startUsn, FirstUsn);
        foreach (var (usn, bytes) in _journal.Where(r => r.Usn >= startUsn))
        {
            if (size + bytes.Length > _outputSize)
                break;
            output.Add(bytes);
            size += bytes.Length;
            next = usn + bytes.Length;
        }
        return new UsnJournalRead(UsnJournalStatus.Ok, Pack((ulong)(output.Count == 0 ? startUsn : next), output));
    }

    public IEnumerable<byte[]> EnumerateFiles()
    {
        var records = new List<byte[]>();
        int size = 8;
        foreach (var (id, node) in _nodes.OrderBy(n => n.Key))
        {
            var bytes = Encode(id, node, NextUsn, UsnReason.None);
            if (size + bytes.Length > _outputSize)
            {
                yield return Pack((ulong)id, records);
                records = [];
                size = 8;
            }
            records.Add(bytes);
            size += bytes.Length;
        }
        yield return Pack(ulong.MaxValue, records);
    }

    private UInt128 Create(string path, bool isDirectory, bool keepOpen)
    {
        var (parent, name) = ParentOf(path);
        if (TryFind(path) is not null)
            throw new InvalidOperationException($"{path} exists.");
        // MFT entry in the low 48 bits, sequence number 1 above them.
        UInt128 id = (1UL << 48) | _nextMftEntry++;
        var node = new Node(parent, name, isDirectory);
        _nodes[id] = node;
        Change(id, node, UsnReason.FileCreate);
        Finish(id, node, keepOpen);
        return id;
    }

    // NTFS writes a record when a reason first joins the set accumulated since the file was opened.
    private void Change(UInt128 id, Node node, UsnReason reason)
    {
        if ((node.OpenReasons & reason) == reason)
            return;
        node.OpenReasons = (node.OpenReasons & ~UsnReason.RenameOldName) | reason;
        Append(id, node, node.OpenReasons);
    }

    private void Finish(UInt128 id, Node node, bool keepOpen)
    {
        node.HeldOpen |= keepOpen;
        if (node.HeldOpen)
            return;
        Append(id, node, node.OpenReasons | UsnReason.Close);
        node.OpenReasons = UsnReason.None;
    }

    private void Append(UInt128 id, Node node, UsnReason reason)
    {
        if (!JournalActive)
            return;
        var bytes = Encode(id, node, NextUsn, reason);
        _journal.Add((NextUsn, bytes));
        _journalBytes += bytes.Length;
        NextUsn += bytes.Length;
        while (_journalBytes > _capacity)
            DropRecordsThrough(_journal[0].Usn);
    }

    private byte[] Encode(UInt128 id, Node node, long usn, UsnReason reason)
    {
        var record = new UsnRecord
        {
            Offset = 0,
            RecordLength = 0,
            MajorVersion = _recordVersion,
            MinorVersion = 0,
            FileId = id,
            ParentFileId = node.Parent,
            Usn = usn,
            TimeStamp = s_startTime + _clock++ * TimeSpan.TicksPerSecond,
            Reason = reason,
            SourceInfo = UsnSourceInfo.None,
            FileAttributes = node.IsDirectory ? UsnFileAttributes.Directory : UsnFileAttributes.Archive,
            FileName = node.Name,
        };
        var bytes = new byte[UsnRecordEncoder.LengthOf(_recordVersion, node.Name)];
        UsnRecordEncoder.Write(bytes, record, _recordVersion);
        return bytes;
    }

    private static byte[] Pack(ulong header, List<byte[]> records)
    {
        var output = new byte[8 + records.Sum(r => r.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(output, header);
        int at = 8;
        foreach (var record in records)
        {
            record.CopyTo(output, at);
            at += record.Length;
        }
        return output;
    }

    private string PathOf(UInt128 id)
    {
        var names = new List<string>();
        for (var at = id; at != s_rootId; at = _nodes[at].Parent)
            names.Add(_nodes[at].Name);
        names.Reverse();
        return RootPath.TrimEnd('\\') + "\\" + string.Join('\\', names);
    }

    private (UInt128 Id, Node Node) Find(string path) =>
        TryFind(path) is { } id ? (id, _nodes[id]) : throw new InvalidOperationException($"{path} does not exist.");

    private UInt128? TryFind(string path)
    {
        foreach (var (id, _) in _nodes)
        {
            if (string.Equals(PathOf(id), path, StringComparison.OrdinalIgnoreCase))
                return id;
        }
        return null;
    }

    private (UInt128 Parent, string Name) ParentOf(string path)
    {
        int slash = path.LastIndexOf('\\');
        string parentPath = path[..slash];
        UInt128 parent = string.Equals(parentPath + "\\", RootPath, StringComparison.OrdinalIgnoreCase)
            ? s_rootId
            : TryFind(parentPath) ?? throw new InvalidOperationException($"{parentPath} does not exist.");
        return (parent, path[(slash + 1)..]);
    }
}
