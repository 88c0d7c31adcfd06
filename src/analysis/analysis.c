/* analysis.c — the analysis policy, the comparison of estimate pairs, the
 * decision rule and the experiment verdict (see analysis.h). */
#include "abc/analysis.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- policy ---------------------------------------------------------------- */

static bool binary_kind(IrMetricKind k)
{
    return k == MK_PROPORTION || k == MK_RETENTION || k == MK_FUNNEL;
}

AnalysisPolicy analysis_policy(const IrAnalysis *an, const IrMetric *m)
{
    AnalysisPolicy p;
    memset(&p, 0, sizeof p);
    switch (m->kind) {
    case MK_PROPORTION:
    case MK_RETENTION:
    case MK_FUNNEL: p.stats_kind = STATS_PROPORTION; break;
    case MK_MEAN:
    case MK_RATIO: p.stats_kind = STATS_RATIO; break;
    default: p.stats_kind = STATS_MEAN; break;
    }
    bool cuped = m->cuped.kind != CUPED_NONE && p.stats_kind != STATS_RATIO;
    p.estimator = m->kind == MK_QUANTILE        ? "quantile"
                : m->kind == MK_TIME_TO_EVENT   ? "rmst"
                : cuped                         ? "cuped"
                : p.stats_kind == STATS_RATIO   ? "delta_method"
                                                : "moments";
    p.sequential = an->sequential == SEQ_MSPRT ? STATS_SEQ_MSPRT
                 : an->sequential == SEQ_CS    ? STATS_SEQ_CS
                 : an->sequential == SEQ_GSD_OBF ? STATS_SEQ_GSD
                                               : STATS_SEQ_NONE;
    p.test = an->sequential != SEQ_NONE     ? IR_SEQUENTIAL_NAMES[an->sequential]
           : m->kind == MK_QUANTILE         ? "quantile_z"
           : m->kind == MK_TIME_TO_EVENT    ? "rmst_z"
                                            : "welch_t";
    if (an->methods & METHOD_BAYES)
        p.extras |= AN_X_BAYES;
    if ((an->methods & METHOD_ZTEST) && binary_kind(m->kind))
        p.extras |= AN_X_ZTEST;
    if (an->methods & METHOD_UPLIFT)
        p.extras |= AN_X_UPLIFT;
    if ((an->methods & METHOD_MANNWHITNEY) && m->kind == MK_QUANTILE)
        p.extras |= AN_X_MANNWHITNEY;
    if ((an->methods & METHOD_BOOTSTRAP) && m->kind == MK_QUANTILE)
        p.extras |= AN_X_BOOTSTRAP;
    if ((an->methods & METHOD_DID) && m->cuped.kind == CUPED_SELF && p.stats_kind == STATS_MEAN &&
        m->kind != MK_QUANTILE && m->kind != MK_TIME_TO_EVENT)
        p.extras |= AN_X_DID;
    if (m->kind == MK_TIME_TO_EVENT)
        p.extras |= AN_X_SURVIVAL;
    p.basis = (an->methods & (METHOD_TTEST | METHOD_ZTEST)) || !(an->methods & METHOD_BAYES)
                  ? AN_BASIS_FREQUENTIST
                  : AN_BASIS_BAYESIAN;
    return p;
}

void analysis_methods(const IrAnalysis *an, const IrMetric *m, bool json, Buf *out)
{
    AnalysisPolicy p = analysis_policy(an, m);
    const char *names[12];
    int n = 0;
    names[n++] = p.estimator;
    names[n++] = p.test;
    static const struct {
        unsigned bit;
        const char *name;
    } x[] = {{AN_X_BAYES, "bayes"},         {AN_X_ZTEST, "ztest"},
             {AN_X_UPLIFT, "uplift"},       {AN_X_MANNWHITNEY, "mannwhitney"},
             {AN_X_BOOTSTRAP, "bootstrap"}, {AN_X_DID, "did"},
             {AN_X_SURVIVAL, "kaplan_meier"}, {AN_X_SURVIVAL, "logrank"}};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        if (p.extras & x[i].bit)
            names[n++] = x[i].name;
    if (json)
        buf_putc(out, '[');
    for (int i = 0; i < n; i++)
        buf_printf(out, json ? "%s\"%s\"" : "%s%s", i ? (json ? ", " : ",") : "", names[i]);
    if (json)
        buf_putc(out, ']');
}

