/* sqlgen_stats.c — the sufficient-statistics queries (docs/STATS.md).
 *
 * Every query starts from the same CTEs: the analysis dates in
 * [{{from_date}}, {{to_date}}] (the wide table's days), the tag's units
 * (users seen in more than one variation by an analysis date left out of
 * that date unless the spec keeps them), one row per unit x analysis date with each metric's per-user value
 * over its window as of that date (cumulative), then caps.  From there:
 *   stats_moments            n, Σx, Σx² per metric (+ CUPED pre sums, ratio
 *                            denominator sums, cap value, funnel steps)
 *   stats_quantile_<metric>  distinct per-user values and their counts
 *   stats_survival_<metric>  per day since exposure: events and censored
 * each per analysis date x experiment x variation x segment value, the
 * segment '' with value '' standing for all users.  Day-N / range retention
 * counts only units whose window has fully elapsed by the analysis date. */
#include "sqlgen_int.h"

#include <string.h>

#include "dialect_common.h"

static const char *window_cond(Gen *g, const IrMetric *m)
{
    if (m->window.kind == WIN_PHASE)
        return "w.`days_since_exposure` >= 0";
    return arena_printf(g->a, "w.`days_since_exposure` BETWEEN %d AND %d", m->window.from_day,
                        m->window.to_day);
}

static const char *window_text(Gen *g, const IrMetric *m)
{
    if (m->window.kind == WIN_PHASE)
        return "whole phase";
    return arena_printf(g->a, "days %d..%d", m->window.from_day, m->window.to_day);
}

static void ref(Gen *g, Buf *b, const char *alias, int m, const char *suffix)
{
    gen_col(g, b, alias, suffix ? gen_metric_col(g, m, suffix) : g->ir->metrics[m].name);
}

/* The per-user value of metric m in vals, for ratio numerators/denominators. */
static void value_ref(Gen *g, Buf *b, int m)
{
    ref(g, b, NULL, m, g->ir->metrics[m].kind == MK_MEAN ? "num" : NULL);
}

static bool has_cap_pct(const IrMetric *m) { return m->cap.kind == CAP_PERCENTILE; }

/* ",\n<indent>[alias.]`<segment column>`" per segment */
static void segment_list(Gen *g, Buf *b, const char *alias, const char *indent)
{
    for (int i = 0; i < g->ir->nsegments; i++) {
        buf_printf(b, ",\n%s", indent);
        gen_col(g, b, alias, gen_segment_col(g, i));
    }
}

/* COALESCE(`<segment column>`, '(null)') */
static void segment_value(Gen *g, Buf *b, int seg)
{
    buf_puts(b, "COALESCE(");
    gen_id(g, b, gen_segment_col(g, seg));
    buf_puts(b, ", '(null)')");
}

