/* runner.c — `abc run` for one spec (see run.h for the pipeline and the
 * rules for dates due).  Phases: load and compile the spec in memory →
 * resolve experiments → plan the dates → DDL → experiment_data → assignment
 * and wide tables per due date → statistics queries → analysis → report
 * publish → run state → memo. */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "abc/dates.h"
#include "abc/gb.h"
#include "abc/hourly.h"
#include "abc/report.h"
#include "abc/results.h"
#include "abc/run.h"
#include "abc/spec.h"
#include "abc/sqlgen.h"

#define RUN_VALUES_CHUNK 400 /* rows per {{values}} insert */

/* Due dates filled by one range statement at most (bounds the size of one
 * statement's intermediate results on a long backfill). */
enum { RANGE_CHUNK_DAYS = 7 };

/* A one-shot signal between the run's threads: set once with a status
 * (the first latch_set wins), waited for by another thread. */
typedef struct Latch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool set;
    AbcStatus st;
} Latch;

typedef struct Runner {
    const RunEnv *env;
    const RunOptions *opt;
    SpecUnit unit;
    bool unit_loaded;
    Arena arena;
    SqlProgram prog;
    GbTagConfig *gb;
    RunExperiment *exps;
    int nexps;
    long from, to;       /* due dates, inclusive; from > to: none */
    long first_phase_day;
    bool full;
    char run_id[41];     /* this run: tag, UTC time, pid; see exec_step */
    unsigned nexec;      /* step executions so far */
    double t0;
    char computed_at[20];
    const char *reason;  /* why these dates */
    FILE *show;          /* --dry-run --sql: statements are printed here, never sent */
    long published;      /* last date of a previous successful run, -1 when none */
    long today;          /* UTC today, or ABC_TODAY */
    bool locked;         /* this run holds the tag's lease (lock_release at the end) */
    long horizon_from, horizon_to; /* past dates checked for late data; from > to: none */
    struct Fprint *fp;   /* fingerprint_scan's rows (malloc'd), fp_scanned: it ran */
    int nfp, fpcap;
    bool fp_scanned;
    struct Fprint *fpx;  /* the exposure source's rows of the dates due, from
                          * exposure_keys (malloc'd; SqlProgram.fprint_exposure_stmt) */
    int nfpx, fpxcap;
    bool stats_only;     /* nothing to fill: the last date's statistics again */
    long long null_key_rows; /* exposure rows of the dates due with a NULL key */
    bool pre_stale;      /* the per-user day and unit state tables may predate this
                          * spec: rebuild them */
    bool activity_merged; /* activity_periods_add merged the one date filled (new), and
                           * activity_due_users wrote its users */
    Buf late;            /* "events: 2026-10-06 rows 1200 → 1260; ..." */
    Latch *pre_filled;    /* NULL, or set by fill_dates once the per-user day table holds
                           * every date due (a fill by day; the side job's active days) */
    struct PrePipe *pipe; /* offered to the next fill_dates: the side connection fills
                           * the per-user days and the assignment (PrePipe) */
    bool activity_days_filled; /* the last fill_dates, piped, also filled the active days of
                                * the dates due (and on a full run of every source date
                                * before them): activity_fill starts at the user state */
} Runner;

/* One source's rows of one date: fingerprint_scan / fingerprint_read. */
typedef struct Fprint {
    const char *source; /* in the runner's arena */
    long day;
    long long rows, checksum;
} Fprint;

void run_outcome_free(RunOutcome *o)
{
    free(o->tag);
    free(o->memo_path);
    buf_free(&o->json);
    buf_free(&o->activity_json);
    memset(o, 0, sizeof *o);
}

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void latch_init(Latch *l)
{
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->set = false;
    l->st = ABC_OK;
}

static void latch_set(Latch *l, AbcStatus st)
{
    pthread_mutex_lock(&l->mu);
    if (!l->set) {
        l->set = true;
        l->st = st;
        pthread_cond_broadcast(&l->cv);
    }
    pthread_mutex_unlock(&l->mu);
}

static AbcStatus latch_wait(Latch *l)
{
    pthread_mutex_lock(&l->mu);
    while (!l->set)
        pthread_cond_wait(&l->cv, &l->mu);
    AbcStatus st = l->st;
    pthread_mutex_unlock(&l->mu);
    return st;
}

static void latch_destroy(Latch *l)
{
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
}

/* The fill of several dates due by day, split over the two connections:
 * the side one fills each day's per-user day rows and assignment
 * (pre_prepare, then pre_fill and assign_day per day, oldest first) while
 * this one fills the wide table of each day as soon as the side one has
 * filled that day (fill_dates).  Offered by fprint_beside_start, taken or
 * turned down (pipe_off) by the first fill_dates. */
typedef enum { PIPE_IDLE, PIPE_GO, PIPE_OFF } PipeState;
typedef struct PrePipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    PipeState state;
    long from, to;     /* the days to fill (with PIPE_GO) */
    long done;         /* filled through this day */
    bool cancelled;    /* this connection failed: the side one stops after its day */
    bool failed;       /* the side connection's fill (or its scan) failed: st, err */
    AbcStatus st;
    char err[1024];
} PrePipe;

static void pipe_init(PrePipe *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->state = PIPE_IDLE;
}

static void pipe_destroy(PrePipe *p)
{
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

/* This connection will not wait for the side one's fill (a no-op once it
 * has started it); cancel: this connection failed, so a fill started stops
 * after the day it is on. */
static void pipe_off_or_cancel(PrePipe *p, bool cancel)
{
    pthread_mutex_lock(&p->mu);
    if (p->state == PIPE_IDLE) {
        p->state = PIPE_OFF;
        pthread_cond_broadcast(&p->cv);
    }
    p->cancelled |= cancel;
    pthread_mutex_unlock(&p->mu);
}

static void pipe_off(PrePipe *p) { pipe_off_or_cancel(p, false); }

static bool pipe_cancelled(PrePipe *p)
{
    pthread_mutex_lock(&p->mu);
    bool c = p->cancelled;
    pthread_mutex_unlock(&p->mu);
    return c;
}

static AbcStatus pipe_failure(PrePipe *p, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", p->err);
    return p->st;
}

/* Start the side connection's fill of [from, to]; its failure so far, if any. */
static AbcStatus pipe_go(PrePipe *p, long from, long to, char *err, size_t errlen)
{
    pthread_mutex_lock(&p->mu);
    AbcStatus st = ABC_OK;
    if (p->failed) {
        st = pipe_failure(p, err, errlen);
    } else {
        p->state = PIPE_GO;
        p->from = from;
        p->to = to;
        p->done = from - 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return st;
}

/* Wait until the side connection has filled day (or failed). */
static AbcStatus pipe_wait(PrePipe *p, long day, char *err, size_t errlen)
{
    pthread_mutex_lock(&p->mu);
    while (!p->failed && p->done < day)
        pthread_cond_wait(&p->cv, &p->mu);
    AbcStatus st = p->failed ? pipe_failure(p, err, errlen) : ABC_OK;
    pthread_mutex_unlock(&p->mu);
    return st;
}

/* The side connection: wait for this one's decision; true with the days
 * to fill when it is PIPE_GO. */
static bool pipe_take(PrePipe *p, long *from, long *to)
{
    pthread_mutex_lock(&p->mu);
    while (p->state == PIPE_IDLE)
        pthread_cond_wait(&p->cv, &p->mu);
    bool go = p->state == PIPE_GO;
    *from = p->from;
    *to = p->to;
    pthread_mutex_unlock(&p->mu);
    return go;
}

static void pipe_done(PrePipe *p, long day)
{
    pthread_mutex_lock(&p->mu);
    p->done = day;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void pipe_fail(PrePipe *p, AbcStatus st, const char *err)
{
    pthread_mutex_lock(&p->mu);
    if (!p->failed) {
        p->failed = true;
        p->st = st;
        snprintf(p->err, sizeof p->err, "%s", err);
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* A copy of the runner for a thread on the side connection (env: the copy's
 * environment, wh = RunEnv.wh_side): its own arena, late-data text and
 * statement numbers from nexec ({{run_id}}s distinct from the other
 * threads'), no fingerprints. */
static void runner_side_copy(Runner *dst, RunEnv *env, const Runner *r, unsigned nexec)
{
    *dst = *r;
    *env = *r->env;
    env->wh = r->env->wh_side;
    env->wh_side = NULL;
    dst->env = env;
    arena_init(&dst->arena);
    buf_init(&dst->late);
    dst->fp = NULL;
    dst->fpx = NULL;
    dst->nfpx = dst->fpxcap = 0;
    dst->nexec = nexec;
    dst->pipe = NULL;
    dst->pre_filled = NULL;
}

static void progress(Runner *r, const char *fmt, ...) ABC_PRINTF(2, 3);
static void progress(Runner *r, const char *fmt, ...)
{
    FILE *f = r->opt->progress;
    if (!f || r->show)
        return;
    /* one write per line: the side connection's thread reports too */
    char line[1024];
    int n = snprintf(line, sizeof line, "abc run %s: ", r->unit.ir ? r->unit.ir->tag : "?");
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof line)
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, " (%.2f s)\n", now_s() - r->t0);
    else
        snprintf(line + sizeof line - 2, 2, "\n");
    fputs(line, f);
}

/* A live bar on a terminal; nothing otherwise. */
static void progress_bar(Runner *r, int done, int total, const char *what)
{
    FILE *f = r->opt->progress;
    if (!f || r->show || !isatty(fileno(f)) || total <= 0)
        return;
    int width = 30, fill = done * width / total;
    fprintf(f, "\r  [");
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : ' ', f);
    fprintf(f, "] %d/%d %s", done, total, what);
    if (done == total)
        fputc('\n', f);
    fflush(f);
}

/* ---- statements ------------------------------------------------------------------ */

/* Send statement i of a step, bound with p: rows to fn when fn is given.
 * Under --dry-run --sql (r->show) the bound statement is printed instead
 * and a query returns no rows. */
static AbcStatus send_stmt(Runner *r, const SqlStep *s, int i, const SqlParams *p, WhRowFn fn,
                           void *ctx, char *err, size_t errlen)
{
    Buf sql;
    buf_init(&sql);
    AbcStatus st = sqlgen_bind(r->env->dialect, s->stmts[i], p, &sql, err, errlen);
    if (st == ABC_OK && r->show) {
        fprintf(r->show, "-- %s, statement %d of %d\n%s;\n\n", s->name, i + 1, s->nstmts, sql.data);
    } else if (st == ABC_OK) {
        st = fn ? wh_query(r->env->wh, sql.data, fn, ctx, NULL, err, errlen)
                : wh_exec(r->env->wh, sql.data, NULL, err, errlen);
    }
    buf_free(&sql);
    return st;
}

/* head before the message in err (left as it is when both do not fit). */
static void err_prepend(char *err, size_t errlen, const char *head)
{
    size_t h = strlen(head), n = strlen(err);
    if (h && h + n + 1 <= errlen) {
        memmove(err + h, err, n + 1);
        memcpy(err, head, h);
    }
}

/* The step's name after the warehouse's message, and before it what the
 * operator should know of the error's kind (what happened, what was kept). */
static void step_error(Runner *r, const SqlStep *s, char *err, size_t errlen)
{
    size_t n = strlen(err);
    snprintf(err + n, errlen - n, " (step %s)", s->name);
    WhErrKind k = r->env->wh ? wh_last_error(r->env->wh) : WH_ERR_NONE;
    char head[256];
    head[0] = '\0';
    if (k == WH_ERR_DISK_FULL) {
        snprintf(head, sizeof head,
                 "the warehouse is out of storage (disk or table full); the run stopped and "
                 "the previous results are unchanged; free space and run again: ");
    } else if (k == WH_ERR_TIMEOUT) {
        unsigned t = r->env->config ? r->env->config->warehouse.query_timeout_s : 0;
        if (t)
            snprintf(head, sizeof head,
                     "a statement ran longer than warehouse.query_timeout_s (%u s) and was "
                     "stopped; raise warehouse.query_timeout_s in abc.yaml: ",
                     t);
        else
            snprintf(head, sizeof head,
                     "a statement ran longer than the warehouse's statement timeout and was "
                     "stopped; set warehouse.query_timeout_s in abc.yaml: ");
    }
    err_prepend(err, errlen, head);
}

/* Run a step's statements in order.  A step may open a transaction
 * (statements flagged SQLSTMT_TX_BEGIN … SQLSTMT_TX_END, the MariaDB
 * replace of a table's rows); when one of its statements fails, the
 * transaction is rolled back here, before returning: otherwise the
 * half-done work (e.g. the DELETE of the tag's dashboard rows) would stay
 * open on the connection and be committed by the next statement that
 * commits implicitly — the next spec's DDL in a run of several specs.
 * The statements with a SqlStmtFlag bit of skip are left out. */
static AbcStatus exec_step_skipping(Runner *r, const SqlStep *s, const SqlParams *p,
                                    unsigned skip, char *err, size_t errlen)
{
    /* {{run_id}} is fresh for every execution of a step (StarRocks load
     * labels are unique per database): the run's id plus a sequence number */
    char rid[41];
    snprintf(rid, sizeof rid, "%.32s_%u", r->run_id, ++r->nexec);
    SqlParams q = *p;
    q.run_id = rid;
    bool in_tx = false;
    for (int i = 0; i < s->nstmts; i++) {
        unsigned flags = s->flags ? s->flags[i] : 0;
        if (flags & skip)
            continue;
        if (flags & SQLSTMT_TX_BEGIN)
            in_tx = true;
        AbcStatus st = send_stmt(r, s, i, &q, NULL, NULL, err, errlen);
        if (st != ABC_OK) {
            WhErrKind k = r->env->wh ? wh_last_error(r->env->wh) : WH_ERR_NONE;
            step_error(r, s, err, errlen); /* before the rollback resets the last error */
            if (in_tx && k != WH_ERR_NONE && k != WH_ERR_CONN_LOST && k != WH_ERR_CONN_REFUSED &&
                k != WH_ERR_CLIENT) {
                /* best effort; a lost session rolled back already */
                char rb_err[256];
                if (wh_exec(r->env->wh, r->env->dialect->rollback, NULL, rb_err, sizeof rb_err) != ABC_OK)
                    progress(r, "rollback after the failed statement: %s", rb_err);
            }
            return st;
        }
        if (flags & SQLSTMT_TX_END)
            in_tx = false;
    }
    return ABC_OK;
}

static AbcStatus exec_step(Runner *r, const SqlStep *s, const SqlParams *p, char *err,
                           size_t errlen)
{
    return exec_step_skipping(r, s, p, 0, err, errlen);
}

/* Run a query step, every statement's rows to fn. */
static AbcStatus query_step(Runner *r, const SqlStep *s, const SqlParams *p, WhRowFn fn, void *ctx,
                            char *err, size_t errlen)
{
    for (int i = 0; i < s->nstmts; i++) {
        AbcStatus st = send_stmt(r, s, i, p, fn, ctx, err, errlen);
        if (st != ABC_OK) {
            step_error(r, s, err, errlen);
            return st;
        }
    }
    return ABC_OK;
}

static const SqlStep *find_step(const Runner *r, SqlStepKind kind)
{
    for (int i = 0; i < r->prog.nsteps; i++)
        if (r->prog.steps[i].kind == kind)
            return &r->prog.steps[i];
    return NULL;
}

/* Whether the dates due are filled a day at a time: one date due, or a
 * dialect whose day statements beat its range statements (fill_by_day). */
static bool fills_by_day(const Runner *r)
{
    return r->from == r->to || r->env->dialect->fill_by_day ||
           !find_step(r, SQLSTEP_ASSIGN_RANGE) || !find_step(r, SQLSTEP_WIDE_RANGE);
}

/* Whether activity_fill may read the active days of the dates due from
 * the per-user day table (activity_fill_days): a run that is not full and
 * fills its dates by day, so pre_fill wrote each of them in this run. */
static bool activity_days_in_pre(const Runner *r)
{
    return find_step(r, SQLSTEP_ACTIVITY_FILL_DAYS) && !r->full && fills_by_day(r);
}

/* Whether activity_fill, once the fill of the dates due has ended (pre_fill
 * wrote each of them), may read their active days from the per-user day
 * table: a run that fills by day, full or not (a full run reads only the
 * source dates before them from the source). */
static bool activity_days_in_pre_after_fill(const Runner *r)
{
    return find_step(r, SQLSTEP_ACTIVITY_FILL_DAYS) && fills_by_day(r);
}

static SqlValue sv_str(const char *s) { return (SqlValue){SQLV_STRING, s ? s : "", 0, 0}; }
static SqlValue sv_int(long long i) { return (SqlValue){SQLV_INT, NULL, i, 0}; }
static SqlValue sv_dbl(double d) { return (SqlValue){SQLV_DOUBLE, NULL, 0, d}; }
static SqlValue sv_null(void) { return (SqlValue){SQLV_NULL, NULL, 0, 0}; }
static SqlValue sv_date(const char *d) { return (SqlValue){SQLV_DATE, d, 0, 0}; }
static SqlValue sv_ts(const char *ts)
{
    return ts && ts[0] ? (SqlValue){SQLV_DATETIME, ts, 0, 0} : sv_null();
}

/* A load step with one row of values. */
static AbcStatus exec_row(Runner *r, const SqlStep *s, const SqlValue *row, int ncols,
                          const SqlParams *base, char *err, size_t errlen)
{
    SqlParams p = *base;
    p.values = row;
    p.nrows = 1;
    p.ncols = ncols;
    return exec_step(r, s, &p, err, errlen);
}

/* ---- run state (steps state_read, state_write) ------------------------------------ */

typedef struct StateRow {
    bool found;
    long last_date;
    char spec_hash[17];
    char abc_version[33];
} StateRow;

static AbcStatus state_row_fn(const WhRow *row, void *ctx)
{
    StateRow *s = ctx;
    if (row->ncols < 3 || !row->values[0])
        return ABC_OK;
    s->found = date_parse_prefix(row->values[0], &s->last_date);
    snprintf(s->spec_hash, sizeof s->spec_hash, "%s", row->values[1] ? row->values[1] : "");
    snprintf(s->abc_version, sizeof s->abc_version, "%s", row->values[2] ? row->values[2] : "");
    return ABC_OK;
}

static AbcStatus state_read(Runner *r, StateRow *out, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_STATE_READ);
    SqlParams p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    AbcStatus st = s ? query_step(r, s, &p, state_row_fn, out, err, errlen) : ABC_OK;
    if (st != ABC_OK && r->env->wh && wh_last_error(r->env->wh) == WH_ERR_NO_TABLE) {
        /* no such table / database yet: nothing has run */
        memset(out, 0, sizeof *out);
        st = ABC_OK;
    }
    return st;
}

static AbcStatus state_write(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_STATE_WRITE);
    if (!s)
        return ABC_OK;
    char last[11], first[11];
    /* a backfill of older dates never moves the recorded last date back */
    long last_day = r->published > r->to ? r->published : r->to;
    /* never past the data: today is still filling up (the next run redoes
     * it), and a state left in the future by an older abc comes back */
    if (last_day > r->today - 1)
        last_day = r->today - 1;
    date_format(last_day, last);
    date_format(r->first_phase_day, first);
    SqlValue row[6];
    for (int c = 0; c < SQLGEN_STATE_NCOLUMNS && c < 6; c++) {
        const char *col = SQLGEN_STATE_COLUMNS[c];
        SqlValue v = sv_null();
        if (!strcmp(col, "tag")) v = sv_str(r->unit.ir->tag);
        else if (!strcmp(col, "last_date")) v = sv_date(last);
        else if (!strcmp(col, "first_date")) v = sv_date(first);
        else if (!strcmp(col, "spec_hash")) v = sv_str(r->unit.ir->content_hash);
        else if (!strcmp(col, "abc_version")) v = sv_str(ABC_VERSION);
        else if (!strcmp(col, "updated_at")) v = sv_ts(r->computed_at);
        row[c] = v;
    }
    return exec_row(r, s, row, SQLGEN_STATE_NCOLUMNS, base, err, errlen);
}

/* ---- schema migrations (steps migrate_*) ------------------------------------------- */

/* migrate_columns' rows: table and column names */
typedef struct ColSet {
    char **tables, **names;
    int n, cap;
} ColSet;

static AbcStatus colset_fn(const WhRow *row, void *ctx)
{
    ColSet *c = ctx;
    if (row->ncols < 2 || !row->values[0] || !row->values[1])
        return ABC_OK;
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        char **t = realloc(c->tables, sizeof(char *) * (size_t)cap);
        if (!t)
            return ABC_ERR_ENV;
        c->tables = t;
        char **p = realloc(c->names, sizeof(char *) * (size_t)cap);
        if (!p)
            return ABC_ERR_ENV;
        c->names = p;
        c->cap = cap;
    }
    c->tables[c->n] = strdup(row->values[0]);
    c->names[c->n] = strdup(row->values[1]);
    if (!c->tables[c->n] || !c->names[c->n]) {
        free(c->tables[c->n]);
        free(c->names[c->n]);
        return ABC_ERR_ENV;
    }
    c->n++;
    return ABC_OK;
}

