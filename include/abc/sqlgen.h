/* sqlgen.h — the SQL backend: from an IrSpec and a Dialect to the ordered
 * steps of a run, each a list of statements (one statement per call).
 *
 * What the runner does with a program (docs/GENERATED.md has the details):
 *   ddl            every run, first: CREATE TABLE IF NOT EXISTS (idempotent)
 *   config         replace the tag's rows of experiment_data ({{values}}:
 *                  one row per experiment x variation, EXPDATA_COLUMNS order)
 *   reset          --full only: forget the tag's assignments
 *   assign_day     per due date, in date order ({{event_date}}, {{run_id}})
 *   wide_day       per due date, after assign_day of that date
 *   assign_range   backfill alternative to the per-day pair
 *   wide_range       ({{from_date}}, {{to_date}}, {{run_id}})
 *   stats_*        queries returning sufficient statistics for the analysis
 *                  dates in [{{from_date}}, {{to_date}}] (columns listed)
 *   report_stage   clear the tag's stage rows
 *   report_load    {{values}}: result rows (REPORT_COLUMNS order), repeatable
 *   report_publish {{analysis_date}}: the latest date -> report + dashboard
 *   daily_publish  {{analysis_date}}: once per analysis date -> daily table
 * and the runner's own bookkeeping, generated the same way (their files
 * follow the report steps; the runner sends them where noted):
 *   state_read       first: the tag's row of run_state (columns listed)
 *   migrate_columns  after ddl: the wide table's columns in the warehouse
 *   migrate_wide     when the table lacks some: ALTER TABLE adding them
 *                    (the file shows every metric column; the runner sends
 *                    sqlgen_migrate_wide()'s statement for the missing ones)
 *   migrate_version  then: the tag's latest schema version
 *   migrate_record   then: {{values}} one schema_migrations row
 *   state_write      last: {{values}} the tag's run_state row (upsert)
 *   fingerprint_read   the source fingerprints recorded for [{{from_date}},
 *                      {{to_date}}] (columns listed)
 *   fingerprint_scan   before the fill: per source table, per date of
 *                      [{{from_date}}, {{to_date}}], its rows and checksum now
 *   fingerprint_write  after the fill: {{values}} source_fingerprint rows of
 *                      the dates filled (upsert)
 * and, for specs with activity blocks (growth analytics):
 *   activity_fill    after the fills: per-user active days of
 *                    [{{from_date}}, {{to_date}}] (a full run: all dates)
 *   activity_state   then: per-user first and last active date
 *   activity_periods then: per-user first and last active day of the weeks
 *                    and months starting in [{{from_date}}, {{to_date}}]
 *   activity_periods_check  the period rows from {{from_date}} with a day on
 *                    or after {{event_date}} (columns listed)
 *   activity_periods_add    none: merge the days of [{{from_date}},
 *                    {{to_date}}] into the period rows (upsert)
 *   activity_publish after report_publish: the report and cohort rows of
 *                    every period from the one {{from_date}} falls in
 *   activity_read    then: the all-users report rows of the periods
 *                    [{{from_date}}, {{to_date}}] (for the memo; columns listed)
 * and, for specs with `hourly` (the per-hour series, sqlgen_hourly.c):
 *   hourly_reset       --full only: forget the tag's hourly units
 *   hourly_units       merge the first exposures of [{{from_time}}, {{to_time}})
 *   hourly_fill        then: every hour x variation x measure of the window
 *   hourly_cumulative  then: cumulative exposures and weights (columns listed)
 *   hourly_srm         {{values}}: the cumulative SRM p-value per hour (upsert)
 *   hourly_read        the exposures of the hours from {{from_time}} (report)
 *   hourly_state_read  the tag's high-water mark (columns listed)
 *   hourly_state_write {{values}}: record it (upsert)
 * Runtime values enter only through named placeholders `{{name}}` that
 * sqlgen_bind() replaces with validated, dialect-quoted literals; the
 * experiments of the tag (tracking keys, variation keys, phase bounds) are
 * read from experiment_data, which the config step writes, so the SQL itself
 * is static and reviewable.
 *
 * Ownership: everything in a SqlProgram lives in the Arena passed to
 * sqlgen_program(); the IrSpec must outlive it.  sqlgen_program() returns
 * ABC_OK, or ABC_ERR_SPEC after recording diagnostics (a name no dialect
 * can represent, a name too long, a column collision, an unsupported
 * option) at the offending position; *out is written only on success.
 */
