#!/usr/bin/env bash
# run_safety.sh — a run never loses or hides data, on a private mariadbd:
#   * a date after today (--date, --to) is refused with exit 2 before the
#     warehouse or GrowthBook is contacted, as is a malformed date; a run of
#     today's date records yesterday as the last date, so the next run
#     redoes today;
#   * a spec reading a missing source column: `abc run` and `abc plan` exit
#     1 naming the table and column, and nothing of the tag is written;
#   * an exposure row with a NULL user id is skipped (the run succeeds) and
#     counted as a data-quality note in the memo, also when the full run's
#     key check splits the dates over two connections (rows in both halves);
#   * a user id longer than the StarRocks keys hold stops the run before
#     anything is written, by --date and by a full run whose other
#     connection checks the date of that row;
#   * two `abc run` of one tag started together: one runs, the other exits
#     3 naming the holder of the tag's lease; a stale lease is taken over;
#     the lease is released at the end, also after a failure;
#   * two specs naming one daily table: `abc check` of both refuses it; a
#     tag's daily publish deletes only its own rows of the table;
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_safety
rl_server
rl_synth
state() { rl_sql -e "SELECT last_date FROM abc.run_state WHERE tag = '$RL_TAG'"; }

# ---- dates after today ------------------------------------------------------------------------------
f0=$RL_FAILS
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
rl_config "$RL_TMP/down.yaml" "mysql://root@127.0.0.1:$port/abc" "  api_host: http://127.0.0.1:$port"
for args in "--date 2026-13-45" "--date 2026-11-11" "--from 2026-10-01 --to 2026-11-11" "--from 2026-11-11 --to 2026-11-12"; do
    # shellcheck disable=SC2086
    RL_RUNCFG=$RL_TMP/down.yaml rl_run ABC_TODAY=2026-10-11 -- --quiet $args "$RL_SPEC"
    [ "$RL_RC" = 2 ] || fail "$args on an unreachable warehouse: exit $RL_RC, expected 2 ($(head -c 200 "$RL_ERR"))"
done
grep -q "after today (2026-10-11)" "$RL_ERR" || fail "a future date: the message should say so: $(cat "$RL_ERR")"
rl_run ABC_TODAY=2026-10-11 -- --quiet --date 2026-11-11 "$RL_SPEC"
[ "$RL_RC" = 2 ] || fail "--date a month ahead: exit $RL_RC, expected 2"
rl_sql -e "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'abc'" | grep -q . &&
    fail "--date a month ahead created tables"
rl_run_ok "--date today" ABC_TODAY=2026-10-10 -- --quiet --date 2026-10-10 "$RL_SPEC"
[ "$(state)" = 2026-10-09 ] || fail "--date today: run state $(state), expected 2026-10-09 (yesterday)"
rl_run_ok "next nightly run" ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
grep -q "no dates due" "$RL_ERR" && fail "the nightly run after --date today found no dates due"
[ "$(state)" = 2026-10-10 ] || fail "nightly run: run state $(state), expected 2026-10-10"
[ "$RL_FAILS" = "$f0" ] && ok "dates after today refused (exit 2, nothing contacted); today's date redone next run"

