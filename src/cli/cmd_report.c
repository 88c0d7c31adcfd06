/* cmd_report.c — abc report: read the stored results of a tag (its report
 * table; with --html also the daily table for the effect over time, and
 * experiment_data for the weights; with --html and --json the growth rows
 * of its activity blocks; with --html the hourly series of specs with
 * `hourly`) into report rows and render them through
 * src/report/: Markdown (default, the memo's renderer), JSON (--json), or
 * the self-contained HTML results page (--html FILE). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abc/cli.h"
#include "abc/config.h"
#include "abc/gb.h"
#include "abc/hourly.h"
#include "abc/report.h"
#include "abc/report_row.h"
#include "abc/run.h"
#include "abc/runcli.h"
#include "abc/spec.h"
#include "abc/sqlgen.h"
#include "abc/wh.h"

static const char report_help[] =
    "usage: abc report [--config FILE] [--spec FILE] [--json | --html FILE] TAG\n"
    "\n"
    "Render the latest stored results of TAG (its report table in the warehouse):\n"
    "  (default)    Markdown on stdout, as the memo of `abc run`: per experiment the\n"
    "               verdict per variation, health (SRM, data quality, guardrails),\n"
    "               the sample the spec's power/mde need, the all-users table, notes\n"
    "  --json       one JSON object: every stored row (all segments), typed, and\n"
    "               the growth series of the spec's activity blocks (docs/RUNNING.md)\n"
    "  --html FILE  a self-contained HTML results page, written atomically: verdict\n"
    "               and health banner per experiment, metrics by role with a forest\n"
    "               plot and the effect over time (from the daily table), segment\n"
    "               breakdowns collapsed; with activity blocks, the growth charts\n"
    "               (DAU/WAU/MAU, growth accounting, retention triangles); with\n"
    "               `hourly` in the spec, the exposures per hour of the last 48\n"
    "               hours; no script, no external resources\n"
    "The spec is specs/TAG.ab (or .yaml) unless --spec names it.  `abc run` writes\n"
    "the same Markdown and HTML next to each other (reports/TAG.md, reports/TAG.html).\n"
    "\n"
    "exit codes: 0 ok, 1 no results or spec error, 2 usage, 3 warehouse unreachable\n";

/* Rows read back into ReportRow (report_row_read), strings in the arena. */
typedef struct RowSet {
    ReportRow *rows;
    int n, cap;
    int *map;
    Arena *arena;
    char err[256];
} RowSet;

static AbcStatus collect(const WhRow *row, void *ctx)
{
    RowSet *rs = ctx;
    if (!rs->map) {
        rs->map = arena_alloc(rs->arena, sizeof(int) * (row->ncols + 1));
        report_row_map(row->names, (int)row->ncols, rs->map);
    }
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        ReportRow *p = realloc(rs->rows, sizeof(ReportRow) * (size_t)rs->cap);
        if (!p)
            return ABC_ERR_ENV;
        rs->rows = p;
    }
    AbcStatus st = report_row_read(&rs->rows[rs->n], rs->map, row->values, (int)row->ncols, rs->arena,
                                   rs->err, sizeof rs->err);
    if (st != ABC_OK)
        return st;
    rs->n++;
    return ABC_OK;
}

/* experiment_data: the tag's experiments and variations with weights. */
typedef struct ExpSet {
    ReportExperiment *exps;
    int n, cap;
    Arena *arena;
} ExpSet;

