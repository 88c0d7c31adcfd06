/* plan_json.c — plan.json: what a runner needs to execute a tag from the
 * files of generated/<tag>/<dialect>/ — the ordered steps with their files,
 * statements, placeholders and result columns, the tables, the segment
 * slots, and per metric its kind, window, options and analysis methods.
 * Output is deterministic: fixed key order, numbers in shortest form. */
#include "abc/analysis.h"
#include "abc/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void js_str(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                buf_printf(b, "\\u%04x", *p);
            else
                buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

static void js_num(Buf *b, double v)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        double back;
        if (sscanf(tmp, "%lf", &back) == 1 && back == v)
            break;
    }
    buf_puts(b, tmp);
}

static void kv_str(Buf *b, const char *indent, const char *k, const char *v, bool comma)
{
    buf_printf(b, "%s\"%s\": ", indent, k);
    if (v)
        js_str(b, v);
    else
        buf_puts(b, "null");
    buf_puts(b, comma ? ",\n" : "\n");
}

static const char *step_kind(SqlStepKind k)
{
    switch (k) {
    case SQLSTEP_DDL: return "ddl";
    case SQLSTEP_CONFIG: return "config";
    case SQLSTEP_CONFIG_CLEAR: return "config_clear";
    case SQLSTEP_RESET: return "reset";
    case SQLSTEP_ASSIGN_DAY: return "assign_day";
    case SQLSTEP_WIDE_DAY: return "wide_day";
    case SQLSTEP_ASSIGN_RANGE: return "assign_range";
    case SQLSTEP_WIDE_RANGE: return "wide_range";
    case SQLSTEP_STATS: return "stats";
    case SQLSTEP_REPORT_STAGE: return "report_stage";
    case SQLSTEP_REPORT_LOAD: return "report_load";
    case SQLSTEP_REPORT_PUBLISH: return "report_publish";
    case SQLSTEP_DAILY_PUBLISH: return "daily_publish";
    case SQLSTEP_STATE_READ: return "state_read";
    case SQLSTEP_MIGRATE_COLUMNS: return "migrate_columns";
    case SQLSTEP_MIGRATE_WIDE: return "migrate_wide";
    case SQLSTEP_MIGRATE_VERSION: return "migrate_version";
    case SQLSTEP_MIGRATE_RECORD: return "migrate_record";
    case SQLSTEP_STATE_WRITE: return "state_write";
    case SQLSTEP_PREFLIGHT: return "preflight";
    case SQLSTEP_LOCK_READ: return "lock_read";
    case SQLSTEP_LOCK_TAKE: return "lock_take";
    case SQLSTEP_LOCK_RELEASE: return "lock_release";
    case SQLSTEP_FPRINT_READ: return "fingerprint_read";
    case SQLSTEP_FPRINT_SCAN: return "fingerprint_scan";
    case SQLSTEP_FPRINT_WRITE: return "fingerprint_write";
    case SQLSTEP_ACTIVITY_FILL: return "activity_fill";
    case SQLSTEP_ACTIVITY_FILL_DAYS: return "activity_fill_days";
    case SQLSTEP_ACTIVITY_STATE: return "activity_state";
    case SQLSTEP_ACTIVITY_PUBLISH: return "activity_publish";
    case SQLSTEP_ACTIVITY_READ: return "activity_read";
    case SQLSTEP_ACTIVITY_STAGE: return "activity_stage";
    case SQLSTEP_ACTIVITY_PERIODS: return "activity_periods";
    case SQLSTEP_ACTIVITY_PERIODS_CHECK: return "activity_periods_check";
    case SQLSTEP_ACTIVITY_PERIODS_ADD: return "activity_periods_add";
    case SQLSTEP_ACTIVITY_STATE_ADD: return "activity_state_add";
    case SQLSTEP_ACTIVITY_STAGE_NEXT: return "activity_stage_next";
    case SQLSTEP_ACTIVITY_DUE_USERS: return "activity_due_users";
    case SQLSTEP_OWNER_READ: return "owner_read";
    case SQLSTEP_OWNER_CLAIM: return "owner_claim";
    case SQLSTEP_EXPOSURE_KEYS: return "exposure_keys";
    case SQLSTEP_HOURLY_RESET: return "hourly_reset";
    case SQLSTEP_HOURLY_UNITS: return "hourly_units";
    case SQLSTEP_HOURLY_FILL: return "hourly_fill";
    case SQLSTEP_HOURLY_CUMULATIVE: return "hourly_cumulative";
    case SQLSTEP_HOURLY_SRM: return "hourly_srm";
    case SQLSTEP_HOURLY_READ: return "hourly_read";
    case SQLSTEP_HOURLY_STATE_READ: return "hourly_state_read";
    case SQLSTEP_HOURLY_STATE_WRITE: return "hourly_state_write";
    case SQLSTEP_PRE_RESET: return "pre_reset";
    case SQLSTEP_PRE_DAYS: return "pre_days";
    case SQLSTEP_PRE_FILL: return "pre_fill";
    case SQLSTEP_PRE_FILL_COVARIATES: return "pre_fill_covariates";
    case SQLSTEP_PRE_PRUNE: return "pre_prune";
    case SQLSTEP_UNIT_STATE_RESET: return "unit_state_reset";
    case SQLSTEP_UNIT_STATE_CLEAR: return "unit_state_clear";
    case SQLSTEP_UNIT_STATE_LAST: return "unit_state_last";
    case SQLSTEP_UNIT_STATE_DATES: return "unit_state_dates";
    case SQLSTEP_UNIT_STATE: return "unit_state";
    case SQLSTEP_UNIT_STATE_END: return "unit_state_end";
    case SQLSTEP_UNIT_STATE_VERSIONS: return "unit_state_versions";
    case SQLSTEP_UNIT_STATE_PRUNE: return "unit_state_prune";
    }
    return "?";
}

