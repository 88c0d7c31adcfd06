/* gb.c — GrowthBook experiment config for one tag: the REST client (libcurl),
 * the offline snapshot, JSON validation (cJSON) and latest-phase resolution.
 *
 * Flow: gb_fetch_tag() pages GET /api/v1/experiments with one CURL handle;
 * each 200 body goes through parse_doc(), which validates every field used
 * and appends the experiments carrying the tag to a GbTagConfig.  Snapshot
 * files go through the same parse_doc() without the paging fields.
 * Every error message passes through finish_err(), which removes the API key
 * and control characters, so no message can leak the key.
 */
#include "abc/gb.h"

#include "abc/dates.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define GB_WEIGHT_TOLERANCE 0.005
#define GB_MAX_PAGES 10000
#define GB_MESSAGE_MAX 300

/* ---- errors --------------------------------------------------------------- */

/* Replace every occurrence of the secret with "[redacted]" and control bytes
 * with '?', in place, within errlen. */
static void finish_err(char *err, size_t errlen, const char *secret)
{
    if (!err || errlen == 0)
        return;
    err[errlen - 1] = '\0';
    size_t slen = secret ? strlen(secret) : 0;
    if (slen >= 4 && strstr(err, secret)) {
        Buf b;
        buf_init(&b);
        const char *p = err, *hit;
        while ((hit = strstr(p, secret)) != NULL) {
            buf_put(&b, p, (size_t)(hit - p));
            buf_puts(&b, "[redacted]");
            p = hit + slen;
        }
        buf_puts(&b, p);
        snprintf(err, errlen, "%s", b.data);
        buf_free(&b);
        /* Truncation may have cut "[redacted]" but cannot have cut the key
         * into a shorter visible prefix: the key's bytes are gone. */
    }
    for (char *q = err; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = '?';
}

/* ---- result construction -------------------------------------------------- */

static void index_free(GbIndex *ix);

static GbTagConfig *result_new(const char *tag, const char *source, int64_t now)
{
    GbTagConfig *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    arena_init(&c->arena);
    c->tag = tag ? arena_strdup(&c->arena, tag) : NULL;
    c->source = arena_strdup(&c->arena, source ? source : "");
    time_t t = now ? (time_t)now : time(NULL);
    c->fetched_at = (int64_t)t;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(c->fetched_at_iso, sizeof c->fetched_at_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return c;
}

void gb_tag_config_free(GbTagConfig *c)
{
    if (!c)
        return;
    free(c->experiments);
    free(c->skipped);
    index_free(c->ids);
    index_free(c->tracking_keys);
    arena_free(&c->arena);
    free(c);
}

/* ---- string index: open addressing over arena strings ----------------------
 * Experiment ids (resolved and skipped) and tracking keys are looked up once
 * per experiment, so a listing of n experiments costs O(n), not O(n^2). */
typedef struct GbSlot {
    const char *key; /* NULL: empty */
    uint64_t hash;
    size_t value;
} GbSlot;

struct GbIndex {
    GbSlot *slots;
    size_t cap, n; /* cap a power of two, n <= cap / 2 */
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void index_free(GbIndex *ix)
{
    if (ix) {
        free(ix->slots);
        free(ix);
    }
}

/* The slot holding key, or the empty slot where it would go. */
static GbSlot *index_slot(const GbIndex *ix, const char *key, uint64_t h)
{
    size_t mask = ix->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        GbSlot *sl = &ix->slots[i];
        if (!sl->key || (sl->hash == h && strcmp(sl->key, key) == 0))
            return sl;
    }
}

/* value of key, or SIZE_MAX when absent. */
static size_t index_get(const GbIndex *ix, const char *key)
{
    if (!ix || ix->n == 0)
        return SIZE_MAX;
    const GbSlot *sl = index_slot(ix, key, str_hash(key));
    return sl->key ? sl->value : SIZE_MAX;
}

/* Add key (an arena string that outlives the index); 0 when out of memory. */
static int index_put(GbIndex **ixp, const char *key, size_t value)
{
    GbIndex *ix = *ixp;
    if (!ix) {
        if (!(ix = calloc(1, sizeof *ix)))
            return 0;
        *ixp = ix;
    }
    if ((ix->n + 1) * 2 > ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        GbIndex grown = {calloc(cap, sizeof(GbSlot)), cap, 0};
        if (!grown.slots)
            return 0;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i].key) {
                *index_slot(&grown, ix->slots[i].key, ix->slots[i].hash) = ix->slots[i];
                grown.n++;
            }
        free(ix->slots);
        *ix = grown;
    }
    uint64_t h = str_hash(key);
    GbSlot *sl = index_slot(ix, key, h);
    if (!sl->key) {
        *sl = (GbSlot){key, h, value};
        ix->n++;
    }
    return 1;
}

const GbExperiment *gb_find_experiment(const GbTagConfig *c, const char *id)
{
    if (!c || !id)
        return NULL;
    size_t v = index_get(c->ids, id);
    return v != SIZE_MAX && v < c->n_experiments ? &c->experiments[v] : NULL;
}

/* Ids of resolved experiments map to their index, skipped ones to SKIPPED. */
#define GB_SKIPPED_ID ((size_t)SIZE_MAX - 1)

static int seen_id(const GbTagConfig *c, const char *id)
{
    return index_get(c->ids, id) != SIZE_MAX;
}

static GbExperiment *push_experiment(GbTagConfig *c)
{
    if (c->n_experiments == c->cap_experiments) {
        size_t cap = c->cap_experiments ? c->cap_experiments * 2 : 8;
        GbExperiment *p = realloc(c->experiments, cap * sizeof *p);
        if (!p)
            return NULL;
        c->experiments = p;
        c->cap_experiments = cap;
    }
    GbExperiment *e = &c->experiments[c->n_experiments];
    memset(e, 0, sizeof *e);
    return e;
}

