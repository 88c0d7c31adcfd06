#!/usr/bin/env bash
# run_threads.sh — on a remote warehouse `abc run` opens two connections and
# uses the second for two threads: the first scans the late-data
# fingerprints and then, with several dates due, fills their per-user days
# and assignment ahead of the main one's wide fill (else the growth
# tables' days beside it); the second fills the growth tables' days when
# the first did not and stages the growth rows while the main one computes
# the unit state and the statistics.  Two tags with activity blocks
# (specs/retention.ab and specs/engagement.ab) in one `abc run`: a --full
# run, a daily run, then late rows for a date inside the lookback and a
# run two days later (which finds them beside its two-day fill and fills
# again from their date).  Each run opens two connections, exits 0, and
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
"$ABC" synth --socket "$MARIADBD_SOCKET" --replace --users 3000 --days 9 --pre-days 3 \
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
    for run in "--full ABC_TODAY=2026-10-07" "daily ABC_TODAY=2026-10-08" "late ABC_TODAY=2026-10-10"; do
        set -- $run
        [ "$1" = late ] && late_rows
        args=("${SPECS[@]}"); [ "$1" = --full ] && args=(--full "${args[@]}")
        c0=$(conns)
        RL_CFG=$cfg rl_run_ok "$1 run on $n connection(s)" "$2" -- "${args[@]}"
        c1=$(conns)
        # the second reading connects once itself
        [ $((c1 - c0 - 1)) = "$n" ] || fail "$1 run, warehouse.connections $n: $((c1 - c0 - 1)) connections"
        grep -q "ThreadSanitizer" "$RL_ERR" && fail "$1 run on $n connection(s): ThreadSanitizer: $(grep -m1 WARNING "$RL_ERR")"
        if [ "$1" = late ]; then
            grep -q "retention .* 2026-10-06 .. 2026-10-09 (4 days)" "$RL_ERR" ||
                fail "late run on $n connection(s) does not fill from the late date: $(cat "$RL_ERR")"
        fi
        # several dates due by day: their per-user days and assignment on the second connection
        piped=$(grep -c "per-user days and assignment of [0-9]* days on the second connection" "$RL_ERR")
        want=0; [ "$n" = 2 ] && [ "$1" != daily ] && want=2
        [ "$piped" = "$want" ] || fail "$1 run on $n connection(s): $piped of 2 tags filled beside the wide fill (want $want)"
    done
    dump "conn$n"
done
for tag in retention engagement; do
    RL_TAG=$tag rl_same "conn2-$tag" "conn1-$tag" "$tag: two connections and one publish the same rows" \
        "abc.tbl_report_user_${tag}_$tag abc.tbl_report_daily_${tag}_$tag
         flow_report_app.tbl_report_ab_testing_result abc.tbl_activity_report_${tag}_$tag
         abc.tbl_activity_cohort_${tag}_$tag"
done

# ---- a fill of several days fails midway --------------------------------------------------
# A trigger refuses the rows of 2026-10-06 in a run of five dates due:
#   A. the assignment's, which the second connection writes;
#   B. the wide table's, which the first writes while the second fills the
#      days after (it stops after the day it is on, and the run ends).
# Either stops the run with the exit status the same refusal gets on one
# connection (1, a statement the warehouse refused) and the trigger's
# message (A: naming the second connection), the report rows and the run
# state stay as the run before left them, and once the trigger is gone the
# next run completes.
RET_TABLES="abc.tbl_report_user_retention_retention abc.tbl_report_daily_retention_retention
            flow_report_app.tbl_report_ab_testing_result abc.tbl_activity_report_retention_retention"
