/* sqlgen_hourly.c — the hourly series of a spec with `hourly;` in its
 * analysis block (docs/LANGUAGE.md §14, docs/TABLES.md "Hourly series").
 *
 * Three tables, only for such specs:
 *   tbl_hourly_<module>_<tag>       long format: hour x experiment x variation x
 *                                   (metric) x measure -> value
 *   tbl_hourly_unit_<module>_<tag>  per experiment x unit: the variation and
 *                                   time of the first exposure (a commutative
 *                                   merge, like experiment_assignment)
 *   <abc>.hourly_state              per tag: the high-water mark (the last
 *                                   hour filled) and the last date a daily
 *                                   run filled
 * and the steps
 *   hourly_reset       --full: forget the tag's units and hourly rows
 *   hourly_units       merge the first exposures of [{{from_time}}, {{to_time}})
 *   hourly_fill        upsert every hour x variation x measure of the window
 *                      (0 where nothing happened)
 *   hourly_cumulative  the cumulative exposures of those hours with the
 *                      variation weights (the runner computes the SRM)
 *   hourly_srm         {{values}}: the SRM p-value rows (upsert)
 *   hourly_read        exposures and SRM rows from {{from_time}} (report)
 *   hourly_state_read, hourly_state_write
 * Every statement reads the source partitions of [{{from_date}},
 * {{to_date}}] (the dates of the window) and only events with a time in
 * the window, each row once (hourly_fill reads every metric of a source
 * in one pass), so an intraday run costs the events of its hours.  Hours are
 * the source's time column truncated to the hour (DATE plus HOUR, which
 * both dialects spell alike). */
#include "sqlgen_int.h"

#include <string.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const TableCol hourly_cols[] = {
    {"event_date", CT_DATE, true, "the day of the hour (partition)"},
    {"hour", CT_DATETIME, true, "start of the hour, in the source's time"},
    {"tracking_key", CT_STR128, true, "experiment"},
    {"variation_key", CT_STR64, true, "'' on the srm_p_value rows (one per experiment)"},
    {"metric", CT_STR64, true, "'' for exposures, cumulative_exposures, active_units, srm_p_value"},
    {"measure", CT_STR32, true, "exposures cumulative_exposures active_units events sum "
                                "srm_p_value"},
    {"tag", CT_STR64, false, "spec tag"},
    {"value", CT_DOUBLE, false, "a count, a sum, or the p-value (NULL: no exposure yet)"},
};

static const TableCol unit_cols[] = {
    {"tracking_key", CT_STR128, true, "experiment"},
    {"user_id", CT_STR128, true, NULL},
    {"variation_key", CT_STR64, false, "variation at first exposure"},
    {"first_exposure_time", CT_DATETIME, false, NULL},
    {"exposure_date", CT_DATE, false, "partition date of the first exposure"},
};

static const TableCol state_cols[] = {
    {"tag", CT_STR64, true, "spec tag"},
    {"high_water", CT_DATETIME, false, "start of the last hour filled (intraday or daily)"},
    {"daily_through", CT_DATE, false, "last date a daily run filled; later hours are partial"},
    {"updated_at", CT_DATETIME, false, "UTC"},
};

const char *const SQLGEN_HOURLY_COLUMNS[] = {"event_date", "hour", "tracking_key",
                                             "variation_key", "metric", "measure", "tag",
                                             "value"};
const int SQLGEN_HOURLY_NCOLUMNS = NELEM(SQLGEN_HOURLY_COLUMNS);
static const char *const UNIT_COLUMNS[] = {"tracking_key", "user_id", "variation_key",
                                           "first_exposure_time", "exposure_date"};
const char *const SQLGEN_HOURLY_STATE_COLUMNS[] = {"tag", "high_water", "daily_through",
                                                   "updated_at"};
const int SQLGEN_HOURLY_STATE_NCOLUMNS = NELEM(SQLGEN_HOURLY_STATE_COLUMNS);

