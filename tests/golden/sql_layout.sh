#!/usr/bin/env bash
# sql_layout.sh — the layout of the generated SQL (docs/GENERATED.md
# "Layout"): every spec of specs/ and tests/golden/sql/ compiles, for both
# dialects, to files whose lines hold at most 100 characters outside string
# literals (a string literal's contents do not count; its quotes do; a
# quoted name longer than 80 characters counts as its quotes).  Each line
# over is named FILE:LINE.
#   bash tests/golden/sql_layout.sh              compile and check
#   bash tests/golden/sql_layout.sh --dir DIR    check the .sql files under DIR
# env ABC = the abc binary.
set -uo pipefail
cd "$(dirname "$0")/../.."
ABC=${ABC:-build/abc}

WIDTH=100

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

if [ "${1:-}" = --dir ]; then
    out=$2
else
    out=$tmp/out
    for spec in specs/*.ab tests/golden/sql/*.ab; do
        # a spec the golden tests expect to be rejected has no SQL
        [ -f "${spec%.ab}.stderr" ] && continue
        "$ABC" compile -q --dialect all -o "$out" "$spec" 2>"$tmp/err" ||
            { cat "$tmp/err"; echo "FAIL: $spec does not compile"; fail=1; }
    done
fi

find "$out" -name '*.sql' | sort > "$tmp/checked"
[ -s "$tmp/checked" ] || { echo "FAIL: no SQL files to check under $out"; exit 1; }

# one awk over every file: string literals may span lines
tr '\n' '\0' < "$tmp/checked" | xargs -0 awk -v W="$WIDTH" '
FNR == 1 { inlit = 0 }
{
    line = $0; n = length(line); w = 0; i = 1
    while (i <= n) {
        c = substr(line, i, 1)
        if (inlit) {
            if (c == "\047") {
                if (substr(line, i + 1, 1) == "\047") { i += 2; continue }
                inlit = 0; w++
            }
            i++; continue
        }
        if (c == "-" && substr(line, i + 1, 1) == "-") { w += n - i + 1; break }
        if (c == "\047") { inlit = 1; w++; i++; continue }
        if (c == "`") {
            j = i + 1
            while (j <= n) {
                if (substr(line, j, 1) == "`") {
                    if (substr(line, j + 1, 1) == "`") { j += 2; continue }
                    break
                }
                j++
            }
            len = j - i - 1
            w += (len > 80 ? 2 : len + 2); i = j + 1; continue
        }
        w++; i++
    }
    if (w > W) {
        printf "%s:%d: %d characters outside string literals (at most %d)\n", FILENAME, FNR, w, W
        bad++
    }
}
END { exit bad ? 1 : 0 }' > "$tmp/long" || {
    head -50 "$tmp/long"
    echo "FAIL: $(wc -l < "$tmp/long") lines over $WIDTH characters"
    fail=1
}

[ $fail = 0 ] && echo "sql layout: ok ($(wc -l < "$tmp/checked") files, lines of at most $WIDTH characters)"
exit $fail
