/* synth.h — a reproducible synthetic dataset with known treatment effects.
 *
 * synth_run() (re)creates the tables of docs/DATA.md in database `ods` —
 * users, app_events, payments and synth_truth — and fills them from one
 * GSL Mersenne-Twister stream seeded with cfg->seed, so the same
 * configuration always yields the same rows.  Users are exposed to the
 * latest phase of every experiment in the snapshot (probability = coverage,
 * variation by the phase's weights), on their first active day inside the
 * phase; from then on every rate or amount named by an effect lever is
 * multiplied by (1 + effect) for that user.  Optional faults: a sample-ratio
 * mismatch per experiment and users seen in two variations.
 *
 * Growth plant (docs/DATA.md "Growth structure"): besides the `users`
 * users of the model, a signup cohort (cohort_users users, each first
 * active — a chat — on one day of one ISO week, exactly
 * round(cohort_retention × cohort_users) of them active again the next
 * week, the rest never) and a resurrection wave (wave_users users active
 * on one day of the first full week, idle, back on one day of the last
 * full week), never exposed to an experiment, from a second random stream:
 * the model's users and every experiment's numbers are the same with or
 * without the plant.  It needs three full ISO weeks in the data window.
 *
 * Ownership: SynthConfig and the arrays it points to belong to the caller;
 * synth_run() copies nothing and keeps nothing.  Loading goes through
 * LOAD DATA LOCAL INFILE from temp files (removed before returning), or
 * multi-row INSERTs of 1000 rows when the server refuses LOCAL loads.
 */
#ifndef ABC_SYNTH_H
#define ABC_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "abc/base.h"
#include "abc/gb.h"
#include "abc/wh.h"

/* Effect levers: what a --effect METRIC multiplies (after exposure). */
typedef enum SynthLever {
    SYN_ACTIVE,          /* daily probability of being active (retention) */
    SYN_SESSIONS,        /* sessions per active day */
    SYN_SESSION_SECONDS, /* session length */
    SYN_PAYWALL_VIEW,    /* paywall views per session */
    SYN_TRIAL_START,     /* trial starts per paywall view */
    SYN_SUBSCRIBE,       /* subscriptions per paywall view */
    SYN_RECHARGE,        /* recharges per active day */
    SYN_RECHARGE_AMOUNT, /* amount per recharge */
    SYN_AD_IMPRESSION,   /* ad impressions per session */
    SYN_AD_CLICK,        /* clicks per impression */
    SYN_AD_REVENUE,      /* revenue per click */
    SYN_CHAT_MESSAGE,    /* chat messages per session */
    SYN_CRASH,           /* crash probability per session */
    SYN_LEVER_COUNT
} SynthLever;

/* The lever's name as used by --effect and in ods.synth_truth.metric. */
const char *synth_lever_name(SynthLever l);
/* 0 and *out set when name is a lever, -1 otherwise. */
int synth_lever_find(const char *name, SynthLever *out);

/* One --effect: experiment (trackingKey or id; NULL = every experiment),
 * variation key (NULL = every non-control variation), lever, relative
 * effect (> -1).  More specific entries override less specific ones. */
typedef struct SynthEffect {
    const char *experiment;
    const char *variation;
    SynthLever lever;
    double value;
} SynthEffect;

/* One --srm: move `shift` of the traffic share from the last variation of
 * the experiment to the first (control). */
typedef struct SynthSrm {
    const char *experiment;
    double shift;
} SynthSrm;

typedef enum SynthLoad { SYNTH_LOAD_AUTO = 0, SYNTH_LOAD_INFILE, SYNTH_LOAD_INSERT } SynthLoad;

typedef struct SynthConfig {
    uint64_t users;          /* >= 1 */
    int days;                /* experiment-period days, >= 1 */
    int pre_days;            /* history before start (CUPED), >= 0 */
    int32_t start;           /* first experiment day, days since 1970-01-01 */
    uint64_t seed;
    const GbTagConfig *experiments;  /* may be NULL: no exposures */
    const SynthEffect *effects;
    size_t n_effects;
    const SynthSrm *srm;
    size_t n_srm;
    double multi_exposure;   /* share of exposed users also logged in another variation */
    uint64_t cohort_users;   /* growth plant: signup cohort size (0: none) */
    double cohort_retention; /* share of the cohort active the week after, [0, 1] */
    uint64_t wave_users;     /* growth plant: resurrection wave size (0: none) */
    SynthLoad load;
    int force;               /* replace ods tables not written by synth */
    FILE *progress;          /* one line per step; NULL = silent */
} SynthConfig;

typedef struct SynthResult {
    uint64_t users;          /* all users written, the growth plant's included */
    uint64_t growth_users;   /* of them, the growth plant's */
    uint64_t events;
    uint64_t payments;
    uint64_t exposures;      /* experiment_viewed rows */
    uint64_t exposed_users;  /* user x experiment pairs exposed */
    double seconds;          /* wall time, generation + load */
    SynthLoad load_used;     /* INFILE or INSERT */
} SynthResult;

/* Parse "[EXPERIMENT[/VARIATION]:]METRIC=VALUE" into out; the strings in out
 * point into arg (which must outlive out).  arg is modified in place.
 * ABC_ERR_USAGE with a message on bad input. */
AbcStatus synth_parse_effect(char *arg, SynthEffect *out, char *err,
                             size_t errlen) ABC_MUST_CHECK;

/* Date helpers: "YYYY-MM-DD" <-> days since 1970-01-01 (proleptic Gregorian). */
int synth_parse_date(const char *s, int32_t *out);
void synth_format_date(int32_t day, char out[11]);

/* The weeks of the growth plant for cfg's data window, as days since
 * 1970-01-01 (Mondays): the cohort's first week (the one before the last
 * full week), the wave's first activity (the first full week) and its
 * return (the last full week).  -1 when the window has fewer than three
 * full ISO weeks (no plant), else 0. */
int synth_growth_weeks(const SynthConfig *cfg, int32_t *cohort_week, int32_t *lapse_week,
                       int32_t *wave_week);

/* Check cfg against the experiments (names in effects/srm must exist, SRM
 * shifts must fit the weights, phases must overlap the data window) and
 * print the plan (experiments, injected effects, faults) to cfg->progress.
 * Experiments whose latest phase misses the window are reported and get no
 * exposures.  ABC_ERR_USAGE / ABC_ERR_SPEC with a message on failure. */
AbcStatus synth_check(const SynthConfig *cfg, char *err, size_t errlen) ABC_MUST_CHECK;

/* What an earlier abc synth left in w (the ods tables and ods.synth_truth):
 * a one-line description in desc ("" when there is none).  Reads only. */
AbcStatus synth_existing(Warehouse *w, char *desc, size_t desclen, char *err,
                         size_t errlen) ABC_MUST_CHECK;

/* Generate and load the dataset into w (MariaDB dialect only).  Runs the
 * checks of synth_check() first (without printing the plan) and reports
 * each load and a final summary to cfg->progress.  *out (may be NULL) only on success.  Errors:
 * ABC_ERR_USAGE / ABC_ERR_SPEC for a bad configuration, ABC_ERR_ENV for
 * the warehouse or temp files. */
AbcStatus synth_run(Warehouse *w, const SynthConfig *cfg, SynthResult *out, char *err,
                    size_t errlen) ABC_MUST_CHECK;

#endif
