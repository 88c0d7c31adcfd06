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
