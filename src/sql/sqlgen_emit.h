/* sqlgen_emit.h — private to the SQL backend: the generation context
 * (Gen) and the emit helpers every phase writes SQL with (quoted names and
 * literals, steps, statements, diagnostics).  Implemented in sqlgen_emit.c;
 * depends on nothing else of src/sql/, so the phases (ddl, dml, stats,
 * report, run) sit above it and the driver (sqlgen.c) above them. */
#ifndef ABC_SQL_SQLGEN_EMIT_H
#define ABC_SQL_SQLGEN_EMIT_H

#include "abc/sqlgen.h"

enum {
    T_EXPDATA, T_ASSIGN, T_MIGRATIONS, T_WIDE, T_REPORT, T_DAILY, T_STAGE, T_DASHBOARD, T_STATE,
    T_LOCK, T_FPRINT, T_OWNER,
    /* per unit and analysis date, each metric's value as of the date */
    T_UNIT_STATE,
    /* MariaDB: the analysis dates whose unit state T_UNIT_STATE's versions hold */
    T_UNIT_STATE_DATES,
    /* the CUPED pre-period aggregates, only when a metric has CUPED */
    T_PRE,
    /* growth analytics, only when the spec has activity blocks */
    T_ACT_DAY, T_ACT_USER, T_ACT_REPORT, T_ACT_COHORT, T_ACT_WBK, T_ACT_WDAY, T_ACT_WPER, T_ACT_RSTAGE,
    T_ACT_CSTAGE, T_ACT_PERIOD, T_ACT_WDUE, T_ACT_WDELTA,
    /* the hourly series, only when the spec says `hourly` */
    T_HOURLY, T_HOURLY_UNIT, T_HOURLY_STATE, T_COUNT
};

/* MariaDB: the assignment's index by (tag, tracking_key, variation_key,
 * exposure_date), named where a statement must force it */
#define ASSIGN_VARIATION_KEY "abc_variation_key"

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
    SqlSourceCol *source_cols; /* preflight: what the spec reads */
    int nsource_cols;
} Gen;

/* ---- sqlgen_emit.c ---- */
void gen_error(Gen *g, SrcLoc loc, const char *fmt, ...) ABC_PRINTF(3, 4);
SqlStep *gen_step(Gen *g, SqlStepKind kind, const char *name, const char *summary);
void gen_push(Gen *g, SqlStep *s, const Buf *stmt);
void gen_push_stmts(Gen *g, SqlStep *s, const SqlStmts *st);
/* One statement with its SQLSTMT_* flags (a transaction's begin or end). */
void gen_push_flags(Gen *g, SqlStep *s, const Buf *stmt, unsigned flags);
/* After a step's writes: refresh the statistics of tables[table] where the
 * dialect needs it (MariaDB; outside any transaction: ANALYZE commits). */
void gen_analyze(Gen *g, SqlStep *s, int table);
/* Drop tables[table] and create it again (a derived table rebuilt with
 * the tag): two statements of s. */
void gen_recreate(Gen *g, SqlStep *s, int table);
/* The names of tables[table]'s columns, in order (a write's target list). */
const char **gen_col_names(Gen *g, int table);
/* A query step's result columns: dimensions named names[0..n) (metric -1). */
SqlColumn *gen_columns(Gen *g, const char *const *names, int n);
/* `name` quoted (already validated). */
void gen_id(Gen *g, Buf *b, const char *name);
/* "SELECT" of a grouping of many rows of one table, with the dialect's
 * group_by_sort modifier where it has one (dialect.h). */
void gen_select_grouped(Gen *g, Buf *b);
/* alias.`name` */
void gen_col(Gen *g, Buf *b, const char *alias, const char *name);
void gen_str(Gen *g, Buf *b, const char *s);
void gen_table(Gen *g, Buf *b, int t);
/* Make a plain one-line text for a comment (control chars replaced). */
const char *gen_comment_text(Gen *g, const char *s);
const char *gen_metric_col(Gen *g, int m, const char *suffix);
/* The assignment column of segment i: the segment's name (sema keeps it
 * off the assignment table's own columns and the statistics' aliases). */
const char *gen_segment_col(Gen *g, int i);
const char *gen_label(Gen *g, const char *step);
/* `tag` = '<tag>' */
void gen_tag_pred(Gen *g, Buf *b, const char *alias);

#endif
