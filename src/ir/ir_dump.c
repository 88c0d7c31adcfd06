/* ir_dump.c — deterministic text form of the IR (abc check --dump-ir) and
 * the canonical text of conditions shared with the formatter. */
#include <stdlib.h>
#include <string.h>

#include "abc/ir.h"

const char *ir_metric_kind_name(IrMetricKind k)
{
    static const char *const names[] = {"proportion", "count",    "sum",      "mean",
                                        "active_days", "ratio",   "retention", "quantile",
                                        "funnel",     "time_to_event"};
    return names[k];
}

const char *const IR_METHOD_NAMES[IR_NMETHODS] = {"ttest", "ztest", "bayes", "uplift",
                                                   "mannwhitney", "bootstrap", "did"};
const char *const IR_SEQUENTIAL_NAMES[4] = {"none", "msprt", "cs", "obf"};
const char *const IR_CORRECTION_NAMES[4] = {"none", "bonferroni", "holm", "bh"};
const char *const IR_FAIL_ON_NAMES[IR_NFAIL_ON] = {"srm", "guardrail", "data_quality"};
const char *const IR_ROLE_NAMES[3] = {"goal", "secondary", "guardrail"};

const char *ir_role_name(IrRole r)
{
    return IR_ROLE_NAMES[r];
}

void ir_put_dsl_string(Buf *out, const char *s)
{
    buf_putc(out, '"');
    for (; *s; s++) {
        switch (*s) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\r': buf_puts(out, "\\r"); break;
        default: buf_putc(out, *s);
        }
    }
    buf_putc(out, '"');
}

static void put_lit(Buf *out, const AstWord *w)
{
    if (w->kind == W_STRING)
        ir_put_dsl_string(out, w->text);
    else
        buf_puts(out, w->text);
}

void ir_put_column(Buf *out, const AstWord *w)
{
    buf_puts(out, w->text);
    if (w->kind == W_QNAME)
        buf_printf(out, ".%s", w->text2);
    for (const AstPathKey *k = w->kind == W_PATH ? w->keys : NULL; k; k = k->next) {
        buf_putc(out, '.');
        if (k->quoted)
            ir_put_dsl_string(out, k->text);
        else
            buf_puts(out, k->text);
    }
    if (w->as != JT_NONE)
        buf_printf(out, " as %s", ast_json_type_name(w->as));
}

#define put_column ir_put_column

static int cond_prec(const IrCond *c)
{
    return c->kind == C_OR ? 1 : c->kind == C_AND ? 2 : c->kind == C_NOT ? 3 : 4;
}

static void cond_text(const IrCond *c, Buf *out, int parent_prec)
{
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
    int p = cond_prec(c);
    bool paren = p < parent_prec;
    if (paren)
        buf_putc(out, '(');
    switch (c->kind) {
    case C_CMP:
        put_column(out, c->column);
        buf_printf(out, " %s ", ops[c->op]);
        put_lit(out, c->lits);
        break;
    case C_IN:
        put_column(out, c->column);
        buf_puts(out, c->negated ? " not in (" : " in (");
        for (const AstWord *w = c->lits; w; w = w->next) {
            if (w != c->lits)
                buf_puts(out, ", ");
            put_lit(out, w);
        }
        buf_putc(out, ')');
        break;
    case C_IS_NULL:
        put_column(out, c->column);
        buf_puts(out, c->negated ? " is not null" : " is null");
        break;
    case C_AND:
    case C_OR: {
        /* left-associative: a right operand of the same precedence needs ().
         * The chain a and b and c (a left spine of one operator) is printed
         * by a loop, so its length costs no stack (the DSL allows millions). */
        size_t n = 0;
        const IrCond *q = c;
        for (; q && q->kind == c->kind; q = q->lhs)
            n++;
        const IrCond **rhs = malloc(n * sizeof *rhs);
        if (!rhs)
            abort();
        q = c;
        for (size_t i = 0; i < n; i++, q = q->lhs)
            rhs[i] = q->rhs;
        if (q)
            cond_text(q, out, p);
        for (size_t i = n; i-- > 0;) {
            buf_puts(out, c->kind == C_AND ? " and " : " or ");
            if (rhs[i])
                cond_text(rhs[i], out, p + 1);
        }
        free(rhs);
        break;
    }
    case C_NOT:
        buf_puts(out, "not ");
        cond_text(c->lhs, out, p);
        break;
    }
    if (paren)
        buf_putc(out, ')');
}

