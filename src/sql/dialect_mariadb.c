/* dialect_mariadb.c — the local/embedded dialect (MariaDB 10.6+ / 11.x).
 *
 * Identifiers are backquoted with embedded backticks doubled; MariaDB
 * names hold at most 64 characters of the Basic Multilingual Plane and may
 * not end in a space.  String literals never carry a backslash inside the
 * quotes, so they mean the same bytes with or without NO_BACKSLASH_ESCAPES:
 * `'` is doubled and each backslash is spelled CHAR(92 USING utf8mb4)
 * between CONCAT()ed pieces.
 * Tables are InnoDB, utf8mb4 with the binary collation (exact, case-
 * sensitive comparisons as in StarRocks); no partitions (MariaDB cannot
 * create them on load) — the key leads with the column StarRocks partitions
 * on.  A write that replaces rows is DELETE + INSERT inside one InnoDB
 * transaction, so readers see the old rows or the new ones, never a mix.
 */
#include "abc/dialect.h"

#include <stdio.h>
#include <string.h>

#include "dialect_common.h"

enum { MDB_MAX_IDENT = 64 };

static AbcStatus mdb_check_ident(const char *name, char *why, size_t whylen)
{
    AbcStatus st = dialect_check_text(name, true, MDB_MAX_IDENT, true, why, whylen);
    if (st != ABC_OK)
        return st;
    size_t n = strlen(name);
    if (name[n - 1] == ' ') {
        snprintf(why, whylen, "ends with a space, which MariaDB does not allow in a name");
        return ABC_ERR_SPEC;
    }
    return ABC_OK;
}

static void mdb_ident(Buf *out, const char *name)
{
    buf_putc(out, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            buf_putc(out, '`');
        buf_putc(out, *p);
    }
    buf_putc(out, '`');
}

static AbcStatus mdb_check_string(const char *s, char *why, size_t whylen)
{
    return dialect_check_text(s, false, 0, false, why, whylen);
}

static void mdb_piece(Buf *out, const char *s, size_t n)
{
    buf_putc(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            buf_putc(out, '\'');
        buf_putc(out, s[i]);
    }
    buf_putc(out, '\'');
}

static void mdb_string(Buf *out, const char *s)
{
    if (!strchr(s, '\\')) {
        mdb_piece(out, s, strlen(s));
        return;
    }
    buf_puts(out, "CONCAT(");
    const char *p = s;
    bool first = true;
    for (;;) {
        const char *bs = strchr(p, '\\');
        size_t n = bs ? (size_t)(bs - p) : strlen(p);
        if (n > 0) {
            if (!first)
                buf_puts(out, ", ");
            mdb_piece(out, p, n);
            first = false;
        }
        if (!bs)
            break;
        if (!first)
            buf_puts(out, ", ");
        buf_puts(out, "CHAR(92 USING utf8mb4)");
        first = false;
        p = bs + 1;
    }
    buf_putc(out, ')');
}

static void mdb_col_type(Buf *out, ColType t)
{
    switch (t) {
    case CT_STR16: buf_puts(out, "VARCHAR(16)"); break;
    case CT_STR32: buf_puts(out, "VARCHAR(32)"); break;
    case CT_STR64: buf_puts(out, "VARCHAR(64)"); break;
    case CT_STR128: buf_puts(out, "VARCHAR(128)"); break;
    case CT_STR255: buf_puts(out, "VARCHAR(255)"); break;
    case CT_TINYINT: buf_puts(out, "TINYINT"); break;
    case CT_INT: buf_puts(out, "INT"); break;
    case CT_BIGINT: buf_puts(out, "BIGINT"); break;
    case CT_DOUBLE: buf_puts(out, "DOUBLE"); break;
    case CT_DATE: buf_puts(out, "DATE"); break;
    case CT_DATETIME: buf_puts(out, "DATETIME"); break;
    }
}

/* lead, then index x's name and (cols...); the columns on a line of their
 * own when the line would pass 100 characters */
static void index_def(Buf *out, const TableIndex *x, const char *lead)
{
    buf_puts(out, lead);
    const char *nl = strrchr(lead, '\n');
    size_t width = strlen(nl ? nl + 1 : lead) + strlen(x->name) + 5;
    for (int i = 0; i < 4 && x->cols[i]; i++)
        width += strlen(x->cols[i]) + 4;
    mdb_ident(out, x->name);
    buf_puts(out, width > 100 ? " (\n        " : " (");
    for (int i = 0; i < 4 && x->cols[i]; i++) {
        if (i)
            buf_puts(out, ", ");
        mdb_ident(out, x->cols[i]);
    }
    buf_putc(out, ')');
}

