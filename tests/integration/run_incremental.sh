#!/usr/bin/env bash
# run_incremental.sh — `abc run` on a private mariadbd (tests/integration/run_lib.sh):
#   1. incremental equals full: ten daily default runs (ABC_TODAY advancing a
#      day at a time), and ten `--date D` runs, leave report, daily and
#      dashboard rows (computed_at aside) identical to one `--full` run;
#   2. late-arriving rows inside the lookback are picked up: events inserted
#      for a day already processed change that day's source fingerprint, so
#      `abc run --dry-run` names it ("events: 2026-10-06 rows N → M") and the
#      next incremental run re-fills from it; its results then equal a
#      `--full` run over the same data.  A daily run without late data
#      re-fills no past date (the dates each run processed are checked);
#   2b. a source date whose rows were deleted is re-filled (payments of a
#      date inside the lookback deleted: rows N → 0), and one whose row was
#      changed in place (checksum changed), = `--full`;
#   3. reruns are idempotent: the same run twice leaves every table of the tag
#      (report tables, assignment, wide table, experiment_data, run_state)
#      identical; a rerun with nothing new and no late data processes no date;
#   4. every date as of that date (docs/RUNNING.md): with users whose second
#      variation appears days after their first or on their first day (each
#      such unit keeps its first exposure's variation and is flagged from
#      that day), and late-arriving earlier
#      exposures and earlier activation events (inside the lookback), daily
#      incremental runs, `--date D` runs (in order, then two old dates again,
#      then the last one, whose unit state is computed again from the older
#      date on) and one `--full` run leave identical report, daily and
#      dashboard rows
#      (and assignment and wide rows), for itest.ab and for itest_act.ab
#      (day 0 = activation); an assignment table without
#      multiple_variations_date gets it from the ddl step;
#   5. a phase that ends in the middle of a day: daily runs = --full (the
#      day fill's units cut by the phase's end match events one by one).
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_incremental
rl_server
rl_synth

days=(2026-10-01 2026-10-02 2026-10-03 2026-10-04 2026-10-05 2026-10-06 2026-10-07
      2026-10-08 2026-10-09 2026-10-10)
