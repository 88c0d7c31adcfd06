#!/usr/bin/env bash
# bench/stats.sh — the statistics kernel against the scipy reference, same
# run, same machine.  Prints each timing and the ratio scipy / abc.
#   BUILD=build bash bench/stats.sh          (QUICK=1 for smaller inputs)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PY=${PY:-/usr/bin/python3}
make -s BUILD="$BUILD" "$BUILD/bench/stats_bench" >/dev/null
B="$BUILD/bench/stats_bench"
CELLS=100000; RAW=1000000; RES=1000
if [ "${QUICK:-0}" = 1 ]; then RAW=100000; RES=200; fi

secs() { awk '{print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(date -u +%Y-%m-%d)"
c=$("$B" cells $CELLS | secs)
read -r pv pl < <("$PY" bench/stats_ref.py cells $CELLS | awk '{printf "%s ", $2} END {print ""}')
printf "cells (%d, t-test + Bayes + CS): abc %.3fs | scipy vectorised %.3fs (%s) | scipy per-cell loop %.1fs (%s)\n" \
  $CELLS "$c" "$pv" "$(ratio "$pv" "$c")" "$pl" "$(ratio "$pl" "$c")"
awk -v c="$c" 'BEGIN { if (c >= 0.5) { print "FAIL: cells over 0.5 s"; exit 1 } }'
m=$("$B" mw $RAW | secs)
pm=$("$PY" bench/stats_ref.py mw $RAW | secs)
printf "mann-whitney (%d per arm): abc %.3fs | scipy %.3fs (%s)\n" $RAW "$m" "$pm" "$(ratio "$pm" "$m")"
b=$("$B" bootstrap $RAW $RES | secs)
pb=$("$PY" bench/stats_ref.py bootstrap $RAW $RES | secs)
printf "bootstrap (%d per arm, %d resamples): abc %.2fs | scipy %.2fs (%s)\n" $RAW $RES "$b" "$pb" "$(ratio "$pb" "$b")"