/* The shared CTEs, up to and including `vals`.  Ends without a comma. */
static void prefix(Gen *g, Buf *b, int only)
{
    const IrSpec *ir = g->ir;
    buf_puts(b, "WITH\n-- analysis dates: the days of the wide table in the requested range\n"
                "days AS (\n    SELECT DISTINCT `event_date` AS `analysis_date`\n    FROM ");
    gen_table(g, b, T_WIDE);
    buf_puts(b, "\n    WHERE `event_date` >= {{from_date}} AND `event_date` <= {{to_date}}\n),\n");
    buf_printf(b, "-- units of the tag (spec line %d)%s\nunits AS (\n"
                  "    SELECT\n        a.`tracking_key`,\n        a.`user_id`,\n        a.`variation_key`,\n"
                  "        a.`%s` AS `exposure_date`",
               ir->exposure.line,
               ir->exposure.multiple == MULTI_EXCLUDE ? "; a user seen in another variation is left\n"
                                                        "-- out from that date on" : "",
               ir->exposure.has_activation ? "activation_date" : "exposure_date");
    segment_list(g, b, "a", "        ");
    if (ir->exposure.multiple == MULTI_EXCLUDE)
        buf_puts(b, ",\n        a.`multiple_variations`,\n        a.`multiple_variations_date`");
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_ASSIGN);
    buf_puts(b, " a\n    WHERE ");
    gen_tag_pred(g, b, "a");
    if (ir->exposure.has_activation)
        buf_puts(b, " AND a.`activation_time` IS NOT NULL");
    buf_puts(b, "\n),\nunit_days AS (\n    SELECT\n        u.`tracking_key`,\n        u.`user_id`,\n"
                "        u.`variation_key`");
    segment_list(g, b, "u", "        ");
    buf_puts(b, ",\n        d.`analysis_date`,\n        DATEDIFF(d.`analysis_date`, u.`exposure_date`) AS "
                "`days_observed`\n    FROM units u\n    JOIN days d ON u.`exposure_date` <= "
                "d.`analysis_date`");
    if (ir->exposure.multiple == MULTI_EXCLUDE)
        /* a row without the date (written before the column existed)
         * keeps its flag for every date */
        buf_puts(b, "\n        -- as of the date: not yet seen in another variation\n"
                    "        AND (u.`multiple_variations` = 0\n"
                    "            OR u.`multiple_variations_date` > d.`analysis_date`)");
    buf_puts(b, "\n),\n-- per unit and analysis date: each metric's value over its "
                "window, cumulative to the date\nuser_values AS (\n    SELECT\n"
                "        ud.`analysis_date`,\n        ud.`tracking_key`,\n        ud.`user_id`,\n"
                "        ud.`variation_key`,\n        ud.`days_observed`");
    segment_list(g, b, "ud", "        ");
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        const char *W = window_cond(g, m);
        if (m->kind == MK_RATIO || (only >= 0 && i != only))
            continue;
        buf_puts(b, ",\n");
        sql_comment(b, "        ", arena_printf(g->a, "metric %s (spec line %d): %s, %s", m->name,
                                                m->line, sqlgen_kind_name(m->kind),
                                                window_text(g, m)));
        buf_puts(b, "        ");
        size_t item = b->len;
        Buf c;
        buf_init(&c);
        switch (m->kind) {
        case MK_PROPORTION:
        case MK_RETENTION:
            ref(g, &c, "w", i, "events");
            buf_printf(b, "MAX(CASE WHEN %s AND %s > 0 THEN 1 ELSE 0 END) AS ", W, c.data);
            ref(g, b, NULL, i, NULL);
            break;
        case MK_COUNT:
            ref(g, &c, "w", i, "events");
            buf_printf(b, "COALESCE(SUM(CASE WHEN %s THEN %s END), 0) AS ", W, c.data);
            ref(g, b, NULL, i, NULL);
            break;
        case MK_SUM:
        case MK_QUANTILE:
            ref(g, &c, "w", i, "sum");
            buf_printf(b, "COALESCE(SUM(CASE WHEN %s THEN %s END), 0) AS ", W, c.data);
            ref(g, b, NULL, i, NULL);
            break;
        case MK_MEAN:
            ref(g, &c, "w", i, "sum");
            buf_printf(b, "COALESCE(SUM(CASE WHEN %s THEN %s END), 0) AS ", W, c.data);
            ref(g, b, NULL, i, "num");
            buf_reset(&c);
            ref(g, &c, "w", i, "events");
            sql_wrap(b, item);
            buf_puts(b, ",\n        ");
            item = b->len;
            buf_printf(b, "COALESCE(SUM(CASE WHEN %s THEN %s END), 0) AS ", W, c.data);
            ref(g, b, NULL, i, "den");
            break;
        case MK_ACTIVE_DAYS:
            ref(g, &c, "w", i, "events");
            buf_printf(b, "COUNT(DISTINCT CASE WHEN %s AND %s > 0 THEN w.`event_date` END) AS ", W,
                       c.data);
            ref(g, b, NULL, i, NULL);
            break;
        case MK_FUNNEL:
            for (int s = 0; s < m->nsteps; s++) {
                const char *sfx = arena_printf(g->a, "step%d_first", s + 1);
                buf_reset(&c);
                ref(g, &c, "w", i, sfx);
                if (s) {
                    sql_wrap(b, item);
                    buf_puts(b, ",\n        ");
                    item = b->len;
                }
                buf_printf(b, "MIN(CASE WHEN %s THEN %s END) AS ", W, c.data);
                ref(g, b, NULL, i, sfx);
            }
            break;
        case MK_TIME_TO_EVENT:
            ref(g, &c, "w", i, "events");
            buf_printf(b, "MIN(CASE WHEN %s AND %s > 0 THEN w.`days_since_exposure` END) AS ", W,
                       c.data);
            ref(g, b, NULL, i, "day");
            break;
        case MK_RATIO:
            break;
        }
        sql_wrap(b, item);
        if (m->cuped.kind != CUPED_NONE) {
            buf_reset(&c);
            ref(g, &c, "w", i, "pre");
            buf_printf(b, ",\n        -- CUPED covariate of %s, days -%d..-1\n        COALESCE(MAX(%s), 0) AS ",
                       m->name, m->cuped.pre_days, c.data);
            ref(g, b, NULL, i, "pre");
            sql_wrap(b, item);
        }
        buf_free(&c);
    }
    buf_puts(b, "\n    FROM unit_days ud\n    LEFT JOIN ");
    gen_table(g, b, T_WIDE);
    buf_puts(b, " w\n        ON w.`tracking_key` = ud.`tracking_key` AND w.`user_id` = ud.`user_id`\n"
                "        AND w.`event_date` <= ud.`analysis_date`");
    /* when every metric read here has a day window, no row past the
     * longest window can count: bound the history each unit drags in, so
     * the cost of a date stops growing with the length of the phase */
    int max_day = -1;
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->kind == MK_RATIO || (only >= 0 && i != only))
            continue;
        if (m->window.kind != WIN_DAYS) {
            max_day = -2;
            break;
        }
        if (m->window.to_day > max_day)
            max_day = m->window.to_day;
    }
    if (max_day >= 0)
        buf_printf(b, " AND w.`days_since_exposure` <= %d", max_day);
    buf_puts(b, "\n    GROUP BY\n        ud.`analysis_date`,\n        ud.`tracking_key`,\n"
                "        ud.`user_id`,\n        ud.`variation_key`,\n        ud.`days_observed`");
    segment_list(g, b, "ud", "        ");
    buf_puts(b, "\n)");
    g->uv_end = b->len;

    /* percentile caps: pooled over the variations of an experiment, per date */
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (!has_cap_pct(m) || (only >= 0 && i != only))
            continue;
        Buf v;
        buf_init(&v);
        ref(g, &v, NULL, i, NULL);
        buf_puts(b, ",\n");
        sql_comment(b, "", arena_printf(g->a, "metric %s (spec line %d): cap at the pooled p%g of "
                                              "per-user values", m->name, m->line,
                                        m->cap.value * 100));
        buf_printf(b, "cap_%d AS (\n    SELECT%s\n        `analysis_date`,\n"
                      "        `tracking_key`,\n        ",
                   i, g->d->percentile_is_window ? " DISTINCT" : "");
        size_t item = b->len;
        g->d->percentile(b, v.data, m->cap.value, "`analysis_date`, `tracking_key`");
        buf_puts(b, " AS `cap`");
        sql_wrap(b, item);
        buf_puts(b, "\n    FROM user_values");
        if (!g->d->percentile_is_window)
            buf_puts(b, "\n    GROUP BY\n        `analysis_date`,\n        `tracking_key`");
        buf_puts(b, "\n)");
        buf_free(&v);
    }

    /* vals: capped values, funnel flags, conversion flags */
    buf_puts(b, ",\nvals AS (\n    SELECT\n        uv.`analysis_date`,\n        uv.`tracking_key`,\n"
                "        uv.`user_id`,\n        uv.`variation_key`,\n        uv.`days_observed`");
    segment_list(g, b, "uv", "        ");
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->kind == MK_RATIO || (only >= 0 && i != only))
            continue;
        Buf v;
        buf_init(&v);
        buf_puts(b, ",\n        ");
        switch (m->kind) {
        case MK_MEAN:
            ref(g, b, "uv", i, "num");
            buf_puts(b, ",\n        ");
            ref(g, b, "uv", i, "den");
            break;
        case MK_FUNNEL: {
            Buf cond;
            buf_init(&cond);
            for (int s = 0; s < m->nsteps; s++) {
                Buf cur;
                buf_init(&cur);
                ref(g, &cur, "uv", i, arena_printf(g->a, "step%d_first", s + 1));
                if (s == 0) {
                    buf_printf(&cond, "%s IS NOT NULL", cur.data);
                } else {
                    Buf prev;
                    buf_init(&prev);
                    ref(g, &prev, "uv", i, arena_printf(g->a, "step%d_first", s));
                    buf_printf(&cond, " AND %s >= %s", cur.data, prev.data);
                    buf_free(&prev);
                }
                buf_printf(b, "%s-- funnel %s step %d: steps 1..%d in order\n        ",
                           s ? ",\n        " : "", m->name, s + 1, s + 1);
                size_t item = b->len;
                buf_printf(b, "CASE WHEN %s THEN 1 ELSE 0 END AS ", cond.data);
                ref(g, b, NULL, i, arena_printf(g->a, "step_%d", s + 1));
                sql_wrap(b, item);
                buf_free(&cur);
            }
            buf_puts(b, ",\n        ");
            size_t item = b->len;
            buf_printf(b, "CASE WHEN %s THEN 1 ELSE 0 END AS ", cond.data);
            ref(g, b, NULL, i, NULL);
            sql_wrap(b, item);
            buf_free(&cond);
            break;
        }
        case MK_TIME_TO_EVENT:
            ref(g, b, "uv", i, "day");
            buf_puts(b, ",\n        CASE WHEN ");
            ref(g, b, "uv", i, "day");
            buf_puts(b, " IS NOT NULL THEN 1 ELSE 0 END AS ");
            ref(g, b, NULL, i, NULL);
            break;
        default:
            ref(g, &v, "uv", i, NULL);
            if (m->cap.kind == CAP_ABSOLUTE) {
                buf_printf(b, "-- capped at ");
                dialect_number(b, m->cap.value);
                buf_printf(b, "\n        LEAST(%s, ", v.data);
                dialect_number(b, m->cap.value);
                buf_puts(b, ") AS ");
            } else if (m->cap.kind == CAP_PERCENTILE) {
                buf_printf(b, "LEAST(%s, c%d.`cap`) AS ", v.data, i);
            } else {
                buf_printf(b, "%s AS ", v.data);
            }
            ref(g, b, NULL, i, NULL);
            if (m->cap.kind == CAP_PERCENTILE) {
                buf_printf(b, ",\n        c%d.`cap` AS ", i);
                ref(g, b, NULL, i, "cap");
            }
            break;
        }
        if (m->cuped.kind != CUPED_NONE) {
            buf_puts(b, ",\n        ");
            ref(g, b, "uv", i, "pre");
        }
        buf_free(&v);
    }
    buf_puts(b, "\n    FROM user_values uv");
    for (int i = 0; i < ir->nmetrics; i++)
        if (has_cap_pct(&ir->metrics[i]) && (only < 0 || i == only))
            buf_printf(b, "\n    LEFT JOIN cap_%d c%d\n        ON c%d.`analysis_date` = uv.`analysis_date` "
                          "AND c%d.`tracking_key` = uv.`tracking_key`", i, i, i, i);
    buf_puts(b, "\n)");
}

