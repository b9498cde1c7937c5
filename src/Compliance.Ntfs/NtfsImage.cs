using Compliance.Core;

namespace Compliance.Ntfs;

/// <summary>
/// An image file opened for reading: a bare $MFT file, a bare NTFS volume, an MBR or GPT disk, or a fixed VHD.
/// </summary>
public sealed class NtfsImage : IDisposable
{
    private readonly FileStream _file;

    private NtfsImage(FileStream file, bool isBareMft, IReadOnlyList<VolumeLocation> volumes)
    {
        _file = file;
        IsBareMft = isBareMft;
        Volumes = volumes;
    }

    /// <summary>True for a copied $MFT file (it starts with a FILE record): entries and paths, but no content.</summary>
    public bool IsBareMft { get; }

    /// <summary>The NTFS volumes found; empty for a bare $MFT.</summary>
    public IReadOnlyList<VolumeLocation> Volumes { get; }

    public static NtfsImage Open(string path)
    {
        if (Directory.Exists(path))
            throw new ComplianceException($"{path} is a directory: give a copied $MFT file or a disk image.", FailureKind.Usage);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // A name that leads nowhere is a bad argument, as a missing --root or attestation is; one that cannot be read is not.
            throw new ComplianceException($"{path}: no such file.", FailureKind.Usage, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ComplianceException($"cannot open {path}: {e.Message}");
        }
        try
        {
            Span<byte> magic = stackalloc byte[4];
            bool bare = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && (magic.SequenceEqual("FILE"u8) || magic.SequenceEqual("BAAD"u8));
            return new NtfsImage(file, bare, bare ? [] : DiskImage.FindNtfsVolumes(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The volumes to read: the chosen partition (1-based slot), or every NTFS volume when none is chosen.</summary>
    public IReadOnlyList<VolumeLocation> SelectVolumes(int? partition)
    {
        if (partition is null)
            return Volumes;
        if (Volumes is [{ Partition: 0 }])
            throw new ComplianceException($"--partition {partition}: the image is a bare NTFS volume, not a partitioned disk", FailureKind.Usage);
        var chosen = Volumes.Where(volume => volume.Partition == partition).ToList();
        if (chosen.Count == 0)
            throw new ComplianceException(
                $"partition {partition} is not an NTFS partition; NTFS partitions: {string.Join(", ", Volumes.Select(v => v.Partition))}",
                FailureKind.Usage);
        return chosen;
    }

    public NtfsVolume OpenVolume(VolumeLocation location) => NtfsVolume.Open(new SubStream(_file, location.Offset, location.Length));

    /// <summary>Reads a bare $MFT file; the record size comes from the first record's own header.</summary>
    public MftCatalog ReadBareMft()
    {
        if (!IsBareMft)
            throw new InvalidOperationException("not a bare $MFT file");
        Span<byte> header = stackalloc byte[32];
        _file.Position = 0;
        if (_file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            throw new NtfsFormatException("$MFT file truncated inside its first record header");
        int recordSize = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header[28..]);
        if (recordSize is < 256 or > 65536 || (recordSize & (recordSize - 1)) != 0)
            throw new NtfsFormatException($"$MFT file: first record says records are {recordSize} bytes, not a power of two in 256..65536");
        return MftCatalog.Read(_file, recordSize, clusterCount: long.MaxValue, clusterSize: 0);
    }

    public void Dispose() => _file.Dispose();
}
