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
#include "dialect_common.h"
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
    {"breakdown_value", CT_STR255, false,
     "'' | <tracking key>/<variation key>, keys percent-encoded (TABLES.md)"},
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

static const TableCol wday_cols[] = {
    {"activity", CT_STR64, true, "activity block name"},
    {"breakdown", CT_STR32, true, "'' (all users) | variation"},
    {"breakdown_value", CT_STR255, true, "'' | <tracking key>/<variation key>, keys percent-encoded"},
    {"user_id", CT_STR128, false, NULL},
    {"d", CT_DATE, false, "an active day"},
    {"next_d", CT_DATE, false, "the user's next active day (NULL: none up to the run's last date)"},
};

static const TableCol wper_cols[] = {
    {"activity", CT_STR64, true, "activity block name"},
    {"grain", CT_STR16, true, "week | month"},
    {"period", CT_DATE, true, "the Monday or the 1st"},
    {"breakdown", CT_STR32, false, "'' (all users) | variation"},
    {"breakdown_value", CT_STR255, false, "'' | <tracking key>/<variation key>, keys percent-encoded"},
    {"user_id", CT_STR128, false, "a user active in the period"},
};

static const char *const WDAY_COLUMNS[] = {"activity", "breakdown", "breakdown_value", "user_id",
                                           "d", "next_d"};
static const char *const WPER_COLUMNS[] = {"activity", "grain", "period", "breakdown",
                                           "breakdown_value", "user_id"};
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
    set_table(g, T_ACT_WDAY, "wday", wday_cols, NELEM(wday_cols), TKEY_DUPLICATE, 3, TPART_NONE,
              "work table of activity_stage: active days with the next one");
    set_table(g, T_ACT_WPER, "wper", wper_cols, NELEM(wper_cols), TKEY_DUPLICATE, 3, TPART_NONE,
              "work table of activity_stage: users active per week and month");
    set_table(g, T_ACT_RSTAGE, "rstage", report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3,
              TPART_NONE, "growth report rows staged for the next publish");
    set_table(g, T_ACT_CSTAGE, "cstage", cohort_cols, NELEM(cohort_cols), TKEY_DUPLICATE, 3,
              TPART_NONE, "retention triangle cells staged for the next publish");
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

/* ---- activity_stage --------------------------------------------------------
 * Four statements over work tables, each reading what it needs once (a CTE
 * named twice is evaluated twice on MariaDB):
 *   wday    every active day of [lo - 31, hi] per activity, breakdown and
 *           user, with the user's next active day there (LEAD)
 *   wper    the users active per week and month, from wday
 *   rstage  the report rows of the periods starting in [lo, hi]: rolling
 *           distinct users as running sums of +1 on an active day and -1
 *           where its window ends (the day after for DAU, 7 and 28 days on
 *           for WAU and MAU, or earlier at the user's next active day, whose
 *           own window takes over), so each active day adds four rows;
 *           week and month growth accounting from wper and the user state
 *   cstage  the retention triangle cells of the weeks and months starting
 *           in [lo, hi], from wper and the user state
 * lo and hi are {{from_date}} and {{to_date}}; the runner passes lo on or
 * before the Monday and the 1st of the month of the first date due. */

