#!/usr/bin/env bash
# bench/intraday.sh — cost of `abc run --intraday` against a daily run, on a
# private mariadbd (tests/integration/mariadbd.sh, unix socket).
#
#   bash bench/intraday.sh [ABC]       ABC default build/abc
#   USERS=20000 bash bench/intraday.sh scale (default 100000)
#
# Data: abc synth, USERS users over 2026-11-27 .. 2026-12-03 (no pre-period),
# examples/growthbook-snapshot.json; the spec is specs/retention.ab with
# `hourly;` added to its analysis block.  After the setup run the events
# table gets an index on (event_date, event_time), as a warehouse sorted by
# time within the day's partition would have.  Then, with the server's
# Handler_read% counters before and after each measured run:
#   1. a --full run through 2026-12-01 (setup, not measured);
#   2. the daily run of 2026-12-02 (ABC_TODAY=2026-12-03), hourly steps
#      included;
#   3. an intraday run at 2026-12-03 12:10 (its first: from 2026-12-02
#      22:00, the high-water mark minus one hour);
#   4. an intraday run at 12:25 (from 11:00: two hours).
# For each: wall time, Handler_read_* total, the rows read per table
# (MariaDB user statistics, `userstat`) and the events of the window.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ABC=${1:-${ABC:-build/abc}}
case "$ABC" in /*) ;; *) ABC="$root/$ABC" ;; esac
USERS=${USERS:-100000}
SNAP=$root/examples/growthbook-snapshot.json
[ -x "$ABC" ] || { echo "intraday: $ABC not found (make)" >&2; exit 2; }

. tests/integration/mariadbd.sh
tmp=$(mktemp -d /tmp/abc-intraday.XXXXXX)
cleanup() { mariadbd_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mariadbd_start "$tmp/srv"
echo "server: $(mariadbd_sql -N -e 'SELECT VERSION()'); $USERS users; $(nproc) CPUs"
cat >"$tmp/abc.yaml" <<EOC
warehouse: {dsn: "mysql://root@localhost?socket=$MARIADBD_SOCKET"}
growthbook: {file: $SNAP}
EOC
mkdir -p "$tmp/specs"
sed 's/^  analysis {$/  analysis {\n    hourly;/' specs/retention.ab >"$tmp/specs/retention.ab"
grep -q '^    hourly;' "$tmp/specs/retention.ab" || { echo "intraday: no analysis block to extend" >&2; exit 2; }
SPEC=$tmp/specs/retention.ab

t0=$(date +%s.%N)
"$ABC" synth --socket "$MARIADBD_SOCKET" --users "$USERS" --days 7 --pre-days 0 --start 2026-11-27 \
    --seed 42 --snapshot "$SNAP" --replace --quiet
printf '%-44s %8.1f s\n' "synth" "$(echo "$(date +%s.%N) - $t0" | bc)"
echo "ods.app_events: $(mariadbd_sql -N -e 'SELECT COUNT(*) FROM ods.app_events') rows"

counters() {
    mariadbd_sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Handler_read%'" | sort
}
# rows read per table (MariaDB's user statistics), reset before each run
mariadbd_sql -e "SET GLOBAL userstat = 1"
table_reads() {
    mariadbd_sql -N -e "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), ROWS_READ
        FROM information_schema.TABLE_STATISTICS ORDER BY ROWS_READ DESC LIMIT 6"
}
events() { # FROM TO (times, [FROM, TO))
    mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_time >= '$1' AND event_time < '$2'"
}
# measure NAME FROM TO ENV... -- ARGS: one abc run, its wall time and reads
measure() {
    local name=$1 from=$2 to=$3 envs=()
    shift 3
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    counters >"$tmp/$name.c0"
    mariadbd_sql -e "FLUSH TABLE_STATISTICS"
    local t0 t1
    t0=$(date +%s.%N)
    env "${envs[@]}" "$ABC" run --config "$tmp/abc.yaml" --memo-dir "$tmp/memo" "$@" "$SPEC" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" || { local rc=$?; [ $rc = 4 ] || { cat "$tmp/$name.err"; exit 1; }; }
    t1=$(date +%s.%N)
    counters >"$tmp/$name.c1"
    # before counting the window's events: that count reads the table too
    table_reads >"$tmp/$name.t1"
    local ev reads
    ev=$(events "$from" "$to")
    reads=$(join "$tmp/$name.c0" "$tmp/$name.c1" | awk '{ s += $3 - $2 } END { print s }')
    printf '%-44s %8.2f s  Handler_read_* %10d  events of the window %9d  (%.2f reads per event)\n' \
        "$name" "$(echo "$t1 - $t0" | bc)" "$reads" "$ev" "$(echo "$reads / $ev" | bc -l)"
    join "$tmp/$name.c0" "$tmp/$name.c1" | awk '{ printf "    %-28s %10d\n", $1, $3 - $2 }'
    echo "    rows read per table (TABLE_STATISTICS):"
    awk '{ printf "      %-52s %10d\n", $1, $2 }' "$tmp/$name.t1"
    grep -E "hourly|intraday|filled" "$tmp/$name.err" | sed 's/^/    /' || true
}

t0=$(date +%s.%N)
ABC_TODAY=2026-12-02 "$ABC" run --config "$tmp/abc.yaml" --memo-dir "$tmp/memo" --quiet --full "$SPEC" || [ $? = 4 ]
printf '%-44s %8.1f s\n' "setup: --full run through 2026-12-01" "$(echo "$(date +%s.%N) - $t0" | bc)"
# after the setup (the full run's plans are those of bench/e2e.sh): the
# events sorted by time within each day, as a time-sorted partition would be
t0=$(date +%s.%N)
mariadbd_sql -e "ALTER TABLE ods.app_events ADD KEY idx_date_time (event_date, event_time)"
printf '%-44s %8.1f s\n' "index (event_date, event_time)" "$(echo "$(date +%s.%N) - $t0" | bc)"

measure "daily run of 2026-12-02" "2026-12-02 00:00:00" "2026-12-03 00:00:00" ABC_TODAY=2026-12-03 --
measure "intraday 12-03 12:10 (from 12-02 22:00)" "2026-12-02 22:00:00" "2026-12-03 13:00:00" \
    ABC_TODAY=2026-12-03 "ABC_NOW=2026-12-03 12:10:00" -- --intraday
measure "intraday 12-03 12:25 (from 11:00)" "2026-12-03 11:00:00" "2026-12-03 13:00:00" \
    ABC_TODAY=2026-12-03 "ABC_NOW=2026-12-03 12:25:00" -- --intraday
echo "events of 2026-12-03 (the whole day): $(events '2026-12-03 00:00:00' '2026-12-04 00:00:00')"
