/* analysis.h — the analysis policy: the one place that decides, per metric
 * kind and the spec's analysis settings, which estimator gives the effect,
 * which test gives its interval and p-value, which method gives the chance
 * to win, which extras are published in their own columns, and the
 * decision (docs/STATS.md "Analysis policy" and "Decisions").
 *
 * Used by plan.json (the methods of each metric), the runner's results
 * (every report row), the memo and `abc report`.  The kernel (stats.h)
 * computes; this module chooses and decides.  Every published row obeys:
 * the effect is the point its interval is built around; p-value and
 * interval come from the same test; the decision follows from the
 * published columns by analysis_decide().
 */
#ifndef ABC_ANALYSIS_H
#define ABC_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "abc/base.h"
#include "abc/ir.h"
#include "abc/stats.h"

/* ---- policy ------------------------------------------------------------------ */
/* Extras: published in their own, labelled report columns. */
enum {
    AN_X_BAYES = 1u << 0,       /* chance_to_win, expected_loss, cred_low/high */
    AN_X_ZTEST = 1u << 1,       /* ztest_p_value (proportion kinds) */
    AN_X_UPLIFT = 1u << 2,      /* impact, impact_low/high */
    AN_X_MANNWHITNEY = 1u << 3, /* mannwhitney_p_value (quantile) */
    AN_X_BOOTSTRAP = 1u << 4,   /* bootstrap_effect/low/high (quantile) */
    AN_X_DID = 1u << 5,         /* did_* (means with a CUPED pre-period) */
    AN_X_SURVIVAL = 1u << 6     /* km_median, logrank_p_value (time_to) */
};

typedef enum AnBasis { AN_BASIS_FREQUENTIST, AN_BASIS_BAYESIAN } AnBasis;

typedef struct AnalysisPolicy {
    StatsMetricKind stats_kind;  /* the moments family (proportion, mean, ratio) */
    const char *estimator;       /* "moments", "cuped", "delta_method", "quantile", "rmst" */
    const char *test;            /* "welch_t", "quantile_z", "rmst_z", "msprt", "cs", "gsd_obf" */
    StatsSequential sequential;
    unsigned extras;             /* AN_X_* */
    AnBasis basis;               /* what the decision reads */
} AnalysisPolicy;

AnalysisPolicy analysis_policy(const IrAnalysis *an, const IrMetric *m);

/* The metric's methods, in a fixed order: estimator, test, extras.  As a
 * JSON array (plan.json) or comma-separated (the report's `methods`). */
void analysis_methods(const IrAnalysis *an, const IrMetric *m, bool json, Buf *out);

/* Group-sequential look schedule: one planned look per 7 days of the
 * phase, the last look at `looks`; the look of analysis day `day` (1 =
 * first day of the phase) is ⌈day/7⌉ capped at looks.  Returns the z
 * boundary of that look, or NaN when the design is not set.  `z` caches
 * the boundaries (64 entries, *ready false on the first call). */
double analysis_gsd_boundary(const IrAnalysis *an, long day, double *z, bool *ready);

/* ---- one metric × treatment --------------------------------------------------- */
typedef struct AnalysisArm {
    double n, mean, stddev, value_lo, value_hi;
    double abs_effect, rel_effect, ci_lo, ci_hi, p, p_adj, se;
    double ctw, loss, cred_lo, cred_hi, var_red;
    double impact, impact_lo, impact_hi;
    double z_p, exact_p, mw_p, boot_est, boot_lo, boot_hi;
    double did_est, did_lo, did_hi, did_p, km_median, logrank_p;
    unsigned flags;              /* STATS_F_* */
    bool significant;
    const char *decision;        /* NULL for the control */
    const char *bayes_decision;  /* the Bayesian verdict where it disagrees, else NULL */
    char note[160];
} AnalysisArm;

/* Every field NaN / empty. */
void analysis_arm_clear(AnalysisArm *o);

/* Compare a treatment with the control on an effect given by its two arm
 * estimates and standard errors (quantile and RMST metrics): both effect
 * scales (relative by the delta method), the policy's test on the
 * requested scale (normal reference), impact, Bayes.  Arms with se 0 give
 * the zero-variance flag and no test. */
void analysis_compare_estimates(const IrAnalysis *an, const IrMetric *m, double zb,
                                double est_a, double se_a, double est_b, double se_b,
                                double treated_units, AnalysisArm *out);

