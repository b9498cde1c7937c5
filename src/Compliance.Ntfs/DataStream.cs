namespace Compliance.Ntfs;

/// <summary>
/// A $DATA attribute (the unnamed main stream or a named alternate stream), or another attribute read as a
/// stream such as $ATTRIBUTE_LIST. Non-resident attributes spread over several records are one stream whose
/// runs are the pieces' runs in VCN order.
/// </summary>
public sealed class DataStream
{
    private readonly List<DataRun> _runs = [];

    private DataStream(string name, long size, byte[]? residentData)
    {
        Name = name;
        Size = size;
        ResidentData = residentData;
    }

    /// <summary>"" for the main stream, otherwise the alternate stream's name.</summary>
    public string Name { get; }

    /// <summary>The logical length in bytes (the attribute's data size).</summary>
    public long Size { get; private set; }

    /// <summary>Bytes past this offset were never written and read as zeros.</summary>
    public long InitializedSize { get; private set; }

    public long AllocatedSize { get; private set; }

    /// <summary>The content when it is stored inside the MFT record; null for a non-resident stream.</summary>
    public byte[]? ResidentData { get; }

    public bool IsResident => ResidentData is not null;

    public bool IsCompressed { get; private set; }

    public bool IsSparse { get; private set; }

    public bool IsEncrypted { get; private set; }

    /// <summary>Clusters per compression unit (16 for LZNT1 on 4 KiB clusters), 0 when not compressed.</summary>
    public int CompressionUnitClusters { get; private set; }

    public IReadOnlyList<DataRun> Runs => _runs;

    internal static DataStream Resident(string name, byte[] data) =>
        new(name, data.Length, data) { InitializedSize = data.Length, AllocatedSize = data.Length };

    internal static DataStream NonResident(string name) => new(name, 0, null);

    /// <summary>Adds the runs of one piece of a non-resident attribute; the piece starting at VCN 0 carries the sizes.</summary>
    internal void AddPiece(NonResidentHeader header, List<DataRun> runs)
    {
        if (header.FirstVcn == 0)
        {
            Size = header.DataSize;
            InitializedSize = header.InitializedSize;
            AllocatedSize = header.AllocatedSize;
            IsCompressed = header.IsCompressed;
            IsSparse = header.IsSparse;
            IsEncrypted = header.IsEncrypted;
            CompressionUnitClusters = header.CompressionUnitClusters;
        }
        int at = _runs.FindIndex(run => run.Vcn > header.FirstVcn);
        _runs.InsertRange(at < 0 ? _runs.Count : at, runs);
    }

    /// <summary>Null when the pieces fit together and cover the stream; otherwise what is wrong, for a problem report.</summary>
    /// <param name="clusterSize">0 when unknown (a bare $MFT): then only gaps between pieces are checked.</param>
    internal string? CheckRuns(int clusterSize)
    {
        if (IsResident)
            return null;
        long vcn = 0;
        foreach (var run in _runs)
        {
            if (run.Vcn != vcn)
                return $"stream '{Name}': runs jump from VCN {vcn} to {run.Vcn}";
            vcn += run.Length;
        }
        if (clusterSize > 0 && vcn < (Size + clusterSize - 1) / clusterSize)
            return $"stream '{Name}': runs cover {vcn} clusters, too few for {Size} bytes";
        return null;
    }
}

/// <summary>The fields of a non-resident attribute header that locate and size its content.</summary>
internal readonly record struct NonResidentHeader(
    long FirstVcn,
    long LastVcn,
    long AllocatedSize,
    long DataSize,
    long InitializedSize,
    int CompressionUnitClusters,
    bool IsCompressed,
    bool IsSparse,
    bool IsEncrypted);
