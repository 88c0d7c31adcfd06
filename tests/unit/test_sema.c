/* test_sema.c — semantic analysis: the IR built for each construct
 * (windows as day ranges, caps, CUPED, roles, directions, analysis defaults
 * and settings, activities, assignments, sources, exposure, segments), the
 * status contract, and the DSL/YAML twins giving the same IR. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/spec.h"

static SpecUnit unit;
static bool loaded;

static void teardown(void)
{
    if (loaded)
        spec_unit_free(&unit);
    loaded = false;
}

TestSuite(sema, .fini = teardown);

#define SOURCES                                                                                    \
    "  source events \"ods.app_events\" {\n    user user_id;\n    time event_time;\n"            \
    "    date event_date;\n  }\n"                                                                  \
    "  source payments \"pay\" {\n    user uid;\n    time paid_at;\n    date pay_date;\n"        \
    "    where payments.amount > 0;\n  }\n"                                                        \
    "  source users \"dim.users\" {\n    user user_id;\n  }\n"
#define EXPOSURE                                                                                   \
    "  exposure events where event_name = \"experiment_viewed\" {\n    experiment exp_key;\n"   \
    "    variation var_key;\n  }\n"

static char text[16384];

static const IrSpec *load(const char *path, const char *body)
{
    teardown();
    AbcStatus st = spec_load_bytes(&unit, path, body, strlen(body), spec_syntax_of(path));
    loaded = true;
    if (st != ABC_OK) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        diag_print(&unit.diag, f);
        fclose(f);
        cr_log_error("%s", buf);
        free(buf);
    }
    cr_assert_eq(st, ABC_OK, "spec rejected:\n%s", body);
    cr_assert_not_null(unit.ir);
    return unit.ir;
}

/* A spec `t` with the standard sources and exposure plus `extra`. */
static const IrSpec *load_with(const char *extra)
{
    snprintf(text, sizeof text, "tag t {\n  module \"m\";\n" SOURCES EXPOSURE "%s}\n", extra);
    return load("t.ab", text);
}

/* Must fail with a diagnostic containing want. */
static void fails_with(const char *extra, const char *want)
{
    teardown();
    snprintf(text, sizeof text, "tag t {\n  module \"m\";\n" SOURCES EXPOSURE "%s}\n", extra);
    unit.ir = NULL;
    AbcStatus st = spec_load_bytes(&unit, "t.ab", text, strlen(text), SYNTAX_DSL);
    loaded = true;
    cr_assert_eq(st, ABC_ERR_SPEC, "accepted:\n%s", extra);
    cr_assert_null(unit.ir, "IR set on failure");
    bool found = false;
    for (int i = 0; i < unit.diag.nmsgs; i++)
        found |= strstr(unit.diag.msgs[i].msg, want) != NULL;
    cr_assert(found, "no diagnostic containing \"%s\" for:\n%s\nfirst: %s", want, extra,
              unit.diag.nmsgs ? unit.diag.msgs[0].msg : "(none)");
}

static const IrMetric *metric(const IrSpec *ir, const char *name)
{
    for (int i = 0; i < ir->nmetrics; i++)
        if (strcmp(ir->metrics[i].name, name) == 0)
            return &ir->metrics[i];
    cr_assert_fail("no metric %s", name);
    return NULL;
}

static int metric_index(const IrSpec *ir, const char *name)
{
    return (int)(metric(ir, name) - ir->metrics);
}

static int source_index(const IrSpec *ir, const char *name)
{
    for (int i = 0; i < ir->nsources; i++)
        if (strcmp(ir->sources[i].name, name) == 0)
            return i;
    cr_assert_fail("no source %s", name);
    return -1;
}

static const char *cond_text(const IrCond *c)
{
    static Buf b;
    buf_free(&b);
    buf_init(&b);
    ir_cond_to_text(c, &b);
    return b.data ? b.data : "";
}

static void expect_window(const IrMetric *m, IrWindowKind kind, int from, int to)
{
    cr_assert_eq(m->window.kind, kind, "%s: window kind %d", m->name, m->window.kind);
    if (kind == WIN_DAYS) {
        cr_assert_eq(m->window.from_day, from, "%s: from day %d, want %d", m->name,
                     m->window.from_day, from);
        cr_assert_eq(m->window.to_day, to, "%s: to day %d, want %d", m->name, m->window.to_day, to);
    }
}

Test(sema, windows_are_day_ranges)
{
    const IrSpec *ir = load_with("  metric w7 = count(events) within 7d;\n"
                                 "  metric w1 = count(events) within 1d;\n"
                                 "  metric w366 = count(events) within 366d;\n"
                                 "  metric ph = count(events) within phase;\n"
                                 "  metric none = count(events);\n"
                                 "  metric d1 = retained(events, day 1);\n"
                                 "  metric d0 = retained(events, day 0);\n"
                                 "  metric d17 = retained(events, days 1..7);\n"
                                 "  metric d814 = retained(events, days 8..14);\n");
    expect_window(metric(ir, "w7"), WIN_DAYS, 0, 6);
    expect_window(metric(ir, "w1"), WIN_DAYS, 0, 0);
    expect_window(metric(ir, "w366"), WIN_DAYS, 0, 365);
    expect_window(metric(ir, "ph"), WIN_PHASE, 0, 0);
    expect_window(metric(ir, "none"), WIN_PHASE, 0, 0);
    expect_window(metric(ir, "d1"), WIN_DAYS, 1, 1);
    expect_window(metric(ir, "d0"), WIN_DAYS, 0, 0);
    expect_window(metric(ir, "d17"), WIN_DAYS, 1, 7);
    expect_window(metric(ir, "d814"), WIN_DAYS, 8, 14);
}

