#!/usr/bin/env bash
# run_cli.sh — the command line around `abc run` on a private mariadbd:
#   * `abc run --dry-run` and `abc plan` explain experiments, dates due (and
#     why) and steps, and change nothing: no database or table created, no
#     memo, every table byte-identical after them;
#   * after a run: `abc report TAG` (Markdown), `--json` (parses: the tag,
#     one object per report row, no growth series), `--html FILE` (a complete page with forest plots);
#     `abc run --format json` parses and carries the documented fields;
#   * exit codes: usage 2, missing or broken spec 1, unreachable remote
#     warehouse 3, missing --config or snapshot 3, no results yet 1.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_cli
rl_server
rl_synth
dbs() { rl_sql -e "SELECT GROUP_CONCAT(SCHEMA_NAME ORDER BY SCHEMA_NAME) FROM information_schema.SCHEMATA
                   WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')"; }
code() { # EXPECTED WHAT CMD...: run CMD, compare its exit status
    local want=$1 what=$2; shift 2
    "$@" >"$RL_TMP/code.out" 2>"$RL_TMP/code.err"
    local got=$?
    cat "$RL_TMP/code.err" >>"$RL_TMP/all.err"
    [ "$got" = "$want" ] || fail "$what: exit $got, expected $want ($(head -c 300 "$RL_TMP/code.err"))"
}

# ---- dry run and plan on a warehouse that has only the source data ------------------------------
[ "$(dbs)" = ods ] || fail "unexpected databases before the dry run: $(dbs)"
code 0 "run --dry-run" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_CFG" --memo-dir "$RL_TMP/memo" --dry-run "$RL_SPEC"
cp "$RL_TMP/code.out" "$RL_TMP/dry.out"
code 0 "plan" env ABC_TODAY=2026-10-11 "$ABC" plan --config "$RL_CFG" "$RL_SPEC"
diff <(grep -v '^then:' "$RL_TMP/dry.out") <(grep -v '^then:' "$RL_TMP/code.out") >&2 ||
    fail "abc plan and abc run --dry-run say different things"
for want in '^experiments (2):' '^  it-onboarding  exp_it_a  phase "Main" from 2026-10-01 (running), 2 variations: 0=0.5 1=0.5' \
            '^  it-reminder  exp_it_b  phase "Main" from 2026-10-03 (running), 3 variations' \
            '^dates due: 2026-10-01 .. 2026-10-10 (10 days; first run' '^steps:' '^  assign_day .*per due date' \
            '^  assign_range .*not used: filled by day' '^  wide_day .*per due date' '^  stats_moments' '^  report_publish' '^then: .*memo'; do
    grep -q -- "$want" "$RL_TMP/dry.out" || fail "dry run output lacks /$want/"
done
grep -q "other-exp" "$RL_TMP/dry.out" && fail "dry run lists an experiment of another tag"
[ "$(dbs)" = ods ] || fail "the dry run / plan created databases: $(dbs)"
[ -e "$RL_TMP/memo" ] && fail "the dry run wrote a memo"
# embedded: a fresh datadir stays free of abc's databases
rl_config "$RL_TMP/emb.yaml" "" "  file: $RL_SNAP"
# (no warehouse exists yet: the plan is printed, the preflight is said to be
# skipped, and nothing is created)
code 0 "embedded plan" env ABC_TODAY=2026-10-11 "$ABC" plan --config "$RL_TMP/emb.yaml" "$RL_SPEC"
grep -q '^preflight: not checked' "$RL_TMP/code.out" || fail "embedded plan: no preflight line: $(tail -2 "$RL_TMP/code.out")"
[ -e "$RL_TMP/emb/data" ] && fail "embedded plan created the datadir"
grep -q '^dates due: 2026-10-01 .. 2026-10-10' "$RL_TMP/code.out" || fail "embedded plan: $(grep dates "$RL_TMP/code.out")"
[ -e "$RL_TMP/emb/data/abc" ] || [ -e "$RL_TMP/emb/data/flow_report_app" ] && fail "embedded plan created databases"
# --dry-run --format json: the document on stdout, the plan on stderr
code 0 "run --dry-run --format json" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_CFG" --dry-run --format json "$RL_SPEC"
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["tags"][0]
assert (t["dry_run"], t["from"], t["to"], t["days"], t["experiments"], t["exit_code"]) == (True, "2026-10-01", "2026-10-10", 10, 2, 0), t' \
    "$RL_TMP/code.out" || fail "--dry-run --format json: stdout is not the JSON summary"
grep -q '^dates due: 2026-10-01 .. 2026-10-10' "$RL_TMP/code.err" || fail "--dry-run --format json: no plan on stderr"
[ "$(dbs)" = ods ] || fail "the dry run (json) created databases: $(dbs)"
[ "$RL_FAILS" = 0 ] && ok "dry run and plan: experiments, dates, steps; nothing created"

# ---- a run, then plan/dry-run again: nothing changes -------------------------------------------
f0=$RL_FAILS
rl_run_ok "run" ABC_TODAY=2026-10-08 -- --quiet --format json "$RL_SPEC"
python3 - "$RL_OUT" "$RL_TMP/memo/itest.md" <<'PY' || fail "--format json summary"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_code"] == 0 and d["dialect"] == "mariadb" and d["abc_version"], d
t = d["tags"][0]
for k, v in {"spec": "tests/integration/run/itest.ab", "tag": "itest", "exit_code": 0, "days": 7,
             "from": "2026-10-01", "to": "2026-10-07", "experiments": 2, "srm_failures": 0,
             "health_failed": False, "memo": sys.argv[2]}.items():
    assert t[k] == v, (k, t[k], v)
res = t["results"]
assert res["analysis_date"] == "2026-10-07", res["analysis_date"]
assert {e["tracking_key"] for e in res["experiments"]} == {"it-onboarding", "it-reminder"}
PY
rl_dump before
rm -rf "$RL_TMP/memo"
code 0 "plan after a run" env ABC_TODAY=2026-10-11 "$ABC" plan --config "$RL_CFG" "$RL_SPEC"
grep -q '^dates due: 2026-10-08 .. 2026-10-10 (3 days; incremental' "$RL_TMP/code.out" ||
    fail "plan after a run: $(grep '^dates' "$RL_TMP/code.out")"
grep -q '^late data in 2026-10-06 .. 2026-10-07: none (no past date re-filled)' "$RL_TMP/code.out" ||
    fail "plan after a run: $(grep '^late data' "$RL_TMP/code.out")"
grep -q 'reset.*skipped' "$RL_TMP/code.out" || fail "plan: the reset step should be skipped on an incremental run"
code 0 "plan --full" env ABC_TODAY=2026-10-11 "$ABC" plan --config "$RL_CFG" --full "$RL_SPEC"
grep -q '^dates due: 2026-10-01 .. 2026-10-10 (10 days; --full' "$RL_TMP/code.out" || fail "plan --full: $(grep '^dates' "$RL_TMP/code.out")"
grep -q 'reset.*skipped' "$RL_TMP/code.out" && fail "plan --full: the reset step is not skipped on a full run"
code 0 "run --dry-run --from/--to" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_CFG" --dry-run --from 2026-10-03 --to 2026-10-04 "$RL_SPEC"
grep -q '^dates due: 2026-10-03 .. 2026-10-04 (2 days; --from/--to)' "$RL_TMP/code.out" || fail "dry run --from/--to: $(grep '^dates' "$RL_TMP/code.out")"
rl_dump after
rl_same before after "plan and dry runs after a run leave every table as it was" "$RL_TABLES" >/dev/null ||
    fail "plan / dry run changed tables"
[ -e "$RL_TMP/memo" ] && fail "plan / dry run wrote a memo"
[ "$RL_FAILS" = "$f0" ] && ok "run --format json; plan after a run (incremental dates, --full, --from/--to) changes nothing"

# ---- abc report -------------------------------------------------------------------------------------
f0=$RL_FAILS
rep=("$ABC" report itest --config "$RL_CFG" --spec "$RL_SPEC")
code 0 "report" "${rep[@]}"
head -n 1 "$RL_TMP/code.out" | grep -q '^# itest — stored results through 2026-10-07$' || fail "report: $(head -n 1 "$RL_TMP/code.out")"
grep -q '^## Onboarding v3 (it-onboarding)' "$RL_TMP/code.out" && grep -q '^## Reminder (it-reminder)' "$RL_TMP/code.out" ||
    fail "report: experiment headings missing"
grep -q '^| d1_retained | goal | ' "$RL_TMP/code.out" || fail "report: no metric rows"
grep -q '^\*\*Verdict: ' "$RL_TMP/code.out" || fail "report: no verdict"
grep -qi 'nan' "$RL_TMP/code.out" && fail "report: 'nan' in the Markdown: $(grep -i -m1 nan "$RL_TMP/code.out")"
code 0 "report --json" "${rep[@]}" --json
python3 - "$RL_TMP/code.out" "$(wc -l <"$RL_TMP/dump-after/abc.tbl_report_user_itest_itest")" <<'PY' || fail "report --json"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["tag"] == "itest" and doc["activity"] == {}, doc.keys()
rows = doc["rows"]
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
r = rows[0]
for k in ("tag", "experiment_id", "tracking_key", "metric", "variation_key", "users", "mean", "decision",
          "analysis_date", "computed_at", "srm_p_value"):
    assert k in r, k
assert all(isinstance(x["users"], int) and isinstance(x["variation_key"], str) for x in rows)
PY
code 0 "report --html" "${rep[@]}" --html "$RL_TMP/r.html"
[ -s "$RL_TMP/code.out" ] && fail "report --html wrote to stdout"
python3 - "$RL_TMP/r.html" <<'PY' || fail "report --html: page"
import sys
from html.parser import HTMLParser
s = open(sys.argv[1], encoding="utf-8").read()
assert s.startswith("<!DOCTYPE html>") and s.rstrip().endswith("</html>")
assert s.count('<section class="experiment"') == 2, s.count('<section class="experiment"')
assert s.count("<svg") >= 4 and s.count("<svg") == s.count('<svg class="chart '), (s.count("<svg"),)
assert s.count('class="verdict ') == 2 and s.count('data-health="') == 2
assert "it-onboarding" in s and "d1_retained" in s
class P(HTMLParser):
    pass
P().feed(s)
PY
code 2 "report: no tag" "$ABC" report --config "$RL_CFG"
code 2 "report: --json and --html" "${rep[@]}" --json --html "$RL_TMP/x.html"
code 2 "report: spec of another tag" "$ABC" report itest2 --config "$RL_CFG" --spec "$RL_SPEC"
code 1 "report: no results yet" "$ABC" report itest2 --config "$RL_CFG" --spec tests/integration/run/itest2.ab
[ "$RL_FAILS" = "$f0" ] && ok "abc report: Markdown, --json, --html; errors"

# ---- exit codes -------------------------------------------------------------------------------------
f0=$RL_FAILS
run=("$ABC" run --config "$RL_CFG" --memo-dir "$RL_TMP/memo2" --quiet)
code 2 "no spec" "${run[@]}"
code 2 "--date with --full" "${run[@]}" --date 2026-10-01 --full "$RL_SPEC"
code 2 "--from without --to" "${run[@]}" --from 2026-10-01 "$RL_SPEC"
code 2 "--from after --to" "${run[@]}" --from 2026-10-05 --to 2026-10-01 "$RL_SPEC"
code 2 "--date not a date" "${run[@]}" --date 2026-13-45 "$RL_SPEC"
code 2 "--format xml" "${run[@]}" --format xml "$RL_SPEC"
code 2 "--fail-on nonsense" "${run[@]}" --fail-on nonsense "$RL_SPEC"
code 2 "unknown option" "${run[@]}" --bogus "$RL_SPEC"
code 2 "--all with a spec" "${run[@]}" --all "$RL_SPEC"
code 2 "ABC_TODAY not a date" env ABC_TODAY=tomorrow "${run[@]}" "$RL_SPEC"
code 2 "plan: two specs" "$ABC" plan --config "$RL_CFG" "$RL_SPEC" tests/integration/run/itest2.ab
code 2 "plan: --all" "$ABC" plan --config "$RL_CFG" --all
code 2 "plan: --format xml" "$ABC" plan --config "$RL_CFG" --format xml "$RL_SPEC"
code 0 "plan --format json" "$ABC" plan --config "$RL_CFG" --format json "$RL_SPEC"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["tags"][0]["dry_run"] is True' \
    "$RL_TMP/code.out" || fail "plan --format json: stdout is not the JSON summary"
printf 'warehous:\n  dsn: "%s"\n' "$RL_DSN" >"$RL_TMP/bad.yaml"
code 2 "abc.yaml with an unknown key" "$ABC" run --config "$RL_TMP/bad.yaml" "$RL_SPEC"
grep -q "bad.yaml:1:1: error: unknown key 'warehous'" "$RL_TMP/code.err" || fail "bad abc.yaml: $(cat "$RL_TMP/code.err")"
printf 'warehouse:\n  dsn: "mysql://root:pw@127.0.0.1/abc"\n' >"$RL_TMP/pw.yaml"
code 2 "password in the DSN" "$ABC" run --config "$RL_TMP/pw.yaml" "$RL_SPEC"
grep -q "ABC_PASSWORD" "$RL_TMP/code.err" || fail "password in the DSN: message should name ABC_PASSWORD"
code 1 "missing spec" "${run[@]}" "$RL_TMP/nosuch.ab"
printf 'tag broken {\n  metric x = count(events) within 7d;\n}\n' >"$RL_TMP/broken.ab"
code 1 "spec with errors" "${run[@]}" "$RL_TMP/broken.ab"
grep -q "broken.ab:[0-9]*:[0-9]*: error:" "$RL_TMP/code.err" || fail "spec errors should be file:line:col diagnostics"
code 3 "missing --config" "$ABC" run --config "$RL_TMP/nosuch.yaml" "$RL_SPEC"
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
rl_config "$RL_TMP/down.yaml" "mysql://root@127.0.0.1:$port/abc" "  file: $RL_SNAP"
code 3 "unreachable warehouse (TCP)" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_TMP/down.yaml" --quiet "$RL_SPEC"
grep -qi "127.0.0.1\|connect" "$RL_TMP/code.err" || fail "unreachable: the message should say where: $(cat "$RL_TMP/code.err")"
code 3 "unreachable warehouse (plan)" env ABC_TODAY=2026-10-11 "$ABC" plan --config "$RL_TMP/down.yaml" "$RL_SPEC"
rl_config "$RL_TMP/nosock.yaml" "mysql://root@localhost/abc?socket=$RL_TMP/no.sock" "  file: $RL_SNAP"
code 3 "unreachable warehouse (socket)" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_TMP/nosock.yaml" --quiet "$RL_SPEC"
rl_config "$RL_TMP/nosnap.yaml" "$RL_DSN" "  file: $RL_TMP/nosuch.json"
code 3 "missing GrowthBook snapshot" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_TMP/nosnap.yaml" --quiet "$RL_SPEC"
# several specs: the most severe code wins (spec error 1 over ok 0), every spec attempted
code 1 "a good and a missing spec" env ABC_TODAY=2026-10-11 "${run[@]}" --format json "$RL_TMP/nosuch.ab" "$RL_SPEC"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [t["exit_code"] for t in d["tags"]] == [1, 0] and d["exit_code"] == 1, d' \
    "$RL_TMP/code.out" || fail "several specs: --format json exit codes"
[ "$RL_FAILS" = "$f0" ] && ok "exit codes: usage 2, spec 1, environment 3, most severe of several"

# a tag that loses all its experiments in GrowthBook: its experiment_data
# rows are deleted (config_clear), the run warns and still succeeds
f0=$RL_FAILS
n=$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_data WHERE tag = '$RL_TAG'")
[ "$n" -gt 0 ] || fail "no experiment_data rows before the empty snapshot"
echo '{"experiments": []}' >"$RL_TMP/empty.json"
rl_config "$RL_TMP/empty.yaml" "$RL_DSN" "  file: $RL_TMP/empty.json"
code 0 "dry run, no experiments" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_TMP/empty.yaml" --dry-run "$RL_SPEC"
grep -q '^  config_clear .*delete the tag' "$RL_TMP/code.out" || fail "dry run without experiments should name config_clear"
grep -q '^  config  .*not used: no experiments' "$RL_TMP/code.out" || fail "dry run without experiments should skip config"
code 0 "run, no experiments" env ABC_TODAY=2026-10-11 "$ABC" run --config "$RL_TMP/empty.yaml" --quiet "$RL_SPEC"
grep -q "no experiments found" "$RL_TMP/code.err" || fail "no warning without experiments: $(cat "$RL_TMP/code.err")"
n=$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_data WHERE tag = '$RL_TAG'")
[ "$n" = 0 ] || fail "experiment_data still holds $n rows of a tag without experiments"
[ "$RL_FAILS" = "$f0" ] && ok "a tag without experiments: experiment_data cleared, warning, exit 0"

rl_done