/* ---- result columns ------------------------------------------------------ */

typedef struct Cols {
    SqlColumn *v;
    int n, cap;
} Cols;

static void col_add(Gen *g, Cols *c, const char *name, int metric, const char *stat)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 32;
        SqlColumn *v = arena_alloc(g->a, (size_t)cap * sizeof *v);
        if (c->n)
            memcpy(v, c->v, (size_t)c->n * sizeof *v);
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = (SqlColumn){name, metric, stat};
}

static void dims(Gen *g, Cols *c)
{
    static const char *const d[] = {"analysis_date", "tracking_key", "variation_key", "segment",
                                    "segment_value"};
    for (int i = 0; i < 5; i++)
        col_add(g, c, d[i], -1, d[i]);
}

/* SELECT list head + FROM/GROUP BY for one grouping (seg < 0: all users). */
static void group_head(Gen *g, Buf *b, int seg)
{
    buf_puts(b, "SELECT\n    `analysis_date`,\n    `tracking_key`,\n    `variation_key`,\n    ");
    if (seg < 0) {
        buf_puts(b, "'' AS `segment`,\n    '' AS `segment_value`");
    } else {
        gen_str(g, b, g->ir->segments[seg].name);
        buf_puts(b, " AS `segment`,\n    ");
        segment_value(g, b, seg);
        buf_puts(b, " AS `segment_value`");
    }
}

