/* multiple.c — multiple-testing corrections over a family of p-values:
 * Bonferroni, Holm (1979) step-down and Benjamini-Hochberg (1995) step-up,
 * returned as adjusted p-values in input order (as statsmodels multipletests).
 */
#include "abc/stats.h"

#include <math.h>
#include <stdlib.h>

typedef struct PIdx {
    double p;
    size_t i;
} PIdx;

static int pidx_cmp(const void *x, const void *y)
{
    const PIdx *a = x, *b = y;
    if (a->p < b->p)
        return -1;
    if (a->p > b->p)
        return 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Bonferroni: min(1, k·p).  Holm: sorted ascending, running max of
 * (k − j)·p_(j).  BH: sorted, running min from the top of k/(j+1)·p_(j). */
AbcStatus stats_adjust_p(StatsCorrection c, const double *p, size_t k, double *adj)
{
    for (size_t i = 0; i < k; i++)
        if (!(p[i] >= 0 && p[i] <= 1))
            return ABC_ERR_SPEC;
    if (k == 0)
        return ABC_OK;
    PIdx *v = malloc(k * sizeof *v);
    if (!v)
        return ABC_ERR_ENV;
    for (size_t i = 0; i < k; i++)
        v[i] = (PIdx){p[i], i};
    qsort(v, k, sizeof *v, pidx_cmp);
    double kd = (double)k;
    switch (c) {
    case STATS_CORR_NONE:
        break;
    case STATS_CORR_BONFERRONI:
        for (size_t j = 0; j < k; j++)
            v[j].p = fmin(1.0, kd * v[j].p);
        break;
    case STATS_CORR_HOLM: {
        double run = 0;
        for (size_t j = 0; j < k; j++) {
            double a = fmin(1.0, (kd - (double)j) * v[j].p);
            run = fmax(run, a);
            v[j].p = run;
        }
        break;
    }
    case STATS_CORR_BH: {
        double run = 1.0;
        for (size_t j = k; j-- > 0;) {
            double a = fmin(1.0, kd / (double)(j + 1) * v[j].p);
            run = fmin(run, a);
            v[j].p = run;
        }
        break;
    }
    default:
        free(v);
        return ABC_ERR_SPEC;
    }
    for (size_t j = 0; j < k; j++)
        adj[v[j].i] = v[j].p;
    free(v);
    return ABC_OK;
}