double analysis_gsd_boundary(const IrAnalysis *an, long day, double *z, bool *ready)
{
    int looks = an->looks;
    if (an->sequential != SEQ_GSD_OBF || looks < 2 || looks > 50 || day < 1)
        return NAN;
    if (!*ready) {
        double t[64];
        for (int i = 0; i < looks; i++)
            t[i] = (double)(i + 1) / looks;
        if (stats_gsd_obf(t, (size_t)looks, an->alpha, !an->one_sided, z) != ABC_OK)
            z[0] = NAN;
        *ready = true;
    }
    if (!isfinite(z[0]))
        return NAN;
    long k = (day + 6) / 7;
    if (k > looks)
        k = looks;
    return z[k - 1];
}

/* ---- one comparison ----------------------------------------------------------- */

void analysis_arm_clear(AnalysisArm *o)
{
    double nan = NAN;
    memset(o, 0, sizeof *o);
    o->n = o->mean = o->stddev = o->value_lo = o->value_hi = nan;
    o->abs_effect = o->rel_effect = o->ci_lo = o->ci_hi = o->p = o->p_adj = o->se = nan;
    o->ctw = o->loss = o->cred_lo = o->cred_hi = o->var_red = nan;
    o->impact = o->impact_lo = o->impact_hi = nan;
    o->z_p = o->exact_p = o->mw_p = o->boot_est = o->boot_lo = o->boot_hi = nan;
    o->did_est = o->did_lo = o->did_hi = o->did_p = o->km_median = o->logrank_p = nan;
}

static StatsTestSpec test_spec(const IrAnalysis *an, const IrMetric *m, StatsSequential seq,
                               double zb, double tau)
{
    StatsTestSpec ts = {an->alpha, an->one_sided ? STATS_ONE_SIDED : STATS_TWO_SIDED,
                        m->direction == DIR_LOWER ? STATS_LOWER_BETTER : STATS_HIGHER_BETTER, seq,
                        an->seq_param};
    if (seq == STATS_SEQ_GSD)
        ts.seq_param = zb;
    else if (seq == STATS_SEQ_MSPRT)
        ts.seq_param = tau;
    return ts;
}

