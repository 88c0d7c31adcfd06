/* config.c — abc.yaml (libyaml document API) and environment overrides.
 *
 * config_parse() walks the YAML node tree with one function per section;
 * each knows its keys, so an unknown key, a duplicate key or a value of the
 * wrong type is reported at the node's libyaml mark as FILE:LINE:COL.
 * config_load() adds the environment and the secret files.  Plain strings
 * live in the config's arena; the two secrets are malloc'd separately so that
 * config_free() can wipe them.
 */
#include "abc/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define CONFIG_MAX_BYTES (1u << 20)
#define SECRET_MAX_BYTES 4096

/* ---- YAML helpers ----------------------------------------------------------- */

typedef struct YCtx {
    yaml_document_t *doc;
    const char *name;
    AbcConfig *cfg;
    char *err;
    size_t errlen;
} YCtx;

static AbcStatus yerr(YCtx *y, const yaml_node_t *n, const char *fmt, ...) ABC_PRINTF(3, 4);
static AbcStatus yerr(YCtx *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(y->err, y->errlen, "%s:%zu:%zu: error: %s", y->name, n->start_mark.line + 1,
             n->start_mark.column + 1, msg);
    return ABC_ERR_USAGE;
}

/* An unknown key of a section ("" at the top): the error, with the key
 * meant when one is near, and the keys expected. */
static AbcStatus unknown_key(YCtx *y, const yaml_node_t *kn, const char *section, const char *k,
                             const char *const *keys)
{
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; keys[i]; i++)
        len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0, "%s%s",
                                i ? ", " : "", keys[i]);
    const char *near = word_nearest(k, keys);
    return yerr(y, kn, "unknown key '%s'%s%s%s%s%s (expected %s)", k, *section ? " in " : "",
                section, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "", list);
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a sequence";
    default:
        return "a scalar";
    }
}

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = sval(n);
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

/* A string value: any scalar but null; no NUL bytes inside. */
static AbcStatus y_string(YCtx *y, const yaml_node_t *n, const char *what, const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return yerr(y, n, "%s: expected a string, got %s", what, kind_name(n));
    if (is_null(n))
        return yerr(y, n, "%s: expected a string, got null", what);
    if (strlen(sval(n)) != n->data.scalar.length)
        return yerr(y, n, "%s: string contains a NUL byte", what);
    if (!*sval(n))
        return yerr(y, n, "%s: must not be empty", what);
    *out = arena_strdup(&y->cfg->arena, sval(n));
    return ABC_OK;
}

/* A plain decimal integer in [lo, hi]. */
static AbcStatus y_int(YCtx *y, const yaml_node_t *n, const char *what, long lo, long hi,
                       long *out)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return yerr(y, n, "%s: expected an integer, got %s", what,
                    n->type == YAML_SCALAR_NODE ? "a quoted string" : kind_name(n));
    const char *s = sval(n);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
        return yerr(y, n, "%s: expected an integer, got '%s'", what, s);
    if (v < lo || v > hi)
        return yerr(y, n, "%s: %ld is outside %ld..%ld", what, v, lo, hi);
    *out = v;
    return ABC_OK;
}

/* A plain true or false. */
static AbcStatus y_bool(YCtx *y, const yaml_node_t *n, const char *what, int *out)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return yerr(y, n, "%s: expected true or false, got %s", what,
                    n->type == YAML_SCALAR_NODE ? "a quoted string" : kind_name(n));
    const char *s = sval(n);
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = s[0] == 't';
        return ABC_OK;
    }
    return yerr(y, n, "%s: expected true or false, got '%s'", what, s);
}

/* A plain number of seconds in (0, hi], returned in milliseconds. */
static AbcStatus y_seconds(YCtx *y, const yaml_node_t *n, const char *what, double hi,
                           long *out_ms)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return yerr(y, n, "%s: expected a number of seconds, got %s", what,
                    n->type == YAML_SCALAR_NODE ? "a quoted string" : kind_name(n));
    const char *s = sval(n);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
        return yerr(y, n, "%s: expected a number of seconds, got '%s'", what, s);
    if (v <= 0 || v > hi)
        return yerr(y, n, "%s: %g s is outside (0, %g]", what, v, hi);
    long ms = (long)llround(v * 1000.0);
    *out_ms = ms > 0 ? ms : 1;
    return ABC_OK;
}

