using System.Reflection;
using Compliance.Core.Attributes;
using Compliance.Core.Drift;
using Compliance.Core.Model;

namespace Compliance.Core.Tests.Model;

/// <summary>
/// A scan leaves out a walked entry whose fingerprint equals its baseline entry's, so the fingerprint must cover
/// every field an attribute compares: a field it missed would be a change never reported.
/// </summary>
public sealed class EntryFingerprintTests
{
    /// <summary>Fields that are deliberately not in the fingerprint, and why.</summary>
    private static readonly Dictionary<string, string> NotFingerprinted = new()
    {
        [nameof(FileEntry.Path)] = "the merge pairs entries by path before it compares fingerprints",
        [nameof(FileEntry.Category)] = "the policy's classification, not an observed attribute",
        [nameof(FileEntry.Hashes)] = "carried over when size, times, inode and device match, and computed otherwise",
        [nameof(FileEntry.Error)] = "an entry with an error has no fingerprint at all",
    };

    private static FileEntry Full() => new()
    {
        Path = "/etc/app.conf",
        Type = FileType.File,
        Size = 4096,
        Mode = 0x1A4, // 0644
        Uid = 1000,
        Gid = 100,
        MtimeNs = 1_700_000_000_123_456_789,
        CtimeNs = 1_700_000_001_000_000_000,
        BirthTimeNs = 1_600_000_000_000_000_000,
        Inode = 1234567,
        Device = 0x803,
        LinkCount = 1,
        LinkTarget = "../target",
        SpecialDevice = 0x103,
        Flags = InodeFlags.Immutable,
        ExtendedAttributes = new(StringComparer.Ordinal) { ["security.selinux"] = "system_u:object_r:etc_t:s0\0"u8.ToArray(), ["user.a"] = [1, 2] },
        WindowsAttributes = 0x20,
        OwnerSid = "S-1-5-32-544",
        Dacl = "D:(A;;FA;;;SY)",
        FileId = new UInt128(0x0001_0000_0000_0005, 42),
        Streams = [new DataStream("Zone.Identifier", 26)],
    };

    [Fact]
    public void Every_compared_property_of_an_entry_changes_its_fingerprint()
    {
        var original = EntryFingerprint.Of(Full())!;
        var properties = typeof(FileEntry).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        properties.Should().HaveCountGreaterThan(15);
        foreach (var property in properties.Where(p => !NotFingerprinted.ContainsKey(p.Name)))
        {
            foreach (var variant in Variants(property))
            {
                var changed = Full();
                property.SetValue(changed, variant);
                EntryFingerprint.Of(changed).Should().NotEqual(original, $"{property.Name} set to {variant ?? "null"} is a different entry");
            }
        }
    }

    /// <summary>Values unlike <see cref="Full"/>'s for a property; a property of a new type must be added here and to the fingerprint.</summary>
    private static IEnumerable<object?> Variants(PropertyInfo property)
    {
        var type = property.PropertyType;
        if (type == typeof(FileType))
            return [FileType.Directory, FileType.Symlink];
        if (type == typeof(long))
            return [0L, 4097L];
        if (type == typeof(long?))
            return [null, 0L, -1L];
        if (type == typeof(uint?))
            return [null, 0u, 0x9EDu]; // 04755
        if (type == typeof(ulong?))
            return [null, 0UL, ulong.MaxValue];
        if (type == typeof(InodeFlags?))
            return [null, InodeFlags.None, InodeFlags.AppendOnly, InodeFlags.Immutable | InodeFlags.AppendOnly];
        if (type == typeof(string))
            return [null, "", "other"];
        if (type == typeof(UInt128?))
            return [null, UInt128.Zero, new UInt128(0x0001_0000_0000_0005, 43), new UInt128(0x0002_0000_0000_0005, 42)];
        if (type == typeof(byte[]))
            return [null, new byte[16]];
        if (type == typeof(SortedDictionary<string, byte[]>))
        {
            return
            [
                null,
                new SortedDictionary<string, byte[]>(StringComparer.Ordinal) { ["user.a"] = [1, 2] },
                new SortedDictionary<string, byte[]>(StringComparer.Ordinal) { ["security.selinux"] = "system_u:object_r:etc_t:s0\0"u8.ToArray(), ["user.a"] = [1, 3] },
                new SortedDictionary<string, byte[]>(StringComparer.Ordinal) { ["security.selinux"] = "system_u:object_r:etc_t:s0\0"u8.ToArray(), ["user.b"] = [1, 2] },
            ];
        }
        if (type == typeof(IReadOnlyList<DataStream>))
            return [null, new[] { new DataStream("Zone.Identifier", 27) }, new[] { new DataStream("Zone.Identifier", 26), new DataStream("x", 0) },
                new[] { new DataStream("Zone.Identifier", 26, new byte[32]) }];
        throw new InvalidOperationException($"FileEntry.{property.Name} has type {type}, which this test cannot vary: add it to EntryFingerprint and here.");
    }

