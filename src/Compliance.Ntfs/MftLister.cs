namespace Compliance.Ntfs;

/// <summary>What `compliance mft list` does, kept out of the CLI so tests call it directly.</summary>
public static class MftLister
{
    /// <summary>Writes the CSV listing of a bare $MFT or of an image's NTFS volumes; returns the damaged records met.</summary>
    public static IReadOnlyList<RecordProblem> List(string path, int? partition, TextWriter output)
    {
        using var image = NtfsImage.Open(path);
        if (image.IsBareMft)
        {
            var catalog = image.ReadBareMft();
            WriteHeader(output);
            MftListing.WriteCsvRows(catalog, output);
            return catalog.Problems;
        }
        // Every volume is read before the first line is written: a damaged image gives an error, not half a CSV.
        var volumes = image.SelectVolumes(partition);
        var catalogs = volumes.Select(location => image.OpenVolume(location).ReadCatalog()).ToList();
        WriteHeader(output);
        for (int i = 0; i < volumes.Count; i++)
            MftListing.WriteCsvRows(catalogs[i], output, volumes.Count > 1 ? $"partition{volumes[i].Partition}/" : "");
        return catalogs.SelectMany(catalog => catalog.Problems).ToList();
    }

    private static void WriteHeader(TextWriter output)
    {
        output.Write(MftListing.CsvHeader);
        output.Write('\n');
    }
}
