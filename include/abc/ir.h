/* ir.h — the dialect-free intermediate representation of one tag spec.
 *
 * Produced by sema_check() from an AstSpec; consumed by the SQL backend
 * (sqlgen.h), the plan writer and the runner.  Everything is resolved and
 * validated: names point at indices, windows are day ranges relative to each
 * user's first exposure, options are enums.  The IR knows nothing of SQL
 * dialects.  All memory lives in the Arena of the compilation.
 *
 * Day arithmetic: day 0 is the calendar day of a user's first exposure
 * (exposure_date); day k is exposure_date + k.  Events count only at or
 * after the exposure timestamp (so day 0 counts from the exposure time on).
 * `within 7d` = days 0..6; `days 1..7` = days 1..7; `day 1` = days 1..1;
 * the CUPED pre-period `cuped 14d` = days -14..-1 (before exposure).
 */
#ifndef ABC_IR_H
#define ABC_IR_H

#include <stdbool.h>

#include "abc/ast.h"
#include "abc/base.h"

/* A filter over one source's rows.  Same shape as the AST condition; the
 * columns are plain column names of that source (validated identifiers),
 * W_IDENT, or paths into one of its JSON columns: W_PATH with text = the
 * JSON column, keys = the path and `as` = the type it is read as. */
typedef AstCond IrCond;

typedef struct IrSource {
    const char *name;     /* spec name: events */
    const char *database; /* ods   (NULL when the table is unqualified) */
    const char *table;    /* app_events */
    const char *user_col, *time_col, *date_col; /* date_col may be NULL (user tables) */
    const IrCond *filter; /* standing filter, may be NULL */
    const char **json_cols; /* columns holding JSON objects (`json COL, ...;`) */
    int njson;
    bool is_user_table;   /* no time/date: a per-user dimension table */
    SrcLoc loc;
} IrSource;

/* A set of events: rows of one source matching a filter. */
typedef struct IrEventSet {
    int source;           /* index into IrSpec.sources; -1: none (a ratio's set) */
    const IrCond *filter; /* may be NULL */
} IrEventSet;

typedef enum IrMetricKind {
    MK_PROPORTION,   /* any(set): did the user do it (0/1) */
    MK_COUNT,        /* count(set): number of events */
    MK_SUM,          /* sum(src.col [where]) */
    MK_MEAN,         /* mean(src.col [where]): per-event mean = ratio of sum to count, per user */
    MK_ACTIVE_DAYS,  /* active_days(set): distinct days with an event */
    MK_RATIO,        /* ratio(metric, metric): delta method */
    MK_RETENTION,    /* retained(set, day N | days A..B): active on any day of the range */
    MK_QUANTILE,     /* quantile(src.col, q): per-user value distribution quantile */
    MK_FUNNEL,       /* funnel(set, set, ...): ordered conversion through every step */
    MK_TIME_TO_EVENT /* time_to(set): days from exposure to first event, censored at window end */
} IrMetricKind;

typedef enum IrRole { ROLE_GOAL, ROLE_SECONDARY, ROLE_GUARDRAIL } IrRole;
typedef enum IrDirection { DIR_HIGHER, DIR_LOWER } IrDirection;

typedef enum IrWindowKind {
    WIN_DAYS, /* day range [from_day, to_day] relative to exposure */
    WIN_PHASE /* the whole phase: from exposure to the analysis date */
} IrWindowKind;

typedef struct IrWindow {
    IrWindowKind kind;
    int from_day, to_day; /* WIN_DAYS only; inclusive */
} IrWindow;

typedef enum IrCapKind { CAP_NONE, CAP_ABSOLUTE, CAP_PERCENTILE } IrCapKind;

typedef struct IrCap {
    IrCapKind kind;
    double value; /* absolute cap, or percentile in (0,1) of the pooled per-user values */
} IrCap;

typedef enum IrCupedKind { CUPED_NONE, CUPED_SELF, CUPED_OTHER } IrCupedKind;

