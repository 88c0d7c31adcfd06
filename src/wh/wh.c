/* wh.c — warehouse client over libmariadbd's mysql_* API.
 *
 * One Warehouse wraps one MYSQL connection, embedded or remote, plus what is
 * needed to re-establish it (connection parameters, options).  The library
 * itself is process-wide state: libmariadbd initialises once, and calling
 * any mysql_* function before mysql_library_init() would silently start an
 * embedded server with the compiled-in defaults (the system datadir), so
 * every path here goes through lib_init_* first.  With argc == -1
 * mysql_library_init() sets up the client side only.
 *
 * Statement execution is one loop (wh_run) shared by wh_exec and wh_query:
 * send, stream the result with mysql_use_result, classify a failure as
 * transient or not, back off, reconnect when the connection was lost, and
 * try again a bounded number of times.
 */
#include "abc/wh.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mysql.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- process-wide library state ----------------------------------------- */

typedef enum LibState { LIB_NONE, LIB_CLIENT, LIB_EMBEDDED, LIB_ENDED } LibState;

static LibState g_lib = LIB_NONE;
static char g_datadir[PATH_MAX];   /* embedded datadir (realpath) */
static int g_lock_fd = -1;         /* flock on <datadir>/abc.lock */
static int g_bootstrapped;         /* system schema checked this process */
static Warehouse *g_open;          /* open handles */

/* Scripts that create the `mysql` system schema, shipped by mariadb-server. */
static const char *const k_system_tables_sql[] = {
    "/usr/share/mysql/mysql_system_tables.sql",
    "/usr/share/mariadb/mysql_system_tables.sql",
};

struct Warehouse {
    Warehouse *next, *prev;     /* all open handles, for wh_shutdown() */
    MYSQL *m;                   /* NULL while disconnected (after a loss) */
    int embedded;
    int session_bound;          /* statements depend on session state: no silent reconnect */
    char *host, *user, *password, *db, *unix_socket, *init_command;
    unsigned port;
    WhOptions opt;              /* with defaults applied; init_command owned above */
    DialectId dialect;
    char version[128];
    WhStats stats;
    unsigned last_errno;
    char last_sqlstate[6];
    int last_no_space;          /* the last error's message says the disk is full (errno 28) */
};

/* ---- small helpers ------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void free_secret(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = 0;
    free(s);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) ABC_PRINTF(3, 4);
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The first line of sql that is not blank and not a "--" comment, cut to
 * max bytes, for error messages. */
static void first_line(const char *sql, char *out, size_t outlen)
{
    const char *p = sql ? sql : "";
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            const char *nl = strchr(p, '\n');
            if (!nl) {
                p += strlen(p);
                break;
            }
            p = nl + 1;
            continue;
        }
        break;
    }
    size_t n = strcspn(p, "\r\n");
    const size_t max = 120;
    if (outlen == 0)
        return;
    if (n > max) {
        snprintf(out, outlen, "%.*s...", (int)max, p);
    } else {
        snprintf(out, outlen, "%.*s", (int)n, p);
    }
}

static void remember_error(Warehouse *w, unsigned code, const char *state)
{
    w->last_errno = code;
    w->last_no_space = 0;
    snprintf(w->last_sqlstate, sizeof w->last_sqlstate, "%s", state && *state ? state : "HY000");
}

static void clear_error(Warehouse *w)
{
    w->last_errno = 0;
    w->last_no_space = 0;
    memcpy(w->last_sqlstate, "00000", 6);
}

/* Record the connection's current error and format it with the statement. */
static void statement_error(Warehouse *w, const char *sql, char *err, size_t errlen)
{
    char line[160];
    unsigned code = mysql_errno(w->m);
    remember_error(w, code, mysql_sqlstate(w->m));
    w->last_no_space = wh_message_no_space(mysql_error(w->m));
    first_line(sql, line, sizeof line);
    set_err(err, errlen, "warehouse error %u (%s): %s [in: %s]", code, w->last_sqlstate,
            mysql_error(w->m), line);
}

static int is_connection_lost(unsigned code)
{
    /* 2006 server gone away, 2013 lost during query, 2055 lost (extended),
     * 1927 connection killed: the session is gone, a new one is needed. */
    return code == 2006 || code == 2013 || code == 2055 || code == 1927;
}

static int is_transient(unsigned code)
{
    /* 1213 deadlock, 1205 lock wait timeout */
    return is_connection_lost(code) || code == 1213 || code == 1205;
}