Test(sema, metric_kinds_and_sets)
{
    const IrSpec *ir = load_with(
        "  metric a = any(events where event_name = \"x\") within 7d;\n"
        "  metric c = count(events) within 7d;\n"
        "  metric s = sum(payments.amount where currency = \"USD\") within 7d;\n"
        "  metric mn = mean(payments.amount) within 7d;\n"
        "  metric ad = active_days(events) within 14d;\n"
        "  metric r = ratio(s, c);\n"
        "  metric q = quantile(payments.amount, 0.9) within 7d;\n"
        "  metric f = funnel(events where e = 1, events where e = 2, payments) within 7d;\n"
        "  metric tt = time_to(payments) within 14d;\n");
    int ev = source_index(ir, "events"), pay = source_index(ir, "payments");
    const IrMetric *m = metric(ir, "a");
    cr_assert_eq(m->kind, MK_PROPORTION);
    cr_assert_eq(m->set.source, ev);
    cr_assert_str_eq(cond_text(m->set.filter), "event_name = \"x\"");
    cr_assert_eq(metric(ir, "c")->kind, MK_COUNT);
    cr_assert_null(metric(ir, "c")->set.filter);
    m = metric(ir, "s");
    cr_assert_eq(m->kind, MK_SUM);
    cr_assert_eq(m->set.source, pay);
    cr_assert_str_eq(m->value_col, "amount");
    cr_assert_str_eq(cond_text(m->set.filter), "currency = \"USD\"");
    cr_assert_eq(metric(ir, "mn")->kind, MK_MEAN);
    cr_assert_str_eq(metric(ir, "mn")->value_col, "amount");
    cr_assert_eq(metric(ir, "ad")->kind, MK_ACTIVE_DAYS);
    m = metric(ir, "r");
    cr_assert_eq(m->kind, MK_RATIO);
    cr_assert_eq(m->num, metric_index(ir, "s"));
    cr_assert_eq(m->den, metric_index(ir, "c"));
    m = metric(ir, "q");
    cr_assert_eq(m->kind, MK_QUANTILE);
    cr_assert_float_eq(m->quantile, 0.9, 1e-12);
    cr_assert_str_eq(m->value_col, "amount");
    m = metric(ir, "f");
    cr_assert_eq(m->kind, MK_FUNNEL);
    cr_assert_eq(m->nsteps, 3);
    cr_assert_eq(m->steps[0].source, ev);
    cr_assert_str_eq(cond_text(m->steps[1].filter), "e = 2");
    cr_assert_eq(m->steps[2].source, pay);
    cr_assert_null(m->steps[2].filter);
    cr_assert_eq(m->set.source, m->steps[0].source, "a funnel's set is its first step");
    cr_assert_eq(metric(ir, "tt")->kind, MK_TIME_TO_EVENT);
    expect_window(metric(ir, "tt"), WIN_DAYS, 0, 13);
    cr_assert_eq(ir->nmetrics, 9);
    /* metrics keep source order */
    cr_assert_str_eq(ir->metrics[0].name, "a");
    cr_assert_str_eq(ir->metrics[8].name, "tt");
}

Test(sema, forward_references)
{
    /* CUPED on a ratio is refused even with a forward covariate */
    fails_with("  metric r = ratio(later, c) cuped c 7d;\n"
               "  metric later = count(events) within 7d;\n  metric c = count(events) within 7d;\n",
               "CUPED is not available for ratio metrics");
    const IrSpec *ir = load_with("  metric r = ratio(later, c);\n"
                   "  metric later = count(events) within 7d cuped c 14d;\n"
                   "  metric c = count(events) within 7d;\n");
    const IrMetric *r = metric(ir, "r");
    cr_assert_eq(r->num, metric_index(ir, "later"));
    cr_assert_eq(metric(ir, "later")->cuped.metric, metric_index(ir, "c"));
}

Test(sema, caps)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d cap 500;\n"
                                 "  metric b = sum(payments.amount) within 7d cap p99;\n"
                                 "  metric c = sum(payments.amount) within 7d cap p1;\n"
                                 "  metric d = active_days(events) within 7d cap 2.5;\n"
                                 "  metric e = count(events) within 7d;\n");
    cr_assert_eq(metric(ir, "a")->cap.kind, CAP_ABSOLUTE);
    cr_assert_float_eq(metric(ir, "a")->cap.value, 500, 0);
    cr_assert_eq(metric(ir, "b")->cap.kind, CAP_PERCENTILE);
    cr_assert_float_eq(metric(ir, "b")->cap.value, 0.99, 1e-12);
    cr_assert_float_eq(metric(ir, "c")->cap.value, 0.01, 1e-12);
    cr_assert_float_eq(metric(ir, "d")->cap.value, 2.5, 0);
    cr_assert_eq(metric(ir, "e")->cap.kind, CAP_NONE);
}

Test(sema, cuped)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d cuped 14d;\n"
                                 "  metric b = sum(payments.amount) within phase cuped a 28d;\n"
                                 "  metric c = any(events) within 7d cuped c 7d;\n"
                                 "  metric d = count(events) within 7d;\n");
    const IrMetric *a = metric(ir, "a");
    cr_assert_eq(a->cuped.kind, CUPED_SELF);
    cr_assert_eq(a->cuped.metric, metric_index(ir, "a"));
    cr_assert_eq(a->cuped.pre_days, 14);
    const IrMetric *b = metric(ir, "b");
    cr_assert_eq(b->cuped.kind, CUPED_OTHER);
    cr_assert_eq(b->cuped.metric, metric_index(ir, "a"));
    cr_assert_eq(b->cuped.pre_days, 28);
    const IrMetric *c = metric(ir, "c");
    cr_assert_eq(c->cuped.kind, CUPED_SELF, "naming itself is CUPED on itself");
    cr_assert_eq(c->cuped.metric, metric_index(ir, "c"));
    cr_assert_eq(metric(ir, "d")->cuped.kind, CUPED_NONE);
}

