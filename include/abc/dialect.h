/* dialect.h — the SQL dialects abc targets, behind one small interface.
 *
 * A Dialect is a constant struct of function pointers plus a few limits.
 * The SQL generator (sqlgen.h) never spells a dialect-specific construct
 * itself: identifiers, string literals, column types, CREATE TABLE, the
 * write statements (overwrite a partition, replace a date range, upsert by
 * key) and the few functions whose spelling differs all go through here.
 *
 * Quoting contract:
 *   * check_ident() says whether a name can be written as a quoted
 *     identifier in this dialect (NUL, control characters, invalid UTF-8,
 *     over-long names and, for StarRocks, backticks are refused with a
 *     reason); ident() then writes it backquoted — MariaDB doubles an
 *     embedded backtick, StarRocks never sees one.
 *   * check_string() refuses what no literal can carry (invalid UTF-8);
 *     string() writes a literal that means exactly the given bytes whatever
 *     the session's sql_mode (MariaDB: no backslash ever reaches the server
 *     inside quotes; StarRocks: backslash and quote are escaped, since its
 *     lexer always processes backslash escapes).
 * Neither allocates anything but the output Buf; neither fails once the
 * corresponding check has passed.
 *
 * The statement builders append complete statements (no trailing ';') to a
 * SqlStmts list; a "write" may take several statements (MariaDB wraps
 * DELETE + INSERT in a transaction, marked with SQLSTMT_TX_* flags), each
 * sent as its own call.
 */
#ifndef ABC_DIALECT_H
#define ABC_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "abc/base.h"

/* The one list of dialects, shared by the configuration (where AUTO means
 * "ask the server"), the warehouse client (which reports STARROCKS or
 * MARIADB, never AUTO) and the Dialect structs below. */
typedef enum DialectId {
    DIALECT_AUTO = 0,   /* configuration only: detect from the server */
    DIALECT_STARROCKS,
    DIALECT_MARIADB     /* MariaDB (embedded or server) and plain MySQL */
} DialectId;

/* "auto" | "starrocks" | "mariadb". */
const char *dialect_id_name(DialectId id);

/* Portable column types; each dialect spells them. STR_n holds n characters. */
typedef enum ColType {
    CT_STR16, CT_STR32, CT_STR64, CT_STR128, CT_STR255,
    CT_TINYINT, CT_INT, CT_BIGINT, CT_DOUBLE, CT_DATE, CT_DATETIME
} ColType;

typedef struct TableCol {
    const char *name;
    ColType type;
    bool not_null;
    const char *comment; /* plain text; may be NULL */
} TableCol;

/* StarRocks cancels a load whose encoded primary key is longer (BE
 * primary_key_limit_size). */
enum { STARROCKS_KEY_LIMIT = 128 };

typedef enum TableKey {
    TKEY_DUPLICATE, /* rows may repeat; the first nkey columns order/sort them */
    TKEY_PRIMARY    /* the first nkey columns are unique; INSERT upserts */
} TableKey;

typedef enum TablePart {
    TPART_NONE,
    TPART_DAY, /* one partition per day of the DATE column part_col */
    TPART_LIST, /* one partition per value of part_col (e.g. the tag) */
    TPART_TAG_DAY /* one partition per `tag` and day of the DATE column part_col: a
                   * table several tags may write, each replacing only its days */
} TablePart;

/* a MariaDB secondary index of a TableDef: `name` over cols (NULL-terminated) */
#define TABLE_MAX_INDEXES 4
typedef struct TableIndex {
    const char *name;
    const char *cols[4];
} TableIndex;

typedef struct TableDef {
    const char *db;   /* may be NULL: unqualified */
    const char *name;
    const TableCol *cols;
    int ncols;
    TableKey key;
    int nkey;            /* key = the first nkey columns */
    TablePart part;
    const char *part_col;
    const char *dist_col; /* StarRocks hash-distribution column */
    const char *comment;  /* plain text */
    bool evolving;        /* columns will be added by migrations */
    /* MariaDB: every read of the table names its day, so a day-partitioned
     * TKEY_DUPLICATE table gets no second index in unit order
     * (abc_unit_key), whose upkeep is a random insert per row */
    bool read_by_day;
    int replication_num;  /* StarRocks PROPERTIES "replication_num"; 0: the cluster's default */
    /* MariaDB: also these secondary indexes, for reads the primary key does
     * not serve (a source joined to its units by user; units by their day 0;
     * units by exposure time; a day's wide rows inside the longest window);
     * name NULL: none from there on */
    TableIndex indexes[TABLE_MAX_INDEXES];
    const char *plan_name; /* the table's key in plan.json "tables" */
    const int *key_bytes; /* NULL, or per key column: a string of a StarRocks PRIMARY KEY
                           * holds at most this many bytes (VARCHAR(n); 0: the type's
                           * length), so the encoded key fits STARROCKS_KEY_LIMIT */
} TableDef;