#ifndef ABC_SQLGEN_H
#define ABC_SQLGEN_H

#include "abc/base.h"
#include "abc/diag.h"
#include "abc/dialect.h"
#include "abc/ir.h"

#define SQLGEN_MAX_SEGMENTS 8 /* segment slots in experiment_assignment */

typedef enum SqlStepKind {
    SQLSTEP_DDL,
    SQLSTEP_CONFIG,
    SQLSTEP_RESET,
    SQLSTEP_ASSIGN_DAY,
    SQLSTEP_WIDE_DAY,
    SQLSTEP_ASSIGN_RANGE,
    SQLSTEP_WIDE_RANGE,
    SQLSTEP_STATS,
    SQLSTEP_REPORT_STAGE,
    SQLSTEP_REPORT_LOAD,
    SQLSTEP_REPORT_PUBLISH,
    SQLSTEP_DAILY_PUBLISH,
    SQLSTEP_CONFIG_CLEAR,  /* instead of CONFIG when the tag has no experiment */
    SQLSTEP_STATE_READ,
    SQLSTEP_MIGRATE_COLUMNS,
    SQLSTEP_MIGRATE_WIDE,
    SQLSTEP_MIGRATE_VERSION,
    SQLSTEP_MIGRATE_RECORD,
    SQLSTEP_STATE_WRITE,
    SQLSTEP_PREFLIGHT,     /* source tables and columns, before the first write */
    SQLSTEP_LOCK_READ,     /* the tag's lease */
    SQLSTEP_LOCK_TAKE,
    SQLSTEP_LOCK_RELEASE,
    SQLSTEP_FPRINT_READ,   /* the fingerprints recorded for the tag's dates */
    SQLSTEP_FPRINT_SCAN,   /* per source, per date: rows and checksum now */
    SQLSTEP_FPRINT_WRITE,  /* record them for the dates filled */
    SQLSTEP_ACTIVITY_FILL,    /* per-user active days of [from, to] (growth analytics) */
    SQLSTEP_ACTIVITY_STATE,   /* per-user first and last active date */
    SQLSTEP_ACTIVITY_PUBLISH, /* stage -> growth report and cohort rows (no report_publish) */
    SQLSTEP_ACTIVITY_READ,    /* the all-users report rows of [from, to], for the memo */
    SQLSTEP_ACTIVITY_STAGE,   /* compute the periods due into the activity stage tables */
    SQLSTEP_ACTIVITY_PERIODS, /* per-user first and last active day of each week and month */
    SQLSTEP_ACTIVITY_PERIODS_CHECK, /* period rows with a day on or after the first date filled */
    SQLSTEP_ACTIVITY_PERIODS_ADD,   /* merge the days filled into the period rows */
    SQLSTEP_ACTIVITY_STATE_ADD,     /* activity_state of new days: their users only */
    SQLSTEP_ACTIVITY_STAGE_NEXT,    /* activity_stage of the day after the last published */
    SQLSTEP_ACTIVITY_DUE_USERS,     /* the users of a new date due, read by the above */
    SQLSTEP_OWNER_READ,    /* the tags that own the wide and daily tables */
    SQLSTEP_OWNER_CLAIM,   /* record this tag as their owner where none is */
    SQLSTEP_EXPOSURE_KEYS, /* exposure rows with NULL keys (a data-quality note) and with a
                            * user id too long for StarRocks keys (the run stops) */
    SQLSTEP_HOURLY_RESET,     /* --full: forget the tag's hourly units (specs with `hourly`) */
    SQLSTEP_HOURLY_UNITS,     /* merge the first exposures of [from_time, to_time) */
    SQLSTEP_HOURLY_FILL,      /* the hourly rows of the hours in [from_time, to_time) */
    SQLSTEP_HOURLY_CUMULATIVE, /* cumulative exposures and weights per hour, for the SRM */
    SQLSTEP_HOURLY_SRM,       /* {{values}}: the kernel's cumulative SRM p-value per hour */
    SQLSTEP_HOURLY_READ,      /* the exposures of the hours from {{from_time}}, for the report */
    SQLSTEP_HOURLY_STATE_READ,  /* the tag's hourly high-water mark */
    SQLSTEP_HOURLY_STATE_WRITE, /* {{values}}: record it */
    SQLSTEP_PRE_RESET,  /* rebuilds: drop and create the per-user day table */
    SQLSTEP_PRE_DAYS,   /* CUPED specs: the days of [from, to] the per-user day table holds */
    SQLSTEP_PRE_FILL,   /* replace its rows of [from, to] from the sources; {{values}}: marks */
    SQLSTEP_PRE_FILL_COVARIATES, /* CUPED specs: the same for pre-period days, their covariate
                                  * parts only (day sums NULL) */
    SQLSTEP_PRE_PRUNE,  /* delete its rows before {{from_date}} */
    SQLSTEP_UNIT_STATE_RESET, /* rebuilds: drop and create the per-unit state table */
    SQLSTEP_UNIT_STATE_CLEAR, /* before the fills: delete its dates from {{from_date}} on */
    SQLSTEP_UNIT_STATE_LAST,  /* its last date before {{from_date}} */
    SQLSTEP_UNIT_STATE_DATES, /* the analysis dates of ({{from_date}}, {{to_date}}] */
    SQLSTEP_UNIT_STATE,       /* the state of {{event_date}} from that of {{from_date}} */
    SQLSTEP_UNIT_STATE_END,   /* MariaDB, several dates: end the versions before them */
    SQLSTEP_UNIT_STATE_VERSIONS, /* MariaDB, several dates: the versions of {{event_date}} */
    SQLSTEP_UNIT_STATE_PRUNE, /* delete its dates before {{from_date}} */
    SQLSTEP_ACTIVITY_FILL_DAYS /* activity_fill of days pre_fill filled, from the per-user day
                                * table (each activity's source has day sums there) */
} SqlStepKind;
/* How many step kinds there are (arrays indexed by kind); keep it the last one. */
#define SQLSTEP_NKINDS ((int)SQLSTEP_ACTIVITY_FILL_DAYS + 1)