static void colset_free(ColSet *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->tables[i]);
        free(c->names[i]);
    }
    free(c->tables);
    free(c->names);
}

/* Whether the warehouse has table t (a row of migrate_columns names it). */
static bool colset_has_table(const ColSet *c, const TableDef *t)
{
    for (int i = 0; i < c->n; i++)
        if (strcasecmp(c->tables[i], t->name) == 0)
            return true;
    return false;
}

/* "3 columns to tbl_wide_x and 1 column to experiment_assignment" */
static void added_text(const Runner *r, const int added[2], char *out, size_t len)
{
    const char *names[2] = {r->prog.wide->name, r->prog.assign->name};
    size_t n = 0;
    out[0] = '\0';
    for (int t = 0; t < 2; t++) {
        if (!added[t])
            continue;
        int k = snprintf(out + n, len - n, "%s%d column%s to %s", n ? " and " : "", added[t],
                         added[t] == 1 ? "" : "s", names[t]);
        if (k < 0 || (size_t)k >= len - n)
            return;
        n += (size_t)k;
    }
}

static AbcStatus value_fn(const WhRow *row, void *ctx)
{
    long *v = ctx;
    if (row->ncols >= 1 && row->values[0])
        *v = strtol(row->values[0], NULL, 10);
    return ABC_OK;
}

/* Bring the wide table (created earlier with the columns of its first spec
 * version) up to the spec's columns, and the shared assignment table up to
 * the spec's segment columns: migrate_wide ADDs the missing ones, in the
 * spec's order, and migrate_record records the new schema version.
 * Columns the spec no longer has are kept (a published table never loses a
 * column).  Nothing happens when the table already matches, or is new.
 * Under --dry-run --sql the statements are shown as the template steps,
 * since which columns are missing is known only to the warehouse. */
static AbcStatus migrate_wide(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *cols = find_step(r, SQLSTEP_MIGRATE_COLUMNS);
    const SqlStep *ver = find_step(r, SQLSTEP_MIGRATE_VERSION);
    const SqlStep *rec = find_step(r, SQLSTEP_MIGRATE_RECORD);
    if (!r->prog.wide || !cols || !ver || !rec)
        return ABC_OK;
    ColSet have = {0};
    AbcStatus st = query_step(r, cols, base, colset_fn, &have, err, errlen);
    SqlStep alter;
    int nmissing = 0, added[2] = {0, 0};
    if (st == ABC_OK && have.n > 0)
        nmissing = sqlgen_migrate_wide(&r->prog, (const char *const *)have.tables,
                                       (const char *const *)have.names, have.n, &r->arena, &alter,
                                       added);
    const SqlStep *tmpl = find_step(r, SQLSTEP_MIGRATE_WIDE);
    if (st == ABC_OK && r->show && tmpl) {
        fprintf(r->show, "-- only when the wide table lacks columns of the spec (%s): %s adds those "
                         "it lacks, of these:\n\n", cols->name, tmpl->name);
        alter = *tmpl;
        nmissing = -1;
    }
    if (st == ABC_OK && nmissing != 0) {
        st = exec_step(r, &alter, base, err, errlen);
        long version = 1;
        if (st == ABC_OK)
            st = query_step(r, ver, base, value_fn, &version, err, errlen);
        if (st == ABC_OK) {
            char what[300], name[320];
            added_text(r, added, what, sizeof what);
            snprintf(name, sizeof name, "add %s", what);
            SqlValue row[5];
            for (int c = 0; c < SQLGEN_MIGRATION_NCOLUMNS && c < 5; c++) {
                const char *col = SQLGEN_MIGRATION_COLUMNS[c];
                SqlValue v = sv_null();
                if (!strcmp(col, "tag")) v = sv_str(r->unit.ir->tag);
                else if (!strcmp(col, "version")) v = sv_int(version + 1);
                else if (!strcmp(col, "name")) v = sv_str(name);
                else if (!strcmp(col, "applied_at")) v = sv_ts(r->computed_at);
                else if (!strcmp(col, "abc_version")) v = sv_str(ABC_VERSION);
                row[c] = v;
            }
            if (r->show) {
                /* the version and the count come from the warehouse */
                SqlParams p = *base;
                p.keep_unbound = true;
                fprintf(r->show, "-- {{values}}: ('%s', <%s + 1>, 'add <N> columns to %s', ",
                        r->unit.ir->tag, ver->name, r->prog.wide->name);
                Buf ts;
                buf_init(&ts);
                if (sqlgen_literal(r->env->dialect, &row[3], &ts, err, errlen) == ABC_OK)
                    fprintf(r->show, "%s, '%s')\n", ts.data, ABC_VERSION);
                buf_free(&ts);
                st = exec_step(r, rec, &p, err, errlen);
            } else {
                st = exec_row(r, rec, row, SQLGEN_MIGRATION_NCOLUMNS, base, err, errlen);
            }
            if (st == ABC_OK && !r->show) {
                if (!added[1])
                    progress(r, "migrated %s: %d column%s added (schema version %ld)",
                             r->prog.wide->name, nmissing, nmissing == 1 ? "" : "s", version + 1);
                else
                    progress(r, "migrated: %s added (schema version %ld)", what, version + 1);
            }
        }
    }
    colset_free(&have);
    return st;
}

/* ---- the tag's lease (steps lock_take, lock_read, lock_release) ------------------ */

typedef struct LockRow {
    bool found, expired;
    char owner[65], host[256], pid[24], expires_at[32];
} LockRow;

static AbcStatus lock_row_fn(const WhRow *row, void *ctx)
{
    LockRow *l = ctx;
    if (row->ncols < 5)
        return ABC_OK;
    l->found = true;
    snprintf(l->owner, sizeof l->owner, "%s", row->values[0] ? row->values[0] : "");
    snprintf(l->host, sizeof l->host, "%s", row->values[1] ? row->values[1] : "");
    snprintf(l->pid, sizeof l->pid, "%s", row->values[2] ? row->values[2] : "");
    snprintf(l->expires_at, sizeof l->expires_at, "%s", row->values[3] ? row->values[3] : "");
    l->expired = row->values[4] && strcmp(row->values[4], "1") == 0;
    return ABC_OK;
}

static AbcStatus lock_read(Runner *r, LockRow *l, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_LOCK_READ);
    SqlParams p;
    memset(&p, 0, sizeof p);
    memset(l, 0, sizeof *l);
    return s ? query_step(r, s, &p, lock_row_fn, l, err, errlen) : ABC_OK;
}

static AbcStatus lock_held(Runner *r, const LockRow *l, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "tag %s is being run by %s on host %s (pid %s; lease until %s UTC): not run; "
             "the lease is taken over after it expires",
             r->unit.ir->tag, term_safe(&r->arena, l->owner), term_safe(&r->arena, l->host),
             term_safe(&r->arena, l->pid), term_safe(&r->arena, l->expires_at));
    return ABC_ERR_ENV;
}

/* A lease of a run on this host whose process is gone (killed, crashed):
 * deleted with lock_release bound to that run's id. */
static bool lock_break_dead(Runner *r, const LockRow *l, const char *host)
{
    const SqlStep *s = find_step(r, SQLSTEP_LOCK_RELEASE);
    char *end = NULL;
    long pid = strtol(l->pid, &end, 10);
    if (!s || !l->found || strcmp(l->host, host) != 0 || !end || *end || pid <= 0 ||
        pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return false;
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.run_id = l->owner;
    char e[512];
    for (int i = 0; i < s->nstmts; i++)
        if (send_stmt(r, s, i, &p, NULL, NULL, e, sizeof e) != ABC_OK)
            return false;
    progress(r, "took over the lease of %s (pid %ld on this host is gone)",
             term_safe(&r->arena, l->owner), pid);
    return true;
}

/* Take the tag's lease for the whole run, or say who holds it (exit 3).
 * An expired lease is dropped by lock_take.  MariaDB's INSERT IGNORE on
 * the primary key decides a race; on StarRocks (an upsert) the lease is
 * read before and after, so the later of two racing runs stops. */
static AbcStatus lock_acquire(Runner *r, char *err, size_t errlen)
{
    const SqlStep *take = find_step(r, SQLSTEP_LOCK_TAKE);
    if (!take)
        return ABC_OK;
    LockRow l;
    AbcStatus st;
    if (r->env->dialect->id != DIALECT_MARIADB && !r->show) {
        st = lock_read(r, &l, err, errlen);
        if (st != ABC_OK && wh_last_error(r->env->wh) != WH_ERR_NO_TABLE)
            return st;
        if (st == ABC_OK && l.found && !l.expired && strcmp(l.owner, r->run_id) != 0)
            return lock_held(r, &l, err, errlen);
    }
    char host[256] = "", expires[20];
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "unknown");
    time_t until = time(NULL) + (time_t)(r->env->config && r->env->config->warehouse.lock_ttl_s
                                             ? r->env->config->warehouse.lock_ttl_s
                                             : 21600);
    struct tm tmv;
    gmtime_r(&until, &tmv);
    strftime(expires, sizeof expires, "%Y-%m-%d %H:%M:%S", &tmv);
    SqlValue row[6];
    for (int c = 0; c < SQLGEN_LOCK_NCOLUMNS && c < 6; c++) {
        const char *col = SQLGEN_LOCK_COLUMNS[c];
        SqlValue v = sv_null();
        if (!strcmp(col, "tag")) v = sv_str(r->unit.ir->tag);
        else if (!strcmp(col, "owner")) v = sv_str(r->run_id);
        else if (!strcmp(col, "host")) v = sv_str(host);
        else if (!strcmp(col, "pid")) v = sv_int((long long)getpid());
        else if (!strcmp(col, "expires_at")) v = sv_ts(expires);
        else if (!strcmp(col, "taken_at")) v = sv_ts(r->computed_at);
        row[c] = v;
    }
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.run_id = r->run_id;
    if ((st = exec_row(r, take, row, SQLGEN_LOCK_NCOLUMNS, &p, err, errlen)) != ABC_OK)
        return st;
    if (r->show) {
        r->locked = true;
        return ABC_OK;
    }
    if ((st = lock_read(r, &l, err, errlen)) != ABC_OK)
        return st;
    if (l.found && strcmp(l.owner, r->run_id) != 0 && lock_break_dead(r, &l, host)) {
        if ((st = exec_row(r, take, row, SQLGEN_LOCK_NCOLUMNS, &p, err, errlen)) != ABC_OK ||
            (st = lock_read(r, &l, err, errlen)) != ABC_OK)
            return st;
    }
    if (!l.found || strcmp(l.owner, r->run_id) != 0)
        return lock_held(r, &l, err, errlen);
    r->locked = true;
    return ABC_OK;
}

/* Release this run's lease (also after a failure; best effort: a lease
 * that cannot be deleted expires). */
static void lock_release(Runner *r)
{
    const SqlStep *s = find_step(r, SQLSTEP_LOCK_RELEASE);
    if (!r->locked || !s)
        return;
    r->locked = false;
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.run_id = r->run_id;
    char e[512];
    for (int i = 0; i < s->nstmts; i++)
        if (send_stmt(r, s, i, &p, NULL, NULL, e, sizeof e) != ABC_OK) {
            if (r->opt->progress)
                fprintf(r->opt->progress, "abc run %s: the lease could not be released (%s); it "
                                          "expires by itself\n", r->unit.ir->tag, e);
            return;
        }
}

/* ---- the owners of the wide and daily tables (steps owner_read, owner_claim) ----- */

typedef struct OwnerSeen {
    const char *tag;       /* this run's */
    const char *names[2];  /* db.table of the wide and the daily table */
    char other_table[260], other_tag[260]; /* the first owned by another tag */
} OwnerSeen;

static AbcStatus owner_row_fn(const WhRow *row, void *ctx)
{
    OwnerSeen *o = ctx;
    if (row->ncols < 2 || !row->values[0] || !row->values[1])
        return ABC_OK;
    for (int i = 0; i < 2; i++) {
        if (strcmp(row->values[0], o->names[i]) != 0)
            continue;
        if (strcmp(row->values[1], o->tag) != 0 && !o->other_table[0]) {
            snprintf(o->other_table, sizeof o->other_table, "%s", row->values[0]);
            snprintf(o->other_tag, sizeof o->other_tag, "%s", row->values[1]);
        }
    }
    return ABC_OK;
}

/* A wide or daily table is written by one tag: abc.table_owner records
 * which.  Before the first write (claim false) a table owned by another
 * tag stops the run (exit 1) — the daily publish replaces rows by tag and
 * date, the wide fills by date, so two tags in one table would lose or mix
 * rows.  After ddl (claim true) this tag claims the tables nobody owns and
 * reads the owners again: of two tags claiming a table at once, the one
 * that lost stops there. */
static AbcStatus owners_check(Runner *r, bool claim, char *err, size_t errlen)
{
    const SqlStep *rd = find_step(r, SQLSTEP_OWNER_READ);
    const SqlStep *cl = find_step(r, SQLSTEP_OWNER_CLAIM);
    if (!rd || !cl || !r->prog.wide || !r->prog.daily)
        return ABC_OK;
    static const char *const what[2] = {"wide table", "daily table"};
    OwnerSeen o;
    memset(&o, 0, sizeof o);
    o.tag = r->unit.ir->tag;
    o.names[0] = arena_printf(&r->arena, "%s.%s", r->prog.wide->db, r->prog.wide->name);
    o.names[1] = arena_printf(&r->arena, "%s.%s", r->prog.daily->db, r->prog.daily->name);
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.run_id = r->run_id;
    AbcStatus st;
    if (claim) {
        /* MariaDB keeps an existing claim (INSERT IGNORE); StarRocks
         * upserts, and the read below finds a claim that won after ours */
        SqlValue rows[2 * 3];
        int n = strcmp(o.names[0], o.names[1]) == 0 ? 1 : 2;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < SQLGEN_OWNER_NCOLUMNS && c < 3; c++) {
                const char *col = SQLGEN_OWNER_COLUMNS[c];
                SqlValue v = sv_null();
                if (!strcmp(col, "table_name")) v = sv_str(o.names[i]);
                else if (!strcmp(col, "tag")) v = sv_str(o.tag);
                else if (!strcmp(col, "claimed_at")) v = sv_ts(r->computed_at);
                rows[i * SQLGEN_OWNER_NCOLUMNS + c] = v;
            }
        SqlParams q = p;
        q.values = rows;
        q.nrows = n;
        q.ncols = SQLGEN_OWNER_NCOLUMNS;
        if ((st = exec_step(r, cl, &q, err, errlen)) != ABC_OK)
            return st;
    }
    st = query_step(r, rd, &p, owner_row_fn, &o, err, errlen);
    if (st != ABC_OK) {
        if (!claim && r->env->wh && wh_last_error(r->env->wh) == WH_ERR_NO_TABLE)
            return ABC_OK; /* no abc.table_owner yet: nothing is owned */
        return st;
    }
    if (o.other_table[0]) {
        int k = strcmp(o.other_table, o.names[0]) == 0 ? 0 : 1;
        snprintf(err, errlen,
                 "the %s %s belongs to tag '%s' (abc.table_owner): a table is written by one "
                 "tag, and this run would replace or mix that tag's rows; not run. Give this "
                 "spec its own %s, or, when tag '%s' no longer uses the table, delete the "
                 "table's row from abc.table_owner",
                 what[k], term_safe(&r->arena, o.other_table), term_safe(&r->arena, o.other_tag),
                 k == 0 ? "wide_table" : "daily_table", term_safe(&r->arena, o.other_tag));
        return ABC_ERR_SPEC;
    }
    return ABC_OK;
}

/* ---- preflight: the source columns the spec reads ------------------------------- */

typedef struct PreflightSeen {
    const SqlProgram *prog;
    bool *have;
} PreflightSeen;

static AbcStatus preflight_fn(const WhRow *row, void *ctx)
{
    PreflightSeen *ps = ctx;
    if (row->ncols < 3 || !row->values[1] || !row->values[2])
        return ABC_OK;
    for (int i = 0; i < ps->prog->nsource_cols; i++) {
        const SqlSourceCol *c = &ps->prog->source_cols[i];
        if ((!c->database || (row->values[0] && strcmp(c->database, row->values[0]) == 0)) &&
            strcmp(c->table, row->values[1]) == 0 && strcasecmp(c->column, row->values[2]) == 0)
            ps->have[i] = true;
    }
    return ABC_OK;
}

/* Every source table and column the spec reads exists; otherwise an error
 * (exit 1) naming each missing one, before anything is written. */
static AbcStatus preflight(Runner *r, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_PREFLIGHT);
    const SqlProgram *pg = &r->prog;
    if (!s || pg->nsource_cols == 0)
        return ABC_OK;
    bool *have = arena_alloc(&r->arena, sizeof(bool) * (size_t)pg->nsource_cols);
    PreflightSeen ps = {pg, have};
    SqlParams p;
    memset(&p, 0, sizeof p);
    AbcStatus st = query_step(r, s, &p, preflight_fn, &ps, err, errlen);
    if (st != ABC_OK || r->show)
        return st;
    Buf b;
    buf_init(&b);
    int nmissing = 0;
    for (int i = 0; i < pg->nsource_cols; i++) {
        if (have[i])
            continue;
        const SqlSourceCol *c = &pg->source_cols[i];
        bool table_seen = false;
        for (int k = 0; k < pg->nsource_cols; k++)
            table_seen |= have[k] && pg->source_cols[k].source == c->source;
        bool table_named = false;
        for (int k = 0; k < i && !table_seen; k++)
            table_named |= !have[k] && pg->source_cols[k].source == c->source;
        if (!table_seen && table_named)
            continue;
        buf_puts(&b, nmissing++ ? "; " : "");
        if (!table_seen)
            buf_printf(&b, "table %s%s%s does not exist (or is not readable)",
                       c->database ? c->database : "", c->database ? "." : "", c->table);
        else
            buf_printf(&b, "column %s of table %s%s%s does not exist", c->column,
                       c->database ? c->database : "", c->database ? "." : "", c->table);
    }
    if (nmissing) {
        snprintf(err, errlen, "the spec reads what the warehouse lacks: %s (nothing written)",
                 b.data);
        st = ABC_ERR_SPEC;
    }
    buf_free(&b);
    return st;
}

/* One pass over the exposure source's rows of the dates due, before the
 * first write: the exposure rows with a NULL key (the assignment skips
 * them; counted for the memo's data-quality note) and those whose user id
 * is longer than the StarRocks primary key of experiment_assignment holds —
 * a load with one would be cancelled whole, so the run stops (exit 1), on
 * both dialects — and, per date, the source's fingerprint (Runner.fpx,
 * recorded by fingerprint_write). */
typedef struct ExposureKeys {
    Runner *r;
    long long null_rows, long_rows, longest;
} ExposureKeys;

static AbcStatus fprint_add(Runner *r, struct Fprint **v, int *n, int *cap, const char *source,
                            long day, long long rows, long long checksum);

static AbcStatus exposure_keys_fn(const WhRow *row, void *ctx)
{
    ExposureKeys *k = ctx;
    if (row->ncols < 4)
        return ABC_OK;
    k->null_rows += row->values[1] ? strtoll(row->values[1], NULL, 10) : 0;
    k->long_rows += row->values[2] ? strtoll(row->values[2], NULL, 10) : 0;
    long long longest = row->values[3] ? strtoll(row->values[3], NULL, 10) : 0;
    if (longest > k->longest)
        k->longest = longest;
    long day;
    Runner *r = k->r;
    if (row->ncols < 6 || !row->values[0] || !date_parse_prefix(row->values[0], &day))
        return ABC_OK;
    const char *source = r->unit.ir->sources[r->unit.ir->exposure.source].name;
    return fprint_add(r, &r->fpx, &r->nfpx, &r->fpxcap, source, day,
                      row->values[4] ? strtoll(row->values[4], NULL, 10) : 0,
                      row->values[5] ? strtoll(row->values[5], NULL, 10) : 0);
}

/* exposure_keys' pass over [from, to] (none when from > to): its counts
 * added to k, the fingerprints to k->r->fpx. */
static AbcStatus exposure_keys_scan(ExposureKeys *k, const SqlParams *base, long from, long to,
                                    char *err, size_t errlen)
{
    const SqlStep *s = find_step(k->r, SQLSTEP_EXPOSURE_KEYS);
    if (!s || from > to)
        return ABC_OK;
    char a[11], b[11];
    date_format(from, a);
    date_format(to, b);
    SqlParams p = *base;
    p.from_date = a;
    p.to_date = b;
    return query_step(k->r, s, &p, exposure_keys_fn, k, err, errlen);
}

/* The later dates of the first exposure_keys pass, taken by the
 * fingerprint job on the side connection (FprintJob) while this one scans
 * the earlier ones: [from, to] (none when from > to), its findings once
 * done is set. */
