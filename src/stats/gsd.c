/* gsd.c — group-sequential designs: Lan-DeMets O'Brien-Fleming-type alpha
 * spending and the boundaries it implies, found by recursive numerical
 * integration of the score process (Armitage, McPherson & Rowe 1969;
 * Jennison & Turnbull 2000, ch. 19).
 *
 * Work on the B-value scale S_k = Z_k·√t_k, a Brownian motion with drift θ
 * observed at the information fractions t_k.  The sub-density of S_k on the
 * continuation region is carried on a uniform grid and integrated with
 * Simpson's rule; each step convolves with the N(θΔ, Δ) increment.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>

#define GSD_GRID 1201  /* odd, for Simpson */
#define GSD_MAX_LOOKS 50
#define GSD_ZMAX 40.0  /* a boundary that is never crossed in practice */

/* Grid over the continuation region of one look. */
typedef struct Grid {
    double lo, hi, h;
    double f[GSD_GRID]; /* sub-density of S_k */
    double w[GSD_GRID]; /* Simpson weights × h/3 */
} Grid;

static void grid_weights(Grid *g)
{
    g->h = (g->hi - g->lo) / (GSD_GRID - 1);
    for (int i = 0; i < GSD_GRID; i++) {
        double c = (i == 0 || i == GSD_GRID - 1) ? 1 : (i % 2 ? 4 : 2);
        g->w[i] = c * g->h / 3.0;
    }
}

/* Truncate the region to the mean ± 14 sd of S_k where the mass lies. */
static void grid_range(Grid *g, double c, bool two_sided, double mean, double sd)
{
    g->hi = fmin(c, mean + 14 * sd);
    g->lo = two_sided ? fmax(-c, mean - 14 * sd) : mean - 14 * sd;
    if (g->lo > g->hi)
        g->lo = g->hi;
}

/* P(cross at the next look | sub-density g) for bound c on S with increment
 * N(θΔ, Δ): upper ∫ f(s) Q((c − s − θΔ)/√Δ) ds, plus the lower mirror. */
static double cross_prob(const Grid *g, double c, bool two_sided, double theta, double dt)
{
    double sd = sqrt(dt), m = theta * dt, p = 0;
    for (int i = 0; i < GSD_GRID; i++) {
        double s = g->lo + i * g->h;
        double q = gsl_cdf_ugaussian_Q((c - s - m) / sd);
        if (two_sided)
            q += gsl_cdf_ugaussian_P((-c - s - m) / sd);
        p += g->w[i] * g->f[i] * q;
    }
    return p;
}

/* Next sub-density on (−c, c): f'(s') = ∫ f(s) φ((s' − s − θΔ)/√Δ)/√Δ ds. */
static void advance(const Grid *g, Grid *next, double c, bool two_sided, double theta,
                    double t_next, double dt)
{
    double sd = sqrt(dt), m = theta * dt;
    grid_range(next, c, two_sided, theta * t_next, sqrt(t_next));
    grid_weights(next);
    for (int j = 0; j < GSD_GRID; j++) {
        double s2 = next->lo + j * next->h, acc = 0;
        for (int i = 0; i < GSD_GRID; i++) {
            double s = g->lo + i * g->h;
            acc += g->w[i] * g->f[i] * gsl_ran_gaussian_pdf(s2 - s - m, sd);
        }
        next->f[j] = acc;
    }
}

static void first_density(Grid *g, double c, bool two_sided, double theta, double t1)
{
    double sd = sqrt(t1);
    grid_range(g, c, two_sided, theta * t1, sd);
    grid_weights(g);
    for (int i = 0; i < GSD_GRID; i++)
        g->f[i] = gsl_ran_gaussian_pdf(g->lo + i * g->h - theta * t1, sd);
}

/* Lan & DeMets (1983) O'Brien-Fleming-type spending per side:
 * α_s(t) = 2 − 2Φ(z_{1−α_s/2}/√t). */
static double obf_spend(double alpha_side, double t)
{
    return 2.0 * gsl_cdf_ugaussian_Q(gsl_cdf_ugaussian_Pinv(1 - alpha_side / 2) / sqrt(t));
}

static AbcStatus check_fractions(const double *t, size_t k)
{
    if (k == 0 || k > GSD_MAX_LOOKS)
        return ABC_ERR_SPEC;
    double prev = 0;
    for (size_t i = 0; i < k; i++) {
        if (!(t[i] > prev) || t[i] > 1)
            return ABC_ERR_SPEC;
        prev = t[i];
    }
    if (fabs(t[k - 1] - 1.0) > 1e-12)
        return ABC_ERR_SPEC;
    return ABC_OK;
}

typedef struct RootCtx {
    const Grid *g;
    bool two_sided;
    double t, dt, target;
} RootCtx;

static double root_fn(double z, void *p)
{
    const RootCtx *r = p;
    return cross_prob(r->g, z * sqrt(r->t), r->two_sided, 0.0, r->dt) - r->target;
}

/* Brent's method for the z bound whose crossing probability equals target. */
static AbcStatus solve_bound(RootCtx *rc, double *z)
{
    gsl_function f = {root_fn, rc};
    double lo = 0.0, hi = GSD_ZMAX;
    if (root_fn(hi, rc) >= 0) {
        *z = hi;
        return ABC_OK;
    }
    if (root_fn(lo, rc) <= 0) {
        *z = lo;
        return ABC_OK;
    }
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return ABC_ERR_ENV;
    AbcStatus st = ABC_ERR_SPEC;
    if (gsl_root_fsolver_set(s, &f, lo, hi) == GSL_SUCCESS) {
        for (int it = 0; it < 200; it++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            if (gsl_root_test_interval(a, b, 1e-12, 0) == GSL_SUCCESS) {
                *z = gsl_root_fsolver_root(s);
                st = ABC_OK;
                break;
            }
        }
    }
    gsl_root_fsolver_free(s);
    return st;
}