static int push_skipped(GbTagConfig *c, const char *id, const char *reason)
{
    if (c->n_skipped == c->cap_skipped) {
        size_t cap = c->cap_skipped ? c->cap_skipped * 2 : 4;
        GbSkipped *p = realloc(c->skipped, cap * sizeof *p);
        if (!p)
            return 0;
        c->skipped = p;
        c->cap_skipped = cap;
    }
    c->skipped[c->n_skipped].id = arena_strdup(&c->arena, id);
    c->skipped[c->n_skipped].reason = arena_strdup(&c->arena, reason);
    if (!index_put(&c->ids, c->skipped[c->n_skipped].id, GB_SKIPPED_ID))
        return 0;
    c->n_skipped++;
    return 1;
}

/* ---- validation ------------------------------------------------------------- */

/* Which experiments to resolve; NULL fields do not filter. */
typedef struct GbFilter {
    const char *tag;        /* in tags[], ASCII case-insensitive */
    const char *project_id; /* == project */
    const char *status;     /* == status */
} GbFilter;

typedef struct ParseCtx {
    GbTagConfig *res;
    const char *source;
    const char *exp_id; /* NULL until the experiment's id is known */
    char *err;
    size_t errlen;
} ParseCtx;

static AbcStatus perr(ParseCtx *pc, const char *path, const char *fmt, ...) ABC_PRINTF(3, 4);
static AbcStatus perr(ParseCtx *pc, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (pc->exp_id)
        snprintf(pc->err, pc->errlen, "%s: experiment %s: %s: %s", pc->source, pc->exp_id, path,
                 msg);
    else
        snprintf(pc->err, pc->errlen, "%s: %s: %s", pc->source, path, msg);
    return ABC_ERR_SPEC;
}

static const char *type_name(const cJSON *j)
{
    if (!j)
        return "missing";
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "boolean";
    if (cJSON_IsNumber(j))
        return "number";
    if (cJSON_IsString(j))
        return "string";
    if (cJSON_IsArray(j))
        return "array";
    if (cJSON_IsObject(j))
        return "object";
    return "invalid";
}

/* obj[key] as a string; nonempty requires at least one byte. */
static AbcStatus get_string(ParseCtx *pc, const cJSON *obj, const char *base, const char *key,
                            int nonempty, const char **out)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s", base, key);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(j) || !j->valuestring)
        return perr(pc, path, "expected string, got %s", type_name(j));
    if (nonempty && j->valuestring[0] == '\0')
        return perr(pc, path, "expected a non-empty string");
    *out = j->valuestring;
    return ABC_OK;
}

static AbcStatus get_number(ParseCtx *pc, const cJSON *obj, const char *base, const char *key,
                            double lo, double hi, double *out)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s", base, key);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(j))
        return perr(pc, path, "expected number, got %s", type_name(j));
    double v = j->valuedouble;
    if (!isfinite(v) || v < lo || v > hi)
        return perr(pc, path, "%g is outside [%g, %g]", v, lo, hi);
    *out = v;
    return ABC_OK;
}

static AbcStatus get_array(ParseCtx *pc, const cJSON *obj, const char *base, const char *key,
                           const cJSON **out)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s", base, key);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsArray(j))
        return perr(pc, path, "expected array, got %s", type_name(j));
    *out = j;
    return ABC_OK;
}

/* The \u0000 escape: parse_doc() rewrites each one, before cJSON sees the
 * text, into the overlong encoding C0 80 (three times, keeping the length),
 * which no valid UTF-8 string holds, so check_text() can name it instead of
 * cJSON cutting the string short. */
#define GB_NUL_MARK "\xc0\x80\xc0\x80\xc0\x80"

/* Is s storable in a VARCHAR(max_chars) column (characters, utf8mb4) and
 * printable: valid UTF-8, no NUL, no control character but tab, LF and CR. */
static AbcStatus check_text(ParseCtx *pc, const char *path, const char *s, long max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    while (*p) {
        if (p[0] == 0xC0 && p[1] == 0x80)
            return perr(pc, path, "contains a NUL character (\\u0000)");
        unsigned long cp;
        int len = utf8_decode(p, &cp);
        if (!len)
            return perr(pc, path, "is not valid UTF-8");
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F)
            return perr(pc, path, "contains the control character 0x%02lX", cp);
        p += len;
        n++;
    }
    if (max_chars > 0 && n > max_chars)
        return perr(pc, path, "is %ld characters long; the column holds %ld", n, max_chars);
    return ABC_OK;
}

/* get_string() for a value abc stores: also check_text() against the size
 * of its column (docs/TABLES.md). */