static void set_table(Gen *g, int t, const char *db, const char *name, const TableCol *cols,
                      int ncols, int nkey, TablePart part, const char *dist, const char *comment)
{
    TableDef *d = &g->tables[t];
    d->db = db;
    d->name = name;
    d->cols = cols;
    d->ncols = ncols;
    d->key = TKEY_PRIMARY;
    d->nkey = nkey;
    d->part = part;
    d->part_col = part == TPART_DAY ? cols[0].name : NULL;
    d->dist_col = dist;
    d->comment = gen_comment_text(g, comment);
    d->replication_num = g->ir->replication_num;
    if (g->d->check_ident(d->name, (char[160]){0}, 160) != ABC_OK || strlen(d->name) > 64)
        gen_error(g, g->ir->analysis.hourly_loc,
                  "the hourly table name '%s' is too long (tag and module make it)",
                  gen_comment_text(g, d->name));
}

static bool hourly_events(IrMetricKind k);
static bool hourly_sum(IrMetricKind k);

void gen_hourly_tables(Gen *g)
{
    const IrSpec *ir = g->ir;
    if (!ir->analysis.hourly)
        return;
    const char *db = g->tables[T_WIDE].db;
    set_table(g, T_HOURLY, db, arena_printf(g->a, "tbl_hourly_%s_%s", ir->module, ir->tag),
              hourly_cols, NELEM(hourly_cols), 6, TPART_DAY, "tracking_key",
              arena_printf(g->a, "abc: hourly series of tag %s", ir->tag));
    set_table(g, T_HOURLY_UNIT, db,
              arena_printf(g->a, "tbl_hourly_unit_%s_%s", ir->module, ir->tag), unit_cols,
              NELEM(unit_cols), 2, TPART_NONE, "user_id",
              arena_printf(g->a, "abc: first exposure per unit, hourly series of tag %s", ir->tag));
    /* the fill reads the units first exposed in its window by a range of
     * this index, and counts those exposed before it from the index alone
     * (MariaDB) */
    TableDef *u = &g->tables[T_HOURLY_UNIT];
    u->indexes[0] = (TableIndex){"abc_lookup_key",
                                 {"first_exposure_time", "tracking_key", "variation_key"}};
    set_table(g, T_HOURLY_STATE, g->tables[T_STATE].db, "hourly_state", state_cols,
              NELEM(state_cols), 1, TPART_NONE, "tag",
              "abc: hourly high-water mark per tag, for intraday runs");
    /* the metric column is in the StarRocks primary key: its width is bounded */
    for (int m = 0; g->d->id == DIALECT_STARROCKS && m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if ((hourly_events(mt->kind) || hourly_sum(mt->kind)) &&
            strlen(mt->name) > SQLGEN_KEY_HOURLY_METRIC_BYTES)
            gen_error(g, mt->loc,
                      "metric '%s' is %zu bytes long: the StarRocks key of the hourly table "
                      "holds metric names of at most %d bytes; shorten the name",
                      mt->name, strlen(mt->name), (int)SQLGEN_KEY_HOURLY_METRIC_BYTES);
    }
}

/* ---- expressions ------------------------------------------------------------ */

/* The start of the hour of a DATETIME expression, over three lines at the
 * indentation of a select item. */
static void hour_floor(Buf *b, const char *expr, const char *indent)
{
    buf_printf(b, "DATE_ADD(\n%s    CAST(DATE(%s) AS DATETIME),\n%s    INTERVAL HOUR(%s) HOUR\n%s)",
               indent, expr, indent, expr, indent);
}

static const char *col_text(Gen *g, const char *alias, const char *name)
{
    Buf b;
    buf_init(&b);
    gen_col(g, &b, alias, name);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

/* Rows of source `so` (alias s) in the window: its partitions of the
 * window's dates and its times in [from_time, to_time). */
static void window_pred(Gen *g, Buf *b, const IrSource *so, const char *indent)
{
    const char *d = col_text(g, "s", so->date_col), *t = col_text(g, "s", so->time_col);
    buf_printf(b, "%s >= {{from_date}} AND %s <= {{to_date}}\n%sAND %s >= {{from_time}} AND "
                  "%s < {{to_time}}",
               d, d, indent, t, t);
}

static void and_cond(Gen *g, Buf *b, const IrCond *c, const char *indent)
{
    if (!c)
        return;
    buf_printf(b, "\n%sAND ", indent);
    gen_cond(g, b, c, "s");
}

static void variations_cte(Gen *g, Buf *b)
{
    buf_puts(b, ",\nvariations AS (\n    SELECT\n        ");
    gen_id(g, b, "tracking_key");
    buf_puts(b, ",\n        ");
    gen_id(g, b, "variation_key");
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_EXPDATA);
    buf_puts(b, "\n    WHERE ");
    gen_tag_pred(g, b, NULL);
    buf_puts(b, "\n)");
}

