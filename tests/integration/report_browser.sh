#!/usr/bin/env bash
# report_browser.sh — the results pages in a real browser.  On a private
# mariadbd: `abc synth` with examples/growthbook-snapshot.json plus a 5-arm
# experiment (tests/integration/report/scenario.py), the demo's true
# effects, a sample-ratio mismatch (ad-interstitial-frequency), a guardrail
# breach (crashes in eng-feed-autoplay) and an experiment nobody is exposed
# to (rch-ghost-offer: data quality); `abc run specs/*.ab --full` as of
# ABC_TODAY=2026-10-29 writes reports/TAG.html next to each memo, and
# `abc report TAG --html` renders the stored results.  Headless chromium
# opens every page at 1400 and 390 px wide; a probe (report/probe.js,
# injected into a copy of the page) reads the laid-out DOM, and the checks
# are: no console or load errors, no horizontal overflow at 390 px, every
# experiment of the tag present, verdict and health banner present, at the
# top and right for the planted faults, every chart with an axis (ticks,
# labels, title), text alternatives, no external resource, segments
# collapsed; on the pages of specs with an activity block (engagement) the
# growth charts — DAU / rolling WAU / MAU lines, growth-accounting bars per
# week and month with churned below the zero line as laid out, retention
# heatmap cells with their number — and on the others none.  The memos are
# checked for the same verdicts and health.
#
# env ABC = the abc binary; REPORT_SHOTS=DIR also writes screenshots
# (`make report-shots`); REPORT_KEEP=DIR keeps the pages and probe output.
# Without chromium the test says so and exits 0 unless REPORT_REQUIRE_BROWSER=1.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init report_browser

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
    echo "report_browser: no chromium on PATH (apt-get install chromium); browser checks skipped"
    [ "${REPORT_REQUIRE_BROWSER:-0}" = 1 ] && fail "chromium required (REPORT_REQUIRE_BROWSER=1)"
    rl_done
fi

rl_server
python3 tests/integration/report/scenario.py examples/growthbook-snapshot.json \
    "$RL_TMP/snap-synth.json" "$RL_TMP/snap-run.json" || fail "scenario snapshots"
"$ABC" synth --socket "$MARIADBD_SOCKET" --users 4000 --days 28 --pre-days 7 --start 2026-10-01 --seed 42 \
    --snapshot "$RL_TMP/snap-synth.json" --quiet \
    --effect ret-onboarding-v2/1:active=0.10 --effect ret-push-reminder/2:active=0.05 \
    --effect sub-paywall-annual-first:subscribe=0.25 --effect rch-bonus-coins-tiers:recharge=0.20 \
    --effect sub-price-ladder/1:subscribe=0.30 --effect sub-price-ladder/4:subscribe=-0.30 \
    --effect eng-feed-autoplay:chat_message=0.15 --effect eng-feed-autoplay:crash=3.0 \
    --srm ad-interstitial-frequency=0.2 || fail "abc synth"
