/* cmd_plan.c — abc plan: what `abc run` would do for one spec and dates
 * (experiments and phases, dates due, the steps in order), changing
 * nothing.  It is `abc run --dry-run` for a single spec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/cli.h"
#include "abc/runcli.h"

static const char plan_help[] =
    "usage: abc plan [--config FILE] [--format text|json] [--date D | --from D --to D | --full] SPEC\n"
    "\n"
    "Print what `abc run SPEC` would do: the experiments of the tag and their\n"
    "latest phases, the dates due and why, and the ordered steps with their\n"
    "statement counts.  Reads the run state from the warehouse; changes nothing.\n"
    "With --format json, stdout gets the machine-readable summary (experiments,\n"
    "dates due) and the text plan goes to stderr.\n"
    "\n"
    "exit codes: 0 ok, 1 spec error, 2 usage, 3 no abc.yaml, warehouse or GrowthBook\n"
    "unreachable\n";

int cmd_plan(int argc, char **argv)
{
    int nspecs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(plan_help, stdout);
            return 0;
        }
        if (!strcmp(a, "--all") || !strcmp(a, "--dry-run") || !strcmp(a, "--fail-on") ||
            !strcmp(a, "--memo-dir") || !strcmp(a, "--sql") || !strcmp(a, "--quiet")) {
            return cli_usage_error("plan", "'%s' is not a plan option (it is one of abc run's)", a);
        }
        if (!strcmp(a, "--date") || !strcmp(a, "--from") || !strcmp(a, "--to") ||
            !strcmp(a, "--config") || !strcmp(a, "--format"))
            i++;
        else if (a[0] != '-')
            nspecs++;
    }
    if (nspecs != 1) {
        return cli_usage_error("plan", "give exactly one spec (%d given)", nspecs);
    }
    char **args = calloc((size_t)argc + 3, sizeof(char *));
    if (!args)
        abort();
    int n = 0;
    args[n++] = "plan";
    args[n++] = "--dry-run";
    args[n++] = "--quiet";
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    int rc = runcli_main("plan", n, args);
    free(args);
    return rc;
}
