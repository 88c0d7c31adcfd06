/* sqlgen_int.h — private to the SQL backend: the entry points of the
 * generation phases, one section per file, called by the driver
 * (sqlgen.c) in run order.  Phases write SQL through the emit helpers
 * (sqlgen_emit.h) and filters (sqlgen_cond.h), never through each other. */
#ifndef ABC_SQL_SQLGEN_INT_H
#define ABC_SQL_SQLGEN_INT_H

#include "sqlgen_cond.h"
#include "sqlgen_emit.h"

/* ---- sqlgen_ddl.c ---- */
void gen_tables(Gen *g);
void gen_ddl(Gen *g);
/* The wide table's component columns of metric m (appends to cols). */
int gen_metric_components(Gen *g, int m, TableCol *cols);

/* ---- sqlgen_dml.c ---- */
void gen_config(Gen *g);
void gen_config_clear(Gen *g);
void gen_reset(Gen *g);
void gen_assign(Gen *g, bool range);
void gen_wide(Gen *g, bool range);
/* One per-user day sum of an event source: a wide-table component column
 * (`<m>__sum` DOUBLE, `<m>__events` BIGINT, `<m>__stepK_first` DATETIME)
 * of metric `metric` (its funnel step `step`), summed over a user's rows of
 * a day.  The wide fill's whole-day units take them from the per-user day
 * table (T_PRE), which pre_fill writes. */
typedef struct DaySum {
    const char *col;
    ColType type;
    int metric, step;
} DaySum;
/* Source src's day sums into out (room for every component of the spec);
 * returns how many (0 for a user table). */
int gen_day_sums(Gen *g, int src, DaySum *out);
/* Whether the per-user day table serves the growth tables' active days
 * (activity_fill_days): the spec has activities and each one's source has
 * day sums there, so pre_fill writes a row per day and user of every user
 * with rows of it; each activity's flag of the day is then the column
 * gen_activity_day_col(g, a). */
bool gen_activity_days_in_pre(Gen *g);
const char *gen_activity_day_col(Gen *g, int a);
/* pre_reset, pre_days, pre_fill, pre_mark, pre_prune: the per-user day table
 * (T_PRE: every spec whose wide table sums an event source, or with CUPED). */
void gen_pre(Gen *g);
/* For other phases: the experiments' latest phases CTE (`phases AS (...)`),
 * and the variation key of an exposure row `s` of src (hash assignment). */
void gen_phases_cte(Gen *g, Buf *b);
void gen_exposure_variation(Gen *g, Buf *b, const IrSource *src);

/* ---- sqlgen_stats.c ---- */
/* The per-unit state table (T_UNIT_STATE), after gen_tables. */
void gen_unit_state_table(Gen *g);
/* unit_state_reset, _clear, _dates, unit_state, unit_state_prune, then the
 * statistics queries (stats_moments, stats_quantile_<m>, stats_survival_<m>). */
void gen_stats(Gen *g);
/* Whether the statistics queries read one analysis date, {{to_date}}
 * (SqlProgram.stats_one_date). */
bool gen_stats_one_date(const Gen *g);

/* ---- sqlgen_report.c ---- */
void gen_report(Gen *g);

/* ---- sqlgen_activity.c ---- */
/* The activity tables (T_ACT_*), after gen_tables; nothing without
 * activity blocks. */
void gen_activity_tables(Gen *g);
/* activity_fill, activity_state, activity_stage, activity_publish and
 * activity_read. */
void gen_activity(Gen *g);
/* The writes that replace the activity report and cohort rows of
 * [{{from_date}}, {{to_date}}] with the stage tables (0 to 2 into ws; 0
 * without activity blocks): activity_publish, and report_publish, which
 * switches them in the experiment reports' transaction. */
int gen_activity_swap(Gen *g, WriteSpec *ws);

/* ---- sqlgen_hourly.c ---- */
/* The hourly tables (T_HOURLY*), after gen_tables; nothing without `hourly`. */
void gen_hourly_tables(Gen *g);
/* hourly_reset, _units, _fill, _cumulative, _srm, _read, _state_read, _state_write. */
void gen_hourly(Gen *g);

/* ---- sqlgen_run.c ---- */
/* The run_state table (T_STATE), after gen_tables. */
void gen_state_table(Gen *g);
/* The runner's bookkeeping steps: run state and wide-table migrations. */
void gen_runstate(Gen *g);
/* The source_fingerprint table (T_FPRINT), after gen_state_table. */
void gen_fprint_table(Gen *g);
/* fingerprint_read, _scan and _write; after gen_guard (reads the source
 * columns preflight lists). */
void gen_fingerprint(Gen *g);
/* Source i is fingerprinted: the spec reads it and it has a date column. */
bool gen_fprint_source(const Gen *g, int source);
/* The index of the exposure source's statement in fingerprint_scan; -1
 * when it is not fingerprinted. */
int gen_fprint_exposure_stmt(const Gen *g);
/* The checksum of a source row (alias s): a 32-bit hash of the columns
 * the spec reads from it, joined (MariaDB CRC32, StarRocks murmur_hash3_32). */
void gen_row_hash(Gen *g, Buf *b, int source);

/* ---- sqlgen_guard.c ---- */
/* The lease table (T_LOCK), after gen_state_table. */
void gen_lock_table(Gen *g);
/* The table owners table (T_OWNER), after gen_state_table. */
void gen_owner_table(Gen *g);
/* owner_read, owner_claim: after every other step (their files come last). */
void gen_owner(Gen *g);
/* exposure_keys: after gen_owner. */
void gen_exposure_keys(Gen *g);
/* preflight and the lease steps. */
void gen_guard(Gen *g);

#endif
