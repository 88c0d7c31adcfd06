/* sqlgen_activity.c — growth analytics of the spec's activity blocks
 * (docs/LANGUAGE.md §15, docs/TABLES.md "Growth analytics").
 *
 * Four per-tag tables, only when the spec has activity blocks:
 *   tbl_activity_day_<module>_<tag>     one row per activity x date x active user
 *   tbl_activity_user_<module>_<tag>    per activity x user: first and last active date
 *   tbl_activity_report_<module>_<tag>  long format: period x breakdown x measure -> value
 *   tbl_activity_cohort_<module>_<tag>  retention triangles: cohort x k -> active users
 * and three steps:
 *   activity_fill     replace the active days of [{{from_date}}, {{to_date}}]
 *                     (the runner sends the whole history on a full run)
 *   activity_state    upsert every user's first and last active date
 *   activity_read     the all-users rows of the periods in
 *                     [{{from_date}}, {{to_date}}], for the memo
 *   activity_publish  replace the report and cohort rows of every period
 *                     starting in [{{from_date}}, {{to_date}}]; the runner
 *                     passes the earlier of the Monday and the 1st of the
 *                     month on or before the first date due, so every
 *                     period a due date falls in is recomputed from the day
 *                     table and incremental runs equal a full one.
 * Weeks start on Monday (ISO), months on the 1st; week and month starts are
 * computed with DAYOFWEEK / DAYOFMONTH, which both dialects spell alike,
 * and the dialect's date_add_expr. */
#include "sqlgen_int.h"

#include <string.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const TableCol day_cols[] = {
    {"event_date", CT_DATE, true, "the day (partition)"},
    {"activity", CT_STR64, true, "activity block name"},
    {"user_id", CT_STR128, true, "a user with an event of the active set that day"},
};

static const TableCol user_cols[] = {
    {"activity", CT_STR64, true, "activity block name"},
    {"user_id", CT_STR128, true, NULL},
    {"first_date", CT_DATE, false, "first active date ever (since the earliest source date)"},
    {"last_date", CT_DATE, false, "last active date"},
};

static const TableCol report_cols[] = {
    {"period", CT_DATE, true, "start of the period: the day, the Monday, the 1st (partition)"},
    {"tag", CT_STR64, true, "spec tag"},
    {"activity", CT_STR64, true, "activity block name"},
    {"grain", CT_STR16, false, "day | week | month"},
    {"breakdown", CT_STR32, false, "'' (all users) | variation"},
    {"breakdown_value", CT_STR255, false, "'' | <tracking key>/<variation key>"},
    {"measure", CT_STR32, false, "dau wau_rolling mau_rolling stickiness wau mau new retained "
                                 "resurrected churned quick_ratio"},
    {"value", CT_DOUBLE, false, "users, or a ratio (NULL when its denominator is 0)"},
};

static const TableCol cohort_cols[] = {
    {"period", CT_DATE, true, "start of the period observed, cohort + k periods (partition)"},
    {"tag", CT_STR64, true, "spec tag"},
    {"activity", CT_STR64, true, "activity block name"},
    {"grain", CT_STR16, false, "week | month"},
    {"cohort", CT_DATE, false, "start of the users' first active period"},
    {"k", CT_INT, false, "periods since the cohort period (0: the cohort period)"},
    {"cohort_size", CT_BIGINT, false, "users whose first active period is the cohort"},
    {"active", CT_BIGINT, false, "of them, active in the period"},
    {"ratio", CT_DOUBLE, false, "active / cohort_size"},
};

static const char *const DAY_COLUMNS[] = {"event_date", "activity", "user_id"};
static const char *const USER_COLUMNS[] = {"activity", "user_id", "first_date", "last_date"};
static const char *const REPORT_COLUMNS[] = {"period", "tag", "activity", "grain", "breakdown",
                                             "breakdown_value", "measure", "value"};
static const char *const COHORT_COLUMNS[] = {"period", "tag", "activity", "grain", "cohort",
                                             "k", "cohort_size", "active", "ratio"};

