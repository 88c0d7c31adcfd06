#!/usr/bin/env bash
# run_safety.sh — a run never loses or hides data, on a private mariadbd:
#   * a date after today (--date, --to) is refused with exit 2 before the
#     warehouse or GrowthBook is contacted, as is a malformed date; a run of
#     today's date records yesterday as the last date, so the next run
#     redoes today;
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_safety
rl_server
rl_synth
state() { rl_sql -e "SELECT last_date FROM abc.run_state WHERE tag = '$RL_TAG'"; }

# ---- dates after today ------------------------------------------------------------------------------
f0=$RL_FAILS
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
rl_config "$RL_TMP/down.yaml" "mysql://root@127.0.0.1:$port/abc" "  api_host: http://127.0.0.1:$port"
for args in "--date 2026-13-45" "--date 2026-11-11" "--from 2026-10-01 --to 2026-11-11" "--from 2026-11-11 --to 2026-11-12"; do
    # shellcheck disable=SC2086
    RL_RUNCFG=$RL_TMP/down.yaml rl_run ABC_TODAY=2026-10-11 -- --quiet $args "$RL_SPEC"
    [ "$RL_RC" = 2 ] || fail "$args on an unreachable warehouse: exit $RL_RC, expected 2 ($(head -c 200 "$RL_ERR"))"
done
grep -q "after today (2026-10-11)" "$RL_ERR" || fail "a future date: the message should say so: $(cat "$RL_ERR")"
rl_run ABC_TODAY=2026-10-11 -- --quiet --date 2026-11-11 "$RL_SPEC"
[ "$RL_RC" = 2 ] || fail "--date a month ahead: exit $RL_RC, expected 2"
rl_sql -e "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'abc'" | grep -q . &&
    fail "--date a month ahead created tables"
rl_run_ok "--date today" ABC_TODAY=2026-10-10 -- --quiet --date 2026-10-10 "$RL_SPEC"
[ "$(state)" = 2026-10-09 ] || fail "--date today: run state $(state), expected 2026-10-09 (yesterday)"
rl_run_ok "next nightly run" ABC_TODAY=2026-10-11 -- --quiet "$RL_SPEC"
grep -q "no dates due" "$RL_ERR" && fail "the nightly run after --date today found no dates due"
[ "$(state)" = 2026-10-10 ] || fail "nightly run: run state $(state), expected 2026-10-10"
[ "$RL_FAILS" = "$f0" ] && ok "dates after today refused (exit 2, nothing contacted); today's date redone next run"

rl_done
