/* dialect_starrocks.c — the production dialect, kept inside the syntax of
 * docs/GENERATED.md and the StarRocks SQL reference.
 *
 * Identifiers are always backquoted; a backtick can never be part of one
 * (StarRocks strips every backtick), so such names are refused.  String
 * literals are single-quoted with `'` doubled and `\` escaped, because the
 * StarRocks lexer always processes backslash escapes; newline, CR and tab
 * are written as escapes so every literal stays on one line.
 * Tables: DUPLICATE KEY or PRIMARY KEY after the column list, expression
 * partitioning (date_trunc('day', col) for days, a bare column for lists,
 * the pair (`tag`, col) for a table several tags share, one partition per
 * tag and day),
 * DISTRIBUTED BY HASH, quoted PROPERTIES values.  Writes never use an
 * unpartitioned INSERT OVERWRITE: a partition is always named by value.
 */
#include "abc/dialect.h"

#include <stdio.h>
#include <string.h>

#include "dialect_common.h"

enum { SR_MAX_IDENT = 64 };

static AbcStatus sr_check_ident(const char *name, char *why, size_t whylen)
{
    AbcStatus st = dialect_check_text(name, true, SR_MAX_IDENT, false, why, whylen);
    if (st != ABC_OK)
        return st;
    if (strchr(name, '`')) {
        snprintf(why, whylen, "contains a backtick, which StarRocks cannot keep in a name");
        return ABC_ERR_SPEC;
    }
    return ABC_OK;
}

static void sr_ident(Buf *out, const char *name)
{
    buf_putc(out, '`');
    buf_puts(out, name);
    buf_putc(out, '`');
}

static AbcStatus sr_check_string(const char *s, char *why, size_t whylen)
{
    return dialect_check_text(s, false, 0, false, why, whylen);
}

static void sr_string(Buf *out, const char *s)
{
    buf_putc(out, '\'');
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '\'': buf_puts(out, "''"); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default: buf_putc(out, *p);
        }
    }
    buf_putc(out, '\'');
}

/* VARCHAR lengths are in bytes in StarRocks: four per character. */
static void sr_col_type(Buf *out, ColType t)
{
    switch (t) {
    case CT_STR16: buf_puts(out, "VARCHAR(64)"); break;
    case CT_STR32: buf_puts(out, "VARCHAR(128)"); break;
    case CT_STR64: buf_puts(out, "VARCHAR(256)"); break;
    case CT_STR128: buf_puts(out, "VARCHAR(512)"); break;
    case CT_STR255: buf_puts(out, "VARCHAR(1020)"); break;
    case CT_TINYINT: buf_puts(out, "TINYINT"); break;
    case CT_INT: buf_puts(out, "INT"); break;
    case CT_BIGINT: buf_puts(out, "BIGINT"); break;
    case CT_DOUBLE: buf_puts(out, "DOUBLE"); break;
    case CT_DATE: buf_puts(out, "DATE"); break;
    case CT_DATETIME: buf_puts(out, "DATETIME"); break;
    }
}

/* The bound of column i of t in a StarRocks key, or 0. */
static int sr_key_bound(const TableDef *t, int i)
{
    return t->key_bytes && i < t->nkey && t->cols[i].type <= CT_STR255 ? t->key_bytes[i] : 0;
}

/* Bytes of the longest value of column i of t (strings: four per character). */
static int sr_col_bytes(const TableDef *t, int i)
{
    const TableCol *c = &t->cols[i];
    if (sr_key_bound(t, i) > 0)
        return sr_key_bound(t, i);
    switch (c->type) {
    case CT_STR16: return 64;
    case CT_STR32: return 128;
    case CT_STR64: return 256;
    case CT_STR128: return 512;
    case CT_STR255: return 1020;
    case CT_TINYINT: return 1;
    case CT_INT: return 4;
    case CT_BIGINT: return 8;
    case CT_DOUBLE: return 8;
    case CT_DATE: return 4;
    case CT_DATETIME: return 8;
    }
    return 0;
}

