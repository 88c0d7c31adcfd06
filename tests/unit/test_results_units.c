/* test_results_units.c — results.c on a units step's rows (STATS_UNITS: a
 * row per unit, in no order, whose moments results.c adds up, and from
 * which it takes the percentile caps and the quantiles): every report row
 * equals the one computed from moments and distribution rows of the same
 * units (the shapes a warehouse-side grouping sends), for every metric kind
 * the moments carry — retention counted only once its window has elapsed,
 * CUPED covariates, the pooled percentile cap (PERCENTILE_CONT) and an
 * absolute cap, a ratio of a capped metric, mean of numerator and
 * denominator, funnel steps, time-to-event flags and survival tables, a
 * quantile — and for
 * every segment's values; the order of the rows does not change them, nor
 * does a number of units past what abc sorts in memory; a unit of a
 * variation the experiment lacks flags its cells; a malformed units row is
 * an error naming the step and column.
 */
#include "abc/results.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "abc/dialect.h"
#include "abc/spec.h"
#include "abc/stats_rows.h"

static const char SPEC[] =
    "tag ru {\n"
    "  module \"ru\";\n"
    "  experiments from growthbook tag \"ru\";\n"
    "  source events \"ods.app_events\" { user user_id; time event_time; date event_date; }\n"
    "  source payments \"ods.payments\" { user user_id; time paid_at; date pay_date; }\n"
    "  exposure events where event_name = \"experiment_viewed\" { experiment exp_key; variation var_key; first; }\n"
    "  segment country = exposure.country;\n"
    "  segment platform = exposure.platform;\n"
    "  metric d1 = retained(events where event_name = \"app_open\", day 1);\n"
    "  metric opens = count(events where event_name = \"app_open\") within 7d cuped 14d;\n"
    "  metric revenue = sum(payments.amount) within 7d cap p99;\n"
    "  metric spend = sum(payments.amount) within 7d cap 100 secondary;\n"
    "  metric rpo = ratio(revenue, opens) secondary;\n"
    "  metric sess = mean(events.session_seconds where event_name = \"session_end\") within 7d secondary;\n"
    "  metric fun = funnel(events where event_name = \"cart_view\",\n"
    "                      events where event_name = \"order\") within 7d secondary;\n"
    "  metric conv = time_to(events where event_name = \"subscribe\") within 14d secondary;\n"
    "  metric p90s = quantile(events.session_seconds where event_name = \"session_end\", 0.9)\n"
    "      within 7d secondary;\n"
    "}\n";

enum { NUNITS = 600, NSEG = 2 };

/* One unit's row as the units step sends it. */
typedef struct Unit {
    int var;
    const char *country, *platform;
    int days;
    double d1, opens, opens_pre, revenue, spend, sess_num, sess_den, fun1, fun2, conv, conv_day, p90s;
    bool revenue_null; /* revenue: uncapped, as the units rows send it */
} Unit;

typedef struct Fixture {
    SpecUnit su;
    Arena a;
    SqlProgram mdb, sr;
    const SqlStep *units, *moments, *dist, *surv;
    RunVariation vars[2];
    RunExperiment exp;
} Fixture;

static const SqlStep *stats_step_of(const SqlProgram *p, SqlStatsShape shape)
{
    for (int i = 0; i < p->nsteps; i++)
        if (p->steps[i].kind == SQLSTEP_STATS && p->steps[i].shape == shape)
            return &p->steps[i];
    return NULL;
}

