/* sqlgen.c — the SQL backend's driver: checks every name and literal of
 * the IR against the dialect (diagnostics at the spec position), resolves
 * table names, then builds the steps in run order (sqlgen_ddl.c,
 * sqlgen_dml.c, sqlgen_stats.c, sqlgen_report.c) and renders step files. */
#include "sqlgen_int.h"
#include "dialect_common.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- validation ----------------------------------------------------------- */

static void check_ident(Gen *g, const char *name, SrcLoc loc, const char *what)
{
    char why[160];
    if (!name) {
        gen_error(g, loc, "%s is missing", what);
        return;
    }
    if (g->d->check_ident(name, why, sizeof why) != ABC_OK)
        gen_error(g, loc, "%s '%s' cannot be used as a %s name: it %s", what,
                  gen_comment_text(g, name), g->d->name, why);
    else if (strstr(name, "{{"))
        gen_error(g, loc, "%s '%s' contains '{{', which is reserved for placeholders", what,
                  gen_comment_text(g, name));
}

static void check_string(Gen *g, const char *s, SrcLoc loc, const char *what)
{
    char why[160];
    if (s && g->d->check_string(s, why, sizeof why) != ABC_OK)
        gen_error(g, loc, "%s cannot be written as a %s string literal: it %s", what,
                  g->d->name, why);
    else if (s && strstr(s, "{{"))
        gen_error(g, loc, "%s contains '{{', which is reserved for placeholders", what);
}

static bool plain_name(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return strlen(s) <= 64;
}

static bool cuped_covariate_ok(IrMetricKind k)
{
    return k == MK_COUNT || k == MK_SUM || k == MK_MEAN || k == MK_PROPORTION ||
           k == MK_RETENTION || k == MK_ACTIVE_DAYS;
}

typedef struct NameSeen {
    const char *name;
    int metric; /* -1: a fixed column */
    int next;   /* next entry in the same hash bucket, -1 at the end */
} NameSeen;

/* Column names taken so far, hashed case-insensitively (column names are
 * case-insensitive in both dialects). */
#define NAME_BUCKETS 1024
typedef struct NameSet {
    NameSeen *v;
    int n;
    int heads[NAME_BUCKETS];
} NameSet;

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (unsigned)(c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
    }
    return h % NAME_BUCKETS;
}

static void name_add(NameSet *set, const char *name, int metric)
{
    unsigned h = name_hash(name);
    set->v[set->n] = (NameSeen){name, metric, set->heads[h]};
    set->heads[h] = set->n++;
}

static void check_unique(Gen *g, NameSet *set, const char *name, int metric)
{
    for (int i = set->heads[name_hash(name)]; i >= 0; i = set->v[i].next) {
        const NameSeen *seen = &set->v[i];
        if (strcasecmp(seen->name, name) == 0) {
            const IrMetric *m = &g->ir->metrics[metric];
            if (seen->metric >= 0 && seen->metric != metric)
                gen_error(g, m->loc,
                          "metric '%s' needs the column '%s', which metric '%s' already uses "
                          "(column names are case-insensitive)",
                          gen_comment_text(g, m->name), gen_comment_text(g, name),
                          gen_comment_text(g, g->ir->metrics[seen->metric].name));
            else
                gen_error(g, m->loc, "metric '%s' needs the column '%s', which is already taken",
                          gen_comment_text(g, m->name), gen_comment_text(g, name));
            return;
        }
    }
    name_add(set, name, metric);
}

