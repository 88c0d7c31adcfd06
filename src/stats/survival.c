/* survival.c — time-to-event metrics over time counts (distinct times with
 * their events and censored units; per-unit pairs are turned into them
 * first): Kaplan-Meier survival with Greenwood standard errors, the
 * restricted mean survival time, and the two-group log-rank test.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

/* ---- time counts ------------------------------------------------------------------ */

static int tc_cmp(const void *x, const void *y)
{
    double a = ((const StatsTimeCount *)x)->time, b = ((const StatsTimeCount *)y)->time;
    return (a > b) - (a < b);
}

size_t stats_time_counts_merge(StatsTimeCount *p, size_t n)
{
    if (n == 0)
        return 0;
    qsort(p, n, sizeof *p, tc_cmp);
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i].time == p[m].time) {
            p[m].events += p[i].events;
            p[m].censored += p[i].censored;
        } else {
            p[++m] = p[i];
        }
    }
    return m + 1;
}

double stats_time_counts_units(const StatsTimeCount *x, size_t k)
{
    double units = 0;
    for (size_t i = 0; i < k; i++) {
        double t = x[i].time, e = x[i].events, c = x[i].censored;
        if (!(t >= 0) || !isfinite(t) || (i > 0 && !(t > x[i - 1].time)) || !(e >= 0) ||
            !(c >= 0) || e != floor(e) || c != floor(c) || !(e + c >= 1) || e + c > 9e15)
            return -1;
        units += e + c;
    }
    return units;
}

AbcStatus stats_time_counts(const double *time, const int *event, size_t n, StatsTimeCount **out,
                            size_t *k)
{
    *out = NULL;
    *k = 0;
    if (n == 0)
        return ABC_OK;
    StatsTimeCount *p = malloc(n * sizeof *p);
    if (!p)
        return ABC_ERR_ENV;
    for (size_t i = 0; i < n; i++) {
        if (!(time[i] >= 0) || !isfinite(time[i]) || (event[i] != 0 && event[i] != 1)) {
            free(p);
            return ABC_ERR_SPEC;
        }
        p[i] = (StatsTimeCount){time[i], event[i], 1 - event[i]};
    }
    *k = stats_time_counts_merge(p, n);
    *out = p;
    return ABC_OK;
}

/* ---- Kaplan-Meier ------------------------------------------------------------------- */
/* Kaplan & Meier (1958): S(t) = Π (1 − d_i/n_i) over event times ≤ t;
 * Greenwood (1926): Var S = S² Σ d_i/(n_i(n_i − d_i)). */
AbcStatus stats_kaplan_meier_counts(const StatsTimeCount *x, size_t k, StatsKmPoint **out,
                                    size_t *nout)
{
    double risk = stats_time_counts_units(x, k);
    if (!(risk > 0))
        return ABC_ERR_SPEC;
    StatsKmPoint *pts = malloc(k * sizeof *pts);
    if (!pts)
        return ABC_ERR_ENV;
    double s = 1, gw = 0;
    size_t np = 0;
    for (size_t i = 0; i < k; i++) {
        double t = x[i].time, d = x[i].events, c = x[i].censored;
        if (d > 0) {
            s *= 1 - d / risk;
            if (risk > d)
                gw += d / (risk * (risk - d));
            pts[np++] = (StatsKmPoint){t, s, risk > d ? s * sqrt(gw) : 0, risk, d};
        }
        risk -= d + c;
    }
    *out = pts;
    *nout = np;
    return ABC_OK;
}

AbcStatus stats_kaplan_meier(const double *time, const int *event, size_t n,
                             StatsKmPoint **out, size_t *nout)
{
    StatsTimeCount *x = NULL;
    size_t k = 0;
    AbcStatus st = stats_time_counts(time, event, n, &x, &k);
    if (st == ABC_OK)
        st = stats_kaplan_meier_counts(x, k, out, nout);
    free(x);
    return st;
}

/* ---- log-rank --------------------------------------------------------------------- */
/* Log-rank (Mantel 1966; Peto & Peto 1972): at each event time
 * O − E = d_a − d·n_a/n, V = d (n_a/n)(1 − n_a/n)(n − d)/(n − 1);
 * χ² = (Σ(O − E))²/ΣV on 1 dof.  One merge walk over the two tables. */