Test(sema, roles_and_directions)
{
    const IrSpec *ir = load_with("  metric g = count(events) within 7d;\n"
                                 "  metric g2 = count(events) within 7d goal;\n"
                                 "  metric s = count(events) within 7d secondary;\n"
                                 "  metric gr = count(events) within 7d guardrail;\n"
                                 "  guardrail kw = count(events) within 7d lower is better;\n"
                                 "  metric h = count(events) within 7d higher is better secondary;\n");
    cr_assert_eq(metric(ir, "g")->role, ROLE_GOAL);
    cr_assert_eq(metric(ir, "g")->direction, DIR_HIGHER);
    cr_assert_eq(metric(ir, "g2")->role, ROLE_GOAL);
    cr_assert_eq(metric(ir, "s")->role, ROLE_SECONDARY);
    cr_assert_eq(metric(ir, "gr")->role, ROLE_GUARDRAIL);
    cr_assert_eq(metric(ir, "kw")->role, ROLE_GUARDRAIL);
    cr_assert_eq(metric(ir, "kw")->direction, DIR_LOWER);
    cr_assert_eq(metric(ir, "h")->direction, DIR_HIGHER);
    cr_assert_eq(metric(ir, "h")->role, ROLE_SECONDARY);
    cr_assert_str_eq(ir_role_name(ROLE_GUARDRAIL), "guardrail");
}

Test(sema, analysis_defaults)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n");
    const IrAnalysis *a = &ir->analysis;
    cr_assert_eq(a->methods, METHOD_TTEST | METHOD_BAYES);
    cr_assert_float_eq(a->alpha, 0.05, 0);
    cr_assert_not(a->one_sided);
    cr_assert_eq(a->effect, EFFECT_RELATIVE);
    cr_assert_not(a->has_prior);
    cr_assert_eq(a->sequential, SEQ_NONE);
    cr_assert_eq(a->correction, CORR_NONE);
    cr_assert_float_eq(a->srm_threshold, 0.001, 0);
    cr_assert_eq(a->fail_on, 0);
    cr_assert_float_eq(a->power_target, 0.8, 0);
    cr_assert_float_eq(a->mde, 0, 0);
    cr_assert_eq(a->bootstrap_resamples, 1000);
    cr_assert_eq(a->bootstrap_seed, 1);
    /* an empty analysis block keeps the defaults */
    ir = load_with("  metric a = count(events) within 7d;\n  analysis {\n  }\n");
    cr_assert_eq(ir->analysis.methods, METHOD_TTEST | METHOD_BAYES);
    cr_assert_float_eq(ir->analysis.alpha, 0.05, 0);
}

Test(sema, analysis_settings)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n"
                                 "  analysis {\n"
                                 "    methods ztest, uplift, mannwhitney, bootstrap, did, ttest;\n"
                                 "    alpha 0.5;\n    sided one;\n    effect absolute;\n"
                                 "    prior -0.1 0.3;\n    sequential obf looks 50;\n"
                                 "    correction bh;\n    srm 0.01;\n"
                                 "    fail_on data_quality, srm;\n    power 0.95;\n    mde 1.5;\n"
                                 "    bootstrap 100000 seed 2147483647;\n  }\n");
    const IrAnalysis *a = &ir->analysis;
    cr_assert_eq(a->methods, METHOD_ZTEST | METHOD_UPLIFT | METHOD_MANNWHITNEY | METHOD_BOOTSTRAP |
                                 METHOD_DID | METHOD_TTEST);
    cr_assert_float_eq(a->alpha, 0.5, 0);
    cr_assert(a->one_sided);
    cr_assert_eq(a->effect, EFFECT_ABSOLUTE);
    cr_assert(a->has_prior);
    cr_assert_float_eq(a->prior_mean, -0.1, 1e-15);
    cr_assert_float_eq(a->prior_stddev, 0.3, 1e-15);
    cr_assert_eq(a->sequential, SEQ_GSD_OBF);
    cr_assert_eq(a->looks, 50);
    cr_assert_eq(a->correction, CORR_BH);
    cr_assert_float_eq(a->srm_threshold, 0.01, 0);
    cr_assert_eq(a->fail_on, FAIL_DATA_QUALITY | FAIL_SRM);
    cr_assert_float_eq(a->power_target, 0.95, 0);
    cr_assert_float_eq(a->mde, 1.5, 0);
    cr_assert_eq(a->bootstrap_resamples, 100000);
    cr_assert_eq(a->bootstrap_seed, 2147483647UL);
}

Test(sema, sequential_parameters)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n  analysis {\n    sequential msprt;\n  }\n");
    cr_assert_eq(ir->analysis.sequential, SEQ_MSPRT);
    cr_assert_float_eq(ir->analysis.seq_param, 0.1, 0, "default tau");
    ir = load_with("  metric a = count(events) within 7d;\n  analysis {\n    sequential msprt tau 0.2;\n  }\n");
    cr_assert_float_eq(ir->analysis.seq_param, 0.2, 0);
    ir = load_with("  metric a = count(events) within 7d;\n  analysis {\n    sequential cs;\n  }\n");
    cr_assert_eq(ir->analysis.sequential, SEQ_CS);
    cr_assert_float_eq(ir->analysis.seq_param, 5000, 0, "default tuning");
    ir = load_with("  metric a = count(events) within 7d;\n  analysis {\n    sequential cs tuning 100;\n    correction holm;\n  }\n");
    cr_assert_float_eq(ir->analysis.seq_param, 100, 0);
    cr_assert_eq(ir->analysis.correction, CORR_HOLM);
}