/* Errors that say the warehouse (not the statement) is the problem. */
static AbcStatus status_for(unsigned code)
{
    if (code >= 2000 || is_transient(code))
        return ABC_ERR_ENV;
    if (wh_error_kind(code) == WH_ERR_DISK_FULL || code == 1969 || code == 3024)
        return ABC_ERR_ENV; /* storage errors; a statement timeout (MariaDB, MySQL) */
    switch (code) {
    case 1037: /* out of memory */
    case 1038: /* out of sort memory */
    case 1040: /* too many connections */
    case 1041: /* out of resources */
    case 1044: /* access denied to database */
    case 1045: /* access denied for user */
    case 1129: /* host blocked */
    case 1130: /* host not allowed */
    case 1203: /* max user connections */
        return ABC_ERR_ENV;
    default:
        return ABC_ERR_SPEC;
    }
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void apply_defaults(WhOptions *o, const WhOptions *in)
{
    memset(o, 0, sizeof *o);
    if (in)
        *o = *in;
    if (!o->connect_timeout_s)
        o->connect_timeout_s = 10;
    if (!o->read_timeout_s)
        o->read_timeout_s = 3600;
    if (!o->write_timeout_s)
        o->write_timeout_s = 600;
    if (!in)
        o->max_retries = 3;
    if (o->max_retries < 0)
        o->max_retries = 0;
    if (!o->retry_base_ms)
        o->retry_base_ms = 200;
    if (!o->buffer_pool_mb)
        o->buffer_pool_mb = 256;
    o->init_command = NULL;
}

/* Append `name` with backticks doubled. */
static void put_ident(Buf *b, const char *name)
{
    buf_putc(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            buf_putc(b, '`');
        buf_putc(b, *p);
    }
    buf_putc(b, '`');
}

/* ---- library initialisation --------------------------------------------- */

static AbcStatus lib_init_client(char *err, size_t errlen)
{
    if (g_lib == LIB_CLIENT || g_lib == LIB_EMBEDDED)
        return ABC_OK;
    if (g_lib == LIB_ENDED) {
        set_err(err, errlen, "warehouse: client library already shut down in this process");
        return ABC_ERR_ENV;
    }
    /* argc == -1: client side only, never the embedded server */
    if (mysql_library_init(-1, NULL, NULL) != 0) {
        set_err(err, errlen, "warehouse: cannot initialise the MariaDB client library");
        return ABC_ERR_ENV;
    }
    g_lib = LIB_CLIENT;
    return ABC_OK;
}

/* Take an exclusive lock on <dir>/abc.lock so two processes never run an
 * embedded server on the same datadir. */
static AbcStatus lock_datadir(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/abc.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        set_err(err, errlen, "warehouse: cannot create %s: %s", path, strerror(errno));
        return ABC_ERR_ENV;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            set_err(err, errlen,
                    "warehouse: datadir %s is in use by another process (embedded warehouse "
                    "allows one process at a time)", dir);
        else
            set_err(err, errlen, "warehouse: cannot lock %s: %s", path, strerror(e));
        return ABC_ERR_ENV;
    }
    g_lock_fd = fd;
    return ABC_OK;
}

