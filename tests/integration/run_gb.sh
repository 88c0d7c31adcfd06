#!/usr/bin/env bash
# run_gb.sh — `abc run` against the fixture GrowthBook server
# (tests/fixtures/gb_server.py, 127.0.0.1) and a private mariadbd:
#   * paging: 225 tagged experiments over 3 pages, all resolved, and all
#     675 experiment × variation rows land in experiment_data;
#   * the tag fallback of servers older than 5.0.1 (400 on `tag`);
#   * a 200 that is an HTML page, truncated or malformed JSON → exit 3; a
#     server that always says hasMore stops at growthbook.deadline_s; the
#     key is not sent over plain http:// to a remote host unless
#     growthbook.allow_insecure_http is true;
#   * 401 → exit 3 with a clear message (the key the server echoes is
#     scrubbed); 500 twice → retried, the run succeeds;
#   * names and keys with quotes, backticks, `--`, `;`, a backslash, a tab
#     and non-ASCII text flow byte for byte into experiment_data, the report
#     tables, abc report (Markdown, --json, --html) and the memo;
#   * invalid data (control characters, \u0000, bad times, strings longer
#     than their columns, duplicate tracking keys, a phase that ends before
#     it starts): plan, run --dry-run and run exit 1 naming the experiment
#     and the JSON path, and write nothing;
#   * the API key (from GROWTHBOOK_API_KEY, and from a 0600 api_key_file)
#     appears nowhere: stdout, stderr, memos, report output, any table
#     (mariadb-dump of every database) or any file of the server's datadir.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_gb
rl_server
rl_gb_start
SPEC=tests/integration/run/gbtest.ab
WEIRD=tests/fixtures/growthbook/weird-names.json
export GROWTHBOOK_API_KEY=$RL_KEY
gbcfg() { # SCENARIO: $RL_TMP/gb.yaml pointing at it (fresh nonce per call)
    GB_NONCE=$$-$RANDOM
    rl_config "$RL_TMP/gb.yaml" "$RL_DSN" "  api_host: $RL_GB_URL/$1/$GB_NONCE
  connect_timeout_s: 5
  timeout_s: 20"
    RL_RUNCFG=$RL_TMP/gb.yaml
}
gbstat() { # SCENARIO FIELD-EXPR: python expression over the stats document d
    rl_gb_stats "$1" "$GB_NONCE" | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"
}

# data: the weird-names experiments (and the paged ones get no exposures)
"$ABC" synth --socket "$MARIADBD_SOCKET" --users 1500 --days 6 --pre-days 2 --start 2026-10-01 \
    --seed 5 --snapshot "$WEIRD" --effect active=0.2 --quiet || fail "synth"

# ---- paging --------------------------------------------------------------------------------------
gbcfg paged
"$ABC" plan --config "$RL_RUNCFG" "$SPEC" >"$RL_TMP/plan.out" 2>"$RL_TMP/plan.err" ||
    fail "plan on the paged scenario: $(tail -n 1 "$RL_TMP/plan.err")"
cat "$RL_TMP/plan.out" "$RL_TMP/plan.err" >>"$RL_TMP/all.out"
grep -q '^experiments (225):' "$RL_TMP/plan.out" || fail "paging: $(grep '^experiments' "$RL_TMP/plan.out")"
[ "$(grep -c '^  paged-' "$RL_TMP/plan.out")" = 225 ] || fail "paging: not every experiment listed"
q=$(gbstat paged '" ".join(d["queries"])')
[ "$(gbstat paged 'd["requests"]')" = 3 ] || fail "paging: requests: $q"
case "$q" in *offset=0*offset=100*offset=200*) ;; *) fail "paging: offsets: $q" ;; esac
case "$q" in *tag=retention*) ;; *) fail "paging: no tag filter sent: $q" ;; esac
rl_run ABC_TODAY=2026-10-07 -- --quiet --date 2026-10-03 "$SPEC"
[ "$RL_RC" = 0 ] || fail "run on the paged scenario: exit $RL_RC: $(tail -n 2 "$RL_ERR")"
n=$(rl_sql -e "SELECT COUNT(*), COUNT(DISTINCT tracking_key) FROM abc.experiment_data WHERE tag = 'gbtest'")
[ "$n" = "675	225" ] || fail "paging: experiment_data holds '$n' rows/experiments, expected 675 of 225"
[ "$RL_FAILS" = 0 ] && ok "paging: 225 experiments in 3 pages, 675 experiment_data rows"

