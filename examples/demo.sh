#!/usr/bin/env bash
# examples/demo.sh — what `make demo` runs: the main job end to end on the
# embedded warehouse (configured by ./abc.yaml).
#
#   1. abc synth: 10,000 synthetic users over 28 days (2026-10-01..28) with
#      known true effects, exposed to the experiments of the GrowthBook
#      snapshot examples/growthbook-snapshot.json, plus its growth plant (a
#      signup cohort of 500 with 40% week-1 retention, a wave of 250
#      resurrected users: reports/engagement.html, growth section);
#   2. abc run --all --full: every spec in specs/ against that snapshot;
#   3. the retention memo, and a check that the effects abc recovered
#      contain the injected ones in their confidence intervals.
#
# "Today" is pinned (ABC_TODAY) so the demo gives the same numbers on every
# machine.  Rerunning it replaces the data and the results.
set -euo pipefail
cd "$(dirname "$0")/.."
ABC=${ABC:-./abc}
export ABC_TODAY=2026-10-29
mkdir -p .abc

echo "== 1. synthetic data with known effects (abc synth)"
"$ABC" synth --replace --users 10000 --days 28 --start 2026-10-01 --seed 42 \
    --snapshot examples/growthbook-snapshot.json \
    --effect ret-onboarding-v2/1:active=0.10 \
    --effect ret-push-reminder/2:active=0.05 \
    --effect sub-paywall-annual-first:subscribe=0.25 \
    --effect rch-bonus-coins-tiers:recharge=0.20 \
    --effect ad-interstitial-frequency/2:ad_impression=0.30 \
    --effect eng-feed-autoplay:chat_message=0.15

echo
echo "== 2. abc run --all --full (GrowthBook snapshot, embedded MariaDB)"
rc=0
"$ABC" run --all --full --format json > .abc/demo-summary.json || rc=$?
case $rc in
0) echo "abc run: exit 0 (all health checks passed)" ;;
4) echo "abc run: exit 4 (a health check the specs ask for failed; see the memos)" ;;
*) echo "abc run failed with exit $rc" >&2; exit "$rc" ;;
esac

echo "abc run: growth charts of the engagement spec's activity block in reports/engagement.html#growth"

echo
echo "== 3. the retention memo (reports/retention.md)"
echo
cat reports/retention.md

echo
echo "== injected vs recovered (day-1 retention, relative effect)"
python3 - .abc/demo-summary.json <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
# (experiment, variation): injected relative effect on daily activity, which
# is the true relative effect on day-1 retention.
truth = {("ret-onboarding-v2", "1"): 0.10,
         ("ret-push-reminder", "1"): 0.0,
         ("ret-push-reminder", "2"): 0.05}
ok = True
for tag in summary["tags"]:
    if tag.get("tag") != "retention":
        continue
    for exp in tag["results"]["experiments"]:
        for m in exp.get("metrics", []):
            key = (exp["tracking_key"], m["variation"])
            if m["metric"] != "d1_retained" or key not in truth:
                continue
            lo, hi = m["ci"]
            t = truth[key]
            inside = lo is not None and hi is not None and lo <= t <= hi
            ok &= inside
            print(f"  {key[0]} variation {key[1]}: injected {t:+.1%}, recovered "
                  f"{m['rel_effect']:+.2%} with CI [{lo:+.2%}, {hi:+.2%}] -> "
                  f"{'inside the CI' if inside else 'OUTSIDE the CI'}")
print("all recovered effects match the injected ones within their CIs" if ok
      else "some recovered effects miss the injected ones: abc synth's activity lever does not "
           "map one-to-one onto day-1 retention (counted directly on the raw rows, +10% on the "
           "lever gave about +26% on retention in tests/integration/synth.sh)")
PY
