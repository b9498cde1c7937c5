using Compliance.Core;
using Compliance.Usn.Journal;
using Compliance.Usn.Records;

namespace Compliance.Usn.Formatting;

/// <summary>What the bytes handed to <c>usn dump</c> are.</summary>
public enum UsnInputLayout
{
    /// <summary>A raw <c>$UsnJrnl:$J</c> stream, or records packed one after another.</summary>
    Raw,

    /// <summary>FSCTL_READ_USN_JOURNAL or FSCTL_ENUM_USN_DATA output: an 8-byte header, then records.</summary>
    Output,
}

/// <summary>Prints every record of an input and reports every stretch that is not a record.</summary>
public static class UsnDump
{
    /// <returns>How many problems (malformed or truncated records) were reported to <paramref name="problems"/>.</returns>
    public static int Run(Stream input, UsnInputLayout layout, UsnRecordFormat format, TextWriter output, TextWriter problems)
    {
        var writer = UsnRecordWriter.Create(format, output);
        int problemCount = 0;
        foreach (var item in Read(input, layout))
        {
            if (item.Record is not null)
            {
                writer.Write(item.Record);
            }
            else
            {
                problems.WriteLine($"compliance: usn: {item.Problem}");
                problemCount++;
            }
        }
        writer.Complete();
        return problemCount;
    }

    /// <summary>
    /// Prints the records a volume's journal holds now, from its first USN to the next USN it reported when asked
    /// (records written meanwhile are left for the next call). The fsutil layout starts with the journal's header.
    /// </summary>
    /// <returns>How many problems were reported to <paramref name="problems"/>.</returns>
    /// <exception cref="ComplianceException">The volume has no active journal, or a read failed.</exception>
    public static int Journal(IUsnVolume volume, UsnRecordFormat format, TextWriter output, TextWriter problems)
    {
        var query = volume.QueryJournal();
        if (query.Status != UsnJournalStatus.Ok)
            throw new ComplianceException($"{volume.RootPath} has no active change journal ({query.Status}).");
        var journal = query.Data;
        if (format == UsnRecordFormat.Fsutil)
        {
            output.WriteLine($"USN Journal ID    : 0x{journal.JournalId:x16}");
            output.WriteLine($"First USN         : {journal.FirstUsn}");
            output.WriteLine($"Next USN          : {journal.NextUsn}");
            output.WriteLine($"Start USN         : {journal.FirstUsn}");
            output.WriteLine();
        }
        var writer = UsnRecordWriter.Create(format, output);
        int problemCount = 0;
        for (long usn = journal.FirstUsn; usn < journal.NextUsn;)
        {
            // Only USNs below the reported next USN are asked for, so a live read never waits here.
            var read = volume.ReadJournal(journal.JournalId, usn, CancellationToken.None);
            if (read.Status != UsnJournalStatus.Ok)
                throw new ComplianceException($"reading the journal of {volume.RootPath} at USN {usn} failed ({read.Status}).");
            var buffer = UsnOutputBuffer.Parse(read.Output);
            foreach (var item in buffer.Items)
            {
                if (item.Record is not null)
                    writer.Write(item.Record);
                else
                    problems.WriteLine($"compliance: usn: {item.Problem}");
            }
            problemCount += buffer.Problems.Count();
            if ((long)buffer.Next <= usn)
                break;
            usn = (long)buffer.Next;
        }
        writer.Complete();
        return problemCount;
    }

    private static IEnumerable<UsnReadItem> Read(Stream input, UsnInputLayout layout)
    {
        if (layout == UsnInputLayout.Raw)
            return UsnRecordStream.Read(input);

        // API output buffers are at most a few megabytes: the caller chose their size.
        using var copy = new MemoryStream();
        input.CopyTo(copy);
        return UsnOutputBuffer.Parse(copy.GetBuffer().AsSpan(0, (int)copy.Length)).Items;
    }
}