/* Placeholders a statement may contain (bit set in SqlStep.params). */
enum SqlParam {
    SQLP_EVENT_DATE = 1 << 0,    /* {{event_date}}    DATE 'YYYY-MM-DD' */
    SQLP_FROM_DATE = 1 << 1,     /* {{from_date}}     DATE */
    SQLP_TO_DATE = 1 << 2,       /* {{to_date}}       DATE */
    SQLP_ANALYSIS_DATE = 1 << 3, /* {{analysis_date}} DATE */
    SQLP_RUN_ID = 1 << 4,        /* {{run_id}}        [A-Za-z0-9_]{1,40}, in load labels */
    SQLP_VALUES = 1 << 5,        /* {{values}}        (v, ...), (v, ...) rows */
    SQLP_FROM_TIME = 1 << 6,     /* {{from_time}}     DATETIME 'YYYY-MM-DD HH:00:00' */
    SQLP_TO_TIME = 1 << 7        /* {{to_time}}       DATETIME, exclusive */
};

typedef enum SqlStatsShape {
    STATS_NONE,
    STATS_MOMENTS,      /* one row per date x experiment x variation x segment value */
    STATS_DISTRIBUTION, /* ... x distinct per-user value: users */
    STATS_SURVIVAL,     /* ... x day since exposure: events, censored */
    STATS_UNITS         /* a row per unit: date, experiment, variation, segment slots,
                           days observed, each metric's value; abc adds up the moments */
} SqlStatsShape;

