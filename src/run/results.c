/* results.c — sufficient-statistics rows → analysis → report rows, health,
 * memo and JSON (see results.h).
 *
 * Cells: one per analysis date × experiment × segment × segment value, with
 * per variation the unit count, each metric's StatsSums, funnel step counts,
 * the cap in force, for time-to-event metrics the survival table, and for
 * quantile metrics the stream their distribution rows pass through.  The
 * sums come as a moments row per cell, or (MariaDB) as a row per unit that
 * is added into every cell it belongs to, and from which the percentile
 * caps, the quantiles' ordered values and the survival tables come too
 * ("unit rows" below).
 * Analysis per metric:
 *   proportion, retention, funnel (all steps), time_to (converted within
 *   the window) → proportion statistics; count, sum, active_days → mean;
 *   mean per event and ratio → ratio (delta method); quantile → per-arm
 *   quantile with an order-statistics CI, effect = difference of quantiles,
 *   p-value from Mann-Whitney; CUPED where the spec asks.  Extra methods:
 *   z-test and beta-binomial for proportions, uplift (both effect scales),
 *   difference-in-differences on (post − pre) where a pre-period exists,
 *   Mann-Whitney and bootstrap where per-user values are queried,
 *   Kaplan-Meier medians and a log-rank test for time-to-event. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "abc/analysis.h"
#include "abc/dates.h"
#include "abc/extsort.h"
#include "abc/report.h"
#include "abc/report_row.h"
#include "abc/results.h"
#include "abc/stats.h"

/* A cell's quantile metric while its distribution streams in: the rows of
 * one date and experiment come in ascending order of value, so each cell
 * gathers the arms' counts of the current value and hands them to its
 * analysis stream (analysis.h) when the next value begins.  Nothing per
 * value is kept. */
typedef struct QStream {
    AnalysisQuantileCell *cell;
    double value;      /* the value being gathered */
    double *counts;    /* per variation, at `value` */
    bool pending;
} QStream;

/* A cell's survival table of one time-to-event metric as time counts
 * (stats.h), merged by day before it is analysed. */
typedef struct Surv {
    StatsTimeCount *v;
    size_t n, cap;
} Surv;

typedef struct VarCell {
    double units;
    bool seen;
    StatsSums *sums;   /* per metric */
    double **steps;    /* per metric: funnel step counts (NULL otherwise) */
    double *cap;       /* per metric: cap value in force (NaN when none) */
    Surv *surv;        /* per metric */
} VarCell;

/* The outcome of one metric × variation in a cell (analysis.h). */
typedef AnalysisArm ArmOut;

typedef struct Cell {
    long date;
    int exp;
    char *segment, *value;
    VarCell *vars;
    double srm_p;
    bool srm_flag, dq_flag;
    ArmOut **out;        /* [metric][variation] */
    QStream **qs;        /* [metric]: the quantile stream open, or NULL */
    ArmOut **qout;       /* [metric]: quantile results of the finished stream, or NULL */
    struct Cell *next;   /* hash chain */
} Cell;

#define NBUCKETS 4096

struct Results {
    const IrSpec *ir;
    const RunExperiment *exps;
    int nexps;
    char computed_at[20];
    Cell *buckets[NBUCKETS];
    Cell **cells;
    int ncells, capcells;
    long *dates;
    int ndates;
    /* report rows per date */
    SqlValue **rows;
    ReportRow **rrows;       /* the same rows, typed, for the memo and the page */
    int *nrows;
    int unknown_variations;
    long long null_key_rows; /* exposure rows skipped for a NULL key */
    bool obf_ready;          /* group-sequential boundaries, computed once */
    bool q_set;              /* distribution rows being streamed: metric, date, experiment */
    int q_metric;
    long q_date;
    int q_exp;
    const char *q_step;      /* its step's name (the plan's) */
    struct UnitCombo *combo_buckets[NBUCKETS]; /* a units step's rows, added up (UnitCombo) */
    struct UnitCombo *combos, **combos_end;    /* ... in order of first row */
    struct UnitsOrder *order; /* ... and its values that wait for their order */
    double *unit_vals;       /* a units row's values: [metric * UV_COUNT + UV_*] */
    double **unit_steps;     /* ... and funnel step flags: [metric][step] */
    struct OpenStream {      /* the quantile streams open: cell and metric */
        struct Cell *c;
        int m;
    } *qopen;
    int nqopen, capqopen;
    double obf_z[64];
    const ReportHourly *hourly; /* the last 48 hours of the hourly series (borrowed) */
    int nhourly;
    Arena arena;
};

static AbcStatus finish_quantiles(Results *r, int exp, long d, char *err, size_t errlen);

