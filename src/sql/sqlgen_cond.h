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

#endif
