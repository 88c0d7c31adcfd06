#!/usr/bin/env bash
# synth_growth.sh — the growth plant of `abc synth` as the published growth
# numbers show it.  On the embedded warehouse, twice with the same seed:
# A with a planted signup cohort (300 users, 40% active the week after)
# and a resurrection wave (150 users), B without (--cohort 0 --wave 0);
# each followed by `abc run specs/engagement.ab --full` (activity
# chat_activity) and `abc report engagement --json`, each in its own
# embedded datadir.  The model's users are
# the same in A and B (the plant has its own random stream), so A − B of
# the published rows is the plant alone:
#   * the cohort week's weekly cohort: size +300, new +300, k = 1 active
#     +120 — week-1 retention 0.4, the planted rate;
#   * the wave week: resurrected +150; the week after the lapse week:
#     churned +150;
#   * every experiment row equal (the plant is never exposed);
# and run A's --format json carries the series, its page the growth charts.
# env ABC = the abc binary; runs from the repository root.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init synth_growth

SYNTH=(--replace --users 1500 --days 21 --pre-days 14 --start 2026-10-01 --seed 5
       --snapshot examples/growthbook-snapshot.json --effect eng-feed-autoplay:chat_message=0.15)

# data 2026-09-17 .. 10-21: full ISO weeks 09-21, 09-28, 10-05, 10-12 → the
# lapse week 09-21, the cohort week 10-05, the wave week 10-12
one() { # NAME SYNTH-ARGS...
    local name=$1; shift
    RL_CFG=$RL_TMP/abc-$name.yaml
    rl_config "$RL_CFG" "" "  file: examples/growthbook-snapshot.json"
    sed -i "s|$RL_TMP/emb/data|$RL_TMP/emb-$name/data|" "$RL_CFG"
    "$ABC" synth --datadir "$RL_TMP/emb-$name/data" "${SYNTH[@]}" "$@" 2>"$RL_TMP/synth-$name.err" || { fail "$name: abc synth"; cat "$RL_TMP/synth-$name.err" >&2; }
    rl_run ABC_TODAY=2026-10-22 -- --quiet --full --format json specs/engagement.ab
    [ "$RL_RC" = 0 ] || [ "$RL_RC" = 4 ] || { fail "$name: abc run exit $RL_RC"; tail -n 5 "$RL_ERR" >&2; }
    cp "$RL_OUT" "$RL_TMP/run-$name.json"
    cp "$RL_TMP/memo/engagement.html" "$RL_TMP/page-$name.html" 2>/dev/null || fail "$name: no engagement.html"
    "$ABC" report engagement --json --config "$RL_CFG" --spec specs/engagement.ab >"$RL_TMP/report-$name.json" ||
        fail "$name: abc report --json"
}
one A --cohort 300 --cohort-retention 0.4 --wave 150
one B --cohort 0 --wave 0

grep -q 'growth plant: a cohort of 300 users first active in the week of 2026-10-05, 120 of them (40.0%) active again in the week of 2026-10-12' \
    "$RL_TMP/synth-A.err" || fail "synth A: the plan does not name the cohort: $(grep plant "$RL_TMP/synth-A.err")"
grep -q 'growth plant: a wave of 150 users active in the week of 2026-09-21, idle, back (resurrected) in the week of 2026-10-12' \
    "$RL_TMP/synth-A.err" || fail "synth A: the plan does not name the wave"
grep -q 'done: 1950 users (450 of the growth plant)' "$RL_TMP/synth-A.err" || fail "synth A: $(tail -n 1 "$RL_TMP/synth-A.err")"
grep -q 'done: 1500 users (0 of the growth plant)' "$RL_TMP/synth-B.err" || fail "synth B: $(tail -n 1 "$RL_TMP/synth-B.err")"

python3 - "$RL_TMP" <<'PY' || fail "the published numbers do not show the plant"
import json, sys
d = sys.argv[1]
A, B = (json.load(open("%s/report-%s.json" % (d, n))) for n in "AB")

def weekly(doc, measure, period):
    rows = doc["activity"]["chat_activity"]["series"]["week"][measure]
    v = [r["value"] for r in rows if r["period"] == period and r["breakdown"] == ""]
    assert len(v) == 1, (measure, period, v)
    return v[0]

def cohort(doc, c, k):
    v = [r for r in doc["activity"]["chat_activity"]["cohorts"]["week"] if r["cohort"] == c and r["k"] == k]
    assert len(v) == 1, (c, k, v)
    return v[0]

def diff(f, *a):
    return f(A, *a) - f(B, *a)

checks = {
    "cohort size of 2026-10-05": (cohort(A, "2026-10-05", 0)["cohort_size"] - cohort(B, "2026-10-05", 0)["cohort_size"], 300),
    "new in the week of 2026-10-05": (diff(weekly, "new", "2026-10-05"), 300),
    "week-1 active of the cohort 2026-10-05": (cohort(A, "2026-10-05", 1)["active"] - cohort(B, "2026-10-05", 1)["active"], 120),
    "resurrected in the week of 2026-10-12": (diff(weekly, "resurrected", "2026-10-12"), 150),
    "churned in the week of 2026-09-28": (diff(weekly, "churned", "2026-09-28"), 150),
    "retained in the week of 2026-10-12": (diff(weekly, "retained", "2026-10-12"), 120),
}
bad = {k: v for k, v in checks.items() if v[0] != v[1]}
assert not bad, "A - B (got, planted): %r" % bad
ret = checks["week-1 active of the cohort 2026-10-05"][0] / checks["cohort size of 2026-10-05"][0]
assert abs(ret - 0.4) < 0.01, ret
# the published triangle itself: the planted cohort pulls its week-1 ratio toward 0.4
ra, rb = cohort(A, "2026-10-05", 1)["ratio"], cohort(B, "2026-10-05", 1)["ratio"]
assert abs(ra - 0.4) < abs(rb - 0.4) or abs(ra - 0.4) < 0.02, (ra, rb)
# every experiment row is the same: the plant is never exposed
strip = lambda rows: sorted(json.dumps({k: v for k, v in r.items() if k != "computed_at"}, sort_keys=True) for r in rows)
assert A["rows"] and strip(A["rows"]) == strip(B["rows"]), "experiment rows differ with the plant"
# abc run --format json carries the same series
run = json.load(open(d + "/run-A.json"))["tags"][0]
assert run["activity"] == A["activity"], "run --format json and abc report --json disagree"
print("plant: cohort 300, week-1 retention %.3f (published ratio %.3f, without the plant %.3f), wave 150" % (ret, ra, rb))
PY
[ "$RL_FAILS" = 0 ] && ok "A − B: cohort +300 (week-1 retention 0.4), resurrected +150, churned +150; experiment rows equal"

for n in A B; do
    for c in growth-lines growth-week growth-month growth-cohorts-week 'data-measure="churned"'; do
        grep -q "$c" "$RL_TMP/page-$n.html" || fail "page $n: no $c"
    done
done
[ "$RL_FAILS" = 0 ] && ok "the run's page draws the growth charts"
rl_done