/* One column of a query's result. */
typedef struct SqlColumn {
    const char *name;
    int metric;       /* index into IrSpec.metrics, -1 for a dimension */
    const char *stat; /* "n", "sum", "sum_sq", "pre_sum", ... or the dimension */
} SqlColumn;

typedef struct SqlStep {
    SqlStepKind kind;
    const char *name;    /* "wide_day", "stats_quantile_p90_session", ... */
    const char *file;    /* file name under generated/<tag>/<dialect>/ */
    const char *summary; /* one line: what it does and when */
    const char **stmts;  /* statements, in order, one per call, no ';' */
    const unsigned *flags; /* per statement: SqlStmtFlag bits (dialect.h) */
    int nstmts;
    unsigned params;     /* enum SqlParam bits */
    SqlStatsShape shape;
    int metric;          /* per-metric query steps; -1 otherwise */
    const SqlColumn *columns; /* query result columns (SQLSTEP_STATS) */
    int ncolumns;
    const char *load_table;          /* SQLSTEP_CONFIG / REPORT_LOAD: db.table loaded */
    const char *const *load_columns; /* ... and the column order of {{values}} rows */
    int nload_columns;
} SqlStep;

/* One column of a source table the spec reads (preflight). */
typedef struct SqlSourceCol {
    int source;           /* index into IrSpec.sources */
    const char *database; /* NULL: the connection's database */
    const char *table, *column;
} SqlSourceCol;

/* The per-tag wide table's columns, for the schema lock. */
typedef struct SqlProgram {
    const IrSpec *ir;
    const Dialect *dialect;
    SqlStep *steps;
    int nsteps;
    const TableDef *wide;   /* the table whose columns follow the spec */
    const TableDef *daily;  /* the per-tag tables a tag replaces by date */
    const TableDef *assign; /* experiment_assignment: its segment columns follow the spec */
    const TableDef *tables; /* every table the DDL creates */
    int ntables;
    int schema_version;     /* set by the caller (plan.h) before rendering */
    /* the statistics queries (SQLSTEP_STATS) read the analysis date
     * {{to_date}} alone, not every date from {{from_date}}: the runner
     * sends each date due by itself (MariaDB's unit state versions) */
    bool stats_one_date;
    /* the exposure source's statement in fingerprint_scan (-1: none): the
     * runner binds it to the late-data horizon only, since exposure_keys
     * returns that source's fingerprints of the dates due */
    int fprint_exposure_stmt;
    const SqlSourceCol *source_cols; /* every source column the spec reads */
    int nsource_cols;
} SqlProgram;

/* Whether source i is fingerprinted for late data (fingerprint_scan has
 * a statement for it): the spec reads it (p->source_cols) and it is a
 * dated table, not a user table. */
bool sqlgen_fprint_source(const SqlProgram *p, int source);

/* Reading a tag's growth rows back (src/sql/sqlgen_read.c): one SELECT of
 * every row of the tag in the activity report table (SQL_READ_SERIES:
 * activity, grain, period, breakdown, breakdown_value, measure, value) or
 * the cohort table (SQL_READ_COHORTS: activity, grain, cohort, k, period,
 * cohort_size, active, ratio), appended to out.  False, and out untouched,
 * when the spec has no activity block. */
typedef enum SqlActivityRead { SQL_READ_SERIES, SQL_READ_COHORTS } SqlActivityRead;
bool sqlgen_activity_select(const SqlProgram *p, SqlActivityRead which, Buf *out);

/* Build the program for one spec and dialect; see the header comment. */
AbcStatus sqlgen_program(const IrSpec *ir, const Dialect *d, Arena *arena, Diag *diag,
                         SqlProgram *out) ABC_MUST_CHECK;
/* Same, with the wide table's retired columns (from the schema lock, see
 * plan.h) appended to its DDL: they stay in the table, NULL from then on. */