static uint64_t fnv(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

Results *results_new(const IrSpec *ir, const RunExperiment *exps, int nexps,
                     const char *computed_at)
{
    Results *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->ir = ir;
    r->exps = exps;
    r->nexps = nexps;
    snprintf(r->computed_at, sizeof r->computed_at, "%s", computed_at);
    r->combos_end = &r->combos;
    arena_init(&r->arena);
    return r;
}

static void combos_free(Results *r);
static void units_order_free(Results *r);

void results_free(Results *r)
{
    if (!r)
        return;
    combos_free(r);
    units_order_free(r);
    if (r->unit_steps)
        for (int m = 0; m < r->ir->nmetrics; m++)
            free(r->unit_steps[m]);
    free(r->unit_steps);
    free(r->unit_vals);
    for (int i = 0; i < r->ncells; i++) {
        Cell *c = r->cells[i];
        const RunExperiment *x = &r->exps[c->exp];
        for (int v = 0; v < x->nvariations; v++)
            for (int m = 0; m < r->ir->nmetrics; m++)
                free(c->vars[v].surv[m].v);
    }
    for (int i = 0; i < r->nqopen; i++) { /* streams of a run that stopped early */
        QStream *q = r->qopen[i].c->qs[r->qopen[i].m];
        analysis_quantile_cell_free(q->cell);
        free(q->counts);
    }
    free(r->qopen);
    free(r->cells);
    arena_free(&r->arena);
    free(r);
}

static int find_exp(const Results *r, const char *key)
{
    for (int i = 0; i < r->nexps; i++)
        if (strcmp(r->exps[i].tracking_key, key) == 0)
            return i;
    return -1;
}

static int find_var(const RunExperiment *x, const char *key)
{
    for (int i = 0; i < x->nvariations; i++)
        if (strcmp(x->variations[i].key, key) == 0)
            return i;
    return -1;
}

static Cell *get_cell(Results *r, long date, int exp, const char *seg, const char *val)
{
    char dbuf[24];
    snprintf(dbuf, sizeof dbuf, "%ld|%d|", date, exp);
    uint64_t h = fnv(val, fnv("|", fnv(seg, fnv(dbuf, 1469598103934665603ULL))));
    Cell **b = &r->buckets[h % NBUCKETS];
    for (Cell *c = *b; c; c = c->next)
        if (c->date == date && c->exp == exp && !strcmp(c->segment, seg) && !strcmp(c->value, val))
            return c;
    Cell *c = arena_alloc(&r->arena, sizeof *c);
    c->date = date;
    c->exp = exp;
    c->segment = arena_strdup(&r->arena, seg);
    c->value = arena_strdup(&r->arena, val);
    int nv = r->exps[exp].nvariations, nm = r->ir->nmetrics;
    c->vars = arena_alloc(&r->arena, sizeof(VarCell) * (size_t)nv);
    for (int v = 0; v < nv; v++) {
        VarCell *vc = &c->vars[v];
        vc->sums = arena_alloc(&r->arena, sizeof(StatsSums) * (size_t)(nm + 1));
        vc->steps = arena_alloc(&r->arena, sizeof(double *) * (size_t)(nm + 1));
        vc->cap = arena_alloc(&r->arena, sizeof(double) * (size_t)(nm + 1));
        vc->surv = arena_alloc(&r->arena, sizeof(Surv) * (size_t)(nm + 1));
        for (int m = 0; m < nm; m++) {
            vc->cap[m] = NAN;
            if (r->ir->metrics[m].kind == MK_FUNNEL)
                vc->steps[m] = arena_alloc(&r->arena, sizeof(double) * (size_t)r->ir->metrics[m].nsteps);
        }
    }
    c->next = *b;
    *b = c;
    if (r->ncells == r->capcells) {
        r->capcells = r->capcells ? r->capcells * 2 : 64;
        Cell **p = realloc(r->cells, sizeof(Cell *) * (size_t)r->capcells);
        if (!p)
            abort();
        r->cells = p;
    }
    r->cells[r->ncells++] = c;
    bool known = false;
    for (int i = 0; i < r->ndates; i++)
        known |= r->dates[i] == date;
    if (!known) {
        long *d = arena_alloc(&r->arena, sizeof(long) * (size_t)(r->ndates + 1));
        if (r->ndates)
            memcpy(d, r->dates, sizeof(long) * (size_t)r->ndates);
        d[r->ndates++] = date;
        r->dates = d;
    }
    return c;
}

/* The experiment a row belongs to: -1 when its keys are NULL or the
 * experiment is no longer in the tag (the row is skipped). */
static int row_exp(const Results *r, const StatsRow *row)
{
    return row->tracking_key ? find_exp(r, row->tracking_key) : -1;
}

/* The quantile stream of metric m in cell c, opened on its first row with
 * each arm's units from the moments rows (read before). */
static QStream *cell_stream(Results *r, Cell *c, int m)
{
    if (!c->qs)
        c->qs = arena_alloc(&r->arena, sizeof(QStream *) * (size_t)(r->ir->nmetrics + 1));
    if (c->qs[m])
        return c->qs[m];
    int nv = r->exps[c->exp].nvariations;
    QStream *q = arena_alloc(&r->arena, sizeof *q);
    q->counts = calloc((size_t)nv + 1, sizeof *q->counts);
    double *units = calloc((size_t)nv + 1, sizeof *units);
    if (!q->counts || !units)
        abort();
    for (int v = 0; v < nv; v++)
        units[v] = c->vars[v].sums[m].n;
    q->cell = analysis_quantile_cell_new(&r->ir->analysis, &r->ir->metrics[m], units, nv,
                                         !c->segment[0]);
    free(units);
    c->qs[m] = q;
    if (r->nqopen == r->capqopen) {
        r->capqopen = r->capqopen ? r->capqopen * 2 : 64;
        struct OpenStream *p = realloc(r->qopen, sizeof *p * (size_t)r->capqopen);
        if (!p)
            abort();
        r->qopen = p;
    }
    r->qopen[r->nqopen++] = (struct OpenStream){c, m};
    return q;
}

static void stream_flush(QStream *q, int nv)
{
    if (!q->pending)
        return;
    analysis_quantile_cell_push(q->cell, q->value, q->counts);
    memset(q->counts, 0, sizeof *q->counts * (size_t)nv);
    q->pending = false;
}

/* The segment values of a unit cell: a distribution row's slots, or a
 * units combination's (UnitCombo). */
typedef const char *(*SlotFn)(const void *src, int seg);

/* One value of a unit cell (date, experiment, variation, every segment
 * slot) with its units, in ascending order of value per date and
 * experiment: the value goes straight to the all-users cell's stream and to
 * that of its value of each segment; the date's and experiment's streams
 * end when the next date or experiment begins.  var -1: a variation the
 * experiment does not have (its cells are flagged from the moments). */
static AbcStatus distribution_value(Results *r, const char *step, int m, long date, int exp,
                                    int var, SlotFn slot, const void *src, double value,
                                    double units, char *err, size_t errlen)
{
    if (r->q_set && r->q_metric == m && (date != r->q_date || exp != r->q_exp)) {
        AbcStatus st = finish_quantiles(r, r->q_exp, r->q_date, err, errlen);
        if (st != ABC_OK)
            return st;
    }
    r->q_set = true;
    r->q_step = step;
    r->q_metric = m;
    r->q_date = date;
    r->q_exp = exp;
    int nv = r->exps[exp].nvariations;
    for (int seg = -1; seg < r->ir->nsegments; seg++) {
        const char *name = "", *val = "";
        if (seg >= 0) {
            name = r->ir->segments[seg].name;
            val = slot(src, seg);
        }
        Cell *c = get_cell(r, date, exp, name, val);
        if (var < 0) { /* counted once, from the moments rows */
            c->dq_flag = true;
            continue;
        }
        if (c->qout && c->qout[m]) {
            snprintf(err, errlen, "step %s: rows are not ordered by analysis_date and tracking_key",
                     step);
            return ABC_ERR_SPEC;
        }
        c->vars[var].seen = true;
        QStream *q = cell_stream(r, c, m);
        if (q->pending && value != q->value) {
            if (!(value > q->value)) {
                snprintf(err, errlen, "step %s: rows are not ordered by value", step);
                return ABC_ERR_SPEC;
            }
            stream_flush(q, nv);
        }
        q->value = value;
        q->pending = true;
        q->counts[var] += units;
    }
    return ABC_OK;
}

static const char *row_slot(const StatsRow *row, int seg)
{
    return seg < row->nslots && row->slots[seg] ? row->slots[seg] : "(null)";
}

static const char *row_slot_fn(const void *row, int seg) { return row_slot(row, seg); }

/* A distribution row holds one distinct value of one unit cell with its
 * units; the rows come ordered by date, experiment and value. */
static AbcStatus add_distribution_row(Results *r, const SqlStep *step, const StatsRow *row,
                                      char *err, size_t errlen)
{
    int m = step->metric;
    if (m < 0 || m >= r->ir->nmetrics)
        return ABC_OK;
    int exp = row_exp(r, row);
    if (exp < 0)
        return ABC_OK;
    int var = find_var(&r->exps[exp], row->variation_key);
    return distribution_value(r, step->name, m, row->date, exp, var, row_slot_fn, row, row->value,
                              row->units, err, errlen);
}

static void surv_add(Surv *sv, StatsTimeCount t)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 32;
        StatsTimeCount *p = realloc(sv->v, sizeof *p * sv->cap);
        if (!p)
            abort();
        sv->v = p;
    }
    sv->v[sv->n++] = t;
}

/* ---- unit rows: the moments added up here ------------------------------------ */
/* A units step (STATS_UNITS) sends a row per unit in no order.  Its rows
 * are added into one accumulator per combination of date, experiment,
 * variation and every segment's value, with compensated sums (Neumaier),
 * so the totals do not depend on the order the warehouse sends the units
 * in, and with a time-to-event metric's events and censored units by day.
 * At the step's end (results_end_step) each combination is added to its
 * all-users cell and to its value's cell of every segment: the sums a
 * moments row of each cell holds (sqlgen_stats.c, moments_select), and
 * the rows of a survival step. */

typedef struct KSum {
    double s, c; /* sum, and the low-order part lost from it */
} KSum;

static void ksum_add(KSum *k, double x)
{
    double t = k->s + x;
    k->c += fabs(k->s) >= fabs(x) ? (k->s - t) + x : (x - t) + k->s;
    k->s = t;
}

static double ksum(const KSum *k) { return k->s + k->c; }

/* Per metric, the moments a unit adds to (StatsSums' fields). */
enum { KS_N, KS_SUM, KS_SUM_SQ, KS_PRE_SUM, KS_PRE_SUM_SQ, KS_SUM_PRE, KS_DEN_SUM, KS_DEN_SUM_SQ,
       KS_SUM_DEN, KS_COUNT };

/* A units row's values per metric. */
enum { UV_VALUE, UV_PRE, UV_NUM, UV_DEN, UV_DAY, UV_COUNT };

typedef struct UnitCombo {
    long date;
    int exp, var;            /* var -1: a variation the experiment does not have */
    char **slots;            /* every segment's value */
    uint64_t h;
    KSum units;
    KSum *sums;              /* [metric * KS_COUNT + KS_*] */
    KSum **steps;            /* [metric][step]: funnel step counts */
    double *cap;             /* per metric: the cap in force (NaN: none) */
    struct DayCounts {       /* per metric: time-to-event events and censored units by day */
        double *events, *censored;
        int n;
    } *days;
    struct UnitCombo *next;  /* hash chain */
    struct UnitCombo *order; /* the next combination in order of first row */
} UnitCombo;

static void combos_free(Results *r)
{
    int nm = r->ir->nmetrics;
    for (UnitCombo *u = r->combos, *next; u; u = next) {
        next = u->order;
        for (int i = 0; i < r->ir->nsegments; i++)
            free(u->slots[i]);
        for (int m = 0; m < nm; m++) {
            free(u->steps[m]);
            free(u->days[m].events);
            free(u->days[m].censored);
        }
        free(u->days);
        free(u->slots);
        free(u->sums);
        free(u->steps);
        free(u->cap);
        free(u);
    }
    r->combos = NULL;
    r->combos_end = &r->combos;
    memset(r->combo_buckets, 0, sizeof r->combo_buckets);
}

static UnitCombo *get_combo(Results *r, const StatsRow *row, long date, int exp, int var)
{
    int ns = r->ir->nsegments, nm = r->ir->nmetrics;
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (uint64_t)date) * 1099511628211ULL;
    h = (h ^ (uint64_t)(unsigned)exp) * 1099511628211ULL;
    h = (h ^ (uint64_t)(unsigned)(var + 1)) * 1099511628211ULL;
    for (int i = 0; i < ns; i++)
        h = fnv("|", fnv(row_slot(row, i), h));
    UnitCombo **b = &r->combo_buckets[h % NBUCKETS];
    for (UnitCombo *u = *b; u; u = u->next) {
        if (u->h != h || u->date != date || u->exp != exp || u->var != var)
            continue;
        int i = 0;
        while (i < ns && strcmp(u->slots[i], row_slot(row, i)) == 0)
            i++;
        if (i == ns)
            return u;
    }
    UnitCombo *u = calloc(1, sizeof *u);
    if (!u || !(u->slots = calloc((size_t)ns + 1, sizeof *u->slots)) ||
        !(u->sums = calloc((size_t)nm * KS_COUNT + 1, sizeof *u->sums)) ||
        !(u->steps = calloc((size_t)nm + 1, sizeof *u->steps)) ||
        !(u->cap = calloc((size_t)nm + 1, sizeof *u->cap)) ||
        !(u->days = calloc((size_t)nm + 1, sizeof *u->days)))
        abort();
    u->date = date;
    u->exp = exp;
    u->var = var;
    u->h = h;
    for (int i = 0; i < ns; i++)
        if (!(u->slots[i] = strdup(row_slot(row, i))))
            abort();
    for (int m = 0; m < nm; m++) {
        const IrMetric *mt = &r->ir->metrics[m];
        u->cap[m] = NAN;
        if (mt->kind == MK_FUNNEL && mt->nsteps > 0 &&
            !(u->steps[m] = calloc((size_t)mt->nsteps, sizeof *u->steps[m])))
            abort();
    }
    u->next = *b;
    *b = u;
    *r->combos_end = u;
    r->combos_end = &u->order;
    return u;
}

