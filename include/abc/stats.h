/* stats.h — the statistics kernel: pure functions over sufficient statistics.
 *
 * Contract (see docs/STATS.md for every formula and its source): functions
 * take sufficient statistics (n, Σx, Σx², cross sums) or summary numbers and
 * return AbcStatus; out-parameters are written only on success.  Nothing
 * here aborts or exits: GSL's error handler is switched off by
 * stats_init() (called by every entry point that uses GSL) and GSL return
 * codes are checked.  Nothing allocates except the functions over raw data
 * or value counts (bootstrap, Mann-Whitney, quantiles, Kaplan-Meier,
 * log-rank) and
 * stats_analyse(), whose StatsResult is released with stats_result_free().
 * Definitions follow gbstats 0.8 where gbstats defines a quantity
 * (docs/STATS.md).  A value that is undefined (relative effect with
 * a zero control mean, a test on zero variance) is NaN inside StatsResult
 * together with a flag bit and a message; stats_result_to_json() writes it
 * as null, never NaN or Inf.
 */
#ifndef ABC_STATS_H
#define ABC_STATS_H

#include "abc/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cJSON cJSON;

/* ---- setup ---------------------------------------------------------------- */
/* Switch GSL's abort-on-error handler off; idempotent, cheap. */
void stats_init(void);

/* ---- kinds ---------------------------------------------------------------- */
typedef enum StatsMetricKind { STATS_PROPORTION, STATS_MEAN, STATS_RATIO } StatsMetricKind;
typedef enum StatsEffectType { STATS_RELATIVE, STATS_ABSOLUTE } StatsEffectType;
typedef enum StatsDirection { STATS_HIGHER_BETTER, STATS_LOWER_BETTER } StatsDirection;
/* Two-sided, or one-sided towards the metric's better direction (H1: the
 * treatment is better).  gbstats' one-sided tests bound the other way. */
typedef enum StatsSides { STATS_TWO_SIDED, STATS_ONE_SIDED } StatsSides;
/* GSD: a group-sequential look whose efficacy boundary |z| >= seq_param
 * (from stats_gsd_obf) the caller supplies. */
typedef enum StatsSequential {
    STATS_SEQ_NONE, STATS_SEQ_CS, STATS_SEQ_MSPRT, STATS_SEQ_GSD
} StatsSequential;
typedef enum StatsCorrection {
    STATS_CORR_NONE, STATS_CORR_HOLM, STATS_CORR_BH, STATS_CORR_BONFERRONI
} StatsCorrection;

/* ---- sufficient statistics and moments ------------------------------------ */
/* Per-variation sums of per-unit values (capped where the metric is capped).
 * n is a double so unit counts up to 1e12 (and beyond, to 2^53) are exact. */
typedef struct StatsSums {
    double n, sum, sum_sq;                /* Σx, Σx² */
    double pre_sum, pre_sum_sq, sum_pre;  /* CUPED: Σpre, Σpre², Σx·pre */
    double den_sum, den_sum_sq, sum_den;  /* ratio: Σd, Σd², Σx·d */
} StatsSums;

/* Per-unit mean and variance of one arm under the gbstats definitions. */
typedef struct StatsMoments {
    double n, mean, var;
} StatsMoments;

/* Sample (n−1) variance from n, Σx, Σx² in long double, clamped at 0;
 * 0 when n < 2.  Formula: (Σx² − (Σx)²/n)/(n−1). */
double stats_var_from_sums(double n, double sum, double sum_sq);
/* Sample covariance (Σxy − ΣxΣy/n)/(n−1) in long double; 0 when n < 2. */
double stats_cov_from_sums(double n, double sx, double sy, double sxy);

/* Mean and variance of one arm: proportion p, p(1−p); mean Σx/n and
 * (n−1)-variance; ratio Σm/Σd with delta-method variance
 * var_m/μd² + var_d·μm²/μd⁴ − 2cov·μm/μd³ (Deng et al. 2018, gbstats).
 * ABC_ERR_SPEC when n <= 0, a proportion outside [0, 1], or Σd == 0. */
AbcStatus stats_moments(StatsMetricKind kind, const StatsSums *s,
                        StatsMoments *out) ABC_MUST_CHECK;

/* Welford running mean/variance (Welford 1962; Chan et al. 1979 for merge):
 * stable for data with a large mean, e.g. mean 1e9 and stddev 1. */