static void group_tail(Gen *g, Buf *b, const char *from, int seg, const char *extra)
{
    buf_printf(b, "\nFROM %s\nGROUP BY\n    `analysis_date`,\n    `tracking_key`,\n    `variation_key`",
               from);
    if (seg >= 0) {
        buf_puts(b, ",\n    ");
        segment_value(g, b, seg);
    }
    if (extra)
        buf_printf(b, ",\n    %s", extra);
}

/* Aggregates of one moments row; `inc` restricts to mature units (or NULL). */
static void agg_sum(Buf *b, const char *inc, const char *x)
{
    if (inc)
        buf_printf(b, "SUM(CASE WHEN %s THEN %s ELSE 0 END)", inc, x);
    else
        buf_printf(b, "SUM(%s)", x);
}

static void moment(Gen *g, Buf *b, Cols *c, int m, const char *stat, const char *inc, const char *x)
{
    const char *name = gen_metric_col(g, m, stat);
    buf_puts(b, ",\n    ");
    size_t item = b->len;
    if (strcmp(stat, "n") == 0)
        buf_puts(b, inc ? arena_printf(g->a, "SUM(CASE WHEN %s THEN 1 ELSE 0 END)", inc) : "COUNT(*)");
    else
        agg_sum(b, inc, x);
    buf_puts(b, " AS ");
    gen_id(g, b, name);
    sql_wrap(b, item);
    if (c)
        col_add(g, c, name, m, stat);
}