AbcStatus sqlgen_program_ex(const IrSpec *ir, const Dialect *d, const TableCol *retired,
                            int nretired, Arena *arena, Diag *diag,
                            SqlProgram *out) ABC_MUST_CHECK;

/* The file text of one step: provenance header, then each statement
 * followed by ";" and a blank line.  Deterministic. */
void sqlgen_step_file(const SqlProgram *p, const SqlStep *s, Buf *out);

/* text as whole "-- " comment lines of at most 100 characters (broken
 * between words; control characters become '?'). */
void sqlgen_comment(Buf *out, const char *text);
/* The provenance header ("-- " lines): spec path, abc version, tag, dialect
 * and a title.  The spec's content hash is not in it: it lives in plan.json
 * and schema.lock only, so a spec edit changes just the files whose SQL
 * changes. */
void sqlgen_header(const IrSpec *ir, const Dialect *d, const char *title, Buf *out);

/* ---- runtime parameters ------------------------------------------------- */
typedef enum SqlValueKind { SQLV_NULL, SQLV_STRING, SQLV_INT, SQLV_DOUBLE, SQLV_DATE, SQLV_DATETIME } SqlValueKind;

typedef struct SqlValue {
    SqlValueKind kind;
    const char *s; /* STRING; DATE 'YYYY-MM-DD'; DATETIME 'YYYY-MM-DD HH:MM:SS' */
    long long i;
    double d;      /* finite only */
} SqlValue;

typedef struct SqlParams {
    const char *event_date, *from_date, *to_date, *analysis_date; /* 'YYYY-MM-DD' or NULL */
    const char *from_time, *to_time; /* 'YYYY-MM-DD HH:MM:SS' or NULL */
    const char *run_id;
    const SqlValue *values; /* row-major nrows x ncols, for {{values}} */
    int nrows, ncols;
    bool keep_unbound;      /* leave a placeholder without a value as written
                             * (to show a statement, never to send it) */
} SqlParams;

/* Replace every {{name}} of a statement template with the parameter,
 * validated and quoted for the dialect.  An unknown placeholder, a missing
 * or malformed parameter (not a real calendar date, a run id outside
 * [A-Za-z0-9_]{1,40}, a string no literal can carry, a non-finite number,
 * a row of the wrong width) is ABC_ERR_USAGE with err set, and out is left
 * as it was. */
AbcStatus sqlgen_bind(const Dialect *d, const char *tmpl, const SqlParams *p, Buf *out,
                      char *err, size_t errlen) ABC_MUST_CHECK;

/* Append one value as a dialect literal (validated as in sqlgen_bind):
 * NULL, a number, a quoted string, or the dialect's date / datetime literal
 * (StarRocks DATE '…' / DATETIME '…'; MariaDB a quoted string). */
AbcStatus sqlgen_literal(const Dialect *d, const SqlValue *v, Buf *out, char *err,
                         size_t errlen) ABC_MUST_CHECK;

/* The migrate_wide step for the columns present in the warehouse
 * (tables[k].present[k], names any case, as migrate_columns reads them):
 * one ALTER TABLE adding, in the table's order, every column of p->wide
 * not among them, and one adding the spec's segment columns that
 * p->assign lacks.  A table without any present column is new (created
 * with every column) and is left alone.  Returns the number of columns
 * added, added[0] to the wide table and added[1] to the assignment table;
 * 0 (and *out untouched) when none is missing.  The step and its text
 * live in a. */
int sqlgen_migrate_wide(const SqlProgram *p, const char *const *tables, const char *const *present,
                        int npresent, Arena *a, SqlStep *out, int added[2]);

/* abc check's warehouse checks: the spec compiles for every dialect (so a
 * dialect's limits, such as the columns of a table, are diagnostics in d),
 * and no table it replaces by date (wide, daily) is one another spec of the
 * same check claims: claims is the list so far (names and tags in a, which
 * the caller keeps for the whole check).  ABC_ERR_SPEC with diagnostics. */