void ir_cond_to_text(const IrCond *c, Buf *out)
{
    if (c)
        cond_text(c, out, 0);
}

static void dump_set(const IrSpec *ir, const IrEventSet *s, Buf *out)
{
    buf_puts(out, ir->sources[s->source].name);
    if (s->filter) {
        buf_puts(out, " where ");
        ir_cond_to_text(s->filter, out);
    }
}

static void dump_window(const IrWindow *w, Buf *out)
{
    if (w->kind == WIN_PHASE)
        buf_puts(out, "phase");
    else
        buf_printf(out, "days %d..%d", w->from_day, w->to_day);
}

static const char *opt(const char *s) { return s ? s : "-"; }

void ir_dump(const IrSpec *ir, Buf *out, bool with_lines)
{
    buf_printf(out, "tag %s\nmodule %s\n", ir->tag, ir->module);
    buf_printf(out, "tables abc=%s report=%s wide=%s report_user=%s report_daily=%s\n",
               ir->abc_database, ir->report_database, ir->wide_table, ir->report_table,
               ir->daily_table);
    const IrExperiments *e = &ir->experiments;
    buf_printf(out, "experiments growthbook=%s tag=%s project=%s status=%s keys=[",
               e->from_growthbook ? "yes" : "no", opt(e->gb_tag), opt(e->gb_project),
               opt(e->gb_status));
    for (int i = 0; i < e->nkeys; i++) {
        if (i)
            buf_puts(out, ", ");
        ir_put_dsl_string(out, e->keys[i]);
    }
    buf_puts(out, "]\n");
    for (int i = 0; i < ir->nassignments; i++) {
        const IrHashAssignment *a = &ir->assignments[i];
        buf_puts(out, "assignment ");
        ir_put_dsl_string(out, a->tracking_key);
        buf_puts(out, " salt ");
        ir_put_dsl_string(out, a->salt);
        for (int k = 0; k < a->nvariations; k++)
            buf_printf(out, " %s=%.17g", a->variations[k], a->weights[k]);
        if (a->start)
            buf_printf(out, " start=%s", a->start);
        buf_putc(out, '\n');
    }
    for (int i = 0; i < ir->nsources; i++) {
        const IrSource *s = &ir->sources[i];
        buf_printf(out, "source %s table=%s%s%s user=%s time=%s date=%s%s", s->name,
                   s->database ? s->database : "", s->database ? "." : "", s->table, s->user_col,
                   opt(s->time_col), opt(s->date_col), s->is_user_table ? " user_table" : "");
        for (int j = 0; j < s->njson; j++)
            buf_printf(out, "%s%s", j ? "," : " json=", s->json_cols[j]);
        if (s->filter) {
            buf_puts(out, " where ");
            ir_cond_to_text(s->filter, out);
        }
        buf_putc(out, '\n');
    }
    const IrExposure *x = &ir->exposure;
    buf_printf(out, "exposure ");
    if (x->source >= 0) {
        IrEventSet es = {x->source, x->filter};
        dump_set(ir, &es, out);
    }
    buf_printf(out, " experiment=%s variation=%s multiple=%s", opt(x->experiment_col),
               opt(x->variation_col), x->multiple == MULTI_EXCLUDE ? "exclude" : "first");
    if (x->has_activation) {
        buf_puts(out, " activation=");
        dump_set(ir, &x->activation, out);
    }
    if (with_lines)
        buf_printf(out, " @%d", x->line);
    buf_putc(out, '\n');
    for (int i = 0; i < ir->nsegments; i++) {
        const IrSegment *g = &ir->segments[i];
        buf_printf(out, "segment %s = %s.", g->name,
                   g->from == SEG_EXPOSURE ? "exposure" : ir->sources[g->source].name);
        if (g->path)
            ir_put_column(out, g->path);
        else
            buf_puts(out, g->column);
        if (with_lines)
            buf_printf(out, " @%d", g->line);
        buf_putc(out, '\n');
    }
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        buf_printf(out, "metric %s kind=%s role=%s direction=%s", m->name,
                   ir_metric_kind_name(m->kind), ir_role_name(m->role),
                   m->direction == DIR_HIGHER ? "higher" : "lower");
        switch (m->kind) {
        case MK_RATIO:
            buf_printf(out, " num=%s den=%s", ir->metrics[m->num].name, ir->metrics[m->den].name);
            break;
        case MK_FUNNEL:
            for (int k = 0; k < m->nsteps; k++) {
                buf_printf(out, " step%d=[", k + 1);
                dump_set(ir, &m->steps[k], out);
                buf_putc(out, ']');
            }
            break;
        default:
            buf_puts(out, " set=[");
            dump_set(ir, &m->set, out);
            buf_putc(out, ']');
            if (m->value_path) {
                buf_puts(out, " value=");
                ir_put_column(out, m->value_path);
            } else if (m->value_col) {
                buf_printf(out, " value=%s", m->value_col);
            }
            if (m->kind == MK_QUANTILE)
                buf_printf(out, " q=%.17g", m->quantile);
        }
        if (m->kind != MK_RATIO) {
            buf_puts(out, " window=");
            dump_window(&m->window, out);
        }
        if (m->cap.kind == CAP_ABSOLUTE)
            buf_printf(out, " cap=%.17g", m->cap.value);
        else if (m->cap.kind == CAP_PERCENTILE)
            buf_printf(out, " cap=p%.17g", m->cap.value * 100);
        if (m->cuped.kind != CUPED_NONE)
            buf_printf(out, " cuped=%s pre=%dd", ir->metrics[m->cuped.metric].name,
                       m->cuped.pre_days);
        if (with_lines)
            buf_printf(out, " @%d", m->line);
        buf_putc(out, '\n');
    }
    const IrAnalysis *a = &ir->analysis;
    buf_puts(out, "analysis methods=");
    bool first = true;
    for (int i = 0; i < 7; i++)
        if (a->methods & (1u << i)) {
            buf_printf(out, "%s%s", first ? "" : ",", IR_METHOD_NAMES[i]);
            first = false;
        }
    buf_printf(out, " alpha=%.17g sided=%s effect=%s", a->alpha, a->one_sided ? "one" : "two",
               a->effect == EFFECT_RELATIVE ? "relative" : "absolute");
    if (a->has_prior)
        buf_printf(out, " prior=%.17g,%.17g", a->prior_mean, a->prior_stddev);
    buf_printf(out, " sequential=%s", IR_SEQUENTIAL_NAMES[a->sequential]);
    if (a->sequential == SEQ_MSPRT || a->sequential == SEQ_CS)
        buf_printf(out, "(%.17g)", a->seq_param);
    if (a->sequential == SEQ_GSD_OBF)
        buf_printf(out, "(looks=%d)", a->looks);
    buf_printf(out, " correction=%s srm=%.17g fail_on=", IR_CORRECTION_NAMES[a->correction], a->srm_threshold);
    static const unsigned fail_bits[] = {FAIL_SRM, FAIL_GUARDRAIL, FAIL_DATA_QUALITY};
    first = true;
    for (int i = 0; i < 3; i++)
        if (a->fail_on & fail_bits[i]) {
            buf_printf(out, "%s%s", first ? "" : ",", IR_FAIL_ON_NAMES[i]);
            first = false;
        }
    buf_printf(out, " power=%.17g mde=%.17g bootstrap=%d seed=%lu%s\n", a->power_target, a->mde,
               a->bootstrap_resamples, a->bootstrap_seed, a->hourly ? " hourly" : "");
    static const char *const reps[] = {"dau", "wau", "mau", "growth", "cohorts_weekly",
                                       "cohorts_monthly"};
    for (int i = 0; i < ir->nactivities; i++) {
        const IrActivity *act = &ir->activities[i];
        buf_printf(out, "activity %s active=[", act->name);
        if (act->active.source >= 0)
            dump_set(ir, &act->active, out);
        buf_puts(out, "] reports=");
        first = true;
        for (int k = 0; k < 6; k++)
            if (act->reports & (1u << k)) {
                buf_printf(out, "%s%s", first ? "" : ",", reps[k]);
                first = false;
            }
        buf_printf(out, "%s\n", act->by_variation ? " by_variation" : "");
    }
}