# ---- preflight: a source column the spec reads is missing ------------------------------------
f0=$RL_FAILS
sed -e 's/^tag itest {/tag itestpf {/' -e 's/sum(payments.amount)/sum(payments.amount_eur)/' "$RL_SPEC" >"$RL_TMP/itestpf.ab"
tables_before=$(rl_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('abc', 'flow_report_app')")
rl_run ABC_TODAY=2026-10-11 -- --quiet "$RL_TMP/itestpf.ab"
[ "$RL_RC" = 1 ] || fail "a missing source column: exit $RL_RC, expected 1"
grep -q "column amount_eur of table ods.payments does not exist" "$RL_ERR" || fail "preflight message: $(cat "$RL_ERR")"
[ "$(rl_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('abc', 'flow_report_app')")" = "$tables_before" ] ||
    fail "a failed preflight created tables"
[ "$(rl_sql -e "SELECT COUNT(*) FROM abc.run_state WHERE tag = 'itestpf'")" = 0 ] || fail "a failed preflight wrote the run state"
env ABC_TODAY=2026-10-11 "$ABC" plan --config "$RL_CFG" "$RL_TMP/itestpf.ab" >"$RL_TMP/plan.out" 2>"$RL_TMP/plan.err"
[ $? = 1 ] || fail "abc plan with a missing source column should exit 1"
grep -q "amount_eur" "$RL_TMP/plan.err" || fail "abc plan: $(cat "$RL_TMP/plan.err")"
sed -e 's/^tag itest {/tag itestpf {/' -e 's/"ods.payments"/"ods.payments_gone"/' "$RL_SPEC" >"$RL_TMP/itestpf.ab"
rl_run ABC_TODAY=2026-10-11 -- --quiet "$RL_TMP/itestpf.ab"
[ "$RL_RC" = 1 ] || fail "a missing source table: exit $RL_RC, expected 1"
grep -q "table ods.payments_gone does not exist" "$RL_ERR" || fail "preflight message: $(cat "$RL_ERR")"
[ "$RL_FAILS" = "$f0" ] && ok "preflight: a missing source table or column fails run and plan with exit 1, nothing written"

# ---- an exposure row with a NULL user id ---------------------------------------------------------
f0=$RL_FAILS
rl_sql -e "ALTER TABLE ods.app_events MODIFY user_id VARCHAR(64) NULL;
           INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, exp_key, var_key, country, platform)
           VALUES (NULL, '2026-10-05 10:00:00', '2026-10-05', 'experiment_viewed', 'it-onboarding', '0', 'US', 'ios'),
                  ('u-null-var', '2026-10-09 10:00:00', '2026-10-09', 'experiment_viewed', 'it-onboarding', NULL, 'US', 'ios')"
rl_run_ok "a NULL user id" ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
grep -q "Data quality note: 2 exposure rows with a NULL user, experiment or variation key were skipped" "$RL_TMP/memo/$RL_TAG.md" ||
    fail "memo: no note on the NULL keys: $(grep -i 'data quality' "$RL_TMP/memo/$RL_TAG.md")"
[ "$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE user_id IS NULL OR user_id = 'u-null-var'")" = 0 ] ||
    fail "rows with NULL keys reached the assignment"
rl_sql -e "DELETE FROM ods.app_events WHERE user_id IS NULL OR user_id = 'u-null-var'"
[ "$RL_FAILS" = "$f0" ] && ok "exposure rows with NULL keys skipped and noted in the memo"

# ---- the tag's lease ----------------------------------------------------------------------------
f0=$RL_FAILS
lease() { rl_sql -e "SELECT COUNT(*) FROM abc.run_lock WHERE tag = '$RL_TAG'"; }
# a held lease: the run stops with exit 3 and names the holder
rl_sql -e "INSERT INTO abc.run_lock VALUES ('$RL_TAG', 'other_run', 'build-7', 4242, UTC_TIMESTAMP() + INTERVAL 1 HOUR, UTC_TIMESTAMP())"
rl_run ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
[ "$RL_RC" = 3 ] || fail "a held lease: exit $RL_RC, expected 3"
grep -q "being run by other_run on host build-7 (pid 4242" "$RL_ERR" || fail "a held lease: $(cat "$RL_ERR")"
[ "$(rl_sql -e "SELECT owner FROM abc.run_lock WHERE tag = '$RL_TAG'")" = other_run ] || fail "a held lease was overwritten"
# a stale lease is taken over, and released at the end
rl_sql -e "UPDATE abc.run_lock SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE WHERE tag = '$RL_TAG'"
rl_run_ok "a stale lease" ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
[ "$(lease)" = 0 ] || fail "the lease was not released after a run"
# two runs started together: one runs, the other stops (exit 3); the
# config step is slowed down so that they overlap
printf 'DELIMITER //\nCREATE TRIGGER abc.it_slow BEFORE INSERT ON abc.experiment_data FOR EACH ROW SET @x = SLEEP(0.5) //\n' | rl_sql
for k in 1 2; do
    env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_CFG" --memo-dir "$RL_TMP/memo$k" --quiet "$RL_SPEC" \
        >"$RL_TMP/race$k.out" 2>"$RL_TMP/race$k.err" &
    eval "pid$k=\$!"