/* The longest encoded primary key of t on StarRocks: a string costs its
 * length in bytes plus 2 (except the last key column), DATE and INT 4,
 * BIGINT and DATETIME 8, TINYINT 1.  0 for a table without PRIMARY KEY. */
int starrocks_key_bytes(const TableDef *t);

/* What a statement does besides its text, for whoever sends it: the
 * runner learns that a statement opens or closes a transaction from these
 * bits, never by reading the SQL. */
enum SqlStmtFlag {
    SQLSTMT_TX_BEGIN = 1u << 0, /* opens a transaction (MariaDB START TRANSACTION) */
    SQLSTMT_TX_END = 1u << 1,   /* commits it; a failure in between needs a ROLLBACK */
    SQLSTMT_EARLIER_STATE = 1u << 2 /* changes only unit state written before the dates due:
                                     * nothing to do (the runner skips it) without any */
};

/* A list of statements, each a NUL-terminated string in the arena, with
 * its SqlStmtFlag bits in flags[i]. */
typedef struct SqlStmts {
    Arena *arena;
    const char **items;
    unsigned *flags;
    int n, cap;
} SqlStmts;

void sql_stmts_init(SqlStmts *s, Arena *a);
/* Append a copy of the Buf's text as one statement (no flags). */
void sql_stmts_push(SqlStmts *s, const Buf *text);
/* Same, with SqlStmtFlag bits. */
void sql_stmts_push_flags(SqlStmts *s, const Buf *text, unsigned flags);

typedef enum WriteMode {
    WRITE_UPSERT,        /* insert rows, replacing rows with the same primary key */
    WRITE_APPEND,        /* plain insert */
    WRITE_REPLACE_PART,  /* atomically replace the rows with part_col = part_value */
    WRITE_REPLACE_RANGE  /* replace the rows with lo <= part_col <= hi */
} WriteMode;

/* How an upsert meets a stored row with the same key, per column (MariaDB;
 * a NULL stored value takes the new one). */
typedef enum UpsertMerge {
    UPSERT_NEW = 0, /* the new row's value */
    UPSERT_LEAST,   /* the lesser of the two */
    UPSERT_GREATEST /* the greater of the two */
} UpsertMerge;

typedef struct WriteSpec {
    WriteMode mode;
    const TableDef *table;
    const char *part_col;   /* REPLACE_*: the column selecting the rows replaced */
    const char *part_value; /* REPLACE_PART: SQL expression (literal or placeholder) */
    const char *lo, *hi;    /* REPLACE_RANGE: SQL expressions */
    const char *label;      /* StarRocks load label (identifier text), may be NULL */
    const char *comment;    /* one-line comment (already sanitised), may be NULL */
    const char *const *cols; /* target columns, in order */
    int ncols;
    const char *body;       /* the query (WITH ... SELECT ...) or VALUES ... */
    /* `branches`: more queries whose rows the write adds (each a SELECT
     * with its comment lines); `with`: NULL, or the WITH clause body and
     * branches share, kept out of body so that each statement can repeat
     * it.  StarRocks writes them in one statement (with, body, UNION ALL
     * each branch), its overwrite replacing a partition once; MariaDB's
     * replace sends an INSERT per query inside its transaction (a UNION
     * ALL feeding an INSERT goes through a temporary table read once
     * more), its other writes one INSERT of them all. */
    const char *with;
    const char *const *branches;
    int nbranches;
    const char *tag_value;  /* REPLACE_*: only rows with `tag` = this SQL literal are replaced
                             * (a table several tags may write); NULL: every row.  StarRocks
                             * overwrites the partition (`tag`, part_col) of a TPART_TAG_DAY
                             * table and deletes by tag too in a REPLACE_RANGE */
    const UpsertMerge *upsert_merge; /* UPSERT, MariaDB: per column of cols; NULL: every column
                                      * UPSERT_NEW.  StarRocks replaces the row: its body
                                      * computes the merged values */
    const char *const *prelude; /* write, not write_together: nprelude statements sent
                                 * first, in order — inside the transaction where the
                                 * dialect opens one (MariaDB's replace), so a session
                                 * table the body reads is written under the write's
                                 * isolation level and never re-sent alone */
    int nprelude;
    bool small_derived_buffered; /* MariaDB: the body joins its derived tables (each of a
                                  * few rows, read after the large table) from a join
                                  * buffer, not through a key built on each (a lookup per
                                  * row): SET STATEMENT derived_with_keys=off */
    bool touched_parts;     /* REPLACE_RANGE: every partition of [lo, hi] that had rows gets
                             * rows from body; StarRocks then replaces the partitions the rows
                             * fill with one atomic dynamic INSERT OVERWRITE (no DELETE) */
} WriteSpec;

