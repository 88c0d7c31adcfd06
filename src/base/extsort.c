/* extsort.c — fixed-size records in order in bounded memory (extsort.h).
 *
 * Phases: add (records gather in a buffer that grows up to mem_records;
 * a full buffer is sorted and written to the temporary file as one run),
 * finish (the last buffer sorted; kept in memory when no run was written,
 * else written too and the buffer cut into one read window per run),
 * next (from memory, or a k-way merge of the runs by a binary heap of
 * their current records). */
#include "abc/extsort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef struct Run {
    off_t off;     /* first byte in the file */
    size_t n;      /* records in the run */
    size_t read;   /* records read into the window so far */
    char *win;     /* the read window: a slice of the buffer */
    size_t nwin;   /* records in the window */
    size_t iwin;   /* the current record's index in it */
} Run;

struct ExtSort {
    size_t rec, mem;
    ExtSortCmp cmp;
    char *buf;
    size_t nbuf, capbuf;
    size_t total;
    FILE *f;
    off_t end;
    Run *runs;
    size_t nruns, capruns, window;
    int *heap; /* run indices, a min-heap by current record */
    size_t nheap, cur;
    size_t it; /* in memory: the next record */
    bool finished, failed;
    char err[160];
};

static bool fail(ExtSort *e, const char *what)
{
    if (!e->failed)
        snprintf(e->err, sizeof e->err, "temporary file of sorted rows: %s: %s", what,
                 strerror(errno ? errno : EIO));
    e->failed = true;
    return false;
}

ExtSort *extsort_new(size_t rec_size, ExtSortCmp cmp, size_t mem_records)
{
    ExtSort *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->rec = rec_size ? rec_size : 1;
    e->mem = mem_records >= 2 ? mem_records : 2;
    e->cmp = cmp;
    return e;
}

/* ---- add: buffer, then sorted runs ---------------------------------------- */

static bool write_run(ExtSort *e)
{
    if (e->nbuf == 0)
        return true;
    if (e->cmp)
        qsort(e->buf, e->nbuf, e->rec, e->cmp);
    if (!e->f && !(e->f = tmpfile()))
        return fail(e, "tmpfile");
    if (fseeko(e->f, e->end, SEEK_SET) != 0 || fwrite(e->buf, e->rec, e->nbuf, e->f) != e->nbuf)
        return fail(e, "write");
    if (e->nruns == e->capruns) {
        e->capruns = e->capruns ? e->capruns * 2 : 8;
        Run *p = realloc(e->runs, sizeof *p * e->capruns);
        if (!p)
            abort();
        e->runs = p;
    }
    e->runs[e->nruns++] = (Run){.off = e->end, .n = e->nbuf};
    e->end += (off_t)(e->nbuf * e->rec);
    e->nbuf = 0;
    return true;
}

bool extsort_add(ExtSort *e, const void *rec)
{
    if (e->failed || e->finished)
        return false;
    if (e->nbuf == e->capbuf) {
        if (e->capbuf == e->mem) {
            if (!write_run(e))
                return false;
        } else {
            size_t cap = e->capbuf ? e->capbuf * 2 : 256;
            if (cap > e->mem)
                cap = e->mem;
            char *p = realloc(e->buf, cap * e->rec);
            if (!p)
                abort();
            e->buf = p;
            e->capbuf = cap;
        }
    }
    memcpy(e->buf + e->nbuf * e->rec, rec, e->rec);
    e->nbuf++;
    e->total++;
    return true;
}

size_t extsort_count(const ExtSort *e) { return e->total; }

const char *extsort_error(const ExtSort *e) { return e->failed ? e->err : NULL; }

/* ---- finish and read back ------------------------------------------------------ */

/* Refill run r's window; false at its end (or on an error). */
static bool fill(ExtSort *e, Run *r)
{
    r->iwin = 0;
    r->nwin = 0;
    if (r->read == r->n)
        return false;
    size_t k = r->n - r->read < e->window ? r->n - r->read : e->window;
    if (fseeko(e->f, r->off + (off_t)(r->read * e->rec), SEEK_SET) != 0 ||
        fread(r->win, e->rec, k, e->f) != k)
        return fail(e, "read");
    r->read += k;
    r->nwin = k;
    return true;
}

static const char *head(const ExtSort *e, int i)
{
    const Run *r = &e->runs[i];
    return r->win + r->iwin * e->rec;
}

static bool less(const ExtSort *e, int a, int b) { return e->cmp(head(e, a), head(e, b)) < 0; }

static void sift_down(ExtSort *e, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < e->nheap && less(e, e->heap[l], e->heap[m]))
            m = l;
        if (l + 1 < e->nheap && less(e, e->heap[l + 1], e->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        int t = e->heap[i];
        e->heap[i] = e->heap[m];
        e->heap[m] = t;
        i = m;
    }
}

bool extsort_finish(ExtSort *e)
{
    if (e->failed || e->finished)
        return false;
    e->finished = true;
    if (e->nruns == 0) { /* all in memory */
        if (e->cmp && e->nbuf > 1)
            qsort(e->buf, e->nbuf, e->rec, e->cmp);
        return true;
    }
    if (!write_run(e) || fflush(e->f) != 0)
        return fail(e, "write");
    if (e->capbuf < e->nruns) {
        char *p = realloc(e->buf, e->nruns * e->rec);
        if (!p)
            abort();
        e->buf = p;
        e->capbuf = e->nruns;
    }
    e->window = e->capbuf / e->nruns;
    if (!(e->heap = malloc(sizeof *e->heap * e->nruns)))
        abort();
    for (size_t i = 0; i < e->nruns; i++) {
        Run *r = &e->runs[i];
        r->win = e->buf + i * e->window * e->rec;
        if (!fill(e, r)) {
            if (e->failed)
                return false;
            continue;
        }
        e->heap[e->nheap++] = (int)i;
    }
    if (e->cmp)
        for (size_t i = e->nheap / 2; i-- > 0;)
            sift_down(e, i);
    return true;
}

bool extsort_next(ExtSort *e, void *rec)
{
    if (e->failed || !e->finished)
        return false;
    if (e->nruns == 0) {
        if (e->it == e->nbuf)
            return false;
        memcpy(rec, e->buf + e->it++ * e->rec, e->rec);
        return true;
    }
    if (!e->cmp) { /* the runs in the order written */
        while (e->cur < e->nruns) {
            Run *r = &e->runs[e->cur];
            if (r->iwin < r->nwin || fill(e, r)) {
                memcpy(rec, r->win + r->iwin++ * e->rec, e->rec);
                return true;
            }
            if (e->failed)
                return false;
            e->cur++;
        }
        return false;
    }
    if (e->nheap == 0)
        return false;
    Run *r = &e->runs[e->heap[0]];
    memcpy(rec, r->win + r->iwin++ * e->rec, e->rec);
    if (r->iwin == r->nwin && !fill(e, r)) {
        if (e->failed)
            return false;
        e->heap[0] = e->heap[--e->nheap];
    }
    sift_down(e, 0);
    return true;
}

void extsort_free(ExtSort *e)
{
    if (!e)
        return;
    if (e->f)
        fclose(e->f);
    free(e->buf);
    free(e->runs);
    free(e->heap);
    free(e);
}
