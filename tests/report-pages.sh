#!/usr/bin/env bash
# Renders every page of a report PDF to PNG with pdftoppm (Debian: poppler-utils) so a person can look at it,
# and prints the page count and each page's first line of text. With --examples, also copies the cover and the
# first page of the unapproved-changes table to reports/examples/ (the committed pictures of the example report).
#
# Usage: tests/report-pages.sh REPORT.pdf OUTDIR [--examples]
set -euo pipefail
pdf=$1 out=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
pdftoppm -r 80 -png "$pdf" "$out/page"
pages=$(ls "$out"/page-*.png | wc -l)
echo "$pdf: $pages page(s) rendered to $out"
drift_page=
for ((i = 1; i <= pages; i++)); do
    text=$(pdftotext -enc UTF-8 -f "$i" -l "$i" "$pdf" - | grep -v '^\s*$' | head -1)
    printf '  page %d: %s\n' "$i" "$text"
    [[ -z "$drift_page" && "$text" == "Unapproved changes" ]] && drift_page=$i
done
if [[ "${3:-}" == "--examples" ]]; then
    [[ -n "$drift_page" ]] || { echo "no page starts with 'Unapproved changes'" >&2; exit 1; }
    pdftoppm -r 100 -png -f 1 -l 1 -singlefile "$pdf" "$repo/reports/examples/page-1-cover"
    pdftoppm -r 100 -png -f "$drift_page" -l "$drift_page" -singlefile "$pdf" "$repo/reports/examples/page-$drift_page-drift-table"
    echo "copied page 1 and page $drift_page to reports/examples/"
fi