static void set_table(Gen *g, int t, const char *stem, const TableCol *cols, int ncols,
                      TableKey key, int nkey, TablePart part, const char *comment)
{
    TableDef *d = &g->tables[t];
    d->db = g->tables[T_WIDE].db;
    d->name = arena_printf(g->a, "tbl_activity_%s_%s_%s", stem, g->ir->module, g->ir->tag);
    d->cols = cols;
    d->ncols = ncols;
    d->key = key;
    d->nkey = nkey;
    d->part = part;
    d->part_col = part == TPART_DAY ? cols[0].name : NULL;
    d->dist_col = key == TKEY_PRIMARY ? "user_id" : "activity";
    d->comment = gen_comment_text(g, arena_printf(g->a, "abc: %s of tag %s", comment, g->ir->tag));
    d->replication_num = g->ir->replication_num;
    if (g->d->check_ident(d->name, (char[160]){0}, 160) != ABC_OK || strlen(d->name) > 64)
        gen_error(g, g->ir->activities[0].loc,
                  "the activity table name '%s' is too long (tag and module make it)",
                  gen_comment_text(g, d->name));
}

void gen_activity_tables(Gen *g)
{
    const IrSpec *ir = g->ir;
    if (ir->nactivities == 0)
        return;
    for (int i = 0; i < ir->nactivities; i++) {
        const IrActivity *a = &ir->activities[i];
        if (a->active.source < 0 || a->active.source >= ir->nsources ||
            ir->sources[a->active.source].is_user_table)
            gen_error(g, a->loc, "activity '%s' must read an event source",
                      gen_comment_text(g, a->name));
        else if (a->active.filter)
            gen_check_cond(g, a->active.filter);
        char why[160];
        if (g->d->check_string(a->name, why, sizeof why) != ABC_OK || strstr(a->name, "{{"))
            gen_error(g, a->loc, "activity name cannot be written as a %s string", g->d->name);
    }
    set_table(g, T_ACT_DAY, "day", day_cols, NELEM(day_cols), TKEY_DUPLICATE, 3, TPART_DAY,
              "active users per activity and day");
    set_table(g, T_ACT_USER, "user", user_cols, NELEM(user_cols), TKEY_PRIMARY, 2, TPART_NONE,
              "first and last active date per activity and user");
    set_table(g, T_ACT_REPORT, "report", report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3,
              TPART_DAY, "growth measures per activity, period and breakdown");
    set_table(g, T_ACT_COHORT, "cohort", cohort_cols, NELEM(cohort_cols), TKEY_DUPLICATE, 3,
              TPART_DAY, "retention triangles per activity");
}

/* ---- date expressions ------------------------------------------------------ */

static void add_days(Gen *g, Buf *b, const char *date, const char *days)
{
    g->d->date_add_expr(b, date, days);
}

/* The Monday on or before `date` (an expression evaluated twice). */
static void week_start(Gen *g, Buf *b, const char *date)
{
    char *days = arena_printf(g->a, "-((DAYOFWEEK(%s) + 5) %% 7)", date);
    add_days(g, b, date, days);
}

/* The first of the month of `date`. */
static void month_start(Gen *g, Buf *b, const char *date)
{
    char *days = arena_printf(g->a, "1 - DAYOFMONTH(%s)", date);
    add_days(g, b, date, days);
}

/* The start of the grain's period containing `date`; grain is an SQL
 * expression whose value is 'week' or 'month'. */
static void period_start(Gen *g, Buf *b, const char *grain, const char *date)
{
    buf_printf(b, "CASE WHEN %s = 'week' THEN ", grain);
    week_start(g, b, date);
    buf_puts(b, " ELSE ");
    month_start(g, b, date);
    buf_puts(b, " END");
}

