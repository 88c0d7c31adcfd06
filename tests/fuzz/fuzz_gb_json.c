/* fuzz_gb_json.c — libFuzzer target for the GrowthBook list-response /
 * snapshot parser (gb_parse_list).  Each input is parsed twice, for every
 * experiment and for one tag; whatever is accepted must satisfy the
 * documented invariants of a resolved config, else the target traps. */
#include "abc/gb.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const GbTagConfig *c)
{
    for (size_t i = 0; i < c->n_experiments; i++) {
        const GbExperiment *e = &c->experiments[i];
        if (!e->id[0] || !e->tracking_key[0] || e->n_variations < 2 || e->phase_index < 0 ||
            !(e->coverage >= 0 && e->coverage <= 1))
            __builtin_trap();
        double sum = 0;
        for (size_t v = 0; v < e->n_variations; v++) {
            const GbVariation *gv = &e->variations[v];
            if (gv->is_control != (v == 0) || !(gv->weight >= 0 && gv->weight <= 1) ||
                !gv->key[0] || !gv->variation_id[0])
                __builtin_trap();
            sum += gv->weight;
        }
        if (fabs(sum - 1.0) > 0.01)
            __builtin_trap();
        if (gb_find_experiment(c, e->id) != e)
            __builtin_trap(); /* ids are unique */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const tags[] = {NULL, "retention"};
    for (int t = 0; t < 2; t++) {
        GbTagConfig *c = NULL;
        char err[512];
        err[0] = '\0';
        AbcStatus st = gb_parse_list((const char *)data, size, tags[t], "fuzz", 1, &c, err,
                                     sizeof err);
        if (st == ABC_OK) {
            check(c);
            gb_tag_config_free(c);
        } else if (c != NULL || err[0] == '\0') {
            __builtin_trap(); /* out written on failure, or no message */
        }
    }
    return 0;
}
