namespace Compliance.Ntfs;

/// <summary>What `compliance mft list` does, kept out of the CLI so tests call it directly.</summary>
public static class MftLister
{
    /// <summary>Writes the CSV listing of a bare $MFT or of an image's NTFS volumes; returns the damaged records met.</summary>
    public static IReadOnlyList<RecordProblem> List(string path, int? partition, TextWriter output)
    {
        using var image = NtfsImage.Open(path);
        output.Write(MftListing.CsvHeader);
        output.Write('\n');
        if (image.IsBareMft)
        {
            var catalog = image.ReadBareMft();
            MftListing.WriteCsvRows(catalog, output);
            return catalog.Problems;
        }
        var volumes = image.SelectVolumes(partition);
        var problems = new List<RecordProblem>();
        foreach (var location in volumes)
        {
            var catalog = image.OpenVolume(location).ReadCatalog();
            MftListing.WriteCsvRows(catalog, output, volumes.Count > 1 ? $"partition{location.Partition}/" : "");
            problems.AddRange(catalog.Problems);
        }
        return problems;
    }
}
