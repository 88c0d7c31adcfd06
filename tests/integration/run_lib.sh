# run_lib.sh — helpers shared by the `abc run` integration tests
# (tests/integration/run_*.sh); sourced, never run on its own (when `make
# integration` executes it, it says so and exits 0).
#
#   . tests/integration/run_lib.sh
#   rl_init NAME                 temp dir $RL_TMP, cleanup trap, fail/ok counters
#   rl_server                    private mariadbd; $RL_CFG = abc.yaml on its socket
#   rl_synth ARGS...             abc synth into that server (small dataset defaults)
#   rl_run ARGS...               abc run with the test's config and memo dir;
#                                sets RL_RC, stdout/stderr in $RL_OUT / $RL_ERR
#   rl_dump NAME                 sorted rows of the tag's tables, volatile columns
#                                (computed_at, fetched_at, ...) left out, into
#                                $RL_TMP/dump-NAME/<table>
#   rl_same NAME1 NAME2 WHAT     compare two dumps (fails with a diff excerpt)
#   rl_gb_start                  fixture GrowthBook server; $RL_GB_URL, $RL_KEY
#   rl_done                      summary line and exit status
#
# Everything lives under a mktemp directory, servers listen on 127.0.0.1 and
# private unix sockets only, and the trap stops what was started.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "run_lib.sh: helpers for tests/integration/run_*.sh (nothing to run on its own)"
    exit 0
fi