/* ---- hourly_units ------------------------------------------------------------ */

static void units_body(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    const IrExposure *e = &ir->exposure;
    const IrSource *src = &ir->sources[e->source];
    buf_puts(b, "WITH\n");
    gen_phases_cte(g, b);
    variations_cte(g, b);
    buf_printf(b, ",\n-- exposure events of the window (spec line %d)\nexposures AS (\n"
                  "    SELECT\n        ", e->line);
    gen_col(g, b, "s", e->experiment_col);
    buf_puts(b, " AS `tracking_key`,\n        ");
    gen_col(g, b, "s", src->user_col);
    buf_puts(b, " AS `user_id`,\n        ");
    gen_exposure_variation(g, b, src);
    buf_puts(b, " AS `variation_key`,\n        ");
    gen_col(g, b, "s", src->time_col);
    buf_puts(b, " AS `exposure_time`,\n        ");
    gen_col(g, b, "s", src->date_col);
    buf_puts(b, " AS `exposure_date`\n    FROM ");
    dialect_qualified(g->d, b, src->database, src->table);
    buf_puts(b, " s\n    JOIN phases p ON p.`tracking_key` = ");
    gen_col(g, b, "s", e->experiment_col);
    buf_puts(b, "\n    WHERE ");
    window_pred(g, b, src, "      ");
    const char *t = col_text(g, "s", src->time_col);
    buf_printf(b, "\n      AND %s >= p.`phase_start`\n      AND (p.`phase_end` IS NULL OR %s < "
                  "p.`phase_end`)\n      AND ", t, t);
    gen_col(g, b, "s", src->user_col);
    buf_puts(b, " IS NOT NULL\n      AND ");
    gen_col(g, b, "s", e->experiment_col);
    buf_puts(b, " IS NOT NULL");
    and_cond(g, b, e->filter, "      ");
    and_cond(g, b, src->filter, "      ");
    if (ir->experiments.nkeys > 0) {
        buf_puts(b, "\n      AND ");
        gen_col(g, b, "s", e->experiment_col);
        buf_puts(b, " IN (");
        for (int i = 0; i < ir->experiments.nkeys; i++) {
            if (i)
                buf_puts(b, ", ");
            gen_str(g, b, ir->experiments.keys[i]);
        }
        buf_putc(b, ')');
    }
    buf_puts(b, "\n),\n-- only variation keys the experiment has\nvalid AS (\n"
                "    SELECT x.*\n    FROM exposures x\n"
                "    JOIN variations v ON v.`tracking_key` = x.`tracking_key`\n"
                "        AND v.`variation_key` = x.`variation_key`\n),\n"
                "-- each unit's first exposure in the window\nranked AS (\n    SELECT\n"
                "        x.*,\n        ROW_NUMBER() OVER (\n"
                "            PARTITION BY x.`tracking_key`, x.`user_id`\n"
                "            ORDER BY x.`exposure_time`, x.`variation_key`\n"
                "        ) AS `rn`\n    FROM valid x\n)\n"
                "-- merge: keep the earlier of the known and the new first exposure\nSELECT\n"
                "    n.`tracking_key`,\n    n.`user_id`,\n");
    const char *earlier = "o.`user_id` IS NULL OR n.`exposure_time` < o.`first_exposure_time`";
    buf_printf(b, "    CASE WHEN %s\n        THEN n.`variation_key` ELSE o.`variation_key` END,\n",
               earlier);
    buf_printf(b, "    CASE WHEN %s\n        THEN n.`exposure_time` ELSE o.`first_exposure_time` "
                  "END,\n", earlier);
    buf_printf(b, "    CASE WHEN %s\n        THEN n.`exposure_date` ELSE o.`exposure_date` END\n",
               earlier);
    buf_puts(b, "FROM ranked n\nLEFT JOIN ");
    gen_table(g, b, T_HOURLY_UNIT);
    buf_puts(b, " o ON o.`tracking_key` = n.`tracking_key`\n    AND o.`user_id` = n.`user_id`\n"
                "WHERE n.`rn` = 1");
}

/* ---- hourly_fill -------------------------------------------------------------- */