int starrocks_key_bytes(const TableDef *t)
{
    if (t->key != TKEY_PRIMARY)
        return 0;
    int n = 0;
    for (int i = 0; i < t->nkey && i < t->ncols; i++) {
        const TableCol *c = &t->cols[i];
        bool str = c->type <= CT_STR255;
        n += sr_col_bytes(t, i) + (str && i + 1 < t->nkey ? 2 : 0);
    }
    return n;
}

/* key_bytes: VARCHAR(key_bytes) instead of the type's length (0: none). */
static void sr_col_def(Buf *out, const TableCol *c, int key_bytes)
{
    sr_ident(out, c->name);
    buf_putc(out, ' ');
    if (key_bytes > 0)
        buf_printf(out, "VARCHAR(%d)", key_bytes);
    else
        sr_col_type(out, c->type);
    buf_puts(out, c->not_null ? " NOT NULL" : " NULL");
    if (c->comment)
        dialect_comment_clause(&dialect_starrocks, out, " COMMENT ", c->comment, "    ");
}

static void sr_create_table(Buf *out, const TableDef *t)
{
    buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
    dialect_qualified(&dialect_starrocks, out, t->db, t->name);
    buf_puts(out, " (\n");
    for (int i = 0; i < t->ncols; i++) {
        buf_puts(out, "    ");
        sr_col_def(out, &t->cols[i], sr_key_bound(t, i));
        buf_puts(out, i + 1 < t->ncols ? ",\n" : "\n");
    }
    buf_puts(out, ")\n");
    buf_puts(out, t->key == TKEY_PRIMARY ? "PRIMARY KEY (" : "DUPLICATE KEY (");
    for (int i = 0; i < t->nkey; i++) {
        if (i)
            buf_puts(out, ", ");
        sr_ident(out, t->cols[i].name);
    }
    buf_puts(out, ")\n");
    if (t->comment) {
        buf_puts(out, "COMMENT ");
        sr_string(out, t->comment);
        buf_putc(out, '\n');
    }
    if (t->part == TPART_DAY) {
        buf_puts(out, "PARTITION BY date_trunc('day', ");
        sr_ident(out, t->part_col);
        buf_puts(out, ")\n");
    } else if (t->part == TPART_LIST) {
        buf_puts(out, "PARTITION BY (");
        sr_ident(out, t->part_col);
        buf_puts(out, ")\n");
    } else if (t->part == TPART_TAG_DAY) {
        /* column expressions (list partitions, one per value pair) */
        buf_puts(out, "PARTITION BY (");
        sr_ident(out, "tag");
        buf_puts(out, ", ");
        sr_ident(out, t->part_col);
        buf_puts(out, ")\n");
    }
    buf_puts(out, "DISTRIBUTED BY HASH(");
    sr_ident(out, t->dist_col);
    buf_puts(out, ")");
    if (t->evolving || t->replication_num > 0) {
        buf_puts(out, "\nPROPERTIES (");
        if (t->replication_num > 0)
            buf_printf(out, "\n    \"replication_num\" = \"%d\"%s", t->replication_num,
                       t->evolving ? "," : "");
        if (t->evolving)
            buf_puts(out, "\n    \"fast_schema_evolution\" = \"true\"");
        buf_puts(out, "\n)");
    }
}

/* One schema change for all columns: StarRocks runs one per table at a time. */
static void sr_add_columns(Buf *out, const TableDef *t, const TableCol *cols, int n)
{
    buf_puts(out, "ALTER TABLE ");
    dialect_qualified(&dialect_starrocks, out, t->db, t->name);
    buf_puts(out, " ADD COLUMN (");
    for (int i = 0; i < n; i++) {
        TableCol nullable = cols[i];
        nullable.not_null = false; /* added columns are NULL for existing rows */
        buf_puts(out, i ? ",\n    " : "\n    ");
        sr_col_def(out, &nullable, 0);
    }
    buf_puts(out, "\n)");
}

