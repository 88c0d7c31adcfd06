#!/usr/bin/env bash
# run_activity.sh — growth analytics end to end on a private mariadbd: a
# small hand-written events table (ods.act_events) and
# tests/integration/run/activity.ab; every number of the activity report
# and cohort tables is recomputed by an independent Python reference
# (tests/integration/run/activity_ref.py, from the events, not from the
# SQL).  The data crosses Sunday -> Monday, Dec -> Jan and Feb 29, has
# users active once, a resurrection after several idle periods, a user
# leaving the 7- and the 28-day rolling windows on the same day, NULL users
# (ignored), empty days (reported as 0), a tracking key with a slash and
# variation keys with quotes, a slash, a percent sign and non-ASCII text
# (percent-encoded in breakdown_value).  Daily incremental runs and one
# --full run publish the same rows, also after a late event within the
# lookback, after a backfill of older dates with --from/--to, and after
# those dates' events are deleted again.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_activity
rl_server
SPEC=tests/integration/run/activity.ab
REF=tests/integration/run/activity_ref.py
RL_TAG=activity
TABLES="abc.tbl_activity_report_act_activity abc.tbl_activity_cohort_act_activity"

python3 "$REF" sql >"$RL_TMP/events.sql" || fail "reference: events"
rl_sql <"$RL_TMP/events.sql" || fail "loading the events"

# one full run up to 2024-03-05
rl_run_ok "full run" ABC_TODAY=2024-03-06 -- --quiet --full "$SPEC"
rl_dump full "$TABLES"
# each user's first and last active date (daily runs merge the new days:
# activity_state_add)
USER_STATE=abc.tbl_activity_user_act_activity
rl_dump full-users "$USER_STATE"
for t in $TABLES; do
    python3 "$REF" check "${t#abc.}" "$RL_TMP/dump-full/$t" || fail "reference: $t"
done
python3 "$REF" memo "$RL_TMP/memo/activity.md" || fail "memo: growth section"
grep -qF "act%2Fexp/it's%2F\"é\" 100%25" "$RL_TMP/dump-full/abc.tbl_activity_report_act_activity" ||
    fail "breakdown_value: the keys are not percent-encoded"
[ "$RL_FAILS" = 0 ] && ok "full run: every report and cohort number and the memo's growth section equal the reference"

# the plan lists the activity steps; --dry-run --sql shows them bound
rl_run ABC_TODAY=2024-03-07 -- --dry-run "$SPEC"
for step in activity_fill activity_state activity_publish; do
    grep -q "^  $step " "$RL_OUT" || fail "--dry-run: no $step step"
done
rl_run ABC_TODAY=2024-03-07 -- --dry-run --sql "$SPEC"
grep -q "INSERT INTO \`abc\`.\`tbl_activity_report_act_activity\`" "$RL_OUT" ||
    fail "--dry-run --sql: no activity report write"
grep -q "DELETE FROM \`abc\`.\`tbl_activity_report_act_activity\`\$" "$RL_OUT" ||
    fail "--dry-run --sql: no activity report delete"
[ "$RL_FAILS" = 0 ] && ok "--dry-run and --dry-run --sql list the activity steps"

# daily incremental runs from an early first run
rl_sql -e "DROP DATABASE abc; DROP DATABASE IF EXISTS flow_report_app" || fail "reset"
rl_run_ok "first run" ABC_TODAY=2024-01-02 -- --quiet "$SPEC"
d=2024-01-03
nnext=0
npre=0
while [ "$d" != 2024-03-07 ]; do
    # no run on 2024-02-10: the next one merges two new days at once into
    # the users' and the periods' rows (the same week, the same month)
    if [ "$d" != 2024-02-10 ]; then
        rl_run_ok "daily run $d" ABC_TODAY=$d -- "$SPEC" || break
        grep -q "day, week and month of [0-9-]* from their published rows and the day's active users" "$RL_ERR" && nnext=$((nnext + 1))
        grep -q "activity days filled ([0-9-]* .. [0-9-]*, from the per-user day table)" "$RL_ERR" && npre=$((npre + 1))
    fi
    d=$(date -u -d "$d + 1 day" +%F)
