/* test_gb.c — GrowthBook client: parsing and validation of list responses and
 * snapshots, latest-phase resolution, and the HTTP client against the fixture
 * server tests/fixtures/gb_server.py (127.0.0.1 only), one server per test. */
#include <criterion/criterion.h>

#include "abc/gb.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEY "secret_abcTESTKEY_7f3e9d"

static char *read_fixture(const char *path, size_t *len)
{
    char *data = NULL;
    char err[256];
    cr_assert_eq(file_read_all(path, 1 << 24, &data, len, err, sizeof err), ABC_OK, "%s", err);
    return data;
}

/* ---- offline: parsing ------------------------------------------------------ */

Test(gb_parse, example_list_latest_phase)
{
    size_t len;
    char *json = read_fixture("tests/fixtures/growthbook/example-list.json", &len);
    GbTagConfig *c = NULL;
    char err[512] = "";
    cr_assert_eq(gb_parse_list(json, len, "abc-weekly", "example-list.json", 1790000000, &c,
                               err, sizeof err),
                 ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 2);
    cr_assert_str_eq(c->tag, "abc-weekly");
    cr_assert_eq(c->fetched_at, 1790000000);
    cr_assert_str_eq(c->fetched_at_iso, "2026-09-21T14:13:20Z");

    const GbExperiment *a = &c->experiments[0];
    cr_assert_str_eq(a->id, "exp_19g61rmlw9p4q1d");
    cr_assert_str_eq(a->tracking_key, "search-ranking-v7");
    cr_assert_str_eq(a->status, "stopped");
    cr_assert_eq(a->phase_index, 0);
    cr_assert_str_eq(a->date_ended, "2024-06-17T00:00:00.000Z");

    const GbExperiment *e = gb_find_experiment(c, "exp_19g61rmlx0k2m9f");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->tracking_key, "checkout-onepage-2024q3");
    cr_assert_str_eq(e->name, "One-page checkout");
    cr_assert_str_eq(e->status, "running");
    cr_assert_eq(e->archived, 0);
    cr_assert_eq(e->phase_index, 2);
    cr_assert_str_eq(e->phase_name, "Main (re-randomized)");
    cr_assert_str_eq(e->date_started, "2024-07-23T00:00:00.000Z");
    cr_assert_str_eq(e->date_ended, "");
    cr_assert_float_eq(e->coverage, 1.0, 1e-12);
    cr_assert_eq(e->n_variations, 3);
    const char *keys[] = {"0", "1", "2"};
    const double w[] = {0.5, 0.25, 0.25};
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(e->variations[i].key, keys[i]);
        cr_assert_float_eq(e->variations[i].weight, w[i], 1e-12);
        cr_assert_eq(e->variations[i].is_control, i == 0);
    }
    cr_assert_str_eq(e->variations[2].name, "One-page checkout + Apple Pay");
    cr_assert_str_eq(e->variations[2].variation_id, "var_lx0k2m9c");
    cr_assert_null(gb_find_experiment(c, "exp_nope"));
    gb_tag_config_free(c);
    free(json);
}

Test(gb_parse, tag_filter_is_case_insensitive)
{
    size_t len;
    char *json = read_fixture("tests/fixtures/growthbook/example-list.json", &len);
    char err[512] = "";
    struct {
        const char *tag;
        size_t n;
    } cases[] = {{"ABC-Weekly", 2}, {"checkout", 1}, {"WEB", 1}, {"search", 1},
                 {"abc-week", 0},   {"nope", 0},     {NULL, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GbTagConfig *c = NULL;
        cr_assert_eq(gb_parse_list(json, len, cases[i].tag, "x", 0, &c, err, sizeof err), ABC_OK,
                     "%s", err);
        cr_assert_eq(c->n_experiments, cases[i].n, "tag %s: %zu", cases[i].tag,
                     c->n_experiments);
        cr_assert_gt(c->fetched_at, 1700000000);
        gb_tag_config_free(c);
    }
    free(json);
}

static void check_weird(const GbTagConfig *c)
{
    cr_assert_eq(c->n_experiments, 2);
    const GbExperiment *a = &c->experiments[0];
    cr_assert_str_eq(a->id, "exp_w1'--;");
    cr_assert_str_eq(a->tracking_key, "trk'\"--;`x`");
    cr_assert_str_eq(a->name,
                     "Robert'); DROP TABLE experiments;-- \"quoted\" `tick` caf\xc3\xa9 "
                     "\xe5\xae\x9f\xe9\xa8\x93 \xf0\x9f\x9a\x80");
    cr_assert_eq(a->phase_index, 1);
    cr_assert_str_eq(a->phase_name, "Fase \xc3\xbcn\xc3\xb6 -- ;");
    cr_assert_float_eq(a->coverage, 0.8, 1e-12);
    cr_assert_str_eq(a->variations[0].key, "0'");
    cr_assert_str_eq(a->variations[0].name, "Contr\xc3\xb4le `A`; --x");
    cr_assert_float_eq(a->variations[0].weight, 0.4, 1e-12); /* split order reversed */
    cr_assert_str_eq(a->variations[1].key, "1\";--");
    cr_assert_str_eq(a->variations[1].name, "Variante \"B\" 'b' ; DROP");
    cr_assert_float_eq(a->variations[1].weight, 0.6, 1e-12);
    const GbExperiment *b = &c->experiments[1];
    cr_assert_str_eq(b->tracking_key, "back\\slash");
    cr_assert_str_eq(b->name, "caf\xc3\xa9 \xe5\xae\x9f\xe9\xa8\x93 \xf0\x9f\x9a\x80 tab\there");
    cr_assert_str_eq(b->date_started, "2026-10-01");
    cr_assert_eq(b->n_variations, 3);
}

Test(gb_parse, odd_names_kept_exactly)
{
    size_t len;
    char *json = read_fixture("tests/fixtures/growthbook/weird-names.json", &len);
    GbTagConfig *c = NULL;
    char err[512] = "";
    cr_assert_eq(gb_parse_list(json, len, "retention", "w", 0, &c, err, sizeof err), ABC_OK,
                 "%s", err);
    check_weird(c);
    gb_tag_config_free(c);
    cr_assert_eq(gb_parse_list(json, len, "\xc3\x9cn\xc3\xaf" "code-tag", "w", 0, &c, err,
                               sizeof err),
                 ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 1);
    gb_tag_config_free(c);
    free(json);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Mutate example-list.json with `edit`, parse it for tag abc-weekly, and
 * return the status; err receives the message. */
typedef void (*Edit)(cJSON *root);

static AbcStatus parse_edited(Edit edit, const char *tag, char *err, size_t errlen,
                              GbTagConfig **out)
{
    size_t len;
    char *json = read_fixture("tests/fixtures/growthbook/example-list.json", &len);
    cJSON *root = cJSON_ParseWithLength(json, len);
    cr_assert_not_null(root);
    edit(root);
    char *text = cJSON_PrintUnformatted(root);
    GbTagConfig *c = NULL;
    err[0] = '\0';
    AbcStatus st = gb_parse_list(text, strlen(text), tag, "snap.json", 0, &c, err, errlen);
    if (out)
        *out = c;
    else
        gb_tag_config_free(c);
    if (st != ABC_OK)
        cr_assert_null(c, "out written on failure");
    free(text);
    cJSON_Delete(root);
    free(json);
    return st;
}

static cJSON *exp1(cJSON *root) { return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "experiments"), 1); }
static cJSON *latest(cJSON *root)
{
    cJSON *ph = cJSON_GetObjectItem(exp1(root), "phases");
    return cJSON_GetArrayItem(ph, cJSON_GetArraySize(ph) - 1);
}
static cJSON *split(cJSON *root, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(latest(root), "trafficSplit"), i);
}

