# A 10 MB spec: a valid head, 10 MB of comments, then an undefined source
# at the end: the lexer must get through it quickly and the position must
# count every line.
out=$1/t.ab
{
    printf 'tag t {\n  module "m";\n  source events "ods.app_events" {\n    user user_id;\n    time event_time;\n    date event_date;\n  }\n'
    printf '  exposure events where event_name = "experiment_viewed" {\n    experiment exp_key;\n    variation var_key;\n  }\n'
    yes '  # filler: a comment line that is exactly sixty-four bytes long.' | head -n 163840
    printf '  metric opens = count(evnts) within 7d;\n}\n'
} >"$out"
