#!/usr/bin/env bash
# `compliance mft list` against The Sleuth Kit's `fls -r -p` on the same NTFS image of 100,000 files, side by side.
# Installs its peers with apt-get, builds the image once with tests/ntfs-images/make-images.sh (cached in /tmp),
# then reports the best of several runs of each, after one warm-up run each so both read from the page cache.
#   tests/bench/mft-list.sh            (as root; MFT_BENCH_FILES and MFT_BENCH_RUNS override the defaults)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
files=${MFT_BENCH_FILES:-100000}
runs=${MFT_BENCH_RUNS:-5}
image=/tmp/compliance-mft-bench-$files.img
art=/tmp/art-bench-mft
budget_ms=1000

apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq sleuthkit ntfs-3g fdisk qemu-utils attr time >/dev/null

if [[ ! -f $image ]]; then
  echo "building $image ($files files through ntfs-3g; takes a few minutes, once)"
  "$root/tests/ntfs-images/make-images.sh" many "$files" "$image.part"
  mv "$image.part" "$image"
fi
dotnet build "$root/src/Compliance.Cli" -c Release --artifacts-path "$art" -v q -nologo >/dev/null
cli="$art/bin/Compliance.Cli/release/compliance"
icat "$image" 0 > "$image.mft" # the bare $MFT, as copied off a live volume

# Prints "WALL_MS CPU_MS": the best wall-clock time and the best user+system CPU time of the runs. On a shared
# machine the wall clock includes waiting for a core; the CPU time is what the command itself costs.
best_ms() { # command...
  "$@" >/dev/null 2>&1 # warm-up
  local best_wall="" best_cpu=""
  for _ in $(seq 1 "$runs"); do
    local wall cpu
    read -r wall cpu < <(/usr/bin/time -f '%e %U %S' "$@" 2>&1 >/dev/null | awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }')
    [[ -z $best_wall || $wall -lt $best_wall ]] && best_wall=$wall
    [[ -z $best_cpu || $cpu -lt $best_cpu ]] && best_cpu=$cpu
  done
  echo "$best_wall $best_cpu"
}

entries=$("$cli" mft list "$image" | tail -n +2 | wc -l)
fls_rows=$(fls -r -p "$image" | wc -l)
read -r image_ms image_cpu < <(best_ms "$cli" mft list "$image")
read -r bare_ms bare_cpu < <(best_ms "$cli" mft list "$image.mft")
read -r fls_ms fls_cpu < <(best_ms fls -r -p "$image")

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; best of $runs runs"
printf '%-36s %8s %12s %12s\n' "command" "rows" "wall ms" "cpu ms"
printf '%-36s %8s %12s %12s\n' "compliance mft list IMAGE" "$entries" "$image_ms" "$image_cpu"
printf '%-36s %8s %12s %12s\n' "compliance mft list \$MFT (bare)" "$entries" "$bare_ms" "$bare_cpu"
printf '%-36s %8s %12s %12s\n' "fls -r -p IMAGE" "$fls_rows" "$fls_ms" "$fls_cpu"
awk -v a="$image_ms" -v f="$fls_ms" -v ac="$image_cpu" -v fc="$fls_cpu" \
  'BEGIN { printf "ratio fls / compliance: wall %.1fx, cpu %.1fx\n", f / (a > 0 ? a : 1), fc / (ac > 0 ? ac : 1) }'
if (( image_ms < budget_ms )); then echo "PASS: mft list under ${budget_ms} ms"; else echo "FAIL: mft list took ${image_ms} ms, budget ${budget_ms} ms"; exit 1; fi
