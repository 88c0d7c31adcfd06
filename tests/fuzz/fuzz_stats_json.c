/* fuzz_stats_json.c — libFuzzer target: arbitrary bytes through the
 * `abc stats` JSON parsers (the kernel's moments documents and the analysis
 * policy's quantile / time_to documents), the analysis and the printer.  Any input must
 * give ABC_OK with JSON free of NaN/Inf, or an error message naming a path.
 */
#include "abc/analysis.h"
#include "abc/stats.h"

#include <cjson/cJSON.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    char *out = NULL;
    AbcStatus st = stats_run_json((const char *)data, size, 17, &out, err, sizeof err);
    if (st == ABC_OK) {
        /* NaN or Inf would not parse: the output must be valid JSON */
        cJSON *back = out ? cJSON_Parse(out) : NULL;
        if (!back)
            abort();
        cJSON_Delete(back);
        free(out);
    } else if (st == ABC_ERR_SPEC && err[0] != '$') {
        abort(); /* every data error names a JSON path */
    }
    /* the same bytes as a per-unit document (small inputs: the bootstrap
     * is part of the analysis) */
    cJSON *doc = size < 4096 ? cJSON_ParseWithLength((const char *)data, size) : NULL;
    if (doc) {
        err[0] = 0;
        out = NULL;
        st = analysis_stats_json(doc, 6, &out, err, sizeof err);
        if (st == ABC_OK) {
            cJSON *back = out ? cJSON_Parse(out) : NULL;
            if (!back)
                abort();
            cJSON_Delete(back);
            free(out);
        } else if (st == ABC_ERR_SPEC && err[0] != '$') {
            abort();
        }
        cJSON_Delete(doc);
    }
    return 0;
}
