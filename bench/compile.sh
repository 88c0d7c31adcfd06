#!/usr/bin/env bash
# compile.sh — compile 1,000 specs × 50 metrics to both dialects; compare
# with copying the same input and output bytes.  usage: bench/compile.sh [ABC]
set -euo pipefail
cd "$(dirname "$0")/.."
ABC=${1:-${ABC:-build/abc}}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/specs"
python3 - "$tmp/specs" <<'PY'
import sys
kinds = ['count(events where event_name = "app_open") within 7d',
         'any(events where event_name = "subscribe") within 14d',
         'sum(payments.amount) within 7d cap p99 cuped 14d',
         'active_days(events where event_name = "app_open") within 14d',
         'retained(events where event_name = "app_open", days 1..7)',
         'mean(events.session_seconds where event_name = "session_end") within 7d',
         'quantile(events.session_seconds, 0.9) within 7d',
         'time_to(events where event_name = "subscribe") within 14d',
         'funnel(events where event_name = "paywall_view", events where event_name = "subscribe") within 14d',
         'count(events where event_name = "crash") within 7d cap 20']
for i in range(1000):
    m = "\n".join("  metric m%d = %s;" % (k, kinds[k % len(kinds)]) for k in range(49))
    open("%s/b%04d.ab" % (sys.argv[1], i), "w").write('''tag b%04d {
  module "bench";
  experiments from growthbook tag "b%04d";
  source events "ods.app_events" { user user_id; time event_time; date event_date; }
  source payments "ods.payments" { user user_id; time paid_at; date pay_date; }
  exposure events where event_name = "experiment_viewed" { experiment exp_key; variation var_key; first; }
  segment country = exposure.country;
%s
  metric r = ratio(m0, m1);
}
''' % (i, i, m))
PY
start=$(date +%s.%N)
"$ABC" compile --dialect all -o "$tmp/out" "$tmp"/specs/*.ab
end=$(date +%s.%N)
bytes=$(du -sb "$tmp/specs" "$tmp/out" | awk '{s+=$1} END {print s}')
cstart=$(date +%s.%N)
cp -r "$tmp/specs" "$tmp/out" "$tmp/copy1" 2>/dev/null || { mkdir "$tmp/copy1"; cp -r "$tmp/specs" "$tmp/out" "$tmp/copy1/"; }
sync -f "$tmp/copy1" 2>/dev/null || true
cend=$(date +%s.%N)
python3 -c "
c=$end-$start; k=$cend-$cstart
print('compile: %.2f s for 1000 specs x 50 metrics, both dialects, %d bytes in+out' % (c, $bytes))
print('copy of the same bytes: %.2f s; ratio %.1fx' % (k, c/k))"