/* Metrics with an hourly measure: events of their set, and the sum of their
 * value; a ratio (its parts have theirs) and a funnel (ordered steps) have
 * none. */
static bool hourly_events(IrMetricKind k)
{
    return k == MK_PROPORTION || k == MK_COUNT || k == MK_ACTIVE_DAYS || k == MK_RETENTION ||
           k == MK_TIME_TO_EVENT || k == MK_MEAN;
}

static bool hourly_sum(IrMetricKind k)
{
    return k == MK_SUM || k == MK_MEAN || k == MK_QUANTILE;
}

static void calendar_ctes(Buf *b)
{
    buf_puts(b, "WITH\ndigits AS (\n    SELECT 0 AS n");
    for (int i = 1; i < 10; i++)
        buf_printf(b, "\n    UNION ALL SELECT %d", i);
    buf_puts(b, "\n),\n-- 0 .. 99999: hours from the start of the window\nnums AS (\n"
                "    SELECT d1.n + 10 * d2.n + 100 * d3.n + 1000 * d4.n + 10000 * d5.n AS n\n"
                "    FROM digits d1\n    CROSS JOIN digits d2\n    CROSS JOIN digits d3\n"
                "    CROSS JOIN digits d4\n    CROSS JOIN digits d5\n),\n"
                "hours AS (\n    SELECT DATE_ADD(CAST({{from_time}} AS DATETIME), INTERVAL x.n HOUR) "
                "AS h\n    FROM nums x\n"
                "    WHERE DATE_ADD(CAST({{from_time}} AS DATETIME), INTERVAL x.n HOUR) < {{to_time}}\n"
                "),\n");
}

/* A metric with an hourly measure of either kind. */
static bool hourly_measured(const IrMetric *mt)
{
    return hourly_events(mt->kind) || hourly_sum(mt->kind);
}

/* The select items of one branch of the unit-hour union after the unit,
 * variation, hour and user: whether the unit was first exposed in the
 * hour, then per measured metric its event flag (e_m) and value (t_m).
 * Source `src` (-1: the exposure branch) gives its own metrics' items,
 * 0 for every other metric. */
static void branch_items(Gen *g, Buf *b, int src)
{
    const IrSpec *ir = g->ir;
    buf_printf(b, ",\n            %d AS `new`", src < 0 ? 1 : 0);
    for (int m = 0; m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if (!hourly_measured(mt))
            continue;
        bool mine = src >= 0 && mt->set.source == src;
        if (hourly_events(mt->kind)) {
            buf_puts(b, ",\n            ");
            if (mine && mt->set.filter) {
                buf_puts(b, "CASE WHEN ");
                gen_cond(g, b, mt->set.filter, "s");
                buf_puts(b, " THEN 1 ELSE 0 END");
            } else
                buf_puts(b, mine ? "1" : "0");
            buf_printf(b, " AS `e_%d`", m);
        }
        if (hourly_sum(mt->kind)) {
            buf_puts(b, ",\n            ");
            if (mine && mt->set.filter) {
                buf_puts(b, "CASE WHEN ");
                gen_cond(g, b, mt->set.filter, "s");
                buf_puts(b, " THEN ");
                gen_col(g, b, "s", mt->value_col);
                buf_puts(b, " END");
            } else if (mine)
                gen_col(g, b, "s", mt->value_col);
            else
                buf_puts(b, "0");
            buf_printf(b, " AS `t_%d`", m);
        }
    }
}

/* The union branch of source `src`: its rows in the window at or after
 * the unit's exposure that some measured metric counts, one pass for all
 * of them; the unit comes from the unit table's primary key. */
