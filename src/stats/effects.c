/* effects.c — absolute and relative effects with delta-method variances,
 * CUPED adjustment with a pooled θ, and uplift / net incremental impact.
 *
 * Definitions are gbstats 0.8's (docs/STATS.md): the relative
 * effect divides by |control mean|; with CUPED it divides by the unadjusted
 * control mean and uses gbstats' frequentist_variance_relative_cuped.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/* Absolute: m_b − m_a, SE² = v_a/n_a + v_b/n_b.  Relative (delta method,
 * gbstats frequentist_variance): (m_b − m_a)/|m_a|,
 * SE² = v_b/(n_b m_a²) + v_a m_b²/(n_a m_a⁴). */
StatsEffect stats_effect(StatsEffectType type, const StatsMoments *a, const StatsMoments *b)
{
    StatsEffect e = {.defined = true};
    if (type == STATS_ABSOLUTE) {
        e.est = b->mean - a->mean;
        e.var = a->var / a->n + b->var / b->n;
        return e;
    }
    if (a->mean == 0) {
        e.defined = false;
        e.est = NAN;
        e.var = NAN;
        return e;
    }
    double ma2 = a->mean * a->mean;
    e.est = (b->mean - a->mean) / fabs(a->mean);
    e.var = b->var / (b->n * ma2) + a->var * b->mean * b->mean / (a->n * ma2 * ma2);
    return e;
}

/* Pooled θ = Cov(post, pre)/Var(pre) over both arms' summed sums
 * (Deng, Xu, Kohavi & Walker 2013; gbstats compute_theta). */
/* Variance of one side of a CUPED pair: p(1−p) for a 0/1 variable of a
 * proportion metric (gbstats ProportionStatistic), else the (n−1) sample
 * variance (SampleMeanStatistic). */
static double side_var(StatsMetricKind kind, double n, double sum, double sum_sq)
{
    if (kind == STATS_PROPORTION && n > 0 && sum_sq == sum) {
        double p = sum / n;
        return p * (1.0 - p);
    }
    return stats_var_from_sums(n, sum, sum_sq);
}

double stats_cuped_theta(StatsMetricKind kind, const StatsSums *a, const StatsSums *b)
{
    double n = a->n + b->n;
    double vpre = side_var(kind, n, a->pre_sum + b->pre_sum, a->pre_sum_sq + b->pre_sum_sq);
    double vpost = side_var(kind, n, a->sum + b->sum, a->sum_sq + b->sum_sq);
    if (vpre <= 0 || vpost <= 0)
        return 0.0;
    double c = stats_cov_from_sums(n, a->sum + b->sum, a->pre_sum + b->pre_sum,
                                   a->sum_pre + b->sum_pre);
    return c / vpre;
}

typedef struct CupedArm {
    double n, post_mean, pre_mean, vpost, vpre, cov;
} CupedArm;

static CupedArm cuped_arm(StatsMetricKind kind, const StatsSums *s)
{
    CupedArm c;
    c.n = s->n;
    c.post_mean = s->sum / s->n;
    c.pre_mean = s->pre_sum / s->n;
    c.vpost = side_var(kind, s->n, s->sum, s->sum_sq);
    c.vpre = side_var(kind, s->n, s->pre_sum, s->pre_sum_sq);
    c.cov = stats_cov_from_sums(s->n, s->sum, s->pre_sum, s->sum_pre);
    return c;
}

/* Adjusted variance Var(post) + θ²Var(pre) − 2θCov, clamped at 0. */
static double adj_var(const CupedArm *c, double theta)
{
    double v = c->vpost + theta * theta * c->vpre - 2.0 * theta * c->cov;
    return v > 0 ? v : 0.0;
}

/* CUPED (Deng et al. 2013) with gbstats' relative variance:
 * v_trt = adjvar_b/(n_b ū_a²); v_ctrl = (Var(post_a)k² − 2θCov_a k + θ²Var(pre_a))/(n_a ū_a²)
 * with k = ū_b/ū_a, ū the unadjusted post means (frequentist_variance_relative_cuped). */
AbcStatus stats_cuped(StatsMetricKind kind, StatsEffectType type, const StatsSums *a,
                      const StatsSums *b, StatsCuped *out)
{
    if (!(a->n >= 2) || !(b->n >= 2))
        return ABC_ERR_SPEC;
    StatsCuped r;
    r.theta = stats_cuped_theta(kind, a, b);
    CupedArm ca = cuped_arm(kind, a), cb = cuped_arm(kind, b);
    r.adj_a = (StatsMoments){ca.n, ca.post_mean - r.theta * ca.pre_mean, adj_var(&ca, r.theta)};
    r.adj_b = (StatsMoments){cb.n, cb.post_mean - r.theta * cb.pre_mean, adj_var(&cb, r.theta)};
    StatsMoments ua = {ca.n, ca.post_mean, ca.vpost}, ub = {cb.n, cb.post_mean, cb.vpost};
    StatsEffect unadj = stats_effect(type, &ua, &ub);
    if (type == STATS_ABSOLUTE) {
        r.effect = stats_effect(STATS_ABSOLUTE, &r.adj_a, &r.adj_b);
    } else if (ca.post_mean == 0) {
        r.effect = (StatsEffect){NAN, NAN, false};
    } else {
        double u2 = ca.post_mean * ca.post_mean, k = cb.post_mean / ca.post_mean;
        double v_trt = r.adj_b.var / (cb.n * u2);
        double v_ctrl = (ca.vpost * k * k - 2.0 * r.theta * ca.cov * k +
                         r.theta * r.theta * ca.vpre) / (ca.n * u2);
        double v = v_trt + v_ctrl;
        r.effect = (StatsEffect){(r.adj_b.mean - r.adj_a.mean) / fabs(ca.post_mean),
                                 v > 0 ? v : 0.0, true};
    }
    r.variance_reduction = NAN;
    if (r.effect.defined && unadj.defined && unadj.var > 0)
        r.variance_reduction = 1.0 - r.effect.var / unadj.var;
    *out = r;
    return ABC_OK;
}

/* Welch CI (two-sided, α) on the absolute and relative lift; the net
 * incremental impact is the absolute lift × treated units, CI scaled alike. */
AbcStatus stats_uplift(const StatsMoments *a, const StatsMoments *b, double treated_units,
                       double alpha, StatsUplift *out)
{
    stats_init();
    if (!(alpha > 0 && alpha < 1) || !(treated_units >= 0))
        return ABC_ERR_SPEC;
    StatsUplift u;
    double dof = stats_welch_dof(a, b);
    double q = isfinite(dof) ? gsl_cdf_tdist_Pinv(1 - alpha / 2, dof)
                             : gsl_cdf_ugaussian_Pinv(1 - alpha / 2);
    StatsEffect ab = stats_effect(STATS_ABSOLUTE, a, b);
    StatsEffect re = stats_effect(STATS_RELATIVE, a, b);
    double se = sqrt(ab.var);
    u.abs_est = ab.est;
    u.abs_lo = ab.est - q * se;
    u.abs_hi = ab.est + q * se;
    if (re.defined) {
        double rse = sqrt(re.var);
        u.rel_est = re.est;
        u.rel_lo = re.est - q * rse;
        u.rel_hi = re.est + q * rse;
    } else {
        u.rel_est = u.rel_lo = u.rel_hi = NAN;
    }
    u.impact = ab.est * treated_units;
    u.impact_lo = u.abs_lo * treated_units;
    u.impact_hi = u.abs_hi * treated_units;
    *out = u;
    return ABC_OK;
}
