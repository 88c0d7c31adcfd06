#!/usr/bin/env bash
# run_hourly.sh — the hourly series and intraday runs end to end on a
# private mariadbd: a small hand-written events table (ods.hr_events) and
# tests/integration/run/hourly.ab.  Every row of the hourly table (new
# exposures, cumulative exposures, active units, each metric's events or
# sum, and the cumulative SRM p-value per hour) is recomputed by an
# independent Python reference (tests/integration/run/hourly_ref.py, from
# the events).  The data has an exposure at 09:59:59 with events at
# 10:00:00 and 09:59:58, an hour without exposures (reported as 0), late
# events arriving after an intraday run (one within its one-hour lookback,
# picked up by the next intraday run; one older, picked up by the daily
# run), and the daily table's users equal the sum of the hourly exposures.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_hourly
rl_server
SPEC=tests/integration/run/hourly.ab
REF=tests/integration/run/hourly_ref.py
PY=/usr/bin/python3
RL_TAG=hourly
T=abc.tbl_hourly_hr_hourly

$PY "$REF" sql base | rl_sql || fail "loading the events"
hw() { rl_sql -e "SELECT high_water FROM abc.hourly_state WHERE tag = 'hourly'"; }
check() { # NAME THROUGH BATCHES [SKIP-USER]
    rl_dump "$1" "$T"
    $PY "$REF" check "$RL_TMP/dump-$1/$T" "$2" "$3" ${4:-} || { fail "$1: the hourly table differs from the reference"; return 1; }
    ok "$1: every hourly row through $2:00 equals the reference"
}

# the plan shows the hourly steps
rl_run ABC_TODAY=2026-12-03 -- --dry-run "$SPEC"
for step in hourly_units hourly_fill hourly_cumulative hourly_srm; do
    grep -q "^  $step " "$RL_OUT" || fail "--dry-run: no $step step"
done
rl_run ABC_TODAY=2026-12-03 ABC_NOW="2026-12-03 10:20:00" -- --intraday --dry-run "$SPEC"
grep -q "^  hourly_fill " "$RL_OUT" && ! grep -q "^  wide_day\|^  stats_" "$RL_OUT" ||
    fail "--intraday --dry-run: not the hourly steps alone"
rl_run ABC_TODAY=2026-12-03 ABC_NOW="2026-12-03 10:20:00" -- --intraday --dry-run --sql "$SPEC"
grep -q "^-- hourly_fill, statement 1 of 1" "$RL_OUT" && grep -q "'2026-12-03 11:00:00'" "$RL_OUT" &&
    ! grep -q "^-- wide_\|^-- stats_\|^-- report_" "$RL_OUT" ||
    fail "--intraday --dry-run --sql: not the hourly statements through 11:00 alone"
[ "$RL_FAILS" = 0 ] && ok "--dry-run lists the hourly steps; --intraday --dry-run (--sql) only them"

# the first daily run: every hour of 12-01 and 12-02
rl_run_ok "daily run" ABC_TODAY=2026-12-03 -- --quiet "$SPEC"
check daily1 "2026-12-02 23" base
[ "$(hw)" = "2026-12-02 23:00:00" ] || fail "high-water after the daily run: $(hw)"

# an intraday run at 10:20: from 22:00 (high-water minus one hour) through hour 10
rl_run_ok "intraday run 10:20" ABC_TODAY=2026-12-03 ABC_NOW="2026-12-03 10:20:00" -- --intraday "$SPEC"
grep -q "refreshed for 2026-12-02 22:00 .. 2026-12-03 10:00 (13 hours;" "$RL_ERR" ||
    fail "intraday progress: $(tail -n 2 "$RL_ERR")"
check intraday1 "2026-12-03 10" base
[ "$(hw)" = "2026-12-03 10:00:00" ] || fail "high-water after the intraday run: $(hw)"
n=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_report_daily_hr_hourly WHERE analysis_date = '2026-12-03'")
[ "$n" = 0 ] || fail "the intraday run published statistics for today ($n daily rows)"

# late events arrive (09:40 within the lookback, 05:30 before it) and the next hour
$PY "$REF" sql late | rl_sql || fail "loading the late events"
$PY "$REF" sql more | rl_sql || fail "loading the next hour"
rl_run_ok "intraday run 11:15" ABC_TODAY=2026-12-03 ABC_NOW="2026-12-03 11:15:00" -- --quiet --intraday "$SPEC"
# the 09:40 events are in; the 05:30 exposure (older than the lookback) is not yet
check intraday2 "2026-12-03 11" base,late,more l2

# the daily run of 12-03 supersedes today's partial hours: everything in
rl_run_ok "daily run 12-04" ABC_TODAY=2026-12-04 -- --quiet "$SPEC"
check daily2 "2026-12-03 23" base,late,more
[ "$(hw)" = "2026-12-03 23:00:00" ] || fail "high-water after the second daily run: $(hw)"