Test(sema, analysis_errors)
{
    const char *cases[][2] = {
        {"alpha 0.51;", "'alpha' must be in (0, 0.5]"},
        {"alpha x;", "'alpha' expects a number, found a name"},
        {"alpha;", "'alpha' expects a number"},
        {"alpha 0.1 0.2;", "unexpected '0.2' here"},
        {"srm 0;", "'srm' must be in (0, 1)"},
        {"power 1;", "'power' must be in (0, 1)"},
        {"mde 0;", "'mde' must be in (0, 1e+300]"},
        {"methods;", "'methods' needs at least one method"},
        {"methods t_test;", "unknown method 't_test'; did you mean 'ttest'?"},
        {"methods ttest, ttest;", "method 'ttest' listed twice"},
        {"sided both;", "'sided' is 'one' or 'two'"},
        {"effect;", "'effect' is 'relative' or 'absolute'"},
        {"prior 0;", "'prior' takes the mean and standard deviation"},
        {"prior 0 0;", "the prior's standard deviation must be positive"},
        {"sequential;", "'sequential' needs none, msprt, cs or obf"},
        {"sequential obf looks 51;", "looks must be between 2 and 50, got 51"},
        {"sequential obf looks 2.5;", "looks must be a whole number"},
        {"sequential obf looks;", "'looks' needs a number"},
        {"sequential cs tuning -1;", "'tuning' needs a positive number"},
        {"sequential none extra;", "unexpected 'extra' here"},
        {"correction;", "'correction' needs none, bonferroni, holm or bh"},
        {"correction holm holm;", "unexpected 'holm' here"},
        {"fail_on;", "'fail_on' needs srm, guardrail or data_quality"},
        {"fail_on srn;", "unknown health check 'srn'; did you mean 'srm'?"},
        {"bootstrap;", "'bootstrap' needs the number of resamples"},
        {"bootstrap 99;", "bootstrap resamples must be between 100 and 100000, got 99"},
        {"bootstrap 1000 seed;", "'seed' needs a number"},
        {"bootstrap 1000 seed 2147483648;", "the seed must be between 0 and 2147483647"},
        {"bootstrap 1000 sed 1;", "unexpected 'sed' here"},
        {"alpha 0.1 where x = 1;", "unexpected 'where' in analysis"},
        {"alpha 0.1;\n    alpha 0.2;", "'alpha' is set twice (first at"},
        {"alhpa 0.1;", "unknown analysis setting 'alhpa'; did you mean 'alpha'?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, "  metric a = count(events) within 7d;\n  analysis {\n    %s\n  }\n",
                 cases[i][0]);
        fails_with(body, cases[i][1]);
    }
}

Test(sema, analysis_must_be_a_plain_block)
{
    fails_with("  metric a = count(events) within 7d;\n  analysis x {\n  }\n",
               "expected: analysis { methods ...; alpha ...; }");
    fails_with("  metric a = count(events) within 7d;\n  analysis;\n",
               "expected: analysis { methods ...; alpha ...; }");
}

Test(sema, sequential_without_ttest_is_a_warning)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n"
                                 "  analysis {\n    methods bayes;\n    sequential msprt;\n  }\n");
    cr_assert_eq(unit.diag.nerrors, 0);
    cr_assert_eq(unit.diag.nmsgs, 1);
    cr_assert_eq(unit.diag.msgs[0].sev, SEV_WARNING);
    cr_assert_not_null(strstr(unit.diag.msgs[0].msg, "sequential testing applies to the t-test"));
    cr_assert_eq(ir->analysis.methods, METHOD_BAYES);
}

Test(sema, activities)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n"
                                 "  activity {\n    active events;\n  }\n"
                                 "  activity buyers {\n    active payments where amount > 0;\n"
                                 "    reports growth, cohorts_weekly, cohorts_monthly;\n"
                                 "    by variation;\n  }\n"
                                 "  activity \"all_reports\" {\n    active events;\n"
                                 "    reports dau, wau, mau, growth, cohorts_weekly, cohorts_monthly;\n  }\n");
    cr_assert_eq(ir->nactivities, 3);
    const IrActivity *a = &ir->activities[0];
    cr_assert_str_eq(a->name, "activity", "default name");
    cr_assert_eq(a->reports, ACT_DAU | ACT_WAU | ACT_MAU, "default reports");
    cr_assert_not(a->by_variation);
    cr_assert_eq(a->active.source, source_index(ir, "events"));
    cr_assert_null(a->active.filter);
    a = &ir->activities[1];
    cr_assert_str_eq(a->name, "buyers");
    cr_assert_eq(a->reports, ACT_GROWTH | ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY);
    cr_assert(a->by_variation);
    cr_assert_eq(a->active.source, source_index(ir, "payments"));
    cr_assert_str_eq(cond_text(a->active.filter), "amount > 0");
    cr_assert_str_eq(ir->activities[2].name, "all_reports");
    cr_assert_eq(ir->activities[2].reports, 0x3f);
}

Test(sema, activity_errors)
{
    fails_with("  metric a = count(events) within 7d;\n  activity {\n    reports dau;\n  }\n",
               "activity needs 'active SOURCE [where ...];'");
    fails_with("  metric a = count(events) within 7d;\n  activity x {\n    active users;\n  }\n",
               "is a user table");
    fails_with("  metric a = count(events) within 7d;\n  activity x {\n    active events;\n  }\n"
               "  activity x {\n    active events;\n  }\n",
               "activity 'x' is defined twice");
    fails_with("  metric a = count(events) within 7d;\n  activity {\n    active events;\n    color red;\n  }\n",
               "unknown activity setting 'color'");
    fails_with("  metric a = count(events) within 7d;\n  activity bad-name {\n    active events;\n  }\n",
               "unexpected"); /* '-' is not a token */
}

Test(sema, assignments)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n"
                                 "  assignment \"exp-1\" {\n    salt \"s1\";\n"
                                 "    variations control 0.2, \"b\" 0.3, c 0.5;\n  }\n"
                                 "  assignment \"exp-2\" {\n    variations control 0.5, t 0.5;\n  }\n");
    cr_assert_eq(ir->nassignments, 2);
    const IrHashAssignment *h = &ir->assignments[0];
    cr_assert_str_eq(h->tracking_key, "exp-1");
    cr_assert_str_eq(h->salt, "s1");
    cr_assert_eq(h->nvariations, 3);
    cr_assert_str_eq(h->variations[0], "control");
    cr_assert_str_eq(h->variations[1], "b");
    cr_assert_str_eq(h->variations[2], "c");
    cr_assert_float_eq(h->weights[0], 0.2, 0);
    cr_assert_float_eq(h->weights[1], 0.3, 0);
    cr_assert_float_eq(h->weights[2], 0.5, 0);
    cr_assert_str_eq(ir->assignments[1].salt, "exp-2", "the salt defaults to the tracking key");
    /* with only assignments, experiments are not from GrowthBook */
    cr_assert_not(ir->experiments.from_growthbook);
}

Test(sema, split_weights_tolerate_rounding)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n"
                                 "  assignment \"e\" {\n    variations a 0.1, b 0.2, c 0.3, d 0.4;\n  }\n");
    cr_assert_eq(ir->assignments[0].nvariations, 4);
    fails_with("  metric a = count(events) within 7d;\n"
               "  assignment \"e\" {\n    variations a 0.5, b 0.5000001;\n  }\n",
               "split weights sum to 1.0000001, not 1"); /* enough digits to see why */
    fails_with("  metric a = count(events) within 7d;\n"
               "  assignment \"e\" {\n    variations a 0.5, b;\n  }\n",
               "a weight is missing for 'b'");
}