typedef struct StatsRunning {
    double n;
    long double mean, m2;
} StatsRunning;
void stats_running_init(StatsRunning *r);
void stats_running_push(StatsRunning *r, double x);
void stats_running_merge(StatsRunning *into, const StatsRunning *other);
/* (n−1)-variance, 0 when n < 2. */
double stats_running_var(const StatsRunning *r);

/* ---- effects ---------------------------------------------------------------- */
/* Effect estimate and its variance (squared standard error). */
typedef struct StatsEffect {
    double est, var;
    bool defined; /* false: relative effect with control mean 0 */
} StatsEffect;

/* Absolute m_b − m_a with SE² = v_a/n_a + v_b/n_b, or relative
 * (m_b − m_a)/|m_a| with delta-method SE² = v_b/(n_b m_a²) + v_a m_b²/(n_a m_a⁴)
 * (gbstats).  Relative with m_a == 0 gives defined = false; never fails. */
StatsEffect stats_effect(StatsEffectType type, const StatsMoments *a, const StatsMoments *b);

/* CUPED θ pooled over both arms: Cov(post, pre)/Var(pre) from the summed
 * sums (Deng et al. 2013; gbstats compute_theta); 0 when either variance is 0.
 * For proportions a 0/1 side (Σx² = Σx) has variance p(1−p), as gbstats'
 * ProportionStatistic; the covariance is always the (n−1) sample one. */
double stats_cuped_theta(StatsMetricKind kind, const StatsSums *a, const StatsSums *b);

/* CUPED-adjusted comparison of two mean-metric arms with θ from
 * stats_cuped_theta: adjusted means post − θ·pre, adjusted variances
 * Var(post) + θ²Var(pre) − 2θCov; the relative effect divides by the
 * unadjusted control mean with gbstats' frequentist_variance_relative_cuped.
 * Writes the adjusted moments (for Welch dof), the effect, θ and the variance
 * reduction 1 − adjusted/unadjusted of the effect variance.
 * ABC_ERR_SPEC when an arm has n < 2. */
typedef struct StatsCuped {
    StatsMoments adj_a, adj_b;
    StatsEffect effect;
    double theta, variance_reduction;
} StatsCuped;
AbcStatus stats_cuped(StatsMetricKind kind, StatsEffectType type, const StatsSums *a,
                      const StatsSums *b, StatsCuped *out) ABC_MUST_CHECK;

/* ---- frequentist tests ------------------------------------------------------ */
typedef struct StatsTest {
    double stat, dof, p_value, ci_lo, ci_hi;
} StatsTest;

/* Welch–Satterthwaite dof (v_a/n_a + v_b/n_b)² / Σ (v/n)²/(n−1)
 * (Welch 1947); infinite when a variance term is 0 or n <= 1 on both. */
double stats_welch_dof(const StatsMoments *a, const StatsMoments *b);

/* t-test of an effect with variance e->var on dof degrees of freedom:
 * two-sided p = 2(1 − T(|t|)), CI est ± t_{1−α/2}·SE; one-sided towards
 * `dir`: p = 1 − T(t) (higher) or T(t) (lower), CI open on one side (±HUGE_VAL).
 * ABC_ERR_SPEC when SE is 0 or not finite, alpha outside (0, 1), dof <= 0. */
AbcStatus stats_ttest(const StatsEffect *e, double dof, double alpha, StatsSides sides,
                      StatsDirection dir, StatsTest *out) ABC_MUST_CHECK;

/* Two-proportion z-test with the pooled proportion under H0
 * (Fleiss et al. 2003 §4): z = (p_b − p_a)/sqrt(p̄(1−p̄)(1/n_a + 1/n_b));
 * CI on p_b − p_a with the unpooled SE.  ABC_ERR_SPEC when SE is 0. */
AbcStatus stats_ztest_prop(double n_a, double x_a, double n_b, double x_b, double alpha,
                           StatsSides sides, StatsDirection dir, StatsTest *out) ABC_MUST_CHECK;

/* SRM: Pearson χ² of the unit counts against the expected weights, over
 * the arms of positive weight (k⁺−1 dof); p-value via gsl_cdf_chisq_Q.  An
 * arm of weight 0 with units gives p = 0 (a certain mismatch); one without
 * units is left out.  ABC_ERR_SPEC when k < 2, a weight < 0 or not finite,
 * or the weights do not sum to 1 within 1e-6 (they are normalised). */