/* Iterate a mapping: checks keys are unique non-null scalars and calls
 * fn(y, key, keynode, value) for each pair. */
typedef AbcStatus (*PairFn)(YCtx *y, const char *key, const yaml_node_t *kn,
                            const yaml_node_t *vn);

static AbcStatus y_mapping(YCtx *y, const yaml_node_t *n, const char *what, PairFn fn)
{
    if (is_null(n))
        return ABC_OK; /* "warehouse:" with nothing under it */
    if (n->type != YAML_MAPPING_NODE)
        return yerr(y, n, "%s: expected a mapping, got %s", what, kind_name(n));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *kn = yaml_document_get_node(y->doc, p->key);
        const yaml_node_t *vn = yaml_document_get_node(y->doc, p->value);
        if (!kn || !vn)
            return yerr(y, n, "%s: malformed mapping", what);
        if (kn->type != YAML_SCALAR_NODE)
            return yerr(y, kn, "%s: keys must be plain names, got %s", what, kind_name(kn));
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            const yaml_node_t *prev = yaml_document_get_node(y->doc, q->key);
            if (prev && prev->type == YAML_SCALAR_NODE && strcmp(sval(prev), sval(kn)) == 0)
                return yerr(y, kn, "duplicate key '%s' in %s (first at line %zu)", sval(kn),
                            what, prev->start_mark.line + 1);
        }
        AbcStatus st = fn(y, sval(kn), kn, vn);
        if (st != ABC_OK)
            return st;
    }
    return ABC_OK;
}