Test(sema, assignment_errors)
{
    fails_with("  assignment \"e\" {\n    variations a 0.5, b c, d 0.5;\n  }\n", "expected NAME WEIGHT pairs");
    fails_with("  assignment \"e\" {\n    salt s;\n    variations a 0.5, b 0.5;\n  }\n", "salt must be a string");
    fails_with("  assignment e {\n    variations a 0.5, b 0.5;\n  }\n", "expected: assignment \"TRACKING_KEY\"");
    fails_with("  assignment \"\" {\n    variations a 0.5, b 0.5;\n  }\n", "empty tracking key");
    fails_with("  assignment \"e\" {\n    salt \"s\";\n  }\n", "assignment \"e\" needs 'variations NAME WEIGHT, ...;'");
}

Test(sema, experiments)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n");
    cr_assert(ir->experiments.from_growthbook, "GrowthBook by default");
    cr_assert_str_eq(ir->experiments.gb_tag, "t", "the tag defaults to the spec's");
    cr_assert_null(ir->experiments.gb_project);
    cr_assert_null(ir->experiments.gb_status);
    cr_assert_eq(ir->experiments.nkeys, 0);
    ir = load_with("  metric a = count(events) within 7d;\n"
                   "  experiments from growthbook tag \"other\" project prj status \"stopped\";\n"
                   "  experiments keys \"k1\", \"k2\";\n");
    cr_assert(ir->experiments.from_growthbook);
    cr_assert_str_eq(ir->experiments.gb_tag, "other");
    cr_assert_str_eq(ir->experiments.gb_project, "prj");
    cr_assert_str_eq(ir->experiments.gb_status, "stopped");
    cr_assert_eq(ir->experiments.nkeys, 2);
    cr_assert_str_eq(ir->experiments.keys[1], "k2");
    ir = load_with("  metric a = count(events) within 7d;\n  experiments keys \"k1\";\n");
    cr_assert_not(ir->experiments.from_growthbook, "fixed keys alone do not read GrowthBook");
    cr_assert_eq(ir->experiments.nkeys, 1);
}

Test(sema, experiments_errors)
{
    fails_with("  experiments from growthbook colour \"x\";\n", "unknown experiments filter 'colour'");
    fails_with("  experiments from growthbook tag;\n", "'tag' needs a value");
    fails_with("  experiments keys k1;\n", "tracking keys are strings");
    fails_with("  experiments keys \"\";\n", "empty tracking key");
    fails_with("  experiments all;\n", "expected 'experiments from growthbook");
    fails_with("  experiments keys \"a\";\n  experiments keys \"b\";\n", "'experiments' is set twice");
}

Test(sema, sources)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n");
    cr_assert_eq(ir->nsources, 3);
    const IrSource *s = &ir->sources[0];
    cr_assert_str_eq(s->name, "events");
    cr_assert_str_eq(s->database, "ods");
    cr_assert_str_eq(s->table, "app_events");
    cr_assert_str_eq(s->user_col, "user_id");
    cr_assert_str_eq(s->time_col, "event_time");
    cr_assert_str_eq(s->date_col, "event_date");
    cr_assert_not(s->is_user_table);
    cr_assert_null(s->filter);
    s = &ir->sources[1];
    cr_assert_null(s->database, "an unqualified table has no database");
    cr_assert_str_eq(s->table, "pay");
    cr_assert_str_eq(cond_text(s->filter), "amount > 0", "payments.amount is normalised to amount");
    s = &ir->sources[2];
    cr_assert(s->is_user_table);
    cr_assert_null(s->time_col);
    cr_assert_null(s->date_col);
}

Test(sema, exposure_and_segments)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n"
                                 "  segment country = exposure.country;\n"
                                 "  segment tier = users.tier;\n");
    const IrExposure *x = &ir->exposure;
    cr_assert_eq(x->source, source_index(ir, "events"));
    cr_assert_str_eq(cond_text(x->filter), "event_name = \"experiment_viewed\"");
    cr_assert_str_eq(x->experiment_col, "exp_key");
    cr_assert_str_eq(x->variation_col, "var_key");
    cr_assert_eq(x->multiple, MULTI_EXCLUDE, "exclude by default");
    cr_assert_not(x->has_activation);
    cr_assert_eq(x->line, 17);
    cr_assert_eq(ir->nsegments, 2);
    cr_assert_eq(ir->segments[0].from, SEG_EXPOSURE);
    cr_assert_str_eq(ir->segments[0].column, "country");
    cr_assert_eq(ir->segments[1].from, SEG_USER_TABLE);
    cr_assert_eq(ir->segments[1].source, source_index(ir, "users"));
    cr_assert_str_eq(ir->segments[1].column, "tier");
    cr_assert_eq(ir->segments[1].line, 23);
    cr_assert_eq(ir->metrics[0].line, 21);
}

Test(sema, exposure_options)
{
    snprintf(text, sizeof text,
             "tag t {\n  module \"m\";\n" SOURCES
             "  exposure events {\n    experiment e;\n    variation v;\n    first;\n"
             "    multiple first;\n    activation payments where amount >= 10;\n  }\n"
             "  metric a = count(events) within 7d;\n}\n");
    const IrSpec *ir = load("t.ab", text);
    cr_assert_null(ir->exposure.filter);
    cr_assert_eq(ir->exposure.multiple, MULTI_FIRST);
    cr_assert(ir->exposure.has_activation);
    cr_assert_eq(ir->exposure.activation.source, source_index(ir, "payments"));
    cr_assert_str_eq(cond_text(ir->exposure.activation.filter), "amount >= 10");
}

