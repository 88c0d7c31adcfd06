#!/usr/bin/env bash
# bench/e2e.sh — `abc run` end to end (specs/retention.ab), synthetic data of
# `abc synth` over 28 days from 2026-10-01 (+14 pre-period days), "today"
# pinned with ABC_TODAY.
#
#   bash bench/e2e.sh [ABC]            ABC default build/abc
#   USERS=20000 bash bench/e2e.sh      scale (default below; see bench/RESULTS.md)
#   E2E_PARTS=remote ...               only the remote part (default: embedded remote)
#   EMB_POOL_MB=2048 ...               the embedded server's buffer pool
#                                      (warehouse.embedded_buffer_pool_mb; default abc's)
#   RSS_USERS="10000 50000" ...        extra remote scales for peak RSS only
#                                      (synth + full run + day-28 run each)
#
# 1. embedded warehouse: full run (28 days), daily incremental run at day 7
#    and at day 28 (each after a full run through the day before); the day-28
#    run must cost at most 1.5x the day-7 run.
# 2. remote MariaDB (a private mariadbd, tests/integration/mariadbd.sh, unix
#    socket + loopback port, never 3306): the same incremental runs with the
#    server's Handler_read% / Innodb_rows_read counters before and after,
#    against the events of the day; the pandas + scipy pipeline
#    (bench/e2e_pandas.py) on the same server and data, against the full run
#    through day 27 and the day-28 run, ratio.
# 3. peak RSS (/usr/bin/time -v) of every abc run (embedded: includes the
#    in-process server) and at the RSS_USERS scales.
#
# Every abc run's per-step times (stderr progress lines) are printed too.
# Temp dirs and the server are removed on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ABC=${1:-${ABC:-build/abc}}
case "$ABC" in /*) ;; *) ABC="$root/$ABC" ;; esac
USERS=${USERS:-10000}
RSS_USERS=${RSS_USERS:-}
E2E_PARTS=${E2E_PARTS:-embedded remote}
PY=${PY:-/usr/bin/python3}
SPEC=specs/retention.ab
SNAP=$root/examples/growthbook-snapshot.json
TIME=/usr/bin/time
[ -x "$ABC" ] || { echo "e2e: $ABC not found (make BUILD=build)" >&2; exit 2; }
[ -x "$TIME" ] || { echo "e2e: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
"$PY" -c 'import pandas, pymysql, scipy' 2>/dev/null ||
    { echo "e2e: needs python3-pandas python3-pymysql python3-scipy" >&2; exit 2; }

. tests/integration/mariadbd.sh
. bench/lib/e2e_data.sh
tmp=$(mktemp -d /tmp/abc-e2e.XXXXXX)
cleanup() { mariadbd_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM


# run_abc NAME CONFIG TODAY [abc run options...]: one timed `abc run`; sets
# WALL (s), RSS (MB), and STEPS (per-step seconds from the progress lines).
run_abc() {
    local name=$1 cfg=$2 today=$3 rc=0
    shift 3
    ABC_TODAY=$today "$TIME" -v -o "$tmp/$name.time" "$ABC" run "$SPEC" --config "$cfg" \
        --memo-dir "$tmp/memo" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then  # 4: a health check the spec asks for failed
        echo "e2e: abc run ($name) failed with exit $rc:" >&2
        tail -n 20 "$tmp/$name.err" >&2
        exit 1
    fi
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
        for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$tmp/$name.time")
    RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tmp/$name.time")
    # progress lines carry the elapsed time since the start: turn them into
    # per-step durations (on a remote warehouse the growth steps run on a
    # second connection beside the statistics, so their lines interleave
    # and a duration is the time since the line before, not the step's own)
    STEPS=$(awk '/^abc run [a-z_0-9]+: / && match($0, /\(([0-9.]+) s\)$/) {
            t = substr($0, RSTART + 1, RLENGTH - 4) + 0
            if ($0 ~ /tables filled/) { s = "wide"; if (match($0, /\([0-9]+ days?\)/)) d = substr($0, RSTART + 1, RLENGTH - 2) + 0 }
            else if ($0 ~ /activity days filled/) s = "growth-fill"
            else if ($0 ~ /unit state of/) s = "stats"   # printed after the statistics of its chunk
            else if ($0 ~ /statistics read/) s = ""
            else if ($0 ~ /growth report and cohort rows/) s = "growth-stage"
            else if ($0 ~ /analysis done/) s = "kernel"
            else if ($0 ~ /report tables replaced/) s = "publish"
            else s = ""
            if (s != "") out = out sprintf(" %s %.1f", s, t - prev)
            prev = t }
        END { printf "days %s,%s", d, out }' "$tmp/$name.err")
    printf '  %-34s %8.2f s  peak RSS %6.1f MB  (%s)\n' "$name" "$WALL" "$RSS" "$STEPS"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p' | head -1), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "abc: $ABC ($("$ABC" version 2>/dev/null | head -1)), tree $(git rev-parse --short HEAD 2>/dev/null || echo '?'); scale: $USERS users x 28 days (+14 pre)"

# ---------------------------------------------------------------- embedded
case " $E2E_PARTS " in *" embedded "*)
echo
echo "== embedded warehouse"
cat >"$tmp/emb.yaml" <<EOF
warehouse: {embedded_datadir: $tmp/emb${EMB_POOL_MB:+, embedded_buffer_pool_mb: $EMB_POOL_MB}}
growthbook: {file: $SNAP}
EOF
[ -z "${EMB_POOL_MB:-}" ] || echo "  embedded buffer pool: $EMB_POOL_MB MiB"
t0=$(date +%s.%N)
# shellcheck disable=SC2046
"$ABC" synth --datadir "$tmp/emb" $(e2e_synth_opts "$USERS")
printf '  %-34s %8.2f s\n' "synth (embedded)" "$(echo "$(date +%s.%N) - $t0" | bc)"
run_abc emb-full-through-day6 "$tmp/emb.yaml" 2026-10-07 --full
run_abc emb-incremental-day7 "$tmp/emb.yaml" 2026-10-08; e_inc7=$WALL
run_abc emb-full-through-day27 "$tmp/emb.yaml" 2026-10-28 --full
run_abc emb-incremental-day28 "$tmp/emb.yaml" 2026-10-29; e_inc28=$WALL
run_abc emb-full-28-days "$tmp/emb.yaml" 2026-10-29 --full; e_full=$WALL
r=$(ratio "$e_inc28" "$e_inc7")
echo "  incremental day 28 / day 7: ${r}x (limit 1.5x): $(awk -v r="$r" 'BEGIN { print (r <= 1.5) ? "ok" : "OVER" }')"
echo "  full run / incremental day 28: $(ratio "$e_full" "$e_inc28")x"
rm -rf "$tmp/emb"
;; esac

# ---------------------------------------------------------------- remote
case " $E2E_PARTS " in *" remote "*)
echo
echo "== remote MariaDB (private mariadbd, unix socket)"
mariadbd_start "$tmp/srv"
echo "  server: $(mariadbd_sql -N -e 'SELECT VERSION()'), socket $MARIADBD_SOCKET, port $MARIADBD_PORT"
cat >"$tmp/rem.yaml" <<EOF
warehouse: {dsn: "mysql://root@localhost?socket=$MARIADBD_SOCKET"}
growthbook: {file: $SNAP}
EOF
t0=$(date +%s.%N)
# shellcheck disable=SC2046
"$ABC" synth --socket "$MARIADBD_SOCKET" $(e2e_synth_opts "$USERS")
printf '  %-34s %8.2f s\n' "synth (remote)" "$(echo "$(date +%s.%N) - $t0" | bc)"
total_events=$(mariadbd_sql -N -e 'SELECT COUNT(*) FROM ods.app_events')
echo "  ods.app_events: $total_events rows ($(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date >= '2026-10-01'") in the 28 days)"

counters() { # -> "name value" lines
    # Innodb_rows_read is gone from MariaDB 10.11's status (reported when
    # present); Innodb_buffer_pool_read_requests counts logical page reads;
    # Rows_read counts the rows read from stored tables, Rows_tmp_read those
    # read from the statements' internal temporary tables (a GROUP BY, a
    # derived table): Handler_read_* counts both
    mariadbd_sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Handler_read%' OR Variable_name IN ('Innodb_rows_read', 'Innodb_buffer_pool_read_requests', 'Rows_read', 'Rows_tmp_read')"
}
# rows_read NAME DAY FROM: counters around the previous run_abc (files $tmp/NAME.c0/.c1)
rows_report() {
    local name=$1 day=$2 from=$3 ev evr units
    ev=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date = '$day'")
    units=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE tag = 'retention' AND exposure_date <= '$day'")
    evr=$(mariadbd_sql -N -e "SELECT COUNT(*) FROM ods.app_events WHERE event_date BETWEEN '$from' AND '$day'")
    join "$tmp/$name.c0" "$tmp/$name.c1" | awk -v ev="$ev" -v evr="$evr" -v units="$units" -v day="$day" -v from="$from" '
        { d = $3 - $2; printf "    %-32s %12d  (%.2f x the day'"'"'s events%s)\n", $1, d, d / ev, ($1 ~ /buffer_pool/) ? "; pages, not rows" : ""
          if ($1 ~ /^Handler_read/) h += d
          if ($1 == "Rows_read") r = d }
        END { printf "    %-32s %12d  (%.2f x the day'"'"'s events)\n", "Handler_read_* total", h, h / ev
              printf "    exposed units by %s: %d; Handler_read_* total = %.2f x (events + units), Rows_read (stored tables) = %.2f x\n",
                     day, units, h / (ev + units), r / (ev + units)
              printf "    events of %s: %d; of the %s..%s span the run processes: %d (Handler_read_* total = %.2f x)\n",
                     day, ev, from, day, evr, h / evr }'
    echo "    (ods.app_events holds $total_events rows in all)"
}
# A daily run meets a server that finished the day before's work: before each
# incremental run (and the full run through day 27, which the ratio to the
# day-28 run compares), wait (at most 120 s) until InnoDB has purged the undo
# history the full run before it left, which it does in the background and
# which would otherwise share the 2 cores with the run measured.  The wait
# is printed.
settle() {
    # a daily run starts on a server idle since the day before: InnoDB's
    # purge of old row versions done and the pages the run before changed
    # written back (flushed at once here, then the setting restored)
    local t0 i hist=0 dirty=0 pct
    t0=$(date +%s)
    pct=$(mariadbd_sql -N -e "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
    mariadbd_sql -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
    for i in $(seq 120); do
        hist=$(mariadbd_sql -N -e "SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'")
        dirty=$(mariadbd_sql -N -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")
        [ "${hist:-0}" -lt 1000 ] && [ "${dirty:-0}" -lt 100 ] && break
        sleep 1
    done
    mariadbd_sql -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
    echo "    (server settled in $(( $(date +%s) - t0 )) s: undo history $hist, dirty pages $dirty)"
}
run_counted() { # NAME TODAY DAY FROM
    local name=$1 today=$2 day=$3 from=$4
    settle
    counters | sort >"$tmp/$name.c0"
    run_abc "$name" "$tmp/rem.yaml" "$today"
    counters | sort >"$tmp/$name.c1"
    rows_report "$name" "$day" "$from"
}
run_abc rem-full-through-day6 "$tmp/rem.yaml" 2026-10-07 --full
run_counted rem-incremental-day7 2026-10-08 2026-10-07 2026-10-05; r_inc7=$WALL
settle  # (the full run too starts on a settled server, as a scheduled one would)
run_abc rem-full-through-day27 "$tmp/rem.yaml" 2026-10-28 --full; r_full27=$WALL
run_counted rem-incremental-day28 2026-10-29 2026-10-28 2026-10-26; r_inc28=$WALL
echo "  incremental day 28 / day 7 (remote): $(ratio "$r_inc28" "$r_inc7")x"
echo "  full run through day 27 / (28 x incremental day 28) (remote): $(awk -v a="$r_full27" -v b="$r_inc28" 'BEGIN { printf "%.2f", a / (28 * b) }') (linear in dates: at most 1.5)"

echo
echo "== abc vs pandas + scipy (same server, same data)"
pandas() { # DATE -> seconds; output in $tmp/pandas-DATE.out
    "$PY" bench/e2e_pandas.py --socket "$MARIADBD_SOCKET" --snapshot "$SNAP" --date "$1" >"$tmp/pandas-$1.out"
    awk '/^pandas_seconds:/ { print $2 }' "$tmp/pandas-$1.out"
}
p27=$(pandas 2026-10-27); p28=$(pandas 2026-10-28)
sed 's/^/    /' "$tmp/pandas-2026-10-28.out"
echo "  pandas + scipy, analysis date 2026-10-27: $p27 s; 2026-10-28: $p28 s (1 analysis date, 3 metrics, Welch t-test, no segments)"
echo "  abc full run through day 27 (27 analysis dates, 8 metrics, 3 segments, CUPED, t-test + Bayes + mSPRT, publish): $r_full27 s -> abc / pandas = $(ratio "$r_full27" "$p27")x"
echo "  abc daily incremental run at day 28 (the new date; a lookback date only where its sources changed): $r_inc28 s -> abc / pandas = $(ratio "$r_inc28" "$p28")x"

# ---------------------------------------------------------------- RSS at other scales
for n in $RSS_USERS; do
    echo
    echo "== peak RSS, remote, $n users"
    # shellcheck disable=SC2046
    "$ABC" synth --socket "$MARIADBD_SOCKET" $(e2e_synth_opts "$n")
    mariadbd_sql -e 'DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app'
    run_abc "rss-$n-full-through-day27" "$tmp/rem.yaml" 2026-10-28 --full
    run_abc "rss-$n-incremental-day28" "$tmp/rem.yaml" 2026-10-29
done
;; esac
echo
echo "e2e: done"
