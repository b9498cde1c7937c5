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
