#!/usr/bin/env bash
# run_failure.sh — a run that fails part-way leaves the previous report rows
# intact and does not advance the run state; the next run completes the dates
# and equals a --full run.  Failures injected on a private mariadbd:
#   A. a statement fails in the middle of the days (a trigger on the wide
#      table rejects one day's rows): exit 1;
#   B. the dashboard publish fails (trigger on the dashboard table), in a run
#      of two specs: exit 1, the dashboard keeps the old rows, the report table
#      holds the old or the new rows but no mix, and the second spec's run
#      does not commit the first one's half-done transaction;
#   C. the server is killed (SIGKILL) while a run waits inside a statement:
#      exit 3, and after a restart the tables hold the previous rows;
#   D. GrowthBook always answers 503 (fixture server): exit 3 after retries.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_failure
rl_server
rl_synth
SPEC2=tests/integration/run/itest2.ab

# CREATE TRIGGER (a compound statement: the client needs another delimiter)
trigger() { printf 'DELIMITER //\n%s //\n' "$1" | rl_sql; }
state() { rl_sql -e "SELECT tag, last_date FROM abc.run_state ORDER BY tag" | tr '\t\n' '= '; }
# the report tables equal dump $1 (the last good run)
report_intact() { # GOOD_DUMP WHAT
    rl_dump now "$RL_REPORT_TABLES"
    rl_same "$1" now "$2: report rows as after the last good run"
}

# a good run through 2026-10-07 for both tags
rl_run_ok "first run" ABC_TODAY=2026-10-08 -- --quiet "$RL_SPEC" "$SPEC2"
rl_dump good
good_state=$(state)
[ "$good_state" = "itest=2026-10-07 itest2=2026-10-07 " ] || fail "run state after the first run: $good_state"
good_dash2=$(rl_sql -e "SELECT COUNT(*), MAX(analysis_date) FROM flow_report_app.tbl_report_ab_testing_result WHERE tag = 'itest2'")

# ---- A. a statement fails in the middle of the days -------------------------------------------
trigger "CREATE TRIGGER abc.it_fail BEFORE INSERT ON abc.tbl_wide_user_itest_itest FOR EACH ROW
           IF NEW.event_date = '2026-10-09' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure on 2026-10-09';
           END IF" || fail "create trigger A"
rl_run ABC_TODAY=2026-10-11 -- "$RL_SPEC"
[ "$RL_RC" = 1 ] || fail "A: a failing statement should exit 1, got $RL_RC"
grep -q "injected failure on 2026-10-09" "$RL_ERR" && grep -q "(step wide_day)" "$RL_ERR" ||
    fail "A: the error should name the server's message and the step: $(tail -n 2 "$RL_ERR")"
grep -q "2026-10-08" "$RL_ERR" || grep -q "filled" "$RL_ERR" && fail "A: the run went past the failing day"
report_intact good "A. statement failure mid-way"
[ "$(state)" = "$good_state" ] || fail "A: run state advanced: $(state)"
rl_sql -e "DROP TRIGGER abc.it_fail"

# ---- B. the dashboard publish fails, two specs in one invocation ------------------------------
fails_before_b=$RL_FAILS
trigger "CREATE TRIGGER flow_report_app.it_fail BEFORE INSERT ON flow_report_app.tbl_report_ab_testing_result
           FOR EACH ROW IF NEW.tag = 'itest' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected dashboard failure';
           END IF" || fail "create trigger B"
rl_run ABC_TODAY=2026-10-11 -- --format json "$RL_SPEC" "$SPEC2"
[ "$RL_RC" = 1 ] || fail "B: exit $RL_RC, expected 1"
python3 - "$RL_OUT" <<'PY' || fail "B: --format json summary"
import json, sys
d = json.load(open(sys.argv[1]))
codes = [(t["tag"], t["exit_code"]) for t in d["tags"]]
assert codes == [("itest", 1), ("itest2", 0)] and d["exit_code"] == 1, codes
assert "injected dashboard failure" in d["tags"][0]["error"], d["tags"][0]["error"]
PY
rl_dump now "$RL_REPORT_TABLES"
cmp -s "$RL_TMP/dump-good/flow_report_app.tbl_report_ab_testing_result" \
       "$RL_TMP/dump-now/flow_report_app.tbl_report_ab_testing_result" ||
    fail "B: the dashboard rows of the failed tag changed (the second spec committed the half-done publish?)"
# on MariaDB the report and dashboard rows are replaced in one transaction:
# the failed dashboard insert leaves the report table on the previous run too
cmp -s "$RL_TMP/dump-good/abc.tbl_report_user_itest_itest" "$RL_TMP/dump-now/abc.tbl_report_user_itest_itest" ||
    fail "B: the report table changed although the dashboard publish failed"
