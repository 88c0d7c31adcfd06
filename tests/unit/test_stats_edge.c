/* test_stats_edge.c — defined behaviour at the edges: large means, n = 0/1,
 * zero variance, identical arms, control mean 0, proportions 0 and 1,
 * n = 1e12, the published O'Brien-Fleming boundary table, and value counts
 * (the raw and counted forms of the quantile, rank and resampling methods
 * agree bit for bit).
 */
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static StatsRequest req(StatsMetricKind kind, StatsEffectType eff, StatsVariationIn *v, size_t k)
{
    StatsRequest q = {0};
    q.kind = kind;
    q.alpha = 0.05;
    q.effect = eff;
    q.methods = STATS_M_TTEST | STATS_M_BAYES | STATS_M_ZTEST | STATS_M_BETA_BINOMIAL;
    if (kind != STATS_PROPORTION)
        q.methods = STATS_M_TTEST | STATS_M_BAYES;
    q.srm_threshold = 0.001;
    q.nvar = k;
    q.vars = v;
    return q;
}

static int dbl_cmp_asc(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Render and assert no NaN/Inf text can appear; returns the JSON. */
static char *render(const StatsRequest *q, const StatsResult *r)
{
    cJSON *j = stats_result_to_json(q, r);
    cr_assert_not_null(j);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    cr_expect_null(strstr(s, "nan"), "%s", s);
    cr_expect_null(strstr(s, "inf"), "%s", s);
    cr_expect_null(strstr(s, "NaN"), "%s", s);
    return s;
}

Test(stats_edge, welford_mean_1e9_stddev_1)
{
    /* x_i = 1e9 + (−1)^i·s so the sample variance is exact: n s²/(n−1) */
    StatsRunning r, r2, m;
    stats_running_init(&r);
    stats_running_init(&r2);
    size_t n = 100000;
    for (size_t i = 0; i < n; i++) {
        double x = 1e9 + ((i % 2) ? 1.0 : -1.0);
        stats_running_push(i < n / 2 ? &r : &r2, x);
    }
    m = r;
    stats_running_merge(&m, &r2);
    double want = (double)n / (double)(n - 1);
    cr_expect(fabs(stats_running_var(&m) - want) < 1e-9 * want, "var %.17g", stats_running_var(&m));
    cr_expect(fabs((double)m.mean - 1e9) < 1e-6);
    /* plain double Σx² − (Σx)²/n would be off by orders of magnitude here */
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double x = 1e9 + ((i % 2) ? 1.0 : -1.0);
        s += x;
        ss += x * x;
    }
    double naive = (ss - s * s / (double)n) / (double)(n - 1);
    cr_expect(fabs(naive - want) > 0.01, "naive should fail (%.17g) for this test to mean anything",
              naive);
}

Test(stats_edge, long_double_sums_beat_cancellation)
{
    /* 50 integers around 1e7: Σx² is exact in double, (Σx)² is not */
    double s = 0, ss = 0, n = 50;
    for (int i = 0; i < 50; i++) {
        double x = 1e7 + (i % 5);
        s += x;
        ss += x * x;
    }
    /* values 0..4 repeated 10 times: variance = 2·50/49 */
    double want = 2.0 * 50.0 / 49.0;
    double v = stats_var_from_sums(n, s, ss);
    cr_expect(fabs(v - want) < 1e-9 * want, "var %.17g want %.17g", v, want);
    cr_expect_eq(stats_var_from_sums(1, 5, 25), 0.0);
    cr_expect_eq(stats_var_from_sums(0, 0, 0), 0.0);
    /* rounding below zero clamps at 0 */
    cr_expect_eq(stats_var_from_sums(3, 3e8, 3e16 * (1 - 1e-17)), 0.0);
}

Test(stats_edge, n_zero_and_one_flag_no_test)
{
    StatsVariationIn v[3] = {{"c", 0.4, {.n = 0}}, {"t", 0.3, {.n = 1, .sum = 1, .sum_sq = 1}},
                             {"u", 0.3, {.n = 5, .sum = 2, .sum_sq = 2}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_RELATIVE, v, 3);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK, "%s", err);
    cr_expect(isnan(r.arms[0].mean));
    cr_expect_eq(r.arms[1].mean, 1.0);
    for (int i = 1; i < 3; i++) {
        cr_expect(r.arms[i].flags & STATS_F_SMALL_N);
        cr_expect(isnan(r.arms[i].p_value));
        cr_expect_not_null(r.arms[i].message);
    }
    free(render(&q, &r));
    stats_result_free(&r);
    StatsMoments m;
    StatsSums z = {0};
    cr_expect_eq(stats_moments(STATS_MEAN, &z, &m), ABC_ERR_SPEC);
}

