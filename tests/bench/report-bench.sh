#!/usr/bin/env bash
# The report benchmark: a state database with N synthetic findings (default 100,000) rendered as the PDF report
# and as CSV, each in a fresh process, with wall time and peak memory from /usr/bin/time next to the harness's own
# figures. The issue's bar: 100,000 findings render in under 30 s and under 500 MB.
# Usage: tests/bench/report-bench.sh [findings=100000]
set -euo pipefail
count=${1:-100000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${REPORT_BENCH_DIR:-/tmp/report-bench}
mkdir -p "$work"
dotnet publish "$repo/tests/bench/report-harness" -c Release --artifacts-path "$work/art" -o "$work/harness" >"$work/publish.log"
harness=$work/harness/ReportHarness
rm -f "$work/state.db"*
"$harness" fill "$work/state.db" "$count"
for format in pdf csv; do
    echo "== $format"
    /usr/bin/time -f "wall %e s, max RSS %M KiB" "$harness" render "$work/state.db" "$format" "$work/report.$format"
done
