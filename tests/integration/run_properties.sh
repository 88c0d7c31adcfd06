#!/usr/bin/env bash
# run_properties.sh — every published row of every spec in specs/ agrees
# with itself (tests/integration/properties.py: effect inside its interval,
# interval centred, p and interval from one test, significant, decision and
# bayes_decision by the documented rule, methods as plan.json lists them).
# Data: the demo's synthetic dataset (smaller), all specs of specs/ and the
# golden specs of tests/golden/sql/ (k_*, o_*, w_*: their GrowthBook tags are
# added to the retention experiments of the snapshot; o_conditions and the
# o_json* specs are left out, they read columns the synthetic data does not
# have; run_json.sh runs JSON paths for real), --full, on a
# private mariadbd; every report, daily and dashboard table is checked.
. "$(dirname "$0")/run_lib.sh"
rl_init properties
RL_SNAP=examples/growthbook-snapshot.json
rl_server
"$ABC" synth --socket "$MARIADBD_SOCKET" --users 4000 --days 28 --start 2026-10-01 --seed 42 \
    --snapshot "$RL_SNAP" --quiet \
    --effect ret-onboarding-v2/1:active=0.10 --effect ret-push-reminder/2:active=0.05 \
    --effect sub-paywall-annual-first:subscribe=0.25 --effect rch-bonus-coins-tiers:recharge=0.20 \
    --effect ad-interstitial-frequency/2:ad_impression=0.30 --effect eng-feed-autoplay:chat_message=0.15 \
    || fail "abc synth"
rl_run ABC_TODAY=2026-10-29 -- specs/*.ab --full
case $RL_RC in 0|4) ok "abc run specs/*.ab --full (exit $RL_RC)" ;; *) fail "abc run exit $RL_RC: $(tail -3 "$RL_ERR")" ;; esac
golden=$(ls tests/golden/sql/[kow]_*.ab | grep -v -e o_conditions -e o_json)
python3 - "$RL_SNAP" "$RL_TMP/golden-snap.json" $golden <<'PY'
import json, re, sys
snap = json.load(open(sys.argv[1]))
tags = [re.search(r'experiments from growthbook tag "([^"]+)"', open(f).read()).group(1)
        for f in sys.argv[3:] if 'experiments from growthbook tag' in open(f).read()]
for e in snap["experiments"]:
    if "retention" in e.get("tags", []):
        e["tags"] = e["tags"] + tags
json.dump(snap, open(sys.argv[2], "w"))
PY
rl_config "$RL_TMP/golden.yaml" "$RL_DSN" "  file: $RL_TMP/golden-snap.json"
for spec in $golden; do
    RL_RUNCFG=$RL_TMP/golden.yaml rl_run ABC_TODAY=2026-10-29 -- "$spec" --full
    case $RL_RC in 0|4) ;; *) fail "abc run $spec exit $RL_RC: $(tail -1 "$RL_ERR")" ;; esac
done
ok "abc run of $(echo $golden | wc -w) golden specs"
"$ABC" compile --dialect mariadb -o "$RL_TMP/gen" specs/*.ab $golden >/dev/null || fail "abc compile"
tables=$(mariadbd_sql -N -B -e "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables
    WHERE table_name LIKE 'tbl\_report\_%' ORDER BY 1")
[ -n "$tables" ] || fail "no report tables"
files=()
for t in $tables; do
    mariadbd_sql --batch -e "SELECT * FROM $t" >"$RL_TMP/$t.tsv" || fail "dump $t"
    files+=("$RL_TMP/$t.tsv")
done
if python3 tests/integration/properties.py check "$RL_TMP/gen" "${files[@]}"; then
    ok "every published row agrees with itself"
else
    fail "published rows break the rules above"
fi
if python3 tests/integration/properties.py selftest "$RL_TMP/gen" "${files[@]}"; then
    ok "the checker catches a planted fault of each rule"
else
    fail "the property checker missed a planted fault"
fi
rl_done
