/* test_stats_ref.c — every kernel method against reference values from an
 * independent implementation (scipy / statsmodels, tests/stats_ref/
 * gen_reference.py).  Tolerance 1e-9 relative where the math is closed
 * form; looser, stated per test, where quadrature or sampling is involved.
 */
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CLOSED 1e-9

static cJSON *load(const char *path)
{
    char *text = NULL, err[256];
    size_t len;
    AbcStatus st = file_read_all(path, 1 << 24, &text, &len, err, sizeof err);
    cr_assert_eq(st, ABC_OK, "%s", err);
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    cr_assert_not_null(j, "parse %s", path);
    return j;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    cr_assert(cJSON_IsNumber(v), "field %s", k);
    return v->valuedouble;
}

static double item(const cJSON *o, const char *k, int i)
{
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(o, k), i);
    cr_assert(cJSON_IsNumber(v), "field %s[%d]", k, i);
    return v->valuedouble;
}

static bool is_null_item(const cJSON *o, const char *k, int i)
{
    return cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetObjectItem(o, k), i));
}

#define CLOSE(got, want, tol, what)                                                        \
    cr_expect(fabs((got) - (want)) <= (tol) * fmax(fabs(want), 1e-300), "%s: got %.17g want %.17g", \
              what, (double)(got), (double)(want))

static StatsSums sums(const cJSON *o)
{
    StatsSums s = {0};
    s.n = num(o, "n");
    s.sum = num(o, "sum");
    s.sum_sq = num(o, "sum_sq");
    if (cJSON_GetObjectItem(o, "pre_sum")) {
        s.pre_sum = num(o, "pre_sum");
        s.pre_sum_sq = num(o, "pre_sum_sq");
        s.sum_pre = num(o, "sum_pre");
    }
    if (cJSON_GetObjectItem(o, "den_sum")) {
        s.den_sum = num(o, "den_sum");
        s.den_sum_sq = num(o, "den_sum_sq");
        s.sum_den = num(o, "sum_den");
    }
    return s;
}

static double *arr(const cJSON *o, const char *k, size_t *n)
{
    const cJSON *a = cJSON_GetObjectItem(o, k);
    *n = (size_t)cJSON_GetArraySize(a);
    double *x = malloc(*n * sizeof *x);
    size_t i = 0;
    for (const cJSON *it = a->child; it; it = it->next)
        x[i++] = it->valuedouble;
    return x;
}

Test(stats_ref, welch_absolute_two_and_one_sided)
{
    cJSON *ref = load("tests/stats_ref/reference_tests.json");
    int n = 0;
    for (const cJSON *c = cJSON_GetObjectItem(ref, "welch")->child; c; c = c->next, n++) {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        StatsSums a = sums(cJSON_GetObjectItem(c, "a")), b = sums(cJSON_GetObjectItem(c, "b"));
        StatsMoments ma, mb;
        cr_assert_eq(stats_moments(STATS_MEAN, &a, &ma), ABC_OK);
        cr_assert_eq(stats_moments(STATS_MEAN, &b, &mb), ABC_OK);
        StatsEffect e = stats_effect(STATS_ABSOLUTE, &ma, &mb);
        bool one = strcmp(cJSON_GetObjectItem(c, "sided")->valuestring, "one") == 0;
        bool lower = strcmp(cJSON_GetObjectItem(c, "direction")->valuestring, "lower") == 0;
        StatsTest t;
        cr_assert_eq(stats_ttest(&e, stats_welch_dof(&ma, &mb), 0.05,
                                 one ? STATS_ONE_SIDED : STATS_TWO_SIDED,
                                 lower ? STATS_LOWER_BETTER : STATS_HIGHER_BETTER, &t),
                     ABC_OK);
        CLOSE(e.est, num(c, "effect"), CLOSED, name);
        CLOSE(t.stat, num(c, "stat"), CLOSED, name);
        CLOSE(t.p_value, num(c, "p_value"), CLOSED, name);
        for (int i = 0; i < 2; i++) {
            if (is_null_item(c, "ci", i))
                cr_expect(isinf(i ? t.ci_hi : t.ci_lo), "%s: open CI side", name);
            else
                CLOSE(i ? t.ci_hi : t.ci_lo, item(c, "ci", i), CLOSED, name);
        }
    }
    cr_expect_eq(n, 12);
    cJSON_Delete(ref);
}