void analysis_compare_estimates(const IrAnalysis *an, const IrMetric *m, double zb,
                                double est_a, double se_a, double est_b, double se_b,
                                double treated_units, AnalysisArm *o)
{
    AnalysisPolicy p = analysis_policy(an, m);
    if (!isfinite(est_a) || !isfinite(est_b))
        return;
    StatsEffect eff[2];
    eff[0] = (StatsEffect){est_b - est_a, se_a * se_a + se_b * se_b, true};
    if (est_a != 0) {
        double a2 = est_a * est_a;
        eff[1] = (StatsEffect){(est_b - est_a) / fabs(est_a),
                               se_b * se_b / a2 + se_a * se_a * est_b * est_b / (a2 * a2), true};
    } else {
        eff[1] = (StatsEffect){NAN, NAN, false};
    }
    o->abs_effect = eff[0].est;
    o->rel_effect = eff[1].defined ? eff[1].est : NAN;
    int k = an->effect == EFFECT_RELATIVE;
    if (!eff[k].defined) {
        o->flags |= STATS_F_REL_UNDEFINED;
        snprintf(o->note, sizeof o->note, "control value is 0: relative effect undefined");
        return;
    }
    o->se = sqrt(eff[k].var);
    if (!(eff[k].var > 0) || !isfinite(eff[k].var)) {
        o->flags |= STATS_F_ZERO_VARIANCE;
        snprintf(o->note, sizeof o->note, "zero variance: no test possible");
        return;
    }
    if (p.sequential == STATS_SEQ_GSD && !isfinite(zb))
        p.sequential = STATS_SEQ_NONE;
    double cm = fabs(est_a), tau[2];
    tau[k] = an->seq_param;
    tau[!k] = k ? an->seq_param * cm : (cm > 0 ? an->seq_param / cm : NAN);
    StatsTest t[2];
    bool ok[2] = {false, false};
    for (int s = 0; s < 2; s++) {
        if (!eff[s].defined || !(eff[s].var > 0))
            continue;
        StatsTestSpec ts = test_spec(an, m, p.sequential, zb, tau[s]);
        ok[s] = stats_test_effect(&ts, &eff[s], HUGE_VAL, treated_units * 2, &t[s]) == ABC_OK;
    }
    if (!ok[k])
        return;
    o->p = t[k].p_value;
    o->ci_lo = t[k].ci_lo;
    o->ci_hi = t[k].ci_hi;
    if ((p.extras & AN_X_UPLIFT) && ok[0]) {
        o->impact = eff[0].est * treated_units;
        o->impact_lo = t[0].ci_lo * treated_units;
        o->impact_hi = t[0].ci_hi * treated_units;
    }
    if (p.extras & AN_X_BAYES) {
        StatsBayes b;
        StatsDirection dir = m->direction == DIR_LOWER ? STATS_LOWER_BETTER : STATS_HIGHER_BETTER;
        if (stats_bayes_gaussian(&eff[k], 0, 0, an->alpha, dir, &b) == ABC_OK) {
            o->ctw = b.chance_to_win;
            o->loss = b.loss_treatment;
            o->cred_lo = b.cred_lo;
            o->cred_hi = b.cred_hi;
        }
    }
}

/* ---- per-kind arms ------------------------------------------------------------ */

struct AnalysisQuantileCell {
    const IrAnalysis *an;
    const IrMetric *m;
    int nv;
    bool mw, boot;
    double last;                 /* the last value pushed */
    bool any, out_of_order;
    double *units, *seen;        /* per arm */
    StatsQuantileStream *q;      /* per arm; q[v].n is 0 when the arm has no units */
    StatsMannWhitneyStream *mws; /* per arm v > 0: the control against v */
    StatsBootstrapArm *bs;       /* per arm when `boot`; rng NULL when not drawn */
};

AnalysisQuantileCell *analysis_quantile_cell_new(const IrAnalysis *an, const IrMetric *m,
                                                 const double *units, int nv, bool resample)
{
    AnalysisQuantileCell *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    AnalysisPolicy pol = analysis_policy(an, m);
    c->an = an;
    c->m = m;
    c->nv = nv;
    c->mw = (pol.extras & AN_X_MANNWHITNEY) != 0;
    c->boot = resample && (pol.extras & AN_X_BOOTSTRAP);
    size_t n = nv > 0 ? (size_t)nv : 1;
    c->units = calloc(n, sizeof *c->units);
    c->seen = calloc(n, sizeof *c->seen);
    c->q = calloc(n, sizeof *c->q);
    c->mws = calloc(n, sizeof *c->mws);
    c->bs = calloc(n, sizeof *c->bs);
    if (!c->units || !c->seen || !c->q || !c->mws || !c->bs)
        abort();
    for (int v = 0; v < nv; v++) {
        c->units[v] = units[v];
        if (stats_quantile_stream_init(&c->q[v], units[v], m->quantile, an->alpha) != ABC_OK)
            c->q[v].n = 0; /* no units: the arm gets no numbers */
        stats_mann_whitney_stream_init(&c->mws[v]);
        if (c->boot && c->q[v].n > 0 &&
            stats_bootstrap_arm_init(&c->bs[v], (size_t)an->bootstrap_resamples,
                                     stats_bootstrap_seed(an->bootstrap_seed, (unsigned)v)) !=
                ABC_OK)
            stats_bootstrap_arm_free(&c->bs[v]);
    }
    return c;
}