static const char *dup_or_null(Arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static AbcStatus collect_exp(const WhRow *row, void *ctx)
{
    ExpSet *es = ctx;
    const char *const *v = row->values;
    if (row->ncols < 9)
        return ABC_ERR_ENV;
    ReportExperiment *x = es->n ? &es->exps[es->n - 1] : NULL;
    if (!x || strcmp(x->tracking_key ? x->tracking_key : "", v[0] ? v[0] : "")) {
        if (es->n == es->cap) {
            es->cap = es->cap ? es->cap * 2 : 16;
            ReportExperiment *p = realloc(es->exps, sizeof *p * (size_t)es->cap);
            if (!p)
                return ABC_ERR_ENV;
            es->exps = p;
        }
        x = &es->exps[es->n++];
        *x = (ReportExperiment){.tracking_key = dup_or_null(es->arena, v[0]), .id = dup_or_null(es->arena, v[1]),
                                .name = dup_or_null(es->arena, v[2]), .phase_name = dup_or_null(es->arena, v[3]),
                                .phase_start = dup_or_null(es->arena, v[4]),
                                .phase_end = dup_or_null(es->arena, v[5])};
    }
    ReportVariation *nv = arena_alloc(es->arena, sizeof *nv * (size_t)(x->nvariations + 1));
    if (x->nvariations)
        memcpy(nv, x->variations, sizeof *nv * (size_t)x->nvariations);
    char *end = NULL;
    double w = v[8] ? strtod(v[8], &end) : NAN;
    nv[x->nvariations++] = (ReportVariation){dup_or_null(es->arena, v[6]), dup_or_null(es->arena, v[7]),
                                             end && *end == '\0' ? w : NAN};
    x->variations = nv;
    return ABC_OK;
}

static const TableDef *find_table(const SqlProgram *prog, const char *name)
{
    for (int i = 0; i < prog->ntables; i++)
        if (!strcmp(prog->tables[i].name, name))
            return &prog->tables[i];
    return NULL;
}

/* The hourly series (specs with `hourly`): the last 48 hours up to the
 * recorded high-water mark, through the program's hourly_state_read and
 * hourly_read steps.  Nothing when the spec has none or nothing is filled. */
typedef struct HourSet {
    ReportHourly *v;
    int n, cap;
    Arena *arena;
    char high_water[20];
} HourSet;

static AbcStatus collect_state(const WhRow *row, void *ctx)
{
    HourSet *hs = ctx;
    if (row->ncols >= 1 && row->values[0])
        snprintf(hs->high_water, sizeof hs->high_water, "%.19s", row->values[0]);
    return ABC_OK;
}

static AbcStatus collect_hour(const WhRow *row, void *ctx)
{
    HourSet *hs = ctx;
    if (row->ncols < 6 || !row->values[0] || !row->values[1] || !row->values[3])
        return ABC_OK;
    if (hs->n == hs->cap) {
        hs->cap = hs->cap ? 2 * hs->cap : 256;
        ReportHourly *v = arena_alloc(hs->arena, sizeof *v * (size_t)hs->cap);
        if (hs->n)
            memcpy(v, hs->v, sizeof *v * (size_t)hs->n);
        hs->v = v;
    }
    hs->v[hs->n++] = (ReportHourly){
        arena_strdup(hs->arena, row->values[0]), arena_strdup(hs->arena, row->values[1]),
        arena_strdup(hs->arena, row->values[2] ? row->values[2] : ""),
        strcmp(row->values[3], "srm_p_value") == 0,
        row->values[4] ? strtod(row->values[4], NULL) : NAN,
        row->values[5] ? strtod(row->values[5], NULL) : NAN};
    return ABC_OK;
}

static void read_hourly(Warehouse *wh, const Dialect *d, const SqlProgram *prog, HourSet *hs)
{
    const SqlStep *state = NULL, *read = NULL;
    for (int i = 0; i < prog->nsteps; i++) {
        if (prog->steps[i].kind == SQLSTEP_HOURLY_STATE_READ)
            state = &prog->steps[i];
        if (prog->steps[i].kind == SQLSTEP_HOURLY_READ)
            read = &prog->steps[i];
    }
    if (!state || !read)
        return;
    char err[512];
    SqlParams p;
    memset(&p, 0, sizeof p);
    Buf sql;
    buf_init(&sql);
    long long hw;
    if (sqlgen_bind(d, state->stmts[0], &p, &sql, err, sizeof err) != ABC_OK ||
        wh_query(wh, sql.data, collect_state, hs, NULL, err, sizeof err) != ABC_OK ||
        !hourly_ts_parse(hs->high_water, &hw)) {
        buf_free(&sql);
        return; /* nothing filled yet (or no such table) */
    }
    char from[20], day[11];
    hourly_ts_format(hw - 47 * 3600, from);
    snprintf(day, sizeof day, "%.10s", from);
    p.from_time = from;
    p.from_date = day;
    buf_reset(&sql);
    if (sqlgen_bind(d, read->stmts[0], &p, &sql, err, sizeof err) != ABC_OK ||
        wh_query(wh, sql.data, collect_hour, hs, NULL, err, sizeof err) != ABC_OK)
        hs->n = 0;
    buf_free(&sql);
}

int cmd_report(int argc, char **argv)
{
    const char *config_path = NULL, *spec_path = NULL, *html = NULL, *tag = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(report_help, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--html") && v) {
            html = v, i++;
        } else if (!strcmp(a, "--config") && v) {
            config_path = v, i++;
        } else if (!strcmp(a, "--spec") && v) {
            spec_path = v, i++;
        } else if (a[0] == '-') {
            static const char *const opts[] = {"--help", "--json", "--html", "--config", "--spec", NULL};
            for (int k = 0; opts[k]; k++)
                if (!strcmp(a, opts[k]))
                    return cli_usage_error("report", "%s needs a value", a);
            return cli_unknown_option("report", a, opts);
        } else if (tag) {
            return cli_usage_error("report", "one TAG only: '%s' after '%s'", a, tag);
        } else {
            tag = a;
        }
    }
    if (!tag || (json && html)) {
        fprintf(stderr, "abc report: give one TAG, and at most one of --json / --html\n%s", report_help);
        return 2;
    }
    char path[1024], err[1024];
    if (!spec_path) {
        snprintf(path, sizeof path, "specs/%s.ab", tag);
        if (access(path, F_OK) != 0)
            snprintf(path, sizeof path, "specs/%s.yaml", tag);
        if (access(path, F_OK) != 0) {
            cli_error("report", "no spec for tag '%s': neither specs/%s.ab nor specs/%s.yaml "
                      "exists here (give --spec FILE)", tag, tag, tag);
            return 1;
        }
        spec_path = path;
    }
    int rc = 0;
    AbcConfig *cfg = NULL;
    Warehouse *wh = NULL;
    const Dialect *dialect = NULL;
    SpecUnit u;
    bool loaded = false;
    Arena arena;
    arena_init(&arena);
    RowSet rows = {.arena = &arena}, daily = {.arena = &arena};
    ExpSet exps = {.arena = &arena};
    Buf sql, out;
    buf_init(&sql);
    buf_init(&out);
    if (runcli_load_config("report", config_path, &cfg, &rc) != ABC_OK)
        goto done;
    loaded = true;
    if (spec_load(&u, spec_path) != ABC_OK) {
        diag_print(&u.diag, stderr);
        rc = 1;
        goto done;
    }
    if (strcmp(u.ir->tag, tag)) {
        fprintf(stderr, "abc report: %s is the spec of tag '%s', not '%s'\n", spec_path, u.ir->tag, tag);
        rc = 2;
        goto done;
    }
    if (strcmp(u.ir->abc_database, "abc") == 0 && cfg->databases.abc)
        u.ir->abc_database = cfg->databases.abc;
    if (runcli_open_warehouse(cfg, &wh, &dialect, err, sizeof err) != ABC_OK) {
        fprintf(stderr, "abc report: %s\n", err);
        rc = 3;
        goto done;
    }
    SqlProgram prog;
    if (sqlgen_program(u.ir, dialect, &arena, &u.diag, &prog) != ABC_OK) {
        diag_print(&u.diag, stderr);
        rc = 1;
        goto done;
    }
    const TableDef *rep = find_table(&prog, u.ir->report_table);
    if (!rep) {
        fprintf(stderr, "abc report: no report table for tag '%s'\n", tag);
        rc = 1;
        goto done;
    }
    buf_puts(&sql, "SELECT * FROM ");
    dialect_qualified(dialect, &sql, rep->db, rep->name);
    buf_puts(&sql, " WHERE tag = ");
    dialect->string(&sql, tag);
    buf_puts(&sql, " ORDER BY experiment_id, segment, segment_value, metric, is_control DESC, variation_key");
    if (wh_query(wh, sql.data, collect, &rows, NULL, err, sizeof err) != ABC_OK) {
        bool missing = wh_last_error(wh) == WH_ERR_NO_TABLE;
        if (missing)
            fprintf(stderr, "abc report: no results for tag '%s' yet (run `abc run %s` first)\n", tag, spec_path);
        else
            fprintf(stderr, "abc report: %s\n", rows.err[0] ? rows.err : err);
        rc = missing ? 1 : 3;
        goto done;
    }
    if (rows.n == 0) {
        fprintf(stderr, "abc report: no results for tag '%s' yet (run `abc run %s` first)\n", tag, spec_path);
        rc = 1;
        goto done;
    }
    if (!json) {
        /* the tag's experiments with their weights (also those without rows);
         * a missing table leaves the experiments the rows name */
        const TableDef *xd = find_table(&prog, "experiment_data");
        if (xd) {
            buf_reset(&sql);
            buf_puts(&sql, "SELECT tracking_key, experiment_id, experiment_name, phase_name, phase_start, phase_end, "
                           "variation_key, variation_name, weight FROM ");
            dialect_qualified(dialect, &sql, xd->db, xd->name);
            buf_puts(&sql, " WHERE tag = ");
            dialect->string(&sql, tag);
            buf_puts(&sql, " ORDER BY experiment_id, tracking_key, is_control DESC, variation_key");
            if (wh_query(wh, sql.data, collect_exp, &exps, NULL, err, sizeof err) != ABC_OK)
                exps.n = 0;
        }
    }
    const TableDef *dt = html ? find_table(&prog, u.ir->daily_table) : NULL;
    if (dt) {
        /* the effect over time: all-users rows of every analysis date */
        buf_reset(&sql);
        buf_puts(&sql, "SELECT * FROM ");
        dialect_qualified(dialect, &sql, dt->db, dt->name);
        buf_puts(&sql, " WHERE tag = ");
        dialect->string(&sql, tag);
        buf_puts(&sql, " AND segment = '' AND is_control = 0 ORDER BY experiment_id, metric, variation_key, analysis_date");
        if (wh_query(wh, sql.data, collect, &daily, NULL, err, sizeof err) != ABC_OK)
            daily.n = 0;
    }
    ReportActivity act = {0};
    if ((json || html) && run_read_activity(wh, &prog, &arena, &act, err, sizeof err) != ABC_OK) {
        /* a spec whose growth tables a run has not created yet has no growth rows */
        if (wh_last_error(wh) != WH_ERR_NO_TABLE) {
            fprintf(stderr, "abc report: %s\n", err);
            rc = 3;
            goto done;
        }
        act = (ReportActivity){0};
    }
    HourSet hours = {.arena = &arena};
    if (html)
        read_hourly(wh, dialect, &prog, &hours);
    ReportInput in = {.tag = tag, .heading = "stored results", .ir = u.ir, .exps = exps.exps, .nexps = exps.n,
                      .rows = rows.rows, .nrows = rows.n, .daily = daily.rows, .ndaily = daily.n,
                      .activity = &act, .hourly = hours.v, .nhourly = hours.n};
    if (json) {
        report_json(tag, rows.rows, rows.n, u.ir, &act, &out);
        fwrite(out.data, 1, out.len, stdout);
    } else if (html) {
        report_html(&in, &out);
        if (file_write_atomic(html, out.data, out.len, err, sizeof err) != ABC_OK) {
            fprintf(stderr, "abc report: %s\n", err);
            rc = 3;
            goto done;
        }
        fprintf(stderr, "abc report: wrote %s\n", html);
    } else {
        report_markdown(&in, &out);
        fwrite(out.data, 1, out.len, stdout);
    }
done:
    free(rows.rows);
    free(daily.rows);
    free(exps.exps);
    buf_free(&sql);
    buf_free(&out);
    arena_free(&arena);
    if (loaded)
        spec_unit_free(&u);
    wh_close(wh);
    wh_shutdown();
    config_free(cfg);
    return rc;
}