[ "$(state)" = "itest=2026-10-07 itest2=2026-10-10 " ] || fail "B: run state: $(state)"
[ "$(rl_sql -e "SELECT MAX(analysis_date) FROM flow_report_app.tbl_report_ab_testing_result WHERE tag = 'itest2'")" = 2026-10-10 ] ||
    fail "B: the second spec did not publish"
[ "$RL_FAILS" = "$fails_before_b" ] && ok "B. dashboard publish failure: old dashboard rows kept, other spec published"
rl_sql -e "DROP TRIGGER flow_report_app.it_fail"
rl_dump afterB "$RL_REPORT_TABLES"
# late rows for 2026-10-09, so that the runs below would change the report if
# they published anything
rl_sql -D ods -e "
  INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, country, platform, screen)
    SELECT DISTINCT user_id, '2026-10-09 23:00:00', '2026-10-09', 'app_open', country, platform, 'home'
    FROM ods.app_events WHERE event_name = 'experiment_viewed' AND var_key = '1' AND event_date < '2026-10-08'" ||
    fail "late rows"

# ---- C. the server dies while the run is inside a statement -----------------------------------
trigger "CREATE TRIGGER abc.it_sleep BEFORE INSERT ON abc.tbl_wide_user_itest_itest FOR EACH ROW
           IF NEW.event_date = '2026-10-09' AND @it_slept IS NULL THEN
             SET @it_slept = 1; DO SLEEP(60);
           END IF" || fail "create trigger C"
env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_CFG" --memo-dir "$RL_TMP/memo" "$RL_SPEC" \
    >"$RL_TMP/c.out" 2>"$RL_TMP/c.err" &
run_pid=$!
for i in $(seq 1 300); do
    [ "$(rl_sql -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep'")" = 1 ] && break
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.1
done
[ "$(rl_sql -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep'")" = 1 ] ||
    fail "C: the run never reached the sleeping statement"
kill -KILL "$MARIADBD_PID"
wait "$MARIADBD_PID" 2>/dev/null
unset MARIADBD_PID
wait "$run_pid"; rc=$?
[ "$rc" = 3 ] || fail "C: killed server: exit $rc, expected 3 ($(tail -n 1 "$RL_TMP/c.err"))"
grep -qi "lost\|gone\|connect" "$RL_TMP/c.err" || fail "C: no connection error on stderr: $(tail -n 1 "$RL_TMP/c.err")"
mariadbd_start "$RL_TMP/db" || { fail "C: restart"; rl_done; }
rl_sql -e "DROP TRIGGER abc.it_sleep"
report_intact afterB "C. server killed mid-run"
[ "$(state)" = "itest=2026-10-07 itest2=2026-10-10 " ] || fail "C: run state: $(state)"

# ---- D. GrowthBook down (always 503) ------------------------------------------------------------
rl_gb_start
rl_config "$RL_TMP/gb.yaml" "$RL_DSN" "  api_host: $RL_GB_URL/a500/$$"
RL_RUNCFG=$RL_TMP/gb.yaml rl_run ABC_TODAY=2026-10-11 GROWTHBOOK_API_KEY="$RL_KEY" -- "$RL_SPEC"
[ "$RL_RC" = 3 ] || fail "D: GrowthBook 503: exit $RL_RC, expected 3"
grep -q "503" "$RL_ERR" || fail "D: the error should give the status: $(tail -n 1 "$RL_ERR")"
n=$(rl_gb_stats a500 $$ | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
[ "$n" = 5 ] || fail "D: $n requests to a failing GrowthBook, expected 5 attempts"
report_intact afterB "D. GrowthBook down"

# ---- the next run completes the dates and equals --full -----------------------------------------
rl_run_ok "run after the failures" ABC_TODAY=2026-10-11 -- --quiet --format json "$RL_SPEC"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tags"][0]; assert (t["from"], t["to"]) == ("2026-10-08", "2026-10-10"), t' \
    "$RL_OUT" || fail "the run after the failures should do 2026-10-08 .. 2026-10-10 (no late data)"
[ "$(state)" = "itest=2026-10-10 itest2=2026-10-10 " ] || fail "run state after recovery: $(state)"
rl_dump recovered
rl_run_ok "--full" ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
rl_dump full
rl_same recovered full "after the failures, the next run = --full" \
    "$RL_REPORT_TABLES abc.experiment_assignment abc.tbl_wide_user_itest_itest"

rl_done