static AbcStatus lib_init_embedded(const char *datadir, unsigned buffer_pool_mb, char *err,
                                   size_t errlen)
{
    char real[PATH_MAX];
    AbcStatus st;

    if (!datadir || !*datadir) {
        set_err(err, errlen, "warehouse: empty datadir");
        return ABC_ERR_USAGE;
    }
    if (g_lib == LIB_ENDED) {
        set_err(err, errlen, "warehouse: client library already shut down in this process");
        return ABC_ERR_ENV;
    }
    if (g_lib == LIB_CLIENT) {
        set_err(err, errlen,
                "warehouse: cannot start the embedded server: this process already uses the "
                "client library for a remote warehouse");
        return ABC_ERR_ENV;
    }
    if (g_lib == LIB_EMBEDDED) {
        if (!realpath(datadir, real) || strcmp(real, g_datadir) != 0) {
            set_err(err, errlen,
                    "warehouse: embedded server already runs on %s; cannot also open %s",
                    g_datadir, datadir);
            return ABC_ERR_ENV;
        }
        return ABC_OK;
    }

    st = file_mkdirs(datadir, err, errlen);
    if (st != ABC_OK)
        return st;
    if (!realpath(datadir, real)) {
        set_err(err, errlen, "warehouse: %s: %s", datadir, strerror(errno));
        return ABC_ERR_ENV;
    }
    if (strcmp(real, "/var/lib/mysql") == 0 || strncmp(real, "/var/lib/mysql/", 15) == 0) {
        set_err(err, errlen, "warehouse: refusing to run the embedded server on the system "
                             "datadir %s", real);
        return ABC_ERR_ENV;
    }
    /* `sudo abc run` in a user's project would leave root-owned files in
     * the user's datadir, which the user's next run cannot open */
    struct stat dsb;
    if (stat(real, &dsb) != 0) {
        set_err(err, errlen, "warehouse: %s: %s", real, strerror(errno));
        return ABC_ERR_ENV;
    }
    if (dsb.st_uid != geteuid()) {
        struct passwd *owner = getpwuid(dsb.st_uid);
        char owner_name[64];
        snprintf(owner_name, sizeof owner_name, "%s", owner ? owner->pw_name : "?");
        struct passwd *me = getpwuid(geteuid());
        set_err(err, errlen, "warehouse: the embedded datadir %s belongs to uid %u (%s) but abc "
                             "runs as uid %u (%s); run abc as the datadir's owner (without sudo)",
                real, (unsigned)dsb.st_uid, owner_name, (unsigned)geteuid(),
                me ? me->pw_name : "?");
        return ABC_ERR_ENV;
    }
    st = lock_datadir(real, err, errlen);
    if (st != ABC_OK)
        return st;

    char a_datadir[PATH_MAX + 16], a_pool[64], tmpdir[PATH_MAX + 8];
    snprintf(a_datadir, sizeof a_datadir, "--datadir=%s", real);
    /* A private tmpdir inside the datadir (--ignore-db-dirs: not a database):
     * concurrent processes sharing /tmp collide on temporary-table files,
     * and /tmp may be cleaned under a long query.  The embedded server
     * ignores --tmpdir and takes $TMPDIR at start, so TMPDIR is set for
     * the duration of mysql_library_init() only. */
    snprintf(tmpdir, sizeof tmpdir, "%s/.tmp", real);
    if (mkdir(tmpdir, 0700) != 0 && errno != EEXIST) {
        set_err(err, errlen, "warehouse: cannot create %s: %s", tmpdir, strerror(errno));
        close(g_lock_fd);
        g_lock_fd = -1;
        return ABC_ERR_ENV;
    }
    snprintf(a_pool, sizeof a_pool, "--innodb-buffer-pool-size=%uM", buffer_pool_mb);
    /* --no-defaults must come first: never read the system's my.cnf.
     * --skip-grant-tables also skips mysql.plugin / mysql.func at start, so
     * a fresh datadir starts quietly.  No --log-error: in the embedded
     * server it would redirect this process's stderr into the log. */
    char *args[] = {
        "abc",
        "--no-defaults",
        a_datadir,
        a_pool,
        "--skip-grant-tables",
        "--ignore-db-dirs=.tmp",
        "--innodb-flush-log-at-trx-commit=2",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_general_ci",
        "--log-warnings=1",
        NULL,
    };
    int argc = (int)(sizeof args / sizeof args[0]) - 1;
    const char *old_tmp = getenv("TMPDIR");
    char *saved_tmp = old_tmp ? strdup(old_tmp) : NULL;
    setenv("TMPDIR", tmpdir, 1);
    mode_t caller_umask = umask(077); /* the server sets its own: keep the caller's */
    umask(caller_umask);
    int init_rc = mysql_library_init(argc, args, NULL);
    umask(caller_umask);
    if (saved_tmp)
        setenv("TMPDIR", saved_tmp, 1);
    else
        unsetenv("TMPDIR");
    free(saved_tmp);
    if (init_rc != 0) {
        g_lib = LIB_ENDED; /* a failed server start cannot be retried in-process */
        close(g_lock_fd);
        g_lock_fd = -1;
        set_err(err, errlen, "warehouse: embedded server failed to start on %s (its messages "
                             "are on stderr above)", real);
        return ABC_ERR_ENV;
    }
    snprintf(g_datadir, sizeof g_datadir, "%s", real);
    g_lib = LIB_EMBEDDED;
    return ABC_OK;
}

/* ---- connecting ----------------------------------------------------------- */

static AbcStatus detect_dialect(Warehouse *w);

/* (Re)connect w->m from the parameters in w.  On failure w->m stays NULL. */
static AbcStatus wh_connect(Warehouse *w, char *err, size_t errlen)
{
    /* after mysql_library_end() a mysql_init() would start a default
     * embedded server: never call it then */
    if (g_lib != LIB_CLIENT && g_lib != LIB_EMBEDDED) {
        remember_error(w, 2000, "HY000"); /* CR_UNKNOWN_ERROR: not retried */
        set_err(err, errlen, "warehouse: the client library was shut down");
        return ABC_ERR_ENV;
    }
    MYSQL *m = mysql_init(NULL);
    if (!m) {
        set_err(err, errlen, "warehouse: out of memory");
        return ABC_ERR_ENV;
    }
    unsigned long flags = 0;
    if (w->embedded) {
        mysql_options(m, MYSQL_OPT_USE_EMBEDDED_CONNECTION, NULL);
    } else {
        mysql_options(m, MYSQL_OPT_USE_REMOTE_CONNECTION, NULL);
        mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &w->opt.connect_timeout_s);
        mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &w->opt.read_timeout_s);
        mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &w->opt.write_timeout_s);
    }
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (w->init_command)
        mysql_options(m, MYSQL_INIT_COMMAND, w->init_command);
    if (w->opt.local_infile) {
        unsigned on = 1;
        mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &on);
        flags |= CLIENT_LOCAL_FILES;
    }
    const char *sock = w->unix_socket && *w->unix_socket ? w->unix_socket : NULL;
    const char *host = w->embedded ? NULL : (sock ? "localhost" : (w->host ? w->host : "127.0.0.1"));
    if (!mysql_real_connect(m, host, w->user, w->password, NULL, w->port, sock, flags)) {
        remember_error(w, mysql_errno(m), mysql_sqlstate(m));
        if (w->embedded)
            set_err(err, errlen, "warehouse: cannot connect to the embedded server on %s: %u %s",
                    g_datadir, mysql_errno(m), mysql_error(m));
        else if (sock)
            set_err(err, errlen, "warehouse: cannot connect to %s@%s: %u %s",
                    w->user ? w->user : "", sock, mysql_errno(m), mysql_error(m));
        else
            set_err(err, errlen, "warehouse: cannot connect to %s@%s:%u: %u %s",
                    w->user ? w->user : "", host, w->port ? w->port : 3306u, mysql_errno(m),
                    mysql_error(m));
        mysql_close(m);
        return ABC_ERR_ENV;
    }
    w->m = m;
    if (w->db && *w->db && mysql_select_db(m, w->db) != 0) {
        remember_error(w, mysql_errno(m), mysql_sqlstate(m));
        set_err(err, errlen, "warehouse: cannot use database %s: %u %s", w->db, mysql_errno(m),
                mysql_error(m));
        mysql_close(m);
        w->m = NULL;
        return status_for(w->last_errno);
    }
    return ABC_OK;
}

