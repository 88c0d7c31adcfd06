/* test_extsort.c — extsort.c: records come back in order whether they fit
 * in memory or spill into several runs (a window of one record per run
 * included), equal keys all come back, with no comparison they come back
 * in the order added, nothing can be added after finishing, and a
 * temporary file that cannot be written is an error that says so.
 */
#include "abc/extsort.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct Rec {
    double key;
    int id;
} Rec;

static int cmp_rec(const void *a, const void *b)
{
    const Rec *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static int cmp_id(const void *a, const void *b)
{
    const Rec *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* n records with keys from a few values (many ties), sorted with a buffer
 * of mem records: every record back once, in order of key. */
static void check_sorted(int n, size_t mem)
{
    ExtSort *e = extsort_new(sizeof(Rec), cmp_rec, mem);
    unsigned s = 7u + (unsigned)n;
    for (int i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        Rec r = {(double)((s >> 8) % 97) - 40.5, i};
        cr_assert(extsort_add(e, &r));
    }
    cr_assert_eq(extsort_count(e), (size_t)n);
    cr_assert(extsort_finish(e));
    Rec *got = calloc((size_t)n + 1, sizeof *got);
    int k = 0;
    Rec r;
    while (extsort_next(e, &r)) {
        cr_assert_lt(k, n, "more records back than added");
        if (k > 0)
            cr_assert_geq(r.key, got[k - 1].key, "out of order at %d (mem %zu)", k, mem);
        got[k++] = r;
    }
    cr_assert_null(extsort_error(e));
    cr_assert_eq(k, n, "%d of %d records back (mem %zu)", k, n, mem);
    qsort(got, (size_t)n, sizeof *got, cmp_id);
    for (int i = 0; i < n; i++)
        cr_assert_eq(got[i].id, i, "record %d lost or doubled", i);
    free(got);
    extsort_free(e);
}

Test(extsort, sorted_in_memory_and_across_runs)
{
    check_sorted(0, 16);
    check_sorted(1, 16);
    check_sorted(10, 16);     /* in memory */
    check_sorted(1000, 16);   /* 63 runs, windows of one record */
    check_sorted(1000, 300);  /* 4 runs */
    check_sorted(5000, 5000); /* exactly full: in memory */
    check_sorted(5001, 5000); /* one record past: two runs */
}

Test(extsort, no_comparison_keeps_the_order_added)
{
    for (size_t mem = 2; mem <= 4096; mem *= 8) {
        ExtSort *e = extsort_new(sizeof(Rec), NULL, mem);
        for (int i = 0; i < 777; i++) {
            Rec r = {(double)(777 - i), i};
            cr_assert(extsort_add(e, &r));
        }
        cr_assert(extsort_finish(e));
        Rec r;
        int k = 0;
        while (extsort_next(e, &r))
            cr_assert_eq(r.id, k++, "mem %zu", mem);
        cr_assert_eq(k, 777);
        extsort_free(e);
    }
}

Test(extsort, nothing_added_after_finish)
{
    ExtSort *e = extsort_new(sizeof(Rec), cmp_rec, 4);
    Rec r = {1, 1};
    cr_assert(extsort_add(e, &r));
    cr_assert(extsort_finish(e));
    cr_assert_not(extsort_add(e, &r));
    cr_assert_not(extsort_finish(e));
    cr_assert(extsort_next(e, &r));
    cr_assert_not(extsort_next(e, &r));
    extsort_free(e);
}

/* Files limited to 1 byte (this test's process only): the first run
 * cannot be written; every call after fails, and the error names it. */
Test(extsort, a_write_that_fails_is_an_error)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit one = {1, 1};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &one), 0);
    ExtSort *e = extsort_new(sizeof(Rec), cmp_rec, 4);
    bool ok = true;
    for (int i = 0; i < 64 && ok; i++) {
        Rec r = {(double)i, i};
        ok = extsort_add(e, &r);
    }
    cr_assert_not(ok, "records past memory were added with no file to write them to");
    cr_assert_not_null(extsort_error(e));
    cr_expect(strstr(extsort_error(e), "temporary file"), "%s", extsort_error(e));
    Rec r;
    cr_assert_not(extsort_finish(e));
    cr_assert_not(extsort_next(e, &r));
    extsort_free(e);
}
