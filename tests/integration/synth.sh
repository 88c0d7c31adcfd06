#!/usr/bin/env bash
# synth.sh — `abc synth` end to end: reproducible (same seed = same table
# checksums, embedded = remote = INSERT path), the injected effects and
# faults are visible in SQL, the schema is the documented one, and bad
# input gets the documented exit codes.  Needs $ABC (the abc binary) and the
# Debian mariadb-server package; runs from the repository root.
set -u
ABC=${ABC:-build/abc}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/mariadbd.sh"

tmp=$(mktemp -d /tmp/abc-synth.XXXXXX) || exit 1
trap 'mariadbd_stop; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# our own small snapshot, so that changes to examples/ do not move this test
SNAP="$tmp/snap.json"
cat >"$SNAP" <<'EOF'
{"experiments":[
 {"id":"exp_a","trackingKey":"ret-onboarding-v2","name":"a","status":"running","archived":false,"tags":["retention"],
  "variations":[{"variationId":"v0","key":"0","name":"Control"},{"variationId":"v1","key":"1","name":"T"}],
  "phases":[{"name":"Main","dateStarted":"2026-10-01T00:00:00.000Z","dateEnded":"","coverage":1,
             "trafficSplit":[{"variationId":"v0","weight":0.5},{"variationId":"v1","weight":0.5}]}]},
 {"id":"exp_b","trackingKey":"ret-push-reminder","name":"b","status":"running","archived":false,"tags":["retention"],
  "variations":[{"variationId":"w0","key":"0","name":"C"},{"variationId":"w1","key":"1","name":"T1"},{"variationId":"w2","key":"2","name":"T2"}],
  "phases":[{"name":"Main","dateStarted":"2026-10-01T00:00:00.000Z","dateEnded":"","coverage":1,
             "trafficSplit":[{"variationId":"w0","weight":0.34},{"variationId":"w1","weight":0.33},{"variationId":"w2","weight":0.33}]}]},
 {"id":"exp_c","trackingKey":"eng-feed-autoplay","name":"c","status":"running","archived":false,"tags":["engagement"],
  "variations":[{"variationId":"x0","key":"0","name":"C"},{"variationId":"x1","key":"1","name":"T"}],
  "phases":[{"name":"Main","dateStarted":"2026-10-01T00:00:00.000Z","dateEnded":"","coverage":1,
             "trafficSplit":[{"variationId":"x0","weight":0.5},{"variationId":"x1","weight":0.5}]}]}
]}
EOF

ARGS=(--users 3000 --days 14 --pre-days 7 --seed 7 --snapshot "$SNAP"
      --effect ret-onboarding-v2:active=0.3
      --effect eng-feed-autoplay/1:session_seconds=0.3
      --srm ret-push-reminder=0.1 --multi-exposure 0.02)

sql() { mariadbd_sql -N -B -e "$1"; }
checksums() { sql 'CHECKSUM TABLE ods.users, ods.app_events, ods.payments, ods.synth_truth' | awk '{print $2}' | tr '\n' ' '; }

# ---- usage and data errors ----------------------------------------------------
"$ABC" synth --help >/dev/null; [ $? -eq 0 ] || fail "--help exit status"
"$ABC" synth --users 0 --datadir "$tmp/never" 2>/dev/null; [ $? -eq 2 ] || fail "--users 0 should exit 2"
"$ABC" synth --effect nosuchmetric=0.1 --datadir "$tmp/never" 2>/dev/null; [ $? -eq 2 ] || fail "unknown metric should exit 2"
"$ABC" synth --snapshot "$SNAP" --effect nosuch-exp:active=0.1 --datadir "$tmp/never" 2>/dev/null
[ $? -eq 2 ] || fail "unknown experiment should exit 2"
"$ABC" synth --snapshot "$SNAP" --effect ret-onboarding-v2/0:active=0.1 --datadir "$tmp/never" 2>/dev/null
[ $? -eq 2 ] || fail "effect on the control should exit 2"
"$ABC" synth --snapshot "$tmp/missing.json" --datadir "$tmp/never" 2>/dev/null; [ $? -eq 3 ] || fail "missing snapshot should exit 3"
echo '{"experiments": [' >"$tmp/bad.json"
"$ABC" synth --snapshot "$tmp/bad.json" --datadir "$tmp/never" 2>/dev/null; [ $? -eq 1 ] || fail "invalid snapshot should exit 1"
"$ABC" synth --user 10 --datadir "$tmp/never" 2>"$tmp/user.log"; [ $? -eq 2 ] || fail "--user should exit 2"
grep -q -- '--db-user' "$tmp/user.log" || fail "--user should be called ambiguous: $(cat "$tmp/user.log")"
[ ! -e "$tmp/never" ] || fail "a rejected command line must not create the datadir"
ok "exit codes"