/* MariaDB says so in its version string; StarRocks reports a MySQL-like
 * version (default "8.0.33" or "5.1.0") but "StarRocks version X" in
 * @@version_comment.  Anything else speaks MariaDB/MySQL SQL. */
static AbcStatus detect_dialect(Warehouse *w)
{
    const char *v = mysql_get_server_info(w->m);
    snprintf(w->version, sizeof w->version, "%s", v ? v : "");
    w->dialect = DIALECT_MARIADB;
    if (w->embedded || strstr(w->version, "MariaDB"))
        return ABC_OK;
    if (strcasestr(w->version, "starrocks")) {
        w->dialect = DIALECT_STARROCKS;
        return ABC_OK;
    }
    if (mysql_query(w->m, "SELECT @@version_comment") != 0)
        return ABC_OK; /* not StarRocks-like; keep MariaDB */
    MYSQL_RES *r = mysql_store_result(w->m);
    if (r) {
        MYSQL_ROW row = mysql_fetch_row(r);
        if (row && row[0] && strcasestr(row[0], "starrocks"))
            w->dialect = DIALECT_STARROCKS;
        mysql_free_result(r);
    }
    return ABC_OK;
}

/* Run the system-tables script once on a fresh embedded datadir, so that
 * stored functions, persistent statistics and plugins have their tables. */
static AbcStatus bootstrap_system_schema(Warehouse *w, char *err, size_t errlen)
{
    AbcStatus st = ABC_OK;
    MYSQL *b = NULL;
    char *script = NULL;
    size_t script_len = 0;
    char lerr[256];

    if (g_bootstrapped)
        return ABC_OK;
    if (mysql_query(w->m, "SELECT COUNT(*) FROM information_schema.TABLES "
                          "WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'proc'") != 0) {
        statement_error(w, "SELECT COUNT(*) FROM information_schema.TABLES", err, errlen);
        return ABC_ERR_ENV;
    }
    MYSQL_RES *r = mysql_store_result(w->m);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    int have = row && row[0] && strcmp(row[0], "0") != 0;
    if (r)
        mysql_free_result(r);
    if (have) {
        g_bootstrapped = 1;
        return ABC_OK;
    }

    for (size_t i = 0; i < sizeof k_system_tables_sql / sizeof k_system_tables_sql[0]; i++) {
        if (access(k_system_tables_sql[i], R_OK) == 0 &&
            file_read_all(k_system_tables_sql[i], 4u << 20, &script, &script_len, lerr,
                          sizeof lerr) == ABC_OK)
            break;
    }
    if (mysql_query(w->m, "CREATE DATABASE IF NOT EXISTS mysql") != 0) {
        statement_error(w, "CREATE DATABASE IF NOT EXISTS mysql", err, errlen);
        st = ABC_ERR_ENV;
        goto out;
    }
    if (!script) { /* no mariadb-server scripts: an empty `mysql` schema will do */
        g_bootstrapped = 1;
        goto out;
    }
    b = mysql_init(NULL);
    if (!b) {
        set_err(err, errlen, "warehouse: out of memory");
        st = ABC_ERR_ENV;
        goto out;
    }
    mysql_options(b, MYSQL_OPT_USE_EMBEDDED_CONNECTION, NULL);
    if (!mysql_real_connect(b, NULL, NULL, NULL, "mysql", 0, NULL, CLIENT_MULTI_STATEMENTS)) {
        set_err(err, errlen, "warehouse: bootstrap connection: %s", mysql_error(b));
        st = ABC_ERR_ENV;
        goto out;
    }
    int rc = mysql_real_query(b, script, (unsigned long)script_len);
    for (;;) {
        if (rc != 0) {
            set_err(err, errlen, "warehouse: creating the system schema in %s failed: %u %s",
                    g_datadir, mysql_errno(b), mysql_error(b));
            st = ABC_ERR_ENV;
            goto out;
        }
        MYSQL_RES *res = mysql_store_result(b);
        if (res)
            mysql_free_result(res);
        rc = mysql_next_result(b);
        if (rc == -1)
            break;
    }
    g_bootstrapped = 1;
out:
    if (b)
        mysql_close(b);
    free(script);
    return st;
}

