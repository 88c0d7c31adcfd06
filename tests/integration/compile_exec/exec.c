/* exec.c — runs the MariaDB program of one spec on a real MariaDB (a
 * server on a private socket, or the embedded server in this process) the
 * way a runner would: DDL, experiment config, assignment and wide table per
 * day (or as one backfill), then every sufficient-statistics query, whose
 * rows it writes as TSV files for the independent reference (ref.py).
 *
 *   exec (--socket PATH | --embedded DIR) --spec FILE --first D --last D
 *        --phase-start 'YYYY-MM-DD HH:MM:SS' --experiment KEY=V0,V1 ...
 *        [--range] [--load FILE.sql] [--explain D] --out DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/spec.h"
#include "abc/sqlgen.h"
#include "abc/wh.h"

static char err[2048];

static int die(const char *what)
{
    fprintf(stderr, "exec: %s: %s\n", what, err);
    return 1;
}

static void next_day(char d[11])
{
    int y, m, dd;
    sscanf(d, "%d-%d-%d", &y, &m, &dd);
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int len = md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (++dd > len) {
        dd = 1;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    snprintf(d, 11, "%04d-%02d-%02d", y, m, dd);
}

static int run_step(Warehouse *w, const SqlStep *s, const SqlParams *p, bool explain);

/* The CUPED pre-period table (specs with CUPED): every source day through
 * `last` at once (the runner fills only the days its fills read). */
static int fill_pre(Warehouse *w, const SqlStep *s, SqlParams p, const char *last)
{
    if (!s)
        return 0;
    p.from_date = "1000-01-01";
    p.to_date = last;
    SqlValue mark[2] = {{SQLV_DATE, last, 0, 0}, {SQLV_STRING, "", 0, 0}};
    p.values = mark; /* the step marks its days; one suffices here */
    p.nrows = 1;
    p.ncols = 2;
    return run_step(w, s, &p, false);
}

typedef struct Dates {
    char v[400][11];
    int n;
} Dates;

static AbcStatus date_row(const WhRow *row, void *ctx)
{
    Dates *d = ctx;
    if (row->ncols >= 1 && row->values[0] && d->n < 400)
        snprintf(d->v[d->n++], 11, "%.10s", row->values[0]);
    return ABC_OK;
}

/* The analysis dates unit_state_dates listed, oldest first. */
static Dates state_dates;

/* The unit state: none left (unit_state_clear from 1000-01-01, as abc run
 * clears from its first date due: a second run over the same tables steps
 * every date again), the analysis dates through `last` (unit_state_dates
 * from 1000-01-01, into state_dates), then unit_state for each, from the
 * date before. */
static int fill_unit_state(Warehouse *w, const SqlStep *clear, const SqlStep *dates,
                           const SqlStep *fill, SqlParams p, const char *last)
{
    state_dates.n = 0;
    p.from_date = "1000-01-01";
    if (run_step(w, clear, &p, false))
        return 1;
    p.to_date = last;
    Buf sql;
    buf_init(&sql);
    if (sqlgen_bind(&dialect_mariadb, dates->stmts[0], &p, &sql, err, sizeof err) != ABC_OK ||
        wh_query(w, sql.data, date_row, &state_dates, NULL, err, sizeof err) != ABC_OK) {
        buf_free(&sql);
        return die(dates->name);
    }
    buf_free(&sql);
    const char *prev = "1000-01-01";
    for (int i = 0; i < state_dates.n; i++) {
        p.from_date = prev;
        p.event_date = state_dates.v[i];
        if (run_step(w, fill, &p, false))
            return 1;
        prev = state_dates.v[i];
    }
    return 0;
}