AbcStatus stats_logrank_counts(const StatsTimeCount *a, size_t ka, const StatsTimeCount *b,
                               size_t kb, double *chi2, double *p_value)
{
    stats_init();
    double na = stats_time_counts_units(a, ka), nb = stats_time_counts_units(b, kb);
    if (!(na > 0 && nb > 0))
        return ABC_ERR_SPEC;
    double ra = na, rt = na + nb;
    long double oe = 0, v = 0;
    size_t i = 0, j = 0;
    while (i < ka || j < kb) {
        double t = (j >= kb || (i < ka && a[i].time <= b[j].time)) ? a[i].time : b[j].time;
        double da = 0, ca = 0, db = 0, cb = 0;
        if (i < ka && a[i].time == t) {
            da = a[i].events;
            ca = a[i].events + a[i].censored;
            i++;
        }
        if (j < kb && b[j].time == t) {
            db = b[j].events;
            cb = b[j].events + b[j].censored;
            j++;
        }
        double d = da + db, all = ca + cb;
        if (d > 0 && rt > 0) {
            double frac = ra / rt;
            oe += da - d * frac;
            if (rt > 1)
                v += d * frac * (1 - frac) * (rt - d) / (rt - 1);
        }
        ra -= ca;
        rt -= all;
    }
    if (!(v > 0))
        return ABC_ERR_SPEC;
    double c = (double)(oe * oe / v);
    *chi2 = c;
    *p_value = gsl_cdf_chisq_Q(c, 1.0);
    return ABC_OK;
}

AbcStatus stats_logrank(const double *time_a, const int *event_a, size_t na,
                        const double *time_b, const int *event_b, size_t nb, double *chi2,
                        double *p_value)
{
    StatsTimeCount *a = NULL, *b = NULL;
    size_t ka = 0, kb = 0;
    AbcStatus st = stats_time_counts(time_a, event_a, na, &a, &ka);
    if (st == ABC_OK)
        st = stats_time_counts(time_b, event_b, nb, &b, &kb);
    if (st == ABC_OK)
        st = stats_logrank_counts(a, ka, b, kb, chi2, p_value);
    free(a);
    free(b);
    return st;
}

/* ---- restricted mean survival time -------------------------------------------------- */
AbcStatus stats_rmst_counts(const StatsTimeCount *x, size_t k, double tau, double *est,
                            double *var)
{
    if (!(tau > 0))
        return ABC_ERR_SPEC;
    StatsKmPoint *p = NULL;
    size_t np = 0;
    AbcStatus st = stats_kaplan_meier_counts(x, k, &p, &np);
    if (st != ABC_OK)
        return st;
    /* area under the step function: S = 1 before the first event time */
    size_t last = 0;
    while (last < np && p[last].time <= tau)
        last++;
    double area = 0, prev_t = 0, prev_s = 1;
    for (size_t j = 0; j < last; j++) {
        area += prev_s * (p[j].time - prev_t);
        prev_t = p[j].time;
        prev_s = p[j].surv;
    }
    area += prev_s * (tau - prev_t);
    /* A_j = ∫_{t_j}^τ S, accumulated from the right */
    double v = 0, tail = 0;
    for (size_t j = last; j-- > 0;) {
        double next_t = j + 1 < last ? p[j + 1].time : tau;
        tail += p[j].surv * (next_t - p[j].time);
        double y = p[j].at_risk, d = p[j].events;
        if (y - d > 0)
            v += tail * tail * d / (y * (y - d));
    }
    free(p);
    *est = area;
    *var = v;
    return ABC_OK;
}

AbcStatus stats_rmst(const double *time, const int *event, size_t n, double tau, double *est,
                     double *var)
{
    StatsTimeCount *x = NULL;
    size_t k = 0;
    AbcStatus st = stats_time_counts(time, event, n, &x, &k);
    if (st == ABC_OK)
        st = stats_rmst_counts(x, k, tau, est, var);
    free(x);
    return st;
}