# ---- the tag fallback (old servers) ---------------------------------------------------------------
f0=$RL_FAILS
gbcfg oldserver
"$ABC" plan --config "$RL_RUNCFG" "$SPEC" >"$RL_TMP/plan.out" 2>>"$RL_TMP/all.err" || fail "plan on oldserver"
grep -q '^experiments (225):' "$RL_TMP/plan.out" || fail "fallback: $(grep '^experiments' "$RL_TMP/plan.out")"
q=$(gbstat oldserver '" ".join(d["queries"])')
[ "$(gbstat oldserver 'd["requests"]')" = 4 ] || fail "fallback: requests: $q"
[ "$(gbstat oldserver 'sum("tag=" in x for x in d["queries"])')" = 1 ] || fail "fallback: tag sent again: $q"
[ "$RL_FAILS" = "$f0" ] && ok "tag fallback on a pre-5.0.1 server: 225 experiments, filtered locally"

# ---- 401, 500 ----------------------------------------------------------------------------------------
f0=$RL_FAILS
gbcfg e401
rl_run ABC_TODAY=2026-10-07 -- "$SPEC"
[ "$RL_RC" = 3 ] || fail "401: exit $RL_RC, expected 3"
grep -q "401" "$RL_ERR" || fail "401: the status is not in the message: $(tail -n 1 "$RL_ERR")"
grep -qi "key\|auth" "$RL_ERR" || fail "401: the message does not say what is wrong: $(tail -n 1 "$RL_ERR")"
grep -qF "$RL_KEY" "$RL_ERR" && fail "401: the echoed API key reached stderr"
gbcfg paged
rl_run ABC_TODAY=2026-10-07 GROWTHBOOK_API_KEY=wrong-key -- --quiet "$SPEC"
[ "$RL_RC" = 3 ] || fail "wrong key: exit $RL_RC, expected 3"
grep -q "401" "$RL_ERR" || fail "wrong key: $(tail -n 1 "$RL_ERR")"
[ "$(gbstat paged 'd["requests"]')" = 1 ] || fail "401 must not be retried"
gbcfg r500
"$ABC" plan --config "$RL_RUNCFG" "$SPEC" >"$RL_TMP/plan.out" 2>>"$RL_TMP/all.err" || fail "500 twice: plan failed"
grep -q '^experiments (225):' "$RL_TMP/plan.out" || fail "500 twice: $(grep '^experiments' "$RL_TMP/plan.out")"
[ "$(gbstat r500 'd["requests"]')" = 5 ] || fail "500 twice: $(gbstat r500 'd["requests"]') requests, expected 2 + 3"
[ "$RL_FAILS" = "$f0" ] && ok "401 -> exit 3 with the status and no key; 500 retried"

# ---- not JSON, endless paging, the key over plain http -------------------------------------------
f0=$RL_FAILS
for scen in html trunc malformed; do
    gbcfg $scen
    "$ABC" plan --config "$RL_RUNCFG" "$SPEC" >/dev/null 2>"$RL_TMP/env.err"; rc=$?
    [ "$rc" = 3 ] || fail "$scen: plan exit $rc, expected 3 (environment): $(tail -n 1 "$RL_TMP/env.err")"
    rl_run ABC_TODAY=2026-10-07 -- "$SPEC"
    [ "$RL_RC" = 3 ] || fail "$scen: run exit $RL_RC, expected 3: $(tail -n 1 "$RL_ERR")"
done
grep -q "HTML page" "$RL_TMP/all.err" || fail "html: the message does not say it got an HTML page"
gbcfg endless
printf '  deadline_s: 1\n' >"$RL_TMP/dl.tmp"
sed -i "/^growthbook:/r $RL_TMP/dl.tmp" "$RL_TMP/gb.yaml"
t0=$(date +%s)
"$ABC" plan --config "$RL_RUNCFG" "$SPEC" >/dev/null 2>"$RL_TMP/env.err"; rc=$?
[ "$rc" = 3 ] && grep -q "did not finish within 1 s (growthbook.deadline_s)" "$RL_TMP/env.err" ||
    fail "endless paging: exit $rc: $(tail -n 1 "$RL_TMP/env.err")"
[ $(($(date +%s) - t0)) -le 5 ] || fail "endless paging: the deadline was not kept"
rl_config "$RL_TMP/insecure.yaml" "$RL_DSN" "  api_host: http://192.0.2.1:9
  connect_timeout_s: 0.3"
