/* power.c — sample size, minimum detectable effect and power for proportion,
 * mean and ratio metrics; fixed-horizon, confidence-sequence and
 * group-sequential (O'Brien-Fleming) designs.  Two arms, equal split.
 *
 * Everything reduces to: the difference δ is estimated with variance
 * σ1²/n (σ1² = p1(1−p1) + p2(1−p2), or 2σ²) and tested with null variance
 * σ0²/n (σ0² = 2p̄(1−p̄) for proportions, else 2σ²).
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>

static AbcStatus check_spec(const StatsPowerSpec *s)
{
    if (!(s->alpha > 0 && s->alpha < 1) || !(s->power > 0 && s->power < 1))
        return ABC_ERR_SPEC;
    if (!isfinite(s->baseline))
        return ABC_ERR_SPEC;
    if (s->kind == STATS_PROPORTION) {
        if (!(s->baseline > 0 && s->baseline < 1))
            return ABC_ERR_SPEC;
    } else if (!(s->sd > 0) || !isfinite(s->sd)) {
        return ABC_ERR_SPEC;
    }
    if (s->relative && s->baseline == 0)
        return ABC_ERR_SPEC;
    if (s->design == STATS_DESIGN_CS && !(s->tuning > 0))
        return ABC_ERR_SPEC;
    if (s->design == STATS_DESIGN_GSD && (s->looks < 1 || s->looks > 50))
        return ABC_ERR_SPEC;
    return ABC_OK;
}

static double z_alpha(const StatsPowerSpec *s)
{
    return gsl_cdf_ugaussian_Qinv(s->sides == STATS_TWO_SIDED ? s->alpha / 2 : s->alpha);
}

/* Absolute δ from the spec's mde; ABC_ERR_SPEC if p2 leaves (0, 1). */
static AbcStatus abs_delta(const StatsPowerSpec *s, double mde, double *delta)
{
    double d = s->relative ? mde * fabs(s->baseline) : mde;
    if (!(d > 0) || !isfinite(d))
        return ABC_ERR_SPEC;
    if (s->kind == STATS_PROPORTION && !(s->baseline + d < 1))
        return ABC_ERR_SPEC;
    *delta = d;
    return ABC_OK;
}

/* Per-unit null and alternative variances of the difference (see top). */
static void sigmas(const StatsPowerSpec *s, double delta, double *s0, double *s1)
{
    if (s->kind == STATS_PROPORTION) {
        double p1 = s->baseline, p2 = p1 + delta, pb = (p1 + p2) / 2;
        *s0 = sqrt(2 * pb * (1 - pb));
        *s1 = sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    } else {
        *s0 = *s1 = sqrt(2.0) * s->sd;
    }
}

static double n_fixed(const StatsPowerSpec *s, double delta)
{
    double s0, s1;
    sigmas(s, delta, &s0, &s1);
    double za = z_alpha(s), zb = gsl_cdf_ugaussian_Pinv(s->power);
    double r = (za * s0 + zb * s1) / delta;
    return r * r;
}

/* CS half-width (stats_cs) for N = 2n units and per-unit variance σ1². */
static double cs_gap(const StatsPowerSpec *s, double n, double delta)
{
    double s0, s1;
    sigmas(s, delta, &s0, &s1);
    StatsEffect e = {delta, s1 * s1 / n, true};
    StatsTest t;
    if (stats_cs(&e, 2 * n, s->sides == STATS_TWO_SIDED ? s->alpha : 2 * s->alpha, s->tuning,
                 &t) != ABC_OK)
        return NAN;
    double hw = t.ci_hi - delta;
    return delta - hw - gsl_cdf_ugaussian_Pinv(s->power) * sqrt(e.var);
}

/* Smallest n with cs_gap >= 0, by bisection on log n (gap increases in n). */
static AbcStatus n_cs(const StatsPowerSpec *s, double delta, double *n)
{
    double lo = 2, hi = 1e16;
    if (cs_gap(s, hi, delta) < 0)
        return ABC_ERR_SPEC;
    if (cs_gap(s, lo, delta) >= 0) {
        *n = lo;
        return ABC_OK;
    }
    for (int i = 0; i < 200 && hi / lo > 1 + 1e-13; i++) {
        double mid = sqrt(lo * hi);
        if (cs_gap(s, mid, delta) >= 0)
            hi = mid;
        else
            lo = mid;
    }
    *n = hi;
    return ABC_OK;
}

typedef struct GsdCtx {
    double t[50], z[50];
    size_t k;
    bool two;
    double power;
} GsdCtx;

static double gsd_fn(double theta, void *p)
{
    const GsdCtx *g = p;
    double pr;
    if (stats_gsd_cross_prob(g->t, g->z, g->k, g->two, theta, &pr) != ABC_OK)
        return NAN;
    return pr - g->power;
}