typedef struct SqlClaim {
    const char *table, *tag, *path; /* db.table */
} SqlClaim;
typedef struct SqlClaims {
    SqlClaim *items;
    int n, cap;
} SqlClaims;
AbcStatus sqlgen_check(const IrSpec *ir, Arena *a, SqlClaims *claims, Diag *d) ABC_MUST_CHECK;

/* "proportion", "time_to_event", ... (the names used in plan.json and reports). */
const char *sqlgen_kind_name(IrMetricKind k);

/* Column orders of the rows the runner supplies. */
extern const char *const SQLGEN_EXPDATA_COLUMNS[];
extern const int SQLGEN_EXPDATA_NCOLUMNS;
extern const char *const SQLGEN_REPORT_COLUMNS[];
extern const int SQLGEN_REPORT_NCOLUMNS;
/* state_write: tag, last_date, first_date, spec_hash, abc_version, updated_at */
extern const char *const SQLGEN_STATE_COLUMNS[];
extern const int SQLGEN_STATE_NCOLUMNS;
/* migrate_record: tag, version, name, applied_at, abc_version */
extern const char *const SQLGEN_MIGRATION_COLUMNS[];
extern const int SQLGEN_MIGRATION_NCOLUMNS;
/* fingerprint_write: tag, source, event_date, row_count, checksum, recorded_at
 * (fingerprint_read and fingerprint_scan return source, event_date,
 * row_count, checksum) */
extern const char *const SQLGEN_FPRINT_COLUMNS[];
extern const int SQLGEN_FPRINT_NCOLUMNS;
/* The widths of the strings in StarRocks primary keys (bytes), chosen so
 * that every key fits STARROCKS_KEY_LIMIT (dialect.h): experiment_assignment
 * (tag, tracking_key, user_id) = 22 + 50 + 56, experiment_data (tag,
 * tracking_key, variation_key) = 22 + 50 + 56. */
enum {
    SQLGEN_KEY_TAG_BYTES = 20,
    SQLGEN_KEY_TRACKING_KEY_BYTES = 48,
    SQLGEN_KEY_VARIATION_KEY_BYTES = 56,
    SQLGEN_KEY_USER_ID_BYTES = 56,
    SQLGEN_KEY_NAME_BYTES = 64,       /* a source or activity name */
    SQLGEN_KEY_GRAIN_BYTES = 8,       /* week | month */
    SQLGEN_KEY_TABLE_NAME_BYTES = 128, /* database.table in abc.table_owner */
    /* the hourly series table (event_date, hour, tracking_key, variation_key,
     * metric, measure) = 4 + 8 + 42 + 26 + 26 + 20 */
    SQLGEN_KEY_HOURLY_TRACKING_KEY_BYTES = 40,
    SQLGEN_KEY_HOURLY_VARIATION_KEY_BYTES = 24,
    SQLGEN_KEY_HOURLY_METRIC_BYTES = 24,
    SQLGEN_KEY_HOURLY_MEASURE_BYTES = 20
};

/* owner_claim: table_name, tag, claimed_at */
extern const char *const SQLGEN_OWNER_COLUMNS[];
extern const int SQLGEN_OWNER_NCOLUMNS;

/* hourly_srm: event_date, hour, tag, tracking_key, variation_key, metric,
 * measure, value (the hourly table's columns) */
extern const char *const SQLGEN_HOURLY_COLUMNS[];
extern const int SQLGEN_HOURLY_NCOLUMNS;
/* hourly_state_write: tag, high_water, daily_through, updated_at */
extern const char *const SQLGEN_HOURLY_STATE_COLUMNS[];
extern const int SQLGEN_HOURLY_STATE_NCOLUMNS;
/* lock_take: tag, owner, host, pid, expires_at, taken_at */
extern const char *const SQLGEN_LOCK_COLUMNS[];
extern const int SQLGEN_LOCK_NCOLUMNS;

#endif
