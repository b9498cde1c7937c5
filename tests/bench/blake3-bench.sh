#!/usr/bin/env bash
# Times `compliance hash` against b3sum on the same 1 GiB file read from the page cache, one thread and all
# threads, the two tools alternating run by run, and prints medians and the throughput ratio.
# Also times compliance with the SIMD width forced to 256 and 128 bits (COMPLIANCE_BLAKE3_SIMD).
# Usage: tests/bench/blake3-bench.sh [runs=5] [size_mib=1024]
set -euo pipefail
runs=${1:-5}
size_mib=${2:-1024}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${BLAKE3_BENCH_DIR:-/tmp/blake3-bench}
mkdir -p "$work"

if ! command -v b3sum >/dev/null; then
    apt-get install -y b3sum >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y b3sum >/dev/null; }
fi

# Publish the real CLI; should it not build (others' work in progress), fall back to the harness's file mode,
# which runs the same FileDigester the command uses.
if dotnet publish "$repo/src/Compliance.Cli" -c Release -o "$work/cli" --artifacts-path "$work/art" >"$work/publish.log" 2>&1; then
    ours=("$work/cli/compliance" hash)
    echo "compliance: published CLI"
else
    dotnet publish "$repo/tests/bench/blake3-harness" -c Release -o "$work/harness" --artifacts-path "$work/art" >"$work/publish.log"
    ours=("$work/harness/Blake3Harness" file)
    echo "compliance: CLI did not build (see $work/publish.log); timing the harness's file mode instead"
fi

input="$work/input-${size_mib}m.bin"
[ -f "$input" ] || head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$input"
cat "$input" >/dev/null # into the page cache

expected=$(b3sum "$input" | cut -d' ' -f1)
actual=$("${ours[@]}" "$input" | cut -d' ' -f1)
[ "$expected" = "$actual" ] || { echo "digest mismatch: b3sum $expected, compliance $actual" >&2; exit 1; }

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

threads_all=$(nproc)
printf '%-34s %8s %8s %8s\n' "case ($size_mib MiB, $runs runs, median)" "seconds" "GiB/s" "vs b3sum"
for threads in 1 "$threads_all"; do
    b3=() ; ours_default=() ; ours_256=() ; ours_128=()
    for ((run = 0; run < runs; run++)); do
        b3+=("$(seconds b3sum --num-threads "$threads" "$input")")
        ours_default+=("$(seconds "${ours[@]}" --num-threads "$threads" "$input")")
        ours_256+=("$(COMPLIANCE_BLAKE3_SIMD=256 seconds "${ours[@]}" --num-threads "$threads" "$input")")
        ours_128+=("$(COMPLIANCE_BLAKE3_SIMD=128 seconds "${ours[@]}" --num-threads "$threads" "$input")")
    done
    base=$(printf '%s\n' "${b3[@]}" | median)
    report() {
        local name=$1; shift
        local t; t=$(printf '%s\n' "$@" | median)
        printf '%-34s %8.3f %8.2f %8.2fx\n' "$name" "$t" "$(echo "$size_mib / 1024 / $t" | bc -l)" "$(echo "$base / $t" | bc -l)"
    }
    report "b3sum threads=$threads" "${b3[@]}"
    report "compliance threads=$threads" "${ours_default[@]}"
    report "compliance threads=$threads simd=256" "${ours_256[@]}"
    report "compliance threads=$threads simd=128" "${ours_128[@]}"
done
