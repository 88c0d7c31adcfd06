/* quantile.c — quantile metrics: the sample quantile and a distribution-free
 * confidence interval from order statistics, over a sample streamed as value
 * counts in ascending order.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Estimate: type-7 quantile (Hyndman & Fan 1996; gsl_stats_quantile_from_sorted_data).
 * CI (Conover 1999 §3.2, normal approximation to the binomial rank
 * distribution): l = ⌊nq − z√(nq(1−q))⌋, u = ⌈nq + z√(nq(1−q))⌉, clamped to
 * [1, n], interval [x_(l), x_(u)], z = z_{1−α/2}.  The order statistics
 * wanted follow from n alone, so the stream keeps the four values at their
 * positions as the sample goes by. */
AbcStatus stats_quantile_stream_init(StatsQuantileStream *s, double n, double q, double alpha)
{
    stats_init();
    memset(s, 0, sizeof *s);
    if (!(n >= 1) || n != floor(n) || n > 9e15 || !(q > 0 && q < 1) || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double z = gsl_cdf_ugaussian_Pinv(1 - alpha / 2);
    double half = z * sqrt(n * q * (1 - q));
    double l = floor(n * q - half), u = ceil(n * q + half);
    if (l < 1)
        l = 1;
    if (u > n)
        u = n;
    if (u < 1)
        u = 1;
    if (l > n)
        l = n;
    /* type 7 as gsl_stats_quantile_from_sorted_data computes it */
    double index = q * (n - 1), lhs = floor(index);
    s->n = n;
    s->delta = index - lhs;
    s->at[0] = lhs;
    s->at[1] = lhs + 1; /* never reached when lhs is the last position */
    s->at[2] = l - 1;
    s->at[3] = u - 1;
    s->rank_lo = (size_t)l;
    s->rank_hi = (size_t)u;
    s->last = -INFINITY;
    return ABC_OK;
}

void stats_quantile_stream_push(StatsQuantileStream *s, double value, double count)
{
    if (isnan(value) || !(value > s->last) || !(count >= 1) || count != floor(count)) {
        s->bad = true;
        return;
    }
    for (int k = 0; k < 4; k++)
        if (!(s->found & (1u << k)) && s->at[k] < s->seen + count) {
            s->val[k] = value;
            s->found |= 1u << k;
        }
    s->seen += count;
    s->last = value;
}

AbcStatus stats_quantile_stream_result(const StatsQuantileStream *s, StatsQuantile *out)
{
    if (s->bad || !(s->n >= 1) || s->seen != s->n)
        return ABC_ERR_SPEC;
    StatsQuantile r;
    double xl = s->val[0];
    r.est = s->at[0] == s->n - 1 ? xl : (1 - s->delta) * xl + s->delta * s->val[1];
    r.rank_lo = s->rank_lo;
    r.rank_hi = s->rank_hi;
    r.ci_lo = s->val[2];
    r.ci_hi = s->val[3];
    *out = r;
    return ABC_OK;
}

AbcStatus stats_quantile_ci_counts(const StatsValueCount *x, size_t k, double q, double alpha,
                                   StatsQuantile *out)
{
    StatsQuantileStream s;
    AbcStatus st = stats_quantile_stream_init(&s, stats_value_counts_units(x, k), q, alpha);
    if (st != ABC_OK)
        return st;
    for (size_t i = 0; i < k; i++)
        stats_quantile_stream_push(&s, x[i].value, x[i].count);
    return stats_quantile_stream_result(&s, out);
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
