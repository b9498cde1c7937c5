namespace Compliance.Ntfs.Tests;

/// <summary>
/// Mutated records and images, with fixed seeds and counts so a failure reproduces: every outcome must be a result
/// or an <see cref="NtfsFormatException"/>. A watchdog turns a hang into a failure instead of a stuck run.
/// </summary>
public class FuzzTests
{
    private const int RecordSize = 1024;
    private static readonly TimeSpan Watchdog = TimeSpan.FromMinutes(3);

    [Fact]
    public void Mutated_mft_records_never_crash_the_catalog()
    {
        var mft = File.ReadAllBytes(TestData.Shared("ntfs/unicode.mft"));
        RunBounded(() =>
        {
            var random = new Random(20261121);
            for (int iteration = 0; iteration < 4000; iteration++)
            {
                var copy = (byte[])mft.Clone();
                // A few records, a few bytes each: header fields, attribute lengths and run bytes all get hit.
                for (int hit = 0; hit < 1 + random.Next(4); hit++)
                {
                    int record = random.Next(mft.Length / RecordSize);
                    for (int b = 0; b < 1 + random.Next(6); b++)
                        copy[record * RecordSize + random.Next(RecordSize)] = (byte)random.Next(256);
                }
                ListAll(() => MftCatalog.Read(new MemoryStream(copy), RecordSize, long.MaxValue, 0), iteration);
            }
        });
    }

    [Fact]
    public void Mutated_images_never_crash_listing_or_content_reading()
    {
        var image = File.ReadAllBytes(TestData.Gunzipped(TestData.OwnImage("basic.img.gz")));
        var boot = BootSector.Parse(image.AsSpan(0, 512));
        int mftStart = (int)(boot.MftCluster * boot.BytesPerCluster);
        RunBounded(() =>
        {
            var random = new Random(5);
            for (int iteration = 0; iteration < 150; iteration++)
            {
                var copy = (byte[])image.Clone();
                // The boot sector, and the first 100 MFT records (system files, the test files and their runs).
                for (int hit = 0; hit < 1 + random.Next(8); hit++)
                {
                    int offset = random.Next(4) == 0 ? random.Next(512) : mftStart + random.Next(100 * RecordSize);
                    copy[offset] = (byte)random.Next(256);
                }
                ListAll(() =>
                {
                    var volume = NtfsVolume.Open(new MemoryStream(copy));
                    var catalog = volume.ReadCatalog();
                    foreach (var stream in catalog.Entries.Where(e => e.RecordNumber >= 64).SelectMany(e => e.DataStreams))
                    {
                        try
                        {
                            using var content = volume.OpenRead(stream);
                            content.CopyTo(Stream.Null);
                        }
                        catch (NtfsFormatException)
                        {
                        }
                    }
                    return catalog;
                }, iteration);
            }
        });
    }

    private static void ListAll(Func<MftCatalog> read, int iteration)
    {
        try
        {
            MftListing.WriteCsvRows(read(), TextWriter.Null);
        }
        catch (NtfsFormatException)
        {
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"iteration {iteration}: {e}");
        }
    }

    private static void RunBounded(Action fuzz) =>
        Task.Run(fuzz).Wait(Watchdog).Should().BeTrue("the parser must not hang on damaged input");
}