Test(stats_ref, relative_delta_method_mean_and_ratio)
{
    cJSON *ref = load("tests/stats_ref/reference_tests.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "delta")->child; c; c = c->next) {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        StatsMetricKind kind =
            strcmp(cJSON_GetObjectItem(c, "kind")->valuestring, "ratio") == 0 ? STATS_RATIO : STATS_MEAN;
        StatsSums a = sums(cJSON_GetObjectItem(c, "a")), b = sums(cJSON_GetObjectItem(c, "b"));
        StatsMoments ma, mb;
        cr_assert_eq(stats_moments(kind, &a, &ma), ABC_OK);
        cr_assert_eq(stats_moments(kind, &b, &mb), ABC_OK);
        CLOSE(ma.mean, num(c, "mean_a"), CLOSED, name);
        CLOSE(ma.var, num(c, "var_a"), 1e-8, name); /* sums vs numpy's centred var */
        CLOSE(mb.var, num(c, "var_b"), 1e-8, name);
        StatsEffect e = stats_effect(STATS_RELATIVE, &ma, &mb);
        CLOSE(e.est, num(c, "rel"), CLOSED, name);
        CLOSE(sqrt(e.var), num(c, "rel_se"), 1e-8, name);
        double dof = stats_welch_dof(&ma, &mb);
        CLOSE(dof, num(c, "dof"), 1e-8, name);
        StatsTest t;
        cr_assert_eq(stats_ttest(&e, dof, 0.05, STATS_TWO_SIDED, STATS_HIGHER_BETTER, &t), ABC_OK);
        CLOSE(t.p_value, num(c, "p_value"), 1e-7, name);
        CLOSE(t.ci_lo, item(c, "ci", 0), 1e-8, name);
        CLOSE(t.ci_hi, item(c, "ci", 1), 1e-8, name);
    }
    cJSON_Delete(ref);
}

Test(stats_ref, cuped_pooled_theta_both_effect_types)
{
    cJSON *ref = load("tests/stats_ref/reference_tests.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "cuped")->child; c; c = c->next) {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        StatsSums a = sums(cJSON_GetObjectItem(c, "a")), b = sums(cJSON_GetObjectItem(c, "b"));
        StatsCuped ab, re;
        cr_assert_eq(stats_cuped(STATS_MEAN, STATS_ABSOLUTE, &a, &b, &ab), ABC_OK);
        cr_assert_eq(stats_cuped(STATS_MEAN, STATS_RELATIVE, &a, &b, &re), ABC_OK);
        /* sums-based variances vs numpy's centred ones: 1e-8 */
        CLOSE(ab.theta, num(c, "theta"), 1e-8, name);
        CLOSE(ab.effect.est, num(c, "abs_est"), 1e-8, name);
        CLOSE(ab.effect.var, num(c, "abs_var"), 1e-8, name);
        CLOSE(re.effect.est, num(c, "rel_est"), 1e-8, name);
        CLOSE(re.effect.var, num(c, "rel_var"), 1e-8, name);
        CLOSE(re.variance_reduction, num(c, "variance_reduction_rel"), 1e-7, name);
        cr_expect_gt(re.variance_reduction, 0, "%s: CUPED reduces variance", name);
    }
    cJSON_Delete(ref);
}