void analysis_quantile_cell_push(AnalysisQuantileCell *c, double value, const double *counts)
{
    if (c->any && !(value > c->last))
        c->out_of_order = true;
    c->any = true;
    c->last = value;
    for (int v = 0; v < c->nv; v++) {
        if (counts[v] > 0) {
            c->seen[v] += counts[v];
            if (c->q[v].n > 0)
                stats_quantile_stream_push(&c->q[v], value, counts[v]);
            if (c->bs[v].rng)
                stats_bootstrap_arm_push(&c->bs[v], value, counts[v]);
        }
        if (v > 0 && c->mw && counts[0] + counts[v] > 0)
            stats_mann_whitney_stream_push(&c->mws[v], counts[0], counts[v]);
    }
}

AbcStatus analysis_quantile_cell_finish(AnalysisQuantileCell *c, double zb, AnalysisArm *out,
                                        char *err, size_t errlen)
{
    if (c->out_of_order) {
        snprintf(err, errlen, "values out of ascending order");
        return ABC_ERR_SPEC;
    }
    for (int v = 0; v < c->nv; v++)
        if (c->seen[v] != (c->units[v] > 0 ? c->units[v] : 0)) {
            snprintf(err, errlen, "variation %d: the values count %.17g units, the cell %.17g",
                     v, c->seen[v], c->units[v]);
            return ABC_ERR_SPEC;
        }
    const IrAnalysis *an = c->an;
    double zq = gsl_cdf_ugaussian_Pinv(1 - an->alpha / 2);
    StatsQuantile qa;
    bool have_a = c->nv > 0 && c->q[0].n > 0 && stats_quantile_stream_result(&c->q[0], &qa) == ABC_OK;
    for (int v = 0; v < c->nv; v++) {
        AnalysisArm *o = &out[v];
        o->n = c->units[v] > 0 ? c->units[v] : 0;
        StatsQuantile qb;
        if (c->q[v].n == 0 || stats_quantile_stream_result(&c->q[v], &qb) != ABC_OK)
            continue;
        o->mean = qb.est;
        o->value_lo = qb.ci_lo;
        o->value_hi = qb.ci_hi;
        if (v == 0 || !have_a)
            continue;
        analysis_compare_estimates(an, c->m, zb, qa.est, (qa.ci_hi - qa.ci_lo) / (2 * zq), qb.est,
                                   (qb.ci_hi - qb.ci_lo) / (2 * zq), o->n, o);
        StatsMannWhitney mw;
        if (c->mw && stats_mann_whitney_stream_result(&c->mws[v], &mw) == ABC_OK)
            o->mw_p = mw.p_value;
        StatsBootstrap bs;
        if (c->bs[0].rng && c->bs[v].rng &&
            stats_bootstrap_arms(&c->bs[0], &c->bs[v], STATS_ABSOLUTE, an->alpha, &bs) == ABC_OK) {
            o->boot_est = bs.est;
            o->boot_lo = bs.ci_lo;
            o->boot_hi = bs.ci_hi;
        }
    }
    return ABC_OK;
}

void analysis_quantile_cell_free(AnalysisQuantileCell *c)
{
    if (!c)
        return;
    for (int v = 0; v < c->nv; v++)
        stats_bootstrap_arm_free(&c->bs[v]);
    free(c->units);
    free(c->seen);
    free(c->q);
    free(c->mws);
    free(c->bs);
    free(c);
}

