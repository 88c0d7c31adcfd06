/* analyse.c — the analysis of one metric across its variations, as `abc
 * stats` and the runner use it: moments, SRM, effect (CUPED when asked), the
 * requested tests, uplift, multiple-testing correction, and the rendering of
 * the result as the `abc stats` output object.
 *
 * Undefined quantities stay NaN with a flag and a message; the renderer
 * writes them as null, so no NaN or Inf ever reaches JSON.
 */
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void arm_clear(StatsArmResult *r)
{
    double nan = NAN;
    r->mean = r->stddev = nan;
    r->effect = r->se = r->ci_lo = r->ci_hi = r->p_value = r->p_adjusted = r->dof = nan;
    r->z_p_value = r->z_stat = nan;
    r->posterior_mean = r->chance_to_win = r->expected_loss = r->expected_loss_control = nan;
    r->cred_lo = r->cred_hi = r->bb_chance_to_win = nan;
    r->theta = r->variance_reduction = nan;
    r->abs_effect = r->rel_effect = r->exact_p_value = nan;
    r->did_effect = r->did_lo = r->did_hi = r->did_p_value = nan;
    r->uplift = (StatsUplift){nan, nan, nan, nan, nan, nan, nan, nan, nan};
    r->flags = 0;
    r->message = NULL;
}

static AbcStatus fail(char *err, size_t errlen, const char *msg)
{
    if (errlen)
        snprintf(err, errlen, "%s", msg);
    return ABC_ERR_SPEC;
}

/* Checks the parser also makes, repeated for in-process callers. */
static AbcStatus validate(const StatsRequest *q, char *err, size_t errlen)
{
    char m[160];
    if (q->nvar < 2)
        return fail(err, errlen, "$.variations: need at least 2 variations");
    if (q->nvar > STATS_MAX_VARIATIONS) {
        snprintf(m, sizeof m, "$.variations: at most %d variations", STATS_MAX_VARIATIONS);
        return fail(err, errlen, m);
    }
    if (!(q->alpha > 0 && q->alpha < 1))
        return fail(err, errlen, "$.alpha: must be between 0 and 1");
    if (q->kind == STATS_RATIO && q->cuped)
        return fail(err, errlen, "$.metric.cuped: CUPED is supported for proportion and mean metrics");
    if (q->has_prior && !(q->prior_sd > 0 && isfinite(q->prior_sd) && isfinite(q->prior_mean)))
        return fail(err, errlen, "$.prior.stddev: must be > 0");
    if (q->sequential != STATS_SEQ_NONE && !(q->seq_param > 0 && isfinite(q->seq_param)))
        return fail(err, errlen, "$.sequential: tuning/tau must be > 0");
    if ((q->sequential == STATS_SEQ_CS || q->sequential == STATS_SEQ_MSPRT) && q->sides == STATS_ONE_SIDED)
        return fail(err, errlen,
                    "$.sided: one-sided tests are not available with sequential cs or msprt "
                    "(their intervals are two-sided); use \"two\" or a fixed-horizon test");
    double wsum = 0;
    for (size_t i = 0; i < q->nvar; i++) {
        const StatsSums *s = &q->vars[i].sums;
        if (!(s->n >= 0) || !isfinite(s->n)) {
            snprintf(m, sizeof m, "$.variations[%zu].n: must be >= 0", i);
            return fail(err, errlen, m);
        }
        if (!(q->vars[i].weight > 0) || !isfinite(q->vars[i].weight)) {
            snprintf(m, sizeof m, "$.variations[%zu].weight: must be > 0", i);
            return fail(err, errlen, m);
        }
        wsum += q->vars[i].weight;
    }
    if (fabs(wsum - 1.0) > 1e-6) {
        snprintf(m, sizeof m, "$.variations: weights sum to %.10g, not 1", wsum);
        return fail(err, errlen, m);
    }
    return ABC_OK;
}

