# 1100 count metrics: a wide table of more columns than MariaDB (InnoDB)
# allows in a table; abc check reports the limit at the last metric
# instead of a "Too many columns" at the first run's DDL.
out=$1/t.ab
{
    printf 'tag t {\n  module "m";\n  source events "ods.app_events" {\n    user user_id;\n    time event_time;\n    date event_date;\n  }\n'
    printf '  exposure events where event_name = "experiment_viewed" {\n    experiment exp_key;\n    variation var_key;\n  }\n'
    i=0
    while [ $i -lt 1100 ]; do printf '  metric m%d = count(events where event_name = "e%d") within 7d;\n' $i $i; i=$((i + 1)); done
    printf '}\n'
} >"$out"