static void source_branch(Gen *g, Buf *b, int src)
{
    const IrSpec *ir = g->ir;
    const IrSource *so = &ir->sources[src];
    buf_printf(b, "\n        UNION ALL\n        -- source %s, read once: the events of ",
               gen_comment_text(g, so->name));
    bool first = true, all = false;
    int nfiltered = 0;
    for (int m = 0; m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if (hourly_measured(mt) && mt->set.source == src) {
            buf_printf(b, "%s%s", first ? "" : ", ", gen_comment_text(g, mt->name));
            first = false;
            all = all || !mt->set.filter;
            nfiltered++;
        }
    }
    buf_puts(b, "\n        -- at or after the unit's exposure\n"
                "        SELECT\n            u.`tracking_key`,\n            u.`variation_key`,\n"
                "            ");
    const char *t = col_text(g, "s", so->time_col);
    hour_floor(b, t, "            ");
    buf_puts(b, " AS `hour`,\n            u.`user_id`");
    branch_items(g, b, src);
    buf_puts(b, "\n        FROM ");
    dialect_qualified(g->d, b, so->database, so->table);
    buf_puts(b, " s\n        CROSS JOIN phases p\n        JOIN ");
    gen_table(g, b, T_HOURLY_UNIT);
    buf_puts(b, " u ON u.`tracking_key` = p.`tracking_key`\n            AND u.`user_id` = ");
    gen_col(g, b, "s", so->user_col);
    buf_puts(b, "\n        WHERE ");
    window_pred(g, b, so, "          ");
    buf_printf(b, "\n          AND %s >= u.`first_exposure_time`\n"
                  "          AND u.`first_exposure_time` >= p.`phase_start`\n"
                  "          AND (p.`phase_end` IS NULL OR %s < p.`phase_end`)", t, t);
    and_cond(g, b, so->filter, "          ");
    if (!all) { /* only rows some metric counts */
        buf_puts(b, nfiltered > 1 ? "\n          AND (" : "\n          AND ");
        first = true;
        for (int m = 0; m < ir->nmetrics; m++) {
            const IrMetric *mt = &ir->metrics[m];
            if (hourly_measured(mt) && mt->set.source == src) {
                buf_puts(b, first ? "" : "\n            OR ");
                first = false;
                gen_cond(g, b, mt->set.filter, "s");
            }
        }
        if (nfiltered > 1)
            buf_putc(b, ')');
    }
}

/* The units of the phase, alias u joined to phases p, with the condition
 * on their first exposure that follows. */
static void phase_units(Gen *g, Buf *b, const char *indent)
{
    buf_puts(b, "FROM ");
    gen_table(g, b, T_HOURLY_UNIT);
    buf_printf(b, " u\n%sJOIN phases p ON p.`tracking_key` = u.`tracking_key`\n"
                  "%sWHERE u.`first_exposure_time` >= p.`phase_start`\n"
                  "%s  AND (p.`phase_end` IS NULL OR u.`first_exposure_time` < p.`phase_end`)\n",
               indent, indent, indent);
}

/* One measure of the series: its metric and measure names, and its value
 * in a row of counts. */
typedef struct Measure {
    const char *metric, *measure, *value;
} Measure;

