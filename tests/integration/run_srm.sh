#!/usr/bin/env bash
# run_srm.sh — sample-ratio mismatch end to end on a private mariadbd: data
# from `abc synth --srm it-onboarding=0.2` (50/50 becomes 70/30) gives
#   * decision `invalid` on that experiment's rows of the report (and not on
#     the healthy experiment's), srm_failures 1 in --format json, the memo
#     says so;
#   * exit 0 without --fail-on (tests/integration/run/itest.ab has no
#     fail_on), exit 4 with --fail-on srm;
#   * specs/retention.ab (fail_on srm, guardrail in the spec) exits 4 on its
#     own, and its report carries the same verdict.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_srm
rl_server
rl_synth --srm it-onboarding=0.2

rl_run ABC_TODAY=2026-10-11 -- --quiet --format json "$RL_SPEC"
[ "$RL_RC" = 0 ] || fail "SRM without --fail-on: exit $RL_RC, expected 0 ($(tail -n 1 "$RL_ERR"))"
python3 - "$RL_OUT" <<'PY' || fail "--format json: SRM verdict"
import json, sys
t = json.load(open(sys.argv[1]))["tags"][0]
assert t["srm_failures"] == 1 and t["health_failed"] is False, t
srm = {e["tracking_key"]: e["srm"] for e in t["results"]["experiments"]}
assert srm == {"it-onboarding": True, "it-reminder": False}, srm
PY
"$ABC" report itest --json --config "$RL_CFG" --spec "$RL_SPEC" >"$RL_TMP/report.json" || fail "abc report --json"
check_report() { # FILE TRACKING_KEY
    python3 - "$1" "$2" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
bad = [r for r in rows if r["tracking_key"] == sys.argv[2] and not r["is_control"]]
ok = [r for r in rows if r["tracking_key"] != sys.argv[2] and not r["is_control"] and not r["segment"]]
assert bad and all(r["decision"] == "invalid" for r in bad), sorted({r["decision"] for r in bad})
assert all(r["srm_p_value"] < 0.001 for r in bad if not r["segment"])
assert ok and not any(r["decision"] == "invalid" for r in ok), sorted({r["decision"] for r in ok})
PY
}
check_report "$RL_TMP/report.json" it-onboarding || fail "report: SRM decisions"
grep -q "1 SRM failure" "$RL_TMP/memo/itest.md" || fail "memo: no SRM failure line"
[ "$RL_FAILS" = 0 ] && ok "SRM: decision invalid on the shifted experiment only, exit 0 without --fail-on"

f0=$RL_FAILS
rl_run ABC_TODAY=2026-10-11 -- --quiet --fail-on srm "$RL_SPEC"
[ "$RL_RC" = 4 ] || fail "--fail-on srm: exit $RL_RC, expected 4"
grep -q "health check failed" "$RL_ERR" || fail "--fail-on srm: no message on stderr"
rl_run ABC_TODAY=2026-10-11 -- --quiet --fail-on guardrail,data_quality "$RL_SPEC"
[ "$RL_RC" = 0 ] || fail "--fail-on guardrail,data_quality: exit $RL_RC, expected 0"
[ "$RL_FAILS" = "$f0" ] && ok "SRM: exit 4 under --fail-on srm, 0 under other checks"

# specs/retention.ab: fail_on srm, guardrail in the spec itself
f0=$RL_FAILS
rl_run ABC_TODAY=2026-10-11 -- --quiet specs/retention.ab
[ "$RL_RC" = 4 ] || fail "specs/retention.ab with SRM: exit $RL_RC, expected 4 ($(tail -n 2 "$RL_ERR"))"
"$ABC" report retention --json --config "$RL_CFG" --spec specs/retention.ab >"$RL_TMP/ret.json" ||
    fail "abc report retention --json"
python3 - "$RL_TMP/ret.json" <<'PY' || fail "specs/retention.ab: report"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
keys = {r["tracking_key"] for r in rows}
assert keys == {"it-onboarding"}, keys   # the only experiment tagged retention
bad = [r for r in rows if not r["is_control"]]
assert bad and all(r["decision"] == "invalid" for r in bad), sorted({r["decision"] for r in bad})
PY
[ "$RL_FAILS" = "$f0" ] && ok "specs/retention.ab: spec fail_on srm gives exit 4, report invalid"

# several specs: a line per tag at the end, naming the failed check
f0=$RL_FAILS
rl_run ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC" specs/retention.ab
[ "$RL_RC" = 4 ] || fail "two specs with SRM: exit $RL_RC, expected 4"
grep -q '^abc run: 2 tags: 0 passed, 1 warned, 1 failed, 0 errors (exit 4)$' "$RL_ERR" || fail "summary head: $(tail -n 3 "$RL_ERR")"
grep -qE '^  WARN +itest +SRM in it-onboarding \(SRM 1,' "$RL_ERR" ||
    fail "summary: itest (SRM, not asked to fail) should be WARN: $(tail -n 3 "$RL_ERR")"
grep -qE '^  FAIL +retention +SRM in it-onboarding \(SRM 1,' "$RL_ERR" ||
    fail "summary: retention (fail_on srm) should be FAIL: $(tail -n 3 "$RL_ERR")"
[ "$RL_FAILS" = "$f0" ] && ok "per-tag summary: WARN and FAIL naming the experiment"

rl_done
