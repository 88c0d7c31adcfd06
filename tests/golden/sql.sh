#!/usr/bin/env bash
# sql.sh — golden files of the SQL backend.
#   1. generated/ is the compiled output of specs/*.ab (both dialects):
#      `abc compile --check` must find nothing stale.
#   2. every tests/golden/sql/<case>.ab compiles (--dialect all) to exactly
#      the files under tests/golden/sql/<case>.expected/ (or, for a spec that
#      must be rejected, to exactly <case>.stderr and exit 1).
#   3. migrate/: compiling v1 then v2 of a spec into one directory gives the
#      files under migrate/expected/ (schema lock + numbered migrations).
# Regenerate expectations: UPDATE=1 bash tests/golden/sql.sh
# env ABC = the abc binary.
set -uo pipefail
cd "$(dirname "$0")/../.."
ABC=${ABC:-build/abc}
dir=tests/golden/sql
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$ABC" compile --check specs/*.ab > "$tmp/check.out" 2>&1 || { cat "$tmp/check.out"; echo "FAIL: generated/ is stale"; fail=1; }

compare() { # produced expected name
    if [ -n "${UPDATE:-}" ]; then rm -rf "$2"; cp -r "$1" "$2"; return; fi
    diff -ru "$2" "$1" > "$tmp/diff" || { head -60 "$tmp/diff"; echo "FAIL: $3"; fail=1; }
}