refused_fill() { # CASE TABLE DATE_COLUMN WANT_ERR
    local f0=$RL_FAILS rc_one
    rl_sql -e "DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app" || fail "reset"
    RL_CFG=$TWO rl_run_ok "$1: full run through 2026-10-03" ABC_TODAY=2026-10-04 -- --quiet --full specs/retention.ab
    RL_TAG=retention rl_dump good "$RET_TABLES"
    rl_sql -e "DELIMITER //
               CREATE TRIGGER abc.refuse_day BEFORE INSERT ON $2 FOR EACH ROW
                 IF NEW.\`$3\` = '2026-10-06' THEN
                   SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rows of 2026-10-06 refused';
                 END IF //" || fail "$1: creating the trigger"
    RL_CFG=$ONE rl_run ABC_TODAY=2026-10-09 -- --quiet specs/retention.ab
    rc_one=$RL_RC
    RL_CFG=$TWO rl_run ABC_TODAY=2026-10-09 -- specs/retention.ab
    [ "$rc_one" != 0 ] && [ "$RL_RC" = "$rc_one" ] ||
        fail "$1: exit $RL_RC on two connections, $rc_one on one"
    grep -q "per-user days and assignment of 5 days on the second connection" "$RL_ERR" ||
        fail "$1: the five dates due were not filled beside the wide fill: $(cat "$RL_ERR")"
    grep -q "$4" "$RL_ERR" || fail "$1: the error is not /$4/: $(tail -n 3 "$RL_ERR")"
    [ "$(rl_sql -e "SELECT last_date FROM abc.run_state WHERE tag = 'retention'")" = 2026-10-03 ] ||
        fail "$1: the failed run moved the run state"
    RL_TAG=retention rl_dump after "$RET_TABLES"
    RL_TAG=retention rl_same good after "$1: the report rows are kept" "$RET_TABLES"
    rl_sql -e "DROP TRIGGER abc.refuse_day" || fail "$1: dropping the trigger"
    RL_CFG=$TWO rl_run_ok "$1: the run after the failure" ABC_TODAY=2026-10-09 -- --quiet specs/retention.ab
    [ "$(rl_sql -e "SELECT last_date FROM abc.run_state WHERE tag = 'retention'")" = 2026-10-08 ] ||
        fail "$1: the run after the failure did not reach 2026-10-08"
    [ "$RL_FAILS" = "$f0" ] && ok "$1: exit $rc_one as on one connection, /$4/; report rows and run state kept; the next run completes"
}
no_late_rows
refused_fill "A. the assignment refused on the second connection" abc.experiment_assignment \
    exposure_date "the second connection: .*rows of 2026-10-06 refused"
refused_fill "B. the wide table refused on the first connection" abc.tbl_wide_user_retention_retention \
    event_date "rows of 2026-10-06 refused"

# ---- a statement-format binary log -----------------------------------------------------------
# READ COMMITTED transactions cannot be written to a statement-format binary
# log: on such a server the first connection fills every table of a run of
# five dates due itself, and the run completes.
f0=$RL_FAILS
mariadbd_stop
MARIADBD_OPTS="--log-bin --binlog-format=STATEMENT" mariadbd_start "$MARIADBD_DIR" ||
    { fail "restarting the server with a binary log"; rl_done; }
[ "$(rl_sql -e 'SELECT @@log_bin, @@binlog_format')" = "$(printf '1\tSTATEMENT')" ] ||
    fail "the server writes no statement-format binary log"
rl_sql -e "DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app" || fail "reset"
RL_CFG=$TWO rl_run_ok "statement-format binary log: full run" ABC_TODAY=2026-10-04 -- --full specs/retention.ab
RL_CFG=$TWO rl_run_ok "statement-format binary log: five dates due" ABC_TODAY=2026-10-09 -- specs/retention.ab
grep -q "on the second connection, the wide table here" "$RL_ERR" &&
    fail "statement-format binary log: the fill was split over the connections"
[ "$(rl_sql -e "SELECT last_date FROM abc.run_state WHERE tag = 'retention'")" = 2026-10-08 ] ||
    fail "statement-format binary log: the run did not reach 2026-10-08"
[ "$RL_FAILS" = "$f0" ] && ok "statement-format binary log: the first connection fills the five dates due, the run completes"
rl_done