static Warehouse *wh_new(const WhOptions *opt)
{
    Warehouse *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    apply_defaults(&w->opt, opt);
    if (opt && opt->init_command && *opt->init_command) {
        w->init_command = dup_or_null(opt->init_command);
        if (!w->init_command) {
            free(w);
            return NULL;
        }
    }
    clear_error(w);
    w->next = g_open;
    if (g_open)
        g_open->prev = w;
    g_open = w;
    return w;
}

AbcStatus wh_open_embedded(const char *datadir, const char *db, const WhOptions *opt,
                           Warehouse **out, char *err, size_t errlen)
{
    AbcStatus st;
    Warehouse *w = NULL;
    Buf sql;
    buf_init(&sql);

    st = lib_init_embedded(datadir, opt && opt->buffer_pool_mb ? opt->buffer_pool_mb : 256, err,
                           errlen);
    if (st != ABC_OK)
        goto out;
    w = wh_new(opt);
    if (!w) {
        set_err(err, errlen, "warehouse: out of memory");
        st = ABC_ERR_ENV;
        goto out;
    }
    w->embedded = 1;
    st = wh_connect(w, err, errlen);
    if (st != ABC_OK)
        goto out;
    st = detect_dialect(w);
    if (st != ABC_OK)
        goto out;
    st = bootstrap_system_schema(w, err, errlen);
    if (st != ABC_OK)
        goto out;
    if (db && *db) {
        buf_puts(&sql, "CREATE DATABASE IF NOT EXISTS ");
        put_ident(&sql, db);
        if (mysql_query(w->m, sql.data) != 0) {
            statement_error(w, sql.data, err, errlen);
            st = ABC_ERR_ENV;
            goto out;
        }
        if (mysql_select_db(w->m, db) != 0) {
            statement_error(w, "USE", err, errlen);
            st = ABC_ERR_ENV;
            goto out;
        }
        w->db = dup_or_null(db);
        if (!w->db) {
            set_err(err, errlen, "warehouse: out of memory");
            st = ABC_ERR_ENV;
            goto out;
        }
    }
    *out = w;
    w = NULL;
out:
    buf_free(&sql);
    wh_close(w);
    return st;
}

AbcStatus wh_open_remote(const char *host, unsigned port, const char *user,
                         const char *password, const char *db, const char *unix_socket,
                         const WhOptions *opt, Warehouse **out, char *err, size_t errlen)
{
    AbcStatus st;
    Warehouse *w = NULL;

    st = lib_init_client(err, errlen);
    if (st != ABC_OK)
        goto out;
    w = wh_new(opt);
    if (!w) {
        set_err(err, errlen, "warehouse: out of memory");
        st = ABC_ERR_ENV;
        goto out;
    }
    w->port = port;
    w->host = dup_or_null(host);
    w->user = dup_or_null(user);
    w->password = dup_or_null(password);
    w->db = dup_or_null(db);
    w->unix_socket = dup_or_null(unix_socket);
    if ((host && !w->host) || (user && !w->user) || (password && !w->password) ||
        (db && !w->db) || (unix_socket && !w->unix_socket)) {
        set_err(err, errlen, "warehouse: out of memory");
        st = ABC_ERR_ENV;
        goto out;
    }
    st = wh_connect(w, err, errlen);
    if (st != ABC_OK)
        goto out;
    st = detect_dialect(w);
    if (st != ABC_OK)
        goto out;
    *out = w;
    w = NULL;
out:
    wh_close(w);
    return st;
}

void wh_close(Warehouse *w)
{
    if (!w)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else if (g_open == w)
        g_open = w->next;
    if (w->next)
        w->next->prev = w->prev;
    if (w->m)
        mysql_close(w->m);
    free(w->host);
    free(w->user);
    free_secret(w->password);
    free(w->db);
    free(w->unix_socket);
    free(w->init_command);
    free(w);
}

void wh_thread_begin(void)
{
    mysql_thread_init();
}

void wh_thread_end(void)
{
    mysql_thread_end();
}

