/* cmd_power.c — `abc power`: sample size for a minimum detectable effect, or
 * the MDE for a sample size, for proportion, mean and ratio metrics, fixed
 * horizon or sequential (docs/STATS.md "Power and MDE").
 */
#include "abc/cli.h"
#include "abc/stats.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: abc power --metric proportion|mean|ratio --baseline X\n"
          "                 (--mde D | --n N | --mde D --n N) [options]\n\n"
          "  --mde D          minimum detectable effect: gives the units per arm\n"
          "  --n N            units per arm: gives the MDE (both: gives the power)\n"
          "  --baseline X     control proportion, mean or ratio\n"
          "  --sd S           per-unit standard deviation (mean; delta-method for ratio)\n"
          "  --relative       the MDE is relative to the baseline (default absolute)\n"
          "  --alpha A        significance level (default 0.05)\n"
          "  --power P        target power (default 0.8)\n"
          "  --sided two|one  (default two)\n"
          "  --variations K   arms including control, for the total (default 2)\n"
          "  --sequential none|cs|gsd   design (default none = fixed horizon)\n"
          "  --tuning T       confidence-sequence tuning (default 5000)\n"
          "  --looks K        group-sequential looks, equally spaced (default 5)\n"
          "  --format text|json\n"
          "\n"
          "exit codes: 0 ok, 1 no answer for these inputs (the message says why), 2 usage\n",
          f);
}

/* Strict number: the whole argument must parse. */
static int parse_num(const char *opt, const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) {
        fprintf(stderr, "abc power: %s: '%s' is not a number\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct PowerArgs {
    StatsPowerSpec spec;
    double mde, n;
    bool have_mde, have_n, have_baseline, have_kind, json;
} PowerArgs;

/* Returns 0 ok, 2 usage error, 1 for --help printed (caller returns 0). */
static int parse_args(int argc, char **argv, PowerArgs *a)
{
    StatsPowerSpec *s = &a->spec;
    *s = (StatsPowerSpec){.alpha = 0.05, .power = 0.8, .variations = 2, .tuning = 5000,
                          .looks = 5};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(o, "--relative") == 0) {
            s->relative = true;
            continue;
        }
        if (strcmp(o, "--absolute") == 0) {
            s->relative = false;
            continue;
        }
        static const char *const opts[] = {
            "--help", "--relative", "--absolute", "--metric", "--sided", "--sequential", "--format",
            "--baseline", "--sd", "--mde", "--n", "--alpha", "--power", "--tuning", "--variations",
            "--looks", NULL,
        };
        bool known = false;
        for (int k = 0; opts[k]; k++)
            known = known || strcmp(o, opts[k]) == 0;
        if (!known)
            return cli_unknown_option("power", o, opts);
        if (i + 1 >= argc)
            return cli_usage_error("power", "%s needs a value", o);
        const char *v = argv[++i];
        double d = 0;
        if (strcmp(o, "--metric") == 0) {
            a->have_kind = true;
            if (strcmp(v, "proportion") == 0)
                s->kind = STATS_PROPORTION;
            else if (strcmp(v, "mean") == 0)
                s->kind = STATS_MEAN;
            else if (strcmp(v, "ratio") == 0)
                s->kind = STATS_RATIO;
            else {
                fprintf(stderr, "abc power: --metric: unknown kind '%s'\n", v);
                return 2;
            }
        } else if (strcmp(o, "--sided") == 0) {
            if (strcmp(v, "two") == 0)
                s->sides = STATS_TWO_SIDED;
            else if (strcmp(v, "one") == 0)
                s->sides = STATS_ONE_SIDED;
            else {
                fprintf(stderr, "abc power: --sided: two or one\n");
                return 2;
            }
        } else if (strcmp(o, "--sequential") == 0) {
            if (strcmp(v, "none") == 0)
                s->design = STATS_FIXED;
            else if (strcmp(v, "cs") == 0)
                s->design = STATS_DESIGN_CS;
            else if (strcmp(v, "gsd") == 0)
                s->design = STATS_DESIGN_GSD;
            else {
                fprintf(stderr, "abc power: --sequential: none, cs or gsd\n");
                return 2;
            }
        } else if (strcmp(o, "--format") == 0) {
            if (strcmp(v, "json") == 0)
                a->json = true;
            else if (strcmp(v, "text") == 0)
                a->json = false;
            else {
                fprintf(stderr, "abc power: --format: text or json\n");
                return 2;
            }
        } else {
            if (parse_num(o, v, &d) != 0)
                return 2;
            if (strcmp(o, "--baseline") == 0) {
                s->baseline = d;
                a->have_baseline = true;
            } else if (strcmp(o, "--sd") == 0) {
                s->sd = d;
            } else if (strcmp(o, "--mde") == 0) {
                a->mde = d;
                a->have_mde = true;
            } else if (strcmp(o, "--n") == 0) {
                a->n = d;
                a->have_n = true;
            } else if (strcmp(o, "--alpha") == 0) {
                s->alpha = d;
            } else if (strcmp(o, "--power") == 0) {
                s->power = d;
            } else if (strcmp(o, "--tuning") == 0) {
                s->tuning = d;
            } else if (strcmp(o, "--variations") == 0) {
                if (!(d >= 2 && d <= 1000 && d == floor(d))) {
                    fprintf(stderr, "abc power: --variations: an integer from 2 to 1000\n");
                    return 2;
                }
                s->variations = (size_t)d;
            } else if (strcmp(o, "--looks") == 0) {
                if (!(d >= 1 && d <= 50 && d == floor(d))) {
                    fprintf(stderr, "abc power: --looks: an integer from 1 to 50\n");
                    return 2;
                }
                s->looks = (size_t)d;
            }
        }
    }
    if (!a->have_kind || !a->have_baseline || (!a->have_mde && !a->have_n))
        return cli_usage_error("power", "need --metric, --baseline and --mde and/or --n");
    if (s->kind != STATS_PROPORTION && !(s->sd > 0)) {
        fputs("abc power: --sd (> 0) is required for mean and ratio metrics\n", stderr);
        return 2;
    }
    return 0;
}

