#!/usr/bin/env bash
# bench/activity_days.sh — what a daily run costs early and late in the
# month: specs/retention.ab (growth analytics by variation, three
# experiment metrics) on `abc synth` data, a private mariadbd.  Per abc
# binary: a --full run through 2026-10-06, the daily run of 2026-10-07,
# then (from scratch) a --full run through 2026-10-27 and the daily run of
# 2026-10-28.  Per run: wall time, the growth steps' times from the
# progress lines (fill: activity_fill .. the period rows; stage:
# activity_stage) and Handler_read_* (only abc talks to the server).  With
# two binaries (the same data, one after the other), the growth report and
# cohort tables of their day-28 runs must be identical, and the script
# says whether their experiment results (the daily report rows of every
# date, computed_at aside) are.
#
#   bash bench/activity_days.sh [ABC [ABC2]]      ABC default build/abc
#   USERS=100000 bash bench/activity_days.sh      scale (default 20,000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
abs() { case "$1" in /*) echo "$1" ;; *) echo "$root/$1" ;; esac; }
ABCS=("$(abs "${1:-${ABC:-build/abc}}")")
[ $# -ge 2 ] && ABCS+=("$(abs "$2")")
USERS=${USERS:-20000}
SPEC=specs/retention.ab
SNAP=$root/examples/growthbook-snapshot.json
for b in "${ABCS[@]}"; do
    [ -x "$b" ] || { echo "activity_days: $b not found (make)" >&2; exit 2; }
done
. tests/integration/mariadbd.sh
tmp=$(mktemp -d /tmp/abc-actdays.XXXXXX)
cleanup() { mariadbd_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p' | head -1), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "scale: $USERS users x 28 days from 2026-10-01 (+14 pre)"
mariadbd_start "$tmp/srv"
printf 'warehouse: {dsn: "mysql://root@localhost?socket=%s"}\ngrowthbook: {file: %s}\n' \
    "$MARIADBD_SOCKET" "$SNAP" >"$tmp/rem.yaml"
"${ABCS[0]}" synth --socket "$MARIADBD_SOCKET" --users "$USERS" --days 28 --pre-days 14 \
    --start 2026-10-01 --seed 42 --snapshot "$SNAP" --replace --quiet
reads() { mariadbd_sql -N -e "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
                              WHERE VARIABLE_NAME LIKE 'HANDLER_READ%'"; }
reset() { mariadbd_sql -e "DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app"; }

# run_abc ABC NAME TODAY [options]: one `abc run`, one line of numbers
run_abc() {
    local bin=$1 name=$2 day=$3 r0 r1 t0 t1 rc=0
    shift 3
    r0=$(reads)
    t0=$(date +%s.%N)
    ABC_TODAY=$day "$bin" run "$SPEC" --config "$tmp/rem.yaml" --memo-dir "$tmp/memo" "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    t1=$(date +%s.%N)
    if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then # 4: a health check the spec asks for failed
        echo "activity_days: abc run ($name) failed with exit $rc:" >&2
        tail -n 20 "$tmp/$name.err" >&2
        exit 1
    fi
    r1=$(reads)
    # stats: from the line before the unit state (or before the statistics,
    # for a binary without it) to "sufficient statistics read"
    read -r fill stage stats < <(awk 'match($0, /\(([0-9.]+) s\)$/) {
            t = substr($0, RSTART + 1, RLENGTH - 4) + 0
            if ($0 ~ /activity days filled/) fill = t - prev
            else if ($0 ~ /rows of .* staged/) stage = t - prev
            else if ($0 ~ /unit state of/) ustart = prev
            else if ($0 ~ /sufficient statistics read/) stats = t - (ustart != "" ? ustart : prev)
            prev = t }
        END { printf "%.2f %.2f %.2f\n", fill, stage, stats }' "$tmp/$name.err")
    printf '  %-12s %8.2f s   growth fill %5.2f s, stage %5.2f s   statistics %5.2f s   Handler_read_* %10d\n' \
        "$name" "$(echo "$t1 - $t0" | bc)" "$fill" "$stage" "$stats" $((r1 - r0))
}

i=0
for bin in "${ABCS[@]}"; do
    echo "== $bin"
    reset
    run_abc "$bin" full-day6 2026-10-07 --full
    run_abc "$bin" day7 2026-10-08
    reset
    run_abc "$bin" full-day27 2026-10-28 --full
    run_abc "$bin" day28 2026-10-29
    mariadbd_sql -e "SELECT * FROM abc.tbl_activity_report_retention_retention
                     ORDER BY period, grain, activity, breakdown_value, measure" >"$tmp/report.$i"
    mariadbd_sql -e "SELECT * FROM abc.tbl_activity_cohort_retention_retention
                     ORDER BY period, grain, activity, cohort, k" >"$tmp/cohort.$i"
    # the experiment results of every date, computed_at aside
    cols=$(mariadbd_sql -N -e "SELECT GROUP_CONCAT(CONCAT('\`', COLUMN_NAME, '\`') ORDER BY ORDINAL_POSITION)
                               FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'abc'
                               AND TABLE_NAME = 'tbl_report_daily_retention_retention'
                               AND COLUMN_NAME <> 'computed_at'")
    mariadbd_sql -e "SELECT $cols FROM abc.tbl_report_daily_retention_retention ORDER BY $cols" \
        >"$tmp/daily.$i"
    i=$((i + 1))
done
if [ "${#ABCS[@]}" = 2 ]; then
    cmp -s "$tmp/report.0" "$tmp/report.1" && cmp -s "$tmp/cohort.0" "$tmp/cohort.1" ||
        { echo "activity_days: the two binaries' growth tables differ" >&2; exit 1; }
    echo "the growth report and cohort tables of both binaries are identical ($(wc -l <"$tmp/report.0") report rows)"
    if cmp -s "$tmp/daily.0" "$tmp/daily.1"; then
        echo "their experiment results of every date are identical ($(wc -l <"$tmp/daily.0") daily rows)"
    else
        echo "their experiment results differ: $(diff "$tmp/daily.0" "$tmp/daily.1" | grep -c '^<') of $(wc -l <"$tmp/daily.0") daily rows"
    fi
fi
