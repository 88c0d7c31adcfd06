/* stats_json.c — the `abc stats` JSON contract: parse an input document into
 * a StatsRequest (every error names its JSON path, "$.variations[1].n: must
 * be >= 0"), and the whole parse → analyse → print pipeline with numbers
 * printed as %.17g so they round-trip.
 */
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Ctx {
    char *err;
    size_t errlen;
} Ctx;

static AbcStatus perr(Ctx *c, const char *path, const char *msg)
{
    if (c->errlen)
        snprintf(c->err, c->errlen, "%s: %s", path, msg);
    return ABC_ERR_SPEC;
}

/* Fails on any member not in the NULL-terminated list (catches typos). */
static AbcStatus only_keys(Ctx *c, const cJSON *obj, const char *path, const char *const *keys)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            if (it->string && strcmp(it->string, keys[i]) == 0)
                known = true;
        if (!known) {
            char p[256];
            snprintf(p, sizeof p, "%s.%.100s", path, it->string ? it->string : "?");
            return perr(c, p, "unknown field");
        }
    }
    return ABC_OK;
}

/* A finite number member; absent → *present = false (or an error when required). */
static AbcStatus get_num(Ctx *c, const cJSON *obj, const char *path, const char *key,
                         bool required, double *out, bool *present)
{
    char p[256];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (present)
        *present = v != NULL && !cJSON_IsNull(v);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return perr(c, p, "missing required number");
        return ABC_OK;
    }
    if (!cJSON_IsNumber(v))
        return perr(c, p, "must be a number");
    if (!isfinite(v->valuedouble))
        return perr(c, p, "must be finite");
    *out = v->valuedouble;
    return ABC_OK;
}

static AbcStatus get_str(Ctx *c, const cJSON *obj, const char *path, const char *key,
                         bool required, const char **out)
{
    char p[256];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return perr(c, p, "missing required string");
        *out = NULL;
        return ABC_OK;
    }
    if (!cJSON_IsString(v))
        return perr(c, p, "must be a string");
    *out = v->valuestring;
    return ABC_OK;
}

/* Map a string to an enum value from a NULL-terminated name list. */
static AbcStatus pick(Ctx *c, const char *path, const char *s, const char *const *names,
                      int *out)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return ABC_OK;
        }
    char m[200];
    snprintf(m, sizeof m, "unknown value '%.60s'", s);
    return perr(c, path, m);
}

static AbcStatus parse_metric(Ctx *c, const cJSON *root, StatsRequest *q)
{
    static const char *const keys[] = {"kind", "direction", "cuped", "id", "name", NULL};
    static const char *const kinds[] = {"proportion", "mean", "ratio", NULL};
    static const char *const dirs[] = {"higher", "lower", NULL};
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "metric");
    if (!m)
        return perr(c, "$.metric", "missing required object");
    if (!cJSON_IsObject(m))
        return perr(c, "$.metric", "must be an object");
    AbcStatus st = only_keys(c, m, "$.metric", keys);
    const char *s;
    int v;
    if (st == ABC_OK)
        st = get_str(c, m, "$.metric", "kind", true, &s);
    if (st == ABC_OK)
        st = pick(c, "$.metric.kind", s, kinds, &v);
    if (st != ABC_OK)
        return st;
    q->kind = (StatsMetricKind)v;
    if ((st = get_str(c, m, "$.metric", "direction", false, &s)) != ABC_OK)
        return st;
    q->direction = STATS_HIGHER_BETTER;
    if (s) {
        if ((st = pick(c, "$.metric.direction", s, dirs, &v)) != ABC_OK)
            return st;
        q->direction = (StatsDirection)v;
    }
    const cJSON *cu = cJSON_GetObjectItemCaseSensitive(m, "cuped");
    q->cuped = false;
    if (cu && !cJSON_IsNull(cu)) {
        if (!cJSON_IsBool(cu))
            return perr(c, "$.metric.cuped", "must be true or false");
        q->cuped = cJSON_IsTrue(cu);
    }
    if (q->cuped && q->kind == STATS_RATIO)
        return perr(c, "$.metric.cuped", "CUPED is supported for proportion and mean metrics");
    return ABC_OK;
}

