/* config.h — abc.yaml plus environment: where the warehouse and GrowthBook
 * are, which databases to write, how far back a daily run looks.
 *
 * Precedence, lowest first: built-in defaults, the YAML file, environment
 * (ABC_DSN, ABC_PASSWORD, GROWTHBOOK_API_HOST, GROWTHBOOK_API_KEY; a variable
 * set to "" counts as unset).  The file format and every key are in
 * docs/CONFIG.md.  Relative paths are relative to the current directory.
 *
 * Secrets (the warehouse password, the GrowthBook API key) come only from the
 * environment or from a file that is private to the user (no group/other
 * permission bits, e.g. 0600).  A password inside a DSN, or a `password` /
 * `api_key` key in abc.yaml, is rejected with a message pointing to the
 * variable.  No error message and nothing config_describe() prints contains
 * a secret; config_free() wipes them.
 *
 * Errors: problems in the file are reported as "FILE:LINE:COL: error: msg"
 * (positions from libyaml marks, 1-based) and return ABC_ERR_USAGE; problems
 * with environment values as "VAR: error: msg" (ABC_ERR_USAGE); an unreadable
 * file, a missing --config file, or an unsafe secret file give ABC_ERR_ENV.
 * *out is written only on success and released with config_free().
 */
#ifndef ABC_CONFIG_H
#define ABC_CONFIG_H

#include "abc/base.h"
#include "abc/dialect.h"
#include "abc/gb.h"
#include "abc/wh.h"

/* mysql://user@host[:port][/database][?socket=/path] */
typedef struct ConfigDsn {
    const char *user;     /* percent-decoded, non-empty */
    const char *host;     /* name or IP; IPv6 without the brackets */
    unsigned port;        /* given, or 9030 for starrocks, else 3306 */
    int port_given;
    const char *database; /* "" when the DSN has none */
    const char *socket;   /* NULL unless ?socket= was given */
} ConfigDsn;

typedef struct ConfigWarehouse {
    int remote;                   /* 1: connect to dsn; 0: embedded MariaDB */
    ConfigDsn dsn;                /* valid when remote */
    const char *dsn_origin;       /* "abc.yaml" path or "ABC_DSN"; NULL if embedded */
    const char *password;         /* secret; NULL when none */
    const char *password_origin;  /* "ABC_PASSWORD" or "password_file PATH"; NULL */
    const char *password_file;    /* warehouse.password_file as written; NULL */
    const char *embedded_datadir; /* default ".abc/warehouse" */
    DialectId dialect;            /* default DIALECT_AUTO: detect from the server
                                   * (remote); MariaDB (embedded) */
    unsigned read_timeout_s;      /* remote reads; default 3600 */
    int replication_num;          /* StarRocks CREATE TABLE; 0 (default): the cluster's */
    unsigned lock_ttl_s;          /* a run's lease on its tag; default 21600 */
    unsigned query_timeout_s;     /* statement timeout of the run's session; 0 (default):
                                   * the server's (StarRocks query_timeout 300 s) */
    int connections;              /* remote: connections a run uses, 1 or 2 (default) */
    unsigned embedded_buffer_pool_mb; /* embedded server's InnoDB buffer pool; default 256 */
    unsigned temp_table_mb;       /* MariaDB sessions: a statement's temporary tables kept
                                   * in memory up to this size; default 256; 0: the
                                   * server's (16 MiB unless set) */
} ConfigWarehouse;

typedef struct ConfigGrowthbook {
    const char *api_host;         /* NULL unless API mode */
    const char *file;             /* snapshot path; NULL unless file mode */
    const char *api_key;          /* secret; NULL when none */
    const char *api_key_origin;   /* "GROWTHBOOK_API_KEY" or "api_key_file PATH"; NULL */
    const char *api_key_file;     /* growthbook.api_key_file as written; NULL */
    const char *project_id;       /* NULL = all projects */
    long connect_timeout_ms;      /* default 10000 */
    long timeout_ms;              /* default 60000 */
    long deadline_ms;             /* whole listing of a tag; default 300000 */
    int allow_insecure_http;      /* key over http:// to a non-loopback host */
} ConfigGrowthbook;

typedef struct ConfigDatabases {
    const char *abc;              /* default "abc" */
    const char *report;           /* default "flow_report_app" */
} ConfigDatabases;

typedef struct AbcConfig {
    const char *path;             /* the YAML file read; NULL when none */
    ConfigWarehouse warehouse;
    ConfigGrowthbook growthbook;
    ConfigDatabases databases;
    int lookback_days;            /* default 2 */
    /* private */
    Arena arena;
    char *secret_password, *secret_api_key;
} AbcConfig;

/* Load configuration.  path NULL: "abc.yaml" in the current directory if it
 * exists, else defaults; a path that is given must exist.  Then applies the
 * environment and reads secret files. */
AbcStatus config_load(const char *path, AbcConfig **out, char *err,
                      size_t errlen) ABC_MUST_CHECK;

/* Parse YAML text (need not be NUL-terminated) named `name` in messages.
 * No environment, no secret files: defaults + text only. */
AbcStatus config_parse(const char *text, size_t len, const char *name, AbcConfig **out,
                       char *err, size_t errlen) ABC_MUST_CHECK;

/* Parse a DSN into d (strings allocated in a); the message in err has no
 * location prefix and never repeats a password.  Port 0 when not given. */
AbcStatus config_parse_dsn(const char *dsn, Arena *a, ConfigDsn *d, char *err,
                           size_t errlen) ABC_MUST_CHECK;

/* GbOptions for the configured GrowthBook (pointers borrowed from c, which
 * must outlive o).  Other fields keep gb_options_init() defaults. */
void config_gb_options(const AbcConfig *c, GbOptions *o);

/* WhOptions for the configured warehouse: wh.h's defaults (3 retries, ...)
 * with the read timeout of the configuration. */
void config_wh_options(const AbcConfig *c, WhOptions *o);
/* The settings a run sends on each warehouse session (dialect.h), and
 * their statement in dialect d (appended to out; nothing when none applies). */
void config_session_settings(const AbcConfig *c, SessionSettings *s);
void config_session_statement(const AbcConfig *c, const Dialect *d, Buf *out);

/* Human-readable summary, one "key: value" per line; secrets appear only
 * as "set (from ORIGIN)" or "not set". */
void config_describe(const AbcConfig *c, Buf *out);

void config_free(AbcConfig *c);

#endif
