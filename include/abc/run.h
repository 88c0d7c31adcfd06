/* run.h — `abc run` and `abc plan`: one tag end to end.
 *
 * For each spec: resolve the latest phase of its experiments (GrowthBook API
 * or snapshot, plus hash-assigned experiments declared in the spec) → apply
 * the DDL (idempotent) → write the tag's experiment_data rows → fill the
 * assignment and wide tables for the dates due → run the sufficient-
 * statistics queries → analyse them with the stats kernel → replace the
 * report tables (atomically, per tag) → record the run state → write the
 * Markdown memo.  Nothing of a tag's report changes unless every step
 * before the publish succeeded; the run state is written last, so a failed
 * run is redone by the next one.
 *
 * Dates due (RunOptions): --date D → D; --from/--to → that range; --full →
 * from the earliest phase start; otherwise from the day after the last
 * successful run minus lookback_days (late data), or from the earliest phase
 * start on the first run or when the spec or abc version changed.  The end
 * is yesterday (UTC; ABC_TODAY overrides "today"), never before the start.
 *
 * Specs with `hourly` also fill the hourly series for the hours of the
 * dates due.  --intraday refreshes only the hourly series: the hours from
 * the recorded high-water mark minus one hour (late events) through the
 * current hour (UTC; ABC_NOW 'YYYY-MM-DD HH:MM:SS' overrides "now"), read
 * from the events of those hours; it computes no statistics and publishes
 * no report.
 *
 * Ownership: RunEnv borrows the config and the warehouse; run_spec()
 * allocates nothing the caller frees except RunOutcome (run_outcome_free).
 */
#ifndef ABC_RUN_H
#define ABC_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "abc/base.h"
#include "abc/config.h"
#include "abc/dialect.h"
#include "abc/report.h"
#include "abc/sqlgen.h"
#include "abc/wh.h"

typedef struct RunOptions {
    const char *date, *from, *to; /* YYYY-MM-DD or NULL */
    bool full;
    bool intraday;                /* refresh the hourly series of today's hours only
                                   * (specs with `hourly`); no statistics, no report */
    bool dry_run;
    bool sql;                     /* with dry_run: print every statement the run
                                   * would send, bound, instead of the plan; no
                                   * warehouse is read (env.wh may be NULL) */
    unsigned fail_on;             /* IrFailOn bits from --fail-on, added to the spec's */
    const char *memo_dir;         /* default "reports" */
    FILE *progress;               /* stderr, or NULL for quiet */
    FILE *plan_out;               /* where --dry-run prints its plan: NULL = stdout
                                   * (stderr under --format json, whose document
                                   * owns stdout) */
} RunOptions;

typedef struct RunEnv {
    const AbcConfig *config;
    Warehouse *wh;                /* NULL with dry_run when no warehouse is needed */
    Warehouse *wh_side;           /* a second connection to the same remote warehouse, or
                                   * NULL: the growth tables are filled on it while the
                                   * experiments' statistics run on wh */
    const Dialect *dialect;
} RunEnv;

typedef struct RunOutcome {
    char *tag;
    char *memo_path;
    char first_date[11], last_date[11];
    int ndays;
    int nhours;                   /* --intraday: hours refreshed, first_hour .. last_hour */
    char first_hour[20], last_hour[20];
    int nexperiments;
    int srm_failures;             /* experiments (all users) with SRM */
    int guardrail_failures;       /* guardrail metrics significantly worse */
    int data_quality_failures;    /* experiments with no exposed users or missing arms */
    bool health_failed;           /* a requested check (spec fail_on or --fail-on) failed */
    Buf json;                     /* this tag's object of the --format json summary */
    Buf activity_json;            /* its growth series (report_activity_json), or empty */
} RunOutcome;

void run_outcome_free(RunOutcome *o);

/* Run one spec; see the header comment.  Status: ABC_ERR_SPEC (diagnostics
 * printed to stderr), ABC_ERR_ENV (warehouse, GrowthBook, file system; err
 * set), ABC_OK.  Health checks do not change the status: see
 * out->health_failed. */
AbcStatus run_spec(const RunEnv *env, const char *spec_path, const RunOptions *o,
                   RunOutcome *out, char *err, size_t errlen) ABC_MUST_CHECK;

/* A tag's stored growth rows (activity report and cohort tables) read back
 * through prog's queries (sqlgen_activity_select): none when the spec has
 * no activity block.  Rows and strings live in arena; *out is zeroed
 * first.  A warehouse error or a row that does not decode: its status,
 * err set. */
AbcStatus run_read_activity(Warehouse *wh, const SqlProgram *prog, Arena *arena, ReportActivity *out,
                            char *err, size_t errlen) ABC_MUST_CHECK;

/* Validate --date / --from / --to before anything is contacted: real
 * dates, --from not after --to, none after today (ABC_TODAY overrides
 * today).  ABC_ERR_USAGE with err set, or ABC_OK. */
AbcStatus run_check_dates(const RunOptions *o, char *err, size_t errlen) ABC_MUST_CHECK;

#endif
