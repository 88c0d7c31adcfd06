#!/usr/bin/env bash
# run_warehouses.sh — the embedded warehouse (libmariadbd in the abc process)
# and a real mariadbd (private socket) give the same results for the same
# data: `abc synth` with one seed into both, `abc run --full` of
# tests/integration/run/itest.ab and specs/retention.ab on both, then
#   * `abc report TAG --json` agrees (computed_at aside);
#   * every row of the report, daily and dashboard tables, the assignment
#     and the wide table agree (the embedded datadir is opened afterwards by
#     a mariadbd to read them).
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_warehouses
EMB=$RL_TMP/emb.yaml
rl_config "$EMB" "" "  file: $RL_SNAP"
SPECS=("$RL_SPEC" specs/retention.ab)
RET_TABLES="abc.tbl_report_user_retention_retention abc.tbl_report_daily_retention_retention
flow_report_app.tbl_report_ab_testing_result abc.experiment_assignment abc.tbl_wide_user_retention_retention"

reports() { # NAME CONFIG: abc report --json of both tags, computed_at removed
    local tag
    for tag in itest retention; do
        "$ABC" report "$tag" --json --config "$2" --spec "$([ $tag = itest ] && echo "$RL_SPEC" || echo specs/retention.ab)" \
            >"$RL_TMP/$1-$tag.json" 2>>"$RL_TMP/all.err" || fail "$1: abc report $tag --json"
        python3 - "$RL_TMP/$1-$tag.json" <<'PY' || fail "$1: report $tag does not parse or is empty"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert rows
for r in rows:
    r.pop("computed_at")
json.dump(rows, open(sys.argv[1], "w"), sort_keys=True, indent=0)
PY
    done
}
dumps() { # NAME
    rl_dump "$1"
    RL_TAG=retention rl_dump "$1-ret" "$RET_TABLES"
}

# ---- embedded ------------------------------------------------------------------------------------
"$ABC" synth --datadir "$RL_TMP/emb/data" "${RL_SYNTH[@]}" || fail "embedded synth"
RL_RUNCFG=$EMB rl_run ABC_TODAY=2026-10-11 -- --quiet --full "${SPECS[@]}"
case "$RL_RC" in 0|4) ;; *) fail "embedded run: exit $RL_RC: $(tail -n 2 "$RL_ERR")" ;; esac
grep -q "dialect mariadb" "$RL_TMP/memo/itest.md" || fail "embedded: memo lacks the dialect"
reports emb "$EMB"

# ---- remote ----------------------------------------------------------------------------------------
rl_server
rl_synth
rl_run ABC_TODAY=2026-10-11 -- --quiet --full "${SPECS[@]}"
case "$RL_RC" in 0|4) ;; *) fail "remote run: exit $RL_RC: $(tail -n 2 "$RL_ERR")" ;; esac
reports remote "$RL_CFG"
dumps remote
mariadbd_stop

for tag in itest retention; do
    if cmp -s "$RL_TMP/emb-$tag.json" "$RL_TMP/remote-$tag.json"; then
        ok "abc report $tag --json: embedded = remote ($(grep -c '"tag"' "$RL_TMP/emb-$tag.json") rows)"
    else
        fail "abc report $tag --json differs between the embedded and the remote warehouse"
        diff "$RL_TMP/emb-$tag.json" "$RL_TMP/remote-$tag.json" | head -n 6 >&2
    fi
done

# ---- the embedded datadir, read by a server ---------------------------------------------------------
mariadbd_start "$RL_TMP/emb" || { fail "mariadbd on the embedded datadir"; rl_done; }
dumps emb
rl_same emb remote "itest tables: embedded = remote" "$RL_TABLES"
rl_same emb-ret remote-ret "retention tables: embedded = remote" "$RET_TABLES"

rl_done