static void validate(Gen *g)
{
    const IrSpec *ir = g->ir;
    SrcLoc none = {0, 0};
    if (!plain_name(ir->tag))
        gen_error(g, none, "tag '%s' must be a plain name ([A-Za-z_][A-Za-z0-9_]*, at most 64 "
                  "characters): it names tables, files and load labels",
                  ir->tag ? gen_comment_text(g, ir->tag) : "");
    if (!plain_name(ir->module))
        gen_error(g, none, "module '%s' must be a plain name ([A-Za-z_][A-Za-z0-9_]*): it names "
                  "tables", ir->module ? gen_comment_text(g, ir->module) : "");
    for (int i = 0; i < ir->nsources; i++) {
        const IrSource *s = &ir->sources[i];
        if (s->database)
            check_ident(g, s->database, s->loc, "database");
        check_ident(g, s->table, s->loc, "table");
        check_ident(g, s->user_col, s->loc, "user column");
        if (!s->is_user_table) {
            check_ident(g, s->time_col, s->loc, "time column");
            check_ident(g, s->date_col, s->loc, "date column");
        }
        if (s->filter)
            gen_check_cond(g, s->filter);
    }
    const IrExposure *e = &ir->exposure;
    if (e->source < 0 || e->source >= ir->nsources || ir->sources[e->source].is_user_table)
        gen_error(g, e->loc, "the exposure must read an event source");
    check_ident(g, e->experiment_col, e->loc, "experiment column");
    check_ident(g, e->variation_col, e->loc, "variation column");
    if (e->filter)
        gen_check_cond(g, e->filter);
    if (e->has_activation) {
        const IrEventSet *act = &e->activation;
        if (act->source < 0 || act->source >= ir->nsources || ir->sources[act->source].is_user_table)
            gen_error(g, e->loc, "the activation must read an event source");
        else if (act->filter)
            gen_check_cond(g, act->filter);
    }
    for (int i = 0; i < ir->experiments.nkeys; i++)
        check_string(g, ir->experiments.keys[i], none, "tracking key");
    for (int i = 0; i < ir->nassignments; i++) {
        const IrHashAssignment *h = &ir->assignments[i];
        check_string(g, h->tracking_key, h->loc, "tracking key");
        check_string(g, h->salt, h->loc, "salt");
        double total = 0;
        for (int v = 0; v < h->nvariations; v++) {
            check_string(g, h->variations[v], h->loc, "variation key");
            total += h->weights[v];
        }
        if (h->nvariations < 2 || total < 0.999999 || total > 1.000001)
            gen_error(g, h->loc, "hash assignment needs 2 or more variations whose weights sum to 1");
    }
    if (ir->nsegments > SQLGEN_MAX_SEGMENTS)
        gen_error(g, ir->segments[SQLGEN_MAX_SEGMENTS].loc,
                  "at most %d segments per spec (experiment_assignment has %d segment slots)",
                  SQLGEN_MAX_SEGMENTS, SQLGEN_MAX_SEGMENTS);
    for (int i = 0; i < ir->nsegments; i++) {
        const IrSegment *s = &ir->segments[i];
        check_string(g, s->name, s->loc, "segment name");
        check_ident(g, s->column, s->loc, "segment column");
        if (s->path)
            gen_check_path(g, s->path);
        if (s->from == SEG_USER_TABLE &&
            (s->source < 0 || s->source >= ir->nsources || !ir->sources[s->source].is_user_table))
            gen_error(g, s->loc, "segment '%s' must read a user table", gen_comment_text(g, s->name));
    }

    int maxcols = 64 + ir->nmetrics * 32;
    NameSet *seen = arena_alloc(g->a, sizeof *seen);
    seen->v = arena_alloc(g->a, (size_t)maxcols * sizeof *seen->v);
    for (int i = 0; i < NAME_BUCKETS; i++)
        seen->heads[i] = -1;
    static const char *const fixed[] = {"event_date", "tracking_key", "user_id", "exposure_date",
                                        "days_since_exposure", "analysis_date", "variation_key",
                                        "segment", "segment_value", "units", "days_observed"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        name_add(seen, fixed[i], -1);
    static const char *const suffixes[] = {"n", "sum", "sum_sq", "events", "pre", "pre_sum",
                                           "pre_sum_sq", "sum_pre", "den_sum", "den_sum_sq",
                                           "sum_den", "cap_value", "num", "den", "day", "cap"};
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        check_ident(g, m->name, m->loc, "metric");
        check_string(g, m->name, m->loc, "metric name");
        for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
            const char *col = gen_metric_col(g, i, suffixes[k]);
            if (k == 0 || strcmp(suffixes[k], "pre_sum_sq") == 0) /* longest */
                check_ident(g, col, m->loc, "column");
            check_unique(g, seen, col, i);
        }
        if (m->kind == MK_FUNNEL) {
            if (m->nsteps < 2)
                gen_error(g, m->loc, "a funnel needs 2 or more steps");
            for (int s = 0; s < m->nsteps; s++) {
                const char *col = gen_metric_col(g, i, arena_printf(g->a, "step%d_first", s + 1));
                check_ident(g, col, m->loc, "column");
                check_unique(g, seen, col, i);
                check_unique(g, seen, gen_metric_col(g, i, arena_printf(g->a, "step_%d", s + 1)), i);
                if (m->steps[s].filter)
                    gen_check_cond(g, m->steps[s].filter);
            }
        }
        if (m->kind != MK_RATIO && m->kind != MK_FUNNEL) {
            if (m->set.source < 0 || m->set.source >= ir->nsources ||
                ir->sources[m->set.source].is_user_table)
                gen_error(g, m->loc, "metric '%s' must count events of an event source",
                          gen_comment_text(g, m->name));
            if (m->set.filter)
                gen_check_cond(g, m->set.filter);
        }
        if (m->kind == MK_SUM || m->kind == MK_MEAN || m->kind == MK_QUANTILE)
            check_ident(g, m->value_col, m->loc, "value column");
        if (m->value_path)
            gen_check_path(g, m->value_path);
        if (m->kind == MK_RATIO && (m->num < 0 || m->num >= ir->nmetrics || m->den < 0 ||
                                    m->den >= ir->nmetrics || ir->metrics[m->num].kind == MK_RATIO ||
                                    ir->metrics[m->den].kind == MK_RATIO))
            gen_error(g, m->loc, "a ratio needs two metrics that are not ratios");
        if (m->kind == MK_QUANTILE && !(m->quantile > 0 && m->quantile < 1))
            gen_error(g, m->loc, "the quantile must be in (0, 1)");
        if (m->cap.kind != CAP_NONE && m->kind != MK_COUNT && m->kind != MK_SUM &&
            m->kind != MK_ACTIVE_DAYS)
            gen_error(g, m->loc, "'cap' applies to count, sum and active_days metrics");
        if (m->cap.kind == CAP_PERCENTILE && !(m->cap.value > 0 && m->cap.value < 1))
            gen_error(g, m->loc, "a percentile cap must be in (0, 1)");
        if (m->window.kind == WIN_DAYS && (m->window.from_day < 0 || m->window.to_day < m->window.from_day))
            gen_error(g, m->loc, "the window must be a day range at or after exposure");
        if (m->cuped.kind != CUPED_NONE) {
            int c = m->cuped.kind == CUPED_SELF ? i : m->cuped.metric;
            if (c < 0 || c >= ir->nmetrics || !cuped_covariate_ok(ir->metrics[c].kind) ||
                !cuped_covariate_ok(m->kind == MK_RATIO ? MK_COUNT : m->kind) ||
                m->kind == MK_RATIO || m->kind == MK_MEAN)
                gen_error(g, m->loc, "CUPED needs a count, sum, proportion, retention or "
                          "active-days metric and covariate");
            if (m->cuped.pre_days < 1 || m->cuped.pre_days > 366)
                gen_error(g, m->loc, "the CUPED pre-period must be 1 to 366 days");
        }
    }
}

