#!/usr/bin/env bash
# bench/rss.sh — peak RSS of `abc run` against a remote MariaDB (a private
# mariadbd on a unix socket, tests/integration/mariadbd.sh) at several
# scales, on the same short window so that the largest scale fits a
# benchmark session.
#
#   bash bench/rss.sh [ABC]                      ABC default build/abc
#   SCALES="10000 1000000" DAYS=3 bash bench/rss.sh   (the defaults; ~15 min here)
#   MARIADBD_OPTS=--innodb-buffer-pool-size=8G ...      server options (mariadbd.sh)
#   PREFILL=daily ...   reach the last day but one by a daily run per day, as
#                       a scheduler does, instead of one `--full` run
#
# Per scale: `abc synth` (specs/retention.ab's experiments, DAYS days from
# 2026-10-01 plus PRE_DAYS pre-period days), then `abc run --full` through
# the last day but one and the daily run of the last day, each under
# /usr/bin/time -v.  What abc holds in memory follows the result rows of
# one analysis date: report cells, and per quantile metric and cell a few
# numbers per arm (the distribution rows stream through each cell in
# ascending order of value, none of them kept), so neither the days nor the
# units change the peak.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ABC=${1:-${ABC:-build/abc}}
case "$ABC" in /*) ;; *) ABC="$root/$ABC" ;; esac
SCALES=${SCALES:-"10000 1000000"}
DAYS=${DAYS:-3}
PREFILL=${PREFILL:-full}
PRE_DAYS=${PRE_DAYS:-3}
SPEC=specs/retention.ab
SNAP=$root/examples/growthbook-snapshot.json
TIME=/usr/bin/time
[ -x "$ABC" ] || { echo "rss: $ABC not found" >&2; exit 2; }
[ -x "$TIME" ] || { echo "rss: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
[ "$DAYS" -ge 2 ] || { echo "rss: DAYS must be at least 2" >&2; exit 2; }
case "$PREFILL" in full|daily) ;; *) echo "rss: PREFILL must be full or daily" >&2; exit 2 ;; esac

. tests/integration/mariadbd.sh
tmp=$(mktemp -d /tmp/abc-rss.XXXXXX)
cleanup() { mariadbd_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

day() { date -u -d "2026-10-01 + $1 days" +%F; }
last=$(day $((DAYS - 1)))
today_full=$last               # "today" = the last day: due through the day before
today_inc=$(day "$DAYS")       # the next day: the last day is due

echo "machine: $(nproc) cpus, $(free -g | awk '/^Mem:/ { print $2 }') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "abc: $ABC, tree $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $DAYS days from 2026-10-01 (+$PRE_DAYS pre); prefill: $PREFILL"
mariadbd_start "$tmp/srv"
echo "server: $(mariadbd_sql -N -e 'SELECT VERSION()') on $MARIADBD_SOCKET"
cat >"$tmp/rem.yaml" <<EOF
warehouse: {dsn: "mysql://root@localhost?socket=$MARIADBD_SOCKET"}
growthbook: {file: $SNAP}
EOF

handler_reads() { # the server's Handler_read_* counters, summed
    mariadbd_sql -N -e "SHOW GLOBAL STATUS LIKE 'Handler_read%'" | awk '{ s += $2 } END { print s }'
}

measure() { # NAME TODAY [options]
    local name=$1 today=$2 rc=0
    shift 2
    ABC_TODAY=$today "$TIME" -v -o "$tmp/$name.time" "$ABC" run "$SPEC" --config "$tmp/rem.yaml" \
        --memo-dir "$tmp/memo" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
        echo "rss: abc run ($name) failed with exit $rc:" >&2
        tail -n 20 "$tmp/$name.err" >&2
        exit 1
    fi
    awk -F': ' -v n="$name" '/Elapsed \(wall clock\)/ { w = $2 } /Maximum resident set size/ { r = $2 }
        END { printf "  %-28s peak RSS %8.1f MB   wall %s\n", n, r / 1024, w }' "$tmp/$name.time"
}

for n in $SCALES; do
    echo
    echo "== $n users"
    mariadbd_sql -e 'DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app'
    "$TIME" -v -o "$tmp/synth.time" "$ABC" synth --socket "$MARIADBD_SOCKET" --users "$n" --days "$DAYS" \
        --pre-days "$PRE_DAYS" --start 2026-10-01 --seed 42 --snapshot "$SNAP" --replace --quiet
    awk -F': ' '/Elapsed \(wall clock\)/ { w = $2 } /Maximum resident set size/ { r = $2 }
        END { printf "  %-28s peak RSS %8.1f MB   wall %s\n", "synth", r / 1024, w }' "$tmp/synth.time"
    echo "  events in the window: $(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date >= '2026-10-01'")"
    if [ "$PREFILL" = full ]; then
        measure "full-through-$(day $((DAYS - 2)))" "$today_full" --full
    else  # the first run fills the first day; each later run the day before its "today"
        t0=$(date +%s)
        peak=0
        for ((i = 1; i < DAYS; i++)); do
            measure "daily-run-$(day $((i - 1)))" "$(day "$i")" >/dev/null
            peak=$(awk -F': ' -v p="$peak" '/Maximum resident set size/ { r = $2 / 1024 } END { printf "%.1f", (r > p) ? r : p }' \
                "$tmp/daily-run-$(day $((i - 1))).time")
        done
        printf '  %-28s peak RSS %8.1f MB   wall %d s (%d daily runs)\n' "daily-through-$(day $((DAYS - 2)))" \
            "$peak" $(($(date +%s) - t0)) $((DAYS - 1))
    fi
    echo "  events of $last: $(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date = '$last'")"
    h0=$(handler_reads)
    measure "daily-run-$last" "$today_inc"
    h1=$(handler_reads)
    echo "  Handler_read_* during the daily run: $((h1 - h0))"
    grep -E '^abc run [a-z_0-9]+: .*\([0-9.]+ s\)$' "$tmp/daily-run-$last.err" | sed 's/^/    /' || true
    units=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE tag = 'retention'")
    qrows=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM abc.tbl_report_daily_retention_retention" 2>/dev/null || echo '?')
    echo "  exposed units: $units; daily report rows: $qrows"
done
echo
echo "rss: done"
