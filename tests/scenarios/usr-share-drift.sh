#!/usr/bin/env bash
# The core issue's end-to-end scenario on a copy of /usr/share: baseline then check reports nothing; a scripted set
# of changes is reported with the right kinds and attributes (exit 1); accept --all then check exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
configuration=${CONFIGURATION:-Release}
compliance=(dotnet "src/Compliance.Cli/bin/$configuration/net10.0/compliance.dll")
[ -f "${compliance[1]}" ] || dotnet build src/Compliance.Cli -c "$configuration" -nologo -v q

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/share"
db="$work/state.db"
cp -a /usr/share "$tree"
run() { "${compliance[@]}" "$@" --db "$db"; }

run baseline "$tree" >/dev/null
run check >/dev/null || { echo "FAIL: check right after baseline reported drift"; run check | head -20; exit 1; }

# A file of each kind of change, picked from the copy (awk reads all input: no SIGPIPE under pipefail).
first() { find "$tree" -type f "$@" | sort | awk 'NR == 1'; }
edit=$(first -name '*.txt' -size +1k)
chmodded=$(first -name '*.gz')
chowned=$(first -name '*.html')
renamed=$(first -name '*.png')
deleted=$(first -name '*.xml')
replaced=$(first -name '*.conf')
added="$tree/compliance-added-file"

echo "new" > "$added"
rm "$deleted"
echo "edited" >> "$edit"
chmod 600 "$chmodded"
chown 4242:4242 "$chowned"
mv "$renamed" "$renamed.moved"
rm "$replaced"; ln -s /etc/hostname "$replaced"

set +e
run check --json > "$work/check.json"
code=$?
set -e
[ "$code" -eq 1 ] || { echo "FAIL: check after changes exited $code, expected 1"; exit 1; }

python3 - "$work/check.json" <<PY
import json, sys
findings = {f["path"]: f for f in json.load(open(sys.argv[1]))["findings"]}
def expect(path, kind, attributes=()):
    f = findings.get(path)
    assert f is not None, f"no finding for {path}"
    assert f["kind"] == kind, f"{path}: kind {f['kind']}, expected {kind}"
    missing = set(attributes) - set(f["attributes"])
    assert not missing, f"{path}: attributes {f['attributes']} lack {missing}"
expect("$added", "added")
expect("$deleted", "removed")
expect("$edit", "content", ["size", "blake3", "mtime"])
expect("$chmodded", "metadata", ["mode"])
expect("$chowned", "metadata", ["uid", "gid"])
expect("$renamed.moved", "moved", ["path"])
assert findings["$renamed.moved"]["from"] == "$renamed"
expect("$replaced", "type", ["type"])
print(f"scenario: {len(findings)} findings, each change reported with its kind and attributes")
PY

run accept --all --reason "scenario" >/dev/null
run check >/dev/null || { echo "FAIL: check after accept --all reported drift"; exit 1; }
echo "scenario: passed"