static const char *idq(Gen *g, const char *alias, const char *name)
{
    Buf b;
    buf_init(&b);
    if (alias)
        gen_col(g, &b, alias, name);
    else
        gen_id(g, &b, name);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

static const char *tname(Gen *g, int t)
{
    Buf b;
    buf_init(&b);
    gen_table(g, &b, t);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

static const char *lit(Gen *g, const char *s)
{
    Buf b;
    buf_init(&b);
    gen_str(g, &b, s);
    const char *r = arena_strdup(g->a, b.data);
    buf_free(&b);
    return r;
}

/* The start of the period (grain: an SQL expression, 'week' or 'month')
 * containing `date`, on three lines indented by `ind` spaces. */
static const char *pstart(Gen *g, const char *grain, const char *date, int ind)
{
    return arena_printf(g->a, "CASE WHEN %s = 'week'\n%*sTHEN %s\n%*sELSE %s\n%*sEND", grain,
                        ind + 4, "", tmp(g, week_start, date), ind + 4, "",
                        tmp(g, month_start, date), ind, "");
}

/* The start of the period after `period` (a Monday or a 1st; both
 * dialects add a month to a date alike). */
static const char *pnext(Gen *g, const char *grain, const char *period, int ind)
{
    return arena_printf(g->a, "CASE WHEN %s = 'week'\n%*sTHEN %s\n"
                              "%*sELSE CAST(DATE_ADD(%s, INTERVAL 1 MONTH) AS DATE)\n%*sEND",
                        grain, ind + 4, "", addn(g, period, 7), ind + 4, "", period, ind, "");
}

/* `<tracking key>/<variation key>`, each key percent-encoded as far as
 * needed to split the value at its one slash: % written %25, / written %2F. */
static const char *variation_value(Gen *g, const char *alias, int ind)
{
    return arena_printf(g->a,
                        "CONCAT(REPLACE(REPLACE(%s, '%%', '%%25'), '/', '%%2F'),\n%*s'/',\n"
                        "%*sREPLACE(REPLACE(%s, '%%', '%%25'), '/', '%%2F'))",
                        idq(g, alias, "tracking_key"), ind + 7, "", ind + 7, "",
                        idq(g, alias, "variation_key"));
}

enum { ACT_PERIODS = ACT_WAU | ACT_MAU | ACT_GROWTH | ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY,
       ACT_DAYS = ACT_DAU | ACT_WAU | ACT_MAU,
       ACT_COHORTS = ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY };

/* `col IN ('a', 'b')` over the activities with any of `need` (and by
 * variation when by_var), wrapped to stay within the line width; FALSE
 * (1 = 0) when there is none. */
static const char *name_in(Gen *g, const char *col, unsigned need, bool by_var, int ind)
{
    Buf b;
    buf_init(&b);
    int n = 0;
    size_t line = 0;
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        if (!(a->reports & need) || (by_var && !a->by_variation))
            continue;
        const char *s = lit(g, a->name);
        if (n == 0) {
            buf_printf(&b, "%s IN (", col);
        } else if (b.len - line + strlen(s) + ind > 90) {
            buf_printf(&b, ",\n%*s", ind + 4, "");
            line = b.len - (size_t)(ind + 4);
        } else {
            buf_puts(&b, ", ");
        }
        buf_puts(&b, s);
        n++;
    }
    buf_puts(&b, n ? ")" : "1 = 0");
    const char *r = arena_strdup(g->a, b.data);
    buf_free(&b);
    return r;
}

static bool any_report(const IrSpec *ir, unsigned need)
{
    for (int i = 0; i < ir->nactivities; i++)
        if (ir->activities[i].reports & need)
            return true;
    return false;
}

/* A work or stage table replaced by the rows of `body`: TRUNCATE + INSERT
 * on MariaDB, one INSERT OVERWRITE of the whole (unpartitioned) table on
 * StarRocks. */
static void work_write(Gen *g, SqlStmts *st, int t, const char *const *cols, int ncols,
                       const char *label, const char *comment, const char *body)
{
    Buf b;
    buf_init(&b);
    if (g->d->id == DIALECT_MARIADB) {
        buf_puts(&b, "TRUNCATE TABLE ");
        gen_table(g, &b, t);
        sql_stmts_push(st, &b);
        buf_reset(&b);
        dialect_comment_line(&b, comment);
        buf_puts(&b, "INSERT INTO ");
        gen_table(g, &b, t);
    } else {
        dialect_comment_line(&b, comment);
        buf_puts(&b, "INSERT OVERWRITE ");
        gen_table(g, &b, t);
        buf_puts(&b, "\nWITH LABEL ");
        gen_id(g, &b, gen_label(g, label));
    }
    buf_puts(&b, "\n(");
    dialect_ident_list(g->d, &b, cols, ncols);
    buf_printf(&b, ")\n%s", body);
    sql_stmts_push(st, &b);
    buf_free(&b);
}

/* WITH digits, nums, days (every date of [lo, hi]); the caller continues
 * the list. */
static void calendar_ctes(Gen *g, Buf *b)
{
    buf_puts(b, "WITH\ndigits AS (\n    SELECT 0 AS n");
    for (int i = 1; i < 10; i++)
        buf_printf(b, "\n    UNION ALL\n    SELECT %d", i);
    buf_puts(b, "\n),\nnums AS (\n"
                "    SELECT d1.n + 10 * d2.n + 100 * d3.n + 1000 * d4.n AS i\n"
                "    FROM digits d1\n    CROSS JOIN digits d2\n    CROSS JOIN digits d3\n"
                "    CROSS JOIN digits d4\n),\ndays AS (\n    SELECT ");
    add_days(g, b, "{{from_date}}", "i");
    buf_puts(b, " AS d\n    FROM nums\n    WHERE i <= DATEDIFF({{to_date}}, {{from_date}})\n)");
}

/* bk: per activity, the breakdowns reported, each from its first date */
static void breakdown_cte(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    buf_puts(b, ",\n-- per activity: the breakdowns reported, each from its first date\nbk AS (");
    for (int i = 0; i < ir->nactivities; i++) {
        const IrActivity *a = &ir->activities[i];
        if (i)
            buf_puts(b, "\n    UNION ALL");
        buf_printf(b, "\n    SELECT %s AS `activity`,\n"
                      "           '' AS `breakdown`,\n"
                      "           '' AS `breakdown_value`,\n"
                      "           CAST({{from_date}} AS DATE) AS `since`",
                   lit(g, a->name));
    }
    for (int i = 0; i < ir->nactivities; i++) {
        const IrActivity *a = &ir->activities[i];
        if (!a->by_variation)
            continue;
        Buf tp;
        buf_init(&tp);
        gen_tag_pred(g, &tp, "e");
        buf_printf(b, "\n    UNION ALL\n"
                      "    -- activity %s by variation: from the pair's first exposure\n"
                      "    SELECT %s,\n"
                      "           'variation',\n"
                      "           %s,\n"
                      "           MIN(%s)\n"
                      "    FROM %s e\n"
                      "    WHERE %s\n"
                      "      AND %s <= {{to_date}}\n"
                      "    GROUP BY %s,\n"
                      "             %s",
                   gen_comment_text(g, a->name), lit(g, a->name), variation_value(g, "e", 11),
                   idq(g, "e", "exposure_date"), tname(g, T_ASSIGN), tp.data,
                   idq(g, "e", "exposure_date"), idq(g, "e", "tracking_key"),
                   idq(g, "e", "variation_key"));
        buf_free(&tp);
    }
    buf_puts(b, "\n)");
}

static const char *wday_body(Gen *g)
{
    Buf b, tp;
    buf_init(&b);
    buf_init(&tp);
    gen_tag_pred(g, &tp, "e");
    const char *lo31 = addn(g, "{{from_date}}", -31);
    buf_puts(&b, "-- every active day of [lo - 31, hi] per activity, breakdown and user (the rolling\n"
                 "-- windows and the previous month), with the user's next active day there\n"
                 "SELECT t.`activity`,\n"
                 "       t.`breakdown`,\n"
                 "       t.`breakdown_value`,\n"
                 "       t.`user_id`,\n"
                 "       t.`d`,\n"
                 "       LEAD(t.`d`) OVER (\n"
                 "           PARTITION BY t.`activity`, t.`breakdown`, t.`breakdown_value`, t.`user_id`\n"
                 "           ORDER BY t.`d`\n"
                 "       ) AS `next_d`\n"
                 "FROM (\n");
    buf_printf(&b, "    SELECT x.`activity`,\n"
                   "           '' AS `breakdown`,\n"
                   "           '' AS `breakdown_value`,\n"
                   "           x.`user_id`,\n"
                   "           x.`event_date` AS `d`\n"
                   "    FROM %s x\n"
                   "    WHERE x.`event_date` >= %s\n"
                   "      AND x.`event_date` <= {{to_date}}\n"
                   "      AND %s",
               tname(g, T_ACT_DAY), lo31, name_in(g, "x.`activity`", ~0u, false, 6));
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        if (!a->by_variation)
            continue;
        /* from the exposures: the day table's (activity, user_id, event_date)
         * key finds each exposed user's days */
        buf_printf(&b, "\n    UNION ALL\n"
                       "    -- activity %s by variation: a user's active days from its exposure on\n"
                       "    SELECT x.`activity`,\n"
                       "           'variation',\n"
                       "           %s,\n"
                       "           x.`user_id`,\n"
                       "           x.`event_date`\n"
                       "    FROM %s e\n"
                       "    JOIN %s x\n"
                       "        ON x.`activity` = %s\n"
                       "        AND x.`user_id` = e.`user_id`\n"
                       "        AND x.`event_date` >= e.`exposure_date`\n"
                       "        AND x.`event_date` >= %s\n"
                       "        AND x.`event_date` <= {{to_date}}\n"
                       "    WHERE %s",
                   gen_comment_text(g, a->name), variation_value(g, "e", 4), tname(g, T_ASSIGN),
                   tname(g, T_ACT_DAY), lit(g, a->name), lo31, tp.data);
    }
    buf_puts(&b, "\n) t");
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    buf_free(&tp);
    return s;
}