static void weight_string(cJSON *r) { cJSON_ReplaceItemInObject(split(r, 1), "weight", cJSON_CreateString("0.25")); }
static void no_tracking_key(cJSON *r) { cJSON_DeleteItemFromObject(exp1(r), "trackingKey"); }
static void unknown_split_id(cJSON *r) { cJSON_ReplaceItemInObject(split(r, 2), "variationId", cJSON_CreateString("var_ghost")); }
static void bad_sum(cJSON *r) { cJSON_ReplaceItemInObject(split(r, 0), "weight", cJSON_CreateNumber(0.4)); }
static void missing_split(cJSON *r) { cJSON_DeleteItemFromArray(cJSON_GetObjectItem(latest(r), "trafficSplit"), 2); }
static void dup_split(cJSON *r) { cJSON_ReplaceItemInObject(split(r, 2), "variationId", cJSON_CreateString("var_lx0k2m9b")); }
static void dup_key(cJSON *r)
{
    cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(exp1(r), "variations"), 2);
    cJSON_ReplaceItemInObject(v, "key", cJSON_CreateString("1"));
}
static void big_coverage(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "coverage", cJSON_CreateNumber(1.5)); }
static void bad_date(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "dateEnded", cJSON_CreateString("soon")); }
static void null_started(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "dateStarted", cJSON_CreateNull()); }
static void no_id(cJSON *r) { cJSON_DeleteItemFromObject(exp1(r), "id"); }
static void tags_string(cJSON *r) { cJSON_ReplaceItemInObject(exp1(r), "tags", cJSON_CreateString("abc-weekly")); }
static void tag_number(cJSON *r) { cJSON_AddItemToArray(cJSON_GetObjectItem(exp1(r), "tags"), cJSON_CreateNumber(3)); }
static void no_phases(cJSON *r) { cJSON_ReplaceItemInObject(exp1(r), "phases", cJSON_CreateArray()); }
static void one_variation(cJSON *r)
{
    cJSON *v = cJSON_GetObjectItem(exp1(r), "variations");
    cJSON_DeleteItemFromArray(v, 2);
    cJSON_DeleteItemFromArray(v, 1);
}
static void archived_string(cJSON *r) { cJSON_ReplaceItemInObject(exp1(r), "archived", cJSON_CreateString("no")); }
static void phase_not_object(cJSON *r)
{
    cJSON *ph = cJSON_GetObjectItem(exp1(r), "phases");
    cJSON_ReplaceItemInArray(ph, 2, cJSON_CreateNumber(7));
}
static void experiments_object(cJSON *r) { cJSON_ReplaceItemInObject(r, "experiments", cJSON_CreateObject()); }
static void nothing(cJSON *r) { (void)r; }
static void esc_name(cJSON *r) { cJSON_ReplaceItemInObject(exp1(r), "name", cJSON_CreateString("a\x1b]0;t\x07b")); }
static void vt_variation_name(cJSON *r)
{
    cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(exp1(r), "variations"), 1);
    cJSON_ReplaceItemInObject(v, "name", cJSON_CreateString("x\vy"));
}
static void bad_time(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "dateStarted", cJSON_CreateString("2024-07-23T99:99:99Z")); }
static void bad_zone(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "dateStarted", cJSON_CreateString("2024-07-23T10:00:00+25:00")); }
static void trailing_junk(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "dateStarted", cJSON_CreateString("2024-07-23T10:00:00Zjunk")); }
static void feb_30(cJSON *r) { cJSON_ReplaceItemInObject(latest(r), "dateStarted", cJSON_CreateString("2024-02-30")); }
static void ended_before(cJSON *r)
{
    cJSON_ReplaceItemInObject(latest(r), "dateEnded", cJSON_CreateString("2024-07-22T23:59:59.999Z"));
}
static void repeat(char *buf, const char *unit, int n)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        strcat(buf, unit);
}
static void long_name(cJSON *r)
{
    char b[1100];
    repeat(b, "x", 256);
    cJSON_ReplaceItemInObject(exp1(r), "name", cJSON_CreateString(b));
}
static void long_tracking_key(cJSON *r)
{
    char b[300];
    repeat(b, "k", 129);
    cJSON_ReplaceItemInObject(exp1(r), "trackingKey", cJSON_CreateString(b));
}
static void long_variation_key(cJSON *r)
{
    char b[300];
    repeat(b, "v", 65);
    cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(exp1(r), "variations"), 2);
    cJSON_ReplaceItemInObject(v, "key", cJSON_CreateString(b));
}
static void long_phase_name(cJSON *r)
{
    char b[1100];
    repeat(b, "p", 256);
    cJSON_ReplaceItemInObject(latest(r), "name", cJSON_CreateString(b));
}
static void dup_tracking_key(cJSON *r)
{
    cJSON_ReplaceItemInObject(exp1(r), "trackingKey", cJSON_CreateString("search-ranking-v7"));
}
/* At the limits: 255 two-byte characters, a 128-character tracking key, a
 * 64-character variation key, a phase ending when it starts. */
