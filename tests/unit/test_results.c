/* test_results.c — results.c on hand-made statistics rows: a quantile
 * metric's distribution rows (StarRocks's: one per unit cell — date,
 * experiment, variation and every segment slot — ordered by date,
 * experiment and value) stream into the all-users cell and into each
 * segment value's cell, whose unit counts come from the moments rows
 * before them (test_results_units.c: MariaDB's units rows give the same
 * cells, their values sorted by abc); rows out of order,
 * counts that disagree with the moments and malformed rows are errors.
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
#include "abc/stats.h"

static const char SPEC[] =
    "tag rq {\n"
    "  module \"rq\";\n"
    "  experiments from growthbook tag \"rq\";\n"
    "  source events \"ods.app_events\" { user user_id; time event_time; date event_date; }\n"
    "  exposure events where event_name = \"experiment_viewed\" { experiment exp_key; variation var_key; first; }\n"
    "  segment country = exposure.country;\n"
    "  segment platform = exposure.platform;\n"
    "  metric med = quantile(events.session_seconds, 0.5) within 7d;\n"
    "}\n";

typedef struct Fixture {
    SpecUnit su;
    Arena a;
    SqlProgram sr; /* StarRocks groups the moments and the distribution (MariaDB sends units) */
    const SqlStep *dist;
    RunVariation vars[2];
    RunExperiment exp;
} Fixture;