static void setup_fixture(Fixture *f)
{
    memset(f, 0, sizeof *f);
    cr_assert_eq(spec_load_bytes(&f->su, "ru.ab", SPEC, strlen(SPEC), SYNTAX_DSL), ABC_OK);
    arena_init(&f->a);
    cr_assert_eq(sqlgen_program(f->su.ir, &dialect_mariadb, &f->a, &f->su.diag, &f->mdb), ABC_OK);
    cr_assert_eq(sqlgen_program(f->su.ir, &dialect_starrocks, &f->a, &f->su.diag, &f->sr), ABC_OK);
    f->units = stats_step_of(&f->mdb, STATS_UNITS);
    f->moments = stats_step_of(&f->sr, STATS_MOMENTS);
    f->dist = stats_step_of(&f->sr, STATS_DISTRIBUTION);
    f->surv = stats_step_of(&f->sr, STATS_SURVIVAL);
    cr_assert_not_null(f->surv, "StarRocks sends no survival step");
    cr_assert_null(stats_step_of(&f->mdb, STATS_SURVIVAL),
                   "MariaDB reads the unit state again for a time-to-event metric");
    cr_assert_not_null(f->dist, "StarRocks sends no quantile distribution step");
    cr_assert_null(stats_step_of(&f->mdb, STATS_DISTRIBUTION),
                   "MariaDB reads the unit state again for a quantile");
    cr_assert_not_null(f->units, "MariaDB sends no units step");
    cr_assert_not_null(f->moments, "StarRocks sends no moments step");
    cr_assert_null(stats_step_of(&f->mdb, STATS_MOMENTS));
    f->vars[0] = (RunVariation){"v0", "0", "Control", 0.5, true};
    f->vars[1] = (RunVariation){"v1", "1", "Treatment", 0.5, false};
    f->exp = (RunExperiment){.id = "e1", .tracking_key = "exp-ru", .name = "RU",
                             .status = "running", .phase_name = "Main", .phase_index = 0,
                             .phase_start = 0, .phase_end = -1, .coverage = 1,
                             .variations = f->vars, .nvariations = 2};
    cr_assert(date_parse("2025-10-01", &f->exp.phase_start));
    snprintf(f->exp.phase_start_ts, sizeof f->exp.phase_start_ts, "2025-10-01 00:00:00");
}

static void teardown_fixture(Fixture *f)
{
    arena_free(&f->a);
    spec_unit_free(&f->su);
}

static int metric_of(const Fixture *f, const char *name)
{
    for (int i = 0; i < f->su.ir->nmetrics; i++)
        if (!strcmp(f->su.ir->metrics[i].name, name))
            return i;
    cr_assert_fail("no metric %s", name);
    return -1;
}

/* Deterministic units: every cell of country x platform x variation has
 * units, with values that are not small integers only. */
static void make_units(Unit *u, int n)
{
    static const char *const countries[] = {"DE", "US", "(null)"}, *const platforms[] = {"ios", "web"};
    unsigned s = 12345;
    for (int i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        unsigned x = s >> 8;
        Unit *t = &u[i];
        memset(t, 0, sizeof *t);
        t->var = (int)(x % 2);
        t->country = countries[(x / 2) % 3];
        t->platform = platforms[(x / 6) % 2];
        t->days = (int)((x / 12) % 9);
        t->d1 = (x / 108) % 3 == 0;
        t->opens = (double)((x / 7) % 23);
        t->opens_pre = (double)((x / 11) % 31);
        double raw = (x % 97) * 1.37 + (x % 5 == 0 ? 400.25 + (x % 1009) * 0.013 : 0);
        t->revenue_null = x % 13 == 0;
        t->revenue = raw;
        t->spend = fmin(raw, 100);
        t->p90s = x % 11 == 0 ? NAN : (double)((x / 13) % 53) * 3.5;
        t->sess_num = (x % 41) * 12.5;
        t->sess_den = (double)(x % 4);
        t->fun1 = (x / 3) % 2;
        t->fun2 = t->fun1 && (x / 5) % 2;
        t->conv = (x / 17) % 4 == 0;
        t->conv_day = t->conv ? (double)((x / 19) % (unsigned)(t->days + 1)) : NAN;
    }
}

static void fmt(char *buf, size_t n, double v) { snprintf(buf, n, "%.17g", v); }

/* Decode one warehouse row as the runner does and feed it; it must be good. */
static AbcStatus feed_row(Results *r, const SqlStep *s, const WhRow *row)
{
    char err[256];
    StatsRowDecoder *d = NULL;
    StatsRow typed;
    AbcStatus st = stats_rows_decoder(s, NSEG, row, &d, err, sizeof err);
    if (st == ABC_OK)
        st = stats_rows_decode(d, row, &typed, err, sizeof err);
    if (st == ABC_OK)
        st = results_add_row(r, s, &typed, err, sizeof err);
    stats_rows_decoder_free(d);
    cr_assert_eq(st, ABC_OK, "%s", err);
    return st;
}

