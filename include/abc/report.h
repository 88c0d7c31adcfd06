/* report.h — the renderers of results: one per format, all reading report
 * rows (report_row.h) and the spec's settings, never the statistics.
 *
 *   report_markdown  the memo (reports/<tag>.md) and `abc report TAG`
 *   report_html      the results page (reports/<tag>.html, `abc report --html`)
 *   report_json      `abc report --json`: every row, typed, and the growth
 *                    series of the tag's activity blocks
 *
 * What the pages say — the experiment verdict per variation, health (SRM
 * with expected and observed counts, data quality, guardrail breaches),
 * whether the sample the spec's `power`/`mde` needs is reached — is worked
 * out once from the rows (src/report/report_model.c); the verdict rule is
 * analysis_verdict_of() (analysis.h).  Every field is escaped for its
 * format and may be NULL.  Numbers are for people: p-values to 3
 * significant digits or "<0.001", effects as signed percentages or 4
 * significant digits.
 *
 * Ownership: ReportInput and everything it points to is borrowed; the
 * renderers append to `out` and keep nothing.
 */
#ifndef ABC_REPORT_H
#define ABC_REPORT_H

#include "abc/base.h"
#include "abc/ir.h"
#include "abc/report_row.h"

typedef struct ReportVariation {
    const char *key, *name;
    double weight;                /* NaN when unknown */
} ReportVariation;

/* One experiment of the tag, latest phase (experiment_data, or the run's
 * GrowthBook view); control first. */
typedef struct ReportExperiment {
    const char *id, *tracking_key, *name, *phase_name;
    const char *phase_start, *phase_end; /* 'YYYY-MM-DD[ HH:MM:SS]'; end NULL while running */
    const ReportVariation *variations;
    int nvariations;
} ReportExperiment;

/* Growth analytics (activity blocks, docs/TABLES.md "Growth analytics"):
 * the stored rows of the activity report table (long format: one measure
 * of one period and breakdown) and of the cohort table (retention
 * triangles), as the runner and `abc report` read them back.  Periods and
 * cohorts are 'YYYY-MM-DD' (the period's first day); value and ratio NaN
 * for NULL. */
typedef struct ReportSeriesRow {
    const char *activity, *grain, *period, *breakdown, *breakdown_value, *measure;
    double value;
} ReportSeriesRow;

typedef struct ReportCohortRow {
    const char *activity, *grain, *cohort, *period;
    long long k, cohort_size, active;    /* REPORT_INT_NULL for NULL */
    double ratio;
} ReportCohortRow;

typedef struct ReportActivity {
    const ReportSeriesRow *series;
    int nseries;
    const ReportCohortRow *cohorts;
    int ncohorts;
} ReportActivity;

/* The columns, in order, of the result sets report_series_read and
 * report_cohort_read decode (sqlgen_activity_select spells the queries). */
#define REPORT_SERIES_NCOLUMNS 7  /* activity, grain, period, breakdown, breakdown_value, measure, value */
#define REPORT_COHORT_NCOLUMNS 8  /* activity, grain, cohort, k, period, cohort_size, active, ratio */

/* Decode one stored row from its text values (NULL = SQL NULL), strings
 * copied into `arena`.  ABC_ERR_SPEC with the column named in err when the
 * row is short or a number does not parse; *out is written only on success. */
AbcStatus report_series_read(ReportSeriesRow *out, const char *const *vals, int n, Arena *arena,
                             char *err, size_t errlen) ABC_MUST_CHECK;
AbcStatus report_cohort_read(ReportCohortRow *out, const char *const *vals, int n, Arena *arena,
                             char *err, size_t errlen) ABC_MUST_CHECK;

/* One row of the hourly series (specs with `hourly`): the units first
 * exposed in an hour in one variation, or (is_srm, variation_key "") the
 * experiment's cumulative SRM p-value at that hour. */
typedef struct ReportHourly {
    const char *hour;             /* 'YYYY-MM-DD HH:00:00' */
    const char *tracking_key, *variation_key;
    bool is_srm;
    double value;                 /* exposures, or the p-value (NaN: none) */
    double weight;                /* the variation's weight; NaN when unknown */
} ReportHourly;

typedef struct ReportInput {
    const char *tag;
    const char *heading;          /* "A/B results" (memo), "stored results" (abc report) */
    const char *run_line;         /* a line under the title, or NULL */
    const IrSpec *ir;             /* metric order and roles, analysis settings */
    const ReportExperiment *exps; /* every experiment of the tag (may be none: taken from rows) */
    int nexps;
    const ReportRow *rows;        /* one analysis date, every segment */
    int nrows;
    const ReportRow *daily;       /* all-users rows of every analysis date (trend), or none */
    int ndaily;
    const char *data_note;        /* a tag-level data-quality note (skipped rows), or NULL */
    const ReportActivity *activity; /* growth rows of the tag, or NULL (none) */
    const ReportHourly *hourly;   /* the last 48 hours of the hourly series, or none */
    int nhourly;
} ReportInput;

void report_markdown(const ReportInput *in, Buf *out);
void report_html(const ReportInput *in, Buf *out);
/* `abc report --json`: one object {"tag", "rows": every row, every column,
 * numbers as numbers, "activity": report_activity_json}. */
void report_json(const char *tag, const ReportRow *rows, int n, const IrSpec *ir,
                 const ReportActivity *act, Buf *out);
/* The growth series of the tag as one JSON object: per activity of the
 * spec (in spec order), {"series": {grain: {measure: [{"period",
 * "breakdown", "breakdown_value", "value"}, ...]}}, "cohorts": {grain:
 * [{"cohort", "k", "period", "cohort_size", "active", "ratio"}, ...]}},
 * rows in period (cohort, k) order; {} when the spec has no activity. */
void report_activity_json(const IrSpec *ir, const ReportActivity *act, Buf *out);

#endif