static const char *addn(Gen *g, const char *date, int n)
{
    Buf b;
    buf_init(&b);
    add_days(g, &b, date, arena_printf(g->a, "%d", n));
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

static const char *tmp(Gen *g, void (*fn)(Gen *, Buf *, const char *), const char *date)
{
    Buf b;
    buf_init(&b);
    fn(g, &b, date);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

/* digits, bounds (lo, hi), days (every date of [lo, hi]) and periods
 * (grain, period: every day, Monday and 1st of the month in [lo, hi]). */
static void calendar_ctes(Gen *g, Buf *b)
{
    buf_puts(b, "WITH\ndigits AS (\n    SELECT 0 AS n");
    for (int i = 1; i < 10; i++)
        buf_printf(b, " UNION ALL SELECT %d", i);
    buf_puts(b, "\n),\n-- lo: the first period start recomputed (the runner passes the earlier of\n"
                "-- the Monday and the 1st of the month on or before the first date due)\n"
                "bounds AS (\n    SELECT CAST({{from_date}} AS DATE) AS lo, CAST({{to_date}} AS DATE) AS hi\n"
                "),\ndays AS (\n    SELECT ");
    const char *n = "d1.n + 10 * d2.n + 100 * d3.n + 1000 * d4.n";
    add_days(g, b, "b.lo", n);
    buf_puts(b, " AS d\n    FROM bounds b CROSS JOIN digits d1 CROSS JOIN digits d2 CROSS JOIN "
                "digits d3 CROSS JOIN digits d4\n    WHERE ");
    add_days(g, b, "b.lo", n);
    buf_puts(b, " <= b.hi\n),\nperiods AS (\n    SELECT 'day' AS grain, d AS period FROM days\n"
                "    UNION ALL SELECT 'week', d FROM days WHERE DAYOFWEEK(d) = 2\n"
                "    UNION ALL SELECT 'month', d FROM days WHERE DAYOFMONTH(d) = 1\n)");
}

/* ---- activity_fill ------------------------------------------------------- */

static void fill_body(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    for (int i = 0; i < ir->nactivities; i++) {
        const IrActivity *a = &ir->activities[i];
        const IrSource *src = &ir->sources[a->active.source];
        if (i)
            buf_puts(b, "\nUNION ALL\n");
        buf_printf(b, "-- activity %s: the active events\nSELECT ", gen_comment_text(g, a->name));
        gen_col(g, b, "s", src->date_col);
        buf_puts(b, ", ");
        gen_str(g, b, a->name);
        buf_puts(b, ", ");
        gen_col(g, b, "s", src->user_col);
        buf_puts(b, "\nFROM ");
        dialect_qualified(g->d, b, src->database, src->table);
        buf_puts(b, " s\nWHERE ");
        gen_col(g, b, "s", src->date_col);
        buf_puts(b, " >= {{from_date}} AND ");
        gen_col(g, b, "s", src->date_col);
        buf_puts(b, " <= {{to_date}}\n  AND ");
        gen_col(g, b, "s", src->user_col);
        buf_puts(b, " IS NOT NULL");
        if (src->filter) {
            buf_puts(b, "\n  AND ");
            gen_cond(g, b, src->filter, "s");
        }
        if (a->active.filter) {
            buf_puts(b, "\n  AND ");
            gen_cond(g, b, a->active.filter, "s");
        }
        buf_puts(b, "\nGROUP BY ");
        gen_col(g, b, "s", src->date_col);
        buf_puts(b, ", ");
        gen_col(g, b, "s", src->user_col);
    }
}

/* ---- activity_publish: the report rows ----------------------------------- */

/* One activity's CTEs, suffixed _<i>. */
static void report_ctes(Gen *g, Buf *b, int i)
{
    const IrActivity *a = &g->ir->activities[i];
    Buf name;
    buf_init(&name);
    gen_str(g, &name, a->name);
    buf_printf(b, ",\n-- activity %s: active user-days from 31 days before lo "
                  "(rolling windows, the previous month)\nud_%d AS (\n"
                  "    SELECT '' AS breakdown, '' AS breakdown_value, x.",
               gen_comment_text(g, a->name), i);
    gen_id(g, b, "event_date");
    buf_puts(b, " AS d, x.");
    gen_id(g, b, "user_id");
    buf_puts(b, " AS u\n    FROM ");
    gen_table(g, b, T_ACT_DAY);
    buf_puts(b, " x CROSS JOIN bounds b\n    WHERE x.");
    gen_id(g, b, "activity");
    buf_printf(b, " = %s AND x.", name.data);
    gen_id(g, b, "event_date");
    buf_puts(b, " >= ");
    add_days(g, b, "b.lo", "-31");
    buf_puts(b, " AND x.");
    gen_id(g, b, "event_date");
    buf_puts(b, " <= b.hi");
    if (a->by_variation) {
        buf_puts(b, "\n    UNION ALL\n    -- per variation: a user's active days from its exposure date on\n"
                    "    SELECT 'variation', CONCAT(e.");
        gen_id(g, b, "tracking_key");
        buf_puts(b, ", '/', e.");
        gen_id(g, b, "variation_key");
        buf_puts(b, "), x.");
        gen_id(g, b, "event_date");
        buf_puts(b, ", x.");
        gen_id(g, b, "user_id");
        buf_puts(b, "\n    FROM ");
        gen_table(g, b, T_ACT_DAY);
        buf_puts(b, " x\n    JOIN ");
        gen_table(g, b, T_ASSIGN);
        buf_puts(b, " e ON ");
        gen_tag_pred(g, b, "e");
        buf_puts(b, " AND e.");
        gen_id(g, b, "user_id");
        buf_puts(b, " = x.");
        gen_id(g, b, "user_id");
        buf_puts(b, " AND x.");
        gen_id(g, b, "event_date");
        buf_puts(b, " >= e.");
        gen_id(g, b, "exposure_date");
        buf_puts(b, "\n    CROSS JOIN bounds b\n    WHERE x.");
        gen_id(g, b, "activity");
        buf_printf(b, " = %s AND x.", name.data);
        gen_id(g, b, "event_date");
        buf_puts(b, " >= ");
        add_days(g, b, "b.lo", "-31");
        buf_puts(b, " AND x.");
        gen_id(g, b, "event_date");
        buf_puts(b, " <= b.hi");
    }
    buf_printf(b, "\n),\n-- the breakdowns, each from its first period on\nbk_%d AS (\n"
                  "    SELECT '' AS breakdown, '' AS breakdown_value, b.lo AS since FROM bounds b", i);
    if (a->by_variation) {
        buf_puts(b, "\n    UNION ALL\n    SELECT 'variation', CONCAT(e.");
        gen_id(g, b, "tracking_key");
        buf_puts(b, ", '/', e.");
        gen_id(g, b, "variation_key");
        buf_puts(b, "), MIN(e.");
        gen_id(g, b, "exposure_date");
        buf_puts(b, ")\n    FROM ");
        gen_table(g, b, T_ASSIGN);
        buf_puts(b, " e CROSS JOIN bounds b\n    WHERE ");
        gen_tag_pred(g, b, "e");
        buf_puts(b, " AND e.");
        gen_id(g, b, "exposure_date");
        buf_puts(b, " <= b.hi\n    GROUP BY e.");
        gen_id(g, b, "tracking_key");
        buf_puts(b, ", e.");
        gen_id(g, b, "variation_key");
    }
    buf_printf(b, "\n),\n-- every period x breakdown reported (0 when nobody was active)\n"
                  "grid_%d AS (\n    SELECT p.grain, p.period, k.breakdown, k.breakdown_value\n"
                  "    FROM periods p CROSS JOIN bk_%d k\n    WHERE p.period >= CASE WHEN p.grain = 'day' THEN k.since ELSE ",
               i, i);
    period_start(g, b, "p.grain", "k.since");
    buf_printf(b, " END\n),\n-- users active per week and month\nup_%d AS (\n"
                  "    SELECT DISTINCT 'week' AS grain, %s AS period, breakdown, breakdown_value, u FROM ud_%d\n"
                  "    UNION ALL\n"
                  "    SELECT DISTINCT 'month', %s, breakdown, breakdown_value, u FROM ud_%d\n),\n",
               i, tmp(g, week_start, "d"), i, tmp(g, month_start, "d"), i);
    const char *next_week = addn(g, "period", 7);
    const char *next_month = tmp(g, month_start, addn(g, "period", 31));
    buf_printf(b, "-- day grain: distinct users active that day, in the 7 and the 28 days ending on it\n"
                  "m_day_%d AS (\n    SELECT g.period, g.breakdown, g.breakdown_value,\n"
                  "           COUNT(DISTINCT CASE WHEN x.d = g.period THEN x.u END) AS dau,\n"
                  "           COUNT(DISTINCT CASE WHEN x.d >= %s THEN x.u END) AS wau_rolling,\n"
                  "           COUNT(DISTINCT x.u) AS mau_rolling\n"
                  "    FROM grid_%d g\n    LEFT JOIN ud_%d x ON x.breakdown = g.breakdown AND "
                  "x.breakdown_value = g.breakdown_value\n"
                  "        AND x.d >= %s AND x.d <= g.period\n"
                  "    WHERE g.grain = 'day'\n"
                  "    GROUP BY g.period, g.breakdown, g.breakdown_value\n),\n",
               i, addn(g, "g.period", -6), i, i, addn(g, "g.period", -27));
    buf_printf(b, "-- per user and period: active in it (cur), active in the previous one (prv)\n"
                  "flags_%d AS (\n    SELECT grain, period, breakdown, breakdown_value, u, MAX(cur) AS cur, MAX(prv) AS prv\n"
                  "    FROM (\n        SELECT grain, period, breakdown, breakdown_value, u, 1 AS cur, 0 AS prv FROM up_%d\n"
                  "        UNION ALL\n"
                  "        SELECT grain, CASE WHEN grain = 'week' THEN %s ELSE %s END,\n"
                  "               breakdown, breakdown_value, u, 0, 1 FROM up_%d\n"
                  "    ) t\n    GROUP BY grain, period, breakdown, breakdown_value, u\n),\n",
               i, i, next_week, next_month, i);
    Buf fp, col;
    buf_init(&fp);
    buf_init(&col);
    gen_col(g, &col, "s", "first_date");
    period_start(g, &fp, "g.grain", col.data);
    buf_free(&col);
    buf_printf(b, "-- week and month: active users and growth accounting (new: first active period ever)\n"
                  "m_per_%d AS (\n    SELECT g.grain, g.period, g.breakdown, g.breakdown_value,\n"
                  "           SUM(CASE WHEN f.cur = 1 THEN 1 ELSE 0 END) AS active,\n"
                  "           SUM(CASE WHEN f.cur = 1 AND %s = g.period THEN 1 ELSE 0 END) AS new_users,\n"
                  "           SUM(CASE WHEN f.cur = 1 AND f.prv = 1 THEN 1 ELSE 0 END) AS retained,\n"
                  "           SUM(CASE WHEN f.cur = 1 AND f.prv = 0 AND %s < g.period THEN 1 ELSE 0 END) AS resurrected,\n"
                  "           SUM(CASE WHEN f.cur = 0 AND f.prv = 1 THEN 1 ELSE 0 END) AS churned\n"
                  "    FROM grid_%d g\n    LEFT JOIN flags_%d f ON f.grain = g.grain AND f.period = g.period\n"
                  "        AND f.breakdown = g.breakdown AND f.breakdown_value = g.breakdown_value\n"
                  "    LEFT JOIN ",
               i, fp.data, fp.data, i, i);
    gen_table(g, b, T_ACT_USER);
    buf_puts(b, " s ON s.");
    gen_id(g, b, "activity");
    buf_printf(b, " = %s AND s.", name.data);
    gen_id(g, b, "user_id");
    buf_puts(b, " = f.u\n    WHERE g.grain <> 'day'\n"
                "    GROUP BY g.grain, g.period, g.breakdown, g.breakdown_value\n)");
    buf_free(&fp);
    buf_free(&name);
}

/* One activity's rows of the final SELECT. */
static void report_select(Gen *g, Buf *b, int i, bool *first)
{
    const IrActivity *a = &g->ir->activities[i];
    Buf head;
    buf_init(&head);
    gen_str(g, &head, g->ir->tag);
    buf_puts(&head, ", ");
    gen_str(g, &head, a->name);
    struct {
        unsigned need;
        const char *sql;
    } rows[] = {
        {ACT_DAU, "'day', breakdown, breakdown_value, 'dau', dau FROM m_day_%d"},
        {ACT_WAU, "'day', breakdown, breakdown_value, 'wau_rolling', wau_rolling FROM m_day_%d"},
        {ACT_MAU, "'day', breakdown, breakdown_value, 'mau_rolling', mau_rolling FROM m_day_%d"},
        {ACT_DAU | ACT_MAU, "'day', breakdown, breakdown_value, 'stickiness', "
                            "CASE WHEN mau_rolling > 0 THEN 1e0 * dau / mau_rolling END FROM m_day_%d"},
        {ACT_WAU, "grain, breakdown, breakdown_value, 'wau', active FROM m_per_%d WHERE grain = 'week'"},
        {ACT_MAU, "grain, breakdown, breakdown_value, 'mau', active FROM m_per_%d WHERE grain = 'month'"},
        {ACT_GROWTH, "grain, breakdown, breakdown_value, 'new', new_users FROM m_per_%d"},
        {ACT_GROWTH, "grain, breakdown, breakdown_value, 'retained', retained FROM m_per_%d"},
        {ACT_GROWTH, "grain, breakdown, breakdown_value, 'resurrected', resurrected FROM m_per_%d"},
        {ACT_GROWTH, "grain, breakdown, breakdown_value, 'churned', churned FROM m_per_%d"},
        {ACT_GROWTH, "grain, breakdown, breakdown_value, 'quick_ratio', CASE WHEN churned > 0 THEN "
                     "1e0 * (new_users + resurrected) / churned END FROM m_per_%d"},
    };
    for (int r = 0; r < NELEM(rows); r++) {
        if ((a->reports & rows[r].need) != rows[r].need)
            continue;
        buf_puts(b, *first ? "\nSELECT period, " : "\nUNION ALL SELECT period, ");
        *first = false;
        buf_printf(b, "%s, ", head.data);
        buf_printf(b, rows[r].sql, i);
    }
    buf_free(&head);
}

/* ---- activity_publish: the cohort rows ----------------------------------- */

static bool any_cohorts(const IrSpec *ir)
{
    for (int i = 0; i < ir->nactivities; i++)
        if (ir->activities[i].reports & (ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY))
            return true;
    return false;
}

static void cohort_ctes(Gen *g, Buf *b, int i)
{
    const IrActivity *a = &g->ir->activities[i];
    Buf name, grains;
    buf_init(&name);
    buf_init(&grains);
    gen_str(g, &name, a->name);
    if (a->reports & ACT_COHORTS_WEEKLY)
        buf_puts(&grains, "'week'");
    if (a->reports & ACT_COHORTS_MONTHLY)
        buf_printf(&grains, "%s'month'", grains.len ? ", " : "");
    Buf fd;
    buf_init(&fd);
    gen_id(g, &fd, "first_date");
    buf_printf(b, ",\n-- activity %s: users by the period of their first active date\n"
                  "coh_%d AS (\n    SELECT 'week' AS grain, %s AS cohort, s.",
               gen_comment_text(g, a->name), i, tmp(g, week_start, arena_printf(g->a, "s.%s", fd.data)));
    gen_id(g, b, "user_id");
    buf_puts(b, " AS u\n    FROM ");
    gen_table(g, b, T_ACT_USER);
    buf_puts(b, " s CROSS JOIN bounds b\n    WHERE s.");
    gen_id(g, b, "activity");
    buf_printf(b, " = %s AND s.%s <= b.hi\n    UNION ALL\n    SELECT 'month', %s, s.", name.data,
               fd.data, tmp(g, month_start, arena_printf(g->a, "s.%s", fd.data)));
    gen_id(g, b, "user_id");
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_ACT_USER);
    buf_puts(b, " s CROSS JOIN bounds b\n    WHERE s.");
    gen_id(g, b, "activity");
    buf_printf(b, " = %s AND s.%s <= b.hi\n),\n", name.data, fd.data);
    Buf ed;
    buf_init(&ed);
    gen_col(g, &ed, "x", "event_date");
    buf_printf(b, "-- users active per period from lo\nact_%d AS (\n"
                  "    SELECT DISTINCT 'week' AS grain, %s AS period, x.",
               i, tmp(g, week_start, ed.data));
    gen_id(g, b, "user_id");
    buf_puts(b, " AS u\n    FROM ");
    gen_table(g, b, T_ACT_DAY);
    buf_puts(b, " x CROSS JOIN bounds b\n    WHERE x.");
    gen_id(g, b, "activity");
    buf_printf(b, " = %s AND %s >= b.lo AND %s <= b.hi\n    UNION ALL\n"
                  "    SELECT DISTINCT 'month', %s, x.",
               name.data, ed.data, ed.data, tmp(g, month_start, ed.data));
    gen_id(g, b, "user_id");
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_ACT_DAY);
    buf_puts(b, " x CROSS JOIN bounds b\n    WHERE x.");
    gen_id(g, b, "activity");
    buf_printf(b, " = %s AND %s >= b.lo AND %s <= b.hi\n),\n", name.data, ed.data, ed.data);
    buf_free(&ed);
    buf_printf(b, "sizes_%d AS (\n    SELECT grain, cohort, COUNT(*) AS cohort_size FROM coh_%d "
                  "WHERE grain IN (%s) GROUP BY grain, cohort\n),\n"
                  "hits_%d AS (\n    SELECT c.grain, c.cohort, x.period, COUNT(*) AS active\n"
                  "    FROM coh_%d c JOIN act_%d x ON x.grain = c.grain AND x.u = c.u\n"
                  "    GROUP BY c.grain, c.cohort, x.period\n),\n"
                  "-- every cohort x period from the cohort on (0 when nobody came back)\n"
                  "cells_%d AS (\n    SELECT p.grain, p.period, z.cohort, z.cohort_size,\n"
                  "           CASE WHEN p.grain = 'week' THEN FLOOR(DATEDIFF(p.period, z.cohort) / 7)\n"
                  "                ELSE (YEAR(p.period) - YEAR(z.cohort)) * 12 + MONTH(p.period) - MONTH(z.cohort) END AS k,\n"
                  "           COALESCE(h.active, 0) AS active\n"
                  "    FROM periods p\n    JOIN sizes_%d z ON z.grain = p.grain AND z.cohort <= p.period\n"
                  "    LEFT JOIN hits_%d h ON h.grain = p.grain AND h.cohort = z.cohort AND h.period = p.period\n)",
               i, i, grains.data, i, i, i, i, i, i);
    buf_free(&fd);
    buf_free(&grains);
    buf_free(&name);
}