AbcStatus stats_srm(const double *n, const double *weights, size_t k,
                    double *p_value) ABC_MUST_CHECK;

/* Fisher's exact test on a 2×2 table (x_a of n_a vs x_b of n_b), two-sided:
 * the sum of the hypergeometric probabilities not above the observed one
 * (relative tolerance 1e-7), as scipy.stats.fisher_exact.  ABC_ERR_SPEC on
 * counts that are not whole numbers within [0, n], or a support over 1e7. */
AbcStatus stats_fisher_exact(double n_a, double x_a, double n_b, double x_b,
                             double *p_value) ABC_MUST_CHECK;

/* ---- Bayesian --------------------------------------------------------------- */
typedef struct StatsBayes {
    double post_mean, post_sd, chance_to_win, loss_treatment, loss_control;
    double cred_lo, cred_hi;
} StatsBayes;

/* Gaussian model on the effect (gbstats EffectBayesianABTest): prior
 * N(prior_mean, prior_sd²) when prior_sd > 0 (precision-weighted posterior),
 * flat when prior_sd <= 0.  CTW = P(effect > 0) (P(< 0) for lower-is-better);
 * losses σφ(z) − μΦ(−z) and μΦ(z) + σφ(z), z = μ/σ (swapped for lower);
 * credible interval from normal quantiles.  ABC_ERR_SPEC when SE is 0. */
AbcStatus stats_bayes_gaussian(const StatsEffect *e, double prior_mean, double prior_sd,
                               double alpha, StatsDirection dir,
                               StatsBayes *out) ABC_MUST_CHECK;

/* Beta-binomial model for proportions, priors Beta(a0, b0) on each arm:
 * P(p_b > p_a) = ∫ f_A(x) (1 − F_B(x)) dx by adaptive quadrature (QAGS),
 * tolerance 1e-10 (Bayesian A/B testing, e.g. Stucchio 2015).  For
 * lower-is-better it returns P(p_b < p_a).  ABC_ERR_SPEC on bad counts. */
AbcStatus stats_beta_binomial(double n_a, double x_a, double n_b, double x_b, double a0,
                              double b0, StatsDirection dir,
                              double *chance_to_win) ABC_MUST_CHECK;

/* ---- sequential -------------------------------------------------------------- */
/* Asymptotic confidence sequence (Waudby-Smith et al. 2023, gbstats):
 * N = n_a + n_b, ρ from `tuning`, half-width and p = min(1, 1/e).
 * ABC_ERR_SPEC when SE is 0, N <= 0 or tuning <= 0. */
AbcStatus stats_cs(const StatsEffect *e, double n_total, double alpha, double tuning,
                   StatsTest *out) ABC_MUST_CHECK;

/* mSPRT with mixing N(0, τ²) (Johari et al. 2017): Λ = sqrt(V/(V+τ²))
 * exp(est²τ²/(2V(V+τ²))), p = min(1, 1/Λ); always-valid CI
 * est ± sqrt(V(V+τ²)/τ² · (2 ln(1/α) + ln((V+τ²)/V))).  ABC_ERR_SPEC on V or τ <= 0. */
AbcStatus stats_msprt(const StatsEffect *e, double alpha, double tau,
                      StatsTest *out) ABC_MUST_CHECK;
/* One look of a group-sequential design with boundary zb: the repeated
 * confidence interval est ± zb·SE (one-sided: open towards worse) and a
 * boundary-scaled p = min(1, p_nominal · α/α_nominal(zb)), so p < α exactly
 * when |z| >= zb, i.e. when the interval excludes 0 (Jennison & Turnbull
 * 2000 ch. 9).  ABC_ERR_SPEC when SE is 0 or zb <= 0. */
AbcStatus stats_gsd_test(const StatsEffect *e, double zb, double alpha, StatsSides sides,
                         StatsDirection dir, StatsTest *out) ABC_MUST_CHECK;

/* The test an analysis names, on one effect: CS, mSPRT (τ on this effect's
 * scale), a GSD look (zb), or Welch's t on `dof` (normal when dof is
 * infinite). */
typedef struct StatsTestSpec {
    double alpha;
    StatsSides sides;
    StatsDirection direction;
    StatsSequential sequential;
    double seq_param; /* CS tuning, mSPRT τ or GSD boundary */
} StatsTestSpec;
AbcStatus stats_test_effect(const StatsTestSpec *ts, const StatsEffect *e, double dof,
                            double n_total, StatsTest *out) ABC_MUST_CHECK;