typedef struct KeysBeside {
    long from, to;
    Latch done;
    ExposureKeys k; /* k.r: the job's runner, its fingerprints in k.r->fpx */
    char err[1024];
} KeysBeside;

static AbcStatus check_exposure_keys(Runner *r, const SqlParams *base, KeysBeside *beside,
                                     char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_EXPOSURE_KEYS);
    if (!s || r->from > r->to)
        return ABC_OK;
    char a[11], b[11];
    date_format(r->from, a);
    date_format(r->to, b);
    if (beside && beside->from > beside->to)
        beside = NULL;
    ExposureKeys k = {r, 0, 0, 0};
    r->nfpx = 0; /* (again after late data: the dates due from the first late one) */
    AbcStatus st =
        exposure_keys_scan(&k, base, r->from, beside ? beside->from - 1 : r->to, err, errlen);
    if (beside) {
        AbcStatus bst = latch_wait(&beside->done);
        if (st == ABC_OK && bst != ABC_OK) {
            snprintf(err, errlen, "%s", beside->err);
            st = bst;
        }
        const Runner *br = beside->k.r;
        for (int i = 0; st == ABC_OK && i < br->nfpx; i++)
            st = fprint_add(r, &r->fpx, &r->nfpx, &r->fpxcap, br->fpx[i].source, br->fpx[i].day,
                            br->fpx[i].rows, br->fpx[i].checksum);
        k.null_rows += beside->k.null_rows;
        k.long_rows += beside->k.long_rows;
        if (beside->k.longest > k.longest)
            k.longest = beside->k.longest;
    }
    r->null_key_rows = k.null_rows;
    /* a run that fills nothing writes no key (its dates were checked) */
    if (st != ABC_OK || k.long_rows == 0 || r->stats_only)
        return st;
    const IrSource *src = &r->unit.ir->sources[r->unit.ir->exposure.source];
    snprintf(err, errlen,
             "%lld exposure row%s of %s in %s .. %s %s a user id longer than %d bytes (the "
             "longest: %lld bytes): on StarRocks the primary key of experiment_assignment (tag, "
             "tracking key, user id) holds at most %d bytes, and one such row cancels the whole "
             "load; not run, nothing written",
             k.long_rows, k.long_rows == 1 ? "" : "s", term_safe(&r->arena, src->table), a, b,
             k.long_rows == 1 ? "has" : "have", SQLGEN_KEY_USER_ID_BYTES, k.longest,
             STARROCKS_KEY_LIMIT);
    return ABC_ERR_SPEC;
}

/* On StarRocks the tag, tracking keys and variation keys are parts of
 * primary keys with bounded widths (sqlgen.h): a longer one would cancel
 * the loads, so the run stops at plan time, naming the experiment. */
static AbcStatus check_key_widths(Runner *r, char *err, size_t errlen)
{
    if (r->env->dialect->id != DIALECT_STARROCKS)
        return ABC_OK;
    const char *tag = r->unit.ir->tag;
    if (strlen(tag) > SQLGEN_KEY_TAG_BYTES) {
        snprintf(err, errlen,
                 "tag '%s' is %zu bytes long: on StarRocks abc's primary keys hold tags of at "
                 "most %d bytes (docs/TABLES.md); shorten the tag",
                 term_safe(&r->arena, tag), strlen(tag), SQLGEN_KEY_TAG_BYTES);
        return ABC_ERR_SPEC;
    }
    /* the hourly series table's key is tighter (sqlgen.h) */
    bool hourly = r->unit.ir->analysis.hourly;
    int max_tk = hourly ? SQLGEN_KEY_HOURLY_TRACKING_KEY_BYTES : SQLGEN_KEY_TRACKING_KEY_BYTES;
    int max_vk = hourly ? SQLGEN_KEY_HOURLY_VARIATION_KEY_BYTES : SQLGEN_KEY_VARIATION_KEY_BYTES;
    for (int i = 0; i < r->nexps; i++) {
        const RunExperiment *x = &r->exps[i];
        if (strlen(x->tracking_key) > (size_t)max_tk) {
            snprintf(err, errlen,
                     "experiment %s: its tracking key is %zu bytes long: on StarRocks abc's "
                     "primary keys hold tracking keys of at most %d bytes (docs/TABLES.md)",
                     term_safe(&r->arena, x->id), strlen(x->tracking_key), max_tk);
            return ABC_ERR_SPEC;
        }
        for (int k = 0; k < x->nvariations; k++) {
            const char *vk = x->variations[k].key;
            if (vk && strlen(vk) > (size_t)max_vk) {
                snprintf(err, errlen,
                         "experiment %s: the key of variation %d is %zu bytes long: on "
                         "StarRocks abc's primary keys hold variation keys of at most %d bytes "
                         "(docs/TABLES.md)",
                         term_safe(&r->arena, x->id), k, strlen(vk), max_vk);
                return ABC_ERR_SPEC;
            }
        }
    }
    return ABC_OK;
}

/* ---- experiments ------------------------------------------------------------------ */

static bool key_listed(const IrExperiments *e, const char *key)
{
    if (e->nkeys == 0)
        return true;
    for (int i = 0; i < e->nkeys; i++)
        if (strcmp(e->keys[i], key) == 0)
            return true;
    return false;
}

static void ts_from(const char *iso, char out[20])
{
    /* 'YYYY-MM-DDTHH:MM:SS...' → 'YYYY-MM-DD HH:MM:SS'; date only → 00:00:00 */
    long day;
    out[0] = '\0';
    if (!iso || !date_parse_prefix(iso, &day))
        return;
    memcpy(out, iso, 10);
    if (strlen(iso) >= 19 && (iso[10] == 'T' || iso[10] == ' ') && iso[13] == ':' && iso[16] == ':') {
        out[10] = ' ';
        memcpy(out + 11, iso + 11, 8);
        for (int i = 11; i < 19; i++)
            if ((i == 13 || i == 16) ? out[i] != ':' : (out[i] < '0' || out[i] > '9')) {
                memcpy(out + 10, " 00:00:00", 9);
                break;
            }
    } else {
        memcpy(out + 10, " 00:00:00", 9);
    }
    out[19] = '\0';
}

static AbcStatus resolve_experiments(Runner *r, char *err, size_t errlen)
{
    const IrSpec *ir = r->unit.ir;
    const AbcConfig *cfg = r->env->config;
    const IrExperiments *ie = &ir->experiments;
    bool need_gb = ie->from_growthbook || ie->nkeys > 0;
    if (need_gb) {
        GbOptions o;
        config_gb_options(cfg, &o);
        if (ie->gb_project)
            o.project_id = ie->gb_project;
        if (ie->gb_status)
            o.status = ie->gb_status;
        if (!o.file && !o.api_host) {
            snprintf(err, errlen,
                     "no GrowthBook configured: set growthbook.api_host or growthbook.file in "
                     "abc.yaml, or GROWTHBOOK_API_HOST");
            return ABC_ERR_ENV;
        }
        /* with only fixed keys, every experiment is listed and the keys pick */
        const char *tag = ie->from_growthbook ? ie->gb_tag : NULL;
        AbcStatus st = gb_resolve_tag(&o, tag, &r->gb, err, errlen);
        if (st != ABC_OK)
            return st;
    }
    size_t ngb = r->gb ? r->gb->n_experiments : 0;
    r->exps = arena_alloc(&r->arena, sizeof(RunExperiment) * (ngb + (size_t)ir->nassignments + 1));
    for (size_t i = 0; i < ngb; i++) {
        const GbExperiment *g = &r->gb->experiments[i];
        if (!key_listed(ie, g->tracking_key))
            continue;
        if (ie->gb_status && strcmp(g->status, ie->gb_status) != 0)
            continue; /* snapshots are filtered here; the API already did */
        RunExperiment *x = &r->exps[r->nexps];
        memset(x, 0, sizeof *x);
        x->id = g->id;
        x->tracking_key = g->tracking_key;
        x->name = g->name;
        x->status = g->status;
        x->phase_name = g->phase_name;
        x->phase_index = g->phase_index;
        if (!date_parse_prefix(g->date_started, &x->phase_start)) {
            snprintf(err, errlen, "experiment %s: phase dateStarted '%.40s' is not a date", g->id,
                     g->date_started);
            return ABC_ERR_SPEC;
        }
        ts_from(g->date_started, x->phase_start_ts);
        x->phase_end = -1;
        if (g->date_ended && g->date_ended[0]) {
            if (!date_parse_prefix(g->date_ended, &x->phase_end)) {
                snprintf(err, errlen, "experiment %s: phase dateEnded '%.40s' is not a date", g->id,
                         g->date_ended);
                return ABC_ERR_SPEC;
            }
            ts_from(g->date_ended, x->phase_end_ts);
        }
        x->coverage = g->coverage;
        x->nvariations = (int)g->n_variations;
        x->variations = arena_alloc(&r->arena, sizeof(RunVariation) * g->n_variations);
        for (size_t k = 0; k < g->n_variations; k++) {
            const GbVariation *v = &g->variations[k];
            x->variations[k] = (RunVariation){v->variation_id, v->key, v->name, v->weight,
                                              v->is_control != 0};
        }
        r->nexps++;
    }
    /* experiments assigned in code (hash assignment) */
    for (int i = 0; i < ir->nassignments; i++) {
        const IrHashAssignment *h = &ir->assignments[i];
        bool known = false;
        for (int k = 0; k < r->nexps; k++)
            known |= strcmp(r->exps[k].tracking_key, h->tracking_key) == 0;
        if (known)
            continue;
        if (!h->start) {
            snprintf(err, errlen,
                     "assignment \"%s\": GrowthBook does not know this experiment, so its phase "
                     "start must be in the spec: start \"YYYY-MM-DD\";",
                     h->tracking_key);
            return ABC_ERR_SPEC;
        }
        RunExperiment *x = &r->exps[r->nexps++];
        memset(x, 0, sizeof *x);
        x->id = arena_printf(&r->arena, "hash:%s", h->tracking_key);
        x->tracking_key = h->tracking_key;
        x->name = h->tracking_key;
        x->status = "running";
        x->phase_name = "hash assignment";
        (void)date_parse(h->start, &x->phase_start);
        ts_from(h->start, x->phase_start_ts);
        x->phase_end = -1;
        x->coverage = 1;
        x->nvariations = h->nvariations;
        x->variations = arena_alloc(&r->arena, sizeof(RunVariation) * (size_t)h->nvariations);
        for (int k = 0; k < h->nvariations; k++)
            x->variations[k] = (RunVariation){h->variations[k], h->variations[k], h->variations[k],
                                              h->weights[k], k == 0};
    }
    return ABC_OK;
}

/* ---- dates ---------------------------------------------------------------------- */

/* One date option: a real date, not after today. */
static AbcStatus check_date_opt(const char *opt, const char *v, long today, long *day, char *err,
                                size_t errlen)
{
    if (!date_parse(v, day)) {
        snprintf(err, errlen, "%s '%s' is not a date YYYY-MM-DD", opt, v);
        return ABC_ERR_USAGE;
    }
    if (*day > today) {
        char t[11];
        date_format(today, t);
        snprintf(err, errlen, "%s %s is after today (%s): there is no data for it yet", opt, v, t);
        return ABC_ERR_USAGE;
    }
    return ABC_OK;
}

AbcStatus run_check_dates(const RunOptions *o, char *err, size_t errlen)
{
    long today, d, from = 0, to = 0;
    if (!date_today(&today)) {
        snprintf(err, errlen, "ABC_TODAY is not a date YYYY-MM-DD");
        return ABC_ERR_USAGE;
    }
    AbcStatus st = ABC_OK;
    if (o->date)
        st = check_date_opt("--date", o->date, today, &d, err, errlen);
    if (st == ABC_OK && (o->from || o->to) && !o->date) {
        if (!o->from || !o->to) {
            snprintf(err, errlen, "--from and --to take dates YYYY-MM-DD, both");
            return ABC_ERR_USAGE;
        }
        if ((st = check_date_opt("--from", o->from, today, &from, err, errlen)) != ABC_OK ||
            (st = check_date_opt("--to", o->to, today, &to, err, errlen)) != ABC_OK)
            return st;
        if (from > to) {
            snprintf(err, errlen, "--from %s is after --to %s", o->from, o->to);
            return ABC_ERR_USAGE;
        }
    }
    return st;
}

static AbcStatus plan_dates(Runner *r, const StateRow *state, char *err, size_t errlen)
{
    const RunOptions *o = r->opt;
    AbcStatus vst = run_check_dates(o, err, errlen);
    if (vst != ABC_OK)
        return vst;
    long today;
    if (!date_today(&today)) {
        snprintf(err, errlen, "ABC_TODAY is not a date YYYY-MM-DD");
        return ABC_ERR_USAGE;
    }
    r->today = today;
    r->first_phase_day = today;
    long last_phase_end = -1;
    bool any_running = false;
    for (int i = 0; i < r->nexps; i++) {
        if (r->exps[i].phase_start < r->first_phase_day)
            r->first_phase_day = r->exps[i].phase_start;
        if (r->exps[i].phase_end < 0)
            any_running = true;
        else if (r->exps[i].phase_end > last_phase_end)
            last_phase_end = r->exps[i].phase_end;
    }
    long end = today - 1;
    if (!any_running && r->nexps > 0 && last_phase_end < end)
        end = last_phase_end; /* every phase ended: nothing after it matters */
    r->full = o->full;
    /* the per-user day table's columns follow the spec: rebuilt with it */
    r->pre_stale = !state->found || strcmp(state->spec_hash, r->unit.ir->content_hash) != 0 ||
                   strcmp(state->abc_version, ABC_VERSION) != 0;
    r->horizon_from = 1; /* none unless incremental */
    r->horizon_to = 0;
    if (o->date) {
        if (!date_parse(o->date, &r->from)) {
            snprintf(err, errlen, "--date '%s' is not a date YYYY-MM-DD", o->date);
            return ABC_ERR_USAGE;
        }
        r->to = r->from;
        r->reason = "--date";
    } else if (o->from || o->to) {
        if (!o->from || !o->to || !date_parse(o->from, &r->from) || !date_parse(o->to, &r->to)) {
            snprintf(err, errlen, "--from and --to take dates YYYY-MM-DD, both");
            return ABC_ERR_USAGE;
        }
        if (r->from > r->to) {
            snprintf(err, errlen, "--from %s is after --to %s", o->from, o->to);
            return ABC_ERR_USAGE;
        }
        r->reason = "--from/--to";
    } else if (o->full) {
        r->from = r->first_phase_day;
        r->to = end;
        r->reason = "--full: from the earliest phase start";
    } else if (!state->found) {
        r->from = r->first_phase_day;
        r->to = end;
        r->reason = "first run: from the earliest phase start";
        r->full = true;
    } else if (strcmp(state->spec_hash, r->unit.ir->content_hash) != 0 ||
               strcmp(state->abc_version, ABC_VERSION) != 0) {
        r->from = r->first_phase_day;
        r->to = end;
        r->reason = strcmp(state->spec_hash, r->unit.ir->content_hash) != 0
                        ? "the spec changed since the last run: rebuilding from the phase start"
                        : "abc was upgraded since the last run: rebuilding from the phase start";
        r->full = true;
    } else {
        int lb = r->env->config ? r->env->config->lookback_days : 2;
        /* a recorded date past the data (left by an older abc) counts as
         * the last date there can be data for */
        long last = state->last_date < end ? state->last_date : end;
        /* the last lookback_days dates done are the late-data horizon:
         * fingerprint_check re-fills those whose source rows changed */
        r->horizon_from = last + 1 - lb;
        if (r->horizon_from < r->first_phase_day)
            r->horizon_from = r->first_phase_day;
        r->horizon_to = last;
        r->from = last + 1;
        r->to = end;
        r->reason = "incremental: since the last run";
    }
    if (r->from < r->first_phase_day && !o->date && !o->from)
        r->from = r->first_phase_day;
    return ABC_OK;
}

/* ---- experiment_data rows ---------------------------------------------------------- */

static AbcStatus exec_values(Runner *r, const SqlStep *s, const SqlValue *rows, int nrows,
                             int ncols, const SqlParams *base, char *err, size_t errlen)
{
    for (int at = 0; at < nrows; at += RUN_VALUES_CHUNK) {
        SqlParams p = *base;
        p.values = rows + (size_t)at * (size_t)ncols;
        p.nrows = nrows - at < RUN_VALUES_CHUNK ? nrows - at : RUN_VALUES_CHUNK;
        p.ncols = ncols;
        AbcStatus st = exec_step(r, s, &p, err, errlen);
        if (st != ABC_OK)
            return st;
    }
    return ABC_OK;
}

/* ---- late data: source fingerprints (steps fingerprint_*) ---------------------- */

typedef struct FprintList {
    Runner *r;
    Fprint *items;
    int n, cap;
} FprintList;

static AbcStatus fprint_add(Runner *r, Fprint **v, int *n, int *cap, const char *source,
                            long day, long long rows, long long checksum)
{
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 64;
        Fprint *p = realloc(*v, sizeof *p * (size_t)nc);
        if (!p)
            return ABC_ERR_ENV;
        *v = p;
        *cap = nc;
    }
    (*v)[(*n)++] = (Fprint){arena_strdup(&r->arena, source), day, rows, checksum};
    return ABC_OK;
}

static AbcStatus fprint_fn(const WhRow *row, void *ctx)
{
    FprintList *l = ctx;
    long day;
    if (row->ncols < 4 || !row->values[0] || !row->values[1] ||
        !date_parse_prefix(row->values[1], &day))
        return ABC_OK;
    return fprint_add(l->r, &l->items, &l->n, &l->cap, row->values[0], day,
                      row->values[2] ? strtoll(row->values[2], NULL, 10) : 0,
                      row->values[3] ? strtoll(row->values[3], NULL, 10) : 0);
}

static const Fprint *fprint_find(const Fprint *v, int n, const char *source, long day)
{
    for (int i = 0; i < n; i++)
        if (v[i].day == day && strcmp(v[i].source, source) == 0)
            return &v[i];
    return NULL;
}

static void late_note(Runner *r, const char *source, long day, long long was, long long now,
                      bool checksum_only)
{
    char ds[11];
    date_format(day, ds);
    buf_puts(&r->late, r->late.len ? "; " : "");
    if (checksum_only)
        buf_printf(&r->late, "%s: %s rows %lld, checksum changed", source, ds, now);
    else
        buf_printf(&r->late, "%s: %s rows %lld \u2192 %lld", source, ds, was, now);
}

/* Before the fill: scan the sources' rows per date over the horizon and the
 * dates due (kept for fingerprint_write), read the fingerprints recorded for
 * the horizon, and move the first date due back to the earliest horizon date
 * whose rows changed (a row added, changed or deleted).  A plan (dry run)
 * scans the horizon only. */
static AbcStatus fingerprint_check(Runner *r, char *err, size_t errlen)
{
    const SqlStep *scan = find_step(r, SQLSTEP_FPRINT_SCAN);
    const SqlStep *rd = find_step(r, SQLSTEP_FPRINT_READ);
    if (!scan || scan->nstmts == 0)
        return ABC_OK;
    bool horizon = r->horizon_from <= r->horizon_to;
    long lo = r->from, hi = r->to;
    if (r->opt->dry_run || lo > hi) {
        lo = r->horizon_from;
        hi = r->horizon_to;
    } else if (horizon) {
        lo = r->horizon_from < lo ? r->horizon_from : lo;
        hi = r->horizon_to > hi ? r->horizon_to : hi;
    }
    if (lo > hi)
        return ABC_OK;
    char a[11], b[11];
    date_format(lo, a);
    date_format(hi, b);
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.from_date = a;
    p.to_date = b;
    FprintList now = {r, NULL, 0, 0};
    /* the exposure source's statement: the horizon alone (exposure_keys
     * reads its dates due) */
    char ha[11], hb[11];
    date_format(r->horizon_from, ha);
    date_format(r->horizon_to, hb);
    SqlParams ph = p;
    ph.from_date = ha;
    ph.to_date = hb;
    AbcStatus st = ABC_OK;
    for (int i = 0; st == ABC_OK && i < scan->nstmts; i++) {
        bool x = i == r->prog.fprint_exposure_stmt;
        if (x && !horizon)
            continue;
        if ((st = send_stmt(r, scan, i, x ? &ph : &p, fprint_fn, &now, err, errlen)) != ABC_OK)
            step_error(r, scan, err, errlen);
    }
    r->fp = now.items;
    r->nfp = now.n;
    r->fpcap = now.cap;
    if (st != ABC_OK && r->opt->dry_run) {
        /* a plan still prints (its preflight names a missing source) */
        r->nfp = 0;
        err[0] = '\0';
        return ABC_OK;
    }
    if (st != ABC_OK)
        return st;
    r->fp_scanned = true;
    if (!horizon || !rd)
        return ABC_OK;
    date_format(r->horizon_from, a);
    date_format(r->horizon_to, b);
    FprintList was = {r, NULL, 0, 0};
    st = query_step(r, rd, &p, fprint_fn, &was, err, errlen);
    if (st != ABC_OK && r->env->wh && wh_last_error(r->env->wh) == WH_ERR_NO_TABLE) {
        was.n = 0; /* nothing recorded yet: every horizon date with rows changed */
        st = ABC_OK;
    }
    long first = -1;
    for (int i = 0; st == ABC_OK && i < r->unit.ir->nsources; i++) {
        if (!sqlgen_fprint_source(&r->prog, i))
            continue;
        const char *name = r->unit.ir->sources[i].name;
        for (long d = r->horizon_from; d <= r->horizon_to; d++) {
            const Fprint *n = fprint_find(now.items, now.n, name, d);
            const Fprint *w = fprint_find(was.items, was.n, name, d);
            long long nr = n ? n->rows : 0, wr = w ? w->rows : 0;
            long long nc = n ? n->checksum : 0, wc = w ? w->checksum : 0;
            if (nr == wr && (nc == wc || nr == 0))
                continue;
            late_note(r, name, d, wr, nr, nr == wr);
            if (first < 0 || d < first)
                first = d;
        }
    }
    free(was.items);
    if (st == ABC_OK && first >= 0) {
        r->from = first;
        if (r->to < r->horizon_to)
            r->to = r->horizon_to;
        char fs[11];
        date_format(first, fs);
        r->reason = arena_printf(&r->arena, "incremental: since the last run, and from %s, where "
                                 "late data changed a source (%s)", fs, r->late.data);
    }
    return st;
}