/* NULL reads as 0 in a sum (as SUM skips it); the unit still counts. */
static double uv(const Results *r, int m, int k)
{
    double v = r->unit_vals[m * UV_COUNT + k];
    return isnan(v) ? 0 : v;
}

/* ---- unit rows: the values that wait for their order ---------------------------- */
/* A percentile cap is the pooled percentile of its experiment's non-NULL
 * values as of the date (PERCENTILE_CONT: linear between the values at the
 * 0-based ranks floor(p(n - 1)) and ceil(p(n - 1))), and a quantile's
 * order statistics need its values in order: neither is known while the
 * units stream in, in no order.  So a units step's rows also go, in bounded
 * memory (extsort.h), to
 *   caps   each percentile capped value (of every unit of the experiment),
 *          sorted by metric, date, experiment and value, and counted;
 *   defer  each unit's values of the metrics whose moments need a cap (the
 *          capped metric, a ratio of one), in the order they came;
 *   quant  each quantile value with its unit's combination, sorted by
 *          metric, date, experiment and value;
 * and at the step's end (units_end) the caps are read off their sorted
 * values, the deferred units' moments are added with their values capped,
 * and the quantile values stream into their cells in order.  The unit
 * state of a date is read once by the warehouse; these are abc's own
 * passes. */

enum { ORDER_MEM = 1 << 15 }; /* records per sort held in memory */

typedef struct OrderRec {
    double value;
    long date;
    UnitCombo *combo; /* quant: the unit's combination; caps: NULL */
    int exp, metric;
} OrderRec;

/* A cap's date, experiment and metric: its non-NULL values, then the cap. */
typedef struct CapOf {
    long date;
    int exp, metric;
    long long n;
    double cap;
} CapOf;

typedef struct UnitsOrder {
    ExtSort *caps, *defer, *quant;
    CapOf *capof;
    int ncapof, capcapof;
    bool *waits;   /* per metric: its moments wait for a cap */
    int *slot;     /* the deferred values: unit_vals indices */
    int nslot;
    size_t defer_size;
    unsigned char *rec; /* one deferred unit: combo, days observed, the slot values */
} UnitsOrder;

/* Metric m's value is capped at a pooled percentile (a count, sum or
 * active days metric: sema allows a cap on no other kind). */
static bool pct_capped(const IrMetric *m) { return m->cap.kind == CAP_PERCENTILE; }

static int cmp_order(const void *a, const void *b)
{
    const OrderRec *x = a, *y = b;
    if (x->metric != y->metric)
        return x->metric < y->metric ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->exp != y->exp)
        return x->exp < y->exp ? -1 : 1;
    return (x->value > y->value) - (x->value < y->value);
}

static void add_slot(UnitsOrder *o, int idx)
{
    for (int i = 0; i < o->nslot; i++)
        if (o->slot[i] == idx)
            return;
    o->slot[o->nslot++] = idx;
}

static UnitsOrder *units_order(Results *r)
{
    if (r->order)
        return r->order;
    const IrSpec *ir = r->ir;
    int nm = ir->nmetrics;
    UnitsOrder *o = calloc(1, sizeof *o);
    if (!o || !(o->waits = calloc((size_t)nm + 1, sizeof *o->waits)) ||
        !(o->slot = calloc((size_t)nm * 2 + 1, sizeof *o->slot)))
        abort();
    for (int m = 0; m < nm; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if (mt->kind == MK_RATIO) {
            const IrMetric *a = &ir->metrics[mt->num], *b = &ir->metrics[mt->den];
            if (!pct_capped(a) && !pct_capped(b))
                continue;
            o->waits[m] = true;
            add_slot(o, mt->num * UV_COUNT + (a->kind == MK_MEAN ? UV_NUM : UV_VALUE));
            add_slot(o, mt->den * UV_COUNT + (b->kind == MK_MEAN ? UV_NUM : UV_VALUE));
        } else if (pct_capped(mt)) {
            o->waits[m] = true;
            add_slot(o, m * UV_COUNT + UV_VALUE);
            if (mt->cuped.kind != CUPED_NONE)
                add_slot(o, m * UV_COUNT + UV_PRE);
        }
    }
    o->defer_size = sizeof(UnitCombo *) + sizeof(double) * (size_t)(1 + o->nslot);
    if (!(o->rec = malloc(o->defer_size)))
        abort();
    o->caps = extsort_new(sizeof(OrderRec), cmp_order, ORDER_MEM);
    o->quant = extsort_new(sizeof(OrderRec), cmp_order, ORDER_MEM);
    o->defer = extsort_new(o->defer_size, NULL, ORDER_MEM);
    r->order = o;
    return o;
}

static void units_order_free(Results *r)
{
    UnitsOrder *o = r->order;
    if (!o)
        return;
    extsort_free(o->caps);
    extsort_free(o->defer);
    extsort_free(o->quant);
    free(o->capof);
    free(o->waits);
    free(o->slot);
    free(o->rec);
    free(o);
    r->order = NULL;
}

static CapOf *cap_of(UnitsOrder *o, long date, int exp, int metric, bool add)
{
    for (int i = o->ncapof; i-- > 0;)
        if (o->capof[i].date == date && o->capof[i].exp == exp && o->capof[i].metric == metric)
            return &o->capof[i];
    if (!add)
        return NULL;
    if (o->ncapof == o->capcapof) {
        o->capcapof = o->capcapof ? o->capcapof * 2 : 8;
        CapOf *p = realloc(o->capof, sizeof *p * (size_t)o->capcapof);
        if (!p)
            abort();
        o->capof = p;
    }
    o->capof[o->ncapof] = (CapOf){date, exp, metric, 0, NAN};
    return &o->capof[o->ncapof++];
}

static AbcStatus order_failed(const ExtSort *e, char *err, size_t errlen)
{
    snprintf(err, errlen, "statistics: %s", extsort_error(e) ? extsort_error(e) : "sort failed");
    return ABC_ERR_ENV;
}

/* The moments unit row r->unit_vals adds to combination u for metric m
 * (moments_select's sums). */
static void unit_moments(Results *r, UnitCombo *u, int m, double days_observed)
{
    const IrSpec *ir = r->ir;
    const IrMetric *mt = &ir->metrics[m];
    KSum *k = &u->sums[m * KS_COUNT];
    if (mt->kind == MK_RATIO || mt->kind == MK_MEAN) {
        double num, den;
        if (mt->kind == MK_MEAN) {
            num = uv(r, m, UV_NUM);
            den = uv(r, m, UV_DEN);
        } else {
            int a = mt->num, b = mt->den;
            num = uv(r, a, ir->metrics[a].kind == MK_MEAN ? UV_NUM : UV_VALUE);
            den = uv(r, b, ir->metrics[b].kind == MK_MEAN ? UV_NUM : UV_VALUE);
        }
        ksum_add(&k[KS_N], 1);
        ksum_add(&k[KS_SUM], num);
        ksum_add(&k[KS_SUM_SQ], num * num);
        ksum_add(&k[KS_DEN_SUM], den);
        ksum_add(&k[KS_DEN_SUM_SQ], den * den);
        ksum_add(&k[KS_SUM_DEN], num * den);
        return;
    }
    /* day-N and range retention count only units whose window has fully
     * elapsed */
    bool inc = !(mt->kind == MK_RETENTION && mt->window.kind == WIN_DAYS) ||
               days_observed >= mt->window.to_day;
    if (inc) {
        double x = uv(r, m, UV_VALUE);
        ksum_add(&k[KS_N], 1);
        ksum_add(&k[KS_SUM], x);
        ksum_add(&k[KS_SUM_SQ], x * x);
        if (mt->cuped.kind != CUPED_NONE) {
            double p = uv(r, m, UV_PRE);
            ksum_add(&k[KS_PRE_SUM], p);
            ksum_add(&k[KS_PRE_SUM_SQ], p * p);
            ksum_add(&k[KS_SUM_PRE], x * p);
        }
    }
    for (int st = 0; u->steps[m] && st < mt->nsteps; st++)
        ksum_add(&u->steps[m][st], r->unit_steps[m][st]);
    if (mt->cap.kind == CAP_ABSOLUTE)
        u->cap[m] = mt->cap.value;
}

/* A time-to-event metric's unit into its combination's counts by day: the
 * day of the event, or censored at the end of its window or at the days
 * observed (stats_survival's rows, sqlgen_stats.c). */
