namespace Compliance.Ntfs;

/// <summary>
/// A read-only, seekable view of a non-resident attribute's content through its data runs: holes and bytes past
/// the initialized size read as zeros, compressed units are decompressed (LZNT1), and a run that points past the
/// end of the image is an error rather than silent zeros.
/// </summary>
public sealed class NtfsDataStream : ReadOnlySeekableStream
{
    // NTFS compresses only with clusters up to 4 KiB and 16-cluster units: 64 KiB. Larger is a corrupt header.
    private const long MaxUnitSize = 64 * 1024;

    private readonly Stream _volume;
    private readonly DataStream _stream;
    private readonly int _clusterSize;
    private readonly long _unitSize;
    private byte[]? _unit;
    private long _unitIndex = -1;

    public NtfsDataStream(Stream volume, DataStream stream, int clusterSize)
    {
        if (stream.IsResident)
            throw new ArgumentException("a resident stream has no runs to read", nameof(stream));
        if (stream.IsEncrypted)
            throw new NtfsFormatException($"stream '{stream.Name}' is EFS-encrypted; its content cannot be read without the key");
        _volume = volume;
        _stream = stream;
        _clusterSize = clusterSize;
        if (stream.IsCompressed)
        {
            if (stream.CompressionUnitClusters == 0)
                throw new NtfsFormatException($"stream '{stream.Name}' is marked compressed but has no compression unit");
            _unitSize = (long)stream.CompressionUnitClusters * clusterSize;
            if (_unitSize > MaxUnitSize)
                throw new NtfsFormatException($"stream '{stream.Name}': a compression unit of {_unitSize} bytes exceeds the {MaxUnitSize} NTFS can write");
        }
    }

    public override long Length => _stream.Size;

    public override int Read(Span<byte> buffer)
    {
        int total = (int)Math.Clamp(_stream.Size - Position, 0, buffer.Length);
        var destination = buffer[..total];
        while (!destination.IsEmpty)
        {
            int chunk = _stream.IsCompressed ? ReadFromUnit(destination) : ReadFromRuns(Position, destination);
            Position += chunk;
            destination = destination[chunk..];
        }
        return total;
    }

    // Uncompressed: one run at a time, straight from the volume.
    private int ReadFromRuns(long position, Span<byte> destination)
    {
        if (position >= _stream.InitializedSize)
        {
            destination.Clear();
            return destination.Length;
        }
        var run = FindRun(position / _clusterSize);
        long runEnd = (run.Vcn + run.Length) * _clusterSize;
        int count = (int)Math.Min(destination.Length, Math.Min(runEnd, _stream.InitializedSize) - position);
        var part = destination[..count];
        if (run.IsSparse)
            part.Clear();
        else
            ReadVolume(run.Lcn * _clusterSize + (position - run.Vcn * _clusterSize), part);
        return count;
    }

    private int ReadFromUnit(Span<byte> destination)
    {
        long unitIndex = Position / _unitSize;
        if (unitIndex != _unitIndex)
        {
            _unit = LoadUnit(unitIndex);
            _unitIndex = unitIndex;
        }
        int inUnit = (int)(Position - unitIndex * _unitSize);
        int count = Math.Min(destination.Length, _unit!.Length - inUnit);
        _unit.AsSpan(inUnit, count).CopyTo(destination);
        long pastInitialized = Position + count - Math.Max(Position, _stream.InitializedSize);
        if (pastInitialized > 0)
            destination.Slice(count - (int)pastInitialized, (int)pastInitialized).Clear();
        return count;
    }

    // A unit whose clusters are all allocated is stored plainly; one with a hole at its end holds LZNT1 data in its
    // allocated clusters; one that is all hole is zeros.
    private byte[] LoadUnit(long unitIndex)
    {
        var unit = new byte[_unitSize];
        long firstVcn = unitIndex * _stream.CompressionUnitClusters;
        int allocated = 0;
        for (long vcn = firstVcn; vcn < firstVcn + _stream.CompressionUnitClusters && vcn * _clusterSize < _stream.Size; )
        {
            var run = FindRun(vcn);
            long take = Math.Min(run.Vcn + run.Length, firstVcn + _stream.CompressionUnitClusters) - vcn;
            if (!run.IsSparse)
            {
                ReadVolume((run.Lcn + vcn - run.Vcn) * _clusterSize, unit.AsSpan(allocated * _clusterSize, (int)take * _clusterSize));
                allocated += (int)take;
            }
            vcn += take;
        }
        if (allocated == 0 || allocated == _stream.CompressionUnitClusters)
            return unit;
        var compressed = unit.AsSpan(0, allocated * _clusterSize).ToArray();
        unit.AsSpan().Clear();
        Lznt1.Decompress(compressed, unit);
        return unit;
    }

    private DataRun FindRun(long vcn)
    {
        var runs = _stream.Runs;
        int low = 0, high = runs.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            var run = runs[middle];
            if (vcn < run.Vcn)
                high = middle - 1;
            else if (vcn >= run.Vcn + run.Length)
                low = middle + 1;
            else
                return run;
        }
        throw new NtfsFormatException($"stream '{_stream.Name}' has no data run for cluster {vcn} of its {_stream.Size} bytes");
    }

    // Every stream of a volume shares one image stream and scans hash on several threads: seek and read as one step.
    private void ReadVolume(long offset, Span<byte> destination)
    {
        int read;
        lock (_volume)
        {
            _volume.Position = offset;
            read = _volume.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        if (read < destination.Length)
            throw new NtfsFormatException($"image truncated: a data run reads bytes {offset}..{offset + destination.Length - 1}, the image ends at {_volume.Length}");
    }
}