/* After the fill: record the fingerprints of the dates filled, every
 * fingerprinted source and date (0 rows where the scan found none, so a
 * date whose rows were deleted is recorded as such). */
static AbcStatus fingerprint_write(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_FPRINT_WRITE);
    if (!s || r->from > r->to)
        return ABC_OK;
    if (r->show) {
        SqlParams p = *base;
        p.keep_unbound = true;
        fprintf(r->show, "-- {{values}}: one row per source and date filled, the rows and "
                         "checksum fingerprint_scan read (tag, source, event_date, row_count, "
                         "checksum, recorded_at)\n");
        return exec_step(r, s, &p, err, errlen);
    }
    if (!r->fp_scanned)
        return ABC_OK;
    const IrSpec *ir = r->unit.ir;
    int nsrc = 0;
    for (int i = 0; i < ir->nsources; i++)
        nsrc += sqlgen_fprint_source(&r->prog, i);
    size_t nrows = (size_t)nsrc * (size_t)(r->to - r->from + 1);
    if (nrows == 0)
        return ABC_OK;
    int nc = SQLGEN_FPRINT_NCOLUMNS;
    SqlValue *rows = arena_alloc(&r->arena, sizeof *rows * nrows * (size_t)nc);
    char *dates = arena_alloc(&r->arena, (size_t)(r->to - r->from + 1) * 11);
    size_t k = 0;
    for (long d = r->from; d <= r->to; d++) {
        char *ds = dates + (size_t)(d - r->from) * 11;
        date_format(d, ds);
        for (int i = 0; i < ir->nsources; i++) {
            if (!sqlgen_fprint_source(&r->prog, i))
                continue;
            /* the exposure source's dates due: from exposure_keys' pass */
            const Fprint *f = i == ir->exposure.source && r->prog.fprint_exposure_stmt >= 0
                                  ? fprint_find(r->fpx, r->nfpx, ir->sources[i].name, d)
                                  : fprint_find(r->fp, r->nfp, ir->sources[i].name, d);
            SqlValue *row = rows + k++ * (size_t)nc;
            for (int c = 0; c < nc; c++) {
                const char *col = SQLGEN_FPRINT_COLUMNS[c];
                SqlValue v = sv_null();
                if (!strcmp(col, "tag")) v = sv_str(ir->tag);
                else if (!strcmp(col, "source")) v = sv_str(ir->sources[i].name);
                else if (!strcmp(col, "event_date")) v = sv_date(ds);
                else if (!strcmp(col, "row_count")) v = sv_int(f ? f->rows : 0);
                else if (!strcmp(col, "checksum")) v = sv_int(f ? f->checksum : 0);
                else if (!strcmp(col, "recorded_at")) v = sv_ts(r->computed_at);
                row[c] = v;
            }
        }
    }
    return exec_values(r, s, rows, (int)k, nc, base, err, errlen);
}

/* The progress line of the late-data check (none for a plan). */
static void late_progress(Runner *r)
{
    if (r->opt->dry_run)
        return;
    if (r->late.len) {
        progress(r, "late data: %s", r->late.data);
    } else if (r->horizon_from <= r->horizon_to && r->fp_scanned) {
        char hf[11], ht[11];
        date_format(r->horizon_from, hf);
        date_format(r->horizon_to, ht);
        progress(r, "no late data within the lookback (%s .. %s): only new dates are due", hf, ht);
    }
}

static AbcStatus write_config(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_CONFIG);
    if (!s)
        return ABC_OK;
    int ncols = SQLGEN_EXPDATA_NCOLUMNS, nrows = 0;
    for (int i = 0; i < r->nexps; i++)
        nrows += r->exps[i].nvariations;
    SqlValue *rows = arena_alloc(&r->arena, sizeof(SqlValue) * (size_t)(nrows ? nrows : 1) * (size_t)ncols);
    SqlValue *v = rows;
    const char *fetched = r->gb ? r->gb->fetched_at_iso : NULL;
    char fetched_ts[20];
    ts_from(fetched ? fetched : "", fetched_ts);
    for (int i = 0; i < r->nexps; i++) {
        const RunExperiment *x = &r->exps[i];
        for (int k = 0; k < x->nvariations; k++) {
            const RunVariation *vv = &x->variations[k];
            for (int c = 0; c < ncols; c++) {
                const char *col = SQLGEN_EXPDATA_COLUMNS[c];
                SqlValue val = sv_null();
                if (!strcmp(col, "tag")) val = sv_str(r->unit.ir->tag);
                else if (!strcmp(col, "tracking_key")) val = sv_str(x->tracking_key);
                else if (!strcmp(col, "variation_key")) val = sv_str(vv->key);
                else if (!strcmp(col, "experiment_id")) val = sv_str(x->id);
                else if (!strcmp(col, "experiment_name")) val = sv_str(x->name);
                else if (!strcmp(col, "status")) val = sv_str(x->status);
                else if (!strcmp(col, "phase_index")) val = sv_int(x->phase_index);
                else if (!strcmp(col, "phase_name")) val = sv_str(x->phase_name);
                else if (!strcmp(col, "phase_start")) val = sv_ts(x->phase_start_ts);
                else if (!strcmp(col, "phase_end")) val = sv_ts(x->phase_end_ts);
                else if (!strcmp(col, "coverage")) val = sv_dbl(x->coverage);
                else if (!strcmp(col, "variation_id")) val = sv_str(vv->id);
                else if (!strcmp(col, "variation_name")) val = sv_str(vv->name);
                else if (!strcmp(col, "weight")) val = sv_dbl(vv->weight);
                else if (!strcmp(col, "is_control")) val = sv_int(vv->is_control);
                else if (!strcmp(col, "fetched_at")) val = sv_ts(fetched_ts[0] ? fetched_ts : r->computed_at);
                else if (!strcmp(col, "spec_hash")) val = sv_str(r->unit.ir->content_hash);
                else if (!strcmp(col, "abc_version")) val = sv_str(ABC_VERSION);
                *v++ = val;
            }
        }
    }
    /* One execution with every row, never in chunks: the step replaces the
     * tag's rows (DELETE + INSERT, or INSERT OVERWRITE of the tag's
     * partition), so a second chunk would replace the first.  With no
     * experiments it still clears the tag's old rows. */
    SqlParams p = *base;
    p.values = nrows ? rows : NULL;
    p.nrows = nrows;
    p.ncols = ncols;
    if (nrows > 0)
        return exec_step(r, s, &p, err, errlen);
    /* no experiments: the tag's old rows are deleted (an INSERT OVERWRITE
     * of the tag's partition needs rows) */
    const SqlStep *clear = find_step(r, SQLSTEP_CONFIG_CLEAR);
    return clear ? exec_step(r, clear, &p, err, errlen) : ABC_OK;
}

/* ---- statistics ----------------------------------------------------------------- */

typedef struct StatsFeed {
    Results *res;
    const SqlStep *step;
    int nsegments;
    StatsRowDecoder *dec;  /* built from the first row's columns */
    char *err;
    size_t errlen;
} StatsFeed;

static AbcStatus stats_row_fn(const WhRow *row, void *ctx)
{
    StatsFeed *f = ctx;
    AbcStatus st;
    if (!f->dec && (st = stats_rows_decoder(f->step, f->nsegments, row, &f->dec, f->err,
                                            f->errlen)) != ABC_OK)
        return st;
    StatsRow typed;
    if ((st = stats_rows_decode(f->dec, row, &typed, f->err, f->errlen)) != ABC_OK)
        return st;
    return results_add_row(f->res, f->step, &typed, f->err, f->errlen);
}

static AbcStatus run_stats_once(Runner *r, Results *res, const SqlParams *base, char *err,
                                size_t errlen)
{
    int total = 0, done = 0;
    for (int i = 0; i < r->prog.nsteps; i++)
        total += r->prog.steps[i].kind == SQLSTEP_STATS;
    for (int i = 0; i < r->prog.nsteps; i++) {
        const SqlStep *s = &r->prog.steps[i];
        if (s->kind != SQLSTEP_STATS)
            continue;
        progress_bar(r, done, total, "statistics queries");
        StatsFeed feed = {res, s, r->unit.ir->nsegments, NULL, err, errlen};
        AbcStatus st = query_step(r, s, base, stats_row_fn, &feed, err, errlen);
        stats_rows_decoder_free(feed.dec);
        if (st == ABC_OK)
            st = results_end_step(res, s, err, errlen);
        if (st != ABC_OK)
            return st;
        progress_bar(r, ++done, total, "statistics queries");
    }
    return ABC_OK;
}

/* The statistics steps are one session-dependent group (their rows are
 * added up as they stream in): a lost connection fails the group, never one statement re-sent alone on a new
 * session; the run then stops with a warehouse error (exit 3) and the next
 * run redoes the dates. */
static AbcStatus run_stats(Runner *r, Results *res, const SqlParams *base, char *err,
                           size_t errlen)
{
    wh_session_bound(r->env->wh, true);
    AbcStatus st = run_stats_once(r, res, base, err, errlen);
    wh_session_bound(r->env->wh, false);
    if (st != ABC_OK && r->env->wh && wh_last_error(r->env->wh) == WH_ERR_CONN_LOST) {
        static const char head[] =
            "the connection to the warehouse was lost during the statistics queries (they "
            "depend on their session and on the rows already read, so no query is re-sent "
            "alone); nothing was published and the next run redoes the dates: ";
        err_prepend(err, errlen, head);
        st = ABC_ERR_ENV;
    }
    return st;
}

/* ---- the run ------------------------------------------------------------------------ */

/* The plan's "migration:" line: which wide-table columns the run would
 * add, from the warehouse's columns (a read; nothing is changed). */