/* The per-arm moments; n < 1 leaves mean/stddev NaN. */
static bool arm_moments(const StatsRequest *q, size_t i, StatsMoments *m, StatsArmResult *r)
{
    const StatsSums *s = &q->vars[i].sums;
    r->n = s->n;
    if (!(s->n >= 1))
        return false;
    if (stats_moments(q->kind, s, m) != ABC_OK)
        return false;
    /* a variance below (1e-5·|mean|)² is the rounding noise of Σx² − (Σx)²/n
     * on constant data, not spread: treat it as zero */
    if (q->kind != STATS_PROPORTION && m->var <= 1e-10 * m->mean * m->mean)
        m->var = 0;
    r->mean = m->mean;
    r->stddev = sqrt(m->var);
    return true;
}

static void set_flag(StatsArmResult *r, unsigned f, const char *msg)
{
    r->flags |= f;
    if (!r->message)
        r->message = msg;
}

static AbcStatus run_test(const StatsRequest *q, const StatsEffect *e, double dof, double n_total,
                          double tau, StatsTest *t)
{
    StatsTestSpec ts = {q->alpha, q->sides, q->direction, q->sequential,
                        q->sequential == STATS_SEQ_MSPRT ? tau : q->seq_param};
    return stats_test_effect(&ts, e, dof, n_total, t);
}

static bool at_boundary(const StatsSums *s)
{
    return s->sum <= 0 || s->sum >= s->n;
}

