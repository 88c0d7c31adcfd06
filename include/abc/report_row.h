/* report_row.h — the report row: one row per analysis date × experiment ×
 * segment value × metric × variation, as the report, daily, stage and
 * dashboard tables hold it (docs/TABLES.md).
 *
 * Contract: REPORT_ROW_COLUMNS is the only place the row is spelled.  From
 * it come the typed struct ReportRow, the table schema (REPORT_SCHEMA:
 * name, portable type, comment) that sqlgen turns into DDL and load column
 * lists, the bound values of a row (report_row_values) and the read-back of
 * a stored row (report_row_read).  NULL is: a NULL string or date pointer,
 * a NaN double, REPORT_INT_NULL for integers.
 */
#ifndef ABC_REPORT_ROW_H
#define ABC_REPORT_ROW_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "abc/dialect.h"
#include "abc/sqlgen.h"

/* X(name, column type, field kind, not null, comment) */
#define REPORT_ROW_COLUMNS(X)                                                                      \
    X(tag, CT_STR64, STR, true, NULL)                                                              \
    X(module, CT_STR64, STR, true, NULL)                                                           \
    X(experiment_id, CT_STR128, STR, true, NULL)                                                   \
    X(tracking_key, CT_STR128, STR, false, NULL)                                                   \
    X(experiment_name, CT_STR255, STR, false, NULL)                                                \
    X(phase_name, CT_STR255, STR, false, NULL)                                                     \
    X(phase_start, CT_DATETIME, DATETIME, false, NULL)                                             \
    X(phase_end, CT_DATETIME, DATETIME, false, "NULL while running")                               \
    X(analysis_date, CT_DATE, DATE, false, "data dated up to and including this date")            \
    X(computed_at, CT_DATETIME, DATETIME, false, NULL)                                             \
    X(metric, CT_STR64, STR, false, NULL)                                                          \
    X(metric_kind, CT_STR32, STR, false, NULL)                                                     \
    X(metric_role, CT_STR16, STR, false, "goal | secondary | guardrail")                           \
    X(direction, CT_STR16, STR, false, "higher | lower")                                           \
    X(segment, CT_STR64, STR, false, "'' for all users")                                           \
    X(segment_value, CT_STR255, STR, false, "'' for all users")                                    \
    X(variation_key, CT_STR64, STR, false, NULL)                                                   \
    X(variation_name, CT_STR255, STR, false, NULL)                                                 \
    X(is_control, CT_TINYINT, INT, false, NULL)                                                    \
    X(users, CT_BIGINT, INT, false, NULL)                                                          \
    X(mean, CT_DOUBLE, DOUBLE, false, "the arm's value: mean, proportion, quantile or RMST")       \
    X(stddev, CT_DOUBLE, DOUBLE, false, "per-unit standard deviation (moments metrics)")           \
    X(value_low, CT_DOUBLE, DOUBLE, false, "the arm's interval (quantile, time_to)")               \
    X(value_high, CT_DOUBLE, DOUBLE, false, NULL)                                                  \
    X(effect_type, CT_STR16, STR, false, "relative | absolute: the scale of ci_low/ci_high")       \
    X(test, CT_STR32, STR, false, "the test behind effect, ci_low, ci_high and p_value")           \
    X(abs_effect, CT_DOUBLE, DOUBLE, false, NULL)                                                  \
    X(rel_effect, CT_DOUBLE, DOUBLE, false, NULL)                                                  \
    X(ci_low, CT_DOUBLE, DOUBLE, false, NULL)                                                      \
    X(ci_high, CT_DOUBLE, DOUBLE, false, NULL)                                                     \
    X(p_value, CT_DOUBLE, DOUBLE, false, NULL)                                                     \
    X(p_value_adjusted, CT_DOUBLE, DOUBLE, false, NULL)                                            \
    X(significant, CT_TINYINT, INT, false, "p_value_adjusted < alpha")                             \
    X(chance_to_win, CT_DOUBLE, DOUBLE, false, "Gaussian Bayesian, same effect")                   \
    X(expected_loss, CT_DOUBLE, DOUBLE, false, NULL)                                               \
    X(cred_low, CT_DOUBLE, DOUBLE, false, NULL)                                                    \
    X(cred_high, CT_DOUBLE, DOUBLE, false, NULL)                                                   \
    X(cuped_variance_reduction, CT_DOUBLE, DOUBLE, false, "NULL without CUPED")                    \
    X(impact, CT_DOUBLE, DOUBLE, false, "absolute effect x treated units")                         \
    X(impact_low, CT_DOUBLE, DOUBLE, false, NULL)                                                  \
    X(impact_high, CT_DOUBLE, DOUBLE, false, NULL)                                                 \
    X(ztest_p_value, CT_DOUBLE, DOUBLE, false, "method ztest: pooled two-proportion z-test")       \
    X(exact_p_value, CT_DOUBLE, DOUBLE, false, "Fisher's exact test, proportions at 0 or 1")       \
    X(mannwhitney_p_value, CT_DOUBLE, DOUBLE, false, "method mannwhitney")                         \
    X(bootstrap_effect, CT_DOUBLE, DOUBLE, false, "method bootstrap: difference of means")         \
    X(bootstrap_low, CT_DOUBLE, DOUBLE, false, NULL)                                               \
    X(bootstrap_high, CT_DOUBLE, DOUBLE, false, NULL)                                              \
    X(did_effect, CT_DOUBLE, DOUBLE, false, "method did: difference-in-differences")               \
    X(did_low, CT_DOUBLE, DOUBLE, false, NULL)                                                     \
    X(did_high, CT_DOUBLE, DOUBLE, false, NULL)                                                    \
    X(did_p_value, CT_DOUBLE, DOUBLE, false, NULL)                                                 \
    X(km_median, CT_DOUBLE, DOUBLE, false, "time_to: Kaplan-Meier median days")                    \
    X(logrank_p_value, CT_DOUBLE, DOUBLE, false, "time_to: log-rank test")                         \
    X(srm_p_value, CT_DOUBLE, DOUBLE, false, NULL)                                                 \
    X(sequential, CT_STR32, STR, false, NULL)                                                      \
    X(methods, CT_STR128, STR, false, "the metric's methods, as plan.json lists them")             \
    X(decision, CT_STR16, STR, false, "winner | loser | inconclusive | invalid")                   \
    X(bayes_decision, CT_STR16, STR, false, "the Bayesian verdict where it disagrees")             \
    X(flags, CT_STR128, STR, false, "comma list: srm, data_quality, zero_variance, ...")           \
    X(note, CT_STR255, STR, false, NULL)                                                           \
    X(spec_hash, CT_STR16, STR, false, NULL)                                                       \
    X(abc_version, CT_STR32, STR, false, NULL)