# the daily table's users per date and variation = the sum of the hourly exposures
rl_sql -e "SELECT DISTINCT analysis_date, variation_key, users FROM abc.tbl_report_daily_hr_hourly
           WHERE metric = 'opens' AND segment = ''" >"$RL_TMP/daily.tsv"
$PY "$REF" daily "$RL_TMP/daily.tsv" "$RL_TMP/dump-daily2/$T" &&
    ok "daily users = the sum of the hourly exposures through each date" ||
    fail "daily table and hourly series disagree"

# a --full run gives the same hourly table
rl_run_ok "full run" ABC_TODAY=2026-12-04 -- --quiet --full "$SPEC"
rl_dump full "$T"
rl_same daily2 full "a --full run equals the daily runs" "$T"

# the results page (abc run's and abc report --html's) charts the last 48
# hours: 2026-12-02 00:00 .. 12-03 23:00, both variations, the last SRM p
"$ABC" report --config "$RL_CFG" --spec "$SPEC" --html "$RL_TMP/report.html" hourly 2>/dev/null ||
    fail "abc report --html"
want_p=$(rl_sql -e "SELECT value FROM $T WHERE measure = 'srm_p_value' AND hour = '2026-12-03 23:00:00'")
for page in "$RL_TMP/memo/hourly.html" "$RL_TMP/report.html"; do
    grep -q 'id="hourly"' "$page" || fail "$page: no hourly section"
    grep -q 'data-hours="48"' "$page" || fail "$page: not 48 hours"
    [ "$(grep -o 'class="observed"' "$page" | wc -l)" = 2 ] || fail "$page: not one line per variation"
    [ "$(grep -o 'class="expected"' "$page" | wc -l)" = 2 ] || fail "$page: no expected split"
    grep -q "12-02 00h" "$page" && grep -q "to 2026-12-03 23:00" "$page" || fail "$page: hour range"
    got_p=$(grep -o 'data-srm-p="hourly">[^<]*' "$page" | sed 's/.*>//')
    $PY -c "import sys; w=float(sys.argv[1]); g=sys.argv[2]; sys.exit(0 if (g=='<0.001' and w<0.001) or abs(float(g)-w)<=0.0005*max(1,w)*10 else 1)" \
        "$want_p" "$got_p" || fail "$page: SRM p $got_p, table $want_p"
done
[ "$RL_FAILS" = 0 ] && ok "the results pages chart exposures per hour of the last 48 hours"

# in a browser (headless chromium): the chart is laid out within the page's
# width, each variation's lines have 48 points inside the plot, the page does
# not overflow
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
    $PY - "$RL_TMP/memo/hourly.html" "$RL_TMP/probe.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>addEventListener('load', () => {
  const f = document.querySelector('#hourly figure'), svg = f && f.querySelector('svg');
  const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const vb = svg ? svg.viewBox.baseVal : null, lines = svg ? [...svg.querySelectorAll('polyline')] : [];
  const pts = lines.map(l => l.points.numberOfItems);
  const inside = lines.every(l => [...Array(l.points.numberOfItems).keys()].every(i => {
    const p = l.points.getItem(i); return p.x >= 0 && p.x <= vb.width && p.y >= 0 && p.y <= vb.height; }));
  const out = document.createElement('pre'); out.id = 'hprobe';
  out.textContent = JSON.stringify({w: r.width, h: r.height, pts, inside,
    legend: f ? f.querySelectorAll('.legend li').length : 0, vw: document.documentElement.clientWidth,
    overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth});
  document.body.appendChild(out); });</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", probe + "</body>", 1))
PY
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$RL_TMP/chrome" --window-size=390,900 --virtual-time-budget=5000 \
        --dump-dom "file://$RL_TMP/probe.html" 2>"$RL_TMP/chrome.err" |
        grep -o '<pre id="hprobe">[^<]*' | sed 's/.*>//; s/&quot;/"/g' >"$RL_TMP/hprobe.json"
    $PY -c '
import json, sys
p = json.load(open(sys.argv[1]))
ok = 200 <= p["w"] <= p["vw"] and p["h"] > 100 and p["pts"] == [48] * 4 and p["inside"] \
    and p["legend"] == 2 and not p["overflow"]
print(p) if not ok else None
sys.exit(0 if ok else 1)' "$RL_TMP/hprobe.json" && ok "in chromium: the hourly chart is laid out, 48 points per line, no overflow" ||
        fail "the hourly chart in chromium ($(cat "$RL_TMP/hprobe.json"; grep -v dbus "$RL_TMP/chrome.err" | tail -n 2))"
else
    echo "run_hourly: no chromium; the browser check of the hourly chart skipped"
fi

# --intraday with a date option is a usage error
rl_run -- --intraday --full "$SPEC"
[ "$RL_RC" = 2 ] || fail "--intraday --full: exit $RL_RC, want 2"
rl_done
