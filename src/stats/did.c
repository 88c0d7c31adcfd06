/* did.c — difference-in-differences on per-unit pre/post changes, and the
 * pre-trends check on the daily treatment − control difference.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/* DiD (Angrist & Pischke 2009 ch. 5) with unit-level changes d = post − pre:
 * est = d̄_b − d̄_a, Welch SE² = v_a/n_a + v_b/n_b and dof, two-sided test. */
AbcStatus stats_did(const StatsMoments *change_a, const StatsMoments *change_b, double alpha,
                    StatsTest *out, double *est)
{
    if (!(change_a->n >= 2) || !(change_b->n >= 2))
        return ABC_ERR_SPEC;
    StatsEffect e = stats_effect(STATS_ABSOLUTE, change_a, change_b);
    double dof = stats_welch_dof(change_a, change_b);
    StatsTest t;
    AbcStatus st = stats_ttest(&e, dof, alpha, STATS_TWO_SIDED, STATS_HIGHER_BETTER, &t);
    if (st != ABC_OK)
        return st;
    *out = t;
    *est = e.est;
    return ABC_OK;
}

/* OLS of diff[i] on day index i: slope = Sxy/Sxx, residual variance
 * s² = (Syy − slope·Sxy)/(n−2), SE = s/√Sxx, t on n−2 dof (centred sums). */
AbcStatus stats_pretrend(const double *diff, size_t n, double alpha, StatsTest *out,
                         double *slope)
{
    stats_init();
    if (n < 3 || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    long double xm = (n - 1) / 2.0L, ym = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(diff[i]))
            return ABC_ERR_SPEC;
        ym += diff[i];
    }
    ym /= n;
    long double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        long double dx = i - xm, dy = diff[i] - ym;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    long double b = sxy / sxx;
    long double rss = syy - b * sxy;
    if (rss < 0)
        rss = 0;
    double dof = (double)(n - 2);
    double se = sqrt((double)(rss / (n - 2) / sxx));
    StatsTest t = {.dof = dof};
    if (!(se > 0)) {
        return ABC_ERR_SPEC;
    }
    t.stat = (double)b / se;
    t.p_value = fmin(1.0, 2.0 * gsl_cdf_tdist_Q(fabs(t.stat), dof));
    double q = gsl_cdf_tdist_Pinv(1 - alpha / 2, dof);
    t.ci_lo = (double)b - q * se;
    t.ci_hi = (double)b + q * se;
    *out = t;
    *slope = (double)b;
    return ABC_OK;
}
