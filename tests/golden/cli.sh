#!/usr/bin/env bash
# cli.sh — golden transcripts of the command line: argument errors and
# their hints, help texts, what the commands print around their work.
#
# Each case is a directory tests/golden/cli/NNN_name/ holding `cmd`, a bash
# script, and expected.txt: its stdout and stderr together, then a last line
# `exit N`.  The script runs in a fresh empty directory ($PWD), with `abc`
# on PATH (the binary under test) and $ROOT the repository; a case that
# needs a project copies it itself (`project` below is defined for it:
# abc.yaml, specs/, examples/).  NO_COLOR is unset and TERM=xterm, so colour
# depends on the output being a terminal only.  The temporary directory is
# printed as $TMP.  UPDATE=1 rewrites expected.txt from the actual output:
# review every regenerated file by eye.
#
# ABC is the abc binary (the Makefile passes it); default build/abc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
abc=${ABC:-$root/build/abc}
case $abc in /*) ;; *) abc=$(cd "$(dirname "$abc")" && pwd)/$(basename "$abc") ;; esac
if [ ! -x "$abc" ]; then
    echo "cli.sh: abc binary '$abc' not found (set ABC)" >&2
    exit 2
fi
filter=${1:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abc-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
ln -s "$abc" "$tmp/bin/abc"

pass=0 fail=0 updated=0
failed=()
for dir in "$here"/cli/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -n "$filter" ] && [[ $name != *$filter* ]] && continue
    work=$tmp/case
    rm -rf "$work" && mkdir -p "$work"
    (cd "$work" && env -u NO_COLOR -u ABC_TODAY -u ABC_DSN -u GROWTHBOOK_API_HOST TERM=xterm \
        PATH="$tmp/bin:$PATH" ROOT="$root" CMD="$dir/cmd" \
        bash -c 'project() { cp -r "$ROOT/abc.yaml" "$ROOT/specs" "$ROOT/examples" .; }; . "$CMD"') \
        >"$tmp/out" 2>&1 </dev/null
    rc=$?
    { sed -e "s|$work|\$TMP|g" -e "s|$root|\$ROOT|g" "$tmp/out"; echo "exit $rc"; } >"$tmp/actual"
    if [ $rc -ge 128 ] || grep -qE 'Sanitizer|runtime error:|^==[0-9]+==' "$tmp/out"; then
        echo "FAIL $name: crash or sanitizer report (exit $rc)"
        head -c 4000 "$tmp/actual" | sed 's/^/    /'
        fail=$((fail + 1)); failed+=("$name"); continue
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
        echo "FAIL $name: transcript differs (--- expected, +++ actual)"
        diff -u "$dir/expected.txt" "$tmp/actual" | head -n 60 | sed 's/^/    /'
        fail=$((fail + 1)); failed+=("$name")
    fi
done
total=$((pass + fail))
if [ $total -eq 0 ]; then
    echo "cli.sh: no cases ran"
    exit 1
fi
[ "${UPDATE:-0}" = 1 ] && echo "cli.sh: $updated expectation(s) rewritten; review them"
echo "cli.sh: $pass/$total passed"
[ $fail -eq 0 ] || { echo "cli.sh: failed: ${failed[*]}"; exit 1; }
