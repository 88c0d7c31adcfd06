/* sema_metrics.c — metrics: functions, options, windows, caps, CUPED and links (see sema_int.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "sema_int.h"

/* ---- metrics ------------------------------------------------------------------ */

static const char *const metric_funcs[] = {"any", "count", "sum", "mean", "active_days", "ratio",
                                           "retained", "quantile", "funnel", "time_to"};
static const IrMetricKind metric_kinds[] = {MK_PROPORTION, MK_COUNT, MK_SUM, MK_MEAN,
                                            MK_ACTIVE_DAYS, MK_RATIO, MK_RETENTION, MK_QUANTILE,
                                            MK_FUNNEL, MK_TIME_TO_EVENT};

int find_metric(const Sema *s, const char *name)
{
    return names_find(&s->metric_names, name);
}

static int resolve_metric(Sema *s, const AstWord *w)
{
    if (!w || w->kind != W_IDENT) {
        diag_error(s->diag, w->loc, "expected a metric name, found %s", word_kind_name(w));
        return -1;
    }
    int i = find_metric(s, w->text);
    if (i < 0) {
        const char **names = arena_alloc(s->arena, sizeof(char *) * (size_t)(s->ir->nmetrics + 1));
        for (int k = 0; k < s->ir->nmetrics; k++)
            names[k] = s->ir->metrics[k].name ? s->ir->metrics[k].name : "";
        const char *sugg = diag_suggest(w->text, names, s->ir->nmetrics);
        if (sugg)
            diag_error(s->diag, w->loc, "undefined metric '%s'; did you mean '%s'?", w->text, sugg);
        else
            diag_error(s->diag, w->loc, "undefined metric '%s'", w->text);
    }
    return i;
}

/* An event-set argument: SOURCE [where cond]. */
bool arg_event_set(Sema *s, const AstArg *a, IrEventSet *out)
{
    const AstWord *w = a->words;
    if (w->kind == W_QNAME) {
        diag_error(s->diag, w->loc, "expected an event source (e.g. events where ...), not a column");
        return false;
    }
    int src = resolve_source(s, w, true);
    expect_no_more(s, w->next);
    if (src < 0)
        return false;
    out->source = src;
    if (check_cond(s, a->where, s->ir->sources[src].name))
        out->filter = normalise_cond(s, a->where, &s->ir->sources[src], src);
    return true;
}

/* A value argument: SOURCE.COLUMN or SOURCE.JSON_COLUMN.KEY... [as number]
 * [where cond]; a path is read as a number. */
static bool arg_value(Sema *s, const char *it_func, const AstArg *a, IrEventSet *set,
                      const char **col, const AstWord **path)
{
    const AstWord *w = a->words;
    if (w->kind != W_QNAME && w->kind != W_PATH) {
        diag_error(s->diag, w->loc, "expected a value column SOURCE.COLUMN (e.g. payments.amount)");
        return false;
    }
    AstWord tmp = *w;
    tmp.kind = W_IDENT;
    tmp.next = NULL;
    int src = resolve_source(s, &tmp, true);
    AstJsonType as;
    const AstWord *rest;
    bool typed = value_as(s, w->next, &as, &rest);
    if (typed)
        expect_no_more(s, rest);
    if (src < 0 || !typed)
        return false;
    if (as != JT_NONE && (w->kind != W_PATH || as != JT_NUMBER)) {
        if (w->kind == W_PATH)
            diag_error(s->diag, w->next->next->loc, "%s reads its value as a number, not as a %s",
                       it_func, ast_json_type_name(as));
        else
            diag_error(s->diag, w->next->next->loc, "'as' reads a value in a JSON column");
        return false;
    }
    if (!value_column(s, w, src, JT_NUMBER, true, col, path))
        return false;
    set->source = src;
    if (check_cond(s, a->where, s->ir->sources[src].name))
        set->filter = normalise_cond(s, a->where, &s->ir->sources[src], src);
    return true;
}

static int arg_count(const AstArg *a)
{
    int n = 0;
    for (; a; a = a->next)
        n++;
    return n;
}

static bool want_args(Sema *s, const AstCall *call, int lo, int hi, const char *usage)
{
    int n = arg_count(call->args);
    if (n < lo || n > hi) {
        diag_error(s->diag, call->loc, "%s takes %s; usage: %s", call->func->text,
                   lo == hi ? (lo == 1 ? "one argument" : "two arguments") : "more arguments",
                   usage);
        return false;
    }
    return true;
}