done
wait "$pid1"; rc1=$?
wait "$pid2"; rc2=$?
case "$rc1$rc2" in
    03|30) ;;
    *) fail "two runs of one tag: exit codes $rc1 and $rc2, expected 0 and 3 ($(cat "$RL_TMP"/race*.err))" ;;
esac
cat "$RL_TMP"/race*.err | grep -q "is being run by ${RL_TAG}_" || fail "the second run should name the first: $(cat "$RL_TMP"/race*.err)"
[ "$(lease)" = 0 ] || fail "the lease was not released after the race"
rl_sql -e "DROP TRIGGER abc.it_slow"
# a failing run releases its lease
printf 'DELIMITER //\nCREATE TRIGGER abc.it_fail BEFORE INSERT ON abc.experiment_data FOR EACH ROW SIGNAL SQLSTATE "45000" SET MESSAGE_TEXT = "injected" //\n' | rl_sql
rl_run ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
[ "$RL_RC" = 1 ] || fail "injected failure: exit $RL_RC, expected 1"
[ "$(lease)" = 0 ] || fail "the lease was not released after a failed run"
rl_sql -e "DROP TRIGGER abc.it_fail"
[ "$RL_FAILS" = "$f0" ] && ok "lease: a held one stops the run (exit 3, holder named), a stale one is taken over, two racing runs: one runs; released after success and failure"

# ---- a daily table named by two specs ------------------------------------------------------------
f0=$RL_FAILS
sed -e 's/^tag itest {/tag itesta {\n  daily_table "tbl_daily_shared";/' "$RL_SPEC" >"$RL_TMP/itesta.ab"
sed -e 's/^tag itest {/tag itestb {\n  daily_table "tbl_daily_shared";/' "$RL_SPEC" >"$RL_TMP/itestb.ab"
"$ABC" check "$RL_TMP/itesta.ab" >/dev/null 2>"$RL_TMP/check.err" || fail "check of one spec: $(cat "$RL_TMP/check.err")"
"$ABC" check "$RL_TMP/itesta.ab" "$RL_TMP/itestb.ab" >/dev/null 2>"$RL_TMP/check.err"
[ $? = 1 ] || fail "abc check of two specs sharing a daily table should exit 1"
grep -q "daily table abc.tbl_daily_shared is also the table of tag 'itesta'" "$RL_TMP/check.err" ||
    fail "abc check: $(cat "$RL_TMP/check.err")"
# run anyway, one at a time: the first tag claims the table (abc.table_owner),
# the second is refused at run time, naming the owner, before any write
rl_run_ok "tag a" ABC_TODAY=2026-10-11 -- --quiet --date 2026-10-09 "$RL_TMP/itesta.ab"
na=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_daily_shared WHERE tag = 'itesta'")
[ "$(rl_sql -e "SELECT tag FROM abc.table_owner WHERE table_name = 'abc.tbl_daily_shared'")" = itesta ] ||
    fail "the daily table's owner should be recorded as itesta"