/* Running minimum of mSPRT p-values over k daily looks into p_out[k]. */
AbcStatus stats_msprt_running(const StatsEffect *looks, size_t k, double tau,
                              double *p_out) ABC_MUST_CHECK;

/* Group-sequential design, Lan-DeMets O'Brien-Fleming-type spending
 * α_s(t) = 2 − 2Φ(z_{1−α_s/2}/√t) per side, α_s = α (one-sided) or α/2
 * (two-sided, symmetric), boundaries by recursive numerical integration (Armitage,
 * McPherson & Rowe 1969; Jennison & Turnbull 2000 ch. 19).  t[k] are
 * increasing information fractions ending in 1.  Two-sided symmetric when
 * `two_sided`.  Writes z boundaries into z_out[k].  ABC_ERR_SPEC on bad
 * fractions or k > 50. */
AbcStatus stats_gsd_obf(const double *t, size_t k, double alpha, bool two_sided,
                        double *z_out) ABC_MUST_CHECK;
/* Probability of crossing any boundary when the drift is θ (z_k has mean
 * θ√t_k): the power of the design; θ = 0 gives the attained α. */
AbcStatus stats_gsd_cross_prob(const double *t, const double *z, size_t k, bool two_sided,
                               double theta, double *prob) ABC_MUST_CHECK;

/* ---- multiple testing -------------------------------------------------------- */
/* Adjusted p-values (Holm 1979; Benjamini & Hochberg 1995; Bonferroni),
 * monotone and capped at 1, in the input order.  adj may alias p. */
AbcStatus stats_adjust_p(StatsCorrection c, const double *p, size_t k,
                         double *adj) ABC_MUST_CHECK;

/* ---- uplift ------------------------------------------------------------------ */
/* Absolute and relative lift with CI (Welch, two-sided) and the net
 * incremental impact absolute × treated_units with CI scaled the same way. */
typedef struct StatsUplift {
    double abs_est, abs_lo, abs_hi;
    double rel_est, rel_lo, rel_hi; /* NaN when the control mean is 0 */
    double impact, impact_lo, impact_hi;
} StatsUplift;
AbcStatus stats_uplift(const StatsMoments *a, const StatsMoments *b, double treated_units,
                       double alpha, StatsUplift *out) ABC_MUST_CHECK;

/* ---- nonparametric and resampling -------------------------------------------- */
/* A sample as its distinct values in ascending order, each with the number
 * of units holding it (a whole count >= 1).  Quantile metrics arrive from
 * the warehouse in this form, and the order-statistic, rank and resampling
 * methods below read it, so their memory follows the distinct values, not
 * the units.  The forms over raw values build it first (stats_value_counts)
 * and give the same numbers: a sample's order never matters. */
typedef struct StatsValueCount {
    double value, count;
} StatsValueCount;

/* Sort p[0..n) by value and merge equal values, summing their counts, in
 * place; returns the number of distinct values left.  NaN values sort last
 * and are never merged (the methods below reject them). */
size_t stats_value_counts_merge(StatsValueCount *p, size_t n);

/* The units value counts x[0..k) hold (the sum of the counts), or -1 when
 * they are not value counts: a NaN value, values not strictly ascending,
 * or a count that is not a whole number >= 1. */
double stats_value_counts_units(const StatsValueCount *x, size_t k);

/* The value counts of raw values x[0..n): *out is malloc'd (*k entries;
 * NULL when n is 0).  ABC_ERR_SPEC on NaN, ABC_ERR_ENV on OOM. */
AbcStatus stats_value_counts(const double *x, size_t n, StatsValueCount **out,
                             size_t *k) ABC_MUST_CHECK;

/* Mann-Whitney U with normal approximation, tie correction and continuity
 * correction 0.5 (Mann & Whitney 1947; scipy.stats.mannwhitneyu, method
 * "asymptotic"): u = U of sample a, z = (U_a − n_a n_b/2)/σ_U (no continuity),
 * two-sided p with continuity.  One merge walk over the two value counts
 * (the raw form builds them: ABC_ERR_ENV on OOM); ABC_ERR_SPEC on an empty
 * sample, NaN data, value counts out of order, or all values tied.
 *
 * The stream form takes the pooled sample one distinct value at a time, in
 * ascending order, as its counts in a and in b (either may be 0), and holds
 * no values: the counts form is this stream over the merge walk. */