next_day() { date -u -d "$1 + 1 day" +%F; }
drop_all() { rl_sql -e "DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app"; }
# the specs of the runs (section 4 adds itest_act.ab)
RUN_SPECS=("$RL_SPEC")
# daily default runs with "today" = the day after each of days[$1..$2]
daily_runs() { # FIRST_INDEX LAST_INDEX [LATE_DATE]
    local i today
    for ((i = $1; i <= $2; i++)); do
        today=$(next_day "${days[$i]}")
        rl_run_ok "daily run, today $today" ABC_TODAY="$today" -- --quiet --format json "${RUN_SPECS[@]}" || return 1
        # the dates the run processed: the new day only (no past date is
        # re-filled without late data), from LATE_DATE for the first run
        # after late rows dated LATE_DATE arrived
        local want_from=${days[$i]} want_to="${days[$i]}"
        [ "$i" -eq "$1" ] && [ -n "${3:-}" ] && want_from=$3
        python3 - "$RL_OUT" "$want_from" "$want_to" <<'PY' || { fail "daily run, today $today: dates processed"; return 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["tags"]:
    if (t.get("from"), t.get("to")) != (sys.argv[2], sys.argv[3]):
        sys.exit("%s: processed %s..%s, expected %s..%s" % (t.get("tag"), t.get("from"), t.get("to"),
                                                            sys.argv[2], sys.argv[3]))
PY
    done
}

# pre_check WHAT: every exposure-day row's CUPED covariate (opens_7d: app_open
# events over days -3..-1) equals the count in the raw events, which the
# runner never reads for it (it sums the pre-period table's user days)
pre_check() {
    local bad nonzero
    bad=$(rl_sql -e "SELECT COUNT(*) FROM (
        SELECT COALESCE(w.opens_7d__pre, -1) AS v, COALESCE(SUM(d.n), 0) AS ref
        FROM abc.tbl_wide_user_itest_itest w
        LEFT JOIN (SELECT user_id, event_date, COUNT(*) AS n FROM ods.app_events
                   WHERE event_name = 'app_open' GROUP BY user_id, event_date) d
            ON d.user_id = w.user_id AND d.event_date >= w.exposure_date - INTERVAL 3 DAY
               AND d.event_date < w.exposure_date
        WHERE w.event_date = w.exposure_date
        GROUP BY w.tracking_key, w.user_id, w.opens_7d__pre) x
        WHERE v <> ref")
    nonzero=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_wide_user_itest_itest
        WHERE event_date = exposure_date AND opens_7d__pre > 0")
    if [ "$bad" = 0 ] && [ "${nonzero:-0}" -gt 0 ]; then
        ok "$1: CUPED covariates = the raw events' pre-period ($nonzero non-zero)"
    else
        fail "$1: $bad exposure-day rows whose CUPED covariate differs from the raw events" \
             "(${nonzero:-?} non-zero)"
    fi
}

# wide_check WHAT: every (unit, day) of the wide table holds the unit's app
# opens (opens_7d) and payments (revenue_7d) of that day at or after its
# first exposure, counted here from the raw rows, and every unit with an app
# open of a day up to 2026-10-10 after its exposure has that day's row: the
# daily fill reads the whole-day units' sums from the per-user day table and
# only the cut units' raw events, so this holds it to the events themselves
wide_check() {
    local bad missing rows
    bad=$(rl_sql -e "SELECT COUNT(*) FROM (
        SELECT w.opens_7d__events AS v, w.revenue_7d__sum AS r,
               (SELECT COUNT(*) FROM ods.app_events e
                WHERE e.user_id = w.user_id AND e.event_date = w.event_date
                  AND e.event_name = 'app_open' AND e.event_time >= a.first_exposure_time) AS v_ref,
               (SELECT COALESCE(SUM(p.amount), 0) FROM ods.payments p
                WHERE p.user_id = w.user_id AND p.pay_date = w.event_date
                  AND p.paid_at >= a.first_exposure_time) AS r_ref
        FROM abc.tbl_wide_user_itest_itest w
        JOIN abc.experiment_assignment a
            ON a.tag = 'itest' AND a.tracking_key = w.tracking_key AND a.user_id = w.user_id) x
        WHERE v <> v_ref OR ABS(r - r_ref) > 1e-9 * GREATEST(1, ABS(r_ref))")
    missing=$(rl_sql -e "SELECT COUNT(*) FROM (
        SELECT a.tracking_key, a.user_id, e.event_date
        FROM abc.experiment_assignment a
        JOIN ods.app_events e
            ON e.user_id = a.user_id AND e.event_name = 'app_open'
           AND e.event_time >= a.first_exposure_time AND e.event_date <= '2026-10-10'
        WHERE a.tag = 'itest'
        GROUP BY a.tracking_key, a.user_id, e.event_date) u
        LEFT JOIN abc.tbl_wide_user_itest_itest w
            ON w.tracking_key = u.tracking_key AND w.user_id = u.user_id
           AND w.event_date = u.event_date
        WHERE w.user_id IS NULL")
    rows=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_wide_user_itest_itest WHERE event_date > exposure_date
        AND opens_7d__events > 0")
    if [ "$bad" = 0 ] && [ "$missing" = 0 ] && [ "${rows:-0}" -gt 0 ]; then
        ok "$1: wide rows = the raw events and payments after each exposure ($rows whole-day rows with opens)"
    else
        fail "$1: $bad wide rows differ from the raw events or payments, $missing (unit, day) rows" \
             "missing (${rows:-?} whole-day rows with opens)"
    fi
}

# ---- 1. incremental (default runs, one per day) = --full --------------------------------------
daily_runs 0 9 && ok "ten daily incremental runs, each over the documented dates"
pre_check "daily incremental runs"
wide_check "daily incremental runs"
rl_dump incr
rl_run_ok "--full" ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
pre_check "--full"
rl_dump full
rl_same incr full "daily incremental runs = one --full run"
n_dates=$(cut -f9 "$RL_TMP/dump-full/abc.tbl_report_daily_itest_itest" | sort -u | wc -l)
[ "$n_dates" = 10 ] || fail "daily table: $n_dates analysis dates, expected 10"
grep -q "it-onboarding" "$RL_TMP/dump-full/flow_report_app.tbl_report_ab_testing_result" &&
    grep -q "it-reminder" "$RL_TMP/dump-full/flow_report_app.tbl_report_ab_testing_result" ||
    fail "dashboard table lacks an experiment"
[ "$(cut -f9 "$RL_TMP/dump-full/abc.tbl_report_user_itest_itest" | sort -u)" = 2026-10-10 ] ||
    fail "report table does not hold only the latest analysis date"
# the same through `abc report --json` (what users read), computed_at aside
"$ABC" report "$RL_TAG" --json --config "$RL_CFG" --spec "$RL_SPEC" >"$RL_TMP/report-full.json" ||
    fail "abc report --json"

# ---- 3. idempotent reruns ------------------------------------------------------------------------
rl_run_ok "--full again" ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
rl_dump full2
rl_same full full2 "--full twice: identical tables" "$RL_TABLES"
cs1=$(rl_sql -e "CHECKSUM TABLE abc.experiment_assignment, abc.tbl_wide_user_itest_itest" | cut -f2 | tr '\n' ' ')
rl_run_ok "incremental rerun" ABC_TODAY=2026-10-11 -- --quiet --format json "$RL_SPEC"
grep -q '"days": 0' "$RL_OUT" ||
    fail "rerun after --full with nothing new re-filled dates: $(cat "$RL_OUT")"
rl_run_ok "incremental rerun again" ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
rl_dump incr2
rl_same full incr2 "incremental rerun (twice) over a --full run: identical tables" "$RL_TABLES"
cs2=$(rl_sql -e "CHECKSUM TABLE abc.experiment_assignment, abc.tbl_wide_user_itest_itest" | cut -f2 | tr '\n' ' ')
[ "$cs1" = "$cs2" ] || fail "CHECKSUM TABLE of assignment/wide changed on rerun: $cs1 vs $cs2"
"$ABC" report "$RL_TAG" --json --config "$RL_CFG" --spec "$RL_SPEC" >"$RL_TMP/report-incr2.json" ||
    fail "abc report --json (2)"
python3 - "$RL_TMP/report-full.json" "$RL_TMP/report-incr2.json" <<'PY' || fail "abc report --json differs between runs"
import json, sys
a, b = (json.load(open(p))["rows"] for p in sys.argv[1:3])
strip = lambda rows: [{k: v for k, v in r.items() if k != "computed_at"} for r in rows]
assert a and strip(a) == strip(b), "report --json rows differ"
PY

# ---- 1b. --date D for each day = --full -------------------------------------------------------
drop_all
for d in "${days[@]}"; do
    rl_run_ok "--date $d" ABC_TODAY=2026-10-11 -- --quiet --date "$d" "$RL_SPEC" || break
done
pre_check "--date D for each day"
rl_dump bydate
rl_same bydate full "--date D for each day = one --full run"

# ---- 2. late-arriving rows within the lookback --------------------------------------------------
drop_all
daily_runs 0 6      # through 2026-10-07 ("today" 2026-10-08)
rl_dump before_late
# late rows for 2026-10-06 (inside lookback_days 2 of the next run): app opens
# and crashes of treatment users exposed before, and payments
rl_sql -D ods -e "
  CREATE TEMPORARY TABLE late_users AS
    SELECT DISTINCT user_id, country, platform FROM ods.app_events
    WHERE event_name = 'experiment_viewed' AND exp_key = 'it-onboarding' AND var_key = '1'
      AND event_date <= '2026-10-04' ORDER BY user_id LIMIT 300;
  INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, country, platform, screen)
    SELECT user_id, '2026-10-06 22:30:00', '2026-10-06', 'app_open', country, platform, 'home' FROM late_users;
  INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, country, platform, screen)
    SELECT user_id, '2026-10-06 22:31:00', '2026-10-06', 'crash', country, platform, 'feed' FROM late_users LIMIT 40;
  INSERT INTO ods.payments (user_id, paid_at, pay_date, amount, product)
    SELECT user_id, '2026-10-06 22:32:00', '2026-10-06', 9.99, 'subscription' FROM late_users LIMIT 50;
  -- and app opens in the CUPED pre-period of users first exposed on 2026-10-07
  CREATE TEMPORARY TABLE late_pre AS
    SELECT user_id, MIN(country) AS country, MIN(platform) AS platform FROM ods.app_events
    WHERE event_name = 'experiment_viewed' GROUP BY user_id
    HAVING MIN(event_date) = '2026-10-07' ORDER BY user_id LIMIT 100;
  INSERT INTO ods.app_events (user_id, event_time, event_date, event_name, country, platform, screen)
    SELECT user_id, '2026-10-06 21:00:00', '2026-10-06', 'app_open', country, platform, 'home' FROM late_pre;" ||
    fail "inserting late rows"