Test(stats_ref, two_proportion_ztest)
{
    cJSON *ref = load("tests/stats_ref/reference_tests.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "ztest")->child; c; c = c->next) {
        StatsTest t, t1;
        cr_assert_eq(stats_ztest_prop(num(c, "na"), num(c, "xa"), num(c, "nb"), num(c, "xb"), 0.05,
                                      STATS_TWO_SIDED, STATS_HIGHER_BETTER, &t),
                     ABC_OK);
        cr_assert_eq(stats_ztest_prop(num(c, "na"), num(c, "xa"), num(c, "nb"), num(c, "xb"), 0.05,
                                      STATS_ONE_SIDED, STATS_HIGHER_BETTER, &t1),
                     ABC_OK);
        CLOSE(t.stat, num(c, "z"), CLOSED, "z");
        CLOSE(t.p_value, num(c, "p_value"), CLOSED, "p two-sided");
        CLOSE(t1.p_value, num(c, "p_greater"), CLOSED, "p one-sided");
        CLOSE(t.ci_lo, item(c, "ci", 0), CLOSED, "ci lo");
        CLOSE(t.ci_hi, item(c, "ci", 1), CLOSED, "ci hi");
    }
    cJSON_Delete(ref);
}

Test(stats_ref, srm_chi_square)
{
    cJSON *ref = load("tests/stats_ref/reference_tests.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "srm")->child; c; c = c->next) {
        size_t k, k2;
        double *n = arr(c, "n", &k), *w = arr(c, "weights", &k2);
        double p;
        cr_assert_eq(stats_srm(n, w, k, &p), ABC_OK);
        CLOSE(p, num(c, "p_value"), CLOSED, "srm");
        free(n);
        free(w);
    }
    cJSON_Delete(ref);
}

Test(stats_ref, multiple_testing_holm_bh_bonferroni)
{
    cJSON *ref = load("tests/stats_ref/reference_tests.json");
    static const struct {
        const char *key;
        StatsCorrection c;
    } m[] = {{"holm", STATS_CORR_HOLM}, {"bh", STATS_CORR_BH}, {"bonferroni", STATS_CORR_BONFERRONI}};
    for (const cJSON *c = cJSON_GetObjectItem(ref, "multiple")->child; c; c = c->next) {
        size_t k, k2;
        double *p = arr(c, "p", &k);
        for (size_t j = 0; j < 3; j++) {
            double *want = arr(c, m[j].key, &k2), adj[16];
            cr_assert_eq(stats_adjust_p(m[j].c, p, k, adj), ABC_OK);
            for (size_t i = 0; i < k; i++)
                CLOSE(adj[i], want[i], CLOSED, m[j].key);
            free(want);
        }
        free(p);
    }
    cJSON_Delete(ref);
}

Test(stats_ref, gaussian_bayes_flat_and_proper_both_directions)
{
    cJSON *ref = load("tests/stats_ref/reference_bayes_seq.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "bayes")->child; c; c = c->next) {
        StatsEffect e = {num(c, "est"), num(c, "se") * num(c, "se"), true};
        bool lower = strcmp(cJSON_GetObjectItem(c, "direction")->valuestring, "lower") == 0;
        StatsBayes b;
        cr_assert_eq(stats_bayes_gaussian(&e, num(c, "prior_mean"), num(c, "prior_sd"), 0.05,
                                          lower ? STATS_LOWER_BETTER : STATS_HIGHER_BETTER, &b),
                     ABC_OK);
        CLOSE(b.post_mean, num(c, "post_mean"), CLOSED, "posterior mean");
        CLOSE(b.chance_to_win, num(c, "ctw"), CLOSED, "ctw");
        CLOSE(b.cred_lo, item(c, "cred", 0), CLOSED, "cred lo");
        CLOSE(b.cred_hi, item(c, "cred", 1), CLOSED, "cred hi");
        /* the reference losses are scipy quad integrals: 1e-7 */
        double lt = num(c, "loss_treatment"), lc = num(c, "loss_control");
        cr_expect(fabs(b.loss_treatment - lt) <= 1e-7 * fabs(lt) + 1e-14, "loss trt %.17g %.17g",
                  b.loss_treatment, lt);
        cr_expect(fabs(b.loss_control - lc) <= 1e-7 * fabs(lc) + 1e-14, "loss ctl %.17g %.17g",
                  b.loss_control, lc);
    }
    cJSON_Delete(ref);
}

