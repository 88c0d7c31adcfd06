#!/usr/bin/env bash
# scripts_syntax.sh — every shell script of the repository parses (bash -n):
# the benchmarks and helpers run rarely, and a quote in a comment inside an
# awk program can break one without any other test noticing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fails=0 n=0
while IFS= read -r f; do
    n=$((n + 1))
    if ! out=$(bash -n "$f" 2>&1); then
        echo "FAIL: $f does not parse: $out" >&2
        fails=$((fails + 1))
    fi
done < <(git ls-files '*.sh' .ci/run)
[ "$n" -gt 0 ] || { echo "FAIL: no shell scripts found" >&2; exit 1; }
[ "$fails" = 0 ] || exit 1
echo "scripts syntax: ok ($n scripts)"
