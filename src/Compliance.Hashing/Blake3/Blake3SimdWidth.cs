using System.Runtime.Intrinsics.X86;

namespace Compliance.Hashing.Blake3;

/// <summary>How many chunks the compression runs side by side: the vector width of the "hash many" kernels.</summary>
public enum Blake3SimdWidth
{
    /// <summary>One input at a time in plain integer code; runs everywhere.</summary>
    Scalar = 1,
    /// <summary>Four inputs in 128-bit vectors (x86 SSSE3).</summary>
    Vector128 = 4,
    /// <summary>Eight inputs in 256-bit vectors (x86 AVX2).</summary>
    Vector256 = 8,
    /// <summary>Sixteen inputs in 512-bit vectors (x86 AVX-512F).</summary>
    Vector512 = 16,
}

/// <summary>Which widths this CPU runs, and the one used unless a caller forces another.</summary>
public static class Blake3Simd
{
    /// <summary>Names the environment variable that forces a width: <c>scalar</c>, <c>128</c>, <c>256</c> or <c>512</c>.</summary>
    public const string EnvironmentVariable = "COMPLIANCE_BLAKE3_SIMD";

    /// <summary>The widest supported width, or the one <see cref="EnvironmentVariable"/> names (read once per process).</summary>
    public static Blake3SimdWidth Default { get; } = ChooseDefault(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static bool IsSupported(Blake3SimdWidth width) => width switch
    {
        Blake3SimdWidth.Scalar => true,
        Blake3SimdWidth.Vector128 => Ssse3.IsSupported,
        Blake3SimdWidth.Vector256 => Avx2.IsSupported,
        Blake3SimdWidth.Vector512 => Avx512F.IsSupported && Avx512BW.IsSupported,
        _ => false,
    };

    public static IEnumerable<Blake3SimdWidth> Supported =>
        Enum.GetValues<Blake3SimdWidth>().Where(IsSupported);

    /// <summary>Parses a width name as the environment variable spells it.</summary>
    public static bool TryParse(string? text, out Blake3SimdWidth width)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "scalar": width = Blake3SimdWidth.Scalar; return true;
            case "128": width = Blake3SimdWidth.Vector128; return true;
            case "256": width = Blake3SimdWidth.Vector256; return true;
            case "512": width = Blake3SimdWidth.Vector512; return true;
            default: width = default; return false;
        }
    }

    /// <summary>A forced width the CPU lacks falls back to the widest narrower one, so a setting never breaks hashing.</summary>
    internal static Blake3SimdWidth ChooseDefault(string? forced)
    {
        Blake3SimdWidth ceiling = TryParse(forced, out var requested) ? requested : Blake3SimdWidth.Vector512;
        return Supported.Where(w => w <= ceiling).Max();
    }

    internal static int Degree(Blake3SimdWidth width) => (int)width;
}
