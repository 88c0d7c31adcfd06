/* nonparam.c — tests over per-unit data as value counts (distinct values
 * with their unit counts; raw values are turned into them first):
 * Mann-Whitney U with the normal approximation and tie correction, and the
 * seeded Poisson bootstrap, each as a stream fed one distinct value at a
 * time in ascending order (the array forms walk their arrays into it).
 */
#define HAVE_INLINE 1 /* GSL: inline gsl_rng_get in the bootstrap's inner loop */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int dbl_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* ---- value counts --------------------------------------------------------------- */

static int vc_cmp(const void *x, const void *y)
{
    double a = ((const StatsValueCount *)x)->value, b = ((const StatsValueCount *)y)->value;
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b); /* NaN last */
    return (a > b) - (a < b);
}

size_t stats_value_counts_merge(StatsValueCount *p, size_t n)
{
    if (n == 0)
        return 0;
    qsort(p, n, sizeof *p, vc_cmp);
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i].value == p[k].value)
            p[k].count += p[i].count;
        else
            p[++k] = p[i];
    }
    return k + 1;
}

double stats_value_counts_units(const StatsValueCount *x, size_t k)
{
    double units = 0;
    for (size_t i = 0; i < k; i++) {
        double c = x[i].count;
        if (isnan(x[i].value) || (i > 0 && !(x[i].value > x[i - 1].value)) || !(c >= 1) ||
            c != floor(c) || c > 9e15)
            return -1;
        units += c;
    }
    return units;
}

AbcStatus stats_value_counts(const double *x, size_t n, StatsValueCount **out, size_t *k)
{
    *out = NULL;
    *k = 0;
    if (n == 0)
        return ABC_OK;
    StatsValueCount *p = malloc(n * sizeof *p);
    if (!p)
        return ABC_ERR_ENV;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) {
            free(p);
            return ABC_ERR_SPEC;
        }
        p[i] = (StatsValueCount){x[i], 1};
    }
    *k = stats_value_counts_merge(p, n);
    *out = p;
    return ABC_OK;
}

/* ---- Mann-Whitney U ---------------------------------------------------------------- */
/* U_a = R_a − n_a(n_a+1)/2 with mid-ranks of the pooled sample; σ² =
 * n_a n_b/12 · ((n+1) − Σ(t³ − t)/(n(n−1))) (Mann & Whitney 1947; tie
 * correction per Lehmann 1975 §1.4); two-sided p = 2Q((|U − μ| − ½)/σ).
 * The stream takes one tie group per distinct value of the pooled sample. */
void stats_mann_whitney_stream_init(StatsMannWhitneyStream *s)
{
    memset(s, 0, sizeof *s);
}

void stats_mann_whitney_stream_push(StatsMannWhitneyStream *s, double ca, double cb)
{
    if (!(ca >= 0 && cb >= 0) || ca != floor(ca) || cb != floor(cb)) {
        s->bad = true;
        return;
    }
    long double tcnt = (long double)ca + cb;
    long double mid = s->rank + (tcnt + 1) / 2;
    s->ra += mid * ca;
    s->rank += tcnt;
    s->ties += tcnt * tcnt * tcnt - tcnt;
    s->na += ca;
    s->nb += cb;
}

AbcStatus stats_mann_whitney_stream_result(const StatsMannWhitneyStream *s, StatsMannWhitney *out)
{
    stats_init();
    if (s->bad || !(s->na > 0 && s->nb > 0))
        return ABC_ERR_SPEC;
    long double n1 = s->na, n2 = s->nb, n = n1 + n2;
    long double u = s->ra - n1 * (n1 + 1) / 2;
    long double mu = n1 * n2 / 2;
    long double var = n1 * n2 / 12 * ((n + 1) - s->ties / (n * (n - 1)));
    if (!(var > 0))
        return ABC_ERR_SPEC;
    double sd = sqrt((double)var);
    StatsMannWhitney r;
    r.u = (double)u;
    r.z = (double)(u - mu) / sd;
    double zc = (fabs((double)(u - mu)) - 0.5) / sd;
    double p = 2.0 * gsl_cdf_ugaussian_Q(zc);
    r.p_value = p > 1 ? 1 : p;
    *out = r;
    return ABC_OK;
}

/* One merge walk over the two value counts. */
AbcStatus stats_mann_whitney_counts(const StatsValueCount *a, size_t ka,
                                    const StatsValueCount *b, size_t kb,
                                    StatsMannWhitney *out)
{
    if (!(stats_value_counts_units(a, ka) > 0 && stats_value_counts_units(b, kb) > 0))
        return ABC_ERR_SPEC;
    StatsMannWhitneyStream s;
    stats_mann_whitney_stream_init(&s);
    size_t i = 0, j = 0;
    while (i < ka || j < kb) {
        double v = (j >= kb || (i < ka && a[i].value <= b[j].value)) ? a[i].value : b[j].value;
        double ca = 0, cb = 0;
        if (i < ka && a[i].value == v)
            ca = a[i++].count;
        if (j < kb && b[j].value == v)
            cb = b[j++].count;
        stats_mann_whitney_stream_push(&s, ca, cb);
    }
    return stats_mann_whitney_stream_result(&s, out);
}

