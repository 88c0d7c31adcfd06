/* results.h — from sufficient-statistics rows to report rows.
 *
 * The runner feeds every row of every stats query (results_add_row) and
 * ends each query (results_end_step: a units query's rows, a row per unit,
 * are then added into their cells' sums), then results_compute() groups
 * them by analysis date × experiment × segment value × metric, runs the stats kernel (stats_analyse and, where the spec
 * asks, Mann-Whitney, bootstrap, quantile CIs, Kaplan-Meier/log-rank),
 * applies the multiple-testing correction over each family (goal and
 * secondary metrics × treatments, per experiment, segment value and date),
 * checks SRM and data quality, and decides winner / loser / inconclusive /
 * invalid.  Rows come out in SQLGEN_REPORT_COLUMNS order.
 *
 * Ownership: a Results owns everything it returns; results_free() releases
 * it.  Strings in RunExperiment are borrowed and must outlive it.
 */
#ifndef ABC_RESULTS_H
#define ABC_RESULTS_H

#include <stdbool.h>

#include "abc/ir.h"
#include "abc/report.h"
#include "abc/sqlgen.h"
#include "abc/stats_rows.h"

typedef struct RunVariation {
    const char *id, *key, *name;
    double weight;
    bool is_control;
} RunVariation;

/* One experiment of the tag, latest phase. */
typedef struct RunExperiment {
    const char *id, *tracking_key, *name, *status, *phase_name;
    int phase_index;
    long phase_start;           /* day number */
    long phase_end;             /* day number, or -1 while running */
    char phase_start_ts[20];    /* 'YYYY-MM-DD HH:MM:SS' */
    char phase_end_ts[20];      /* "" while running */
    double coverage;
    RunVariation *variations;
    int nvariations;
} RunExperiment;

typedef struct Results Results;

Results *results_new(const IrSpec *ir, const RunExperiment *exps, int nexps,
                     const char *computed_at);
void results_free(Results *r);

/* Consume one decoded row of a statistics step's result (stats_rows.h). */
AbcStatus results_add_row(Results *r, const SqlStep *step, const StatsRow *row, char *err,
                          size_t errlen) ABC_MUST_CHECK;

/* A statistics step's rows have all been added: a units step's
 * percentile caps are taken from its values, its sums go into their cells
 * (before the steps that read the cells' unit counts), and its quantile
 * values stream into their cells in order (in bounded memory: an error
 * when the temporary file of sorted values fails). */
AbcStatus results_end_step(Results *r, const SqlStep *step, char *err,
                           size_t errlen) ABC_MUST_CHECK;

/* Analyse everything fed so far. */
AbcStatus results_compute(Results *r, char *err, size_t errlen) ABC_MUST_CHECK;

/* Report rows (SQLGEN_REPORT_COLUMNS order) for one analysis date; the
 * array lives until results_free. */
const SqlValue *results_rows(const Results *r, long analysis_date, int *nrows);
/* Analysis dates that have results, ascending. */
const long *results_dates(const Results *r, int *n);

/* Health of the latest date, for exit codes and the memo. */
typedef struct ResultsHealth {
    int srm_failures, guardrail_failures, data_quality_failures;
} ResultsHealth;
ResultsHealth results_health(const Results *r, long analysis_date);

/* Exposure rows the assignment skipped for a NULL key (a note in the memo). */
void results_set_null_key_rows(Results *r, long long n);

/* The memo (Markdown) and the results page (HTML) of one date's results,
 * rendered by src/report/ from the report rows (report.h); the page's
 * effect over time covers the dates this Results computed, its growth
 * section the activity rows act (NULL: none).  And the JSON summary object. */
void results_memo(const Results *r, long analysis_date, const char *run_line, Buf *out);
void results_page(const Results *r, long analysis_date, const char *run_line, const ReportActivity *act,
                  Buf *out);
/* The hourly series for the page (borrowed; must outlive the Results). */
void results_set_hourly(Results *r, const ReportHourly *rows, int n);
void results_json(const Results *r, long analysis_date, Buf *out);

#endif