static void analyse_treatment(const StatsRequest *q, const StatsMoments *ma, size_t i,
                              const StatsMoments *mb, StatsArmResult *r)
{
    const StatsSums *sa = &q->vars[0].sums, *sb = &q->vars[i].sums;
    if (!(sa->n >= 2) || !(sb->n >= 2)) {
        set_flag(r, STATS_F_SMALL_N, "fewer than 2 units in an arm: no test");
        return;
    }
    /* both effect scales from the same estimator */
    StatsEffect eff[2];
    StatsMoments dm[2][2];
    for (int k = 0; k < 2; k++) {
        StatsEffectType type = k ? STATS_RELATIVE : STATS_ABSOLUTE;
        if (q->cuped) {
            StatsCuped c;
            if (stats_cuped(q->kind, type, sa, sb, &c) != ABC_OK) {
                set_flag(r, STATS_F_SMALL_N, "fewer than 2 units in an arm: no test");
                return;
            }
            eff[k] = c.effect;
            dm[k][0] = c.adj_a;
            dm[k][1] = c.adj_b;
            if (type == q->effect) {
                r->theta = c.theta;
                r->variance_reduction = c.variance_reduction;
            }
        } else {
            eff[k] = stats_effect(type, ma, mb);
            dm[k][0] = *ma;
            dm[k][1] = *mb;
        }
    }
    int main_k = q->effect == STATS_RELATIVE;
    const StatsEffect *e = &eff[main_k];
    r->abs_effect = eff[0].est;
    r->rel_effect = eff[1].defined ? eff[1].est : NAN;
    if (q->kind == STATS_PROPORTION && (at_boundary(sa) || at_boundary(sb))) {
        double p;
        set_flag(r, STATS_F_BOUNDARY,
                 "a proportion is 0 or 1: the normal approximation is unreliable; see the exact p");
        if (stats_fisher_exact(sa->n, sa->sum, sb->n, sb->sum, &p) == ABC_OK)
            r->exact_p_value = p;
    }
    /* labelled extras with tests of their own, defined where the Wald
     * test is not (e.g. 1 vs 0) */
    if (q->kind == STATS_PROPORTION && (q->methods & STATS_M_ZTEST)) {
        StatsTest z;
        if (stats_ztest_prop(sa->n, sa->sum, sb->n, sb->sum, q->alpha, q->sides, q->direction,
                             &z) == ABC_OK) {
            r->z_stat = z.stat;
            r->z_p_value = z.p_value;
        }
    }
    if (q->kind == STATS_PROPORTION && (q->methods & STATS_M_BETA_BINOMIAL)) {
        double p;
        if (stats_beta_binomial(sa->n, sa->sum, sb->n, sb->sum, 1, 1, q->direction, &p) == ABC_OK)
            r->bb_chance_to_win = p;
    }
    if ((q->methods & STATS_M_DID) && q->kind == STATS_MEAN) {
        /* per-unit change d = post − pre: Σd = Σx − Σpre, Σd² = Σx² − 2Σx·pre + Σpre² */
        StatsMoments ch[2];
        const StatsSums *ss[2] = {sa, sb};
        for (int k = 0; k < 2; k++) {
            double n = ss[k]->n, sd = ss[k]->sum - ss[k]->pre_sum;
            double sq = ss[k]->sum_sq - 2 * ss[k]->sum_pre + ss[k]->pre_sum_sq;
            ch[k] = (StatsMoments){n, n > 0 ? sd / n : 0, stats_var_from_sums(n, sd, sq)};
        }
        StatsTest t;
        double est;
        if (stats_did(&ch[0], &ch[1], q->alpha, &t, &est) == ABC_OK) {
            r->did_effect = est;
            r->did_lo = t.ci_lo;
            r->did_hi = t.ci_hi;
            r->did_p_value = t.p_value;
        }
    }
    if (!e->defined) {
        set_flag(r, STATS_F_REL_UNDEFINED, "control mean is 0: relative effect undefined");
        return;
    }
    r->effect = e->est;
    r->se = sqrt(e->var);
    if (!(e->var > 0)) {
        /* no test on this scale, and none on the other either: a p-value
         * next to an effect that has none would contradict it */
        set_flag(r, STATS_F_ZERO_VARIANCE, "zero variance: no test possible");
        return;
    }
    /* mSPRT's τ is given on the requested scale; the other scale's is
     * converted through |control mean| */
    double cm = fabs(ma->mean);
    double tau[2];
    tau[main_k] = q->seq_param;
    tau[!main_k] = main_k ? q->seq_param * cm : (cm > 0 ? q->seq_param / cm : NAN);
    StatsTest t[2];
    bool tested[2] = {false, false};
    for (int k = 0; k < 2; k++) {
        if (!eff[k].defined || !(eff[k].var > 0) || !(tau[k] > 0 || q->sequential != STATS_SEQ_MSPRT))
            continue;
        double dof = stats_welch_dof(&dm[k][0], &dm[k][1]);
        tested[k] = run_test(q, &eff[k], dof, sa->n + sb->n, tau[k], &t[k]) == ABC_OK;
        if (k == main_k && tested[k])
            r->dof = q->sequential == STATS_SEQ_NONE ? t[k].dof : NAN;
    }
    if (tested[main_k] && (q->methods & STATS_M_TTEST)) {
        r->p_value = t[main_k].p_value;
        r->ci_lo = t[main_k].ci_lo;
        r->ci_hi = t[main_k].ci_hi;
    }
    /* uplift: both scales from the same test, impact = absolute × treated units */
    if (tested[main_k]) {
        StatsUplift u = {eff[0].est, NAN, NAN, r->rel_effect, NAN, NAN, NAN, NAN, NAN};
        if (tested[0]) {
            u.abs_lo = t[0].ci_lo;
            u.abs_hi = t[0].ci_hi;
        }
        if (tested[1]) {
            u.rel_lo = t[1].ci_lo;
            u.rel_hi = t[1].ci_hi;
        }
        u.impact = u.abs_est * sb->n;
        u.impact_lo = u.abs_lo * sb->n;
        u.impact_hi = u.abs_hi * sb->n;
        r->uplift = u;
    }
    if (q->methods & STATS_M_BAYES) {
        double pm = 0, psd = 0;
        if (q->has_prior) {
            double scale = q->effect == STATS_ABSOLUTE ? fabs(ma->mean) : 1.0;
            pm = q->prior_mean * scale;
            psd = q->prior_sd * scale;
            if (!(psd > 0))
                set_flag(r, 0, "control mean is 0: absolute prior cannot be scaled, flat prior used");
        }
        StatsBayes b;
        if (stats_bayes_gaussian(e, pm, psd, q->alpha, q->direction, &b) == ABC_OK) {
            if (q->has_prior)
                r->posterior_mean = b.post_mean;
            r->chance_to_win = b.chance_to_win;
            r->expected_loss = b.loss_treatment;
            r->expected_loss_control = b.loss_control;
            r->cred_lo = b.cred_lo;
            r->cred_hi = b.cred_hi;
        }
    }
}

