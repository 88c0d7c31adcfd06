#!/usr/bin/env bash
# run.sh — run every benchmark script bench/*.sh (except this one) in name
# order; fail, after running the rest, if any of them failed.  `make bench`
# calls this after building; ABC (default build/abc) is passed through.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export ABC=${ABC:-$root/build/abc}
failed=()
for script in "$here"/*.sh; do
    [ "$(basename "$script")" = run.sh ] && continue
    echo "== bench/$(basename "$script")"
    if ! bash "$script"; then
        failed+=("$(basename "$script")")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench: failed: ${failed[*]}" >&2
    exit 1
fi