Test(sema, tables_and_naming)
{
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n");
    cr_assert_str_eq(ir->tag, "t");
    cr_assert_str_eq(ir->module, "m");
    cr_assert_str_eq(ir->abc_database, "abc");
    cr_assert_str_eq(ir->report_database, "flow_report_app");
    cr_assert_str_eq(ir->wide_table, "tbl_wide_user_m_t");
    cr_assert_str_eq(ir->report_table, "tbl_report_user_m_t");
    cr_assert_str_eq(ir->daily_table, "tbl_report_daily_m_t");
    ir = load_with("  metric a = count(events) within 7d;\n  database \"db1\";\n"
                   "  report_database rep;\n  wide_table \"w\";\n  report_table \"r\";\n"
                   "  daily_table \"d\";\n");
    cr_assert_str_eq(ir->abc_database, "db1");
    cr_assert_str_eq(ir->report_database, "rep");
    cr_assert_str_eq(ir->wide_table, "w");
    cr_assert_str_eq(ir->report_table, "r");
    cr_assert_str_eq(ir->daily_table, "d");
}

Test(sema, path_and_hash)
{
    const char *body = "tag t {\n  module \"m\";\n" SOURCES EXPOSURE
                       "  metric a = count(events) within 7d;\n}\n";
    const IrSpec *ir = load("some/dir/t.ab", body);
    cr_assert_str_eq(ir->path, "some/dir/t.ab");
    char h[17];
    hash_hex64(body, strlen(body), h);
    cr_assert_str_eq(ir->content_hash, h);
    load("-", body); /* stdin has no file name to match */
    load("t", body);
    load("x.y/t.ab", body);
}

Test(sema, tag_and_file_name)
{
    const char *body = "tag t {\n  module \"m\";\n" SOURCES EXPOSURE
                       "  metric a = count(events) within 7d;\n}\n";
    teardown();
    AbcStatus st = spec_load_bytes(&unit, "dir/u.ab", body, strlen(body), SYNTAX_DSL);
    loaded = true;
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_not_null(strstr(unit.diag.msgs[0].msg, "does not match the file name 'u'"));
}

Test(sema, name_errors)
{
    fails_with("  metric a = count(event) within 7d;\n", "undefined source 'event'; did you mean 'events'?");
    fails_with("  metric a = count(events) within 7d;\n  metric r = ratio(a, b);\n", "undefined metric 'b'");
    fails_with("  metric a = count(events) within 7d;\n  metric a = count(events) within 7d;\n",
               "metric 'a' is defined twice (first at 21:3)");
    fails_with("  metric a = count(events) within 7d;\n  segment s = exposure.x;\n  segment s = exposure.y;\n",
               "segment 's' is defined twice");
    fails_with("  metric a = count(events) within 7d;\n  segment a = exposure.x;\n", "'a' is already a segment");
    fails_with("  metric a = count(events) within 7d;\n  segment s = paymnts.x;\n",
               "undefined source 'paymnts'; did you mean 'payments'?");
    fails_with("  metric a = count(events) within 7d;\n  segment s = x;\n", "a segment is exposure.COLUMN");
    fails_with("  metric a = cout(events) within 7d;\n", "unknown metric function 'cout'; did you mean 'count'?");
    fails_with("  metric a = count(events) within 7d;\n  modle \"x\";\n", "unknown setting 'modle'; did you mean 'module'?");
}

Test(sema, metric_errors)
{
    const char *cases[][2] = {
        {"metric a = count(events) within 7d;\n  metric r = ratio(a, r);", "ratio 'r' refers to itself"},
        {"metric a = count(events) within 7d;\n  metric r = ratio(a, a);\n  metric rr = ratio(r, a);", "'r' is a ratio; a ratio of a ratio is not supported"},
        {"metric a = count(events) within 7d;\n  metric r = ratio(a);", "ratio takes two arguments"},
        {"metric a = count(events) within 7d;\n  metric r = ratio(a, \"a\");", "expected a metric name, found a string"},
        {"metric r = retained(events, day 1) within 7d;", "retained metrics take no 'within' window"},
        {"metric a = count(events) within 7d;\n  metric r = ratio(a, a) within 7d;", "ratio metrics take no 'within' window"},
        {"metric t2 = time_to(events);", "time_to needs a window in days"},
        {"metric p = any(events) within 7d cap 5;", "'cap' applies to count, sum and active_days metrics, not any"},
        {"metric p = mean(payments.amount) within 7d cap p99;", "'cap' applies to count, sum and active_days metrics, not mean"},
        {"metric p = retained(events, day 1) cap p99;", "not retained"},
        {"metric q = quantile(payments.amount, 0.5) within 7d cuped 7d;", "CUPED is not available for quantile metrics"},
        {"metric f = funnel(events, events) within 7d cuped 7d;", "CUPED is not available for funnel metrics"},
        {"metric q = quantile(payments.amount, 0) within 7d;", "quantile 0 is outside (0, 1)"},
        {"metric q = quantile(payments.amount, 1) within 7d;", "quantile 1 is outside (0, 1)"},
        {"metric q = quantile(payments.amount) within 7d;", "quantile takes two arguments"},
        {"metric q = quantile(payments.amount, 0.5 where x = 1) within 7d;", "the quantile is a number in (0, 1)"},
        {"metric a = count(users) within 7d;", "source 'users' is a user table"},
        {"metric a = sum(events) within 7d;", "expected a value column SOURCE.COLUMN"},
        {"metric a = count(events.x) within 7d;", "expected an event source"},
        {"metric a = sum(events.x where payments.y = 1) within 7d;", "column 'payments.y' does not belong to source 'events'"},
        {"metric a = count(events where x < \"a\" and y > true) within 7d;", "'true' can only be compared with = or !="},
        {"metric a = count(events, events) within 7d;", "count takes one argument"},
        {"metric f = funnel(events) within 7d;", "a funnel needs at least two steps"},
        {"metric f = funnel(e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e) within 7d;", "a funnel has at most 20 steps"},
        {"metric r = retained(events, days 1..400);", "retention days A..B need whole numbers"},
        {"metric r = retained(events, days 1.5..3);", "retention days A..B need whole numbers"},
        {"metric r = retained(events, day 1.5);", "the retention day must be a whole number"},
        {"metric r = retained(events, day -1);", "the retention day must be between 0 and 366"},
        {"metric r = retained(events, day 1 where x = 1);", "unexpected 'where' in the retention days"},
        {"metric a = count(events) within 7d within 7d;", "the window is set twice"},
        {"metric a = count(events) within 0d;", "'within' must be between 1d and 366d, got 0d"},
        {"metric a = count(events) within 367d;", "'within' must be between 1d and 366d, got 367d"},
        {"metric a = count(events) within 7d cap 1 cap 2;", "'cap' is set twice"},
        {"metric a = count(events) within 7d cap p100;", "a percentile cap is p1..p99"},
        {"metric a = count(events) within 7d cuped 7d cuped 7d;", "'cuped' is set twice"},
        {"metric a = count(events) within 7d cuped 0d;", "the CUPED pre-period must be between 1d and 366d"},
        {"metric a = count(events) within 7d cuped nope 7d;", "undefined metric 'nope'"},
        {"metric a = count(events) within 7d lower is better higher is better;", "the direction is set twice"},
        {"metric a = count(events) within 7d higher;", "write 'higher is better'"},
        {"metric a = count(events) within 7d goal secondary;", "the role is set twice"},
        {"guardrail a = count(events) within 7d guardrail;", "the role is set twice"},
        {"metric a = count(events) within 7d 5;", "unexpected a number '5' in metric options"},
        {"metric a = count(events) within 7d \"x\";", "unexpected a string 'x' in metric options"},
        {"metric a = count(events) within 7d fast;", "unknown metric option 'fast'"},
        {"metric a = count(events where 1x = 1) within 7d;", "unexpected"},
        {"metric abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi = count(events) within 7d;", "is longer than 48 characters"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body, "  %s\n", cases[i][0]);
        fails_with(body, cases[i][1]);
    }
}

