/* moments.c — per-arm means and variances from sufficient statistics, and a
 * Welford running accumulator for raw data.
 *
 * Variances from sums are computed in long double (64-bit mantissa on x86-64)
 * and clamped at 0, because Σx² − (Σx)²/n cancels catastrophically in plain
 * double once the mean is large compared with the spread.  Raw data goes
 * through StatsRunning, the centred (Welford) form, which stays exact to
 * rounding for any mean, e.g. mean 1e9 with stddev 1.
 */
#include "abc/stats.h"

#include <gsl/gsl_errno.h>
#include <math.h>

void stats_init(void)
{
    static int done;
    if (!done) {
        gsl_set_error_handler_off();
        done = 1;
    }
}

/* (Σx² − (Σx)²/n)/(n−1) in long double, clamped at 0 (textbook sample
 * variance; long double guards the cancellation). */
double stats_var_from_sums(double n, double sum, double sum_sq)
{
    if (!(n >= 2))
        return 0.0;
    long double ln = n, s = sum, ss = sum_sq;
    long double v = (ss - s * s / ln) / (ln - 1.0L);
    if (!(v > 0))
        return 0.0;
    return (double)v;
}

/* (Σxy − ΣxΣy/n)/(n−1) in long double (sample covariance). */
double stats_cov_from_sums(double n, double sx, double sy, double sxy)
{
    if (!(n >= 2))
        return 0.0;
    long double ln = n;
    long double c = ((long double)sxy - (long double)sx * (long double)sy / ln) / (ln - 1.0L);
    return (double)c;
}

/* gbstats ProportionStatistic / SampleMeanStatistic / RatioStatistic:
 * proportion var p(1−p); mean (n−1)-variance; ratio by the delta method
 * var_m/μd² + var_d μm²/μd⁴ − 2 cov μm/μd³ (Deng, Knoblich & Lu 2018). */
AbcStatus stats_moments(StatsMetricKind kind, const StatsSums *s, StatsMoments *out)
{
    if (!(s->n > 0) || !isfinite(s->n) || !isfinite(s->sum) || !isfinite(s->sum_sq))
        return ABC_ERR_SPEC;
    StatsMoments m = {.n = s->n};
    switch (kind) {
    case STATS_PROPORTION: {
        double p = s->sum / s->n;
        if (p < 0 || p > 1)
            return ABC_ERR_SPEC;
        m.mean = p;
        m.var = p * (1.0 - p);
        break;
    }
    case STATS_MEAN:
        m.mean = s->sum / s->n;
        m.var = stats_var_from_sums(s->n, s->sum, s->sum_sq);
        break;
    case STATS_RATIO: {
        if (s->den_sum == 0 || !isfinite(s->den_sum))
            return ABC_ERR_SPEC;
        long double mm = (long double)s->sum / s->n, md = (long double)s->den_sum / s->n;
        long double vm = stats_var_from_sums(s->n, s->sum, s->sum_sq);
        long double vd = stats_var_from_sums(s->n, s->den_sum, s->den_sum_sq);
        long double c = stats_cov_from_sums(s->n, s->sum, s->den_sum, s->sum_den);
        long double v = vm / (md * md) + vd * mm * mm / (md * md * md * md) -
                        2.0L * c * mm / (md * md * md);
        m.mean = (double)(mm / md);
        m.var = v > 0 ? (double)v : 0.0;
        break;
    }
    default:
        return ABC_ERR_SPEC;
    }
    *out = m;
    return ABC_OK;
}

void stats_running_init(StatsRunning *r)
{
    r->n = 0;
    r->mean = 0;
    r->m2 = 0;
}

/* Welford (1962): δ = x − mean; mean += δ/n; M2 += δ(x − mean). */
void stats_running_push(StatsRunning *r, double x)
{
    r->n += 1.0;
    long double d = (long double)x - r->mean;
    r->mean += d / r->n;
    r->m2 += d * ((long double)x - r->mean);
}

/* Chan, Golub & LeVeque (1979) pairwise combination of two accumulators. */
void stats_running_merge(StatsRunning *into, const StatsRunning *other)
{
    if (other->n == 0)
        return;
    if (into->n == 0) {
        *into = *other;
        return;
    }
    long double n = (long double)into->n + other->n;
    long double d = other->mean - into->mean;
    into->m2 += other->m2 + d * d * into->n * other->n / n;
    into->mean += d * other->n / n;
    into->n = (double)n;
}

double stats_running_var(const StatsRunning *r)
{
    if (!(r->n >= 2))
        return 0.0;
    long double v = r->m2 / ((long double)r->n - 1.0L);
    return v > 0 ? (double)v : 0.0;
}