[ "$(rl_sql -e "SELECT COUNT(*) FROM ods.app_events WHERE event_time = '2026-10-06 21:00:00'")" -gt 0 ] ||
    fail "no late pre-period rows inserted"
# the plan names the changed source dates, and changes nothing
rl_run_ok "--dry-run after late rows" ABC_TODAY=2026-10-09 -- --dry-run "$RL_SPEC"
grep -q "^late data in 2026-10-06 .. 2026-10-07: events: 2026-10-06 rows [0-9]* → [0-9]*; payments: 2026-10-06 rows" "$RL_OUT" ||
    fail "--dry-run does not name the late rows: $(grep -i "late data\|dates due" "$RL_OUT")"
grep -q "^dates due: 2026-10-06 .. 2026-10-08 " "$RL_OUT" ||
    fail "--dry-run after late rows: $(grep "dates due" "$RL_OUT")"
daily_runs 7 9 2026-10-06  # "today" 2026-10-09 .. 2026-10-11: the first one redoes 2026-10-06
pre_check "late rows in the pre-period of later exposures"
rl_dump late_incr
grep -q "2026-10-06" "$RL_TMP/dump-late_incr/abc.tbl_report_daily_itest_itest" || fail "no daily rows for 2026-10-06"
if diff <(grep -F "	2026-10-06	" "$RL_TMP/dump-before_late/abc.tbl_report_daily_itest_itest") \
        <(grep -F "	2026-10-06	" "$RL_TMP/dump-late_incr/abc.tbl_report_daily_itest_itest") >/dev/null; then
    fail "the daily rows of 2026-10-06 did not change after late rows arrived"