/* ---- table names ---------------------------------------------------------- */

static void split_name(Gen *g, const char *full, const char *default_db, const char **db,
                       const char **name)
{
    const char *dot = strchr(full, '.');
    if (dot) {
        *db = arena_strndup(g->a, full, (size_t)(dot - full));
        *name = arena_strdup(g->a, dot + 1);
    } else {
        *db = default_db;
        *name = full;
    }
}

static void resolve_names(Gen *g)
{
    const IrSpec *ir = g->ir;
    SrcLoc none = {0, 0};
    const char *abc_db = ir->abc_database ? ir->abc_database : "abc";
    const char *rep_db = ir->report_database ? ir->report_database : "flow_report_app";
    check_ident(g, abc_db, none, "database");
    check_ident(g, rep_db, none, "report database");
    if (g->nerrors)
        return;
    const char *tag = ir->tag, *mod = ir->module;
    const char *wide = ir->wide_table ? ir->wide_table
                                      : arena_printf(g->a, "tbl_wide_user_%s_%s", mod, tag);
    const char *rep = ir->report_table ? ir->report_table
                                       : arena_printf(g->a, "tbl_report_user_%s_%s", mod, tag);
    const char *daily = ir->daily_table ? ir->daily_table
                                        : arena_printf(g->a, "tbl_report_daily_%s_%s", mod, tag);
    TableDef *t = g->tables;
    t[T_EXPDATA].db = abc_db;
    t[T_EXPDATA].name = "experiment_data";
    t[T_ASSIGN].db = abc_db;
    t[T_ASSIGN].name = "experiment_assignment";
    t[T_MIGRATIONS].db = abc_db;
    t[T_MIGRATIONS].name = "schema_migrations";
    split_name(g, wide, abc_db, &t[T_WIDE].db, &t[T_WIDE].name);
    split_name(g, rep, abc_db, &t[T_REPORT].db, &t[T_REPORT].name);
    split_name(g, daily, abc_db, &t[T_DAILY].db, &t[T_DAILY].name);
    t[T_STAGE].db = t[T_REPORT].db;
    t[T_STAGE].name = arena_printf(g->a, "%s__stage", t[T_REPORT].name);
    t[T_DASHBOARD].db = rep_db;
    t[T_DASHBOARD].name = "tbl_report_ab_testing_result";
    t[T_STATE].db = abc_db;
    t[T_STATE].name = "run_state";
    t[T_PRE].db = t[T_WIDE].db; /* gen_tables gives it columns */
    t[T_PRE].name = arena_printf(g->a, "%s__user_day", t[T_WIDE].name);
    t[T_UNIT_STATE].db = t[T_WIDE].db; /* gen_unit_state_table gives it columns */
    t[T_UNIT_STATE].name = arena_printf(g->a, "%s__unit_state", t[T_WIDE].name);
    check_ident(g, t[T_UNIT_STATE].name, none, "table");
    t[T_UNIT_STATE_DATES].db = t[T_WIDE].db;
    t[T_UNIT_STATE_DATES].name = arena_printf(g->a, "%s__unit_state_dates", t[T_WIDE].name);
    if (g->d->id == DIALECT_MARIADB) /* its versions' dates: sqlgen_stats.c */
        check_ident(g, t[T_UNIT_STATE_DATES].name, none, "table");
    for (int i = T_WIDE; i <= T_STAGE; i++) {
        check_ident(g, t[i].db, none, "database");
        check_ident(g, t[i].name, none, "table");
    }
    for (int m = 0; m < ir->nmetrics; m++)
        if (ir->metrics[m].cuped.kind != CUPED_NONE) {
            check_ident(g, t[T_PRE].name, none, "table");
            break;
        }
    /* labels: [A-Za-z0-9_], <= 128 with the step and a 40-character run id */
    snprintf(g->label_tag, sizeof g->label_tag, "%.40s", tag);
}