static int valid_db_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* ---- DSN ---------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode s[0..n) into the arena; NULL on a bad escape or a NUL. */
static char *pct_decode(Arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n)
                return NULL;
            int h = hexval((unsigned char)s[i + 1]);
            int l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return NULL;
            out[j++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

AbcStatus config_parse_dsn(const char *dsn, Arena *a, ConfigDsn *d, char *err, size_t errlen)
{
    static const char scheme[] = "mysql://";
    ConfigDsn r;
    memset(&r, 0, sizeof r);
    if (strncasecmp(dsn, scheme, sizeof scheme - 1) != 0) {
        snprintf(err, errlen, "DSN must look like mysql://user@host:port/database");
        return ABC_ERR_USAGE;
    }
    for (const char *p = dsn; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "DSN must not contain spaces or control characters");
            return ABC_ERR_USAGE;
        }
    }
    const char *auth = dsn + sizeof scheme - 1;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (!at) {
        snprintf(err, errlen, "DSN has no user: write mysql://user@host:port/database");
        return ABC_ERR_USAGE;
    }
    if (memchr(auth, ':', (size_t)(at - auth))) {
        snprintf(err, errlen, "the DSN contains a password; remove it and set the ABC_PASSWORD "
                              "environment variable (or warehouse.password_file)");
        return ABC_ERR_USAGE;
    }
    if (at == auth) {
        snprintf(err, errlen, "DSN has an empty user name");
        return ABC_ERR_USAGE;
    }
    r.user = pct_decode(a, auth, (size_t)(at - auth));
    if (!r.user) {
        snprintf(err, errlen, "DSN user has a bad %%-escape");
        return ABC_ERR_USAGE;
    }
    const char *h = at + 1, *hend = auth + alen;
    const char *port = NULL;
    if (h < hend && *h == '[') {
        const char *rb = memchr(h, ']', (size_t)(hend - h));
        if (!rb || rb == h + 1) {
            snprintf(err, errlen, "DSN has a bad IPv6 address (write [::1])");
            return ABC_ERR_USAGE;
        }
        for (const char *p = h + 1; p < rb; p++) {
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.') {
                snprintf(err, errlen, "DSN has a bad IPv6 address (write [::1])");
                return ABC_ERR_USAGE;
            }
        }
        r.host = arena_strndup(a, h + 1, (size_t)(rb - h - 1));
        if (rb + 1 < hend) {
            if (rb[1] != ':') {
                snprintf(err, errlen, "DSN: expected ':port' after the IPv6 address");
                return ABC_ERR_USAGE;
            }
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(h, ':', (size_t)(hend - h));
        const char *e = colon ? colon : hend;
        if (e == h) {
            snprintf(err, errlen, "DSN has no host: write mysql://user@host:port/database");
            return ABC_ERR_USAGE;
        }
        for (const char *p = h; p < e; p++) {
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_') {
                snprintf(err, errlen, "DSN host has an invalid character '%c'", *p);
                return ABC_ERR_USAGE;
            }
        }
        r.host = arena_strndup(a, h, (size_t)(e - h));
        if (colon)
            port = colon + 1;
    }
    if (port) {
        unsigned long v = 0;
        const char *p = port;
        while (p < hend && isdigit((unsigned char)*p) && v <= 65535)
            v = v * 10 + (unsigned long)(*p++ - '0');
        if (p == port || p != hend || v == 0 || v > 65535) {
            snprintf(err, errlen, "DSN port must be a number from 1 to 65535");
            return ABC_ERR_USAGE;
        }
        r.port = (unsigned)v;
        r.port_given = 1;
    }
    const char *rest = hend;
    r.database = "";
    if (*rest == '/') {
        rest++;
        size_t dl = strcspn(rest, "?#");
        char *db = arena_strndup(a, rest, dl);
        if (dl && !valid_db_name(db)) {
            snprintf(err, errlen, "DSN database '%s' must be letters, digits and '_'", db);
            return ABC_ERR_USAGE;
        }
        r.database = db;
        rest += dl;
    }
    if (*rest == '#') {
        snprintf(err, errlen, "DSN must not have a '#' fragment");
        return ABC_ERR_USAGE;
    }
    if (*rest == '?') {
        rest++;
        while (*rest) {
            size_t pl = strcspn(rest, "&");
            if (pl > 7 && strncmp(rest, "socket=", 7) == 0) {
                char *s = pct_decode(a, rest + 7, pl - 7);
                if (!s || s[0] != '/') {
                    snprintf(err, errlen, "DSN socket must be an absolute path");
                    return ABC_ERR_USAGE;
                }
                r.socket = s;
            } else {
                snprintf(err, errlen, "DSN: unknown parameter '%.*s' (only socket=PATH)",
                         (int)(strcspn(rest, "=&") < 40 ? strcspn(rest, "=&") : 40), rest);
                return ABC_ERR_USAGE;
            }
            rest += pl;
            if (*rest == '&')
                rest++;
        }
    }
    *d = r;
    return ABC_OK;
}

/* ---- sections ------------------------------------------------------------------ */

