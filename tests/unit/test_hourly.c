/* test_hourly.c — the hourly series: the cumulative SRM p-value per
 * experiment and hour (hourly_srm over hourly_cumulative's rows, against
 * scipy.stats.chisquare), the time helpers, the `hourly;` setting's rules,
 * and the generated steps (both dialects: every hourly step present, the
 * window placeholders, statement lines of at most 100 characters).
 */
#include "abc/hourly.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "abc/dialect.h"
#include "abc/spec.h"
#include "abc/sqlgen.h"

#define ROW(h, k, v, n, w) ((HourlyCumulative){h, k, v, n, w})

Test(hourly, srm_per_experiment_and_hour)
{
    /* two experiments; rows grouped by tracking key and hour, as the step
     * orders them */
    const HourlyCumulative rows[] = {
        ROW("2026-12-01 00:00:00", "a", "ctl", 0, 0.5),
        ROW("2026-12-01 00:00:00", "a", "trt", 0, 0.5),
        ROW("2026-12-01 01:00:00", "a", "ctl", 60, 0.5),
        ROW("2026-12-01 01:00:00", "a", "trt", 40, 0.5),
        ROW("2026-12-01 02:00:00", "a", "ctl", 50, 0.5),
        ROW("2026-12-01 02:00:00", "a", "trt", 50, 0.5),
        ROW("2026-12-01 01:00:00", "b", "x", 30, 1),   /* weights 1:1:2, normalised */
        ROW("2026-12-01 01:00:00", "b", "y", 20, 1),
        ROW("2026-12-01 01:00:00", "b", "z", 50, 2),
        ROW("2026-12-01 02:00:00", "b", "x", 30, NAN), /* a weight unknown: no p-value */
        ROW("2026-12-01 02:00:00", "b", "y", 20, 1),
    };
    int n = (int)(sizeof rows / sizeof rows[0]);
    HourlySrm out[16];
    int ng = hourly_srm(rows, n, out);
    cr_assert_eq(ng, 5);
    cr_assert_str_eq(out[0].tracking_key, "a");
    cr_assert_str_eq(out[0].hour, "2026-12-01 00:00:00");
    cr_assert(isnan(out[0].p_value), "nobody exposed yet: no p-value");
    /* scipy.stats.chisquare([60, 40], [50, 50]).pvalue */
    cr_assert_float_eq(out[1].p_value, 0.04550026389635857, 1e-12);
    cr_assert_float_eq(out[2].p_value, 1.0, 1e-12);
    cr_assert_str_eq(out[3].tracking_key, "b");
    /* scipy.stats.chisquare([30, 20, 50], [25, 25, 50]).pvalue */
    cr_assert_float_eq(out[3].p_value, 0.36787944117144245, 1e-12);
    cr_assert(isnan(out[4].p_value));
    cr_assert_str_eq(out[4].hour, "2026-12-01 02:00:00");
}

Test(hourly, srm_of_nothing)
{
    HourlySrm out[1];
    cr_assert_eq(hourly_srm(NULL, 0, out), 0);
}

Test(hourly, times)
{
    long long t;
    char s[20];
    cr_assert(hourly_ts_parse("2026-12-03 10:20:05", &t));
    cr_assert_eq(t % 86400, 10 * 3600 + 20 * 60 + 5);
    hourly_ts_format(t - t % 3600 - 11 * 3600, s);
    cr_assert_str_eq(s, "2026-12-02 23:00:00");
    cr_assert(hourly_ts_parse("2024-02-29", &t));
    hourly_ts_format(t, s);
    cr_assert_str_eq(s, "2024-02-29 00:00:00");
    cr_assert_not(hourly_ts_parse("2026-12-03 24:00:00", &t));
    cr_assert_not(hourly_ts_parse("2026-12-03 10:20", &t));
    cr_assert_not(hourly_ts_parse("2026-02-30 10:00:00", &t));
    cr_assert_not(hourly_ts_parse("2026-12-03 10:20:05x", &t));
}

static const char SPEC[] =
    "tag hr {\n"
    "  module \"m\";\n"
    "  source events \"ods.e\" { user user_id; time event_time; date event_date; }\n"
    "  exposure events where event_name = \"viewed\" { experiment exp_key; variation var_key; }\n"
    "  metric opens = count(events where event_name = \"open\") within 7d;\n"
    "  metric rev = sum(events.amount) within 7d;\n"
    "  analysis { hourly; }\n"
    "}\n";

static const SqlStepKind HOURLY_KINDS[] = {
    SQLSTEP_HOURLY_RESET, SQLSTEP_HOURLY_UNITS, SQLSTEP_HOURLY_FILL, SQLSTEP_HOURLY_CUMULATIVE,
    SQLSTEP_HOURLY_SRM, SQLSTEP_HOURLY_READ, SQLSTEP_HOURLY_STATE_READ,
    SQLSTEP_HOURLY_STATE_WRITE};

static const SqlStep *step_of(const SqlProgram *p, SqlStepKind k)
{
    for (int i = 0; i < p->nsteps; i++)
        if (p->steps[i].kind == k)
            return &p->steps[i];
    return NULL;
}