"$ABC" plan --config "$RL_TMP/insecure.yaml" "$SPEC" >/dev/null 2>"$RL_TMP/env.err"; rc=$?
[ "$rc" = 3 ] && grep -q "refusing to send the API key over plain http://" "$RL_TMP/env.err" ||
    fail "plain http to a remote host: exit $rc: $(tail -n 1 "$RL_TMP/env.err")"
printf '  allow_insecure_http: true\n' >"$RL_TMP/ins.tmp"
sed -i "/^growthbook:/r $RL_TMP/ins.tmp" "$RL_TMP/insecure.yaml"
"$ABC" plan --config "$RL_TMP/insecure.yaml" "$SPEC" >/dev/null 2>"$RL_TMP/env.err"; rc=$?
[ "$rc" = 3 ] && grep -q "warning: the GrowthBook API key is sent over plain http://" "$RL_TMP/env.err" &&
    ! grep -q refusing "$RL_TMP/env.err" || fail "allow_insecure_http: exit $rc: $(cat "$RL_TMP/env.err")"
[ "$RL_FAILS" = "$f0" ] && ok "HTML, truncated or malformed 200 -> exit 3; endless paging stops at deadline_s; no key over plain http to a remote host unless allowed"

# ---- names with quotes, backticks, --, ;, backslash, tab, non-ASCII ---------------------------
f0=$RL_FAILS
rl_sql -e "DROP DATABASE abc; DROP DATABASE flow_report_app"
gbcfg data-weird-names
rl_run ABC_TODAY=2026-10-07 -- --full --format json "$SPEC"
[ "$RL_RC" = 0 ] || fail "weird names: exit $RL_RC: $(tail -n 2 "$RL_ERR")"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$RL_OUT" || fail "weird names: --format json does not parse"
# experiment_data, byte for byte (HEX avoids the client's escaping)
rl_sql -e "SELECT HEX(tracking_key), HEX(variation_key), HEX(experiment_id), HEX(experiment_name),
                  HEX(phase_name), HEX(variation_name), is_control, weight
           FROM abc.experiment_data WHERE tag = 'gbtest' ORDER BY 1, 2" >"$RL_TMP/expdata.hex"
python3 - "$WEIRD" "$RL_TMP/expdata.hex" <<'PY' || fail "weird names: experiment_data differs from GrowthBook"
import json, sys
exps = json.load(open(sys.argv[1]))["experiments"]
want = []
for e in exps:
    if "retention" not in [t.lower() for t in e["tags"]]:
        continue
    ph = e["phases"][-1]
    w = {s["variationId"]: s["weight"] for s in ph["trafficSplit"]}
    for i, v in enumerate(e["variations"]):
        h = lambda s: s.encode("utf-8").hex().upper()
        want.append((h(e["trackingKey"]), h(v["key"]), h(e["id"]), h(e["name"]), h(ph["name"]),
                     h(v["name"]), str(int(i == 0)), repr(w[v["variationId"]])))
want.sort(key=lambda r: (r[0], r[1]))
got = [tuple(l.rstrip("\n").split("\t")) for l in open(sys.argv[2])]
got = [g[:7] + (repr(float(g[7])),) for g in got]
if got != want:
    print("got ", got, "\nwant", want, file=sys.stderr)
    sys.exit(1)
PY
# the report: exposures matched through SQL for the quoted keys
"$ABC" report gbtest --json --config "$RL_RUNCFG" --spec "$SPEC" >"$RL_TMP/weird.json" || fail "weird names: abc report --json"
python3 - "$RL_TMP/weird.json" <<'PY' || fail "weird names: report rows"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
allu = [r for r in rows if not r["segment"]]
keys = {(r["tracking_key"], r["variation_key"]): r for r in allu}
for k in [("trk'\"--;`x`", "0'"), ("trk'\"--;`x`", "1\";--"), ("back\\slash", "0"), ("back\\slash", "2")]:
    assert k in keys, "no report row for %r; have %r" % (k, sorted(keys))
    assert keys[k]["users"] > 0, "no users for %r" % (k,)