/* Boundaries: look 1 from the spend directly; look k by solving
 * P(continue to k−1, cross at k) = α_s(t_k) − α_s(t_{k−1}) (per side). */
AbcStatus stats_gsd_obf(const double *t, size_t k, double alpha, bool two_sided, double *z_out)
{
    stats_init();
    if (!(alpha > 0 && alpha < 1) || check_fractions(t, k) != ABC_OK)
        return ABC_ERR_SPEC;
    double as = two_sided ? alpha / 2 : alpha;
    double *z = malloc(k * sizeof *z);
    Grid *g = malloc(2 * sizeof *g);
    if (!z || !g) {
        free(z);
        free(g);
        return ABC_ERR_ENV;
    }
    AbcStatus st = ABC_OK;
    double spent = obf_spend(as, t[0]);
    z[0] = spent > 0 ? gsl_cdf_ugaussian_Qinv(spent) : GSD_ZMAX;
    if (!(z[0] < GSD_ZMAX))
        z[0] = GSD_ZMAX;
    first_density(&g[0], z[0] * sqrt(t[0]), two_sided, 0.0, t[0]);
    int cur = 0;
    for (size_t i = 1; i < k && st == ABC_OK; i++) {
        double target = obf_spend(as, t[i]) - spent;
        double dt = t[i] - t[i - 1];
        RootCtx rc = {&g[cur], two_sided, t[i], dt, two_sided ? 2 * target : target};
        st = solve_bound(&rc, &z[i]);
        if (st != ABC_OK)
            break;
        spent += target;
        if (i + 1 < k) {
            advance(&g[cur], &g[1 - cur], z[i] * sqrt(t[i]), two_sided, 0.0, t[i], dt);
            cur = 1 - cur;
        }
    }
    if (st == ABC_OK)
        for (size_t i = 0; i < k; i++)
            z_out[i] = z[i];
    free(z);
    free(g);
    return st;
}

/* Σ_k P(first crossing at look k | drift θ): the design's power (θ > 0). */
AbcStatus stats_gsd_cross_prob(const double *t, const double *z, size_t k, bool two_sided,
                               double theta, double *prob)
{
    stats_init();
    if (check_fractions(t, k) != ABC_OK || !isfinite(theta))
        return ABC_ERR_SPEC;
    for (size_t i = 0; i < k; i++)
        if (!(z[i] > 0))
            return ABC_ERR_SPEC;
    Grid *g = malloc(2 * sizeof *g);
    if (!g)
        return ABC_ERR_ENV;
    double m1 = theta * sqrt(t[0]);
    double p = gsl_cdf_ugaussian_Q(z[0] - m1);
    if (two_sided)
        p += gsl_cdf_ugaussian_P(-z[0] - m1);
    first_density(&g[0], z[0] * sqrt(t[0]), two_sided, theta, t[0]);
    int cur = 0;
    for (size_t i = 1; i < k; i++) {
        double dt = t[i] - t[i - 1];
        p += cross_prob(&g[cur], z[i] * sqrt(t[i]), two_sided, theta, dt);
        if (i + 1 < k) {
            advance(&g[cur], &g[1 - cur], z[i] * sqrt(t[i]), two_sided, theta, t[i], dt);
            cur = 1 - cur;
        }
    }
    free(g);
    *prob = p < 0 ? 0 : (p > 1 ? 1 : p);
    return ABC_OK;
}

AbcStatus stats_gsd_test(const StatsEffect *e, double zb, double alpha, StatsSides sides,
                         StatsDirection dir, StatsTest *out)
{
    stats_init();
    double se = sqrt(e->var);
    if (!(se > 0) || !isfinite(se) || !(zb > 0) || !isfinite(zb) || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    StatsTest t = {.stat = e->est / se, .dof = HUGE_VAL};
    if (sides == STATS_TWO_SIDED) {
        double p_nom = 2.0 * gsl_cdf_ugaussian_Q(fabs(t.stat));
        double a_nom = 2.0 * gsl_cdf_ugaussian_Q(zb);
        t.p_value = fmin(1.0, p_nom * alpha / a_nom);
        t.ci_lo = e->est - zb * se;
        t.ci_hi = e->est + zb * se;
    } else {
        double z = dir == STATS_LOWER_BETTER ? -t.stat : t.stat;
        double p_nom = gsl_cdf_ugaussian_Q(z);
        double a_nom = gsl_cdf_ugaussian_Q(zb);
        t.p_value = fmin(1.0, p_nom * alpha / a_nom);
        t.ci_lo = dir == STATS_LOWER_BETTER ? -HUGE_VAL : e->est - zb * se;
        t.ci_hi = dir == STATS_LOWER_BETTER ? e->est + zb * se : HUGE_VAL;
    }
    *out = t;
    return ABC_OK;
}

AbcStatus stats_test_effect(const StatsTestSpec *ts, const StatsEffect *e, double dof,
                            double n_total, StatsTest *out)
{
    switch (ts->sequential) {
    case STATS_SEQ_CS: return stats_cs(e, n_total, ts->alpha, ts->seq_param, out);
    case STATS_SEQ_MSPRT: return stats_msprt(e, ts->alpha, ts->seq_param, out);
    case STATS_SEQ_GSD: return stats_gsd_test(e, ts->seq_param, ts->alpha, ts->sides, ts->direction, out);
    case STATS_SEQ_NONE: break;
    }
    return stats_ttest(e, dof, ts->alpha, ts->sides, ts->direction, out);
}
