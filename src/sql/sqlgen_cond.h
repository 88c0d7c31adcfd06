/* sqlgen_cond.h — private to the SQL backend: filters (IrCond) as SQL,
 * and their validation.  Implemented in sqlgen_cond.c, above the emit
 * helpers. */
#ifndef ABC_SQL_SQLGEN_COND_H
#define ABC_SQL_SQLGEN_COND_H

#include "sqlgen_emit.h"

/* SQL for a filter over the rows of alias (NULL-safe: NULL cond -> TRUE-less). */
void gen_cond(Gen *g, Buf *b, const IrCond *c, const char *alias);
/* Validate identifiers and literals of a filter; diagnostics on failure. */
void gen_check_cond(Gen *g, const IrCond *c);

/* alias.`col`, or, with path (W_PATH into the JSON column col), the
 * dialect's read of that path as its type. */
void gen_column(Gen *g, Buf *b, const char *alias, const char *col, const AstWord *path);
/* Validate the keys of a JSON path for the dialect; diagnostics on failure. */
void gen_check_path(Gen *g, const AstWord *path);

#endif