static AbcStatus get_text(ParseCtx *pc, const cJSON *obj, const char *base, const char *key,
                          int nonempty, long max_chars, const char **out)
{
    const char *v;
    AbcStatus st = get_string(pc, obj, base, key, nonempty, &v);
    if (st != ABC_OK)
        return st;
    char path[256];
    snprintf(path, sizeof path, "%s.%s", base, key);
    if ((st = check_text(pc, path, v, max_chars)) != ABC_OK)
        return st;
    *out = v;
    return ABC_OK;
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* An ISO 8601 date or UTC-comparable timestamp, strictly:
 *   YYYY-MM-DD [ ('T'|' ') HH:MM:SS [.fraction] [ 'Z' | ±HH:MM | ±HHMM ] ]
 * with a real calendar date (1900..9999), hours 00..23, minutes and seconds
 * 00..59.  *ms: milliseconds since 1970 in UTC (the offset applied). */
static int parse_timestamp(const char *s, int64_t *ms)
{
    long day;
    if (!date_parse_prefix(s, &day))
        return 0;
    int64_t t = (int64_t)day * 86400000;
    const char *p = s + 10;
    if (*p == '\0') {
        *ms = t;
        return 1;
    }
    if (*p != 'T' && *p != ' ')
        return 0;
    p++;
    int hh = digits(p, 2), mi = p[2] == ':' ? digits(p + 3, 2) : -1,
        ss = p[5] == ':' ? digits(p + 6, 2) : -1;
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
        return 0;
    t += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000;
    p += 8;
    if (*p == '.') {
        int nd = 0, frac = 0;
        for (p++; isdigit((unsigned char)*p); p++, nd++)
            if (nd < 3)
                frac = frac * 10 + (*p - '0');
        if (nd == 0 || nd > 9)
            return 0;
        for (int k = nd; k < 3; k++)
            frac *= 10;
        t += frac;
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh = digits(p + 1, 2), om;
        if (p[3] == ':') {
            om = digits(p + 4, 2);
            p += 6;
        } else {
            om = digits(p + 3, 2);
            p += 5;
        }
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return 0;
        t -= sign * ((int64_t)oh * 3600 + om * 60) * 1000;
    }
    if (*p != '\0')
        return 0;
    *ms = t;
    return 1;
}

static AbcStatus get_date(ParseCtx *pc, const cJSON *obj, const char *base, const char *key,
                          int allow_empty, const char **out, int64_t *ms)
{
    const char *s;
    AbcStatus st = get_string(pc, obj, base, key, 0, &s);
    if (st != ABC_OK)
        return st;
    *ms = 0;
    if (!(allow_empty && s[0] == '\0') && !parse_timestamp(s, ms)) {
        char path[256];
        snprintf(path, sizeof path, "%s.%s", base, key);
        if ((st = check_text(pc, path, s, 40)) != ABC_OK)
            return st;
        return perr(pc, path, "expected an ISO 8601 date (YYYY-MM-DD or "
                              "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM])%s, got '%s'",
                    allow_empty ? " or \"\"" : "", s);
    }
    *out = s;
    return ABC_OK;
}

/* Does tags[] (already checked to be an array) carry `tag`? Validates items. */
static AbcStatus has_tag(ParseCtx *pc, const cJSON *tags, const char *base, const char *tag,
                         int *out)
{
    int found = 0, i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        if (!cJSON_IsString(t) || !t->valuestring) {
            char path[256];
            snprintf(path, sizeof path, "%s.tags[%d]", base, i);
            return perr(pc, path, "expected string, got %s", type_name(t));
        }
        if (tag && strcasecmp(t->valuestring, tag) == 0)
            found = 1;
        i++;
    }
    *out = tag ? found : 1;
    return ABC_OK;
}

static AbcStatus parse_variations(ParseCtx *pc, const cJSON *exp, const char *base,
                                  GbExperiment *e)
{
    Arena *a = &pc->res->arena;
    const cJSON *vars;
    AbcStatus st = get_array(pc, exp, base, "variations", &vars);
    if (st != ABC_OK)
        return st;
    int n = cJSON_GetArraySize(vars);
    if (n < 2) {
        char path[256];
        snprintf(path, sizeof path, "%s.variations", base);
        return perr(pc, path, "has %d variation%s; an experiment needs at least 2", n,
                    n == 1 ? "" : "s");
    }
    e->variations = arena_alloc(a, (size_t)n * sizeof *e->variations);
    e->n_variations = (size_t)n;
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) {
        char vb[256];
        snprintf(vb, sizeof vb, "%s.variations[%d]", base, i);
        if (!cJSON_IsObject(v))
            return perr(pc, vb, "expected object, got %s", type_name(v));
        GbVariation *gv = &e->variations[i];
        const char *id, *key, *name;
        if ((st = get_text(pc, v, vb, "variationId", 1, 128, &id)) != ABC_OK ||
            (st = get_text(pc, v, vb, "key", 1, 64, &key)) != ABC_OK ||
            (st = get_text(pc, v, vb, "name", 0, 255, &name)) != ABC_OK)
            return st;
        for (int k = 0; k < i; k++) {
            char path[300];
            if (strcmp(e->variations[k].variation_id, id) == 0) {
                snprintf(path, sizeof path, "%s.variationId", vb);
                return perr(pc, path, "duplicate variationId '%s' (also variations[%d])", id, k);
            }
            if (strcmp(e->variations[k].key, key) == 0) {
                snprintf(path, sizeof path, "%s.key", vb);
                return perr(pc, path, "duplicate key '%s' (also variations[%d])", key, k);
            }
        }
        gv->variation_id = arena_strdup(a, id);
        gv->key = arena_strdup(a, key);
        gv->name = arena_strdup(a, name);
        gv->weight = -1; /* not yet paired */
        gv->is_control = i == 0;
        i++;
    }
    return ABC_OK;
}

static AbcStatus parse_phase(ParseCtx *pc, const cJSON *phase, const char *pb, GbExperiment *e)
{
    Arena *a = &pc->res->arena;
    AbcStatus st;
    if (!cJSON_IsObject(phase))
        return perr(pc, pb, "expected object, got %s", type_name(phase));
    const char *name, *started, *ended;
    int64_t started_ms, ended_ms;
    double coverage;
    const cJSON *split;
    if ((st = get_text(pc, phase, pb, "name", 0, 255, &name)) != ABC_OK ||
        (st = get_date(pc, phase, pb, "dateStarted", 0, &started, &started_ms)) != ABC_OK ||
        (st = get_date(pc, phase, pb, "dateEnded", 1, &ended, &ended_ms)) != ABC_OK ||
        (st = get_number(pc, phase, pb, "coverage", 0.0, 1.0, &coverage)) != ABC_OK ||
        (st = get_array(pc, phase, pb, "trafficSplit", &split)) != ABC_OK)
        return st;
    if (ended[0] && ended_ms < started_ms) {
        char path[300];
        snprintf(path, sizeof path, "%s.dateEnded", pb);
        return perr(pc, path, "%s is before dateStarted %s", ended, started);
    }
    e->phase_name = arena_strdup(a, name);
    e->date_started = arena_strdup(a, started);
    e->date_ended = arena_strdup(a, ended);
    e->coverage = coverage;

    double sum = 0;
    int j = 0;
    const cJSON *ts;
    cJSON_ArrayForEach(ts, split) {
        char tb[256];
        snprintf(tb, sizeof tb, "%s.trafficSplit[%d]", pb, j);
        if (!cJSON_IsObject(ts))
            return perr(pc, tb, "expected object, got %s", type_name(ts));
        const char *vid;
        double w;
        if ((st = get_string(pc, ts, tb, "variationId", 1, &vid)) != ABC_OK ||
            (st = get_number(pc, ts, tb, "weight", 0.0, 1.0, &w)) != ABC_OK)
            return st;
        GbVariation *gv = NULL;
        for (size_t k = 0; k < e->n_variations; k++)
            if (strcmp(e->variations[k].variation_id, vid) == 0)
                gv = &e->variations[k];
        char path[300];
        snprintf(path, sizeof path, "%s.variationId", tb);
        if (!gv)
            return perr(pc, path, "'%s' matches no variation of the experiment", vid);
        if (gv->weight >= 0)
            return perr(pc, path, "'%s' appears twice in trafficSplit", vid);
        gv->weight = w;
        sum += w;
        j++;
    }
    for (size_t k = 0; k < e->n_variations; k++) {
        if (e->variations[k].weight < 0) {
            char path[300];
            snprintf(path, sizeof path, "%s.trafficSplit", pb);
            return perr(pc, path, "variation '%s' (key '%s') has no weight",
                        e->variations[k].variation_id, e->variations[k].key);
        }
    }
    if (fabs(sum - 1.0) > GB_WEIGHT_TOLERANCE) {
        char path[300];
        snprintf(path, sizeof path, "%s.trafficSplit", pb);
        return perr(pc, path, "weights sum to %.6g, expected 1", sum);
    }
    return ABC_OK;
}