typedef struct StatsMannWhitney {
    double u, z, p_value;
} StatsMannWhitney;
AbcStatus stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                             StatsMannWhitney *out) ABC_MUST_CHECK;
AbcStatus stats_mann_whitney_counts(const StatsValueCount *a, size_t ka,
                                    const StatsValueCount *b, size_t kb,
                                    StatsMannWhitney *out) ABC_MUST_CHECK;
typedef struct StatsMannWhitneyStream {
    long double na, nb, rank, ra, ties;
    bool bad; /* a count that is not a whole number >= 0 was pushed */
} StatsMannWhitneyStream;
void stats_mann_whitney_stream_init(StatsMannWhitneyStream *s);
void stats_mann_whitney_stream_push(StatsMannWhitneyStream *s, double ca, double cb);
AbcStatus stats_mann_whitney_stream_result(const StatsMannWhitneyStream *s,
                                           StatsMannWhitney *out) ABC_MUST_CHECK;

/* Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012) of the
 * difference of means (or relative difference) of two samples: each unit
 * gets weight ~ Poisson(1) per resample, the units taken in ascending order
 * of value; percentile CI at α.  Each arm draws from its own gsl_rng taus2,
 * arm k seeded with stats_bootstrap_seed(seed, k) (a: 0, b: 1), so the
 * arms can stream side by side and a control's draws do not depend on the
 * treatment it is compared with.  Reproducible for a given seed.
 *
 * The arm form streams one arm: init, push each distinct value in
 * ascending order with its count, then stats_bootstrap_arms compares two
 * arms of the same resample count; O(resamples) memory per arm. */
typedef struct StatsBootstrap {
    double est, se, ci_lo, ci_hi;
} StatsBootstrap;
AbcStatus stats_bootstrap(const double *a, size_t na, const double *b, size_t nb,
                          StatsEffectType type, size_t resamples, uint64_t seed, double alpha,
                          StatsBootstrap *out) ABC_MUST_CHECK;
AbcStatus stats_bootstrap_counts(const StatsValueCount *a, size_t ka, const StatsValueCount *b,
                                 size_t kb, StatsEffectType type, size_t resamples,
                                 uint64_t seed, double alpha, StatsBootstrap *out) ABC_MUST_CHECK;
typedef struct StatsBootstrapArm {
    size_t resamples;
    void *rng;           /* gsl_rng */
    double *sw, *swx;    /* per resample: Σw, Σw·x */
    long double sum;     /* Σx */
    double n, last;      /* units pushed, the last value */
    uint64_t cut[12];    /* Poisson(1) inversion thresholds */
    bool bad;            /* a value out of order or a count not a whole number >= 1 */
} StatsBootstrapArm;
uint64_t stats_bootstrap_seed(uint64_t seed, unsigned arm);
/* ABC_ERR_SPEC on resamples outside [2, 10^6], ABC_ERR_ENV on OOM. */
AbcStatus stats_bootstrap_arm_init(StatsBootstrapArm *a, size_t resamples,
                                   uint64_t seed) ABC_MUST_CHECK;
void stats_bootstrap_arm_push(StatsBootstrapArm *a, double value, double count);
AbcStatus stats_bootstrap_arms(const StatsBootstrapArm *a, const StatsBootstrapArm *b,
                               StatsEffectType type, double alpha,
                               StatsBootstrap *out) ABC_MUST_CHECK;
void stats_bootstrap_arm_free(StatsBootstrapArm *a);

/* Quantile q of a sample with the distribution-free CI from order statistics
 * (Conover 1999 §3.2): ranks l = ⌊nq − z√(nq(1−q))⌋, u = ⌈nq + z√(nq(1−q))⌉
 * clamped to [1, n]; estimate is the type-7 (linear) sample quantile.
 * ABC_ERR_SPEC on an empty sample, NaN data or value counts out of order.
 *
 * The stream form knows n before the first value (the order statistics
 * wanted follow from it), takes the distinct values in ascending order with
 * their counts and keeps only the four values it needs; its result is
 * ABC_ERR_SPEC unless the counts pushed add up to n. */