static int run_step(Warehouse *w, const SqlStep *s, const SqlParams *p, bool explain)
{
    for (int i = 0; i < s->nstmts; i++) {
        Buf sql;
        buf_init(&sql);
        if (explain)
            buf_puts(&sql, "EXPLAIN FORMAT=JSON ");
        if (sqlgen_bind(&dialect_mariadb, s->stmts[i], p, &sql, err, sizeof err) != ABC_OK)
            return die("bind");
        /* "SET STATEMENT ... FOR <statement>": the EXPLAIN goes after FOR */
        const char *set = explain ? strstr(sql.data, "\nSET STATEMENT ") : NULL;
        const char *for_ = set ? strstr(set, " FOR\n") : NULL;
        if (for_) {
            size_t at = (size_t)(for_ + strlen(" FOR\n") - sql.data);
            Buf moved;
            buf_init(&moved);
            buf_printf(&moved, "%.*sEXPLAIN FORMAT=JSON %s",
                       (int)(at - strlen("EXPLAIN FORMAT=JSON ")), sql.data + strlen("EXPLAIN FORMAT=JSON "),
                       sql.data + at);
            buf_free(&sql);
            sql = moved;
        }
        if (explain && !strstr(s->stmts[i], "INSERT INTO")) {
            /* a session table the step's INSERT reads (wide_day's cut
             * units) is written for real, so that its plan can be read */
            const char *create = "CREATE OR REPLACE TEMPORARY TABLE";
            if (strstr(s->stmts[i], create) &&
                wh_exec(w, sql.data + strlen("EXPLAIN FORMAT=JSON "), NULL, err, sizeof err) !=
                    ABC_OK)
                return die(s->name);
            buf_free(&sql);
            continue;
        }
        if (explain) {
            char *json = NULL;
            if (wh_query_value(w, sql.data, &json, err, sizeof err) != ABC_OK)
                return die(s->name);
            printf("== %s\n%s\n", s->name, json);
            free(json);
        } else if (wh_exec(w, sql.data, NULL, err, sizeof err) != ABC_OK) {
            fprintf(stderr, "in step %s statement %d\n", s->name, i + 1);
            return die(s->name);
        }
        buf_free(&sql);
    }
    return 0;
}

/* migrate_columns' rows (table, column), kept in an arena */
typedef struct Present {
    Arena *a;
    const char *tables[4096], *cols[4096];
    int n;
} Present;

static AbcStatus present_row(const WhRow *row, void *ctx)
{
    Present *pr = ctx;
    if (row->ncols >= 2 && row->values[0] && row->values[1] && pr->n < 4096) {
        pr->tables[pr->n] = arena_strdup(pr->a, row->values[0]);
        pr->cols[pr->n++] = arena_strdup(pr->a, row->values[1]);
    }
    return ABC_OK;
}

/* After the DDL, as the runner does: add the columns of the spec the
 * (shared) tables lack — the segment columns of experiment_assignment
 * that another spec's DDL created without them. */
static int migrate(Warehouse *w, const SqlProgram *prog, const SqlStep *cols, const SqlParams *p)
{
    Arena a;
    arena_init(&a);
    Present *pr = calloc(1, sizeof *pr);
    pr->a = &a;
    Buf sql;
    buf_init(&sql);
    int rc = 0;
    if (sqlgen_bind(&dialect_mariadb, cols->stmts[0], p, &sql, err, sizeof err) != ABC_OK ||
        wh_query(w, sql.data, present_row, pr, NULL, err, sizeof err) != ABC_OK) {
        rc = die(cols->name);
    } else {
        SqlStep alter;
        int added[2];
        if (sqlgen_migrate_wide(prog, pr->tables, pr->cols, pr->n, &a, &alter, added) > 0)
            rc = run_step(w, &alter, p, false);
    }
    buf_free(&sql);
    free(pr);
    arena_free(&a);
    return rc;
}

/* A query's rows as TSV, the column names first (once per file: the
 * statistics of several dates go to one file). */
typedef struct Tsv {
    FILE *f;
    bool head;
} Tsv;

static AbcStatus tsv_row(const WhRow *row, void *ctx)
{
    Tsv *t = ctx;
    FILE *f = t->f;
    if (!t->head) {
        for (unsigned c = 0; c < row->ncols; c++)
            fprintf(f, "%s%s", c ? "\t" : "", row->names[c]);
        fputc('\n', f);
        t->head = true;
    }
    for (unsigned c = 0; c < row->ncols; c++)
        fprintf(f, "%s%s", c ? "\t" : "", row->values[c] ? row->values[c] : "\\N");
    fputc('\n', f);
    return ABC_OK;
}