static const char *design_name(const StatsPowerSpec *s)
{
    return s->design == STATS_DESIGN_CS ? "confidence sequence"
           : s->design == STATS_DESIGN_GSD ? "group sequential (O'Brien-Fleming)"
                                           : "fixed horizon";
}

static int emit(const PowerArgs *a, const char *what, double n, double mde, double power)
{
    const StatsPowerSpec *s = &a->spec;
    static const char *const kinds[] = {"proportion", "mean", "ratio"};
    double per_arm = ceil(n - 1e-9);
    if (a->json) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            return 3;
        cJSON_AddStringToObject(o, "solve", what);
        cJSON_AddStringToObject(o, "metric", kinds[s->kind]);
        cJSON_AddNumberToObject(o, "baseline", s->baseline);
        if (s->kind != STATS_PROPORTION)
            cJSON_AddNumberToObject(o, "sd", s->sd);
        cJSON_AddStringToObject(o, "mde_type", s->relative ? "relative" : "absolute");
        cJSON_AddNumberToObject(o, "mde", mde);
        cJSON_AddNumberToObject(o, "alpha", s->alpha);
        cJSON_AddNumberToObject(o, "power", power);
        cJSON_AddStringToObject(o, "sided", s->sides == STATS_TWO_SIDED ? "two" : "one");
        cJSON_AddStringToObject(o, "design", s->design == STATS_DESIGN_CS ? "cs"
                                             : s->design == STATS_DESIGN_GSD ? "gsd" : "fixed");
        if (s->design == STATS_DESIGN_GSD)
            cJSON_AddNumberToObject(o, "looks", (double)s->looks);
        cJSON_AddNumberToObject(o, "n_per_arm_exact", n);
        cJSON_AddNumberToObject(o, "n_per_arm", per_arm);
        cJSON_AddNumberToObject(o, "variations", (double)s->variations);
        cJSON_AddNumberToObject(o, "n_total", per_arm * (double)s->variations);
        char *txt = cJSON_Print(o);
        cJSON_Delete(o);
        if (!txt)
            return 3;
        puts(txt);
        free(txt);
        return fflush(stdout) == 0 ? 0 : 3;
    }
    printf("metric      %s, baseline %.6g%s\n", kinds[s->kind], s->baseline,
           s->kind == STATS_PROPORTION ? "" : "");
    if (s->kind != STATS_PROPORTION)
        printf("sd          %.6g per unit\n", s->sd);
    double abs_mde = s->relative ? mde * fabs(s->baseline) : mde;
    if (s->relative)
        printf("mde         %.4g%% relative (%.6g -> %.6g)\n", 100 * mde, s->baseline,
               s->baseline + abs_mde);
    else
        printf("mde         %.6g absolute (%.6g -> %.6g)\n", mde, s->baseline, s->baseline + abs_mde);
    printf("test        %s, alpha %.4g, power %.4g, %s", s->sides == STATS_TWO_SIDED ? "two-sided"
                                                                                    : "one-sided",
           s->alpha, power, design_name(s));
    if (s->design == STATS_DESIGN_GSD)
        printf(", %zu looks", s->looks);
    putchar('\n');
    printf("n per arm   %.0f\n", per_arm);
    printf("total       %.0f (%zu arms)\n", per_arm * (double)s->variations, s->variations);
    return fflush(stdout) == 0 ? 0 : 3;
}