else
    ok "late rows changed the results of 2026-10-06"
fi
if cmp -s "$RL_TMP/dump-late_incr/abc.tbl_report_user_itest_itest" "$RL_TMP/dump-full/abc.tbl_report_user_itest_itest"; then
    fail "late rows did not change the final report (it equals the report before they arrived)"
fi
rl_run_ok "--full after late rows" ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
rl_dump late_full
rl_same late_incr late_full "late rows inside the lookback: incremental runs = --full" \
    "$RL_REPORT_TABLES abc.experiment_assignment abc.tbl_wide_user_itest_itest"

# ---- 2b. a source date whose rows were deleted ------------------------------------------------
# no late data: the plan re-fills no past date
rl_run_ok "--dry-run without late data" ABC_TODAY=2026-10-11 -- --dry-run "$RL_SPEC"
grep -q "^late data in 2026-10-09 .. 2026-10-10: none" "$RL_OUT" &&
    grep -q "^dates due: none " "$RL_OUT" ||
    fail "--dry-run without late data: $(grep -i "late data\|dates due" "$RL_OUT")"
n_pay=$(rl_sql -e "SELECT COUNT(*) FROM ods.payments WHERE pay_date = '2026-10-09'")
[ "${n_pay:-0}" -gt 0 ] || fail "no payments dated 2026-10-09 to delete"
rl_sql -e "DELETE FROM ods.payments WHERE pay_date = '2026-10-09'" || fail "deleting payments"
rl_run_ok "--dry-run after a deletion" ABC_TODAY=2026-10-11 -- --dry-run "$RL_SPEC"
grep -q "^late data in 2026-10-09 .. 2026-10-10: payments: 2026-10-09 rows $n_pay → 0$" "$RL_OUT" ||
    fail "--dry-run does not name the deleted rows: $(grep -i "late data" "$RL_OUT")"
