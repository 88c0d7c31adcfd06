/* sema_analysis.c — the analysis block and activity blocks (see sema_int.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "sema_int.h"

/* ---- analysis ------------------------------------------------------------------ */

void sema_analysis(Sema *s, const AstItem *it)
{
    IrAnalysis *a = &s->ir->analysis;
    enum AnalysisKey {
        AK_METHODS, AK_ALPHA, AK_SIDED, AK_EFFECT, AK_PRIOR, AK_SEQUENTIAL, AK_CORRECTION, AK_SRM,
        AK_FAIL_ON, AK_POWER, AK_MDE, AK_BOOTSTRAP, AK_HOURLY, NKEYS
    };
    static const char *const keys[NKEYS] = {
        [AK_METHODS] = "methods",       [AK_ALPHA] = "alpha",       [AK_SIDED] = "sided",
        [AK_EFFECT] = "effect",         [AK_PRIOR] = "prior",       [AK_SEQUENTIAL] = "sequential",
        [AK_CORRECTION] = "correction", [AK_SRM] = "srm",           [AK_FAIL_ON] = "fail_on",
        [AK_POWER] = "power",           [AK_MDE] = "mde",           [AK_BOOTSTRAP] = "bootstrap",
        [AK_HOURLY] = "hourly"};
    const AstItem *seen[NKEYS] = {0};
    if (it->kind != I_BLOCK || it->words || it->where) {
        diag_error(s->diag, it->key->loc, "expected: analysis { methods ...; alpha ...; }");
        return;
    }
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, NKEYS, "analysis setting", seen);
        if (k < 0)
            continue;
        if (c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' in analysis");
        const AstWord *w = c->words;
        switch (k) {
        case AK_METHODS: { /* methods */
            const char *const *names = IR_METHOD_NAMES;
            a->methods = 0;
            if (!w)
                diag_error(s->diag, c->key->loc, "'methods' needs at least one method");
            for (; w; w = w->next) {
                int m = -1;
                for (int i = 0; i < 7; i++)
                    if (w->kind == W_IDENT && strcmp(w->text, names[i]) == 0)
                        m = i;
                if (m < 0) {
                    unknown_word(s, w, "method", names, 7);
                    continue;
                }
                if (a->methods & (1u << m))
                    diag_error(s->diag, w->loc, "method '%s' listed twice", w->text);
                a->methods |= 1u << m;
            }
            break;
        }
        case AK_ALPHA:
            if (expect_number(s, c, w, 0, 0.5, true, false, &a->alpha))
                expect_no_more(s, w->next);
            break;
        case AK_SIDED:
            if (is_word(w, "two") || is_word(w, "one")) {
                a->one_sided = w->text[0] == 'o';
                expect_no_more(s, w->next);
            } else {
                diag_error(s->diag, w ? w->loc : c->key->loc, "'sided' is 'one' or 'two'");
            }
            break;
        case AK_EFFECT:
            if (is_word(w, "relative") || is_word(w, "absolute")) {
                a->effect = w->text[0] == 'r' ? EFFECT_RELATIVE : EFFECT_ABSOLUTE;
                expect_no_more(s, w->next);
            } else {
                diag_error(s->diag, w ? w->loc : c->key->loc, "'effect' is 'relative' or 'absolute'");
            }
            break;
        case AK_PRIOR: /* prior MEAN STDDEV */
            if (!w || w->kind != W_NUMBER || !w->next || w->next->kind != W_NUMBER) {
                diag_error(s->diag, w ? w->loc : c->key->loc,
                           "'prior' takes the mean and standard deviation of the relative effect, e.g. prior 0 0.3");
                break;
            }
            if (!(w->next->num > 0) || !isfinite(w->next->num) || !isfinite(w->num)) {
                diag_error(s->diag, w->next->loc, "the prior's standard deviation must be positive");
                break;
            }
            a->has_prior = true;
            a->prior_mean = w->num;
            a->prior_stddev = w->next->num;
            expect_no_more(s, w->next->next);
            break;
        case AK_SEQUENTIAL: { /* sequential none | msprt [tau X] | cs [tuning X] | obf looks N */
            const char *const *seqs = IR_SEQUENTIAL_NAMES;
            int q = -1;
            for (int i = 0; w && i < 4; i++)
                if (is_word(w, seqs[i]))
                    q = i;
            if (q < 0) {
                if (w)
                    unknown_word(s, w, "sequential method", seqs, 4);
                else
                    diag_error(s->diag, c->key->loc, "'sequential' needs none, msprt, cs or obf");
                break;
            }
            a->sequential = (IrSequential)q;
            const AstWord *p = w->next;
            if (q == 1) {
                a->seq_param = 0.1;
                if (is_word(p, "tau")) {
                    if (!p->next || p->next->kind != W_NUMBER || !(p->next->num > 0)) {
                        diag_error(s->diag, p->loc, "'tau' needs a positive number");
                        break;
                    }
                    a->seq_param = p->next->num;
                    p = p->next->next;
                }
            } else if (q == 2) {
                a->seq_param = 5000;
                if (is_word(p, "tuning")) {
                    if (!p->next || p->next->kind != W_NUMBER || !(p->next->num > 0)) {
                        diag_error(s->diag, p->loc, "'tuning' needs a positive number");
                        break;
                    }
                    a->seq_param = p->next->num;
                    p = p->next->next;
                }
            } else if (q == 3) {
                long looks;
                if (!is_word(p, "looks")) {
                    diag_error(s->diag, p ? p->loc : w->loc, "'obf' needs the planned looks: sequential obf looks 5");
                    break;
                }
                if (!expect_int(s, p->next, "looks", 2, 50, &looks)) {
                    if (!p->next)
                        diag_error(s->diag, p->loc, "'looks' needs a number");
                    break;
                }
                a->looks = (int)looks;
                p = p->next->next;
            }
            expect_no_more(s, p);
            break;
        }
        case AK_CORRECTION: {
            const char *const *corr = IR_CORRECTION_NAMES;
            int q = -1;
            for (int i = 0; w && i < 4; i++)
                if (is_word(w, corr[i]))
                    q = i;
            if (q < 0) {
                if (w)
                    unknown_word(s, w, "correction", corr, 4);
                else
                    diag_error(s->diag, c->key->loc, "'correction' needs none, bonferroni, holm or bh");
                break;
            }
            a->correction = (IrCorrection)q;
            expect_no_more(s, w->next);
            break;
        }
        case AK_SRM:
            if (expect_number(s, c, w, 0, 1, true, true, &a->srm_threshold))
                expect_no_more(s, w->next);
            break;
        case AK_FAIL_ON: {
            const char *const *fails = IR_FAIL_ON_NAMES;
            if (!w)
                diag_error(s->diag, c->key->loc, "'fail_on' needs srm, guardrail or data_quality");
            for (; w; w = w->next) {
                int q = -1;
                for (int i = 0; i < 3; i++)
                    if (is_word(w, fails[i]))
                        q = i;
                if (q < 0)
                    unknown_word(s, w, "health check", fails, 3);
                else
                    a->fail_on |= 1u << q;
            }
            break;
        }
        case AK_POWER:
            if (expect_number(s, c, w, 0, 1, true, true, &a->power_target))
                expect_no_more(s, w->next);
            break;
        case AK_MDE:
            if (expect_number(s, c, w, 0, 1e300, true, false, &a->mde))
                expect_no_more(s, w->next);
            break;
        case AK_BOOTSTRAP: {
            long n, seed;
            if (!expect_int(s, w, "bootstrap resamples", 100, 100000, &n)) {
                if (!w)
                    diag_error(s->diag, c->key->loc, "'bootstrap' needs the number of resamples");
                break;
            }
            a->bootstrap_resamples = (int)n;
            if (is_word(w->next, "seed")) {
                if (expect_int(s, w->next->next, "the seed", 0, 2147483647L, &seed))
                    a->bootstrap_seed = (unsigned long)seed;
                else if (!w->next->next)
                    diag_error(s->diag, w->next->loc, "'seed' needs a number");
                else
                    break;
                if (w->next->next)
                    expect_no_more(s, w->next->next->next);
            } else {
                expect_no_more(s, w->next);
            }
            break;
        }
        case AK_HOURLY: /* hourly; — the per-hour series of the exposure source's time column */
            if (w)
                diag_error(s->diag, w->loc, "'hourly' takes no value: write 'hourly;'");
            a->hourly = true;
            a->hourly_loc = c->key->loc;
            break;
        }
    }
    /* confidence sequences and mSPRT are two-sided by construction */
    if (a->one_sided && (a->sequential == SEQ_CS || a->sequential == SEQ_MSPRT) && seen[AK_SIDED])
        diag_error(s->diag, seen[AK_SIDED]->key->loc,
                   "'sided one' cannot be combined with 'sequential %s': its always-valid "
                   "intervals are two-sided (use 'sequential obf looks N' for a one-sided "
                   "sequential design)",
                   a->sequential == SEQ_CS ? "cs" : "msprt");
}

