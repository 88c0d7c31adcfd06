/* analysis_json.c — `abc stats` for metrics analysed from per-unit data:
 * quantile metrics (values per variation) and time-to-event metrics (times
 * and events per variation).  The document is turned into the IR's analysis
 * settings and metric, and analysed by the same functions the runner uses
 * (analysis_quantile_arms, analysis_survival_arms), so `abc stats` and a
 * report row agree number for number.  Errors name their JSON path.
 */
#include "abc/analysis.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNITS 50000000

typedef struct Doc {
    IrAnalysis an;
    IrMetric m;
    double zb;
    int nv;
    const char **ids;
    StatsValueCount **vc; /* quantile: each arm's values as value counts */
    StatsTimeCount **tc;  /* time_to: each arm's times and events as time counts */
    size_t *k;            /* the entries of vc[v] or tc[v] */
} Doc;

static AbcStatus jerr(char *err, size_t errlen, const char *path, const char *msg)
{
    snprintf(err, errlen, "%s: %s", path, msg);
    return ABC_ERR_SPEC;
}

static bool is_one_of(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(s, *names))
            return true;
    return false;
}

static AbcStatus unknown_keys(const cJSON *o, const char *path, const char *const *keys, char *err,
                              size_t errlen)
{
    for (const cJSON *it = o->child; it; it = it->next)
        if (!it->string || !is_one_of(it->string, keys)) {
            char p[160];
            snprintf(p, sizeof p, "%s.%.80s", path, it->string ? it->string : "?");
            return jerr(err, errlen, p, "unknown field");
        }
    return ABC_OK;
}

static AbcStatus num_at(const cJSON *o, const char *key, const char *path, bool required,
                        double *out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    char p[160];
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!v || cJSON_IsNull(v))
        return required ? jerr(err, errlen, p, "missing required number") : ABC_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return jerr(err, errlen, p, "must be a finite number");
    *out = v->valuedouble;
    return ABC_OK;
}

