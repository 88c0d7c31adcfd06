#!/usr/bin/env bash
# run_json.sh — paths into a JSON column in a real run.  abc synth writes a
# `properties` JSON object on every app_events row, made of the row's own
# columns (page = screen, absent without one; value = ad_revenue; seconds =
# session_seconds; opened = a boolean; "app.version" a key with a dot;
# "страна" a non-ASCII key).
#   * Python reads the rows back and checks each object against its columns
#     (the independent computation), including the missing keys;
#   * `abc run` of tests/integration/run/ijson.ab on a private mariadbd: each
#     metric over a path equals, user by user in the wide table, its twin
#     over the plain column (a missing page counts as NULL);
#   * the exposure segment read from properties.device equals the platform.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_json
rl_server
rl_synth

# ---- the data: properties against the columns, in Python ------------------------------------
rl_sql -e "SELECT user_id, event_name, screen, ad_revenue, session_seconds, platform, country,
  properties FROM ods.app_events" \
    >"$RL_TMP/events.tsv" || fail "read ods.app_events"
/usr/bin/python3 - "$RL_TMP/events.tsv" >"$RL_TMP/py.out" 2>&1 <<'PY'
import json, sys
n = bad = missing_page = 0
for line in open(sys.argv[1], encoding="utf-8"):
    user, name, screen, rev, secs, plat, country, props = line.rstrip("\n").split("\t")
    p = json.loads(props)
    n += 1
    want = {"device": plat, "opened": name == "app_open", "страна": country,
            "app.version": "2.%d" % ["ios", "android", "web"].index(plat)}
    if screen != "NULL":
        want["page"] = screen
    else:
        missing_page += 1
    if rev != "NULL":
        want["value"] = float(rev)
    if secs != "NULL":
        want["seconds"] = float(secs)
    got = {k: (float(v) if k in ("value", "seconds") else v) for k, v in p.items()}
    if got != want:
        bad += 1
        if bad <= 3:
            print("row", user, name, "properties", p, "columns", want, file=sys.stderr)
if n == 0 or missing_page == 0 or missing_page == n:
    print("too few rows (%d, %d without a page)" % (n, missing_page), file=sys.stderr)
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
if [ $? = 0 ]; then ok "properties of every event match its columns"
else fail "properties do not match their columns: $(head -c 600 "$RL_TMP/py.out")"; fi

# ---- the run ----------------------------------------------------------------------------------
rl_run -- --date 2026-10-08 tests/integration/run/ijson.ab
[ "$RL_RC" = 0 ] || fail "abc run ijson: rc $RL_RC: $(tail -5 "$RL_ERR")"
W=abc.tbl_wide_user_ijson_ijson
rows=$(rl_sql -e "SELECT COUNT(*) FROM $W") || fail "no wide table"
[ "${rows:-0}" -gt 100 ] || fail "wide table has ${rows:-0} rows"
for m in home nopage value long opened version country; do
    cols=$(rl_sql -e "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY COLUMN_NAME) FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = 'abc' AND TABLE_NAME = 'tbl_wide_user_ijson_ijson'
          AND (COLUMN_NAME LIKE 'j\\_$m\\_\\_%' OR COLUMN_NAME LIKE 'c\\_$m\\_\\_%')")
    [ -n "$cols" ] || { fail "$m: no wide columns"; continue; }
    for jc in $(echo "$cols" | tr ',' '\n' | grep '^j_'); do
        cc=c${jc#j}
        diff=$(rl_sql -e "SELECT COUNT(*) FROM $W WHERE NOT (\`$jc\` <=> \`$cc\`)")
        nz=$(rl_sql -e "SELECT COUNT(*) FROM $W WHERE COALESCE(\`$jc\`, 0) <> 0")
        [ "$diff" = 0 ] || fail "$jc and $cc differ on $diff users"
        [ "$nz" -gt 0 ] || fail "$jc is zero for every user (the test would not see a difference)"
    done
done
[ "$RL_FAILS" = 0 ] && ok "metrics over paths equal their twins over columns"
seg=$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE tag = 'ijson'
    AND NOT (\`device\` <=> \`plat\`)")
nseg=$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE tag = 'ijson'")
[ "$seg" = 0 ] && [ "${nseg:-0}" -gt 0 ] || fail "segment properties.device differs from platform on $seg of $nseg users"
ok "segment from properties.device"
rl_done