static AbcStatus unit_time_to_event(Results *r, UnitCombo *u, int m, double days_observed,
                                    const SqlStep *step, char *err, size_t errlen)
{
    const IrMetric *mt = &r->ir->metrics[m];
    double day = r->unit_vals[m * UV_COUNT + UV_DAY];
    bool event = !isnan(day);
    if (!event)
        day = mt->window.kind == WIN_DAYS && mt->window.to_day < days_observed ? mt->window.to_day
                                                                                : days_observed;
    if (!(day >= 0 && day <= 366000) || day != floor(day)) {
        snprintf(err, errlen, "step %s: metric %s: %g is not a whole number of days since the "
                              "exposure", step->name, mt->name, day);
        return ABC_ERR_SPEC;
    }
    struct DayCounts *dc = &u->days[m];
    int d = (int)day;
    if (d >= dc->n) {
        int n = d + 1 > 2 * dc->n ? d + 1 : 2 * dc->n;
        double *e = realloc(dc->events, sizeof *e * (size_t)n),
               *c = e ? realloc(dc->censored, sizeof *c * (size_t)n) : NULL;
        if (!e || !c)
            abort();
        memset(e + dc->n, 0, sizeof *e * (size_t)(n - dc->n));
        memset(c + dc->n, 0, sizeof *c * (size_t)(n - dc->n));
        dc->events = e;
        dc->censored = c;
        dc->n = n;
    }
    if (event)
        dc->events[d] += 1;
    else
        dc->censored[d] += 1;
    return ABC_OK;
}

static AbcStatus add_unit_row(Results *r, const SqlStep *step, const StatsRow *row, char *err,
                              size_t errlen)
{
    const IrSpec *ir = r->ir;
    int nm = ir->nmetrics;
    int exp = row_exp(r, row);
    if (exp < 0)
        return ABC_OK; /* NULL keys, or an experiment no longer in the tag */
    int var = find_var(&r->exps[exp], row->variation_key);
    if (!r->unit_vals) {
        r->unit_vals = calloc((size_t)nm * UV_COUNT + 1, sizeof *r->unit_vals);
        r->unit_steps = calloc((size_t)nm + 1, sizeof *r->unit_steps);
        if (!r->unit_vals || !r->unit_steps)
            abort();
        for (int m = 0; m < nm; m++)
            if (ir->metrics[m].kind == MK_FUNNEL && ir->metrics[m].nsteps > 0 &&
                !(r->unit_steps[m] = calloc((size_t)ir->metrics[m].nsteps, sizeof(double))))
                abort();
    }
    UnitsOrder *o = units_order(r);
    for (int i = 0; i < nm * UV_COUNT; i++)
        r->unit_vals[i] = NAN;
    for (int m = 0; m < nm; m++)
        if (r->unit_steps[m])
            memset(r->unit_steps[m], 0, sizeof(double) * (size_t)ir->metrics[m].nsteps);
    for (int i = 0; i < row->nmoments; i++) {
        const StatsRowMoment *mo = &row->moments[i];
        if (mo->metric < 0 || mo->metric >= nm)
            continue;
        double v = mo->is_null ? NAN : mo->value;
        switch (mo->stat) {
        case SRS_VALUE: r->unit_vals[mo->metric * UV_COUNT + UV_VALUE] = v; break;
        case SRS_PRE: r->unit_vals[mo->metric * UV_COUNT + UV_PRE] = v; break;
        case SRS_NUM: r->unit_vals[mo->metric * UV_COUNT + UV_NUM] = v; break;
        case SRS_DEN: r->unit_vals[mo->metric * UV_COUNT + UV_DEN] = v; break;
        case SRS_EVENT_DAY: r->unit_vals[mo->metric * UV_COUNT + UV_DAY] = v; break;
        case SRS_STEP:
            if (r->unit_steps[mo->metric] && mo->step < ir->metrics[mo->metric].nsteps)
                r->unit_steps[mo->metric][mo->step] = mo->is_null ? 0 : mo->value;
            break;
        default: break;
        }
    }
    /* a percentile cap pools every unit of the experiment */
    for (int m = 0; m < nm; m++) {
        double x = r->unit_vals[m * UV_COUNT + UV_VALUE];
        if (!pct_capped(&ir->metrics[m]) || isnan(x))
            continue;
        OrderRec rec = {x, row->date, NULL, exp, m};
        if (!extsort_add(o->caps, &rec))
            return order_failed(o->caps, err, errlen);
        cap_of(o, row->date, exp, m, true)->n++;
    }
    UnitCombo *u = get_combo(r, row, row->date, exp, var);
    ksum_add(&u->units, 1);
    if (var < 0)
        return ABC_OK; /* counted once per cell, as a data-quality flag */
    if (o->nslot > 0) {
        double days = row->days_observed;
        memcpy(o->rec, &u, sizeof u);
        memcpy(o->rec + sizeof u, &days, sizeof days);
        for (int i = 0; i < o->nslot; i++)
            memcpy(o->rec + sizeof u + sizeof(double) * (size_t)(1 + i), &r->unit_vals[o->slot[i]],
                   sizeof(double));
        if (!extsort_add(o->defer, o->rec))
            return order_failed(o->defer, err, errlen);
    }
    for (int m = 0; m < nm; m++) {
        if (!o->waits[m])
            unit_moments(r, u, m, row->days_observed);
        if (ir->metrics[m].kind == MK_TIME_TO_EVENT) {
            AbcStatus st = unit_time_to_event(r, u, m, row->days_observed, step, err, errlen);
            if (st != ABC_OK)
                return st;
        } else if (ir->metrics[m].kind == MK_QUANTILE) {
            OrderRec rec = {r->unit_vals[m * UV_COUNT + UV_VALUE], row->date, u, exp, m};
            if (isnan(rec.value)) /* NULL reads as 0, as in a moment */
                rec.value = 0;
            if (!extsort_add(o->quant, &rec))
                return order_failed(o->quant, err, errlen);
        }
    }
    return ABC_OK;
}

/* Each cap from its sorted values: the values at the 0-based ranks
 * floor(pos) and ceil(pos), pos = P(n - 1)/100 for the spec's pP (an
 * integer, so pos and its weights are exact, as PERCENTILE_CONT's DECIMAL
 * arithmetic has them). */
static AbcStatus compute_caps(Results *r, UnitsOrder *o, char *err, size_t errlen)
{
    if (!extsort_finish(o->caps))
        return order_failed(o->caps, err, errlen);
    OrderRec rec;
    CapOf *c = NULL;
    long long k = 0, lo_rank = 0, hi_rank = 0, frac = 0;
    double lo = NAN, hi = NAN;
    for (bool more = extsort_next(o->caps, &rec);; more = extsort_next(o->caps, &rec)) {
        if (c && (!more || rec.date != c->date || rec.exp != c->exp || rec.metric != c->metric)) {
            c->cap = lo == hi || frac == 0
                         ? lo
                         : (double)(100 - frac) / 100 * lo + (double)frac / 100 * hi;
            c = NULL;
        }
        if (!more)
            break;
        if (!c) {
            c = cap_of(o, rec.date, rec.exp, rec.metric, false);
            if (!c)
                abort(); /* every value was counted */
            long long pct = llround(r->ir->metrics[rec.metric].cap.value * 100);
            long long pos100 = pct * (c->n - 1);
            lo_rank = pos100 / 100;
            frac = pos100 % 100;
            hi_rank = lo_rank + (frac ? 1 : 0);
            k = 0;
            lo = hi = NAN;
        }
        if (k == lo_rank)
            lo = rec.value;
        if (k == hi_rank)
            hi = rec.value;
        k++;
    }
    return extsort_error(o->caps) ? order_failed(o->caps, err, errlen) : ABC_OK;
}

/* The deferred units' moments, their percentile capped values capped
 * (MariaDB's LEAST: NULL stays NULL) at their combination's cap in force,
 * set first from the caps of its date and experiment. */
static AbcStatus deferred_moments(Results *r, UnitsOrder *o, char *err, size_t errlen)
{
    const IrSpec *ir = r->ir;
    int nm = ir->nmetrics;
    for (UnitCombo *u = r->combos; u; u = u->order)
        for (int m = 0; m < nm; m++) {
            const CapOf *c = pct_capped(&ir->metrics[m]) ? cap_of(o, u->date, u->exp, m, false)
                                                         : NULL;
            if (c)
                u->cap[m] = c->cap;
        }
    if (!extsort_finish(o->defer))
        return order_failed(o->defer, err, errlen);
    while (extsort_next(o->defer, o->rec)) {
        UnitCombo *u;
        double days;
        memcpy(&u, o->rec, sizeof u);
        memcpy(&days, o->rec + sizeof u, sizeof days);
        for (int i = 0; i < nm * UV_COUNT; i++)
            r->unit_vals[i] = NAN;
        for (int i = 0; i < o->nslot; i++)
            memcpy(&r->unit_vals[o->slot[i]], o->rec + sizeof u + sizeof(double) * (size_t)(1 + i),
                   sizeof(double));
        for (int m = 0; m < nm; m++) {
            double *x = &r->unit_vals[m * UV_COUNT + UV_VALUE];
            if (pct_capped(&ir->metrics[m]) && !isnan(*x))
                *x = *x < u->cap[m] ? *x : u->cap[m]; /* a NaN cap (none): NaN */
        }
        for (int m = 0; m < nm; m++)
            if (o->waits[m])
                unit_moments(r, u, m, days);
    }
    return extsort_error(o->defer) ? order_failed(o->defer, err, errlen) : ABC_OK;
}

static const char *combo_slot_fn(const void *u, int seg) { return ((const UnitCombo *)u)->slots[seg]; }