/* The bounds of the strings in StarRocks primary keys (sqlgen.h), per key
 * column of the tables with one; the rest have none or fit anyway. */
static void bound_keys(Gen *g)
{
    static const int expdata[] = {SQLGEN_KEY_TAG_BYTES, SQLGEN_KEY_TRACKING_KEY_BYTES,
                                  SQLGEN_KEY_VARIATION_KEY_BYTES};
    static const int assign[] = {SQLGEN_KEY_TAG_BYTES, SQLGEN_KEY_TRACKING_KEY_BYTES,
                                 SQLGEN_KEY_USER_ID_BYTES};
    static const int tag_first[] = {SQLGEN_KEY_TAG_BYTES, SQLGEN_KEY_NAME_BYTES, 0};
    static const int act_user[] = {SQLGEN_KEY_NAME_BYTES, SQLGEN_KEY_USER_ID_BYTES};
    static const int act_period[] = {0, 0, SQLGEN_KEY_GRAIN_BYTES, SQLGEN_KEY_USER_ID_BYTES};
    static const int owner[] = {SQLGEN_KEY_TABLE_NAME_BYTES};
    g->tables[T_EXPDATA].key_bytes = expdata;
    g->tables[T_ASSIGN].key_bytes = assign;
    g->tables[T_MIGRATIONS].key_bytes = tag_first; /* tag, version */
    g->tables[T_STATE].key_bytes = tag_first;      /* tag */
    g->tables[T_LOCK].key_bytes = tag_first;       /* tag */
    g->tables[T_FPRINT].key_bytes = tag_first;     /* tag, source, event_date */
    g->tables[T_ACT_USER].key_bytes = act_user;    /* activity, user_id */
    g->tables[T_ACT_PERIOD].key_bytes = act_period; /* period, a, grain, user_id */
    g->tables[T_OWNER].key_bytes = owner;          /* table_name */
    static const int hourly[] = {0, 0, SQLGEN_KEY_HOURLY_TRACKING_KEY_BYTES,
                                 SQLGEN_KEY_HOURLY_VARIATION_KEY_BYTES,
                                 SQLGEN_KEY_HOURLY_METRIC_BYTES, SQLGEN_KEY_HOURLY_MEASURE_BYTES};
    g->tables[T_HOURLY].key_bytes = hourly;         /* event_date, hour, ... */
    g->tables[T_HOURLY_UNIT].key_bytes = assign + 1; /* tracking_key, user_id */
    g->tables[T_HOURLY_STATE].key_bytes = tag_first; /* tag */
}