static void moments_select(Gen *g, Buf *b, int seg, Cols *c)
{
    const IrSpec *ir = g->ir;
    group_head(g, b, seg);
    buf_puts(b, ",\n    COUNT(*) AS `units`");
    if (c)
        col_add(g, c, "units", -1, "units");
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        buf_printf(b, ",\n    -- metric %s (spec line %d): %s", m->name, m->line, sqlgen_kind_name(m->kind));
        const char *inc = NULL;
        if (m->kind == MK_RETENTION && m->window.kind == WIN_DAYS)
            inc = arena_printf(g->a, "`days_observed` >= %d", m->window.to_day);
        Buf x, x2;
        buf_init(&x);
        buf_init(&x2);
        if (m->kind == MK_RATIO || m->kind == MK_MEAN) {
            Buf num, den;
            buf_init(&num);
            buf_init(&den);
            if (m->kind == MK_MEAN) {
                ref(g, &num, NULL, i, "num");
                ref(g, &den, NULL, i, "den");
            } else {
                value_ref(g, &num, m->num);
                value_ref(g, &den, m->den);
            }
            moment(g, b, c, i, "n", NULL, NULL);
            moment(g, b, c, i, "sum", NULL, num.data);
            moment(g, b, c, i, "sum_sq", NULL, arena_printf(g->a, "%s * %s", num.data, num.data));
            moment(g, b, c, i, "den_sum", NULL, den.data);
            moment(g, b, c, i, "den_sum_sq", NULL, arena_printf(g->a, "%s * %s", den.data, den.data));
            moment(g, b, c, i, "sum_den", NULL, arena_printf(g->a, "%s * %s", num.data, den.data));
            buf_free(&num);
            buf_free(&den);
        } else {
            ref(g, &x, NULL, i, NULL);
            moment(g, b, c, i, "n", inc, NULL);
            moment(g, b, c, i, "sum", inc, x.data);
            moment(g, b, c, i, "sum_sq", inc, arena_printf(g->a, "%s * %s", x.data, x.data));
            if (m->cuped.kind != CUPED_NONE) {
                ref(g, &x2, NULL, i, "pre");
                moment(g, b, c, i, "pre_sum", inc, x2.data);
                moment(g, b, c, i, "pre_sum_sq", inc, arena_printf(g->a, "%s * %s", x2.data, x2.data));
                moment(g, b, c, i, "sum_pre", inc, arena_printf(g->a, "%s * %s", x.data, x2.data));
            }
            if (m->kind == MK_FUNNEL)
                for (int s = 0; s < m->nsteps; s++) {
                    Buf st;
                    buf_init(&st);
                    const char *sfx = arena_printf(g->a, "step_%d", s + 1);
                    ref(g, &st, NULL, i, sfx);
                    moment(g, b, c, i, sfx, NULL, st.data);
                    buf_free(&st);
                }
            if (m->cap.kind != CAP_NONE) {
                const char *name = gen_metric_col(g, i, "cap_value");
                buf_puts(b, ",\n    ");
                if (m->cap.kind == CAP_PERCENTILE) {
                    buf_puts(b, "MAX(");
                    ref(g, b, NULL, i, "cap");
                    buf_putc(b, ')');
                } else {
                    dialect_number(b, m->cap.value);
                }
                buf_puts(b, " AS ");
                gen_id(g, b, name);
                if (c)
                    col_add(g, c, name, i, "cap_value");
            }
        }
        buf_free(&x);
        buf_free(&x2);
    }
    group_tail(g, b, "vals", seg, NULL);
}

