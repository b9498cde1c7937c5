using System.Buffers.Binary;

namespace Compliance.Ntfs;

/// <summary>One name in a directory's $I30 index: what Windows finds under that name, and which record it opens.</summary>
public readonly record struct IndexedName(FileReference File, string Name);

/// <summary>
/// Reads a directory's $I30 index, the B-tree Windows looks names up in: the top node in $INDEX_ROOT, the rest in
/// INDX blocks of $INDEX_ALLOCATION. Only blocks the tree reaches are read; free blocks keep stale entries.
/// </summary>
public static class DirectoryIndex
{
    /// <summary>The name of the attributes ($INDEX_ROOT, $INDEX_ALLOCATION, $BITMAP) that make up a directory index.</summary>
    public const string Name = "$I30";

    private const int RootHeaderLength = 16;
    private const int NodeHeaderLength = 16;
    private const int BlockHeaderLength = 24;
    private const int EntryHeaderLength = 16;
    private const int SubNodeReferenceLength = 8;
    private const uint FileNameCollation = 1;
    private const ushort EntryHasSubNode = 0x01;
    private const ushort EntryIsLast = 0x02;
    // With index blocks smaller than a cluster, their VCNs count 512-byte units instead of clusters.
    private const int SmallBlockVcnUnit = 512;
    private const int MaxBlockSize = 64 * 1024;

    /// <summary>Every name the index holds, in tree order. Throws <see cref="NtfsFormatException"/> when the index cannot be read whole.</summary>
    public static List<IndexedName> Read(NtfsVolume volume, MftEntry directory)
    {
        if (directory.IndexRoot is not { } root)
            throw new NtfsFormatException($"directory record {directory.RecordNumber} has no {Name} index root");
        if (root.Length < RootHeaderLength + NodeHeaderLength)
            throw new NtfsFormatException($"{Name} index root of {root.Length} bytes is shorter than its headers");
        uint indexedType = BinaryPrimitives.ReadUInt32LittleEndian(root);
        uint collation = BinaryPrimitives.ReadUInt32LittleEndian(root.AsSpan(4));
        int blockSize = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(root.AsSpan(8)), int.MaxValue);
        if (indexedType != (uint)AttributeType.FileName || collation != FileNameCollation)
            throw new NtfsFormatException($"{Name} index root indexes attribute 0x{indexedType:X} with collation {collation}, not file names");

        var names = new List<IndexedName>();
        var pending = new Stack<long>();
        ReadNode(root.AsSpan(RootHeaderLength), $"{Name} index root", names, pending);
        if (pending.Count == 0)
            return names;

        if (directory.IndexAllocation is not { } allocation)
            throw new NtfsFormatException($"{Name} index root has child nodes but the directory has no index allocation");
        if (blockSize < UpdateSequenceArray.Stride || blockSize > MaxBlockSize || (blockSize & (blockSize - 1)) != 0)
            throw new NtfsFormatException($"{Name} index blocks of {blockSize} bytes: not a power of two in {UpdateSequenceArray.Stride}..{MaxBlockSize}");
        int clusterSize = volume.Boot.BytesPerCluster;
        int vcnUnit = blockSize >= clusterSize ? clusterSize : SmallBlockVcnUnit;
        using var blocks = volume.OpenRead(allocation);
        var block = new byte[blockSize];
        var visited = new HashSet<long>();
        while (pending.TryPop(out long vcn))
        {
            if (!visited.Add(vcn))
                throw new NtfsFormatException($"{Name} index block at VCN {vcn} is reached twice: the tree has a cycle");
            long offset = vcn * vcnUnit;
            if (vcn < 0 || offset > allocation.Size - blockSize)
                throw new NtfsFormatException($"{Name} index block at VCN {vcn} lies outside the {allocation.Size}-byte index allocation");
            blocks.Position = offset;
            blocks.ReadExactly(block);
            ReadBlock(block, vcn, names, pending);
        }
        return names;
    }

    private static void ReadBlock(Span<byte> block, long vcn, List<IndexedName> names, Stack<long> pending)
    {
        string where = $"{Name} index block at VCN {vcn}";
        if (!block[..4].SequenceEqual("INDX"u8))
            throw new NtfsFormatException($"{where} has no INDX signature");
        if (UpdateSequenceArray.Apply(block, "index block", out string? problem) != RecordState.Valid)
            throw new NtfsFormatException($"{where}: {problem}");
        long ownVcn = BinaryPrimitives.ReadInt64LittleEndian(block[16..]);
        if (ownVcn != vcn)
            throw new NtfsFormatException($"{where} says it is block {ownVcn}");
        ReadNode(block[BlockHeaderLength..], where, names, pending);
    }

    /// <summary>Adds a node's names and queues the VCNs of the blocks below it.</summary>
    private static void ReadNode(ReadOnlySpan<byte> node, string where, List<IndexedName> names, Stack<long> pending)
    {
        uint entriesOffset = BinaryPrimitives.ReadUInt32LittleEndian(node);
        uint usedLength = BinaryPrimitives.ReadUInt32LittleEndian(node[4..]);
        if (entriesOffset < NodeHeaderLength || entriesOffset > usedLength || usedLength > node.Length)
            throw new NtfsFormatException($"{where}: entries at {entriesOffset}..{usedLength} do not fit its {node.Length} bytes");
        var entries = node[(int)entriesOffset..(int)usedLength];
        int offset = 0;
        while (true)
        {
            if (offset + EntryHeaderLength > entries.Length)
                throw new NtfsFormatException($"{where}: entries run past the node's end without a last entry");
            var reference = FileReference.Read(entries[offset..]);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(entries[(offset + 8)..]);
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(entries[(offset + 10)..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(entries[(offset + 12)..]);
            bool subNode = (flags & EntryHasSubNode) != 0;
            int minimum = EntryHeaderLength + (subNode ? SubNodeReferenceLength : 0);
            if (length < minimum || length % 8 != 0 || length > entries.Length - offset)
                throw new NtfsFormatException($"{where}: entry at offset {offset} is {length} bytes, which does not fit");
            var entry = entries.Slice(offset, length);
            if (subNode)
                pending.Push(BinaryPrimitives.ReadInt64LittleEndian(entry[(length - SubNodeReferenceLength)..]));
            if ((flags & EntryIsLast) != 0)
                return;
            if (keyLength > length - minimum)
                throw new NtfsFormatException($"{where}: entry at offset {offset} has a {keyLength}-byte key in {length} bytes");
            names.Add(new IndexedName(reference, FileName.Parse(entry.Slice(EntryHeaderLength, keyLength)).Name));
            offset += length;
        }
    }
}