/* Validate experiments[idx] and, when it carries the tag, append it. */
static AbcStatus parse_experiment(ParseCtx *pc, const cJSON *exp, int idx, const GbFilter *f)
{
    GbTagConfig *res = pc->res;
    Arena *a = &res->arena;
    char base[64];
    snprintf(base, sizeof base, "$.experiments[%d]", idx);
    pc->exp_id = NULL;
    if (!cJSON_IsObject(exp))
        return perr(pc, base, "expected object, got %s", type_name(exp));
    const char *id;
    AbcStatus st = get_string(pc, exp, base, "id", 1, &id);
    if (st != ABC_OK)
        return st;
    pc->exp_id = id;
    const cJSON *tags;
    int match = 0;
    if ((st = get_array(pc, exp, base, "tags", &tags)) != ABC_OK ||
        (st = has_tag(pc, tags, base, f->tag, &match)) != ABC_OK)
        return st;
    if (!match)
        return ABC_OK;
    const char *status, *project;
    if ((st = get_string(pc, exp, base, "status", 1, &status)) != ABC_OK)
        return st;
    if (f->status && strcmp(status, f->status) != 0)
        return ABC_OK;
    if (f->project_id) {
        if ((st = get_string(pc, exp, base, "project", 0, &project)) != ABC_OK)
            return st;
        if (strcmp(project, f->project_id) != 0)
            return ABC_OK;
    }
    if (seen_id(res, id))
        return ABC_OK;

    GbExperiment tmp;
    memset(&tmp, 0, sizeof tmp);
    const char *tk, *name;
    char path[128];
    snprintf(path, sizeof path, "%s.id", base);
    if ((st = check_text(pc, path, id, 128)) != ABC_OK)
        return st;
    snprintf(path, sizeof path, "%s.status", base);
    if ((st = check_text(pc, path, status, 32)) != ABC_OK)
        return st;
    if ((st = get_text(pc, exp, base, "trackingKey", 1, 128, &tk)) != ABC_OK ||
        (st = get_text(pc, exp, base, "name", 0, 255, &name)) != ABC_OK)
        return st;
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(exp, "archived");
    if (arch && !cJSON_IsBool(arch)) {
        snprintf(path, sizeof path, "%s.archived", base);
        return perr(pc, path, "expected boolean, got %s", type_name(arch));
    }
    if ((st = parse_variations(pc, exp, base, &tmp)) != ABC_OK)
        return st;
    const cJSON *phases;
    if ((st = get_array(pc, exp, base, "phases", &phases)) != ABC_OK)
        return st;
    int np = cJSON_GetArraySize(phases);
    if (np == 0) {
        if (!push_skipped(res, id, "no phases (never started)"))
            return perr(pc, base, "out of memory");
        return ABC_OK;
    }
    /* experiment_data is keyed on (tag, tracking_key, variation_key): two
     * experiments on one tracking key would overwrite each other's rows */
    size_t other = index_get(res->tracking_keys, tk);
    if (other != SIZE_MAX) {
        snprintf(path, sizeof path, "%s.trackingKey", base);
        return perr(pc, path, "'%s' is also the trackingKey of experiment %s", tk,
                    res->experiments[other].id);
    }
    char pb[96];
    snprintf(pb, sizeof pb, "%s.phases[%d]", base, np - 1);
    if ((st = parse_phase(pc, cJSON_GetArrayItem(phases, np - 1), pb, &tmp)) != ABC_OK)
        return st;

    GbExperiment *e = push_experiment(res);
    if (!e)
        return perr(pc, base, "out of memory");
    *e = tmp;
    e->id = arena_strdup(a, id);
    e->tracking_key = arena_strdup(a, tk);
    e->name = arena_strdup(a, name);
    e->status = arena_strdup(a, status);
    e->archived = cJSON_IsTrue(arch);
    e->phase_index = np - 1;
    if (!index_put(&res->ids, e->id, res->n_experiments) ||
        !index_put(&res->tracking_keys, e->tracking_key, res->n_experiments))
        return perr(pc, base, "out of memory");
    res->n_experiments++;
    return ABC_OK;
}

/* Paging fields of one list response. */
typedef struct PageInfo {
    int count;
    int has_more;
    double next_offset; /* < 0 when null or absent */
} PageInfo;

/* Does the text end inside a string or with unclosed brackets (a cut-off
 * document rather than a malformed one)?  Empty text counts as cut off. */
static int json_incomplete(const char *s, size_t len)
{
    size_t depth = 0, i = 0;
    int in_str = 0, any = 0;
    for (; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"')
            in_str = 1;
        else if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && depth > 0)
            depth--;
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            any = 1;
    }
    return in_str || depth > 0 || !any;
}

