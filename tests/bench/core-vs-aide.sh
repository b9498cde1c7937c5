#!/usr/bin/env bash
# Baseline and check speed on /usr/share with a warm page cache, side by side in one run:
#   compliance baseline      vs  aide --init
#   compliance check         vs  aide --check   (nothing changed)
#   compliance check --rehash vs aide --check
#   find | xargs b3sum       (the hashing floor)
# AIDE and compliance compare the same attributes with SHA-256. Runs alternate; medians and ratios are printed, and
# every run's time. Our commands are short and the machine is shared, so each runs REPEAT times a round (AIDE once).
# Usage: bash tests/bench/core-vs-aide.sh [TREE] [ROUNDS] [REPEAT]    (default /usr/share, 3 rounds, 3 repeats)
set -euo pipefail
cd "$(dirname "$0")/../.."
tree=${1:-/usr/share}
rounds=${2:-3}
repeat=${3:-3}

need=()
for tool in aide b3sum; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish src/Compliance.Cli -c Release -o "$work/bin" -nologo -v q >/dev/null
compliance="$work/bin/compliance"

cat > "$work/policy.yaml" <<YAML
name: bench
categories:
  - name: tree
    attributes: [type, size, mode, uid, gid, mtime, ctime, inode, nlink, target, xattrs, acl, selinux, sha256]
    include: ["$tree"]
YAML
cat > "$work/aide.conf" <<CONF
database_in=file:$work/aide.db
database_out=file:$work/aide.db.new
gzip_dbout=no
report_url=stdout
Same = ftype+p+u+g+s+m+c+i+n+l+xattrs+acl+selinux+sha256
$tree Same
CONF

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N); echo "$end - $start" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "warming the page cache on $tree ..."
find "$tree" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true
entries=$(find "$tree" | wc -l)
echo "$entries entries, $(du -sh "$tree" | cut -f1)"

declare -A t
for round in $(seq "$rounds"); do
    for _ in $(seq "$repeat"); do
        rm -f "$work/c.db"*
        t[c_init]+="$(seconds "$compliance" baseline --policy "$work/policy.yaml" --db "$work/c.db")"$'\n'
    done
    rm -f "$work/aide.db" "$work/aide.db.new"
    t[a_init]+="$(seconds aide --init -c "$work/aide.conf")"$'\n'
    mv "$work/aide.db.new" "$work/aide.db"
    for _ in $(seq "$repeat"); do
        t[c_check]+="$(seconds "$compliance" check --db "$work/c.db")"$'\n'
        t[c_rehash]+="$(seconds "$compliance" check --rehash --db "$work/c.db")"$'\n'
    done
    t[a_check]+="$(seconds aide --check -c "$work/aide.conf")"$'\n'
    t[b3sum]+="$(seconds sh -c "find '$tree' -type f -print0 | xargs -0 b3sum")"$'\n'
    echo "round $round done"
done

m() { printf '%s' "${t[$1]}" | sed '/^$/d' | median; }
ci=$(m c_init); ai=$(m a_init); cc=$(m c_check); cr=$(m c_rehash); ac=$(m a_check); b3=$(m b3sum)
printf '\n%-34s %10s %10s %8s\n' "operation ($rounds rounds x $repeat, median)" "compliance" "aide" "ratio"
printf '%-34s %9.2fs %9.2fs %7.1fx\n' "baseline / --init" "$ci" "$ai" "$(echo "$ai / $ci" | bc -l)"
printf '%-34s %9.2fs %9.2fs %7.1fx\n' "check, nothing changed / --check" "$cc" "$ac" "$(echo "$ac / $cc" | bc -l)"
printf '%-34s %9.2fs %9.2fs %7.1fx\n' "check --rehash / --check" "$cr" "$ac" "$(echo "$ac / $cr" | bc -l)"
printf '%-34s %9.2fs\n' "find | xargs b3sum (floor)" "$b3"
echo "targets: check >= 50x, baseline and check --rehash >= 10x"
echo "every run (seconds):"
for key in c_init a_init c_check c_rehash a_check b3sum; do
    printf '  %-9s %s\n' "$key" "$(printf '%s' "${t[$key]}" | sed '/^$/d' | tr '\n' ' ')"
done