static void at_limits(cJSON *r)
{
    char b[1100];
    repeat(b, "\xc3\xa9", 255);
    cJSON_ReplaceItemInObject(exp1(r), "name", cJSON_CreateString(b));
    repeat(b, "k", 128);
    cJSON_ReplaceItemInObject(exp1(r), "trackingKey", cJSON_CreateString(b));
    repeat(b, "v", 64);
    cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(exp1(r), "variations"), 2);
    cJSON_ReplaceItemInObject(v, "key", cJSON_CreateString(b));
    cJSON_ReplaceItemInObject(latest(r), "dateStarted", cJSON_CreateString("2024-07-23 10:00:00.5+02:00"));
    cJSON_ReplaceItemInObject(latest(r), "dateEnded", cJSON_CreateString("2024-07-23T08:00:00.5Z"));
    cJSON_ReplaceItemInObject(exp1(r), "status", cJSON_CreateString("stopped"));
}

Test(gb_parse, validation_errors_name_experiment_and_path)
{
    struct {
        Edit edit;
        const char *want;
    } cases[] = {
        {weight_string, "snap.json: experiment exp_19g61rmlx0k2m9f: "
                        "$.experiments[1].phases[2].trafficSplit[1].weight: expected number, "
                        "got string"},
        {no_tracking_key, "snap.json: experiment exp_19g61rmlx0k2m9f: "
                          "$.experiments[1].trackingKey: expected string, got missing"},
        {unknown_split_id, "experiment exp_19g61rmlx0k2m9f: "
                           "$.experiments[1].phases[2].trafficSplit[2].variationId: 'var_ghost' "
                           "matches no variation of the experiment"},
        {bad_sum, "experiment exp_19g61rmlx0k2m9f: $.experiments[1].phases[2].trafficSplit: "
                  "weights sum to 0.9, expected 1"},
        {missing_split, "$.experiments[1].phases[2].trafficSplit: variation 'var_lx0k2m9c' "
                        "(key '2') has no weight"},
        {dup_split, "trafficSplit[2].variationId: 'var_lx0k2m9b' appears twice"},
        {dup_key, "$.experiments[1].variations[2].key: duplicate key '1'"},
        {big_coverage, "$.experiments[1].phases[2].coverage: 1.5 is outside [0, 1]"},
        {bad_date, "$.experiments[1].phases[2].dateEnded: expected an ISO 8601 date"},
        {null_started, "$.experiments[1].phases[2].dateStarted: expected string, got null"},
        {no_id, "snap.json: $.experiments[1].id: expected string, got missing"},
        {tags_string, "experiment exp_19g61rmlx0k2m9f: $.experiments[1].tags: expected array"},
        {tag_number, "$.experiments[1].tags[3]: expected string, got number"},
        {one_variation, "$.experiments[1].variations: has 1 variation; an experiment needs at "
                        "least 2"},
        {archived_string, "$.experiments[1].archived: expected boolean, got string"},
        {phase_not_object, "$.experiments[1].phases[2]: expected object, got number"},
        {experiments_object, "snap.json: $.experiments: expected array, got object"},
        {esc_name, "experiment exp_19g61rmlx0k2m9f: $.experiments[1].name: contains the control "
                   "character 0x1B"},
        {vt_variation_name, "$.experiments[1].variations[1].name: contains the control character "
                            "0x0B"},
        {bad_time, "$.experiments[1].phases[2].dateStarted: expected an ISO 8601 date"},
        {bad_zone, "$.experiments[1].phases[2].dateStarted: expected an ISO 8601 date"},
        {trailing_junk, "$.experiments[1].phases[2].dateStarted: expected an ISO 8601 date"},
        {feb_30, "$.experiments[1].phases[2].dateStarted: expected an ISO 8601 date"},
        {ended_before, "experiment exp_19g61rmlx0k2m9f: $.experiments[1].phases[2].dateEnded: "
                       "2024-07-22T23:59:59.999Z is before dateStarted 2024-07-23T00:00:00.000Z"},
        {long_name, "$.experiments[1].name: is 256 characters long; the column holds 255"},
        {long_tracking_key, "$.experiments[1].trackingKey: is 129 characters long; the column "
                            "holds 128"},
        {long_variation_key, "$.experiments[1].variations[2].key: is 65 characters long; the "
                             "column holds 64"},
        {long_phase_name, "$.experiments[1].phases[2].name: is 256 characters long"},
        {dup_tracking_key, "experiment exp_19g61rmlx0k2m9f: $.experiments[1].trackingKey: "
                           "'search-ranking-v7' is also the trackingKey of experiment "
                           "exp_19g61rmlw9p4q1d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512];
        AbcStatus st = parse_edited(cases[i].edit, "abc-weekly", err, sizeof err, NULL);
        cr_assert_eq(st, ABC_ERR_SPEC, "case %zu: status %d (%s)", i, st, err);
        cr_assert_not_null(strstr(err, cases[i].want), "case %zu:\n got: %s\nwant: %s", i, err,
                           cases[i].want);
    }
    char err[512];
    cr_assert_eq(parse_edited(nothing, "abc-weekly", err, sizeof err, NULL), ABC_OK);
    cr_assert_eq(parse_edited(at_limits, "abc-weekly", err, sizeof err, NULL), ABC_OK, "%s", err);
}

/* Bytes cJSON cannot be handed as a C string: a \u0000 escape (cJSON would
 * cut the string there) and invalid UTF-8, spliced into the document text. */
Test(gb_parse, nul_escapes_and_invalid_utf8_are_errors)
{
    struct {
        const char *from, *to, *want;
    } cases[] = {
        {"\"trackingKey\":\"checkout-onepage-2024q3\"", "\"trackingKey\":\"checkout\\u0000x\"",
         "experiment exp_19g61rmlx0k2m9f: $.experiments[1].trackingKey: contains a NUL character "
         "(\\u0000)"},
        {"\"name\":\"One-page checkout + Apple Pay\"", "\"name\":\"Treat\\u0000\"",
         "$.experiments[1].variations[2].name: contains a NUL character"},
        {"\"name\":\"One-page checkout + Apple Pay\"", "\"name\":\"Tr\xff\xfe\"",
         "$.experiments[1].variations[2].name: is not valid UTF-8"},
    };
    size_t len;
    char *json = read_fixture("tests/fixtures/growthbook/example-list.json", &len);
    cJSON *root = cJSON_ParseWithLength(json, len);
    char *text = cJSON_PrintUnformatted(root);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *at = strstr(text, cases[i].from);
        cr_assert_not_null(at, "case %zu: fixture lacks %s", i, cases[i].from);
        size_t n = strlen(text) + strlen(cases[i].to) + 1;
        char *doc = malloc(n);
        snprintf(doc, n, "%.*s%s%s", (int)(at - text), text, cases[i].to,
                 at + strlen(cases[i].from));
        char err[512] = "";
        GbTagConfig *c = NULL;
        AbcStatus st = gb_parse_list(doc, strlen(doc), "abc-weekly", "snap.json", 0, &c, err,
                                     sizeof err);
        cr_assert_eq(st, ABC_ERR_SPEC, "case %zu: %d %s", i, st, err);
        cr_assert_not_null(strstr(err, cases[i].want), "case %zu:\n got: %s\nwant: %s", i, err,
                           cases[i].want);
        free(doc);
    }
    /* "\\u0000" is an escaped backslash followed by text, not a NUL */
    char *at = strstr(text, "\"name\":\"One-page checkout + Apple Pay\"");
    size_t n = strlen(text) + 64;
    char *doc = malloc(n);
    snprintf(doc, n, "%.*s\"name\":\"a\\\\u0000\"%s", (int)(at - text), text,
             at + strlen("\"name\":\"One-page checkout + Apple Pay\""));
    char err[512] = "";
    GbTagConfig *c = NULL;
    cr_assert_eq(gb_parse_list(doc, strlen(doc), "abc-weekly", "s", 0, &c, err, sizeof err),
                 ABC_OK, "%s", err);
    cr_assert_str_eq(gb_find_experiment(c, "exp_19g61rmlx0k2m9f")->variations[2].name,
                     "a\\u0000");
    gb_tag_config_free(c);
    free(doc);
    cJSON_free(text);
    cJSON_Delete(root);
    free(json);
}