/* Rewrite every \u0000 escape inside a string as GB_NUL_MARK (same length). */
static void mark_nul_escapes(char *s, size_t len)
{
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_str) {
            in_str = s[i] == '"';
        } else if (s[i] == '"') {
            in_str = 0;
        } else if (s[i] == '\\' && i + 1 < len) {
            if (i + 5 < len && memcmp(s + i + 1, "u0000", 5) == 0) {
                memcpy(s + i, GB_NUL_MARK, 6);
                i += 5;
            } else {
                i++;
            }
        }
    }
}

/* Parse one document into pc->res.  paged: an API response, whose
 * pagination fields are required and whose JSON syntax errors (an HTML
 * page, a cut connection, a proxy's answer) are environment errors;
 * otherwise a snapshot (paging ignored, syntax errors are data errors). */
static AbcStatus parse_doc(ParseCtx *pc, const char *json, size_t len, const GbFilter *f,
                           int paged, PageInfo *page)
{
    AbcStatus st = ABC_ERR_SPEC;
    cJSON *root = NULL;
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(pc->err, pc->errlen, "%s: out of memory", pc->source);
        return ABC_ERR_ENV;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    mark_nul_escapes(copy, len);
    pc->exp_id = NULL;
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    size_t off = end && end >= copy ? (size_t)(end - copy) : 0;
    if (!root) {
        if (json_incomplete(copy, len))
            snprintf(pc->err, pc->errlen,
                     "%s: truncated JSON: the document ends at byte %zu before it is complete",
                     pc->source, len);
        else
            snprintf(pc->err, pc->errlen, "%s: malformed JSON at byte %zu of %zu", pc->source,
                     off, len);
        st = paged ? ABC_ERR_ENV : ABC_ERR_SPEC;
        goto out;
    }
    while (off < len && (copy[off] == ' ' || copy[off] == '\t' || copy[off] == '\n' ||
                         copy[off] == '\r'))
        off++;
    if (off != len) {
        snprintf(pc->err, pc->errlen, "%s: malformed JSON: unexpected data at byte %zu of %zu",
                 pc->source, off, len);
        st = paged ? ABC_ERR_ENV : ABC_ERR_SPEC;
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        perr(pc, "$", "expected object, got %s", type_name(root));
        goto out;
    }
    const cJSON *exps = cJSON_GetObjectItemCaseSensitive(root, "experiments");
    if (!cJSON_IsArray(exps)) {
        perr(pc, "$.experiments", "expected array, got %s", type_name(exps));
        goto out;
    }
    int i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, exps) {
        if ((st = parse_experiment(pc, x, i, f)) != ABC_OK)
            goto out;
        i++;
    }
    pc->exp_id = NULL;
    st = ABC_ERR_SPEC;
    if (paged) {
        const cJSON *hm = cJSON_GetObjectItemCaseSensitive(root, "hasMore");
        if (!cJSON_IsBool(hm)) {
            perr(pc, "$.hasMore", "expected boolean, got %s", type_name(hm));
            goto out;
        }
        const cJSON *no = cJSON_GetObjectItemCaseSensitive(root, "nextOffset");
        page->count = i;
        page->has_more = cJSON_IsTrue(hm);
        page->next_offset = -1;
        if (no && !cJSON_IsNull(no)) {
            if (!cJSON_IsNumber(no) || !isfinite(no->valuedouble) || no->valuedouble < 0 ||
                no->valuedouble > 1e9 || no->valuedouble != floor(no->valuedouble)) {
                perr(pc, "$.nextOffset", "expected a non-negative integer or null, got %s",
                     type_name(no));
                goto out;
            }
            page->next_offset = no->valuedouble;
        }
    }
    st = ABC_OK;
out:
    cJSON_Delete(root);
    free(copy);
    return st;
}

static AbcStatus parse_list(const char *json, size_t len, const GbFilter *f, const char *source,
                            int64_t now, GbTagConfig **out, char *err, size_t errlen)
{
    GbTagConfig *res = result_new(f->tag, source, now);
    if (!res) {
        snprintf(err, errlen, "out of memory");
        return ABC_ERR_ENV;
    }
    ParseCtx pc = {res, source ? source : "GrowthBook JSON", NULL, err, errlen};
    AbcStatus st = parse_doc(&pc, json, len, f, 0, NULL);
    if (st != ABC_OK) {
        finish_err(err, errlen, NULL);
        gb_tag_config_free(res);
        return st;
    }
    *out = res;
    return ABC_OK;
}

AbcStatus gb_parse_list(const char *json, size_t len, const char *tag, const char *source,
                        int64_t now, GbTagConfig **out, char *err, size_t errlen)
{
    GbFilter f = {tag, NULL, NULL};
    return parse_list(json, len, &f, source, now, out, err, errlen);
}

#define GB_DEFAULT_MAX_BYTES ((size_t)64 << 20)

static AbcStatus load_snapshot(const char *path, const GbFilter *f, int64_t now,
                               GbTagConfig **out, char *err, size_t errlen)
{
    char *data = NULL;
    size_t len = 0;
    AbcStatus st = file_read_all(path, GB_DEFAULT_MAX_BYTES, &data, &len, err, errlen);
    if (st != ABC_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "GrowthBook snapshot: %s", err);
        snprintf(err, errlen, "%s", msg);
        finish_err(err, errlen, NULL);
        return ABC_ERR_ENV;
    }
    st = parse_list(data, len, f, path, now, out, err, errlen);
    free(data);
    return st;
}

AbcStatus gb_load_snapshot(const char *path, const char *tag, int64_t now, GbTagConfig **out,
                           char *err, size_t errlen)
{
    GbFilter f = {tag, NULL, NULL};
    return load_snapshot(path, &f, now, out, err, errlen);
}

/* ---- HTTP ------------------------------------------------------------------- */

void gb_options_init(GbOptions *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->timeout_ms = 60000;
    o->max_attempts = 5;
    o->retry_after_cap_ms = 30000;
    o->backoff_initial_ms = 500;
    o->backoff_cap_ms = 8000;
    o->page_limit = 100;
    o->max_response_bytes = GB_DEFAULT_MAX_BYTES;
    o->deadline_ms = 300000;
}

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;
static int g_curl_inited;

static void curl_init_once(void)
{
    g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    g_curl_inited = g_curl_init_rc == CURLE_OK;
}