void analysis_quantile_arms(const IrAnalysis *an, const IrMetric *m, double zb,
                            const StatsValueCount *const *x, const size_t *k, int nv,
                            bool resample, AnalysisArm *out)
{
    size_t n = nv > 0 ? (size_t)nv : 1;
    double *units = calloc(n, sizeof *units), *counts = calloc(n, sizeof *counts);
    size_t *at = calloc(n, sizeof *at);
    if (!units || !counts || !at)
        abort();
    for (int v = 0; v < nv; v++) {
        units[v] = stats_value_counts_units(x[v], k[v]);
        if (!(units[v] > 0))
            units[v] = 0; /* empty or not value counts: the arm gets no numbers */
    }
    AnalysisQuantileCell *c = analysis_quantile_cell_new(an, m, units, nv, resample);
    /* the arms' value counts merged: one push per distinct value of the pooled sample */
    for (;;) {
        bool any = false;
        double value = 0;
        for (int v = 0; v < nv; v++)
            if (units[v] > 0 && at[v] < k[v] && (!any || x[v][at[v]].value < value)) {
                value = x[v][at[v]].value;
                any = true;
            }
        if (!any)
            break;
        for (int v = 0; v < nv; v++) {
            counts[v] = 0;
            if (units[v] > 0 && at[v] < k[v] && x[v][at[v]].value == value)
                counts[v] = x[v][at[v]++].count;
        }
        analysis_quantile_cell_push(c, value, counts);
    }
    char err[160];
    if (analysis_quantile_cell_finish(c, zb, out, err, sizeof err) != ABC_OK)
        abort(); /* the value counts were checked above */
    analysis_quantile_cell_free(c);
    free(units);
    free(counts);
    free(at);
}

static double km_median(const StatsTimeCount *x, size_t k)
{
    StatsKmPoint *pts = NULL;
    size_t np = 0;
    double med = NAN;
    if (stats_kaplan_meier_counts(x, k, &pts, &np) == ABC_OK)
        for (size_t i = 0; i < np; i++)
            if (pts[i].surv <= 0.5) {
                med = pts[i].time;
                break;
            }
    free(pts);
    return med;
}

void analysis_survival_arms(const IrAnalysis *an, const IrMetric *m, double zb,
                            const StatsTimeCount *const *x, const size_t *k, int nv,
                            AnalysisArm *out)
{
    double tau = m->window.to_day > 0 ? (double)m->window.to_day : 1.0;
    double zq = gsl_cdf_ugaussian_Pinv(1 - an->alpha / 2);
    double est_a = NAN, var_a = NAN;
    for (int v = 0; v < nv; v++) {
        AnalysisArm *o = &out[v];
        double units = stats_time_counts_units(x[v], k[v]);
        o->n = units > 0 ? units : 0;
        double est, var;
        if (stats_rmst_counts(x[v], k[v], tau, &est, &var) != ABC_OK)
            continue;
        o->mean = est;
        o->value_lo = est - zq * sqrt(var);
        o->value_hi = est + zq * sqrt(var);
        o->km_median = km_median(x[v], k[v]);
        if (v == 0) {
            est_a = est;
            var_a = var;
        } else if (isfinite(est_a)) {
            analysis_compare_estimates(an, m, zb, est_a, sqrt(var_a), est, sqrt(var), o->n, o);
            double chi2, p;
            if (stats_logrank_counts(x[0], k[0], x[v], k[v], &chi2, &p) == ABC_OK)
                o->logrank_p = p;
        }
    }
}

/* ---- decisions -------------------------------------------------------------- */

static const char *bayes_verdict(const IrAnalysis *an, double ctw)
{
    if (!isfinite(ctw))
        return NULL;
    return ctw >= 1 - an->alpha ? "winner" : ctw <= an->alpha ? "loser" : "inconclusive";
}

void analysis_decide(const IrAnalysis *an, const IrMetric *m, bool health_failed, AnalysisArm *o)
{
    AnalysisPolicy p = analysis_policy(an, m);
    double eff = an->effect == EFFECT_ABSOLUTE ? o->abs_effect : o->rel_effect;
    if (!isfinite(eff))
        eff = o->abs_effect;
    bool better = m->direction == DIR_LOWER ? eff < 0 : eff > 0;
    o->significant = isfinite(o->p_adj) && o->p_adj < an->alpha;
    o->bayes_decision = NULL;
    if (health_failed) {
        o->decision = "invalid";
        return;
    }
    if (p.basis == AN_BASIS_BAYESIAN) {
        const char *b = bayes_verdict(an, o->ctw);
        o->decision = b ? b : "inconclusive";
        return;
    }
    if (!o->significant || !isfinite(eff))
        o->decision = "inconclusive";
    else
        o->decision = better ? "winner" : "loser";
    const char *b = (p.extras & AN_X_BAYES) ? bayes_verdict(an, o->ctw) : NULL;
    if (b && strcmp(b, o->decision) != 0) {
        o->bayes_decision = b;
        size_t len = strlen(o->note);
        snprintf(o->note + len, sizeof o->note - len,
                 "%sBayesian chance to win %.1f%% says %s; the %s test says %s", len ? "; " : "",
                 o->ctw * 100, b, p.test, o->decision);
    }
}