static void plan_migration(Runner *r, FILE *f)
{
    const SqlStep *cols = find_step(r, SQLSTEP_MIGRATE_COLUMNS);
    if (!r->prog.wide || !cols)
        return;
    if (!r->env->wh) {
        fprintf(f, "migration: none (no warehouse yet: %s is created with every column)\n",
                r->prog.wide->name);
        return;
    }
    SqlParams base;
    memset(&base, 0, sizeof base);
    base.run_id = r->run_id;
    ColSet have = {0};
    char err[512];
    SqlStep alter;
    if (query_step(r, cols, &base, colset_fn, &have, err, sizeof err) != ABC_OK) {
        fprintf(f, "migration: unknown (%s)\n", err);
    } else if (!colset_has_table(&have, r->prog.wide) &&
               !(r->unit.ir->nsegments && colset_has_table(&have, r->prog.assign))) {
        fprintf(f, "migration: none (%s is new: created with every column)\n", r->prog.wide->name);
    } else {
        int added[2] = {0, 0};
        int n = sqlgen_migrate_wide(&r->prog, (const char *const *)have.tables,
                                    (const char *const *)have.names, have.n, &r->arena, &alter,
                                    added);
        if (n == 0) {
            fprintf(f, "migration: none (%s has every column of the spec)\n", r->prog.wide->name);
        } else if (!added[1]) {
            fprintf(f, "migration: %s lacks %d column%s of the spec; migrate_wide adds %s and "
                       "schema_migrations records the next version\n",
                    r->prog.wide->name, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
        } else {
            char what[300];
            added_text(r, added, what, sizeof what);
            fprintf(f, "migration: migrate_wide adds %s (columns of the spec they lack) and "
                       "schema_migrations records the next version\n", what);
        }
    }
    colset_free(&have);
}

/* The daily case of the growth stage: one date due, the day after the
 * last published one (activity_stage_next when its days were also merged,
 * not refilled). */
static bool one_date_after_published(const Runner *r)
{
    return !r->full && r->from == r->to && r->published >= 0 && r->published == r->to - 1;
}

/* The longest CUPED pre-period of the spec, in days (0: no CUPED). */
static int pre_days_max(const IrSpec *ir)
{
    int mx = 0;
    for (int i = 0; i < ir->nmetrics; i++)
        if (ir->metrics[i].cuped.kind != CUPED_NONE && ir->metrics[i].cuped.pre_days > mx)
            mx = ir->metrics[i].cuped.pre_days;
    return mx;
}

static void dry_run_plan(Runner *r)
{
    FILE *f = r->opt->plan_out ? r->opt->plan_out : stdout;
    char a[11], b[11];
    const IrSpec *ir = r->unit.ir;
    fprintf(f, "abc run %s --dry-run (%s, dialect %s)\n", ir->tag, ir->path, r->env->dialect->name);
    fprintf(f, "experiments (%d):\n", r->nexps);
    for (int i = 0; i < r->nexps; i++) {
        const RunExperiment *x = &r->exps[i];
        date_format(x->phase_start, a);
        /* names and keys come from GrowthBook: escaped for the terminal */
        fprintf(f, "  %s  %s  phase \"%s\" from %s%s%s, %d variations:",
                term_safe(&r->arena, x->tracking_key), term_safe(&r->arena, x->id),
                term_safe(&r->arena, x->phase_name), a, x->phase_end >= 0 ? " to " : " (running)",
                x->phase_end >= 0 ? (date_format(x->phase_end, b), b) : "", x->nvariations);
        for (int k = 0; k < x->nvariations; k++)
            fprintf(f, " %s=%g", term_safe(&r->arena, x->variations[k].key),
                    x->variations[k].weight);
        fputc('\n', f);
    }
    if (r->from > r->to) {
        fprintf(f, "dates due: none (%s)\n", r->reason);
    } else if (r->stats_only) {
        date_format(r->to, b);
        fprintf(f, "dates due: none (%s); the statistics and report of %s again\n", r->reason, b);
    } else {
        date_format(r->from, a);
        date_format(r->to, b);
        fprintf(f, "dates due: %s .. %s (%ld days; %s)\n", a, b, r->to - r->from + 1, r->reason);
    }
    if (r->horizon_from <= r->horizon_to) {
        date_format(r->horizon_from, a);
        date_format(r->horizon_to, b);
        if (r->late.len)
            fprintf(f, "late data in %s .. %s: %s\n", a, b, r->late.data);
        else if (r->fp_scanned)
            fprintf(f, "late data in %s .. %s: none (no past date re-filled)\n", a, b);
        else
            fprintf(f, "late data in %s .. %s: not checked (the sources could not be read)\n", a, b);
    }
    plan_migration(r, f);
    fprintf(f, "steps:\n");
    for (int i = 0; i < r->prog.nsteps; i++) {
        const SqlStep *s = &r->prog.steps[i];
        const char *when = "";
        switch (s->kind) {
        case SQLSTEP_RESET: when = r->full ? "" : "  [skipped: not a full run]"; break;
        case SQLSTEP_CONFIG:
            when = r->nexps ? "" : "  [not used: no experiments]";
            break;
        case SQLSTEP_CONFIG_CLEAR:
            when = r->nexps ? "  [not used: the tag has experiments]" : "";
            break;
        case SQLSTEP_ASSIGN_DAY:
        case SQLSTEP_WIDE_DAY:
        case SQLSTEP_FPRINT_WRITE:
            if (r->stats_only) {
                when = "  [not used: nothing to fill]";
                break;
            }
            if (s->kind == SQLSTEP_FPRINT_WRITE)
                break;
            when = r->from == r->to ? "  [the due date]"
                   : fills_by_day(r) ? "  [per due date]"
                                     : "  [not used: several dates are due]";
            break;
        case SQLSTEP_ASSIGN_RANGE:
        case SQLSTEP_WIDE_RANGE:
            when = r->stats_only ? "  [not used: nothing to fill]"
                   : fills_by_day(r) ? (r->from < r->to ? "  [not used: filled by day]"
                                                        : "  [not used: one date is due]")
                                     : "  [per chunk of up to 7 due dates]";
            break;
        case SQLSTEP_DAILY_PUBLISH: when = "  [once per analysis date]"; break;
        case SQLSTEP_FPRINT_READ:
            when = r->horizon_from <= r->horizon_to ? "" : "  [not used: not an incremental run]";
            break;
        case SQLSTEP_ACTIVITY_FILL:
            when = r->full && activity_days_in_pre_after_fill(r)
                       ? "  [full: every source date up to the last due date, or, after the fill "
                         "of the dates due, only those before the first]"
                   : r->full                ? "  [full: every source date up to the last due date]"
                   : activity_days_in_pre(r) ? "  [when the scan beside the fill finds late data; "
                                               "else activity_fill_days]"
                                             : "  [the dates due]";
            break;
        case SQLSTEP_ACTIVITY_FILL_DAYS:
            when = activity_days_in_pre(r) ? "  [the dates due, from the per-user day table]"
                   : r->full && activity_days_in_pre_after_fill(r)
                       ? "  [full: the dates due, after their fill]"
                   : r->full               ? "  [not used: a full run]"
                                           : "  [not used: the dates due are filled by range]";
            break;
        case SQLSTEP_ACTIVITY_PERIODS:
            when = r->full ? "  [full: every period]"
                           : "  [when activity_periods_check finds rows: a refill]";
            break;
        case SQLSTEP_ACTIVITY_PERIODS_CHECK:
            when = r->full ? "  [skipped: a full run]" : "";
            break;
        case SQLSTEP_ACTIVITY_PERIODS_ADD:
        case SQLSTEP_ACTIVITY_STATE_ADD:
            when = r->full ? "  [skipped: a full run]"
                           : "  [when activity_periods_check finds none: new days]";
            break;
        case SQLSTEP_ACTIVITY_DUE_USERS:
            when = r->full ? "  [skipped: a full run]"
                   : r->from == r->to
                       ? "  [when activity_periods_check finds none: a new date]"
                       : "  [not used: several dates are due]";
            break;
        case SQLSTEP_ACTIVITY_STAGE: when = "  [before report_publish]"; break;
        case SQLSTEP_ACTIVITY_STAGE_NEXT:
            when = one_date_after_published(r)
                       ? "  [instead of activity_stage when activity_periods_add runs]"
                       : "  [not used: not the one date after the last published]";
            break;
        case SQLSTEP_ACTIVITY_PUBLISH: when = "  [when report_publish does not run]"; break;
        case SQLSTEP_ACTIVITY_READ: when = "  [for the memo]"; break;
        case SQLSTEP_HOURLY_RESET: when = r->full ? "" : "  [skipped: not a full run]"; break;
        case SQLSTEP_HOURLY_UNITS:
        case SQLSTEP_HOURLY_FILL:
        case SQLSTEP_HOURLY_CUMULATIVE:
        case SQLSTEP_HOURLY_SRM:
            when = r->stats_only || r->from > r->to ? "  [not used: nothing to fill]"
                                                    : "  [every hour of the dates due]";
            break;
        case SQLSTEP_HOURLY_READ: when = "  [the last 48 hours, for the HTML page]"; break;
        case SQLSTEP_HOURLY_STATE_WRITE: when = "  [after the hourly fill]"; break;
        case SQLSTEP_PRE_RESET:
            when = r->stats_only ? "  [not used: nothing to fill]"
                   : r->full || r->pre_stale ? "  [a rebuild]" : "  [skipped: not a rebuild]";
            break;
        case SQLSTEP_PRE_DAYS:
            when = r->stats_only ? "  [not used: nothing to fill]" : "";
            break;
        case SQLSTEP_PRE_FILL_COVARIATES:
            when = r->stats_only ? "  [not used: nothing to fill]"
                                 : "  [the pre-period days pre_days lacks]";
            break;
        case SQLSTEP_PRE_FILL:
            when = r->stats_only ? "  [not used: nothing to fill]"
                   : !fills_by_day(r) && pre_days_max(r->unit.ir) == 0
                       ? "  [not used: range fills without CUPED]"
                       : "";
            break;
        case SQLSTEP_PRE_PRUNE:
            when = r->stats_only ? "  [not used: nothing to fill]" : "";
            break;
        case SQLSTEP_UNIT_STATE_RESET:
            when = r->full || r->pre_stale ? "" : "  [not used: not a rebuild]";
            break;
        case SQLSTEP_UNIT_STATE_CLEAR:
            when = r->full || r->pre_stale ? "  [not used: a rebuild]" : "";
            break;
        default: break;
        }
        fprintf(f, "  %-28s %d statement%s  %s%s\n", s->name, s->nstmts, s->nstmts == 1 ? " " : "s",
               s->summary, when);
    }
    fprintf(f, "then: analysis in the stats kernel, report tables replaced for tag '%s', run state, memo %s/%s.md\n",
           ir->tag, r->opt->memo_dir ? r->opt->memo_dir : "reports", ir->tag);
}

/* ---- the per-user day table (steps pre_*) --------------------------------------- */

/* pre_fill (kind SQLSTEP_PRE_FILL) or pre_fill_covariates of [lo, hi],
 * with the marks of its days ({{values}}). */
static AbcStatus pre_fill(Runner *r, SqlStepKind kind, const SqlParams *base, long lo, long hi,
                          char *err, size_t errlen)
{
    const SqlStep *fill = find_step(r, kind);
    if (!fill || lo > hi)
        return ABC_OK;
    if (hi - lo + 1 > RUN_VALUES_CHUNK) { /* the marks of one fill go in one {{values}} batch */
        AbcStatus st = pre_fill(r, kind, base, lo, lo + RUN_VALUES_CHUNK - 1, err, errlen);
        return st != ABC_OK ? st
                            : pre_fill(r, kind, base, lo + RUN_VALUES_CHUNK, hi, err, errlen);
    }
    char a[11], b[11];
    date_format(lo, a);
    date_format(hi, b);
    SqlParams p = *base;
    p.from_date = a;
    p.to_date = b;
    int n = (int)(hi - lo + 1);
    SqlValue *rows = arena_alloc(&r->arena, sizeof *rows * (size_t)n * 2);
    char *dates = arena_alloc(&r->arena, (size_t)n * 11);
    for (int i = 0; i < n; i++) {
        date_format(lo + i, dates + (size_t)i * 11);
        rows[2 * i] = sv_date(dates + (size_t)i * 11);
        rows[2 * i + 1] = sv_str("");
    }
    return exec_values(r, fill, rows, n, 2, &p, err, errlen);
}

typedef struct PreDays {
    long lo;
    bool *have; /* have[d - lo]: the table marks day d as filled */
    int n;
} PreDays;

static AbcStatus pre_days_fn(const WhRow *row, void *ctx)
{
    PreDays *pd = ctx;
    long d;
    if (row->ncols >= 1 && row->values[0] && date_parse_prefix(row->values[0], &d) &&
        d >= pd->lo && d < pd->lo + pd->n)
        pd->have[d - pd->lo] = true;
    return ABC_OK;
}

/* Before the fills: a rebuild drops and creates the table (its columns are
 * the spec's); then, with CUPED, the pre-period days before the first date
 * due that the table does not hold are filled with their covariate parts
 * (pre_fill_covariates), so that each fill finds the covariates of its new
 * exposures there. */
static AbcStatus pre_prepare(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *reset = find_step(r, SQLSTEP_PRE_RESET), *days = find_step(r, SQLSTEP_PRE_DAYS);
    int mx = pre_days_max(r->unit.ir);
    if (!reset)
        return ABC_OK;
    AbcStatus st;
    if ((r->full || r->pre_stale) && (st = exec_step(r, reset, base, err, errlen)) != ABC_OK)
        return st;
    if (mx == 0 || !days)
        return ABC_OK;
    PreDays pd = {r->from - mx, arena_alloc(&r->arena, (size_t)mx * sizeof(bool)), mx};
    char a[11], b[11];
    date_format(r->from - mx, a);
    date_format(r->from - 1, b);
    SqlParams p = *base;
    p.from_date = a;
    p.to_date = b;
    if (!r->full && !r->pre_stale &&
        (st = query_step(r, days, &p, pre_days_fn, &pd, err, errlen)) != ABC_OK)
        return st;
    for (int i = 0; i < mx;) {
        if (pd.have[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < mx && !pd.have[j + 1])
            j++;
        if ((st = pre_fill(r, SQLSTEP_PRE_FILL_COVARIATES, base, pd.lo + i, pd.lo + j, err,
                           errlen)) != ABC_OK)
            return st;
        i = j + 1;
    }
    return ABC_OK;
}

/* After the fills: the rows no later run reads — before the earliest date
 * a later incremental run may re-fill (the late-data horizon after the
 * last date done), less the pre-period.  A backfill of older dates fills
 * its own pre-period again (pre_prepare). */
static AbcStatus pre_prune(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_PRE_PRUNE);
    int mx = pre_days_max(r->unit.ir);
    if (!s)
        return ABC_OK;
    int lb = r->env->config ? r->env->config->lookback_days : 2;
    long last = r->published > r->to ? r->published : r->to;
    char a[11];
    date_format(last + 1 - lb - mx, a);
    SqlParams p = *base;
    p.from_date = a;
    return exec_step(r, s, &p, err, errlen);
}

/* ---- the per-unit state ------------------------------------------------------------ */

/* Before the fills: a rebuild drops and creates the unit state table (its
 * columns are the spec's); otherwise the state of the dates from the first
 * date due on goes before their wide rows change, so a run that fails
 * after the fills leaves no state older than its wide rows. */
static AbcStatus unit_state_prepare(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    if (r->full || r->pre_stale) {
        const SqlStep *reset = find_step(r, SQLSTEP_UNIT_STATE_RESET);
        return reset ? exec_step(r, reset, base, err, errlen) : ABC_OK;
    }
    const SqlStep *clear = find_step(r, SQLSTEP_UNIT_STATE_CLEAR);
    if (!clear)
        return ABC_OK;
    char a[11];
    date_format(r->from, a);
    SqlParams p = *base;
    p.from_date = a;
    return exec_step(r, clear, &p, err, errlen);
}

typedef struct StateDates {
    Arena *arena;
    long *v;
    int n, cap;
} StateDates;

static AbcStatus last_state_fn(const WhRow *row, void *ctx)
{
    long *last = ctx;
    if (row->ncols >= 1 && row->values[0] && !date_parse_prefix(row->values[0], last))
        *last = -1;
    return ABC_OK;
}

static void state_dates_push(StateDates *sd, long d)
{
    if (sd->n == sd->cap) {
        int cap = sd->cap ? sd->cap * 2 : 64;
        long *v = arena_alloc(sd->arena, (size_t)cap * sizeof *v);
        if (sd->n)
            memcpy(v, sd->v, (size_t)sd->n * sizeof *v);
        sd->v = v;
        sd->cap = cap;
    }
    sd->v[sd->n++] = d;
}

static AbcStatus state_dates_fn(const WhRow *row, void *ctx)
{
    long d;
    if (row->ncols >= 1 && row->values[0] && date_parse_prefix(row->values[0], &d))
        state_dates_push(ctx, d);
    return ABC_OK;
}

/* The unit state before `keep` goes (`keep` is never later than the last
 * date done less lookback_days: the next run's first re-filled date needs
 * the state of the date before it). */
static AbcStatus unit_state_prune(Runner *r, const SqlParams *base, long keep, char *err,
                                  size_t errlen)
{
    const SqlStep *prune = find_step(r, SQLSTEP_UNIT_STATE_PRUNE);
    if (!prune)
        return ABC_OK;
    int lb = r->env->config ? r->env->config->lookback_days : 2;
    if (keep > r->to - lb)
        keep = r->to - lb;
    char k[11];
    date_format(keep, k);
    SqlParams p = *base;
    p.from_date = k;
    return exec_step(r, prune, &p, err, errlen);
}

/* The unit state of the analysis dates sd (oldest first, after `prev`),
 * each followed in chunks by the statistics queries of its dates due, then
 * the state before the chunk's last date pruned (statistics).  batch_to:
 * the dates are a batch of unit_state_versions up to it (NULL: unit_state,
 * date by date). */
static AbcStatus state_dates_run(Runner *r, Results *res, const SqlParams *base,
                                 const StateDates *sd, char prev[11], const char *batch_to,
                                 const SqlStep *fill, char *err, size_t errlen)
{
    char day[11];
    SqlParams p;
    AbcStatus st;
    int due = 0, queried = 0; /* dates due in the chunk; chunks whose statistics ran */
    int chunk_days = r->prog.stats_one_date ? 1 : RANGE_CHUNK_DAYS; /* sqlgen.h */
    long chunk_from = -1;
    for (int i = 0; i < sd->n; i++) {
        progress_bar(r, i, sd->n, "unit state dates");
        date_format(sd->v[i], day);
        p = *base;
        p.from_date = prev;
        p.event_date = day;
        if (batch_to)
            p.to_date = batch_to;
        if ((st = exec_step(r, fill, &p, err, errlen)) != ABC_OK)
            return st;
        memcpy(prev, day, 11);
        if (sd->v[i] >= r->from && due++ == 0)
            chunk_from = sd->v[i];
        if (due == 0 || (due < chunk_days && i + 1 < sd->n))
            continue;
        char cf[11];
        date_format(chunk_from, cf);
        p = *base;
        p.from_date = cf;
        p.to_date = day;
        if ((st = run_stats(r, res, &p, err, errlen)) != ABC_OK ||
            (st = unit_state_prune(r, base, sd->v[i], err, errlen)) != ABC_OK)
            return st;
        due = 0;
        queried++;
    }
    progress_bar(r, sd->n, sd->n, "unit state dates");
    if (sd->n) {
        date_format(sd->v[0], day);
        progress(r, "unit state of %d date%s computed (%s .. %s)", sd->n, sd->n == 1 ? "" : "s",
                 day, prev);
    }
    if (queried > 0) /* each chunk pruned behind it */
        return ABC_OK;
    /* no analysis date due: the queries find nothing */
    char from[11], to[11];
    date_format(r->from, from);
    date_format(r->to, to);
    p = *base;
    p.from_date = from;
    p.to_date = to;
    if ((st = run_stats(r, res, &p, err, errlen)) != ABC_OK)
        return st;
    return unit_state_prune(r, base, r->to, err, errlen);
}

/* The statistics of the dates due.  First the unit state of every analysis
 * date after the last date with state (none: from the first), up to the
 * last date due, oldest first, each from the one before: a daily run so
 * computes one date from the previous one; after a backfill of an older
 * date (`--date`) the next run computes the dates after it again.  The
 * dates go in chunks of RANGE_CHUNK_DAYS (one date where the queries read
 * one, stats_one_date): the state of a chunk, the statistics queries over
 * its dates due, then the state before its last date is pruned — a full
 * run keeps a week of state at most, not the phase's.  Several dates with
 * unit_state_versions (MariaDB) go in with their versions' ends known: no
 * date updates the versions of the one before. */
static AbcStatus statistics(Runner *r, Results *res, const SqlParams *base, char *err,
                            size_t errlen)
{
    const SqlStep *last_s = find_step(r, SQLSTEP_UNIT_STATE_LAST);
    const SqlStep *dates_s = find_step(r, SQLSTEP_UNIT_STATE_DATES);
    const SqlStep *fill = find_step(r, SQLSTEP_UNIT_STATE);
    char from[11], to[11], prev[11];
    date_format(r->from, from);
    date_format(r->to, to);
    SqlParams p = *base;
    p.from_date = from;
    p.to_date = to;
    if (!last_s || !dates_s || !fill)
        return run_stats(r, res, &p, err, errlen);
    long last = -1;
    AbcStatus st = query_step(r, last_s, &p, last_state_fn, &last, err, errlen);
    if (st != ABC_OK)
        return st;
    StateDates sd = {&r->arena, NULL, 0, 0};
    if (r->show) {
        /* nothing is read back: shown for the dates due, each from the day before */
        last = r->from - 1;
        for (long d = r->from; d <= r->to; d++)
            state_dates_push(&sd, d);
    }
    if (last >= 0)
        date_format(last, prev);
    else
        snprintf(prev, sizeof prev, "1000-01-01"); /* no state: every date from the first */
    p.from_date = prev;
    /* (shown, not sent, with --dry-run --sql) */
    if ((st = query_step(r, dates_s, &p, state_dates_fn, &sd, err, errlen)) != ABC_OK)
        return st;
    /* several dates in a row (MariaDB's versions): unit_state_end lists
     * their units' changes in a session table and ends the versions before
     * them (none without state), then each date's go in with their end,
     * found in that table.  The batch is bound to its session: a lost
     * connection stops the run (the next one redoes the dates). */
    const SqlStep *vend = find_step(r, SQLSTEP_UNIT_STATE_END);
    const SqlStep *vins = find_step(r, SQLSTEP_UNIT_STATE_VERSIONS);
    if (!vend || !vins || sd.n <= 1)
        return state_dates_run(r, res, base, &sd, prev, NULL, fill, err, errlen);
    char batch_to[11];
    date_format(sd.v[sd.n - 1], batch_to);
    p = *base;
    p.from_date = prev;
    p.to_date = batch_to;
    wh_session_bound(r->env->wh, true);
    /* without state before the batch (a full run) no version is to end */
    if ((st = exec_step_skipping(r, vend, &p, last < 0 ? SQLSTMT_EARLIER_STATE : 0, err,
                                 errlen)) == ABC_OK)
        st = state_dates_run(r, res, base, &sd, prev, batch_to, vins, err, errlen);
    wh_session_bound(r->env->wh, false);
    return st;
}

/* The periods the growth report recomputes: from the earlier of the Monday
 * (ISO week) and the 1st of the month on or before the first date due, to
 * the later of the last date due and the last date an earlier run
 * published — a backfill changes the rolling windows, the next periods'
 * retained and churned users and the cohorts of every later period. */
static bool activity_range(const Runner *r, const char *from, const char *to, char lo[11],
                           char hi[11])
{
    long day, month_day, last;
    char first[11];
    if (!date_parse(from, &day) || !date_parse(to, &last))
        return false;
    long monday = day - ((day % 7 + 7 + 3) % 7); /* 1970-01-01 (day 0) was a Thursday */
    snprintf(first, sizeof first, "%.8s01", from);
    if (!date_parse(first, &month_day))
        month_day = monday;
    date_format(monday < month_day ? monday : month_day, lo);
    date_format(r->published > last ? r->published : last, hi);
    return true;
}

/* Growth analytics (specs with activity blocks): the active days of the
 * dates due — on a full run of every source date, so that "first active
 * ever" means since the earliest source date — then the first and last
 * active date of the users those days touch, then the first and last
 * active day per user of the weeks and months of the days filled: new days
 * merged into the stored rows, refilled ones recomputed from the Monday or
 * the 1st of the first of them (earlier periods keep their rows). */
#define ACTIVITY_HISTORY_START "1000-01-01"
/* from_pre: [from, to] are dates pre_fill wrote in this run (see
 * activity_days_in_pre); their active days are then read there rather
 * than from the sources, or were already (Runner.activity_days_filled). */
static AbcStatus activity_fill(Runner *r, const SqlParams *base, const char *from, const char *to,
                               bool from_pre, char *err, size_t errlen)
{
    const SqlStep *fill =
        find_step(r, from_pre && !r->full ? SQLSTEP_ACTIVITY_FILL_DAYS : SQLSTEP_ACTIVITY_FILL);
    const SqlStep *state = find_step(r, SQLSTEP_ACTIVITY_STATE);
    const SqlStep *state_add = find_step(r, SQLSTEP_ACTIVITY_STATE_ADD);
    if (!fill)
        return ABC_OK;
    SqlParams p = *base;
    p.from_date = r->full ? ACTIVITY_HISTORY_START : from;
    p.to_date = to;
    AbcStatus st;
    const SqlStep *fill_days = find_step(r, SQLSTEP_ACTIVITY_FILL_DAYS);
    long first;
    if (from_pre && r->activity_days_filled) {
        /* fill_dates filled them beside the wide table */
        st = ABC_OK;
    } else if (r->full && from_pre && fill_days && date_parse(from, &first)) {
        /* a full run after its fill (activity_days_in_pre_after_fill):
         * the source dates before the first date due from the source, the
         * dates due from the per-user day table (one read of their events
         * less) */
        char before[11];
        date_format(first - 1, before);
        SqlParams src = p, pre = p;
        src.to_date = before;
        pre.from_date = from;
        st = exec_step(r, fill, &src, err, errlen);
        if (st == ABC_OK)
            st = exec_step(r, fill_days, &pre, err, errlen);
    } else {
        st = exec_step(r, fill, &p, err, errlen);
    }
    /* Whether the days filled are new: no stored period row has a day on or
     * after the first of them (the daily case).  Then the users' states and
     * the weeks and months are merged with those days (activity_state_add,
     * activity_periods_add), else recomputed from the day table (a refill,
     * a full run). */
    const SqlStep *periods = find_step(r, SQLSTEP_ACTIVITY_PERIODS);
    const SqlStep *check = find_step(r, SQLSTEP_ACTIVITY_PERIODS_CHECK);
    const SqlStep *add = find_step(r, SQLSTEP_ACTIVITY_PERIODS_ADD);
    char lo[11], hi[11];
    long stale = 1; /* rows the fill may change */
    if (st == ABC_OK && periods && check && add && state_add && !r->full) {
        if (!activity_range(r, from, to, lo, hi)) {
            snprintf(err, errlen, "activity: '%s' .. '%s' are not dates", from, to);
            return ABC_ERR_USAGE;
        }
        SqlParams c = p;
        c.from_date = lo;
        c.event_date = from;
        stale = 0; /* COUNT(*) answers one row (none when only shown) */
        st = query_step(r, check, &c, value_fn, &stale, err, errlen);
    }
    /* one new date: its users with their previous active day and first
     * active date, read from the user state before state_add merges the
     * date (activity_stage_next reads them) */
    const SqlStep *due_users = find_step(r, SQLSTEP_ACTIVITY_DUE_USERS);
    bool one_new_date = st == ABC_OK && !r->full && !stale && due_users && strcmp(from, to) == 0;
    if (one_new_date)
        st = exec_step(r, due_users, &p, err, errlen);
    if (st == ABC_OK && state)
        st = exec_step(r, stale ? state : state_add, &p, err, errlen);
    /* the periods: the new days, or every period from the Monday or 1st */
    SqlParams pp = p;
    if (st == ABC_OK && periods && check && add && state_add && !r->full)
        pp.from_date = stale ? lo : from;
    if (st == ABC_OK && periods)
        st = exec_step(r, stale ? periods : add, &pp, err, errlen);
    r->activity_merged = st == ABC_OK && periods && one_new_date;
    if (st == ABC_OK && r->full)
        progress(r, "activity days filled (every source date through %s) and user state updated", to);
    else if (st == ABC_OK)
        progress(r, "activity days filled (%s .. %s%s) and user state updated", pp.from_date, to,
                 from_pre ? ", from the per-user day table" : "");
    return st;
}

/* activity_stage: the growth report and cohort rows of [lo, hi] into the
 * stage tables; report_publish (or activity_publish) switches them in.
 * first: the first date due; the day rows of [lo, first) and the week
 * rows before its week are kept as published (a full run recomputes them
 * all). */
static AbcStatus activity_stage(Runner *r, const SqlParams *base, const char *first,
                                const char *lo, const char *hi, char *err, size_t errlen)
{
    const SqlStep *stage = find_step(r, SQLSTEP_ACTIVITY_STAGE);
    if (!stage)
        return ABC_OK;
    /* the daily case: one new date due, the day after the last published
     * one, its days merged into the period rows (no refill): the week and
     * month from their published rows plus the day's new active users */
    const SqlStep *next = find_step(r, SQLSTEP_ACTIVITY_STAGE_NEXT);
    if (next && r->activity_merged && one_date_after_published(r))
        stage = next;
    SqlParams p = *base;
    p.event_date = r->full ? lo : first;
    p.from_date = lo;
    p.to_date = hi;
    AbcStatus st = exec_step(r, stage, &p, err, errlen);
    if (st == ABC_OK && stage != next)
        progress(r, "growth report and cohort rows of %s .. %s staged", lo, hi);
    else if (st == ABC_OK)
        progress(r, "growth report and cohort rows of %s .. %s staged (the day, week and month "
                    "of %s from their published rows and the day's active users)", lo, hi, hi);
    return st;
}

/* The stage into the growth report and cohort tables, on a run whose
 * report_publish does not run (a backfill of older dates). */
static AbcStatus activity_publish(Runner *r, const SqlParams *base, const char *lo,
                                  const char *hi, char *err, size_t errlen)
{
    const SqlStep *pub = find_step(r, SQLSTEP_ACTIVITY_PUBLISH);
    if (!pub)
        return ABC_OK;
    SqlParams p = *base;
    p.from_date = lo;
    p.to_date = hi;
    AbcStatus st = exec_step(r, pub, &p, err, errlen);
    if (st == ABC_OK)
        progress(r, "growth report and cohort tables replaced for %s .. %s", lo, hi);
    return st;
}

/* ---- the fingerprints beside the first fill ------------------------------------ */
/* With a second connection (RunEnv.wh_side) and dates due, fingerprint_check
 * runs on it in a thread while this one fills the dates due.  Its reads see
 * the sources as of a snapshot taken before the first fill statement is
 * sent (Dialect.snapshot_begin), so a fingerprint never counts a row the
 * fill did not read: a row that arrives in between is filled now and again
 * by the next run, whose scan sees it.  When it finds late data the run
 * moves its first date back as fingerprint_check does and fills from there
 * (every fill replaces its dates, those filled first included).  Without a
 * snapshot statement (StarRocks) the scan runs before the fill.  Then, once
 * the run's tables are ready (tables_ready), the same thread fills the
 * growth tables' days, user state and periods of the dates due
 * (activity_fill reads only the sources and its own tables), so a full
 * run fills them beside the wide table instead of beside the statistics.
 * When several dates are due by day, it first fills their per-user days
 * and assignment ahead of this connection's wide fill instead (PrePipe),
 * and leaves the growth tables to this connection's fill (the active days)
 * and the side job beside the statistics.  Between the scan and the fill
 * it checks the exposure keys of the later half of the dates due
 * (KeysBeside), which this connection waits for before its first write. */
typedef struct FprintJob {
    Runner r;            /* a copy: its own arena, the side connection */
    RunEnv env;
    bool growth;         /* then fill the growth tables of the dates due */
    bool growth_filled;  /* it did */
    bool pipe_on;        /* pipe offered to the first fill_dates */
    PrePipe pipe;
    Latch *tables_ready; /* the run's tables exist and are the tag's (owners_check) */
    Latch *pre_filled;   /* the per-user day table holds every date due (Runner.pre_filled) */
    long due_from;       /* the first date due before the scan (late data moves it back) */
    bool started;
    pthread_t thread;
    Latch snapshot;      /* the snapshot statement has returned, with its status */
    KeysBeside keys;     /* then the later dates of exposure_keys' first pass */
    AbcStatus st;
    char err[1024];
} FprintJob;

/* The side connection's part of a PrePipe fill of [from, to]. */
static AbcStatus pipe_fill(FprintJob *j, long from, long to, char *err, size_t errlen)
{
    Runner *r = &j->r;
    SqlParams base;
    memset(&base, 0, sizeof base);
    base.run_id = r->run_id;
    const SqlStep *as = find_step(r, SQLSTEP_ASSIGN_DAY);
    long keep_from = r->from, keep_to = r->to; /* the scan's findings, for fprint_beside_join */
    r->from = from;
    r->to = to;
    AbcStatus st = pre_prepare(r, &base, err, errlen);
    for (long day = from; st == ABC_OK && day <= to && !pipe_cancelled(&j->pipe); day++) {
        char ds[11];
        date_format(day, ds);
        SqlParams p = base;
        p.event_date = ds;
        if ((st = pre_fill(r, SQLSTEP_PRE_FILL, &base, day, day, err, errlen)) == ABC_OK &&
            (st = exec_step(r, as, &p, err, errlen)) == ABC_OK)
            pipe_done(&j->pipe, day);
    }
    r->from = keep_from;
    r->to = keep_to;
    return st;
}

static void *fprint_main(void *arg)
{
    FprintJob *j = arg;
    wh_thread_begin();
    Warehouse *wh = j->env.wh;
    /* the scan belongs to the snapshot: a lost connection fails it (and the
     * run) rather than re-sending a statement outside the snapshot */
    wh_session_bound(wh, true);
    AbcStatus st = wh_exec(wh, j->env.dialect->snapshot_begin, NULL, j->err, sizeof j->err);
    latch_set(&j->snapshot, st);
    if (st == ABC_OK) {
        st = fingerprint_check(&j->r, j->err, sizeof j->err);
        char cerr[256];
        AbcStatus cst = wh_exec(wh, "COMMIT", NULL, cerr, sizeof cerr);
        if (st == ABC_OK && cst != ABC_OK) {
            snprintf(j->err, sizeof j->err, "%s", cerr);
            st = cst;
        }
    }
    wh_session_bound(wh, false);
    if (st != ABC_OK)
        err_prepend(j->err, sizeof j->err, "the late-data scan on the second connection: ");
    if (j->keys.from <= j->keys.to) {
        /* (after the scan, outside its snapshot, as this connection's pass) */
        if (st == ABC_OK) {
            SqlParams base;
            memset(&base, 0, sizeof base);
            base.run_id = j->r.run_id;
            st = exposure_keys_scan(&j->keys.k, &base, j->keys.from, j->keys.to, j->err,
                                    sizeof j->err);
            if (st != ABC_OK)
                err_prepend(j->err, sizeof j->err, "the exposure key check on the second "
                                                   "connection: ");
        }
        snprintf(j->keys.err, sizeof j->keys.err, "%s", j->err);
        latch_set(&j->keys.done, st);
    }
    bool piped = false;
    if (j->pipe_on) {
        long from, to;
        if (st != ABC_OK) {
            pipe_fail(&j->pipe, st, j->err);
        } else if (pipe_take(&j->pipe, &from, &to)) {
            piped = true;
            st = pipe_fill(j, from, to, j->err, sizeof j->err);
            if (st != ABC_OK) {
                err_prepend(j->err, sizeof j->err, "the second connection: ");
                pipe_fail(&j->pipe, st, j->err);
            }
        }
    }
    /* the active days of dates due filled by day (late data moved none
     * back) come from the per-user day table, once this run's pre_fill has
     * written them there; a failed fill leaves the growth fill to no one */
    bool from_pre = j->r.from == j->due_from && activity_days_in_pre(&j->r);
    if (st == ABC_OK && j->growth && !piped && latch_wait(j->tables_ready) == ABC_OK &&
        (!from_pre || latch_wait(j->pre_filled) == ABC_OK)) {
        char a[11], b[11];
        date_format(j->r.from, a); /* (moved back by late data) */
        date_format(j->r.to, b);
        SqlParams base;
        memset(&base, 0, sizeof base);
        base.run_id = j->r.run_id;
        st = activity_fill(&j->r, &base, a, b, from_pre, j->err, sizeof j->err);
        j->growth_filled = st == ABC_OK;
    }
    j->st = st;
    wh_thread_end();
    return NULL;
}

static void fprint_beside_free(FprintJob *j)
{
    free(j->r.fp);
    j->r.fp = NULL;
    free(j->r.fpx);
    j->r.fpx = NULL;
    latch_destroy(&j->keys.done);
    buf_free(&j->r.late);
    arena_free(&j->r.arena);
    latch_destroy(&j->snapshot);
    pipe_destroy(&j->pipe);
}

/* Start fingerprint_check (and then the growth fill) on the side
 * connection and wait for its snapshot; false when it does not apply or
 * could not start (the caller then runs fingerprint_check itself, before
 * the fill, and the growth fill after it). */
static bool fprint_beside_start(FprintJob *j, Runner *r, Latch *tables_ready)
{
    j->started = false;
    const RunEnv *env = r->env;
    const SqlStep *scan = find_step(r, SQLSTEP_FPRINT_SCAN);
    if (!env->wh || !env->wh_side || r->show || r->opt->dry_run || r->from > r->to || !scan ||
        scan->nstmts == 0 || !env->dialect->snapshot_begin)
        return false;
    memset(j, 0, sizeof *j);
    runner_side_copy(&j->r, &j->env, r, 2000000);
    j->growth = find_step(r, SQLSTEP_ACTIVITY_FILL) != NULL;
    j->tables_ready = tables_ready;
    j->pre_filled = r->pre_filled;
    j->due_from = r->from;
    latch_init(&j->snapshot);
    pipe_init(&j->pipe);
    j->pipe_on = r->from < r->to && fills_by_day(r) && find_step(r, SQLSTEP_ASSIGN_DAY) &&
                 find_step(r, SQLSTEP_WIDE_DAY) && env->dialect->read_committed_next &&
                 env->dialect->read_committed_check;
    /* the later half of the dates due's exposure_keys pass, which the run
     * waits for before its first write */
    latch_init(&j->keys.done);
    j->keys.k = (ExposureKeys){&j->r, 0, 0, 0};
    j->keys.to = r->to;
    j->keys.from = r->to - (r->to - r->from + 1) / 2 + 1;
    if (pthread_create(&j->thread, NULL, fprint_main, j) != 0) {
        fprint_beside_free(j);
        return false;
    }
    j->started = true;
    if (latch_wait(&j->snapshot) != ABC_OK) { /* e.g. the side connection was lost: scan here instead */
        pthread_join(j->thread, NULL);
        j->started = false;
        fprint_beside_free(j);
        return false;
    }
    return true;
}

/* Wait for the job and take its findings: the fingerprints scanned, the
 * late data, and the dates due it moved back (*late: it did); *growth: it
 * filled the growth tables of those dates. */
static AbcStatus fprint_beside_join(FprintJob *j, Runner *r, bool *late, bool *growth,
                                    char *err, size_t errlen)
{
    *late = false;
    *growth = false;
    if (!j->started)
        return ABC_OK;
    pipe_off(&j->pipe); /* (when no fill took it) */
    pthread_join(j->thread, NULL);
    j->started = false;
    AbcStatus st = j->st;
    if (st != ABC_OK) {
        snprintf(err, errlen, "%s", j->err);
    } else {
        r->fp = j->r.fp;
        r->nfp = j->r.nfp;
        r->fpcap = j->r.fpcap;
        j->r.fp = NULL;
        for (int i = 0; i < r->nfp; i++) /* out of the job's arena */
            r->fp[i].source = arena_strdup(&r->arena, r->fp[i].source);
        r->fp_scanned = j->r.fp_scanned;
        *growth = j->growth_filled;
        r->activity_merged = j->r.activity_merged;
        if (j->r.late.len) {
            buf_puts(&r->late, j->r.late.data);
            r->from = j->r.from;
            r->to = j->r.to;
            r->reason = arena_strdup(&r->arena, j->r.reason);
            *late = true;
        }
    }
    fprint_beside_free(j);
    return st;
}

/* ---- the fill of the dates due ------------------------------------------------- */

/* Whether this connection may read without locks (Dialect.read_committed_check). */
static bool read_committed_ok(Runner *r)
{
    const Dialect *d = r->env->dialect;
    long ok = 0;
    char qerr[256];
    if (!r->env->wh || !d->read_committed_next || !d->read_committed_check ||
        wh_query(r->env->wh, d->read_committed_check, value_fn, &ok, NULL, qerr, sizeof qerr) !=
            ABC_OK)
        return false;
    return ok == 1;
}

/* The pre-period, assignment and wide tables of the dates due, oldest
 * first: by day (fills_by_day; on StarRocks an atomic partition overwrite
 * per day), else the range steps in chunks of at most RANGE_CHUNK_DAYS — a
 * StarRocks range statement reads the CUPED pre-period of its exposures
 * once and overwrites its partitions in one load. */
static AbcStatus fill_dates(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    const SqlStep *as = find_step(r, SQLSTEP_ASSIGN_DAY), *wd = find_step(r, SQLSTEP_WIDE_DAY);
    const SqlStep *ar = find_step(r, SQLSTEP_ASSIGN_RANGE), *wr = find_step(r, SQLSTEP_WIDE_RANGE);
    bool by_day = fills_by_day(r);
    int total = (int)(r->to - r->from + 1), done = 0;
    AbcStatus st;
    /* the side connection's fill (PrePipe) when offered and this
     * connection's wide fills can read without locks */
    PrePipe *pipe = r->pipe;
    r->pipe = NULL;
    r->activity_days_filled = false;
    if (pipe && (!by_day || !read_committed_ok(r))) {
        pipe_off(pipe);
        pipe = NULL;
    }
    /* beside the pipe, this connection also fills the growth tables'
     * active days: on a full run the source dates before the first date
     * due while the side connection fills that date, then each date's from
     * the per-user day table once the side connection has written it (the
     * side connection's growth fill then starts at the user state) */
    const SqlStep *afill = find_step(r, SQLSTEP_ACTIVITY_FILL);
    const SqlStep *adays = find_step(r, SQLSTEP_ACTIVITY_FILL_DAYS);
    if (!pipe || !afill || !activity_days_in_pre_after_fill(r))
        adays = NULL;
    if (pipe) {
        st = pipe_go(pipe, r->from, r->to, err, errlen);
        if (st == ABC_OK)
            progress(r, "per-user days and assignment of %d days on the second connection, "
                        "the wide table%s here", total, adays ? " and the active days" : "");
        if (st == ABC_OK && adays && r->full) {
            char before[11];
            date_format(r->from - 1, before);
            SqlParams src = *base;
            src.from_date = ACTIVITY_HISTORY_START;
            src.to_date = before;
            st = exec_step(r, afill, &src, err, errlen);
        }
    } else {
        st = pre_prepare(r, base, err, errlen);
    }
    if (st != ABC_OK)
        return st;
    for (long day = r->from; day <= r->to;) {
        long last = day + RANGE_CHUNK_DAYS - 1 < r->to ? day + RANGE_CHUNK_DAYS - 1 : r->to;
        char ds[11], de[11];
        date_format(day, ds);
        date_format(last, de);
        SqlParams p = *base;
        if (by_day)
            last = day;
        /* the chunk's per-user days first: a fill by day reads its users'
         * sums there, and the later exposures of the chunk their covariates
         * (a range fill reads the sources itself: without CUPED it needs
         * none) */
        if (pipe) {
            if ((st = pipe_wait(pipe, day, err, errlen)) != ABC_OK)
                return st;
        } else if ((by_day || pre_days_max(r->unit.ir) > 0) &&
                   (st = pre_fill(r, SQLSTEP_PRE_FILL, base, day, last, err, errlen)) != ABC_OK) {
            return st;
        }
        if (by_day && last >= r->to && r->pre_filled)
            latch_set(r->pre_filled, ABC_OK);
        if (by_day) {
            p.event_date = ds;
            if (!pipe && as && (st = exec_step(r, as, &p, err, errlen)) != ABC_OK)
                return st;
            /* beside the side connection's writes to the tables it reads */
            if (pipe && wd &&
                (st = wh_exec(r->env->wh, r->env->dialect->read_committed_next, NULL, err,
                              errlen)) != ABC_OK)
                return st;
            if (wd && (st = exec_step(r, wd, &p, err, errlen)) != ABC_OK)
                return st;
            if (adays) {
                SqlParams d = p;
                d.from_date = d.to_date = ds;
                if ((st = wh_exec(r->env->wh, r->env->dialect->read_committed_next, NULL, err,
                                  errlen)) != ABC_OK ||
                    (st = exec_step(r, adays, &d, err, errlen)) != ABC_OK)
                    return st;
            }
        } else {
            p.from_date = ds;
            p.to_date = de;
            if ((st = exec_step(r, ar, &p, err, errlen)) != ABC_OK ||
                (st = exec_step(r, wr, &p, err, errlen)) != ABC_OK)
                return st;
        }
        done += (int)(last - day + 1);
        progress_bar(r, done, total, "days");
        day = last + 1;
    }
    char a[11], b[11];
    date_format(r->from, a);
    date_format(r->to, b);
    progress(r, "assignment and wide tables filled for %s .. %s (%d days)", a, b, total);
    r->activity_days_filled = adays != NULL;
    return ABC_OK;
}

/* ---- the growth tables beside the statistics ------------------------------------ */
/* With a second connection to a remote warehouse (RunEnv.wh_side), a thread
 * fills the activity days and periods, stages the growth rows and then
 * prunes the per-user day table on it while this one computes the unit
 * state and the statistics.  The two read
 * the assignment and source tables, write disjoint tables, and nothing is
 * published before both have ended (side_join); the stage is switched in by
 * report_publish as before.  The thread runs on a copy of the runner with
 * its own arena and statement numbers.  The prune (which nothing after the
 * growth fill reads) goes to whichever connection is free first: this one
 * takes it after the statistics when the side job has ended its growth fill
 * and not yet begun the prune (side_prune_claim). */
typedef struct SideJob {
    Runner r;
    RunEnv env;
    SqlParams base;
    char first[11], last[11], lo[11], hi[11];
    bool growth;       /* fill the growth tables (else the fingerprint job did) */
    bool stage;        /* stage the growth rows */
    bool started;
    pthread_t thread;
    pthread_mutex_t mu; /* guards the two below */
    bool filled;       /* the growth fill has ended (or there was none) */
    bool prune_taken;  /* a connection has taken the prune */
    AbcStatus st;
    char err[1024];
} SideJob;

/* Take the prune when no one has and (this connection) the side job's
 * growth fill has ended; true: the caller prunes. */
static bool side_prune_take(SideJob *j, bool need_filled)
{
    pthread_mutex_lock(&j->mu);
    bool take = !j->prune_taken && (!need_filled || j->filled);
    if (take)
        j->prune_taken = true;
    pthread_mutex_unlock(&j->mu);
    return take;
}

static void *side_main(void *arg)
{
    SideJob *j = arg;
    wh_thread_begin();
    /* (started after the fill of the dates due: a full run's may come from
     * the per-user day table too) */
    j->st = j->growth ? activity_fill(&j->r, &j->base, j->first, j->last,
                                      activity_days_in_pre_after_fill(&j->r),
                                      j->err, sizeof j->err)
                      : ABC_OK;
    if (j->st == ABC_OK) {
        pthread_mutex_lock(&j->mu);
        j->filled = true;
        pthread_mutex_unlock(&j->mu);
    }
    if (j->st == ABC_OK && j->stage)
        j->st = activity_stage(&j->r, &j->base, j->first, j->lo, j->hi, j->err, sizeof j->err);
    /* then the per-user day rows no later run reads, unless the other
     * connection took them (side_prune_claim) */
    if (j->st == ABC_OK && side_prune_take(j, false))
        j->st = pre_prune(&j->r, &j->base, j->err, sizeof j->err);
    wh_thread_end();
    return NULL;
}

/* Start the fill (when growth) and, when lo/hi are given, the stage on the
 * side connection, then the prune of the per-user day table (which nothing
 * reads before the next run); false when it could not start (the caller
 * runs them itself). */
static bool side_start(SideJob *j, Runner *r, const SqlParams *base, bool growth,
                       const char *first, const char *last, const char *lo, const char *hi)
{
    memset(j, 0, sizeof *j);
    runner_side_copy(&j->r, &j->env, r, 1000000);
    j->growth = growth;
    j->base = *base;
    snprintf(j->first, sizeof j->first, "%s", first);
    snprintf(j->last, sizeof j->last, "%s", last);
    j->stage = lo && hi;
    if (j->stage) {
        snprintf(j->lo, sizeof j->lo, "%s", lo);
        snprintf(j->hi, sizeof j->hi, "%s", hi);
    }
    pthread_mutex_init(&j->mu, NULL);
    j->started = pthread_create(&j->thread, NULL, side_main, j) == 0;
    if (!j->started) {
        arena_free(&j->r.arena);
        pthread_mutex_destroy(&j->mu);
    }
    return j->started;
}

/* This connection, free before the side job has ended: the prune of the
 * per-user day table when the side job has filled the growth tables and
 * not begun the prune itself. */
static AbcStatus side_prune_claim(SideJob *j, Runner *r, const SqlParams *base, char *err,
                                  size_t errlen)
{
    if (!j->started || !side_prune_take(j, true))
        return ABC_OK;
    return pre_prune(r, base, err, errlen);
}

/* Wait for the side job; its error (when this thread had none) in err. */
static AbcStatus side_join(SideJob *j, Runner *r, char *err, size_t errlen)
{
    if (!j->started)
        return ABC_OK;
    pthread_join(j->thread, NULL);
    j->started = false;
    pthread_mutex_destroy(&j->mu);
    r->activity_merged = j->r.activity_merged;
    arena_free(&j->r.arena);
    buf_free(&j->r.late);
    if (j->st != ABC_OK)
        snprintf(err, errlen, "%s", j->err);
    return j->st;
}

/* The memo's growth section: per activity, the all-users measures of the
 * day, the ISO week and the month of the last date due (the week and the
 * month so far), read back from the published report. */
typedef struct GrowthRow {
    char activity[65], grain[8], period[11], measure[16];
    double value;
    bool null;
} GrowthRow;
typedef struct GrowthRows {
    GrowthRow *v;
    int n, cap;
} GrowthRows;

static AbcStatus growth_row_fn(const WhRow *row, void *ctx)
{
    GrowthRows *g = ctx;
    if (row->ncols < 5)
        return ABC_OK;
    if (g->n == g->cap) {
        int cap = g->cap ? g->cap * 2 : 64;
        GrowthRow *v = realloc(g->v, (size_t)cap * sizeof *v);
        if (!v)
            abort();
        g->v = v;
        g->cap = cap;
    }
    GrowthRow *x = &g->v[g->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->activity, sizeof x->activity, "%s", row->values[0] ? row->values[0] : "");
    snprintf(x->grain, sizeof x->grain, "%s", row->values[1] ? row->values[1] : "");
    snprintf(x->period, sizeof x->period, "%.10s", row->values[2] ? row->values[2] : "");
    snprintf(x->measure, sizeof x->measure, "%s", row->values[3] ? row->values[3] : "");
    char *end = NULL;
    x->null = !row->values[4];
    if (!x->null) {
        x->value = strtod(row->values[4], &end);
        x->null = end == row->values[4];
    }
    return ABC_OK;
}

static void growth_value(Buf *b, const GrowthRows *g, const char *activity, const char *grain,
                         const char *period, const char *measure)
{
    for (int i = 0; i < g->n; i++) {
        const GrowthRow *x = &g->v[i];
        if (strcmp(x->activity, activity) || strcmp(x->grain, grain) || strcmp(x->period, period) ||
            strcmp(x->measure, measure))
            continue;
        if (x->null)
            buf_puts(b, " – |");
        else if (x->value == (double)(long long)x->value)
            buf_printf(b, " %lld |", (long long)x->value);
        else
            buf_printf(b, " %.2f |", x->value);
        return;
    }
    buf_puts(b, " |");
}

static AbcStatus growth_memo(Runner *r, Buf *memo, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_ACTIVITY_READ);
    const IrSpec *ir = r->unit.ir;
    if (!s || ir->nactivities == 0)
        return ABC_OK;
    char day[11], week[11], month[11], lo[11];
    long monday = r->to - ((r->to % 7 + 7 + 3) % 7), first;
    date_format(r->to, day);
    date_format(monday, week);
    snprintf(month, sizeof month, "%.8s01", day);
    if (!date_parse(month, &first))
        first = monday;
    date_format(monday < first ? monday : first, lo);
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.from_date = lo;
    p.to_date = day;
    GrowthRows g = {0};
    AbcStatus st = query_step(r, s, &p, growth_row_fn, &g, err, errlen);
    if (st != ABC_OK)
        goto out;
    buf_printf(memo, "\n## Growth\n\nAll users, as of %s (the week and the month so far).\n", day);
    static const char *const day_m[] = {"dau", "wau_rolling", "mau_rolling", "stickiness"};
    static const char *const per_m[] = {"new", "retained", "resurrected", "churned", "quick_ratio"};
    for (int i = 0; i < ir->nactivities; i++) {
        const char *name = ir->activities[i].name;
        buf_printf(memo, "\n### %s\n\n| day %s | DAU | WAU (7 days) | MAU (28 days) | stickiness |\n"
                         "|---|---|---|---|---|\n| |", term_safe(&r->arena, name), day);
        for (size_t k = 0; k < sizeof day_m / sizeof day_m[0]; k++)
            growth_value(memo, &g, name, "day", day, day_m[k]);
        buf_putc(memo, '\n');
        if (!(ir->activities[i].reports & (ACT_WAU | ACT_MAU | ACT_GROWTH)))
            continue;
        buf_puts(memo, "\n| period | active | new | retained | resurrected | churned | quick ratio |\n"
                       "|---|---|---|---|---|---|---|\n");
        const char *grains[2][3] = {{"week", week, "wau"}, {"month", month, "mau"}};
        for (int k = 0; k < 2; k++) {
            buf_printf(memo, "| %s of %s |", grains[k][0], grains[k][1]);
            growth_value(memo, &g, name, grains[k][0], grains[k][1], grains[k][2]);
            for (size_t m = 0; m < sizeof per_m / sizeof per_m[0]; m++)
                growth_value(memo, &g, name, grains[k][0], grains[k][1], per_m[m]);
            buf_putc(memo, '\n');
        }
    }
out:
    free(g.v);
    return st;
}

