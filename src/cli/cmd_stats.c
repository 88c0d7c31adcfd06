/* cmd_stats.c — `abc stats FILE|-`: analyse sufficient statistics given as
 * one JSON document and print the result document (docs/STATS.md).
 */
#include "abc/analysis.h"
#include "abc/cli.h"
#include "abc/stats.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATS_MAX_INPUT (64u << 20)

static void usage(FILE *f)
{
    fputs("usage: abc stats [--digits N] FILE|-\n\n"
          "Reads one JSON document of per-variation sufficient statistics (n, sum,\n"
          "sum_sq; pre_* for CUPED; den_* for ratio metrics) and prints the analysis:\n"
          "SRM p-value, per-variation means, effects, CIs, p-values, Bayesian chance\n"
          "to win and expected losses.  Quantile and time_to metrics take per-unit\n"
          "values (\"values\"; \"times\" and \"events\") instead of sums.  Sequential\n"
          "designs: cs, msprt, obf (looks, look).  The format is documented in\n"
          "docs/STATS.md.\n\n"
          "  --digits N   significant digits of every number (default 6; 17 prints\n"
          "               each double so that it reads back exactly)\n\n"
          "exit codes: 0 ok, 1 bad input (the message names the JSON path), 2 usage,\n"
          "3 cannot read the input\n",
          f);
}

/* Read all of stdin into a malloc'd buffer. */
static AbcStatus read_stdin(char **out, size_t *len, char *err, size_t errlen)
{
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return ABC_ERR_ENV;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= STATS_MAX_INPUT) {
                free(b);
                snprintf(err, errlen, "input larger than %u bytes", STATS_MAX_INPUT);
                return ABC_ERR_ENV;
            }
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                snprintf(err, errlen, "out of memory");
                return ABC_ERR_ENV;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, stdin);
        n += r;
        if (r == 0) {
            if (ferror(stdin)) {
                free(b);
                snprintf(err, errlen, "reading stdin: %s", strerror(errno));
                return ABC_ERR_ENV;
            }
            break;
        }
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return ABC_OK;
}

int cmd_stats(int argc, char **argv)
{
    const char *path = NULL;
    int digits = 6;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--digits") == 0) {
            char *end = NULL;
            long d = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || *end || d < 1 || d > 17) {
                fputs("abc stats: --digits takes a number of significant digits from 1 to 17\n", stderr);
                return 2;
            }
            digits = (int)d;
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            static const char *const opts[] = {"--help", "--digits", NULL};
            return cli_unknown_option("stats", argv[i], opts);
        }
        if (path) {
            fputs("abc stats: exactly one input (FILE or -)\n", stderr);
            return 2;
        }
        path = argv[i];
    }
    if (!path)
        return cli_usage_error("stats", "no input given (FILE, or - for stdin)");
    char err[512] = "";
    char *text = NULL, *out = NULL;
    size_t len = 0;
    AbcStatus st;
    if (strcmp(path, "-") == 0)
        st = read_stdin(&text, &len, err, sizeof err);
    else
        st = file_read_all(path, STATS_MAX_INPUT, &text, &len, err, sizeof err);
    if (st != ABC_OK) {
        fprintf(stderr, "abc stats: %s\n", err);
        return st == ABC_ERR_SPEC ? 1 : 3;
    }
    /* quantile and time_to documents carry per-unit data and go through the
     * analysis policy's per-kind functions; moments documents through the
     * kernel */
    cJSON *doc = cJSON_ParseWithLength(text, len);
    const cJSON *kind = doc ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "metric"), "kind")
                            : NULL;
    if (cJSON_IsString(kind) &&
        (!strcmp(kind->valuestring, "quantile") || !strcmp(kind->valuestring, "time_to")))
        st = analysis_stats_json(doc, digits, &out, err, sizeof err);
    else
        st = stats_run_json(text, len, digits, &out, err, sizeof err);
    cJSON_Delete(doc);
    free(text);
    if (st != ABC_OK) {
        fprintf(stderr, "abc stats: %s: %s\n", strcmp(path, "-") == 0 ? "<stdin>" : path, err);
        return st == ABC_ERR_SPEC ? 1 : 3;
    }
    fputs(out, stdout);
    free(out);
    return fflush(stdout) == 0 ? 0 : 3;
}