rl_run_ok "run after a deletion" ABC_TODAY=2026-10-11 -- --format json "$RL_SPEC"
grep -q '"from": "2026-10-09", "to": "2026-10-10"' "$RL_OUT" ||
    fail "the run after a deletion did not re-fill 2026-10-09 .. 2026-10-10: $(cat "$RL_OUT")"
grep -q "late data: payments: 2026-10-09 rows $n_pay → 0" "$RL_ERR" ||
    fail "the run after a deletion does not say why: $(grep "late" "$RL_ERR")"
rl_run_ok "rerun after a deletion" ABC_TODAY=2026-10-11 -- --format json "$RL_SPEC"
grep -q '"days": 0' "$RL_OUT" && grep -q "no late data within the lookback" "$RL_ERR" ||
    fail "the rerun after a deletion re-filled dates again: $(cat "$RL_OUT")"
# a row changed in place (same number of rows): the checksum tells
rl_sql -e "UPDATE ods.payments SET amount = amount + 1 WHERE pay_date = '2026-10-10' ORDER BY user_id LIMIT 1" ||
    fail "updating a payment"
rl_run_ok "--dry-run after an update" ABC_TODAY=2026-10-11 -- --dry-run "$RL_SPEC"
grep -q "^late data in 2026-10-09 .. 2026-10-10: payments: 2026-10-10 rows [0-9]*, checksum changed$" "$RL_OUT" ||
    fail "--dry-run does not name the changed row: $(grep -i "late data" "$RL_OUT")"
rl_run_ok "run after an update" ABC_TODAY=2026-10-11 -- --quiet --format json "$RL_SPEC"
grep -q '"from": "2026-10-10", "to": "2026-10-10"' "$RL_OUT" ||
    fail "the run after an update did not re-fill 2026-10-10: $(cat "$RL_OUT")"
rl_dump deleted_incr
rl_run_ok "--full after a deletion" ABC_TODAY=2026-10-11 -- --quiet --full "$RL_SPEC"
rl_dump deleted_full
rl_same deleted_incr deleted_full "deleted source rows inside the lookback: incremental run = --full" \
    "$RL_REPORT_TABLES abc.experiment_assignment abc.tbl_wide_user_itest_itest"

# ---- 4. every date as of that date ------------------------------------------------------------
ACT_SPEC=tests/integration/run/itest_act.ab
RUN_SPECS=("$RL_SPEC" "$ACT_SPEC")
ACT_TABLES="abc.tbl_report_user_itest_act_itest_act abc.tbl_report_daily_itest_act_itest_act
flow_report_app.tbl_report_ab_testing_result"
# and the unit state: its versions and dates, however the dates were computed
# (a daily run's one date, a --full run's chunks of several in one pass)
ACT_TABLES_ALL="$ACT_TABLES abc.experiment_assignment abc.tbl_wide_user_itest_act_itest_act
abc.tbl_wide_user_itest_act_itest_act__unit_state abc.tbl_wide_user_itest_act_itest_act__unit_state_dates"
ITEST_TABLES_ALL="$RL_REPORT_TABLES abc.experiment_assignment abc.tbl_wide_user_itest_itest
abc.tbl_wide_user_itest_itest__unit_state abc.tbl_wide_user_itest_itest__unit_state_dates"
asof_dump() { # NAME: the report, assignment and wide tables of both tags
    rl_dump "$1" "$ITEST_TABLES_ALL"
    RL_TAG=itest_act rl_dump "$1-act" "$ACT_TABLES_ALL"
}
asof_same() { # A B WHAT
    rl_same "$1" "$2" "$3 (itest)" "$ITEST_TABLES_ALL"
    rl_same "$1-act" "$2-act" "$3 (itest_act)" "$ACT_TABLES_ALL"
}
EXPOSURE_COLS="user_id, event_time, event_date, event_name, exp_key, var_key, country, platform, screen"
# present from the start: 150 users per experiment first exposed (in one
# variation) on 10-03..10-05 see another variation three days later
rl_sql -D ods -e "
  CREATE TEMPORARY TABLE asof_multi AS
    SELECT user_id, exp_key, MIN(var_key) AS var_key, MIN(event_time) AS t,
           MIN(country) AS country, MIN(platform) AS platform
    FROM ods.app_events WHERE event_name = 'experiment_viewed' AND exp_key IN ('it-onboarding', 'it-reminder')
    GROUP BY user_id, exp_key
    HAVING COUNT(DISTINCT var_key) = 1 AND MIN(event_date) BETWEEN '2026-10-03' AND '2026-10-05';
  INSERT INTO ods.app_events ($EXPOSURE_COLS)
    SELECT user_id, t + INTERVAL 3 DAY, DATE(t + INTERVAL 3 DAY), 'experiment_viewed', exp_key,
           CASE var_key WHEN '0' THEN '1' ELSE '0' END, country, platform, 'home'
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY exp_key ORDER BY user_id) AS rn FROM asof_multi) m
    WHERE rn <= 150;
  -- and 140 more see the other variation on their first day: 70 a second
  -- after their first exposure, 70 a second before it (it becomes the first)
  INSERT INTO ods.app_events ($EXPOSURE_COLS)
    SELECT user_id, t + INTERVAL (CASE WHEN rn <= 220 THEN 1 ELSE -1 END) SECOND, DATE(t),
           'experiment_viewed', exp_key, CASE var_key WHEN '0' THEN '1' ELSE '0' END, country,
           platform, 'home'
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY exp_key ORDER BY user_id) AS rn FROM asof_multi) m
    WHERE rn BETWEEN 151 AND 290
      AND DATE(t + INTERVAL (CASE WHEN rn <= 220 THEN 1 ELSE -1 END) SECOND) = DATE(t);" ||
    fail "inserting second-variation exposures"