Test(stats_edge, zero_variance_and_identical_arms)
{
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 100, .sum = 300, .sum_sq = 900}},
                             {"t", 0.5, {.n = 100, .sum = 300, .sum_sq = 900}}};
    StatsRequest q = req(STATS_MEAN, STATS_ABSOLUTE, v, 2);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.arms[1].flags & STATS_F_ZERO_VARIANCE);
    cr_expect_eq(r.arms[1].effect, 0.0);
    cr_expect(isnan(r.arms[1].p_value));
    free(render(&q, &r));
    stats_result_free(&r);
    /* identical arms with variance: effect 0, p = 1, CTW 0.5, losses equal */
    v[0].sums.sum_sq = v[1].sums.sum_sq = 1000;
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect_eq(r.arms[1].effect, 0.0);
    cr_expect(fabs(r.arms[1].p_value - 1.0) < 1e-15);
    cr_expect(fabs(r.arms[1].chance_to_win - 0.5) < 1e-15);
    cr_expect(fabs(r.arms[1].expected_loss - r.arms[1].expected_loss_control) < 1e-15);
    cr_expect(fabs(r.srm_p_value - 1.0) < 1e-15);
    stats_result_free(&r);
}

Test(stats_edge, control_mean_zero_relative_undefined)
{
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 100, .sum = 0, .sum_sq = 50}},
                             {"t", 0.5, {.n = 100, .sum = 5, .sum_sq = 60}}};
    StatsRequest q = req(STATS_MEAN, STATS_RELATIVE, v, 2);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.arms[1].flags & STATS_F_REL_UNDEFINED);
    cr_expect_str_eq(r.arms[1].message, "control mean is 0: relative effect undefined");
    cr_expect(isnan(r.arms[1].effect));
    cr_expect(isfinite(r.arms[1].abs_effect), "absolute effect still reported");
    cr_expect(isnan(r.arms[1].uplift.abs_lo), "no interval next to an untestable effect");
    char *s = render(&q, &r);
    cr_expect_not_null(strstr(s, "\"effect\":null"), "%s", s);
    cr_expect_not_null(strstr(s, "relative_undefined"), "%s", s);
    free(s);
    stats_result_free(&r);
    /* absolute effect is fine with a zero control mean */
    q.effect = STATS_ABSOLUTE;
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect_eq(r.arms[1].flags & STATS_F_REL_UNDEFINED, 0u);
    cr_expect(isfinite(r.arms[1].p_value));
    stats_result_free(&r);
}

Test(stats_edge, extreme_proportions_zero_and_one)
{
    /* both arms at 0: zero variance, flagged; 0 vs some: a test happens */
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 1000, .sum = 0, .sum_sq = 0}},
                             {"t", 0.5, {.n = 1000, .sum = 0, .sum_sq = 0}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_ABSOLUTE, v, 2);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.arms[1].flags & STATS_F_ZERO_VARIANCE);
    cr_expect(isfinite(r.arms[1].bb_chance_to_win), "beta-binomial defined at 0/0");
    cr_expect(fabs(r.arms[1].bb_chance_to_win - 0.5) < 1e-8);
    free(render(&q, &r));
    stats_result_free(&r);
    v[0].sums.sum = v[0].sums.sum_sq = 1000; /* control at 1, treatment at 0 */
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.arms[1].flags & STATS_F_ZERO_VARIANCE, "p(1−p) = 0 in both arms");
    cr_expect(fabs(r.arms[1].effect + 1.0) < 1e-15);
    cr_expect(r.arms[1].z_p_value < 1e-100, "pooled z-test still works");
    free(render(&q, &r));
    stats_result_free(&r);
    v[1].sums.sum = v[1].sums.sum_sq = 3; /* 1 vs 0.003 */
    q.effect = STATS_RELATIVE;
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(isfinite(r.arms[1].p_value));
    cr_expect(r.arms[1].p_value < 1e-10);
    free(render(&q, &r));
    stats_result_free(&r);
}

Test(stats_edge, n_up_to_1e12)
{
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 1e12, .sum = 1e11, .sum_sq = 1e11}},
                             {"t", 0.5, {.n = 1e12, .sum = 1.00001e11, .sum_sq = 1.00001e11}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_RELATIVE, v, 2);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    /* closed form: relative effect 1e-5, delta-method SE, normal tail (dof ~ 2e12) */
    double ma = 0.1, mb = 0.100001, n = 1e12;
    double se = sqrt(mb * (1 - mb) / (n * ma * ma) + ma * (1 - ma) * mb * mb / (n * ma * ma * ma * ma));
    double want = erfc(fabs(((mb - ma) / ma) / se) / sqrt(2.0));
    cr_expect(fabs(r.arms[1].p_value - want) < 1e-6 * want, "p %.10g want %.10g", r.arms[1].p_value,
              want);
    cr_expect(isfinite(r.arms[1].bb_chance_to_win), "beta-binomial at 1e12 (normal limit)");
    cr_expect(fabs(r.arms[1].bb_chance_to_win - r.arms[1].chance_to_win) < 1e-3);
    cr_expect(isfinite(r.arms[1].uplift.impact));
    free(render(&q, &r));
    stats_result_free(&r);
    StatsMoments m;
    StatsSums s = {.n = 1e12, .sum = 3e12, .sum_sq = 1e13};
    cr_assert_eq(stats_moments(STATS_MEAN, &s, &m), ABC_OK);
    cr_expect(fabs(m.var - 1.0) < 1e-9, "var %.17g", m.var);
}