static AbcStatus parse_methods(Ctx *c, const cJSON *root, StatsRequest *q)
{
    static const char *const names[] = {"ttest", "bayes", "ztest", "beta_binomial", "did", NULL};
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "methods");
    q->methods = STATS_M_TTEST;
    if (!m || cJSON_IsNull(m))
        return ABC_OK;
    if (!cJSON_IsArray(m))
        return perr(c, "$.methods", "must be an array of strings");
    q->methods = 0;
    int i = 0;
    for (const cJSON *it = m->child; it; it = it->next, i++) {
        char p[64];
        snprintf(p, sizeof p, "$.methods[%d]", i);
        if (!cJSON_IsString(it))
            return perr(c, p, "must be a string");
        int v;
        AbcStatus st = pick(c, p, it->valuestring, names, &v);
        if (st != ABC_OK)
            return st;
        q->methods |= 1u << v;
    }
    if (!q->methods)
        return perr(c, "$.methods", "must name at least one method");
    if ((q->methods & (STATS_M_ZTEST | STATS_M_BETA_BINOMIAL)) && q->kind != STATS_PROPORTION)
        return perr(c, "$.methods", "ztest and beta_binomial need a proportion metric");
    if ((q->methods & STATS_M_DID) && q->kind != STATS_MEAN)
        return perr(c, "$.methods", "did needs a mean metric with pre_* sums");
    return ABC_OK;
}