Test(sema, structure_errors)
{
    teardown();
    const char *body = "tag t {\n}\n";
    cr_assert_eq(spec_load_bytes(&unit, "t.ab", body, strlen(body), SYNTAX_DSL), ABC_ERR_SPEC);
    loaded = true;
    cr_assert_eq(unit.diag.nerrors, 3, "module, exposure and metrics are all reported");
    fails_with("  metric a = count(events) within 7d;\n  where x = 1;\n", "'where' belongs inside a source block");
    fails_with("  metric a = count(events) within 7d;\n  module \"n\";\n", "'module' is set twice (first at 2:3)");
    fails_with("  metric a = count(events) within 7d;\n  wide_table \"a b\";\n", "not a valid database or table name");
    fails_with("  metric a = count(events) within 7d;\n  wide_table;\n", "'wide_table' needs a name");
    fails_with("  metric a = count(events) within 7d;\n  wide_table 5;\n", "expected a name, found a number");
    fails_with("  metric a = count(events) within 7d;\n  wide_table w w;\n", "unexpected 'w' here");
    fails_with("  metric a = count(events) within 7d;\n  daily_table { }\n", "'daily_table' is a setting, not a block");
    fails_with("  metric a = count(events) within 7d;\n  source s \"a.b\";\n", "source 's' needs a block");
    fails_with("  metric a = count(events) within 7d;\n  source s \"a\" where x = 1 {\n    user u;\n  }\n",
               "put a source's standing filter inside its block");
    fails_with("  metric a = count(events) within 7d;\n  source s a.b {\n    user u;\n  }\n",
               "source 's' needs its table as a string");
    fails_with("  metric a = count(events) within 7d;\n  source \"s\" \"a\" {\n    user u;\n  }\n",
               "expected: source NAME \"db.table\" { ... }");
    fails_with("  metric a = count(events) within 7d;\n  source s \"a\" {\n    user u;\n    user v;\n  }\n",
               "'user' is set twice");
    fails_with("  metric a = count(events) within 7d;\n  source s \"a\" {\n    user \"u v\";\n  }\n",
               "'u v' is not a valid column name");
    fails_with("  metric a = count(events) within 7d;\n  source s \"a\" {\n    user u where x = 1;\n  }\n",
               "unexpected 'where' on 'user'");
}

Test(sema, table_names_refuse_sql)
{
    const char *bad[] = {"ods.a'b", "ods.a\\\"b", "ods.`a`", "ods.a--b", "ods.a/*b", "ods.a;b",
                         "a.b.c", "", ".a", "a.", "ods.a b", "ods.1a",
                         "ods.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "  metric a = count(events) within 7d;\n  source s \"%s\" {\n    user u;\n  }\n", bad[i]);
        fails_with(body, "must be [db.]table with names of letters, digits and '_'");
    }
    /* 64 characters is the most a name can have */
    const IrSpec *ir = load_with("  metric a = count(events) within 7d;\n  source s "
                                 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" {\n"
                                 "    user u;\n  }\n");
    cr_assert_eq(strlen(ir->sources[3].table), 64);
}

Test(sema, yaml_twins_give_the_same_ir)
{
    const char *names[] = {"retention", "engagement", "recharge", "subscribe", "advertisement"};
    for (int i = 0; i < 5; i++) {
        char pa[256], py[256];
        snprintf(pa, sizeof pa, "specs/%s.ab", names[i]);
        snprintf(py, sizeof py, "specs/%s.yaml", names[i]);
        SpecUnit a, y;
        cr_assert_eq(spec_load(&a, pa), ABC_OK, "%s", pa);
        cr_assert_eq(spec_load(&y, py), ABC_OK, "%s", py);
        Buf da, dy;
        buf_init(&da);
        buf_init(&dy);
        ir_dump(a.ir, &da, false);
        ir_dump(y.ir, &dy, false);
        cr_assert_str_eq(da.data, dy.data, "%s: IR of the twins differs", names[i]);
        cr_assert_str_neq(a.ir->content_hash, y.ir->content_hash);
        buf_free(&da);
        buf_free(&dy);
        spec_unit_free(&a);
        spec_unit_free(&y);
    }
}

Test(sema, unreadable_file)
{
    teardown();
    cr_assert_eq(spec_load(&unit, "no/such/dir/t.ab"), ABC_ERR_ENV);
    loaded = true;
    cr_assert_eq(unit.diag.nerrors, 1);
    cr_assert_not_null(strstr(unit.diag.msgs[0].msg, "cannot open"));
    cr_assert_null(unit.ir);
}