static void mdb_create_table(Buf *out, const TableDef *t)
{
    buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
    dialect_qualified(&dialect_mariadb, out, t->db, t->name);
    buf_puts(out, " (\n");
    for (int i = 0; i < t->ncols; i++) {
        buf_puts(out, "    ");
        dialect_col_def(&dialect_mariadb, out, &t->cols[i], "    ");
        buf_puts(out, ",\n");
    }
    buf_puts(out, t->key == TKEY_PRIMARY ? "    PRIMARY KEY (" : "    KEY `abc_key` (");
    for (int i = 0; i < t->nkey; i++) {
        if (i)
            buf_puts(out, ", ");
        mdb_ident(out, t->cols[i].name);
    }
    buf_putc(out, ')');
    if (t->key == TKEY_DUPLICATE && (t->part == TPART_DAY || t->part == TPART_TAG_DAY) &&
        t->nkey >= 2 && !t->read_by_day) {
        /* day-partitioned tables are also read per unit across days (a
         * unit's pre-period days, a user's previous active day): index
         * them in that order too, with the day last, unless every read
         * names the day (read_by_day) */
        buf_puts(out, ",\n    KEY `abc_unit_key` (");
        for (int i = 1; i < t->nkey; i++) {
            mdb_ident(out, t->cols[i].name);
            buf_puts(out, ", ");
        }
        mdb_ident(out, t->cols[0].name);
        buf_putc(out, ')');
    }
    for (int i = 0; i < TABLE_MAX_INDEXES && t->indexes[i].name; i++)
        index_def(out, &t->indexes[i], ",\n    KEY ");
    buf_puts(out, "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    if (t->comment)
        dialect_comment_clause(&dialect_mariadb, out, " COMMENT=", t->comment, "");
}

static void mdb_add_columns(Buf *out, const TableDef *t, const TableCol *cols, int n)
{
    buf_puts(out, "ALTER TABLE ");
    dialect_qualified(&dialect_mariadb, out, t->db, t->name);
    for (int i = 0; i < n; i++) {
        TableCol nullable = cols[i];
        nullable.not_null = false; /* added columns are NULL for existing rows */
        buf_puts(out, i ? ",\n    ADD COLUMN IF NOT EXISTS " : "\n    ADD COLUMN IF NOT EXISTS ");
        dialect_col_def(&dialect_mariadb, out, &nullable, "    ");
    }
    for (int i = 0; i < TABLE_MAX_INDEXES && t->indexes[i].name; i++) /* a table created before its indexes */
        index_def(out, &t->indexes[i],
                  n || i ? ",\n    ADD KEY IF NOT EXISTS " : "\n    ADD KEY IF NOT EXISTS ");
}

static void mdb_analyze_table(Buf *out, const TableDef *t)
{
    buf_puts(out, "-- the optimizer's row counts of the table just filled\nANALYZE TABLE ");
    dialect_qualified(&dialect_mariadb, out, t->db, t->name);
}

/* An INSERT of w's rows from `query` (NULL: all of w's queries in one,
 * dialect_write_query), after w's WITH clause. */
static void mdb_insert(Buf *out, const WriteSpec *w, const char *query)
{
    dialect_comment_line(out, w->comment);
    if (w->small_derived_buffered)
        buf_puts(out, "SET STATEMENT optimizer_switch = 'derived_with_keys=off' FOR\n");
    buf_puts(out, "INSERT INTO ");
    dialect_qualified(&dialect_mariadb, out, w->table->db, w->table->name);
    buf_puts(out, " (\n");
    dialect_ident_lines(&dialect_mariadb, out, NULL, w->cols, w->ncols, "    ");
    buf_puts(out, "\n)\n");
    if (!query) {
        dialect_write_query(out, w);
        return;
    }
    if (w->with)
        buf_puts(out, w->with);
    buf_puts(out, query);
}

static void push_text(SqlStmts *out, const char *text, unsigned flags)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, text);
    sql_stmts_push_flags(out, &b, flags);
    buf_free(&b);
}

/* DELETE of the rows a REPLACE_* write replaces, then the INSERT; the
 * caller opens and commits the transaction. */
