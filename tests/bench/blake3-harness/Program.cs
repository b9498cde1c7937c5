using System.Diagnostics;
using Compliance.Hashing.Blake3;
using Compliance.Hashing.Checksums;

// Usage: Blake3Harness file [--num-threads N] FILE
// Prints the digest line of FILE through the same FileDigester `compliance hash` runs, for when the CLI cannot build.
if (args.Length > 0 && args[0] == "file")
{
    bool threaded = args.Length == 4 && args[1] == "--num-threads";
    string path = args[^1];
    var request = new DigestRequest { Threads = threaded ? int.Parse(args[2]) : Environment.ProcessorCount };
    Console.WriteLine(ChecksumLine.Format(new FileDigester(request).DigestFile(path), path));
    return;
}

// Usage: Blake3Harness small BYTES COUNT
// Hashes a BYTES-long input COUNT times, a new hasher each time as for many small files, and prints MiB/s of CPU time.
if (args.Length == 3 && args[0] == "small")
{
    var small = new byte[int.Parse(args[1])];
    int count = int.Parse(args[2]);
    var smallDigest = new byte[32];
    var self = Process.GetCurrentProcess();
    double fastest = double.MaxValue;
    for (int run = 0; run < 5; run++)
    {
        self.Refresh();
        var before = self.TotalProcessorTime;
        for (int i = 0; i < count; i++)
            Blake3Hasher.Hash(small, smallDigest);
        self.Refresh();
        fastest = Math.Min(fastest, (self.TotalProcessorTime - before).TotalSeconds);
    }
    Console.WriteLine($"{Blake3Simd.Default,-10} {small.Length}-byte inputs: {count / fastest / 1e6,6:F2} M hashes/s cpu, {small.Length * (double)count / fastest / (1 << 20),8:F1} MiB/s cpu");
    return;
}

// Usage: Blake3Harness [MiB] [threads] [repeat]
// Hashes one in-memory buffer of MiB mebibytes (repeat times per run: a small buffer repeated stays in cache) with the default SIMD width (COMPLIANCE_BLAKE3_SIMD forces one)
// and prints the best GiB/s of five runs, so the kernels can be timed without file reads. Both wall-clock and
// process CPU time are shown: on a busy machine the CPU figure is the steadier one.
int mebibytes = args.Length > 0 ? int.Parse(args[0]) : 256;
int threads = args.Length > 1 ? int.Parse(args[1]) : 1;
int repeat = args.Length > 2 ? int.Parse(args[2]) : 1;
var input = new byte[mebibytes << 20];
new Random(1).NextBytes(input);
var output = new byte[32];
double best = double.MaxValue, bestCpu = double.MaxValue;
var process = System.Diagnostics.Process.GetCurrentProcess();
for (int run = 0; run < 5; run++)
{
    var hasher = new Blake3Hasher { MaxDegreeOfParallelism = threads };
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < repeat; i++)
    {
        hasher.Reset();
        hasher.Update(input);
        hasher.Finalize(output);
    }
    best = Math.Min(best, clock.Elapsed.TotalSeconds);
    process.Refresh();
    bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
}
double gibibytes = mebibytes * (double)repeat / 1024;
Console.WriteLine($"{Blake3Simd.Default,-10} threads={threads} {gibibytes / best,6:F2} GiB/s wall {gibibytes / bestCpu,6:F2} GiB/s cpu  {Convert.ToHexStringLower(output)}");
