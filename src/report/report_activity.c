/* report_activity.c — the growth rows of a tag (activity report and cohort
 * tables) for the renderers: their read-back from a result set, the model
 * the HTML charts draw (per activity of the spec: the all-users day, week
 * and month series and the retention triangles, periods in order), and
 * their JSON (every breakdown).  Rows of an activity the spec no longer
 * has are left out; a measure missing for a period is NaN. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* ---- read-back ----------------------------------------------------------------- */

static AbcStatus read_num(const char *s, const char *col, double *out, char *err, size_t errlen)
{
    if (!s) {
        *out = NAN;
        return ABC_OK;
    }
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno == ERANGE) {
        snprintf(err, errlen, "column %s: '%.40s' is not a number", col, s);
        return ABC_ERR_SPEC;
    }
    *out = d;
    return ABC_OK;
}

static const char *dup(Arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

AbcStatus report_series_read(ReportSeriesRow *out, const char *const *vals, int n, Arena *arena,
                             char *err, size_t errlen)
{
    if (n < REPORT_SERIES_NCOLUMNS) {
        snprintf(err, errlen, "activity report: %d columns, expected %d", n, REPORT_SERIES_NCOLUMNS);
        return ABC_ERR_SPEC;
    }
    double v;
    if (read_num(vals[6], "value", &v, err, errlen) != ABC_OK)
        return ABC_ERR_SPEC;
    *out = (ReportSeriesRow){dup(arena, vals[0]), dup(arena, vals[1]), dup(arena, vals[2]),
                             dup(arena, vals[3]), dup(arena, vals[4]), dup(arena, vals[5]), v};
    return ABC_OK;
}

AbcStatus report_cohort_read(ReportCohortRow *out, const char *const *vals, int n, Arena *arena,
                             char *err, size_t errlen)
{
    if (n < REPORT_COHORT_NCOLUMNS) {
        snprintf(err, errlen, "activity cohort: %d columns, expected %d", n, REPORT_COHORT_NCOLUMNS);
        return ABC_ERR_SPEC;
    }
    static const char *const names[] = {"k", "cohort_size", "active", "ratio"};
    static const int at[] = {3, 5, 6, 7};
    double d[4];
    for (int i = 0; i < 4; i++)
        if (read_num(vals[at[i]], names[i], &d[i], err, errlen) != ABC_OK)
            return ABC_ERR_SPEC;
    long long ll[3];
    for (int i = 0; i < 3; i++)
        ll[i] = isfinite(d[i]) ? (long long)d[i] : REPORT_INT_NULL;
    *out = (ReportCohortRow){dup(arena, vals[0]), dup(arena, vals[1]), dup(arena, vals[2]),
                             dup(arena, vals[4]), ll[0], ll[1], ll[2], d[3]};
    return ABC_OK;
}

/* ---- the model ------------------------------------------------------------------- */

const char *const RM_MEASURE_NAMES[RM_NMEASURES] = {"dau", "wau_rolling", "mau_rolling", "stickiness",
                                                    "active", "new", "retained", "resurrected",
                                                    "churned", "quick_ratio"};

static int measure_index(const char *grain, const char *m)
{
    if (!m)
        return -1;
    if (grain && ((!strcmp(grain, "week") && !strcmp(m, "wau")) || (!strcmp(grain, "month") && !strcmp(m, "mau"))))
        return RM_ACTIVE;
    for (int i = 0; i < RM_NMEASURES; i++)
        if (i != RM_ACTIVE && !strcmp(m, RM_MEASURE_NAMES[i]))
            return i;
    return -1;
}

static int grain_index(const char *g)
{
    return !g ? -1 : !strcmp(g, "day") ? 0 : !strcmp(g, "week") ? 1 : !strcmp(g, "month") ? 2 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct strings of v[0..n), sorted, in place; returns the count. */
static int uniq(const char **v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_str);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]))
            v[k++] = v[i];
    return k;
}

static int find_str(const char *const *v, int n, const char *s)
{
    const char *const *p = bsearch(&s, v, (size_t)n, sizeof *v, cmp_str);
    return p ? (int)(p - v) : -1;
}

static bool all_users(const char *breakdown)
{
    return !breakdown || !breakdown[0];
}

