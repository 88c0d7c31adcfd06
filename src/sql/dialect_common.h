/* dialect_common.h — helpers shared by the two dialect implementations
 * (private to src/sql/). */
#ifndef ABC_SQL_DIALECT_COMMON_H
#define ABC_SQL_DIALECT_COMMON_H

#include "abc/dialect.h"

/* Reject control characters (other than tab, newline, CR in strings). */
AbcStatus dialect_check_text(const char *s, bool is_ident, int max_chars, bool bmp_only,
                             char *why, size_t whylen);
/* Append a number the same way everywhere (shortest round-trip form). */
void dialect_number(Buf *out, double v);
/* "`a`, `b`, `c`" */
void dialect_ident_list(const Dialect *d, Buf *out, const char *const *names, int n);
/* Write the comment lines of a WriteSpec ("-- text\n") if any. */
void dialect_comment_line(Buf *out, const char *comment);

#endif