/* --dry-run --sql: the publish steps for the last date due, as a run sends
 * them when that date has results; the result rows ({{values}}) exist only
 * after the analysis, so report_load shows its placeholder. */
/* ---- the hourly series (specs with `hourly`) ------------------------------------- */

/* Times are whole seconds since 1970-01-01 UTC; hours start at a multiple
 * of 3600. */
enum { HOUR_S = 3600, DAY_S = 86400 };

/* Now, UTC, or ABC_NOW ('YYYY-MM-DD HH:MM:SS') when set (tests, demos). */
static AbcStatus hourly_now(long long *now, char *err, size_t errlen)
{
    const char *env = getenv("ABC_NOW");
    if (env && *env) {
        if (!hourly_ts_parse(env, now) || strlen(env) != 19) {
            snprintf(err, errlen, "ABC_NOW '%.40s' is not a time YYYY-MM-DD HH:MM:SS", env);
            return ABC_ERR_USAGE;
        }
        return ABC_OK;
    }
    *now = (long long)time(NULL);
    return ABC_OK;
}

typedef struct HourlyState {
    bool found;
    long long high_water; /* start of the last hour filled */
    long daily_through;   /* last date a daily run filled; -1 none */
} HourlyState;

static AbcStatus hourly_state_fn(const WhRow *row, void *ctx)
{
    HourlyState *h = ctx;
    if (row->ncols < 2 || !row->values[0])
        return ABC_OK;
    h->found = hourly_ts_parse(row->values[0], &h->high_water);
    if (!row->values[1] || !date_parse_prefix(row->values[1], &h->daily_through))
        h->daily_through = -1;
    return ABC_OK;
}