static void build_periods(RmPeriods *p, Arena *a, const ReportActivity *act, const char *name, int grain)
{
    const char **v = arena_alloc(a, sizeof *v * (size_t)(act->nseries + 1));
    int n = 0;
    for (int i = 0; i < act->nseries; i++) {
        const ReportSeriesRow *r = &act->series[i];
        if (r->activity && r->period && !strcmp(r->activity, name) && grain_index(r->grain) == grain &&
            all_users(r->breakdown) && measure_index(r->grain, r->measure) >= 0)
            v[n++] = r->period;
    }
    p->n = uniq(v, n);
    p->period = v;
    for (int m = 0; m < RM_NMEASURES; m++) {
        p->m[m] = arena_alloc(a, sizeof(double) * (size_t)(p->n + 1));
        for (int i = 0; i < p->n; i++)
            p->m[m][i] = NAN;
    }
    for (int i = 0; i < act->nseries; i++) {
        const ReportSeriesRow *r = &act->series[i];
        if (!r->activity || !r->period || strcmp(r->activity, name) || grain_index(r->grain) != grain ||
            !all_users(r->breakdown))
            continue;
        int m = measure_index(r->grain, r->measure), k = find_str(p->period, p->n, r->period);
        if (m >= 0 && k >= 0) {
            p->m[m][k] = r->value;
            p->has[m] = true;
        }
    }
}

static void build_cohorts(RmCohorts *c, Arena *a, const ReportActivity *act, const char *name, const char *grain)
{
    const char **v = arena_alloc(a, sizeof *v * (size_t)(act->ncohorts + 1));
    int n = 0;
    long long nk = 0;
    for (int i = 0; i < act->ncohorts; i++) {
        const ReportCohortRow *r = &act->cohorts[i];
        if (r->activity && r->cohort && r->grain && !strcmp(r->activity, name) && !strcmp(r->grain, grain) &&
            r->k != REPORT_INT_NULL && r->k >= 0 && r->k < 10000) {
            v[n++] = r->cohort;
            nk = r->k + 1 > nk ? r->k + 1 : nk;
        }
    }
    c->n = uniq(v, n);
    c->cohort = v;
    c->nk = (int)nk;
    size_t cells = (size_t)c->n * (size_t)c->nk + 1;
    c->ratio = arena_alloc(a, sizeof(double) * cells);
    c->active = arena_alloc(a, sizeof(double) * cells);
    c->size = arena_alloc(a, sizeof(double) * (size_t)(c->n + 1));
    for (size_t i = 0; i < cells; i++)
        c->ratio[i] = c->active[i] = NAN;
    for (int i = 0; i < c->n; i++)
        c->size[i] = NAN;
    for (int i = 0; i < act->ncohorts; i++) {
        const ReportCohortRow *r = &act->cohorts[i];
        if (!r->activity || !r->cohort || !r->grain || strcmp(r->activity, name) || strcmp(r->grain, grain) ||
            r->k == REPORT_INT_NULL || r->k < 0 || r->k >= nk)
            continue;
        int row = find_str(c->cohort, c->n, r->cohort);
        if (row < 0)
            continue;
        size_t at = (size_t)row * (size_t)c->nk + (size_t)r->k;
        c->ratio[at] = r->ratio;
        c->active[at] = r->active == REPORT_INT_NULL ? NAN : (double)r->active;
        if (r->cohort_size != REPORT_INT_NULL)
            c->size[row] = (double)r->cohort_size;
    }
}

void rm_activity_build(RmGrowth *g, const IrSpec *ir, const ReportActivity *act)
{
    memset(g, 0, sizeof *g);
    arena_init(&g->arena);
    if (!ir || !act || ir->nactivities == 0 || (act->nseries == 0 && act->ncohorts == 0))
        return;
    g->acts = arena_alloc(&g->arena, sizeof *g->acts * (size_t)ir->nactivities);
    for (int i = 0; i < ir->nactivities; i++) {
        RmActivity *x = &g->acts[g->n];
        memset(x, 0, sizeof *x);
        x->name = ir->activities[i].name;
        build_periods(&x->day, &g->arena, act, x->name, 0);
        build_periods(&x->week, &g->arena, act, x->name, 1);
        build_periods(&x->month, &g->arena, act, x->name, 2);
        build_cohorts(&x->weekly, &g->arena, act, x->name, "week");
        build_cohorts(&x->monthly, &g->arena, act, x->name, "month");
        if (x->day.n || x->week.n || x->month.n || x->weekly.n || x->monthly.n)
            g->n++;
    }
}

void rm_activity_free(RmGrowth *g)
{
    arena_free(&g->arena);
    memset(g, 0, sizeof *g);
}

/* ---- JSON ---------------------------------------------------------------------------- */

void rf_json_double(Buf *b, double v)
{
    if (!isfinite(v)) {
        buf_puts(b, "null");
        return;
    }
    char s[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v)
            break;
    }
    buf_puts(b, s);
}

static void json_str(Buf *b, const char *s)
{
    if (s)
        buf_put_json_string(b, s);
    else
        buf_puts(b, "null");
}