/* The quantile values in order into their cells' streams (after the
 * moments: a stream starts from its arms' unit counts). */
static AbcStatus quantiles_of_units(Results *r, UnitsOrder *o, const SqlStep *step, char *err,
                                    size_t errlen)
{
    if (!extsort_finish(o->quant))
        return order_failed(o->quant, err, errlen);
    OrderRec rec;
    while (extsort_next(o->quant, &rec)) {
        const UnitCombo *u = rec.combo;
        AbcStatus st = distribution_value(r, step->name, rec.metric, u->date, u->exp, u->var,
                                          combo_slot_fn, u, rec.value, 1, err, errlen);
        if (st != ABC_OK)
            return st;
    }
    if (extsort_error(o->quant))
        return order_failed(o->quant, err, errlen);
    return finish_quantiles(r, -1, 0, err, errlen);
}

/* Each combination into its all-users cell and its value's cell of every
 * segment. */
static void fold_combos(Results *r)
{
    const IrSpec *ir = r->ir;
    int nm = ir->nmetrics;
    for (const UnitCombo *u = r->combos; u; u = u->order) {
        for (int seg = -1; seg < ir->nsegments; seg++) {
            Cell *c = get_cell(r, u->date, u->exp, seg < 0 ? "" : ir->segments[seg].name,
                               seg < 0 ? "" : u->slots[seg]);
            if (u->var < 0) {
                c->dq_flag = true;
                continue;
            }
            VarCell *vc = &c->vars[u->var];
            vc->seen = true;
            vc->units += ksum(&u->units);
            for (int m = 0; m < nm; m++) {
                const KSum *k = &u->sums[m * KS_COUNT];
                StatsSums *sm = &vc->sums[m];
                sm->n += ksum(&k[KS_N]);
                sm->sum += ksum(&k[KS_SUM]);
                sm->sum_sq += ksum(&k[KS_SUM_SQ]);
                sm->pre_sum += ksum(&k[KS_PRE_SUM]);
                sm->pre_sum_sq += ksum(&k[KS_PRE_SUM_SQ]);
                sm->sum_pre += ksum(&k[KS_SUM_PRE]);
                sm->den_sum += ksum(&k[KS_DEN_SUM]);
                sm->den_sum_sq += ksum(&k[KS_DEN_SUM_SQ]);
                sm->sum_den += ksum(&k[KS_SUM_DEN]);
                for (int st = 0; u->steps[m] && vc->steps[m] && st < ir->metrics[m].nsteps; st++)
                    vc->steps[m][st] += ksum(&u->steps[m][st]);
                if (!isnan(u->cap[m]) && (isnan(vc->cap[m]) || u->cap[m] > vc->cap[m]))
                    vc->cap[m] = u->cap[m];
                for (int d = 0; d < u->days[m].n; d++)
                    if (u->days[m].events[d] > 0 || u->days[m].censored[d] > 0)
                        surv_add(&vc->surv[m], (StatsTimeCount){d, u->days[m].events[d],
                                                                u->days[m].censored[d]});
            }
        }
    }
}

/* A units step has ended: caps, the deferred moments, the cells' sums,
 * then the quantiles. */
static AbcStatus units_end(Results *r, const SqlStep *step, char *err, size_t errlen)
{
    AbcStatus st = ABC_OK;
    UnitsOrder *o = r->order;
    if (o && (st = compute_caps(r, o, err, errlen)) == ABC_OK)
        st = deferred_moments(r, o, err, errlen);
    if (st == ABC_OK)
        fold_combos(r);
    if (st == ABC_OK && o)
        st = quantiles_of_units(r, o, step, err, errlen);
    combos_free(r);
    units_order_free(r);
    return st;
}

AbcStatus results_end_step(Results *r, const SqlStep *step, char *err, size_t errlen)
{
    if (step->shape == STATS_UNITS)
        return units_end(r, step, err, errlen);
    return ABC_OK;
}

AbcStatus results_add_row(Results *r, const SqlStep *step, const StatsRow *row, char *err,
                          size_t errlen)
{
    if (step->shape == STATS_DISTRIBUTION)
        return add_distribution_row(r, step, row, err, errlen);
    if (step->shape == STATS_UNITS)
        return add_unit_row(r, step, row, err, errlen);
    int exp = row_exp(r, row);
    if (exp < 0)
        return ABC_OK; /* NULL keys, or an experiment no longer in the tag */
    int var = find_var(&r->exps[exp], row->variation_key);
    Cell *c = get_cell(r, row->date, exp, row->segment, row->segment_value);
    if (var < 0) {
        if (!c->segment[0])
            r->unknown_variations++;
        c->dq_flag = true;
        return ABC_OK;
    }
    VarCell *vc = &c->vars[var];
    vc->seen = true;
    if (step->shape == STATS_MOMENTS) {
        vc->units = row->units;
        for (int i = 0; i < row->nmoments; i++) {
            const StatsRowMoment *mo = &row->moments[i];
            if (mo->metric < 0 || mo->metric >= r->ir->nmetrics)
                continue;
            StatsSums *sm = &vc->sums[mo->metric];
            double v = mo->is_null ? 0 : mo->value;
            switch (mo->stat) {
            case SRS_N: sm->n = v; break;
            case SRS_SUM: sm->sum = v; break;
            case SRS_SUM_SQ: sm->sum_sq = v; break;
            case SRS_PRE_SUM: sm->pre_sum = v; break;
            case SRS_PRE_SUM_SQ: sm->pre_sum_sq = v; break;
            case SRS_SUM_PRE: sm->sum_pre = v; break;
            case SRS_DEN_SUM: sm->den_sum = v; break;
            case SRS_DEN_SUM_SQ: sm->den_sum_sq = v; break;
            case SRS_SUM_DEN: sm->sum_den = v; break;
            case SRS_CAP: vc->cap[mo->metric] = mo->is_null ? NAN : v; break;
            case SRS_STEP:
                if (vc->steps[mo->metric] && mo->step < r->ir->metrics[mo->metric].nsteps)
                    vc->steps[mo->metric][mo->step] = v;
                break;
            default: break; /* (a units row's values) */
            }
        }
        return ABC_OK;
    }
    int m = step->metric;
    if (m < 0 || m >= r->ir->nmetrics)
        return ABC_OK;
    if (step->shape == STATS_SURVIVAL)
        surv_add(&vc->surv[m], (StatsTimeCount){row->day, row->events, row->censored});
    return ABC_OK;
}

/* ---- analysis ------------------------------------------------------------- */

static StatsCorrection stats_corr(IrCorrection c)
{
    switch (c) {
    case CORR_BONFERRONI: return STATS_CORR_BONFERRONI;
    case CORR_HOLM: return STATS_CORR_HOLM;
    case CORR_BH: return STATS_CORR_BH;
    default: return STATS_CORR_NONE;
    }
}

static void arm_nan(ArmOut *o)
{
    analysis_arm_clear(o);
}

/* The effective sums of metric m for variation v (funnel: the last step). */
static StatsSums cell_sums(const Results *r, const Cell *c, int v, int m)
{
    StatsSums s = c->vars[v].sums[m];
    const IrMetric *mt = &r->ir->metrics[m];
    if (mt->kind == MK_FUNNEL && mt->nsteps > 0 && c->vars[v].steps[m]) {
        s.sum = c->vars[v].steps[m][mt->nsteps - 1];
        s.sum_sq = s.sum;
    }
    return s;
}

/* Time-to-event metrics (analysis_survival_arms). */
static void analyse_survival(const Results *r, Cell *c, int m, ArmOut *outs)
{
    const IrAnalysis *an = &r->ir->analysis;
    const RunExperiment *x = &r->exps[c->exp];
    int nv = x->nvariations;
    double zb = analysis_gsd_boundary(an, c->date - x->phase_start + 1, ((Results *)r)->obf_z,
                                      &((Results *)r)->obf_ready);
    const StatsTimeCount **ts = calloc((size_t)nv, sizeof *ts);
    size_t *ks = calloc((size_t)nv, sizeof *ks);
    if (!ts || !ks)
        abort();
    for (int v = 0; v < nv; v++) {
        Surv *s = &c->vars[v].surv[m];
        s->n = stats_time_counts_merge(s->v, s->n);
        ts[v] = s->v;
        ks[v] = s->n;
    }
    analysis_survival_arms(an, &r->ir->metrics[m], zb, ts, ks, nv, outs);
    free(ts);
    free(ks);
}

/* The distribution rows of date d and experiment exp are complete (the
 * query is ordered by date, experiment and value, and the next has begun, or
 * the rows have ended): finish those cells' open streams into their
 * quantile results.  exp -1: every stream still open. */
