/* report_int.h — shared by the renderers of src/report/: the model of a
 * tag's results worked out once from report rows (report_model.c) and the
 * number formats and escapes (report_fmt.c). */
#ifndef ABC_REPORT_INT_H
#define ABC_REPORT_INT_H

#include <stdbool.h>

#include "abc/analysis.h"
#include "abc/report.h"

typedef struct RmVar {
    const char *key, *name;       /* name falls back to the key */
    double weight;                /* NaN when unknown */
    double users;                 /* units in the arm (all users), NaN when no rows */
    double expected;              /* under the weights, NaN when unknown */
    const char *verdict;          /* analysis_verdict_of per variation; NULL for the control */
} RmVar;

typedef struct RmBreach {
    int metric, variation;
} RmBreach;

typedef struct RmExp {
    const char *id, *tracking_key, *name, *phase_name, *phase_start, *phase_end;
    RmVar *vars;
    int nvars;
    const ReportRow **cell;       /* [metric * nvars + variation]: all-users row or NULL */
    bool has_rows;                /* any all-users row */
    bool srm, dq;                 /* health failures */
    double srm_p;
    char dq_why[200];
    RmBreach *breaches;           /* guardrail losers */
    int nbreaches;
    AnalysisVerdict verdict;
    const char *methods, *sequential;
    /* sample the spec's power and mde need (power_metric < 0: not checked) */
    int power_metric;
    double need_per_arm, have_per_arm, days, days_more;
    char power_note[200];
    /* the hourly series (specs with `hourly`): the last nhours hours, oldest
     * first; new units per hour and variation, the cumulative SRM p-value */
    int nhours;
    const char **hours;           /* 'YYYY-MM-DD HH:00:00' */
    double *hour_exposures;       /* [hour * nvars + variation] */
    double *hour_srm_p;           /* [hour], NaN when none */
} RmExp;

typedef struct RmModel {
    const ReportInput *in;
    const char *date;             /* the analysis date of the rows, or NULL */
    const char *computed_at, *abc_version;
    RmExp *exps;
    int nexps;
    int srm_failures, guardrail_failures, dq_failures;
    Arena arena;
} RmModel;

void rm_build(RmModel *m, const ReportInput *in);
void rm_free(RmModel *m);
/* The variation's display name: its name, else its key. */
const char *rm_var_label(const RmVar *v);
/* Index of the experiment's variation with this key, or -1. */
int rm_var_index(const RmExp *x, const char *key);
bool rm_is_all_users(const ReportRow *r);
bool rm_flag(const char *flags, const char *flag);
bool rm_relative(const ReportRow *r);
/* The effect on the row's effect_type scale. */
double rm_effect(const ReportRow *r);

/* The spec's analysis methods, comma-separated (ttest,bayes,...). */
void rm_spec_methods(const IrAnalysis *an, Buf *out);

/* ---- growth analytics (report_activity.c) ----------------------------------------
 * Per activity of the spec with rows: the all-users series by grain
 * (periods ascending, a value per measure, NaN where missing) and the
 * retention triangles (cohorts ascending × k = 0 .. nk-1). */
enum { RM_DAU, RM_WAU_ROLLING, RM_MAU_ROLLING, RM_STICKINESS, RM_ACTIVE /* wau | mau */, RM_NEW,
       RM_RETAINED, RM_RESURRECTED, RM_CHURNED, RM_QUICK_RATIO, RM_NMEASURES };
extern const char *const RM_MEASURE_NAMES[RM_NMEASURES];

typedef struct RmPeriods {
    int n;
    const char **period;          /* 'YYYY-MM-DD', ascending */
    double *m[RM_NMEASURES];      /* [measure][period] */
    bool has[RM_NMEASURES];       /* the measure has a row */
} RmPeriods;

typedef struct RmCohorts {
    int n, nk;
    const char **cohort;          /* ascending */
    double *size;                 /* [cohort] */
    double *ratio, *active;       /* [cohort * nk + k] */
} RmCohorts;

typedef struct RmActivity {
    const char *name;
    RmPeriods day, week, month;
    RmCohorts weekly, monthly;
} RmActivity;

typedef struct RmGrowth {
    RmActivity *acts;             /* those with rows, in spec order */
    int n;
    Arena arena;
} RmGrowth;

void rm_activity_build(RmGrowth *g, const IrSpec *ir, const ReportActivity *act);
void rm_activity_free(RmGrowth *g);
/* A double as JSON: the shortest text that reads back equal, null for NaN. */
void rf_json_double(Buf *b, double v);

/* ---- chart pieces of the HTML page (report_html.c) ------------------------------ */
/* Up to ~6 round ticks covering [lo, hi] into t (room for 16); returns the
 * count, *step the step. */
int rh_nice_ticks(double lo, double hi, double *t, double *step);
/* A tick's text: as many decimals as the step needs, then suffix. */
void rh_tick_label(Buf *b, double v, double step, const char *suffix);
/* v of [lo, hi] mapped linearly onto [x0, x1]. */
double rh_scale(double v, double lo, double hi, double x0, double x1);
/* The growth section of the page (report_html_growth.c): per activity with
 * rows, DAU / rolling WAU / rolling MAU lines, growth-accounting bars per
 * week and month, retention-triangle heatmaps; nothing without rows.
 * *chart_id numbers the charts' ids. */
void rh_growth(Buf *out, const RmGrowth *g, int *chart_id);

/* ---- formats (report_fmt.c) ------------------------------------------------ */
void rf_p(Buf *b, double p);                  /* 0.0123, <0.001, – */
void rf_num(Buf *b, double v);                /* 4 significant digits, no exponent below 1e9 */
void rf_count(Buf *b, double v);              /* 12,345 */
void rf_effect(Buf *b, double v, bool rel);
/* "[lo, hi]" of the row's interval on its effect scale (open ends blank), or "–". */
void rf_interval(Buf *out, const ReportRow *r);   /* +1.23% or +0.0123 */
void rf_pct(Buf *b, double v);                /* 0.953 → 95.3% */
void rf_md(Buf *b, const char *s);            /* Markdown table cell / line text */
void rf_html(Buf *b, const char *s);          /* HTML text and attribute values */
const char *rf_or(const char *s, const char *dflt);

#endif