static AbcStatus hourly_state_read(Runner *r, HourlyState *h, char *err, size_t errlen)
{
    memset(h, 0, sizeof *h);
    h->daily_through = -1;
    const SqlStep *s = find_step(r, SQLSTEP_HOURLY_STATE_READ);
    if (!s)
        return ABC_OK;
    SqlParams p;
    memset(&p, 0, sizeof p);
    AbcStatus st = query_step(r, s, &p, hourly_state_fn, h, err, errlen);
    if (st != ABC_OK && r->env->wh && wh_last_error(r->env->wh) == WH_ERR_NO_TABLE) {
        memset(h, 0, sizeof *h); /* not created yet: nothing filled */
        h->daily_through = -1;
        st = ABC_OK;
    }
    return st;
}

static AbcStatus hourly_state_write(Runner *r, const SqlParams *base, const HourlyState *h,
                                    char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_HOURLY_STATE_WRITE);
    if (!s)
        return ABC_OK;
    char hw[20], dt[11];
    hourly_ts_format(h->high_water, hw);
    if (h->daily_through >= 0)
        date_format(h->daily_through, dt);
    SqlValue row[4];
    for (int c = 0; c < SQLGEN_HOURLY_STATE_NCOLUMNS && c < 4; c++) {
        const char *col = SQLGEN_HOURLY_STATE_COLUMNS[c];
        SqlValue v = sv_null();
        if (!strcmp(col, "tag")) v = sv_str(r->unit.ir->tag);
        else if (!strcmp(col, "high_water")) v = sv_ts(hw);
        else if (!strcmp(col, "daily_through")) v = h->daily_through >= 0 ? sv_date(dt) : sv_null();
        else if (!strcmp(col, "updated_at")) v = sv_ts(r->computed_at);
        row[c] = v;
    }
    return exec_row(r, s, row, SQLGEN_HOURLY_STATE_NCOLUMNS, base, err, errlen);
}

typedef struct CumRows {
    Runner *r;
    HourlyCumulative *v;
    int n, cap;
} CumRows;

static AbcStatus cum_fn(const WhRow *row, void *ctx)
{
    CumRows *c = ctx;
    if (row->ncols < 5 || !row->values[0] || !row->values[1] || !row->values[2])
        return ABC_OK;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        HourlyCumulative *v = arena_alloc(&c->r->arena, sizeof *v * (size_t)c->cap);
        if (c->n)
            memcpy(v, c->v, sizeof *v * (size_t)c->n);
        c->v = v;
    }
    char *end = NULL;
    double n = row->values[3] ? strtod(row->values[3], &end) : 0;
    double w = row->values[4] ? strtod(row->values[4], NULL) : NAN;
    c->v[c->n++] = (HourlyCumulative){arena_strdup(&c->r->arena, row->values[0]),
                                      arena_strdup(&c->r->arena, row->values[1]),
                                      arena_strdup(&c->r->arena, row->values[2]), n, w};
    return ABC_OK;
}

/* Fill the hourly series of [from, to): the units first exposed in it,
 * every hour x variation x measure, then the cumulative SRM p-value of
 * each experiment-hour from the stats kernel. */
static AbcStatus hourly_fill(Runner *r, const SqlParams *base, long long from, long long to,
                             char *err, size_t errlen)
{
    const SqlStep *units = find_step(r, SQLSTEP_HOURLY_UNITS);
    const SqlStep *fill = find_step(r, SQLSTEP_HOURLY_FILL);
    const SqlStep *cum = find_step(r, SQLSTEP_HOURLY_CUMULATIVE);
    const SqlStep *srm = find_step(r, SQLSTEP_HOURLY_SRM);
    if (!units || !fill || !cum || !srm || from >= to)
        return ABC_OK;
    char ft[20], tt[20], fd[11], td[11];
    hourly_ts_format(from, ft);
    hourly_ts_format(to, tt);
    date_format((long)(from / DAY_S), fd);
    date_format((long)((to - 1) / DAY_S), td);
    SqlParams p = *base;
    p.from_time = ft;
    p.to_time = tt;
    p.from_date = fd;
    p.to_date = td;
    AbcStatus st = exec_step(r, units, &p, err, errlen);
    if (st == ABC_OK)
        st = exec_step(r, fill, &p, err, errlen);
    CumRows rows = {r, NULL, 0, 0};
    if (st == ABC_OK)
        st = query_step(r, cum, &p, cum_fn, &rows, err, errlen);
    if (st != ABC_OK)
        return st;
    if (r->show) {
        fprintf(r->show, "-- {{values}}: the stats kernel's cumulative SRM p-value of each "
                         "experiment and hour (%d columns each)\n", SQLGEN_HOURLY_NCOLUMNS);
        SqlParams q = p;
        q.keep_unbound = true;
        return exec_step(r, srm, &q, err, errlen);
    }
    HourlySrm *res = arena_alloc(&r->arena, sizeof *res * (size_t)(rows.n + 1));
    int ng = hourly_srm(rows.v, rows.n, res);
    if (ng > 0) {
        enum { NC = 8 };
        SqlValue *vals = arena_alloc(&r->arena, sizeof *vals * (size_t)ng * NC);
        for (int i = 0; i < ng; i++) {
            SqlValue *v = vals + (size_t)i * NC;
            long long t = 0;
            (void)hourly_ts_parse(res[i].hour, &t);
            char *day = arena_alloc(&r->arena, 11), *hour = arena_alloc(&r->arena, 20);
            date_format((long)(t / DAY_S), day);
            hourly_ts_format(t, hour);
            for (int c = 0; c < SQLGEN_HOURLY_NCOLUMNS && c < NC; c++) {
                const char *col = SQLGEN_HOURLY_COLUMNS[c];
                SqlValue x = sv_str("");
                if (!strcmp(col, "event_date")) x = sv_date(day);
                else if (!strcmp(col, "hour")) x = sv_ts(hour);
                else if (!strcmp(col, "tracking_key")) x = sv_str(res[i].tracking_key);
                else if (!strcmp(col, "measure")) x = sv_str("srm_p_value");
                else if (!strcmp(col, "tag")) x = sv_str(r->unit.ir->tag);
                else if (!strcmp(col, "value"))
                    x = isfinite(res[i].p_value) ? sv_dbl(res[i].p_value) : sv_null();
                v[c] = x;
            }
        }
        st = exec_values(r, srm, vals, ng, SQLGEN_HOURLY_NCOLUMNS, base, err, errlen);
    }
    return st;
}

/* The daily run's hours: every hour of the dates due (on a full run, or
 * the first time, of every date from the earliest phase start, so that the
 * units and cumulative counts start complete). */
static AbcStatus hourly_daily(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    if (!r->unit.ir->analysis.hourly || r->from > r->to)
        return ABC_OK;
    HourlyState h;
    AbcStatus st = hourly_state_read(r, &h, err, errlen);
    if (st != ABC_OK)
        return st;
    bool whole = r->full || !h.found;
    const SqlStep *reset = find_step(r, SQLSTEP_HOURLY_RESET);
    if (r->full && reset && (st = exec_step(r, reset, base, err, errlen)) != ABC_OK)
        return st;
    long first = whole ? r->first_phase_day : r->from;
    if (first > r->from)
        first = r->from;
    long long from = (long long)first * DAY_S, to = (long long)(r->to + 1) * DAY_S;
    if ((st = hourly_fill(r, base, from, to, err, errlen)) != ABC_OK)
        return st;
    if (!h.found || to - HOUR_S > h.high_water)
        h.high_water = to - HOUR_S;
    if (r->to > h.daily_through)
        h.daily_through = r->to;
    if ((st = hourly_state_write(r, base, &h, err, errlen)) != ABC_OK)
        return st;
    char a[20], b[20];
    hourly_ts_format(from, a);
    hourly_ts_format(to - HOUR_S, b);
    progress(r, "hourly series filled for %.13s:00 .. %.13s:00", a, b);
    return ABC_OK;
}

/* `abc run --intraday`: the hours from the high-water mark minus one hour
 * (events that arrived late) through the current hour; nothing else. */
static AbcStatus hourly_intraday(Runner *r, RunOutcome *out, char *err, size_t errlen)
{
    const IrSpec *ir = r->unit.ir;
    if (!ir->analysis.hourly) {
        progress(r, "no hourly series (analysis { hourly; }): nothing to refresh");
        return ABC_OK;
    }
    long long now;
    AbcStatus st = hourly_now(&now, err, errlen);
    if (st != ABC_OK)
        return st;
    HourlyState h;
    memset(&h, 0, sizeof h);
    h.daily_through = -1;
    if ((r->env->wh || r->show) && (st = hourly_state_read(r, &h, err, errlen)) != ABC_OK)
        return st;
    long long to = now - now % HOUR_S + HOUR_S;
    long long start = (long long)r->first_phase_day * DAY_S;
    long long from = h.found ? h.high_water - HOUR_S : start;
    if (from < start)
        from = start;
    if (from > to - HOUR_S)
        from = to - HOUR_S;
    char a[20], b[20];
    hourly_ts_format(from, a);
    hourly_ts_format(to - HOUR_S, b);
    out->nhours = (int)((to - from) / HOUR_S);
    snprintf(out->first_hour, sizeof out->first_hour, "%s", a);
    snprintf(out->last_hour, sizeof out->last_hour, "%s", b);
    out->nexperiments = r->nexps;
    const char *why = h.found ? "from the high-water mark minus one hour"
                              : "no hour filled yet: from the earliest phase start";
    if (r->opt->dry_run && !r->show) {
        FILE *f = r->opt->plan_out ? r->opt->plan_out : stdout;
        fprintf(f, "abc run %s --intraday --dry-run (%s, dialect %s)\n", ir->tag, ir->path,
                r->env->dialect->name);
        fprintf(f, "experiments: %d\n", r->nexps);
        if (r->env->wh)
            fprintf(f, "hours due: %.13s:00 .. %.13s:00 (%d hours; %s; events at or after %s)\n",
                    a, b, out->nhours, why, a);
        else
            fprintf(f, "hours due: from the high-water mark minus one hour through %.13s:00 "
                       "(the warehouse is not read)\n", b);
        fprintf(f, "steps:\n");
        static const SqlStepKind kinds[] = {SQLSTEP_DDL, SQLSTEP_CONFIG, SQLSTEP_HOURLY_STATE_READ,
                                            SQLSTEP_HOURLY_UNITS, SQLSTEP_HOURLY_FILL,
                                            SQLSTEP_HOURLY_CUMULATIVE, SQLSTEP_HOURLY_SRM,
                                            SQLSTEP_HOURLY_STATE_WRITE};
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            const SqlStep *s = find_step(r, kinds[i]);
            if (s)
                fprintf(f, "  %-28s %d statement%s  %s\n", s->name, s->nstmts,
                        s->nstmts == 1 ? " " : "s", s->summary);
        }
        fprintf(f, "then: no statistics, no report: the daily run supersedes today's hours\n");
        return ABC_OK;
    }
    SqlParams base;
    memset(&base, 0, sizeof base);
    base.run_id = r->run_id;
    const SqlStep *ddl = find_step(r, SQLSTEP_DDL);
    if (ddl && (st = exec_step(r, ddl, &base, err, errlen)) != ABC_OK)
        return st;
    if ((st = write_config(r, &base, err, errlen)) != ABC_OK)
        return st;
    if ((st = hourly_fill(r, &base, from, to, err, errlen)) != ABC_OK)
        return st;
    h.high_water = h.found && h.high_water > to - HOUR_S ? h.high_water : to - HOUR_S;
    h.found = true;
    if ((st = hourly_state_write(r, &base, &h, err, errlen)) != ABC_OK)
        return st;
    progress(r, "intraday: hourly series refreshed for %.13s:00 .. %.13s:00 (%d hours; %s)", a, b,
             out->nhours, why);
    return ABC_OK;
}

/* The last 48 hours of the series (up to the high-water mark), for the
 * results page. */
typedef struct HourRows {
    Runner *r;
    ReportHourly *v;
    int n, cap;
} HourRows;

static AbcStatus hour_row_fn(const WhRow *row, void *ctx)
{
    HourRows *c = ctx;
    if (row->ncols < 6 || !row->values[0] || !row->values[1] || !row->values[3])
        return ABC_OK;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        ReportHourly *v = arena_alloc(&c->r->arena, sizeof *v * (size_t)c->cap);
        if (c->n)
            memcpy(v, c->v, sizeof *v * (size_t)c->n);
        c->v = v;
    }
    Arena *a = &c->r->arena;
    c->v[c->n++] = (ReportHourly){
        arena_strdup(a, row->values[0]), arena_strdup(a, row->values[1]),
        arena_strdup(a, row->values[2] ? row->values[2] : ""),
        strcmp(row->values[3], "srm_p_value") == 0,
        row->values[4] ? strtod(row->values[4], NULL) : NAN,
        row->values[5] ? strtod(row->values[5], NULL) : NAN};
    return ABC_OK;
}

static AbcStatus hourly_report(Runner *r, Results *res, char *err, size_t errlen)
{
    const SqlStep *s = find_step(r, SQLSTEP_HOURLY_READ);
    if (!s || !r->env->wh || r->show)
        return ABC_OK;
    HourlyState h;
    AbcStatus st = hourly_state_read(r, &h, err, errlen);
    if (st != ABC_OK || !h.found)
        return st;
    char ft[20], fd[11];
    long long from = h.high_water - 47 * HOUR_S;
    hourly_ts_format(from, ft);
    date_format((long)(from / DAY_S), fd);
    SqlParams p;
    memset(&p, 0, sizeof p);
    p.from_time = ft;
    p.from_date = fd;
    HourRows rows = {r, NULL, 0, 0};
    if ((st = query_step(r, s, &p, hour_row_fn, &rows, err, errlen)) != ABC_OK)
        return st;
    results_set_hourly(res, rows.v, rows.n);
    return ABC_OK;
}

static AbcStatus show_publish(Runner *r, const SqlParams *base, char *err, size_t errlen)
{
    char ds[11];
    date_format(r->to, ds);
    SqlParams p = *base;
    p.analysis_date = ds;
    p.keep_unbound = true;
    fprintf(r->show, "-- publishing, once per analysis date with results (shown: %s); "
                     "report_publish only for the last one\n\n", ds);
    static const SqlStepKind kinds[] = {SQLSTEP_REPORT_STAGE, SQLSTEP_REPORT_LOAD,
                                        SQLSTEP_DAILY_PUBLISH, SQLSTEP_REPORT_PUBLISH};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const SqlStep *s = find_step(r, kinds[i]);
        if (!s)
            continue;
        if (kinds[i] == SQLSTEP_REPORT_LOAD)
            fprintf(r->show, "-- {{values}}: the result rows of the analysis (%d columns each), "
                             "%d rows per statement\n", SQLGEN_REPORT_NCOLUMNS, RUN_VALUES_CHUNK);
        AbcStatus st = exec_step(r, s, &p, err, errlen);
        if (st != ABC_OK)
            return st;
    }
    return ABC_OK;
}