static void sema_metric_call(Sema *s, const AstItem *it, IrMetric *m, int self)
{
    const AstCall *call = it->call;
    const AstWord *f = call->func;
    int k = -1;
    for (int i = 0; i < 10; i++)
        if (strcmp(f->text, metric_funcs[i]) == 0)
            k = i;
    if (k < 0) {
        unknown_word(s, f, "metric function", metric_funcs, 10);
        return;
    }
    m->kind = metric_kinds[k];
    const AstArg *a = call->args;
    switch (m->kind) {
    case MK_PROPORTION:
    case MK_COUNT:
    case MK_ACTIVE_DAYS:
    case MK_TIME_TO_EVENT:
        if (want_args(s, call, 1, 1, "FUNC(SOURCE [where ...])"))
            arg_event_set(s, a, &m->set);
        break;
    case MK_SUM:
    case MK_MEAN:
        if (want_args(s, call, 1, 1, "FUNC(SOURCE.COLUMN [where ...])"))
            arg_value(s, f->text, a, &m->set, &m->value_col, &m->value_path);
        break;
    case MK_QUANTILE:
        if (!want_args(s, call, 2, 2, "quantile(SOURCE.COLUMN [where ...], Q)"))
            break;
        arg_value(s, f->text, a, &m->set, &m->value_col, &m->value_path);
        if (a->next->words->kind != W_NUMBER || a->next->words->next || a->next->where) {
            diag_error(s->diag, a->next->loc, "the quantile is a number in (0, 1), e.g. 0.9");
        } else {
            m->quantile = a->next->words->num;
            if (!(m->quantile > 0 && m->quantile < 1))
                diag_error(s->diag, a->next->words->loc, "quantile %s is outside (0, 1)",
                           a->next->words->text);
        }
        break;
    case MK_RATIO:
        if (!want_args(s, call, 2, 2, "ratio(NUMERATOR_METRIC, DENOMINATOR_METRIC)"))
            break;
        for (int i = 0; i < 2; i++, a = a->next) {
            if (a->where || a->words->next) {
                diag_error(s->diag, a->loc, "ratio arguments are metric names");
                continue;
            }
            int r = resolve_metric(s, a->words);
            if (r < 0)
                continue;
            if (r == self) {
                diag_error(s->diag, a->words->loc, "ratio '%s' refers to itself", m->name);
                continue;
            }
            const AstItem *target = s->metric_items[r];
            if (target->call && strcmp(target->call->func->text, "ratio") == 0) {
                diag_error(s->diag, a->words->loc, "'%s' is a ratio; a ratio of a ratio is not supported",
                           a->words->text);
                continue;
            }
            if (target->call && (strcmp(target->call->func->text, "quantile") == 0 ||
                                 strcmp(target->call->func->text, "funnel") == 0 ||
                                 strcmp(target->call->func->text, "time_to") == 0)) {
                diag_error(s->diag, a->words->loc,
                           "'%s' is a %s metric; ratios take count, sum, any, mean, active_days or retained metrics",
                           a->words->text, target->call->func->text);
                continue;
            }
            if (i == 0)
                m->num = r;
            else
                m->den = r;
        }
        break;
    case MK_RETENTION: {
        if (!want_args(s, call, 2, 2, "retained(SOURCE [where ...], day N | days A..B)"))
            break;
        arg_event_set(s, a, &m->set);
        const AstWord *d = a->next->words;
        if (a->next->where) {
            diag_error(s->diag, a->next->where->loc, "unexpected 'where' in the retention days");
            break;
        }
        m->window.kind = WIN_DAYS;
        if (is_word(d, "day") && d->next && d->next->kind == W_NUMBER && !d->next->next) {
            long n;
            if (expect_int(s, d->next, "the retention day", 0, 366, &n))
                m->window.from_day = m->window.to_day = (int)n;
        } else if (is_word(d, "days") && d->next && d->next->kind == W_RANGE && !d->next->next) {
            const AstWord *r = d->next;
            if (r->num != floor(r->num) || r->num2 != floor(r->num2) || r->num < 0 ||
                r->num2 > 366 || r->num > r->num2)
                diag_error(s->diag, r->loc, "retention days A..B need whole numbers 0 <= A <= B <= 366");
            else
                m->window.from_day = (int)r->num, m->window.to_day = (int)r->num2;
        } else {
            diag_error(s->diag, d->loc, "expected 'day N' or 'days A..B'");
        }
        break;
    }
    case MK_FUNNEL: {
        int n = arg_count(a);
        if (n < 2) {
            diag_error(s->diag, call->loc, "a funnel needs at least two steps");
            break;
        }
        if (n > 20) {
            diag_error(s->diag, call->loc, "a funnel has at most 20 steps");
            break;
        }
        m->steps = arena_alloc(s->arena, sizeof(IrEventSet) * (size_t)n);
        for (; a; a = a->next)
            if (arg_event_set(s, a, &m->steps[m->nsteps]))
                m->nsteps++;
        if (m->nsteps > 0)
            m->set = m->steps[0];
        break;
    }
    }
}