# ---- embedded run -----------------------------------------------------------------
t0=$(date +%s.%N)
"$ABC" synth --datadir "$tmp/emb/data" "${ARGS[@]}" 2>"$tmp/emb.log" || { cat "$tmp/emb.log" >&2; fail "embedded synth"; }
grep -q 'true effect ret-onboarding-v2 variation 1 active +30.0%' "$tmp/emb.log" || fail "summary lacks the injected effect"
grep -q 'fault: SRM' "$tmp/emb.log" || fail "summary lacks the SRM fault"

# ---- remote runs --------------------------------------------------------------------
mariadbd_start "$tmp/srv" || exit 1
# a foreign ods table is not replaced without --force
sql "CREATE DATABASE ods; CREATE TABLE ods.app_events (x INT); INSERT INTO ods.app_events VALUES (1)"
"$ABC" synth --socket "$MARIADBD_SOCKET" "${ARGS[@]}" 2>"$tmp/force.log"
[ $? -eq 1 ] || fail "synth over foreign ods tables should exit 1"
grep -q -- '--force' "$tmp/force.log" || fail "refusal should mention --force"
[ "$(sql 'SELECT x FROM ods.app_events')" = 1 ] || fail "the foreign table was touched"
"$ABC" synth --socket "$MARIADBD_SOCKET" --force --quiet "${ARGS[@]}" || fail "remote synth --force"
s1=$(checksums)
# data of an earlier abc synth is kept without --replace (stdin is no terminal)
"$ABC" synth --socket "$MARIADBD_SOCKET" --quiet "${ARGS[@]}" --seed 9 </dev/null 2>"$tmp/keep.log"
[ $? -eq 1 ] || fail "synth over earlier synthetic data without --replace should exit 1"
grep -q 'holds 3000 users and [0-9]* events dated 2026-09-24 .. 2026-10-14' "$tmp/keep.log" ||
    fail "the refusal should say what the warehouse holds: $(cat "$tmp/keep.log")"
grep -q -- '--replace' "$tmp/keep.log" && grep -q -- 'abc run --full' "$tmp/keep.log" ||
    fail "the refusal should name --replace and abc run --full"
[ "$(checksums)" = "$s1" ] || fail "a refused synth changed the data"
"$ABC" synth --socket "$MARIADBD_SOCKET" --quiet --replace "${ARGS[@]}" 2>"$tmp/replace.log" ||
    fail "remote synth again"
grep -q '^abc synth: replacing 3000 users' "$tmp/replace.log" || fail "--replace should say what it replaces"
s2=$(checksums)
[ -n "$s1" ] && [ "$s1" = "$s2" ] || fail "same seed, different checksums: '$s1' vs '$s2'"
ok "same seed twice: checksums $s1"

"$ABC" synth --socket "$MARIADBD_SOCKET" --quiet --replace --load insert "${ARGS[@]}" || fail "remote synth --load insert"
s3=$(checksums)
[ "$s1" = "$s3" ] || fail "INSERT path differs from LOAD DATA: '$s1' vs '$s3'"
ok "INSERT load = LOAD DATA load"

# ---- effects and faults are in the data ---------------------------------------------
n_users=$(sql 'SELECT COUNT(*) FROM ods.users')
[ "$n_users" = 3000 ] || fail "users: $n_users"
span=$(sql 'SELECT MIN(event_date), MAX(event_date) FROM ods.app_events')
[ "$span" = "2026-09-24	2026-10-14" ] || fail "event date span: $span"
names=$(sql 'SELECT GROUP_CONCAT(DISTINCT event_name ORDER BY event_name) FROM ods.app_events')
[ "$names" = "ad_click,ad_impression,app_open,chat_message,crash,experiment_viewed,paywall_view,recharge,session_end,subscribe,trial_start" ] \
    || fail "event names: $names"
[ "$(sql "SELECT COUNT(*) FROM ods.app_events WHERE event_name = 'experiment_viewed' AND event_date < '2026-10-01'")" = 0 ] \
    || fail "exposures before the phase start"
[ "$(sql "SELECT COUNT(*) FROM ods.payments WHERE product NOT IN ('subscription', 'recharge') OR amount <= 0")" = 0 ] \
    || fail "bad payments"
[ "$(sql "SELECT COUNT(*) FROM ods.app_events e JOIN ods.users u USING (user_id) WHERE e.country <> u.country")" = 0 ] \
    || fail "event country differs from the user's"

truth=$(sql "SELECT CONCAT(experiment, '/', variation, ':', metric, '=', ROUND(true_effect, 3)) FROM ods.synth_truth ORDER BY 1" | tr '\n' ' ')
[ "$truth" = "eng-feed-autoplay/1:session_seconds=0.300 ret-onboarding-v2/1:active=0.300 " ] || fail "synth_truth: $truth"

