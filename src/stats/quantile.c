/* quantile.c — quantile metrics: the sample quantile and a distribution-free
 * confidence interval from order statistics.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Estimate: type-7 quantile (Hyndman & Fan 1996; gsl_stats_quantile_from_sorted_data).
 * CI (Conover 1999 §3.2, normal approximation to the binomial rank
 * distribution): l = ⌊nq − z√(nq(1−q))⌋, u = ⌈nq + z√(nq(1−q))⌉, clamped to
 * [1, n], interval [x_(l), x_(u)], z = z_{1−α/2}. */
AbcStatus stats_quantile_ci(const double *x, size_t n, double q, double alpha,
                            StatsQuantile *out)
{
    stats_init();
    if (n == 0 || !(q > 0 && q < 1) || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return ABC_ERR_ENV;
    memcpy(s, x, n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        if (isnan(s[i])) {
            free(s);
            return ABC_ERR_SPEC;
        }
    gsl_sort(s, 1, n);
    double nd = (double)n;
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
    r.est = gsl_stats_quantile_from_sorted_data(s, 1, n, q);
    r.rank_lo = (size_t)l;
    r.rank_hi = (size_t)u;
    r.ci_lo = s[r.rank_lo - 1];
    r.ci_hi = s[r.rank_hi - 1];
    free(s);
    *out = r;
    return ABC_OK;
}