static AbcStatus parse_options(Ctx *c, const cJSON *root, StatsRequest *q)
{
    static const char *const effects[] = {"relative", "absolute", NULL};
    static const char *const sideds[] = {"two", "one", NULL};
    static const char *const corrs[] = {"none", "holm", "bh", "bonferroni", NULL};
    static const char *const seqs[] = {"none", "cs", "msprt", "obf", NULL};
    AbcStatus st;
    bool have;
    q->alpha = 0.05;
    if ((st = get_num(c, root, "$", "alpha", false, &q->alpha, &have)) != ABC_OK)
        return st;
    if (!(q->alpha > 0 && q->alpha < 1))
        return perr(c, "$.alpha", "must be between 0 and 1 (exclusive)");
    q->srm_threshold = 0.001;
    if ((st = get_num(c, root, "$", "srm_threshold", false, &q->srm_threshold, &have)) != ABC_OK)
        return st;
    if (!(q->srm_threshold >= 0 && q->srm_threshold < 1))
        return perr(c, "$.srm_threshold", "must be in [0, 1)");
    const char *s;
    int v;
    q->effect = STATS_RELATIVE;
    if ((st = get_str(c, root, "$", "effect", false, &s)) != ABC_OK)
        return st;
    if (s) {
        if ((st = pick(c, "$.effect", s, effects, &v)) != ABC_OK)
            return st;
        q->effect = (StatsEffectType)v;
    }
    q->sides = STATS_TWO_SIDED;
    if ((st = get_str(c, root, "$", "sided", false, &s)) != ABC_OK)
        return st;
    if (s) {
        if ((st = pick(c, "$.sided", s, sideds, &v)) != ABC_OK)
            return st;
        q->sides = (StatsSides)v;
    }
    q->correction = STATS_CORR_NONE;
    if ((st = get_str(c, root, "$", "correction", false, &s)) != ABC_OK)
        return st;
    if (s) {
        if ((st = pick(c, "$.correction", s, corrs, &v)) != ABC_OK)
            return st;
        q->correction = (StatsCorrection)v;
    }
    /* sequential: null | {"method": "cs", "tuning": τ} | {"method": "msprt", "tau": τ}
     * | {"method": "obf", "looks": K, "look": k} (equally spaced looks) */
    q->sequential = STATS_SEQ_NONE;
    const cJSON *sq = cJSON_GetObjectItemCaseSensitive(root, "sequential");
    if (sq && !cJSON_IsNull(sq)) {
        static const char *const keys[] = {"method", "tuning", "tau", "looks", "look", NULL};
        if (!cJSON_IsObject(sq))
            return perr(c, "$.sequential", "must be null or an object");
        if ((st = only_keys(c, sq, "$.sequential", keys)) != ABC_OK)
            return st;
        if ((st = get_str(c, sq, "$.sequential", "method", true, &s)) != ABC_OK)
            return st;
        if ((st = pick(c, "$.sequential.method", s, seqs, &v)) != ABC_OK)
            return st;
        q->sequential = (StatsSequential)v;
        if (q->sequential == STATS_SEQ_CS) {
            q->seq_param = 5000;
            if ((st = get_num(c, sq, "$.sequential", "tuning", false, &q->seq_param, &have)))
                return st;
            if (!(q->seq_param > 0))
                return perr(c, "$.sequential.tuning", "must be > 0");
        } else if (q->sequential == STATS_SEQ_MSPRT) {
            if ((st = get_num(c, sq, "$.sequential", "tau", true, &q->seq_param, &have)))
                return st;
            if (!(q->seq_param > 0))
                return perr(c, "$.sequential.tau", "must be > 0");
        } else if (q->sequential == STATS_SEQ_GSD) {
            double looks, look;
            if ((st = get_num(c, sq, "$.sequential", "looks", true, &looks, &have)) ||
                (st = get_num(c, sq, "$.sequential", "look", true, &look, &have)))
                return st;
            if (!(looks >= 2 && looks <= 50 && looks == floor(looks)))
                return perr(c, "$.sequential.looks", "must be a whole number in [2, 50]");
            if (!(look >= 1 && look <= looks && look == floor(look)))
                return perr(c, "$.sequential.look", "must be a whole number in [1, looks]");
            double t[50], z[50];
            for (int i = 0; i < (int)looks; i++)
                t[i] = (i + 1) / looks;
            if (stats_gsd_obf(t, (size_t)looks, q->alpha, q->sides == STATS_TWO_SIDED, z) != ABC_OK)
                return perr(c, "$.sequential", "no O'Brien-Fleming design for these looks");
            q->seq_param = z[(int)look - 1];
        }
    }
    /* prior: null | {"mean": μ0, "stddev": σ0} */
    q->has_prior = false;
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "prior");
    if (pr && !cJSON_IsNull(pr)) {
        static const char *const keys[] = {"mean", "stddev", NULL};
        if (!cJSON_IsObject(pr))
            return perr(c, "$.prior", "must be null or an object");
        if ((st = only_keys(c, pr, "$.prior", keys)) != ABC_OK)
            return st;
        q->prior_mean = 0;
        if ((st = get_num(c, pr, "$.prior", "mean", false, &q->prior_mean, &have)) != ABC_OK)
            return st;
        if ((st = get_num(c, pr, "$.prior", "stddev", true, &q->prior_sd, &have)) != ABC_OK)
            return st;
        if (!(q->prior_sd > 0))
            return perr(c, "$.prior.stddev", "must be > 0");
        q->has_prior = true;
    }
    return ABC_OK;
}