Test(stats_ref, beta_binomial_win_probability)
{
    cJSON *ref = load("tests/stats_ref/reference_bayes_seq.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "beta_binomial")->child; c; c = c->next) {
        double p, pl;
        cr_assert_eq(stats_beta_binomial(num(c, "na"), num(c, "xa"), num(c, "nb"), num(c, "xb"), 1,
                                         1, STATS_HIGHER_BETTER, &p),
                     ABC_OK);
        cr_assert_eq(stats_beta_binomial(num(c, "na"), num(c, "xa"), num(c, "nb"), num(c, "xb"), 1,
                                         1, STATS_LOWER_BETTER, &pl),
                     ABC_OK);
        /* numerical integration vs the exact sum: 1e-8 absolute */
        double want = num(c, "p_b_better");
        cr_expect(fabs(p - want) <= 1e-8, "bb: got %.17g want %.17g", p, want);
        cr_expect(fabs(pl - (1 - want)) <= 1e-8, "bb lower");
    }
    cJSON_Delete(ref);
}

Test(stats_ref, confidence_sequence_and_msprt)
{
    cJSON *ref = load("tests/stats_ref/reference_bayes_seq.json");
    int n = 0;
    for (const cJSON *c = cJSON_GetObjectItem(ref, "sequential")->child; c; c = c->next, n++) {
        StatsEffect e = {num(c, "est"), num(c, "var"), true};
        StatsTest t;
        if (strcmp(cJSON_GetObjectItem(c, "method")->valuestring, "cs") == 0)
            cr_assert_eq(stats_cs(&e, num(c, "N"), num(c, "alpha"), num(c, "tuning"), &t), ABC_OK);
        else
            cr_assert_eq(stats_msprt(&e, num(c, "alpha"), num(c, "tau"), &t), ABC_OK);
        CLOSE(t.p_value, num(c, "p_value"), CLOSED, "p");
        CLOSE(t.ci_lo, item(c, "ci", 0), CLOSED, "ci lo");
        CLOSE(t.ci_hi, item(c, "ci", 1), CLOSED, "ci hi");
    }
    cr_expect_eq(n, 8);
    cJSON_Delete(ref);
}

Test(stats_ref, gsd_power_matches_simulation)
{
    cJSON *ref = load("tests/stats_ref/reference_bayes_seq.json");
    const cJSON *g = cJSON_GetObjectItem(ref, "gsd_mc");
    size_t k, k2;
    double *t = arr(g, "t", &k), *z = arr(g, "z", &k2);
    double p;
    cr_assert_eq(stats_gsd_cross_prob(t, z, k, true, num(g, "theta"), &p), ABC_OK);
    /* Monte Carlo reference: within 5 standard errors */
    cr_expect(fabs(p - num(g, "power")) <= 5 * num(g, "se"), "gsd power %.6f vs MC %.6f", p,
              num(g, "power"));
    free(t);
    free(z);
    cJSON_Delete(ref);
}

