#!/usr/bin/env bash
# check.sh — benchmark `abc check` over a generated corpus of 1,000 specs of
# about 50 metrics each (bench/check_corpus.py), against `cat` of the same
# files, and report the ratio and abc's peak RSS.  Target: the whole corpus
# checked in under 1 s.
#
#   ABC=build/abc bash bench/check.sh        (ABC defaults to build/abc)
#
# Env: CHECK_SPECS (1000), CHECK_METRICS (50), CHECK_RUNS (10 timed runs).
# Uses hyperfine when installed, else repeated /usr/bin/time runs (median).
# Exits non-zero when a tool is missing or a generated spec does not check
# clean; missing the 1 s target is reported, not a failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
abc=${ABC:-$root/build/abc}
case $abc in /*) ;; *) abc=$root/$abc ;; esac
specs=${CHECK_SPECS:-1000}
metrics=${CHECK_METRICS:-50}
runs=${CHECK_RUNS:-10}

if [ ! -x "$abc" ]; then
    echo "check.sh: $abc not found (run make first, or set ABC)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/abc-check-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$here/check_corpus.py" "$work/specs" --specs "$specs" --metrics "$metrics"
bytes=$(cat "$work"/specs/* | wc -c)
nfiles=$(ls "$work/specs" | wc -l)

# The corpus must be clean, or the benchmark measures error paths.
if ! "$abc" check "$work"/specs/* > /dev/null 2> "$work/diag.txt"; then
    echo "check.sh: the generated corpus does not check clean:" >&2
    head -20 "$work/diag.txt" >&2
    exit 1
fi

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cd "$work/specs"
if command -v hyperfine > /dev/null; then
    hyperfine --warmup 2 --runs "$runs" --style basic -N --export-json "$work/hf.json" \
        "$abc check $(echo *)" "cat $(echo *)" > "$work/hf.txt" 2>&1 || {
        cat "$work/hf.txt" >&2
        exit 1
    }
    read -r t_abc t_cat < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"])' "$work/hf.json")
    tool="hyperfine ($runs runs, median)"
else
    for _ in 1 2; do "$abc" check * > /dev/null; cat * > /dev/null; done
    t_abc=$(for _ in $(seq "$runs"); do /usr/bin/time -f %e "$abc" check * 2>&1 > /dev/null | tail -1; done | median)
    t_cat=$(for _ in $(seq "$runs"); do /usr/bin/time -f %e cat * 2>&1 > /dev/null | tail -1; done | median)
    tool="/usr/bin/time ($runs runs, median)"
fi
rss_kb=$(for _ in 1 2 3; do /usr/bin/time -f %M "$abc" check * 2>&1 > /dev/null | tail -1; done | median)

awk -v a="$t_abc" -v c="$t_cat" -v r="$rss_kb" -v n="$nfiles" -v b="$bytes" -v m="$metrics" -v tool="$tool" 'BEGIN {
    printf "abc check: %d specs (~%d metrics each, %.1f MB), timed with %s\n", n, m, b / 1048576, tool
    printf "  abc check  %8.3f s   (%.0f specs/s, %.1f MB/s)\n", a, n / a, b / 1048576 / a
    printf "  cat        %8.3f s\n", c
    printf "  ratio      %8.1f x cat\n", a / c
    printf "  peak RSS   %8.1f MB\n", r / 1024
    printf "  target     under 1 s: %s\n", a < 1 ? "met" : "MISSED"
}'