/* one_date: SqlProgram.stats_one_date */
static const char *step_when(SqlStepKind k, const Dialect *d, bool one_date)
{
    if (d->fill_by_day) /* every date due filled on its own (fill_by_day) */
        switch (k) {
        case SQLSTEP_ASSIGN_DAY: return "per date due, oldest first";
        case SQLSTEP_WIDE_DAY: return "per date due, after assign_day";
        case SQLSTEP_ASSIGN_RANGE:
        case SQLSTEP_WIDE_RANGE: return "not run by abc run on this dialect (assign_day, wide_day)";
        default: break;
        }
    if (k == SQLSTEP_STATS && one_date)
        return "after unit_state (or unit_state_versions); once per analysis date due "
               "({{to_date}}), in one session";
    if (k == SQLSTEP_UNIT_STATE && one_date)
        return "before the statistics, when one analysis date follows the last one with state "
               "(a daily run): that date";
    if (k == SQLSTEP_UNIT_STATE_PRUNE && one_date)
        return "after the statistics queries of each analysis date: the dates no later run reads";
    switch (k) {
    case SQLSTEP_DDL: return "every run, after state_read; then the migration of the wide table";
    case SQLSTEP_CONFIG: return "every run, after ddl";
    case SQLSTEP_CONFIG_CLEAR: return "instead of config, when GrowthBook lists no experiment for the tag";
    case SQLSTEP_RESET: return "full rebuild only, before the backfill";
    case SQLSTEP_ASSIGN_DAY: return "when one date is due";
    case SQLSTEP_WIDE_DAY: return "when one date is due, after assign_day";
    case SQLSTEP_ASSIGN_RANGE: return "when several dates are due: per chunk of up to 7 dates, oldest first";
    case SQLSTEP_WIDE_RANGE: return "when several dates are due: per chunk, after assign_range";
    case SQLSTEP_STATS:
        return "after unit_state; once per chunk of up to 7 analysis dates due, in one session";
    case SQLSTEP_REPORT_STAGE: return "after the statistics are computed";
    case SQLSTEP_REPORT_LOAD: return "after report_stage; once per batch of result rows";
    case SQLSTEP_REPORT_PUBLISH: return "after report_load; with the latest analysis date";
    case SQLSTEP_DAILY_PUBLISH: return "after report_load; once per analysis date";
    case SQLSTEP_STATE_READ: return "every run, before ddl (nothing yet: a first run)";
    case SQLSTEP_MIGRATE_COLUMNS: return "every run, after ddl";
    case SQLSTEP_MIGRATE_WIDE: return "after migrate_columns, when the wide table lacks columns of the spec";
    case SQLSTEP_MIGRATE_VERSION: return "after migrate_wide";
    case SQLSTEP_MIGRATE_RECORD: return "after migrate_version";
    case SQLSTEP_STATE_WRITE: return "every run that published, last";
    case SQLSTEP_PREFLIGHT: return "every run and plan, after state_read, before ddl";
    case SQLSTEP_LOCK_READ: return "before and after lock_take";
    case SQLSTEP_LOCK_TAKE: return "every run, first: the tag's lease";
    case SQLSTEP_LOCK_RELEASE: return "every run that took the lease, last (also after a failure)";
    case SQLSTEP_FPRINT_READ: return "after state_read, on an incremental run: the late-data horizon";
    case SQLSTEP_FPRINT_SCAN: return "after state_read, before ddl: the horizon and the dates due";
    case SQLSTEP_FPRINT_WRITE: return "after the assignment and wide tables are filled";
    case SQLSTEP_ACTIVITY_FILL: return "after the wide table is filled: the dates due (a full run: every source date)";
    case SQLSTEP_ACTIVITY_FILL_DAYS:
        return "instead of activity_fill when pre_fill filled every date due in this run (not a "
               "full run, no late data before them)";
    case SQLSTEP_ACTIVITY_STATE:
        return "after activity_periods_check when it finds rows (a refill of filled days), or "
               "after activity_fill on a full run";
    case SQLSTEP_ACTIVITY_PERIODS:
        return "after activity_state, when activity_periods_check finds rows (a refill of filled "
               "days) or on a full run: the weeks and months from the one the first date due "
               "falls in";
    case SQLSTEP_ACTIVITY_PERIODS_CHECK: return "after activity_fill, on a run that is not full";
    case SQLSTEP_ACTIVITY_STATE_ADD:
        return "instead of activity_state when activity_periods_check finds no rows: the days "
               "filled are new";
    case SQLSTEP_ACTIVITY_PERIODS_ADD:
        return "after activity_state_add: the days filled are new";
    case SQLSTEP_ACTIVITY_STAGE:
        return "before report_publish: the periods of the dates due and the later ones they change";
    case SQLSTEP_ACTIVITY_STAGE_NEXT:
        return "instead of activity_stage when the one date due follows the last published date "
               "and activity_periods_add merged its days";
    case SQLSTEP_ACTIVITY_DUE_USERS:
        return "after activity_periods_check when it finds no rows and one date was filled: "
               "before activity_state_add merges it";
    case SQLSTEP_ACTIVITY_PUBLISH:
        return "a run that publishes no latest report (report_publish swaps the stage otherwise)";
    case SQLSTEP_ACTIVITY_READ: return "after the stage is published: the latest periods, for the memo";
    case SQLSTEP_OWNER_READ: return "after lock_take (another tag's table: stop) and after owner_claim";
    case SQLSTEP_OWNER_CLAIM: return "after ddl, for the tables no tag owns yet";
    case SQLSTEP_EXPOSURE_KEYS: return "every run, before ddl: the dates due";
    case SQLSTEP_HOURLY_RESET: return "full rebuild only, before hourly_units";
    case SQLSTEP_HOURLY_UNITS: return "after the wide table is filled (daily) or alone (--intraday): the hours due";
    case SQLSTEP_HOURLY_FILL: return "after hourly_units: the hours due";
    case SQLSTEP_HOURLY_CUMULATIVE: return "after hourly_fill: the hours due, for the SRM kernel";
    case SQLSTEP_HOURLY_SRM: return "after hourly_cumulative: the kernel's p-values";
    case SQLSTEP_HOURLY_READ: return "after hourly_srm: the last 48 hours, for the HTML report";
    case SQLSTEP_HOURLY_STATE_READ: return "every run of a spec with hourly, before the hourly steps";
    case SQLSTEP_HOURLY_STATE_WRITE: return "after hourly_srm: the new high-water mark";
    case SQLSTEP_PRE_RESET: return "a rebuild (first run, --full, a changed spec or abc), before the fills";
    case SQLSTEP_PRE_DAYS: return "before the fills: the CUPED pre-period days before the first date due";
    case SQLSTEP_PRE_FILL:
        return "before each assign_day/wide_day day (and, with CUPED, each assign_range/wide_range "
               "chunk): its days";
    case SQLSTEP_PRE_FILL_COVARIATES: return "after pre_days: the pre-period days it lacks";
    case SQLSTEP_PRE_PRUNE: return "after the fills: the days no later run reads";
    case SQLSTEP_UNIT_STATE_RESET:
        return "a rebuild (first run, --full, a changed spec or abc), before the fills";
    case SQLSTEP_UNIT_STATE_CLEAR: return "before the fills: back to before the first date due";
    case SQLSTEP_UNIT_STATE_LAST: return "after the fills, before unit_state_dates";
    case SQLSTEP_UNIT_STATE_DATES:
        return "after unit_state_last: the analysis dates after its date, up to the last date due";
    case SQLSTEP_UNIT_STATE:
        return "before the statistics: per analysis date after the last one with state, oldest "
               "first, in chunks of up to 7 dates";
    case SQLSTEP_UNIT_STATE_END:
        return "before the statistics, when several analysis dates follow the last one with "
               "state (a full run, a backfill, late data) and some state is left: once";
    case SQLSTEP_UNIT_STATE_VERSIONS:
        return "after unit_state_end (a full run: without it): per analysis date after the last "
               "one with state, oldest first";
    case SQLSTEP_UNIT_STATE_PRUNE:
        return "after the statistics queries of each chunk of up to 7 analysis dates: the dates no "
               "later run reads";
    }
    return "";
}