done
# every daily run after the first two stages the date's week and month
# from the published rows (activity_stage_next), and every one takes the
# active days of its dates from the per-user day table its fill wrote
# (activity_fill_days); the equality below checks both paths against a
# --full run, which reads the sources
echo "daily runs through activity_stage_next: $nnext"; [ "$nnext" -ge 60 ] || fail "daily runs: $nnext used activity_stage_next, expected at least 60"
echo "daily runs through activity_fill_days: $npre"; [ "$npre" -ge 60 ] || fail "daily runs: $npre took their active days from the per-user day table, expected at least 60"
rl_dump daily "$TABLES"
rl_same full daily "daily incremental runs equal one --full run" "$TABLES"
rl_dump daily-users "$USER_STATE"
rl_same full-users daily-users "daily incremental runs: the users' first and last active dates" \
    "$USER_STATE"

# a failed run leaves the previous results: a fault in the last statement of
# report_publish's transaction (the cohort rows) rolls back the experiment
# report, the dashboard and the growth report alike, and the run state
# stays; a fault in activity_stage stops the run before anything is switched
ALL="$TABLES abc.tbl_report_user_act_activity flow_report_app.tbl_report_ab_testing_result"
rl_dump before-fail "$ALL"
f0=$RL_FAILS
for target in abc.tbl_activity_cohort_act_activity abc.tbl_activity_rstage_act_activity; do
    printf 'DELIMITER //\nCREATE TRIGGER abc.act_fail BEFORE INSERT ON %s FOR EACH ROW
        SIGNAL SQLSTATE '"'45000'"' SET MESSAGE_TEXT = '"'injected failure'"' //\n' "$target" |
        rl_sql || fail "create trigger on $target"
    rl_run ABC_TODAY=2024-03-07 -- --quiet "$SPEC"
    [ "$RL_RC" = 1 ] || fail "fault on $target: exit $RL_RC, expected 1"
    grep -q "injected failure" "$RL_ERR" || fail "fault on $target: the error is not reported"
    rl_sql -e "DROP TRIGGER abc.act_fail" || fail "drop trigger"
    rl_dump after-fail "$ALL"
    for t in $ALL; do
        cmp -s "$RL_TMP/dump-before-fail/$t" "$RL_TMP/dump-after-fail/$t" ||
            fail "fault on $target: $t changed"
    done
    [ "$(rl_sql -e "SELECT last_date FROM abc.run_state WHERE tag = 'activity'")" = 2024-03-05 ] ||
        fail "fault on $target: the run state moved"
done
[ "$RL_FAILS" = "$f0" ] &&
    ok "a fault in the publish transaction or in activity_stage leaves every report table as it was"

# a late event within the lookback of the next daily run: that run
# recomputes its periods; a --full run over the same data agrees, and both
# equal the reference
python3 "$REF" late | rl_sql || fail "loading the late event"
rl_run_ok "daily run after late data" ABC_TODAY=2024-03-07 -- --quiet "$SPEC"
rl_dump late-daily "$TABLES"
rl_sql -e "DROP DATABASE abc; DROP DATABASE IF EXISTS flow_report_app" || fail "reset"
rl_run_ok "full run after late data" ABC_TODAY=2024-03-07 -- --quiet --full "$SPEC"
rl_dump late-full "$TABLES"
f0=$RL_FAILS
for t in $TABLES; do
    ACT_LATE=1 python3 "$REF" check "${t#abc.}" "$RL_TMP/dump-late-full/$t" || fail "reference after late data: $t"
done
[ "$RL_FAILS" = "$f0" ] && ok "late data: the --full run equals the reference"
rl_same late-full late-daily "late data: the incremental run equals a --full run" "$TABLES"

# a backfill: events of January arrive after March was run (a new user, and
# an earlier first active date for another) and are refilled with
# --from/--to, before the last run's date; the later periods they change
# (rolling windows, the next periods' growth accounting, the cohorts) are
# republished too: the result equals the reference and a --full run
python3 "$REF" backfill | rl_sql || fail "loading the backfilled events"
rl_run_ok "backfill run" ABC_TODAY=2024-03-07 -- --quiet --from 2024-01-05 --to 2024-01-16 "$SPEC"
rl_dump backfill "$TABLES"
f0=$RL_FAILS
for t in $TABLES; do
    ACT_LATE=1 ACT_BACKFILL=1 python3 "$REF" check "${t#abc.}" "$RL_TMP/dump-backfill/$t" ||
        fail "reference after the backfill: $t"