static const char *str_at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static AbcStatus parse_settings(const cJSON *root, Doc *d, char *err, size_t errlen)
{
    static const char *const keys[] = {"metric", "alpha", "effect", "sided", "methods", "sequential",
                                       "bootstrap", "variations", NULL};
    AbcStatus st = unknown_keys(root, "$", keys, err, errlen);
    if (st != ABC_OK)
        return st;
    IrAnalysis *an = &d->an;
    an->alpha = 0.05;
    an->effect = EFFECT_RELATIVE;
    an->methods = METHOD_TTEST;
    an->bootstrap_resamples = 1000;
    an->bootstrap_seed = 1;
    an->srm_threshold = 0.001;
    if ((st = num_at(root, "alpha", "$", false, &an->alpha, err, errlen)) != ABC_OK)
        return st;
    if (!(an->alpha > 0 && an->alpha < 1))
        return jerr(err, errlen, "$.alpha", "must be between 0 and 1 (exclusive)");
    const char *s = str_at(root, "effect");
    if (cJSON_GetObjectItemCaseSensitive(root, "effect")) {
        if (!s || (strcmp(s, "relative") && strcmp(s, "absolute")))
            return jerr(err, errlen, "$.effect", "must be \"relative\" or \"absolute\"");
        an->effect = s[0] == 'a' ? EFFECT_ABSOLUTE : EFFECT_RELATIVE;
    }
    s = str_at(root, "sided");
    if (cJSON_GetObjectItemCaseSensitive(root, "sided")) {
        if (!s || (strcmp(s, "one") && strcmp(s, "two")))
            return jerr(err, errlen, "$.sided", "must be \"one\" or \"two\"");
        an->one_sided = s[0] == 'o';
    }
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "methods");
    if (ms && !cJSON_IsNull(ms)) {
        if (!cJSON_IsArray(ms))
            return jerr(err, errlen, "$.methods", "must be an array of strings");
        an->methods = 0;
        int i = 0;
        for (const cJSON *it = ms->child; it; it = it->next, i++) {
            char p[64];
            snprintf(p, sizeof p, "$.methods[%d]", i);
            int k = -1;
            for (int j = 0; cJSON_IsString(it) && j < IR_NMETHODS; j++)
                if (!strcmp(it->valuestring, IR_METHOD_NAMES[j]))
                    k = j;
            if (k < 0)
                return jerr(err, errlen, p, "unknown method (ttest, bayes, mannwhitney, bootstrap, ...)");
            an->methods |= 1u << k;
        }
    }
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(root, "bootstrap");
    if (bs && !cJSON_IsNull(bs)) {
        static const char *const bk[] = {"resamples", "seed", NULL};
        double r = 1000, seed = 1;
        if (!cJSON_IsObject(bs))
            return jerr(err, errlen, "$.bootstrap", "must be an object");
        if ((st = unknown_keys(bs, "$.bootstrap", bk, err, errlen)) != ABC_OK ||
            (st = num_at(bs, "resamples", "$.bootstrap", false, &r, err, errlen)) != ABC_OK ||
            (st = num_at(bs, "seed", "$.bootstrap", false, &seed, err, errlen)) != ABC_OK)
            return st;
        if (!(r >= 10 && r <= 100000 && r == floor(r)))
            return jerr(err, errlen, "$.bootstrap.resamples", "must be a whole number in [10, 100000]");
        if (!(seed >= 0 && seed <= 2147483647 && seed == floor(seed)))
            return jerr(err, errlen, "$.bootstrap.seed", "must be a whole number >= 0");
        an->bootstrap_resamples = (int)r;
        an->bootstrap_seed = (unsigned long)seed;
    }
    /* sequential: null | {"method": "cs"|"msprt"|"obf", "tuning"|"tau", "looks", "look"} */
    d->zb = NAN;
    const cJSON *sq = cJSON_GetObjectItemCaseSensitive(root, "sequential");
    if (sq && !cJSON_IsNull(sq)) {
        static const char *const sk[] = {"method", "tuning", "tau", "looks", "look", NULL};
        if (!cJSON_IsObject(sq))
            return jerr(err, errlen, "$.sequential", "must be null or an object");
        if ((st = unknown_keys(sq, "$.sequential", sk, err, errlen)) != ABC_OK)
            return st;
        s = str_at(sq, "method");
        if (!s || !is_one_of(s, (const char *const[]){"none", "cs", "msprt", "obf", NULL}))
            return jerr(err, errlen, "$.sequential.method", "must be none, cs, msprt or obf");
        if (!strcmp(s, "cs")) {
            an->sequential = SEQ_CS;
            an->seq_param = 5000;
            if ((st = num_at(sq, "tuning", "$.sequential", false, &an->seq_param, err, errlen)) != ABC_OK)
                return st;
        } else if (!strcmp(s, "msprt")) {
            an->sequential = SEQ_MSPRT;
            if ((st = num_at(sq, "tau", "$.sequential", true, &an->seq_param, err, errlen)) != ABC_OK)
                return st;
        } else if (!strcmp(s, "obf")) {
            double looks = 0, look = 0;
            an->sequential = SEQ_GSD_OBF;
            if ((st = num_at(sq, "looks", "$.sequential", true, &looks, err, errlen)) != ABC_OK ||
                (st = num_at(sq, "look", "$.sequential", true, &look, err, errlen)) != ABC_OK)
                return st;
            if (!(looks >= 2 && looks <= 50 && looks == floor(looks)))
                return jerr(err, errlen, "$.sequential.looks", "must be a whole number in [2, 50]");
            if (!(look >= 1 && look <= looks && look == floor(look)))
                return jerr(err, errlen, "$.sequential.look", "must be a whole number in [1, looks]");
            an->looks = (int)looks;
            double z[64];
            bool ready = false;
            /* look k is analysis day 7k of the documented weekly schedule */
            d->zb = analysis_gsd_boundary(an, 7 * (long)look, z, &ready);
        }
        if ((an->sequential == SEQ_CS || an->sequential == SEQ_MSPRT) && !(an->seq_param > 0))
            return jerr(err, errlen, "$.sequential", "tuning/tau must be > 0");
        if ((an->sequential == SEQ_CS || an->sequential == SEQ_MSPRT) && an->one_sided)
            return jerr(err, errlen, "$.sided",
                        "one-sided tests are not available with sequential cs or msprt");
    }
    return ABC_OK;
}