static const char *shape_name(SqlStatsShape s)
{
    switch (s) {
    case STATS_NONE: return NULL;
    case STATS_MOMENTS: return "moments";
    case STATS_DISTRIBUTION: return "distribution";
    case STATS_SURVIVAL: return "survival";
    case STATS_UNITS: return "units";
    }
    return NULL;
}

void plan_metric_methods(const IrSpec *ir, const IrMetric *m, Buf *b)
{
    /* the analysis policy's list: the same the report's `methods` column holds */
    analysis_methods(&ir->analysis, m, true, b);
}

static void word_json(Buf *b, const AstWord *w)
{
    if (w->kind == W_STRING)
        js_str(b, w->text);
    else if (w->kind == W_NUMBER)
        buf_puts(b, w->text); /* as written: JSON numbers have no precision limit */
    else
        buf_puts(b, w->text && strcmp(w->text, "true") == 0 ? "true" : "false");
}

/* A JSON path's keys as a JSON array: ["k", ..]. */
static void keys_json(Buf *b, const AstPathKey *keys)
{
    buf_putc(b, '[');
    for (const AstPathKey *k = keys; k; k = k->next) {
        js_str(b, k->text);
        if (k->next)
            buf_puts(b, ", ");
    }
    buf_putc(b, ']');
}