AbcStatus sqlgen_program(const IrSpec *ir, const Dialect *d, Arena *arena, Diag *diag,
                         SqlProgram *out)
{
    return sqlgen_program_ex(ir, d, NULL, 0, arena, diag, out);
}

AbcStatus sqlgen_program_ex(const IrSpec *ir, const Dialect *d, const TableCol *retired,
                            int nretired, Arena *arena, Diag *diag, SqlProgram *out)
{
    Gen g;
    memset(&g, 0, sizeof g);
    g.retired = retired;
    g.nretired = nretired;
    g.ir = ir;
    g.d = d;
    g.a = arena;
    g.diag = diag;
    validate(&g);
    if (g.nerrors == 0)
        resolve_names(&g);
    if (g.nerrors)
        return ABC_ERR_SPEC;
    gen_tables(&g);
    gen_unit_state_table(&g);
    gen_state_table(&g);
    gen_lock_table(&g);
    gen_owner_table(&g);
    gen_fprint_table(&g);
    gen_activity_tables(&g);
    gen_hourly_tables(&g);
    bound_keys(&g);
    /* plan.json's name of each table, by the table's constant (a table
     * added without one stops the generation below) */
    static const char *const plan_names[T_COUNT] = {
        [T_EXPDATA] = "experiment_data", [T_ASSIGN] = "experiment_assignment",
        [T_MIGRATIONS] = "schema_migrations", [T_WIDE] = "wide", [T_REPORT] = "report",
        [T_DAILY] = "daily", [T_STAGE] = "stage", [T_DASHBOARD] = "dashboard",
        [T_STATE] = "run_state", [T_LOCK] = "run_lock", [T_FPRINT] = "source_fingerprint",
        [T_OWNER] = "table_owner", [T_UNIT_STATE] = "unit_state",
        [T_UNIT_STATE_DATES] = "unit_state_dates", [T_PRE] = "user_day",
        [T_ACT_DAY] = "activity_day", [T_ACT_USER] = "activity_user",
        [T_ACT_REPORT] = "activity_report", [T_ACT_COHORT] = "activity_cohort",
        [T_ACT_WBK] = "activity_work_breakdown", [T_ACT_WDAY] = "activity_work_day",
        [T_ACT_WPER] = "activity_work_period", [T_ACT_RSTAGE] = "activity_report_stage",
        [T_ACT_CSTAGE] = "activity_cohort_stage", [T_ACT_PERIOD] = "activity_period",
        [T_ACT_WDUE] = "activity_work_due", [T_ACT_WDELTA] = "activity_work_delta",
        [T_HOURLY] = "hourly", [T_HOURLY_UNIT] = "hourly_unit", [T_HOURLY_STATE] = "hourly_state",
    };
    for (int i = 0; i < T_COUNT; i++) {
        g.tables[i].plan_name = plan_names[i];
        if (g.tables[i].cols && !plan_names[i])
            gen_error(&g, (SrcLoc){0, 0}, "internal: table %d has no plan.json name", i);
        g.tables[i].replication_num = ir->replication_num;
        /* a longer key would cancel every StarRocks load into the table */
        if (d->id == DIALECT_STARROCKS && g.tables[i].cols &&
            starrocks_key_bytes(&g.tables[i]) > STARROCKS_KEY_LIMIT)
            gen_error(&g, (SrcLoc){0, 0},
                      "table %s: its StarRocks primary key can take %d bytes, over the limit "
                      "of %d", g.tables[i].name, starrocks_key_bytes(&g.tables[i]),
                      STARROCKS_KEY_LIMIT);
    }
    if (g.nerrors)
        return ABC_ERR_SPEC;
    gen_ddl(&g);
    gen_config(&g);
    gen_config_clear(&g);
    gen_reset(&g);
    gen_assign(&g, false);
    gen_wide(&g, false);
    gen_assign(&g, true);
    gen_wide(&g, true);
    gen_stats(&g);
    gen_report(&g);
    gen_activity(&g);
    gen_hourly(&g);
    gen_runstate(&g);
    gen_guard(&g);
    gen_fingerprint(&g);
    gen_owner(&g);
    gen_exposure_keys(&g);
    gen_pre(&g); /* its files come last; it runs before the fills */
    if (g.nerrors)
        return ABC_ERR_SPEC;
    TableDef *tables = arena_alloc(arena, sizeof g.tables);
    memcpy(tables, g.tables, sizeof g.tables);
    out->ir = ir;
    out->dialect = d;
    out->steps = g.steps;
    out->nsteps = g.nsteps;
    out->tables = tables;
    /* the optional tables (activity, hourly) come last; a program lists the
     * tables up to the last one it has (a table without columns is absent) */
    out->ntables = ir->analysis.hourly ? T_COUNT : ir->nactivities ? T_HOURLY : T_ACT_DAY;
    out->wide = &tables[T_WIDE];
    out->daily = &tables[T_DAILY];
    out->assign = &tables[T_ASSIGN];
    out->schema_version = 1;
    out->stats_one_date = gen_stats_one_date(&g);
    out->fprint_exposure_stmt = gen_fprint_exposure_stmt(&g);
    out->source_cols = g.source_cols;
    out->nsource_cols = g.nsource_cols;
    return ABC_OK;
}