void gb_global_cleanup(void)
{
    if (g_curl_inited) {
        curl_global_cleanup();
        g_curl_inited = 0;
    }
}

typedef struct HttpResp {
    Buf body;
    size_t max_bytes;
    int too_big;
    long retry_after_s; /* -1: absent or not delta-seconds */
} HttpResp;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    HttpResp *r = ud;
    size_t total = sz * n;
    if (r->body.len + total > r->max_bytes) {
        r->too_big = 1;
        return 0;
    }
    buf_put(&r->body, p, total);
    return total;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    HttpResp *r = ud;
    size_t total = sz * n;
    static const char name[] = "retry-after:";
    size_t nl = sizeof name - 1;
    if (total > nl && strncasecmp(p, name, nl) == 0) {
        size_t i = nl;
        while (i < total && (p[i] == ' ' || p[i] == '\t'))
            i++;
        long v = 0;
        size_t d = i;
        while (i < total && isdigit((unsigned char)p[i]) && v < 1000000)
            v = v * 10 + (p[i++] - '0');
        while (i < total && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
            i++;
        r->retry_after_s = (i > d && i == total) ? v : -1;
    }
    return total;
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The server's {"message": ...}, or the start of a non-JSON body. */
static void server_message(const Buf *body, char *out, size_t outlen)
{
    out[0] = '\0';
    if (!body->data || body->len == 0) {
        snprintf(out, outlen, "(empty body)");
        return;
    }
    cJSON *j = cJSON_ParseWithLength(body->data, body->len);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (cJSON_IsString(m) && m->valuestring)
        snprintf(out, outlen, "%.*s", GB_MESSAGE_MAX, m->valuestring);
    else
        snprintf(out, outlen, "%.*s", (int)(body->len < 200 ? body->len : 200), body->data);
    cJSON_Delete(j);
}

static int starts_with_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* {api_host}/api/v1/experiments, or an error for hosts we will not call. */
static AbcStatus endpoint_url(const char *host, Buf *url, char *err, size_t errlen)
{
    if (!host || !*host) {
        snprintf(err, errlen, "GrowthBook: no api_host configured (set growthbook.api_host in "
                              "abc.yaml or GROWTHBOOK_API_HOST, or use growthbook.file)");
        return ABC_ERR_ENV;
    }
    if (!starts_with_ci(host, "http://") && !starts_with_ci(host, "https://")) {
        snprintf(err, errlen, "GrowthBook: api_host must start with http:// or https://");
        return ABC_ERR_ENV;
    }
    const char *auth = strstr(host, "://") + 3;
    size_t alen = strcspn(auth, "/");
    if (memchr(auth, '@', alen)) {
        snprintf(err, errlen, "GrowthBook: api_host must not contain credentials; the key comes "
                              "from GROWTHBOOK_API_KEY");
        return ABC_ERR_ENV;
    }
    if (alen == 0) {
        snprintf(err, errlen, "GrowthBook: api_host has no host name");
        return ABC_ERR_ENV;
    }
    for (const char *p = host; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '?' || *p == '#') {
            snprintf(err, errlen, "GrowthBook: api_host must be a plain URL without spaces, "
                                  "query or fragment");
            return ABC_ERR_ENV;
        }
    }
    size_t n = strlen(host);
    while (n > 0 && host[n - 1] == '/')
        n--;
    buf_put(url, host, n);
    if (n >= 4 && strncmp(host + n - 4, "/api", 4) == 0)
        buf_puts(url, "/v1/experiments");
    else
        buf_puts(url, "/api/v1/experiments");
    return ABC_OK;
}

/* Is the host of this http(s) URL the loopback interface (localhost,
 * 127.0.0.0/8, ::1)?  Only then may a key travel without TLS by default. */
static int loopback_host(const char *url)
{
    const char *h = strstr(url, "://") + 3;
    size_t n = strcspn(h, "/");
    char host[256];
    if (n >= sizeof host)
        return 0;
    memcpy(host, h, n);
    host[n] = '\0';
    if (host[0] == '[') {
        char *close = strchr(host, ']');
        if (!close)
            return 0;
        *close = '\0';
        return strcmp(host + 1, "::1") == 0;
    }
    char *colon = strchr(host, ':');
    if (colon)
        *colon = '\0';
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    unsigned a, b, c, d;
    char tail;
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256;
}

/* Once per process, on stderr: the only message this module prints. */
static void warn_insecure(const char *url)
{
    static atomic_int warned;
    if (atomic_exchange(&warned, 1) == 0)
        fprintf(stderr, "abc: warning: the GrowthBook API key is sent over plain http:// to %s "
                        "(growthbook.allow_insecure_http is true)\n",
                url);
}