/* Why the inputs have no answer, or NULL when they look answerable. */
static const char *why_no_answer(const PowerArgs *a, char *buf, size_t len)
{
    const StatsPowerSpec *s = &a->spec;
    double abs_mde = s->relative ? a->mde * fabs(s->baseline) : a->mde;
    if (!(s->alpha > 0 && s->alpha < 1))
        snprintf(buf, len, "--alpha %g: a significance level is between 0 and 1", s->alpha);
    else if (!(s->power > 0 && s->power < 1))
        snprintf(buf, len, "--power %g: a power is between 0 and 1", s->power);
    else if (s->kind == STATS_PROPORTION && !(s->baseline > 0 && s->baseline < 1))
        snprintf(buf, len, "--baseline %g: a proportion baseline is between 0 and 1 (%g%% is %g)",
                 s->baseline, s->baseline, s->baseline / 100);
    else if (s->kind != STATS_PROPORTION && s->relative && s->baseline == 0)
        snprintf(buf, len, "--relative with --baseline 0: no effect is relative to zero");
    else if (a->have_mde && a->mde == 0)
        snprintf(buf, len, "--mde 0: no sample detects a zero effect");
    else if (a->have_mde && s->kind == STATS_PROPORTION &&
             !(s->baseline + abs_mde > 0 && s->baseline + abs_mde < 1))
        snprintf(buf, len, "--baseline %g with --mde %g%s gives a proportion of %g, outside (0, 1)",
                 s->baseline, a->mde, s->relative ? " (relative)" : "", s->baseline + abs_mde);
    else if (a->have_n && !(a->n >= 2))
        snprintf(buf, len, "--n %g: at least 2 units per arm", a->n);
    else
        return NULL;
    return buf;
}

int cmd_power(int argc, char **argv)
{
    PowerArgs a = {0};
    int r = parse_args(argc, argv, &a);
    if (r == 1)
        return 0;
    if (r != 0)
        return r;
    char why[256];
    if (why_no_answer(&a, why, sizeof why)) {
        cli_error("power", "no answer: %s", why);
        return 1;
    }
    AbcStatus st;
    if (a.have_mde && a.have_n) {
        double p;
        st = stats_power_at(&a.spec, a.n, a.mde, &p);
        if (st == ABC_OK)
            return emit(&a, "power", a.n, a.mde, p);
    } else if (a.have_mde) {
        double n;
        st = stats_sample_size(&a.spec, a.mde, &n);
        if (st == ABC_OK)
            return emit(&a, "n", n, a.mde, a.spec.power);
    } else {
        double m;
        st = stats_mde(&a.spec, a.n, &m);
        if (st == ABC_OK)
            return emit(&a, "mde", a.n, m, a.spec.power);
    }
    cli_error("power", "no answer for these inputs: the sample needed is beyond what the "
                  "formulas reach (a smaller alpha or power, or a larger MDE, may have one)");
    return st == ABC_ERR_ENV ? 3 : 1;
}