static AbcStatus finish_quantiles(Results *r, int exp, long d, char *err, size_t errlen)
{
    int kept = 0;
    AbcStatus st = ABC_OK;
    for (int i = 0; i < r->nqopen; i++) {
        Cell *c = r->qopen[i].c;
        int m = r->qopen[i].m;
        if (st != ABC_OK || (exp >= 0 && (c->date != d || c->exp != exp))) {
            r->qopen[kept++] = r->qopen[i];
            continue;
        }
        const RunExperiment *x = &r->exps[c->exp];
        QStream *q = c->qs[m];
        stream_flush(q, x->nvariations);
        if (!c->qout)
            c->qout = arena_alloc(&r->arena, sizeof(ArmOut *) * (size_t)(r->ir->nmetrics + 1));
        ArmOut *o = arena_alloc(&r->arena, sizeof(ArmOut) * (size_t)x->nvariations);
        for (int v = 0; v < x->nvariations; v++)
            arm_nan(&o[v]);
        double zb = analysis_gsd_boundary(&r->ir->analysis, c->date - x->phase_start + 1, r->obf_z,
                                          &r->obf_ready);
        char why[200];
        st = analysis_quantile_cell_finish(q->cell, zb, o, why, sizeof why);
        analysis_quantile_cell_free(q->cell);
        free(q->counts);
        c->qs[m] = NULL;
        c->qout[m] = o;
        if (st != ABC_OK) {
            char ds[11];
            date_format(c->date, ds);
            if (c->segment[0])
                snprintf(err, errlen, "step %s: experiment %s, %s, segment %s = %s: %s", r->q_step,
                         x->tracking_key, ds, c->segment, c->value, why);
            else
                snprintf(err, errlen, "step %s: experiment %s, %s: %s", r->q_step,
                         x->tracking_key, ds, why);
        }
    }
    r->nqopen = kept;
    return st;
}

static void analyse_metric(Results *r, Cell *c, int m, ArmOut *outs)
{
    const IrSpec *ir = r->ir;
    const IrAnalysis *an = &ir->analysis;
    const IrMetric *mt = &ir->metrics[m];
    const RunExperiment *x = &r->exps[c->exp];
    AnalysisPolicy pol = analysis_policy(an, mt);
    int nv = x->nvariations;
    for (int v = 0; v < nv; v++)
        arm_nan(&outs[v]);
    if (mt->kind == MK_QUANTILE) {
        if (c->qout && c->qout[m]) /* finished as the rows streamed in */
            memcpy(outs, c->qout[m], sizeof(ArmOut) * (size_t)nv);
        else /* no distribution rows: no units with a value */
            for (int v = 0; v < nv; v++)
                outs[v].n = 0;
        return;
    }
    if (mt->kind == MK_TIME_TO_EVENT) {
        analyse_survival(r, c, m, outs);
        return;
    }
    StatsVariationIn *in = calloc((size_t)nv, sizeof *in);
    if (!in)
        abort();
    for (int v = 0; v < nv; v++) {
        in[v].id = x->variations[v].key;
        in[v].weight = x->variations[v].weight;
        in[v].sums = cell_sums(r, c, v, m);
        outs[v].n = in[v].sums.n;
    }
    StatsRequest q;
    memset(&q, 0, sizeof q);
    q.kind = pol.stats_kind;
    q.direction = mt->direction == DIR_LOWER ? STATS_LOWER_BETTER : STATS_HIGHER_BETTER;
    q.cuped = !strcmp(pol.estimator, "cuped");
    q.alpha = an->alpha;
    q.effect = an->effect == EFFECT_ABSOLUTE ? STATS_ABSOLUTE : STATS_RELATIVE;
    q.sides = an->one_sided ? STATS_ONE_SIDED : STATS_TWO_SIDED;
    q.methods = STATS_M_TTEST;
    if (pol.extras & AN_X_BAYES)
        q.methods |= STATS_M_BAYES;
    if (pol.extras & AN_X_ZTEST)
        q.methods |= STATS_M_ZTEST;
    q.sequential = pol.sequential;
    q.seq_param = an->seq_param;
    if (q.sequential == STATS_SEQ_GSD) {
        q.seq_param = analysis_gsd_boundary(an, c->date - x->phase_start + 1, r->obf_z, &r->obf_ready);
        if (!isfinite(q.seq_param))
            q.sequential = STATS_SEQ_NONE;
    }
    if (q.sequential == STATS_SEQ_MSPRT && q.effect == STATS_ABSOLUTE && nv > 0 &&
        in[0].sums.n > 0) {
        /* tau is written on the relative scale; absolute effects scale it
         * by |control mean|, as the Bayesian prior is scaled */
        double cm = q.kind == STATS_RATIO && in[0].sums.den_sum != 0 ? in[0].sums.sum / in[0].sums.den_sum
                                                                     : in[0].sums.sum / in[0].sums.n;
        if (cm != 0)
            q.seq_param = an->seq_param * fabs(cm);
    }
    q.has_prior = an->has_prior;
    q.prior_mean = an->prior_mean;
    q.prior_sd = an->prior_stddev;
    q.correction = STATS_CORR_NONE; /* applied over the whole family below */
    q.srm_threshold = an->srm_threshold;
    q.nvar = (size_t)nv;
    q.vars = in;
    /* weights must sum to 1 for the kernel's SRM check */
    double wsum = 0;
    for (int v = 0; v < nv; v++)
        wsum += in[v].weight;
    for (int v = 0; v < nv && wsum > 0; v++)
        in[v].weight /= wsum;
    StatsResult res;
    char err[256];
    bool small = false;
    for (int v = 0; v < nv; v++)
        small |= in[v].sums.n < 2;
    if (!small && stats_analyse(&q, &res, err, sizeof err) == ABC_OK) {
        for (int v = 0; v < nv; v++) {
            const StatsArmResult *a = &res.arms[v];
            ArmOut *o = &outs[v];
            o->n = a->n;
            o->mean = a->mean;
            o->stddev = a->stddev;
            if (v == 0)
                continue;
            o->flags = a->flags;
            o->abs_effect = a->abs_effect;
            o->rel_effect = a->rel_effect;
            o->se = a->se;
            o->ci_lo = a->ci_lo;
            o->ci_hi = a->ci_hi;
            o->p = a->p_value;
            o->z_p = a->z_p_value;
            o->exact_p = a->exact_p_value;
            if (pol.extras & AN_X_BAYES) {
                o->ctw = a->chance_to_win;
                o->loss = a->expected_loss;
                o->cred_lo = a->cred_lo;
                o->cred_hi = a->cred_hi;
            }
            o->var_red = q.cuped ? a->variance_reduction : NAN;
            if (pol.extras & AN_X_UPLIFT) {
                o->impact = a->uplift.impact;
                o->impact_lo = a->uplift.impact_lo;
                o->impact_hi = a->uplift.impact_hi;
            }
            if (q.sequential == STATS_SEQ_GSD)
                snprintf(o->note, sizeof o->note, "O'Brien-Fleming look: boundary |z| >= %.3f",
                         q.seq_param);
            if (a->message && !o->note[0])
                snprintf(o->note, sizeof o->note, "%s", a->message);
        }
        stats_result_free(&res);
    } else if (small) {
        for (int v = 1; v < nv; v++) {
            outs[v].flags |= STATS_F_SMALL_N;
            snprintf(outs[v].note, sizeof outs[v].note, "fewer than 2 units in an arm");
        }
    }
    /* difference-in-differences on the pre-period, where there is one */
    if (pol.extras & AN_X_DID) {
        StatsMoments ch[64];
        for (int v = 0; v < nv && v < 64; v++) {
            StatsSums s = in[v].sums;
            double n = s.n, sd = s.sum - s.pre_sum, sq = s.sum_sq - 2 * s.sum_pre + s.pre_sum_sq;
            ch[v].n = n;
            ch[v].mean = n > 0 ? sd / n : 0;
            ch[v].var = stats_var_from_sums(n, sd, sq);
        }
        for (int v = 1; v < nv && v < 64; v++) {
            StatsTest t;
            double est;
            if (stats_did(&ch[0], &ch[v], an->alpha, &t, &est) == ABC_OK) {
                outs[v].did_est = est;
                outs[v].did_lo = t.ci_lo;
                outs[v].did_hi = t.ci_hi;
                outs[v].did_p = t.p_value;
            }
        }
    }
    free(in);
}

