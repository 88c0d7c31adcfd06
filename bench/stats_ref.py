#!/usr/bin/python3
"""The scipy reference pipeline for bench/stats.sh: the same analyses as
bench/stats_bench.c, done the way a Python stats service would.

    stats_ref.py cells [N]          vectorised numpy/scipy over N cells, and a
                                    per-cell loop (as gbstats runs) on N/10
                                    cells, scaled up
    stats_ref.py bootstrap [N R]    scipy.stats.bootstrap, percentile CI
    stats_ref.py mw [N]             scipy.stats.mannwhitneyu, asymptotic
Prints "name seconds checksum" lines.  Needs /usr/bin/python3 (Debian scipy).
"""
import math
import sys
import time

import numpy as np
from scipy import stats


def cells(n):
    g = np.random.default_rng(1)
    units = 1000 + g.integers(0, 100000, (n, 2)).astype(float)
    mean = 5 + g.random((n, 2))
    sd = 1 + g.random((n, 2))
    s = mean * units
    ss = (sd * sd + mean * mean) * units
    t0 = time.perf_counter()
    m = s / units
    v = (ss - s * s / units) / (units - 1)
    ma, mb, va, vb, na, nb = m[:, 0], m[:, 1], v[:, 0], v[:, 1], units[:, 0], units[:, 1]
    est = (mb - ma) / np.abs(ma)
    se2 = vb / (nb * ma**2) + va * mb**2 / (na * ma**4)
    se = np.sqrt(se2)
    dof = (va / na + vb / nb)**2 / ((va / na)**2 / (na - 1) + (vb / nb)**2 / (nb - 1))
    p = 2 * stats.t.sf(np.abs(est / se), dof)
    q = stats.t.ppf(0.975, dof)
    lo, hi = est - q * se, est + q * se
    z = est / se
    ctw = stats.norm.sf(-z)
    loss_t = se * stats.norm.pdf(z) - est * stats.norm.cdf(-z)
    loss_c = est * stats.norm.cdf(z) + se * stats.norm.pdf(z)
    cred = stats.norm.ppf([[0.025], [0.975]], est, se)
    N = na + nb
    la = -2 * math.log(0.05)
    rho2 = (la + math.log(la + 1)) / 5000
    a = N * rho2 + 1
    hw = np.sqrt(se2 * N) * np.sqrt(2 * a * np.log(np.sqrt(a) / 0.05) / (N * N * rho2))
    cs_lo = est - hw
    dt = time.perf_counter() - t0
    print("cells_vectorised %.6f %.10g n=%d" % (dt, float(np.sum(p + ctw + cs_lo) + 0 * np.sum(lo + hi + loss_t + loss_c + cred[0])), n))
    k = max(1, n // 10)
    t0 = time.perf_counter()
    chk = 0.0
    for i in range(k):
        e, s2, d = est[i], se2[i], dof[i]
        sd_ = math.sqrt(s2)
        pp = 2 * stats.t.sf(abs(e / sd_), d)
        qq = stats.t.ppf(0.975, d)
        c = stats.norm.sf(0, e, sd_)
        stats.norm.ppf([0.025, 0.975], e, sd_)
        zz = e / sd_
        sd_ * stats.norm.pdf(zz) - e * stats.norm.cdf(-zz)
        chk += pp + c + qq
    dt = (time.perf_counter() - t0) * (n / k)
    print("cells_loop %.6f %.10g n=%d (scaled from %d)" % (dt, chk, n, k))


def sample(g, n, shift):
    return np.floor(g.exponential(2.0, n) * 100) / 100 + shift


def raw(what, n, r):
    g = np.random.default_rng(2)
    a, b = sample(g, n, 0), sample(g, n, 0.01)
    t0 = time.perf_counter()
    if what == "mw":
        res = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
        chk = res.pvalue
    else:
        res = stats.bootstrap((b, a), lambda y, x, axis=-1: np.mean(y, axis=axis) - np.mean(x, axis=axis),
                              n_resamples=r, batch=5, method="percentile", vectorized=True,
                              random_state=np.random.default_rng(42))
        chk = res.confidence_interval.low
    print("%s %.6f %.10g n=%d" % (what, time.perf_counter() - t0, chk, n))


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "cells"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if what == "cells":
        cells(n or 100000)
    elif what in ("mw", "bootstrap"):
        raw(what, n or 1000000, int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    else:
        sys.exit("usage: stats_ref.py cells|bootstrap|mw [N [R]]")
