#!/usr/bin/env bash
# diag.sh — golden diagnostics of the front end.
#
# Each case is a directory tests/golden/diag/NNN_name/ holding one malformed
# spec (t.ab, t.yaml, or another name when the file name is the point) and
# expected.txt: the exact stderr of `abc check SPEC`, run from inside the case
# directory, plus a last line `exit N`.  A case whose spec is too big to
# commit has gen.sh instead, which writes the spec into the directory given
# as $1; the check then runs from there.
#
# A case fails when its output differs from expected.txt, when abc exits 0
# (every case is an error), when it dies of a signal (exit >= 128), or when a
# sanitizer reports anything.  UPDATE=1 rewrites expected.txt from the actual
# output (never for a crash): review every regenerated file by eye.
#
# A case with a KNOWN_BUG file documents a front-end bug: its expected.txt is
# the intended output.  A mismatch there is reported as XFAIL and does not
# fail the run (a crash, exit 0 or sanitizer report still does); a match is
# XPASS and fails the run until KNOWN_BUG is deleted.  UPDATE=1 leaves these
# expectations alone.
#
# ABC is the abc binary (the Makefile passes it); default build/abc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
abc=${ABC:-$root/build/abc}
case $abc in /*) ;; *) abc=$(cd "$(dirname "$abc")" && pwd)/$(basename "$abc") ;; esac
if [ ! -x "$abc" ]; then
    echo "diag.sh: abc binary '$abc' not found (set ABC)" >&2
    exit 2
fi
filter=${1:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abc-diag.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0 updated=0 xfail=0
failed=()
for dir in "$here"/diag/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -n "$filter" ] && [[ $name != *$filter* ]] && continue
    rundir=$dir
    if [ -f "$dir/gen.sh" ]; then
        rundir=$tmp/gen
        rm -rf "$rundir" && mkdir -p "$rundir"
        if ! bash "$dir/gen.sh" "$rundir"; then
            echo "FAIL $name: gen.sh failed"
            fail=$((fail + 1)); failed+=("$name"); continue
        fi
    fi
    spec= many=
    for f in "$rundir"/*; do
        b=$(basename "$f")
        case $b in expected.txt | gen.sh | KNOWN_BUG) continue ;; esac
        if [ -n "$spec" ]; then
            many=1; break
        fi
        spec=$b
    done
    if [ -z "$spec" ] || [ -n "$many" ]; then
        echo "FAIL $name: need exactly one spec file"
        fail=$((fail + 1)); failed+=("$name"); continue
    fi
    (cd "$rundir" && "$abc" check "$spec") >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    { cat "$tmp/stderr"; echo "exit $rc"; } >"$tmp/actual"
    problem=
    if [ $rc -eq 0 ]; then
        problem="abc check exited 0 on a malformed spec"
    elif [ $rc -ge 128 ]; then
        problem="abc check crashed (exit $rc)"
    elif grep -qE 'Sanitizer|runtime error:|^==[0-9]+==' "$tmp/stderr"; then
        problem="sanitizer report"
    elif [ -s "$tmp/stdout" ]; then
        problem="unexpected output on stdout"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL $name: $problem"
        head -c 4000 "$tmp/actual" | sed 's/^/    /'
        fail=$((fail + 1)); failed+=("$name"); continue
    fi
    if [ -f "$dir/KNOWN_BUG" ]; then
        if cmp -s "$tmp/actual" "$dir/expected.txt"; then
            echo "XPASS $name: matches now; delete $dir/KNOWN_BUG"
            fail=$((fail + 1)); failed+=("$name")
        else
            echo "XFAIL $name: $(head -n 1 "$dir/KNOWN_BUG" | cut -c1-150)"
            xfail=$((xfail + 1))
        fi
        continue
    fi
    if [ "${UPDATE:-0}" = 1 ]; then
        if ! cmp -s "$tmp/actual" "$dir/expected.txt" 2>/dev/null; then
            cp "$tmp/actual" "$dir/expected.txt"
            echo "updated $name"
            updated=$((updated + 1))
        fi
        pass=$((pass + 1))
        continue
    fi
    if [ ! -f "$dir/expected.txt" ]; then
        echo "FAIL $name: no expected.txt (run UPDATE=1 bash $0 and review it)"
        fail=$((fail + 1)); failed+=("$name"); continue
    fi
    if cmp -s "$tmp/actual" "$dir/expected.txt"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: diagnostics differ (--- expected, +++ actual)"
        diff -u "$dir/expected.txt" "$tmp/actual" | head -n 60 | sed 's/^/    /'
        fail=$((fail + 1)); failed+=("$name")
    fi
done
total=$((pass + fail + xfail))
if [ $total -eq 0 ]; then
    echo "diag.sh: no cases ran"
    exit 1
fi
[ "${UPDATE:-0}" = 1 ] && echo "diag.sh: $updated expectation(s) rewritten; review them"
echo "diag.sh: $pass/$total passed, $xfail known bug(s)"
[ $fail -eq 0 ] || { echo "diag.sh: failed: ${failed[*]}"; exit 1; }