static int valid_header_value(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static void add_param(CURL *h, Buf *q, const char *name, const char *value)
{
    char *enc = curl_easy_escape(h, value, 0);
    buf_printf(q, "&%s=%s", name, enc ? enc : "");
    curl_free(enc);
}

/* NO_PROXY from the environment plus loopback: tests and local servers are
 * never sent through a proxy. */
static char *no_proxy_list(void)
{
    Buf b;
    buf_init(&b);
    const char *env = getenv("NO_PROXY");
    if (!env || !*env)
        env = getenv("no_proxy");
    if (env && *env) {
        buf_puts(&b, env);
        buf_putc(&b, ',');
    }
    buf_puts(&b, "localhost,127.0.0.1,::1");
    return buf_take(&b);
}

typedef struct Fetch {
    const GbOptions *o;
    CURL *h;
    struct curl_slist *headers;
    char curl_err[CURL_ERROR_SIZE];
    size_t n_requests;
    double deadline; /* monotonic ms when the whole listing must be done; 0: none */
} Fetch;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* A request cut to the deadline that times out within this of it ran into
 * the deadline (curl's clock and ours differ by a millisecond or so). */
enum { DEADLINE_SLACK_MS = 20 };

/* ms left before the deadline (LONG_MAX without one; <= 0 when past it). */
static long time_left(const Fetch *f)
{
    if (f->deadline <= 0)
        return LONG_MAX;
    double left = f->deadline - mono_ms();
    return left < 1 ? 0 : (long)left;
}

static void deadline_err(const Fetch *f, const char *url, char *err, size_t errlen)
{
    snprintf(err, errlen, "GrowthBook GET %s: the listing did not finish within %.3g s "
                          "(growthbook.deadline_s) after %zu request%s",
             url, f->o->deadline_ms / 1000.0, f->n_requests, f->n_requests == 1 ? "" : "s");
}

/* GET one page (with retries).  *status_out and resp hold the final answer;
 * returns non-OK for transport errors and exhausted retries. */
static AbcStatus get_page(Fetch *f, const char *url, HttpResp *resp, long *status_out,
                          char *err, size_t errlen)
{
    const GbOptions *o = f->o;
    int max_attempts = o->max_attempts > 0 ? o->max_attempts : 1;
    long backoff = o->backoff_initial_ms > 0 ? o->backoff_initial_ms : 0;
    for (int attempt = 1;; attempt++) {
        buf_reset(&resp->body);
        resp->too_big = 0;
        resp->retry_after_s = -1;
        f->curl_err[0] = '\0';
        long left = time_left(f);
        if (left <= 0) {
            deadline_err(f, url, err, errlen);
            return ABC_ERR_ENV;
        }
        int cut = left < o->timeout_ms; /* the deadline, not timeout_s, limits this one */
        curl_easy_setopt(f->h, CURLOPT_TIMEOUT_MS, cut ? left : o->timeout_ms);
        curl_easy_setopt(f->h, CURLOPT_URL, url);
        f->n_requests++;
        CURLcode rc = curl_easy_perform(f->h);
        if (rc != CURLE_OK) {
            /* the request's limit was the deadline: curl's timer can fire a
             * millisecond before ours reaches it */
            if (rc == CURLE_OPERATION_TIMEDOUT && cut && time_left(f) <= DEADLINE_SLACK_MS)
                deadline_err(f, url, err, errlen);
            else if (resp->too_big)
                snprintf(err, errlen, "GrowthBook GET %s: response larger than %zu bytes", url,
                         resp->max_bytes);
            else if (rc == CURLE_OPERATION_TIMEDOUT)
                snprintf(err, errlen, "GrowthBook GET %s: timed out (connect timeout %ld ms, "
                                      "total timeout %ld ms): %s",
                         url, o->connect_timeout_ms, o->timeout_ms,
                         f->curl_err[0] ? f->curl_err : curl_easy_strerror(rc));
            else
                snprintf(err, errlen, "GrowthBook GET %s: %s", url,
                         f->curl_err[0] ? f->curl_err : curl_easy_strerror(rc));
            return ABC_ERR_ENV;
        }
        long status = 0;
        curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &status);
        int retry = status == 429 || (status >= 500 && status <= 599);
        if (!retry || attempt >= max_attempts) {
            if (retry) {
                char msg[GB_MESSAGE_MAX + 8];
                server_message(&resp->body, msg, sizeof msg);
                snprintf(err, errlen, "GrowthBook GET %s: HTTP %ld after %d attempt%s: %s", url,
                         status, attempt, attempt == 1 ? "" : "s", msg);
                return ABC_ERR_ENV;
            }
            *status_out = status;
            return ABC_OK;
        }
        long wait;
        if (status == 429 && resp->retry_after_s >= 0) {
            wait = resp->retry_after_s * 1000;
            if (wait > o->retry_after_cap_ms)
                wait = o->retry_after_cap_ms;
        } else {
            wait = backoff;
            long cap = o->backoff_cap_ms > 0 ? o->backoff_cap_ms : backoff;
            backoff = backoff * 2 > cap ? cap : backoff * 2;
            if (wait > cap)
                wait = cap;
        }
        if (wait >= time_left(f)) {
            deadline_err(f, url, err, errlen);
            return ABC_ERR_ENV;
        }
        sleep_ms(wait);
    }
}

AbcStatus gb_fetch_tag(const GbOptions *o, const char *tag, GbTagConfig **out, char *err,
                       size_t errlen)
{
    AbcStatus st = ABC_ERR_ENV;
    Fetch f;
    memset(&f, 0, sizeof f);
    f.o = o;
    HttpResp resp;
    memset(&resp, 0, sizeof resp);
    buf_init(&resp.body);
    resp.max_bytes = o->max_response_bytes ? o->max_response_bytes : GB_DEFAULT_MAX_BYTES;
    Buf base, url, auth;
    buf_init(&base);
    buf_init(&url);
    buf_init(&auth);
    char *noproxy = NULL;
    GbTagConfig *res = NULL;
    const char *key = o->api_key && *o->api_key ? o->api_key : NULL;

    if (tag && (!*tag || strchr(tag, ',') || !valid_header_value(tag))) {
        snprintf(err, errlen, "GrowthBook: invalid tag (empty, or contains ',' or control "
                              "characters)");
        st = ABC_ERR_USAGE;
        goto out;
    }
    if (key && !valid_header_value(key)) {
        snprintf(err, errlen, "GrowthBook: GROWTHBOOK_API_KEY contains control characters");
        goto out;
    }
    if (o->status && *o->status && strcmp(o->status, "draft") != 0 &&
        strcmp(o->status, "running") != 0 && strcmp(o->status, "stopped") != 0) {
        snprintf(err, errlen, "GrowthBook: status filter must be draft, running or stopped");
        st = ABC_ERR_USAGE;
        goto out;
    }
    if ((st = endpoint_url(o->api_host, &base, err, errlen)) != ABC_OK)
        goto out;
    st = ABC_ERR_ENV;
    if (key && starts_with_ci(o->api_host, "http://") && !loopback_host(o->api_host)) {
        if (!o->allow_insecure_http) {
            snprintf(err, errlen, "GrowthBook: refusing to send the API key over plain http:// "
                                  "to a host that is not this machine (%s); use https://, or "
                                  "set growthbook.allow_insecure_http: true",
                     base.data);
            goto out;
        }
        warn_insecure(base.data);
    }
    f.deadline = o->deadline_ms > 0 ? mono_ms() + (double)o->deadline_ms : 0;
    pthread_once(&g_curl_once, curl_init_once);
    if (g_curl_init_rc != CURLE_OK) {
        snprintf(err, errlen, "GrowthBook: curl_global_init failed: %s",
                 curl_easy_strerror(g_curl_init_rc));
        goto out;
    }
    f.h = curl_easy_init();
    if (!f.h) {
        snprintf(err, errlen, "GrowthBook: curl_easy_init failed");
        goto out;
    }
    res = result_new(tag, base.data, o->now);
    if (!res) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (key) {
        buf_printf(&auth, "Authorization: Bearer %s", key);
        f.headers = curl_slist_append(f.headers, auth.data);
    }
    f.headers = curl_slist_append(f.headers, "Accept: application/json");
    noproxy = no_proxy_list();
    curl_easy_setopt(f.h, CURLOPT_HTTPHEADER, f.headers);
    curl_easy_setopt(f.h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(f.h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(f.h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(f.h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(f.h, CURLOPT_NOPROXY, noproxy);
    curl_easy_setopt(f.h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(f.h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(f.h, CURLOPT_USERAGENT, "abc/" ABC_VERSION);
    curl_easy_setopt(f.h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f.h, CURLOPT_ERRORBUFFER, f.curl_err);
    curl_easy_setopt(f.h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(f.h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(f.h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(f.h, CURLOPT_HEADERDATA, &resp);

    int limit = o->page_limit >= 1 && o->page_limit <= 100 ? o->page_limit : 100;
    int use_tag = tag != NULL;
    long offset = 0;
    GbFilter filter = {tag, o->project_id && *o->project_id ? o->project_id : NULL,
                       o->status && *o->status ? o->status : NULL};
    for (int pages = 0;; pages++) {
        if (pages >= GB_MAX_PAGES) {
            snprintf(err, errlen, "GrowthBook GET %s: more than %d pages; giving up", base.data,
                     GB_MAX_PAGES);
            goto out;
        }
        buf_reset(&url);
        buf_puts(&url, base.data);
        buf_printf(&url, "?limit=%d&offset=%ld", limit, offset);
        if (use_tag)
            add_param(f.h, &url, "tag", tag);
        if (o->project_id && *o->project_id)
            add_param(f.h, &url, "projectId", o->project_id);
        if (o->status && *o->status)
            add_param(f.h, &url, "status", o->status);
        long status = 0;
        if ((st = get_page(&f, url.data, &resp, &status, err, errlen)) != ABC_OK)
            goto out;
        st = ABC_ERR_ENV;
        if (status != 200) {
            char msg[GB_MESSAGE_MAX + 8];
            server_message(&resp.body, msg, sizeof msg);
            if (status == 400 && use_tag && strncmp(msg, "Querystring:", 12) == 0) {
                /* A server older than 5.0.1: list everything, filter here. */
                use_tag = 0;
                res->tag_fallback = 1;
                offset = 0;
                continue;
            }
            if (status >= 300 && status < 400)
                snprintf(err, errlen, "GrowthBook GET %s: HTTP %ld redirect not followed; set "
                                      "api_host to the final URL",
                         url.data, status);
            else if (status == 401 || status == 403)
                snprintf(err, errlen, "GrowthBook GET %s: HTTP %ld (check GROWTHBOOK_API_KEY "
                                      "and its permissions): %s",
                         url.data, status, msg);
            else
                snprintf(err, errlen, "GrowthBook GET %s: HTTP %ld: %s", url.data, status, msg);
            goto out;
        }
        char source[600];
        snprintf(source, sizeof source, "GrowthBook response to GET %s", url.data);
        const char *ctype = NULL;
        if (curl_easy_getinfo(f.h, CURLINFO_CONTENT_TYPE, &ctype) != CURLE_OK)
            ctype = NULL;
        if (ctype && (starts_with_ci(ctype, "text/html") ||
                      starts_with_ci(ctype, "application/xhtml"))) {
            snprintf(err, errlen, "%s: HTTP 200 with an HTML page (Content-Type text/html), not "
                                  "JSON; is api_host the GrowthBook API (for the cloud "
                                  "https://api.growthbook.io) and not the web app or a login "
                                  "proxy?",
                     source);
            goto out;
        }
        ParseCtx pc = {res, source, NULL, err, errlen};
        PageInfo page = {0, 0, -1};
        if ((st = parse_doc(&pc, resp.body.data ? resp.body.data : "", resp.body.len, &filter, 1,
                            &page)) != ABC_OK)
            goto out;
        st = ABC_ERR_ENV;
        if (!page.has_more)
            break;
        long next = page.next_offset >= 0 ? (long)page.next_offset : offset + page.count;
        if (next <= offset) {
            snprintf(err, errlen, "%s: hasMore is true but the next offset (%ld) does not "
                                  "advance past %ld",
                     source, next, offset);
            st = ABC_ERR_SPEC;
            goto out;
        }
        offset = next;
    }
    res->n_requests = f.n_requests;
    *out = res;
    res = NULL;
    st = ABC_OK;
out:
    if (st != ABC_OK)
        finish_err(err, errlen, key);
    gb_tag_config_free(res);
    if (f.h)
        curl_easy_cleanup(f.h);
    curl_slist_free_all(f.headers);
    if (auth.data)
        memset(auth.data, 0, auth.len);
    buf_free(&auth);
    buf_free(&url);
    buf_free(&base);
    buf_free(&resp.body);
    free(noproxy);
    return st;
}

AbcStatus gb_resolve_tag(const GbOptions *o, const char *tag, GbTagConfig **out, char *err,
                         size_t errlen)
{
    if (!(o->file && *o->file))
        return gb_fetch_tag(o, tag, out, err, errlen);
    if (tag && !*tag) {
        snprintf(err, errlen, "GrowthBook: empty tag");
        return ABC_ERR_USAGE;
    }
    GbFilter f = {tag, o->project_id && *o->project_id ? o->project_id : NULL,
                  o->status && *o->status ? o->status : NULL};
    return load_snapshot(o->file, &f, o->now, out, err, errlen);
}