static int cmp_series(const void *pa, const void *pb)
{
    const ReportSeriesRow *a = *(const ReportSeriesRow *const *)pa, *b = *(const ReportSeriesRow *const *)pb;
    const char *ka[] = {a->grain, a->measure, a->period, a->breakdown, a->breakdown_value};
    const char *kb[] = {b->grain, b->measure, b->period, b->breakdown, b->breakdown_value};
    for (int i = 0; i < 5; i++) {
        int c = strcmp(ka[i] ? ka[i] : "", kb[i] ? kb[i] : "");
        if (c)
            return c;
    }
    return 0;
}

static int cmp_cohort(const void *pa, const void *pb)
{
    const ReportCohortRow *a = *(const ReportCohortRow *const *)pa, *b = *(const ReportCohortRow *const *)pb;
    int c = strcmp(a->grain ? a->grain : "", b->grain ? b->grain : "");
    if (!c)
        c = strcmp(a->cohort ? a->cohort : "", b->cohort ? b->cohort : "");
    return c ? c : a->k < b->k ? -1 : a->k > b->k;
}

static void json_int(Buf *b, long long v)
{
    if (v == REPORT_INT_NULL)
        buf_puts(b, "null");
    else
        buf_printf(b, "%lld", v);
}

void report_activity_json(const IrSpec *ir, const ReportActivity *act, Buf *out)
{
    int ns = act ? act->nseries : 0, nc = act ? act->ncohorts : 0;
    const ReportSeriesRow **s = malloc(sizeof *s * (size_t)(ns + 1));
    const ReportCohortRow **c = malloc(sizeof *c * (size_t)(nc + 1));
    if (!s || !c)
        abort();
    buf_puts(out, "{");
    for (int a = 0; ir && a < ir->nactivities; a++) {
        const char *name = ir->activities[a].name;
        int n = 0, m = 0;
        for (int i = 0; i < ns; i++)
            if (act->series[i].activity && !strcmp(act->series[i].activity, name) && act->series[i].grain &&
                act->series[i].measure)
                s[n++] = &act->series[i];
        for (int i = 0; i < nc; i++)
            if (act->cohorts[i].activity && !strcmp(act->cohorts[i].activity, name) && act->cohorts[i].grain)
                c[m++] = &act->cohorts[i];
        qsort(s, (size_t)n, sizeof *s, cmp_series);
        qsort(c, (size_t)m, sizeof *c, cmp_cohort);
        buf_puts(out, a ? ",\n  " : "\n  ");
        buf_put_json_string(out, name);
        buf_puts(out, ": {\"series\": {");
        for (int i = 0; i < n; i++) {
            bool new_grain = i == 0 || strcmp(s[i]->grain, s[i - 1]->grain);
            bool new_measure = new_grain || strcmp(s[i]->measure, s[i - 1]->measure);
            if (new_grain) {
                buf_puts(out, i ? "]}, " : "");
                buf_put_json_string(out, s[i]->grain);
                buf_puts(out, ": {");
            } else if (new_measure) {
                buf_puts(out, "], ");
            }
            if (new_measure) {
                buf_put_json_string(out, s[i]->measure);
                buf_puts(out, ": [");
            } else {
                buf_puts(out, ", ");
            }
            buf_puts(out, "{\"period\": ");
            json_str(out, s[i]->period);
            buf_puts(out, ", \"breakdown\": ");
            json_str(out, s[i]->breakdown ? s[i]->breakdown : "");
            buf_puts(out, ", \"breakdown_value\": ");
            json_str(out, s[i]->breakdown_value ? s[i]->breakdown_value : "");
            buf_puts(out, ", \"value\": ");
            rf_json_double(out, s[i]->value);
            buf_puts(out, "}");
        }
        buf_puts(out, n ? "]}}, \"cohorts\": {" : "}, \"cohorts\": {");
        for (int i = 0; i < m; i++) {
            bool new_grain = i == 0 || strcmp(c[i]->grain, c[i - 1]->grain);
            if (new_grain) {
                buf_puts(out, i ? "], " : "");
                buf_put_json_string(out, c[i]->grain);
                buf_puts(out, ": [");
            } else {
                buf_puts(out, ", ");
            }
            buf_puts(out, "{\"cohort\": ");
            json_str(out, c[i]->cohort);
            buf_puts(out, ", \"k\": ");
            json_int(out, c[i]->k);
            buf_puts(out, ", \"period\": ");
            json_str(out, c[i]->period);
            buf_puts(out, ", \"cohort_size\": ");
            json_int(out, c[i]->cohort_size);
            buf_puts(out, ", \"active\": ");
            json_int(out, c[i]->active);
            buf_puts(out, ", \"ratio\": ");
            rf_json_double(out, c[i]->ratio);
            buf_puts(out, "}");
        }
        buf_puts(out, m ? "]}}" : "}}");
    }
    buf_puts(out, ir && ir->nactivities ? "\n}" : "}");
    free(s);
    free(c);
}
