/* report_md.c — the Markdown renderer: the memo (reports/<tag>.md) and
 * `abc report TAG`.  Per experiment: the verdict per variation by name,
 * health, the sample the spec's power and mde need, the table of the
 * all-users rows (metrics by role, spec order), then notes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"


static void verdict_md(Buf *out, const RmExp *x)
{
    const AnalysisVerdict *v = &x->verdict;
    buf_puts(out, "**Verdict: ");
    if (!strcmp(v->verdict, "ship")) {
        buf_puts(out, "ship ");
        rf_md(out, rm_var_label(&x->vars[v->variation]));
    } else {
        buf_puts(out, v->verdict);
    }
    buf_puts(out, "** — ");
    rf_md(out, v->why);
    buf_puts(out, ".\n\n");
    for (int i = 1; i < x->nvars; i++) {
        buf_puts(out, "- ");
        rf_md(out, rm_var_label(&x->vars[i]));
        if (x->vars[i].name && *x->vars[i].name && x->vars[i].key) {
            buf_puts(out, " (key ");
            rf_md(out, x->vars[i].key);
            buf_putc(out, ')');
        }
        buf_puts(out, " vs ");
        rf_md(out, rm_var_label(&x->vars[0]));
        buf_puts(out, ": **");
        buf_puts(out, rf_or(x->vars[i].verdict, "keep running"));
        buf_puts(out, "**\n");
    }
    if (x->nvars > 1)
        buf_putc(out, '\n');
}

static void health_md(Buf *out, const RmModel *m, const RmExp *x)
{
    const IrAnalysis *an = &m->in->ir->analysis;
    if (!x->has_rows) {
        buf_puts(out, "**Health: data quality failed — ");
        rf_md(out, x->dq_why);
        buf_puts(out, ".**\n\n");
        return;
    }
    if (x->srm) {
        buf_puts(out, "**Health: SRM — p ");
        if (x->srm_p < 0.001)
            buf_puts(out, "< 0.001");
        else
            buf_printf(out, "= %.3g", x->srm_p);
        buf_printf(out, ", below the threshold %g; the split does not match the weights (expected vs observed units:", an->srm_threshold);
        for (int v = 0; v < x->nvars; v++) {
            buf_puts(out, v ? "; " : " ");
            rf_md(out, rm_var_label(&x->vars[v]));
            buf_putc(out, ' ');
            rf_count(out, x->vars[v].expected);
            buf_puts(out, " vs ");
            rf_count(out, x->vars[v].users);
        }
        buf_puts(out, ").");
        for (int v = 0; v < x->nvars; v++)
            if (x->vars[v].weight == 0 && x->vars[v].users > 0) {
                buf_puts(out, " Variation ");
                rf_md(out, rm_var_label(&x->vars[v]));
                buf_puts(out, " has weight 0 but ");
                rf_count(out, x->vars[v].users);
                buf_puts(out, " users.");
            }
        buf_puts(out, " Results are invalid until the assignment is fixed.**\n\n");
    } else if (!isfinite(x->srm_p)) {
        buf_puts(out, "Health: SRM check not computed (no units to compare with the weights)");
    } else {
        buf_puts(out, "Health: SRM check p = ");
        rf_p(out, x->srm_p);
        buf_puts(out, " — OK");
    }
    if (x->dq) {
        buf_puts(out, x->srm ? "**" : ". **");
        buf_puts(out, "Data quality failed: ");
        rf_md(out, x->dq_why);
        buf_puts(out, "; results are marked invalid.**");
    }
    for (int b = 0; b < x->nbreaches; b++) {
        buf_puts(out, b == 0 ? (x->srm || x->dq ? " **Guardrail breached: " : ". **Guardrail breached: ") : "; ");
        rf_md(out, m->in->ir->metrics[x->breaches[b].metric].name);
        buf_puts(out, " is significantly worse in ");
        rf_md(out, rm_var_label(&x->vars[x->breaches[b].variation]));
        if (b == x->nbreaches - 1)
            buf_puts(out, ".**");
    }
    if (!x->srm && !x->dq && !x->nbreaches)
        buf_puts(out, "; no data-quality issue; no guardrail breached.");
    buf_puts(out, "\n\n");
}

static void phase_md(Buf *out, const RmModel *m, const RmExp *x)
{
    buf_puts(out, "Phase \"");
    rf_md(out, rf_or(x->phase_name, "?"));
    buf_puts(out, "\"");
    if (x->phase_start) {
        buf_printf(out, x->phase_end ? ", %.10s to " : " since %.10s", x->phase_start);
        if (x->phase_end)
            buf_printf(out, "%.10s", x->phase_end);
        else
            buf_puts(out, " (running)");
    }
    buf_puts(out, ". Users: ");
    for (int v = 0; v < x->nvars; v++) {
        buf_puts(out, v ? ", " : "");
        rf_md(out, rm_var_label(&x->vars[v]));
        buf_puts(out, v == 0 ? " (control) " : " ");
        rf_count(out, x->vars[v].users);
        if (isfinite(x->vars[v].weight))
            buf_printf(out, " (weight %g)", x->vars[v].weight);
    }
    buf_puts(out, ".\n\n");
    const IrAnalysis *an = &m->in->ir->analysis;
    if (x->power_metric >= 0) {
        buf_printf(out, "Sample: %s needs ", m->in->ir->metrics[x->power_metric].name);
        rf_count(out, x->need_per_arm);
        buf_printf(out, " units per arm for an mde of %g%s at power %g; the smallest arm has ", an->mde,
                   an->effect == EFFECT_ABSOLUTE ? " (absolute)" : " (relative)", an->power_target);
        rf_count(out, x->have_per_arm);
        if (x->have_per_arm >= x->need_per_arm) {
            buf_puts(out, " — reached.\n\n");
        } else if (isfinite(x->days_more)) {
            buf_puts(out, " — not reached; about ");
            rf_count(out, x->days_more);
            buf_printf(out, " more day%s at the current traffic.\n\n", x->days_more == 1 ? "" : "s");
        } else {
            buf_puts(out, " — not reached.\n\n");
        }
    } else if (x->has_rows) {
        buf_puts(out, "Sample: ");
        rf_md(out, x->power_note);
        buf_puts(out, ".\n\n");
    }
}

static void table_md(Buf *out, const RmModel *m, const RmExp *x)
{
    const IrSpec *ir = m->in->ir;
    buf_printf(out, "| metric | role | variation | users | control | variation | effect | %g%% CI | p (adj.) | chance to win | decision |\n",
               (1 - ir->analysis.alpha) * 100);
    buf_puts(out, "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int role = ROLE_GOAL; role <= ROLE_GUARDRAIL; role++)
        for (int i = 0; i < ir->nmetrics; i++) {
            if ((int)ir->metrics[i].role != role)
                continue;
            const ReportRow *ctl = x->cell[(size_t)i * (size_t)x->nvars];
            for (int v = 1; v < x->nvars; v++) {
                const ReportRow *r = x->cell[(size_t)i * (size_t)x->nvars + (size_t)v];
                buf_puts(out, "| ");
                rf_md(out, ir->metrics[i].name);
                buf_printf(out, " | %s | ", ir_role_name(ir->metrics[i].role));
                rf_md(out, rm_var_label(&x->vars[v]));
                buf_puts(out, " | ");
                if (!r) {
                    buf_puts(out, "– | – | – | – | – | – | – | no row |\n");
                    continue;
                }
                rf_count(out, r->users != REPORT_INT_NULL ? (double)r->users : NAN);
                buf_puts(out, " | ");
                rf_num(out, ctl ? ctl->mean : NAN);
                buf_puts(out, " | ");
                rf_num(out, r->mean);
                buf_puts(out, " | ");
                bool rel = rm_relative(r);
                rf_effect(out, rm_effect(r), rel);
                buf_puts(out, " | ");
                rf_interval(out, r);
                buf_puts(out, " | ");
                rf_p(out, r->p_value);
                if (isfinite(r->p_value_adjusted)) {
                    buf_puts(out, " (");
                    rf_p(out, r->p_value_adjusted);
                    buf_putc(out, ')');
                }
                buf_puts(out, " | ");
                rf_pct(out, r->chance_to_win);
                bool win = r->decision && !strcmp(r->decision, "winner");
                buf_printf(out, " | %s", win ? "**" : "");
                rf_md(out, rf_or(r->decision, "–"));
                buf_printf(out, "%s |\n", win ? "**" : "");
            }
        }
}

static void notes_md(Buf *out, const RmModel *m, const RmExp *x)
{
    const IrSpec *ir = m->in->ir;
    bool any = false;
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *mt = &ir->metrics[i];
        const ReportRow *ctl = x->cell[(size_t)i * (size_t)x->nvars];
        for (int v = 1; v < x->nvars; v++) {
            const ReportRow *r = x->cell[(size_t)i * (size_t)x->nvars + (size_t)v];
            if (!r)
                continue;
            Buf line;
            buf_init(&line);
            if (isfinite(r->cuped_variance_reduction))
                buf_printf(&line, " CUPED removed %.1f%% of the variance.", r->cuped_variance_reduction * 100);
            if (isfinite(r->did_effect)) {
                buf_puts(&line, " Difference-in-differences ");
                rf_effect(&line, r->did_effect, false);
                buf_puts(&line, " [");
                rf_effect(&line, r->did_low, false);
                buf_puts(&line, ", ");
                rf_effect(&line, r->did_high, false);
                buf_puts(&line, "], p ");
                rf_p(&line, r->did_p_value);
                buf_putc(&line, '.');
            }
            if (isfinite(r->impact)) {
                buf_puts(&line, " Net incremental impact ");
                rf_effect(&line, r->impact, false);
                buf_puts(&line, " [");
                rf_effect(&line, r->impact_low, false);
                buf_puts(&line, ", ");
                rf_effect(&line, r->impact_high, false);
                buf_puts(&line, "].");
            }
            if (mt->kind == MK_TIME_TO_EVENT && isfinite(r->mean)) {
                buf_puts(&line, " Kaplan-Meier median days: control ");
                if (ctl && isfinite(ctl->km_median))
                    rf_num(&line, ctl->km_median);
                else
                    buf_puts(&line, "not reached");
                buf_puts(&line, ", variation ");
                if (isfinite(r->km_median))
                    rf_num(&line, r->km_median);
                else
                    buf_puts(&line, "not reached");
                buf_puts(&line, "; log-rank p ");
                rf_p(&line, r->logrank_p_value);
                buf_putc(&line, '.');
            }
            if (mt->kind == MK_QUANTILE && isfinite(r->value_low)) {
                buf_printf(&line, " Quantile %g of the variation: CI [", mt->quantile);
                rf_num(&line, r->value_low);
                buf_puts(&line, ", ");
                rf_num(&line, r->value_high);
                buf_puts(&line, "].");
            }
            if (isfinite(r->mannwhitney_p_value)) {
                buf_puts(&line, " Mann-Whitney p ");
                rf_p(&line, r->mannwhitney_p_value);
                buf_putc(&line, '.');
            }
            if (isfinite(r->bootstrap_effect)) {
                buf_puts(&line, " Bootstrap difference ");
                rf_effect(&line, r->bootstrap_effect, false);
                buf_puts(&line, " [");
                rf_effect(&line, r->bootstrap_low, false);
                buf_puts(&line, ", ");
                rf_effect(&line, r->bootstrap_high, false);
                buf_puts(&line, "].");
            }
            if (isfinite(r->ztest_p_value)) {
                buf_puts(&line, " Pooled z-test p ");
                rf_p(&line, r->ztest_p_value);
                buf_putc(&line, '.');
            }
            if (isfinite(r->exact_p_value)) {
                buf_puts(&line, " Fisher's exact p ");
                rf_p(&line, r->exact_p_value);
                buf_putc(&line, '.');
            }
            if (r->bayes_decision && !(r->note && *r->note)) {
                buf_puts(&line, " Bayesian verdict: ");
                buf_puts(&line, r->bayes_decision);
                buf_putc(&line, '.');
            }
            if (r->flags && *r->flags) {
                buf_puts(&line, " Flags: ");
                buf_puts(&line, r->flags);
                buf_putc(&line, '.');
            }
            if (r->note && *r->note) {
                buf_puts(&line, " Note: ");
                buf_puts(&line, r->note);
                buf_putc(&line, '.');
            }
            if (line.len) {
                if (!any)
                    buf_puts(out, "\nNotes:\n\n");
                any = true;
                buf_puts(out, "- ");
                rf_md(out, mt->name);
                buf_puts(out, ", ");
                rf_md(out, rm_var_label(&x->vars[v]));
                buf_putc(out, ':');
                rf_md(out, line.data);
                buf_putc(out, '\n');
            }
            buf_free(&line);
        }
    }
}

void report_markdown(const ReportInput *in, Buf *out)
{
    RmModel m;
    rm_build(&m, in);
    const IrSpec *ir = in->ir;
    const IrAnalysis *an = &ir->analysis;
    buf_puts(out, "# ");
    rf_md(out, in->tag);
    buf_printf(out, " — %s", rf_or(in->heading, "A/B results"));
    if (m.date)
        buf_printf(out, " through %.10s", m.date);
    buf_puts(out, "\n\n");
    if (in->run_line) {
        rf_md(out, in->run_line);
        buf_puts(out, "\n\n");
    }
    buf_puts(out, "Analysis: methods ");
    rm_spec_methods(an, out);
    buf_printf(out, "; alpha %g (%s-sided); sequential %s; correction %s; effects %s; CI is the %g%% "
                    "interval of the effect.\n",
               an->alpha, an->one_sided ? "one" : "two", IR_SEQUENTIAL_NAMES[an->sequential],
               IR_CORRECTION_NAMES[an->correction],
               an->effect == EFFECT_ABSOLUTE ? "absolute differences" : "relative to the control mean",
               (1 - an->alpha) * 100);
    if (m.nexps == 0)
        buf_puts(out, "\nNo experiments carry this tag.\n");
    buf_printf(out, "\nHealth: %d SRM failure%s, %d guardrail failure%s, %d data-quality issue%s.\n",
               m.srm_failures, m.srm_failures == 1 ? "" : "s", m.guardrail_failures,
               m.guardrail_failures == 1 ? "" : "s", m.dq_failures, m.dq_failures == 1 ? "" : "s");
    if (in->data_note) {
        buf_puts(out, "\nData quality note: ");
        rf_md(out, in->data_note);
        buf_puts(out, "\n");
    }
    for (int e = 0; e < m.nexps; e++) {
        const RmExp *x = &m.exps[e];
        buf_puts(out, "\n## ");
        rf_md(out, rf_or(x->name, rf_or(x->tracking_key, "?")));
        buf_puts(out, " (");
        rf_md(out, x->tracking_key);
        buf_puts(out, ")\n\n");
        verdict_md(out, x);
        health_md(out, &m, x);
        phase_md(out, &m, x);
        if (!x->has_rows)
            continue;
        table_md(out, &m, x);
        notes_md(out, &m, x);
    }
    buf_puts(out, "\nSegment breakdowns and daily trends: tables ");
    buf_printf(out, "`%s`, `%s` and `%s.tbl_report_ab_testing_result` (tag '", ir->report_table,
               ir->daily_table, ir->report_database);
    rf_md(out, in->tag);
    buf_puts(out, "'); the HTML page next to this memo charts them.\n");
    rm_free(&m);
}