n_multi=$(rl_sql -e "SELECT COUNT(*) FROM (SELECT user_id FROM ods.app_events
  WHERE event_name = 'experiment_viewed' AND exp_key = 'it-onboarding'
  GROUP BY user_id HAVING COUNT(DISTINCT var_key) > 1 AND MIN(event_date) < MAX(event_date)) x")
[ "${n_multi:-0}" -ge 100 ] || fail "only ${n_multi:-0} users see a second variation days later"
drop_all
daily_runs 0 6      # through 2026-10-07 ("today" 2026-10-08)
# late rows dated 2026-10-06 (inside lookback_days 2 of the next run):
#   earlier exposures of users first exposed on 10-07 or 10-08 (half of them in
#   another variation), and paywall views (the activation of itest_act) of
#   users exposed by 10-05 whose first paywall view is on 10-07
rl_sql -D ods -e "
  CREATE TEMPORARY TABLE asof_late AS
    SELECT user_id, exp_key, MIN(var_key) AS var_key, MIN(event_time) AS t,
           MIN(country) AS country, MIN(platform) AS platform
    FROM ods.app_events WHERE event_name = 'experiment_viewed' AND exp_key IN ('it-onboarding', 'it-reminder')
    GROUP BY user_id, exp_key
    HAVING MIN(event_date) IN ('2026-10-07', '2026-10-08');
  INSERT INTO ods.app_events ($EXPOSURE_COLS)
    SELECT user_id, TIMESTAMP('2026-10-06', TIME(t)), '2026-10-06', 'experiment_viewed', exp_key,
           CASE WHEN CRC32(user_id) % 2 = 0 THEN var_key WHEN var_key = '0' THEN '1' ELSE '0' END,
           country, platform, 'home'
    FROM asof_late;
  CREATE TEMPORARY TABLE asof_act AS
    SELECT p.user_id, MIN(p.country) AS country, MIN(p.platform) AS platform
    FROM ods.app_events p
    JOIN (SELECT user_id FROM ods.app_events WHERE event_name = 'experiment_viewed'
          GROUP BY user_id HAVING MIN(event_date) <= '2026-10-05') x ON x.user_id = p.user_id
    WHERE p.event_name = 'paywall_view'
    GROUP BY p.user_id HAVING MIN(p.event_date) = '2026-10-07';
  INSERT INTO ods.app_events ($EXPOSURE_COLS)
    SELECT user_id, '2026-10-06 12:00:00', '2026-10-06', 'paywall_view', NULL, NULL, country, platform, 'paywall'
    FROM asof_act;
  SELECT (SELECT COUNT(*) FROM asof_late), (SELECT COUNT(*) FROM asof_act);" >"$RL_TMP/asof-late.n" ||
    fail "inserting late earlier exposures and activations"