static AbcStatus parse_metric(const cJSON *root, Doc *d, bool *survival, char *err, size_t errlen)
{
    static const char *const keys[] = {"kind", "direction", "quantile", "window", "id", "name", NULL};
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "metric");
    if (!cJSON_IsObject(m))
        return jerr(err, errlen, "$.metric", "missing required object");
    AbcStatus st = unknown_keys(m, "$.metric", keys, err, errlen);
    if (st != ABC_OK)
        return st;
    const char *kind = str_at(m, "kind");
    *survival = kind && !strcmp(kind, "time_to");
    d->m.name = "metric";
    d->m.kind = *survival ? MK_TIME_TO_EVENT : MK_QUANTILE;
    const char *dir = str_at(m, "direction");
    if (cJSON_GetObjectItemCaseSensitive(m, "direction") &&
        (!dir || (strcmp(dir, "higher") && strcmp(dir, "lower"))))
        return jerr(err, errlen, "$.metric.direction", "must be \"higher\" or \"lower\"");
    d->m.direction = dir && !strcmp(dir, "lower") ? DIR_LOWER : DIR_HIGHER;
    if (*survival) {
        double w = 0;
        if ((st = num_at(m, "window", "$.metric", true, &w, err, errlen)) != ABC_OK)
            return st;
        if (!(w >= 1 && w <= 3650 && w == floor(w)))
            return jerr(err, errlen, "$.metric.window", "must be a whole number of days in [1, 3650]");
        d->m.window.kind = WIN_DAYS;
        d->m.window.to_day = (int)w;
    } else {
        if ((st = num_at(m, "quantile", "$.metric", true, &d->m.quantile, err, errlen)) != ABC_OK)
            return st;
        if (!(d->m.quantile > 0 && d->m.quantile < 1))
            return jerr(err, errlen, "$.metric.quantile", "must be in (0, 1)");
    }
    return ABC_OK;
}

/* A numeric array member into a malloc'd array (ints for events). */
static AbcStatus array_at(const cJSON *v, const char *key, const char *path, bool events,
                          void **out, size_t *n, char *err, size_t errlen)
{
    char p[160];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, key);
    if (!cJSON_IsArray(a))
        return jerr(err, errlen, p, "missing required array of numbers");
    int k = cJSON_GetArraySize(a);
    if (k > MAX_UNITS)
        return jerr(err, errlen, p, "more than 50,000,000 units");
    void *buf = malloc((size_t)(k ? k : 1) * (events ? sizeof(int) : sizeof(double)));
    if (!buf)
        return jerr(err, errlen, p, "out of memory");
    int i = 0;
    for (const cJSON *it = a->child; it; it = it->next, i++) {
        char q[200];
        snprintf(q, sizeof q, "%s[%d]", p, i);
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
            free(buf);
            return jerr(err, errlen, q, "must be a finite number");
        }
        if (events) {
            if (it->valuedouble != 0 && it->valuedouble != 1) {
                free(buf);
                return jerr(err, errlen, q, "must be 0 (censored) or 1 (event)");
            }
            ((int *)buf)[i] = (int)it->valuedouble;
        } else {
            ((double *)buf)[i] = it->valuedouble;
        }
    }
    *out = buf;
    *n = (size_t)k;
    return ABC_OK;
}