#define REPORT_INT_NULL LLONG_MIN

#define REPORT_FIELD_STR const char *
#define REPORT_FIELD_DATE const char *     /* 'YYYY-MM-DD' */
#define REPORT_FIELD_DATETIME const char * /* 'YYYY-MM-DD HH:MM:SS' */
#define REPORT_FIELD_INT long long
#define REPORT_FIELD_DOUBLE double

typedef struct ReportRow {
#define REPORT_ROW_FIELD_(name, type, kind, not_null, comment) REPORT_FIELD_##kind name;
    REPORT_ROW_COLUMNS(REPORT_ROW_FIELD_)
#undef REPORT_ROW_FIELD_
} ReportRow;

typedef enum ReportFieldKind { RF_STR, RF_DATE, RF_DATETIME, RF_INT, RF_DOUBLE } ReportFieldKind;

typedef struct ReportColumn {
    TableCol col;         /* name, portable type, NOT NULL, comment */
    ReportFieldKind kind;
    size_t offset;        /* of the field in ReportRow */
} ReportColumn;

extern const ReportColumn REPORT_SCHEMA[];
extern const int REPORT_NCOLUMNS;

/* A row with every field NULL. */
void report_row_init(ReportRow *r);
/* The row's REPORT_NCOLUMNS values, in schema order, borrowing its strings. */
void report_row_values(const ReportRow *r, SqlValue *out);

/* Read-back: map the column names of a result set to schema columns once
 * (map[i] = schema index or -1), then fill rows from their text values
 * (NULL = SQL NULL).  Strings are copied into `arena`.  ABC_ERR_SPEC when a
 * number does not parse, with the column named in err. */
void report_row_map(const char *const *names, int n, int *map);
AbcStatus report_row_read(ReportRow *r, const int *map, const char *const *vals, int n,
                          Arena *arena, char *err, size_t errlen) ABC_MUST_CHECK;

/* Field access by schema index, for renderers that walk the columns. */
const char *report_row_str(const ReportRow *r, int col);
double report_row_num(const ReportRow *r, int col); /* INT as double; NaN for NULL */

#endif