Test(gb_parse, other_tags_are_not_resolved)
{
    /* A broken phase in an experiment without the tag does not block the tag. */
    char err[512];
    GbTagConfig *c = NULL;
    cr_assert_eq(parse_edited(weight_string, "search", err, sizeof err, &c), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 1);
    cr_assert_str_eq(c->experiments[0].id, "exp_19g61rmlw9p4q1d");
    gb_tag_config_free(c);
    /* ...but its tags[] must still be valid, since they decide the filter. */
    cr_assert_eq(parse_edited(tag_number, "search", err, sizeof err, NULL), ABC_ERR_SPEC);
}

Test(gb_parse, experiment_without_phases_is_skipped)
{
    char err[512];
    GbTagConfig *c = NULL;
    cr_assert_eq(parse_edited(no_phases, "abc-weekly", err, sizeof err, &c), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 1);
    cr_assert_eq(c->n_skipped, 1);
    cr_assert_str_eq(c->skipped[0].id, "exp_19g61rmlx0k2m9f");
    cr_assert_not_null(strstr(c->skipped[0].reason, "no phases"));
    gb_tag_config_free(c);
}

Test(gb_parse, bad_json)
{
    struct {
        const char *json;
        const char *want;
    } cases[] = {
        {"{\"experiments\": [ {\"id\": \"exp_1\"", "x.json: truncated JSON"},
        {"", "x.json: truncated JSON: the document ends at byte 0"},
        {"{\"experiments\": [ {\"id\": \"exp_1\", \"name\": \"ab", "x.json: truncated JSON"},
        {"{\"experiments\": [ {\"id\": \"exp_1\",, } ]}", "x.json: malformed JSON at byte"},
        {"{\"experiments\": []} trailing", "x.json: malformed JSON: unexpected data at byte 20"},
        {"[1,2]", "x.json: $: expected object, got array"},
        {"{}", "x.json: $.experiments: expected array, got missing"},
        {"{\"experiments\": [1]}", "x.json: $.experiments[0]: expected object, got number"},
        {"{\"experiments\": [{\"id\": 5}]}", "x.json: $.experiments[0].id: expected string, got "
                                             "number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        GbTagConfig *c = NULL;
        AbcStatus st = gb_parse_list(cases[i].json, strlen(cases[i].json), "t", "x.json", 0, &c,
                                     err, sizeof err);
        cr_assert_eq(st, ABC_ERR_SPEC, "case %zu", i);
        cr_assert_null(c);
        cr_assert_not_null(strstr(err, cases[i].want), "case %zu: %s", i, err);
    }
    /* Embedded NUL bytes and an unterminated buffer are handled by length. */
    const char nul[] = "{\"experiments\": []}\0garbage";
    char err[512];
    GbTagConfig *c = NULL;
    cr_assert_eq(gb_parse_list(nul, sizeof nul - 1, "t", "x", 0, &c, err, sizeof err),
                 ABC_ERR_SPEC);
    cr_assert_eq(gb_parse_list(nul, 19, "t", "x", 0, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 0);
    gb_tag_config_free(c);
}

/* 60,000 experiments with phases: ids and tracking keys are looked up in a
 * hash, so this takes well under a second (a linear scan per experiment took
 * most of a minute at 80,000). */
Test(gb_parse, large_listing_is_linear, .timeout = 60)
{
    enum { N = 60000 };
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"experiments\":[");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "%s{\"id\":\"exp_%d\",\"trackingKey\":\"tk-%d\",\"name\":\"n\","
                       "\"status\":\"running\",\"tags\":[\"t\"],\"variations\":["
                       "{\"variationId\":\"a\",\"key\":\"0\",\"name\":\"c\"},"
                       "{\"variationId\":\"b\",\"key\":\"1\",\"name\":\"t\"}],"
                       "\"phases\":[{\"name\":\"p\",\"dateStarted\":\"2026-01-01\","
                       "\"dateEnded\":\"\",\"coverage\":1,\"trafficSplit\":["
                       "{\"variationId\":\"a\",\"weight\":0.5},"
                       "{\"variationId\":\"b\",\"weight\":0.5}]}]}",
                   i ? "," : "", i, i);
    buf_puts(&b, "]}");
    GbTagConfig *c = NULL;
    char err[512] = "";
    double t0 = now_s();
    cr_assert_eq(gb_parse_list(b.data, b.len, "t", "big.json", 0, &c, err, sizeof err), ABC_OK,
                 "%s", err);
    double dt = now_s() - t0;
    cr_assert_eq(c->n_experiments, N);
    cr_assert_str_eq(gb_find_experiment(c, "exp_59999")->tracking_key, "tk-59999");
    cr_assert_null(gb_find_experiment(c, "exp_60000"));
    cr_assert_lt(dt, 10.0, "parsing %d experiments took %.1f s", N, dt);
    gb_tag_config_free(c);
    buf_free(&b);
}

