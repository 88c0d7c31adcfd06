/* sqlgen_int.h — private to the SQL backend (src/sql/sqlgen*.c): the
 * generation context, resolved table names and emit helpers. */
#ifndef ABC_SQL_SQLGEN_INT_H
#define ABC_SQL_SQLGEN_INT_H

#include "abc/sqlgen.h"

enum {
    T_EXPDATA, T_ASSIGN, T_MIGRATIONS, T_WIDE, T_REPORT, T_DAILY, T_STAGE, T_DASHBOARD, T_STATE,
    T_LOCK, T_COUNT
};

typedef struct Gen {
    const IrSpec *ir;
    const Dialect *d;
    Arena *a;
    Diag *diag;
    int nerrors;
    TableDef tables[T_COUNT];
    char label_tag[48];   /* the tag, as it appears in StarRocks load labels */
    SqlStep *steps;
    int nsteps, cap;
    const TableCol *retired; /* wide-table columns kept from the schema lock */
    int nretired;
    size_t uv_end;           /* statistics prefix: offset just after the user_values CTE */
    SqlSourceCol *source_cols; /* preflight: what the spec reads */
    int nsource_cols;
} Gen;

/* ---- sqlgen.c ---- */
void gen_error(Gen *g, SrcLoc loc, const char *fmt, ...) ABC_PRINTF(3, 4);
SqlStep *gen_step(Gen *g, SqlStepKind kind, const char *name, const char *summary);
void gen_push(Gen *g, SqlStep *s, const Buf *stmt);
void gen_push_stmts(Gen *g, SqlStep *s, const SqlStmts *st);
/* `name` quoted (already validated). */
void gen_id(Gen *g, Buf *b, const char *name);
/* alias.`name` */
void gen_col(Gen *g, Buf *b, const char *alias, const char *name);
void gen_str(Gen *g, Buf *b, const char *s);
void gen_table(Gen *g, Buf *b, int t);
/* Make a plain one-line text for a comment (control chars replaced). */
const char *gen_comment_text(Gen *g, const char *s);
const char *gen_metric_col(Gen *g, int m, const char *suffix);
const char *gen_label(Gen *g, const char *step);
/* `tag` = '<tag>' */
void gen_tag_pred(Gen *g, Buf *b, const char *alias);

/* ---- sqlgen_cond.c ---- */
/* SQL for a filter over the rows of alias (NULL-safe: NULL cond -> TRUE-less). */
void gen_cond(Gen *g, Buf *b, const IrCond *c, const char *alias);
/* Validate identifiers and literals of a filter; diagnostics on failure. */
void gen_check_cond(Gen *g, const IrCond *c);

/* ---- sqlgen_ddl.c ---- */
void gen_tables(Gen *g);
void gen_ddl(Gen *g);
/* The wide table's component columns of metric m (appends to cols). */
int gen_metric_components(Gen *g, int m, TableCol *cols);

/* ---- sqlgen_dml.c ---- */
void gen_config(Gen *g);
void gen_config_clear(Gen *g);
void gen_reset(Gen *g);
void gen_assign(Gen *g, bool range);
void gen_wide(Gen *g, bool range);

/* ---- sqlgen_stats.c ---- */
void gen_stats(Gen *g);

/* ---- sqlgen_report.c ---- */
void gen_report(Gen *g);

/* ---- sqlgen_run.c ---- */
/* The run_state table (T_STATE), after gen_tables. */
void gen_state_table(Gen *g);
/* The runner's bookkeeping steps: run state and wide-table migrations. */
void gen_runstate(Gen *g);

/* ---- sqlgen_guard.c ---- */
/* The lease table (T_LOCK), after gen_state_table. */
void gen_lock_table(Gen *g);
/* preflight, null_keys and the lease steps. */
void gen_guard(Gen *g);

#endif