/* Feed one unit as a units row, by the step's column names. */
static AbcStatus feed_unit(Results *r, const Fixture *f, const char *date, const Unit *u)
{
    const SqlStep *s = f->units;
    const char *names[64], *values[64];
    char num[64][40];
    cr_assert_lt(s->ncolumns, 64);
    int mf = metric_of(f, "fun");
    for (int i = 0; i < s->ncolumns; i++) {
        const SqlColumn *c = &s->columns[i];
        names[i] = c->name;
        values[i] = num[i];
        const char *st = c->stat;
        const char *mn = c->metric >= 0 ? f->su.ir->metrics[c->metric].name : "";
        double v = NAN;
        if (!strcmp(st, "analysis_date")) values[i] = date;
        else if (!strcmp(st, "tracking_key")) values[i] = "exp-ru";
        else if (!strcmp(st, "variation_key")) values[i] = u->var ? "1" : "0";
        else if (!strcmp(st, "segment_slot")) values[i] = !strcmp(c->name, "country") ? u->country : u->platform;
        else if (!strcmp(st, "days_observed")) v = u->days;
        else if (!strcmp(mn, "d1")) v = u->d1;
        else if (!strcmp(mn, "opens")) v = !strcmp(st, "pre") ? u->opens_pre : u->opens;
        else if (!strcmp(mn, "revenue")) values[i] = u->revenue_null ? NULL : num[i], v = u->revenue;
        else if (!strcmp(mn, "p90s")) values[i] = isnan(u->p90s) ? NULL : num[i], v = u->p90s;
        else if (!strcmp(mn, "spend")) v = u->spend;
        else if (!strcmp(mn, "sess")) v = !strcmp(st, "num") ? u->sess_num : u->sess_den;
        else if (c->metric == mf) v = !strcmp(st, "step_1") ? u->fun1 : u->fun2; /* value: the last step */
        else if (!strcmp(mn, "conv") && !strcmp(st, "day"))
            values[i] = isnan(u->conv_day) ? NULL : num[i], v = u->conv_day;
        else if (!strcmp(mn, "conv")) v = u->conv;
        else cr_assert_fail("units column %s (%s) unexpected", c->name, st);
        if (values[i] == num[i])
            fmt(num[i], sizeof num[i], v);
    }
    WhRow row = {(unsigned)s->ncolumns, names, values, NULL, 0};
    return feed_row(r, s, &row);
}


/* The results of units u[0..n) of experiment x as a units step sends them
 * (reverse: last first), computed. */