Test(stats_edge, obf_boundaries_match_published_table)
{
    /* Lan-DeMets OBF, two-sided α = 0.05, equal spacing (DeMets & Lan 1994,
     * Table 1; also R ldbounds / gsDesign sfLDOF), 3 decimals published. */
    static const double k3[] = {3.710, 2.511, 1.993};
    static const double k4[] = {4.333, 2.963, 2.359, 2.014};
    static const double k5[] = {4.877, 3.357, 2.680, 2.290, 2.031};
    const double *tab[] = {k3, k4, k5};
    for (size_t K = 3; K <= 5; K++) {
        double t[5], z[5];
        for (size_t i = 0; i < K; i++)
            t[i] = (double)(i + 1) / (double)K;
        cr_assert_eq(stats_gsd_obf(t, K, 0.05, true, z), ABC_OK);
        for (size_t i = 0; i < K; i++)
            cr_expect(fabs(z[i] - tab[K - 3][i]) <= 6e-4, "K=%zu look %zu: %.4f vs %.3f", K, i,
                      z[i], tab[K - 3][i]);
        double a;
        cr_assert_eq(stats_gsd_cross_prob(t, z, K, true, 0.0, &a), ABC_OK);
        cr_expect(fabs(a - 0.05) < 1e-7, "attained alpha %.10f", a);
    }
    /* one look is the fixed design */
    double t1 = 1, z1, p;
    cr_assert_eq(stats_gsd_obf(&t1, 1, 0.05, true, &z1), ABC_OK);
    cr_expect(fabs(z1 - 1.959963984540054) < 1e-9);
    cr_assert_eq(stats_gsd_cross_prob(&t1, &z1, 1, false, 2.8, &p), ABC_OK);
    cr_expect_eq(stats_gsd_obf(&t1, 0, 0.05, true, &z1), ABC_ERR_SPEC);
}

Test(stats_edge, sequential_designs_cost_more_samples)
{
    StatsPowerSpec s = {.kind = STATS_PROPORTION, .baseline = 0.1, .alpha = 0.05, .power = 0.8,
                        .variations = 2, .tuning = 5000, .looks = 5};
    double nf, ncs, ngsd, mde;
    cr_assert_eq(stats_sample_size(&s, 0.02, &nf), ABC_OK);
    s.design = STATS_DESIGN_CS;
    cr_assert_eq(stats_sample_size(&s, 0.02, &ncs), ABC_OK);
    cr_assert_eq(stats_mde(&s, ncs, &mde), ABC_OK);
    cr_expect(fabs(mde - 0.02) < 1e-6, "CS mde inverts n: %.10f", mde);
    s.design = STATS_DESIGN_GSD;
    cr_assert_eq(stats_sample_size(&s, 0.02, &ngsd), ABC_OK);
    /* OBF 5 looks: inflation ≈ 1.026 (Jennison & Turnbull 2000, Table 2.?) */
    cr_expect(ngsd / nf > 1.02 && ngsd / nf < 1.03, "inflation %.4f", ngsd / nf);
    cr_expect(ncs > ngsd, "CS %.0f > GSD %.0f", ncs, ngsd);
    cr_expect_eq(stats_sample_size(&s, 0.95, &nf), ABC_ERR_SPEC, "p2 > 1 is an error");
}

Test(stats_edge, bayes_extreme_z_is_finite)
{
    StatsEffect e = {1.0, 1e-6, true};
    StatsBayes b;
    cr_assert_eq(stats_bayes_gaussian(&e, 0, 0, 0.05, STATS_HIGHER_BETTER, &b), ABC_OK);
    cr_expect_eq(b.chance_to_win, 1.0);
    cr_expect_eq(b.loss_treatment, 0.0);
    cr_expect(fabs(b.loss_control - 1.0) < 1e-12);
    StatsTest t;
    cr_assert_eq(stats_msprt(&e, 0.05, 0.1, &t), ABC_OK);
    cr_expect_eq(t.p_value, 0.0, "huge Λ underflows to p = 0, not NaN");
    cr_assert_eq(stats_cs(&e, 1e6, 0.05, 5000, &t), ABC_OK);
    cr_expect_eq(t.p_value, 0.0);
    StatsEffect zero = {0, 0, true};
    cr_expect_eq(stats_ttest(&zero, 10, 0.05, STATS_TWO_SIDED, STATS_HIGHER_BETTER, &t),
                 ABC_ERR_SPEC);
}

Test(stats_edge, msprt_running_minimum)
{
    StatsEffect looks[4] = {{0.05, 1e-3, true}, {0.08, 5e-4, true}, {0.0, 3e-4, true},
                            {0.02, 2e-4, true}};
    double p[4];
    cr_assert_eq(stats_msprt_running(looks, 4, 0.1, p), ABC_OK);
    for (int i = 1; i < 4; i++)
        cr_expect_leq(p[i], p[i - 1]);
    StatsTest t;
    cr_assert_eq(stats_msprt(&looks[1], 0.05, 0.1, &t), ABC_OK);
    cr_expect_eq(p[1], fmin(p[0], t.p_value));
}

