#!/usr/bin/env bash
# The project's test command (README, "Set up"): builds everything with warnings as errors, proves the
# Windows-only code still compiles, runs every test project, then the end-to-end scenario on a copy of /usr/share.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=${CONFIGURATION:-Release}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "== build (warnings are errors)"
dotnet build Compliance.sln -c "$configuration" -nologo -v q

echo "== build for win-x64 (Windows-only code must not rot)"
# A solution-level RID is refused by the SDK (NETSDK1134); the CLI references every src project.
dotnet build src/Compliance.Cli -c "$configuration" -r win-x64 -nologo -v q

echo "== unit and integration tests"
status=0
for project in tests/*.Tests/*.csproj; do
    name=$(basename "$project" .csproj)
    echo "-- $name"
    if ! dotnet test "$project" -c "$configuration" --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" 2>&1 | tee "$results/$name.log" | grep -E "^(Passed|Failed)!|\[FAIL\]|error" ; then
        :
    fi
    if ! grep -qE "^Passed!" "$results/$name.log"; then
        status=1
        # What failed and why, so that a failure seen once (in CI, say) can be understood without a rerun.
        sed -n '/^  Failed /,/^  Stack Trace:/p' "$results/$name.log"
    fi
done

echo "== scenario: baseline, scripted drift, accept on a copy of /usr/share"
if bash tests/scenarios/usr-share-drift.sh; then scenario=1; scenario_failed=0; else scenario=0; scenario_failed=1; status=1; fi

passed=$(cat "$results"/*.log | sed -nE 's/^(Passed|Failed)! +- Failed: +([0-9]+), Passed: +([0-9]+).*/\3/p' | paste -sd+ | bc)
failed=$(cat "$results"/*.log | sed -nE 's/^(Passed|Failed)! +- Failed: +([0-9]+), Passed: +([0-9]+).*/\2/p' | paste -sd+ | bc)
echo "$((passed + scenario)) passed, $((failed + scenario_failed)) failed"
exit $status