static AbcStatus parse_variation(Ctx *c, const cJSON *v, size_t i, const StatsRequest *q,
                                 Arena *arena, StatsVariationIn *out, bool *has_weight)
{
    static const char *const keys[] = {"id", "weight", "n", "sum", "sum_sq", "pre_sum",
                                       "pre_sum_sq", "sum_pre", "den_sum", "den_sum_sq",
                                       "sum_den", NULL};
    char path[64];
    snprintf(path, sizeof path, "$.variations[%zu]", i);
    if (!cJSON_IsObject(v))
        return perr(c, path, "must be an object");
    AbcStatus st = only_keys(c, v, path, keys);
    if (st != ABC_OK)
        return st;
    const char *id;
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(v, "id");
    if (idv && cJSON_IsNumber(idv)) {
        out->id = arena_printf(arena, "%.17g", idv->valuedouble);
    } else {
        if ((st = get_str(c, v, path, "id", true, &id)) != ABC_OK)
            return st;
        out->id = arena_strdup(arena, id);
    }
    StatsSums *s = &out->sums;
    memset(s, 0, sizeof *s);
    out->weight = 0;
    if ((st = get_num(c, v, path, "weight", false, &out->weight, has_weight)) != ABC_OK)
        return st;
    char p[96];
    if (*has_weight && !(out->weight > 0)) {
        snprintf(p, sizeof p, "%s.weight", path);
        return perr(c, p, "must be > 0");
    }
    bool prop = q->kind == STATS_PROPORTION;
    if ((st = get_num(c, v, path, "n", true, &s->n, NULL)) != ABC_OK ||
        (st = get_num(c, v, path, "sum", true, &s->sum, NULL)) != ABC_OK)
        return st;
    bool have_sq = false;
    if ((st = get_num(c, v, path, "sum_sq", !prop, &s->sum_sq, &have_sq)) != ABC_OK)
        return st;
    if (prop && !have_sq)
        s->sum_sq = s->sum;
    snprintf(p, sizeof p, "%s.n", path);
    if (s->n < 0)
        return perr(c, p, "must be >= 0");
    if (s->n < 2)
        return perr(c, p, "must be >= 2 (a variation needs at least two units)");
    if (s->n > 9007199254740992.0)
        return perr(c, p, "must be <= 2^53");
    if (s->sum_sq < 0) {
        snprintf(p, sizeof p, "%s.sum_sq", path);
        return perr(c, p, "must be >= 0");
    }
    if (prop && (s->sum < 0 || s->sum > s->n)) {
        snprintf(p, sizeof p, "%s.sum", path);
        return perr(c, p, "must be between 0 and n for a proportion");
    }
    if (q->cuped) {
        if ((st = get_num(c, v, path, "pre_sum", true, &s->pre_sum, NULL)) != ABC_OK ||
            (st = get_num(c, v, path, "pre_sum_sq", true, &s->pre_sum_sq, NULL)) != ABC_OK ||
            (st = get_num(c, v, path, "sum_pre", true, &s->sum_pre, NULL)) != ABC_OK)
            return st;
    }
    if (q->kind == STATS_RATIO) {
        if ((st = get_num(c, v, path, "den_sum", true, &s->den_sum, NULL)) != ABC_OK ||
            (st = get_num(c, v, path, "den_sum_sq", true, &s->den_sum_sq, NULL)) != ABC_OK ||
            (st = get_num(c, v, path, "sum_den", true, &s->sum_den, NULL)) != ABC_OK)
            return st;
        if (s->den_sum == 0) {
            snprintf(p, sizeof p, "%s.den_sum", path);
            return perr(c, p, "must not be 0 for a ratio metric");
        }
    }
    return ABC_OK;
}

static AbcStatus parse_variations(Ctx *c, const cJSON *root, Arena *arena, StatsRequest *q)
{
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(root, "variations");
    if (!vs)
        return perr(c, "$.variations", "missing required array");
    if (!cJSON_IsArray(vs))
        return perr(c, "$.variations", "must be an array");
    int k = cJSON_GetArraySize(vs);
    if (k < 2)
        return perr(c, "$.variations", "need at least 2 variations (control first)");
    if (k > STATS_MAX_VARIATIONS) {
        char m[96];
        snprintf(m, sizeof m, "%d variations; at most %d are supported", k, STATS_MAX_VARIATIONS);
        return perr(c, "$.variations", m);
    }
    StatsVariationIn *arr = arena_alloc(arena, (size_t)k * sizeof *arr);
    size_t i = 0, nweights = 0;
    double wsum = 0;
    for (const cJSON *it = vs->child; it; it = it->next, i++) {
        bool hw = false;
        AbcStatus st = parse_variation(c, it, i, q, arena, &arr[i], &hw);
        if (st != ABC_OK)
            return st;
        nweights += hw;
        wsum += arr[i].weight;
    }
    if (nweights == 0) {
        for (i = 0; i < (size_t)k; i++)
            arr[i].weight = 1.0 / k;
    } else if (nweights != (size_t)k) {
        return perr(c, "$.variations", "give a weight for every variation or for none");
    } else if (fabs(wsum - 1.0) > 1e-6) {
        char m[96];
        snprintf(m, sizeof m, "weights sum to %.10g, not 1", wsum);
        return perr(c, "$.variations", m);
    }
    q->vars = arr;
    q->nvar = (size_t)k;
    return ABC_OK;
}

