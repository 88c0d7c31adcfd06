#!/usr/bin/env bash
# roundtrip.sh — the formatter and the two front ends agree.
#
# For every spec in specs/ (the specs are kept canonical):
#   - abc check exits 0;
#   - abc fmt X prints X unchanged (and is therefore idempotent);
#   - abc fmt --to yaml X.ab prints X.yaml exactly;
#   - abc fmt --to ab X.yaml reparses to the same IR as X.ab
#     (abc check --dump-ir outputs equal), and so does X.yaml itself.
# For every hand-written spec in tests/golden/roundtrip/ (not canonical:
# comments everywhere, hard strings, every construct):
#   - abc check exits 0 and fmt is idempotent;
#   - DSL -> YAML -> DSL (or YAML -> DSL -> YAML) keeps the IR;
#   - the converted form is canonical, and from the converted-back spec on,
#     converting there and back again is a fixed point (comments, quoting and
#     `guardrail NAME =` versus `metric NAME = ... guardrail` normalise on the
#     first trip).
# ABC is the abc binary (the Makefile passes it); default build/abc.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
abc=${ABC:-$root/build/abc}
case $abc in /*) ;; *) abc=$(cd "$(dirname "$abc")" && pwd)/$(basename "$abc") ;; esac
if [ ! -x "$abc" ]; then
    echo "roundtrip.sh: abc binary '$abc' not found (set ABC)" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abc-roundtrip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0 checks=0

bad() {
    echo "FAIL $1"
    fail=$((fail + 1))
}

# run NAME CMD... : run a command, keep stdout in $tmp/out, stderr in $tmp/err;
# a non-zero exit or any stderr output is a failure.
run() {
    local what=$1
    shift
    checks=$((checks + 1))
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 0 ] || [ -s "$tmp/err" ]; then
        bad "$what: '$*' exited $rc"
        head -n 20 "$tmp/err" | sed 's/^/    /'
        return 1
    fi
    return 0
}

# same WHAT FILE_A FILE_B
same() {
    checks=$((checks + 1))
    if ! cmp -s "$2" "$3"; then
        bad "$1"
        diff -u "$2" "$3" | head -n 40 | sed 's/^/    /'
        return 1
    fi
    return 0
}

# ir FILE OUT: the IR dump of a spec.
ir() {
    run "check --dump-ir $(basename "$1")" "$abc" check --dump-ir "$1" && cp "$tmp/out" "$2"
}

# ---- specs/ ------------------------------------------------------------------
nspecs=0
for ab in "$root"/specs/*.ab; do
    [ -e "$ab" ] || continue
    nspecs=$((nspecs + 1))
    name=$(basename "$ab" .ab)
    yaml=${ab%.ab}.yaml
    if [ ! -f "$yaml" ]; then
        bad "specs/$name.ab has no YAML twin"
        continue
    fi
    for f in "$ab" "$yaml"; do
        b=specs/$(basename "$f")
        run "$b: check" "$abc" check "$f" || continue
        run "$b: fmt" "$abc" fmt "$f" && same "$b: fmt output differs from the file (not canonical)" "$f" "$tmp/out"
        run "$b: fmt --check" "$abc" fmt --check "$f"
    done
    run "specs/$name.ab: fmt --to yaml" "$abc" fmt --to yaml "$ab" &&
        same "specs/$name.ab: fmt --to yaml differs from specs/$name.yaml" "$yaml" "$tmp/out"
    mkdir -p "$tmp/s" && rm -f "$tmp"/s/*
    ir "$ab" "$tmp/s/ir.ab" || continue
    ir "$yaml" "$tmp/s/ir.yaml" && same "specs/$name: IR of .ab and .yaml differ" "$tmp/s/ir.ab" "$tmp/s/ir.yaml"
    if run "specs/$name.yaml: fmt --to ab" "$abc" fmt --to ab "$yaml"; then
        cp "$tmp/out" "$tmp/s/$name.ab"
        ir "$tmp/s/$name.ab" "$tmp/s/ir.conv" &&
            same "specs/$name: fmt --to ab of the YAML has a different IR" "$tmp/s/ir.ab" "$tmp/s/ir.conv"
    fi
done
if [ $nspecs -eq 0 ]; then
    bad "no specs in specs/"
fi

# ---- hand-written specs -----------------------------------------------------------
nrt=0
for f in "$here"/roundtrip/*.ab "$here"/roundtrip/*.yaml; do
    [ -e "$f" ] || continue
    nrt=$((nrt + 1))
    b=roundtrip/$(basename "$f")
    name=$(basename "${f%.*}")
    ext=${f##*.}
    other=yaml
    [ "$ext" = yaml ] && other=ab
    d=$tmp/rt && rm -rf "$d" && mkdir -p "$d/1" "$d/2" "$d/3"
    run "$b: check" "$abc" check "$f" || continue
    ir "$f" "$d/ir.orig" || continue
    # idempotence: fmt(fmt(x)) == fmt(x), and the formatted spec keeps the IR
    run "$b: fmt" "$abc" fmt "$f" || continue
    cp "$tmp/out" "$d/1/$name.$ext"
    run "$b: fmt of fmt" "$abc" fmt "$d/1/$name.$ext" &&
        same "$b: fmt is not idempotent" "$d/1/$name.$ext" "$tmp/out"
    ir "$d/1/$name.$ext" "$d/ir.fmt" && same "$b: fmt changed the IR" "$d/ir.orig" "$d/ir.fmt"
    # convert to the other syntax and back
    run "$b: fmt --to $other" "$abc" fmt --to "$other" "$f" || continue
    cp "$tmp/out" "$d/2/$name.$other"
    ir "$d/2/$name.$other" "$d/ir.conv" && same "$b: --to $other changed the IR" "$d/ir.orig" "$d/ir.conv"
    run "$b: fmt --to $ext of the $other form" "$abc" fmt --to "$ext" "$d/2/$name.$other" || continue
    cp "$tmp/out" "$d/3/$name.$ext"
    ir "$d/3/$name.$ext" "$d/ir.back" && same "$b: $ext -> $other -> $ext changed the IR" "$d/ir.orig" "$d/ir.back"
    # from the converted-back spec on, conversion is a fixed point
    run "$b: fmt --to $other of the converted-back spec" "$abc" fmt --to "$other" "$d/3/$name.$ext" || continue
    mkdir -p "$d/4" "$d/5" && cp "$tmp/out" "$d/4/$name.$other"
    run "$b: fmt --to $ext once more" "$abc" fmt --to "$ext" "$d/4/$name.$other" &&
        same "$b: $ext -> $other -> $ext is not a fixed point" "$d/3/$name.$ext" "$tmp/out"
    run "$b: fmt of the $other form" "$abc" fmt "$d/2/$name.$other" &&
        same "$b: the converted $other form is not canonical" "$d/2/$name.$other" "$tmp/out"
done
if [ $nrt -eq 0 ]; then
    bad "no hand-written specs in tests/golden/roundtrip/"
fi

echo "roundtrip.sh: $nspecs spec pairs, $nrt hand-written specs, $checks checks, $fail failed"
[ $fail -eq 0 ]