/* ---- offline: snapshot files ---------------------------------------------- */

Test(gb_snapshot, example_snapshot_has_every_tag)
{
    struct {
        const char *tag;
        size_t n;
    } tags[] = {{"retention", 2}, {"subscribe", 1},  {"recharge", 1},
                {"advertisement", 1}, {"engagement", 1}};
    for (size_t t = 0; t < 5; t++) {
        GbTagConfig *c = NULL;
        char err[512] = "";
        cr_assert_eq(gb_load_snapshot("examples/growthbook-snapshot.json", tags[t].tag, 0, &c,
                                      err, sizeof err),
                     ABC_OK, "%s", err);
        cr_assert_eq(c->n_experiments, tags[t].n, "%s", tags[t].tag);
        cr_assert_str_eq(c->source, "examples/growthbook-snapshot.json");
        for (size_t i = 0; i < c->n_experiments; i++) {
            const GbExperiment *e = &c->experiments[i];
            cr_assert_str_eq(e->date_ended, "", "%s active", e->id);
            cr_assert_eq(strncmp(e->date_started, "2026-10-01", 10), 0);
            cr_assert_str_eq(e->status, "running");
            cr_assert(e->n_variations >= 2 && e->n_variations <= 3);
            double sum = 0;
            for (size_t v = 0; v < e->n_variations; v++) {
                char k[24];
                snprintf(k, sizeof k, "%zu", v);
                cr_assert_str_eq(e->variations[v].key, k);
                sum += e->variations[v].weight;
            }
            cr_assert_float_eq(sum, 1.0, 1e-9);
        }
        gb_tag_config_free(c);
    }
    GbTagConfig *c = NULL;
    char err[512];
    cr_assert_eq(gb_load_snapshot("examples/growthbook-snapshot.json", "retention", 0, &c, err,
                                  sizeof err),
                 ABC_OK);
    cr_assert_not_null(strstr(c->experiments[0].tracking_key, "ret-"));
    gb_tag_config_free(c);
}

Test(gb_snapshot, resolve_uses_file_and_reports_missing_file)
{
    GbOptions o;
    gb_options_init(&o);
    o.file = "tests/fixtures/growthbook/weird-names.json";
    o.api_host = "http://127.0.0.1:1"; /* not used: file wins */
    GbTagConfig *c = NULL;
    char err[512] = "";
    cr_assert_eq(gb_resolve_tag(&o, "retention", &c, err, sizeof err), ABC_OK, "%s", err);
    check_weird(c);
    gb_tag_config_free(c);

    o.file = "tests/fixtures/growthbook/no-such-file.json";
    cr_assert_eq(gb_resolve_tag(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "no-such-file.json"), "%s", err);
}

/* ---- HTTP client against the fixture server -------------------------------- */

static pid_t g_srv = -1;
static int g_port;
static int g_srv_stdin = -1;