rl_config "$RL_CFG" "$RL_DSN" "  file: $RL_TMP/snap-run.json"
rl_run ABC_TODAY=2026-10-29 -- --quiet --full specs/*.ab
# specs with fail_on srm/guardrail exit 4 on the planted faults
[ "$RL_RC" = 0 ] || [ "$RL_RC" = 4 ] || { fail "abc run: exit $RL_RC"; tail -n 5 "$RL_ERR" >&2; rl_done; }

PAGES=$RL_TMP/pages
mkdir -p "$PAGES"
umask_before=$(umask)
for spec in specs/*.ab; do
    tag=$(basename "$spec" .ab)
    [ -s "$RL_TMP/memo/$tag.html" ] || fail "abc run wrote no $tag.html next to the memo"
    cp "$RL_TMP/memo/$tag.html" "$PAGES/run-$tag.html"
    (umask 027; "$ABC" report "$tag" --html "$PAGES/report-$tag.html" --config "$RL_CFG" --spec "$spec" \
        2>>"$RL_TMP/all.err") || fail "abc report $tag --html"
    [ "$(stat -c %a "$PAGES/report-$tag.html")" = 640 ] || fail "abc report --html ignores the umask ($(stat -c %a "$PAGES/report-$tag.html") under 027)"
done
umask "$umask_before"

# One wrapper per page: the page (a copy with the error hook first in <head>
# and the probe before </body>) in an iframe per width — headless chromium
# will not make its window narrower than 500 px, an iframe is exactly as
# wide as asked — and the probe results posted back into the wrapper's DOM.
WIDTHS="1400 390"
probe() { # PAGE -> RL_TMP/probe-NAME-WIDTH.json per width
    local page=$1 name; name=$(basename "$page" .html)
    python3 - "$page" "$RL_TMP/wrapped-$name.html" "$RL_TMP/wrapper-$name.html" \
        tests/integration/report/probe.js $WIDTHS <<'PY'
import sys
page, wrapped, wrapper, probe = sys.argv[1:5]
widths = sys.argv[5:]
s = open(page, encoding="utf-8").read()
hook = ("<script>window.__abcErrors=[];window.addEventListener('error',function(e){"
        "window.__abcErrors.push(String(e.message||(e.target&&(e.target.src||e.target.href))||'error'))},true);"
        "(function(){var f=console.error;console.error=function(){window.__abcErrors.push("
        "Array.prototype.join.call(arguments,' '));return f.apply(console,arguments)}})();</script>")
assert "<head>" in s and "</body>" in s
s = s.replace("<head>", "<head>" + hook, 1)
s = s.replace("</body>", "<script>" + open(probe).read() + "</script></body>", 1)
open(wrapped, "w", encoding="utf-8").write(s)
frames = "".join('<iframe src="%s" style="display:block;border:0;width:%spx;height:900px"></iframe>'
                 % (wrapped.rsplit("/", 1)[1], w) for w in widths)
open(wrapper, "w").write(
    "<!DOCTYPE html><html><head><meta charset=utf-8></head><body style=margin:0>" + frames +
    "<script>window.addEventListener('message',function(e){var p=document.createElement('pre');"
    "p.className='abc-probe';p.textContent=e.data;document.body.appendChild(p)});</script></body></html>")
PY
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$RL_TMP/chrome" --window-size=1500,1000 --virtual-time-budget=8000 \
        --dump-dom "file://$RL_TMP/wrapper-$name.html" 2>"$RL_TMP/chrome-$name.err" |
        python3 -c 'import sys, re, html, json
for m in re.finditer(r"<pre class=\"abc-probe\">(.*?)</pre>", sys.stdin.read(), re.S):
    p = json.loads(html.unescape(m.group(1)))
    open("%s/probe-%s-%d.json" % (sys.argv[1], sys.argv[2], p["width"]), "w").write(json.dumps(p))' \
        "$RL_TMP" "$name"
}

nchecked=0
for page in "$PAGES"/*.html; do
    name=$(basename "$page" .html); tag=${name#*-}
    probe "$page"
    for w in $WIDTHS; do
        out=$RL_TMP/probe-$name-$w.json
        if [ ! -s "$out" ]; then
            fail "$name at $w px: the browser gave no probe result ($(grep -v dbus "$RL_TMP/chrome-$name.err" | tail -n 2 | tr '\n' ' '))"
            continue
        fi
        # the growth charts on the pages of specs with an activity block only
        grow=; grep -Eq '^[[:space:]]*activity[[:space:]]' "specs/$tag.ab" && grow=growth
        python3 tests/integration/report/check.py "$out" "$w" "$tag" "$RL_TMP/snap-run.json" $grow ||
            fail "$name at $w px"
        nchecked=$((nchecked + 1))
    done
    if [ -n "${REPORT_SHOTS:-}" ]; then
        mkdir -p "$REPORT_SHOTS"
        shots=$(cd "$REPORT_SHOTS" && pwd)
        timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
            --user-data-dir="$RL_TMP/chrome" --window-size=1400,1800 \
            --screenshot="$shots/$name-1400.png" "file://$page" >/dev/null 2>&1 || fail "screenshot $name 1400"
        # 390 px: the page in a 390 px iframe (the window cannot be narrower than 500 px)
        printf '<!DOCTYPE html><body style="margin:0;background:#888"><iframe src="%s" style="border:0;width:390px;height:2400px;background:#fff"></iframe>' \
            "$(basename "$page")" >"$PAGES/shot-$name.htm"
        timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
            --user-data-dir="$RL_TMP/chrome" --window-size=500,2400 \
            --screenshot="$shots/$name-390.png" "file://$PAGES/shot-$name.htm" >/dev/null 2>&1 ||
            fail "screenshot $name 390"
        # the growth section: the page scrolled to #growth in an iframe of each width
        if grep -q 'id="growth"' "$page"; then
            for w in 1400 390; do
                printf '<!DOCTYPE html><body style="margin:0;background:#888"><iframe src="%s#growth" style="border:0;width:%spx;height:2400px;background:#fff"></iframe>' \
                    "$(basename "$page")" "$w" >"$PAGES/shot-growth-$name-$w.htm"
                timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
                    --user-data-dir="$RL_TMP/chrome" --window-size=$((w < 500 ? 500 : w)),2400 \
                    --screenshot="$shots/$name-growth-$w.png" "file://$PAGES/shot-growth-$name-$w.htm" >/dev/null 2>&1 ||
                    fail "screenshot $name growth $w"
            done
        fi
    fi
done
[ "$nchecked" -ge 20 ] && ok "$nchecked page renderings (run and abc report, every tag, 1400 and 390 px) pass the DOM checks"

# the memos: verdict first, then health, the table, notes
python3 - "$RL_TMP/memo" <<'PY' || fail "memos"
import re, sys
d = sys.argv[1]
def section(tag, key):
    s = open("%s/%s.md" % (d, tag), encoding="utf-8").read()
    m = re.search(r"\n## [^\n]*\(%s\)\n(.*?)(?=\n## |\Z)" % re.escape(key), s, re.S)
    assert m, (tag, key)
    return m.group(1)
ad = section("advertisement", "ad-interstitial-frequency")
assert ad.lstrip().startswith("**Verdict: invalid**"), ad[:200]
assert "**Health: SRM" in ad and "expected vs observed" in ad, ad[:600]
ghost = section("recharge", "rch-ghost-offer")
assert "**Verdict: invalid**" in ghost and "data quality failed" in ghost, ghost[:400]
eng = section("engagement", "eng-feed-autoplay")
assert "Guardrail breached: crash_rate" in eng, eng[:800]
assert eng.index("**Verdict") < eng.index("Health") < eng.index("| metric |"), eng[:300]
five = section("subscribe", "sub-price-ladder")
assert all(n in five for n in ["Price −10%", "Price +10%", "Price +20%", "Price −20%"]), five[:600]
assert "<b>" not in five and "&lt;b&gt;" in open(d + "/subscribe.md", encoding="utf-8").read()
ret = open(d + "/retention.md", encoding="utf-8").read()
assert re.search(r"Sample: \w+ needs [\d,]+ units per arm for an mde of 0.02", ret), ret[:1500]
assert not re.search(r"\d\.\d{6,}", open(d + "/engagement.md").read()), "long floats in the memo"
PY
[ -n "${REPORT_KEEP:-}" ] && { mkdir -p "$REPORT_KEEP"; cp -r "$PAGES" "$RL_TMP"/memo "$RL_TMP"/probe-*.json "$REPORT_KEEP"/; }
rl_done
