/* bayes.c — Bayesian comparisons: the Gaussian model on the effect (gbstats
 * EffectBayesianABTest) and the beta-binomial model for proportions with the
 * win probability by numerical integration.
 */
#include "abc/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

/* Posterior N(μ, σ²): flat prior → likelihood N(est, SE²); proper prior →
 * precision-weighted (Gelman et al., BDA3 §2.5).  CTW = Φ(μ/σ); losses
 * E[max(−X, 0)] = σφ(z) − μΦ(−z) and E[max(X, 0)] = μΦ(z) + σφ(z)
 * (truncated-normal means as in gbstats get_risk), clamped at 0. */
AbcStatus stats_bayes_gaussian(const StatsEffect *e, double prior_mean, double prior_sd,
                               double alpha, StatsDirection dir, StatsBayes *out)
{
    stats_init();
    if (!e->defined || !(e->var > 0) || !isfinite(e->var) || !isfinite(e->est))
        return ABC_ERR_SPEC;
    if (!(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double mu = e->est, v = e->var;
    if (prior_sd > 0 && isfinite(prior_sd)) {
        double pv = prior_sd * prior_sd;
        double prec = 1.0 / v + 1.0 / pv;
        mu = (e->est / v + prior_mean / pv) / prec;
        v = 1.0 / prec;
    }
    double sd = sqrt(v), z = mu / sd;
    double phi = gsl_ran_ugaussian_pdf(z);
    double up = gsl_cdf_ugaussian_Q(-z); /* P(X > 0) */
    double dn = gsl_cdf_ugaussian_Q(z);  /* P(X < 0) */
    double loss_neg = sd * phi - mu * dn; /* E[max(−X, 0)] */
    double loss_pos = mu * up + sd * phi; /* E[max(X, 0)] */
    if (loss_neg < 0)
        loss_neg = 0;
    if (loss_pos < 0)
        loss_pos = 0;
    StatsBayes b;
    b.post_mean = mu;
    b.post_sd = sd;
    if (dir == STATS_HIGHER_BETTER) {
        b.chance_to_win = up;
        b.loss_treatment = loss_neg;
        b.loss_control = loss_pos;
    } else {
        b.chance_to_win = dn;
        b.loss_treatment = loss_pos;
        b.loss_control = loss_neg;
    }
    b.cred_lo = mu + gsl_cdf_gaussian_Pinv(alpha / 2, sd);
    b.cred_hi = mu + gsl_cdf_gaussian_Pinv(1 - alpha / 2, sd);
    *out = b;
    return ABC_OK;
}

typedef struct BetaPair {
    double a1, b1, a2, b2, lnorm;
} BetaPair;

/* f_A(x)·P(p_B > x): Beta(a1, b1) density times the Beta(a2, b2) upper tail. */
static double bb_integrand(double x, void *p)
{
    const BetaPair *bp = p;
    if (x <= 0 || x >= 1)
        return 0;
    double lf = (bp->a1 - 1) * log(x) + (bp->b1 - 1) * log1p(-x) - bp->lnorm;
    return exp(lf) * gsl_cdf_beta_Q(x, bp->a2, bp->b2);
}

/* P(p_B > p_A) = ∫ f_A(x)(1 − F_B(x)) dx over A's posterior Beta(a0 + x_a,
 * b0 + n_a − x_a) (conjugate beta-binomial; e.g. Stucchio 2015), integrated
 * with QAGS over mean ± 40 sd of A (where all of A's mass lies).  With
 * both posteriors' parameters above 1e7 the normal approximation
 * Φ((μ_B − μ_A)/sqrt(v_A + v_B)) is used (error O(1/sqrt(n)) ≪ 1e-6). */
AbcStatus stats_beta_binomial(double n_a, double x_a, double n_b, double x_b, double a0,
                              double b0, StatsDirection dir, double *chance_to_win)
{
    stats_init();
    if (!(n_a >= 0) || !(n_b >= 0) || !(x_a >= 0) || !(x_b >= 0) || x_a > n_a || x_b > n_b)
        return ABC_ERR_SPEC;
    if (!(a0 > 0) || !(b0 > 0))
        return ABC_ERR_SPEC;
    BetaPair bp = {a0 + x_a, b0 + n_a - x_a, a0 + x_b, b0 + n_b - x_b, 0};
    double ma = bp.a1 / (bp.a1 + bp.b1), mb = bp.a2 / (bp.a2 + bp.b2);
    double va = ma * (1 - ma) / (bp.a1 + bp.b1 + 1), vb = mb * (1 - mb) / (bp.a2 + bp.b2 + 1);
    double p;
    if (bp.a1 > 1e7 && bp.b1 > 1e7 && bp.a2 > 1e7 && bp.b2 > 1e7) {
        p = gsl_cdf_ugaussian_P((mb - ma) / sqrt(va + vb));
    } else {
        bp.lnorm = gsl_sf_lnbeta(bp.a1, bp.b1);
        double lo = ma - 40 * sqrt(va), hi = ma + 40 * sqrt(va);
        if (lo < 0)
            lo = 0;
        if (hi > 1)
            hi = 1;
        gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
        if (!w)
            return ABC_ERR_ENV;
        gsl_function f = {bb_integrand, &bp};
        double err;
        int st = gsl_integration_qags(&f, lo, hi, 1e-13, 1e-10, 1000, w, &p, &err);
        gsl_integration_workspace_free(w);
        if (st != GSL_SUCCESS && st != GSL_EROUND)
            return ABC_ERR_SPEC;
        if (p < 0)
            p = 0;
        if (p > 1)
            p = 1;
    }
    *chance_to_win = dir == STATS_HIGHER_BETTER ? p : 1.0 - p;
    return ABC_OK;
}