static void analyse_cell(Results *r, Cell *c)
{
    const IrSpec *ir = r->ir;
    const RunExperiment *x = &r->exps[c->exp];
    int nv = x->nvariations, nm = ir->nmetrics;
    /* SRM and data quality on units */
    double *n = calloc((size_t)nv, sizeof *n), *w = calloc((size_t)nv, sizeof *w);
    if (!n || !w)
        abort();
    double total = 0, wsum = 0;
    for (int v = 0; v < nv; v++) {
        n[v] = c->vars[v].units;
        w[v] = x->variations[v].weight;
        total += n[v];
        wsum += w[v];
        if (n[v] <= 0)
            c->dq_flag = true;
    }
    for (int v = 0; v < nv && wsum > 0; v++)
        w[v] /= wsum;
    /* users in a variation of weight 0 give p = 0 (stats_srm); a split
     * that cannot be checked (p stays NaN) is never taken as OK */
    c->srm_p = NAN;
    if (total > 0 && wsum > 0 && stats_srm(n, w, (size_t)nv, &c->srm_p) == ABC_OK)
        c->srm_flag = c->srm_p < ir->analysis.srm_threshold;
    else if (total > 0)
        c->srm_flag = true;
    free(n);
    free(w);
    c->out = arena_alloc(&r->arena, sizeof(ArmOut *) * (size_t)(nm + 1));
    for (int m = 0; m < nm; m++) {
        c->out[m] = arena_alloc(&r->arena, sizeof(ArmOut) * (size_t)nv);
        analyse_metric(r, c, m, c->out[m]);
    }
    /* multiple testing over goal + secondary metrics × treatments */
    int fam = 0;
    double *p = malloc(sizeof(double) * (size_t)(nm * nv + 1));
    double *adj = malloc(sizeof(double) * (size_t)(nm * nv + 1));
    if (!p || !adj)
        abort();
    for (int m = 0; m < nm; m++)
        if (ir->metrics[m].role != ROLE_GUARDRAIL)
            for (int v = 1; v < nv; v++)
                if (isfinite(c->out[m][v].p))
                    p[fam++] = c->out[m][v].p;
    StatsCorrection corr = stats_corr(ir->analysis.correction);
    bool adjusted = fam > 0 && corr != STATS_CORR_NONE &&
                    stats_adjust_p(corr, p, (size_t)fam, adj) == ABC_OK;
    int k = 0;
    for (int m = 0; m < nm; m++) {
        const IrMetric *mt = &ir->metrics[m];
        for (int v = 1; v < nv; v++) {
            ArmOut *o = &c->out[m][v];
            o->p_adj = o->p;
            if (mt->role != ROLE_GUARDRAIL && isfinite(o->p)) {
                if (adjusted)
                    o->p_adj = adj[k];
                k++;
            }
            analysis_decide(&ir->analysis, mt, c->srm_flag || c->dq_flag, o);
        }
        c->out[m][0].decision = (c->srm_flag || c->dq_flag) ? "invalid" : NULL;
    }
    free(p);
    free(adj);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static int cmp_cell(const void *a, const void *b)
{
    const Cell *x = *(Cell *const *)a, *y = *(Cell *const *)b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->exp != y->exp)
        return x->exp - y->exp;
    int s = strcmp(x->segment, y->segment);
    return s ? s : strcmp(x->value, y->value);
}

static const char *sequential_text(const IrAnalysis *a)
{
    return IR_SEQUENTIAL_NAMES[a->sequential];
}

/* A segment's results are no better than the experiment's assignment: when
 * the all-users cell of the same date and experiment fails the SRM or the
 * data-quality check, every decision of its segment cells is "invalid" too
 * (a small segment rarely has the power to show the mismatch itself).
 * Needs the cells sorted (cmp_cell): the all-users cell, segment "", comes
 * first within its date × experiment. */
static void invalidate_segments(Results *r)
{
    const Cell *all = NULL;
    for (int i = 0; i < r->ncells; i++) {
        Cell *c = r->cells[i];
        if (!c->segment[0]) {
            all = c;
            continue;
        }
        if (!all || all->date != c->date || all->exp != c->exp || !(all->srm_flag || all->dq_flag))
            continue;
        for (int m = 0; m < r->ir->nmetrics; m++)
            for (int v = 0; v < r->exps[c->exp].nvariations; v++)
                c->out[m][v].decision = "invalid";
    }
}

/* The row's flags, comma-separated: the experiment's health and the
 * comparison's STATS_F_* conditions. */
static const char *flags_text(Results *r, const Cell *c, const ArmOut *o, int v)
{
    char b[128];
    size_t len = 0;
    b[0] = 0;
    if (c->srm_flag)
        len += (size_t)snprintf(b + len, sizeof b - len, "%ssrm", len ? "," : "");
    if (c->dq_flag && len < sizeof b)
        len += (size_t)snprintf(b + len, sizeof b - len, "%sdata_quality", len ? "," : "");
    /* the cell's SRM is reported above, once; the arm's other conditions follow */
    for (unsigned bit = 1; v > 0 && bit <= STATS_F_BOUNDARY && len < sizeof b; bit <<= 1)
        if ((o->flags & bit) && bit != STATS_F_SRM)
            len += (size_t)snprintf(b + len, sizeof b - len, "%s%s", len ? "," : "",
                                    stats_flag_name(bit));
    return b[0] ? arena_strdup(&r->arena, b) : NULL;
}

AbcStatus results_compute(Results *r, char *err, size_t errlen)
{
    stats_init();
    AbcStatus st = finish_quantiles(r, -1, 0, err, errlen); /* the last date's streams */
    if (st != ABC_OK)
        return st;
    if (r->ndates > 1) /* no statistics rows: no dates, and no array */
        qsort(r->dates, (size_t)r->ndates, sizeof(long), cmp_long);
    if (r->ncells > 1)
        qsort(r->cells, (size_t)r->ncells, sizeof(Cell *), cmp_cell);
    for (int i = 0; i < r->ncells; i++)
        analyse_cell(r, r->cells[i]);
    invalidate_segments(r);
    /* report rows */
    const IrSpec *ir = r->ir;
    int ncols = SQLGEN_REPORT_NCOLUMNS;
    r->rows = arena_alloc(&r->arena, sizeof(SqlValue *) * (size_t)(r->ndates + 1));
    r->nrows = arena_alloc(&r->arena, sizeof(int) * (size_t)(r->ndates + 1));
    r->rrows = arena_alloc(&r->arena, sizeof(ReportRow *) * (size_t)(r->ndates + 1));
    for (int di = 0; di < r->ndates; di++) {
        long date = r->dates[di];
        int count = 0;
        for (int i = 0; i < r->ncells; i++)
            if (r->cells[i]->date == date)
                count += r->exps[r->cells[i]->exp].nvariations * ir->nmetrics;
        SqlValue *rows = arena_alloc(&r->arena, sizeof(SqlValue) * (size_t)(count + 1) * (size_t)ncols);
        ReportRow *rrows = arena_alloc(&r->arena, sizeof(ReportRow) * (size_t)(count + 1));
        char *ds = arena_alloc(&r->arena, 11);
        date_format(date, ds);
        int n = 0;
        for (int i = 0; i < r->ncells; i++) {
            Cell *c = r->cells[i];
            if (c->date != date)
                continue;
            const RunExperiment *x = &r->exps[c->exp];
            for (int m = 0; m < ir->nmetrics; m++) {
                const IrMetric *mt = &ir->metrics[m];
                Buf mb;
                buf_init(&mb);
                analysis_methods(&ir->analysis, mt, false, &mb);
                const char *methods = arena_strdup(&r->arena, mb.data ? mb.data : "");
                buf_free(&mb);
                AnalysisPolicy pol = analysis_policy(&ir->analysis, mt);
                for (int v = 0; v < x->nvariations; v++) {
                    const ArmOut *o = &c->out[m][v];
                    ReportRow row;
                    report_row_init(&row);
                    row.tag = ir->tag;
                    row.module = ir->module;
                    row.experiment_id = x->id;
                    row.tracking_key = x->tracking_key;
                    row.experiment_name = x->name;
                    row.phase_name = x->phase_name;
                    row.phase_start = x->phase_start_ts;
                    row.phase_end = x->phase_end_ts[0] ? x->phase_end_ts : NULL;
                    row.analysis_date = ds;
                    row.computed_at = r->computed_at;
                    row.metric = mt->name;
                    row.metric_kind = ir_metric_kind_name(mt->kind);
                    row.metric_role = ir_role_name(mt->role);
                    row.direction = mt->direction == DIR_LOWER ? "lower" : "higher";
                    row.segment = c->segment;
                    row.segment_value = c->value;
                    row.variation_key = x->variations[v].key;
                    row.variation_name = x->variations[v].name;
                    row.is_control = v == 0;
                    row.users = (long long)(isfinite(o->n) ? o->n : 0);
                    row.mean = o->mean;
                    row.stddev = o->stddev;
                    row.value_low = o->value_lo;
                    row.value_high = o->value_hi;
                    row.effect_type = ir->analysis.effect == EFFECT_ABSOLUTE ? "absolute" : "relative";
                    row.test = pol.test;
                    row.srm_p_value = c->srm_p;
                    row.sequential = sequential_text(&ir->analysis);
                    row.methods = methods;
                    row.decision = o->decision;
                    row.flags = flags_text(r, c, o, v);
                    row.spec_hash = ir->content_hash;
                    row.abc_version = ABC_VERSION;
                    if (v > 0) {
                        row.abs_effect = o->abs_effect;
                        row.rel_effect = o->rel_effect;
                        row.ci_low = o->ci_lo;
                        row.ci_high = o->ci_hi;
                        row.p_value = o->p;
                        row.p_value_adjusted = o->p_adj;
                        row.significant = o->significant;
                        row.chance_to_win = o->ctw;
                        row.expected_loss = o->loss;
                        row.cred_low = o->cred_lo;
                        row.cred_high = o->cred_hi;
                        row.cuped_variance_reduction = o->var_red;
                        row.impact = o->impact;
                        row.impact_low = o->impact_lo;
                        row.impact_high = o->impact_hi;
                        row.ztest_p_value = o->z_p;
                        row.exact_p_value = o->exact_p;
                        row.mannwhitney_p_value = o->mw_p;
                        row.bootstrap_effect = o->boot_est;
                        row.bootstrap_low = o->boot_lo;
                        row.bootstrap_high = o->boot_hi;
                        row.did_effect = o->did_est;
                        row.did_low = o->did_lo;
                        row.did_high = o->did_hi;
                        row.did_p_value = o->did_p;
                        row.logrank_p_value = o->logrank_p;
                        row.bayes_decision = o->bayes_decision;
                        row.note = o->note[0] ? arena_strdup(&r->arena, o->note) : NULL;
                    }
                    row.km_median = o->km_median;
                    report_row_values(&row, rows + (size_t)n * (size_t)ncols);
                    rrows[n] = row;
                    n++;
                }
            }
        }
        r->rows[di] = rows;
        r->rrows[di] = rrows;
        r->nrows[di] = n;
    }
    return ABC_OK;
}