static void server_start(void)
{
    int in[2], out[2];
    cr_assert_eq(pipe(in), 0);
    cr_assert_eq(pipe(out), 0);
    /* Loopback must never go through a proxy. */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    g_srv = fork();
    cr_assert_neq(g_srv, -1);
    if (g_srv == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", "tests/fixtures/gb_server.py", "--key", KEY, "--idle",
               "60", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    g_srv_stdin = in[1];
    char line[64] = "";
    size_t n = 0;
    struct pollfd pfd = {out[0], POLLIN, 0};
    while (n < sizeof line - 1 && !strchr(line, '\n')) {
        cr_assert_gt(poll(&pfd, 1, 10000), 0, "fixture server did not start");
        ssize_t r = read(out[0], line + n, sizeof line - 1 - n);
        cr_assert_gt(r, 0, "fixture server exited");
        n += (size_t)r;
        line[n] = '\0';
    }
    close(out[0]);
    cr_assert_eq(sscanf(line, "PORT %d", &g_port), 1, "%s", line);
}

static void server_stop(void)
{
    if (g_srv > 0) {
        kill(g_srv, SIGTERM);
        waitpid(g_srv, NULL, 0);
        g_srv = -1;
    }
    if (g_srv_stdin >= 0)
        close(g_srv_stdin);
    g_srv_stdin = -1;
    gb_global_cleanup();
}

TestSuite(gb_http, .init = server_start, .fini = server_stop, .timeout = 30);

static char g_host[128];

static void opts(GbOptions *o, const char *scenario)
{
    gb_options_init(o);
    snprintf(g_host, sizeof g_host, "http://127.0.0.1:%d/%s/%ld/", g_port, scenario,
             (long)getpid());
    o->api_host = g_host;
    o->api_key = KEY;
    o->connect_timeout_ms = 2000;
    o->timeout_ms = 5000;
    o->backoff_initial_ms = 50;
    o->backoff_cap_ms = 200;
    o->retry_after_cap_ms = 3000;
}


static AbcStatus fetch(const GbOptions *o, const char *tag, GbTagConfig **c, char *err,
                       size_t errlen)
{
    err[0] = '\0';
    *c = NULL;
    AbcStatus st = gb_fetch_tag(o, tag, c, err, errlen);
    cr_assert_null(strstr(err, KEY), "API key leaked: %s", err);
    cr_assert_null(strstr(err, "TESTKEY"), "API key leaked: %s", err);
    if (st != ABC_OK)
        cr_assert_null(*c);
    return st;
}

static size_t stats_body(char *p, size_t sz, size_t n, void *ud)
{
    buf_put(ud, p, sz * n);
    return sz * n;
}

/* The server's request log for this test's scenario. */
static cJSON *server_stats(const char *scenario)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_stats/%s/%ld", g_port, scenario,
             (long)getpid());
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    Buf b;
    buf_init(&b);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stats_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    cr_assert_eq(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    cJSON *j = cJSON_Parse(b.data);
    buf_free(&b);
    cr_assert_not_null(j);
    return j;
}

static int stats_requests(const char *scenario)
{
    cJSON *j = server_stats(scenario);
    int n = cJSON_GetObjectItem(j, "requests")->valueint;
    cJSON_Delete(j);
    return n;
}

static const char *query(cJSON *stats, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(stats, "queries"), i)->valuestring;
}

Test(gb_http, pages_until_has_more_is_false)
{
    GbOptions o;
    opts(&o, "paged");
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 225);
    cr_assert_eq(c->tag_fallback, 0);
    cr_assert_eq(c->n_requests, 3);
    cr_assert_str_eq(c->experiments[0].id, "exp_paged_000");
    cr_assert_str_eq(c->experiments[224].id, "exp_paged_248");
    cr_assert_eq(c->experiments[5].phase_index, 2);
    cr_assert_float_eq(c->experiments[5].variations[0].weight, 0.5, 1e-12);
    char want_src[160];
    snprintf(want_src, sizeof want_src, "http://127.0.0.1:%d/paged/%ld/api/v1/experiments",
             g_port, (long)getpid());
    cr_assert_str_eq(c->source, want_src);
    gb_tag_config_free(c);
    cJSON *s = server_stats("paged");
    cr_assert_eq(cJSON_GetObjectItem(s, "requests")->valueint, 3);
    cr_assert_str_eq(query(s, 0), "limit=100&offset=0&tag=retention");
    cr_assert_str_eq(query(s, 1), "limit=100&offset=100&tag=retention");
    cr_assert_str_eq(query(s, 2), "limit=100&offset=200&tag=retention");
    cJSON_Delete(s);
}

Test(gb_http, project_and_status_filters_are_sent)
{
    GbOptions o;
    opts(&o, "paged");
    o.project_id = "prj_a";
    o.status = "running";
    o.page_limit = 50;
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "Retention", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 125);
    cr_assert_eq(c->n_requests, 3);
    gb_tag_config_free(c);
    cJSON *s = server_stats("paged");
    cr_assert_str_eq(query(s, 2), "limit=50&offset=100&tag=Retention&projectId=prj_a&status=running");
    cJSON_Delete(s);
    o.status = "paused";
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_USAGE);
}

Test(gb_http, tag_rejected_falls_back_to_client_filter)
{
    GbOptions o;
    opts(&o, "oldserver");
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "RETENTION", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->tag_fallback, 1);
    cr_assert_eq(c->n_experiments, 225);
    cr_assert_eq(c->n_requests, 4);
    for (size_t i = 0; i < c->n_experiments; i++)
        cr_assert_str_neq(c->experiments[i].id + 10, "9", "untagged experiment kept");
    gb_tag_config_free(c);
    cJSON *s = server_stats("oldserver");
    cr_assert_eq(cJSON_GetObjectItem(s, "requests")->valueint, 4);
    cr_assert_str_eq(query(s, 0), "limit=100&offset=0&tag=RETENTION");
    cr_assert_str_eq(query(s, 1), "limit=100&offset=0");
    cr_assert_str_eq(query(s, 3), "limit=100&offset=200");
    cJSON_Delete(s);
}

Test(gb_http, odd_names_over_http)
{
    GbOptions o;
    opts(&o, "data-weird-names");
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_OK, "%s", err);
    check_weird(c);
    gb_tag_config_free(c);
}

Test(gb_http, client_errors_are_not_retried)
{
    struct {
        const char *scenario;
        const char *key;
        const char *want;
    } cases[] = {
        {"e400", KEY, "HTTP 400: Invalid status filter; use draft, running or stopped"},
        {"e403", KEY, "HTTP 403 (check GROWTHBOOK_API_KEY and its permissions): You do not "
                      "have permission"},
        {"paged", "secret_wrong_key", "HTTP 401 (check GROWTHBOOK_API_KEY and its "
                                      "permissions): Invalid API key"},
        {"data-example-list", NULL, "HTTP 400: Missing Authorization header"},
        {"nosuch", KEY, "HTTP 404: Unknown API endpoint"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GbOptions o;
        opts(&o, cases[i].scenario);
        o.api_key = cases[i].key;
        GbTagConfig *c;
        char err[1024];
        cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV, "%s", err);
        cr_assert_not_null(strstr(err, cases[i].want), "%s", err);
        cr_assert_not_null(strstr(err, "GrowthBook GET http://127.0.0.1:"), "%s", err);
        cr_assert_eq(stats_requests(cases[i].scenario), 1, "%s retried", cases[i].scenario);
    }
}

