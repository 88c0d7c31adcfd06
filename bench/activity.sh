#!/usr/bin/env bash
# bench/activity.sh — growth analytics (the activity block of
# specs/retention.ab: DAU, rolling WAU/MAU, weekly and monthly growth
# accounting, retention triangles, by variation) on synthetic data of
# `abc synth`, "today" pinned with ABC_TODAY.
#
#   bash bench/activity.sh [ABC]        ABC default build/abc
#   USERS=20000 DAYS=42 bash bench/activity.sh
#
# For the embedded warehouse and a private mariadbd (tests/integration/
# mariadbd.sh): a --full run through the day before the last, then the
# daily run of the last day.  Per run: wall time and the activity steps'
# times from the progress lines (fill + state, stage, the switch inside
# report_publish); on the server, Handler_read_* (SHOW GLOBAL STATUS: only
# abc talks to it) around the daily run against that day's events; then
# bench/activity_pandas.py over the same table (whole history, as a full
# build) and the ratio to abc's activity time of the full run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ABC=${1:-${ABC:-build/abc}}
case "$ABC" in /*) ;; *) ABC="$root/$ABC" ;; esac
USERS=${USERS:-20000}
DAYS=${DAYS:-42}
PY=${PY:-/usr/bin/python3}
SPEC=specs/retention.ab
SNAP=$root/examples/growthbook-snapshot.json
START=2026-10-01
[ -x "$ABC" ] || { echo "activity: $ABC not found (make)" >&2; exit 2; }
"$PY" -c 'import pandas' 2>/dev/null || { echo "activity: needs python3-pandas" >&2; exit 2; }
. tests/integration/mariadbd.sh
tmp=$(mktemp -d /tmp/abc-activity.XXXXXX)
cleanup() { mariadbd_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

last=$(date -u -d "$START + $((DAYS - 1)) days" +%F)
today=$(date -u -d "$last + 1 day" +%F)
synth_opts() {
    echo --users "$USERS" --days "$DAYS" --pre-days 14 --start "$START" --seed 42 \
        --snapshot "$SNAP" --replace --quiet
}

# run_abc NAME CONFIG TODAY [options]: one `abc run`; prints its wall time
# and the activity steps' times; sets WALL and ACT (activity seconds)
run_abc() {
    local name=$1 cfg=$2 day=$3 t0 rc=0
    shift 3
    t0=$(date +%s.%N)
    ABC_TODAY=$day "$ABC" run "$SPEC" --config "$cfg" --memo-dir "$tmp/memo" "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
        echo "activity: abc run ($name) failed with exit $rc:" >&2
        tail -n 20 "$tmp/$name.err" >&2
        exit 1
    fi
    WALL=$(echo "$(date +%s.%N) - $t0" | bc)
    read -r fill stage swap < <(awk 'match($0, /\(([0-9.]+) s\)$/) {
            t = substr($0, RSTART + 1, RLENGTH - 4) + 0
            if ($0 ~ /activity days filled/) fill = t - prev
            else if ($0 ~ /rows of .* staged/) stage = t - prev
            else if ($0 ~ /replaced for .* with the reports/) swap = t - prev
            prev = t }
        END { printf "%.2f %.2f %.2f\n", fill, stage, swap }' "$tmp/$name.err")
    ACT=$(echo "$fill + $stage + $swap" | bc)
    printf '  %-26s %8.2f s   activity: fill+state %6.2f s, stage %6.2f s, publish (reports + growth) %5.2f s\n' \
        "$name" "$WALL" "$fill" "$stage" "$swap"
}

echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p' | head -1), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "scale: $USERS users x $DAYS days from $START (+14 pre); full run through $(date -u -d "$last - 1 day" +%F), daily run of $last"

echo
echo "== embedded warehouse"
printf 'warehouse: {embedded_datadir: %s/emb}\ngrowthbook: {file: %s}\n' "$tmp" "$SNAP" >"$tmp/emb.yaml"
# shellcheck disable=SC2046
"$ABC" synth --datadir "$tmp/emb" $(synth_opts)
run_abc emb-full "$tmp/emb.yaml" "$last" --full
run_abc emb-daily "$tmp/emb.yaml" "$today"
rm -rf "$tmp/emb"

echo
echo "== remote MariaDB (private mariadbd, unix socket)"
mariadbd_start "$tmp/srv"
printf 'warehouse: {dsn: "mysql://root@localhost?socket=%s"}\ngrowthbook: {file: %s}\n' \
    "$MARIADBD_SOCKET" "$SNAP" >"$tmp/rem.yaml"
# shellcheck disable=SC2046
"$ABC" synth --socket "$MARIADBD_SOCKET" $(synth_opts)
run_abc rem-full "$tmp/rem.yaml" "$last" --full; full_act=$ACT
reads() { mariadbd_sql -N -e "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
                              WHERE VARIABLE_NAME LIKE 'HANDLER_READ%'"; }
r0=$(reads)
run_abc rem-daily "$tmp/rem.yaml" "$today"
r1=$(reads)
ev=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date = '$last'")
act=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM abc.tbl_activity_day_retention_retention
                          WHERE event_date = '$last'")
all=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events")
echo "  daily run: Handler_read_* $((r1 - r0)) rows = $(echo "scale=1; ($r1 - $r0) / $ev" | bc)x" \
     "the day's $ev events ($act active users that day; $all events in all)"

echo
echo "== pandas (same server, same data, whole history)"
"$PY" bench/activity_pandas.py --socket "$MARIADBD_SOCKET" --through "$last" | tee "$tmp/pandas.out" |
    sed 's/^/  /'
pd_s=$(awk '/^pandas_seconds:/ { print $2 }' "$tmp/pandas.out")
echo "  pandas / abc activity steps of the full run: $(echo "scale=2; $pd_s / $full_act" | bc)x"
