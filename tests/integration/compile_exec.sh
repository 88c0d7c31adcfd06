#!/usr/bin/env bash
# compile_exec.sh — the MariaDB output of every spec in specs/ executed on a
# real MariaDB over a synthetic dataset, its sufficient statistics compared
# with an independent computation (compile_exec/ref.py, plain Python over the
# raw rows):
#   1. a private mariadbd (tests/integration/mariadbd.sh), day-by-day run;
#   2. the same server, backfill of the whole range (must give the same numbers);
#   3. the embedded server (libmariadbd in-process) for one spec;
#   4. EXPLAIN of the daily DML: it reads only that day's source partitions
#      (and the CUPED pre-period days before it).
# env ABC = the abc binary (its directory holds libabc.a).
set -euo pipefail
cd "$(dirname "$0")/../.."
ABC=${ABC:-build/abc}
BUILD=$(dirname "$ABC")
here=tests/integration/compile_exec
tmp=$(mktemp -d)
. tests/integration/mariadbd.sh
cleanup() { mariadbd_stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

cc -Iinclude -I"$BUILD/gen" -D_GNU_SOURCE -DABC_VERSION=\"x\" -I/usr/include/mariadb -std=c11 -O1 -g \
   -o "$tmp/exec" $here/exec.c "$BUILD/libabc.a" \
   $(pkg-config --libs yaml-0.1 libcurl libcjson gsl) -lmariadbd -lz -ldl -lm -lpthread -lssl -lcrypto
python3 $here/ref.py gen "$tmp/data.sql"
mariadbd_start "$tmp/db" >/dev/null
FIRST=2024-01-01 LAST=2024-01-14 LATE=2024-01-09 PHASE='2024-01-03 00:00:00'
fail=0
run() { # mode spec
    local mode=$1 spec=$2 tag; tag=$(basename "$spec" .ab)
    local out="$tmp/out-$mode-$tag"; mkdir -p "$out"
    mariadbd_sql -e "DROP DATABASE IF EXISTS abc; DROP DATABASE IF EXISTS flow_report_app;"
    local extra=(); [ "$mode" = range ] && extra=(--range)
    "$tmp/exec" --socket "$MARIADBD_SOCKET" --spec "$spec" --first $FIRST --last $LAST \
        --phase-start "$PHASE" --experiment exp_main=0,1 --out "$out" "${extra[@]}"
    python3 $here/ref.py check "$tmp/gen/$tag/mariadb/plan.json" "$out" $FIRST $LAST "$PHASE" exp_main=0,1 \
        || { echo "FAIL: $mode $tag"; fail=1; }
    [ "$mode" = daily ] || return 0
    # analysis dates from a later day only (an incremental run): each unit's
    # earlier wide rows enter as its history; the rows must equal the full
    # range's rows of those dates
    local late="$tmp/out-late-$tag"; mkdir -p "$late"
    "$tmp/exec" --socket "$MARIADBD_SOCKET" --spec "$spec" --first $FIRST --last $LAST \
        --phase-start "$PHASE" --experiment exp_main=0,1 --out "$late" --stats-from $LATE
    local n
    n=$(python3 - "$out" "$late" $LATE <<'PY'
import glob, os, sys
full, late, day = sys.argv[1:4]
def rows(path, keep):
    out = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if keep(f):
            out.append(f)
    return sorted(out)
def same(a, b):  # floating sums may differ in their last digits (order of addition)
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
n = 0
for f in sorted(glob.glob(os.path.join(full, "stats_*.tsv"))):
    want = rows(f, lambda r: r[0] >= day)
    got = rows(os.path.join(late, os.path.basename(f)), lambda r: True)
    ok = len(want) == len(got) and all(len(w) == len(g) and all(map(same, w, g)) for w, g in zip(want, got))
    if not ok:
        print("differs: %s (%d rows expected, %d)" % (os.path.basename(f), len(want), len(got)), file=sys.stderr)
        sys.exit(1)
    n += len(got)
print(n)
PY
) || { echo "FAIL: $tag: analysis dates from $LATE differ from the full range"; fail=1; }
    [ "${n:-0}" -gt 0 ] || { echo "FAIL: $tag: no rows from $LATE"; fail=1; }
    echo "$tag: $n statistics rows from $LATE equal to the full range's"
}
mariadbd_sql < <(sed 's/;$/;/' "$tmp/data.sql")
for spec in specs/*.ab; do
    "$ABC" compile --dialect mariadb -o "$tmp/gen" "$spec"
    [ -n "${ONLY_EXPLAIN:-}" ] && continue
    run daily "$spec"
    run range "$spec"
done

# embedded: the same program in-process (libmariadbd)
if [ -z "${ONLY_EXPLAIN:-}" ]; then
mkdir -p "$tmp/emb-out"
"$tmp/exec" --embedded "$tmp/emb" --spec specs/retention.ab --first $FIRST --last $LAST \
    --phase-start "$PHASE" --experiment exp_main=0,1 --load "$tmp/data.sql" --out "$tmp/emb-out" \
    2> "$tmp/emb.log" || { cat "$tmp/emb.log"; echo "FAIL: embedded run"; fail=1; }
python3 $here/ref.py check "$tmp/gen/retention/mariadb/plan.json" "$tmp/emb-out" $FIRST $LAST "$PHASE" \
    exp_main=0,1 | sed 's/^/embedded /' || { echo "FAIL: embedded"; fail=1; }
fi

# EXPLAIN: the daily DML of 2024-01-10 touches only p20240110 (+ 14 pre days for CUPED)
for spec in specs/*.ab; do
    tag=$(basename "$spec" .ab)
    "$tmp/exec" --socket "$MARIADBD_SOCKET" --spec "$spec" --explain 2024-01-10 > "$tmp/explain-$tag.json"
    python3 $here/explain_check.py "$tmp/explain-$tag.json" 2024-01-10 || { echo "FAIL: explain $tag"; fail=1; }
done
[ $fail = 0 ] && echo "compile_exec: ok"
exit $fail
