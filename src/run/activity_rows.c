/* activity_rows.c — a tag's stored growth rows (the activity report and
 * cohort tables) read back into typed rows for the renderers: the runner
 * reads them after activity_publish for the results page and --format
 * json, `abc report` for its page and --json.  The queries are
 * sqlgen_activity_select's; the decoding is report_series_read's and
 * report_cohort_read's. */
#include <stdlib.h>
#include <string.h>

#include "abc/run.h"

typedef struct Collect {
    Arena *arena;
    bool cohorts;
    void *v;
    int n, cap;
    char err[256];
} Collect;

static AbcStatus collect(const WhRow *row, void *ctx)
{
    Collect *c = ctx;
    size_t size = c->cohorts ? sizeof(ReportCohortRow) : sizeof(ReportSeriesRow);
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 256;
        void *v = realloc(c->v, size * (size_t)cap);
        if (!v)
            abort();
        c->v = v;
        c->cap = cap;
    }
    void *at = (char *)c->v + size * (size_t)c->n;
    AbcStatus st = c->cohorts
                       ? report_cohort_read(at, row->values, (int)row->ncols, c->arena, c->err, sizeof c->err)
                       : report_series_read(at, row->values, (int)row->ncols, c->arena, c->err, sizeof c->err);
    if (st == ABC_OK)
        c->n++;
    return st;
}

static AbcStatus read_one(Warehouse *wh, const SqlProgram *prog, SqlActivityRead which, Arena *arena,
                          void **rows, int *n, char *err, size_t errlen)
{
    Buf sql;
    buf_init(&sql);
    Collect c = {.arena = arena, .cohorts = which == SQL_READ_COHORTS};
    AbcStatus st = ABC_OK;
    if (sqlgen_activity_select(prog, which, &sql)) {
        st = wh_query(wh, sql.data, collect, &c, NULL, err, errlen);
        if (st != ABC_OK && c.err[0])
            snprintf(err, errlen, "%s", c.err);
    }
    buf_free(&sql);
    if (st == ABC_OK && c.n) {
        size_t size = c.cohorts ? sizeof(ReportCohortRow) : sizeof(ReportSeriesRow);
        *rows = arena_alloc(arena, size * (size_t)c.n);
        memcpy(*rows, c.v, size * (size_t)c.n);
        *n = c.n;
    }
    free(c.v);
    return st;
}

AbcStatus run_read_activity(Warehouse *wh, const SqlProgram *prog, Arena *arena, ReportActivity *out,
                            char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    void *s = NULL, *c = NULL;
    int ns = 0, nc = 0;
    AbcStatus st = read_one(wh, prog, SQL_READ_SERIES, arena, &s, &ns, err, errlen);
    if (st == ABC_OK)
        st = read_one(wh, prog, SQL_READ_COHORTS, arena, &c, &nc, err, errlen);
    if (st != ABC_OK)
        return st;
    *out = (ReportActivity){s, ns, c, nc};
    return ABC_OK;
}
