/* report_model.c — a tag's results as the renderers show them, worked out
 * once from report rows: experiments (every one of the tag, also those
 * without rows), their variations with weights and units, the all-users
 * row of each metric × variation, health (SRM with expected and observed
 * units, data quality, guardrail breaches), the verdict per variation
 * (analysis_verdict_of) and whether the sample the spec's power and mde
 * need is reached. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "abc/stats.h"
#include "report_int.h"

bool rm_is_all_users(const ReportRow *r)
{
    return !r->segment || !r->segment[0];
}

bool rm_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = flags; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        if (len == n && !strncmp(p, flag, n))
            return true;
        p = e ? e + 1 : p + len;
    }
    return false;
}

bool rm_relative(const ReportRow *r)
{
    return !r->effect_type || strcmp(r->effect_type, "absolute") != 0;
}

double rm_effect(const ReportRow *r)
{
    return rm_relative(r) ? r->rel_effect : r->abs_effect;
}

const char *rm_var_label(const RmVar *v)
{
    return v->name && *v->name ? v->name : rf_or(v->key, "?");
}

int rm_var_index(const RmExp *x, const char *key)
{
    for (int v = 0; v < x->nvars; v++)
        if (!strcmp(rf_or(x->vars[v].key, ""), rf_or(key, "")))
            return v;
    return -1;
}

static bool same(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static RmExp *find_exp(RmModel *m, const char *tracking_key)
{
    for (int e = 0; e < m->nexps; e++)
        if (same(m->exps[e].tracking_key, tracking_key))
            return &m->exps[e];
    return NULL;
}

static int metric_index(const IrSpec *ir, const char *name)
{
    for (int i = 0; name && i < ir->nmetrics; i++)
        if (!strcmp(ir->metrics[i].name, name))
            return i;
    return -1;
}

/* Variations grow as rows name them (an experiment known from rows only,
 * or a key experiment_data lacks). */
static int add_var(RmModel *m, RmExp *x, const char *key, const char *name, bool control)
{
    int v = rm_var_index(x, key);
    if (v >= 0)
        return v;
    RmVar *nv = arena_alloc(&m->arena, sizeof *nv * (size_t)(x->nvars + 1));
    int at = control ? 0 : x->nvars;
    for (int i = 0, j = 0; i <= x->nvars; i++)
        if (i != at)
            nv[i] = x->vars[j++];
    nv[at] = (RmVar){key, name, NAN, NAN, NAN, NULL};
    x->vars = nv;
    x->nvars++;
    return at;
}

static void power_check(RmModel *m, RmExp *x, long date)
{
    const IrSpec *ir = m->in->ir;
    const IrAnalysis *an = &ir->analysis;
    x->power_metric = -1;
    if (!(an->mde > 0)) {
        snprintf(x->power_note, sizeof x->power_note, "the spec sets no mde, so the sample it needs is not checked");
        return;
    }
    bool has_goal = false;
    for (int i = 0; i < ir->nmetrics; i++)
        has_goal |= ir->metrics[i].role == ROLE_GOAL;
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *mt = &ir->metrics[i];
        if (!(mt->role == ROLE_GOAL || (!has_goal && mt->role == ROLE_SECONDARY)))
            continue;
        AnalysisPolicy pol = analysis_policy(an, mt);
        const ReportRow *ctl = x->cell[(size_t)i * (size_t)x->nvars];
        if (!ctl || strcmp(pol.estimator, "quantile") == 0 || strcmp(pol.estimator, "rmst") == 0)
            continue;
        StatsPowerSpec ps = {.kind = pol.stats_kind, .baseline = ctl->mean, .sd = ctl->stddev,
                             .alpha = an->alpha, .power = an->power_target,
                             .sides = an->one_sided ? STATS_ONE_SIDED : STATS_TWO_SIDED,
                             .relative = an->effect != EFFECT_ABSOLUTE,
                             .variations = (size_t)(x->nvars > 2 ? x->nvars : 2),
                             .design = an->sequential == SEQ_CS ? STATS_DESIGN_CS
                                       : an->sequential == SEQ_GSD_OBF ? STATS_DESIGN_GSD : STATS_FIXED,
                             .tuning = an->sequential == SEQ_CS && an->seq_param > 0 ? an->seq_param : 5000,
                             .looks = (size_t)(an->looks > 0 ? an->looks : 1)};
        double need;
        if (stats_sample_size(&ps, an->mde, &need) != ABC_OK || !isfinite(need)) {
            snprintf(x->power_note, sizeof x->power_note,
                     "the sample for an mde of %g on %s cannot be computed from its control (mean %g)",
                     an->mde, mt->name, ctl->mean);
            return;
        }
        double have = INFINITY;
        for (int v = 0; v < x->nvars; v++) {
            const ReportRow *r = x->cell[(size_t)i * (size_t)x->nvars + (size_t)v];
            double u = r && r->users != REPORT_INT_NULL ? (double)r->users : 0;
            if (u < have)
                have = u;
        }
        long start;
        double days = 0;
        if (x->phase_start && date_parse_prefix(x->phase_start, &start) && date >= start)
            days = (double)(date - start + 1);
        x->power_metric = i;
        x->need_per_arm = ceil(need);
        x->have_per_arm = have;
        x->days = days;
        x->days_more = have >= x->need_per_arm ? 0
                       : days > 0 && have > 0 ? ceil((x->need_per_arm - have) / (have / days))
                                              : NAN;
        return;
    }
    snprintf(x->power_note, sizeof x->power_note,
             "no goal metric with a mean or proportion to size the sample from");
}