/* The duration word w after the option keyword kw (which a missing
 * duration is reported at). */
static bool parse_days(Sema *s, const AstWord *kw, const AstWord *w, const char *what, int *out)
{
    if (!w || w->kind != W_DURATION) {
        diag_error(s->diag, w ? w->loc : kw->loc, "%s needs a duration in days, e.g. 7d", what);
        return false;
    }
    if (w->num < 1 || w->num > 366) {
        diag_error(s->diag, w->loc, "%s must be between 1d and 366d, got %s", what, w->text);
        return false;
    }
    *out = (int)w->num;
    return true;
}

static void sema_metric_options(Sema *s, const AstItem *it, IrMetric *m, bool *has_window,
                                bool *window_phase)
{
    static const char *const opts[] = {"within", "cap", "cuped", "higher", "lower", "goal",
                                       "secondary", "guardrail"};
    bool seen_role = strcmp(it->key->text, "guardrail") == 0;
    bool seen_dir = false, seen_cap = false, seen_cuped = false;
    for (const AstWord *w = it->words; w; w = w->next) {
        if (w->kind != W_IDENT) {
            diag_error(s->diag, w->loc, "unexpected %s '%s' in metric options", word_kind_name(w),
                       word_text(w));
            return;
        }
        if (strcmp(w->text, "within") == 0) {
            if (*has_window) {
                diag_error(s->diag, w->loc, "the window is set twice");
                return;
            }
            *has_window = true;
            if (is_word(w->next, "phase")) {
                *window_phase = true;
                w = w->next;
                continue;
            }
            int d;
            if (!parse_days(s, w, w->next, "'within'", &d))
                return;
            m->window.kind = WIN_DAYS;
            m->window.from_day = 0;
            m->window.to_day = d - 1;
            w = w->next;
        } else if (strcmp(w->text, "cap") == 0) {
            if (seen_cap) {
                diag_error(s->diag, w->loc, "'cap' is set twice");
                return;
            }
            seen_cap = true;
            const AstWord *v = w->next;
            if (v && v->kind == W_NUMBER) {
                if (!(v->num > 0) || !isfinite(v->num)) {
                    diag_error(s->diag, v->loc, "an absolute cap must be a positive number");
                    return;
                }
                m->cap.kind = CAP_ABSOLUTE;
                m->cap.value = v->num;
            } else if (v && v->kind == W_IDENT && v->text[0] == 'p' && v->text[1]) {
                char *end;
                double p = strtod(v->text + 1, &end);
                bool digits = strspn(v->text + 1, "0123456789") == strlen(v->text + 1);
                if (*end || !digits || !(p > 0 && p < 100)) { /* not p5e1 */
                    diag_error(s->diag, v->loc, "a percentile cap is p1..p99, e.g. p99");
                    return;
                }
                m->cap.kind = CAP_PERCENTILE;
                m->cap.value = p / 100.0;
            } else {
                diag_error(s->diag, v ? v->loc : w->loc,
                           "'cap' needs an absolute value (cap 1000) or a percentile (cap p99)");
                return;
            }
            w = v;
        } else if (strcmp(w->text, "cuped") == 0) {
            if (seen_cuped) {
                diag_error(s->diag, w->loc, "'cuped' is set twice");
                return;
            }
            seen_cuped = true;
            const AstWord *v = w->next;
            if (v && v->kind == W_IDENT) {
                int r = resolve_metric(s, v);
                if (r < 0)
                    return;
                m->cuped.kind = CUPED_OTHER;
                m->cuped.metric = r;
                v = v->next;
            } else {
                m->cuped.kind = CUPED_SELF;
            }
            if (!parse_days(s, w, v, "the CUPED pre-period", &m->cuped.pre_days))
                return;
            w = v;
        } else if (strcmp(w->text, "higher") == 0 || strcmp(w->text, "lower") == 0) {
            if (seen_dir) {
                diag_error(s->diag, w->loc, "the direction is set twice");
                return;
            }
            seen_dir = true;
            if (!is_word(w->next, "is") || !is_word(w->next->next, "better")) {
                diag_error(s->diag, w->loc, "write '%s is better'", w->text);
                return;
            }
            m->direction = w->text[0] == 'h' ? DIR_HIGHER : DIR_LOWER;
            w = w->next->next;
        } else if (strcmp(w->text, "goal") == 0 || strcmp(w->text, "secondary") == 0 ||
                   strcmp(w->text, "guardrail") == 0) {
            if (seen_role) {
                diag_error(s->diag, w->loc, "the role is set twice");
                return;
            }
            seen_role = true;
            m->role = w->text[0] == 'g' ? (w->text[1] == 'o' ? ROLE_GOAL : ROLE_GUARDRAIL)
                                        : ROLE_SECONDARY;
        } else {
            unknown_word(s, w, "metric option", opts, 8);
            return;
        }
    }
}