static void setup_fixture(Fixture *f)
{
    memset(f, 0, sizeof *f);
    cr_assert_eq(spec_load_bytes(&f->su, "rq.ab", SPEC, strlen(SPEC), SYNTAX_DSL), ABC_OK);
    arena_init(&f->a);
    cr_assert_eq(sqlgen_program(f->su.ir, &dialect_starrocks, &f->a, &f->su.diag, &f->sr), ABC_OK);
    for (int i = 0; i < f->sr.nsteps; i++)
        if (f->sr.steps[i].kind == SQLSTEP_STATS && f->sr.steps[i].shape == STATS_DISTRIBUTION)
            f->dist = &f->sr.steps[i];
    cr_assert_not_null(f->dist);
    f->vars[0] = (RunVariation){"v0", "0", "Control", 0.5, true};
    f->vars[1] = (RunVariation){"v1", "1", "Treatment", 0.5, false};
    f->exp = (RunExperiment){.id = "e1", .tracking_key = "exp-rq", .name = "RQ",
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

/* Decode one warehouse row as the runner does and feed it. */
static AbcStatus feed_row(Results *r, const SqlStep *s, const WhRow *row, char *err, size_t errlen)
{
    char e[256];
    if (!err) {
        err = e;
        errlen = sizeof e;
    }
    StatsRowDecoder *d = NULL;
    StatsRow typed;
    AbcStatus st = stats_rows_decoder(s, 2, row, &d, err, errlen);
    if (st == ABC_OK)
        st = stats_rows_decode(d, row, &typed, err, errlen);
    if (st == ABC_OK)
        st = results_add_row(r, s, &typed, err, errlen);
    stats_rows_decoder_free(d);
    return st;
}

/* Feed one distribution row: date, variation, country, platform, value, units. */
static AbcStatus feed(Results *r, const SqlStep *s, const char *date, const char *var,
                      const char *country, const char *platform, const char *value,
                      const char *units)
{
    static const char *const names[] = {"analysis_date", "tracking_key", "variation_key",
                                        "country", "platform", "value", "units"};
    const char *values[] = {date, "exp-rq", var, country, platform, value, units};
    WhRow row = {7, names, values, NULL, 0};
    return feed_row(r, s, &row, NULL, 0);
}

static const SqlStep *moments_step(const Fixture *f)
{
    for (int i = 0; i < f->sr.nsteps; i++)
        if (f->sr.steps[i].kind == SQLSTEP_STATS && f->sr.steps[i].shape == STATS_MOMENTS)
            return &f->sr.steps[i];
    cr_assert_fail("no moments step");
    return NULL;
}

/* Feed one moments row: the cell's units, all with a value of med. */
static AbcStatus feed_moments(Results *r, const Fixture *f, const char *date, const char *var,
                              const char *seg, const char *segval, double units)
{
    static const char *const names[] = {"analysis_date", "tracking_key", "variation_key", "segment",
                                        "segment_value", "units", "med__n", "med__sum",
                                        "med__sum_sq"};
    char u[32];
    snprintf(u, sizeof u, "%.17g", units);
    const char *values[] = {date, "exp-rq", var, seg, segval, u, u, "0", "0"};
    WhRow row = {9, names, values, NULL, 0};
    return feed_row(r, moments_step(f), &row, NULL, 0);
}

/* A distribution row of a test: variation, country, platform, value, units. */
typedef struct DRow {
    int var;
    const char *country, *platform;
    double value, units;
} DRow;

static int drow_cmp(const void *x, const void *y)
{
    const DRow *a = x, *b = y;
    return (a->value > b->value) - (a->value < b->value);
}

/* Feed rows as the warehouse sends them: the moments of every cell (all
 * users, each country, each platform) first, then the distribution rows in
 * ascending order of value. */
static void feed_date(Results *r, const Fixture *f, const char *date, DRow *rows, size_t n)
{
    const char *segs[16], *vals[16];
    double units[2][16];
    int ncell = 0;
    memset(units, 0, sizeof units);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            const char *seg = k == 0 ? "" : k == 1 ? "country" : "platform";
            const char *val = k == 0 ? "" : k == 1 ? rows[i].country : rows[i].platform;
            int c = 0;
            while (c < ncell && !(strcmp(segs[c], seg) == 0 && strcmp(vals[c], val) == 0))
                c++;
            if (c == ncell) {
                cr_assert_lt(ncell, 16);
                segs[c] = seg;
                vals[c] = val;
                ncell++;
            }
            units[rows[i].var][c] += rows[i].units;
        }
    for (int v = 0; v < 2; v++)
        for (int c = 0; c < ncell; c++)
            cr_assert_eq(feed_moments(r, f, date, v ? "1" : "0", segs[c], vals[c], units[v][c]),
                         ABC_OK);
    qsort(rows, n, sizeof *rows, drow_cmp);
    for (size_t i = 0; i < n; i++) {
        char value[32], count[32];
        snprintf(value, sizeof value, "%.17g", rows[i].value);
        snprintf(count, sizeof count, "%.17g", rows[i].units);
        cr_assert_eq(feed(r, f->dist, date, rows[i].var ? "1" : "0", rows[i].country,
                          rows[i].platform, value, count),
                     ABC_OK);
    }
}

/* The report row of metric med for (segment, value, variation), or NULL. */
static const SqlValue *find_row(Results *r, long date, const char *seg, const char *val,
                                const char *var)
{
    int n = 0;
    const SqlValue *rows = results_rows(r, date, &n);
    int cm = -1, cs = -1, cv = -1, cvar = -1;
    for (int i = 0; i < SQLGEN_REPORT_NCOLUMNS; i++) {
        if (!strcmp(SQLGEN_REPORT_COLUMNS[i], "metric")) cm = i;
        if (!strcmp(SQLGEN_REPORT_COLUMNS[i], "segment")) cs = i;
        if (!strcmp(SQLGEN_REPORT_COLUMNS[i], "segment_value")) cv = i;
        if (!strcmp(SQLGEN_REPORT_COLUMNS[i], "variation_key")) cvar = i;
    }
    for (int k = 0; k < n; k++) {
        const SqlValue *row = &rows[k * SQLGEN_REPORT_NCOLUMNS];
        if (!strcmp(row[cm].s, "med") && !strcmp(row[cs].s, seg) && !strcmp(row[cv].s, val) &&
            !strcmp(row[cvar].s, var))
            return row;
    }
    return NULL;
}

static double col(const SqlValue *row, const char *name)
{
    for (int i = 0; i < SQLGEN_REPORT_NCOLUMNS; i++)
        if (!strcmp(SQLGEN_REPORT_COLUMNS[i], name))
            return row[i].kind == SQLV_INT ? (double)row[i].i : row[i].d;
    return NAN;
}

Test(results, distribution_rows_fan_out_to_every_segment)
{
    Fixture f;
    setup_fixture(&f);
    Results *r = results_new(f.su.ir, &f.exp, 1, "2025-10-09 00:00:00");
    const char *d = "2025-10-08";
    DRow rows[] = {
        /* control: DE/ios {1, 2, 2}, DE/web {3}, US/ios {10, 20}, NULL country {5} */
        {0, "US", "ios", 20, 1}, {0, "DE", "ios", 2, 2}, {0, "DE", "web", 3, 1},
        {0, "DE", "ios", 1, 1}, {0, "US", "ios", 10, 1}, {0, "(null)", "web", 5, 1},
        /* treatment: DE/web {4, 6}, US/ios {30, 40, 50} */
        {1, "US", "ios", 40, 1}, {1, "DE", "web", 4, 1}, {1, "US", "ios", 30, 1},
        {1, "DE", "web", 6, 1}, {1, "US", "ios", 50, 1},
    };
    feed_date(r, &f, d, rows, sizeof rows / sizeof rows[0]);
    char err[256];
    cr_assert_eq(results_compute(r, err, sizeof err), ABC_OK, "%s", err);
    long day;
    cr_assert(date_parse(d, &day));
    struct {
        const char *seg, *val, *var;
        double users, median;
    } want[] = {
        /* medians interpolate between order statistics (gsl) */
        {"", "", "0", 7, 3},            /* 1 2 2 3 5 10 20 */
        {"country", "DE", "0", 4, 2},   /* 1 2 2 3 */
        {"country", "US", "0", 2, 15},  /* 10 20 */
        {"country", "(null)", "0", 1, 5},
        {"platform", "ios", "0", 5, 2}, /* 1 2 2 10 20 */
        {"platform", "web", "0", 2, 4}, /* 3 5 */
        {"country", "DE", "1", 2, 5},   /* 4 6 */
        {"country", "US", "1", 3, 40},  /* 30 40 50 */
        {"", "", "1", 5, 30},           /* 4 6 30 40 50 */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const SqlValue *row = find_row(r, day, want[i].seg, want[i].val, want[i].var);
        cr_assert_not_null(row, "no row for %s=%s variation %s", want[i].seg, want[i].val, want[i].var);
        cr_expect_eq(col(row, "users"), want[i].users, "%s=%s/%s: users %g", want[i].seg,
                     want[i].val, want[i].var, col(row, "users"));
        cr_expect_eq(col(row, "mean"), want[i].median, "%s=%s/%s: median %g, want %g",
                     want[i].seg, want[i].val, want[i].var, col(row, "mean"), want[i].median);
    }
    results_free(r);
    teardown_fixture(&f);
}

/* Thousands of rows over a few dozen values, spread over segment values,
 * several rows per value and cell: the streams gather each value's counts,
 * and the published quantile, its interval and the unit count equal the
 * kernel's over the raw values. */
Test(results, streamed_distribution_gives_the_raw_quantile)
{
    Fixture f;
    setup_fixture(&f);
    Results *r = results_new(f.su.ir, &f.exp, 1, "2025-10-09 00:00:00");
    const char *d = "2025-10-08";
    static const char *const countries[] = {"DE", "US", "FR"}, *const platforms[] = {"ios", "web"};
    enum { NROWS = 3000 };
    static double raw[2][NROWS * 3];
    static DRow rows[NROWS];
    size_t nraw[2] = {0, 0};
    for (int i = 0; i < NROWS; i++) {
        int var = i % 2, units = 1 + i % 3;
        double value = (double)((i * 7919) % (37 + 4 * var)) / 2;
        rows[i] = (DRow){var, countries[i % 3], platforms[i % 2 ? 0 : 1], value, units};
        for (int u = 0; u < units; u++)
            raw[var][nraw[var]++] = value;
    }
    feed_date(r, &f, d, rows, NROWS);
    char err[256];
    cr_assert_eq(results_compute(r, err, sizeof err), ABC_OK, "%s", err);
    long day;
    cr_assert(date_parse(d, &day));
    for (int var = 0; var < 2; var++) {
        StatsQuantile q;
        cr_assert_eq(stats_quantile_ci(raw[var], nraw[var], 0.5, 0.05, &q), ABC_OK);
        const SqlValue *row = find_row(r, day, "", "", var ? "1" : "0");
        cr_assert_not_null(row);
        cr_expect_eq(col(row, "users"), (double)nraw[var]);
        cr_expect_eq(col(row, "mean"), q.est, "median %g, want %g", col(row, "mean"), q.est);
        cr_expect_eq(col(row, "value_low"), q.ci_lo);
        cr_expect_eq(col(row, "value_high"), q.ci_hi);
    }
    results_free(r);
    teardown_fixture(&f);
}

Test(results, distribution_rows_out_of_order_or_malformed_are_errors)
{
    Fixture f;
    setup_fixture(&f);
    Results *r = results_new(f.su.ir, &f.exp, 1, "2025-10-09 00:00:00");
    cr_assert_eq(feed(r, f.dist, "2025-10-08", "0", "DE", "ios", "1", "1"), ABC_OK);
    cr_assert_eq(feed(r, f.dist, "2025-10-08", "1", "DE", "ios", "3", "1"), ABC_OK);
    char err[256] = "";
    cr_expect_neq(feed_row(r, f.dist,
                           &(WhRow){7,
                                    (const char *const[]){"analysis_date", "tracking_key",
                                                          "variation_key", "country", "platform",
                                                          "value", "units"},
                                    (const char *const[]){"2025-10-08", "exp-rq", "0", "DE", "web",
                                                          "2", "1"},
                                    NULL, 0},
                           err, sizeof err),
                  ABC_OK, "a value below the last of its cell");
    cr_expect(strstr(err, "ordered by value") != NULL, "%s", err);
    cr_expect_neq(feed(r, f.dist, "2025-10-07", "0", "DE", "ios", "1", "1"), ABC_OK);
    cr_expect_neq(feed(r, f.dist, "2025-10-08", "0", "DE", "ios", "x", "1"), ABC_OK);
    cr_expect_neq(feed(r, f.dist, "not a date", "0", "DE", "ios", "1", "1"), ABC_OK);
    static const char *const names[] = {"analysis_date", "tracking_key", "variation_key",
                                        "country", "value", "units"};
    const char *values[] = {"2025-10-08", "exp-rq", "0", "DE", "1", "1"};
    WhRow row = {6, names, values, NULL, 0};
    cr_expect_neq(feed_row(r, f.dist, &row, err, sizeof err), ABC_OK);
    cr_expect(strstr(err, "platform") != NULL, "error names the missing slot: %s", err);
    results_free(r);
    teardown_fixture(&f);
}

/* The moments say how many units each arm of a cell holds; values that add
 * up to another number fail the run, naming the cell. */
Test(results, distribution_counts_that_disagree_with_the_moments_are_errors)
{
    Fixture f;
    setup_fixture(&f);
    Results *r = results_new(f.su.ir, &f.exp, 1, "2025-10-09 00:00:00");
    const char *d = "2025-10-08";
    DRow rows[] = {{0, "DE", "ios", 1, 1}, {0, "DE", "ios", 2, 1}, {1, "DE", "ios", 3, 2}};
    feed_date(r, &f, d, rows, 3);
    /* one more control value than the moments counted */
    cr_assert_eq(feed(r, f.dist, d, "0", "DE", "ios", "9", "1"), ABC_OK);
    char err[256] = "";
    cr_expect_neq(results_compute(r, err, sizeof err), ABC_OK);
    cr_expect(strstr(err, "exp-rq") && strstr(err, "2025-10-08") && strstr(err, "units"), "%s", err);
    results_free(r);
    teardown_fixture(&f);
}

/* A variation of weight 0 (GrowthBook trafficSplit) that has users fails
 * the SRM check with p = 0; the memo never calls a NaN p-value OK. */
Test(results, users_in_a_zero_weight_variation_are_an_srm_failure)
{
    Fixture f;
    setup_fixture(&f);
    RunVariation vars[3] = {f.vars[0], f.vars[1], {"v2", "2", "Off", 0, false}};
    vars[0].weight = vars[1].weight = 0.5;
    f.exp.variations = vars;
    f.exp.nvariations = 3;
    Results *r = results_new(f.su.ir, &f.exp, 1, "2025-10-09 00:00:00");
    const char *d = "2025-10-08";
    const char *const var[] = {"0", "1", "2"};
    const SqlStep *mom = NULL;
    for (int i = 0; i < f.sr.nsteps; i++)
        if (f.sr.steps[i].kind == SQLSTEP_STATS && f.sr.steps[i].shape == STATS_MOMENTS)
            mom = &f.sr.steps[i];
    cr_assert_not_null(mom);
    static const char *const names[] = {"analysis_date", "tracking_key", "variation_key", "segment",
                                        "segment_value", "units", "med__n", "med__sum",
                                        "med__sum_sq"};
    for (int v = 0; v < 3; v++) {
        const char *values[] = {d, "exp-rq", var[v], "", "", "20", "20", "200", "2500"};
        WhRow row = {9, names, values, NULL, 0};
        cr_assert_eq(feed_row(r, mom, &row, NULL, 0), ABC_OK);
        for (int k = 0; k < 2; k++) {
            const char *segrow[] = {d, "exp-rq", var[v], k ? "platform" : "country", k ? "ios" : "US",
                                    "20", "20", "200", "2500"};
            WhRow srow = {9, names, segrow, NULL, 0};
            cr_assert_eq(feed_row(r, mom, &srow, NULL, 0), ABC_OK);
        }
    }
    for (int x = 0; x < 22; x++) /* values ascending: variation v holds v .. v + 19 */
        for (int v = 0; v < 3; v++)
            if (x >= v && x < v + 20) {
                char val[16];
                snprintf(val, sizeof val, "%d", x);
                cr_assert_eq(feed(r, f.dist, d, var[v], "US", "ios", val, "1"), ABC_OK);
            }
    char err[256];
    cr_assert_eq(results_compute(r, err, sizeof err), ABC_OK, "%s", err);
    long day;
    cr_assert(date_parse(d, &day));
    ResultsHealth h = results_health(r, day);
    cr_expect_eq(h.srm_failures, 1, "SRM failures: %d", h.srm_failures);
    const SqlValue *row = find_row(r, day, "", "", "1");
    cr_assert_not_null(row);
    cr_expect_eq(col(row, "srm_p_value"), 0.0, "srm_p_value %g", col(row, "srm_p_value"));
    Buf memo;
    buf_init(&memo);
    results_memo(r, day, "run", &memo);
    cr_expect(!strstr(memo.data, "nan"), "memo prints nan:\n%s", memo.data);
    cr_expect(!strstr(memo.data, "— OK"), "memo says OK:\n%s", memo.data);
    cr_expect(strstr(memo.data, "Off (key 2) has weight 0 but 20 users") || strstr(memo.data, "has weight 0 but 20 users"), "memo:\n%s", memo.data);
    buf_free(&memo);
    results_free(r);
    teardown_fixture(&f);
}
