/* runcli.h — command-line helpers shared by run, plan and report: spec
 * discovery for --all, --fail-on parsing, opening the configured warehouse. */
#ifndef ABC_RUNCLI_H
#define ABC_RUNCLI_H

#include "abc/config.h"
#include "abc/dialect.h"
#include "abc/wh.h"

/* Specs in dir (*.ab, and *.yaml without an .ab twin), sorted; malloc'd
 * strings in a malloc'd array.  -1 when dir cannot be read. */
int runcli_all_specs(const char *dir, char ***out, int *n);
/* "srm,guardrail,data_quality" → IrFailOn bits; -1 on an unknown word. */
int runcli_parse_fail_on(const char *list, unsigned *out);
/* Open the warehouse abc.yaml describes; pick the dialect (configured, or
 * from the server).  ABC_ERR_ENV with err set. */
AbcStatus runcli_open_warehouse(const AbcConfig *cfg, Warehouse **wh, const Dialect **dialect,
                                char *err, size_t errlen) ABC_MUST_CHECK;

/* abc.yaml (or --config FILE, with the environment) for command cmd; with
 * neither, and no ABC_DSN or GROWTHBOOK_API_HOST, an error naming the
 * directory searched.  On failure the message is printed and *rc set
 * (2 bad abc.yaml, 3 missing or unreadable). */
AbcStatus runcli_load_config(const char *cmd, const char *path, AbcConfig **cfg, int *rc)
    ABC_MUST_CHECK;
/* abc run / abc plan (cmd "run" or "plan"; plan passes --dry-run --quiet). */
int runcli_main(const char *cmd, int argc, char **argv);

#endif