typedef struct StatsQuantile {
    double est, ci_lo, ci_hi;
    size_t rank_lo, rank_hi; /* 1-based order statistics used */
} StatsQuantile;
AbcStatus stats_quantile_ci(const double *x, size_t n, double q, double alpha,
                            StatsQuantile *out) ABC_MUST_CHECK;
AbcStatus stats_quantile_ci_counts(const StatsValueCount *x, size_t k, double q, double alpha,
                                   StatsQuantile *out) ABC_MUST_CHECK;
typedef struct StatsQuantileStream {
    double n, seen, last;
    double at[4];   /* 0-based positions: type-7 ⌊q(n−1)⌋ and the next, CI l − 1, u − 1 */
    double val[4];  /* the values found there */
    unsigned found; /* bit k: val[k] set */
    double delta;   /* type-7 interpolation weight */
    size_t rank_lo, rank_hi;
    bool bad;       /* a value out of order or a count not a whole number >= 1 */
} StatsQuantileStream;
AbcStatus stats_quantile_stream_init(StatsQuantileStream *s, double n, double q,
                                     double alpha) ABC_MUST_CHECK;
void stats_quantile_stream_push(StatsQuantileStream *s, double value, double count);
AbcStatus stats_quantile_stream_result(const StatsQuantileStream *s,
                                       StatsQuantile *out) ABC_MUST_CHECK;

/* ---- difference-in-differences --------------------------------------------- */
/* DiD on per-unit (post − pre) changes: est = Δ̄_b − Δ̄_a, Welch SE/dof on
 * the change variances; inputs are sums of the per-unit change d and d². */
AbcStatus stats_did(const StatsMoments *change_a, const StatsMoments *change_b, double alpha,
                    StatsTest *out, double *est) ABC_MUST_CHECK;
/* Pre-trends: OLS slope of the daily treatment−control difference y[i] on
 * day i over the pre-period, t-test on n−2 dof (H0 slope = 0).  n >= 3. */
AbcStatus stats_pretrend(const double *diff, size_t n, double alpha, StatsTest *out,
                         double *slope) ABC_MUST_CHECK;

/* ---- survival ------------------------------------------------------------------ */
/* A time-to-event sample as its distinct times in ascending order, each with
 * the units whose event happened then and the units censored then (whole
 * counts >= 0, not both 0): the survival table the warehouse returns.  The
 * functions below read it, so their memory follows the distinct times; the
 * forms over per-unit (time, event) pairs build it first
 * (stats_time_counts) and give the same numbers. */
typedef struct StatsTimeCount {
    double time, events, censored;
} StatsTimeCount;

/* The units time counts x[0..k) hold, or -1 when they are not time counts:
 * a time that is negative, not finite or not strictly ascending, or counts
 * that are not whole numbers >= 0 with at least one unit. */
double stats_time_counts_units(const StatsTimeCount *x, size_t k);

/* Sort p[0..n) by time and merge equal times, summing their counts, in
 * place; returns the number of distinct times left. */
size_t stats_time_counts_merge(StatsTimeCount *p, size_t n);

/* The time counts of per-unit times and events (time[i] >= 0 and finite,
 * event[i] 1 = event, 0 = censored): *out is malloc'd (*k entries; NULL
 * when n is 0).  ABC_ERR_SPEC on a bad time or event, ABC_ERR_ENV on OOM. */
AbcStatus stats_time_counts(const double *time, const int *event, size_t n, StatsTimeCount **out,
                            size_t *k) ABC_MUST_CHECK;

/* Kaplan-Meier estimate (Kaplan & Meier 1958) with Greenwood variance.
 * Writes the distinct event times into a malloc'd array of StatsKmPoint
 * (*out, *nout); caller frees.  ABC_ERR_SPEC on no units or malformed
 * counts. */
typedef struct StatsKmPoint {
    double time, surv, se; /* S(t) and its Greenwood standard error */
    double at_risk, events;
} StatsKmPoint;
AbcStatus stats_kaplan_meier(const double *time, const int *event, size_t n,
                             StatsKmPoint **out, size_t *nout) ABC_MUST_CHECK;
AbcStatus stats_kaplan_meier_counts(const StatsTimeCount *x, size_t k, StatsKmPoint **out,
                                    size_t *nout) ABC_MUST_CHECK;
/* Restricted mean survival time to tau, ∫₀^τ S(t) dt of the Kaplan-Meier
 * curve, with its variance Σ_{t_j ≤ τ} A_j² d_j/(Y_j(Y_j − d_j)), A_j =
 * ∫_{t_j}^τ S (Klein & Moeschberger 2003 §4.5).  ABC_ERR_SPEC on no data or
 * tau <= 0. */
