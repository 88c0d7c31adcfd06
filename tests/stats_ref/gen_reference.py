#!/usr/bin/python3
"""Regenerate the statistics kernel's reference values.

Run with Debian's interpreter (it has scipy, numpy and statsmodels):
    /usr/bin/python3 tests/stats_ref/gen_reference.py
It writes tests/stats_ref/reference_*.json, which the C tests read.  Each
value comes from an implementation independent of abc: scipy / statsmodels
functions where they exist, otherwise the formula transcribed onto scipy's
distributions (marked "transcription" below).  Inputs are drawn from a seeded
numpy Generator so the files are reproducible.
"""
import json
import math
import os

import numpy as np
from scipy import integrate, stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats import multitest
from statsmodels.stats import power as smpower
from statsmodels.stats import proportion as smprop
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)


def dump(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def sums(x, pre=None, den=None):
    d = {"n": len(x), "sum": float(np.sum(x)), "sum_sq": float(np.sum(x * x))}
    if pre is not None:
        d.update(pre_sum=float(np.sum(pre)), pre_sum_sq=float(np.sum(pre * pre)),
                 sum_pre=float(np.sum(x * pre)))
    if den is not None:
        d.update(den_sum=float(np.sum(den)), den_sum_sq=float(np.sum(den * den)),
                 sum_den=float(np.sum(x * den)))
    return d


# ---- t-tests on mean metrics: scipy ttest_ind (Welch) + statsmodels CI ----
def welch_cases():
    out = []
    for i, (na, nb, mu_a, mu_b, sd_a, sd_b) in enumerate([
            (40, 55, 10.0, 10.8, 2.0, 3.0), (500, 480, 3.0, 3.1, 1.0, 1.2),
            (12, 9, -4.0, -3.0, 0.5, 2.5), (3000, 3100, 100.0, 99.9, 15.0, 15.0)]):
        a = np.round(rng.normal(mu_a, sd_a, na), 3)
        b = np.round(rng.normal(mu_b, sd_b, nb), 3)
        for alt, sided, direction in (("two-sided", "two", "higher"), ("greater", "one", "higher"),
                                      ("less", "one", "lower")):
            # statsmodels/scipy: alternative about mean(b) - mean(a)
            t = stats.ttest_ind(b, a, equal_var=False, alternative=alt)
            cm = CompareMeans(DescrStatsW(b), DescrStatsW(a))
            if alt == "two-sided":
                lo, hi = cm.tconfint_diff(alpha=0.05, alternative="two-sided", usevar="unequal")
            elif alt == "greater":
                lo, hi = cm.tconfint_diff(alpha=0.05, alternative="larger", usevar="unequal")
                hi = None
            else:
                lo, hi = cm.tconfint_diff(alpha=0.05, alternative="smaller", usevar="unequal")
                lo = None
            out.append({"name": "welch%d_%s" % (i, alt), "a": sums(a), "b": sums(b),
                        "sided": sided, "direction": direction,
                        "effect": float(np.mean(b) - np.mean(a)), "p_value": float(t.pvalue),
                        "stat": float(t.statistic),
                        "ci": [None if lo is None else float(lo), None if hi is None else float(hi)]})
    return out


# ---- relative effect (delta method) and ratio metrics: transcription ----
def delta_cases():
    out = []
    for i in range(3):
        n = [200, 1000, 50][i]
        num_a = rng.gamma(2.0, 3.0, n)
        den_a = rng.integers(1, 6, n).astype(float)
        num_b = rng.gamma(2.2, 3.0, n + 7)
        den_b = rng.integers(1, 6, n + 7).astype(float)
        for kind in ("mean", "ratio"):
            def mom(x, d):
                if kind == "mean":
                    return len(x), float(np.mean(x)), float(np.var(x, ddof=1))
                c = np.cov(x, d, ddof=1)
                mm, md = np.mean(x), np.mean(d)
                v = c[0, 0] / md**2 + c[1, 1] * mm**2 / md**4 - 2 * c[0, 1] * mm / md**3
                return len(x), float(mm / md), float(v)
            na_, ma, va = mom(num_a, den_a)
            nb_, mb, vb = mom(num_b, den_b)
            rel = (mb - ma) / abs(ma)
            se2 = vb / (nb_ * ma**2) + va * mb**2 / (na_ * ma**4)
            dof = (va / na_ + vb / nb_)**2 / ((va / na_)**2 / (na_ - 1) + (vb / nb_)**2 / (nb_ - 1))
            q = stats.t.ppf(0.975, dof)
            out.append({"name": "delta%d_%s" % (i, kind), "kind": kind,
                        "a": sums(num_a, den=den_a if kind == "ratio" else None),
                        "b": sums(num_b, den=den_b if kind == "ratio" else None),
                        "mean_a": ma, "var_a": va, "mean_b": mb, "var_b": vb,
                        "rel": rel, "rel_se": math.sqrt(se2), "dof": dof,
                        "p_value": float(2 * stats.t.sf(abs(rel / math.sqrt(se2)), dof)),
                        "ci": [rel - q * math.sqrt(se2), rel + q * math.sqrt(se2)]})
    return out


# ---- CUPED: θ from numpy's pooled covariance, gbstats variances (transcription) ----
def cuped_cases():
    out = []
    for i, (n, rho) in enumerate([(800, 0.7), (3000, 0.3), (60, 0.95)]):
        pre_a = rng.normal(5, 2, n)
        pre_b = rng.normal(5, 2, n + 11)
        post_a = rho * pre_a + rng.normal(5, 1, n)
        post_b = rho * pre_b + rng.normal(5.2, 1, n + 11)
        pre = np.concatenate([pre_a, pre_b])
        post = np.concatenate([post_a, post_b])
        c = np.cov(post, pre, ddof=1)
        theta = c[0, 1] / c[1, 1]
        def arm(y, x):
            cc = np.cov(y, x, ddof=1)
            return dict(n=len(y), post_mean=np.mean(y), pre_mean=np.mean(x), vpost=cc[0, 0],
                        vpre=cc[1, 1], cov=cc[0, 1],
                        adj_mean=np.mean(y) - theta * np.mean(x),
                        adj_var=cc[0, 0] + theta**2 * cc[1, 1] - 2 * theta * cc[0, 1])
        A, B = arm(post_a, pre_a), arm(post_b, pre_b)
        abs_est = B["adj_mean"] - A["adj_mean"]
        abs_var = A["adj_var"] / A["n"] + B["adj_var"] / B["n"]
        u = A["post_mean"]
        k = B["post_mean"] / u
        rel_var = (B["adj_var"] / (B["n"] * u * u) +
                   (A["vpost"] * k * k - 2 * theta * A["cov"] * k + theta**2 * A["vpre"]) / (A["n"] * u * u))
        unadj_rel_var = (B["vpost"] / (B["n"] * u * u) + A["vpost"] * B["post_mean"]**2 / (A["n"] * u**4))
        out.append({"name": "cuped%d" % i, "a": sums(post_a, pre=pre_a), "b": sums(post_b, pre=pre_b),
                    "theta": float(theta), "abs_est": float(abs_est), "abs_var": float(abs_var),
                    "rel_est": float(abs_est / abs(u)), "rel_var": float(rel_var),
                    "variance_reduction_rel": float(1 - rel_var / unadj_rel_var)})
    return out


# ---- two-proportion z-test: statsmodels ----
def ztest_cases():
    out = []
    for (na, xa, nb, xb) in [(1000, 100, 1000, 130), (5000, 12, 5200, 25), (300, 150, 310, 140),
                             (10**6, 51234, 10**6, 51987)]:
        z, p = smprop.proportions_ztest([xb, xa], [nb, na], alternative="two-sided")
        z1, p1 = smprop.proportions_ztest([xb, xa], [nb, na], alternative="larger")
        lo, hi = smprop.confint_proportions_2indep(xb, nb, xa, na, method="wald", compare="diff")
        out.append({"na": na, "xa": xa, "nb": nb, "xb": xb, "z": float(z), "p_value": float(p),
                    "p_greater": float(p1), "ci": [float(lo), float(hi)]})
    return out


# ---- Gaussian Bayesian: transcription onto scipy.stats.norm ----
def bayes_cases():
    out = []
    for est, se, pm, psd, direction in [(0.05, 0.02, 0, 0, "higher"), (0.05, 0.02, 0, 0.1, "higher"),
                                        (-0.01, 0.03, 0.02, 0.05, "higher"), (-0.01, 0.03, 0, 0, "lower"),
                                        (0.3, 0.01, 0, 0, "higher"), (0.0, 0.5, 0, 0.3, "lower")]:
        mu, v = est, se * se
        if psd > 0:
            prec = 1 / v + 1 / psd**2
            mu = (est / v + pm / psd**2) / prec
            v = 1 / prec
        s = math.sqrt(v)
        # losses as expectations of the truncated normal, by quadrature (independent of the closed form)
        neg = integrate.quad(lambda x: -x * stats.norm.pdf(x, mu, s), -np.inf, 0)[0]
        pos = integrate.quad(lambda x: x * stats.norm.pdf(x, mu, s), 0, np.inf)[0]
        ctw = stats.norm.sf(0, mu, s)
        if direction == "lower":
            ctw, neg, pos = 1 - ctw, pos, neg
        out.append({"est": est, "se": se, "prior_mean": pm, "prior_sd": psd, "direction": direction,
                    "post_mean": mu, "ctw": float(ctw), "loss_treatment": float(neg),
                    "loss_control": float(pos),
                    "cred": [float(stats.norm.ppf(0.025, mu, s)), float(stats.norm.ppf(0.975, mu, s))]})
    return out


# ---- beta-binomial: Evan Miller's closed-form sum (integer counts) ----
def beta_binomial_cases():
    out = []
    for na, xa, nb, xb in [(100, 10, 100, 15), (1000, 100, 1000, 110), (50, 0, 60, 2), (40, 40, 40, 39),
                           (20000, 1500, 20000, 1580)]:
        aa, ba, ab, bb = 1 + xa, 1 + na - xa, 1 + xb, 1 + nb - xb
        from scipy.special import betaln
        terms = [math.exp(betaln(aa + i, ba + bb) - math.log(bb + i) - betaln(1 + i, bb) - betaln(aa, ba))
                 for i in range(ab)]
        exact = math.fsum(terms)
        quad = integrate.quad(lambda x: stats.beta.pdf(x, aa, ba) * stats.beta.sf(x, ab, bb), 0, 1,
                              points=[aa / (aa + ba)], limit=500, epsabs=1e-13)[0]
        out.append({"na": na, "xa": xa, "nb": nb, "xb": xb, "p_b_better": exact, "quad": quad})
    return out


# ---- sequential: transcriptions of the CS and mSPRT formulas ----
def sequential_cases():
    out = []
    for est, var, N, alpha, tau in [(0.02, 1e-4, 20000, 0.05, 5000), (0.5, 0.04, 300, 0.1, 2000),
                                    (-0.001, 4e-6, 10**7, 0.05, 5000), (3.0, 0.01, 1000, 0.05, 10000)]:
        la = -2 * math.log(alpha)
        rho = math.sqrt((la + math.log(la + 1)) / tau)
        s2 = var * N
        hw = math.sqrt(s2) * math.sqrt(2 * (N * rho**2 + 1) * math.log(math.sqrt(N * rho**2 + 1) / alpha) / (N * rho)**2)
        st2 = est**2 * N / var
        loge = rho**2 * st2 / (2 * (N * rho**2 + 1)) - 0.5 * math.log(N * rho**2 + 1)
        out.append({"method": "cs", "est": est, "var": var, "N": N, "alpha": alpha, "tuning": tau,
                    "ci": [est - hw, est + hw], "p_value": min(1.0, math.exp(-loge))})
    for est, var, t in [(0.02, 1e-4, 0.01), (0.0, 1e-4, 0.05), (0.1, 1e-3, 0.1), (5.0, 0.01, 1.0)]:
        loglam = 0.5 * math.log(var / (var + t * t)) + est**2 * t * t / (2 * var * (var + t * t))
        hw = math.sqrt(var * (var + t * t) / (t * t) * (2 * math.log(1 / 0.05) + math.log((var + t * t) / var)))
        out.append({"method": "msprt", "est": est, "var": var, "tau": t, "alpha": 0.05,
                    "p_value": min(1.0, math.exp(-loglam)), "ci": [est - hw, est + hw]})
    return out


def srm_cases():
    out = []
    for n, w in [([10000, 10100], [0.5, 0.5]), ([5000, 5200, 4800], [1 / 3, 1 / 3, 1 / 3]),
                 ([900, 2100], [0.3, 0.7]), ([1000, 1300], [0.5, 0.5])]:
        tot = sum(n)
        r = stats.chisquare(n, [tot * x for x in w])
        out.append({"n": n, "weights": w, "p_value": float(r.pvalue)})
    return out


def multiple_cases():
    out = []
    for p in [[0.01, 0.04, 0.03, 0.005, 0.2], [0.5, 0.001, 0.049, 0.051], [0.9]]:
        d = {"p": p}
        for m, name in (("holm", "holm"), ("fdr_bh", "bh"), ("bonferroni", "bonferroni")):
            d[name] = [float(x) for x in multitest.multipletests(p, method=m)[1]]
        out.append(d)
    return out


def nonparam_cases():
    out = []
    for i, (na, nb, shift) in enumerate([(120, 130, 0.3), (300, 280, 0.0), (60, 75, 1.0)]):
        a = np.round(rng.exponential(2.0, na), 1)   # rounding creates ties
        b = np.round(rng.exponential(2.0, nb) + shift, 1)
        mw = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
        bs = stats.bootstrap((b, a), lambda y, x: np.mean(y) - np.mean(x), n_resamples=4000,
                             method="percentile", confidence_level=0.95, vectorized=False,
                             random_state=np.random.default_rng(7))
        out.append({"a": a.tolist(), "b": b.tolist(), "u": float(mw.statistic), "p_value": float(mw.pvalue),
                    "boot_ci": [float(bs.confidence_interval.low), float(bs.confidence_interval.high)],
                    "boot_se": float(bs.standard_error)})
    return out


def quantile_cases():
    out = []
    x = np.round(rng.lognormal(1.0, 0.8, 401), 3)
    for q in (0.1, 0.5, 0.9, 0.99):
        n = len(x)
        z = stats.norm.ppf(0.975)
        half = z * math.sqrt(n * q * (1 - q))
        l = max(1, math.floor(n * q - half))
        u = min(n, math.ceil(n * q + half))
        xs = np.sort(x)
        # exact coverage of [x_(l), x_(u)] for the true q-quantile: binomial
        cover = stats.binom.cdf(u - 1, n, q) - stats.binom.cdf(l - 1, n, q)
        out.append({"q": q, "est": float(np.quantile(x, q)), "rank_lo": l, "rank_hi": u,
                    "ci": [float(xs[l - 1]), float(xs[u - 1])], "coverage": float(cover)})
    return {"x": x.tolist(), "cases": out}


def did_cases():
    pre_a = rng.normal(10, 2, 150)
    post_a = pre_a + rng.normal(0.5, 1, 150)
    pre_b = rng.normal(10, 2, 170)
    post_b = pre_b + rng.normal(0.9, 1.3, 170)
    da, db = post_a - pre_a, post_b - pre_b
    t = stats.ttest_ind(db, da, equal_var=False)
    lo, hi = CompareMeans(DescrStatsW(db), DescrStatsW(da)).tconfint_diff(usevar="unequal")
    days = np.arange(21)
    diff = 0.3 + 0.01 * days + rng.normal(0, 0.1, 21)
    lr = stats.linregress(days, diff)
    return {"change_a": sums(da), "change_b": sums(db), "est": float(np.mean(db) - np.mean(da)),
            "p_value": float(t.pvalue), "ci": [float(lo), float(hi)],
            "pretrend_diff": diff.tolist(), "slope": float(lr.slope), "slope_se": float(lr.stderr),
            "slope_p": float(lr.pvalue)}


def survival_cases():
    ta = np.round(rng.exponential(10, 80), 0) + 1
    ea = (rng.random(80) < 0.7).astype(int)
    tb = np.round(rng.exponential(14, 90), 0) + 1
    eb = (rng.random(90) < 0.7).astype(int)
    sf = SurvfuncRight(ta, ea)
    chi2, p = survdiff(np.concatenate([ta, tb]), np.concatenate([ea, eb]),
                       np.concatenate([np.zeros(80), np.ones(90)]))
    return {"time_a": ta.tolist(), "event_a": ea.tolist(), "time_b": tb.tolist(), "event_b": eb.tolist(),
            "km_time": sf.surv_times.tolist(), "km_surv": sf.surv_prob.tolist(),
            "km_se": [None if math.isnan(v) else v for v in sf.surv_prob_se.tolist()], "logrank_chi2": float(chi2), "logrank_p": float(p)}


def power_cases():
    out = []
    for base, mde, alpha, pw, alt in [(0.1, 0.02, 0.05, 0.8, "two-sided"), (0.05, 0.005, 0.05, 0.9, "two-sided"),
                                      (0.5, 0.01, 0.01, 0.8, "two-sided"), (0.2, 0.03, 0.05, 0.8, "larger")]:
        a_eff = alpha if alt == "two-sided" else alpha  # statsmodels halves alpha itself for two-sided
        n = smprop.samplesize_proportions_2indep_onetail(mde, base, pw, alpha=a_eff,
                                                         alternative="two-sided" if alt == "two-sided" else "larger")
        p_at = smprop.power_proportions_2indep(mde, base, round(n), alpha=alpha,
                                               alternative="two-sided" if alt == "two-sided" else "larger").power
        out.append({"kind": "proportion", "baseline": base, "mde": mde, "alpha": alpha, "power": pw,
                    "sided": "two" if alt == "two-sided" else "one", "n": float(n),
                    "n_at": float(round(n)), "power_at": float(p_at)})
    for base, sd, mde, alpha, pw, alt in [(10.0, 3.0, 0.5, 0.05, 0.8, "two-sided"), (100.0, 40.0, 2.0, 0.05, 0.9, "larger"),
                                          (1.5, 0.7, 0.01, 0.1, 0.8, "two-sided")]:
        za = stats.norm.isf(alpha / 2 if alt == "two-sided" else alpha)
        n = smpower.normal_sample_size_one_tail(mde, pw, alpha / 2 if alt == "two-sided" else alpha,
                                                std_null=math.sqrt(2) * sd, std_alternative=math.sqrt(2) * sd)
        p_at = smpower.NormalIndPower().power(mde / sd, nobs1=round(n), alpha=alpha, ratio=1,
                                              alternative="two-sided" if alt == "two-sided" else "larger")
        out.append({"kind": "mean", "baseline": base, "sd": sd, "mde": mde, "alpha": alpha, "power": pw,
                    "sided": "two" if alt == "two-sided" else "one", "n": float(n),
                    "n_at": float(round(n)), "power_at": float(p_at), "za": float(za)})
    return out


def gsd_montecarlo():
    """Power of the 5-look OBF design at the drift abc's inflation factor implies,
    by simulating Brownian motion (2e6 paths): the C test checks its own
    crossing probability against this within 5 standard errors."""
    t = np.arange(1, 6) / 5.0
    z = np.array([4.8769, 3.3569, 2.6803, 2.2898, 2.0310])  # published, two-sided alpha 0.05
    theta = 2.8016 * math.sqrt(1.0255)  # (z_.975 + z_.8) * sqrt(IF)
    sims = 2_000_000
    g = np.random.default_rng(11)
    inc = g.normal(0, 1, (sims, 5)) * np.sqrt(np.diff(np.concatenate([[0], t]))) + theta * np.diff(np.concatenate([[0], t]))
    s = np.cumsum(inc, axis=1)
    crossed = np.any(np.abs(s / np.sqrt(t)) >= z, axis=1)
    p = float(np.mean(crossed))
    return {"t": t.tolist(), "z": z.tolist(), "theta": theta, "power": p,
            "se": math.sqrt(p * (1 - p) / sims)}


if __name__ == "__main__":
    dump("reference_tests.json", {"welch": welch_cases(), "delta": delta_cases(), "cuped": cuped_cases(),
                                  "ztest": ztest_cases(), "srm": srm_cases(),
                                  "multiple": multiple_cases()})
    dump("reference_bayes_seq.json", {"bayes": bayes_cases(), "beta_binomial": beta_binomial_cases(),
                                      "sequential": sequential_cases(), "gsd_mc": gsd_montecarlo()})
    dump("reference_nonparam.json", {"nonparam": nonparam_cases(), "quantile": quantile_cases(),
                                     "did": did_cases(), "survival": survival_cases()})
    dump("reference_power.json", {"power": power_cases()})