# exposed users per variation: first exposure day and variation of users seen
# in exactly one variation, in a temp table x (PRIMARY KEY user_id), then q
first_exp() { # EXP QUERY
    mariadbd_sql -D ods -N -B -e "CREATE TEMPORARY TABLE x (PRIMARY KEY (user_id)) AS
           SELECT user_id, MIN(var_key) AS v, MIN(event_date) AS d FROM ods.app_events
           WHERE event_name = 'experiment_viewed' AND exp_key = '$1'
           GROUP BY user_id HAVING COUNT(DISTINCT var_key) = 1;
         $2"
}
# retention: active days after exposure per exposed user, treatment vs control
read -r c_mean t_mean < <(first_exp ret-onboarding-v2 "
  SELECT SUM(CASE WHEN a.v = '0' THEN a.days END) / (SELECT COUNT(*) FROM x WHERE v = '0'),
         SUM(CASE WHEN a.v = '1' THEN a.days END) / (SELECT COUNT(*) FROM x WHERE v = '1')
  FROM (SELECT x.v, COUNT(DISTINCT e.user_id, e.event_date) AS days
        FROM ods.app_events e STRAIGHT_JOIN x ON x.user_id = e.user_id
        WHERE e.event_name = 'app_open' AND e.event_date > x.d GROUP BY x.v) a")
if awk -v c="$c_mean" -v t="$t_mean" 'BEGIN { exit !(c > 0 && t / c > 1.1 && t / c < 1.6) }'; then
    ok "retention effect: control $c_mean, treatment $t_mean active days after exposure"
else
    fail "active-days effect not visible: control $c_mean treatment $t_mean"
fi

# session length: mean session_seconds after exposure, true ratio 1.3
read -r c_s t_s < <(first_exp eng-feed-autoplay "
  SELECT AVG(CASE WHEN x.v = '0' THEN e.session_seconds END), AVG(CASE WHEN x.v = '1' THEN e.session_seconds END)
  FROM ods.app_events e STRAIGHT_JOIN x ON x.user_id = e.user_id
  WHERE e.event_name = 'session_end' AND e.event_date >= x.d")
if awk -v c="$c_s" -v t="$t_s" 'BEGIN { exit !(c > 0 && t / c > 1.15 && t / c < 1.45) }'; then
    ok "session_seconds effect: control $c_s, treatment $t_s"
else
    fail "session_seconds effect not visible: control $c_s treatment $t_s"
fi

# SRM: 0.34/0.33/0.33 shifted by 0.1 -> 0.44/0.33/0.23
read -r share0 share2 < <(first_exp ret-push-reminder "SELECT SUM(v = '0') / COUNT(*), SUM(v = '2') / COUNT(*) FROM x")
if awk -v a="$share0" -v b="$share2" 'BEGIN { exit !(a > 0.40 && a < 0.48 && b > 0.19 && b < 0.27) }'; then
    ok "SRM: control share $share0, last variation share $share2"
else
    fail "SRM not visible: control share $share0, last share $share2"
fi

# multiple exposure: about 2% of exposed users in two variations
multi=$(sql "SELECT SUM(n > 1) / COUNT(*) FROM (SELECT user_id, exp_key, COUNT(DISTINCT var_key) AS n
             FROM ods.app_events WHERE event_name = 'experiment_viewed' GROUP BY user_id, exp_key) x")
if awk -v m="$multi" 'BEGIN { exit !(m > 0.01 && m < 0.03) }'; then
    ok "multi-exposure share $multi"
else
    fail "multi-exposure share $multi"
fi

# ---- the documented schema ---------------------------------------------------------------
cols=$(sql "SELECT GROUP_CONCAT(CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE) ORDER BY ORDINAL_POSITION SEPARATOR ', ')
            FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ods' AND TABLE_NAME = 'app_events'")
[ "$cols" = "user_id varchar(64), event_time datetime, event_date date, event_name varchar(64), exp_key varchar(128), var_key varchar(64), country varchar(8), platform varchar(16), session_seconds double, screen varchar(64), ad_revenue double, properties text" ] \
    || fail "app_events columns: $cols"
[ "$(sql "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'ods' AND TABLE_NAME = 'app_events' AND COLUMN_NAME = 'event_date'")" -ge 1 ] \
    || fail "no index on app_events.event_date"
[ "$(sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ods' AND TABLE_NAME LIKE '%synth%'")" = 1 ] \
    || fail "staging tables left behind"
ok "schema"

# a different seed gives different data
"$ABC" synth --socket "$MARIADBD_SOCKET" --quiet --replace "${ARGS[@]}" --seed 8 || fail "seed 8"
s4=$(checksums)
[ "$s4" != "$s1" ] || fail "a different seed gave the same checksums"

# ---- embedded = remote ------------------------------------------------------------------
mariadbd_stop
mariadbd_start "$tmp/emb" || exit 1
e1=$(checksums)
[ "$e1" = "$s1" ] || fail "embedded checksums '$e1' differ from remote '$s1'"
ok "embedded run = remote run"
mariadbd_stop

t1=$(date +%s.%N)
echo "synth.sh: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
if [ "$fails" -ne 0 ]; then
    echo "synth.sh: $fails failure(s)" >&2
    exit 1
fi
echo "synth.sh: ok"
