using Compliance.Core.Drift;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Drift;

public sealed class MovePairingTests
{
    private static FileEntry Key(string path) =>
        new() { Path = path, Type = FileType.File, Size = 2, Mode = 0x180, Uid = 0, Gid = 0, Inode = 7, Device = 1, LinkCount = 1, MtimeNs = 5, BirthTimeNs = 3 };

    private static Finding Side(DriftKind kind, FileEntry entry, string category, Severity severity) => new()
    {
        Path = entry.Path, Kind = kind, Category = category, Severity = severity,
        Before = kind == DriftKind.Removed ? entry : null, After = kind == DriftKind.Added ? entry : null,
    };

    [Theory]
    [InlineData(Severity.Critical, Severity.Low, Severity.Critical)]
    [InlineData(Severity.Low, Severity.High, Severity.High)]
    public void A_move_keeps_the_higher_of_the_severities_of_the_category_it_left_and_the_one_it_entered(Severity left, Severity entered, Severity reported)
    {
        var pairing = new MovePairing();
        pairing.Offer(Side(DriftKind.Removed, Key("/crit/key"), "crit", left));
        pairing.Offer(Side(DriftKind.Added, Key("/other/key"), "other", entered));

        var move = pairing.Drain().Should().ContainSingle().Subject;

        move.Kind.Should().Be(DriftKind.Moved);
        move.Severity.Should().Be(reported);
    }
}