AbcStatus stats_analyse(const StatsRequest *q, StatsResult *out, char *err, size_t errlen)
{
    stats_init();
    AbcStatus st = validate(q, err, errlen);
    if (st != ABC_OK)
        return st;
    StatsArmResult *arms = calloc(q->nvar, sizeof *arms);
    double *buf = calloc(3 * q->nvar, sizeof *buf);
    StatsMoments *mom = calloc(q->nvar, sizeof *mom);
    if (!arms || !buf || !mom) {
        free(arms);
        free(buf);
        free(mom);
        if (errlen)
            snprintf(err, errlen, "out of memory");
        return ABC_ERR_ENV;
    }
    double *ns = buf, *ws = buf + q->nvar, *ps = buf + 2 * q->nvar;
    bool *ok = (bool *)calloc(q->nvar, sizeof *ok);
    if (!ok) {
        free(arms);
        free(buf);
        free(mom);
        return ABC_ERR_ENV;
    }
    for (size_t i = 0; i < q->nvar; i++) {
        arm_clear(&arms[i]);
        arms[i].id = q->vars[i].id;
        ok[i] = arm_moments(q, i, &mom[i], &arms[i]);
        ns[i] = q->vars[i].sums.n;
        ws[i] = q->vars[i].weight;
    }
    StatsResult res = {.nvar = q->nvar, .arms = arms, .srm_p_value = NAN};
    double srm;
    if (stats_srm(ns, ws, q->nvar, &srm) == ABC_OK) {
        res.srm_p_value = srm;
        res.srm_flag = srm < q->srm_threshold;
    }
    for (size_t i = 1; i < q->nvar; i++) {
        if (!ok[0] || !ok[i]) {
            set_flag(&arms[i], STATS_F_SMALL_N, "fewer than 2 units in an arm: no test");
            continue;
        }
        analyse_treatment(q, &mom[0], i, &mom[i], &arms[i]);
        if (res.srm_flag)
            arms[i].flags |= STATS_F_SRM;
    }
    if (q->correction != STATS_CORR_NONE) {
        size_t k = 0;
        for (size_t i = 1; i < q->nvar; i++)
            if (isfinite(arms[i].p_value))
                ps[k++] = arms[i].p_value;
        if (k && stats_adjust_p(q->correction, ps, k, ps) == ABC_OK) {
            k = 0;
            for (size_t i = 1; i < q->nvar; i++)
                if (isfinite(arms[i].p_value))
                    arms[i].p_adjusted = ps[k++];
        }
    }
    free(buf);
    free(mom);
    free(ok);
    *out = res;
    return ABC_OK;
}

void stats_result_free(StatsResult *r)
{
    if (!r)
        return;
    free(r->arms);
    r->arms = NULL;
    r->nvar = 0;
}

/* ---- rendering ------------------------------------------------------------ */
static bool add_num(cJSON *o, const char *k, double v)
{
    cJSON *n = isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
    return n && cJSON_AddItemToObject(o, k, n);
}

static bool add_pair(cJSON *o, const char *k, double a, double b)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return false;
    cJSON *x = isfinite(a) ? cJSON_CreateNumber(a) : cJSON_CreateNull();
    cJSON *y = isfinite(b) ? cJSON_CreateNumber(b) : cJSON_CreateNull();
    bool ok = x && y && cJSON_AddItemToArray(arr, x) && cJSON_AddItemToArray(arr, y);
    if (!ok) {
        cJSON_Delete(x);
        cJSON_Delete(y);
        cJSON_Delete(arr);
        return false;
    }
    return cJSON_AddItemToObject(o, k, arr);
}

const char *stats_flag_name(unsigned bit)
{
    switch (bit) {
    case STATS_F_REL_UNDEFINED: return "relative_undefined";
    case STATS_F_ZERO_VARIANCE: return "zero_variance";
    case STATS_F_SMALL_N: return "small_n";
    case STATS_F_SRM: return "srm";
    case STATS_F_BOUNDARY: return "proportion_at_boundary";
    }
    return NULL;
}

static bool render_flags(cJSON *v, const StatsArmResult *a)
{
    cJSON *arr = cJSON_AddArrayToObject(v, "flags");
    if (!arr)
        return false;
    for (unsigned bit = 1; bit <= STATS_F_BOUNDARY; bit <<= 1)
        if (a->flags & bit) {
            cJSON *s = cJSON_CreateString(stats_flag_name(bit));
            if (!s || !cJSON_AddItemToArray(arr, s)) {
                cJSON_Delete(s);
                return false;
            }
        }
    if (a->message)
        return cJSON_AddStringToObject(v, "message", a->message) != NULL;
    return cJSON_AddNullToObject(v, "message") != NULL;
}