Test(gb_http, key_echoed_by_server_is_redacted)
{
    GbOptions o;
    opts(&o, "e401");
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "HTTP 401"), "%s", err);
    cr_assert_not_null(strstr(err, "Invalid API key: Bearer [redacted]"), "%s", err);
}

Test(gb_http, rate_limit_waits_retry_after)
{
    GbOptions o;
    opts(&o, "r429");
    GbTagConfig *c;
    char err[1024];
    double t0 = now_s();
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_OK, "%s", err);
    double dt = now_s() - t0;
    cr_assert_geq(dt, 0.95, "did not wait Retry-After: %.3f s", dt);
    cr_assert_lt(dt, 5.0);
    cr_assert_eq(c->n_requests, 4);
    cr_assert_eq(c->n_experiments, 225);
    gb_tag_config_free(c);
}

Test(gb_http, rate_limit_wait_is_capped)
{
    GbOptions o;
    opts(&o, "r429long");
    o.retry_after_cap_ms = 300;
    GbTagConfig *c;
    char err[1024];
    double t0 = now_s();
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_OK, "%s", err);
    double dt = now_s() - t0;
    cr_assert(dt >= 0.28 && dt < 3.0, "waited %.3f s", dt);
    gb_tag_config_free(c);
}

Test(gb_http, rate_limit_with_no_attempts_left_fails)
{
    GbOptions o;
    opts(&o, "r429");
    o.max_attempts = 1;
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "HTTP 429 after 1 attempt: Too many requests"), "%s", err);
}

Test(gb_http, server_errors_retry_then_succeed)
{
    GbOptions o;
    opts(&o, "r500");
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_requests, 5);
    cr_assert_eq(c->n_experiments, 225);
    gb_tag_config_free(c);
}

Test(gb_http, server_errors_give_up_after_max_attempts)
{
    GbOptions o;
    opts(&o, "a500");
    o.max_attempts = 3;
    GbTagConfig *c;
    char err[1024];
    double t0 = now_s();
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
    double dt = now_s() - t0;
    cr_assert_not_null(strstr(err, "HTTP 503 after 3 attempts: Service unavailable"), "%s", err);
    cr_assert_eq(stats_requests("a500"), 3);
    cr_assert_geq(dt, 0.14, "no backoff: %.3f s", dt); /* 50 + 100 ms */
}

Test(gb_http, stalled_responses_time_out)
{
    const char *scen[] = {"stall", "stallhdr"};
    for (int i = 0; i < 2; i++) {
        GbOptions o;
        opts(&o, scen[i]);
        o.timeout_ms = 700;
        GbTagConfig *c;
        char err[1024];
        double t0 = now_s();
        cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
        double dt = now_s() - t0;
        cr_assert_not_null(strstr(err, "timed out"), "%s", err);
        cr_assert_lt(dt, 3.0, "%s took %.3f s", scen[i], dt);
        cr_assert_eq(stats_requests(scen[i]), 1);
    }
}

Test(gb_http, broken_bodies_are_errors)
{
    struct {
        const char *scenario;
        AbcStatus st;
        const char *want;
    } cases[] = {
        /* not JSON at all: a proxy, a login page, a cut connection (environment) */
        {"trunc", ABC_ERR_ENV, "truncated JSON"},
        {"shortbody", ABC_ERR_ENV, "GrowthBook GET"},
        {"malformed", ABC_ERR_ENV, "malformed JSON at byte 34 of 57"},
        {"html", ABC_ERR_ENV, "an HTML page (Content-Type text/html), not JSON"},
        {"redirect", ABC_ERR_ENV, "HTTP 302 redirect not followed"},
        {"nohasmore", ABC_ERR_SPEC, "$.hasMore: expected boolean, got missing"},
        {"noadvance", ABC_ERR_SPEC, "next offset (0) does not advance past 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GbOptions o;
        opts(&o, cases[i].scenario);
        GbTagConfig *c;
        char err[1024];
        cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), cases[i].st, "%s: %s",
                     cases[i].scenario, err);
        cr_assert_not_null(strstr(err, cases[i].want), "%s: %s", cases[i].scenario, err);
    }
}

Test(gb_http, listing_has_an_overall_deadline)
{
    /* a server that always says hasMore: true */
    GbOptions o;
    opts(&o, "endless");
    o.deadline_ms = 800;
    GbTagConfig *c;
    char err[1024];
    double t0 = now_s();
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV, "%s", err);
    double dt = now_s() - t0;
    cr_assert_not_null(strstr(err, "did not finish within 0.8 s (growthbook.deadline_s)"), "%s",
                       err);
    cr_assert_lt(dt, 2.5, "took %.3f s", dt);
    cr_assert_geq(stats_requests("endless"), 2);
}

Test(gb_http, deadline_cuts_retry_waits_and_requests)
{
    GbOptions o;
    opts(&o, "r429long"); /* Retry-After: 60, capped at 3 s by opts() */
    o.deadline_ms = 500;
    GbTagConfig *c;
    char err[1024];
    double t0 = now_s();
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV, "%s", err);
    cr_assert_lt(now_s() - t0, 1.5);
    cr_assert_not_null(strstr(err, "growthbook.deadline_s"), "%s", err);
    opts(&o, "stallhdr"); /* answers after 5 s; the request timeout is 5 s */
    o.deadline_ms = 600;
    t0 = now_s();
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV, "%s", err);
    cr_assert_lt(now_s() - t0, 2.0);
    cr_assert_not_null(strstr(err, "growthbook.deadline_s"), "%s", err);
}