AbcStatus stats_rmst(const double *time, const int *event, size_t n, double tau, double *est,
                     double *var) ABC_MUST_CHECK;
AbcStatus stats_rmst_counts(const StatsTimeCount *x, size_t k, double tau, double *est,
                            double *var) ABC_MUST_CHECK;
/* Two-group log-rank test (Mantel 1966): χ² on 1 dof and its p-value. */
AbcStatus stats_logrank(const double *time_a, const int *event_a, size_t na,
                        const double *time_b, const int *event_b, size_t nb, double *chi2,
                        double *p_value) ABC_MUST_CHECK;
AbcStatus stats_logrank_counts(const StatsTimeCount *a, size_t ka, const StatsTimeCount *b,
                               size_t kb, double *chi2, double *p_value) ABC_MUST_CHECK;

/* ---- power and MDE ---------------------------------------------------------------- */
typedef enum StatsDesign { STATS_FIXED, STATS_DESIGN_CS, STATS_DESIGN_GSD } StatsDesign;
typedef struct StatsPowerSpec {
    StatsMetricKind kind;
    double baseline;  /* control proportion / mean / ratio */
    double sd;        /* per-unit stddev for mean and ratio (delta-method for ratio) */
    double alpha, power;
    StatsSides sides;
    bool relative;    /* MDE relative to the baseline */
    size_t variations;/* arms including control (for totals); >= 2 */
    StatsDesign design;
    double tuning;    /* confidence-sequence tuning τ (default 5000) */
    size_t looks;     /* GSD: equally spaced looks */
} StatsPowerSpec;

/* Units per arm (not rounded; round up to plan) to detect `mde` (absolute,
 * or relative to the baseline when spec->relative) with two arms, equal split:
 * proportions n = (z_α√(2p̄(1−p̄)) + z_β√(p1(1−p1)+p2(1−p2)))²/δ² (Fleiss
 * et al. 2003 §4.2, pooled under H0), means and ratios n = (z_α + z_β)²·2σ²/δ²
 * with z_α = z_{1−α/2} (two-sided) or z_{1−α}; CS designs: the smallest n whose
 * confidence-sequence half-width + z_β·SE reaches δ; GSD: the fixed n times
 * the O'Brien-Fleming inflation factor (θ_K/(z_α + z_β))².  ABC_ERR_SPEC on
 * out-of-range inputs (a proportion leaving (0, 1), mde <= 0, sd <= 0). */
AbcStatus stats_sample_size(const StatsPowerSpec *spec, double mde,
                            double *n_per_arm) ABC_MUST_CHECK;
/* Minimum detectable effect (absolute, or relative when spec->relative) for
 * n units per arm: the inverse of stats_sample_size (closed form for
 * means/ratios, Brent's method otherwise). */
AbcStatus stats_mde(const StatsPowerSpec *spec, double n_per_arm, double *mde) ABC_MUST_CHECK;
/* Power of the fixed design with n per arm for a true effect `mde`, both
 * tails counted when two-sided: Φ(δ√n/σ_d − z_α) + Φ(−δ√n/σ_d − z_α)
 * (σ_d² the per-unit variance of the difference; Cohen 1988). */
AbcStatus stats_power_at(const StatsPowerSpec *spec, double n_per_arm, double mde,
                         double *power) ABC_MUST_CHECK;

/* ---- the analysis of one metric (abc stats, the runner) -------------------------- */
enum {
    STATS_M_TTEST = 1u << 0,         /* Welch t-test (or the sequential test) */
    STATS_M_BAYES = 1u << 1,         /* Gaussian Bayesian */
    STATS_M_ZTEST = 1u << 2,         /* two-proportion z-test (proportions) */
    STATS_M_BETA_BINOMIAL = 1u << 3, /* beta-binomial win probability (proportions) */
    STATS_M_DID = 1u << 4            /* difference-in-differences on post − pre (pre_* sums) */
};

/* Flags on a treatment's result. */
enum {
    STATS_F_REL_UNDEFINED = 1u << 0, /* control mean 0: relative effect undefined */
    STATS_F_ZERO_VARIANCE = 1u << 1, /* SE 0: no test possible */
    STATS_F_SMALL_N = 1u << 2,       /* an arm has n < 2 */
    STATS_F_SRM = 1u << 3,           /* sample ratio mismatch below threshold */
    STATS_F_BOUNDARY = 1u << 4       /* a proportion arm at 0 or 1: see exact_p_value */
};

