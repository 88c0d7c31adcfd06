#!/usr/bin/env bash
# bench/statements.sh — where a daily run's reads go, statement by statement
# (specs/retention.ab, the data of bench/e2e.sh).
#
#   bash bench/statements.sh [ABC]     ABC default build/abc
#   USERS=100000 bash bench/statements.sh
#                                      scale (default 10000, as bench/e2e.sh)
#   TOP=30 ...                         statements listed (default 20)
#
# 1. A private mariadbd (tests/integration/mariadbd.sh): `abc synth`, then a
#    full run through day 27.
# 2. The server stopped, its data directory copied: the state the daily run
#    of day 28 starts from.
# 3. The daily run of day 28 with the general log on.
# 4. The server started on the copy, and the log replayed on it one query
#    at a time (bench/statement_reads.py): each statement's Handler_read_*,
#    the total against (the day's events + exposed units), the measure
#    bench/e2e.sh reports for the whole server.
# The replay's total is the run's own reads less the other connection's
# overlap: the two agree within a few hundred reads (bench/RESULTS.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ABC=${1:-${ABC:-build/abc}}
case "$ABC" in /*) ;; *) ABC="$root/$ABC" ;; esac
USERS=${USERS:-10000}
TOP=${TOP:-20}
PY=${PY:-/usr/bin/python3}
SPEC=specs/retention.ab
SNAP=$root/examples/growthbook-snapshot.json
[ -x "$ABC" ] || { echo "statements: $ABC not found (make)" >&2; exit 2; }
"$PY" -c 'import pymysql' 2>/dev/null || { echo "statements: needs python3-pymysql" >&2; exit 2; }

. tests/integration/mariadbd.sh
. bench/lib/e2e_data.sh
tmp=$(mktemp -d /tmp/abc-statements.XXXXXX)
cleanup() { mariadbd_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

config() {
    cat >"$tmp/rem.yaml" <<EOF
warehouse: {dsn: "mysql://root@localhost?socket=$MARIADBD_SOCKET"}
growthbook: {file: $SNAP}
EOF
}
run() { # TODAY [options]
    local today=$1 rc=0
    shift
    ABC_TODAY=$today "$ABC" run "$SPEC" --config "$tmp/rem.yaml" --memo-dir "$tmp/memo" "$@" \
        >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then  # 4: a health check the spec asks for failed
        echo "statements: abc run failed with exit $rc:" >&2
        tail -n 20 "$tmp/run.err" >&2
        exit 1
    fi
}

echo "abc: $ABC ($("$ABC" version 2>/dev/null | head -1)), tree $(git rev-parse --short HEAD 2>/dev/null || echo '?'); scale: $USERS users x 28 days (+14 pre)"
mariadbd_start "$tmp/srv"
config
# shellcheck disable=SC2046
"$ABC" synth --socket "$MARIADBD_SOCKET" $(e2e_synth_opts "$USERS")
run 2026-10-28 --full
mariadbd_stop
cp -a "$tmp/srv" "$tmp/day27"
rm -f "$tmp/day27/sock" "$tmp/day27/mariadbd.pid"

mariadbd_start "$tmp/srv"
config
mariadbd_sql -e "SET GLOBAL general_log_file = '$tmp/day28.log', general_log = 1"
run 2026-10-29
mariadbd_sql -e "SET GLOBAL general_log = 0"
events=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date = '2026-10-28'")
units=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE tag = 'retention' AND exposure_date <= '2026-10-28'")
mariadbd_stop

mariadbd_start "$tmp/day27"
echo "the day-28 run's general log, replayed on the day-27 copy:"
"$PY" bench/statement_reads.py "$MARIADBD_SOCKET" "$tmp/day28.log" --top "$TOP" \
    --events "$events" --units "$units"
echo "statements: done"
