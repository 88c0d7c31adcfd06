# A flat chain of 5000 "and"s: not nested (a chain of 70 is fine), but over
# the limit of 4096 comparisons in one condition; reported once, at the
# condition.
out=$1/t.ab
{
    printf 'tag t {\n  module "m";\n  source events "ods.app_events" {\n    user user_id;\n    time event_time;\n    date event_date;\n  }\n'
    printf '  exposure events where event_name = "experiment_viewed" {\n    experiment exp_key;\n    variation var_key;\n  }\n'
    printf '  metric opens = count(events where a = 0'
    i=0
    while [ $i -lt 5000 ]; do printf ' and a = 1'; i=$((i + 1)); done
    printf ') within 7d;\n}\n'
} >"$out"