static int load_file(Warehouse *w, const char *path)
{
    char *data;
    size_t len;
    if (file_read_all(path, 1u << 30, &data, &len, err, sizeof err) != ABC_OK)
        return die(path);
    char *p = data;
    while (*p) {
        char *nl = strstr(p, ";\n");
        if (!nl)
            break;
        *nl = '\0';
        if (wh_exec(w, p, NULL, err, sizeof err) != ABC_OK) {
            free(data);
            return die("load");
        }
        p = nl + 2;
    }
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *emb = NULL, *specp = NULL, *first = NULL, *last = NULL;
    const char *phase = NULL, *out = NULL, *load = NULL, *explain = NULL, *stats_from = NULL;
    const char *exps[16];
    int nexps = 0;
    bool range = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--range") == 0) {
            range = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "exec: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--socket") == 0) sock = v;
        else if (strcmp(a, "--embedded") == 0) emb = v;
        else if (strcmp(a, "--spec") == 0) specp = v;
        else if (strcmp(a, "--first") == 0) first = v;
        else if (strcmp(a, "--last") == 0) last = v;
        else if (strcmp(a, "--phase-start") == 0) phase = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--load") == 0) load = v;
        else if (strcmp(a, "--explain") == 0) explain = v;
        else if (strcmp(a, "--stats-from") == 0) stats_from = v;
        else if (strcmp(a, "--experiment") == 0 && nexps < 16) exps[nexps++] = v;
        else {
            fprintf(stderr, "exec: unknown option %s\n", a);
            return 2;
        }
    }
    SpecUnit su;
    if (spec_load(&su, specp) != ABC_OK) {
        diag_print(&su.diag, stderr);
        return 1;
    }
    Arena a;
    arena_init(&a);
    SqlProgram prog;
    if (sqlgen_program(su.ir, &dialect_mariadb, &a, &su.diag, &prog) != ABC_OK) {
        diag_print(&su.diag, stderr);
        return 1;
    }
    Warehouse *w = NULL;
    AbcStatus st = emb ? wh_open_embedded(emb, NULL, NULL, &w, err, sizeof err)
                       : wh_open_remote(NULL, 0, "root", NULL, NULL, sock, NULL, &w, err, sizeof err);
    if (st != ABC_OK)
        return die("connect");
    int rc = 0;
    if (load && (rc = load_file(w, load)) != 0)
        goto done;

    const SqlStep *step[SQLSTEP_NKINDS] = {0};
    for (int i = 0; i < prog.nsteps; i++)
        if (!step[prog.steps[i].kind])
            step[prog.steps[i].kind] = &prog.steps[i];
    SqlParams p = {0};
    p.run_id = "test";
    if (explain) {
        p.event_date = explain;
        if ((rc = run_step(w, step[SQLSTEP_DDL], &p, false)) ||
            (rc = migrate(w, &prog, step[SQLSTEP_MIGRATE_COLUMNS], &p)))
            goto done;
        rc = fill_pre(w, step[SQLSTEP_PRE_FILL], p, explain) ||
             run_step(w, step[SQLSTEP_ASSIGN_DAY], &p, true) ||
             run_step(w, step[SQLSTEP_WIDE_DAY], &p, true);
        goto done;
    }
    if ((rc = run_step(w, step[SQLSTEP_DDL], &p, false)) ||
        (rc = migrate(w, &prog, step[SQLSTEP_MIGRATE_COLUMNS], &p)))
        goto done;

    /* experiment_data: the --experiment keys, then the spec's hash assignments */
    SqlValue rows[64 * 18];
    int nrows = 0;
    char keys[64][128];
    for (int e = 0; e < nexps + su.ir->nassignments; e++) {
        const char *key;
        const char *vars[16];
        int nv = 0;
        char buf[512];
        if (e < nexps) {
            snprintf(buf, sizeof buf, "%s", exps[e]);
            char *eq = strchr(buf, '=');
            *eq = '\0';
            key = buf;
            for (char *t = strtok(eq + 1, ","); t && nv < 16; t = strtok(NULL, ","))
                vars[nv++] = t;
        } else {
            const IrHashAssignment *h = &su.ir->assignments[e - nexps];
            key = h->tracking_key;
            for (int v = 0; v < h->nvariations; v++)
                vars[nv++] = h->variations[v];
        }
        for (int v = 0; v < nv; v++, nrows++) {
            SqlValue *r = &rows[nrows * 18];
            snprintf(keys[nrows], sizeof keys[nrows], "%s", key);
            SqlValue nul = {SQLV_NULL, NULL, 0, 0};
            for (int c = 0; c < 18; c++)
                r[c] = nul;
            r[0] = (SqlValue){SQLV_STRING, su.ir->tag, 0, 0};
            r[1] = (SqlValue){SQLV_STRING, keys[nrows], 0, 0};
            r[2] = (SqlValue){SQLV_STRING, arena_strdup(&a, vars[v]), 0, 0};
            r[3] = (SqlValue){SQLV_STRING, keys[nrows], 0, 0};
            r[8] = (SqlValue){SQLV_DATETIME, phase, 0, 0};
            r[13] = (SqlValue){SQLV_DOUBLE, NULL, 0, 1.0 / nv};
            r[14] = (SqlValue){SQLV_INT, NULL, v == 0, 0};
        }
    }
    p.values = rows;
    p.nrows = nrows;
    p.ncols = 18;
    if ((rc = run_step(w, step[SQLSTEP_CONFIG], &p, false)))
        goto done;
    p.values = NULL;
    /* the covariates-only form first (its rows are then replaced) */
    if ((rc = fill_pre(w, step[SQLSTEP_PRE_FILL_COVARIATES], p, last)) ||
        (rc = fill_pre(w, step[SQLSTEP_PRE_FILL], p, last)))
        goto done;
    if (range) {
        p.from_date = first;
        p.to_date = last;
        if ((rc = run_step(w, step[SQLSTEP_RESET], &p, false)) ||
            (rc = run_step(w, step[SQLSTEP_ASSIGN_RANGE], &p, false)) ||
            (rc = run_step(w, step[SQLSTEP_WIDE_RANGE], &p, false)))
            goto done;
    } else {
        char d[11];
        snprintf(d, sizeof d, "%s", first);
        for (;;) {
            p.event_date = d;
            if ((rc = run_step(w, step[SQLSTEP_ASSIGN_DAY], &p, false)) ||
                (rc = run_step(w, step[SQLSTEP_WIDE_DAY], &p, false)))
                goto done;
            if (strcmp(d, last) == 0)
                break;
            next_day(d);
        }
    }
    /* the unit state of every analysis date, oldest first, each from the
     * one before (as abc run computes it) */
    if ((rc = fill_unit_state(w, step[SQLSTEP_UNIT_STATE_CLEAR], step[SQLSTEP_UNIT_STATE_DATES],
                              step[SQLSTEP_UNIT_STATE], p, last)))
        goto done;
    /* --stats-from: analysis dates from a later day, as an incremental run
     * asks for them (the days before come in as each unit's history).
     * Where the statistics queries read one analysis date (stats_one_date)
     * every listed date of the span is sent by itself, all the steps of a
     * date in order, as abc run sends them */
    const char *from = stats_from ? stats_from : first;
    Tsv files[64] = {{0}};
    int nfiles = 0;
    for (int i = 0; i < prog.nsteps && nfiles < 64; i++) {
        if (prog.steps[i].kind != SQLSTEP_STATS)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.tsv", out, prog.steps[i].name);
        if (!(files[nfiles++].f = fopen(path, "w"))) {
            rc = die(prog.steps[i].name);
            goto stats_done;
        }
    }
    int ndates = prog.stats_one_date ? state_dates.n : 1;
    for (int k = 0; k < ndates; k++) {
        if (prog.stats_one_date) {
            if (strcmp(state_dates.v[k], from) < 0 || strcmp(state_dates.v[k], last) > 0)
                continue;
            p.from_date = p.to_date = state_dates.v[k];
        } else {
            p.from_date = from;
            p.to_date = last;
        }
        for (int i = 0, f = 0; i < prog.nsteps; i++) {
            const SqlStep *s = &prog.steps[i];
            if (s->kind != SQLSTEP_STATS)
                continue;
            /* a statistics step may first materialise its shared rows
             * (MariaDB): every statement runs in order; the rows come from
             * the last one */
            Buf sql;
            buf_init(&sql);
            for (int j = 0; j < s->nstmts; j++) {
                buf_reset(&sql);
                if (sqlgen_bind(&dialect_mariadb, s->stmts[j], &p, &sql, err, sizeof err) !=
                        ABC_OK ||
                    wh_query(w, sql.data, tsv_row, &files[f], NULL, err, sizeof err) != ABC_OK) {
                    rc = die(s->name);
                    buf_free(&sql);
                    goto stats_done;
                }
            }
            buf_free(&sql);
            f++;
        }
    }
stats_done:
    for (int i = 0; i < nfiles; i++)
        if (files[i].f)
            fclose(files[i].f);
done:
    wh_close(w);
    wh_shutdown();
    arena_free(&a);
    spec_unit_free(&su);
    return rc;
}