void wh_shutdown(void)
{
    /* connections still open would keep server sessions (and InnoDB
     * transactions) alive into the server's shutdown: close them; their
     * handles stay valid but every later call fails */
    for (Warehouse *w = g_open; w; w = w->next)
        if (w->m) {
            mysql_close(w->m);
            w->m = NULL;
        }
    if (g_lib == LIB_CLIENT || g_lib == LIB_EMBEDDED) {
        mysql_library_end();
        g_lib = LIB_ENDED;
    }
    if (g_lock_fd >= 0) {
        close(g_lock_fd);
        g_lock_fd = -1;
    }
}

/* ---- accessors ------------------------------------------------------------ */

DialectId wh_dialect(const Warehouse *w) { return w->dialect; }

const char *wh_server_version(const Warehouse *w) { return w->version; }
int wh_is_embedded(const Warehouse *w) { return w->embedded; }
WhStats wh_stats(const Warehouse *w) { return w->stats; }
unsigned wh_last_errno(const Warehouse *w) { return w->last_errno; }
const char *wh_last_sqlstate(const Warehouse *w) { return w->last_sqlstate; }
WhErrKind wh_last_error(const Warehouse *w)
{
    /* "Got error 28 "No space left on device" from storage engine" (1030)
     * and the like: a full disk whatever the code says */
    if (w->last_errno != 0 && w->last_no_space)
        return WH_ERR_DISK_FULL;
    return wh_error_kind(w->last_errno);
}

bool wh_message_no_space(const char *msg)
{
    if (!msg)
        return false;
    return strstr(msg, "No space left on device") != NULL || strstr(msg, "errno: 28 ") != NULL ||
           strstr(msg, "error 28 ") != NULL || strstr(msg, "Errcode: 28 ") != NULL;
}

WhErrKind wh_error_kind(unsigned code)
{
    if (code == 0)
        return WH_ERR_NONE;
    if (is_connection_lost(code))
        return WH_ERR_CONN_LOST;
    switch (code) {
    case 1049: /* unknown database */
    case 1051: /* unknown table */
    case 1109: /* unknown table in a multi-table statement */
    case 1146: /* table does not exist */
        return WH_ERR_NO_TABLE;
    case 1062: /* duplicate entry for a key */
    case 1586: /* duplicate entry for a unique key */
        return WH_ERR_DUP_KEY;
    case 1406: /* data too long for a column */
        return WH_ERR_DATA_TOO_LONG;
    case 1064: /* parse error */
    case 1149:
        return WH_ERR_SYNTAX;
    case 1044: /* access denied to a database */
    case 1045: /* access denied for a user */
    case 1142: /* command denied on a table */
        return WH_ERR_ACCESS;
    case 3:    /* Error writing file (mysys EE_WRITE) */
    case 20:   /* Disk is full writing a file (mysys EE_DISK_FULL) */
    case 28:   /* ENOSPC passed through as the code */
    case 1021: /* disk full */
    case 1026: /* error writing file */
    case 1114: /* table full */
        return WH_ERR_DISK_FULL;
    case 1037: /* out of memory */
    case 1038: /* out of sort memory */
    case 1041: /* out of resources */
        return WH_ERR_RESOURCES;
    case 1969: /* MariaDB: max_statement_time exceeded */
    case 3024: /* MySQL: max_execution_time exceeded */
        return WH_ERR_TIMEOUT;
    case 1205: /* lock wait timeout */
    case 1213: /* deadlock */
        return WH_ERR_LOCK;
    case 2002: /* cannot connect through the socket */
    case 2003: /* cannot connect to the host */
    case 2005: /* unknown host */
        return WH_ERR_CONN_REFUSED;
    case 1148: /* LOAD DATA LOCAL not allowed by the server */
    case 2068: /* LOAD DATA LOCAL refused by the client */
    case 4166: /* LOAD DATA LOCAL: file request rejected */
        return WH_ERR_LOCAL_INFILE;
    default:
        return code >= 2000 ? WH_ERR_CLIENT : WH_ERR_OTHER;
    }
}

/* ---- running statements --------------------------------------------------- */

typedef struct RunCtx {
    WhRowFn fn;           /* NULL: discard rows */
    void *ctx;
    uint64_t rows;        /* rows delivered so far */
    uint64_t affected;
} RunCtx;

/* One attempt.  Returns ABC_OK; or ABC_ERR_ENV with w->last_errno set
 * (a warehouse error, err formatted); or the callback's status (with
 * last_errno 0). */