static AbcStatus warehouse_pair(YCtx *y, const char *k, const yaml_node_t *kn,
                                const yaml_node_t *v)
{
    ConfigWarehouse *w = &y->cfg->warehouse;
    AbcStatus st;
    if (strcmp(k, "dsn") == 0) {
        const char *s;
        if ((st = y_string(y, v, "warehouse.dsn", &s)) != ABC_OK)
            return st;
        char msg[256];
        if (config_parse_dsn(s, &y->cfg->arena, &w->dsn, msg, sizeof msg) != ABC_OK)
            return yerr(y, v, "warehouse.dsn: %s", msg);
        w->remote = 1;
        w->dsn_origin = y->cfg->path;
        return ABC_OK;
    }
    if (strcmp(k, "embedded_datadir") == 0)
        return y_string(y, v, "warehouse.embedded_datadir", &w->embedded_datadir);
    if (strcmp(k, "password_file") == 0)
        return y_string(y, v, "warehouse.password_file", &w->password_file);
    if (strcmp(k, "dialect") == 0) {
        const char *s;
        if ((st = y_string(y, v, "warehouse.dialect", &s)) != ABC_OK)
            return st;
        if (strcmp(s, "starrocks") == 0)
            w->dialect = DIALECT_STARROCKS;
        else if (strcmp(s, "mariadb") == 0)
            w->dialect = DIALECT_MARIADB;
        else if (strcmp(s, "auto") == 0)
            w->dialect = DIALECT_AUTO;
        else
            return yerr(y, v, "warehouse.dialect: expected starrocks, mariadb or auto, got '%s'",
                        s);
        return ABC_OK;
    }
    if (strcmp(k, "read_timeout_s") == 0) {
        long secs;
        if ((st = y_int(y, v, "warehouse.read_timeout_s", 1, 604800, &secs)) != ABC_OK)
            return st;
        w->read_timeout_s = (unsigned)secs;
        return ABC_OK;
    }
    if (strcmp(k, "replication_num") == 0) {
        long n;
        if ((st = y_int(y, v, "warehouse.replication_num", 1, 32, &n)) != ABC_OK)
            return st;
        w->replication_num = (int)n;
        return ABC_OK;
    }
    if (strcmp(k, "lock_ttl_s") == 0) {
        long secs;
        if ((st = y_int(y, v, "warehouse.lock_ttl_s", 60, 604800, &secs)) != ABC_OK)
            return st;
        w->lock_ttl_s = (unsigned)secs;
        return ABC_OK;
    }
    if (strcmp(k, "connections") == 0) {
        long n;
        if ((st = y_int(y, v, "warehouse.connections", 1, 2, &n)) != ABC_OK)
            return st;
        w->connections = (int)n;
        return ABC_OK;
    }
    if (strcmp(k, "embedded_buffer_pool_mb") == 0) {
        long mb;
        if ((st = y_int(y, v, "warehouse.embedded_buffer_pool_mb", 32, 1048576, &mb)) != ABC_OK)
            return st;
        w->embedded_buffer_pool_mb = (unsigned)mb;
        return ABC_OK;
    }
    if (strcmp(k, "temp_table_mb") == 0) {
        long mb;
        if ((st = y_int(y, v, "warehouse.temp_table_mb", 0, 65536, &mb)) != ABC_OK)
            return st;
        w->temp_table_mb = (unsigned)mb;
        return ABC_OK;
    }
    if (strcmp(k, "query_timeout_s") == 0) {
        long secs;
        if ((st = y_int(y, v, "warehouse.query_timeout_s", 1, 259200, &secs)) != ABC_OK)
            return st;
        w->query_timeout_s = (unsigned)secs;
        return ABC_OK;
    }
    if (strcmp(k, "password") == 0)
        return yerr(y, kn, "warehouse.password: secrets are not read from the config file; set "
                           "the ABC_PASSWORD environment variable or warehouse.password_file");
    static const char *const keys[] = {"dsn", "password_file", "embedded_datadir", "dialect",
                                       "read_timeout_s", "replication_num", "lock_ttl_s",
                                       "query_timeout_s", "connections",
                                       "embedded_buffer_pool_mb", "temp_table_mb", NULL};
    return unknown_key(y, kn, "warehouse", k, keys);
}

static AbcStatus growthbook_pair(YCtx *y, const char *k, const yaml_node_t *kn,
                                 const yaml_node_t *v)
{
    ConfigGrowthbook *g = &y->cfg->growthbook;
    AbcStatus st;
    if (strcmp(k, "api_host") == 0 || strcmp(k, "file") == 0) {
        int host = k[0] == 'a';
        if ((host && g->file) || (!host && g->api_host))
            return yerr(y, kn, "growthbook: set either api_host or file, not both");
        if (!host)
            return y_string(y, v, "growthbook.file", &g->file);
        if ((st = y_string(y, v, "growthbook.api_host", &g->api_host)) != ABC_OK)
            return st;
        if (strncasecmp(g->api_host, "http://", 7) != 0 &&
            strncasecmp(g->api_host, "https://", 8) != 0)
            return yerr(y, v, "growthbook.api_host: must start with http:// or https://");
        return ABC_OK;
    }
    if (strcmp(k, "api_key_file") == 0)
        return y_string(y, v, "growthbook.api_key_file", &g->api_key_file);
    if (strcmp(k, "project_id") == 0)
        return y_string(y, v, "growthbook.project_id", &g->project_id);
    if (strcmp(k, "connect_timeout_s") == 0)
        return y_seconds(y, v, "growthbook.connect_timeout_s", 600, &g->connect_timeout_ms);
    if (strcmp(k, "timeout_s") == 0)
        return y_seconds(y, v, "growthbook.timeout_s", 3600, &g->timeout_ms);
    if (strcmp(k, "deadline_s") == 0)
        return y_seconds(y, v, "growthbook.deadline_s", 86400, &g->deadline_ms);
    if (strcmp(k, "allow_insecure_http") == 0)
        return y_bool(y, v, "growthbook.allow_insecure_http", &g->allow_insecure_http);
    if (strcmp(k, "api_key") == 0)
        return yerr(y, kn, "growthbook.api_key: secrets are not read from the config file; set "
                           "the GROWTHBOOK_API_KEY environment variable or "
                           "growthbook.api_key_file");
    static const char *const keys[] = {"api_host", "file", "api_key_file", "project_id",
                                       "connect_timeout_s", "timeout_s", "deadline_s",
                                       "allow_insecure_http", NULL};
    return unknown_key(y, kn, "growthbook", k, keys);
}