static void fill_body(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    calendar_ctes(b);
    gen_phases_cte(g, b);
    variations_cte(g, b);
    buf_puts(b, ",\n-- every hour x variation of the window within the experiment's phase\n"
                "grid AS (\n    SELECT\n        h.h AS `hour`,\n        v.`tracking_key`,\n"
                "        v.`variation_key`\n    FROM hours h\n"
                "    JOIN phases p ON DATE_ADD(h.h, INTERVAL 1 HOUR) > p.`phase_start`\n"
                "        AND (p.`phase_end` IS NULL OR h.h < p.`phase_end`)\n"
                "    JOIN variations v ON v.`tracking_key` = p.`tracking_key`\n),\n"
                "-- the units of the phase exposed before the window, per variation\n"
                "earlier AS (\n    SELECT\n        u.`tracking_key`,\n        u.`variation_key`,\n"
                "        COUNT(*) AS n\n    ");
    phase_units(g, b, "    ");
    buf_puts(b, "      AND u.`first_exposure_time` < {{from_time}}\n"
                "    GROUP BY u.`tracking_key`, u.`variation_key`\n),\n"
                "-- per variation and hour of the window: the units first exposed in it, the\n"
                "-- units active in it (exposed, or with an event of a metric), and each\n"
                "-- metric's events and sum; every row of the window is read once\n"
                "totals AS (\n    SELECT\n        x.`tracking_key`,\n        x.`variation_key`,\n"
                "        x.`hour`,\n        SUM(x.`new`) AS `exposures`,\n"
                "        COUNT(DISTINCT x.`user_id`) AS `active_units`");
    for (int m = 0; m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if (hourly_events(mt->kind))
            buf_printf(b, ",\n        SUM(x.`e_%d`) AS `e_%d`", m, m);
        if (hourly_sum(mt->kind))
            buf_printf(b, ",\n        SUM(x.`t_%d`) AS `t_%d`", m, m);
    }
    buf_puts(b, "\n    FROM (\n        -- the units first exposed in the window\n"
                "        SELECT\n            u.`tracking_key`,\n            u.`variation_key`,\n"
                "            ");
    hour_floor(b, "u.`first_exposure_time`", "            ");
    buf_puts(b, " AS `hour`,\n            u.`user_id`");
    branch_items(g, b, -1);
    buf_puts(b, "\n        ");
    phase_units(g, b, "        ");
    buf_puts(b, "          AND u.`first_exposure_time` >= {{from_time}}\n"
                "          AND u.`first_exposure_time` < {{to_time}}");
    for (int src = 0; src < ir->nsources; src++) {
        bool used = false;
        for (int m = 0; m < ir->nmetrics; m++)
            used = used || (hourly_measured(&ir->metrics[m]) && ir->metrics[m].set.source == src);
        if (used)
            source_branch(g, b, src);
    }
    buf_puts(b, "\n    ) x\n    GROUP BY x.`tracking_key`, x.`variation_key`, x.`hour`\n),\n"
                "counts AS (\n    SELECT\n        g.`hour`,\n        g.`tracking_key`,\n"
                "        g.`variation_key`,\n        COALESCE(t.`exposures`, 0) AS `exposures`,\n"
                "        COALESCE(e.n, 0) + SUM(COALESCE(t.`exposures`, 0)) OVER (\n"
                "            PARTITION BY g.`tracking_key`, g.`variation_key`\n"
                "            ORDER BY g.`hour`\n        ) AS `cumulative_exposures`,\n"
                "        COALESCE(t.`active_units`, 0) AS `active_units`");
    for (int m = 0; m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if (hourly_events(mt->kind))
            buf_printf(b, ",\n        COALESCE(t.`e_%d`, 0) AS `e_%d`", m, m);
        if (hourly_sum(mt->kind))
            buf_printf(b, ",\n        COALESCE(t.`t_%d`, 0) AS `t_%d`", m, m);
    }
    buf_puts(b, "\n    FROM grid g\n"
                "    LEFT JOIN totals t ON t.`tracking_key` = g.`tracking_key`\n"
                "        AND t.`variation_key` = g.`variation_key` AND t.`hour` = g.`hour`\n"
                "    LEFT JOIN earlier e ON e.`tracking_key` = g.`tracking_key`\n"
                "        AND e.`variation_key` = g.`variation_key`\n)");
    /* the measures, unpivoted in one pass over counts */
    int n = 3;
    Measure *ms = arena_alloc(g->a, sizeof *ms * (size_t)(3 + 2 * ir->nmetrics));
    ms[0] = (Measure){"", "exposures", "c.`exposures`"};
    ms[1] = (Measure){"", "cumulative_exposures", "c.`cumulative_exposures`"};
    ms[2] = (Measure){"", "active_units", "c.`active_units`"};
    for (int m = 0; m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        if (hourly_events(mt->kind))
            ms[n++] = (Measure){mt->name, "events", arena_printf(g->a, "c.`e_%d`", m)};
        if (hourly_sum(mt->kind))
            ms[n++] = (Measure){mt->name, "sum", arena_printf(g->a, "c.`t_%d`", m)};
    }
    buf_puts(b, ",\n-- the measures of a row: metric, measure\nmeasures AS (");
    for (int k = 0; k < n; k++) {
        buf_printf(b, k ? "\n    UNION ALL SELECT %d, " : "\n    SELECT %d AS k, ", k);
        gen_str(g, b, ms[k].metric);
        buf_puts(b, k ? ", " : " AS `metric`, ");
        gen_str(g, b, ms[k].measure);
        if (!k)
            buf_puts(b, " AS `measure`");
    }
    /* a CTE, so that no join ends the select (MariaDB would read its
     * upsert's ON DUPLICATE KEY as the join's condition) */
    buf_puts(b, "\n),\n-- each row of counts once per measure\nseries AS (\n    SELECT\n"
                "        CAST(c.`hour` AS DATE) AS `event_date`,\n        c.`hour`,\n"
                "        c.`tracking_key`,\n        c.`variation_key`,\n        m.`metric`,\n"
                "        m.`measure`,\n        CASE m.k");
    for (int k = 0; k < n; k++)
        buf_printf(b, "\n            WHEN %d THEN %s", k, ms[k].value);
    buf_puts(b, "\n        END AS `value`\n    FROM counts c\n    CROSS JOIN measures m\n)\n"
                "SELECT\n    `event_date`,\n    `hour`,\n    `tracking_key`,\n"
                "    `variation_key`,\n    `metric`,\n    `measure`,\n    ");
    gen_str(g, b, ir->tag);
    buf_puts(b, ",\n    `value`\nFROM series");
}