/* The name of one STATS_F_* flag ("zero_variance", ...), as `abc stats`
 * and the report's `flags` column spell it; NULL for an unknown bit. */
const char *stats_flag_name(unsigned bit);

typedef struct StatsVariationIn {
    const char *id; /* borrowed; must outlive the result */
    double weight;
    StatsSums sums;
} StatsVariationIn;

typedef struct StatsRequest {
    StatsMetricKind kind;
    StatsDirection direction;
    bool cuped;
    double alpha;             /* (0, 1), default 0.05 */
    StatsEffectType effect;
    StatsSides sides;
    unsigned methods;         /* STATS_M_* bits */
    StatsSequential sequential;
    double seq_param;         /* CS tuning (5000) or mSPRT τ */
    bool has_prior;
    double prior_mean, prior_sd;
    StatsCorrection correction; /* across the treatments of this metric */
    double srm_threshold;       /* default 0.001 */
    size_t nvar;                /* >= 2, <= STATS_MAX_VARIATIONS */
    const StatsVariationIn *vars;
} StatsRequest;

#define STATS_MAX_VARIATIONS 1000

/* One variation's result; fields not computed are NaN (JSON null). */
typedef struct StatsArmResult {
    const char *id;
    double n, mean, stddev;
    /* treatments only (index >= 1) */
    unsigned flags;
    const char *message; /* static text explaining a flag, or NULL */
    /* effect, se, CI and p on the requested scale, from one test (the
     * sequential one when asked); abs_effect and rel_effect are the same
     * estimator's point on both scales (CUPED-adjusted when CUPED is on) */
    double effect, se, ci_lo, ci_hi, p_value, p_adjusted, dof;
    double abs_effect, rel_effect;
    double exact_p_value;                   /* Fisher's exact test, STATS_F_BOUNDARY */
    double z_p_value, z_stat;               /* STATS_M_ZTEST */
    double posterior_mean, chance_to_win, expected_loss, expected_loss_control;
    double cred_lo, cred_hi;
    double bb_chance_to_win;                /* STATS_M_BETA_BINOMIAL */
    double theta, variance_reduction;       /* CUPED */
    double did_effect, did_lo, did_hi, did_p_value; /* STATS_M_DID */
    StatsUplift uplift;
} StatsArmResult;

typedef struct StatsResult {
    double srm_p_value;
    bool srm_flag;
    size_t nvar;
    StatsArmResult *arms; /* malloc'd, nvar entries */
} StatsResult;

/* Analyse one metric across its variations.  Validates the request
 * (ABC_ERR_SPEC with a message naming the JSON path in err) and fills *out;
 * the caller releases it with stats_result_free().  ABC_ERR_ENV on OOM. */
AbcStatus stats_analyse(const StatsRequest *req, StatsResult *out, char *err,
                        size_t errlen) ABC_MUST_CHECK;
void stats_result_free(StatsResult *r);

/* Render a result as the `abc stats` output object (new cJSON tree owned by
 * the caller; NULL on OOM).  Non-finite numbers become null. */
cJSON *stats_result_to_json(const StatsRequest *req, const StatsResult *r);

/* Parse an `abc stats` input document into *req.  Strings (ids) and the
 * variation array are allocated in `arena`; the cJSON tree may be freed
 * afterwards.  ABC_ERR_SPEC with "$.path: message" in err on bad input. */
AbcStatus stats_request_from_json(const cJSON *root, Arena *arena, StatsRequest *req,
                                  char *err, size_t errlen) ABC_MUST_CHECK;

/* Print a cJSON tree as `abc stats` does: numbers with `digits`
 * significant digits (17 round-trips every double; `abc stats` defaults to
 * 6), non-finite numbers as null, two-space indentation. */
void stats_json_print(Buf *b, const cJSON *v, int digits);

/* Whole pipeline on a text buffer: parse, analyse, render with `digits`
 * significant digits (stats_json_print).  *out_json is malloc'd on success.
 * Status as above. */
AbcStatus stats_run_json(const char *text, size_t len, int digits, char **out_json, char *err,
                         size_t errlen) ABC_MUST_CHECK;

#endif