static AbcStatus databases_pair(YCtx *y, const char *k, const yaml_node_t *kn,
                                const yaml_node_t *v)
{
    ConfigDatabases *d = &y->cfg->databases;
    const char **slot = strcmp(k, "abc") == 0      ? &d->abc
                        : strcmp(k, "report") == 0 ? &d->report
                                                   : NULL;
    static const char *const keys[] = {"abc", "report", NULL};
    if (!slot)
        return unknown_key(y, kn, "databases", k, keys);
    char what[32];
    snprintf(what, sizeof what, "databases.%s", k);
    const char *s;
    AbcStatus st = y_string(y, v, what, &s);
    if (st != ABC_OK)
        return st;
    if (!valid_db_name(s))
        return yerr(y, v, "%s: '%s' is not a database name (letters, digits, '_'; at most 64)",
                    what, s);
    *slot = s;
    return ABC_OK;
}

static AbcStatus top_pair(YCtx *y, const char *k, const yaml_node_t *kn, const yaml_node_t *v)
{
    if (strcmp(k, "warehouse") == 0)
        return y_mapping(y, v, "warehouse", warehouse_pair);
    if (strcmp(k, "growthbook") == 0)
        return y_mapping(y, v, "growthbook", growthbook_pair);
    if (strcmp(k, "databases") == 0)
        return y_mapping(y, v, "databases", databases_pair);
    if (strcmp(k, "lookback_days") == 0) {
        long n = 0;
        AbcStatus st = y_int(y, v, "lookback_days", 0, 365, &n);
        if (st == ABC_OK)
            y->cfg->lookback_days = (int)n;
        return st;
    }
    static const char *const keys[] = {"warehouse", "growthbook", "databases", "lookback_days",
                                       NULL};
    return unknown_key(y, kn, "", k, keys);
}

/* ---- parse / load ------------------------------------------------------------------ */

static AbcConfig *config_new(void)
{
    AbcConfig *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    arena_init(&c->arena);
    c->warehouse.embedded_datadir = ".abc/warehouse";
    c->warehouse.dialect = DIALECT_AUTO;
    c->warehouse.read_timeout_s = 3600;
    c->warehouse.lock_ttl_s = 21600;
    c->warehouse.connections = 2;
    c->warehouse.embedded_buffer_pool_mb = 256;
    c->warehouse.temp_table_mb = 256;
    c->growthbook.connect_timeout_ms = 10000;
    c->growthbook.timeout_ms = 60000;
    c->growthbook.deadline_ms = 300000;
    c->databases.abc = "abc";
    c->databases.report = "flow_report_app";
    c->lookback_days = 2;
    return c;
}

void config_free(AbcConfig *c)
{
    if (!c)
        return;
    if (c->secret_password) {
        explicit_bzero(c->secret_password, strlen(c->secret_password));
        free(c->secret_password);
    }
    if (c->secret_api_key) {
        explicit_bzero(c->secret_api_key, strlen(c->secret_api_key));
        free(c->secret_api_key);
    }
    arena_free(&c->arena);
    free(c);
}