Test(stats_ref, mann_whitney_and_bootstrap)
{
    cJSON *ref = load("tests/stats_ref/reference_nonparam.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "nonparam")->child; c; c = c->next) {
        size_t na, nb;
        double *a = arr(c, "a", &na), *b = arr(c, "b", &nb);
        StatsMannWhitney mw;
        /* scipy's U is for its first sample, which the generator passed as a */
        cr_assert_eq(stats_mann_whitney(a, na, b, nb, &mw), ABC_OK);
        CLOSE(mw.u, num(c, "u"), CLOSED, "U");
        CLOSE(mw.p_value, num(c, "p_value"), CLOSED, "MW p");
        StatsBootstrap bs, bs2;
        cr_assert_eq(stats_bootstrap(a, na, b, nb, STATS_ABSOLUTE, 4000, 42, 0.05, &bs), ABC_OK);
        cr_assert_eq(stats_bootstrap(a, na, b, nb, STATS_ABSOLUTE, 4000, 42, 0.05, &bs2), ABC_OK);
        cr_expect(bs.ci_lo == bs2.ci_lo && bs.ci_hi == bs2.ci_hi && bs.se == bs2.se,
                  "same seed, same answer");
        /* sampling: bootstrap SE within 8%, CI ends within 0.25 SE of scipy's */
        double se = num(c, "boot_se");
        cr_expect(fabs(bs.se - se) <= 0.08 * se, "boot se %.5f vs %.5f", bs.se, se);
        cr_expect(fabs(bs.ci_lo - item(c, "boot_ci", 0)) <= 0.25 * se, "boot lo");
        cr_expect(fabs(bs.ci_hi - item(c, "boot_ci", 1)) <= 0.25 * se, "boot hi");
        free(a);
        free(b);
    }
    cJSON_Delete(ref);
}

Test(stats_ref, quantile_ci_order_statistics)
{
    cJSON *ref = load("tests/stats_ref/reference_nonparam.json");
    const cJSON *qd = cJSON_GetObjectItem(ref, "quantile");
    size_t n;
    double *x = arr(qd, "x", &n);
    for (const cJSON *c = cJSON_GetObjectItem(qd, "cases")->child; c; c = c->next) {
        StatsQuantile q;
        cr_assert_eq(stats_quantile_ci(x, n, num(c, "q"), 0.05, &q), ABC_OK);
        CLOSE(q.est, num(c, "est"), CLOSED, "quantile (numpy)");
        cr_expect_eq((double)q.rank_lo, num(c, "rank_lo"));
        cr_expect_eq((double)q.rank_hi, num(c, "rank_hi"));
        CLOSE(q.ci_lo, item(c, "ci", 0), CLOSED, "q lo");
        CLOSE(q.ci_hi, item(c, "ci", 1), CLOSED, "q hi");
        /* the exact binomial coverage of these ranks is near 1 − α */
        cr_expect_geq(num(c, "coverage"), 0.94);
    }
    free(x);
    cJSON_Delete(ref);
}

Test(stats_ref, did_and_pretrends)
{
    cJSON *ref = load("tests/stats_ref/reference_nonparam.json");
    const cJSON *d = cJSON_GetObjectItem(ref, "did");
    StatsSums a = sums(cJSON_GetObjectItem(d, "change_a")), b = sums(cJSON_GetObjectItem(d, "change_b"));
    StatsMoments ma, mb;
    cr_assert_eq(stats_moments(STATS_MEAN, &a, &ma), ABC_OK);
    cr_assert_eq(stats_moments(STATS_MEAN, &b, &mb), ABC_OK);
    StatsTest t;
    double est;
    cr_assert_eq(stats_did(&ma, &mb, 0.05, &t, &est), ABC_OK);
    CLOSE(est, num(d, "est"), CLOSED, "did est");
    CLOSE(t.p_value, num(d, "p_value"), 1e-8, "did p");
    CLOSE(t.ci_lo, item(d, "ci", 0), 1e-8, "did lo");
    CLOSE(t.ci_hi, item(d, "ci", 1), 1e-8, "did hi");
    size_t n;
    double *y = arr(d, "pretrend_diff", &n), slope;
    cr_assert_eq(stats_pretrend(y, n, 0.05, &t, &slope), ABC_OK);
    CLOSE(slope, num(d, "slope"), CLOSED, "slope");
    CLOSE(slope / t.stat, num(d, "slope_se"), CLOSED, "slope se");
    CLOSE(t.p_value, num(d, "slope_p"), CLOSED, "slope p");
    free(y);
    cJSON_Delete(ref);
}

static int *ints(const cJSON *o, const char *k, size_t *n)
{
    size_t m;
    double *x = arr(o, k, &m);
    int *r = malloc(m * sizeof *r);
    for (size_t i = 0; i < m; i++)
        r[i] = (int)x[i];
    free(x);
    *n = m;
    return r;
}