    [Fact]
    public void Fields_outside_the_fingerprint_leave_it_unchanged_and_a_clone_matches()
    {
        var original = Full();
        var other = original.Clone();
        var scratch = new FingerprintBuffer();
        EntryFingerprint.Matches(other, EntryFingerprint.Of(original), scratch).Should().BeTrue();
        var renamed = new FileEntry { Path = "/elsewhere", Type = original.Type, Size = original.Size };
        renamed.Hashes["sha256"] = new byte[32];
        renamed.Category = "other";
        EntryFingerprint.Of(renamed).Should().Equal(EntryFingerprint.Of(new FileEntry { Path = "/x", Type = original.Type, Size = original.Size }));
    }

    [Fact]
    public void An_entry_with_an_error_has_no_fingerprint_and_never_matches()
    {
        var entry = Full();
        var stored = EntryFingerprint.Of(entry)!;
        entry.Error = "permission denied";
        EntryFingerprint.Of(entry).Should().BeNull();
        EntryFingerprint.Matches(entry, stored, new FingerprintBuffer()).Should().BeFalse();
    }

    /// <summary>
    /// Baseline rows keep the fingerprint computed when they were written. An entry that has none of the fields added
    /// since must still get that value, or every stored row would be compared in full after an upgrade; one that has
    /// them must not, or a flag set since would be taken as unchanged.
    /// </summary>
    [Fact]
    public void An_entry_without_the_fields_added_later_keeps_the_fingerprint_format_1_gave_it()
    {
        // The entry of StateStoreTests.Entry("/data/a"), fingerprinted by this program before rdev and flags existed.
        var entry = new FileEntry
        {
            Path = "/data/a", Type = FileType.File, Size = 1, Mode = 0x1a4, Inode = 42, Device = 7, MtimeNs = 1_700_000_000_123_456_789,
            ExtendedAttributes = new(StringComparer.Ordinal) { ["user.note"] = [1, 2, 3] },
        };
        const string beforeRdevAndFlags = "01f078c92428ad14722bf9c494ff48103a58656e62b80cc5507f4cbbf4a79d5929";

        Convert.ToHexStringLower(EntryFingerprint.Of(entry)!).Should().Be(beforeRdevAndFlags);
        var scratch = new FingerprintBuffer();
        var flagged = entry.Clone();
        flagged.Flags = InodeFlags.AppendOnly;
        EntryFingerprint.Matches(flagged, Convert.FromHexString(beforeRdevAndFlags), scratch).Should().BeFalse();
        var device = entry.Clone();
        device.SpecialDevice = (ulong)InodeFlags.AppendOnly;
        EntryFingerprint.Of(device).Should().NotEqual(EntryFingerprint.Of(flagged), "each added field has a tag of its own");
    }

    [Fact]
    public void A_fingerprint_of_another_format_version_or_none_never_matches()
    {
        var entry = Full();
        var stored = EntryFingerprint.Of(entry)!;
        stored[0] = EntryFingerprint.FormatVersion + 1;
        EntryFingerprint.Matches(entry, stored, new FingerprintBuffer()).Should().BeFalse();
        EntryFingerprint.Matches(entry, [], new FingerprintBuffer()).Should().BeFalse();
    }