/* ---- rendering ------------------------------------------------------------ */

/* One comment, whole, over as many "-- " lines as it needs. */
static void comment_line(Buf *out, const char *text) { sql_comment(out, "", text); }

void sqlgen_comment(Buf *out, const char *text) { sql_comment(out, "", text); }

void sqlgen_header(const IrSpec *ir, const Dialect *d, const char *title, Buf *out)
{
    Buf line;
    buf_init(&line);
    buf_printf(&line, "Generated by abc %s from %s - do not edit; run `abc compile`.", ABC_VERSION,
               ir->path ? ir->path : "(memory)");
    comment_line(out, line.data);
    buf_reset(&line);
    /* the spec's path alone on a line when the whole would be too long */
    buf_printf(&line, "spec: %s  tag: %s  dialect: %s", ir->path ? ir->path : "(memory)", ir->tag,
               d->name);
    if (line.len + 3 > SQL_WIDTH) {
        buf_reset(&line);
        buf_printf(&line, "spec: %s", ir->path ? ir->path : "(memory)");
        comment_line(out, line.data);
        buf_reset(&line);
        buf_printf(&line, "tag: %s  dialect: %s", ir->tag, d->name);
    }
    comment_line(out, line.data);
    if (title)
        comment_line(out, title);
    buf_free(&line);
}

static void param_list(unsigned params, Buf *out)
{
    static const char *const names[] = {"event_date", "from_date", "to_date", "analysis_date",
                                        "run_id", "values", "from_time", "to_time"};
    for (int i = 0; i < 8; i++)
        if (params & (1u << i))
            buf_printf(out, " {{%s}}", names[i]);
}

void sqlgen_step_file(const SqlProgram *p, const SqlStep *s, Buf *out)
{
    Buf t;
    buf_init(&t);
    buf_printf(&t, "step %s: %s", s->name, s->summary);
    sqlgen_header(p->ir, p->dialect, t.data, out);
    buf_reset(&t);
    if (s->params) {
        buf_puts(&t, "placeholders:");
        param_list(s->params, &t);
        comment_line(out, t.data);
    }
    buf_reset(&t);
    buf_printf(&t, "%d statement%s; send each as its own call.", s->nstmts, s->nstmts == 1 ? "" : "s");
    comment_line(out, t.data);
    buf_free(&t);
    for (int i = 0; i < s->nstmts; i++) {
        buf_putc(out, '\n');
        buf_puts(out, s->stmts[i]);
        buf_puts(out, ";\n");
    }
}

const char *sqlgen_kind_name(IrMetricKind k)
{
    switch (k) {
    case MK_PROPORTION: return "proportion";
    case MK_COUNT: return "count";
    case MK_SUM: return "sum";
    case MK_MEAN: return "mean";
    case MK_ACTIVE_DAYS: return "active_days";
    case MK_RATIO: return "ratio";
    case MK_RETENTION: return "retention";
    case MK_QUANTILE: return "quantile";
    case MK_FUNNEL: return "funnel";
    case MK_TIME_TO_EVENT: return "time_to_event";
    }
    return "?";
}