static AbcStatus run_once(Warehouse *w, const char *sql, RunCtx *rc, char *err, size_t errlen)
{
    AbcStatus st = ABC_OK;
    MYSQL_RES *res = NULL;
    const char **names = NULL;

    w->stats.statements++;
    if (mysql_real_query(w->m, sql, (unsigned long)strlen(sql)) != 0) {
        statement_error(w, sql, err, errlen);
        return ABC_ERR_ENV;
    }
    res = mysql_use_result(w->m);
    if (!res) {
        if (mysql_field_count(w->m) != 0) {
            statement_error(w, sql, err, errlen);
            return ABC_ERR_ENV;
        }
        rc->affected = (uint64_t)mysql_affected_rows(w->m);
        goto more;
    }
    unsigned ncols = mysql_num_fields(res);
    MYSQL_FIELD *fields = mysql_fetch_fields(res);
    names = calloc(ncols ? ncols : 1, sizeof *names);
    if (!names) {
        set_err(err, errlen, "warehouse: out of memory");
        remember_error(w, 2008, "HY000"); /* CR_OUT_OF_MEMORY */
        st = ABC_ERR_ENV;
        goto out;
    }
    for (unsigned i = 0; i < ncols; i++)
        names[i] = fields[i].name;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (rc->fn) {
            WhRow r = {
                .ncols = ncols,
                .names = names,
                .values = (const char *const *)row,
                .lengths = mysql_fetch_lengths(res),
                .index = rc->rows,
            };
            AbcStatus cst = rc->fn(&r, rc->ctx);
            if (cst != ABC_OK) {
                char line[160];
                first_line(sql, line, sizeof line);
                set_err(err, errlen, "warehouse: row callback stopped the query at row %llu [in: %s]",
                        (unsigned long long)rc->rows, line);
                remember_error(w, 0, "00000");
                st = cst;
                goto out;
            }
        }
        rc->rows++;
    }
    if (mysql_errno(w->m) != 0) { /* the stream broke off */
        statement_error(w, sql, err, errlen);
        st = ABC_ERR_ENV;
        goto out;
    }
    rc->affected = (uint64_t)mysql_affected_rows(w->m);
    mysql_free_result(res);
    res = NULL;
more:
    /* drain further results (e.g. the status result of CALL) */
    while (mysql_more_results(w->m)) {
        int n = mysql_next_result(w->m);
        if (n > 0) {
            statement_error(w, sql, err, errlen);
            st = ABC_ERR_ENV;
            goto out;
        }
        if (n < 0)
            break;
        MYSQL_RES *extra = mysql_store_result(w->m);
        if (extra)
            mysql_free_result(extra);
    }
out:
    if (res)
        mysql_free_result(res); /* reads and drops any rows left */
    free(names);
    return st;
}

static AbcStatus run_retrying(Warehouse *w, const char *sql, RunCtx *rc, char *err,
                              size_t errlen)
{
    if (!sql) {
        set_err(err, errlen, "warehouse: no statement");
        return ABC_ERR_USAGE;
    }
    for (int attempt = 0;; attempt++) {
        AbcStatus st;
        int in_trans = 0;
        if (!w->m) {
            st = wh_connect(w, err, errlen);
            if (st == ABC_OK) {
                w->stats.reconnects++;
            } else if (attempt < w->opt.max_retries &&
                       (is_connection_lost(w->last_errno) || w->last_errno == 2002 ||
                        w->last_errno == 2003)) {
                goto backoff; /* server unreachable for now (2002/2003): try again */
            } else {
                return st;
            }
        }
        /* MYSQL.server_status: same offset in the client and server headers */
        in_trans = (w->m->server_status & SERVER_STATUS_IN_TRANS) != 0;
        st = run_once(w, sql, rc, err, errlen);
        if (st == ABC_OK) {
            clear_error(w);
            return ABC_OK;
        }
        if (w->last_errno == 0)
            return st; /* stopped by the callback */
        if (is_connection_lost(w->last_errno)) {
            /* the session is gone either way; the next attempt or call
             * reconnects */
            mysql_close(w->m);
            w->m = NULL;
        }
        /* a statement that depends on the session (a temporary table of an
         * earlier one) cannot be re-sent alone on a new connection */
        if (!is_transient(w->last_errno) || in_trans || rc->rows > 0 ||
            attempt >= w->opt.max_retries ||
            (w->session_bound && is_connection_lost(w->last_errno)))
            return status_for(w->last_errno);
    backoff:;
        unsigned ms = w->opt.retry_base_ms;
        for (int i = 0; i < attempt && ms < 5000; i++)
            ms *= 2;
        sleep_ms(ms > 5000 ? 5000 : ms);
        w->stats.retries++;
    }
}

AbcStatus wh_set_session(Warehouse *w, const char *sql, char *err, size_t errlen)
{
    char *copy = dup_or_null(sql);
    if (!copy) {
        set_err(err, errlen, "warehouse: out of memory");
        return ABC_ERR_ENV;
    }
    free(w->init_command);
    w->init_command = copy;
    return wh_exec(w, sql, NULL, err, errlen);
}

AbcStatus wh_exec(Warehouse *w, const char *sql, uint64_t *affected, char *err, size_t errlen)
{
    RunCtx rc = {0};
    AbcStatus st = run_retrying(w, sql, &rc, err, errlen);
    if (st == ABC_OK && affected)
        *affected = rc.affected;
    return st;
}