/* A JSON path column's keys and type: , "path": ["k", ..], "as": "number". */
static void path_json(Buf *b, const AstWord *col)
{
    static const char *const types[] = {"string", "string", "number", "boolean"};
    if (!col || col->kind != W_PATH)
        return;
    buf_puts(b, ", \"path\": ");
    keys_json(b, col->keys);
    buf_printf(b, ", \"as\": \"%s\"", types[col->as]);
}

/* A filter as a JSON tree: {"and": [..]}, {"or": [..]}, {"not": ..},
 * {"column", "op", "value"}, {"column", "in": [..], "negated"},
 * {"column", "is_null"}; a leaf over a JSON path also has "path" (the keys)
 * and "as" (string, number or boolean). */
static void cond_json(Buf *b, const IrCond *c)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    if (!c) {
        buf_puts(b, "null");
        return;
    }
    const char *col = c->column ? (c->column->kind == W_QNAME ? c->column->text2 : c->column->text) : "";
    switch (c->kind) {
    case C_CMP:
        buf_puts(b, "{\"column\": ");
        js_str(b, col);
        path_json(b, c->column);
        buf_printf(b, ", \"op\": \"%s\", \"value\": ", ops[c->op]);
        word_json(b, c->lits);
        buf_putc(b, '}');
        break;
    case C_IN:
        buf_puts(b, "{\"column\": ");
        js_str(b, col);
        path_json(b, c->column);
        buf_puts(b, ", \"in\": [");
        for (const AstWord *w = c->lits; w; w = w->next) {
            word_json(b, w);
            if (w->next)
                buf_puts(b, ", ");
        }
        buf_printf(b, "], \"negated\": %s}", c->negated ? "true" : "false");
        break;
    case C_IS_NULL:
        buf_puts(b, "{\"column\": ");
        js_str(b, col);
        path_json(b, c->column);
        buf_printf(b, ", \"is_null\": %s}", c->negated ? "false" : "true");
        break;
    case C_AND:
    case C_OR:
        buf_printf(b, "{\"%s\": [", c->kind == C_AND ? "and" : "or");
        cond_json(b, c->lhs);
        buf_puts(b, ", ");
        cond_json(b, c->rhs);
        buf_puts(b, "]}");
        break;
    case C_NOT:
        buf_puts(b, "{\"not\": ");
        cond_json(b, c->lhs ? c->lhs : c->rhs);
        buf_putc(b, '}');
        break;
    }
}