    /// <summary>
    /// Over random pairs drawn from few values (so that equal fields are common): fingerprints are equal exactly when
    /// no attribute of the catalog differs. One way round no change is missed; the other, no unchanged entry is decoded.
    /// </summary>
    [Fact]
    public void Fingerprints_are_equal_exactly_when_no_attribute_differs()
    {
        var random = new Random(20261129);
        var attributes = new AttributeSet(AttributeCatalog.All.Where(a => !a.IsContentHash));
        var scratch = new FingerprintBuffer();
        int equal = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var a = RandomEntry(random);
            var b = random.Next(3) == 0 ? RandomEntry(random) : WithOneFieldFrom(a, RandomEntry(random), random);
            bool same = a.Type == b.Type && EntryComparer.ChangedAttributes(a, b, attributes).Count == 0;
            bool matches = EntryFingerprint.Matches(b, EntryFingerprint.Of(a), scratch);
            // A stream hashed on one side only compares by name and size: its fingerprints differ whether or not the
            // attributes do, which costs a full compare and nothing more.
            if (matches || !OneSideLacksAStreamDigest(a, b))
                matches.Should().Be(same, $"pair {i}");
            equal += same ? 1 : 0;
        }
        equal.Should().BeGreaterThan(2000, "the property must be tested on equal pairs too");
    }

    private static bool OneSideLacksAStreamDigest(FileEntry a, FileEntry b) =>
        (a.Streams ?? []).Zip(b.Streams ?? []).Any(pair => (pair.First.Blake3 is null) != (pair.Second.Blake3 is null));

    /// <summary>A copy of <paramref name="entry"/> with one fingerprinted field taken from <paramref name="donor"/> (often the same value).</summary>
    private static FileEntry WithOneFieldFrom(FileEntry entry, FileEntry donor, Random r)
    {
        var fields = typeof(FileEntry).GetProperties().Where(p => p.CanWrite && !NotFingerprinted.ContainsKey(p.Name)).ToArray();
        var field = fields[r.Next(fields.Length)];
        var copy = entry.Clone();
        field.SetValue(copy, field.GetValue(donor));
        return copy;
    }

    private static FileEntry RandomEntry(Random r)
    {
        T Pick<T>(params T[] values) => values[r.Next(values.Length)];
        return new FileEntry
        {
            Path = "/p",
            Type = Pick(FileType.File, FileType.Directory),
            Size = Pick(0L, 1L),
            Mode = Pick<uint?>(null, 0x1A4u),
            Uid = Pick<long?>(0L, 0L, 1L),
            Gid = Pick<long?>(0L, 0L, null),
            MtimeNs = Pick<long?>(5L, 5L, 6L),
            CtimeNs = 7,
            // Recorded but compared by no attribute: a fingerprint that differs only there costs a full compare, no more.
            BirthTimeNs = 3,
            Inode = Pick<ulong?>(9UL, 9UL, 10UL),
            Device = 2,
            LinkCount = Pick<ulong?>(1UL, 1UL, 2UL),
            LinkTarget = Pick<string?>(null, null, "t"),
            SpecialDevice = Pick<ulong?>(null, null, 0x103UL),
            Flags = Pick<InodeFlags?>(null, null, InodeFlags.AppendOnly),
            ExtendedAttributes = Pick<SortedDictionary<string, byte[]>?>(null, new(StringComparer.Ordinal),
                new(StringComparer.Ordinal) { ["security.selinux"] = [1] }, new(StringComparer.Ordinal) { ["user.x"] = [1] }),
            WindowsAttributes = Pick<uint?>(null, null, 0x20u),
            OwnerSid = Pick<string?>(null, null, "S-1-5-18"),
            Dacl = null,
            FileId = Pick<UInt128?>(null, null, UInt128.One),
            Streams = Pick<IReadOnlyList<DataStream>?>(null, [], [new DataStream("s", 1)], [new DataStream("s", 1, [1])], [new DataStream("s", 1, [2])]),
        };
    }
}