AnalysisVerdict analysis_verdict_of(const IrRole *roles, int nm, const char *const *decisions,
                                    int nv, bool health_failed, const char **per_variation)
{
    AnalysisVerdict v;
    memset(&v, 0, sizeof v);
    v.variation = -1;
    if (per_variation)
        for (int t = 0; t < nv; t++)
            per_variation[t] = t == 0 ? NULL : health_failed ? "invalid" : "keep running";
    if (health_failed) {
        v.verdict = "invalid";
        snprintf(v.why, sizeof v.why, "the sample ratio or data-quality check failed");
        return v;
    }
    bool has_goal = false;
    for (int m = 0; m < nm; m++)
        has_goal |= roles[m] == ROLE_GOAL;
    int best = -1, best_wins = 0, blocked = 0;
    for (int t = 1; t < nv; t++) {
        int wins = 0, goal_losses = 0, guard_losses = 0;
        for (int m = 0; m < nm; m++) {
            const char *d = decisions[(size_t)m * (size_t)nv + (size_t)t];
            if (!d)
                continue;
            bool counts = roles[m] == ROLE_GOAL || (!has_goal && roles[m] == ROLE_SECONDARY);
            if (roles[m] == ROLE_GUARDRAIL && !strcmp(d, "loser"))
                guard_losses++;
            else if (counts && !strcmp(d, "winner"))
                wins++;
            else if (counts && !strcmp(d, "loser"))
                goal_losses++;
        }
        v.goal_winners += wins;
        v.goal_losers += goal_losses;
        v.guardrail_losers += guard_losses;
        if (guard_losses || goal_losses) {
            blocked++;
            if (per_variation)
                per_variation[t] = "do not ship";
        } else if (wins > best_wins) {
            best = t, best_wins = wins;
        }
    }
    if (best > 0) {
        v.verdict = "ship";
        v.variation = best;
        if (per_variation)
            per_variation[best] = "ship";
        snprintf(v.why, sizeof v.why, "%d %s metric%s significantly better, no goal or guardrail worse",
                 best_wins, has_goal ? "goal" : "secondary", best_wins == 1 ? "" : "s");
    } else if (nv > 1 && blocked == nv - 1) {
        v.verdict = "do not ship";
        snprintf(v.why, sizeof v.why, "every variation is significantly worse on a %s",
                 v.guardrail_losers ? "guardrail or goal" : "goal");
    } else {
        v.verdict = "keep running";
        snprintf(v.why, sizeof v.why, "no variation is significantly better on a %s metric yet",
                 has_goal ? "goal" : "secondary");
    }
    return v;
}

AnalysisVerdict analysis_verdict(const IrSpec *ir, bool health_failed, AnalysisArm *const *out,
                                 int nv)
{
    int nm = ir->nmetrics;
    IrRole *roles = calloc((size_t)nm + 1, sizeof *roles);
    const char **dec = calloc((size_t)nm * (size_t)nv + 1, sizeof *dec);
    if (!roles || !dec)
        abort();
    for (int m = 0; m < nm; m++) {
        roles[m] = ir->metrics[m].role;
        for (int t = 0; t < nv; t++)
            dec[(size_t)m * (size_t)nv + (size_t)t] = out[m][t].decision;
    }
    AnalysisVerdict v = analysis_verdict_of(roles, nm, dec, nv, health_failed, NULL);
    free(roles);
    free(dec);
    return v;
}
