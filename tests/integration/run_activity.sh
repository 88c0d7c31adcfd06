#!/usr/bin/env bash
# run_activity.sh — growth analytics end to end on a private mariadbd: a
# small hand-written events table (ods.act_events) and
# tests/integration/run/activity.ab; every number of the activity report
# and cohort tables is recomputed by an independent Python reference
# (tests/integration/run/activity_ref.py, from the events, not from the
# SQL).  The data crosses Sunday -> Monday, Dec -> Jan and Feb 29, has
# users active once, a resurrection after several idle periods, NULL users
# (ignored), empty days (reported as 0) and variation keys with quotes and
# non-ASCII text.  Daily incremental runs and one --full run publish the
# same rows, also after a late event within the lookback.
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
for t in $TABLES; do
    python3 "$REF" check "${t#abc.}" "$RL_TMP/dump-full/$t" || fail "reference: $t"
done
python3 "$REF" memo "$RL_TMP/memo/activity.md" || fail "memo: growth section"
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
while [ "$d" != 2024-03-07 ]; do
    rl_run_ok "daily run $d" ABC_TODAY=$d -- --quiet "$SPEC" || break
    d=$(date -u -d "$d + 1 day" +%F)
done
rl_dump daily "$TABLES"
rl_same full daily "daily incremental runs equal one --full run" "$TABLES"

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
rl_done