static void union_order(Buf *b, int ndims)
{
    buf_puts(b, "\nORDER BY");
    static const char *const d[] = {"`analysis_date`", "`tracking_key`", "`variation_key`",
                                    "`segment`", "`segment_value`", NULL};
    for (int i = 0; i < ndims && i < 5; i++)
        buf_printf(b, "%s\n    %s", i ? "," : "", d[i]);
}

static SqlStep *stats_step(Gen *g, const char *name, const char *summary, SqlStatsShape shape, int m)
{
    SqlStep *s = gen_step(g, SQLSTEP_STATS, name, summary);
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
    s->shape = shape;
    s->metric = m;
    return s;
}

static const char *file_part(Gen *g, const char *name)
{
    char *c = arena_strdup(g->a, name);
    for (char *p = c; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    return c;
}

/* Push a statistics query whose text is the shared prefix (ending with the
 * `vals` CTE) in b[0, plen) followed by its own part.  MariaDB inlines a
 * CTE at every reference (user_values is read by the percentile caps and by
 * vals; vals by every segment grouping), so there the per-user values and
 * then vals are materialised once each into session temporary tables and
 * the query reads those; StarRocks reuses CTEs itself and gets the query in
 * one statement. */
static void push_stats(Gen *g, SqlStep *s, const Buf *b, size_t plen)
{
    if (g->d->id != DIALECT_MARIADB) {
        gen_push(g, s, b);
        return;
    }
    Buf t, uv, vals;
    buf_init(&t);
    buf_init(&vals);
    dialect_qualified(g->d, &vals, g->tables[T_ASSIGN].db, "abc_stats_vals");
    if (s->metric >= 0) {
        /* a per-metric query reads the `vals` rows stats_moments
         * materialised in this session (every metric's column is there):
         * recomputing the per-user values per metric cost as much again */
        s->params = 0;
        Buf note;
        buf_init(&note);
        buf_printf(&note, "reads the session table %s written by stats_moments: run after it, "
                          "in the same session", vals.data);
        sql_comment(&t, "", note.data);
        buf_free(&note);
        buf_printf(&t, "WITH vals AS (SELECT * FROM %s)", vals.data);
        buf_put(&t, b->data + plen, b->len - plen);
        gen_push(g, s, &t);
        buf_free(&t);
        buf_free(&vals);
        return;
    }
    buf_init(&uv);
    dialect_qualified(g->d, &uv, g->tables[T_ASSIGN].db, "abc_stats_user_values");
    buf_printf(&t, "CREATE OR REPLACE TEMPORARY TABLE %s AS\n", uv.data);
    buf_put(&t, b->data, g->uv_end);
    buf_puts(&t, "\nSELECT * FROM user_values");
    gen_push(g, s, &t);
    buf_reset(&t);
    buf_printf(&t, "CREATE OR REPLACE TEMPORARY TABLE %s AS\nWITH user_values AS (SELECT * FROM %s)",
               vals.data, uv.data);
    buf_put(&t, b->data + g->uv_end, plen - g->uv_end);
    buf_puts(&t, "\nSELECT * FROM vals");
    gen_push(g, s, &t);
    buf_reset(&t);
    buf_printf(&t, "WITH vals AS (SELECT * FROM %s)", vals.data);
    buf_put(&t, b->data + plen, b->len - plen);
    gen_push(g, s, &t);
    buf_free(&t);
    buf_free(&uv);
    buf_free(&vals);
}

void gen_stats(Gen *g)
{
    const IrSpec *ir = g->ir;
    Buf b;
    buf_init(&b);

    SqlStep *s = stats_step(g, "stats_moments",
                            "sufficient statistics of every metric per analysis date x experiment x "
                            "variation x segment value",
                            STATS_MOMENTS, -1);
    Cols cols = {0};
    dims(g, &cols);
    prefix(g, &b, -1);
    size_t plen = b.len;
    buf_putc(&b, '\n');
    for (int seg = -1; seg < ir->nsegments; seg++) {
        if (seg >= 0)
            buf_puts(&b, "\nUNION ALL\n");
        moments_select(g, &b, seg, seg < 0 ? &cols : NULL);
    }
    union_order(&b, 5);
    push_stats(g, s, &b, plen);
    s->columns = cols.v;
    s->ncolumns = cols.n;

    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->kind != MK_QUANTILE && m->kind != MK_TIME_TO_EVENT)
            continue;
        bool q = m->kind == MK_QUANTILE;
        s = stats_step(g,
                       arena_printf(g->a, "%s_%s", q ? "stats_quantile" : "stats_survival",
                                    file_part(g, m->name)),
                       q ? "distinct per-user values and their counts per date x experiment x "
                           "variation x segment slots (order statistics for the quantile and its "
                           "CI; abc adds the cells up per segment value)"
                         : "days since exposure to the first event: events and censored units "
                           "(Kaplan-Meier, log-rank)",
                       q ? STATS_DISTRIBUTION : STATS_SURVIVAL, i);
        Cols c = {0};
        buf_reset(&b);
        if (g->d->id != DIALECT_MARIADB) /* MariaDB reads stats_moments' vals (push_stats) */
            prefix(g, &b, i);
        plen = b.len;
        Buf v;
        buf_init(&v);
        ref(g, &v, NULL, i, NULL);
        if (q) {
            /* one grouping: per unit cell (date, experiment, variation and
             * every segment slot) the distinct values and their counts;
             * abc adds each row to the all-users group and to its value's
             * group of every segment, so the rows are not repeated per
             * segment */
            static const char *const d3[] = {"analysis_date", "tracking_key", "variation_key"};
            for (int k = 0; k < 3; k++)
                col_add(g, &c, d3[k], -1, d3[k]);
            buf_puts(&b, "\nSELECT\n    `analysis_date`,\n    `tracking_key`,\n    `variation_key`");
            Buf grp;
            buf_init(&grp);
            buf_puts(&grp, "\n    `analysis_date`,\n    `tracking_key`,\n    `variation_key`");
            for (int seg = 0; seg < ir->nsegments; seg++) {
                const char *slot = gen_segment_col(g, seg);
                buf_puts(&b, ",\n    ");
                segment_value(g, &b, seg);
                buf_puts(&b, " AS ");
                gen_id(g, &b, slot);
                buf_puts(&grp, ",\n    ");
                segment_value(g, &grp, seg);
                col_add(g, &c, slot, -1, "segment_slot");
            }
            buf_printf(&b, ",\n    %s AS `value`,\n    COUNT(*) AS `units`\nFROM vals\nGROUP BY%s,\n    %s"
                           "\nORDER BY%s,\n    `value`",
                       v.data, grp.data, v.data, grp.data);
            buf_free(&grp);
            col_add(g, &c, "value", i, "value");
            col_add(g, &c, "units", i, "units");
        } else {
            dims(g, &c);
            Buf day;
            buf_init(&day);
            ref(g, &day, NULL, i, "day");
            buf_puts(&b, ",\n");
            sql_comment(&b, "", arena_printf(g->a, "metric %s (spec line %d): time to the first "
                                                   "event, censored at %s", m->name, m->line,
                                             m->window.kind == WIN_DAYS
                                                 ? "the window end or the analysis date"
                                                 : "the analysis date"));
            buf_puts(&b, "survival AS (\n    SELECT\n        `analysis_date`,\n"
                         "        `tracking_key`,\n        `variation_key`");
            segment_list(g, &b, NULL, "        ");
            buf_puts(&b, ",\n        ");
            size_t item = b.len;
            if (m->window.kind == WIN_DAYS)
                buf_printf(&b, "CASE WHEN %s IS NOT NULL THEN %s ELSE LEAST(`days_observed`, "
                               "%d) END AS `day`", day.data, day.data, m->window.to_day);
            else
                buf_printf(&b, "CASE WHEN %s IS NOT NULL THEN %s ELSE `days_observed` END "
                               "AS `day`", day.data, day.data);
            sql_wrap(&b, item);
            buf_puts(&b, ",\n");
            buf_printf(&b, "        %s AS `event`\n    FROM vals\n)", v.data);
            buf_free(&day);
            buf_putc(&b, '\n');
            for (int seg = -1; seg < ir->nsegments; seg++) {
                if (seg >= 0)
                    buf_puts(&b, "\nUNION ALL\n");
                group_head(g, &b, seg);
                buf_puts(&b, ",\n    `day`,\n    SUM(`event`) AS `events`,\n    SUM(1 - `event`) AS "
                             "`censored`");
                group_tail(g, &b, "survival", seg, "`day`");
            }
            union_order(&b, 5);
            buf_puts(&b, ",\n    `day`");
            col_add(g, &c, "day", i, "day");
            col_add(g, &c, "events", i, "events");
            col_add(g, &c, "censored", i, "censored");
        }
        push_stats(g, s, &b, plen);
        s->columns = c.v;
        s->ncolumns = c.n;
        buf_free(&v);
    }
    buf_free(&b);
}
