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
/* "`name` TYPE [NOT] NULL[ COMMENT '...']", the comment on a line of its
 * own (indent + 4) when the definition would be over SQL_WIDTH. */
void dialect_col_def(const Dialect *d, Buf *out, const TableCol *c, const char *indent);
/* clause (" COMMENT " / " COMMENT=") and the text as a literal, on the next
 * line (indent + 4, the clause's leading spaces dropped) when the current
 * line would be over SQL_WIDTH. */
void dialect_comment_clause(const Dialect *d, Buf *out, const char *clause, const char *text,
                            const char *indent);
/* Write the comment lines of a WriteSpec ("-- text\n") if any. */
void dialect_comment_line(Buf *out, const char *comment);
/* A write's query as one statement's text: its `with`, its body and each
 * of its branches after UNION ALL (WriteSpec). */
void dialect_write_query(Buf *out, const WriteSpec *w);

/* Layout of the generated SQL (docs/GENERATED.md "Layout"): every line
 * holds at most SQL_WIDTH characters outside string literals. */
enum { SQL_WIDTH = 100 };
/* Width of the last line of out, string literal contents not counted. */
int sql_line_width(const Buf *out);
/* text as whole "<indent>-- " comment lines of at most SQL_WIDTH
 * characters, broken between words (control characters become '?'). */
void sql_comment(Buf *out, const char *indent, const char *text);
/* Break the last line of out, from offset `from` on (outside any literal,
 * quoted name or comment), between tokens while it is over SQL_WIDTH. */
void sql_wrap(Buf *out, size_t from);
/* "<indent>[alias.]`a`,\n<indent>[alias.]`b`": one name per line. */
void dialect_ident_lines(const Dialect *d, Buf *out, const char *alias, const char *const *names,
                         int n, const char *indent);

#endif