Test(stats_edge, correction_in_analysis_and_srm_flag)
{
    StatsVariationIn v[3] = {{"c", 1.0 / 3, {.n = 1000, .sum = 100, .sum_sq = 100}},
                             {"t1", 1.0 / 3, {.n = 1500, .sum = 190, .sum_sq = 190}},
                             {"t2", 1.0 / 3, {.n = 1000, .sum = 130, .sum_sq = 130}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_ABSOLUTE, v, 3);
    q.correction = STATS_CORR_BONFERRONI;
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.srm_flag, "1000/1500/1000 against equal weights is an SRM");
    cr_expect(r.arms[1].flags & STATS_F_SRM);
    for (int i = 1; i < 3; i++)
        cr_expect(fabs(r.arms[i].p_adjusted - fmin(1, 2 * r.arms[i].p_value)) < 1e-15);
    stats_result_free(&r);
    v[0].weight = 0.5;
    cr_expect_eq(stats_analyse(&q, &r, err, sizeof err), ABC_ERR_SPEC);
    cr_expect_not_null(strstr(err, "$.variations: weights sum"), "%s", err);
}

/* ---- results that agree with themselves ---------------------------------- */

Test(stats_consistency, fisher_exact_matches_scipy)
{
    double p;
    /* scipy.stats.fisher_exact([[0, 5000], [7, 4993]]) */
    cr_assert_eq(stats_fisher_exact(5000, 0, 5000, 7, &p), ABC_OK);
    cr_expect(fabs(p - 0.015592200629594374) < 1e-9, "p %.17g", p);
    cr_expect_eq(stats_fisher_exact(10, 11, 10, 0, &p), ABC_ERR_SPEC);
    cr_expect_eq(stats_fisher_exact(10, 0.5, 10, 0, &p), ABC_ERR_SPEC);
}

Test(stats_consistency, proportion_at_zero_is_flagged_with_the_exact_test)
{
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 5000, .sum = 0, .sum_sq = 0}},
                             {"t", 0.5, {.n = 5000, .sum = 7, .sum_sq = 7}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_ABSOLUTE, v, 2);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.arms[1].flags & STATS_F_BOUNDARY);
    cr_expect(fabs(r.arms[1].exact_p_value - 0.015592200629594374) < 1e-9);
    char *s = render(&q, &r);
    cr_expect_not_null(strstr(s, "proportion_at_boundary"), "%s", s);
    free(s);
    stats_result_free(&r);
    /* treatment at 0: the relative effect has zero variance, so no test is
     * published on either scale (no p next to an effect without one) */
    v[0].sums.sum = v[0].sums.sum_sq = 7;
    v[1].sums.sum = v[1].sums.sum_sq = 0;
    q.effect = STATS_RELATIVE;
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect(r.arms[1].flags & STATS_F_ZERO_VARIANCE);
    cr_expect(isnan(r.arms[1].p_value) && isnan(r.arms[1].ci_lo));
    cr_expect(isnan(r.arms[1].uplift.abs_lo) && isnan(r.arms[1].uplift.impact_lo));
    cr_expect(isfinite(r.arms[1].abs_effect));
    stats_result_free(&r);
}

Test(stats_consistency, cuped_effect_is_the_centre_of_its_interval)
{
    StatsVariationIn v[2] = {
        {"c", 0.5, {.n = 500, .sum = 1000, .sum_sq = 9000, .pre_sum = 950, .pre_sum_sq = 8000, .sum_pre = 7000}},
        {"t", 0.5, {.n = 500, .sum = 1100, .sum_sq = 9800, .pre_sum = 900, .pre_sum_sq = 7600, .sum_pre = 7100}}};
    for (int type = 0; type < 2; type++) {
        StatsRequest q = req(STATS_MEAN, type ? STATS_RELATIVE : STATS_ABSOLUTE, v, 2);
        q.cuped = true;
        StatsResult r;
        char err[128];
        cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
        const StatsArmResult *a = &r.arms[1];
        double mid = (a->ci_lo + a->ci_hi) / 2;
        cr_expect(fabs(mid - a->effect) < 1e-12 * fmax(1, fabs(a->effect)), "mid %.17g effect %.17g",
                  mid, a->effect);
        cr_expect_eq(type ? a->rel_effect : a->abs_effect, a->effect, "the published point is the tested one");
        double umid = type ? (a->uplift.rel_lo + a->uplift.rel_hi) / 2 : (a->uplift.abs_lo + a->uplift.abs_hi) / 2;
        cr_expect(fabs(umid - a->effect) < 1e-12 * fmax(1, fabs(a->effect)));
        stats_result_free(&r);
    }
}