tables_before=$(rl_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('abc', 'flow_report_app')")
rl_run ABC_TODAY=2026-10-11 -- --quiet --date 2026-10-09 "$RL_TMP/itestb.ab"
[ "$RL_RC" = 1 ] || fail "tag b sharing tag a's daily table: exit $RL_RC, expected 1"
grep -q "the daily table abc.tbl_daily_shared belongs to tag 'itesta' (abc.table_owner)" "$RL_ERR" &&
    grep -q "Give this spec its own daily_table" "$RL_ERR" ||
    fail "tag b's refusal should name the table and its owner: $(tail -n 1 "$RL_ERR")"
[ "$na" -gt 0 ] && [ "$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_daily_shared WHERE tag = 'itesta'")" = "$na" ] ||
    fail "tag b's run changed tag a's daily rows ($na before)"
for q in "SELECT COUNT(*) FROM abc.tbl_daily_shared WHERE tag = 'itestb'" \
         "SELECT COUNT(*) FROM abc.run_state WHERE tag = 'itestb'" \
         "SELECT COUNT(*) FROM abc.experiment_data WHERE tag = 'itestb'" \
         "SELECT COUNT(*) FROM abc.table_owner WHERE tag = 'itestb'" \
         "SELECT COUNT(*) FROM abc.run_lock WHERE tag = 'itestb'"; do
    [ "$(rl_sql -e "$q")" = 0 ] || fail "the refused run wrote something: $q"
done
[ "$(rl_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('abc', 'flow_report_app')")" = "$tables_before" ] ||
    fail "the refused run created tables"
# the owner's own runs go on
rl_run_ok "tag a again" ABC_TODAY=2026-10-11 -- --quiet --date 2026-10-09 "$RL_TMP/itesta.ab"
[ "$RL_FAILS" = "$f0" ] && ok "a shared daily table: refused by abc check, and at run time for the tag that does not own it (exit 1, owner named, nothing written)"

# ---- user ids longer than the StarRocks primary keys hold ---------------------------------------
f0=$RL_FAILS
rl_dump keys_before "$RL_TABLES"
rl_sql -e "INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, exp_key, var_key, country, platform)
           VALUES (REPEAT('u', 60), '2026-10-10 10:00:00', '2026-10-10', 'experiment_viewed', 'it-onboarding', '1', 'US', 'ios')" ||
    fail "insert a long user id"
rl_run ABC_TODAY=2026-10-11 -- --quiet --date 2026-10-10 "$RL_SPEC"
[ "$RL_RC" = 1 ] || fail "a user id over the key bound: exit $RL_RC, expected 1 ($(tail -n 1 "$RL_ERR"))"
grep -q "1 exposure row of app_events in 2026-10-10 .. 2026-10-10 has a user id longer than 56 bytes (the longest: 60 bytes): on StarRocks the primary key of experiment_assignment (tag, tracking key, user id) holds at most 128 bytes" "$RL_ERR" &&
    grep -q "one such row cancels the whole load; not run, nothing written" "$RL_ERR" ||
    fail "the long user id: the message should give the count and the limit: $(tail -n 1 "$RL_ERR")"
rl_dump keys_after "$RL_TABLES"
rl_same keys_before keys_after "a user id over the key bound: nothing written" "$RL_TABLES"
# a full run: its later dates' keys are checked on the second connection
rl_run ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
[ "$RL_RC" = 1 ] || fail "a user id over the key bound, full run: exit $RL_RC, expected 1 ($(tail -n 1 "$RL_ERR"))"
grep -q "1 exposure row of app_events in 2026-10-0[0-9] .. 2026-10-10 has a user id longer than 56 bytes (the longest: 60 bytes)" "$RL_ERR" ||
    fail "the long user id, full run: $(tail -n 1 "$RL_ERR")"
rl_dump keys_after_full "$RL_TABLES"
rl_same keys_before keys_after_full "a user id over the key bound, full run: nothing written" "$RL_TABLES"
[ "$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE user_id = REPEAT('u', 60)")" = 0 ] ||
    fail "the long user id reached the assignment"
rl_sql -e "DELETE FROM ods.app_events WHERE user_id = REPEAT('u', 60)"
[ "$RL_FAILS" = "$f0" ] && ok "a user id longer than the StarRocks keys hold: exit 1 with the count and the limit, nothing written"

rl_done