done
[ "$RL_FAILS" = "$f0" ] && ok "backfill: every report and cohort number equals the reference"
rl_sql -e "DROP DATABASE abc; DROP DATABASE IF EXISTS flow_report_app" || fail "reset"
rl_run_ok "full run after the backfill" ABC_TODAY=2024-03-07 -- --quiet --full "$SPEC"
rl_dump backfill-full "$TABLES"
rl_same backfill-full backfill "backfill: the --from/--to run equals a --full run" "$TABLES"

# the backfilled events are deleted again and their dates refilled: u10,
# active on no day any more, leaves the user state and its cohort, u5's
# first active date moves back; the result equals the reference without
# the backfill
rl_sql -e "DELETE FROM ods.act_events WHERE (user_id = 'u5' AND event_date = '2024-01-16')
           OR (user_id = 'u10' AND event_date = '2024-01-05')" || fail "deleting the backfilled events"
rl_run_ok "refill after deletion" ABC_TODAY=2024-03-07 -- --quiet --from 2024-01-05 --to 2024-01-16 "$SPEC"
rl_dump unfilled "$TABLES"
f0=$RL_FAILS
for t in $TABLES; do
    ACT_LATE=1 python3 "$REF" check "${t#abc.}" "$RL_TMP/dump-unfilled/$t" ||
        fail "reference after deleting the backfilled events: $t"
done
[ "$RL_FAILS" = "$f0" ] && ok "deleted days: users with no active day left leave the state and the cohorts"
# one connection or two: by default a remote run fills the growth tables on a
# second connection beside the statistics; warehouse.connections: 1 runs
# everything in turn on one.  Both publish the same rows.
ONE=$RL_TMP/one.yaml
{ echo "warehouse:"; echo "  connections: 1"; tail -n +2 "$RL_CFG"; } >"$ONE"
conns() { rl_sql -N -e "SHOW GLOBAL STATUS LIKE 'Connections'" | awk '{ print $2 }'; }
for n in 2 1; do
    cfg=$RL_CFG; [ "$n" = 1 ] && cfg=$ONE
    c0=$(conns)
    RL_CFG=$cfg rl_run_ok "full run on $n connection(s)" ABC_TODAY=2024-03-07 -- --quiet --full "$SPEC"
    c1=$(conns)
    # the second reading connects once itself
    [ $((c1 - c0 - 1)) = "$n" ] || fail "warehouse.connections $n: the run opened $((c1 - c0 - 1))"
    rl_dump "conn$n" "$ALL"
done
rl_same conn2 conn1 "two connections and one publish the same growth and report rows" "$ALL"

# a --full run through an earlier date than the last published one (the
# runs above reached 2024-03-06) forgets the later active days, users and
# periods: the next daily run merges its one new day, and the users' first
# and last active dates equal those of a --full run through that day
f0=$RL_FAILS
rl_run_ok "full run through an earlier date" ABC_TODAY=2024-03-01 -- --quiet --full "$SPEC"
[ "$(rl_sql -N -e "SELECT COUNT(*) FROM abc.tbl_activity_day_act_activity WHERE event_date > '2024-02-29'")" = 0 ] ||
    fail "--full through 2024-02-29: active days after it are left"
rl_run_ok "daily run after it" ABC_TODAY=2024-03-02 -- "$SPEC"
grep -q "activity days filled (2024-03-01 .. 2024-03-01" "$RL_ERR" ||
    fail "the daily run after a --full run through the day before did not merge its one day: $(grep 'activity days filled' "$RL_ERR")"
rl_dump after-earlier-users "$USER_STATE"
rl_run_ok "full run through 2024-03-01" ABC_TODAY=2024-03-02 -- --quiet --full "$SPEC"
rl_dump full-0301-users "$USER_STATE"
rl_same full-0301-users after-earlier-users \
    "after a --full run through an earlier date, a daily run: the users' first and last active dates" \
    "$USER_STATE"
[ "$RL_FAILS" = "$f0" ] && ok "a --full run through an earlier date leaves no later growth rows behind"
rl_done