r = keys[("trk'\"--;`x`", "0'")]
assert r["experiment_name"] == "Robert'); DROP TABLE experiments;-- \"quoted\" `tick` café 実験 🚀", r["experiment_name"]
assert r["variation_name"] == "Contrôle `A`; --x" and r["is_control"] == 1, r
assert r["phase_name"] == "Fase ünö -- ;", r["phase_name"]
assert keys[("back\\slash", "0")]["experiment_name"] == "café 実験 🚀 tab\there"
assert not any(r["tracking_key"] == "other-tag" for r in rows)
PY
"$ABC" report gbtest --config "$RL_RUNCFG" --spec "$SPEC" >"$RL_TMP/weird.md" || fail "weird names: abc report (Markdown)"
grep -qF 'Robert'"'"'); DROP TABLE experiments;-- "quoted" `tick` café 実験 🚀' "$RL_TMP/weird.md" ||
    fail "weird names: Markdown report lacks the experiment name"
"$ABC" report gbtest --html "$RL_TMP/weird.html" --config "$RL_RUNCFG" --spec "$SPEC" 2>>"$RL_TMP/all.err" ||
    fail "weird names: abc report --html"
grep -qF 'Robert&#39;); DROP TABLE experiments;-- &quot;quoted&quot; `tick` café 実験 🚀' "$RL_TMP/weird.html" ||
    fail "weird names: HTML report lacks the escaped experiment name"
grep -q '<script\|Robert'"'"');' "$RL_TMP/weird.html" && fail "weird names: unescaped text in the HTML"
grep -qF 'trk'"'"'"--;`x`' "$RL_TMP/memo/gbtest.md" || fail "weird names: memo lacks the tracking key"
[ "$(rl_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'experiments'")" = 0 ] ||
    fail "weird names: a table named experiments appeared"
[ "$RL_FAILS" = "$f0" ] && ok "names with quotes, backticks, --, ;, backslash, tab and non-ASCII: experiment_data, report, memo, HTML"

# ---- names printed on the terminal --------------------------------------------------------------
# terminal-names.json: a tracking key with LF and CR, a phase name with a
# right-to-left override and a tab, a variation key with LF.  They are
# valid data, but plan and run --dry-run print them escaped, one line each.
f0=$RL_FAILS
gbcfg data-terminal-names
"$ABC" plan --config "$RL_RUNCFG" "$SPEC" >"$RL_TMP/term.out" 2>"$RL_TMP/term.err" || fail "terminal names: plan failed: $(tail -n 1 "$RL_TMP/term.err")"
rl_run ABC_TODAY=2026-10-07 -- --dry-run "$SPEC"
cat "$RL_OUT" >>"$RL_TMP/term.out"
grep -qF '  line\nbreak\rcr  exp_w2  phase "phase\u202egnp.exe\ttab" from 2026-10-01 (running), 3 variations: 0=0.3334 1\n2=0.3333 2=0.3333' "$RL_TMP/term.out" ||
    fail "terminal names: the experiment line is not escaped: $(grep -a exp_w2 "$RL_TMP/term.out" | od -c | head -5)"
[ "$(grep -c 'exp_w2' "$RL_TMP/term.out")" = 2 ] || fail "terminal names: not one line per experiment"
grep -q $'\r' "$RL_TMP/term.out" && fail "terminal names: a raw CR was printed"
grep -q $'\xe2\x80\xae' "$RL_TMP/term.out" && fail "terminal names: a raw bidi override was printed"
[ "$RL_FAILS" = "$f0" ] && ok "names from GrowthBook are printed escaped by plan and run --dry-run (LF, CR, tab, bidi override)"