/* Brent root of f on [lo, hi]; ABC_ERR_SPEC when not bracketed. */
static AbcStatus brent(double (*f)(double, void *), void *ctx, double lo, double hi, double *x)
{
    double flo = f(lo, ctx), fhi = f(hi, ctx);
    if (!(flo * fhi <= 0))
        return ABC_ERR_SPEC;
    if (flo == 0) {
        *x = lo;
        return ABC_OK;
    }
    if (fhi == 0) {
        *x = hi;
        return ABC_OK;
    }
    gsl_function F = {f, ctx};
    gsl_root_fsolver *sv = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!sv)
        return ABC_ERR_ENV;
    AbcStatus st = ABC_ERR_SPEC;
    if (gsl_root_fsolver_set(sv, &F, lo, hi) == GSL_SUCCESS) {
        for (int i = 0; i < 300; i++) {
            if (gsl_root_fsolver_iterate(sv) != GSL_SUCCESS)
                break;
            double a = gsl_root_fsolver_x_lower(sv), b = gsl_root_fsolver_x_upper(sv);
            if (gsl_root_test_interval(a, b, 0, 1e-14) == GSL_SUCCESS) {
                *x = gsl_root_fsolver_root(sv);
                st = ABC_OK;
                break;
            }
        }
    }
    gsl_root_fsolver_free(sv);
    return st;
}

/* Inflation factor of a K-look OBF design: drift θ with power 1 − β, then
 * (θ/(z_α + z_β))² (Jennison & Turnbull 2000 §2.5, §7.2). */
static AbcStatus gsd_inflation(const StatsPowerSpec *s, double *inf)
{
    GsdCtx g = {.k = s->looks, .two = s->sides == STATS_TWO_SIDED, .power = s->power};
    for (size_t i = 0; i < g.k; i++)
        g.t[i] = (double)(i + 1) / (double)g.k;
    g.t[g.k - 1] = 1.0;
    AbcStatus st = stats_gsd_obf(g.t, g.k, s->alpha, g.two, g.z);
    if (st != ABC_OK)
        return st;
    double theta;
    st = brent(gsd_fn, &g, 0.0, 40.0, &theta);
    if (st != ABC_OK)
        return st;
    double r = theta / (z_alpha(s) + gsl_cdf_ugaussian_Pinv(s->power));
    *inf = r * r;
    return ABC_OK;
}

AbcStatus stats_sample_size(const StatsPowerSpec *s, double mde, double *n_per_arm)
{
    stats_init();
    AbcStatus st = check_spec(s);
    double delta = 0, n = 0;
    if (st == ABC_OK)
        st = abs_delta(s, mde, &delta);
    if (st != ABC_OK)
        return st;
    switch (s->design) {
    case STATS_FIXED:
        n = n_fixed(s, delta);
        break;
    case STATS_DESIGN_CS:
        st = n_cs(s, delta, &n);
        break;
    case STATS_DESIGN_GSD: {
        double inf = 1;
        st = gsd_inflation(s, &inf);
        n = n_fixed(s, delta) * inf;
        break;
    }
    default:
        st = ABC_ERR_SPEC;
    }
    if (st != ABC_OK || !isfinite(n))
        return st != ABC_OK ? st : ABC_ERR_SPEC;
    *n_per_arm = n;
    return ABC_OK;
}

typedef struct MdeCtx {
    const StatsPowerSpec *s;
    double n, inf;
} MdeCtx;

static double mde_fn(double delta, void *p)
{
    const MdeCtx *m = p;
    if (m->s->design == STATS_DESIGN_CS)
        return cs_gap(m->s, m->n, delta);
    return m->n - n_fixed(m->s, delta) * m->inf; /* increases with δ */
}

AbcStatus stats_mde(const StatsPowerSpec *s, double n_per_arm, double *mde)
{
    stats_init();
    AbcStatus st = check_spec(s);
    if (st != ABC_OK)
        return st;
    if (!(n_per_arm >= 2) || !isfinite(n_per_arm))
        return ABC_ERR_SPEC;
    MdeCtx m = {s, n_per_arm, 1.0};
    if (s->design == STATS_DESIGN_GSD && (st = gsd_inflation(s, &m.inf)) != ABC_OK)
        return st;
    double delta;
    if (s->kind != STATS_PROPORTION && s->design != STATS_DESIGN_CS) {
        double za = z_alpha(s), zb = gsl_cdf_ugaussian_Pinv(s->power);
        delta = (za + zb) * s->sd * sqrt(2.0 * m.inf / n_per_arm);
    } else {
        double hi = s->kind == STATS_PROPORTION ? (1 - s->baseline) * (1 - 1e-12) : 1e3 * s->sd;
        double lo = hi * 1e-12;
        st = brent(mde_fn, &m, lo, hi, &delta);
        if (st != ABC_OK)
            return st;
    }
    *mde = s->relative ? delta / fabs(s->baseline) : delta;
    return ABC_OK;
}

AbcStatus stats_power_at(const StatsPowerSpec *s, double n_per_arm, double mde, double *power)
{
    stats_init();
    double delta;
    AbcStatus st = check_spec(s);
    if (st == ABC_OK)
        st = abs_delta(s, mde, &delta);
    if (st != ABC_OK)
        return st;
    if (!(n_per_arm > 0))
        return ABC_ERR_SPEC;
    double s0, s1;
    sigmas(s, delta, &s0, &s1);
    double za = z_alpha(s), rn = sqrt(n_per_arm);
    double p = gsl_cdf_ugaussian_P((delta * rn - za * s0) / s1);
    if (s->sides == STATS_TWO_SIDED)
        p += gsl_cdf_ugaussian_P((-delta * rn - za * s0) / s1);
    *power = p;
    return ABC_OK;
}
