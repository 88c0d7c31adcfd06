/* report.h — the renderers of results: one per format, all reading report
 * rows (report_row.h) and the spec's settings, never the statistics.
 *
 *   report_markdown  the memo (reports/<tag>.md) and `abc report TAG`
 *   report_html      the results page (reports/<tag>.html, `abc report --html`)
 *   report_json      `abc report --json`: every row, typed
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
    const ReportHourly *hourly;   /* the last 48 hours of the hourly series, or none */
    int nhourly;
} ReportInput;

void report_markdown(const ReportInput *in, Buf *out);
void report_html(const ReportInput *in, Buf *out);
/* A JSON array of the rows, every column, numbers as numbers. */
void report_json(const ReportRow *rows, int n, Buf *out);

#endif
