/* ttest.c — frequentist fixed-horizon tests: Welch t-test on an effect,
 * two-proportion z-test, and the sample-ratio-mismatch χ² test.
 *
 * p-values use the upper tail directly (gsl_cdf_*_Q) rather than 1 − CDF so
 * small p-values keep their relative precision.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/* Welch–Satterthwaite: (v_a/n_a + v_b/n_b)² / Σ (v/n)²/(n−1) (Welch 1947);
 * an arm with n <= 1 or zero variance contributes no term; +∞ if none do. */
double stats_welch_dof(const StatsMoments *a, const StatsMoments *b)
{
    double qa = a->var / a->n, qb = b->var / b->n;
    double den = 0;
    if (a->n > 1 && qa > 0)
        den += qa * qa / (a->n - 1);
    if (b->n > 1 && qb > 0)
        den += qb * qb / (b->n - 1);
    if (!(den > 0))
        return HUGE_VAL;
    double dof = (qa + qb) * (qa + qb) / den;
    return isfinite(dof) ? dof : HUGE_VAL;
}

static double upper_q(double x, double dof)
{
    return isfinite(dof) ? gsl_cdf_tdist_Q(x, dof) : gsl_cdf_ugaussian_Q(x);
}

static double quant(double p, double dof)
{
    return isfinite(dof) ? gsl_cdf_tdist_Pinv(p, dof) : gsl_cdf_ugaussian_Pinv(p);
}

/* t = est/SE; two-sided p = 2·Q_dof(|t|), CI est ± t_{1−α/2,dof}·SE; one-sided
 * towards the better direction p = Q(t) (higher) or Q(−t) (lower) with a
 * one-sided CI (Welch 1947; gbstats TwoSidedTTest / OneSidedTreatment*). */
AbcStatus stats_ttest(const StatsEffect *e, double dof, double alpha, StatsSides sides,
                      StatsDirection dir, StatsTest *out)
{
    stats_init();
    if (!e->defined || !(e->var > 0) || !isfinite(e->var) || !isfinite(e->est))
        return ABC_ERR_SPEC;
    if (!(alpha > 0 && alpha < 1) || !(dof > 0))
        return ABC_ERR_SPEC;
    double se = sqrt(e->var);
    StatsTest t = {.stat = e->est / se, .dof = dof};
    if (sides == STATS_TWO_SIDED) {
        double p = 2.0 * upper_q(fabs(t.stat), dof);
        t.p_value = p > 1 ? 1 : p;
        double q = quant(1 - alpha / 2, dof);
        t.ci_lo = e->est - q * se;
        t.ci_hi = e->est + q * se;
    } else {
        double q = quant(1 - alpha, dof);
        if (dir == STATS_HIGHER_BETTER) {
            t.p_value = upper_q(t.stat, dof);
            t.ci_lo = e->est - q * se;
            t.ci_hi = HUGE_VAL;
        } else {
            t.p_value = upper_q(-t.stat, dof);
            t.ci_lo = -HUGE_VAL;
            t.ci_hi = e->est + q * se;
        }
    }
    *out = t;
    return ABC_OK;
}

/* Pooled two-proportion z-test (Fleiss, Levin & Paik 2003 §4.3):
 * z = (p_b − p_a)/sqrt(p̄(1−p̄)(1/n_a + 1/n_b)); Wald CI with the unpooled SE. */
AbcStatus stats_ztest_prop(double n_a, double x_a, double n_b, double x_b, double alpha,
                           StatsSides sides, StatsDirection dir, StatsTest *out)
{
    stats_init();
    if (!(n_a > 0) || !(n_b > 0) || !(x_a >= 0) || !(x_b >= 0) || x_a > n_a || x_b > n_b)
        return ABC_ERR_SPEC;
    if (!(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double pa = x_a / n_a, pb = x_b / n_b, pool = (x_a + x_b) / (n_a + n_b);
    double se0 = sqrt(pool * (1 - pool) * (1 / n_a + 1 / n_b));
    double se1 = sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b);
    if (!(se0 > 0))
        return ABC_ERR_SPEC;
    double d = pb - pa;
    StatsTest t = {.stat = d / se0, .dof = HUGE_VAL};
    if (sides == STATS_TWO_SIDED) {
        double p = 2.0 * gsl_cdf_ugaussian_Q(fabs(t.stat));
        t.p_value = p > 1 ? 1 : p;
        double q = gsl_cdf_ugaussian_Pinv(1 - alpha / 2);
        t.ci_lo = d - q * se1;
        t.ci_hi = d + q * se1;
    } else {
        double q = gsl_cdf_ugaussian_Pinv(1 - alpha);
        if (dir == STATS_HIGHER_BETTER) {
            t.p_value = gsl_cdf_ugaussian_Q(t.stat);
            t.ci_lo = d - q * se1;
            t.ci_hi = HUGE_VAL;
        } else {
            t.p_value = gsl_cdf_ugaussian_P(t.stat);
            t.ci_lo = -HUGE_VAL;
            t.ci_hi = d + q * se1;
        }
    }
    *out = t;
    return ABC_OK;
}

/* Pearson χ² = Σ (n_i − N w_i)²/(N w_i) on k−1 dof (gbstats check_srm),
 * over the arms of positive weight.  An arm of weight 0 that has units can
 * not arise from the split at all: p = 0 (its expected count is 0, χ² is
 * infinite).  Arms of weight 0 without units are left out of the test. */
AbcStatus stats_srm(const double *n, const double *weights, size_t k, double *p_value)
{
    stats_init();
    if (k < 2)
        return ABC_ERR_SPEC;
    double wsum = 0, total = 0;
    size_t kpos = 0;
    bool zero_with_units = false;
    for (size_t i = 0; i < k; i++) {
        if (!(weights[i] >= 0) || !isfinite(weights[i]) || !(n[i] >= 0) || !isfinite(n[i]))
            return ABC_ERR_SPEC;
        if (weights[i] > 0)
            kpos++;
        else if (n[i] > 0)
            zero_with_units = true;
        wsum += weights[i];
        total += n[i];
    }
    if (fabs(wsum - 1.0) > 1e-6)
        return ABC_ERR_SPEC;
    if (zero_with_units) {
        *p_value = 0.0;
        return ABC_OK;
    }
    if (!(total > 0) || kpos < 2) {
        *p_value = 1.0;
        return ABC_OK;
    }
    long double chi2 = 0;
    for (size_t i = 0; i < k; i++) {
        if (!(weights[i] > 0))
            continue;
        long double e = (long double)total * weights[i] / wsum;
        long double d = n[i] - e;
        chi2 += d * d / e;
    }
    *p_value = gsl_cdf_chisq_Q((double)chi2, (double)(kpos - 1));
    return ABC_OK;
}