for spec in "$dir"/*.ab; do
    case=$(basename "$spec" .ab)
    out="$tmp/$case"
    if "$ABC" compile --dialect all -o "$out" "$spec" 2> "$tmp/$case.stderr"; then
        compare "$out" "$dir/$case.expected" "$case"
    else
        if [ -n "${UPDATE:-}" ]; then cp "$tmp/$case.stderr" "$dir/$case.stderr"; continue; fi
        [ -f "$dir/$case.stderr" ] && diff -u "$dir/$case.stderr" "$tmp/$case.stderr" \
            || { cat "$tmp/$case.stderr"; echo "FAIL: $case"; fail=1; }
    fi
done

# schema versions: v1 then v2 into one directory
"$ABC" compile --dialect all -o "$tmp/mig" "$dir/migrate/v1/mig.ab" || fail=1
"$ABC" compile --check --dialect all -o "$tmp/mig" "$dir/migrate/v2/mig.ab" > /dev/null 2>&1 \
    && { echo "FAIL: --check did not notice the spec change"; fail=1; }
"$ABC" compile --dialect all -o "$tmp/mig" "$dir/migrate/v2/mig.ab" || fail=1
"$ABC" compile --check --dialect all -o "$tmp/mig" "$dir/migrate/v2/mig.ab" || { echo "FAIL: stale after compile"; fail=1; }
compare "$tmp/mig" "$dir/migrate/expected" migrate

# determinism: compiling twice gives byte-identical files
"$ABC" compile --dialect all -o "$tmp/d1" specs/*.ab && "$ABC" compile --dialect all -o "$tmp/d2" specs/*.ab
diff -r "$tmp/d1" "$tmp/d2" > /dev/null || { echo "FAIL: output is not deterministic"; fail=1; }

# nothing half-written: an unwritable output directory changes nothing
mkdir -p "$tmp/ro/retention/starrocks" && cp -r generated/retention/* "$tmp/ro/retention/"
sed -i 's/^-- step/-- STALE step/' "$tmp/ro/retention/starrocks/01_ddl.sql"
before=$(cd "$tmp/ro" && find . -type f -exec md5sum {} + | sort)
chmod a-w "$tmp/ro/retention/starrocks"
if [ "$(id -u)" != 0 ]; then
    "$ABC" compile --dialect all -o "$tmp/ro" specs/retention.ab 2> "$tmp/ro.err" && { echo "FAIL: wrote into a read-only dir"; fail=1; }
    grep -q "nothing was changed" "$tmp/ro.err" || { cat "$tmp/ro.err"; echo "FAIL: no clear error"; fail=1; }
    after=$(cd "$tmp/ro" && find . -type f -exec md5sum {} + | sort)
    [ "$before" = "$after" ] || { echo "FAIL: a failed compile changed files"; fail=1; }
fi
chmod u+w "$tmp/ro/retention/starrocks"

# nothing half-written, also as root: a full disk (file size limit, EFBIG)
# while writing the second dialect, and a target that is a directory
mkdir -p "$tmp/full" && "$ABC" compile --dialect all -o "$tmp/full" specs/*.ab
sed -i 's/^-- step/-- STALE step/' "$tmp/full"/*/*/*.sql
before=$(cd "$tmp/full" && find . -type f -exec md5sum {} + | sort)
( trap '' XFSZ; ulimit -f 12; exec "$ABC" compile --dialect all -o "$tmp/full" specs/*.ab ) \
    2> "$tmp/full.err" && { echo "FAIL: compile past the file size limit succeeded"; fail=1; }
grep -q "File too large" "$tmp/full.err" && grep -q "nothing was changed" "$tmp/full.err" \
    || { cat "$tmp/full.err"; echo "FAIL: no clear error on a full disk"; fail=1; }
after=$(cd "$tmp/full" && find . -type f -exec md5sum {} + | sort)
[ "$before" = "$after" ] || { echo "FAIL: a compile that hit a full disk changed files"; fail=1; }
wd=$(cd "$tmp/full/subscribe/mariadb" && ls | grep '_wide_day\.sql$')
rm -f "$tmp/full/subscribe/mariadb/$wd" && mkdir "$tmp/full/subscribe/mariadb/$wd"
before=$(cd "$tmp/full" && find . -exec md5sum {} + 2>/dev/null | sort)
"$ABC" compile --dialect all -o "$tmp/full" specs/*.ab 2> "$tmp/dir.err" \
    && { echo "FAIL: replaced a directory"; fail=1; }
grep -q "$wd': it is not a regular file" "$tmp/dir.err" \
    || { cat "$tmp/dir.err"; echo "FAIL: no clear error for a directory in the way"; fail=1; }
after=$(cd "$tmp/full" && find . -exec md5sum {} + 2>/dev/null | sort)
[ "$before" = "$after" ] || { echo "FAIL: a compile that met a directory changed files"; fail=1; }
[ -z "$(find "$tmp/full" -name '*.tmp.*')" ] || { echo "FAIL: temporary files left behind"; fail=1; }

# symbolic links under the output directory are never followed: a
# <tag>/<dialect> (or <tag>) that links elsewhere is refused, naming it, and
# nothing there is deleted or written
mkdir -p "$tmp/sym/out/retention" "$tmp/sym/elsewhere" && echo keep > "$tmp/sym/elsewhere/precious.txt"
ln -s "$tmp/sym/elsewhere" "$tmp/sym/out/retention/mariadb"
"$ABC" compile --dialect all -o "$tmp/sym/out" specs/retention.ab 2> "$tmp/sym.err"; rc=$?
[ $rc = 1 ] || { cat "$tmp/sym.err"; echo "FAIL: a symlinked dialect directory: exit $rc, expected 1"; fail=1; }
grep -qF "'$tmp/sym/out/retention/mariadb' is a symbolic link" "$tmp/sym.err" \
    || { cat "$tmp/sym.err"; echo "FAIL: no clear error for a symlinked dialect directory"; fail=1; }
[ "$(ls "$tmp/sym/elsewhere")" = precious.txt ] || { ls "$tmp/sym/elsewhere"; echo "FAIL: wrote or deleted through a symlink"; fail=1; }
"$ABC" compile --check --dialect all -o "$tmp/sym/out" specs/retention.ab > /dev/null 2>&1; rc=$?
[ $rc = 1 ] || { echo "FAIL: --check through a symlink: exit $rc"; fail=1; }
rm -rf "$tmp/sym/out" && mkdir -p "$tmp/sym/out"
ln -s "$tmp/sym/elsewhere" "$tmp/sym/out/retention"
"$ABC" compile --dialect all -o "$tmp/sym/out" specs/retention.ab 2> "$tmp/sym.err"; rc=$?
[ $rc = 1 ] && grep -qF "'$tmp/sym/out/retention' is a symbolic link" "$tmp/sym.err" \
    || { cat "$tmp/sym.err"; echo "FAIL: a symlinked tag directory: exit $rc"; fail=1; }
[ "$(ls "$tmp/sym/elsewhere")" = precious.txt ] || { echo "FAIL: wrote through a symlinked tag directory"; fail=1; }
# a generated file that is a link: refused; a stale link: the link alone goes
rm "$tmp/sym/out/retention" && "$ABC" compile --dialect all -o "$tmp/sym/out" specs/retention.ab || fail=1
ln -sf "$tmp/sym/elsewhere/precious.txt" "$tmp/sym/out/retention/mariadb/plan.json"
"$ABC" compile --dialect all -o "$tmp/sym/out" specs/retention.ab 2> "$tmp/sym.err"; rc=$?
[ $rc = 1 ] && grep -qF "'$tmp/sym/out/retention/mariadb/plan.json' is a symbolic link" "$tmp/sym.err" \
    || { cat "$tmp/sym.err"; echo "FAIL: a generated file that is a symlink: exit $rc"; fail=1; }
[ "$(cat "$tmp/sym/elsewhere/precious.txt")" = keep ] || { echo "FAIL: wrote through a symlinked file"; fail=1; }
rm "$tmp/sym/out/retention/mariadb/plan.json"
ln -s "$tmp/sym/elsewhere/precious.txt" "$tmp/sym/out/retention/mariadb/zz_stale.sql"
"$ABC" compile --dialect all -o "$tmp/sym/out" specs/retention.ab || { echo "FAIL: compile with a stale link"; fail=1; }
[ ! -L "$tmp/sym/out/retention/mariadb/zz_stale.sql" ] && [ "$(cat "$tmp/sym/elsewhere/precious.txt")" = keep ] \
    || { echo "FAIL: a stale symlink was not removed as a link"; fail=1; }

# two tags on one table: in one invocation, and against another tag's lock
mkdir -p "$tmp/clash"
for t in ta tb; do
    cat > "$tmp/clash/$t.ab" <<EOF
tag $t {
  module "m";
  wide_table "tbl_shared";
  source events "ods.app_events" { user user_id; time event_time; date event_date; }
  exposure events where event_name = "experiment_viewed" { experiment exp_key; variation var_key; }
  metric orders = count(events where event_name = "order") within 7d;
}
EOF
done
"$ABC" compile -o "$tmp/clash/out" "$tmp/clash/ta.ab" "$tmp/clash/tb.ab" 2> "$tmp/clash.err" \
    && { echo "FAIL: two tags on one table compiled"; fail=1; }
grep -q "tb.ab: error: table abc.tbl_shared is also used by tag 'ta'" "$tmp/clash.err" \
    || { cat "$tmp/clash.err"; echo "FAIL: no clear error for two tags on one table"; fail=1; }
[ -e "$tmp/clash/out" ] && { echo "FAIL: a clash wrote files"; fail=1; }
"$ABC" compile -o "$tmp/clash/out" "$tmp/clash/ta.ab" || fail=1
"$ABC" compile -o "$tmp/clash/out" "$tmp/clash/tb.ab" 2> "$tmp/clash2.err" \
    && { echo "FAIL: a table claimed by another tag's lock compiled"; fail=1; }
grep -qF "table abc.tbl_shared already belongs to tag 'ta' ($tmp/clash/out/ta/schema.lock)" "$tmp/clash2.err" \
    || { cat "$tmp/clash2.err"; echo "FAIL: no clear error for a table of another tag's lock"; fail=1; }
[ -e "$tmp/clash/out/tb" ] && { echo "FAIL: a clash with a lock wrote files"; fail=1; }
"$ABC" compile -o "$tmp/clash/out" "$tmp/clash/ta.ab" || { echo "FAIL: recompiling the lock's own tag"; fail=1; }

# parallel compilation gives the same bytes as one job
"$ABC" compile -j 1 --dialect all -o "$tmp/j1" specs/*.ab && "$ABC" compile -j 3 --dialect all -o "$tmp/j3" specs/*.ab
diff -r "$tmp/j1" "$tmp/j3" > /dev/null || { echo "FAIL: output depends on --jobs"; fail=1; }
"$ABC" compile -j 0 specs/retention.ab > /dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: -j 0 must be a usage error"; fail=1; }

# exit codes: usage 2, unreadable spec 3 or 1
"$ABC" compile > /dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: no spec must be a usage error"; fail=1; }
"$ABC" compile --dialect oracle specs/retention.ab > /dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: bad dialect"; fail=1; }
"$ABC" compile -o "$tmp/x" specs/retention.ab specs/retention.yaml > /dev/null 2>&1; [ $? = 1 ] || { echo "FAIL: two specs for one tag"; fail=1; }

[ $fail = 0 ] && echo "sql golden: ok"
exit $fail
