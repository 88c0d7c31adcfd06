#!/usr/bin/env bash
# run_wh_errors.sh — warehouse failures in the middle of a run, on private
# mariadbd servers: each stops the run with exit 3 and a message that says
# what happened, leaves the previous report rows and the run state as they
# were, and the next run completes.
#   A. a statement runs past warehouse.query_timeout_s (MariaDB error 1969);
#   B. abc's connection is killed (KILL CONNECTION from a second client)
#      while the first statistics query (stats_moments, over the unit
#      state) runs: no statement of the group is re-sent alone;
#   C. the warehouse runs out of storage: a server whose InnoDB system
#      tablespace cannot grow, filled up (error 1114, the table is full).
# A reads the wide table through a view that sleeps (SLEEP(3) in an
# uncorrelated subquery) whenever it is read, so a statement stays in the
# server long enough to be timed out; B reads the unit state table through
# a view whose function sleeps once per session on the rows of the last
# date, which only the statistics read, so that they stay in the server
# long enough to be killed.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_wh_errors
rl_server
rl_synth

state() { rl_sql -e "SELECT tag, last_date FROM abc.run_state ORDER BY tag" | tr '\t\n' '= '; }
report_intact() { # GOOD_DUMP WHAT
    rl_dump now "$RL_REPORT_TABLES"
    rl_same "$1" now "$2: report rows as after the last good run"
}
WIDE=abc.tbl_wide_user_itest_itest
STATE=abc.tbl_wide_user_itest_itest__unit_state

rl_run_ok "first run" ABC_TODAY=2026-10-08 -- --quiet "$RL_SPEC"
rl_dump good "$RL_REPORT_TABLES"
good_state=$(state)
[ "$good_state" = "itest=2026-10-07 " ] || fail "run state after the first run: $good_state"

# the wide table behind a view that sleeps whenever it is read
rl_sql -e "RENAME TABLE $WIDE TO abc.it_wide_real;
           CREATE VIEW $WIDE AS SELECT * FROM abc.it_wide_real WHERE (SELECT SLEEP(3)) = 0" ||
    fail "slow view"

# ---- A. a statement timeout --------------------------------------------------------------------
f0=$RL_FAILS
{ cat "$RL_CFG"; } | sed -e 's/^warehouse:$/warehouse:\n  query_timeout_s: 1/' >"$RL_TMP/timeout.yaml"
grep -q "query_timeout_s: 1" "$RL_TMP/timeout.yaml" || fail "A: config"
RL_RUNCFG=$RL_TMP/timeout.yaml rl_run ABC_TODAY=2026-10-11 -- "$RL_SPEC"
[ "$RL_RC" = 3 ] || fail "A: a statement timeout should exit 3, got $RL_RC ($(tail -n 1 "$RL_ERR"))"
grep -q "ran longer than warehouse.query_timeout_s (1 s)" "$RL_ERR" &&
    grep -q "raise warehouse.query_timeout_s in abc.yaml" "$RL_ERR" && grep -q "warehouse error 1969" "$RL_ERR" ||
    fail "A: the message should name the config key and the server's error: $(tail -n 1 "$RL_ERR")"
report_intact good "A. statement timeout"
[ "$(state)" = "$good_state" ] || fail "A: run state advanced: $(state)"
[ "$RL_FAILS" = "$f0" ] && ok "A. statement timeout: exit 3 naming warehouse.query_timeout_s, previous results kept"

# ---- B. the connection is killed during the statistics ------------------------------------------
f0=$RL_FAILS
# the wide rows A filled before it stopped go (a DELETE through the view
# would sleep per row); B fills them again
rl_sql -e "DELETE FROM abc.it_wide_real WHERE event_date >= '2026-10-08';
           DROP VIEW $WIDE; RENAME TABLE abc.it_wide_real TO $WIDE" || fail "B: setup"
# the unit state behind a view that sleeps 3 s, once per session, when a
# version that starts on 2026-10-10 is read: unit_state writes those and
# reads the versions before them; the statistics read them
rl_sql -e "RENAME TABLE $STATE TO abc.it_state_real;
           CREATE FUNCTION abc.it_slow_once(d DATE) RETURNS INT NOT DETERMINISTIC
             RETURN IF(d = '2026-10-10' AND @it_slept IS NULL, SLEEP(3) + (@it_slept := 1) - 1, 0);
           CREATE VIEW $STATE AS SELECT * FROM abc.it_state_real WHERE abc.it_slow_once(valid_from) = 0" ||
    fail "B: slow unit state view"
env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_CFG" --memo-dir "$RL_TMP/memo" "$RL_SPEC" \
    >"$RL_TMP/b.out" 2>"$RL_TMP/b.err" &
