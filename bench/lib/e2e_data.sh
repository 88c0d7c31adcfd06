# bench/lib/e2e_data.sh — sourced by bench/e2e.sh and bench/statements.sh:
# the synthetic data both measure (`abc synth` over 28 days from
# 2026-10-01, 14 pre-period days, the known effects), so that the per-
# statement reads of one are those of the other's day-28 run.
# (A library, not a benchmark: bench/run.sh runs bench/*.sh only.)

# e2e_synth_opts USERS: the `abc synth` options after the target.
e2e_synth_opts() {
    echo --users "$1" --days 28 --pre-days 14 --start 2026-10-01 --seed 42 --snapshot "$SNAP" \
        --effect ret-onboarding-v2/1:active=0.10 --effect ret-push-reminder/2:active=0.05 \
        --effect sub-paywall-annual-first:subscribe=0.25 --replace --quiet
}
