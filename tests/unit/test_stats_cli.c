/* test_stats_cli.c — the built binary ($ABC_BIN): `abc stats` on the
 * STATS.md example and on bad inputs (exit 1, message naming the JSON
 * path), and `abc power` answering like a standard calculator.
 */
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *bin(void)
{
    const char *b = getenv("ABC_BIN");
    return b && *b ? b : "build/abc";
}

/* Run `abc ARGS < input`, capturing stdout and stderr; returns the exit code. */
static int run(const char *args, const char *input, Buf *out, Buf *errb)
{
    char in_path[] = "/tmp/abc_stats_inXXXXXX", err_path[] = "/tmp/abc_stats_errXXXXXX";
    int fi = mkstemp(in_path), fe = mkstemp(err_path);
    cr_assert(fi >= 0 && fe >= 0);
    size_t len = input ? strlen(input) : 0;
    cr_assert_eq(write(fi, input ? input : "", len), (ssize_t)len);
    close(fi);
    close(fe);
    Buf cmd;
    buf_init(&cmd);
    buf_printf(&cmd, "%s %s < %s 2> %s", bin(), args, in_path, err_path);
    FILE *p = popen(cmd.data, "r");
    cr_assert_not_null(p);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_put(out, chunk, n);
    int st = pclose(p);
    FILE *e = fopen(err_path, "r");
    while (e && (n = fread(chunk, 1, sizeof chunk, e)) > 0)
        buf_put(errb, chunk, n);
    if (e)
        fclose(e);
    unlink(in_path);
    unlink(err_path);
    buf_free(&cmd);
    if (!out->data)
        buf_puts(out, "");
    if (!errb->data)
        buf_puts(errb, "");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *EXAMPLE =
    "{\n"
    "  \"metric\": {\"kind\": \"proportion\", \"direction\": \"higher\", \"cuped\": false},\n"
    "  \"alpha\": 0.05,\n"
    "  \"effect\": \"relative\",\n"
    "  \"methods\": [\"ttest\", \"bayes\"],\n"
    "  \"sequential\": null,\n"
    "  \"prior\": null,\n"
    "  \"variations\": [\n"
    "    {\"id\": \"control\",   \"weight\": 0.5, \"n\": 10000, \"sum\": 1000, \"sum_sq\": 1000},\n"
    "    {\"id\": \"treatment\", \"weight\": 0.5, \"n\": 10100, \"sum\": 1100, \"sum_sq\": 1100}\n"
    "  ]\n"
    "}\n";

Test(stats_cli, example_prints_documented_fields)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    int rc = run("stats --digits 17 -", EXAMPLE, &out, &err);
    cr_assert_eq(rc, 0, "stderr: %s", err.data);
    cJSON *j = cJSON_Parse(out.data);
    cr_assert_not_null(j, "output is JSON: %s", out.data);
    const cJSON *srm = cJSON_GetObjectItem(j, "srm_p_value");
    cr_expect(fabs(srm->valuedouble - 0.4805951793536507) < 1e-12);
    const cJSON *vs = cJSON_GetObjectItem(j, "variations");
    cr_assert_eq(cJSON_GetArraySize(vs), 2);
    static const char *const base[] = {"id", "n", "mean", "stddev"};
    static const char *const treat[] = {"effect", "se", "ci", "p_value", "chance_to_win",
                                        "expected_loss", "expected_loss_control", "cred"};
    for (int i = 0; i < 2; i++)
        for (size_t k = 0; k < 4; k++)
            cr_expect_not_null(cJSON_GetObjectItem(cJSON_GetArrayItem(vs, i), base[k]), "%s", base[k]);
    const cJSON *t = cJSON_GetArrayItem(vs, 1);
    for (size_t k = 0; k < sizeof treat / sizeof treat[0]; k++)
        cr_expect_not_null(cJSON_GetObjectItem(t, treat[k]), "%s", treat[k]);
    cr_expect(fabs(cJSON_GetObjectItem(t, "p_value")->valuedouble - 0.047883183340151625) < 1e-11);
    cr_expect(fabs(cJSON_GetObjectItem(t, "chance_to_win")->valuedouble - 0.9760652290583117) < 1e-12);
    /* --digits 17 round-trips */
    cr_expect_not_null(strstr(out.data, "0.089108910891089049"), "%s", out.data);
    cJSON_Delete(j);
    buf_free(&out);
    buf_free(&err);
}