Test(stats_consistency, binomial_cuped_uses_p_one_minus_p)
{
    /* computed independently with gbstats' definitions (ProportionStatistic
     * variance p(1−p), (n−1) covariance, pooled θ) */
    StatsSums a = {.n = 1000, .sum = 300, .sum_sq = 300, .pre_sum = 250, .pre_sum_sq = 250, .sum_pre = 180};
    StatsSums b = {.n = 1000, .sum = 340, .sum_sq = 340, .pre_sum = 260, .pre_sum_sq = 260, .sum_pre = 200};
    StatsCuped c;
    cr_assert_eq(stats_cuped(STATS_PROPORTION, STATS_ABSOLUTE, &a, &b, &c), ABC_OK);
    cr_expect(fabs(c.theta - 0.5708868383395541) < 1e-12, "theta %.17g", c.theta);
    cr_expect(fabs(c.effect.est - 0.03429113161660449) < 1e-12);
    cr_expect(fabs(c.effect.var - 0.0003106581519509296) < 1e-15, "var %.17g", c.effect.var);
}

Test(stats_consistency, rounding_noise_is_not_variance)
{
    /* 8 users all at 3.03, sums as a warehouse adds them in doubles */
    double x = 3.03, s = 0, sq = 0;
    for (int i = 0; i < 8; i++) {
        s += x;
        sq += x * x;
    }
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 8, .sum = s, .sum_sq = sq}},
                             {"t", 0.5, {.n = 8, .sum = 8 * 3.0, .sum_sq = 8 * 9.0}}};
    StatsRequest q = req(STATS_MEAN, STATS_ABSOLUTE, v, 2);
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    cr_expect_eq(r.arms[0].stddev, 0.0);
    cr_expect(r.arms[1].flags & STATS_F_ZERO_VARIANCE);
    cr_expect(isnan(r.arms[1].p_value));
    stats_result_free(&r);
}

Test(stats_consistency, one_sided_sequential_is_refused)
{
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 100, .sum = 10, .sum_sq = 10}},
                             {"t", 0.5, {.n = 100, .sum = 12, .sum_sq = 12}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_RELATIVE, v, 2);
    q.sides = STATS_ONE_SIDED;
    q.sequential = STATS_SEQ_MSPRT;
    q.seq_param = 0.1;
    StatsResult r;
    char err[256];
    cr_expect_eq(stats_analyse(&q, &r, err, sizeof err), ABC_ERR_SPEC);
    cr_expect_not_null(strstr(err, "$.sided"), "%s", err);
}

Test(stats_consistency, sequential_uplift_and_impact_use_the_always_valid_interval)
{
    StatsVariationIn v[2] = {{"c", 0.5, {.n = 10000, .sum = 1000, .sum_sq = 1000}},
                             {"t", 0.5, {.n = 10000, .sum = 1100, .sum_sq = 1100}}};
    StatsRequest q = req(STATS_PROPORTION, STATS_ABSOLUTE, v, 2);
    q.sequential = STATS_SEQ_CS;
    q.seq_param = 5000;
    StatsResult r;
    char err[128];
    cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK);
    const StatsArmResult *a = &r.arms[1];
    cr_expect(fabs(a->uplift.abs_lo - a->ci_lo) < 1e-15 && fabs(a->uplift.abs_hi - a->ci_hi) < 1e-15);
    cr_expect(fabs(a->uplift.impact_lo - a->ci_lo * 10000) < 1e-9);
    stats_result_free(&r);
}

Test(stats_consistency, rmst_matches_an_independent_kaplan_meier)
{
    /* reference: a from-scratch Kaplan-Meier in numpy, area to τ = 10 and
     * Σ A_j² d_j/(Y_j(Y_j − d_j)) */
    static const double t[] = {10, 12, 0, 12, 7, 7, 9, 4, 14, 0, 4, 5, 8, 6, 1, 0, 0, 0, 2, 14,
                               2, 9, 11, 3, 4, 6, 3, 14, 2, 13, 11, 12, 1, 5, 9, 7, 9, 10, 9, 0};
    static const int e[] = {1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0,
                            1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0};
    double est, var;
    cr_assert_eq(stats_rmst(t, e, 40, 10, &est, &var), ABC_OK);
    cr_expect(fabs(est - 7.12923236473734) < 1e-12, "rmst %.17g", est);
    cr_expect(fabs(var - 0.36904246113917) < 1e-12, "var %.17g", var);
    cr_expect_eq(stats_rmst(t, e, 40, 0, &est, &var), ABC_ERR_SPEC);
}

Test(stats_consistency, gsd_look_p_and_interval_agree)
{
    /* p < α exactly when the repeated interval excludes 0, on both sides of
     * the boundary and for one-sided designs */
    for (double est = -0.5; est <= 0.5; est += 0.01) {
        StatsEffect e = {est, 0.04, true};
        for (int sides = 0; sides < 2; sides++) {
            StatsTest t;
            cr_assert_eq(stats_gsd_test(&e, 2.5, 0.05, sides ? STATS_ONE_SIDED : STATS_TWO_SIDED,
                                        STATS_HIGHER_BETTER, &t), ABC_OK);
            bool excludes = t.ci_lo > 0 || t.ci_hi < 0;
            if (fabs(fabs(est) / 0.2 - 2.5) > 1e-9)
                cr_expect_eq(t.p_value < 0.05, excludes, "est %g sides %d p %g [%g, %g]", est, sides,
                             t.p_value, t.ci_lo, t.ci_hi);
            cr_expect(t.ci_lo <= est && est <= t.ci_hi);
        }
    }
}

