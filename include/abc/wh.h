/* wh.h — the warehouse client: MariaDB embedded in the process, or a remote
 * MariaDB / StarRocks server over the MySQL protocol (libmariadbd).
 *
 * Process lifetime.  libmariadbd is initialised once per process, and the
 * first wh_open_* call decides how:
 *   - wh_open_embedded() starts the embedded server on its datadir (created,
 *     and its `mysql` system schema bootstrapped, on first use).  Later
 *     embedded opens must name the same datadir; remote opens still work.
 *   - wh_open_remote() as the first call initialises the client library
 *     only: no embedded server is ever started in that process, and a later
 *     wh_open_embedded() fails with ABC_ERR_ENV.
 * Connections can be opened and closed any number of times.  wh_shutdown()
 * ends the library (and the embedded server) after all handles are closed;
 * no warehouse can be opened after it.  All calls must come from one thread.
 *
 * Ownership.  A Warehouse is owned by the caller and released with
 * wh_close().  Strings passed in are copied.  Errors are written into the
 * caller's err buffer as "warehouse error CODE (SQLSTATE): message
 * [in: first line of the statement]"; passwords never appear in messages.
 *
 * Statements.  One statement per wh_exec()/wh_query() call (StarRocks runs
 * multi-statement text without atomicity; docs/GENERATED.md).  Transient
 * failures — connection lost (2006, 2013), deadlock (1213), lock wait
 * timeout (1205) — are retried with exponential backoff up to max_retries
 * times, reconnecting first when the connection was lost; nothing is retried
 * inside an explicit transaction (the caller must redo the transaction),
 * after a query has delivered rows, or on any other error (syntax, missing
 * table ...).  A retried statement may run twice if the server executed it
 * before the connection dropped, so retried statements should be idempotent
 * (set max_retries = 0 for those that are not).
 */
#ifndef ABC_WH_H
#define ABC_WH_H

#include <stddef.h>
#include <stdint.h>

#include "abc/base.h"
#include "abc/dialect.h"

typedef struct Warehouse Warehouse;

/* What went wrong, for callers outside src/wh/: they decide on these kinds,
 * never on server error numbers (which differ between MariaDB, MySQL and
 * StarRocks).  wh_last_errno() stays for messages and tests. */
typedef enum WhErrKind {
    WH_ERR_NONE = 0,         /* the last call succeeded */
    WH_ERR_OTHER,            /* anything not listed below */
    WH_ERR_NO_TABLE,         /* the table, or its database, does not exist */
    WH_ERR_DUP_KEY,          /* a row with the same unique key exists */
    WH_ERR_DATA_TOO_LONG,    /* a value does not fit its column */
    WH_ERR_SYNTAX,           /* the server could not parse the statement */
    WH_ERR_ACCESS,           /* access denied */
    WH_ERR_DISK_FULL,        /* storage: disk or table full (1021, 1114, errno 28), a file
                              * not written (3, 20, 1026) */
    WH_ERR_RESOURCES,        /* out of memory or other resources */
    WH_ERR_TIMEOUT,          /* the statement ran past the session's statement timeout */
    WH_ERR_LOCK,             /* deadlock or lock wait timeout (the transaction is gone) */
    WH_ERR_CONN_LOST,        /* the session ended (gone away, lost, killed): its
                              * transaction is rolled back already */
    WH_ERR_CONN_REFUSED,     /* no connection could be made */
    WH_ERR_LOCAL_INFILE,     /* LOAD DATA LOCAL INFILE refused by client or server */
    WH_ERR_CLIENT            /* another client-side failure */
} WhErrKind;

/* Connection options; a zeroed struct (or NULL) means the defaults shown. */
typedef struct WhOptions {
    unsigned connect_timeout_s;   /* remote connect; default 10 */
    unsigned read_timeout_s;      /* remote reads; default 3600 (long queries) */
    unsigned write_timeout_s;     /* remote writes; default 600 */
    int max_retries;              /* transient-error retries; default 3, <0 = 0 */
    unsigned retry_base_ms;       /* first backoff; doubles each retry; default 200 */
    const char *init_command;     /* SQL run on every (re)connect, e.g. "SET ..." */
    int local_infile;             /* allow LOAD DATA LOCAL INFILE from this client */
    unsigned buffer_pool_mb;      /* embedded server only, first start; default 256 */
} WhOptions;

/* Counters of one handle, for tests and progress output. */
typedef struct WhStats {
    uint64_t statements;   /* statements sent (each attempt counts) */
    uint64_t retries;      /* attempts repeated after a transient error */
    uint64_t reconnects;   /* connections re-established after a loss */
} WhStats;

/* One result row handed to a WhRowFn.  values[i] == NULL is SQL NULL;
 * lengths[i] is its byte length (values may contain NUL bytes).  All
 * pointers are valid only during the callback. */
typedef struct WhRow {
    unsigned ncols;
    const char *const *names;       /* column names (labels) */
    const char *const *values;
    const unsigned long *lengths;
    uint64_t index;                 /* 0-based row number */
} WhRow;

/* Return ABC_OK to continue; anything else stops the query, and wh_query()
 * returns that status (the rest of the result is discarded). */
typedef AbcStatus (*WhRowFn)(const WhRow *row, void *ctx);