static void set_json(Buf *b, const IrSpec *ir, const IrEventSet *set)
{
    buf_puts(b, "{\"source\": ");
    js_str(b, set->source >= 0 && set->source < ir->nsources ? ir->sources[set->source].name : "");
    buf_puts(b, ", \"where\": ");
    cond_json(b, set->filter);
    buf_putc(b, '}');
}

static void window_json(Buf *b, const IrWindow *w)
{
    if (w->kind == WIN_PHASE)
        buf_puts(b, "{\"kind\": \"phase\"}");
    else
        buf_printf(b, "{\"kind\": \"days\", \"from_day\": %d, \"to_day\": %d}", w->from_day, w->to_day);
}

static void metrics_json(Buf *b, const IrSpec *ir)
{
    buf_puts(b, "  \"metrics\": [\n");
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        buf_puts(b, "    {");
        buf_puts(b, "\"name\": ");
        js_str(b, m->name);
        buf_printf(b, ", \"line\": %d, \"kind\": \"%s\", \"role\": \"%s\", \"direction\": \"%s\",\n",
                   m->line, sqlgen_kind_name(m->kind), IR_ROLE_NAMES[m->role],
                   m->direction == DIR_LOWER ? "lower" : "higher");
        buf_puts(b, "     \"window\": ");
        window_json(b, &m->window);
        if (m->kind == MK_RETENTION)
            buf_puts(b, ", \"mature_only\": true");
        if (m->cap.kind != CAP_NONE) {
            buf_printf(b, ", \"cap\": {\"kind\": \"%s\", \"value\": ",
                       m->cap.kind == CAP_ABSOLUTE ? "absolute" : "percentile");
            js_num(b, m->cap.value);
            buf_puts(b, "}");
        }
        if (m->cuped.kind != CUPED_NONE) {
            buf_puts(b, ", \"cuped\": {\"covariate\": ");
            js_str(b, m->cuped.kind == CUPED_SELF ? m->name : ir->metrics[m->cuped.metric].name);
            buf_printf(b, ", \"pre_days\": %d}", m->cuped.pre_days);
        }
        if (m->kind == MK_RATIO) {
            buf_puts(b, ", \"numerator\": ");
            js_str(b, ir->metrics[m->num].name);
            buf_puts(b, ", \"denominator\": ");
            js_str(b, ir->metrics[m->den].name);
        }
        if (m->kind == MK_QUANTILE) {
            buf_puts(b, ", \"quantile\": ");
            js_num(b, m->quantile);
        }
        if (m->kind == MK_FUNNEL) {
            buf_puts(b, ",\n     \"steps\": [");
            for (int k = 0; k < m->nsteps; k++) {
                buf_puts(b, k ? ", " : "");
                set_json(b, ir, &m->steps[k]);
            }
            buf_putc(b, ']');
        } else if (m->kind != MK_RATIO) {
            buf_puts(b, ",\n     \"events\": ");
            set_json(b, ir, &m->set);
        }
        if (m->value_col) {
            buf_puts(b, ", \"value_column\": ");
            js_str(b, m->value_col);
            if (m->value_path && m->value_path->kind == W_PATH) {
                buf_puts(b, ", \"value_path\": ");
                keys_json(b, m->value_path->keys);
            }
        }
        const char *stats = m->kind == MK_RATIO || m->kind == MK_MEAN ? "ratio"
                            : m->kind == MK_PROPORTION || m->kind == MK_RETENTION ||
                                    m->kind == MK_FUNNEL || m->kind == MK_TIME_TO_EVENT
                                ? "proportion"
                                : "mean";
        buf_printf(b, ",\n     \"stats_kind\": \"%s\", \"methods\": ", stats);
        plan_metric_methods(ir, m, b);
        AnalysisPolicy pol = analysis_policy(&ir->analysis, m);
        buf_printf(b, ", \"test\": \"%s\", \"decision_basis\": \"%s\"", pol.test,
                   pol.basis == AN_BASIS_BAYESIAN ? "bayesian" : "frequentist");
        buf_puts(b, i + 1 < ir->nmetrics ? "},\n" : "}\n");
    }
    buf_puts(b, "  ],\n");
}