static void sr_insert_head(Buf *out, const WriteSpec *w, bool overwrite)
{
    dialect_comment_line(out, w->comment);
    buf_puts(out, overwrite ? "INSERT OVERWRITE " : "INSERT INTO ");
    dialect_qualified(&dialect_starrocks, out, w->table->db, w->table->name);
    if (overwrite) {
        buf_puts(out, "\nPARTITION (");
        if (w->table->part == TPART_TAG_DAY && w->tag_value) {
            /* this tag's partition of the day only */
            sr_ident(out, "tag");
            buf_printf(out, " = %s, ", w->tag_value);
        }
        sr_ident(out, w->part_col);
        buf_puts(out, " = ");
        buf_puts(out, w->part_value);
        buf_putc(out, ')');
    }
    if (w->label) {
        buf_puts(out, "\nWITH LABEL ");
        sr_ident(out, w->label);
    }
    buf_puts(out, " (\n");
    dialect_ident_lines(&dialect_starrocks, out, NULL, w->cols, w->ncols, "    ");
    buf_puts(out, "\n)\n");
    dialect_write_query(out, w);
}

/* A whole-table INSERT OVERWRITE with dynamic_overwrite: it replaces the
 * partitions the rows land in and leaves the others (STARROCKS.md 2.2). */
static void sr_touched_head(Buf *out, const WriteSpec *w)
{
    dialect_comment_line(out, w->comment);
    buf_puts(out, "INSERT /*+set_var(dynamic_overwrite = true)*/ OVERWRITE\n");
    dialect_qualified(&dialect_starrocks, out, w->table->db, w->table->name);
    if (w->label) {
        buf_puts(out, "\nWITH LABEL ");
        sr_ident(out, w->label);
    }
    buf_puts(out, "\n(");
    dialect_ident_list(&dialect_starrocks, out, w->cols, w->ncols);
    buf_puts(out, ")\n");
    dialect_write_query(out, w);
}

static void sr_write(SqlStmts *out, const WriteSpec *w)
{
    Buf b;
    buf_init(&b);
    for (int i = 0; i < w->nprelude; i++) { /* no transaction to hold them: first */
        buf_puts(&b, w->prelude[i]);
        sql_stmts_push(out, &b);
        buf_reset(&b);
    }
    switch (w->mode) {
    case WRITE_UPSERT: /* a PRIMARY KEY table: INSERT is an upsert */
    case WRITE_APPEND:
        sr_insert_head(&b, w, false);
        sql_stmts_push(out, &b);
        break;
    case WRITE_REPLACE_PART: /* one atomic partition swap */
        sr_insert_head(&b, w, true);
        sql_stmts_push(out, &b);
        break;
    case WRITE_REPLACE_RANGE:
        if (w->touched_parts) { /* one atomic swap of the partitions the rows fill */
            sr_touched_head(&b, w);
            sql_stmts_push(out, &b);
            break;
        }
        /* DELETE the range, then load it (the label keeps the load idempotent) */
        buf_puts(&b, "DELETE FROM ");
        dialect_qualified(&dialect_starrocks, &b, w->table->db, w->table->name);
        buf_puts(&b, "\nWHERE ");
        sr_ident(&b, w->part_col);
        buf_printf(&b, " >= %s AND ", w->lo);
        sr_ident(&b, w->part_col);
        buf_printf(&b, " <= %s", w->hi);
        if (w->tag_value && strcmp(w->part_col, "tag") != 0) {
            buf_puts(&b, " AND ");
            sr_ident(&b, "tag");
            buf_printf(&b, " = %s", w->tag_value);
        }
        sql_stmts_push(out, &b);
        buf_reset(&b);
        sr_insert_head(&b, w, false);
        sql_stmts_push(out, &b);
        break;
    }
    buf_free(&b);
}

static void sr_write_together(SqlStmts *out, const WriteSpec *w, int n)
{
    for (int i = 0; i < n; i++)
        sr_write(out, &w[i]);
}

static void sr_delete_where(Buf *out, const TableDef *t, const char *where)
{
    buf_puts(out, "DELETE FROM ");
    dialect_qualified(&dialect_starrocks, out, t->db, t->name);
    buf_puts(out, "\nWHERE ");
    buf_puts(out, where);
}

/* query_timeout bounds queries (since v3.4 not INSERT, UPDATE, DELETE:
 * insert_timeout does); the statistics are queries.  StarRocks sizes its
 * operators' memory itself: temp_table_mb does not apply. */