Test(stats_ref, kaplan_meier_and_logrank)
{
    cJSON *ref = load("tests/stats_ref/reference_nonparam.json");
    const cJSON *s = cJSON_GetObjectItem(ref, "survival");
    size_t na, nb, k, k2, k3, x;
    double *ta = arr(s, "time_a", &na), *tb = arr(s, "time_b", &nb);
    int *ea = ints(s, "event_a", &x), *eb = ints(s, "event_b", &x);
    double *kt = arr(s, "km_time", &k), *ks = arr(s, "km_surv", &k2);
    const cJSON *kse = cJSON_GetObjectItem(s, "km_se");
    k3 = (size_t)cJSON_GetArraySize(kse);
    cr_assert_eq(k3, k);
    StatsKmPoint *pts;
    size_t np;
    cr_assert_eq(stats_kaplan_meier(ta, ea, na, &pts, &np), ABC_OK);
    cr_assert_eq(np, k);
    for (size_t i = 0; i < np; i++) {
        CLOSE(pts[i].time, kt[i], CLOSED, "km time");
        CLOSE(pts[i].surv, ks[i], CLOSED, "km surv");
        const cJSON *se = cJSON_GetArrayItem(kse, (int)i);
        if (cJSON_IsNumber(se)) /* statsmodels gives NaN (null) once S reaches 0 */
            CLOSE(pts[i].se, se->valuedouble, CLOSED, "km greenwood se");
    }
    free(pts);
    double chi2, p;
    cr_assert_eq(stats_logrank(ta, ea, na, tb, eb, nb, &chi2, &p), ABC_OK);
    CLOSE(chi2, num(s, "logrank_chi2"), CLOSED, "logrank chi2");
    CLOSE(p, num(s, "logrank_p"), CLOSED, "logrank p");
    free(ta);
    free(tb);
    free(ea);
    free(eb);
    free(kt);
    free(ks);
    cJSON_Delete(ref);
}

Test(stats_ref, power_sample_size_and_mde)
{
    cJSON *ref = load("tests/stats_ref/reference_power.json");
    for (const cJSON *c = cJSON_GetObjectItem(ref, "power")->child; c; c = c->next) {
        StatsPowerSpec s = {0};
        s.kind = strcmp(cJSON_GetObjectItem(c, "kind")->valuestring, "mean") == 0 ? STATS_MEAN
                                                                                 : STATS_PROPORTION;
        s.baseline = num(c, "baseline");
        s.sd = s.kind == STATS_MEAN ? num(c, "sd") : 0;
        s.alpha = num(c, "alpha");
        s.power = num(c, "power");
        s.sides = strcmp(cJSON_GetObjectItem(c, "sided")->valuestring, "two") == 0 ? STATS_TWO_SIDED
                                                                                   : STATS_ONE_SIDED;
        s.variations = 2;
        double n, mde, pw;
        cr_assert_eq(stats_sample_size(&s, num(c, "mde"), &n), ABC_OK);
        CLOSE(n, num(c, "n"), CLOSED, "sample size");
        cr_assert_eq(stats_power_at(&s, num(c, "n_at"), num(c, "mde"), &pw), ABC_OK);
        CLOSE(pw, num(c, "power_at"), CLOSED, "power");
        /* MDE is the inverse of the sample size (root finding for proportions) */
        cr_assert_eq(stats_mde(&s, num(c, "n"), &mde), ABC_OK);
        CLOSE(mde, num(c, "mde"), 1e-9, "mde");
        /* relative MDE is the absolute one over the baseline */
        s.relative = true;
        cr_assert_eq(stats_sample_size(&s, num(c, "mde") / s.baseline, &n), ABC_OK);
        CLOSE(n, num(c, "n"), 1e-12, "relative sample size");
    }
    cJSON_Delete(ref);
}