static Results *units_results(const Fixture *f, const RunExperiment *x, const char *date,
                              const Unit *u, int n, bool reverse)
{
    Results *r = results_new(f->su.ir, x, 1, "2025-10-09 00:00:00");
    for (int i = 0; i < n; i++)
        feed_unit(r, f, date, &u[reverse ? n - 1 - i : i]);
    char err[256];
    cr_assert_eq(results_end_step(r, f->units, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(results_compute(r, err, sizeof err), ABC_OK, "%s", err);
    return r;
}

/* The moments of one cell and variation, as a warehouse grouping sums them. */
typedef struct Mom {
    double units;
    double v[16][12]; /* [metric][stat] below */
    double cap[16];
} Mom;
enum { M_N, M_SUM, M_SUM_SQ, M_PRE_SUM, M_PRE_SUM_SQ, M_SUM_PRE, M_DEN_SUM, M_DEN_SUM_SQ,
       M_SUM_DEN, M_STEP1, M_STEP2 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The pooled p99 of the units' non-NULL revenue (every variation's), as
 * PERCENTILE_CONT interpolates it. */
static double revenue_cap(const Unit *u, int n)
{
    double *v = malloc(sizeof *v * (size_t)(n + 1));
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!u[i].revenue_null)
            v[k++] = u[i].revenue;
    cr_assert_gt(k, 0);
    qsort(v, (size_t)k, sizeof *v, cmp_double);
    double pos = 0.99 * (k - 1), lo = v[(int)floor(pos)], hi = v[(int)ceil(pos)];
    double cap = lo == hi ? lo : (ceil(pos) - pos) * lo + (pos - floor(pos)) * hi;
    free(v);
    return cap;
}

static void mom_add(const Fixture *f, Mom *m, const Unit *u, double cap)
{
    double revenue = u->revenue_null ? 0 : fmin(u->revenue, cap);
    const IrSpec *ir = f->su.ir;
    m->units += 1;
    for (int i = 0; i < ir->nmetrics; i++) {
        const char *n = ir->metrics[i].name;
        double *v = m->v[i];
        double x = 0, p = 0, num = 0, den = 0;
        bool inc = true, ratio = false;
        if (!strcmp(n, "d1")) x = u->d1, inc = u->days >= 1;
        else if (!strcmp(n, "opens")) x = u->opens, p = u->opens_pre;
        else if (!strcmp(n, "revenue")) x = revenue, m->cap[i] = cap;
        else if (!strcmp(n, "spend")) x = u->spend, m->cap[i] = 100;
        else if (!strcmp(n, "rpo")) ratio = true, num = revenue, den = u->opens;
        else if (!strcmp(n, "sess")) ratio = true, num = u->sess_num, den = u->sess_den;
        else if (!strcmp(n, "fun")) x = u->fun2, v[M_STEP1] += u->fun1, v[M_STEP2] += u->fun2;
        else if (!strcmp(n, "conv")) x = u->conv;
        else if (!strcmp(n, "p90s")) x = isnan(u->p90s) ? 0 : u->p90s;
        if (ratio) {
            v[M_N] += 1;
            v[M_SUM] += num;
            v[M_SUM_SQ] += num * num;
            v[M_DEN_SUM] += den;
            v[M_DEN_SUM_SQ] += den * den;
            v[M_SUM_DEN] += num * den;
        } else if (inc) {
            v[M_N] += 1;
            v[M_SUM] += x;
            v[M_SUM_SQ] += x * x;
            v[M_PRE_SUM] += p;
            v[M_PRE_SUM_SQ] += p * p;
            v[M_SUM_PRE] += x * p;
        }
    }
}

static void feed_moments(Results *r, const Fixture *f, const char *date, const char *seg,
                         const char *val, int var, const Mom *m)
{
    const SqlStep *s = f->moments;
    const char *names[128], *values[128];
    char num[128][40];
    cr_assert_lt(s->ncolumns, 128);
    static const char *const stats[] = {"n", "sum", "sum_sq", "pre_sum", "pre_sum_sq", "sum_pre",
                                        "den_sum", "den_sum_sq", "sum_den", "step_1", "step_2"};
    for (int i = 0; i < s->ncolumns; i++) {
        const SqlColumn *c = &s->columns[i];
        names[i] = c->name;
        values[i] = num[i];
        if (!strcmp(c->stat, "analysis_date")) values[i] = date;
        else if (!strcmp(c->stat, "tracking_key")) values[i] = "exp-ru";
        else if (!strcmp(c->stat, "variation_key")) values[i] = var ? "1" : "0";
        else if (!strcmp(c->stat, "segment")) values[i] = seg;
        else if (!strcmp(c->stat, "segment_value")) values[i] = val;
        else if (!strcmp(c->stat, "units")) fmt(num[i], sizeof num[i], m->units);
        else if (!strcmp(c->stat, "cap_value")) fmt(num[i], sizeof num[i], m->cap[c->metric]);
        else {
            int k = 0;
            while (k < 11 && strcmp(stats[k], c->stat))
                k++;
            cr_assert_lt(k, 11, "moments column %s (%s) unexpected", c->name, c->stat);
            fmt(num[i], sizeof num[i], m->v[c->metric][k]);
        }
    }
    WhRow row = {(unsigned)s->ncolumns, names, values, NULL, 0};
    feed_row(r, s, &row);
}

/* The moments rows of every cell (all users, each country, each platform). */
static void feed_all_moments(Results *r, const Fixture *f, const char *date, const Unit *u, int n)
{
    static const char *const countries[] = {"DE", "US", "(null)"}, *const platforms[] = {"ios", "web"};
    double cap = revenue_cap(u, n);
    for (int var = 0; var < 2; var++)
        for (int g = 0; g < 1 + 3 + 2; g++) {
            const char *seg = g == 0 ? "" : g <= 3 ? "country" : "platform";
            const char *val = g == 0 ? "" : g <= 3 ? countries[g - 1] : platforms[g - 4];
            Mom m;
            memset(&m, 0, sizeof m);
            for (int k = 0; k < 16; k++)
                m.cap[k] = NAN;
            for (int i = 0; i < n; i++)
                if (u[i].var == var && (g == 0 || !strcmp(g <= 3 ? u[i].country : u[i].platform, val)))
                    mom_add(f, &m, &u[i], cap);
            feed_moments(r, f, date, seg, val, var, &m);
        }
}

static const Unit *by_p90s_units;

static int cmp_p90s(const void *a, const void *b)
{
    const Unit *x = &by_p90s_units[*(const int *)a], *y = &by_p90s_units[*(const int *)b];
    double p = isnan(x->p90s) ? 0 : x->p90s, q = isnan(y->p90s) ? 0 : y->p90s;
    return (p > q) - (p < q);
}

/* The quantile's distribution rows, as StarRocks sends them: a row per
 * unit cell and value, here one per unit (units 1), in ascending order of
 * value (NULL read as 0). */
static void feed_distribution(Results *r, const Fixture *f, const char *date, const Unit *u, int n)
{
    int *ix = malloc(sizeof *ix * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        ix[i] = i;
    by_p90s_units = u;
    qsort(ix, (size_t)n, sizeof *ix, cmp_p90s);
    const SqlStep *s = f->dist;
    const char *names[16], *values[16];
    char num[16][40];
    cr_assert_lt(s->ncolumns, 16);
    for (int k = 0; k < n; k++) {
        const Unit *t = &u[ix[k]];
        for (int i = 0; i < s->ncolumns; i++) {
            const SqlColumn *c = &s->columns[i];
            names[i] = c->name;
            values[i] = num[i];
            if (!strcmp(c->stat, "analysis_date")) values[i] = date;
            else if (!strcmp(c->stat, "tracking_key")) values[i] = "exp-ru";
            else if (!strcmp(c->stat, "variation_key")) values[i] = t->var ? "1" : "0";
            else if (!strcmp(c->stat, "segment_slot"))
                values[i] = !strcmp(c->name, "country") ? t->country : t->platform;
            else if (!strcmp(c->stat, "value")) fmt(num[i], sizeof num[i], isnan(t->p90s) ? 0 : t->p90s);
            else if (!strcmp(c->stat, "units")) values[i] = "1";
            else cr_assert_fail("distribution column %s (%s) unexpected", c->name, c->stat);
        }
        WhRow row = {(unsigned)s->ncolumns, names, values, NULL, 0};
        feed_row(r, s, &row);
    }
    free(ix);
}

/* The time-to-event metric's survival rows, as StarRocks sends them: per
 * cell and day, the events and the units censored (at the window's last
 * day, 13, or the days observed). */
static void feed_survival(Results *r, const Fixture *f, const char *date, const Unit *u, int n)
{
    static const char *const countries[] = {"DE", "US", "(null)"}, *const platforms[] = {"ios", "web"};
    const SqlStep *s = f->surv;
    const char *names[16], *values[16];
    char num[16][40];
    cr_assert_lt(s->ncolumns, 16);
    for (int var = 0; var < 2; var++)
        for (int g = 0; g < 1 + 3 + 2; g++) {
            const char *seg = g == 0 ? "" : g <= 3 ? "country" : "platform";
            const char *val = g == 0 ? "" : g <= 3 ? countries[g - 1] : platforms[g - 4];
            for (int day = 0; day <= 13; day++) {
                double ev = 0, ce = 0;
                for (int i = 0; i < n; i++) {
                    if (u[i].var != var || (g && strcmp(g <= 3 ? u[i].country : u[i].platform, val)))
                        continue;
                    if (u[i].conv && u[i].conv_day == day)
                        ev++;
                    else if (!u[i].conv && (u[i].days < 13 ? u[i].days : 13) == day)
                        ce++;
                }
                if (ev == 0 && ce == 0)
                    continue;
                for (int i = 0; i < s->ncolumns; i++) {
                    const SqlColumn *c = &s->columns[i];
                    names[i] = c->name;
                    values[i] = num[i];
                    if (!strcmp(c->stat, "analysis_date")) values[i] = date;
                    else if (!strcmp(c->stat, "tracking_key")) values[i] = "exp-ru";
                    else if (!strcmp(c->stat, "variation_key")) values[i] = var ? "1" : "0";
                    else if (!strcmp(c->stat, "segment")) values[i] = seg;
                    else if (!strcmp(c->stat, "segment_value")) values[i] = val;
                    else if (!strcmp(c->stat, "day")) fmt(num[i], sizeof num[i], day);
                    else if (!strcmp(c->stat, "events")) fmt(num[i], sizeof num[i], ev);
                    else if (!strcmp(c->stat, "censored")) fmt(num[i], sizeof num[i], ce);
                    else cr_assert_fail("survival column %s (%s) unexpected", c->name, c->stat);
                }
                WhRow row = {(unsigned)s->ncolumns, names, values, NULL, 0};
                feed_row(r, s, &row);
            }
        }
}

/* The results of the same units from moments, distribution and survival
 * rows. */
static Results *grouped_results(const Fixture *f, const char *date, const Unit *u, int n)
{
    char err[256];
    Results *b = results_new(f->su.ir, &f->exp, 1, "2025-10-09 00:00:00");
    feed_all_moments(b, f, date, u, n);
    cr_assert_eq(results_end_step(b, f->moments, err, sizeof err), ABC_OK, "%s", err);
    feed_distribution(b, f, date, u, n);
    cr_assert_eq(results_end_step(b, f->dist, err, sizeof err), ABC_OK, "%s", err);
    feed_survival(b, f, date, u, n);
    cr_assert_eq(results_end_step(b, f->surv, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(results_compute(b, err, sizeof err), ABC_OK, "%s", err);
    return b;
}

static void compare_rows(const Results *a, const Results *b, long day, double tol)
{
    int na = 0, nb = 0;
    const SqlValue *ra = results_rows(a, day, &na), *rb = results_rows(b, day, &nb);
    cr_assert_eq(na, nb, "%d report rows against %d", na, nb);
    cr_assert_gt(na, 0);
    int compared = 0;
    for (int k = 0; k < na * SQLGEN_REPORT_NCOLUMNS; k++) {
        const SqlValue *x = &ra[k], *y = &rb[k];
        const char *col = SQLGEN_REPORT_COLUMNS[k % SQLGEN_REPORT_NCOLUMNS];
        cr_assert_eq(x->kind, y->kind, "row %d column %s: kinds differ", k / SQLGEN_REPORT_NCOLUMNS, col);
        if (x->kind == SQLV_DOUBLE) {
            bool same = (isnan(x->d) && isnan(y->d)) ||
                        fabs(x->d - y->d) <= tol * fmax(1, fmax(fabs(x->d), fabs(y->d)));
            cr_expect(same, "row %d column %s: %.17g against %.17g", k / SQLGEN_REPORT_NCOLUMNS,
                      col, x->d, y->d);
            compared++;
        } else if (x->kind == SQLV_INT) {
            cr_expect_eq(x->i, y->i, "row %d column %s", k / SQLGEN_REPORT_NCOLUMNS, col);
        } else if (x->kind != SQLV_NULL) {
            cr_expect_str_eq(x->s, y->s, "row %d column %s", k / SQLGEN_REPORT_NCOLUMNS, col);
        }
    }
    cr_assert_gt(compared, 100);
}

Test(results_units, unit_rows_give_the_report_of_their_moments)
{
    Fixture f;
    setup_fixture(&f);
    static Unit u[NUNITS];
    make_units(u, NUNITS);
    const char *d = "2025-10-08";
    long day;
    cr_assert(date_parse(d, &day));

    Results *a = units_results(&f, &f.exp, d, u, NUNITS, false);
    Results *b = grouped_results(&f, d, u, NUNITS);
    compare_rows(a, b, day, 1e-9);

    /* the same units in the opposite order */
    Results *c = units_results(&f, &f.exp, d, u, NUNITS, true);
    compare_rows(a, c, day, 1e-13);

    results_free(a);
    results_free(b);
    results_free(c);
    teardown_fixture(&f);
}

/* More units than abc sorts in memory: the caps' and the quantile's values
 * go through sorted runs on disk, with the same results. */
Test(results_units, past_memory_the_sorted_values_give_the_same_results, .timeout = 120)
{
    Fixture f;
    setup_fixture(&f);
    enum { BIG = 70001 };
    Unit *u = calloc(BIG, sizeof *u);
    make_units(u, BIG);
    const char *d = "2025-10-08";
    long day;
    cr_assert(date_parse(d, &day));
    Results *a = units_results(&f, &f.exp, d, u, BIG, true);
    Results *b = grouped_results(&f, d, u, BIG);
    compare_rows(a, b, day, 1e-9);
    results_free(a);
    results_free(b);
    free(u);
    teardown_fixture(&f);
}

/* Rows of a units step that lack a column it needs, or hold text where a
 * number belongs, are errors naming the step and the column. */
Test(results_units, malformed_unit_rows_are_errors)
{
    Fixture f;
    setup_fixture(&f);
    char err[256];
    StatsRowDecoder *d = NULL;
    static const char *const names[] = {"analysis_date", "tracking_key", "variation_key", "country",
                                        "platform"};
    const char *values[] = {"2025-10-08", "exp-ru", "0", "DE", "ios"};
    WhRow row = {5, names, values, NULL, 0};
    cr_assert_eq(stats_rows_decoder(f.units, NSEG, &row, &d, err, sizeof err), ABC_ERR_SPEC);
    cr_expect(strstr(err, "stats_moments") && strstr(err, "days_observed"), "%s", err);

    static const char *const names2[] = {"analysis_date", "tracking_key", "variation_key",
                                         "days_observed", "country", "opens"};
    const char *values2[] = {"2025-10-08", "exp-ru", "0", "3", "DE", "many"};
    WhRow row2 = {6, names2, values2, NULL, 0};
    cr_assert_eq(stats_rows_decoder(f.units, NSEG, &row2, &d, err, sizeof err), ABC_ERR_SPEC,
                 "a units row without the platform slot decoded");
    cr_expect(strstr(err, "platform"), "%s", err);

    static const char *const names3[] = {"analysis_date", "tracking_key", "variation_key",
                                         "days_observed", "country", "platform", "opens"};
    const char *values3[] = {"2025-10-08", "exp-ru", "0", "3", "DE", "ios", "many"};
    WhRow row3 = {7, names3, values3, NULL, 0};
    cr_assert_eq(stats_rows_decoder(f.units, NSEG, &row3, &d, err, sizeof err), ABC_OK, "%s", err);
    StatsRow typed;
    cr_expect_eq(stats_rows_decode(d, &row3, &typed, err, sizeof err), ABC_ERR_SPEC);
    cr_expect(strstr(err, "opens") && strstr(err, "not a number"), "%s", err);
    stats_rows_decoder_free(d);
    teardown_fixture(&f);
}

/* A unit in a variation the experiment does not have is counted in no
 * arm: its date's cells are flagged (data quality), as a moments row of
 * that variation flags them. */
Test(results_units, a_unit_of_an_unknown_variation_flags_its_cells)
{
    Fixture f;
    setup_fixture(&f);
    static Unit u[NUNITS];
    make_units(u, NUNITS);
    const char *d = "2025-10-08";
    long day;
    cr_assert(date_parse(d, &day));
    Results *a = units_results(&f, &f.exp, d, u, NUNITS, false);
    RunExperiment one = f.exp; /* the treatment's units are of no variation of this one */
    one.nvariations = 1;
    Results *b = units_results(&f, &one, d, u, NUNITS, false);
    cr_expect_eq(results_health(a, day).data_quality_failures, 0);
    cr_expect_gt(results_health(b, day).data_quality_failures, 0);
    results_free(a);
    results_free(b);
    teardown_fixture(&f);
}