/* ---- activity (growth analytics) ------------------------------------------------ */

void sema_activity(Sema *s, const AstItem *it, IrActivity *act)
{
    memset(act, 0, sizeof *act);
    act->loc = it->loc;
    act->active.source = -1;
    act->name = "activity";
    if (it->words) {
        const char *n = expect_name(s, it, it->words, "a name");
        if (n) {
            if (!valid_ident(n, MAX_NAME))
                diag_error(s->diag, it->words->loc, "'%s' is not a valid name", n);
            act->name = n;
        }
        expect_no_more(s, it->words->next);
    }
    if (it->kind != I_BLOCK) {
        diag_error(s->diag, it->key->loc, "expected: activity { active SOURCE where ...; reports dau, wau, ...; }");
        return;
    }
    enum ActivityKey { YK_ACTIVE, YK_REPORTS, YK_BY, NYKEYS };
    static const char *const keys[NYKEYS] = {[YK_ACTIVE] = "active", [YK_REPORTS] = "reports",
                                             [YK_BY] = "by"};
    const AstItem *seen[NYKEYS] = {0};
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, NYKEYS, "activity setting", seen);
        if (k < 0)
            continue;
        if (k == YK_ACTIVE) {
            if (!c->words) {
                diag_error(s->diag, c->key->loc, "expected: active SOURCE [where ...];");
                continue;
            }
            AstArg a = {c->words, c->where, c->loc, NULL, NULL};
            arg_event_set(s, &a, &act->active);
            continue;
        }
        if (c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (k == YK_REPORTS) {
            static const char *const reps[] = {"dau", "wau", "mau", "growth", "cohorts_weekly",
                                               "cohorts_monthly"};
            if (!c->words)
                diag_error(s->diag, c->key->loc, "'reports' needs at least one of dau, wau, mau, growth, cohorts_weekly, cohorts_monthly");
            for (const AstWord *w = c->words; w; w = w->next) {
                int q = -1;
                for (int i = 0; i < 6; i++)
                    if (is_word(w, reps[i]))
                        q = i;
                if (q < 0)
                    unknown_word(s, w, "activity report", reps, 6);
                else
                    act->reports |= 1u << q;
            }
        } else {
            if (is_word(c->words, "variation")) {
                act->by_variation = true;
                expect_no_more(s, c->words->next);
            } else {
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc, "expected 'by variation;'");
            }
        }
    }
    if (!seen[0])
        diag_error(s->diag, it->key->loc, "activity needs 'active SOURCE [where ...];'");
    if (!act->reports)
        act->reports = ACT_DAU | ACT_WAU | ACT_MAU;
}