void sema_metric(Sema *s, const AstItem *it, IrMetric *m, int self)
{
    m->role = strcmp(it->key->text, "guardrail") == 0 ? ROLE_GUARDRAIL : ROLE_GOAL;
    m->direction = DIR_HIGHER;
    m->window.kind = WIN_PHASE;
    m->set.source = -1; /* until resolved; stays -1 for ratios and on errors */
    sema_metric_call(s, it, m, self);
    /* days to an event: sooner is better unless the spec says otherwise */
    if (m->kind == MK_TIME_TO_EVENT)
        m->direction = DIR_LOWER;
    bool has_window = false, phase = false;
    IrWindow own = m->window;
    sema_metric_options(s, it, m, &has_window, &phase);
    const char *fn = it->call->func->text;
    if (has_window && (m->kind == MK_RETENTION || m->kind == MK_RATIO)) {
        diag_error(s->diag, it->call->loc,
                   "%s metrics take no 'within' window (%s)", fn,
                   m->kind == MK_RETENTION ? "the days are part of retained(...)"
                                           : "the window comes from its two metrics");
        m->window = own;
    }
    if (phase)
        m->window.kind = WIN_PHASE;
    if (m->kind == MK_TIME_TO_EVENT && (!has_window || phase))
        diag_error(s->diag, it->call->loc,
                   "time_to needs a window in days to censor at, e.g. 'within 14d'");
    if (m->cap.kind != CAP_NONE &&
        !(m->kind == MK_COUNT || m->kind == MK_SUM || m->kind == MK_ACTIVE_DAYS))
        diag_error(s->diag, it->call->loc, "'cap' applies to count, sum and active_days metrics, not %s", fn);
    if (m->cuped.kind != CUPED_NONE) {
        if (m->kind == MK_RATIO || m->kind == MK_QUANTILE || m->kind == MK_FUNNEL ||
            m->kind == MK_TIME_TO_EVENT)
            diag_error(s->diag, it->call->loc, "CUPED is not available for %s metrics", fn);
        if (m->cuped.kind == CUPED_SELF)
            m->cuped.metric = self;
    }
}

/* The second pass of metric checks, once every metric is known. */
void sema_metric_links(Sema *s)
{
    IrSpec *ir = s->ir;
    for (int i = 0; i < ir->nmetrics; i++) {
        IrMetric *m = &ir->metrics[i];
        const AstItem *it = s->metric_items[i];
        if (m->cuped.kind == CUPED_OTHER) {
            const IrMetric *c = &ir->metrics[m->cuped.metric];
            if (m->cuped.metric == i)
                m->cuped.kind = CUPED_SELF;
            else if (c->kind == MK_RATIO || c->kind == MK_QUANTILE || c->kind == MK_FUNNEL ||
                     c->kind == MK_TIME_TO_EVENT)
                diag_error(s->diag, it->loc, "CUPED covariate '%s' must be a count, sum, any, mean or active_days metric",
                           c->name);
        }
        if (m->cuped.kind != CUPED_NONE) {
            const IrMetric *c = &ir->metrics[m->cuped.metric];
            if (c->set.source >= 0 && c->set.source < ir->nsources &&
                ir->sources[c->set.source].is_user_table)
                diag_error(s->diag, it->loc, "CUPED needs pre-period data, and '%s' has no dates",
                           ir->sources[c->set.source].name);
        }
    }
}