typedef struct IrCuped {
    IrCupedKind kind;
    int metric;   /* CUPED_OTHER: index of the covariate metric; CUPED_SELF: own index */
    int pre_days; /* covariate window: days -pre_days..-1 */
} IrCuped;

typedef struct IrMetric {
    const char *name;
    IrMetricKind kind;
    IrRole role;
    IrDirection direction;
    IrEventSet set;         /* the events counted (all but ratio; funnel: steps[0]) */
    const char *value_col;  /* sum / mean / quantile: column of set.source */
    const AstWord *value_path; /* the value is a path into the JSON column value_col (W_PATH,
                                * as = JT_NUMBER); NULL: value_col itself */
    IrWindow window;
    IrCap cap;
    IrCuped cuped;
    int num, den;           /* MK_RATIO: metric indices */
    double quantile;        /* MK_QUANTILE: q in (0,1) */
    IrEventSet *steps;      /* MK_FUNNEL */
    int nsteps;
    SrcLoc loc;
    int line;               /* spec line, for provenance comments */
} IrMetric;

typedef enum IrSegmentFrom { SEG_EXPOSURE, SEG_USER_TABLE } IrSegmentFrom;

typedef struct IrSegment {
    const char *name;
    IrSegmentFrom from;
    int source;             /* SEG_USER_TABLE: index of the user source */
    const char *column;
    const AstWord *path;    /* a path into the JSON column `column` (W_PATH, read as a
                             * string); NULL: the column itself */
    SrcLoc loc;
    int line;
} IrSegment;

typedef enum IrMultiplePolicy { MULTI_EXCLUDE, MULTI_FIRST } IrMultiplePolicy;

typedef struct IrExposure {
    int source;
    const IrCond *filter;
    const char *experiment_col; /* matches GrowthBook trackingKey */
    const char *variation_col;  /* matches GrowthBook variation key */
    IrMultiplePolicy multiple;
    bool has_activation;
    IrEventSet activation;      /* users count from their first activation event after exposure */
    SrcLoc loc;
    int line;
} IrExposure;

typedef struct IrExperiments {
    bool from_growthbook;
    const char *gb_tag;      /* default: the spec's tag */
    const char *gb_project;  /* NULL = any */
    const char *gb_status;   /* NULL = any */
    const char **keys;       /* fixed tracking keys (optional narrowing) */
    int nkeys;
} IrExperiments;

/* Warehouse-native deterministic hash assignment (experiments assigned in
 * code).  bucket = crc32(salt || user_id) mod 10000, variation i gets the
 * buckets [10000*sum(w<i), 10000*sum(w<=i)). */
typedef struct IrHashAssignment {
    const char *tracking_key;
    const char *salt;
    const char **variations; /* keys; the first is the control */
    double *weights;
    int nvariations;
    const char *start;       /* phase start 'YYYY-MM-DD' when GrowthBook does not know the experiment */
    SrcLoc loc;
} IrHashAssignment;

enum IrMethod {
    METHOD_TTEST = 1 << 0,
    METHOD_ZTEST = 1 << 1,
    METHOD_BAYES = 1 << 2,
    METHOD_UPLIFT = 1 << 3,
    METHOD_MANNWHITNEY = 1 << 4,
    METHOD_BOOTSTRAP = 1 << 5,
    METHOD_DID = 1 << 6
};

typedef enum IrSequential { SEQ_NONE, SEQ_MSPRT, SEQ_CS, SEQ_GSD_OBF } IrSequential;
typedef enum IrCorrection { CORR_NONE, CORR_BONFERRONI, CORR_HOLM, CORR_BH } IrCorrection;
typedef enum IrEffect { EFFECT_RELATIVE, EFFECT_ABSOLUTE } IrEffect;

enum IrFailOn { FAIL_SRM = 1 << 0, FAIL_GUARDRAIL = 1 << 1, FAIL_DATA_QUALITY = 1 << 2 };