/* Start (first call) or reuse the embedded server on datadir (created with
 * parents if missing) and connect to it, with db (may be NULL) as the
 * default database, created if missing.  The datadir is locked against a
 * second process.  *out only on success. */
AbcStatus wh_open_embedded(const char *datadir, const char *db, const WhOptions *opt,
                           Warehouse **out, char *err, size_t errlen) ABC_MUST_CHECK;

/* Connect to a remote server: unix_socket when non-NULL/non-empty (host
 * and port are then ignored), else host:port over TCP (port 0 = 3306).
 * user, password and db may be NULL.  password is kept in memory for
 * reconnects and wiped by wh_close().  *out only on success. */
AbcStatus wh_open_remote(const char *host, unsigned port, const char *user,
                         const char *password, const char *db, const char *unix_socket,
                         const WhOptions *opt, Warehouse **out, char *err,
                         size_t errlen) ABC_MUST_CHECK;

/* Close the connection and free the handle; NULL is a no-op. */
void wh_close(Warehouse *w);

/* A thread other than the one that opened the library calls
 * wh_thread_begin() before its first statement on a handle (opened
 * elsewhere, used by this thread alone) and wh_thread_end() before it
 * exits: the client library's per-thread state. */
void wh_thread_begin(void);
void wh_thread_end(void);

/* End the library (stops the embedded server).  Call once, after every
 * handle is closed; later opens fail.  Handles still open are disconnected
 * (every later call on them fails; wh_close() still frees them).  Safe
 * when nothing was opened. */
void wh_shutdown(void);

/* DIALECT_STARROCKS or DIALECT_MARIADB (never DIALECT_AUTO), detected at
 * connect; dialect_id_name() names it. */
DialectId wh_dialect(const Warehouse *w);
const char *wh_server_version(const Warehouse *w); /* as reported at connect */
int wh_is_embedded(const Warehouse *w);
WhStats wh_stats(const Warehouse *w);

/* Server error code and SQLSTATE of the last failed call (0 / "00000" after
 * a success); client-side errors use the 2000-range codes. */
unsigned wh_last_errno(const Warehouse *w);
const char *wh_last_sqlstate(const Warehouse *w);
/* The kind of the last failure (WH_ERR_NONE after a success). */
WhErrKind wh_last_error(const Warehouse *w);

/* While on, the statements sent depend on the session (temporary tables of
 * earlier ones): a lost connection is not retried statement by statement
 * but returned (ABC_ERR_ENV, WH_ERR_CONN_LOST), for the caller to redo the
 * whole group on a new connection or stop.  Calls nest: each `on` is ended
 * by one `off`, and the last `off` ends it. */
void wh_session_bound(Warehouse *w, bool on);
/* Run sql (a session setting, e.g. "SET ...") now and again on every
 * reconnect, replacing any earlier one and the WhOptions init_command. */
AbcStatus wh_set_session(Warehouse *w, const char *sql, char *err, size_t errlen) ABC_MUST_CHECK;
/* The kind of a server or client error number. */
WhErrKind wh_error_kind(unsigned code);
/* Whether a server message says the disk is full (ENOSPC, errno 28): a
 * storage engine error (1030) carrying it is WH_ERR_DISK_FULL. */
bool wh_message_no_space(const char *msg);

/* Run one statement and discard any result.  *affected (may be NULL) gets
 * the affected-row count on success. */
AbcStatus wh_exec(Warehouse *w, const char *sql, uint64_t *affected, char *err,
                  size_t errlen) ABC_MUST_CHECK;

/* Run one statement and stream its rows to fn, one at a time, without
 * holding the result in memory (mysql_use_result).  A statement without a
 * result set calls fn zero times.  *nrows (may be NULL) gets the number of
 * rows delivered on success. */
AbcStatus wh_query(Warehouse *w, const char *sql, WhRowFn fn, void *ctx, uint64_t *nrows,
                   char *err, size_t errlen) ABC_MUST_CHECK;

/* Run a query expected to return exactly one row; *out gets a malloc'd copy
 * of its first column (NULL for SQL NULL; the caller frees it).  Zero rows
 * or more than one row is an error (ABC_ERR_SPEC). */
AbcStatus wh_query_value(Warehouse *w, const char *sql, char **out, char *err,
                         size_t errlen) ABC_MUST_CHECK;

/* Escape s (n bytes) as the inside of a single-quoted string literal for
 * this connection's character set, appended to b (no quotes added). */
void wh_escape(Warehouse *w, Buf *b, const char *s, size_t n);

/* ---- session status counters (benchmarks) ------------------------------- */
typedef struct WhCounter {
    char name[64];
    uint64_t value;
} WhCounter;

typedef struct WhCounters {
    WhCounter *items;   /* malloc'd; release with wh_counters_free() */
    size_t n;
} WhCounters;

/* SHOW SESSION STATUS LIKE 'like' (e.g. "Handler_read%"); non-numeric values
 * are skipped.  *out only on success. */
AbcStatus wh_session_status(Warehouse *w, const char *like, WhCounters *out, char *err,
                            size_t errlen) ABC_MUST_CHECK;
/* Value of the counter called name (case-insensitive), 0 when absent. */
uint64_t wh_counter(const WhCounters *c, const char *name);
void wh_counters_free(WhCounters *c);

#endif