/* A variation of weight 0: users in it are a certain mismatch (p = 0);
 * without users it is left out of the χ² (dof from the others). */
Test(stats_edge, srm_with_a_zero_weight_variation)
{
    double p = -1;
    const double w[] = {0.5, 0.5, 0};
    const double with_users[] = {1000, 1000, 3};
    cr_assert_eq(stats_srm(with_users, w, 3, &p), ABC_OK);
    cr_expect_eq(p, 0.0, "p %g", p);
    const double without[] = {1000, 1100, 0};
    double p2 = -1, p3 = -1;
    const double w2[] = {0.5, 0.5};
    cr_assert_eq(stats_srm(without, w, 3, &p2), ABC_OK);
    cr_assert_eq(stats_srm(without, w2, 2, &p3), ABC_OK);
    cr_expect(fabs(p2 - p3) < 1e-15 && isfinite(p2), "p %g vs %g", p2, p3);
    const double neg[] = {0.5, 0.6, -0.1};
    cr_expect_eq(stats_srm(with_users, neg, 3, &p), ABC_ERR_SPEC);
}

/* ---- value counts ---------------------------------------------------------------- */

/* Two samples with heavy ties, in no particular order: the raw forms and
 * the value-count forms must give the same numbers, bit for bit, and a
 * value-count sample built up in pieces (as the results stream them) the
 * same as one built at once. */
Test(value_counts, counts_give_the_raw_numbers_exactly)
{
    enum { NA = 4001, NB = 3777 };
    static double a[NA], b[NB];
    uint64_t s = 12345;
    for (int i = 0; i < NA; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        a[i] = (double)((s >> 33) % 97) / 4;
    }
    for (int i = 0; i < NB; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        b[i] = (double)((s >> 33) % 101) / 4 + 0.5;
    }
    StatsValueCount *va, *vb;
    size_t ka, kb;
    cr_assert_eq(stats_value_counts(a, NA, &va, &ka), ABC_OK);
    cr_assert_eq(stats_value_counts(b, NB, &vb, &kb), ABC_OK);
    cr_expect_leq(ka, 97);
    cr_expect_eq(stats_value_counts_units(va, ka), NA);
    cr_expect_eq(stats_value_counts_units(vb, kb), NB);

    StatsQuantile q1, q2;
    for (double q = 0.05; q < 1; q += 0.15) {
        cr_assert_eq(stats_quantile_ci(a, NA, q, 0.05, &q1), ABC_OK);
        cr_assert_eq(stats_quantile_ci_counts(va, ka, q, 0.05, &q2), ABC_OK);
        cr_expect(q1.est == q2.est && q1.ci_lo == q2.ci_lo && q1.ci_hi == q2.ci_hi &&
                      q1.rank_lo == q2.rank_lo && q1.rank_hi == q2.rank_hi,
                  "q %.2f", q);
    }
    /* against a sorted copy and its type-7 quantile */
    double *sorted = malloc(sizeof a);
    memcpy(sorted, a, sizeof a);
    qsort(sorted, NA, sizeof *sorted, dbl_cmp_asc);
    cr_assert_eq(stats_quantile_ci_counts(va, ka, 0.9, 0.05, &q2), ABC_OK);
    double h = 0.9 * (NA - 1);
    size_t lo = (size_t)h;
    cr_expect_eq(q2.est, (1 - (h - lo)) * sorted[lo] + (h - lo) * sorted[lo + 1]);
    cr_expect_eq(q2.ci_lo, sorted[q2.rank_lo - 1]);
    cr_expect_eq(q2.ci_hi, sorted[q2.rank_hi - 1]);
    free(sorted);

    StatsMannWhitney m1, m2;
    cr_assert_eq(stats_mann_whitney(a, NA, b, NB, &m1), ABC_OK);
    cr_assert_eq(stats_mann_whitney_counts(va, ka, vb, kb, &m2), ABC_OK);
    cr_expect(m1.u == m2.u && m1.z == m2.z && m1.p_value == m2.p_value);

    StatsBootstrap b1, b2;
    cr_assert_eq(stats_bootstrap(a, NA, b, NB, STATS_ABSOLUTE, 200, 7, 0.05, &b1), ABC_OK);
    cr_assert_eq(stats_bootstrap_counts(va, ka, vb, kb, STATS_ABSOLUTE, 200, 7, 0.05, &b2), ABC_OK);
    cr_expect(b1.est == b2.est && b1.se == b2.se && b1.ci_lo == b2.ci_lo && b1.ci_hi == b2.ci_hi);

    /* built in pieces: points appended, merged, appended again */
    StatsValueCount *p = malloc(sizeof *p * NA);
    size_t n = 0;
    for (int i = 0; i < NA; i++) {
        p[n++] = (StatsValueCount){a[i], 1};
        if (i % 500 == 499)
            n = stats_value_counts_merge(p, n);
    }
    n = stats_value_counts_merge(p, n);
    cr_assert_eq(n, ka);
    cr_expect_eq(memcmp(p, va, sizeof *p * n), 0);
    free(p);
    free(va);
    free(vb);
}

