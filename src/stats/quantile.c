/* quantile.c — quantile metrics: the sample quantile and a distribution-free
 * confidence interval from order statistics, over value counts.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

/* The value at 0-based position i of the sample the value counts hold. */
static double order_stat(const StatsValueCount *x, size_t k, double i)
{
    double seen = 0;
    for (size_t j = 0; j < k; j++) {
        seen += x[j].count;
        if (i < seen)
            return x[j].value;
    }
    return x[k - 1].value;
}

/* Estimate: type-7 quantile (Hyndman & Fan 1996; gsl_stats_quantile_from_sorted_data).
 * CI (Conover 1999 §3.2, normal approximation to the binomial rank
 * distribution): l = ⌊nq − z√(nq(1−q))⌋, u = ⌈nq + z√(nq(1−q))⌉, clamped to
 * [1, n], interval [x_(l), x_(u)], z = z_{1−α/2}. */
AbcStatus stats_quantile_ci_counts(const StatsValueCount *x, size_t k, double q, double alpha,
                                   StatsQuantile *out)
{
    stats_init();
    double nd = stats_value_counts_units(x, k);
    if (!(nd > 0) || !(q > 0 && q < 1) || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double z = gsl_cdf_ugaussian_Pinv(1 - alpha / 2);
    double half = z * sqrt(nd * q * (1 - q));
    double l = floor(nd * q - half), u = ceil(nd * q + half);
    if (l < 1)
        l = 1;
    if (u > nd)
        u = nd;
    if (u < 1)
        u = 1;
    if (l > nd)
        l = nd;
    StatsQuantile r;
    /* type 7 as gsl_stats_quantile_from_sorted_data computes it */
    double index = q * (nd - 1), lhs = floor(index), delta = index - lhs;
    double xl = order_stat(x, k, lhs);
    r.est = lhs == nd - 1 ? xl : (1 - delta) * xl + delta * order_stat(x, k, lhs + 1);
    r.rank_lo = (size_t)l;
    r.rank_hi = (size_t)u;
    r.ci_lo = order_stat(x, k, l - 1);
    r.ci_hi = order_stat(x, k, u - 1);
    *out = r;
    return ABC_OK;
}

AbcStatus stats_quantile_ci(const double *x, size_t n, double q, double alpha,
                            StatsQuantile *out)
{
    StatsValueCount *v = NULL;
    size_t k = 0;
    AbcStatus st = stats_value_counts(x, n, &v, &k);
    if (st == ABC_OK)
        st = stats_quantile_ci_counts(v, k, q, alpha, out);
    free(v);
    return st;
}