run_pid=$!
conn=
for i in $(seq 1 600); do
    # the statistics query while it sleeps in the view: one that has already
    # returned would leave the KILL to whatever statement comes next
    conn=$(rl_sql -e "SELECT ID FROM information_schema.PROCESSLIST
                      WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID()
                        AND STATE = 'User sleep'
                        AND INFO LIKE '%user_values AS (%'")
    [ -n "$conn" ] && break
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.05
done
if [ -n "$conn" ]; then
    rl_sql -e "KILL CONNECTION $conn" || fail "B: KILL CONNECTION $conn"
else
    fail "B: the run never reached the statistics query"
fi
wait "$run_pid"; rc=$?
[ "$rc" = 3 ] || fail "B: killed connection: exit $rc, expected 3 ($(tail -n 1 "$RL_TMP/b.err"))"
grep -q "the connection to the warehouse was lost during the statistics queries" "$RL_TMP/b.err" &&
    grep -q "nothing was published and the next run redoes the dates" "$RL_TMP/b.err" &&
    grep -q "(step stats_moments)" "$RL_TMP/b.err" ||
    fail "B: the message should say what was lost and where: $(tail -n 1 "$RL_TMP/b.err")"
report_intact good "B. connection killed in the statistics"
[ "$(state)" = "$good_state" ] || fail "B: run state advanced: $(state)"
[ "$RL_FAILS" = "$f0" ] && ok "B. connection killed in the statistics: exit 3, not retried, previous results kept"

# ---- the next run completes -----------------------------------------------------------------------
rl_sql -e "DROP VIEW $STATE; DROP FUNCTION abc.it_slow_once; RENAME TABLE abc.it_state_real TO $STATE" ||
    fail "restore the unit state table"
rl_run_ok "run after the failures" ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
[ "$(state)" = "itest=2026-10-10 " ] || fail "run state after the failures: $(state)"

# ---- C. out of storage ----------------------------------------------------------------------------
# A second server whose system tablespace (every InnoDB table: no file per
# table) cannot grow: first with an autoextending one for the data and a
# good run, then restarted with that file's size fixed and filled up.
f0=$RL_FAILS
mariadbd_stop
MARIADBD_OPTS="--innodb-file-per-table=0" rl_server "$RL_TMP/full"
rl_synth
rl_run_ok "C: first run" ABC_TODAY=2026-10-08 -- --quiet "$RL_SPEC"
rl_dump goodC "$RL_REPORT_TABLES"
goodC_state=$(state)
mariadbd_stop
mb=$(( $(stat -c %s "$RL_TMP/full/data/ibdata1") / 1048576 ))
MARIADBD_OPTS="--innodb-file-per-table=0 --innodb-data-file-path=ibdata1:${mb}M" \
    mariadbd_start "$RL_TMP/full" || { fail "C: restart with a fixed tablespace"; rl_done; }
rl_sql -e "CREATE TABLE abc.it_filler (s VARCHAR(2000)) ENGINE=InnoDB" || fail "C: filler table"
full=0
for chunk in 1000 100 10 1; do
    for i in $(seq 1 2000); do
        if ! rl_sql -e "INSERT INTO abc.it_filler SELECT REPEAT('x', 2000) FROM abc.seq_1_to_$chunk" \
                2>"$RL_TMP/fill.err"; then
            grep -q "ERROR 1114" "$RL_TMP/fill.err" || fail "C: filling: $(cat "$RL_TMP/fill.err")"
            full=1
            break
        fi
    done
done
[ "$full" = 1 ] || fail "C: the tablespace did not fill up"
rl_run ABC_TODAY=2026-10-11 -- "$RL_SPEC"
[ "$RL_RC" = 3 ] || fail "C: out of storage should exit 3, got $RL_RC ($(tail -n 1 "$RL_ERR"))"
grep -q "the warehouse is out of storage (disk or table full); the run stopped and the previous results are unchanged" "$RL_ERR" &&
    grep -q "warehouse error 1114" "$RL_ERR" ||
    fail "C: the message should say the warehouse is full: $(tail -n 1 "$RL_ERR")"
report_intact goodC "C. out of storage"
[ "$(state)" = "$goodC_state" ] || fail "C: run state advanced: $(state)"
# room again: the tablespace may grow
mariadbd_stop
MARIADBD_OPTS="--innodb-file-per-table=0 --innodb-data-file-path=ibdata1:${mb}M:autoextend" \
    mariadbd_start "$RL_TMP/full" || { fail "C: restart with a growing tablespace"; rl_done; }
rl_run_ok "C: run after freeing space" ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
[ "$(state)" = "itest=2026-10-10 " ] || fail "C: run state after freeing space: $(state)"
[ "$RL_FAILS" = "$f0" ] && ok "C. out of storage (1114): exit 3 with the reason, previous results kept; the next run completes"

rl_done