static AbcStatus parse_into(AbcConfig *c, const char *text, size_t len, const char *name,
                            char *err, size_t errlen)
{
    AbcStatus st = ABC_ERR_USAGE;
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    int have_doc = 0, have_extra = 0;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: error: cannot initialise the YAML parser", name);
        return ABC_ERR_ENV;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: error: %s%s%s%s", name, parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML",
                 parser.context ? " (" : "", parser.context ? parser.context : "",
                 parser.context ? ")" : "");
        goto out;
    }
    have_doc = 1;
    YCtx y = {&doc, name, c, err, errlen};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root) {
        if (!yaml_parser_load(&parser, &extra)) {
            snprintf(err, errlen, "%s:%zu:%zu: error: %s", name, parser.problem_mark.line + 1,
                     parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "bad YAML");
            goto out;
        }
        have_extra = 1;
        yaml_node_t *r2 = yaml_document_get_root_node(&extra);
        if (r2) {
            st = yerr(&y, r2, "only one YAML document is allowed");
            goto out;
        }
        if (is_null(root))
            st = ABC_OK;
        else if (root->type != YAML_MAPPING_NODE)
            st = yerr(&y, root, "expected a mapping of settings at the top, got %s",
                      kind_name(root));
        else
            st = y_mapping(&y, root, "the top level", top_pair);
        if (st != ABC_OK)
            goto out;
    }
    st = ABC_OK;
out:
    if (have_extra)
        yaml_document_delete(&extra);
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return st;
}

static void resolve_port(AbcConfig *c)
{
    ConfigDsn *d = &c->warehouse.dsn;
    if (c->warehouse.remote && !d->port_given)
        d->port = c->warehouse.dialect == DIALECT_STARROCKS ? 9030 : 3306;
}

static AbcStatus check_consistency(AbcConfig *c, const char *name, char *err, size_t errlen)
{
    if (!c->warehouse.remote && c->warehouse.dialect == DIALECT_STARROCKS) {
        snprintf(err, errlen, "%s: error: warehouse.dialect is starrocks but no DSN is set (the "
                              "embedded warehouse is MariaDB); set warehouse.dsn or ABC_DSN",
                 name);
        return ABC_ERR_USAGE;
    }
    return ABC_OK;
}

AbcStatus config_parse(const char *text, size_t len, const char *name, AbcConfig **out,
                       char *err, size_t errlen)
{
    AbcConfig *c = config_new();
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return ABC_ERR_ENV;
    }
    c->path = arena_strdup(&c->arena, name);
    AbcStatus st = parse_into(c, text, len, c->path, err, errlen);
    if (st == ABC_OK)
        st = check_consistency(c, c->path, err, errlen);
    if (st != ABC_OK) {
        config_free(c);
        return st;
    }
    resolve_port(c);
    *out = c;
    return ABC_OK;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Read a secret from a file only the user can read; one trailing newline is
 * dropped.  Messages name the file, never its content. */
static AbcStatus read_secret_file(const char *what, const char *path, char **out, char *err,
                                  size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s '%s': %s", what, path, strerror(errno));
        return ABC_ERR_ENV;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s '%s' is not a regular file", what, path);
        return ABC_ERR_ENV;
    }
    if (sb.st_mode & 077) {
        snprintf(err, errlen, "%s '%s' has mode %04o; it must not be readable by group or "
                              "others (chmod 600 '%s')",
                 what, path, (unsigned)(sb.st_mode & 07777), path);
        return ABC_ERR_ENV;
    }
    if (sb.st_uid != geteuid()) {
        snprintf(err, errlen, "%s '%s' is owned by another user", what, path);
        return ABC_ERR_ENV;
    }
    char *data = NULL;
    size_t len = 0;
    AbcStatus st = file_read_all(path, SECRET_MAX_BYTES, &data, &len, err, errlen);
    if (st != ABC_OK)
        return ABC_ERR_ENV;
    if (len > 0 && data[len - 1] == '\n')
        data[--len] = '\0';
    if (len > 0 && data[len - 1] == '\r')
        data[--len] = '\0';
    if (len == 0 || strlen(data) != len || strchr(data, '\n')) {
        explicit_bzero(data, len);
        free(data);
        snprintf(err, errlen, "%s '%s' must hold the secret on one line", what, path);
        return ABC_ERR_ENV;
    }
    *out = data;
    return ABC_OK;
}

