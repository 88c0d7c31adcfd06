/* sequential.c — always-valid inference: the asymptotic confidence sequence
 * of gbstats (Waudby-Smith et al. 2023) and the normal-mixture mSPRT
 * (Johari, Pekelis & Walsh 2017).  Both are computed in logs so a large
 * statistic gives p = 0 instead of overflowing.
 */
#include "abc/stats.h"

#include <math.h>

/* Waudby-Smith, Arnold, Wu, Howard & Ramdas (2023), asymptotic CS, as in
 * gbstats SequentialTwoSidedTTest: ρ = sqrt((−2 ln α + ln(−2 ln α + 1))/τ),
 * s² = SE²·N, half-width sqrt(s²)·sqrt(2(Nρ²+1) ln(sqrt(Nρ²+1)/α)/(Nρ)²),
 * e = exp(ρ² st²/(2(Nρ²+1)))/sqrt(Nρ²+1), st² = est²N/SE², p = min(1, 1/e). */
AbcStatus stats_cs(const StatsEffect *e, double n_total, double alpha, double tuning,
                   StatsTest *out)
{
    if (!e->defined || !(e->var > 0) || !isfinite(e->var) || !isfinite(e->est))
        return ABC_ERR_SPEC;
    if (!(n_total > 0) || !(tuning > 0) || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double N = n_total;
    double la = -2.0 * log(alpha);
    double rho2 = (la + log(la + 1.0)) / tuning;
    double s2 = e->var * N;
    double a = N * rho2 + 1.0;
    double hw = sqrt(s2) * sqrt(2.0 * a * log(sqrt(a) / alpha) / (N * N * rho2));
    double st2 = e->est * e->est * N / e->var;
    double loge = rho2 * st2 / (2.0 * a) - 0.5 * log(a);
    StatsTest t = {.stat = e->est / sqrt(e->var), .dof = HUGE_VAL};
    t.p_value = loge > 0 ? exp(-loge) : 1.0;
    t.ci_lo = e->est - hw;
    t.ci_hi = e->est + hw;
    *out = t;
    return ABC_OK;
}

/* mSPRT, mixing N(0, τ²) (Johari et al. 2017 eq. 11):
 * ln Λ = ½ ln(V/(V+τ²)) + est²τ²/(2V(V+τ²)), p = min(1, 1/Λ); the CI is the
 * set of θ0 not rejected: est ± sqrt(V(V+τ²)/τ² (2 ln(1/α) + ln((V+τ²)/V))). */
AbcStatus stats_msprt(const StatsEffect *e, double alpha, double tau, StatsTest *out)
{
    if (!e->defined || !(e->var > 0) || !isfinite(e->var) || !isfinite(e->est))
        return ABC_ERR_SPEC;
    if (!(tau > 0) || !isfinite(tau) || !(alpha > 0 && alpha < 1))
        return ABC_ERR_SPEC;
    double V = e->var, t2 = tau * tau;
    double logl = 0.5 * log(V / (V + t2)) + e->est * e->est * t2 / (2.0 * V * (V + t2));
    StatsTest t = {.stat = e->est / sqrt(V), .dof = HUGE_VAL};
    t.p_value = logl > 0 ? exp(-logl) : 1.0;
    double hw = sqrt(V * (V + t2) / t2 * (2.0 * log(1.0 / alpha) + log((V + t2) / V)));
    t.ci_lo = e->est - hw;
    t.ci_hi = e->est + hw;
    *out = t;
    return ABC_OK;
}

/* Running minimum of the per-look mSPRT p-values (Johari et al. 2017 §3). */
AbcStatus stats_msprt_running(const StatsEffect *looks, size_t k, double tau, double *p_out)
{
    double run = 1.0;
    for (size_t i = 0; i < k; i++) {
        StatsTest t;
        AbcStatus st = stats_msprt(&looks[i], 0.05, tau, &t);
        if (st != ABC_OK)
            return st;
        if (t.p_value < run)
            run = t.p_value;
        p_out[i] = run;
    }
    return ABC_OK;
}