AbcStatus stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                             StatsMannWhitney *out)
{
    StatsValueCount *va = NULL, *vb = NULL;
    size_t ka = 0, kb = 0;
    AbcStatus st = stats_value_counts(a, na, &va, &ka);
    if (st == ABC_OK)
        st = stats_value_counts(b, nb, &vb, &kb);
    if (st == ABC_OK)
        st = stats_mann_whitney_counts(va, ka, vb, kb, out);
    free(va);
    free(vb);
    return st;
}

/* ---- Poisson bootstrap ------------------------------------------------------------ */
/* Poisson(1) by inversion on one 32-bit draw: thresholds are the CDF at
 * 0, 1, 2, … scaled to 2^32 (error ≤ 2^-32 per cell). */
static void pois1_init(uint64_t cut[12])
{
    double pmf = exp(-1.0), cdf = 0;
    for (int k = 0; k < 12; k++) {
        cdf += pmf;
        pmf /= (k + 1);
        double c = cdf * 4294967296.0;
        cut[k] = c >= 4294967296.0 ? UINT64_C(4294967296) : (uint64_t)c;
    }
}

static unsigned pois1_draw(const uint64_t cut[12], gsl_rng *r)
{
    uint64_t u = gsl_rng_get(r);
    unsigned k = 0;
    while (k < 11 && u >= cut[k])
        k++;
    return k;
}

uint64_t stats_bootstrap_seed(uint64_t seed, unsigned arm)
{
    return seed + (uint64_t)arm * UINT64_C(0x9E3779B97F4A7C15);
}

AbcStatus stats_bootstrap_arm_init(StatsBootstrapArm *a, size_t resamples, uint64_t seed)
{
    memset(a, 0, sizeof *a);
    if (resamples < 2 || resamples > 1000000)
        return ABC_ERR_SPEC;
    a->resamples = resamples;
    a->sw = calloc(2 * resamples, sizeof *a->sw);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    if (!a->sw || !rng) {
        free(a->sw);
        a->sw = NULL;
        if (rng)
            gsl_rng_free(rng);
        return ABC_ERR_ENV;
    }
    gsl_rng_set(rng, (unsigned long)(seed ^ (seed >> 32)));
    a->rng = rng;
    a->swx = a->sw + resamples;
    pois1_init(a->cut);
    return ABC_OK;
}

/* For every unit and resample, weight w ~ Poisson(1); accumulate Σw and
 * Σw·x per resample. */
void stats_bootstrap_arm_push(StatsBootstrapArm *a, double value, double count)
{
    if (isnan(value) || !(count >= 1) || count != floor(count) || !(value > a->last || a->n == 0)) {
        a->bad = true;
        return;
    }
    gsl_rng *rng = a->rng;
    size_t R = a->resamples;
    for (double c = 0; c < count; c++) {
        for (size_t r = 0; r < R; r++) {
            unsigned w = pois1_draw(a->cut, rng);
            if (w) {
                a->sw[r] += w;
                a->swx[r] += w * value;
            }
        }
        a->sum += value;
    }
    a->n += count;
    a->last = value;
}

void stats_bootstrap_arm_free(StatsBootstrapArm *a)
{
    if (a->rng)
        gsl_rng_free(a->rng);
    free(a->sw);
    memset(a, 0, sizeof *a);
}

/* Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012):
 * resample r gives mean_b^r − mean_a^r (or its ratio − 1); SE is the sd of
 * the replicates; percentile CI at α/2, 1 − α/2 (type-7 interpolation). */