const SqlValue *results_rows(const Results *r, long analysis_date, int *nrows)
{
    for (int i = 0; i < r->ndates; i++)
        if (r->dates[i] == analysis_date) {
            *nrows = r->nrows[i];
            return r->rows[i];
        }
    *nrows = 0;
    return NULL;
}

const long *results_dates(const Results *r, int *n)
{
    *n = r->ndates;
    return r->dates;
}

static long latest_at_or_before(const Results *r, long date)
{
    long best = -1;
    for (int i = 0; i < r->ndates; i++)
        if (r->dates[i] <= date && r->dates[i] > best)
            best = r->dates[i];
    return best;
}

ResultsHealth results_health(const Results *r, long analysis_date)
{
    ResultsHealth h = {0, 0, 0};
    long d = latest_at_or_before(r, analysis_date);
    bool *seen = calloc((size_t)r->nexps + 1, 1);
    if (!seen)
        abort();
    for (int i = 0; i < r->ncells; i++) {
        const Cell *c = r->cells[i];
        if (c->date != d || c->segment[0])
            continue;
        seen[c->exp] = true;
        h.srm_failures += c->srm_flag;
        h.data_quality_failures += c->dq_flag;
        for (int m = 0; m < r->ir->nmetrics; m++)
            if (r->ir->metrics[m].role == ROLE_GUARDRAIL)
                for (int v = 1; v < r->exps[c->exp].nvariations; v++)
                    h.guardrail_failures += c->out[m][v].decision && !strcmp(c->out[m][v].decision, "loser");
    }
    for (int e = 0; e < r->nexps; e++)
        if (!seen[e])
            h.data_quality_failures++; /* no exposed users at all */
    free(seen);
    return h;
}

/* ---- memo, page and JSON --------------------------------------------------------- */

/* The renderers' input (report.h) for one date: the tag's experiments with
 * their weights, that date's rows, and the all-users rows of every date. */
typedef struct MemoInput {
    ReportInput in;
    ReportExperiment *exps;
    ReportVariation *vars;
    ReportRow *daily;
    char note[160];
} MemoInput;

static void memo_input(const Results *r, long analysis_date, const char *run_line, MemoInput *mi)
{
    memset(mi, 0, sizeof *mi);
    int nvars = 0, ndaily = 0;
    for (int e = 0; e < r->nexps; e++)
        nvars += r->exps[e].nvariations;
    for (int di = 0; di < r->ndates; di++)
        ndaily += r->nrows ? r->nrows[di] : 0;
    mi->exps = calloc((size_t)r->nexps + 1, sizeof *mi->exps);
    mi->vars = calloc((size_t)nvars + 1, sizeof *mi->vars);
    mi->daily = calloc((size_t)ndaily + 1, sizeof *mi->daily);
    if (!mi->exps || !mi->vars || !mi->daily)
        abort();
    ReportVariation *v = mi->vars;
    for (int e = 0; e < r->nexps; e++) {
        const RunExperiment *x = &r->exps[e];
        for (int k = 0; k < x->nvariations; k++)
            v[k] = (ReportVariation){x->variations[k].key, x->variations[k].name, x->variations[k].weight};
        mi->exps[e] = (ReportExperiment){x->id, x->tracking_key, x->name, x->phase_name, x->phase_start_ts,
                                         x->phase_end_ts[0] ? x->phase_end_ts : NULL, v, x->nvariations};
        v += x->nvariations;
    }
    int nd = 0;
    for (int di = 0; di < r->ndates && r->rrows; di++)
        for (int i = 0; i < r->nrows[di]; i++)
            if (!r->rrows[di][i].segment || !r->rrows[di][i].segment[0])
                mi->daily[nd++] = r->rrows[di][i];
    long d = latest_at_or_before(r, analysis_date);
    const ReportRow *rows = NULL;
    int nrows = 0;
    for (int di = 0; di < r->ndates && r->rrows; di++)
        if (r->dates[di] == d) {
            rows = r->rrows[di];
            nrows = r->nrows[di];
        }
    mi->in = (ReportInput){.tag = r->ir->tag, .heading = "A/B results", .run_line = run_line, .ir = r->ir,
                           .exps = mi->exps, .nexps = r->nexps, .rows = rows, .nrows = nrows,
                           .daily = mi->daily, .ndaily = nd, .hourly = r->hourly,
                           .nhourly = r->nhourly};
    if (r->null_key_rows > 0) {
        snprintf(mi->note, sizeof mi->note,
                 "%lld exposure row%s with a NULL user, experiment or variation key %s skipped.",
                 r->null_key_rows, r->null_key_rows == 1 ? "" : "s",
                 r->null_key_rows == 1 ? "was" : "were");
        mi->in.data_note = mi->note;
    }
}

void results_set_hourly(Results *r, const ReportHourly *rows, int n)
{
    r->hourly = rows;
    r->nhourly = n;
}

static void memo_input_free(MemoInput *mi)
{
    free(mi->exps);
    free(mi->vars);
    free(mi->daily);
}

void results_memo(const Results *r, long analysis_date, const char *run_line, Buf *out)
{
    MemoInput mi;
    memo_input(r, analysis_date, run_line, &mi);
    report_markdown(&mi.in, out);
    memo_input_free(&mi);
}

void results_page(const Results *r, long analysis_date, const char *run_line, const ReportActivity *act,
                  Buf *out)
{
    MemoInput mi;
    memo_input(r, analysis_date, run_line, &mi);
    mi.in.activity = act;
    report_html(&mi.in, out);
    memo_input_free(&mi);
}

static void json_num(Buf *b, double v)
{
    if (isfinite(v))
        buf_printf(b, "%.17g", v);
    else
        buf_puts(b, "null");
}

void results_json(const Results *r, long analysis_date, Buf *out)
{
    long d = latest_at_or_before(r, analysis_date);
    char ds[11];
    date_format(d >= 0 ? d : analysis_date, ds);
    buf_printf(out, "{\"analysis_date\": \"%s\", \"experiments\": [", ds);
    for (int e = 0; e < r->nexps; e++) {
        const RunExperiment *x = &r->exps[e];
        const Cell *c = NULL;
        for (int i = 0; i < r->ncells; i++)
            if (r->cells[i]->date == d && r->cells[i]->exp == e && !r->cells[i]->segment[0])
                c = r->cells[i];
        buf_puts(out, e ? ", {" : "{");
        buf_puts(out, "\"id\": ");
        buf_put_json_string(out, x->id);
        buf_puts(out, ", \"tracking_key\": ");
        buf_put_json_string(out, x->tracking_key);
        if (!c) {
            buf_puts(out, ", \"users\": 0, \"data_quality\": \"no exposed users\"}");
            continue;
        }
        buf_puts(out, ", \"srm_p_value\": ");
        json_num(out, c->srm_p);
        buf_printf(out, ", \"srm\": %s, \"data_quality_issue\": %s, \"variations\": [",
                   c->srm_flag ? "true" : "false", c->dq_flag ? "true" : "false");
        for (int v = 0; v < x->nvariations; v++) {
            buf_puts(out, v ? ", {\"key\": " : "{\"key\": ");
            buf_put_json_string(out, x->variations[v].key);
            buf_printf(out, ", \"users\": %.0f}", c->vars[v].units);
        }
        buf_puts(out, "], \"metrics\": [");
        bool first = true;
        for (int m = 0; m < r->ir->nmetrics; m++) {
            const IrMetric *mt = &r->ir->metrics[m];
            for (int v = 1; v < x->nvariations; v++) {
                const ArmOut *o = &c->out[m][v];
                buf_puts(out, first ? "{" : ", {");
                first = false;
                buf_puts(out, "\"metric\": ");
                buf_put_json_string(out, mt->name);
                buf_printf(out, ", \"role\": \"%s\", \"variation\": ", ir_role_name(mt->role));
                buf_put_json_string(out, x->variations[v].key);
                buf_puts(out, ", \"control_mean\": ");
                json_num(out, c->out[m][0].mean);
                buf_puts(out, ", \"mean\": ");
                json_num(out, o->mean);
                buf_puts(out, ", \"abs_effect\": ");
                json_num(out, o->abs_effect);
                buf_puts(out, ", \"rel_effect\": ");
                json_num(out, o->rel_effect);
                buf_puts(out, ", \"ci\": [");
                json_num(out, o->ci_lo);
                buf_puts(out, ", ");
                json_num(out, o->ci_hi);
                buf_puts(out, "], \"p_value\": ");
                json_num(out, o->p);
                buf_puts(out, ", \"p_value_adjusted\": ");
                json_num(out, o->p_adj);
                buf_puts(out, ", \"chance_to_win\": ");
                json_num(out, o->ctw);
                buf_puts(out, ", \"decision\": ");
                buf_put_json_string(out, o->decision ? o->decision : "");
                buf_putc(out, '}');
            }
        }
        buf_puts(out, "]}");
    }
    buf_puts(out, "]}");
}

void results_set_null_key_rows(Results *r, long long n)
{
    r->null_key_rows = n;
}
