/* survival.c — time-to-event metrics: Kaplan-Meier survival with Greenwood
 * standard errors, and the two-group log-rank test.  Both sort a copy of the
 * (time, event) pairs.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

typedef struct Obs {
    double t;
    int ev;
    int grp;
} Obs;

static int obs_cmp(const void *x, const void *y)
{
    const Obs *a = x, *b = y;
    return (a->t > b->t) - (a->t < b->t);
}

static AbcStatus load(Obs *o, size_t off, const double *time, const int *event, size_t n, int grp)
{
    for (size_t i = 0; i < n; i++) {
        if (!(time[i] >= 0) || !isfinite(time[i]) || (event[i] != 0 && event[i] != 1))
            return ABC_ERR_SPEC;
        o[off + i] = (Obs){time[i], event[i], grp};
    }
    return ABC_OK;
}

/* Kaplan & Meier (1958): S(t) = Π (1 − d_i/n_i) over event times ≤ t;
 * Greenwood (1926): Var S = S² Σ d_i/(n_i(n_i − d_i)). */
AbcStatus stats_kaplan_meier(const double *time, const int *event, size_t n,
                             StatsKmPoint **out, size_t *nout)
{
    if (n == 0)
        return ABC_ERR_SPEC;
    Obs *o = malloc(n * sizeof *o);
    StatsKmPoint *pts = malloc(n * sizeof *pts);
    if (!o || !pts) {
        free(o);
        free(pts);
        return ABC_ERR_ENV;
    }
    if (load(o, 0, time, event, n, 0) != ABC_OK) {
        free(o);
        free(pts);
        return ABC_ERR_SPEC;
    }
    qsort(o, n, sizeof *o, obs_cmp);
    double s = 1, gw = 0, risk = (double)n;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        double t = o[i].t, d = 0, c = 0;
        while (i < n && o[i].t == t) {
            if (o[i].ev)
                d++;
            else
                c++;
            i++;
        }
        if (d > 0) {
            s *= 1 - d / risk;
            if (risk > d)
                gw += d / (risk * (risk - d));
            pts[k++] = (StatsKmPoint){t, s, risk > d ? s * sqrt(gw) : 0, risk, d};
        }
        risk -= d + c;
    }
    free(o);
    *out = pts;
    *nout = k;
    return ABC_OK;
}

/* Log-rank (Mantel 1966; Peto & Peto 1972): at each event time
 * O − E = d_a − d·n_a/n, V = d (n_a/n)(1 − n_a/n)(n − d)/(n − 1);
 * χ² = (Σ(O − E))²/ΣV on 1 dof. */
AbcStatus stats_logrank(const double *time_a, const int *event_a, size_t na,
                        const double *time_b, const int *event_b, size_t nb, double *chi2,
                        double *p_value)
{
    stats_init();
    if (na == 0 || nb == 0)
        return ABC_ERR_SPEC;
    size_t n = na + nb;
    Obs *o = malloc(n * sizeof *o);
    if (!o)
        return ABC_ERR_ENV;
    if (load(o, 0, time_a, event_a, na, 0) != ABC_OK ||
        load(o, na, time_b, event_b, nb, 1) != ABC_OK) {
        free(o);
        return ABC_ERR_SPEC;
    }
    qsort(o, n, sizeof *o, obs_cmp);
    double ra = (double)na, rt = (double)n;
    long double oe = 0, v = 0;
    for (size_t i = 0; i < n;) {
        double t = o[i].t, d = 0, da = 0, ca = 0, all = 0;
        while (i < n && o[i].t == t) {
            all++;
            if (o[i].ev) {
                d++;
                if (o[i].grp == 0)
                    da++;
            }
            if (o[i].grp == 0)
                ca++;
            i++;
        }
        if (d > 0 && rt > 0) {
            double frac = ra / rt;
            oe += da - d * frac;
            if (rt > 1)
                v += d * frac * (1 - frac) * (rt - d) / (rt - 1);
        }
        ra -= ca;
        rt -= all;
    }
    free(o);
    if (!(v > 0))
        return ABC_ERR_SPEC;
    double c = (double)(oe * oe / v);
    *chi2 = c;
    *p_value = gsl_cdf_chisq_Q(c, 1.0);
    return ABC_OK;
}

AbcStatus stats_rmst(const double *time, const int *event, size_t n, double tau, double *est,
                     double *var)
{
    if (!(tau > 0) || n == 0)
        return ABC_ERR_SPEC;
    StatsKmPoint *p = NULL;
    size_t np = 0;
    AbcStatus st = stats_kaplan_meier(time, event, n, &p, &np);
    if (st != ABC_OK)
        return st;
    /* area under the step function: S = 1 before the first event time */
    size_t k = 0;
    while (k < np && p[k].time <= tau)
        k++;
    double area = 0, prev_t = 0, prev_s = 1;
    for (size_t j = 0; j < k; j++) {
        area += prev_s * (p[j].time - prev_t);
        prev_t = p[j].time;
        prev_s = p[j].surv;
    }
    area += prev_s * (tau - prev_t);
    /* A_j = ∫_{t_j}^τ S, accumulated from the right */
    double v = 0, tail = 0;
    for (size_t j = k; j-- > 0;) {
        double next_t = j + 1 < k ? p[j + 1].time : tau;
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