read -r n_late n_act <"$RL_TMP/asof-late.n"
[ "${n_late:-0}" -ge 20 ] && [ "${n_act:-0}" -ge 10 ] ||
    fail "too few late rows: ${n_late:-0} earlier exposures, ${n_act:-0} earlier activations"
daily_runs 7 9 2026-10-06  # the first one redoes 2026-10-06
asof_dump asof_incr
drop_all
for d in "${days[@]}"; do
    rl_run_ok "as of: --date $d" ABC_TODAY=2026-10-11 -- --quiet --date "$d" "${RUN_SPECS[@]}" || break
done
asof_dump asof_bydate
# older dates again, after later dates were processed
for d in 2026-10-04 2026-10-06; do
    rl_run_ok "as of: --date $d again" ABC_TODAY=2026-10-11 -- --quiet --date "$d" "${RUN_SPECS[@]}"
done
# the unit state now ends at 2026-10-06: the last date again computes the
# dates after it first (a state folded from 10-06 straight to 10-10 would
# miss the days between)
rl_run_ok "as of: --date 2026-10-10 after them" ABC_TODAY=2026-10-11 -- --quiet --date 2026-10-10 \
    "${RUN_SPECS[@]}"
n_state=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_wide_user_itest_itest__unit_state_dates
                     WHERE analysis_date BETWEEN '2026-10-07' AND '2026-10-10'")
[ "$n_state" = 3 ] || fail "as of: the unit state after --date 2026-10-10: $n_state dates of 10-07 .. 10-10, expected 3 (10-08 .. 10-10 kept)"
asof_dump asof_bydate2
drop_all
rl_run_ok "as of: --full" ABC_TODAY=2026-10-11 -- --quiet --full "${RUN_SPECS[@]}"
asof_dump asof_full
# the units that saw two variations on their first day: the first exposure's
# variation (the earlier, by time then key), seen in another from that day
rl_sql -e "
  WITH ev AS (
    SELECT exp_key, user_id, var_key, event_time, event_date FROM ods.app_events
    WHERE event_name = 'experiment_viewed' AND exp_key IN ('it-onboarding', 'it-reminder')),
  day0 AS (SELECT exp_key, user_id, MIN(event_date) AS d FROM ev GROUP BY exp_key, user_id),
  two AS (
    SELECT e.exp_key, e.user_id, z.d FROM ev e JOIN day0 z USING (exp_key, user_id)
    WHERE e.event_date = z.d GROUP BY e.exp_key, e.user_id, z.d HAVING COUNT(DISTINCT e.var_key) > 1),
  firstrow AS (
    SELECT exp_key, user_id, var_key FROM (
      SELECT e.*, ROW_NUMBER() OVER (PARTITION BY exp_key, user_id ORDER BY event_time, var_key) AS rn
      FROM ev e) x WHERE rn = 1)
  SELECT COUNT(*), COALESCE(SUM(a.variation_key = f.var_key AND a.multiple_variations_date = t.d), 0)
  FROM two t JOIN firstrow f USING (exp_key, user_id)
  JOIN abc.experiment_assignment a
    ON a.tag = 'itest' AND a.tracking_key = t.exp_key AND a.user_id = t.user_id" >"$RL_TMP/asof-sameday.n" ||
    fail "reading the units with two variations on their first day"
read -r n_two n_two_ok <"$RL_TMP/asof-sameday.n"
if [ "${n_two:-0}" -ge 100 ] && [ "$n_two" = "$n_two_ok" ]; then
    ok "as of: $n_two units saw two variations on their first day: first variation and multiple_variations_date of that day"
else
    fail "as of: units with two variations on their first day: ${n_two_ok:-0} of ${n_two:-0} right (expected >= 100, all)"