static char *dup_secret(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* Environment over file values, then secrets. */
static AbcStatus apply_env(AbcConfig *c, char *err, size_t errlen)
{
    const char *v;
    AbcStatus st;
    if ((v = env("ABC_DSN")) != NULL) {
        char msg[256];
        ConfigDsn d;
        if (config_parse_dsn(v, &c->arena, &d, msg, sizeof msg) != ABC_OK) {
            snprintf(err, errlen, "ABC_DSN: error: %s", msg);
            return ABC_ERR_USAGE;
        }
        c->warehouse.dsn = d;
        c->warehouse.remote = 1;
        c->warehouse.dsn_origin = "ABC_DSN";
    }
    if ((v = env("GROWTHBOOK_API_HOST")) != NULL) {
        if (strncasecmp(v, "http://", 7) != 0 && strncasecmp(v, "https://", 8) != 0) {
            snprintf(err, errlen, "GROWTHBOOK_API_HOST: error: must start with http:// or "
                                  "https://");
            return ABC_ERR_USAGE;
        }
        c->growthbook.api_host = arena_strdup(&c->arena, v);
        c->growthbook.file = NULL;
    }
    char msg[512];
    if ((v = env("ABC_PASSWORD")) != NULL) {
        if (!(c->secret_password = dup_secret(v)))
            goto oom;
        c->warehouse.password_origin = "ABC_PASSWORD";
    } else if (c->warehouse.password_file) {
        const char *path = c->warehouse.password_file;
        if ((st = read_secret_file("warehouse.password_file", path, &c->secret_password, msg,
                                   sizeof msg)) != ABC_OK) {
            snprintf(err, errlen, "%s: error: %s", c->path ? c->path : "config", msg);
            return st;
        }
        c->warehouse.password_origin = arena_printf(&c->arena, "password_file %s", path);
    }
    if ((v = env("GROWTHBOOK_API_KEY")) != NULL) {
        if (!(c->secret_api_key = dup_secret(v)))
            goto oom;
        c->growthbook.api_key_origin = "GROWTHBOOK_API_KEY";
    } else if (c->growthbook.api_key_file) {
        const char *path = c->growthbook.api_key_file;
        if ((st = read_secret_file("growthbook.api_key_file", path, &c->secret_api_key, msg,
                                   sizeof msg)) != ABC_OK) {
            snprintf(err, errlen, "%s: error: %s", c->path ? c->path : "config", msg);
            return st;
        }
        c->growthbook.api_key_origin = arena_printf(&c->arena, "api_key_file %s", path);
    }
    c->warehouse.password = c->secret_password;
    c->growthbook.api_key = c->secret_api_key;
    return ABC_OK;
oom:
    snprintf(err, errlen, "out of memory");
    return ABC_ERR_ENV;
}

AbcStatus config_load(const char *path, AbcConfig **out, char *err, size_t errlen)
{
    AbcStatus st;
    AbcConfig *c = NULL;
    char *text = NULL;
    size_t len = 0;
    const char *name = path ? path : "abc.yaml";
    if (!path && access(name, F_OK) != 0) {
        c = config_new(); /* zero-setup: defaults + environment */
        if (!c) {
            snprintf(err, errlen, "out of memory");
            return ABC_ERR_ENV;
        }
    } else {
        char msg[512];
        if (file_read_all(name, CONFIG_MAX_BYTES, &text, &len, msg, sizeof msg) != ABC_OK) {
            snprintf(err, errlen, "%s: error: %s", name, msg);
            return ABC_ERR_ENV;
        }
        st = config_parse(text, len, name, &c, err, errlen);
        free(text);
        if (st != ABC_OK)
            return st;
    }
    if ((st = apply_env(c, err, errlen)) != ABC_OK ||
        (st = check_consistency(c, c->path ? c->path : "environment", err, errlen)) != ABC_OK) {
        config_free(c);
        return st;
    }
    resolve_port(c);
    *out = c;
    return ABC_OK;
}

/* ---- use ---------------------------------------------------------------------------- */

void config_gb_options(const AbcConfig *c, GbOptions *o)
{
    gb_options_init(o);
    o->api_host = c->growthbook.api_host;
    o->file = c->growthbook.file;
    o->api_key = c->growthbook.api_key;
    o->project_id = c->growthbook.project_id;
    o->connect_timeout_ms = c->growthbook.connect_timeout_ms;
    o->timeout_ms = c->growthbook.timeout_ms;
    o->deadline_ms = c->growthbook.deadline_ms;
    o->allow_insecure_http = c->growthbook.allow_insecure_http;
}

void config_wh_options(const AbcConfig *c, WhOptions *o)
{
    memset(o, 0, sizeof *o);
    o->max_retries = 3;
    o->read_timeout_s = c->warehouse.read_timeout_s;
    o->buffer_pool_mb = c->warehouse.embedded_buffer_pool_mb;
}

void config_session_settings(const AbcConfig *c, SessionSettings *s)
{
    memset(s, 0, sizeof *s);
    s->timeout_s = c->warehouse.query_timeout_s;
    s->temp_table_mb = c->warehouse.temp_table_mb;
}

void config_session_statement(const AbcConfig *c, const Dialect *d, Buf *out)
{
    SessionSettings s;
    config_session_settings(c, &s);
    d->session_settings(out, &s);
}

void config_describe(const AbcConfig *c, Buf *out)
{
    const ConfigWarehouse *w = &c->warehouse;
    const ConfigGrowthbook *g = &c->growthbook;
    buf_printf(out, "config: %s\n", c->path ? c->path : "(none; defaults and environment)");
    if (w->remote) {
        buf_printf(out, "warehouse: mysql://%s@%s%s%s:%u/%s (from %s)\n", w->dsn.user,
                   strchr(w->dsn.host, ':') ? "[" : "", w->dsn.host,
                   strchr(w->dsn.host, ':') ? "]" : "", w->dsn.port, w->dsn.database,
                   w->dsn_origin);
        if (w->dsn.socket)
            buf_printf(out, "warehouse.socket: %s\n", w->dsn.socket);
    } else {
        buf_printf(out, "warehouse: embedded MariaDB, datadir %s\n", w->embedded_datadir);
        buf_printf(out, "warehouse.embedded_buffer_pool_mb: %u\n", w->embedded_buffer_pool_mb);
    }
    buf_printf(out, "warehouse.dialect: %s\n", dialect_id_name(w->dialect));
    if (w->remote) {
        buf_printf(out, "warehouse.read_timeout_s: %u\n", w->read_timeout_s);
        buf_printf(out, "warehouse.connections: %d\n", w->connections);
    }
    if (w->query_timeout_s)
        buf_printf(out, "warehouse.query_timeout_s: %u\n", w->query_timeout_s);
    if (w->temp_table_mb)
        buf_printf(out, "warehouse.temp_table_mb: %u\n", w->temp_table_mb);
    else
        buf_puts(out, "warehouse.temp_table_mb: 0 (the server's)\n");
    if (w->password)
        buf_printf(out, "warehouse.password: set (from %s)\n", w->password_origin);
    else
        buf_puts(out, "warehouse.password: not set\n");
    if (g->file)
        buf_printf(out, "growthbook: snapshot file %s\n", g->file);
    else if (g->api_host)
        buf_printf(out, "growthbook: API %s\n", g->api_host);
    else
        buf_puts(out, "growthbook: not configured\n");
    if (g->project_id)
        buf_printf(out, "growthbook.project_id: %s\n", g->project_id);
    if (g->api_key)
        buf_printf(out, "growthbook.api_key: set (from %s)\n", g->api_key_origin);
    else
        buf_puts(out, "growthbook.api_key: not set\n");
    buf_printf(out, "growthbook.timeouts: connect %ld ms, total %ld ms, listing %ld ms\n",
               g->connect_timeout_ms, g->timeout_ms, g->deadline_ms);
    if (g->allow_insecure_http)
        buf_puts(out, "growthbook.allow_insecure_http: true\n");
    buf_printf(out, "databases: abc=%s report=%s\n", c->databases.abc, c->databases.report);
    buf_printf(out, "lookback_days: %d\n", c->lookback_days);
}