/* Variation i's per-unit numbers at path p, read into d's value counts
 * (quantile) or time counts (time_to); the raw arrays are freed here. */
static AbcStatus parse_arm(const cJSON *v, const char *p, bool survival, Doc *d, int i, char *err,
                           size_t errlen)
{
    double *x = NULL;
    int *e = NULL;
    size_t n = 0, ne = 0;
    AbcStatus st;
    if (!survival) {
        if ((st = array_at(v, "values", p, false, (void **)&x, &n, err, errlen)) == ABC_OK &&
            stats_value_counts(x, n, &d->vc[i], &d->k[i]) != ABC_OK)
            st = jerr(err, errlen, p, "out of memory");
        free(x);
        return st;
    }
    if ((st = array_at(v, "times", p, false, (void **)&x, &n, err, errlen)) != ABC_OK ||
        (st = array_at(v, "events", p, true, (void **)&e, &ne, err, errlen)) != ABC_OK)
        goto out;
    if (ne != n) {
        char q[80];
        snprintf(q, sizeof q, "%s.events", p);
        st = jerr(err, errlen, q, "must have as many entries as times");
        goto out;
    }
    for (size_t k = 0; k < n; k++)
        if (x[k] < 0) {
            char q[96];
            snprintf(q, sizeof q, "%s.times[%zu]", p, k);
            st = jerr(err, errlen, q, "must be >= 0");
            goto out;
        }
    if (stats_time_counts(x, e, n, &d->tc[i], &d->k[i]) != ABC_OK)
        st = jerr(err, errlen, p, "out of memory");
out:
    free(x);
    free(e);
    return st;
}

static AbcStatus parse_variations(const cJSON *root, Doc *d, bool survival, char *err, size_t errlen)
{
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(root, "variations");
    if (!cJSON_IsArray(vs))
        return jerr(err, errlen, "$.variations", "missing required array");
    int nv = cJSON_GetArraySize(vs);
    if (nv < 2 || nv > 1000)
        return jerr(err, errlen, "$.variations", "need 2 to 1000 variations");
    d->nv = nv;
    d->ids = calloc((size_t)nv, sizeof *d->ids);
    d->vc = calloc((size_t)nv, sizeof *d->vc);
    d->tc = calloc((size_t)nv, sizeof *d->tc);
    d->k = calloc((size_t)nv, sizeof *d->k);
    if (!d->ids || !d->vc || !d->tc || !d->k)
        return jerr(err, errlen, "$.variations", "out of memory");
    static const char *const qkeys[] = {"id", "values", NULL}, *const skeys[] = {"id", "times", "events", NULL};
    int i = 0;
    for (const cJSON *v = vs->child; v; v = v->next, i++) {
        char p[64];
        snprintf(p, sizeof p, "$.variations[%d]", i);
        if (!cJSON_IsObject(v))
            return jerr(err, errlen, p, "must be an object");
        AbcStatus st = unknown_keys(v, p, survival ? skeys : qkeys, err, errlen);
        if (st != ABC_OK)
            return st;
        d->ids[i] = str_at(v, "id");
        if (!d->ids[i]) {
            char q[80];
            snprintf(q, sizeof q, "%s.id", p);
            return jerr(err, errlen, q, "missing required string");
        }
        if ((st = parse_arm(v, p, survival, d, i, err, errlen)) != ABC_OK)
            return st;
    }
    return ABC_OK;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_pair(cJSON *o, const char *k, double a, double b)
{
    cJSON *arr = cJSON_AddArrayToObject(o, k);
    cJSON_AddItemToArray(arr, isfinite(a) ? cJSON_CreateNumber(a) : cJSON_CreateNull());
    cJSON_AddItemToArray(arr, isfinite(b) ? cJSON_CreateNumber(b) : cJSON_CreateNull());
}

static cJSON *render(const Doc *d, const AnalysisArm *out, bool survival)
{
    AnalysisPolicy pol = analysis_policy(&d->an, &d->m);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "test", pol.test);
    Buf mb;
    buf_init(&mb);
    analysis_methods(&d->an, &d->m, false, &mb);
    cJSON_AddStringToObject(root, "methods", mb.data ? mb.data : "");
    buf_free(&mb);
    cJSON *vs = cJSON_AddArrayToObject(root, "variations");
    for (int v = 0; v < d->nv; v++) {
        const AnalysisArm *o = &out[v];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToArray(vs, j);
        cJSON_AddStringToObject(j, "id", d->ids[v]);
        add_num(j, "n", o->n);
        add_num(j, survival ? "rmst" : "quantile", o->mean);
        add_pair(j, survival ? "rmst_ci" : "quantile_ci", o->value_lo, o->value_hi);
        if (survival)
            add_num(j, "km_median", o->km_median);
        if (v == 0)
            continue;
        add_num(j, "effect", d->an.effect == EFFECT_ABSOLUTE ? o->abs_effect : o->rel_effect);
        add_pair(j, "ci", o->ci_lo, o->ci_hi);
        add_num(j, "p_value", o->p);
        add_num(j, "absolute_effect", o->abs_effect);
        add_num(j, "relative_effect", o->rel_effect);
        if (pol.extras & AN_X_BAYES) {
            add_num(j, "chance_to_win", o->ctw);
            add_num(j, "expected_loss", o->loss);
        }
        if (pol.extras & AN_X_UPLIFT)
            add_pair(j, "impact_ci", o->impact_lo, o->impact_hi);
        if (pol.extras & AN_X_MANNWHITNEY)
            add_num(j, "mannwhitney_p_value", o->mw_p);
        if (pol.extras & AN_X_BOOTSTRAP) {
            cJSON *b = cJSON_AddObjectToObject(j, "bootstrap");
            add_num(b, "effect", o->boot_est);
            add_pair(b, "ci", o->boot_lo, o->boot_hi);
        }
        if (survival)
            add_num(j, "logrank_p_value", o->logrank_p);
        if (o->note[0])
            cJSON_AddStringToObject(j, "note", o->note);
    }
    return root;
}

