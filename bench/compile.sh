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
# measure on the disk that holds $TMPDIR and, where present, on tmpfs
# (/dev/shm): there the file system's inode and page-cache work drops out
measure() { # where
    local dst=$1
    sync
    local start end cstart cend bytes
    start=$(date +%s.%N)
    "$ABC" compile --dialect all -o "$dst/out" "$tmp"/specs/*.ab
    end=$(date +%s.%N)
    bytes=$(du -sb "$tmp/specs" "$dst/out" | awk '{s+=$1} END {print s}')
    local files
    files=$(find "$tmp/specs" "$dst/out" -type f | wc -l)
    sync
    cstart=$(date +%s.%N)
    mkdir "$dst/copy1"
    cp -r "$tmp/specs" "$dst/out" "$dst/copy1/"
    sync -f "$dst/copy1" 2>/dev/null || true
    cend=$(date +%s.%N)
    python3 -c "
c=$end-$start; k=$cend-$cstart
print('%s: compile %.2f s for 1000 specs x 50 metrics, both dialects (%d bytes, %d files in+out); '
      'copy of the same bytes %.2f s; ratio %.2fx' % ('$2', c, $bytes, $files, k, c/k))"
    rm -rf "$dst/out" "$dst/copy1"
}
measure "$tmp" "disk ($(df --output=fstype "$tmp" | tail -1))"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/abc-bench.XXXXXX)
    trap 'rm -rf "$tmp" "$shm"' EXIT
    measure "$shm" "tmpfs"
fi