static void sr_session_settings(Buf *out, const SessionSettings *s)
{
    if (s->timeout_s)
        buf_printf(out, "SET query_timeout = %u", s->timeout_s);
}

/* The literals of StarRocks's grammar: (DATE | DATETIME) string. */
static void sr_date_literal(Buf *out, const char *ymd)
{
    buf_puts(out, "DATE ");
    sr_string(out, ymd);
}

static void sr_datetime_literal(Buf *out, const char *ts)
{
    buf_puts(out, "DATETIME ");
    sr_string(out, ts);
}

static void sr_cast_string(Buf *out, const char *expr)
{
    buf_printf(out, "CAST(%s AS VARCHAR)", expr);
}

static void sr_date_add_days(Buf *out, const char *date_expr, int days)
{
    buf_printf(out, "DATE_ADD(%s, INTERVAL %d DAY)", date_expr, days);
}

static void sr_date_add_expr(Buf *out, const char *date_expr, const char *days_expr)
{
    buf_printf(out, "CAST(days_add(%s, %s) AS DATE)", date_expr, days_expr);
}

static void sr_crc32(Buf *out, const char *expr)
{
    buf_printf(out, "crc32(%s)", expr);
}

static void sr_percentile(Buf *out, const char *expr, double p)
{
    buf_printf(out, "percentile_cont(%s, ", expr);
    dialect_number(out, p);
    buf_putc(out, ')');
}

/* StarRocks drops every backslash of a JSON path and cannot quote '"',
 * '[' or ']' in a key; a key "*" is its wildcard. */
static AbcStatus sr_check_json_key(const char *key, char *why, size_t whylen)
{
    if (strpbrk(key, "\"[]\\")) {
        snprintf(why, whylen, "holds '\"', '[', ']' or '\\', which StarRocks JSON paths cannot quote");
        return ABC_ERR_SPEC;
    }
    if (strcmp(key, "*") == 0) {
        snprintf(why, whylen, "is '*', the StarRocks JSON path wildcard");
        return ABC_ERR_SPEC;
    }
    return ABC_OK;
}

/* get_json_string/double/bool: NULL when the path is missing or holds JSON
 * null, or (double, bool) a value of another type. */
static void sr_json_value(Buf *out, const char *json_expr, const char *const *keys, int nkeys,
                          JsonRead as)
{
    static const char *const fn[] = {[JSON_READ_STRING] = "get_json_string",
                                     [JSON_READ_NUMBER] = "get_json_double",
                                     [JSON_READ_BOOLEAN] = "get_json_bool"};
    Buf path;
    buf_init(&path);
    dialect_json_path(&path, keys, nkeys);
    buf_printf(out, "%s(%s, ", fn[as], json_expr);
    sr_string(out, path.data);
    buf_putc(out, ')');
    buf_free(&path);
}

const Dialect dialect_starrocks = {
    .id = DIALECT_STARROCKS,
    .name = "starrocks",
    .max_ident = SR_MAX_IDENT,
    .fill_by_day = false, /* a range overwrites its partitions in one load */
    .moments_per_unit = false,      /* aggregated in the warehouse */
    .cut_units_session = false,      /* a CTE, hash-joined */
    .check_ident = sr_check_ident,
    .ident = sr_ident,
    .check_string = sr_check_string,
    .string = sr_string,
    .col_type = sr_col_type,
    .create_table = sr_create_table,
    .add_columns = sr_add_columns,
    .write = sr_write,
    .write_together = sr_write_together,
    .delete_where = sr_delete_where,
    .rollback = "ROLLBACK",
    .snapshot_begin = NULL, /* no snapshot across statements */
    .read_committed_next = NULL, /* reads take no locks */
    .read_committed_check = NULL,
    .join_left_first = "JOIN",
    .cross_join_left_first = "CROSS JOIN",
    .session_settings = sr_session_settings,
    .date_literal = sr_date_literal,
    .datetime_literal = sr_datetime_literal,
    .cast_string = sr_cast_string,
    .date_add_days = sr_date_add_days,
    .date_add_expr = sr_date_add_expr,
    .crc32 = sr_crc32,
    .percentile = sr_percentile,
    .check_json_key = sr_check_json_key,
    .json_value = sr_json_value,
};
