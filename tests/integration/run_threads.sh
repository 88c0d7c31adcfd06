#!/usr/bin/env bash
# run_threads.sh — on a remote warehouse `abc run` opens two connections and
# uses the second for two threads: the first scans the late-data
# fingerprints and then fills the growth tables' days while the main one
# fills the dates due; the second stages the growth rows while the main
# one computes the unit state and the statistics.  Two tags with activity
# blocks (specs/retention.ab and specs/engagement.ab) in one `abc run`: a
# --full run, a daily run, then late rows for a date inside the lookback
# and the next daily run (which finds them beside its fill and fills again
# from their date).  Each run opens two connections, exits 0, and
# publishes the same report and growth rows as the same runs on one
# connection (warehouse.connections: 1).  `make check` runs it again with
# the ThreadSanitizer build (halt_on_error: a data race fails the run).
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_threads
rl_server
export TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}"
SPECS=(specs/retention.ab specs/engagement.ab)
TWO=$RL_TMP/two.yaml ONE=$RL_TMP/one.yaml
rl_config "$TWO" "$RL_DSN" "  file: $RL_ROOT/examples/growthbook-snapshot.json"
{ echo "warehouse:"; echo "  connections: 1"; tail -n +2 "$TWO"; } >"$ONE"
"$ABC" synth --socket "$MARIADBD_SOCKET" --replace --users 3000 --days 8 --pre-days 3 \
    --start 2026-10-01 --seed 5 --snapshot examples/growthbook-snapshot.json --quiet ||
    fail "abc synth"

conns() { rl_sql -e "SHOW GLOBAL STATUS LIKE 'Connections'" | awk '{ print $2 }'; }
dump() { # NAME: both tags' report and growth rows
    local tag
    for tag in retention engagement; do
        RL_TAG=$tag rl_dump "$1-$tag" "abc.tbl_report_user_${tag}_$tag abc.tbl_report_daily_${tag}_$tag
            flow_report_app.tbl_report_ab_testing_result abc.tbl_activity_report_${tag}_$tag
            abc.tbl_activity_cohort_${tag}_$tag"
    done
}

LATE_TIME="2026-10-06 23:59:58" # the late rows' mark
late_rows() { # add: app opens and payments of exposed users, dated 2026-10-06
    rl_sql -D ods -e "
      CREATE TEMPORARY TABLE late_users AS
        SELECT DISTINCT user_id, country, platform FROM ods.app_events
        WHERE event_name = 'experiment_viewed' AND event_date <= '2026-10-04'
        ORDER BY user_id LIMIT 200;
      INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, country, platform)
        SELECT user_id, '$LATE_TIME', '2026-10-06', 'app_open', country, platform FROM late_users;
      INSERT INTO ods.payments (user_id, paid_at, pay_date, amount, product)
        SELECT user_id, '$LATE_TIME', '2026-10-06', 4.99, 'late' FROM late_users LIMIT 30;" ||
        fail "inserting late rows"
}
no_late_rows() {
    rl_sql -D ods -e "DELETE FROM app_events WHERE event_time = '$LATE_TIME';
                      DELETE FROM payments WHERE paid_at = '$LATE_TIME'" || fail "removing late rows"
}

for n in 2 1; do
    cfg=$TWO; [ "$n" = 1 ] && cfg=$ONE
    rl_sql -e "DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app" || fail "reset"
    no_late_rows
    for run in "--full ABC_TODAY=2026-10-07" "daily ABC_TODAY=2026-10-08" "late ABC_TODAY=2026-10-09"; do
        set -- $run
        [ "$1" = late ] && late_rows
        args=(--quiet "${SPECS[@]}"); [ "$1" = --full ] && args=(--full "${args[@]}")
        c0=$(conns)
        RL_CFG=$cfg rl_run_ok "$1 run on $n connection(s)" "$2" -- "${args[@]}"
        c1=$(conns)
        # the second reading connects once itself
        [ $((c1 - c0 - 1)) = "$n" ] || fail "$1 run, warehouse.connections $n: $((c1 - c0 - 1)) connections"
        grep -q "ThreadSanitizer" "$RL_ERR" && fail "$1 run on $n connection(s): ThreadSanitizer: $(grep -m1 WARNING "$RL_ERR")"
        if [ "$1" = late ]; then
            grep -q "retention .* 2026-10-06 .. 2026-10-08 (3 days)" "$RL_ERR" ||
                fail "late run on $n connection(s) does not fill from the late date: $(cat "$RL_ERR")"
        fi
    done
    dump "conn$n"
done
for tag in retention engagement; do
    RL_TAG=$tag rl_same "conn2-$tag" "conn1-$tag" "$tag: two connections and one publish the same rows" \
        "abc.tbl_report_user_${tag}_$tag abc.tbl_report_daily_${tag}_$tag
         flow_report_app.tbl_report_ab_testing_result abc.tbl_activity_report_${tag}_$tag
         abc.tbl_activity_cohort_${tag}_$tag"
done
rl_done
