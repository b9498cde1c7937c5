#!/usr/bin/env bash
# Times `compliance hash` against b3sum on the same 1 GiB file read from the page cache, one thread and all
# threads, the two tools alternating run by run, and prints medians and the throughput ratio.
# Also times compliance with the SIMD width forced to 256 and 128 bits (COMPLIANCE_BLAKE3_SIMD).
# Ratios above 1 mean compliance is faster; "cpu vs" compares user + system time, which other load disturbs less.
# Usage: tests/bench/blake3-bench.sh [runs=5] [size_mib=1024]
set -euo pipefail
runs=${1:-5}
size_mib=${2:-1024}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${BLAKE3_BENCH_DIR:-/tmp/blake3-bench}
mkdir -p "$work"

# The peer (b3sum) and the measuring tools (GNU time, bc), installed when missing.
missing=()
command -v b3sum >/dev/null || missing+=(b3sum)
[ -x /usr/bin/time ] || missing+=(time)
command -v bc >/dev/null || missing+=(bc)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi

# Publish the real CLI, ReadyToRun so start-up is not mostly JIT time (the hashing kernels are JIT-compiled for
# this CPU either way); should it not build (others' work in progress), fall back to the harness's file mode,
# which runs the same FileDigester the command uses.
publish=(-c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true --artifacts-path "$work/art")
if dotnet publish "$repo/src/Compliance.Cli" "${publish[@]}" -o "$work/cli" >"$work/publish.log" 2>&1; then
    ours=("$work/cli/compliance" hash)
    echo "compliance: published CLI"
else
    dotnet publish "$repo/tests/bench/blake3-harness" "${publish[@]}" -o "$work/harness" >"$work/publish.log"
    ours=("$work/harness/Blake3Harness" file)
    echo "compliance: CLI did not build (see $work/publish.log); timing the harness's file mode instead"
fi

input="$work/input-${size_mib}m.bin"
[ -f "$input" ] || head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$input"
cat "$input" >/dev/null # into the page cache

expected=$(b3sum "$input" | cut -d' ' -f1)
actual=$("${ours[@]}" "$input" | cut -d' ' -f1)
[ "$expected" = "$actual" ] || { echo "digest mismatch: b3sum $expected, compliance $actual" >&2; exit 1; }

# One timed run: prints "wall_seconds cpu_seconds" (cpu = user + system, steadier than wall on a shared machine).
timed() { /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" >/dev/null; awk '{ print $1, $2 + $3 }' "$work/time.txt"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

threads_all=$(nproc)
printf '%-36s %8s %8s %9s %9s\n' "median of $runs runs, $size_mib MiB" "wall s" "GiB/s" "wall vs" "cpu vs"
for threads in 1 "$threads_all"; do
    declare -A times=()
    names=("b3sum" "compliance" "compliance simd=256" "compliance simd=128")
    for ((run = 0; run < runs; run++)); do
        times[b3sum]+="$(timed b3sum --num-threads "$threads" "$input")"$'\n'
        times[compliance]+="$(timed "${ours[@]}" --num-threads "$threads" "$input")"$'\n'
        times[compliance simd=256]+="$(COMPLIANCE_BLAKE3_SIMD=256 timed "${ours[@]}" --num-threads "$threads" "$input")"$'\n'
        times[compliance simd=128]+="$(COMPLIANCE_BLAKE3_SIMD=128 timed "${ours[@]}" --num-threads "$threads" "$input")"$'\n'
    done
    base_wall=$(printf '%s' "${times[b3sum]}" | awk 'NF { print $1 }' | median)
    base_cpu=$(printf '%s' "${times[b3sum]}" | awk 'NF { print $2 }' | median)
    for name in "${names[@]}"; do
        wall=$(printf '%s' "${times[$name]}" | awk 'NF { print $1 }' | median)
        cpu=$(printf '%s' "${times[$name]}" | awk 'NF { print $2 }' | median)
        printf '%-36s %8.3f %8.2f %8.2fx %8.2fx\n' "$name threads=$threads" "$wall" \
            "$(echo "$size_mib / 1024 / $wall" | bc -l)" "$(echo "$base_wall / $wall" | bc -l)" "$(echo "$base_cpu / $cpu" | bc -l)"
    done
    unset times
done