static void mdb_replace(SqlStmts *out, const WriteSpec *w)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "DELETE FROM ");
    dialect_qualified(&dialect_mariadb, &b, w->table->db, w->table->name);
    buf_puts(&b, "\nWHERE ");
    mdb_ident(&b, w->part_col);
    if (w->mode == WRITE_REPLACE_PART) {
        buf_printf(&b, " = %s", w->part_value);
    } else {
        buf_printf(&b, " >= %s AND ", w->lo);
        mdb_ident(&b, w->part_col);
        buf_printf(&b, " <= %s", w->hi);
    }
    if (w->tag_value && strcmp(w->part_col, "tag") != 0) {
        buf_puts(&b, " AND ");
        mdb_ident(&b, "tag");
        buf_printf(&b, " = %s", w->tag_value);
    }
    sql_stmts_push(out, &b);
    /* an INSERT per query, the body's first (the branches' comments say
     * what each adds) */
    for (int i = -1; i < w->nbranches; i++) {
        buf_reset(&b);
        mdb_insert(&b, w, i < 0 ? w->body : w->branches[i]);
        sql_stmts_push(out, &b);
    }
    buf_free(&b);
}

static void mdb_write(SqlStmts *out, const WriteSpec *w)
{
    Buf b;
    buf_init(&b);
    bool tx = w->mode == WRITE_REPLACE_PART || w->mode == WRITE_REPLACE_RANGE;
    if (tx)
        push_text(out, "START TRANSACTION", SQLSTMT_TX_BEGIN);
    for (int i = 0; i < w->nprelude; i++)
        push_text(out, w->prelude[i], 0);
    switch (w->mode) {
    case WRITE_APPEND:
        mdb_insert(&b, w, NULL);
        sql_stmts_push(out, &b);
        break;
    case WRITE_UPSERT: {
        mdb_insert(&b, w, NULL);
        buf_puts(&b, "\nON DUPLICATE KEY UPDATE");
        bool first = true;
        for (int i = 0; i < w->ncols; i++) {
            bool is_key = false;
            for (int k = 0; k < w->table->nkey; k++)
                if (strcmp(w->cols[i], w->table->cols[k].name) == 0)
                    is_key = true;
            if (is_key)
                continue;
            buf_puts(&b, first ? "\n    " : ",\n    ");
            mdb_ident(&b, w->cols[i]);
            UpsertMerge m = w->upsert_merge ? w->upsert_merge[i] : UPSERT_NEW;
            if (m == UPSERT_NEW) {
                buf_puts(&b, " = VALUES(");
                mdb_ident(&b, w->cols[i]);
                buf_putc(&b, ')');
            } else {
                buf_puts(&b, m == UPSERT_LEAST ? " = LEAST(COALESCE(" : " = GREATEST(COALESCE(");
                mdb_ident(&b, w->cols[i]);
                buf_puts(&b, ", VALUES(");
                mdb_ident(&b, w->cols[i]);
                buf_puts(&b, ")), VALUES(");
                mdb_ident(&b, w->cols[i]);
                buf_puts(&b, "))");
            }
            first = false;
        }
        sql_stmts_push(out, &b);
        break;
    }
    case WRITE_REPLACE_PART:
    case WRITE_REPLACE_RANGE:
        mdb_replace(out, w);
        break;
    }
    if (tx)
        push_text(out, "COMMIT", SQLSTMT_TX_END);
    buf_free(&b);
}

static void mdb_write_together(SqlStmts *out, const WriteSpec *w, int n)
{
    push_text(out, "START TRANSACTION", SQLSTMT_TX_BEGIN);
    for (int i = 0; i < n; i++)
        mdb_replace(out, &w[i]);
    push_text(out, "COMMIT", SQLSTMT_TX_END);
}

/* max_statement_time bounds every statement of the session, reads and
 * writes (error 1969 when one runs past it); an internal temporary table
 * stays in memory up to the smaller of tmp_table_size and
 * max_heap_table_size (16 MiB by default), then moves to an on-disk Aria
 * table. */
static void mdb_session_settings(Buf *out, const SessionSettings *s)
{
    const char *sep = "SET SESSION ";
    if (s->timeout_s) {
        buf_printf(out, "%smax_statement_time = %u", sep, s->timeout_s);
        sep = ", ";
    }
    if (s->temp_table_mb) {
        unsigned long long bytes = (unsigned long long)s->temp_table_mb * 1048576u;
        buf_printf(out, "%stmp_table_size = %llu, max_heap_table_size = %llu", sep, bytes, bytes);
    }
}