static const char *wper_body(Gen *g)
{
    Buf b;
    buf_init(&b);
    const char *in = name_in(g, "w.`activity`", ACT_PERIODS, false, 6);
    buf_printf(&b, "-- the users active per week and month\n"
                   "SELECT DISTINCT w.`activity`,\n"
                   "       'week' AS `grain`,\n"
                   "       %s AS `period`,\n"
                   "       w.`breakdown`,\n"
                   "       w.`breakdown_value`,\n"
                   "       w.`user_id`\n"
                   "FROM %s w\n"
                   "WHERE %s\n"
                   "UNION ALL\n"
                   "SELECT DISTINCT w.`activity`,\n"
                   "       'month',\n"
                   "       %s,\n"
                   "       w.`breakdown`,\n"
                   "       w.`breakdown_value`,\n"
                   "       w.`user_id`\n"
                   "FROM %s w\n"
                   "WHERE %s",
               tmp(g, week_start, "w.`d`"), tname(g, T_ACT_WDAY), in,
               tmp(g, month_start, "w.`d`"), tname(g, T_ACT_WDAY), in);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

/* One delta branch of the day measures: `e` and the three deltas. */
static void delta_branch(Gen *g, Buf *b, const char *comment, const char *e, const char *dd,
                         const char *dw, const char *dm, const char *in)
{
    buf_printf(b, "                -- %s\n"
                  "                SELECT w.`activity`,\n"
                  "                       w.`breakdown`,\n"
                  "                       w.`breakdown_value`,\n"
                  "                       %s AS `e`,\n"
                  "                       0 AS `grid`,\n"
                  "                       %s AS `dd`,\n"
                  "                       %s AS `dw`,\n"
                  "                       %s AS `dm`\n"
                  "                FROM %s w\n"
                  "                WHERE %s\n"
                  "                UNION ALL\n",
               comment, e, dd, dw, dm, tname(g, T_ACT_WDAY), in);
}

/* where the n-day window of an active day stops counting: n days on, or
 * at the user's next active day, whose window takes over */
static const char *window_end(Gen *g, int n)
{
    const char *end = addn(g, "w.`d`", n);
    return arena_printf(g->a, "CASE WHEN w.`next_d` < %s\n"
                              "                           THEN w.`next_d`\n"
                              "                           ELSE %s\n"
                              "                       END",
                        end, end);
}

static const char *running(const char *col, const char *as)
{
    static char buf[3][400];
    static int k;
    char *s = buf[k++ % 3];
    snprintf(s, sizeof buf[0],
             "SUM(z.`%s`) OVER (\n"
             "                   PARTITION BY z.`activity`, z.`breakdown`, z.`breakdown_value`\n"
             "                   ORDER BY z.`e` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW\n"
             "               ) AS `%s`",
             col, as);
    return s;
}

static void day_measures(Gen *g, Buf *b)
{
    const char *in = name_in(g, "w.`activity`", ACT_DAYS, false, 16);
    const char *r1 = running("dd", "dau"), *r2 = running("dw", "wau_rolling"),
               *r3 = running("dm", "mau_rolling");
    buf_printf(b, "    -- day grain: distinct users active that day and in the 7 and 28 days ending\n"
                  "    -- on it, as running sums of the deltas below\n"
                  "    SELECT r.`activity`,\n"
                  "           'day' AS `grain`,\n"
                  "           r.`e` AS `period`,\n"
                  "           r.`breakdown`,\n"
                  "           r.`breakdown_value`,\n"
                  "           r.`dau`,\n"
                  "           r.`wau_rolling`,\n"
                  "           r.`mau_rolling`,\n"
                  "           0 AS `active`,\n"
                  "           0 AS `new_users`,\n"
                  "           0 AS `retained`,\n"
                  "           0 AS `resurrected`,\n"
                  "           0 AS `churned`\n"
                  "    FROM (\n"
                  "        SELECT z.`activity`,\n"
                  "               z.`breakdown`,\n"
                  "               z.`breakdown_value`,\n"
                  "               z.`e`,\n"
                  "               z.`grid`,\n"
                  "               %s,\n"
                  "               %s,\n"
                  "               %s\n"
                  "        FROM (\n"
                  "            SELECT y.`activity`,\n"
                  "                   y.`breakdown`,\n"
                  "                   y.`breakdown_value`,\n"
                  "                   y.`e`,\n"
                  "                   MAX(y.`grid`) AS `grid`,\n"
                  "                   SUM(y.`dd`) AS `dd`,\n"
                  "                   SUM(y.`dw`) AS `dw`,\n"
                  "                   SUM(y.`dm`) AS `dm`\n"
                  "            FROM (\n",
               r1, r2, r3);
    delta_branch(g, b, "+1 on each active day", "w.`d`", "1", "1", "1", in);
    delta_branch(g, b, "-1 the day after (DAU)", addn(g, "w.`d`", 1), "-1", "0", "0", in);
    delta_branch(g, b, "-1 when the 7-day window ends (or the next active day's begins)",
                 window_end(g, 7), "0", "-1", "0", in);
    delta_branch(g, b, "-1 when the 28-day window ends (or the next active day's begins)",
                 window_end(g, 28), "0", "0", "-1", in);
    buf_printf(b, "                -- a zero row for every day and breakdown reported\n"
                  "                SELECT k.`activity`,\n"
                  "                       k.`breakdown`,\n"
                  "                       k.`breakdown_value`,\n"
                  "                       c.`d`,\n"
                  "                       1,\n"
                  "                       0,\n"
                  "                       0,\n"
                  "                       0\n"
                  "                FROM days c\n"
                  "                JOIN bk k ON c.`d` >= k.`since`\n"
                  "                WHERE %s\n"
                  "            ) y\n"
                  "            GROUP BY y.`activity`,\n"
                  "                     y.`breakdown`,\n"
                  "                     y.`breakdown_value`,\n"
                  "                     y.`e`\n"
                  "        ) z\n"
                  "    ) r\n"
                  "    WHERE r.`grid` = 1",
               name_in(g, "k.`activity`", ACT_DAYS, false, 16));
}

static void period_measures(Gen *g, Buf *b)
{
    const char *np = pnext(g, "p.`grain`", "p.`period`", 20);
    buf_printf(b, "    -- week and month: active users and growth accounting (new: first active\n"
                  "    -- date in the period; resurrected: active, not in the previous period,\n"
                  "    -- first active before)\n"
                  "    SELECT k.`activity`,\n"
                  "           c.`grain`,\n"
                  "           c.`d` AS `period`,\n"
                  "           k.`breakdown`,\n"
                  "           k.`breakdown_value`,\n"
                  "           0 AS `dau`,\n"
                  "           0 AS `wau_rolling`,\n"
                  "           0 AS `mau_rolling`,\n"
                  "           COALESCE(a.`active`, 0) AS `active`,\n"
                  "           COALESCE(a.`new_users`, 0) AS `new_users`,\n"
                  "           COALESCE(a.`retained`, 0) AS `retained`,\n"
                  "           COALESCE(a.`resurrected`, 0) AS `resurrected`,\n"
                  "           COALESCE(a.`churned`, 0) AS `churned`\n"
                  "    FROM (\n"
                  "        SELECT 'week' AS `grain`,\n"
                  "               d\n"
                  "        FROM days\n"
                  "        WHERE DAYOFWEEK(d) = 2\n"
                  "        UNION ALL\n"
                  "        SELECT 'month',\n"
                  "               d\n"
                  "        FROM days\n"
                  "        WHERE DAYOFMONTH(d) = 1\n"
                  "    ) c\n"
                  "    JOIN bk k ON c.`d` >= %s\n"
                  "    LEFT JOIN (\n"
                  "        SELECT f.`activity`,\n"
                  "               f.`grain`,\n"
                  "               f.`period`,\n"
                  "               f.`breakdown`,\n"
                  "               f.`breakdown_value`,\n"
                  "               SUM(f.`cur`) AS `active`,\n"
                  "               SUM(CASE WHEN f.`cur` = 1 AND s.`first_date` >= f.`period`\n"
                  "                   THEN 1 ELSE 0 END) AS `new_users`,\n"
                  "               SUM(CASE WHEN f.`cur` = 1 AND f.`prv` = 1 THEN 1 ELSE 0 END) AS `retained`,\n"
                  "               SUM(CASE WHEN f.`cur` = 1 AND f.`prv` = 0 AND s.`first_date` < f.`period`\n"
                  "                   THEN 1 ELSE 0 END) AS `resurrected`,\n"
                  "               SUM(CASE WHEN f.`cur` = 0 AND f.`prv` = 1 THEN 1 ELSE 0 END) AS `churned`\n"
                  "        FROM (\n"
                  "            -- per user and period: active in it (cur), in the previous one (prv)\n"
                  "            SELECT t.`activity`,\n"
                  "                   t.`grain`,\n"
                  "                   t.`period`,\n"
                  "                   t.`breakdown`,\n"
                  "                   t.`breakdown_value`,\n"
                  "                   t.`user_id`,\n"
                  "                   MAX(t.`cur`) AS `cur`,\n"
                  "                   MAX(t.`prv`) AS `prv`\n"
                  "            FROM (\n"
                  "                SELECT p.`activity`,\n"
                  "                       p.`grain`,\n"
                  "                       p.`period`,\n"
                  "                       p.`breakdown`,\n"
                  "                       p.`breakdown_value`,\n"
                  "                       p.`user_id`,\n"
                  "                       1 AS `cur`,\n"
                  "                       0 AS `prv`\n"
                  "                FROM %s p\n"
                  "                WHERE p.`period` >= {{from_date}}\n"
                  "                UNION ALL\n"
                  "                SELECT p.`activity`,\n"
                  "                       p.`grain`,\n"
                  "                       %s,\n"
                  "                       p.`breakdown`,\n"
                  "                       p.`breakdown_value`,\n"
                  "                       p.`user_id`,\n"
                  "                       0,\n"
                  "                       1\n"
                  "                FROM %s p\n"
                  "                WHERE p.`period` >= %s\n"
                  "                  AND p.`period` < {{to_date}}\n"
                  "            ) t\n"
                  "            GROUP BY t.`activity`,\n"
                  "                     t.`grain`,\n"
                  "                     t.`period`,\n"
                  "                     t.`breakdown`,\n"
                  "                     t.`breakdown_value`,\n"
                  "                     t.`user_id`\n"
                  "        ) f\n"
                  "        LEFT JOIN %s s\n"
                  "            ON s.`activity` = f.`activity`\n"
                  "            AND s.`user_id` = f.`user_id`\n"
                  "        GROUP BY f.`activity`,\n"
                  "                 f.`grain`,\n"
                  "                 f.`period`,\n"
                  "                 f.`breakdown`,\n"
                  "                 f.`breakdown_value`\n"
                  "    ) a\n"
                  "        ON a.`activity` = k.`activity`\n"
                  "        AND a.`grain` = c.`grain`\n"
                  "        AND a.`period` = c.`d`\n"
                  "        AND a.`breakdown` = k.`breakdown`\n"
                  "        AND a.`breakdown_value` = k.`breakdown_value`\n"
                  "    WHERE %s",
               pstart(g, "c.`grain`", "k.`since`", 14), tname(g, T_ACT_WPER), np,
               tname(g, T_ACT_WPER), addn(g, "{{from_date}}", -31), tname(g, T_ACT_USER),
               name_in(g, "k.`activity`", ACT_WAU | ACT_MAU | ACT_GROWTH, false, 6));
}

/* The measures each activity reports, by grain ('' : week and month). */
static void measure_cte(Gen *g, Buf *b)
{
    static const struct {
        unsigned need;
        const char *grain, *measure;
    } ms[] = {
        {ACT_DAU, "day", "dau"},
        {ACT_WAU, "day", "wau_rolling"},
        {ACT_MAU, "day", "mau_rolling"},
        {ACT_DAU | ACT_MAU, "day", "stickiness"},
        {ACT_WAU, "week", "wau"},
        {ACT_MAU, "month", "mau"},
        {ACT_GROWTH, "", "new"},
        {ACT_GROWTH, "", "retained"},
        {ACT_GROWTH, "", "resurrected"},
        {ACT_GROWTH, "", "churned"},
        {ACT_GROWTH, "", "quick_ratio"},
    };
    buf_puts(b, ",\n-- the measures each activity reports ('' grain: week and month)\nms AS (");
    bool first = true;
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        for (int m = 0; m < NELEM(ms); m++) {
            if ((a->reports & ms[m].need) != ms[m].need)
                continue;
            buf_printf(b, "%s\n    SELECT %s%s,\n           '%s'%s,\n           '%s'%s",
                       first ? "" : "\n    UNION ALL", lit(g, a->name), first ? " AS `activity`" : "",
                       ms[m].grain, first ? " AS `grain`" : "", ms[m].measure,
                       first ? " AS `measure`" : "");
            first = false;
        }
    }
    if (first) /* no measure asked for: no rows */
        buf_puts(b, "\n    SELECT '' AS `activity`,\n           '' AS `grain`,\n"
                    "           '' AS `measure`\n    FROM days\n    WHERE 1 = 0");
    buf_puts(b, "\n)");
}