typedef struct IrAnalysis {
    unsigned methods;        /* IrMethod bits */
    double alpha;            /* default 0.05 */
    bool one_sided;          /* default two-sided; one-sided follows each metric's direction */
    IrEffect effect;         /* default relative */
    bool has_prior;
    double prior_mean, prior_stddev;
    IrSequential sequential;
    double seq_param;        /* msprt tau on the relative scale (default 0.1), cs tuning (default 5000) */
    int looks;               /* group-sequential planned looks */
    IrCorrection correction;
    double srm_threshold;    /* default 0.001 */
    unsigned fail_on;        /* IrFailOn bits */
    double power_target;     /* default 0.8 */
    double mde;              /* 0 = not set */
    int bootstrap_resamples; /* default 1000 */
    unsigned long bootstrap_seed;
    bool hourly;             /* `hourly;`: the per-hour series (docs/LANGUAGE.md §14) */
    SrcLoc hourly_loc;
} IrAnalysis;

enum IrActivityReport {
    ACT_DAU = 1 << 0,
    ACT_WAU = 1 << 1,
    ACT_MAU = 1 << 2,
    ACT_GROWTH = 1 << 3,          /* new / retained / resurrected / churned */
    ACT_COHORTS_WEEKLY = 1 << 4,  /* weekly retention triangle */
    ACT_COHORTS_MONTHLY = 1 << 5
};

typedef struct IrActivity {
    const char *name;
    IrEventSet active;       /* what makes a user active on a day */
    unsigned reports;        /* IrActivityReport bits */
    bool by_variation;       /* also per experiment variation */
    SrcLoc loc;
} IrActivity;

typedef struct IrSpec {
    const char *path;        /* spec file as given */
    char content_hash[17];   /* hash_hex64 of the spec bytes */
    const char *tag;
    const char *module;
    const char *abc_database;    /* experiment_data, experiment_assignment, run state (default abc) */
    const char *report_database; /* tbl_report_ab_testing_result (default flow_report_app) */
    const char *wide_table;      /* default tbl_wide_user_<module>_<tag> */
    const char *report_table;    /* default tbl_report_user_<module>_<tag> */
    const char *daily_table;     /* default tbl_report_daily_<module>_<tag> */
    int replication_num;         /* StarRocks tables; 0: the cluster's default (abc.yaml
                                  * warehouse.replication_num, set by the runner) */
    IrExperiments experiments;
    IrHashAssignment *assignments;
    int nassignments;
    IrSource *sources;
    int nsources;
    IrExposure exposure;
    IrSegment *segments;
    int nsegments;
    IrMetric *metrics;
    int nmetrics;
    IrAnalysis analysis;
    IrActivity *activities;
    int nactivities;
} IrSpec;

/* Deterministic text dump for tests and `abc check --dump-ir`.  Locations are
 * left out unless with_lines is set, so DSL and YAML twins dump equal. */
void ir_dump(const IrSpec *ir, Buf *out, bool with_lines);

/* One name table per IR enum, indexed by the enum (methods and fail_on by
 * bit index): the one spelling of specs, --dump-ir, plan.json, report rows
 * and memos. */
#define IR_NMETHODS 7
#define IR_NFAIL_ON 3
extern const char *const IR_METHOD_NAMES[IR_NMETHODS];   /* ttest ztest bayes ... did */
extern const char *const IR_SEQUENTIAL_NAMES[4];         /* none msprt cs obf */
extern const char *const IR_CORRECTION_NAMES[4];         /* none bonferroni holm bh */
extern const char *const IR_FAIL_ON_NAMES[IR_NFAIL_ON];  /* srm guardrail data_quality */
extern const char *const IR_ROLE_NAMES[3];               /* goal secondary guardrail */
const char *ir_metric_kind_name(IrMetricKind k);
const char *ir_role_name(IrRole r);
void ir_cond_to_text(const IrCond *c, Buf *out); /* canonical DSL text of a condition */
/* A column word in DSL text: col, src.col, or a path (keys quoted when
 * they were) with its `as TYPE` when it has one. */
void ir_put_column(Buf *out, const AstWord *w);
/* A DSL string literal: double quotes, with \" \\ \n \t \r escaped. */
void ir_put_dsl_string(Buf *out, const char *s);

#endif