Test(value_counts, malformed_counts_are_refused)
{
    StatsQuantile q;
    StatsMannWhitney mw;
    StatsValueCount ok[] = {{1, 2}, {2, 1}};
    StatsValueCount unordered[] = {{2, 1}, {1, 1}};
    StatsValueCount repeated[] = {{1, 1}, {1, 1}};
    StatsValueCount zero[] = {{1, 0}, {2, 1}};
    StatsValueCount part[] = {{1, 1.5}, {2, 1}};
    StatsValueCount nan[] = {{1, 1}, {NAN, 1}};
    const StatsValueCount *bad[] = {unordered, repeated, zero, part, nan};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(stats_value_counts_units(bad[i], 2), -1, "case %zu", i);
        cr_expect_eq(stats_quantile_ci_counts(bad[i], 2, 0.5, 0.05, &q), ABC_ERR_SPEC);
        cr_expect_eq(stats_mann_whitney_counts(ok, 2, bad[i], 2, &mw), ABC_ERR_SPEC);
    }
    cr_expect_eq(stats_quantile_ci_counts(ok, 0, 0.5, 0.05, &q), ABC_ERR_SPEC);
    cr_expect_eq(stats_quantile_ci_counts(ok, 2, 0.5, 0.05, &q), ABC_OK);
    cr_expect_eq(q.est, 1); /* 1, 1, 2 */
    double x[] = {3, NAN};
    StatsValueCount *v;
    size_t k;
    cr_expect_eq(stats_value_counts(x, 2, &v, &k), ABC_ERR_SPEC);
    /* NaN sorts last and is never merged */
    StatsValueCount m[] = {{NAN, 1}, {2, 1}, {NAN, 1}, {2, 3}};
    cr_expect_eq(stats_value_counts_merge(m, 4), 3);
    cr_expect(m[0].value == 2 && m[0].count == 4 && isnan(m[1].value) && isnan(m[2].value));
}

/* The stream forms: a quantile stream whose counts do not add up to the n
 * it was opened with, values out of order, fractional counts, and
 * bootstrap arms of different sizes give ABC_ERR_SPEC; an arm's draws
 * depend on its seed and values only. */
Test(value_counts, streams_refuse_what_does_not_add_up)
{
    StatsQuantileStream qs;
    StatsQuantile q;
    cr_assert_eq(stats_quantile_stream_init(&qs, 3, 0.5, 0.05), ABC_OK);
    stats_quantile_stream_push(&qs, 1, 1);
    stats_quantile_stream_push(&qs, 2, 1);
    cr_expect_eq(stats_quantile_stream_result(&qs, &q), ABC_ERR_SPEC, "2 of 3 units");
    stats_quantile_stream_push(&qs, 5, 1);
    cr_expect_eq(stats_quantile_stream_result(&qs, &q), ABC_OK);
    cr_expect_eq(q.est, 2);
    stats_quantile_stream_push(&qs, 4, 1);
    cr_expect_eq(stats_quantile_stream_result(&qs, &q), ABC_ERR_SPEC, "out of order");
    cr_expect_eq(stats_quantile_stream_init(&qs, 2.5, 0.5, 0.05), ABC_ERR_SPEC);
    cr_expect_eq(stats_quantile_stream_init(&qs, 0, 0.5, 0.05), ABC_ERR_SPEC);

    StatsMannWhitneyStream ms;
    StatsMannWhitney mw;
    stats_mann_whitney_stream_init(&ms);
    stats_mann_whitney_stream_push(&ms, 2, 0);
    stats_mann_whitney_stream_push(&ms, 1, 3);
    cr_expect_eq(stats_mann_whitney_stream_result(&ms, &mw), ABC_OK);
    stats_mann_whitney_stream_push(&ms, 0.5, 1);
    cr_expect_eq(stats_mann_whitney_stream_result(&ms, &mw), ABC_ERR_SPEC, "half a unit");

    StatsBootstrapArm a1, a2, b;
    StatsBootstrap bs;
    cr_assert_eq(stats_bootstrap_arm_init(&a1, 50, stats_bootstrap_seed(7, 0)), ABC_OK);
    cr_assert_eq(stats_bootstrap_arm_init(&a2, 50, stats_bootstrap_seed(7, 0)), ABC_OK);
    cr_assert_eq(stats_bootstrap_arm_init(&b, 40, stats_bootstrap_seed(7, 1)), ABC_OK);
    for (int i = 0; i < 20; i++) {
        stats_bootstrap_arm_push(&a1, i, 1 + i % 3);
        stats_bootstrap_arm_push(&b, i * 0.5, 1);
        stats_bootstrap_arm_push(&a2, i, 1 + i % 3);
    }
    cr_expect_eq(memcmp(a1.sw, a2.sw, 2 * 50 * sizeof *a1.sw), 0, "same seed, same values");
    cr_expect_eq(stats_bootstrap_arms(&a1, &b, STATS_ABSOLUTE, 0.05, &bs), ABC_ERR_SPEC,
                 "50 against 40 resamples");
    cr_expect_eq(stats_bootstrap_arms(&a1, &a2, STATS_ABSOLUTE, 0.05, &bs), ABC_OK);
    cr_expect_eq(bs.est, 0);
    stats_bootstrap_arm_push(&a2, 3, 1);
    cr_expect_eq(stats_bootstrap_arms(&a1, &a2, STATS_ABSOLUTE, 0.05, &bs), ABC_ERR_SPEC,
                 "out of order");
    stats_bootstrap_arm_free(&a1);
    stats_bootstrap_arm_free(&a2);
    stats_bootstrap_arm_free(&b);
    cr_expect_eq(stats_bootstrap_arm_init(&b, 1, 7), ABC_ERR_SPEC);
}