/* Replace the first `from` in EXAMPLE by `to`, run, expect exit 1 and msg. */
static void bad(const char *from, const char *to, const char *msg)
{
    const char *p = strstr(EXAMPLE, from);
    cr_assert_not_null(p, "fixture has %s", from);
    Buf in, out, err;
    buf_init(&in);
    buf_init(&out);
    buf_init(&err);
    buf_put(&in, EXAMPLE, (size_t)(p - EXAMPLE));
    buf_puts(&in, to);
    buf_puts(&in, p + strlen(from));
    int rc = run("stats --digits 17 -", in.data, &out, &err);
    cr_expect_eq(rc, 1, "exit code for %s -> %s (stderr %s)", from, to, err.data);
    cr_expect_not_null(strstr(err.data, msg), "want '%s' in '%s'", msg, err.data);
    cr_expect_eq(out.len, 0, "no output on error");
    buf_free(&in);
    buf_free(&out);
    buf_free(&err);
}

Test(stats_cli, bad_inputs_name_the_json_path)
{
    bad("\"n\": 10100", "\"n\": -5", "$.variations[1].n: must be >= 0");
    bad("\"n\": 10100", "\"n\": 1", "$.variations[1].n: must be >= 2");
    bad("\"n\": 10100, ", "", "$.variations[1].n: missing required number");
    bad("\"sum\": 1000,", "\"sum\": \"1000\",", "$.variations[0].sum: must be a number");
    bad("\"weight\": 0.5, \"n\": 10000", "\"weight\": 0.7, \"n\": 10000", "$.variations: weights sum to 1.2");
    bad("\"kind\": \"proportion\"", "\"kind\": \"median\"", "$.metric.kind: unknown value 'median'");
    bad("\"alpha\": 0.05", "\"alpha\": 1.5", "$.alpha: must be between 0 and 1");
    bad("\"alpha\": 0.05", "\"alpha\": \"x\"", "$.alpha: must be a number");
    bad("\"methods\": [\"ttest\", \"bayes\"]", "\"methods\": [\"ttest\", 3]", "$.methods[1]: must be a string");
    bad("\"prior\": null", "\"prior\": {\"mean\": 0}", "$.prior.stddev: missing required number");
    bad("\"sequential\": null", "\"sequential\": {\"method\": \"gst\"}", "$.sequential.method: unknown value");
    bad("\"sum\": 1100", "\"sum\": 20000", "$.variations[1].sum: must be between 0 and n");
    bad("\"cuped\": false", "\"cuped\": true", "$.variations[0].pre_sum: missing required number");
    bad("\"sum_sq\": 1100}", "\"sum_sq\": 1100, \"sums\": 3}", "$.variations[1].sums: unknown field");
    bad("\"prior\": null", "\"prior\": null, \"variations\": 7", "$.variations: must be an array");
    bad("\"alpha\": 0.05,", "\"alpha\": 0.05", "$: invalid JSON");
    /* fewer than two variations */
    bad(",\n    {\"id\": \"treatment\", \"weight\": 0.5, \"n\": 10100, \"sum\": 1100, \"sum_sq\": 1100}", "",
        "$.variations: need at least 2 variations");
}

Test(stats_cli, ten_thousand_variations_rejected)
{
    Buf in, out, err;
    buf_init(&in);
    buf_init(&out);
    buf_init(&err);
    buf_puts(&in, "{\"metric\": {\"kind\": \"mean\"}, \"variations\": [");
    for (int i = 0; i < 10000; i++)
        buf_printf(&in, "%s{\"id\": \"v%d\", \"n\": 10, \"sum\": 5, \"sum_sq\": 9}", i ? "," : "", i);
    buf_puts(&in, "]}");
    int rc = run("stats --digits 17 -", in.data, &out, &err);
    cr_expect_eq(rc, 1);
    cr_expect_not_null(strstr(err.data, "$.variations: 10000 variations; at most 1000"), "%s", err.data);
    buf_free(&in);
    buf_free(&out);
    buf_free(&err);
}

