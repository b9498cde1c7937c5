#!/usr/bin/env bash
# Builds the demo drift scenario with the real CLI and writes the example reports to reports/examples/:
# a baseline of a small server-like tree under reports/templates/demo-policy.yaml, a change approved with
# `accept`, a change reverted before anyone approved it, and open drift (content, permissions, removal, and added
# files whose names hold commas, quotes, a line break, several scripts and a byte that is not UTF-8); then the
# PDF (A4 and Letter), CSV and JSON reports, a key pair, a signed attestation and its verification.
#
# Usage: reports/make-example.sh [OUTDIR]   (default reports/examples; COMPLIANCE=path/to/compliance skips the build)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/reports/examples}
if [[ -z "${COMPLIANCE:-}" ]]; then
    artifacts=${ARTIFACTS:-/tmp/art-example}
    dotnet build "$repo/src/Compliance.Cli" --artifacts-path "$artifacts" -v quiet -nologo >/dev/null
    COMPLIANCE="$artifacts/bin/Compliance.Cli/debug/compliance"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/tree db=$work/state.db
mkdir -p "$tree"/{etc/ssh,opt/app/bin,var/log/audit} "$out"

printf 'root:x:0:0:root:/root:/bin/bash\n' >"$tree/etc/passwd"
printf 'PermitRootLogin no\n' >"$tree/etc/ssh/sshd_config"
printf '#!/bin/sh\necho v1\n' >"$tree/opt/app/bin/payments"
printf 'currency: EUR\n' >"$tree/opt/app/config.yaml"
printf 'fast_checkout=false\n' >"$tree/opt/app/feature.flags"
printf 'old\n' >"$tree/opt/app/obsolete.conf"
printf 'type=DAEMON_START\n' >"$tree/var/log/audit/audit.log"
touch -d '2026-01-01 00:00:00Z' "$tree/opt/app/feature.flags"

"$COMPLIANCE" baseline --db "$db" --policy "$repo/reports/templates/demo-policy.yaml" --root "$tree" --by alice --reason "initial baseline, CHG-1000" >/dev/null

# A release, approved afterwards; a flag flipped and flipped back before anyone approved it.
printf '#!/bin/sh\necho v2\n' >"$tree/opt/app/bin/payments"
printf 'fast_checkout=true\n' >"$tree/opt/app/feature.flags"
"$COMPLIANCE" check --db "$db" >/dev/null || true
"$COMPLIANCE" accept --db "$db" --by bob --reason "CHG-1042 payments v2" /opt/app/bin/payments >/dev/null
printf 'fast_checkout=false\n' >"$tree/opt/app/feature.flags"
touch -d '2026-01-01 00:00:00Z' "$tree/opt/app/feature.flags"

# Unapproved drift that is still there at the last check.
printf 'root:x:0:0:root:/root:/bin/bash\nmallory:x:0:0::/root:/bin/bash\n' >"$tree/etc/passwd"
chmod 0666 "$tree/etc/ssh/sshd_config" "$tree/var/log/audit/audit.log"
rm "$tree/opt/app/obsolete.conf"
for name in 'name, with comma.conf' 'say "cheese".conf' $'line\nbreak.conf' '日本語の設定.conf' 'Ελληνικά.conf' 'Кириллица.conf' '한국어.conf' 'עברית.conf' $'latin1-caf\xe9.conf'; do
    printf 'added\n' >"$tree/opt/app/$name"
done
"$COMPLIANCE" check --db "$db" >/dev/null || true

"$COMPLIANCE" report --db "$db" --format pdf --out "$out/demo-report-a4.pdf"
"$COMPLIANCE" report --db "$db" --format pdf --paper letter --framework pci-dss --out "$out/demo-report-letter-pci-dss.pdf"
"$COMPLIANCE" report --db "$db" --format csv --out "$out/demo-findings.csv"
"$COMPLIANCE" report --db "$db" --format json --out "$out/demo-report.json"
"$COMPLIANCE" keygen --out "$work/demo-key" >/dev/null
"$COMPLIANCE" attest --db "$db" --key "$work/demo-key" --report "$out/demo-report-a4.pdf" --out "$out/demo-attestation.json"
cp "$work/demo-key.pub" "$out/demo-key.pub"
"$COMPLIANCE" verify "$out/demo-attestation.json" --pub "$out/demo-key.pub" --report "$out/demo-report-a4.pdf" --db "$db"
