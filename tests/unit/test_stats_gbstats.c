/* test_stats_gbstats.c — abc reproduces gbstats 0.8's own results
 * (tests/stats_ref/gbstats_reference.json, a copy of
 * shared/fixtures/gbstats/reference.json) to 1e-9 relative, through the
 * same JSON path `abc stats` uses.
 */
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static cJSON *load(const char *path)
{
    char *text = NULL, err[256];
    size_t len;
    AbcStatus st = file_read_all(path, 1 << 24, &text, &len, err, sizeof err);
    cr_assert_eq(st, ABC_OK, "%s", err);
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    cr_assert_not_null(j, "parse %s", path);
    return j;
}

static void check_num(const char *name, const char *field, double got, double want)
{
    double tol = 1e-9 * fabs(want);
    cr_expect(fabs(got - want) <= tol, "%s %s: got %.17g want %.17g (rel %.3g)", name, field, got,
              want, fabs(got - want) / fabs(want));
}

static void check_value(const char *name, const char *field, const cJSON *got, const cJSON *want)
{
    if (cJSON_IsArray(want)) {
        cr_assert(cJSON_IsArray(got), "%s %s: not an array", name, field);
        cr_assert_eq(cJSON_GetArraySize(got), cJSON_GetArraySize(want));
        for (int i = 0; i < cJSON_GetArraySize(want); i++)
            check_value(name, field, cJSON_GetArrayItem(got, i), cJSON_GetArrayItem(want, i));
        return;
    }
    if (cJSON_IsString(want)) {
        cr_expect(cJSON_IsString(got) && strcmp(got->valuestring, want->valuestring) == 0,
                  "%s %s", name, field);
        return;
    }
    cr_assert(cJSON_IsNumber(got), "%s %s: missing or not a number", name, field);
    check_num(name, field, got->valuedouble, want->valuedouble);
}

Test(stats_gbstats, reproduces_every_reference_value)
{
    cJSON *ref = load("tests/stats_ref/gbstats_reference.json");
    const cJSON *cases = cJSON_GetObjectItem(ref, "cases");
    int ncase = 0, nvalues = 0;
    for (const cJSON *c = cases->child; c; c = c->next, ncase++) {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        Arena arena;
        arena_init(&arena);
        StatsRequest q;
        StatsResult r;
        char err[256];
        cr_assert_eq(stats_request_from_json(cJSON_GetObjectItem(c, "input"), &arena, &q, err,
                                             sizeof err),
                     ABC_OK, "%s: %s", name, err);
        cr_assert_eq(stats_analyse(&q, &r, err, sizeof err), ABC_OK, "%s: %s", name, err);
        cJSON *out = stats_result_to_json(&q, &r);
        cr_assert_not_null(out);
        const cJSON *exp = cJSON_GetObjectItem(c, "expected");
        check_value(name, "srm_p_value", cJSON_GetObjectItem(out, "srm_p_value"),
                    cJSON_GetObjectItem(exp, "srm_p_value"));
        nvalues++;
        const cJSON *ev = cJSON_GetObjectItem(exp, "variations");
        const cJSON *ov = cJSON_GetObjectItem(out, "variations");
        for (const cJSON *e = ev->child; e; e = e->next) {
            const char *id = cJSON_GetObjectItem(e, "id")->valuestring;
            const cJSON *o = NULL;
            for (const cJSON *it = ov->child; it; it = it->next)
                if (strcmp(cJSON_GetObjectItem(it, "id")->valuestring, id) == 0)
                    o = it;
            cr_assert_not_null(o, "%s: variation %s missing", name, id);
            for (const cJSON *f = e->child; f; f = f->next) {
                check_value(name, f->string, cJSON_GetObjectItem(o, f->string), f);
                nvalues++;
            }
        }
        cJSON_Delete(out);
        stats_result_free(&r);
        arena_free(&arena);
    }
    cr_expect_eq(ncase, 20);
    cr_expect_geq(nvalues, 100);
    cJSON_Delete(ref);
}