RL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$RL_ROOT" || exit 1
ABC=${ABC:-build/abc}
case "$ABC" in /*) ;; *) ABC="$RL_ROOT/$ABC" ;; esac
. "$RL_ROOT/tests/integration/mariadbd.sh"

RL_SPEC=tests/integration/run/itest.ab
RL_SNAP=tests/integration/run/snapshot.json
RL_TAG=itest
# the tag's tables (database.table) and the rows of the tag in each
RL_TABLES="abc.tbl_report_user_itest_itest abc.tbl_report_daily_itest_itest
flow_report_app.tbl_report_ab_testing_result abc.experiment_assignment
abc.tbl_wide_user_itest_itest abc.experiment_data abc.run_state"
RL_REPORT_TABLES="abc.tbl_report_user_itest_itest abc.tbl_report_daily_itest_itest
flow_report_app.tbl_report_ab_testing_result"
# columns that differ between runs by design
RL_VOLATILE="'computed_at','fetched_at','updated_at','applied_at'"

rl_init() { # NAME
    RL_NAME=$1
    RL_TMP=$(mktemp -d "/tmp/abc-$1.XXXXXX") || exit 1
    RL_FAILS=0
    RL_T0=$(date +%s.%N)
    RL_GB_PID=
    trap rl_cleanup EXIT
    trap 'exit 130' INT TERM
}

rl_cleanup() {
    mariadbd_stop >/dev/null 2>&1
    if [ -n "${RL_GB_PID:-}" ]; then
        kill "$RL_GB_PID" 2>/dev/null
        wait "$RL_GB_PID" 2>/dev/null
    fi
    [ -n "${RL_TMP:-}" ] && rm -rf "$RL_TMP"
}

fail() { echo "FAIL: $*" >&2; RL_FAILS=$((RL_FAILS + 1)); }
ok() { echo "ok: $*"; }

rl_done() {
    local t1; t1=$(date +%s.%N)
    echo "$RL_NAME: $(awk -v a="$RL_T0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
    if [ "$RL_FAILS" -ne 0 ]; then
        echo "$RL_NAME: $RL_FAILS failure(s)" >&2
        exit 1
    fi
    echo "$RL_NAME: ok"
    exit 0
}

rl_sql() { mariadbd_sql -N -B "$@"; }

# rl_config FILE DSN GBLINES [LOOKBACK]: write an abc.yaml
rl_config() {
    {
        echo "warehouse:"
        if [ -n "$2" ]; then echo "  dsn: \"$2\""; else echo "  embedded_datadir: $RL_TMP/emb/data"; fi
        echo "growthbook:"
        printf '%s\n' "$3"
        echo "lookback_days: ${4:-2}"
    } >"$1"
}

rl_server() { # [DIR]: start the private server and write $RL_CFG for it
    mariadbd_start "${1:-$RL_TMP/db}" || exit 1
    RL_DSN="mysql://root@localhost?socket=$MARIADBD_SOCKET"
    RL_CFG=$RL_TMP/abc.yaml
    rl_config "$RL_CFG" "$RL_DSN" "  file: $RL_SNAP"
}

# small dataset: 2000 users, 2026-09-28 .. 2026-10-10 (phases from 10-01 / 10-03)
RL_SYNTH=(--users 2000 --days 10 --pre-days 3 --start 2026-10-01 --seed 11 --snapshot "$RL_SNAP"
          --effect it-onboarding:active=0.2 --quiet)
rl_synth() { "$ABC" synth --socket "$MARIADBD_SOCKET" --replace "${RL_SYNTH[@]}" "$@" || fail "abc synth $*"; }

# rl_run [ENV=V ...] -- ARGS: abc run with $RL_CFG (override with RL_CFG=...)
RL_OUT= RL_ERR= RL_RC=
rl_run() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    RL_OUT=$RL_TMP/run.out RL_ERR=$RL_TMP/run.err
    env "${envs[@]}" "$ABC" run --config "${RL_RUNCFG:-$RL_CFG}" --memo-dir "$RL_TMP/memo" "$@" \
        >"$RL_OUT" 2>"$RL_ERR"
    RL_RC=$?
    cat "$RL_ERR" >>"$RL_TMP/all.err"
    cat "$RL_OUT" >>"$RL_TMP/all.out"
}
# rl_run_ok DESCRIPTION [ENV=V ...] -- ARGS: rl_run that must exit 0
rl_run_ok() {
    local what=$1; shift
    rl_run "$@"
    if [ "$RL_RC" -ne 0 ]; then
        fail "$what: abc run exit $RL_RC"
        tail -n 5 "$RL_ERR" >&2
        return 1
    fi
    return 0
}

# Sorted rows of one table (the tag's rows where it has a tag column), volatile
# columns left out; doubles as the server prints them (shortest round-trip).
rl_table_rows() { # DB.TABLE
    local db=${1%%.*} t=${1#*.} cols where=""
    cols=$(rl_sql -e "SELECT GROUP_CONCAT(CONCAT('\`', COLUMN_NAME, '\`') ORDER BY ORDINAL_POSITION)
                      FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = '$t'
                      AND COLUMN_NAME NOT IN ($RL_VOLATILE)")
    if [ -z "$cols" ] || [ "$cols" = NULL ]; then echo "(no table $1)"; return 0; fi
    case ",$cols," in *',`tag`,'*) where="WHERE tag = '$RL_TAG'" ;; esac
    rl_sql -e "SELECT $cols FROM \`$db\`.\`$t\` $where" | LC_ALL=C sort
}

rl_dump() { # NAME [TABLES]
    local d=$RL_TMP/dump-$1 t
    rm -rf "$d"; mkdir -p "$d"
    for t in ${2:-$RL_TABLES}; do rl_table_rows "$t" >"$d/$t"; done
}

# rl_same A B WHAT [TABLES]: the dumps A and B agree on TABLES (default the
# report tables); the first table must have rows in A
rl_same() {
    local a=$RL_TMP/dump-$1 b=$RL_TMP/dump-$2 t bad=0 tables=${4:-$RL_REPORT_TABLES} first
    for t in $tables; do
        [ -n "${first:-}" ] || first=$t
        if ! cmp -s "$a/$t" "$b/$t"; then
            fail "$3: $t differs ($1 vs $2; $(wc -l <"$a/$t") vs $(wc -l <"$b/$t") rows;" \
                 "$(LC_ALL=C comm -23 "$a/$t" "$b/$t" | wc -l) rows only in $1," \
                 "$(LC_ALL=C comm -13 "$a/$t" "$b/$t" | wc -l) only in $2)"
            diff "$a/$t" "$b/$t" | head -n 6 | cut -c1-300 >&2
            bad=1
        fi
    done
    if [ ! -s "$a/$first" ]; then
        fail "$3: no rows in $first ($1)"; bad=1
    fi
    [ $bad = 0 ] && ok "$3 ($(wc -l <"$a/$first") rows in $first)"
    return $bad
}

# The fixture GrowthBook server on 127.0.0.1; it exits when this shell's
# pipe closes or on kill.  RL_GB_URL is the base for a scenario:
#   api_host: $RL_GB_URL/<scenario>/<nonce>
RL_KEY="gbkey-Zq7-SECRET-51ab9e"
rl_gb_start() {
    local pf=$RL_TMP/gb.port i
    mkfifo "$RL_TMP/gb.stdin"
    python3 tests/fixtures/gb_server.py --key "$RL_KEY" --port-file "$pf" --idle 600 \
        <"$RL_TMP/gb.stdin" >"$RL_TMP/gb.log" 2>&1 &
    RL_GB_PID=$!
    exec 9>"$RL_TMP/gb.stdin"   # held open until the test exits
    for i in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.05; done
    [ -s "$pf" ] || { fail "fixture GrowthBook server did not start"; cat "$RL_TMP/gb.log" >&2; rl_done; }
    RL_GB_URL="http://127.0.0.1:$(cat "$pf")"
}
rl_gb_stats() { # SCENARIO NONCE -> JSON
    python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
        "$RL_GB_URL/_stats/$1/$2"
}
