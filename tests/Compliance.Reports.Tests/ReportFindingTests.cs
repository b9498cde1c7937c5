using Compliance.Core.Drift;
using Compliance.Reports.Drift;

namespace Compliance.Reports.Tests;

public sealed class ReportFindingTests
{
    [Fact]
    public void A_log_cut_short_shows_the_size_its_growing_size_rule_compared()
    {
        const string stored = """{"path":"/var/log/auth.log","type":"file","size":"19","mode":"0640"}""";

        ReportFinding.ShownValues(DriftKind.Metadata, ["growing_size"], stored)
            .Should().Equal([new KeyValuePair<string, string>("size", "19")]);
    }
}