AbcStatus wh_query(Warehouse *w, const char *sql, WhRowFn fn, void *ctx, uint64_t *nrows,
                   char *err, size_t errlen)
{
    RunCtx rc = {.fn = fn, .ctx = ctx};
    AbcStatus st = run_retrying(w, sql, &rc, err, errlen);
    if (st == ABC_OK && nrows)
        *nrows = rc.rows;
    return st;
}

typedef struct ValueCtx {
    char *value;
    int null;
    uint64_t rows;
} ValueCtx;

static AbcStatus value_row(const WhRow *row, void *ctx)
{
    ValueCtx *v = ctx;
    if (++v->rows > 1)
        return ABC_ERR_SPEC;
    if (row->ncols == 0 || !row->values[0]) {
        v->null = 1;
        return ABC_OK;
    }
    v->value = malloc(row->lengths[0] + 1);
    if (!v->value)
        return ABC_ERR_ENV;
    memcpy(v->value, row->values[0], row->lengths[0]);
    v->value[row->lengths[0]] = 0;
    return ABC_OK;
}

AbcStatus wh_query_value(Warehouse *w, const char *sql, char **out, char *err, size_t errlen)
{
    ValueCtx v = {0};
    uint64_t n = 0;
    char line[160];
    AbcStatus st = wh_query(w, sql, value_row, &v, &n, err, errlen);
    if (st == ABC_OK && n != 1) {
        first_line(sql, line, sizeof line);
        set_err(err, errlen, "warehouse: expected one row, got %llu [in: %s]",
                (unsigned long long)n, line);
        st = ABC_ERR_SPEC;
    } else if (st != ABC_OK && v.rows > 1) {
        first_line(sql, line, sizeof line);
        set_err(err, errlen, "warehouse: expected one row, got more [in: %s]", line);
    }
    if (st != ABC_OK) {
        free(v.value);
        return st;
    }
    *out = v.value;
    return ABC_OK;
}

void wh_escape(Warehouse *w, Buf *b, const char *s, size_t n)
{
    char small[512];
    char *tmp = 2 * n + 1 <= sizeof small ? small : malloc(2 * n + 1);
    if (!tmp) { /* out of memory: fall back to escaping byte by byte */
        for (size_t i = 0; i < n; i++) {
            char one[3];
            unsigned long k = mysql_escape_string(one, s + i, 1);
            buf_put(b, one, k);
        }
        return;
    }
    unsigned long k = w->m ? mysql_real_escape_string(w->m, tmp, s, (unsigned long)n)
                           : mysql_escape_string(tmp, s, (unsigned long)n);
    buf_put(b, tmp, k);
    if (tmp != small)
        free(tmp);
}

/* ---- session status counters --------------------------------------------- */

typedef struct CounterCtx {
    WhCounters c;
    size_t cap;
} CounterCtx;

static AbcStatus counter_row(const WhRow *row, void *ctx)
{
    CounterCtx *cc = ctx;
    if (row->ncols < 2 || !row->values[0] || !row->values[1])
        return ABC_OK;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(row->values[1], &end, 10);
    if (errno != 0 || end == row->values[1] || *end != 0)
        return ABC_OK; /* not a counter */
    if (cc->c.n == cc->cap) {
        size_t ncap = cc->cap ? cc->cap * 2 : 16;
        WhCounter *ni = realloc(cc->c.items, ncap * sizeof *ni);
        if (!ni)
            return ABC_ERR_ENV;
        cc->c.items = ni;
        cc->cap = ncap;
    }
    WhCounter *it = &cc->c.items[cc->c.n++];
    snprintf(it->name, sizeof it->name, "%s", row->values[0]);
    it->value = (uint64_t)v;
    return ABC_OK;
}

AbcStatus wh_session_status(Warehouse *w, const char *like, WhCounters *out, char *err,
                            size_t errlen)
{
    AbcStatus st;
    CounterCtx cc = {{NULL, 0}, 0};
    Buf sql;
    buf_init(&sql);
    buf_puts(&sql, "SHOW SESSION STATUS");
    if (like && *like) {
        buf_puts(&sql, " LIKE '");
        wh_escape(w, &sql, like, strlen(like));
        buf_putc(&sql, '\'');
    }
    st = wh_query(w, sql.data, counter_row, &cc, NULL, err, errlen);
    if (st != ABC_OK) {
        free(cc.c.items);
        goto out;
    }
    *out = cc.c;
out:
    buf_free(&sql);
    return st;
}

uint64_t wh_counter(const WhCounters *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcasecmp(c->items[i].name, name) == 0)
            return c->items[i].value;
    return 0;
}

void wh_counters_free(WhCounters *c)
{
    if (!c)
        return;
    free(c->items);
    c->items = NULL;
    c->n = 0;
}

void wh_session_bound(Warehouse *w, bool on)
{
    if (w && on)
        w->session_bound++;
    else if (w && w->session_bound > 0)
        w->session_bound--;
}