static void analysis_json(Buf *b, const IrAnalysis *a)
{
    buf_puts(b, "  \"analysis\": {\"alpha\": ");
    js_num(b, a->alpha);
    buf_printf(b, ", \"one_sided\": %s, \"effect\": \"%s\", \"sequential\": \"%s\", \"seq_param\": ",
               a->one_sided ? "true" : "false", a->effect == EFFECT_ABSOLUTE ? "absolute" : "relative",
               IR_SEQUENTIAL_NAMES[a->sequential]);
    js_num(b, a->seq_param);
    buf_printf(b, ", \"looks\": %d, \"correction\": \"%s\", \"srm_threshold\": ", a->looks,
               IR_CORRECTION_NAMES[a->correction]);
    js_num(b, a->srm_threshold);
    if (a->has_prior) {
        buf_puts(b, ", \"prior\": {\"mean\": ");
        js_num(b, a->prior_mean);
        buf_puts(b, ", \"stddev\": ");
        js_num(b, a->prior_stddev);
        buf_puts(b, "}");
    }
    buf_puts(b, "},\n");
}

void plan_json(const SqlProgram *p, Buf *b)
{
    const IrSpec *ir = p->ir;
    buf_puts(b, "{\n");
    kv_str(b, "  ", "generated_by", "abc " ABC_VERSION, true);
    kv_str(b, "  ", "spec", ir->path, true);
    kv_str(b, "  ", "spec_hash", ir->content_hash, true);
    kv_str(b, "  ", "tag", ir->tag, true);
    kv_str(b, "  ", "module", ir->module, true);
    kv_str(b, "  ", "dialect", p->dialect->name, true);
    buf_printf(b, "  \"schema_version\": %d,\n", p->schema_version);

    buf_puts(b, "  \"tables\": {\n");
    /* each table under its own name (TableDef.plan_name, set with it) */
    int last = -1; /* the last table the program has (optional ones have no columns) */
    for (int i = 0; i < p->ntables; i++)
        if (p->tables[i].cols && p->tables[i].plan_name)
            last = i;
    for (int i = 0; i <= last; i++) {
        if (!p->tables[i].cols || !p->tables[i].plan_name)
            continue;
        char q[600];
        snprintf(q, sizeof q, "%s.%s", p->tables[i].db, p->tables[i].name);
        kv_str(b, "    ", p->tables[i].plan_name, q, i < last);
    }
    buf_puts(b, "  },\n");

    buf_puts(b, "  \"placeholders\": {\n"
                "    \"{{event_date}}\": \"the day a daily step processes (activity_stage: the first date "
                "due), DATE literal\",\n"
                "    \"{{from_date}}\": \"first day of a range (backfill, analysis dates), DATE literal\",\n"
                "    \"{{to_date}}\": \"last day of a range, inclusive, DATE literal\",\n"
                "    \"{{analysis_date}}\": \"the analysis date whose results are published, DATE literal\",\n"
                "    \"{{run_id}}\": \"[A-Za-z0-9_]{1,40}, fresh per execution of a step; makes StarRocks load labels unique\",\n"
                "    \"{{values}}\": \"rows (v, ...), (v, ...) in the step's load_columns order\"");
    if (ir->analysis.hourly)
        buf_puts(b, ",\n    \"{{from_time}}\": \"first hour of the hourly steps' window, DATETIME "
                    "literal\",\n    \"{{to_time}}\": \"end of the hourly window, exclusive, DATETIME "
                    "literal\"");
    buf_puts(b, "\n  },\n");

    buf_puts(b, "  \"experiments\": {\"from_growthbook\": ");
    buf_puts(b, ir->experiments.from_growthbook ? "true" : "false");
    buf_puts(b, ", \"growthbook_tag\": ");
    js_str(b, ir->experiments.gb_tag ? ir->experiments.gb_tag : ir->tag);
    buf_puts(b, ", \"project\": ");
    if (ir->experiments.gb_project)
        js_str(b, ir->experiments.gb_project);
    else
        buf_puts(b, "null");
    buf_puts(b, ", \"status\": ");
    if (ir->experiments.gb_status)
        js_str(b, ir->experiments.gb_status);
    else
        buf_puts(b, "null");
    buf_puts(b, ", \"tracking_keys\": [");
    for (int i = 0; i < ir->experiments.nkeys; i++) {
        buf_puts(b, i ? ", " : "");
        js_str(b, ir->experiments.keys[i]);
    }
    buf_puts(b, "],\n    \"hash_assignments\": [");
    for (int i = 0; i < ir->nassignments; i++) {
        const IrHashAssignment *h = &ir->assignments[i];
        buf_puts(b, i ? ",\n      {" : "\n      {");
        buf_puts(b, "\"tracking_key\": ");
        js_str(b, h->tracking_key);
        buf_puts(b, ", \"salt\": ");
        js_str(b, h->salt);
        buf_puts(b, ", \"bucket\": \"crc32(salt || user_id) % 10000\", \"variations\": [");
        double cum = 0;
        long lo = 0;
        for (int v = 0; v < h->nvariations; v++) {
            cum += h->weights[v];
            long hi = v + 1 == h->nvariations ? 10000 : (long)(cum * 10000.0 + 0.5);
            buf_puts(b, v ? ", {\"key\": " : "{\"key\": ");
            js_str(b, h->variations[v]);
            buf_puts(b, ", \"weight\": ");
            js_num(b, h->weights[v]);
            buf_printf(b, ", \"buckets\": [%ld, %ld]}", lo, hi);
            lo = hi;
        }
        buf_puts(b, "]}");
    }
    buf_puts(b, ir->nassignments ? "\n    ]},\n" : "]},\n");
    buf_puts(b, "  \"sources\": [");
    for (int i = 0; i < ir->nsources; i++) {
        const IrSource *so = &ir->sources[i];
        buf_puts(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        js_str(b, so->name);
        buf_puts(b, ", \"database\": ");
        if (so->database)
            js_str(b, so->database);
        else
            buf_puts(b, "null");
        buf_puts(b, ", \"table\": ");
        js_str(b, so->table);
        buf_puts(b, ", \"user\": ");
        js_str(b, so->user_col);
        if (!so->is_user_table) {
            buf_puts(b, ", \"time\": ");
            js_str(b, so->time_col);
            buf_puts(b, ", \"date\": ");
            js_str(b, so->date_col);
        }
        buf_puts(b, ", \"where\": ");
        cond_json(b, so->filter);
        buf_putc(b, '}');
    }
    buf_puts(b, "\n  ],\n");
    buf_printf(b, "  \"exposure\": {\"line\": %d, \"multiple_variations\": \"%s\", \"experiment_column\": ",
               ir->exposure.line, ir->exposure.multiple == MULTI_EXCLUDE ? "exclude" : "first");
    js_str(b, ir->exposure.experiment_col);
    buf_puts(b, ", \"variation_column\": ");
    js_str(b, ir->exposure.variation_col);
    buf_puts(b, ",\n    \"events\": ");
    IrEventSet es = {ir->exposure.source, ir->exposure.filter};
    set_json(b, ir, &es);
    if (ir->exposure.has_activation) {
        buf_puts(b, ",\n    \"activation\": ");
        set_json(b, ir, &ir->exposure.activation);
    }
    buf_puts(b, "},\n");

    buf_puts(b, "  \"segments\": [");
    for (int i = 0; i < ir->nsegments; i++) {
        buf_puts(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        js_str(b, ir->segments[i].name);
        buf_puts(b, ", \"assignment_column\": ");
        js_str(b, ir->segments[i].name);
        buf_printf(b, ", \"from\": \"%s\", \"source\": ",
                   ir->segments[i].from == SEG_EXPOSURE ? "exposure" : "user_table");
        js_str(b, ir->segments[i].from == SEG_EXPOSURE ? ir->sources[ir->exposure.source].name
                                                        : ir->sources[ir->segments[i].source].name);
        buf_puts(b, ", \"column\": ");
        js_str(b, ir->segments[i].column);
        buf_printf(b, ", \"line\": %d}", ir->segments[i].line);
    }
    buf_puts(b, ir->nsegments ? "\n  ],\n" : "],\n");

    metrics_json(b, ir);
    analysis_json(b, &ir->analysis);

    buf_puts(b, "  \"steps\": [\n");
    static const char *const pnames[] = {"event_date", "from_date", "to_date", "analysis_date",
                                         "run_id", "values"};
    for (int i = 0; i < p->nsteps; i++) {
        const SqlStep *s = &p->steps[i];
        buf_puts(b, "    {\n");
        kv_str(b, "      ", "name", s->name, true);
        kv_str(b, "      ", "kind", step_kind(s->kind), true);
        kv_str(b, "      ", "file", s->file, true);
        kv_str(b, "      ", "when", step_when(s->kind, p->dialect, p->stats_one_date), true);
        kv_str(b, "      ", "summary", s->summary, true);
        buf_printf(b, "      \"statements\": %d,\n      \"params\": [", s->nstmts);
        bool first = true;
        for (int k = 0; k < 6; k++)
            if (s->params & (1u << k)) {
                buf_printf(b, "%s\"%s\"", first ? "" : ", ", pnames[k]);
                first = false;
            }
        buf_puts(b, "]");
        if (s->metric >= 0) {
            buf_puts(b, ",\n      \"metric\": ");
            js_str(b, ir->metrics[s->metric].name);
        }
        if (s->shape != STATS_NONE)
            buf_printf(b, ",\n      \"shape\": \"%s\"", shape_name(s->shape));
        if (s->load_table) {
            buf_puts(b, ",\n      \"load_table\": ");
            js_str(b, s->load_table);
            buf_puts(b, ",\n      \"load_columns\": [");
            for (int c = 0; c < s->nload_columns; c++) {
                buf_puts(b, c ? ", " : "");
                js_str(b, s->load_columns[c]);
            }
            buf_puts(b, "]");
        }
        if (s->ncolumns) {
            buf_puts(b, ",\n      \"columns\": [\n");
            for (int c = 0; c < s->ncolumns; c++) {
                const SqlColumn *col = &s->columns[c];
                buf_puts(b, "        {\"name\": ");
                js_str(b, col->name);
                if (col->metric >= 0) {
                    buf_puts(b, ", \"metric\": ");
                    js_str(b, ir->metrics[col->metric].name);
                }
                buf_puts(b, ", \"stat\": ");
                js_str(b, col->stat);
                buf_puts(b, c + 1 < s->ncolumns ? "},\n" : "}\n");
            }
            buf_puts(b, "      ]");
        }
        buf_puts(b, i + 1 < p->nsteps ? "\n    },\n" : "\n    }\n");
    }
    buf_puts(b, "  ]\n}\n");
}