static void rm_hourly(RmModel *m);

void rm_build(RmModel *m, const ReportInput *in)
{
    memset(m, 0, sizeof *m);
    m->in = in;
    arena_init(&m->arena);
    const IrSpec *ir = in->ir;
    int nm = ir->nmetrics;
    m->exps = arena_alloc(&m->arena, sizeof(RmExp) * (size_t)(in->nexps + in->nrows + 1));
    for (int e = 0; e < in->nexps; e++) {
        const ReportExperiment *s = &in->exps[e];
        if (find_exp(m, s->tracking_key))
            continue;
        RmExp *x = &m->exps[m->nexps++];
        *x = (RmExp){.id = s->id, .tracking_key = s->tracking_key, .name = s->name,
                     .phase_name = s->phase_name, .phase_start = s->phase_start,
                     .phase_end = s->phase_end, .srm_p = NAN};
        for (int v = 0; v < s->nvariations; v++) {
            int at = add_var(m, x, s->variations[v].key, s->variations[v].name, false);
            x->vars[at].weight = s->variations[v].weight;
        }
    }
    for (int i = 0; i < in->nrows; i++) {
        const ReportRow *r = &in->rows[i];
        if (!m->date && r->analysis_date)
            m->date = r->analysis_date;
        if (!m->computed_at && r->computed_at)
            m->computed_at = r->computed_at;
        if (!m->abc_version && r->abc_version)
            m->abc_version = r->abc_version;
        RmExp *x = find_exp(m, r->tracking_key);
        if (!x) {
            x = &m->exps[m->nexps++];
            *x = (RmExp){.id = r->experiment_id, .tracking_key = r->tracking_key,
                         .name = r->experiment_name, .phase_name = r->phase_name,
                         .phase_start = r->phase_start, .phase_end = r->phase_end, .srm_p = NAN};
        }
        if (!x->methods)
            x->methods = r->methods;
        if (!x->sequential)
            x->sequential = r->sequential;
        add_var(m, x, r->variation_key, r->variation_name, r->is_control == 1);
    }
    /* cells, units, health */
    for (int e = 0; e < m->nexps; e++) {
        RmExp *x = &m->exps[e];
        x->cell = arena_alloc(&m->arena, sizeof(ReportRow *) * (size_t)(nm * x->nvars + 1));
        x->breaches = arena_alloc(&m->arena, sizeof(RmBreach) * (size_t)(nm * x->nvars + 1));
    }
    for (int i = 0; i < in->nrows; i++) {
        const ReportRow *r = &in->rows[i];
        if (!rm_is_all_users(r))
            continue;
        RmExp *x = find_exp(m, r->tracking_key);
        int mi = metric_index(ir, r->metric), v = rm_var_index(x, r->variation_key);
        if (!x || v < 0)
            continue;
        x->has_rows = true;
        if (isfinite(r->srm_p_value))
            x->srm_p = r->srm_p_value;
        x->srm |= rm_flag(r->flags, "srm");
        if (rm_flag(r->flags, "data_quality") && !x->dq) {
            x->dq = true;
            snprintf(x->dq_why, sizeof x->dq_why,
                     "a variation has no units, or exposures carry variation keys the experiment does not have");
        }
        if (r->users != REPORT_INT_NULL && !(x->vars[v].users >= (double)r->users))
            x->vars[v].users = (double)r->users;
        if (mi >= 0)
            x->cell[(size_t)mi * (size_t)x->nvars + (size_t)v] = r;
    }
    long date = -1;
    if (m->date)
        (void)date_parse_prefix(m->date, &date);
    const char **dec = arena_alloc(&m->arena, sizeof(char *) * (size_t)(nm + 1) * 64);
    IrRole *roles = arena_alloc(&m->arena, sizeof(IrRole) * (size_t)(nm + 1));
    for (int i = 0; i < nm; i++)
        roles[i] = ir->metrics[i].role;
    for (int e = 0; e < m->nexps; e++) {
        RmExp *x = &m->exps[e];
        if (!x->has_rows) {
            x->dq = true;
            snprintf(x->dq_why, sizeof x->dq_why,
                     "no exposed units in the data: check the exposure filter and the tracking key");
        }
        double total = 0, wsum = 0;
        for (int v = 0; v < x->nvars; v++) {
            if (isfinite(x->vars[v].users))
                total += x->vars[v].users;
            if (isfinite(x->vars[v].weight))
                wsum += x->vars[v].weight;
            if (x->has_rows && !(x->vars[v].users > 0) && !x->dq) {
                x->dq = true;
                snprintf(x->dq_why, sizeof x->dq_why, "variation %s has no units", rm_var_label(&x->vars[v]));
            }
        }
        for (int v = 0; v < x->nvars; v++)
            x->vars[v].expected = wsum > 0 && isfinite(x->vars[v].weight) ? total * x->vars[v].weight / wsum : NAN;
        for (int i = 0; i < nm; i++)
            for (int v = 1; v < x->nvars; v++) {
                const ReportRow *r = x->cell[(size_t)i * (size_t)x->nvars + (size_t)v];
                if (roles[i] == ROLE_GUARDRAIL && r && r->decision && !strcmp(r->decision, "loser"))
                    x->breaches[x->nbreaches++] = (RmBreach){i, v};
            }
        const char **pv = arena_alloc(&m->arena, sizeof(char *) * (size_t)(x->nvars + 1));
        const char **d = x->nvars <= 64 ? dec : arena_alloc(&m->arena, sizeof(char *) * (size_t)(nm * x->nvars + 1));
        for (int i = 0; i < nm; i++)
            for (int v = 0; v < x->nvars; v++) {
                const ReportRow *r = x->cell[(size_t)i * (size_t)x->nvars + (size_t)v];
                d[(size_t)i * (size_t)x->nvars + (size_t)v] = r ? r->decision : NULL;
            }
        x->verdict = analysis_verdict_of(roles, nm, d, x->nvars, x->srm || x->dq, pv);
        for (int v = 0; v < x->nvars; v++)
            x->vars[v].verdict = pv[v];
        m->srm_failures += x->srm;
        m->dq_failures += x->dq;
        m->guardrail_failures += x->nbreaches;
        power_check(m, x, date);
    }
    rm_hourly(m);
}