Test(stats_cli, usage_and_missing_file)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    cr_expect_eq(run("stats --help", "", &out, &err), 0);
    cr_expect_not_null(strstr(out.data, "usage: abc stats"));
    cr_expect_eq(run("stats", "", &out, &err), 2);
    cr_expect_eq(run("stats /nonexistent/x.json", "", &out, &err), 3);
    buf_free(&out);
    buf_free(&err);
}

Test(stats_cli, power_like_a_standard_calculator)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    /* 10% -> 12%, α 0.05 two-sided, power 0.8: 3841 per arm (pooled-variance
     * normal formula; statsmodels samplesize_proportions_2indep_onetail 3840.85) */
    int rc = run("power --metric proportion --baseline 0.1 --mde 0.02", "", &out, &err);
    cr_assert_eq(rc, 0, "%s", err.data);
    cr_expect_not_null(strstr(out.data, "n per arm   3841"), "%s", out.data);
    buf_reset(&out);
    rc = run("power --metric proportion --baseline 0.1 --mde 0.2 --relative --format json", "", &out,
             &err);
    cr_assert_eq(rc, 0);
    cJSON *j = cJSON_Parse(out.data);
    cr_assert_not_null(j);
    cr_expect_eq(cJSON_GetObjectItem(j, "n_per_arm")->valuedouble, 3841);
    cr_expect_eq(cJSON_GetObjectItem(j, "n_total")->valuedouble, 7682);
    cJSON_Delete(j);
    buf_reset(&out);
    /* two-sample mean, d = 0.5: 62.8 -> 63 per group (normal approximation) */
    rc = run("power --metric mean --baseline 10 --sd 2 --mde 1 --format json", "", &out, &err);
    cr_assert_eq(rc, 0);
    j = cJSON_Parse(out.data);
    cr_expect_eq(cJSON_GetObjectItem(j, "n_per_arm")->valuedouble, 63);
    cJSON_Delete(j);
    buf_reset(&out);
    rc = run("power --metric mean --baseline 10 --sd 2 --n 63 --format json", "", &out, &err);
    cr_assert_eq(rc, 0);
    j = cJSON_Parse(out.data);
    cr_expect(fabs(cJSON_GetObjectItem(j, "mde")->valuedouble - 0.9985) < 1e-3);
    cJSON_Delete(j);
    cr_expect_eq(run("power --metric mean --baseline 10 --mde 1", "", &out, &err), 2, "--sd needed");
    cr_expect_eq(run("power --metric proportion --baseline 0.9 --mde 0.2", "", &out, &err), 1);
    cr_expect_eq(run("power --metric proportion --baseline x --mde 0.2", "", &out, &err), 2);
    buf_free(&out);
    buf_free(&err);
}

/* Quantile documents: the same procedure the report rows use, checked
 * against an independent scipy computation (order-statistic CI of each
 * median, SE = half-width / z, normal test on the difference). */
Test(stats_cli, quantile_document)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    const char *doc = "{\"metric\":{\"kind\":\"quantile\",\"quantile\":0.5},\"effect\":\"absolute\","
                      "\"methods\":[\"ttest\",\"mannwhitney\"],\"variations\":["
                      "{\"id\":\"c\",\"values\":[20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1]},"
                      "{\"id\":\"t\",\"values\":[3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22]}]}";
    cr_assert_eq(run("stats --digits 17 -", doc, &out, &err), 0, "%s", err.data);
    cJSON *j = cJSON_Parse(out.data);
    cr_assert_not_null(j, "%s", out.data);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "test")->valuestring, "quantile_z");
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "variations"), 1);
    cr_expect(fabs(cJSON_GetObjectItem(t, "effect")->valuedouble - 2.0) < 1e-12);
    cr_expect(fabs(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "ci"), 0)->valuedouble + 5.071067811865475) < 1e-9);
    cr_expect(fabs(cJSON_GetObjectItem(t, "p_value")->valuedouble - 0.5793314486218119) < 1e-9);
    cr_expect_not_null(cJSON_GetObjectItem(t, "mannwhitney_p_value"));
    cJSON_Delete(j);
    buf_free(&out);
    buf_free(&err);
}