Test(sema, size_limit)
{
    teardown();
    size_t n = SPEC_MAX_BYTES + 1;
    char *big = malloc(n);
    cr_assert_not_null(big);
    memset(big, ' ', n);
    AbcStatus st = spec_load_bytes(&unit, "t.ab", big, n, SYNTAX_DSL);
    loaded = true;
    free(big);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_not_null(strstr(unit.diag.msgs[0].msg, "16777216-byte limit"));
}

/* Nesting is counted in groups and `not`s, not in the length of a chain. */
Test(sema, condition_nesting)
{
    char buf[8192] = "  metric a = count(events where x = 0";
    for (int i = 0; i < 70; i++)
        strcat(buf, " and x = 1");
    strcat(buf, ");\n");
    load_with(buf);
    strcpy(buf, "  metric a = count(events where ");
    for (int i = 0; i < 70; i++)
        strcat(buf, "not ");
    strcat(buf, "x = 1);\n");
    fails_with(buf, "condition nested too deeply");
    cr_assert_eq(unit.diag.nerrors, 1, "reported once");
    /* alternating groups nest: (a or (b and (c or ...))) with nots */
    strcpy(buf, "  metric a = count(events where ");
    for (int i = 0; i < 40; i++)
        strcat(buf, i % 2 ? "not (x = 1 and " : "not (x = 1 or ");
    strcat(buf, "x = 2");
    for (int i = 0; i < 40; i++)
        strcat(buf, ")");
    strcat(buf, ");\n");
    fails_with(buf, "condition nested too deeply");
    cr_assert_eq(unit.diag.nerrors, 1, "reported once");
}

/* Many metrics: names are looked up in a table and lines come from the
 * Diag's line table (the check of 20,000 metrics took 11 s when both were
 * linear scans; it is not timed here).  Every line number, the duplicate's
 * first definition and a ratio naming the last metric must still be
 * right. */
Test(sema, many_metrics)
{
    enum { N = 20000 };
    Buf b;
    buf_init(&b);
    buf_printf(&b, "tag t {\n  module \"m\";\n" SOURCES EXPOSURE);
    int head_lines = 0;
    for (const char *p = b.data; *p; p++)
        head_lines += *p == '\n';
    for (int i = 0; i < N; i++)
        buf_printf(&b, "  metric m%d = count(events where a = %d) within 7d;\n", i, i);
    buf_printf(&b, "  metric r = ratio(m%d, m0);\n}\n", N - 1);
    const IrSpec *ir = load("t.ab", b.data);
    cr_assert_eq(ir->nmetrics, N + 1);
    for (int i = 0; i < N; i += 997)
        cr_assert_eq(ir->metrics[i].line, head_lines + 1 + i, "metric %d on line %d", i,
                     ir->metrics[i].line);
    cr_assert_eq(ir->metrics[N].num, N - 1);
    cr_assert_eq(ir->metrics[N].den, 0);
    buf_free(&b);

    buf_init(&b);
    buf_printf(&b, "tag t {\n  module \"m\";\n" SOURCES EXPOSURE);
    for (int i = 0; i < N; i++)
        buf_printf(&b, "  metric m%d = count(events) within 7d;\n", i);
    buf_printf(&b, "  metric m%d = count(events) within 7d;\n}\n", N / 2);
    teardown();
    cr_assert_eq(spec_load_bytes(&unit, "t.ab", b.data, strlen(b.data), SYNTAX_DSL), ABC_ERR_SPEC);
    loaded = true;
    char want[64];
    snprintf(want, sizeof want, "(first at %d:3)", head_lines + 1 + N / 2);
    cr_assert_eq(unit.diag.nerrors, 1);
    cr_assert_not_null(strstr(unit.diag.msgs[0].msg, want), "%s", unit.diag.msgs[0].msg);
    buf_free(&b);
}

Test(sema, setting_written_as_a_block)
{
    fails_with("  metric a = count(events);\n  analysis {\n    alpha 0.05 { }\n  }\n",
               "'alpha' is a setting, not a block");
    fails_with("  metric a = count(events);\n  activity {\n    active events { }\n  }\n",
               "'active' is a setting, not a block");
    fails_with("  metric a = count(events);\n  assignment \"e\" {\n    salt \"s\" { }\n"
               "    variations a 0.5, b 0.5;\n  }\n",
               "'salt' is a setting, not a block");
}

Test(sema, unresolved_source_stops_cuped_checks)
{
    fails_with("  metric a = count(nosuch) within 7d cuped 14d;\n", "undefined source 'nosuch'");
    cr_assert_eq(unit.diag.nerrors, 1, "no follow-on CUPED error about another source");
}

/* Found by the fuzz targets (tests/fuzz/crashers): clean specs with parts
 * that were silently ignored or misread. */
Test(sema, fuzz_findings)
{
    fails_with("  metric a = count(events);\n  experiments from growthbook { foo bar; }\n",
               "'experiments' is a setting, not a block");
    fails_with("  metric a = count(events);\n  segment c = events.country;\n",
               "source 'events' has events");
    fails_with("  metric a = sum(events.x) cap p5e1;\n", "a percentile cap is p1..p99");
    fails_with("  metric a = count(events);\n  assignment \"k\" {\n    salt \"s\" where b = 2;\n"
               "    variations a 0.5, b 0.5;\n  }\n",
               "unexpected 'where' on 'salt'");
    const IrSpec *ir = load_with("  metric a = sum(events.x) cap p95;\n  segment c = users.country;\n");
    cr_assert_float_eq(ir->metrics[0].cap.value, 0.95, 1e-12);
}

Test(sema, time_to_defaults_to_lower_is_better)
{
    const IrSpec *ir = load_with("  metric a = time_to(events) within 7d;\n"
                                 "  metric b = time_to(events) within 7d higher is better;\n"
                                 "  metric c = count(events) within 7d;\n");
    cr_expect_eq(metric(ir, "a")->direction, DIR_LOWER);
    cr_expect_eq(metric(ir, "b")->direction, DIR_HIGHER);
    cr_expect_eq(metric(ir, "c")->direction, DIR_HIGHER);
}
