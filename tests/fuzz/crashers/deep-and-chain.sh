#!/bin/sh
# deep-and-chain.sh N > deep.ab — a spec whose exposure filter is a flat
# chain of N `and`ed comparisons (left-deep tree, no parentheses).  With
# N = 400000 (4 MB, under the 16 MB limit) `abc check` and `abc fmt`
# overflow the stack (SIGSEGV): sema.c normalise_cond() and ir_dump.c
# cond_text() recurse once per operator.  With N = 70, `abc check` reports
# "condition nested too deeply" for a condition that has no nesting.
n=${1:-400000}
printf 'tag deep {\n  module "m";\n  source events "ods.e" { user u; time t; date d; }\n  exposure events where a = 1'
awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++) printf " and a = 1" }'
printf ' {\n    experiment e;\n    variation v;\n  }\n  metric m = count(events);\n}\n'
