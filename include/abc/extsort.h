/* extsort.h — fixed-size records put in order (or kept in the order they
 * came) in bounded memory: what fits in the buffer stays in memory, the
 * rest goes to an unnamed temporary file in sorted runs that are merged as
 * the records are read back.
 *
 * Contract: add every record (extsort_add), then extsort_finish once, then
 * read them with extsort_next until it returns false; records of equal
 * order come back in no particular order.  With cmp NULL the records come
 * back in the order they were added.  Memory is at most mem_records
 * records, whatever the number added; an I/O error (the temporary file
 * cannot be made or written) makes the calls return false and
 * extsort_error describe it. */
#ifndef ABC_EXTSORT_H
#define ABC_EXTSORT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ExtSort ExtSort;
typedef int (*ExtSortCmp)(const void *a, const void *b);

ExtSort *extsort_new(size_t rec_size, ExtSortCmp cmp, size_t mem_records);
bool extsort_add(ExtSort *e, const void *rec);
bool extsort_finish(ExtSort *e);
/* The next record into rec; false at the end or on an error. */
bool extsort_next(ExtSort *e, void *rec);
/* The records added so far. */
size_t extsort_count(const ExtSort *e);
/* NULL, or what went wrong. */
const char *extsort_error(const ExtSort *e);
void extsort_free(ExtSort *e);

#endif