static const char *rstage_body(Gen *g)
{
    Buf b;
    buf_init(&b);
    calendar_ctes(g, &b);
    breakdown_cte(g, &b);
    measure_cte(g, &b);
    buf_printf(&b, "\nSELECT c.`period`,\n"
                   "       %s AS `tag`,\n"
                   "       c.`activity`,\n"
                   "       c.`grain`,\n"
                   "       c.`breakdown`,\n"
                   "       c.`breakdown_value`,\n"
                   "       m.`measure`,\n"
                   "       CASE m.`measure`\n"
                   "           WHEN 'dau' THEN c.`dau`\n"
                   "           WHEN 'wau_rolling' THEN c.`wau_rolling`\n"
                   "           WHEN 'mau_rolling' THEN c.`mau_rolling`\n"
                   "           WHEN 'stickiness'\n"
                   "               THEN CASE WHEN c.`mau_rolling` > 0 THEN 1e0 * c.`dau` / c.`mau_rolling` END\n"
                   "           WHEN 'wau' THEN c.`active`\n"
                   "           WHEN 'mau' THEN c.`active`\n"
                   "           WHEN 'new' THEN c.`new_users`\n"
                   "           WHEN 'retained' THEN c.`retained`\n"
                   "           WHEN 'resurrected' THEN c.`resurrected`\n"
                   "           WHEN 'churned' THEN c.`churned`\n"
                   "           WHEN 'quick_ratio'\n"
                   "               THEN CASE WHEN c.`churned` > 0\n"
                   "                   THEN 1e0 * (c.`new_users` + c.`resurrected`) / c.`churned` END\n"
                   "       END AS `value`\n"
                   "FROM (\n",
               lit(g, g->ir->tag));
    bool days = any_report(g->ir, ACT_DAYS), pers = any_report(g->ir, ACT_WAU | ACT_MAU | ACT_GROWTH);
    if (days)
        day_measures(g, &b);
    if (days && pers)
        buf_puts(&b, "\n    UNION ALL\n");
    if (pers)
        period_measures(g, &b);
    if (!days && !pers) /* cohorts only */
        buf_puts(&b, "    SELECT '' AS `activity`,\n"
                     "           '' AS `grain`,\n"
                     "           d AS `period`,\n"
                     "           '' AS `breakdown`,\n"
                     "           '' AS `breakdown_value`,\n"
                     "           0 AS `dau`,\n"
                     "           0 AS `wau_rolling`,\n"
                     "           0 AS `mau_rolling`,\n"
                     "           0 AS `active`,\n"
                     "           0 AS `new_users`,\n"
                     "           0 AS `retained`,\n"
                     "           0 AS `resurrected`,\n"
                     "           0 AS `churned`\n"
                     "    FROM days\n"
                     "    WHERE 1 = 0");
    buf_puts(&b, "\n) c\nJOIN ms m\n    ON m.`activity` = c.`activity`\n"
                 "    AND (m.`grain` = c.`grain` OR m.`grain` = '' AND c.`grain` <> 'day')");
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

static const char *cstage_body(Gen *g)
{
    Buf b;
    buf_init(&b);
    calendar_ctes(g, &b);
    buf_puts(&b, ",\n-- the cohort grains each activity reports\ncg AS (");
    bool first = true;
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        for (int k = 0; k < 2; k++) {
            if (!(a->reports & (k ? ACT_COHORTS_MONTHLY : ACT_COHORTS_WEEKLY)))
                continue;
            buf_printf(&b, "%s\n    SELECT %s%s,\n           '%s'%s", first ? "" : "\n    UNION ALL",
                       lit(g, a->name), first ? " AS `activity`" : "", k ? "month" : "week",
                       first ? " AS `grain`" : "");
            first = false;
        }
    }
    const char *cs = pstart(g, "c.`grain`", "s.`first_date`", 10);
    const char *ws = pstart(g, "w.`grain`", "s.`first_date`", 10);
    buf_printf(&b, "\n)\n"
                   "SELECT p.`period`,\n"
                   "       %s AS `tag`,\n"
                   "       z.`activity`,\n"
                   "       z.`grain`,\n"
                   "       z.`cohort`,\n"
                   "       CASE WHEN p.`grain` = 'week'\n"
                   "           THEN FLOOR(DATEDIFF(p.`period`, z.`cohort`) / 7)\n"
                   "           ELSE (YEAR(p.`period`) - YEAR(z.`cohort`)) * 12\n"
                   "               + MONTH(p.`period`) - MONTH(z.`cohort`)\n"
                   "       END AS `k`,\n"
                   "       z.`cohort_size`,\n"
                   "       COALESCE(h.`active`, 0) AS `active`,\n"
                   "       1e0 * COALESCE(h.`active`, 0) / z.`cohort_size` AS `ratio`\n"
                   "FROM (\n"
                   "    SELECT 'week' AS `grain`,\n"
                   "           d AS `period`\n"
                   "    FROM days\n"
                   "    WHERE DAYOFWEEK(d) = 2\n"
                   "    UNION ALL\n"
                   "    SELECT 'month',\n"
                   "           d\n"
                   "    FROM days\n"
                   "    WHERE DAYOFMONTH(d) = 1\n"
                   ") p\n"
                   "JOIN (\n"
                   "    -- users by the period of their first active date\n"
                   "    SELECT s.`activity`,\n"
                   "           c.`grain`,\n"
                   "           %s AS `cohort`,\n"
                   "           COUNT(*) AS `cohort_size`\n"
                   "    FROM %s s\n"
                   "    JOIN cg c ON c.`activity` = s.`activity`\n"
                   "    WHERE s.`first_date` <= {{to_date}}\n"
                   "    GROUP BY s.`activity`,\n"
                   "             c.`grain`,\n"
                   "             %s\n"
                   ") z ON z.`grain` = p.`grain` AND z.`cohort` <= p.`period`\n"
                   "LEFT JOIN (\n"
                   "    -- of them, the users active per period\n"
                   "    SELECT w.`activity`,\n"
                   "           w.`grain`,\n"
                   "           %s AS `cohort`,\n"
                   "           w.`period`,\n"
                   "           COUNT(*) AS `active`\n"
                   "    FROM %s w\n"
                   "    JOIN cg c ON c.`activity` = w.`activity` AND c.`grain` = w.`grain`\n"
                   "    JOIN %s s\n"
                   "        ON s.`activity` = w.`activity`\n"
                   "        AND s.`user_id` = w.`user_id`\n"
                   "    WHERE w.`breakdown` = ''\n"
                   "      AND w.`period` >= {{from_date}}\n"
                   "      AND s.`first_date` <= {{to_date}}\n"
                   "    GROUP BY w.`activity`,\n"
                   "             w.`grain`,\n"
                   "             %s,\n"
                   "             w.`period`\n"
                   ") h\n"
                   "    ON h.`activity` = z.`activity`\n"
                   "    AND h.`grain` = z.`grain`\n"
                   "    AND h.`cohort` = z.`cohort`\n"
                   "    AND h.`period` = p.`period`",
               lit(g, g->ir->tag), cs, tname(g, T_ACT_USER),
               pstart(g, "c.`grain`", "s.`first_date`", 9), ws, tname(g, T_ACT_WPER),
               tname(g, T_ACT_USER), pstart(g, "w.`grain`", "s.`first_date`", 9));
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

static const char *copy_body(Gen *g, int t, const char *const *cols, int ncols)
{
    Buf b;
    buf_init(&b);
    for (int i = 0; i < ncols; i++) {
        buf_puts(&b, i ? ",\n       " : "SELECT ");
        gen_id(g, &b, cols[i]);
    }
    buf_puts(&b, "\nFROM ");
    gen_table(g, &b, t);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

int gen_activity_swap(Gen *g, WriteSpec *ws)
{
    if (g->ir->nactivities == 0)
        return 0;
    int n = 0;
    ws[n++] = (WriteSpec){.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_REPORT],
                          .part_col = "period", .lo = "{{from_date}}", .hi = "{{to_date}}",
                          .label = gen_label(g, "activity_report"), .touched_parts = true,
                          .comment = "growth measures of the periods staged",
                          .cols = REPORT_COLUMNS, .ncols = NELEM(REPORT_COLUMNS),
                          .body = copy_body(g, T_ACT_RSTAGE, REPORT_COLUMNS,
                                            NELEM(REPORT_COLUMNS))};
    if (any_report(g->ir, ACT_COHORTS))
        ws[n++] = (WriteSpec){.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_COHORT],
                              .part_col = "period", .lo = "{{from_date}}", .hi = "{{to_date}}",
                              .label = gen_label(g, "activity_cohort"), .touched_parts = true,
                              .comment = "retention triangle cells of the periods staged",
                              .cols = COHORT_COLUMNS, .ncols = NELEM(COHORT_COLUMNS),
                              .body = copy_body(g, T_ACT_CSTAGE, COHORT_COLUMNS,
                                                NELEM(COHORT_COLUMNS))};
    return n;
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
                 "upsert the first and last active date of the users with active days in "
                 "[{{from_date}}, {{to_date}}] or whose first or last one was in it "
                 "(after activity_fill)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    buf_reset(&body);
    buf_printf(&body,
               "SELECT x.`activity`,\n"
               "       x.`user_id`,\n"
               "       MIN(x.`event_date`),\n"
               "       MAX(x.`event_date`)\n"
               "FROM %s x\n"
               "JOIN (\n"
               "    -- the users of the days refilled, and those whose first or last active\n"
               "    -- date was among them (a refill may have moved it)\n"
               "    SELECT DISTINCT t.`activity`,\n"
               "           t.`user_id`\n"
               "    FROM %s t\n"
               "    WHERE t.`event_date` >= {{from_date}}\n"
               "      AND t.`event_date` <= {{to_date}}\n"
               "    UNION\n"
               "    SELECT u.`activity`,\n"
               "           u.`user_id`\n"
               "    FROM %s u\n"
               "    WHERE u.`first_date` >= {{from_date}} AND u.`first_date` <= {{to_date}}\n"
               "       OR u.`last_date` >= {{from_date}} AND u.`last_date` <= {{to_date}}\n"
               ") k ON k.`activity` = x.`activity` AND k.`user_id` = x.`user_id`\n"
               "GROUP BY x.`activity`,\n"
               "         x.`user_id`",
               tname(g, T_ACT_DAY), tname(g, T_ACT_DAY), tname(g, T_ACT_USER));
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_ACT_USER],
                    .label = gen_label(g, "activity_state"),
                    .comment = "first and last active date per user", .cols = USER_COLUMNS,
                    .ncols = NELEM(USER_COLUMNS), .body = body.data};
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_STAGE, "activity_stage",
                 "compute the growth report and cohort rows of the periods starting in "
                 "[{{from_date}}, {{to_date}}] into the stage tables (after activity_state)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    sql_stmts_init(&st, g->a);
    work_write(g, &st, T_ACT_WDAY, WDAY_COLUMNS, NELEM(WDAY_COLUMNS), "activity_wday",
               "active days with the next one", wday_body(g));
    work_write(g, &st, T_ACT_WPER, WPER_COLUMNS, NELEM(WPER_COLUMNS), "activity_wper",
               "users active per week and month", wper_body(g));
    work_write(g, &st, T_ACT_RSTAGE, REPORT_COLUMNS, NELEM(REPORT_COLUMNS), "activity_rstage",
               "growth measures of the periods due", rstage_body(g));
    if (any_report(ir, ACT_COHORTS))
        work_write(g, &st, T_ACT_CSTAGE, COHORT_COLUMNS, NELEM(COHORT_COLUMNS),
                   "activity_cstage", "retention triangle cells of the periods due",
                   cstage_body(g));
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_PUBLISH, "activity_publish",
                 g->d->id == DIALECT_MARIADB
                     ? "replace the growth report and cohort rows of [{{from_date}}, {{to_date}}] "
                       "with the stage, in one transaction (a run that publishes no latest "
                       "report; report_publish does it otherwise)"
                     : "replace the growth report and cohort partitions of [{{from_date}}, "
                       "{{to_date}}] with the stage, atomically per table (a run that publishes "
                       "no latest report; report_publish does it otherwise)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    WriteSpec ws[2];
    int nw = gen_activity_swap(g, ws);
    sql_stmts_init(&st, g->a);
    g->d->write_together(&st, ws, nw);
    gen_push_stmts(g, s, &st);

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
    buf_puts(&body, " = ''\n  AND ");
    gen_id(g, &body, "period");
    buf_puts(&body, " >= {{from_date}}\n  AND ");
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
