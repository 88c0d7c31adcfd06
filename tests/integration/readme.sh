#!/usr/bin/env bash
# readme.sh — README's "Five minutes with abc" as written, on a fresh
# embedded warehouse in a temporary copy of the project: `make demo`'s
# script first (examples/demo.sh), then every command of the walkthrough,
# each of which must exit 0.  The memo the walkthrough ends with must be the
# memo of its data: the same, line for line (the run line aside), as a
# `--full` run of the same spec on the same warehouse into another
# directory — a memo mixing the demo's data with the walkthrough's differs.
# Also: the walkthrough's dry runs create nothing, `abc synth` without
# --replace keeps the data, and nothing lands in the repository.
# env ABC = the abc binary; runs from anywhere.  Takes a few minutes.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
ABC=${ABC:-$root/build/abc}
case $ABC in /*) ;; *) ABC=$(cd "$(dirname "$ABC")" && pwd)/$(basename "$ABC") ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abc-readme.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

proj=$tmp/proj
mkdir -p "$proj"
cp -r "$root/abc.yaml" "$root/specs" "$root/examples" "$root/generated" "$proj/"
ln -s "$ABC" "$proj/abc"
cd "$proj" || exit 1

# the walkthrough: README's first sh block after its heading, continuation
# lines joined by bash itself; /tmp/retention.html goes to our directory
awk '/^## Five minutes with abc/ { on = 1 } on && /^```sh$/ { in_ = 1; next }
     in_ && /^```$/ { exit } in_ { print }' "$root/README.md" |
    sed "s|/tmp/retention.html|$tmp/retention.html|" >"$tmp/walk.sh"
grep -q 'abc synth' "$tmp/walk.sh" && grep -q 'abc run' "$tmp/walk.sh" ||
    { echo "readme.sh: no walkthrough found in README.md" >&2; exit 1; }

# ---- make demo ------------------------------------------------------------------
ABC="$proj/abc" bash examples/demo.sh >"$tmp/demo.log" 2>&1 || { tail -20 "$tmp/demo.log" >&2; fail "demo"; exit 1; }
cp reports/retention.md "$tmp/demo-memo.md"
ok "demo"

# ---- synth without --replace keeps the demo's data ------------------------------
./abc synth --snapshot examples/growthbook-snapshot.json --users 500 </dev/null 2>"$tmp/keep.err"
[ $? -eq 1 ] || fail "synth over the demo's data without --replace should exit 1"
grep -q 'holds 10750 users' "$tmp/keep.err" || fail "synth should say what it keeps: $(cat "$tmp/keep.err")"

# ---- the walkthrough, one command at a time ------------------------------------
n=0
while IFS= read -r line || [ -n "$line" ]; do
    cmd=$line
    # a command goes on while its line ends in a backslash or a quote is open
    while [[ $cmd == *\\ ]] || (( $(tr -cd "'" <<<"$cmd" | wc -c) % 2 )); do
        IFS= read -r more || break
        cmd+=$'\n'$more
    done
    n=$((n + 1))
    if ! bash -c "set -o pipefail; $cmd" >"$tmp/step$n.out" 2>"$tmp/step$n.err"; then
        fail "walkthrough step $n exits non-zero: $cmd
$(tail -5 "$tmp/step$n.err")"
    fi
done <"$tmp/walk.sh"
[ "$n" -ge 10 ] || fail "only $n walkthrough commands found"
grep -q '^abc synth: replacing 10750 users' "$tmp"/step*.err || fail "synth --replace should name what it replaces"
ok "walkthrough: $n commands"

# ---- the memo is the memo of the new data ----------------------------------------
ABC_TODAY=2026-10-29 ./abc run --full --quiet --memo-dir "$tmp/fresh" specs/retention.ab 2>"$tmp/fresh.err" ||
    fail "reference run: $(tail -3 "$tmp/fresh.err")"
if ! diff <(grep -v '^Run ' reports/retention.md) <(grep -v '^Run ' "$tmp/fresh/retention.md") >"$tmp/memo.diff"; then
    fail "the walkthrough's memo is not that of its data:"; head -20 "$tmp/memo.diff" >&2
fi
cmp -s reports/retention.md "$tmp/demo-memo.md" && fail "the memo did not change with the data"
ok "the memo matches the data"

if [ "$fails" -ne 0 ]; then
    echo "readme.sh: $fails failure(s)" >&2
    exit 1
fi
echo "readme.sh: ok"