AbcStatus stats_request_from_json(const cJSON *root, Arena *arena, StatsRequest *req, char *err,
                                  size_t errlen)
{
    static const char *const keys[] = {"metric", "alpha", "effect", "methods", "sequential",
                                       "prior", "variations", "sided", "correction",
                                       "srm_threshold", NULL};
    Ctx c = {err, errlen};
    if (!cJSON_IsObject(root))
        return perr(&c, "$", "must be an object");
    StatsRequest q;
    memset(&q, 0, sizeof q);
    AbcStatus st = only_keys(&c, root, "$", keys);
    if (st == ABC_OK)
        st = parse_metric(&c, root, &q);
    if (st == ABC_OK)
        st = parse_methods(&c, root, &q);
    if (st == ABC_OK)
        st = parse_options(&c, root, &q);
    if (st == ABC_OK)
        st = parse_variations(&c, root, arena, &q);
    if (st != ABC_OK)
        return st;
    *req = q;
    return ABC_OK;
}

/* ---- printing with %.17g ------------------------------------------------------ */
static void put_json(Buf *b, const cJSON *v, int depth, int digits);

void stats_json_print(Buf *b, const cJSON *v, int digits)
{
    put_json(b, v, 0, digits);
}

static void put_json(Buf *b, const cJSON *v, int depth, int digits)
{
    if (cJSON_IsNumber(v)) {
        if (isfinite(v->valuedouble))
            buf_printf(b, "%.*g", digits, v->valuedouble);
        else
            buf_puts(b, "null");
    } else if (cJSON_IsString(v)) {
        buf_put_json_string(b, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v)) {
        bool nested = v->child && (cJSON_IsObject(v->child) || cJSON_IsArray(v->child));
        buf_putc(b, '[');
        for (const cJSON *it = v->child; it; it = it->next) {
            if (nested)
                buf_printf(b, "\n%*s", 2 * (depth + 1), "");
            put_json(b, it, depth + 1, digits);
            if (it->next)
                buf_puts(b, nested ? "," : ", ");
        }
        if (nested)
            buf_printf(b, "\n%*s", 2 * depth, "");
        buf_putc(b, ']');
    } else if (cJSON_IsObject(v)) {
        buf_puts(b, "{\n");
        for (const cJSON *it = v->child; it; it = it->next) {
            buf_printf(b, "%*s", 2 * (depth + 1), "");
            buf_put_json_string(b, it->string ? it->string : "");
            buf_puts(b, ": ");
            put_json(b, it, depth + 1, digits);
            buf_puts(b, it->next ? ",\n" : "\n");
        }
        buf_printf(b, "%*s}", 2 * depth, "");
    } else {
        buf_puts(b, "null");
    }
}

AbcStatus stats_run_json(const char *text, size_t len, int digits, char **out_json, char *err,
                         size_t errlen)
{
    stats_init();
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        if (errlen)
            snprintf(err, errlen, "$: invalid JSON near byte %zu",
                     end && end >= text ? (size_t)(end - text) : (size_t)0);
        return ABC_ERR_SPEC;
    }
    Arena arena;
    arena_init(&arena);
    StatsRequest q;
    StatsResult r = {0};
    cJSON *out = NULL;
    AbcStatus st = stats_request_from_json(root, &arena, &q, err, errlen);
    if (st == ABC_OK)
        st = stats_analyse(&q, &r, err, errlen);
    if (st == ABC_OK) {
        out = stats_result_to_json(&q, &r);
        if (!out) {
            st = ABC_ERR_ENV;
            if (errlen)
                snprintf(err, errlen, "out of memory");
        }
    }
    if (st == ABC_OK) {
        Buf b;
        buf_init(&b);
        put_json(&b, out, 0, digits);
        buf_putc(&b, '\n');
        *out_json = buf_take(&b);
    }
    cJSON_Delete(out);
    stats_result_free(&r);
    arena_free(&arena);
    cJSON_Delete(root);
    return st;
}