Test(stats_cli, time_to_and_group_sequential_documents)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    const char *doc = "{\"metric\":{\"kind\":\"time_to\",\"window\":10,\"direction\":\"lower\"},"
                      "\"effect\":\"absolute\",\"variations\":["
                      "{\"id\":\"c\",\"times\":[1,2,3,10,10,4],\"events\":[1,1,1,0,0,1]},"
                      "{\"id\":\"t\",\"times\":[1,1,2,3,10,2],\"events\":[1,1,1,1,0,1]}]}";
    cr_assert_eq(run("stats --digits 17 -", doc, &out, &err), 0, "%s", err.data);
    cr_expect_not_null(strstr(out.data, "\"rmst\": 5,"), "%s", out.data);
    cr_expect_not_null(strstr(out.data, "\"logrank_p_value\""), "%s", out.data);
    buf_free(&out);
    buf_free(&err);
    buf_init(&out);
    buf_init(&err);
    /* events must be 0 or 1, with as many entries as times */
    cr_expect_eq(run("stats --digits 17 -", "{\"metric\":{\"kind\":\"time_to\",\"window\":10},\"variations\":["
                                "{\"id\":\"c\",\"times\":[1],\"events\":[2]},{\"id\":\"t\",\"times\":[1],\"events\":[1]}]}",
                     &out, &err), 1);
    cr_expect_not_null(strstr(err.data, "$.variations[0].events[0]"), "%s", err.data);
    buf_free(&out);
    buf_free(&err);
    buf_init(&out);
    buf_init(&err);
    /* a group-sequential look: p < alpha exactly when the repeated interval excludes 0 */
    const char *gsd = "{\"metric\":{\"kind\":\"proportion\"},\"effect\":\"absolute\","
                      "\"sequential\":{\"method\":\"obf\",\"looks\":4,\"look\":1},\"variations\":["
                      "{\"id\":\"c\",\"weight\":0.5,\"n\":10000,\"sum\":1000,\"sum_sq\":1000},"
                      "{\"id\":\"t\",\"weight\":0.5,\"n\":10000,\"sum\":1100,\"sum_sq\":1100}]}";
    cr_assert_eq(run("stats --digits 17 -", gsd, &out, &err), 0, "%s", err.data);
    cJSON *j = cJSON_Parse(out.data);
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "variations"), 1);
    double p = cJSON_GetObjectItem(t, "p_value")->valuedouble;
    double lo = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "ci"), 0)->valuedouble;
    cr_expect_eq(p < 0.05, lo > 0, "p %g lo %g", p, lo);
    cr_expect(p > 0.05, "a fixed-horizon p of about 0.02 does not cross the first O'Brien-Fleming look (p %g)", p);
    cJSON_Delete(j);
    buf_free(&out);
    buf_free(&err);
}

Test(stats_cli, numbers_for_people_by_default)
{
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    cr_assert_eq(run("stats -", EXAMPLE, &out, &err), 0, "%s", err.data);
    /* 6 significant digits: no 17-digit float anywhere */
    for (const char *p = out.data; *p; p++) {
        int digits = 0;
        while (p[digits] >= '0' && p[digits] <= '9')
            digits++;
        cr_expect(digits <= 12, "long number in %s", out.data);
        p += digits ? digits - 1 : 0;
    }
    cr_expect_not_null(strstr(out.data, "0.0891089"), "%s", out.data);
    cr_expect_eq(run("stats --digits 0 -", EXAMPLE, &out, &err), 2);
    buf_free(&out);
    buf_free(&err);
}