AbcStatus stats_bootstrap_arms(const StatsBootstrapArm *a, const StatsBootstrapArm *b,
                               StatsEffectType type, double alpha, StatsBootstrap *out)
{
    stats_init();
    if (a->bad || b->bad || !(a->n > 0 && b->n > 0) || a->resamples != b->resamples ||
        a->resamples < 2 || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    size_t R = a->resamples;
    double *rep = malloc(R * sizeof *rep);
    if (!rep)
        return ABC_ERR_ENV;
    AbcStatus st = ABC_OK;
    double ma = (double)(a->sum / a->n), mb = (double)(b->sum / b->n);
    StatsBootstrap res;
    if (type == STATS_RELATIVE) {
        if (ma == 0) {
            st = ABC_ERR_SPEC;
            goto out;
        }
        res.est = (mb - ma) / fabs(ma);
    } else {
        res.est = mb - ma;
    }
    size_t m = 0;
    StatsRunning run;
    stats_running_init(&run);
    for (size_t r = 0; r < R; r++) {
        if (a->sw[r] == 0 || b->sw[r] == 0)
            continue; /* an empty resample has no mean */
        double ra = a->swx[r] / a->sw[r], rb = b->swx[r] / b->sw[r];
        double d;
        if (type == STATS_RELATIVE) {
            if (ra == 0)
                continue;
            d = (rb - ra) / fabs(ra);
        } else {
            d = rb - ra;
        }
        rep[m++] = d;
        stats_running_push(&run, d);
    }
    if (m < 2) {
        st = ABC_ERR_SPEC;
        goto out;
    }
    qsort(rep, m, sizeof *rep, dbl_cmp);
    res.se = sqrt(stats_running_var(&run));
    double qs[2] = {alpha / 2, 1 - alpha / 2}, ci[2];
    for (int k = 0; k < 2; k++) {
        double h = (double)(m - 1) * qs[k];
        size_t lo = (size_t)floor(h);
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        ci[k] = rep[lo] + (h - (double)lo) * (rep[hi] - rep[lo]);
    }
    res.ci_lo = ci[0];
    res.ci_hi = ci[1];
    *out = res;
out:
    free(rep);
    return st;
}

static AbcStatus boot_arm_counts(StatsBootstrapArm *arm, const StatsValueCount *x, size_t k,
                                 size_t resamples, uint64_t seed)
{
    if (!(stats_value_counts_units(x, k) > 0))
        return ABC_ERR_SPEC;
    AbcStatus st = stats_bootstrap_arm_init(arm, resamples, seed);
    for (size_t i = 0; st == ABC_OK && i < k; i++)
        stats_bootstrap_arm_push(arm, x[i].value, x[i].count);
    return st;
}

AbcStatus stats_bootstrap_counts(const StatsValueCount *a, size_t ka, const StatsValueCount *b,
                                 size_t kb, StatsEffectType type, size_t resamples,
                                 uint64_t seed, double alpha, StatsBootstrap *out)
{
    StatsBootstrapArm arm_a, arm_b;
    memset(&arm_b, 0, sizeof arm_b);
    AbcStatus st = boot_arm_counts(&arm_a, a, ka, resamples, stats_bootstrap_seed(seed, 0));
    if (st == ABC_OK)
        st = boot_arm_counts(&arm_b, b, kb, resamples, stats_bootstrap_seed(seed, 1));
    if (st == ABC_OK)
        st = stats_bootstrap_arms(&arm_a, &arm_b, type, alpha, out);
    stats_bootstrap_arm_free(&arm_a);
    stats_bootstrap_arm_free(&arm_b);
    return st;
}

AbcStatus stats_bootstrap(const double *a, size_t na, const double *b, size_t nb,
                          StatsEffectType type, size_t resamples, uint64_t seed, double alpha,
                          StatsBootstrap *out)
{
    StatsValueCount *va = NULL, *vb = NULL;
    size_t ka = 0, kb = 0;
    AbcStatus st = stats_value_counts(a, na, &va, &ka);
    if (st == ABC_OK)
        st = stats_value_counts(b, nb, &vb, &kb);
    if (st == ABC_OK)
        st = stats_bootstrap_counts(va, ka, vb, kb, type, resamples, seed, alpha, out);
    free(va);
    free(vb);
    return st;
}

/* ---- Fisher's exact test ------------------------------------------------------ */
/* log P(X = k) for the hypergeometric count of successes in arm a, given the
 * margins: C(K, k) C(N − K, n_a − k) / C(N, n_a). */
static double hyper_lnp(double k, double K, double N, double na)
{
    return gsl_sf_lnchoose((unsigned)K, (unsigned)k) +
           gsl_sf_lnchoose((unsigned)(N - K), (unsigned)(na - k)) -
           gsl_sf_lnchoose((unsigned)N, (unsigned)na);
}

AbcStatus stats_fisher_exact(double n_a, double x_a, double n_b, double x_b, double *p_value)
{
    stats_init();
    bool whole = n_a == floor(n_a) && x_a == floor(x_a) && n_b == floor(n_b) && x_b == floor(x_b);
    if (!whole || !(x_a >= 0 && x_a <= n_a && x_b >= 0 && x_b <= n_b) || !(n_a >= 1 && n_b >= 1) ||
        n_a + n_b > 4e9)
        return ABC_ERR_SPEC;
    double N = n_a + n_b, K = x_a + x_b;
    double lo = fmax(0, K - n_b), hi = fmin(K, n_a);
    if (hi - lo > 1e7)
        return ABC_ERR_SPEC; /* the normal approximation is good there anyway */
    double obs = hyper_lnp(x_a, K, N, n_a);
    double p = 0;
    for (double k = lo; k <= hi; k++) {
        double l = hyper_lnp(k, K, N, n_a);
        if (l <= obs + 1e-7)
            p += exp(l);
    }
    *p_value = fmin(1.0, p);
    return ABC_OK;
}