static AbcStatus write_memo(Runner *r, Results *res, const ReportActivity *act, RunOutcome *out, char *err,
                            size_t errlen)
{
    const char *dir = r->opt->memo_dir ? r->opt->memo_dir : "reports";
    AbcStatus st = file_mkdirs(dir, err, errlen);
    if (st != ABC_OK)
        return st;
    char a[11], b[11];
    date_format(r->from, a);
    date_format(r->to, b);
    Buf line, memo;
    buf_init(&line);
    buf_init(&memo);
    buf_printf(&line, "Run %s at %s UTC: dates %s .. %s (%s); spec %s (hash %s); abc %s; dialect %s.",
               r->run_id, r->computed_at, a, b, r->reason, r->unit.ir->path,
               r->unit.ir->content_hash, ABC_VERSION, r->env->dialect->name);
    results_memo(res, r->to, line.data, &memo);
    if ((st = growth_memo(r, &memo, err, errlen)) != ABC_OK) {
        buf_free(&line);
        buf_free(&memo);
        return st;
    }
    char *path = NULL;
    size_t plen = strlen(dir) + strlen(r->unit.ir->tag) + 10;
    path = malloc(plen);
    if (!path)
        abort();
    snprintf(path, plen, "%s/%s.md", dir, r->unit.ir->tag);
    st = file_write_atomic(path, memo.data, memo.len, err, errlen);
    if (st == ABC_OK) {
        /* the results page next to the memo: reports/<tag>.html */
        buf_reset(&memo);
        results_page(res, r->to, line.data, act, &memo);
        snprintf(path + strlen(path) - 3, 6, ".html");
        st = file_write_atomic(path, memo.data, memo.len, err, errlen);
        snprintf(path + strlen(path) - 5, 4, ".md");
    }
    if (st == ABC_OK)
        out->memo_path = path;
    else
        free(path);
    buf_free(&line);
    buf_free(&memo);
    return st;
}

AbcStatus run_spec(const RunEnv *env, const char *spec_path, const RunOptions *o,
                   RunOutcome *out, char *err, size_t errlen)
{
    Runner r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    buf_init(&r.late);
    r.env = env;
    r.opt = o;
    r.t0 = now_s();
    arena_init(&r.arena);
    Results *res = NULL;
    SideJob side;         /* the growth tables on env->wh_side (side_start) */
    side.started = false;
    FprintJob fpj;        /* the fingerprints on env->wh_side (fprint_beside_start) */
    fpj.started = false;
    Latch tables_ready;   /* for fpj's growth fill: the tables exist and are the tag's */
    latch_init(&tables_ready);
    Latch pre_filled;     /* for fpj's growth fill: the per-user days of the dates due */
    latch_init(&pre_filled);
    r.pre_filled = &pre_filled;
    bool growth_filled = false; /* fpj filled the growth tables of the dates due */
    bool side_staged = false;
    AbcStatus st = spec_load(&r.unit, spec_path);
    r.unit_loaded = true;
    if (st != ABC_OK) {
        diag_print(&r.unit.diag, stderr);
        if (st == ABC_ERR_ENV && r.unit.diag.nmsgs == 0)
            snprintf(err, errlen, "cannot read %s", spec_path);
        else
            snprintf(err, errlen, "%s has errors", spec_path);
        st = ABC_ERR_SPEC;
        goto out;
    }
    IrSpec *ir = r.unit.ir;
    out->tag = strdup(ir->tag);
    if (env->config) {
        /* abc.yaml names the databases unless the spec does */
        if (strcmp(ir->abc_database, "abc") == 0 && env->config->databases.abc)
            ir->abc_database = env->config->databases.abc;
        if (strcmp(ir->report_database, "flow_report_app") == 0 && env->config->databases.report)
            ir->report_database = env->config->databases.report;
        ir->replication_num = env->config->warehouse.replication_num;
    }
    st = sqlgen_program(ir, env->dialect, &r.arena, &r.unit.diag, &r.prog);
    if (st != ABC_OK) {
        diag_print(&r.unit.diag, stderr);
        snprintf(err, errlen, "%s cannot be compiled for %s", spec_path, env->dialect->name);
        goto out;
    }
    {
        time_t now = time(NULL);
        struct tm tmv;
        gmtime_r(&now, &tmv);
        strftime(r.computed_at, sizeof r.computed_at, "%Y-%m-%d %H:%M:%S", &tmv);
        /* at most 12 + 1 + 14 + 1 + 4 = 32 characters, so that exec_step's
         * "_<sequence>" still fits the 40 of {{run_id}}; the pid keeps two
         * runs of one tag in the same second apart */
        char id[96];
        snprintf(id, sizeof id, "%.12s_%04d%02d%02d%02d%02d%02d_%04x", ir->tag,
                 (tmv.tm_year + 1900) % 10000, (tmv.tm_mon + 1) % 100, tmv.tm_mday % 100,
                 tmv.tm_hour % 100, tmv.tm_min % 100, tmv.tm_sec % 100,
                 (unsigned)getpid() & 0xffffu);
        snprintf(r.run_id, sizeof r.run_id, "%.32s", id);
    }
    st = resolve_experiments(&r, err, errlen);
    if (st == ABC_OK)
        st = check_key_widths(&r, err, errlen);
    if (st != ABC_OK)
        goto out;
    progress(&r, "%d experiment%s resolved", r.nexps, r.nexps == 1 ? "" : "s");

    if (o->dry_run && o->sql) {
        /* every statement is printed, none is sent: the state is unknown */
        r.show = o->plan_out ? o->plan_out : stdout;
        fprintf(r.show, "-- abc run %s --dry-run --sql (%s, dialect %s): every statement the run "
                        "sends, in order, bound with its values; nothing was sent\n\n",
                ir->tag, ir->path, env->dialect->name);
        if (env->config) {
            /* sent once per connection, before the steps (cmd_run.c) */
            Buf set;
            buf_init(&set);
            config_session_statement(env->config, env->dialect, &set);
            if (set.len)
                fprintf(r.show, "-- the session's settings (warehouse.query_timeout_s, "
                                "warehouse.temp_table_mb), on every connection\n%s;\n\n",
                        set.data);
            buf_free(&set);
        }
    }
    /* before the first write: what the spec reads (abc plan checks it
     * after printing the plan) */
    if ((env->wh || r.show) && !(o->dry_run && !r.show) && (st = preflight(&r, err, errlen)) != ABC_OK)
        goto out;
    /* one run per tag at a time, for the whole run */
    if ((env->wh && !o->dry_run) || r.show) {
        st = lock_acquire(&r, err, errlen);
        if (st != ABC_OK)
            goto out;
        /* a wide or daily table of another tag: stop before writing */
        if ((st = owners_check(&r, false, err, errlen)) != ABC_OK)
            goto out;
    }
    StateRow state;
    memset(&state, 0, sizeof state);
    if (env->wh || r.show) {
        st = state_read(&r, &state, err, errlen);
        if (st != ABC_OK)
            goto out;
    }
    st = plan_dates(&r, &state, err, errlen);
    if (st != ABC_OK)
        goto out;
    if (o->intraday) { /* the hourly series only: no dates, no statistics */
        st = hourly_intraday(&r, out, err, errlen);
        goto out;
    }
    /* after a spec or abc change everything is rebuilt, so the last
     * published date only guards against moving backwards otherwise */
    r.published = state.found && !r.full ? state.last_date : -1;
    /* late data: scanned beside the fill of the dates due where it can be
     * (fprint_beside_start), else before it */
    bool fp_beside = fprint_beside_start(&fpj, &r, &tables_ready);
    if (env->wh && !r.show && !fp_beside && (st = fingerprint_check(&r, err, errlen)) != ABC_OK)
        goto out;
    if (r.horizon_from <= r.horizon_to && r.from > r.to && r.fp_scanned) {
        /* nothing new and no late data: nothing is filled, but the last
         * date's statistics, health checks and report are computed again
         * (GrowthBook may have changed, --fail-on may ask) */
        r.from = r.to = r.horizon_to;
        r.stats_only = true;
    }
    if (!fp_beside)
        late_progress(&r);
    if (r.show) {
        char a[11], b[11];
        date_format(r.from, a);
        date_format(r.to, b);
        if (r.from <= r.to)
            fprintf(r.show, "-- run state taken as absent; dates due: %s .. %s (%s)\n\n", a, b, r.reason);
        else
            fprintf(r.show, "-- run state taken as absent; dates due: none (%s)\n\n", r.reason);
        const SqlStep *scan = find_step(&r, SQLSTEP_FPRINT_SCAN);
        if (scan && r.from <= r.to) {
            SqlParams p;
            memset(&p, 0, sizeof p);
            p.from_date = a;
            p.to_date = b;
            fprintf(r.show, "-- an incremental run reads first the fingerprints recorded for the "
                            "last lookback_days dates done (fingerprint_read) and scans them; "
                            "shown: the scan of the dates due (the exposure source's are "
                            "exposure_keys' pass, below)\n\n");
            for (int i = 0; i < scan->nstmts; i++)
                if (i != r.prog.fprint_exposure_stmt &&
                    (st = send_stmt(&r, scan, i, &p, NULL, NULL, err, errlen)) != ABC_OK)
                    goto out;
        }
    }
    if (o->dry_run && !r.show) {
        dry_run_plan(&r);
        out->nexperiments = r.nexps;
        if (r.from <= r.to && !r.stats_only) {
            out->ndays = (int)(r.to - r.from + 1);
            date_format(r.from, out->first_date);
            date_format(r.to, out->last_date);
        }
        if (env->wh)
            st = preflight(&r, err, errlen);
        else
            fprintf(r.opt->plan_out ? r.opt->plan_out : stdout,
                    "preflight: not checked (no warehouse to read: the source tables and columns are "
                    "checked when one is reachable)\n");
        goto out;
    }
    if (r.nexps == 0 && !r.show) {
        fprintf(stderr, "abc run %s: warning: no experiments found for this tag\n", ir->tag);
    }

    SqlParams base;
    memset(&base, 0, sizeof base);
    base.run_id = r.run_id;
    /* before the first write: user ids the StarRocks keys cannot hold (and
     * the rows the assignment will skip) */
    if ((st = check_exposure_keys(&r, &base, fp_beside ? &fpj.keys : NULL, err, errlen)) !=
        ABC_OK)
        goto out;
    const SqlStep *ddl = find_step(&r, SQLSTEP_DDL);
    if (ddl && (st = exec_step(&r, ddl, &base, err, errlen)) != ABC_OK)
        goto out;
    if ((st = owners_check(&r, true, err, errlen)) != ABC_OK)
        goto out;
    if ((st = migrate_wide(&r, &base, err, errlen)) != ABC_OK)
        goto out;
    progress(&r, "tables ready (%d statements)", ddl ? ddl->nstmts : 0);
    if ((st = write_config(&r, &base, err, errlen)) != ABC_OK)
        goto out;
    progress(&r, "experiment_data written");
    latch_set(&tables_ready, ABC_OK);
    if (r.from <= r.to && (st = unit_state_prepare(&r, &base, err, errlen)) != ABC_OK)
        goto out;

    char a[11], b[11];
    if (r.stats_only) {
        date_format(r.from, a);
        date_format(r.to, b);
        progress(&r, "nothing to fill; the statistics of %s again", b);
    } else if (r.from <= r.to) {
        if (r.full) {
            const SqlStep *reset = find_step(&r, SQLSTEP_RESET);
            SqlParams rp = base;
            char last_due[11];
            date_format(r.to, last_due);
            rp.to_date = last_due;
            if (reset && (st = exec_step(&r, reset, &rp, err, errlen)) != ABC_OK)
                goto out;
        }
        r.pipe = fp_beside && fpj.pipe_on ? &fpj.pipe : NULL;
        if ((st = fill_dates(&r, &base, err, errlen)) != ABC_OK)
            goto out;
        if (fp_beside) {
            /* the fingerprints scanned beside the fill: late data moves the
             * first date back, and the dates from there are filled (again) */
            bool late;
            fp_beside = false;
            if ((st = fprint_beside_join(&fpj, &r, &late, &growth_filled, err, errlen)) != ABC_OK)
                goto out;
            late_progress(&r);
            if (late && ((st = check_exposure_keys(&r, &base, NULL, err, errlen)) != ABC_OK ||
                         (st = unit_state_prepare(&r, &base, err, errlen)) != ABC_OK ||
                         (st = fill_dates(&r, &base, err, errlen)) != ABC_OK))
                goto out;
        }
        date_format(r.from, a);
        date_format(r.to, b);
        int total = (int)(r.to - r.from + 1);
        if ((st = fingerprint_write(&r, &base, err, errlen)) != ABC_OK)
            goto out;
        /* the growth tables: on the side connection when there is one (the
         * fill, unless the fingerprint job did it, and the stage of the
         * publish below), else here */
        bool side_run = false;
        bool growth = find_step(&r, SQLSTEP_ACTIVITY_FILL) && !growth_filled;
        if (env->wh_side && !r.show && find_step(&r, SQLSTEP_ACTIVITY_FILL)) {
            char lo[11], hi[11];
            bool stage = find_step(&r, SQLSTEP_ACTIVITY_STAGE) && activity_range(&r, a, b, lo, hi);
            side_run = (growth || stage) &&
                       side_start(&side, &r, &base, growth, a, b, stage ? lo : NULL, stage ? hi : NULL);
            side_staged = side_run && stage;
        }
        if (!side_run && growth &&
            (st = activity_fill(&r, &base, a, b, activity_days_in_pre_after_fill(&r), err,
                                errlen)) != ABC_OK)
            goto out;
        /* the side job prunes the per-user day table after its stage */
        if (!side_run && (st = pre_prune(&r, &base, err, errlen)) != ABC_OK)
            goto out;
        if ((st = hourly_daily(&r, &base, err, errlen)) != ABC_OK)
            goto out;
        out->ndays = total;
        snprintf(out->first_date, sizeof out->first_date, "%s", a);
        snprintf(out->last_date, sizeof out->last_date, "%s", b);
    } else {
        progress(&r, "no dates due");
        goto out;
    }

    /* statistics for every analysis date due */
    res = results_new(ir, r.exps, r.nexps, r.computed_at);
    {
        long long nnull = r.null_key_rows;
        if (nnull > 0) {
            results_set_null_key_rows(res, nnull);
            progress(&r, "data quality: %lld exposure row%s with a NULL user, experiment or "
                         "variation key skipped", nnull, nnull == 1 ? "" : "s");
        }
        if ((st = statistics(&r, res, &base, err, errlen)) != ABC_OK)
            goto out;
    }
    if (r.show) {
        st = show_publish(&r, &base, err, errlen);
        if (st == ABC_OK && find_step(&r, SQLSTEP_ACTIVITY_STAGE)) {
            char lo[11], hi[11];
            if (!activity_range(&r, a, b, lo, hi)) {
                snprintf(err, errlen, "activity: '%s' .. '%s' are not dates", a, b);
                st = ABC_ERR_USAGE;
            }
            if (st == ABC_OK)
                st = activity_stage(&r, &base, a, lo, hi, err, errlen);
            if (st == ABC_OK)
                st = activity_publish(&r, &base, lo, hi, err, errlen);
        }
        if (st == ABC_OK)
            st = state_write(&r, &base, err, errlen);
        out->nexperiments = r.nexps;
        goto out;
    }
    progress(&r, "sufficient statistics read");
    if ((st = results_compute(res, err, errlen)) != ABC_OK)
        goto out;
    progress(&r, "analysis done");

    /* publish: stage, load, then replace atomically */
    {
        const SqlStep *stage = find_step(&r, SQLSTEP_REPORT_STAGE);
        const SqlStep *load = find_step(&r, SQLSTEP_REPORT_LOAD);
        const SqlStep *pub = find_step(&r, SQLSTEP_REPORT_PUBLISH);
        const SqlStep *daily = find_step(&r, SQLSTEP_DAILY_PUBLISH);
        int nres = 0;
        const long *resdates = results_dates(res, &nres);
        /* every analysis date with results, and the last date due even when
         * it has none (the tag's report then says so instead of keeping
         * stale rows) */
        long *dates = arena_alloc(&r.arena, sizeof(long) * (size_t)(nres + 1));
        int ndates = 0;
        bool have_to = false;
        for (int i = 0; i < nres; i++) {
            dates[ndates++] = resdates[i];
            have_to |= resdates[i] == r.to;
        }
        if (!have_to)
            dates[ndates++] = r.to;
        /* publishing an older date than the last published one (a backfill)
         * refreshes the daily rows only */
        bool publish_latest = r.to >= r.published;
        /* growth analytics: staged first, switched in by report_publish in
         * the reports' transaction (or by activity_publish on a backfill) */
        char alo[11], ahi[11];
        bool activity = find_step(&r, SQLSTEP_ACTIVITY_STAGE) != NULL;
        if (activity && !activity_range(&r, a, b, alo, ahi)) {
            snprintf(err, errlen, "activity: '%s' .. '%s' are not dates", a, b);
            st = ABC_ERR_USAGE;
            goto out;
        }
        if ((st = side_prune_claim(&side, &r, &base, err, errlen)) != ABC_OK ||
            (st = side_join(&side, &r, err, errlen)) != ABC_OK)
            goto out;
        if (activity && !side_staged &&
            (st = activity_stage(&r, &base, a, alo, ahi, err, errlen)) != ABC_OK)
            goto out;
        bool activity_published = false;
        for (int i = 0; i < ndates; i++) {
            char ds[11];
            date_format(dates[i], ds);
            int nrows = 0;
            const SqlValue *rows = results_rows(res, dates[i], &nrows);
            SqlParams p = base;
            p.analysis_date = ds;
            if (stage && (st = exec_step(&r, stage, &p, err, errlen)) != ABC_OK)
                goto out;
            if (load && nrows > 0 &&
                (st = exec_values(&r, load, rows, nrows, SQLGEN_REPORT_NCOLUMNS, &p, err, errlen)) != ABC_OK)
                goto out;
            if (daily && (st = exec_step(&r, daily, &p, err, errlen)) != ABC_OK)
                goto out;
            if (dates[i] == r.to && publish_latest && pub) {
                if (activity) {
                    p.from_date = alo;
                    p.to_date = ahi;
                }
                if ((st = exec_step(&r, pub, &p, err, errlen)) != ABC_OK)
                    goto out;
                activity_published = activity;
                if (activity)
                    progress(&r, "growth report and cohort tables replaced for %s .. %s "
                                 "with the reports", alo, ahi);
            }
        }
        if (activity && !activity_published &&
            (st = activity_publish(&r, &base, alo, ahi, err, errlen)) != ABC_OK)
            goto out;
        if (publish_latest)
            progress(&r, "report tables replaced (%d analysis date%s)", ndates, ndates == 1 ? "" : "s");
        else
            progress(&r, "daily report rows replaced for %d date%s; the report and dashboard keep "
                         "the later published date", ndates, ndates == 1 ? "" : "s");
    }
    if ((st = state_write(&r, &base, err, errlen)) != ABC_OK)
        goto out;
    /* the growth rows as published, for the page and --format json */
    ReportActivity act = {0};
    if (ir->nactivities) {
        if ((st = run_read_activity(env->wh, &r.prog, &r.arena, &act, err, errlen)) != ABC_OK)
            goto out;
        report_activity_json(ir, &act, &out->activity_json);
    }
    if ((st = hourly_report(&r, res, err, errlen)) != ABC_OK)
        goto out;
    if ((st = write_memo(&r, res, &act, out, err, errlen)) != ABC_OK)
        goto out;
    progress(&r, "memo written to %s", out->memo_path);

    ResultsHealth h = results_health(res, r.to);
    unsigned fail_on = ir->analysis.fail_on | o->fail_on;
    out->nexperiments = r.nexps;
    out->srm_failures = h.srm_failures;
    out->guardrail_failures = h.guardrail_failures;
    out->data_quality_failures = h.data_quality_failures;
    out->health_failed = ((fail_on & FAIL_SRM) && h.srm_failures) ||
                         ((fail_on & FAIL_GUARDRAIL) && h.guardrail_failures) ||
                         ((fail_on & FAIL_DATA_QUALITY) && h.data_quality_failures);
    results_json(res, r.to, &out->json);
out:
    if (fpj.started) { /* a failure here: the scan's end is waited for, its findings dropped */
        latch_set(&tables_ready, ABC_ERR_ENV); /* (no growth fill then) */
        latch_set(&pre_filled, ABC_ERR_ENV);
        pipe_off_or_cancel(&fpj.pipe, true);
        bool late, filled;
        char fp_err[1024];
        (void)fprint_beside_join(&fpj, &r, &late, &filled, fp_err, sizeof fp_err);
    }
    if (side.started) { /* a failure here: the side job's end is waited for, its error kept second */
        char side_err[1024];
        if (side_join(&side, &r, side_err, sizeof side_err) != ABC_OK && st == ABC_OK) {
            st = ABC_ERR_ENV;
            snprintf(err, errlen, "%s", side_err);
        }
    }
    latch_destroy(&tables_ready);
    latch_destroy(&pre_filled);
    lock_release(&r);
    free(r.fp);
    free(r.fpx);
    buf_free(&r.late);
    results_free(res);
    if (r.gb)
        gb_tag_config_free(r.gb);
    arena_free(&r.arena);
    if (r.unit_loaded)
        spec_unit_free(&r.unit);
    return st;
}