/* ---- the steps -------------------------------------------------------------------- */

static void select_list(Gen *g, Buf *b, const char *alias, const char *const *names, int n)
{
    buf_puts(b, "SELECT\n");
    for (int i = 0; i < n; i++) {
        buf_puts(b, "    ");
        gen_col(g, b, alias, names[i]);
        buf_puts(b, i + 1 < n ? ",\n" : "\n");
    }
}

static void load_target(Gen *g, SqlStep *s, int t, const char *const *cols, int n)
{
    Buf q;
    buf_init(&q);
    gen_table(g, &q, t);
    s->load_table = arena_strdup(g->a, q.data);
    s->load_columns = cols;
    s->nload_columns = n;
    buf_free(&q);
}

void gen_hourly(Gen *g)
{
    const IrSpec *ir = g->ir;
    if (!ir->analysis.hourly)
        return;
    SqlStmts st;
    Buf body, b;
    buf_init(&body);
    buf_init(&b);

    SqlStep *s = gen_step(g, SQLSTEP_HOURLY_RESET, "hourly_reset",
                          "full rebuild only: forget the tag's hourly units and rows");
    g->d->delete_where(&b, &g->tables[T_HOURLY_UNIT], "`tracking_key` IS NOT NULL");
    gen_push(g, s, &b);
    buf_reset(&b);
    g->d->delete_where(&b, &g->tables[T_HOURLY], "`tracking_key` IS NOT NULL");
    gen_push(g, s, &b);

    s = gen_step(g, SQLSTEP_HOURLY_UNITS, "hourly_units",
                 "merge the first exposures of [{{from_time}}, {{to_time}}) into the hourly "
                 "units (reads the exposure events of those hours)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_FROM_TIME | SQLP_TO_TIME | SQLP_RUN_ID;
    units_body(g, &body);
    WriteSpec w = {.mode = WRITE_UPSERT, .table = &g->tables[T_HOURLY_UNIT],
                   .label = gen_label(g, "hourly_units"),
                   .comment = "first exposure per unit (hourly series)", .cols = UNIT_COLUMNS,
                   .ncols = NELEM(UNIT_COLUMNS), .body = body.data};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_HOURLY_FILL, "hourly_fill",
                 "upsert every hour x variation x measure of [{{from_time}}, {{to_time}}) "
                 "(after hourly_units; 0 where nothing happened)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_FROM_TIME | SQLP_TO_TIME | SQLP_RUN_ID;
    buf_reset(&body);
    fill_body(g, &body);
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_HOURLY],
                    .label = gen_label(g, "hourly_fill"),
                    .comment = "the hours of the window", .cols = SQLGEN_HOURLY_COLUMNS,
                    .ncols = SQLGEN_HOURLY_NCOLUMNS, .body = body.data};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_HOURLY_CUMULATIVE, "hourly_cumulative",
                 "the cumulative exposures of the hours in [{{from_time}}, {{to_time}}) with the "
                 "variation weights (for the SRM kernel)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_FROM_TIME | SQLP_TO_TIME;
    static const char *const cum_cols[] = {"hour", "tracking_key", "variation_key", "value",
                                           "weight"};
    s->columns = gen_columns(g, cum_cols, NELEM(cum_cols));
    s->ncolumns = NELEM(cum_cols);
    buf_reset(&body);
    buf_puts(&body, "SELECT\n    h.`hour`,\n    h.`tracking_key`,\n    h.`variation_key`,\n"
                    "    h.`value`,\n    d.`weight`\nFROM ");
    gen_table(g, &body, T_HOURLY);
    buf_puts(&body, " h\nJOIN ");
    gen_table(g, &body, T_EXPDATA);
    buf_puts(&body, " d ON ");
    gen_tag_pred(g, &body, "d");
    buf_puts(&body, "\n    AND d.`tracking_key` = h.`tracking_key`\n"
                    "    AND d.`variation_key` = h.`variation_key`\n"
                    "WHERE h.`event_date` >= {{from_date}} AND h.`event_date` <= {{to_date}}\n"
                    "  AND h.`hour` >= {{from_time}} AND h.`hour` < {{to_time}}\n"
                    "  AND h.`metric` = '' AND h.`measure` = 'cumulative_exposures'\n"
                    "ORDER BY h.`tracking_key`, h.`hour`, h.`variation_key`");
    gen_push(g, s, &body);

    s = gen_step(g, SQLSTEP_HOURLY_SRM, "hourly_srm",
                 "upsert the cumulative SRM p-value per experiment and hour ({{values}}: the "
                 "stats kernel's, from hourly_cumulative)");
    s->params = SQLP_VALUES | SQLP_RUN_ID;
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_HOURLY],
                    .label = gen_label(g, "hourly_srm"),
                    .comment = "SRM p-value rows (variation_key '')",
                    .cols = SQLGEN_HOURLY_COLUMNS, .ncols = SQLGEN_HOURLY_NCOLUMNS,
                    .body = "VALUES {{values}}"};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    load_target(g, s, T_HOURLY, SQLGEN_HOURLY_COLUMNS, SQLGEN_HOURLY_NCOLUMNS);

    s = gen_step(g, SQLSTEP_HOURLY_READ, "hourly_read",
                 "the exposures and SRM p-values of the hours from {{from_time}}, with the "
                 "variation weights (for the HTML report)");
    s->params = SQLP_FROM_DATE | SQLP_FROM_TIME;
    static const char *const read_cols[] = {"hour", "tracking_key", "variation_key", "measure",
                                            "value", "weight"};
    s->columns = gen_columns(g, read_cols, NELEM(read_cols));
    s->ncolumns = NELEM(read_cols);
    buf_reset(&body);
    buf_puts(&body, "SELECT\n    h.`hour`,\n    h.`tracking_key`,\n    h.`variation_key`,\n"
                    "    h.`measure`,\n    h.`value`,\n    d.`weight`\nFROM ");
    gen_table(g, &body, T_HOURLY);
    buf_puts(&body, " h\nLEFT JOIN ");
    gen_table(g, &body, T_EXPDATA);
    buf_puts(&body, " d ON ");
    gen_tag_pred(g, &body, "d");
    buf_puts(&body, "\n    AND d.`tracking_key` = h.`tracking_key`\n"
                    "    AND d.`variation_key` = h.`variation_key`\n"
                    "WHERE h.`event_date` >= {{from_date}} AND h.`hour` >= {{from_time}}\n"
                    "  AND h.`metric` = '' AND h.`measure` IN ('exposures', 'srm_p_value')\n"
                    "ORDER BY h.`tracking_key`, h.`hour`, h.`variation_key`");
    gen_push(g, s, &body);

    s = gen_step(g, SQLSTEP_HOURLY_STATE_READ, "hourly_state_read",
                 "the tag's hourly high-water mark (nothing yet: no hour filled)");
    static const char *const state_read_cols[] = {"high_water", "daily_through"};
    s->columns = gen_columns(g, state_read_cols, NELEM(state_read_cols));
    s->ncolumns = NELEM(state_read_cols);
    buf_reset(&body);
    select_list(g, &body, NULL, state_read_cols, NELEM(state_read_cols));
    buf_puts(&body, "FROM ");
    gen_table(g, &body, T_HOURLY_STATE);
    buf_puts(&body, "\nWHERE ");
    gen_tag_pred(g, &body, NULL);
    gen_push(g, s, &body);

    s = gen_step(g, SQLSTEP_HOURLY_STATE_WRITE, "hourly_state_write",
                 "record the tag's hourly high-water mark ({{values}}: one row)");
    s->params = SQLP_VALUES | SQLP_RUN_ID;
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_HOURLY_STATE],
                    .label = gen_label(g, "hourly_state"), .comment = "the tag's row",
                    .cols = SQLGEN_HOURLY_STATE_COLUMNS, .ncols = SQLGEN_HOURLY_STATE_NCOLUMNS,
                    .body = "VALUES {{values}}"};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    load_target(g, s, T_HOURLY_STATE, SQLGEN_HOURLY_STATE_COLUMNS, SQLGEN_HOURLY_STATE_NCOLUMNS);

    buf_free(&b);
    buf_free(&body);
}