AbcStatus analysis_stats_json(const cJSON *root, int digits, char **out_json, char *err,
                              size_t errlen)
{
    stats_init();
    Doc d;
    memset(&d, 0, sizeof d);
    bool survival = false;
    AbcStatus st = cJSON_IsObject(root) ? ABC_OK : jerr(err, errlen, "$", "must be an object");
    if (st == ABC_OK)
        st = parse_metric(root, &d, &survival, err, errlen);
    if (st == ABC_OK)
        st = parse_settings(root, &d, err, errlen);
    if (st == ABC_OK)
        st = parse_variations(root, &d, survival, err, errlen);
    AnalysisArm *out = NULL;
    if (st == ABC_OK && !(out = calloc((size_t)d.nv, sizeof *out)))
        st = jerr(err, errlen, "$", "out of memory");
    if (st == ABC_OK) {
        for (int v = 0; v < d.nv; v++)
            analysis_arm_clear(&out[v]);
        if (survival)
            analysis_survival_arms(&d.an, &d.m, d.zb, (const StatsTimeCount *const *)d.tc, d.k,
                                   d.nv, out);
        else
            analysis_quantile_arms(&d.an, &d.m, d.zb, (const StatsValueCount *const *)d.vc, d.k,
                                   d.nv, true, out);
        cJSON *j = render(&d, out, survival);
        Buf b;
        buf_init(&b);
        stats_json_print(&b, j, digits);
        buf_putc(&b, '\n');
        *out_json = buf_take(&b);
        cJSON_Delete(j);
    }
    free(out);
    for (int v = 0; v < d.nv; v++) {
        if (d.vc)
            free(d.vc[v]);
        if (d.tc)
            free(d.tc[v]);
    }
    free(d.ids);
    free(d.vc);
    free(d.tc);
    free(d.k);
    return st;
}