/* What a value in a JSON column is read as (JSON_READ_NUMBER: a DOUBLE,
 * NULL unless the value is a JSON number; JSON_READ_BOOLEAN: true/false,
 * NULL unless the value is a JSON boolean). */
typedef enum JsonRead { JSON_READ_STRING, JSON_READ_NUMBER, JSON_READ_BOOLEAN } JsonRead;

/* What a run sets on each of its sessions (warehouse.* in abc.yaml); 0: the
 * server's own setting. */
typedef struct SessionSettings {
    unsigned timeout_s;     /* stop a statement running longer (StarRocks
                             * query_timeout; MariaDB max_statement_time) */
    unsigned temp_table_mb; /* MariaDB: the size a statement's internal
                             * temporary table (a GROUP BY, a derived table)
                             * keeps in memory before it moves to disk
                             * (tmp_table_size, max_heap_table_size);
                             * StarRocks has none */
} SessionSettings;

typedef struct Dialect {
    DialectId id;
    const char *name;   /* "starrocks" | "mariadb" */
    int max_ident;      /* longest identifier, in characters */
    /* Several dates due are filled a day statement per date (assign_day,
     * wide_day), not a range statement per chunk of dates: on a row store
     * (MariaDB) a day's statement sums each user's events once before
     * joining the units, where a range statement joins every event. */
    bool fill_by_day;
    /* stats_moments sends a row per unit (its cell and each metric's
     * value), unsorted, and abc adds the moments up (results.c) instead of
     * a grouping in the warehouse: MariaDB evaluates the grouping's forty
     * or so aggregate expressions per row slower than it sends the row; a
     * columnar engine aggregates in the warehouse.  abc then also takes
     * the percentile caps, the quantiles and the survival tables from
     * those rows (a percentile capped metric's value comes uncapped), so a
     * date's unit state is read once: no caps query, no query per quantile
     * or time-to-event metric.  A dialect without a percentile aggregate
     * needs this. */
    bool moments_per_unit;
    /* wide_day first writes the units whose day is cut (by their exposure
     * or their phase's end) to a session table keyed by user, which the
     * fill joins: MariaDB then knows their number, and looks their events
     * up by user where the source has an index led by (date, user), rather
     * than reading every event of the day (it estimates a derived UNION
     * from its branches' worst cases).  The experiments' phases go to a
     * session table too, without an index: the whole-day units join them
     * from a join buffer instead of looking a derived table's key up once
     * per unit.  A columnar engine hash-joins the CTEs. */
    bool cut_units_session;
    /* NULL, or the SELECT modifier of a grouping of many rows of one table
     * (the day's events per user, the unit state's values): MariaDB then
     * groups them by a sort instead of a lookup per row in a temporary
     * table, so each row is read once */
    const char *group_by_sort;

    AbcStatus (*check_ident)(const char *name, char *why, size_t whylen);
    void (*ident)(Buf *out, const char *name);
    AbcStatus (*check_string)(const char *s, char *why, size_t whylen);
    void (*string)(Buf *out, const char *s);

    void (*col_type)(Buf *out, ColType t);
    /* CREATE TABLE IF NOT EXISTS ... (one statement). */
    void (*create_table)(Buf *out, const TableDef *t);
    /* One ALTER TABLE adding the columns (NULL for existing rows); on MariaDB
     * also the lookup index when the table has one and lacks it. */
    void (*add_columns)(Buf *out, const TableDef *t, const TableCol *cols, int n);
    /* The statement that refreshes the optimizer's statistics of a table
     * just filled, or NULL where the warehouse keeps them itself (a stale
     * row count of the assignment table turns the wide fill's join into a
     * nested loop over every source row per unit). */
    void (*analyze_table)(Buf *out, const TableDef *t);
    /* The statements that perform one write. */
    void (*write)(SqlStmts *out, const WriteSpec *w);
    /* Several replacements (REPLACE_* writes) meant to be seen together:
     * one transaction where the dialect has them (MariaDB), one atomic
     * write after the other where it does not (StarRocks). */
    void (*write_together)(SqlStmts *out, const WriteSpec *w, int n);
    /* The statement that abandons an open transaction after a failure. */
    const char *rollback;
    /* The statement that opens a read-only transaction whose reads all see
     * the data as of that statement (MariaDB: START TRANSACTION WITH
     * CONSISTENT SNAPSHOT), or NULL where there is none (StarRocks); the
     * transaction ends with "COMMIT". */
    const char *snapshot_begin;
    /* The statement that makes the next transaction's reads lock nothing
     * (MariaDB: SET TRANSACTION ISOLATION LEVEL READ COMMITTED: an INSERT
     * ... SELECT under REPEATABLE READ takes shared next-key locks on the
     * rows it reads, and would queue behind, or block, a writer of the
     * same tables on another connection), and the query that says whether
     * it may be used (one row, 1 or 0: READ COMMITTED cannot write a
     * statement-format binary log); NULL where reads take no locks
     * (StarRocks). */
    const char *read_committed_next;
    const char *read_committed_check;
    /* A join that reads its left side first, as the outer loop: MariaDB's
     * STRAIGHT_JOIN; StarRocks's JOIN (its optimizer orders joins by cost
     * and broadcasts the small side). */
    const char *join_left_first;
    /* The same for a join without a condition (every pair of rows):
     * MariaDB's STRAIGHT_JOIN, StarRocks's CROSS JOIN. */
    const char *cross_join_left_first;
    /* The session's settings as one statement, sent on every connection
     * before the steps; nothing written when none applies (see
     * SessionSettings). */
    void (*session_settings)(Buf *out, const SessionSettings *s);
    /* Delete the rows of t matching `where` (SQL text), as one statement. */
    void (*delete_where)(Buf *out, const TableDef *t, const char *where);

    /* Typed literals of runtime values, already validated (YYYY-MM-DD;
     * YYYY-MM-DD HH:MM:SS): StarRocks has only DATE '…' and DATETIME '…'
     * (no TIMESTAMP literal); MariaDB converts a quoted string. */
    void (*date_literal)(Buf *out, const char *ymd);
    void (*datetime_literal)(Buf *out, const char *ymd_hms);

    /* Expressions. */
    void (*cast_string)(Buf *out, const char *expr);          /* expr as a string */
    void (*date_add_days)(Buf *out, const char *date_expr, int days);
    /* date_expr plus days_expr (an integer expression) days, a DATE. */
    void (*date_add_expr)(Buf *out, const char *date_expr, const char *days_expr);
    void (*crc32)(Buf *out, const char *string_expr);          /* zlib CRC-32, >= 0 */
    /* Continuous percentile (linear interpolation) of expr at p, an
     * aggregate (the caller groups); NULL where the dialect has none
     * (MariaDB has it only as a window): abc then computes the percentile
     * caps (moments_per_unit). */
    void (*percentile)(Buf *out, const char *expr, double p);
    /* JSON: whether a key can be addressed in this dialect's JSON paths
     * (the key is valid UTF-8 without control characters); then the value
     * of json_expr at the keys, read as `as` (NULL when the path is missing
     * or holds JSON null).  The path is written with the string literal
     * function. */
    AbcStatus (*check_json_key)(const char *key, char *why, size_t whylen);
    void (*json_value)(Buf *out, const char *json_expr, const char *const *keys, int nkeys,
                       JsonRead as);
} Dialect;

extern const Dialect dialect_starrocks;
extern const Dialect dialect_mariadb;

/* "starrocks" | "mariadb" → the dialect, or NULL. */
const Dialect *dialect_by_name(const char *name);
/* DIALECT_STARROCKS | DIALECT_MARIADB → the dialect; NULL for DIALECT_AUTO. */
const Dialect *dialect_by_id(DialectId id);

/* Shared helpers for the dialect implementations. */
/* Number of characters of a valid UTF-8 string, or -1 when it is not valid
 * UTF-8 (overlong forms, surrogates and code points above U+10FFFF are
 * invalid).  *max_cp receives the largest code point seen. */
long dialect_utf8_chars(const char *s, unsigned long *max_cp);
/* The JSON path $.k1."k 2" of the keys: a key of letters, digits and _
 * (not starting with a digit) as it is, any other in double quotes with
 * \" and \\ escaped. */
void dialect_json_path(Buf *out, const char *const *keys, int nkeys);
/* Write a qualified name `db`.`name` (db may be NULL). */
void dialect_qualified(const Dialect *d, Buf *out, const char *db, const char *name);

#endif
