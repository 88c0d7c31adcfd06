#!/bin/sh
# many-metrics.sh N > big.ab — a clean spec with N one-line metrics.
# `abc check` time grows quadratically with N (build/abc -O2, 2-core AMD EPYC):
#   N=5000 (0.28 MB) 1.0 s, 10000 (0.57 MB) 4.1 s, 20000 (1.2 MB) 17.9 s,
#   40000 (2.3 MB) 84 s — a 16 MB spec would take hours.
# perf at N=10000: 77% diag_line_col() (sema_check computes every metric's
# line by scanning from the start of the file), 11% strcmp (find_metric() is
# a linear search per metric), 5% ast_items_append() (walks the item list on
# every append while parsing).
n=${1:-20000}
printf 'tag big {\n  module "m";\n  source events "ods.e" { user u; time t; date d; }\n  exposure events { experiment e; variation v; }\n'
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "  metric m%d = count(events where a = %d) within 7d;\n", i, i }'
printf '}\n'