void gen_activity(Gen *g)
{
    const IrSpec *ir = g->ir;
    if (ir->nactivities == 0)
        return;
    SqlStmts st;
    Buf body;
    buf_init(&body);

    SqlStep *s = gen_step(g, SQLSTEP_ACTIVITY_FILL, "activity_fill",
                          "replace the active users of the days in [{{from_date}}, {{to_date}}] "
                          "(after the fills; a full run: every source date)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    fill_body(g, &body);
    WriteSpec w = {.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_DAY],
                   .part_col = "event_date", .lo = "{{from_date}}", .hi = "{{to_date}}",
                   .label = gen_label(g, "activity_fill"),
                   .comment = "active users per activity and day", .cols = DAY_COLUMNS,
                   .ncols = NELEM(DAY_COLUMNS), .body = body.data};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_STATE, "activity_state",
                 "upsert every user's first and last active date (after activity_fill)");
    s->params = SQLP_RUN_ID;
    buf_reset(&body);
    buf_puts(&body, "SELECT ");
    gen_id(g, &body, "activity");
    buf_puts(&body, ", ");
    gen_id(g, &body, "user_id");
    buf_puts(&body, ", MIN(");
    gen_id(g, &body, "event_date");
    buf_puts(&body, "), MAX(");
    gen_id(g, &body, "event_date");
    buf_puts(&body, ")\nFROM ");
    gen_table(g, &body, T_ACT_DAY);
    buf_puts(&body, "\nGROUP BY ");
    gen_id(g, &body, "activity");
    buf_puts(&body, ", ");
    gen_id(g, &body, "user_id");
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_ACT_USER],
                    .label = gen_label(g, "activity_state"),
                    .comment = "first and last active date per user", .cols = USER_COLUMNS,
                    .ncols = NELEM(USER_COLUMNS), .body = body.data};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_PUBLISH, "activity_publish",
                 g->d->id == DIALECT_MARIADB
                     ? "replace the growth report and cohort rows of the periods starting in "
                       "[{{from_date}}, {{to_date}}], in one transaction"
                     : "replace the growth report and cohort rows of the periods starting in "
                       "[{{from_date}}, {{to_date}}], table after table");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    buf_reset(&body);
    calendar_ctes(g, &body);
    for (int i = 0; i < ir->nactivities; i++)
        report_ctes(g, &body, i);
    bool first = true;
    for (int i = 0; i < ir->nactivities; i++)
        report_select(g, &body, i, &first);
    if (first) /* no measure asked for: no rows */
        buf_puts(&body, "\nSELECT period, '', '', '', '', '', '', 0 FROM periods WHERE 1 = 0");
    WriteSpec ws[2];
    int nw = 0;
    ws[nw++] = (WriteSpec){.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_REPORT],
                           .part_col = "period", .lo = "{{from_date}}", .hi = "{{to_date}}",
                           .label = gen_label(g, "activity_report"),
                           .comment = "growth measures of the periods due", .cols = REPORT_COLUMNS,
                           .ncols = NELEM(REPORT_COLUMNS), .body = body.data};
    Buf cb;
    buf_init(&cb);
    if (any_cohorts(ir)) {
        calendar_ctes(g, &cb);
        bool firstc = true;
        for (int i = 0; i < ir->nactivities; i++)
            if (ir->activities[i].reports & (ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY))
                cohort_ctes(g, &cb, i);
        for (int i = 0; i < ir->nactivities; i++) {
            const IrActivity *a = &ir->activities[i];
            if (!(a->reports & (ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY)))
                continue;
            buf_puts(&cb, firstc ? "\nSELECT period, " : "\nUNION ALL SELECT period, ");
            firstc = false;
            gen_str(g, &cb, ir->tag);
            buf_puts(&cb, ", ");
            gen_str(g, &cb, a->name);
            buf_printf(&cb, ", grain, cohort, k, cohort_size, active, 1e0 * active / cohort_size "
                            "FROM cells_%d", i);
        }
        ws[nw++] = (WriteSpec){.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_COHORT],
                               .part_col = "period", .lo = "{{from_date}}", .hi = "{{to_date}}",
                               .label = gen_label(g, "activity_cohort"),
                               .comment = "retention triangle cells of the periods due",
                               .cols = COHORT_COLUMNS, .ncols = NELEM(COHORT_COLUMNS),
                               .body = cb.data};
    }
    sql_stmts_init(&st, g->a);
    g->d->write_together(&st, ws, nw);
    gen_push_stmts(g, s, &st);
    buf_free(&cb);

    s = gen_step(g, SQLSTEP_ACTIVITY_READ, "activity_read",
                 "the all-users growth rows of the periods starting in [{{from_date}}, "
                 "{{to_date}}] (after activity_publish, for the memo)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
    static const char *const read_cols[] = {"activity", "grain", "period", "measure", "value"};
    SqlColumn *cols = arena_alloc(g->a, sizeof read_cols / sizeof read_cols[0] * sizeof *cols);
    for (int i = 0; i < NELEM(read_cols); i++)
        cols[i] = (SqlColumn){read_cols[i], -1, read_cols[i]};
    s->columns = cols;
    s->ncolumns = NELEM(read_cols);
    buf_reset(&body);
    buf_puts(&body, "SELECT ");
    for (int i = 0; i < NELEM(read_cols); i++) {
        if (i)
            buf_puts(&body, ", ");
        gen_id(g, &body, read_cols[i]);
    }
    buf_puts(&body, "\nFROM ");
    gen_table(g, &body, T_ACT_REPORT);
    buf_puts(&body, "\nWHERE ");
    gen_tag_pred(g, &body, NULL);
    buf_puts(&body, " AND ");
    gen_id(g, &body, "breakdown");
    buf_puts(&body, " = '' AND ");
    gen_id(g, &body, "period");
    buf_puts(&body, " >= {{from_date}} AND ");
    gen_id(g, &body, "period");
    buf_puts(&body, " <= {{to_date}}\nORDER BY ");
    for (int i = 0; i < NELEM(read_cols) - 1; i++) {
        if (i)
            buf_puts(&body, ", ");
        gen_id(g, &body, read_cols[i]); /* activity, grain, period, measure */
    }
    gen_push(g, s, &body);
    buf_free(&body);
}