static bool render_treatment(cJSON *v, const StatsRequest *q, const StatsArmResult *a)
{
    bool ok = add_num(v, "effect", a->effect) && add_num(v, "se", a->se);
    if (q->methods & STATS_M_TTEST) {
        ok = ok && add_pair(v, "ci", a->ci_lo, a->ci_hi) && add_num(v, "p_value", a->p_value) &&
             add_num(v, "absolute_effect", a->abs_effect) &&
             add_num(v, "relative_effect", a->rel_effect);
        if (a->flags & STATS_F_BOUNDARY)
            ok = ok && add_num(v, "exact_p_value", a->exact_p_value);
        if (q->sequential == STATS_SEQ_NONE)
            ok = ok && add_num(v, "dof", a->dof);
        if (q->correction != STATS_CORR_NONE)
            ok = ok && add_num(v, "p_value_adjusted", a->p_adjusted);
    }
    if (q->methods & STATS_M_BAYES) {
        if (q->has_prior)
            ok = ok && add_num(v, "posterior_mean", a->posterior_mean);
        ok = ok && add_num(v, "chance_to_win", a->chance_to_win) &&
             add_num(v, "expected_loss", a->expected_loss) &&
             add_num(v, "expected_loss_control", a->expected_loss_control) &&
             add_pair(v, "cred", a->cred_lo, a->cred_hi);
    }
    if (q->kind == STATS_PROPORTION && (q->methods & STATS_M_ZTEST)) {
        cJSON *z = cJSON_AddObjectToObject(v, "ztest");
        ok = ok && z && add_num(z, "z", a->z_stat) && add_num(z, "p_value", a->z_p_value);
    }
    if (q->kind == STATS_PROPORTION && (q->methods & STATS_M_BETA_BINOMIAL)) {
        cJSON *b = cJSON_AddObjectToObject(v, "beta_binomial");
        ok = ok && b && add_num(b, "chance_to_win", a->bb_chance_to_win);
    }
    if (q->methods & STATS_M_DID) {
        cJSON *d = cJSON_AddObjectToObject(v, "did");
        ok = ok && d && add_num(d, "effect", a->did_effect) &&
             add_pair(d, "ci", a->did_lo, a->did_hi) && add_num(d, "p_value", a->did_p_value);
    }
    if (q->cuped)
        ok = ok && add_num(v, "theta", a->theta) &&
             add_num(v, "variance_reduction", a->variance_reduction);
    cJSON *u = cJSON_AddObjectToObject(v, "uplift");
    ok = ok && u && add_num(u, "absolute", a->uplift.abs_est) &&
         add_pair(u, "absolute_ci", a->uplift.abs_lo, a->uplift.abs_hi) &&
         add_num(u, "relative", a->uplift.rel_est) &&
         add_pair(u, "relative_ci", a->uplift.rel_lo, a->uplift.rel_hi) &&
         add_num(u, "impact", a->uplift.impact) &&
         add_pair(u, "impact_ci", a->uplift.impact_lo, a->uplift.impact_hi);
    return ok && render_flags(v, a);
}

cJSON *stats_result_to_json(const StatsRequest *q, const StatsResult *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    bool ok = add_num(root, "srm_p_value", r->srm_p_value) &&
              cJSON_AddBoolToObject(root, "srm", r->srm_flag);
    cJSON *vars = ok ? cJSON_AddArrayToObject(root, "variations") : NULL;
    ok = ok && vars;
    for (size_t i = 0; ok && i < r->nvar; i++) {
        const StatsArmResult *a = &r->arms[i];
        cJSON *v = cJSON_CreateObject();
        if (!v || !cJSON_AddItemToArray(vars, v)) {
            cJSON_Delete(v);
            ok = false;
            break;
        }
        ok = cJSON_AddStringToObject(v, "id", a->id ? a->id : "") && add_num(v, "n", a->n) &&
             add_num(v, "mean", a->mean) && add_num(v, "stddev", a->stddev);
        if (ok && i > 0)
            ok = render_treatment(v, q, a);
    }
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