/* Per-unit (time, event) pairs with ties, in no order, against their time
 * counts: Kaplan-Meier, RMST and log-rank agree bit for bit, and a table
 * built in pieces (as the results stream it) merges to the same table. */
Test(value_counts, time_counts_give_the_raw_numbers_exactly)
{
    enum { NA = 3001, NB = 2500 };
    static double ta[NA], tb[NB];
    static int ea[NA], eb[NB];
    uint64_t s = 99;
    for (int i = 0; i < NA + NB; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double t = (double)((s >> 33) % 15);
        int e = (s >> 20) % 3 != 0;
        if (i < NA)
            ta[i] = t, ea[i] = e;
        else
            tb[i - NA] = t + (i % 2), eb[i - NA] = e;
    }
    StatsTimeCount *xa, *xb;
    size_t ka, kb;
    cr_assert_eq(stats_time_counts(ta, ea, NA, &xa, &ka), ABC_OK);
    cr_assert_eq(stats_time_counts(tb, eb, NB, &xb, &kb), ABC_OK);
    cr_expect_leq(ka, 15);
    cr_expect_eq(stats_time_counts_units(xa, ka), NA);

    StatsKmPoint *p1, *p2;
    size_t n1, n2;
    cr_assert_eq(stats_kaplan_meier(ta, ea, NA, &p1, &n1), ABC_OK);
    cr_assert_eq(stats_kaplan_meier_counts(xa, ka, &p2, &n2), ABC_OK);
    cr_assert_eq(n1, n2);
    cr_expect_eq(memcmp(p1, p2, n1 * sizeof *p1), 0);
    free(p1);
    free(p2);
    double e1, v1, e2, v2;
    cr_assert_eq(stats_rmst(ta, ea, NA, 10, &e1, &v1), ABC_OK);
    cr_assert_eq(stats_rmst_counts(xa, ka, 10, &e2, &v2), ABC_OK);
    cr_expect(e1 == e2 && v1 == v2);
    double c1, q1, c2, q2;
    cr_assert_eq(stats_logrank(ta, ea, NA, tb, eb, NB, &c1, &q1), ABC_OK);
    cr_assert_eq(stats_logrank_counts(xa, ka, xb, kb, &c2, &q2), ABC_OK);
    cr_expect(c1 == c2 && q1 == q2);

    StatsTimeCount *part = malloc(sizeof *part * NA);
    size_t n = 0;
    for (int i = 0; i < NA; i++) {
        part[n++] = (StatsTimeCount){ta[i], ea[i], 1 - ea[i]};
        if (i % 700 == 699)
            n = stats_time_counts_merge(part, n);
    }
    n = stats_time_counts_merge(part, n);
    cr_assert_eq(n, ka);
    cr_expect_eq(memcmp(part, xa, n * sizeof *part), 0);
    free(part);
    free(xa);
    free(xb);
}

Test(value_counts, malformed_time_counts_are_refused)
{
    StatsTimeCount ok[] = {{1, 1, 0}, {2, 1, 1}};
    StatsTimeCount unordered[] = {{2, 1, 0}, {1, 1, 0}};
    StatsTimeCount empty[] = {{1, 0, 0}, {2, 1, 0}};
    StatsTimeCount negative[] = {{-1, 1, 0}, {2, 1, 0}};
    StatsTimeCount part[] = {{1, 0.5, 0}, {2, 1, 0}};
    const StatsTimeCount *bad[] = {unordered, empty, negative, part};
    double est, var, chi2, p;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(stats_time_counts_units(bad[i], 2), -1, "case %zu", i);
        cr_expect_eq(stats_rmst_counts(bad[i], 2, 5, &est, &var), ABC_ERR_SPEC);
        cr_expect_eq(stats_logrank_counts(ok, 2, bad[i], 2, &chi2, &p), ABC_ERR_SPEC);
    }
    cr_expect_eq(stats_rmst_counts(ok, 0, 5, &est, &var), ABC_ERR_SPEC);
    cr_expect_eq(stats_rmst_counts(ok, 2, 0, &est, &var), ABC_ERR_SPEC);
    double t[] = {1, 2};
    int e[] = {1, 2};
    StatsTimeCount *x;
    size_t k;
    cr_expect_eq(stats_time_counts(t, e, 2, &x, &k), ABC_ERR_SPEC);
}