/* Quantile metrics, one cell (date × experiment × segment value) streamed:
 * per arm the type-7 quantile and its order-statistic CI; arm SE = CI
 * half-width / z_{1−α/2}; the comparison by analysis_compare_estimates;
 * Mann-Whitney and (when `resample`) the bootstrap as the policy's extras.
 *
 * units[v] is arm v's sample size (v = 0 the control), known before the
 * first value: the order statistics wanted follow from it.  Then each
 * distinct value of the pooled sample, in ascending order, with every arm's
 * count there (0 where the arm lacks it).  The cell holds a few numbers per
 * arm (and the bootstrap's resample sums), never the values, so a
 * distribution streamed from the warehouse is analysed in O(arms) memory.
 * finish fills out[v] (cleared by the caller; an arm without units gets no
 * numbers) or, when the values were out of order or an arm's counts do not
 * add up to its units, gives ABC_ERR_SPEC with a message. */
typedef struct AnalysisQuantileCell AnalysisQuantileCell;
AnalysisQuantileCell *analysis_quantile_cell_new(const IrAnalysis *an, const IrMetric *m,
                                                 const double *units, int nv, bool resample);
void analysis_quantile_cell_push(AnalysisQuantileCell *c, double value, const double *counts);
AbcStatus analysis_quantile_cell_finish(AnalysisQuantileCell *c, double zb, AnalysisArm *out,
                                        char *err, size_t errlen) ABC_MUST_CHECK;
void analysis_quantile_cell_free(AnalysisQuantileCell *c);

/* The same over each arm's per-unit values as value counts x[v] (k[v]
 * distinct values, stats.h; an empty or invalid arm gets no numbers),
 * merged into one stream.  out[v] must be cleared. */
void analysis_quantile_arms(const IrAnalysis *an, const IrMetric *m, double zb,
                            const StatsValueCount *const *x, const size_t *k, int nv,
                            bool resample, AnalysisArm *out);

/* Time-to-event metrics over the survival table of each arm as time counts
 * x[v] (k[v] distinct times, stats.h; an empty or invalid arm gets no
 * numbers): the Kaplan-Meier curve, the arm's restricted mean time to event to τ = the
 * window's last day (RMST ± z·SE as its interval), the Kaplan-Meier
 * median, the comparison of RMSTs and the log-rank p. */
void analysis_survival_arms(const IrAnalysis *an, const IrMetric *m, double zb,
                            const StatsTimeCount *const *x, const size_t *k, int nv,
                            AnalysisArm *out);

/* The documented rule (docs/STATS.md "Decisions"), from published columns
 * only: invalid when the experiment's health failed; frequentist basis:
 * winner/loser when significant (p_adj < alpha) in/against the metric's
 * direction, else inconclusive; Bayesian basis: winner when chance to win
 * >= 1 − alpha, loser when <= alpha.  Sets decision, and bayes_decision
 * with a note when the Bayesian verdict disagrees. */
void analysis_decide(const IrAnalysis *an, const IrMetric *m, bool health_failed, AnalysisArm *o);

/* Verdict of one experiment from its all-users rows of one date:
 * "invalid", "ship" (naming the variation), "do not ship", "keep running". */
typedef struct AnalysisVerdict {
    const char *verdict;
    int variation;               /* index of the variation to ship, or -1 */
    int goal_winners, goal_losers, guardrail_losers;
    char why[200];
} AnalysisVerdict;
/* out[m][v] for nm metrics and nv variations (0 = control). */
AnalysisVerdict analysis_verdict(const IrSpec *ir, bool health_failed, AnalysisArm *const *out,
                                 int nv);
/* The same rule from decisions alone (renderers reading report rows):
 * roles[m] for nm metrics, decisions[m * nv + v] (NULL where missing).
 * per_variation, when given, receives nv entries: NULL for the control,
 * else "invalid", "ship", "do not ship" (a goal or guardrail loser) or
 * "keep running". */
AnalysisVerdict analysis_verdict_of(const IrRole *roles, int nm, const char *const *decisions,
                                    int nv, bool health_failed, const char **per_variation);

/* `abc stats` for quantile and time_to metrics (docs/STATS.md): a parsed
 * document → the same arms and comparisons as the runner → a JSON text
 * (malloc'd into *out_json).  ABC_ERR_SPEC with "$.path: message" on bad
 * input. */
typedef struct cJSON cJSON;
AbcStatus analysis_stats_json(const cJSON *root, int digits, char **out_json, char *err,
                              size_t errlen) ABC_MUST_CHECK;

#endif
