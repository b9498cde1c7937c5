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

apt-get update -qq
apt-get install -y -qq sleuthkit ntfs-3g fdisk qemu-utils attr >/dev/null

if [[ ! -f $image ]]; then
  echo "building $image ($files files through ntfs-3g; takes a few minutes, once)"
  "$root/tests/ntfs-images/make-images.sh" many "$files" "$image.part"
  mv "$image.part" "$image"
fi
dotnet build "$root/src/Compliance.Cli" -c Release --artifacts-path "$art" -v q -nologo >/dev/null
cli="$art/bin/Compliance.Cli/release/compliance"
icat "$image" 0 > "$image.mft" # the bare $MFT, as copied off a live volume

best_ms() { # command...
  "$@" >/dev/null 2>&1 # warm-up
  local best=""
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    local ms=$(( (end - start) / 1000000 ))
    [[ -z $best || $ms -lt $best ]] && best=$ms
  done
  echo "$best"
}

entries=$("$cli" mft list "$image" | tail -n +2 | wc -l)
fls_rows=$(fls -r -p "$image" | wc -l)
image_ms=$(best_ms "$cli" mft list "$image")
bare_ms=$(best_ms "$cli" mft list "$image.mft")
fls_ms=$(best_ms fls -r -p "$image")

printf '%-40s %8s %10s\n' "command" "rows" "best ms"
printf '%-40s %8s %10s\n' "compliance mft list IMAGE" "$entries" "$image_ms"
printf '%-40s %8s %10s\n' "compliance mft list \$MFT (bare)" "$entries" "$bare_ms"
printf '%-40s %8s %10s\n' "fls -r -p IMAGE" "$fls_rows" "$fls_ms"
awk -v a="$image_ms" -v f="$fls_ms" 'BEGIN { printf "ratio fls / compliance (image): %.1fx\n", f / (a > 0 ? a : 1) }'
if (( image_ms < budget_ms )); then echo "PASS: mft list under ${budget_ms} ms"; else echo "FAIL: mft list took ${image_ms} ms, budget ${budget_ms} ms"; exit 1; fi