# ---- invalid GrowthBook data: refused before any write --------------------------------------------
# Each tests/fixtures/growthbook/invalid-<case>.json is weird-names.json with one fault in exp_w2;
# plan, run --dry-run and run all exit 1 naming the experiment and the JSON path, and the
# warehouse is left as it was.
f0=$RL_FAILS
sum_before=$(rl_sql -e "CHECKSUM TABLE abc.experiment_data; SELECT COUNT(*) FROM abc.run_state")
for c in "esc:name:control character" "vt:variations[1].name:control character" \
    "nul:trackingKey:NUL" "time:phases[0].dateStarted:ISO 8601" \
    "long-name:name:256 characters long; the column holds 255" \
    "long-key:trackingKey:129 characters long; the column holds 128" \
    "long-varkey:variations[2].key:65 characters long; the column holds 64" \
    "dup-tracking:trackingKey:also the trackingKey of experiment exp_w1" \
    "ended-before:phases[0].dateEnded:before dateStarted"; do
    name=${c%%:*} rest=${c#*:}
    path=${rest%%:*} why=${rest#*:}
    gbcfg "data-invalid-$name"
    for mode in plan dry-run run; do
        case $mode in
        plan) "$ABC" plan --config "$RL_RUNCFG" "$SPEC" >"$RL_TMP/inv.out" 2>"$RL_TMP/inv.err"; rc=$? ;;
        dry-run) rl_run ABC_TODAY=2026-10-07 -- --dry-run "$SPEC"; rc=$RL_RC; cp "$RL_ERR" "$RL_TMP/inv.err" ;;
        run) rl_run ABC_TODAY=2026-10-07 -- --full "$SPEC"; rc=$RL_RC; cp "$RL_ERR" "$RL_TMP/inv.err" ;;
        esac
        [ "$rc" = 1 ] || fail "invalid-$name: $mode: exit $rc, expected 1: $(tail -n 1 "$RL_TMP/inv.err")"
        grep -qF "experiment exp_w2: \$.experiments[1].$path: " "$RL_TMP/inv.err" && grep -qF "$why" "$RL_TMP/inv.err" ||
            fail "invalid-$name: $mode: message lacks the experiment, the path or '$why': $(tail -n 1 "$RL_TMP/inv.err")"
        grep -q $'\e\|\v' "$RL_TMP/inv.err" && fail "invalid-$name: $mode: a control character reached stderr"
    done
done
[ "$(rl_sql -e "CHECKSUM TABLE abc.experiment_data; SELECT COUNT(*) FROM abc.run_state")" = "$sum_before" ] ||
    fail "invalid GrowthBook data: the warehouse changed"
[ "$RL_FAILS" = "$f0" ] && ok "invalid GrowthBook data (control characters, NUL, bad times, long strings, duplicate tracking keys, ended before started): exit 1 naming experiment and path, nothing written"

# ---- the API key from a 0600 file ----------------------------------------------------------------------
f0=$RL_FAILS
printf '%s\n' "$RL_KEY" >"$RL_TMP/gbkey"
chmod 600 "$RL_TMP/gbkey"
gbcfg data-weird-names
printf '  api_key_file: %s\n' "$RL_TMP/gbkey" >>"$RL_TMP/gb.yaml.tmp"
sed "/^growthbook:/r $RL_TMP/gb.yaml.tmp" "$RL_TMP/gb.yaml" >"$RL_TMP/gbfile.yaml"
RL_RUNCFG=$RL_TMP/gbfile.yaml rl_run ABC_TODAY=2026-10-07 GROWTHBOOK_API_KEY= -- "$SPEC"
[ "$RL_RC" = 0 ] || fail "api_key_file: exit $RL_RC: $(tail -n 1 "$RL_ERR")"
chmod 644 "$RL_TMP/gbkey"
RL_RUNCFG=$RL_TMP/gbfile.yaml rl_run ABC_TODAY=2026-10-07 GROWTHBOOK_API_KEY= -- "$SPEC"
[ "$RL_RC" = 3 ] || fail "api_key_file readable by others: exit $RL_RC, expected 3"
rm -f "$RL_TMP/gbkey"
[ "$RL_FAILS" = "$f0" ] && ok "api_key_file: used when private, refused when not"

# ---- the key appears nowhere ------------------------------------------------------------------------
f0=$RL_FAILS
mariadb-dump --no-defaults --protocol=socket -S "$MARIADBD_SOCKET" -uroot --all-databases \
    >"$RL_TMP/all.sql" 2>>"$RL_TMP/all.err" || fail "mariadb-dump"
grep -q "experiment_data" "$RL_TMP/all.sql" || fail "the dump lacks experiment_data"
rl_sql -e "FLUSH TABLES; SET GLOBAL innodb_fast_shutdown = 0" >/dev/null
mariadbd_stop   # flush everything to the datadir files, then grep them too
hits=$(grep -rlaF "$RL_KEY" "$RL_TMP" --exclude=gb.log --exclude=gb.stdin 2>/dev/null)
[ -z "$hits" ] || fail "the API key appears in: $hits"
[ -s "$RL_TMP/all.err" ] && [ -s "$RL_TMP/memo/gbtest.md" ] && [ -s "$RL_TMP/weird.html" ] ||
    fail "nothing to search (outputs missing)"
[ "$RL_FAILS" = "$f0" ] && ok "the API key appears in no output, memo, report, table or datadir file"

rl_done