/* The hourly series of each experiment: the hours of the rows (at most the
 * last 48), each variation's new units and the cumulative SRM p-value. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void rm_hourly(RmModel *m)
{
    const ReportInput *in = m->in;
    if (in->nhourly <= 0)
        return;
    const char **all = arena_alloc(&m->arena, sizeof(char *) * (size_t)in->nhourly);
    for (int e = 0; e < m->nexps; e++) {
        RmExp *x = &m->exps[e];
        int n = 0;
        for (int i = 0; i < in->nhourly; i++)
            if (same(in->hourly[i].tracking_key, x->tracking_key) && in->hourly[i].hour)
                all[n++] = in->hourly[i].hour;
        if (n == 0)
            continue;
        qsort(all, (size_t)n, sizeof *all, cmp_str);
        int nu = 0;
        for (int i = 0; i < n; i++)
            if (nu == 0 || strcmp(all[nu - 1], all[i]) != 0)
                all[nu++] = all[i];
        int skip = nu > 48 ? nu - 48 : 0;
        x->nhours = nu - skip;
        x->hours = arena_alloc(&m->arena, sizeof(char *) * (size_t)x->nhours);
        memcpy(x->hours, all + skip, sizeof(char *) * (size_t)x->nhours);
        x->hour_exposures = arena_alloc(&m->arena, sizeof(double) * (size_t)x->nhours * (size_t)x->nvars);
        x->hour_srm_p = arena_alloc(&m->arena, sizeof(double) * (size_t)x->nhours);
        for (int h = 0; h < x->nhours; h++) {
            x->hour_srm_p[h] = NAN;
            for (int v = 0; v < x->nvars; v++)
                x->hour_exposures[(size_t)h * (size_t)x->nvars + (size_t)v] = 0;
        }
        for (int i = 0; i < in->nhourly; i++) {
            const ReportHourly *r = &in->hourly[i];
            if (!same(r->tracking_key, x->tracking_key) || !r->hour)
                continue;
            const char **at = bsearch(&r->hour, x->hours, (size_t)x->nhours, sizeof(char *), cmp_str);
            if (!at)
                continue;
            size_t h = (size_t)(at - x->hours);
            if (r->is_srm) {
                x->hour_srm_p[h] = r->value;
                continue;
            }
            int v = rm_var_index(x, r->variation_key); /* one the experiment lists */
            if (v >= 0 && isfinite(r->value))
                x->hour_exposures[h * (size_t)x->nvars + (size_t)v] = r->value;
        }
    }
}

void rm_spec_methods(const IrAnalysis *an, Buf *out)
{
    size_t start = out->len;
    for (int i = 0; i < IR_NMETHODS; i++)
        if (an->methods & (1u << i))
            buf_printf(out, "%s%s", out->len > start ? ", " : "", IR_METHOD_NAMES[i]);
    if (out->len == start)
        buf_puts(out, "ttest");
}

void rm_free(RmModel *m)
{
    arena_free(&m->arena);
}