fi
n_versions=$(wc -l <"$RL_TMP/dump-asof_full/abc.tbl_wide_user_itest_itest__unit_state")
n_ended=$(grep -vc "	9999-12-31	" "$RL_TMP/dump-asof_full/abc.tbl_wide_user_itest_itest__unit_state")
n_dates=$(wc -l <"$RL_TMP/dump-asof_full/abc.tbl_wide_user_itest_itest__unit_state_dates")
if [ "$n_versions" -ge 1000 ] && [ "$n_ended" -ge 100 ] && [ "$n_dates" -ge 2 ]; then
    ok "as of: the unit state compared: $n_versions versions ($n_ended ended), $n_dates dates"
else
    fail "as of: the unit state to compare: $n_versions versions ($n_ended ended), $n_dates dates (expected >= 1000, >= 100, >= 2)"
fi
asof_same asof_incr asof_full "as of: daily incremental runs with late rows = one --full run"
asof_same asof_bydate asof_full "as of: --date D for each day = one --full run"
asof_same asof_bydate2 asof_full "as of: --date of older dates again = one --full run"
# an assignment table from before multiple_variations_date: the ddl step adds it
rl_sql -e "ALTER TABLE abc.experiment_assignment DROP COLUMN multiple_variations_date" ||
    fail "dropping multiple_variations_date"
rl_run_ok "as of: --full over an older assignment table" ABC_TODAY=2026-10-11 -- --quiet --full "${RUN_SPECS[@]}"
asof_dump asof_full2
asof_same asof_full2 asof_full "as of: --full after the column was added back = --full"

# ---- 5. a phase that ends in the middle of a day ------------------------------------------------
# it-onboarding's phase ends at 2026-10-06 13:30: the daily fill of that day
# matches those units' events one by one (the units whose whole day counts
# take their user's day sums), the range fill of --full does it for every
# unit; both leave the same wide and report rows
python3 - "$RL_SNAP" "$RL_TMP/ended.json" <<'PY' || fail "writing the snapshot with an ended phase"
import json, sys
doc = json.load(open(sys.argv[1]))
for e in doc["experiments"]:
    if e["trackingKey"] == "it-onboarding":
        e["status"] = "stopped"
        e["phases"][-1]["dateEnded"] = "2026-10-06T13:30:00.000Z"
json.dump(doc, open(sys.argv[2], "w"))
PY
rl_config "$RL_TMP/ended.yaml" "$RL_DSN" "  file: $RL_TMP/ended.json"
n_around=$(rl_sql -e "SELECT COUNT(*) FROM (SELECT e.user_id FROM ods.app_events e
  JOIN (SELECT user_id FROM ods.app_events WHERE event_name = 'experiment_viewed'
        AND exp_key = 'it-onboarding' AND event_date < '2026-10-06' GROUP BY user_id) x
    ON x.user_id = e.user_id
  WHERE e.event_date = '2026-10-06' AND e.event_name = 'app_open'
  GROUP BY e.user_id HAVING MIN(e.event_time) < '2026-10-06 13:30:00'
     AND MAX(e.event_time) >= '2026-10-06 13:30:00') y")
[ "${n_around:-0}" -gt 0 ] || fail "no exposed user with app opens on both sides of the phase's end"
RUN_SPECS=("$RL_SPEC")
drop_all
RL_RUNCFG=$RL_TMP/ended.yaml daily_runs 0 9
rl_dump ended_incr "$ITEST_TABLES_ALL"
drop_all
RL_RUNCFG=$RL_TMP/ended.yaml rl_run_ok "phase ended mid-day: --full" ABC_TODAY=2026-10-11 -- --quiet --full \
    "$RL_SPEC"
rl_dump ended_full "$ITEST_TABLES_ALL"
rl_same ended_incr ended_full "a phase that ends mid-day: daily incremental runs = one --full run" \
    "$ITEST_TABLES_ALL"
n_after=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_wide_user_itest_itest
  WHERE tracking_key = 'it-onboarding' AND event_date > '2026-10-06'
    AND opens_7d__events > 0")
[ "${n_after:-1}" = 0 ] || fail "$n_after wide rows of it-onboarding count events after its phase ended"

rl_done