Test(gb_http, api_key_over_plain_http_only_to_loopback)
{
    const char *refused[] = {"http://gb.example.com", "HTTP://10.1.2.3:3100/api",
                             "http://127.0.0.1.example.com/", "http://[::2]:80",
                             "http://localhostx:80"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        GbOptions o;
        opts(&o, "paged");
        o.api_host = refused[i];
        GbTagConfig *c;
        char err[1024];
        double t0 = now_s();
        cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV, "%s", refused[i]);
        cr_assert_not_null(strstr(err, "refusing to send the API key over plain http://"),
                           "%s: %s", refused[i], err);
        cr_assert_not_null(strstr(err, "growthbook.allow_insecure_http"), "%s", err);
        cr_assert_lt(now_s() - t0, 0.5, "%s: a connection was tried", refused[i]);
    }
    /* without a key nothing secret is sent; with the opt-in it is tried */
    GbOptions o;
    opts(&o, "paged");
    o.api_host = "http://192.0.2.1:9"; /* TEST-NET-1: never answers */
    o.connect_timeout_ms = 200;
    GbTagConfig *c;
    char err[1024];
    o.allow_insecure_http = 1;
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_null(strstr(err, "refusing"), "%s", err);
    o.allow_insecure_http = 0;
    o.api_key = NULL;
    cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_null(strstr(err, "refusing"), "%s", err);
    /* loopback in every spelling is fine */
    const char *local[] = {"http://localhost:%d/paged/%ld/", "http://127.0.0.1:%d/paged/%ld/",
                           "http://LOCALHOST:%d/paged/%ld/"};
    for (size_t i = 0; i < 3; i++) {
        char host[160];
        opts(&o, "paged");
        snprintf(host, sizeof host, local[i], g_port, (long)getpid());
        o.api_host = host;
        cr_assert_eq(fetch(&o, "retention", &c, err, sizeof err), ABC_OK, "%s: %s", host, err);
        gb_tag_config_free(c);
    }
}

Test(gb_http, bad_hosts_and_tags_are_refused)
{
    struct {
        const char *host;
        const char *tag;
        const char *want;
    } cases[] = {
        {"ftp://127.0.0.1/", "t", "must start with http:// or https://"},
        {"http://user:pw@127.0.0.1/", "t", "must not contain credentials"},
        {"http:///x", "t", "no host name"},
        {"http://127.0.0.1/?x=1", "t", "without spaces, query or fragment"},
        {NULL, "t", "no api_host configured"},
        {"http://127.0.0.1:1", "t", "GrowthBook GET http://127.0.0.1:1/api/v1/experiments"},
        {"http://127.0.0.1:1", "a,b", "invalid tag"},
        {"http://127.0.0.1:1", "", "invalid tag"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GbOptions o;
        opts(&o, "paged");
        o.api_host = cases[i].host;
        GbTagConfig *c;
        char err[1024];
        cr_assert_neq(fetch(&o, cases[i].tag, &c, err, sizeof err), ABC_OK);
        cr_assert_not_null(strstr(err, cases[i].want), "case %zu: %s", i, err);
    }
    GbOptions o;
    opts(&o, "paged");
    o.api_key = "secret\r\nX-Evil: 1";
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "t", &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "control characters"), "%s", err);
    cr_assert_eq(stats_requests("paged"), 0);
}

Test(gb_http, api_prefix_in_host_is_not_doubled)
{
    GbOptions o;
    opts(&o, "data-example-list");
    char host[160];
    snprintf(host, sizeof host, "%sapi", g_host);
    o.api_host = host;
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, "abc-weekly", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 2);
    gb_tag_config_free(c);
}

/* Run every failing scenario with stdout and stderr captured: the key must
 * appear in neither the messages nor anything the library printed. */
Test(gb_http, api_key_never_in_output)
{
    char path[] = "/tmp/abc-gb-out-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    const char *scen[] = {"e400", "e401", "e403", "a500", "trunc", "malformed", "redirect",
                          "nohasmore", "shortbody", "nosuch"};
    Buf all;
    buf_init(&all);
    for (size_t i = 0; i < sizeof scen / sizeof scen[0]; i++) {
        GbOptions o;
        opts(&o, scen[i]);
        o.max_attempts = 2;
        GbTagConfig *c = NULL;
        char err[1024] = "";
        if (gb_fetch_tag(&o, "retention", &c, err, sizeof err) == ABC_OK)
            gb_tag_config_free(c);
        buf_puts(&all, err);
        buf_putc(&all, '\n');
        fputs(err, stderr);
    }
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fd);
    char *captured = NULL;
    size_t len = 0;
    char err[256];
    cr_assert_eq(file_read_all(path, 1 << 20, &captured, &len, err, sizeof err), ABC_OK);
    unlink(path);
    cr_assert_gt(len, 100, "nothing captured");
    cr_assert_null(strstr(captured, "TESTKEY"));
    cr_assert_null(strstr(all.data, "TESTKEY"));
    cr_assert_not_null(strstr(all.data, "[redacted]"));
    free(captured);
    buf_free(&all);
}

Test(gb_snapshot, status_and_project_filter_snapshots_too)
{
    GbOptions o;
    gb_options_init(&o);
    o.file = "tests/fixtures/growthbook/example-list.json";
    GbTagConfig *c = NULL;
    char err[512] = "";
    cr_assert_eq(gb_resolve_tag(&o, NULL, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 2);
    cr_assert_null(c->tag);
    gb_tag_config_free(c);
    o.status = "running";
    cr_assert_eq(gb_resolve_tag(&o, "abc-weekly", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 1);
    cr_assert_str_eq(c->experiments[0].status, "running");
    gb_tag_config_free(c);
    o.status = NULL;
    o.project_id = "prj_other";
    cr_assert_eq(gb_resolve_tag(&o, "abc-weekly", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 0);
    gb_tag_config_free(c);
    o.project_id = "prj_19g61rmk3n2sa1b";
    cr_assert_eq(gb_resolve_tag(&o, "abc-weekly", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 2);
    gb_tag_config_free(c);
}

Test(gb_http, no_tag_lists_everything)
{
    GbOptions o;
    opts(&o, "paged");
    GbTagConfig *c;
    char err[1024];
    cr_assert_eq(fetch(&o, NULL, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->n_experiments, 250);
    cr_assert_eq(c->tag_fallback, 0);
    cr_assert_null(c->tag);
    gb_tag_config_free(c);
    cJSON *s = server_stats("paged");
    cr_assert_str_eq(query(s, 0), "limit=100&offset=0");
    cr_assert_str_eq(query(s, 2), "limit=100&offset=200");
    cJSON_Delete(s);
}