static void steps_of(const Dialect *d)
{
    SpecUnit u;
    cr_assert_eq(spec_load_bytes(&u, "hr.ab", SPEC, strlen(SPEC), SYNTAX_DSL), ABC_OK);
    cr_assert(u.ir->analysis.hourly);
    Arena a;
    arena_init(&a);
    SqlProgram p;
    cr_assert_eq(sqlgen_program(u.ir, d, &a, &u.diag, &p), ABC_OK);
    for (size_t k = 0; k < sizeof HOURLY_KINDS / sizeof HOURLY_KINDS[0]; k++) {
        const SqlStep *s = step_of(&p, HOURLY_KINDS[k]);
        cr_assert_not_null(s, "%s: step kind %d missing", d->name, (int)HOURLY_KINDS[k]);
        for (int i = 0; i < s->nstmts; i++) {
            const char *line = s->stmts[i];
            while (line && *line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                /* the phases CTE is the assignment's own (sqlgen_dml.c) */
                if (!strstr(line, "MAX(`phase_start`)") || (nl && strstr(line, "MAX(") > nl))
                    cr_assert_leq(len, 100, "%s %s: %.*s", d->name, s->name, (int)len, line);
                line = nl ? nl + 1 : NULL;
            }
        }
    }
    const SqlStep *fill = step_of(&p, SQLSTEP_HOURLY_FILL);
    cr_assert(fill->params & SQLP_FROM_TIME);
    cr_assert(fill->params & SQLP_TO_TIME);
    cr_assert_not_null(strstr(fill->stmts[fill->nstmts - 1], "'opens'"));
    cr_assert_not_null(strstr(fill->stmts[fill->nstmts - 1], "'sum'"));
    /* the hourly tables are the program's last three */
    cr_assert_str_eq(p.tables[p.ntables - 1].name, "hourly_state");
    cr_assert_str_eq(p.tables[p.ntables - 3].name, "tbl_hourly_m_hr");
    /* the window binds as datetimes only */
    SqlParams sp = {.from_date = "2026-12-03", .to_date = "2026-12-03",
                    .from_time = "2026-12-03 09:00:00", .to_time = "2026-12-03 11:00:00",
                    .run_id = "r1"};
    Buf out;
    buf_init(&out);
    char err[200];
    cr_assert_eq(sqlgen_bind(d, fill->stmts[fill->nstmts - 1], &sp, &out, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_not_null(strstr(out.data, "'2026-12-03 09:00:00'"));
    sp.to_time = "2026-12-03";
    buf_reset(&out);
    cr_assert_eq(sqlgen_bind(d, fill->stmts[fill->nstmts - 1], &sp, &out, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_not_null(strstr(err, "not a datetime"), "%s", err);
    buf_free(&out);
    arena_free(&a);
    spec_unit_free(&u);
}

Test(hourly, steps_mariadb) { steps_of(&dialect_mariadb); }
Test(hourly, steps_starrocks) { steps_of(&dialect_starrocks); }

Test(hourly, no_steps_without_hourly)
{
    static const char plain[] =
        "tag hr {\n  module \"m\";\n"
        "  source events \"ods.e\" { user user_id; time event_time; date event_date; }\n"
        "  exposure events { experiment exp_key; variation var_key; }\n"
        "  metric opens = count(events) within 7d;\n}\n";
    SpecUnit u;
    cr_assert_eq(spec_load_bytes(&u, "hr.ab", plain, strlen(plain), SYNTAX_DSL), ABC_OK);
    Arena a;
    arena_init(&a);
    SqlProgram p;
    cr_assert_eq(sqlgen_program(u.ir, &dialect_mariadb, &a, &u.diag, &p), ABC_OK);
    for (size_t k = 0; k < sizeof HOURLY_KINDS / sizeof HOURLY_KINDS[0]; k++)
        cr_assert_null(step_of(&p, HOURLY_KINDS[k]));
    for (int i = 0; i < p.ntables; i++)
        cr_assert(!p.tables[i].name || !strstr(p.tables[i].name, "hourly"));
    arena_free(&a);
    spec_unit_free(&u);
}

static void expect_error(const char *text, const char *msg)
{
    SpecUnit u;
    cr_assert_neq(spec_load_bytes(&u, "hr.ab", text, strlen(text), SYNTAX_DSL), ABC_OK);
    bool found = false;
    for (int i = 0; i < u.diag.nmsgs; i++)
        found |= strstr(u.diag.msgs[i].msg, msg) != NULL;
    cr_assert(found, "no diagnostic '%s'", msg);
    spec_unit_free(&u);
}

Test(hourly, rules)
{
    expect_error("tag hr {\n  module \"m\";\n"
                 "  source events \"ods.e\" { user user_id; time event_time; date event_date; }\n"
                 "  exposure events { experiment exp_key; variation var_key; }\n"
                 "  metric opens = count(events) within 7d;\n  analysis { hourly 5; }\n}\n",
                 "'hourly' takes no value");
    expect_error("tag hr {\n  module \"m\";\n"
                 "  source events \"ods.e\" { user user_id; date event_date; }\n"
                 "  exposure events { experiment exp_key; variation var_key; }\n"
                 "  metric opens = count(events) within 7d;\n  analysis { hourly; }\n}\n",
                 "'hourly' needs a timestamp: the exposure source 'events' has no 'time' column");
    expect_error("tag hr {\n  module \"m\";\n"
                 "  source events \"ods.e\" { user user_id; time event_time; date event_date; }\n"
                 "  exposure events { experiment exp_key; variation var_key; }\n"
                 "  metric opens = count(events) within 7d;\n  analysis { hourly; hourly; }\n}\n",
                 "hourly");
}