static void mdb_delete_where(Buf *out, const TableDef *t, const char *where)
{
    buf_puts(out, "DELETE FROM ");
    dialect_qualified(&dialect_mariadb, out, t->db, t->name);
    buf_puts(out, "\nWHERE ");
    buf_puts(out, where);
}

/* MariaDB converts a quoted 'YYYY-MM-DD[ HH:MM:SS]' to the column's type. */
static void mdb_date_literal(Buf *out, const char *ymd) { mdb_string(out, ymd); }
static void mdb_datetime_literal(Buf *out, const char *ts) { mdb_string(out, ts); }

static void mdb_cast_string(Buf *out, const char *expr)
{
    buf_printf(out, "CAST(%s AS CHAR)", expr);
}

static void mdb_date_add_days(Buf *out, const char *date_expr, int days)
{
    buf_printf(out, "DATE_ADD(%s, INTERVAL %d DAY)", date_expr, days);
}

static void mdb_date_add_expr(Buf *out, const char *date_expr, const char *days_expr)
{
    buf_printf(out, "DATE_ADD(%s, INTERVAL (%s) DAY)", date_expr, days_expr);
}

static void mdb_crc32(Buf *out, const char *expr)
{
    buf_printf(out, "CRC32(%s)", expr);
}

/* Every key can be addressed: a quoted key escapes " and \\. */
static AbcStatus mdb_check_json_key(const char *key, char *why, size_t whylen)
{
    (void)key;
    (void)why;
    (void)whylen;
    return ABC_OK;
}

/* JSON_VALUE gives a scalar's text (NULL for JSON null, objects and
 * arrays); a number is cast only when JSON_TYPE says it is one (a cast of
 * other text fails an INSERT in strict mode); a boolean is JSON_EXTRACT's
 * true/false. */
static void mdb_json_value(Buf *out, const char *json_expr, const char *const *keys, int nkeys,
                           JsonRead as)
{
    Buf path, lit;
    buf_init(&path);
    buf_init(&lit);
    dialect_json_path(&path, keys, nkeys);
    mdb_string(&lit, path.data);
    switch (as) {
    case JSON_READ_STRING: buf_printf(out, "JSON_VALUE(%s, %s)", json_expr, lit.data); break;
    case JSON_READ_NUMBER:
        buf_printf(out, "IF(JSON_TYPE(JSON_EXTRACT(%s, %s)) IN ('INTEGER', 'DOUBLE'), "
                        "CAST(JSON_VALUE(%s, %s) AS DOUBLE), NULL)",
                   json_expr, lit.data, json_expr, lit.data);
        break;
    case JSON_READ_BOOLEAN:
        buf_printf(out, "CASE JSON_EXTRACT(%s, %s) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END",
                   json_expr, lit.data);
        break;
    }
    buf_free(&path);
    buf_free(&lit);
}

const Dialect dialect_mariadb = {
    .id = DIALECT_MARIADB,
    .name = "mariadb",
    .max_ident = MDB_MAX_IDENT,
    .fill_by_day = true,
    .moments_per_unit = true,
    .cut_units_session = true,
    .group_by_sort = "SQL_BIG_RESULT",
    .check_ident = mdb_check_ident,
    .ident = mdb_ident,
    .check_string = mdb_check_string,
    .string = mdb_string,
    .col_type = mdb_col_type,
    .create_table = mdb_create_table,
    .add_columns = mdb_add_columns,
    .analyze_table = mdb_analyze_table,
    .write = mdb_write,
    .write_together = mdb_write_together,
    .delete_where = mdb_delete_where,
    .rollback = "ROLLBACK",
    .snapshot_begin = "START TRANSACTION WITH CONSISTENT SNAPSHOT",
    .read_committed_next = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
    .read_committed_check = "SELECT @@log_bin = 0 OR @@binlog_format <> 'STATEMENT'",
    .join_left_first = "STRAIGHT_JOIN",
    .cross_join_left_first = "STRAIGHT_JOIN",
    .session_settings = mdb_session_settings,
    .date_literal = mdb_date_literal,
    .datetime_literal = mdb_datetime_literal,
    .cast_string = mdb_cast_string,
    .date_add_days = mdb_date_add_days,
    .date_add_expr = mdb_date_add_expr,
    .crc32 = mdb_crc32,
    .percentile = NULL, /* a window only: abc computes the caps (dialect.h) */
    .check_json_key = mdb_check_json_key,
    .json_value = mdb_json_value,
};
