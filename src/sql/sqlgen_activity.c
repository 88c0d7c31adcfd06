/* sqlgen_activity.c — growth analytics of the spec's activity blocks
 * (docs/LANGUAGE.md §15, docs/TABLES.md "Growth analytics").
 *
 * Per-tag tables, only when the spec has activity blocks:
 *   tbl_activity_day_<module>_<tag>     one row per activity x date x active user
 *   tbl_activity_user_<module>_<tag>    per activity x user: first and last active date
 *   tbl_activity_report_<module>_<tag>  long format: period x breakdown x measure -> value
 *   tbl_activity_cohort_<module>_<tag>  retention triangles: cohort x k -> active users
 *   tbl_activity_period_<module>_<tag>  per activity number x week or month x active
 *                                       user: first and last active day in it
 *   tbl_activity_{wbk,wdelta,wday,wper}_... work tables of activity_stage
 *   tbl_activity_wdue_...               work table of activity_due_users, read by
 *                                       activity_stage_next
 *   tbl_activity_{rstage,cstage}_...    the report and cohort rows to publish
 * and the steps:
 *   activity_fill     replace the active days of [{{from_date}}, {{to_date}}]
 *                     (the runner sends the whole history on a full run)
 *   activity_periods_check  count the period rows from {{from_date}} (the
 *                     earlier of the Monday and the 1st on or before the
 *                     first date filled) with a day on or after
 *                     {{event_date}} (that date): rows the fill may change
 *   activity_state    some (a refill, a full run): upsert the first and last
 *                     active date of the users those days touch, from all
 *                     their days
 *   activity_state_add  none (the days filled are new, the daily case): the
 *                     same from those days and the users' stored first date
 *   activity_due_users  none, one date filled: its users with their previous
 *                     active day and first active date, from the user state
 *                     before activity_state_add merges the date (wdue, read
 *                     by activity_stage_next)
 *   activity_periods_add  none: merge the days of [{{from_date}}, {{to_date}}]
 *                     into the period rows, reading only those days
 *   activity_periods  otherwise (a refill, a full run): replace the period
 *                     rows of the weeks and months starting in
 *                     [{{from_date}}, {{to_date}}] from the day table (the
 *                     runner passes the same Monday or 1st, and the last
 *                     date filled); earlier periods keep their rows
 *   activity_stage    the report and cohort rows of every period starting in
 *                     [{{from_date}}, {{to_date}}] into the stage tables; the
 *                     runner passes the earlier of the Monday and the 1st of
 *                     the month on or before the first date due, the later
 *                     of the last date due and the last published date, and
 *                     the first date due as {{event_date}}: the day rows
 *                     before it and the week rows and weekly cohort cells
 *                     before its week are kept as published (their days
 *                     did not change), so incremental runs and backfills
 *                     equal a full one
 *   activity_stage_next  instead, on the daily run whose one date due
 *                     follows the last published date and whose days were
 *                     merged (new): the same rows, the date's day, week and
 *                     month from their published rows the day before plus
 *                     the users active on the date that enter a window or
 *                     period (less the users leaving the rolling windows)
 *   activity_publish  the stage into the report and cohort tables, when
 *                     report_publish (which carries the same writes, see
 *                     gen_activity_swap) does not run
 *   activity_read     the all-users rows of the periods in
 *                     [{{from_date}}, {{to_date}}], for the memo
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

static const TableCol wbk_cols[] = {
    {"b", CT_INT, true, "breakdown number: 0 all users, 1.. a tracking and variation key pair"},
    {"tracking_key", CT_STR128, false, NULL},
    {"variation_key", CT_STR64, false, NULL},
    {"breakdown", CT_STR32, false, "'' (all users) | variation"},
    {"breakdown_value", CT_STR255, false, "'' | <tracking key>/<variation key>, percent-encoded"},
    {"since", CT_DATE, false, "the first date reported"},
};

static const TableCol wday_cols[] = {
    {"a", CT_INT, true, "activity number (the spec's order)"},
    {"b", CT_INT, true, "breakdown number (tbl_activity_wbk_*)"},
    {"user_id", CT_STR128, true, NULL},
    {"d", CT_DATE, false, "the user's last active day of the 28 days ending on the date due"},
};

static const TableCol wdelta_cols[] = {
    {"a", CT_INT, true, "activity number (the spec's order)"},
    {"b", CT_INT, true, "breakdown number (tbl_activity_wbk_*)"},
    {"d", CT_DATE, true, "an active day"},
    {"next_d", CT_DATE, false,
     "the users' next active day, when less than 28 days later (NULL: later, or none up to the "
     "run's last date)"},
    {"n", CT_BIGINT, false, "the users active on d with that next active day"},
};

static const TableCol period_cols[] = {
    {"period", CT_DATE, true, "start of the period: the Monday or the 1st (partition)"},
    {"a", CT_INT, true, "activity number (the spec's order; a changed spec rebuilds the table)"},
    {"grain", CT_STR16, true, "week | month"},
    {"user_id", CT_STR128, true, "a user active in the period"},
    {"first_d", CT_DATE, false, "the user's first active day in the period"},
    {"last_d", CT_DATE, false, "the user's last active day in the period"},
};

static const TableCol wper_cols[] = {
    {"a", CT_INT, true, "activity number (the spec's order)"},
    {"b", CT_INT, true, "breakdown number (tbl_activity_wbk_*)"},
    {"grain", CT_STR16, true, "week | month"},
    {"user_id", CT_STR128, true, "a user active in the period"},
    {"period", CT_DATE, true, "the Monday or the 1st"},
};

static const TableCol wdue_cols[] = {
    {"a", CT_INT, true, "activity number (the spec's order)"},
    {"user_id", CT_STR128, true, "a user active on the date due"},
    {"prev_d", CT_DATE, false, "the user's last active day in the 30 days before (NULL: none)"},
    {"first_date", CT_DATE, false, "the user's first active date (the date due: none before)"},
};

static const char *const WBK_COLUMNS[] = {"b", "tracking_key", "variation_key", "breakdown",
                                          "breakdown_value", "since"};
static const char *const WDAY_COLUMNS[] = {"a", "b", "user_id", "d"};
static const char *const WDELTA_COLUMNS[] = {"a", "b", "d", "next_d", "n"};
static const char *const PERIOD_COLUMNS[] = {"period", "a", "grain", "user_id", "first_d", "last_d"};
static const char *const WPER_COLUMNS[] = {"a", "b", "grain", "user_id", "period"};
static const char *const WDUE_COLUMNS[] = {"a", "user_id", "prev_d", "first_date"};
static const char *const DAY_COLUMNS[] = {"event_date", "activity", "user_id"};
static const char *const USER_COLUMNS[] = {"activity", "user_id", "first_date", "last_date"};
/* MariaDB's upserts of new days (per column of the list above them): a
 * stored row keeps the earlier first and the later last day */
static const UpsertMerge PERIOD_MERGE[] = {UPSERT_NEW, UPSERT_NEW, UPSERT_NEW,
                                           UPSERT_NEW, UPSERT_LEAST, UPSERT_GREATEST};
static const UpsertMerge USER_MERGE[] = {UPSERT_NEW, UPSERT_NEW, UPSERT_LEAST, UPSERT_GREATEST};
_Static_assert(NELEM(PERIOD_MERGE) == NELEM(PERIOD_COLUMNS), "a merge per period column");
_Static_assert(NELEM(USER_MERGE) == NELEM(USER_COLUMNS), "a merge per user column");
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
    set_table(g, T_ACT_WBK, "wbk", wbk_cols, NELEM(wbk_cols), TKEY_DUPLICATE, 1, TPART_NONE,
              "work table of activity_stage: the breakdowns, numbered");
    set_table(g, T_ACT_WDAY, "wday", wday_cols, NELEM(wday_cols), TKEY_DUPLICATE, 3, TPART_NONE,
              "work table of activity_stage: each user's last active day of the 28 days "
              "ending on the date due");
    set_table(g, T_ACT_WDELTA, "wdelta", wdelta_cols, NELEM(wdelta_cols), TKEY_DUPLICATE, 3,
              TPART_NONE, "work table of activity_stage: active users per day and next active day");
    set_table(g, T_ACT_WPER, "wper", wper_cols, NELEM(wper_cols), TKEY_DUPLICATE, 5, TPART_NONE,
              "work table of activity_stage: users active per week and month by variation");
    set_table(g, T_ACT_RSTAGE, "rstage", report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3,
              TPART_NONE, "growth report rows staged for the next publish");
    set_table(g, T_ACT_CSTAGE, "cstage", cohort_cols, NELEM(cohort_cols), TKEY_DUPLICATE, 3,
              TPART_NONE, "retention triangle cells staged for the next publish");
    set_table(g, T_ACT_PERIOD, "period", period_cols, NELEM(period_cols), TKEY_PRIMARY, 4,
              TPART_DAY, "first and last active day per activity, week or month and user");
    set_table(g, T_ACT_WDUE, "wdue", wdue_cols, NELEM(wdue_cols), TKEY_DUPLICATE, 2, TPART_NONE,
              "work table of activity_due_users: the users active on the date due");
    /* the work tables have no activity name: spread by user, the small
     * breakdown list by its number */
    g->tables[T_ACT_WBK].dist_col = "b";
    /* MariaDB: the growth steps join each exposure to its breakdown number */
    g->tables[T_ACT_WBK].indexes[0] = (TableIndex){"abc_lookup_key",
                                                   {"tracking_key", "variation_key"}};
    /* MariaDB: activity_periods_check asks for rows with a day on or after
     * the first date filled (none on a new day): read by last_d, not all */
    g->tables[T_ACT_PERIOD].indexes[0] = (TableIndex){"abc_last_key", {"last_d"}};
    /* MariaDB: the daily stage counts the users whose last active day left
     * a rolling window: read by that day, not all */
    g->tables[T_ACT_USER].indexes[0] = (TableIndex){"abc_last_key", {"activity", "last_date"}};
    /* ... and the users first active on the date due, its new cohort */
    g->tables[T_ACT_USER].indexes[1] = (TableIndex){"abc_first_key", {"activity", "first_date"}};
    /* MariaDB: the daily cohort cells read the users of the date due that
     * enter its week or month, by their previous active day, not all */
    g->tables[T_ACT_WDUE].indexes[0] = (TableIndex){"abc_prev_key", {"prev_d"}};
    g->tables[T_ACT_WDAY].dist_col = "user_id";
    g->tables[T_ACT_WDELTA].dist_col = "d";
    g->tables[T_ACT_WPER].dist_col = "user_id";
    g->tables[T_ACT_PERIOD].dist_col = "user_id";
    g->tables[T_ACT_WDUE].dist_col = "user_id";
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
        buf_printf(b, "-- activity %s: the active events\n", gen_comment_text(g, a->name));
        gen_select_grouped(g, b);
        buf_puts(b, g->d->group_by_sort ? "\n       " : " ");
        gen_col(g, b, "s", src->date_col);
        buf_puts(b, ",\n       ");
        gen_str(g, b, a->name);
        buf_puts(b, ",\n       ");
        gen_col(g, b, "s", src->user_col);
        buf_puts(b, "\nFROM ");
        dialect_qualified(g->d, b, src->database, src->table);
        buf_puts(b, " s\nWHERE ");
        gen_col(g, b, "s", src->date_col);
        buf_puts(b, " >= {{from_date}}\n  AND ");
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

/* activity_fill_days' body: each activity's users of the days, from the
 * per-user day table (gen_activity_days_in_pre), one row per day and user
 * of its source there, without a grouping. */
static void fill_days_body(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    for (int i = 0; i < ir->nactivities; i++) {
        const IrActivity *a = &ir->activities[i];
        if (i)
            buf_puts(b, "\nUNION ALL\n");
        buf_printf(b, "-- activity %s: its flag in the per-user day table\nSELECT p.`event_date`,\n"
                      "       ",
                   gen_comment_text(g, a->name));
        gen_str(g, b, a->name);
        buf_puts(b, ",\n       p.`user_id`\nFROM ");
        gen_table(g, b, T_PRE);
        buf_printf(b, " p\nWHERE p.`event_date` >= {{from_date}}\n  AND p.`event_date` <= {{to_date}}"
                      "\n  AND p.`source` = %d\n  AND p.",
                   a->active.source);
        gen_id(g, b, gen_activity_day_col(g, i));
        buf_puts(b, " = 1");
    }
}

/* ---- activity_stage --------------------------------------------------------
 * Statements over work tables, each reading what it needs once (a CTE
 * named twice is evaluated twice on MariaDB):
 *   wbk     the breakdowns, numbered
 *   wdelta  several days due: per activity, breakdown, active day of
 *           [first date due - 28, hi] and next active day (LEAD over the
 *           user's days, kept when less than 28 days later), the number of
 *           users: each such user adds the same four deltas below, so the
 *           rows per user are counted here, not copied
 *   wday    one day due, the last: each user's last active day of the 28
 *           days ending on it
 *   wper    per variation breakdown, the users active per week and month
 *           on or after their exposure, from the period table
 *   rstage  the report rows of the periods starting in [lo, hi]: rolling
 *           distinct users as running sums of +1 on an active day and -1
 *           where its window ends (the day after for DAU, 7 and 28 days on
 *           for WAU and MAU, or earlier at the user's next active day, whose
 *           own window takes over), so each wdelta row adds four rows of n;
 *           week and month growth accounting from the period table (all
 *           users), wper (by variation) and the user state
 *   cstage  the retention triangle cells of the weeks and months starting
 *           in [lo, hi], from the period table and the user state
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

/* The start of the period before `period`. */
static const char *pprev(Gen *g, const char *grain, const char *period, int ind)
{
    return arena_printf(g->a, "CASE WHEN %s = 'week'\n%*sTHEN %s\n"
                              "%*sELSE CAST(DATE_ADD(%s, INTERVAL -1 MONTH) AS DATE)\n%*sEND",
                        grain, ind + 4, "", addn(g, period, -7), ind + 4, "", period, ind, "");
}

/* The Monday on or before `date`, `shift` days on (one DATE_ADD). */
static const char *monday_of(Gen *g, const char *date, int shift)
{
    Buf b;
    buf_init(&b);
    add_days(g, &b, date,
             shift ? arena_printf(g->a, "-((DAYOFWEEK(%s) + 5) %% 7) - %d", date, -shift)
                   : arena_printf(g->a, "-((DAYOFWEEK(%s) + 5) %% 7)", date));
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

/* The Monday on or before the first date due ({{event_date}}), `shift`
 * days on: the weeks before it are complete and kept as published. */
static const char *monday_due(Gen *g, int shift)
{
    return monday_of(g, "{{event_date}}", shift);
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
       ACT_GROWTHS = ACT_WAU | ACT_MAU | ACT_GROWTH,
       ACT_COHORTS = ACT_COHORTS_WEEKLY | ACT_COHORTS_MONTHLY };

/* `col IN (0, 2)`: the indexes of the activities with any of `need` (and,
 * with `by_variation`, a breakdown by variation); FALSE (1 = 0) when there
 * is none. */
static const char *idx_in_of(Gen *g, const char *col, unsigned need, bool by_variation)
{
    Buf b;
    buf_init(&b);
    int n = 0;
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        if (!(a->reports & need) || (by_variation && !a->by_variation))
            continue;
        if (n++)
            buf_printf(&b, ", %d", i);
        else
            buf_printf(&b, "%s IN (%d", col, i);
    }
    buf_puts(&b, n ? ")" : "1 = 0");
    const char *r = arena_strdup(g->a, b.data);
    buf_free(&b);
    return r;
}

static const char *idx_in(Gen *g, const char *col, unsigned need)
{
    return idx_in_of(g, col, need, false);
}

/* The activity's name from its index `col` (the user state and the day
 * table are keyed by name), one WHEN a line at `ind`. */
static const char *act_name(Gen *g, const char *col, int ind)
{
    Buf b;
    buf_init(&b);
    buf_printf(&b, "CASE %s", col);
    for (int i = 0; i < g->ir->nactivities; i++)
        buf_printf(&b, "\n%*sWHEN %d THEN %s", ind + 4, "", i, lit(g, g->ir->activities[i].name));
    buf_printf(&b, "\n%*sEND", ind, "");
    const char *r = arena_strdup(g->a, b.data);
    buf_free(&b);
    return r;
}

/* ... and the index from the name. */
static const char *act_index(Gen *g, const char *col, int ind)
{
    Buf b;
    buf_init(&b);
    buf_printf(&b, "CASE %s", col);
    for (int i = 0; i < g->ir->nactivities; i++)
        buf_printf(&b, "\n%*sWHEN %s THEN %d", ind + 4, "", lit(g, g->ir->activities[i].name), i);
    buf_printf(&b, "\n%*sEND", ind, "");
    const char *r = arena_strdup(g->a, b.data);
    buf_free(&b);
    return r;
}

/* `col IN ('a', 'b')` over the names of the activities with any of `need`
 * (and, with `by_variation`, a breakdown by variation), wrapped; FALSE
 * (1 = 0) when there is none. */
static const char *names_in(Gen *g, const char *col, int ind, unsigned need, bool by_variation)
{
    Buf b;
    buf_init(&b);
    size_t line = 0;
    int n = 0;
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        if (!(a->reports & need) || (by_variation && !a->by_variation))
            continue;
        const char *s = lit(g, a->name);
        if (n == 0) {
            buf_printf(&b, "%s IN (", col);
        } else if (b.len - line + strlen(s) + (size_t)ind > 90) {
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

/* WITH digits, nums, days (every date of [lo, hi]), acts (index, name and
 * by-variation flag of each activity); the caller continues the list. */
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
    buf_puts(b, " AS d\n    FROM nums\n    WHERE i <= DATEDIFF({{to_date}}, {{from_date}})\n),\n"
                "-- the activities by index\nacts AS (");
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        if (i)
            buf_puts(b, "\n    UNION ALL");
        buf_printf(b, "\n    SELECT %d%s,\n           %s%s,\n           %d%s", i, i ? "" : " AS `a`",
                   lit(g, a->name), i ? "" : " AS `activity`", a->by_variation ? 1 : 0,
                   i ? "" : " AS `by_variation`");
    }
    buf_puts(b, "\n)");
}

/* wbk: the breakdowns, numbered: 0 all users, 1.. the tracking and
 * variation key pairs of the tag's assignments, each from its first
 * exposure. */
static const char *wbk_body(Gen *g)
{
    Buf b, tp;
    buf_init(&b);
    buf_init(&tp);
    gen_tag_pred(g, &tp, "e");
    buf_puts(&b, "-- all users: from lo\n"
                 "SELECT 0 AS `b`,\n"
                 "       '' AS `tracking_key`,\n"
                 "       '' AS `variation_key`,\n"
                 "       '' AS `breakdown`,\n"
                 "       '' AS `breakdown_value`,\n"
                 "       CAST({{from_date}} AS DATE) AS `since`");
    bool by_var = false;
    for (int i = 0; i < g->ir->nactivities; i++)
        by_var |= g->ir->activities[i].by_variation;
    /* MariaDB: the assignment's variation index read loosely (a row per
     * variation; the optimizer picks it only when told, and only when
     * grouped by the whole prefix) */
    bool loose = g->d->id == DIALECT_MARIADB;
    if (by_var)
        buf_printf(&b, "\nUNION ALL\n"
                       "-- each tracking and variation key pair: from its first exposure\n"
                       "SELECT ROW_NUMBER() OVER (ORDER BY e.`tracking_key`, e.`variation_key`),\n"
                       "       e.`tracking_key`,\n"
                       "       e.`variation_key`,\n"
                       "       'variation',\n"
                       "       %s,\n"
                       "       MIN(e.`exposure_date`)\n"
                       "FROM %s e%s\n"
                       "WHERE %s\n"
                       "  AND e.`variation_key` IS NOT NULL\n"
                       "  AND e.`exposure_date` <= {{to_date}}\n"
                       "GROUP BY %se.`tracking_key`,\n"
                       "         e.`variation_key`",
                   variation_value(g, "e", 0), tname(g, T_ASSIGN),
                   loose ? " FORCE INDEX (`" ASSIGN_VARIATION_KEY "`)" : "", tp.data,
                   loose ? "e.`tag`,\n         " : "");
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    buf_free(&tp);
    return s;
}

/* wdelta: several days to report ({{event_date}} < {{to_date}}): every
 * active day of [{{event_date}} - 28, hi] per activity, breakdown and user
 * with the user's next active day there, counted per activity, breakdown,
 * day and next day (a next day 28 or more days on, or none, as NULL: it
 * ends no window earlier than the window's own end).  A day's rolling
 * windows reach 27 days back, so a day before that has left every window
 * (and its delta rows with it) before the first day reported.  By
 * variation, a user's days from its exposure on. */
static const char *wdelta_body(Gen *g)
{
    Buf b, tp;
    buf_init(&b);
    buf_init(&tp);
    gen_tag_pred(g, &tp, "e");
    const char *lo28 = addn(g, "{{event_date}}", -28);
    const char *days_in = names_in(g, "x.`activity`", 10, ACT_DAYS, false);
    const char *cap = arena_printf(g->a,
                                   "CASE WHEN t.`next_d` < %s THEN t.`next_d` END",
                                   addn(g, "t.`d`", 28));
    buf_printf(&b, "-- several days due: every active day of [first date due - 28, hi] per\n"
                   "-- activity, breakdown and user (the rolling windows of the days due), with\n"
                   "-- the user's next active day; counted per day and next day\n"
                   "SELECT t.`a`,\n"
                   "       t.`b`,\n"
                   "       t.`d`,\n"
                   "       %s,\n"
                   "       COUNT(*)\n"
                   "FROM (\n"
                   "    SELECT u.`a`,\n"
                   "           u.`b`,\n"
                   "           u.`d`,\n"
                   "           LEAD(u.`d`) OVER (PARTITION BY u.`a`, u.`b`, u.`user_id` ORDER BY u.`d`)\n"
                   "               AS `next_d`\n"
                   "    FROM (\n"
                   "        SELECT %s AS `a`,\n"
                   "               0 AS `b`,\n"
                   "               x.`user_id`,\n"
                   "               x.`event_date` AS `d`\n"
                   "        FROM %s x\n"
                   "        WHERE {{event_date}} < {{to_date}}\n"
                   "          AND x.`event_date` >= %s\n"
                   "          AND x.`event_date` <= {{to_date}}\n"
                   "          AND %s",
               cap, act_index(g, "x.`activity`", 15), tname(g, T_ACT_DAY), lo28, days_in);
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        if (!a->by_variation || !(a->reports & ACT_DAYS))
            continue;
        /* from the exposures: the day table's (activity, user_id, event_date)
         * key finds each exposed user's days */
        buf_printf(&b, "\n        UNION ALL\n"
                       "        -- activity %s by variation: a user's active days from its exposure on\n"
                       "        SELECT %d,\n"
                       "               k.`b`,\n"
                       "               x.`user_id`,\n"
                       "               x.`event_date`\n"
                       "        FROM %s e\n"
                       "        JOIN %s k\n"
                       "            ON k.`tracking_key` = e.`tracking_key`\n"
                       "            AND k.`variation_key` = e.`variation_key`\n"
                       "            AND k.`b` > 0\n"
                       "        JOIN %s x\n"
                       "            ON x.`activity` = %s\n"
                       "            AND x.`user_id` = e.`user_id`\n"
                       "            AND x.`event_date` >= e.`exposure_date`\n"
                       "            AND x.`event_date` >= %s\n"
                       "            AND x.`event_date` <= {{to_date}}\n"
                       "        WHERE {{event_date}} < {{to_date}}\n"
                       "          AND %s",
                   gen_comment_text(g, a->name), i, tname(g, T_ASSIGN), tname(g, T_ACT_WBK),
                   tname(g, T_ACT_DAY), lit(g, a->name), lo28, tp.data);
    }
    buf_printf(&b, "\n    ) u\n"
                   ") t\n"
                   "GROUP BY t.`a`,\n"
                   "         t.`b`,\n"
                   "         t.`d`,\n"
                   "         %s",
               cap);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    buf_free(&tp);
    return s;
}

/* wday: one day to report, the last ({{event_date}} = {{to_date}}, a
 * run whose one date due does not take activity_stage_next): per activity
 * and user only the last active day of the 28 days ending on it, breakdown
 * 0; the breakdowns come from the exposures in rstage (a user counts for a
 * variation when that day is on or after its exposure). */
static const char *wday_body(Gen *g)
{
    return arena_printf(g->a,
                        "-- one day due, the last: per activity and user the last active day of the\n"
                        "-- 28 days ending on it\n"
                        "SELECT %s,\n"
                        "       0,\n"
                        "       x.`user_id`,\n"
                        "       MAX(x.`event_date`)\n"
                        "FROM %s x\n"
                        "WHERE {{event_date}} = {{to_date}}\n"
                        "  AND x.`event_date` >= %s\n"
                        "  AND x.`event_date` <= {{to_date}}\n"
                        "  AND %s\n"
                        "GROUP BY x.`activity`,\n"
                        "         x.`user_id`",
                        act_index(g, "x.`activity`", 7), tname(g, T_ACT_DAY),
                        addn(g, "{{to_date}}", -27),
                        names_in(g, "x.`activity`", 2, ACT_DAYS, false));
}

/* Whether an activity reports weeks or months by variation (wper). */
static bool by_variation_periods(Gen *g)
{
    return strcmp(idx_in_of(g, "a", ACT_PERIODS, true), "1 = 0") != 0;
}

/* wper: per variation, the users with an active day in the week or month
 * on or after their exposure (their last active day there is not before
 * it), from the period table: the weeks from the one before the first date
 * due's ({{event_date}}) and the months from the one before lo's, up to hi
 * (earlier weeks keep their rows as published); the growth accounting of
 * all users reads the period table itself. */
static const char *wper_body(Gen *g)
{
    Buf b, tp;
    buf_init(&b);
    buf_init(&tp);
    gen_tag_pred(g, &tp, "e");
    const char *range = arena_printf(g->a,
                                     "(p.`grain` = 'week'\n"
                                     "       AND p.`period` >=\n"
                                     "           %s\n"
                                     "       OR p.`grain` = 'month' AND p.`period` >= %s)\n"
                                     "  AND p.`period` <= {{to_date}}",
                                     monday_due(g, -7), addn(g, "{{from_date}}", -31));
    buf_printf(&b, "-- by variation: active in the period on or after the exposure, from the\n"
                   "-- week before the first date due's and the month before lo's\n"
                   "SELECT p.`a`,\n"
                   "       k.`b`,\n"
                   "       p.`grain`,\n"
                   "       p.`user_id`,\n"
                   "       p.`period`\n"
                   "FROM %s p\n"
                   "JOIN %s e\n"
                   "    ON e.`user_id` = p.`user_id`\n"
                   "    AND %s\n"
                   "JOIN %s k\n"
                   "    ON k.`tracking_key` = e.`tracking_key`\n"
                   "    AND k.`variation_key` = e.`variation_key`\n"
                   "    AND k.`b` > 0\n"
                   "WHERE %s\n"
                   "  AND %s\n"
                   "  AND p.`last_d` >= e.`exposure_date`",
               tname(g, T_ACT_PERIOD), tname(g, T_ASSIGN), tp.data, tname(g, T_ACT_WBK),
               idx_in_of(g, "p.`a`", ACT_PERIODS, true), range);
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    buf_free(&tp);
    return s;
}

/* The period rows of the days of [{{from_date}}, `last`]: per activity
 * number, week or month and user, the first and last active day there
 * (grouped: the caller adds the GROUP BY), or a row per active day with
 * the day as both (not grouped). */
static void period_rows(Gen *g, Buf *b, const char *last, bool grouped, int ind)
{
    Buf q;
    buf_init(&q);
    buf_printf(&q, "SELECT t.`period`,\n"
                   "       t.`a`,\n"
                   "       t.`grain`,\n"
                   "       t.`user_id`,\n"
                   "       %s AS `first_d`,\n"
                   "       %s AS `last_d`\n"
                   "FROM (\n"
                   "    SELECT %s AS `period`,\n"
                   "           y.`a`,\n"
                   "           g.`grain`,\n"
                   "           y.`user_id`,\n"
                   "           y.`d`\n"
                   "    FROM (\n"
                   "        SELECT %s AS `a`,\n"
                   "               x.`user_id`,\n"
                   "               x.`event_date` AS `d`\n"
                   "        FROM %s x\n"
                   "        WHERE x.`event_date` >= {{from_date}}\n"
                   "          AND x.`event_date` <= %s\n"
                   "          AND %s\n"
                   "    ) y\n"
                   "    CROSS JOIN (\n"
                   "        SELECT 'week' AS `grain`\n"
                   "        UNION ALL\n"
                   "        SELECT 'month'\n"
                   "    ) g\n"
                   ") t\n",
               grouped ? "MIN(t.`d`)" : "t.`d`", grouped ? "MAX(t.`d`)" : "t.`d`",
               pstart(g, "g.`grain`", "y.`d`", 11), act_index(g, "x.`activity`", 15),
               tname(g, T_ACT_DAY), last, names_in(g, "x.`activity`", 10, ACT_PERIODS, false));
    /* every line indented by `ind` */
    for (const char *line = q.data; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
        buf_printf(b, "%*s%.*s", ind, "", (int)n, line);
        line += n;
    }
    buf_free(&q);
}

/* activity_periods: the period rows of the weeks and months starting in
 * [{{from_date}}, {{to_date}}], each from all its days (those after
 * {{to_date}} too, on a backfill: a week runs 6 days past its start, a
 * month at most 30).  One grouping of the day table per grain, each of one
 * table (MariaDB: by a sort, group_by_sort), not a grouping of the days
 * joined to the two grains. */
static const char *period_body(Gen *g)
{
    Buf b;
    buf_init(&b);
    static const struct {
        const char *grain;
        void (*start)(Gen *, Buf *, const char *);
        int last;
    } grains[] = {{"week", week_start, 6}, {"month", month_start, 30}};
    for (int i = 0; i < 2; i++) {
        const char *start = tmp(g, grains[i].start, "x.`event_date`");
        buf_printf(&b, "%s-- the %ss\n", i ? "UNION ALL\n" : "", grains[i].grain);
        gen_select_grouped(g, &b);
        buf_printf(&b, "%s%s AS `period`,\n"
                       "       %s AS `a`,\n"
                       "       '%s' AS `grain`,\n"
                       "       x.`user_id`,\n"
                       "       MIN(x.`event_date`) AS `first_d`,\n"
                       "       MAX(x.`event_date`) AS `last_d`\n"
                       "FROM %s x\n"
                       "WHERE x.`event_date` >= {{from_date}}\n"
                       "  AND x.`event_date` <= %s\n"
                       "  AND %s\n"
                       "  AND %s\n"
                       "      BETWEEN {{from_date}} AND {{to_date}}\n"
                       "GROUP BY %s,\n"
                       "         x.`activity`,\n"
                       "         x.`user_id`%s",
                   g->d->group_by_sort ? "\n       " : " ", start,
                   act_index(g, "x.`activity`", 7), grains[i].grain, tname(g, T_ACT_DAY),
                   addn(g, "{{to_date}}", grains[i].last),
                   names_in(g, "x.`activity`", 2, ACT_PERIODS, false), start, start,
                   i ? "" : "\n");
    }
    const char *r = arena_strdup(g->a, b.data);
    buf_free(&b);
    return r;
}

/* activity_periods_add: the period rows of the days of [{{from_date}},
 * {{to_date}}] merged with the stored ones, which activity_periods_check
 * found to have no day on or after {{from_date}}: the earlier first day and
 * the later last day.  MariaDB merges each active day into its stored row
 * by the upsert (PERIOD_MERGE), so a daily run reads the day's rows
 * alone; StarRocks's upsert replaces the row, so the body groups the days
 * and joins the stored rows. */
static const char *period_add_body(Gen *g)
{
    Buf b;
    buf_init(&b);
    if (g->d->id == DIALECT_MARIADB) {
        buf_puts(&b, "-- the days filled, each merged into its stored period row\n");
        period_rows(g, &b, "{{to_date}}", false, 0);
        const char *s = arena_strndup(g->a, b.data, b.len - 1); /* less its last newline */
        buf_free(&b);
        return s;
    }
    buf_printf(&b, "SELECT n.`period`,\n"
                   "       n.`a`,\n"
                   "       n.`grain`,\n"
                   "       n.`user_id`,\n"
                   "       LEAST(COALESCE(o.`first_d`, n.`first_d`), n.`first_d`),\n"
                   "       GREATEST(COALESCE(o.`last_d`, n.`last_d`), n.`last_d`)\n"
                   "FROM (\n"
                   "    -- the days filled\n");
    period_rows(g, &b, "{{to_date}}", true, 4);
    buf_printf(&b, "    GROUP BY t.`period`,\n"
                   "             t.`a`,\n"
                   "             t.`grain`,\n"
                   "             t.`user_id`\n"
                   ") n\n"
                   "LEFT JOIN %s o\n"
                   "    ON o.`period` = n.`period`\n"
                   "    AND o.`a` = n.`a`\n"
                   "    AND o.`grain` = n.`grain`\n"
                   "    AND o.`user_id` = n.`user_id`",
               tname(g, T_ACT_PERIOD));
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

/* The JOINs (each line after `ind`) of a user (`alias`.`user_id`) to each
 * of the tag's exposures `e` and its breakdown number `k2` (b > 0), both
 * read after the users (Dialect.join_left_first): once an experiment has
 * many units MariaDB otherwise reads every unit of each breakdown and
 * looks its user up, instead of the few users' exposures by user. */
static const char *breakdown_join_at(Gen *g, const char *alias, const char *ind)
{
    Buf tp;
    buf_init(&tp);
    gen_tag_pred(g, &tp, "e");
    const char *r = arena_printf(g->a,
                                 "%s-- the users' exposures, looked up by user\n"
                                 "%s%s %s e\n"
                                 "%s    ON e.`user_id` = %s.`user_id`\n"
                                 "%s    AND %s\n"
                                 "%s%s %s k2\n"
                                 "%s    ON k2.`tracking_key` = e.`tracking_key`\n"
                                 "%s    AND k2.`variation_key` = e.`variation_key`\n"
                                 "%s    AND k2.`b` > 0\n",
                                 ind, ind, g->d->join_left_first, tname(g, T_ASSIGN), ind, alias,
                                 ind, tp.data, ind, g->d->join_left_first, tname(g, T_ACT_WBK),
                                 ind, ind, ind);
    buf_free(&tp);
    return r;
}

/* breakdown_join_at indented 12 */
static const char *breakdown_join(Gen *g, const char *alias)
{
    return breakdown_join_at(g, alias, "            ");
}

/* One delta branch of the day measures, summed per activity, breakdown and
 * date first (few rows): `e` and the three deltas per active day, each
 * times the users of the wdelta row. */
static void delta_branch(Gen *g, Buf *b, const char *comment, const char *e, const char *ge,
                         int dd, int dw, int dm, const char *in)
{
    buf_printf(b, "                -- %s\n"
                  "                SELECT w.`a`,\n"
                  "                       w.`b`,\n"
                  "                       %s AS `e`,\n"
                  "                       0 AS `grid`,\n"
                  "                       %d * SUM(w.`n`) AS `dd`,\n"
                  "                       %d * SUM(w.`n`) AS `dw`,\n"
                  "                       %d * SUM(w.`n`) AS `dm`\n"
                  "                FROM %s w\n"
                  "                WHERE {{event_date}} < {{to_date}}\n"
                  "                  AND %s\n"
                  "                GROUP BY w.`a`,\n"
                  "                         w.`b`,\n"
                  "                         %s\n"
                  "                UNION ALL\n",
               comment, e, dd, dw, dm, tname(g, T_ACT_WDELTA), in, ge);
}

/* where the n-day window of an active day stops counting: n days on, or
 * at the user's next active day, whose window takes over */
static const char *window_end(Gen *g, int n, int ind)
{
    const char *end = addn(g, "w.`d`", n);
    return arena_printf(g->a, "CASE WHEN w.`next_d` < %s\n%*sTHEN w.`next_d`\n%*sELSE %s\n%*sEND",
                        end, ind + 4, "", ind + 4, "", end, ind, "");
}

static const char *running(Gen *g, const char *col, const char *as)
{
    return arena_printf(g->a,
                        "SUM(z.`%s`) OVER (\n"
                        "                   PARTITION BY z.`a`, z.`b`\n"
                        "                   ORDER BY z.`e` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW\n"
                        "               ) AS `%s`",
                        col, as);
}

static void day_measures(Gen *g, Buf *b)
{
    const char *in = idx_in(g, "w.`a`", ACT_DAYS);
    buf_printf(b, "    -- day grain: distinct users active that day and in the 7 and 28 days ending\n"
                  "    -- on it, as running sums of the deltas below\n"
                  "    SELECT r.`a`,\n"
                  "           r.`b`,\n"
                  "           'day' AS `grain`,\n"
                  "           r.`e` AS `period`,\n"
                  "           r.`dau`,\n"
                  "           r.`wau_rolling`,\n"
                  "           r.`mau_rolling`,\n"
                  "           0 AS `active`,\n"
                  "           0 AS `new_users`,\n"
                  "           0 AS `retained`,\n"
                  "           0 AS `resurrected`,\n"
                  "           0 AS `churned`\n"
                  "    FROM (\n"
                  "        SELECT z.`a`,\n"
                  "               z.`b`,\n"
                  "               z.`e`,\n"
                  "               z.`grid`,\n"
                  "               %s,\n"
                  "               %s,\n"
                  "               %s\n"
                  "        FROM (\n"
                  "            SELECT y.`a`,\n"
                  "                   y.`b`,\n"
                  "                   y.`e`,\n"
                  "                   MAX(y.`grid`) AS `grid`,\n"
                  "                   SUM(y.`dd`) AS `dd`,\n"
                  "                   SUM(y.`dw`) AS `dw`,\n"
                  "                   SUM(y.`dm`) AS `dm`\n"
                  "            FROM (\n",
               running(g, "dd", "dau"), running(g, "dw", "wau_rolling"),
               running(g, "dm", "mau_rolling"));
    delta_branch(g, b, "+1 on each active day", "w.`d`", "w.`d`", 1, 1, 1, in);
    delta_branch(g, b, "-1 the day after (DAU)", addn(g, "w.`d`", 1), addn(g, "w.`d`", 1), -1, 0,
                 0, in);
    delta_branch(g, b, "-1 when the 7-day window ends (or the next active day's begins)",
                 window_end(g, 7, 23), window_end(g, 7, 25), 0, -1, 0, in);
    delta_branch(g, b, "-1 when the 28-day window ends (or the next active day's begins)",
                 window_end(g, 28, 23), window_end(g, 28, 25), 0, 0, -1, in);
    buf_printf(b, "                -- a zero row for every day due and breakdown reported\n"
                  "                SELECT x.`a`,\n"
                  "                       k.`b`,\n"
                  "                       c.`d`,\n"
                  "                       1,\n"
                  "                       0,\n"
                  "                       0,\n"
                  "                       0\n"
                  "                FROM days c\n"
                  "                JOIN %s k ON c.`d` >= k.`since`\n"
                  "                JOIN acts x ON k.`b` = 0 OR x.`by_variation` = 1\n"
                  "                WHERE {{event_date}} < {{to_date}}\n"
                  "                  AND c.`d` >= {{event_date}}\n"
                  "                  AND %s\n"
                  "            ) y\n"
                  "            GROUP BY y.`a`,\n"
                  "                     y.`b`,\n"
                  "                     y.`e`\n"
                  "        ) z\n"
                  "    ) r\n"
                  "    WHERE r.`grid` = 1",
               tname(g, T_ACT_WBK), idx_in(g, "x.`a`", ACT_DAYS));
    buf_puts(b, "\n    UNION ALL\n"
                "    -- one day due, the last: from each user's last active day of the 28 days\n"
                "    -- ending on it (wday); by variation when that day is on or after the\n"
                "    -- user's exposure\n"
                "    SELECT x.`a`,\n"
                "           k.`b`,\n"
                "           'day',\n"
                "           CAST({{to_date}} AS DATE),\n"
                "           COALESCE(n.`dau`, 0),\n"
                "           COALESCE(n.`wau_rolling`, 0),\n"
                "           COALESCE(n.`mau_rolling`, 0),\n"
                "           0,\n"
                "           0,\n"
                "           0,\n"
                "           0,\n"
                "           0\n");
    buf_printf(b, "    FROM %s k\n"
                  "    JOIN acts x ON k.`b` = 0 OR x.`by_variation` = 1\n"
                  "    LEFT JOIN (\n"
                  "        SELECT u.`a`,\n"
                  "               u.`b`,\n"
                  "               SUM(CASE WHEN u.`d` = {{to_date}} THEN 1 ELSE 0 END) AS `dau`,\n"
                  "               SUM(CASE WHEN u.`d` >= %s\n"
                  "                   THEN 1 ELSE 0 END) AS `wau_rolling`,\n"
                  "               COUNT(*) AS `mau_rolling`\n"
                  "        FROM (\n"
                  "            SELECT w.`a`,\n"
                  "                   0 AS `b`,\n"
                  "                   w.`d`\n"
                  "            FROM %s w\n"
                  "            WHERE {{event_date}} = {{to_date}}\n"
                  "            UNION ALL\n"
                  "            SELECT w.`a`,\n"
                  "                   k2.`b`,\n"
                  "                   w.`d`\n"
                  "            FROM %s w\n"
                  "%s"
                  "            JOIN acts x2 ON x2.`a` = w.`a` AND x2.`by_variation` = 1\n"
                  "            WHERE {{event_date}} = {{to_date}}\n"
                  "              AND w.`d` >= e.`exposure_date`\n"
                  "        ) u\n"
                  "        GROUP BY u.`a`,\n"
                  "                 u.`b`\n"
                  "    ) n ON n.`a` = x.`a` AND n.`b` = k.`b`\n"
                  "    WHERE {{event_date}} = {{to_date}}\n"
                  "      AND k.`since` <= {{to_date}}\n"
                  "      AND %s",
               tname(g, T_ACT_WBK), addn(g, "{{to_date}}", -6), tname(g, T_ACT_WDAY),
               tname(g, T_ACT_WDAY), breakdown_join(g, "w"), idx_in(g, "x.`a`", ACT_DAYS));
}

/* The rows of period_measures' growth accounting from `table`: the period
 * table (all users, breakdown 0) or wper (by variation).  A user active in
 * a period counts there, retained when active in the previous one too
 * (q), new or resurrected by the user state; a user active in a period
 * and not in the next counts as churned in the next.  The period table
 * also holds weeks before the one before the first date due's (wper's
 * first): their rows fall outside the weeks reported (from the first date
 * due's), as do those of periods after hi.  Indented 12; ends without a
 * newline. */
static void growth_rows(Gen *g, Buf *b, int table)
{
    bool all = table == T_ACT_PERIOD;
    const char *t = tname(g, table);
    buf_printf(b, "            -- users active in the period: in the previous one too (q), or "
                  "not%s\n"
                  "            SELECT p.`a`,\n"
                  "                   %s AS `b`,\n"
                  "                   p.`grain`,\n"
                  "                   p.`period`,\n"
                  "                   1 AS `cur`,\n"
                  "                   CASE WHEN s.`first_date` >= p.`period` THEN 1 ELSE 0 END AS `new_users`,\n"
                  "                   CASE WHEN q.`user_id` IS NOT NULL THEN 1 ELSE 0 END AS `retained`,\n"
                  "                   CASE WHEN q.`user_id` IS NULL AND s.`first_date` < p.`period`\n"
                  "                       THEN 1 ELSE 0 END AS `resurrected`,\n"
                  "                   0 AS `churned`\n"
                  "            FROM %s p\n"
                  "            LEFT JOIN %s q\n"
                  "                ON q.`a` = p.`a`\n"
                  "%s"
                  "                AND q.`grain` = p.`grain`\n"
                  "                AND q.`user_id` = p.`user_id`\n"
                  "                AND q.`period` = %s\n"
                  "            LEFT JOIN %s s\n"
                  "                ON s.`activity` = %s\n"
                  "                AND s.`user_id` = p.`user_id`\n"
                  "            WHERE p.`period` >= {{from_date}}",
               all ? " (all users)" : " (by variation)", all ? "0" : "p.`b`", t, t,
               all ? "" : "                AND q.`b` = p.`b`\n",
               pprev(g, "p.`grain`", "p.`period`", 32), tname(g, T_ACT_USER),
               act_name(g, "p.`a`", 19));
    if (all)
        buf_printf(b, "\n              AND p.`period` <= {{to_date}}\n              AND %s",
                   idx_in(g, "p.`a`", ACT_PERIODS));
    buf_printf(b, "\n            UNION ALL\n"
                  "            -- users active in the previous period, not in this one\n"
                  "            SELECT q.`a`,\n"
                  "                   %s,\n"
                  "                   q.`grain`,\n"
                  "                   %s,\n"
                  "                   0,\n"
                  "                   0,\n"
                  "                   0,\n"
                  "                   0,\n"
                  "                   1\n"
                  "            FROM %s q\n"
                  "            LEFT JOIN %s p\n"
                  "                ON p.`a` = q.`a`\n"
                  "%s"
                  "                AND p.`grain` = q.`grain`\n"
                  "                AND p.`user_id` = q.`user_id`\n"
                  "                AND p.`period` = %s\n"
                  "            WHERE p.`user_id` IS NULL\n"
                  "              AND q.`period` >= %s\n"
                  "              AND q.`period` < {{to_date}}",
               all ? "0" : "q.`b`", pnext(g, "q.`grain`", "q.`period`", 19), t, t,
               all ? "" : "                AND p.`b` = q.`b`\n",
               pnext(g, "q.`grain`", "q.`period`", 32), addn(g, "{{from_date}}", -31));
    if (all)
        buf_printf(b, "\n              AND %s", idx_in(g, "q.`a`", ACT_PERIODS));
}

static void period_measures(Gen *g, Buf *b)
{
    buf_printf(b, "    -- week and month: active users and growth accounting (new: first active\n"
                  "    -- date in the period; resurrected: active, not in the previous period,\n"
                  "    -- first active before)\n"
                  "    SELECT x.`a`,\n"
                  "           k.`b`,\n"
                  "           c.`grain`,\n"
                  "           c.`d` AS `period`,\n"
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
                  "          AND d >=\n"
                  "              %s\n"
                  "        UNION ALL\n"
                  "        SELECT 'month',\n"
                  "               d\n"
                  "        FROM days\n"
                  "        WHERE DAYOFMONTH(d) = 1\n"
                  "    ) c\n"
                  "    JOIN %s k ON c.`d` >= %s\n"
                  "    JOIN acts x ON k.`b` = 0 OR x.`by_variation` = 1\n"
                  "    LEFT JOIN (\n"
                  "        SELECT u.`a`,\n"
                  "               u.`b`,\n"
                  "               u.`grain`,\n"
                  "               u.`period`,\n"
                  "               SUM(u.`cur`) AS `active`,\n"
                  "               SUM(u.`new_users`) AS `new_users`,\n"
                  "               SUM(u.`retained`) AS `retained`,\n"
                  "               SUM(u.`resurrected`) AS `resurrected`,\n"
                  "               SUM(u.`churned`) AS `churned`\n"
                  "        FROM (\n",
               monday_due(g, 0), tname(g, T_ACT_WBK), pstart(g, "c.`grain`", "k.`since`", 14));
    growth_rows(g, b, T_ACT_PERIOD);
    if (by_variation_periods(g)) {
        buf_puts(b, "\n            UNION ALL\n");
        growth_rows(g, b, T_ACT_WPER);
    }
    buf_printf(b, "\n"
                  "        ) u\n"
                  "        GROUP BY u.`a`,\n"
                  "                 u.`b`,\n"
                  "                 u.`grain`,\n"
                  "                 u.`period`\n"
                  "    ) a\n"
                  "        ON a.`a` = x.`a`\n"
                  "        AND a.`b` = k.`b`\n"
                  "        AND a.`grain` = c.`grain`\n"
                  "        AND a.`period` = c.`d`\n"
                  "    WHERE %s",
               idx_in(g, "x.`a`", ACT_GROWTHS));
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
            buf_printf(b, "%s\n    SELECT %d%s,\n           '%s'%s,\n           '%s'%s",
                       first ? "" : "\n    UNION ALL", i, first ? " AS `a`" : "", ms[m].grain,
                       first ? " AS `grain`" : "", ms[m].measure, first ? " AS `measure`" : "");
            first = false;
        }
    }
    if (first) /* no measure asked for: no rows */
        buf_puts(b, "\n    SELECT 0 AS `a`,\n           '' AS `grain`,\n"
                    "           '' AS `measure`\n    FROM days\n    WHERE 1 = 0");
    buf_puts(b, "\n)");
}

/* ---- activity_stage_next: the date after the last published one ------------
 * A daily run whose one date due, D ({{event_date}} = {{to_date}}), follows
 * the last published date and whose days filled were new (the period rows
 * were merged, not replaced): the measures of D follow from their rows as
 * published the day before, plus the users active on D that enter a
 * window or period (the work table wdue, written by activity_due_users:
 * each with the last active day before D and the first active date), less,
 * for the rolling windows, the users whose last active day just left them
 * (the user state: no day after D is filled).  The run reads D's active
 * users, not every user of the month.  {{from_date}} is lo (on or before
 * D's Monday and 1st). */

/* wdue (activity_due_users, after activity_fill and before
 * activity_state_add merges D): per activity, the users active on D with
 * their last active day in the 30 days before (every week, month and
 * 28-day window holding D starts in them) and their first active date,
 * both from the user state as it stands before D (a user without a row
 * there: none before, first active on D); one lookup per user. */
static const char *wdue_body(Gen *g)
{
    return arena_printf(g->a,
                        "SELECT %s AS `a`,\n"
                        "       x.`user_id`,\n"
                        "       CASE WHEN s.`last_date` >= %s\n"
                        "           AND s.`last_date` < {{to_date}}\n"
                        "           THEN s.`last_date`\n"
                        "       END AS `prev_d`,\n"
                        "       COALESCE(s.`first_date`, CAST({{to_date}} AS DATE)) AS `first_date`\n"
                        "FROM %s x\n"
                        "LEFT JOIN %s s\n"
                        "    ON s.`activity` = x.`activity`\n"
                        "    AND s.`user_id` = x.`user_id`\n"
                        "WHERE x.`event_date` = {{to_date}}\n"
                        "  AND %s",
                        act_index(g, "x.`activity`", 7), addn(g, "{{to_date}}", -30),
                        tname(g, T_ACT_DAY), tname(g, T_ACT_USER),
                        names_in(g, "x.`activity`", 2, ACT_PERIODS | ACT_DAYS, false));
}

/* A LEFT JOIN operand (indented 8): the report rows as published, per
 * activity `a`, breakdown number `b`, grain and period, one column per
 * measure (`cols`: MAX(CASE WHEN r.`measure` ... END) AS ..., indented 15),
 * of the rows `where` picks. */
static void published_rows(Gen *g, Buf *b, const char *cols, const char *where)
{
    Buf rp;
    buf_init(&rp);
    gen_tag_pred(g, &rp, "r");
    buf_printf(b, "        -- as published the day before\n"
                  "        SELECT x.`a`,\n"
                  "               k.`b`,\n"
                  "               r.`grain`,\n"
                  "               r.`period`,\n"
                  "%s\n"
                  "        FROM %s r\n"
                  "        JOIN acts x ON x.`activity` = r.`activity`\n"
                  "        JOIN %s k\n"
                  "            ON k.`breakdown` = r.`breakdown`\n"
                  "            AND k.`breakdown_value` = r.`breakdown_value`\n"
                  "        WHERE %s\n"
                  "          AND %s\n"
                  "        GROUP BY x.`a`,\n"
                  "                 k.`b`,\n"
                  "                 r.`grain`,\n"
                  "                 r.`period`\n",
               cols, tname(g, T_ACT_REPORT), tname(g, T_ACT_WBK), rp.data, where);
    buf_free(&rp);
}

/* The LEFT JOIN (indented 4) of the daily stage's day rows: the users last
 * active on the first day of the window ending on D - 1, who leave it on D
 * (by variation: exposed by that day), per activity and breakdown. */
static void leaving_users(Gen *g, Buf *b)
{
    const char *d7 = addn(g, "{{to_date}}", -7), *d28 = addn(g, "{{to_date}}", -28);
    /* the users whose last active date is D - 7 or D - 28 (a user's last
     * active date is one of its active days): MariaDB reads them from the
     * user state by that date (its (activity, last_date) index); StarRocks
     * reads the day table's two partitions and joins the user state by
     * key, not the user state whole */
    bool by_last_key = g->d->id == DIALECT_MARIADB;
    const char *gone =
        by_last_key
            ? arena_printf(g->a,
                           "        FROM %s s\n"
                           "        JOIN acts x2 ON x2.`activity` = s.`activity`\n",
                           tname(g, T_ACT_USER))
            : arena_printf(g->a,
                           "        FROM %s y\n"
                           "        JOIN acts x2 ON x2.`activity` = y.`activity`\n"
                           "        JOIN %s s\n"
                           "            ON s.`activity` = y.`activity`\n"
                           "            AND s.`user_id` = y.`user_id`\n"
                           "            AND s.`last_date` = y.`event_date`\n",
                           tname(g, T_ACT_DAY), tname(g, T_ACT_USER));
    /* the join's dates and activities repeated on s: read by its last date */
    const char *day_rows =
        by_last_key ? ""
                    : arena_printf(g->a,
                                   "y.`event_date` IN (%s,\n"
                                   "                                 %s)\n"
                                   "          AND ",
                                   d7, d28);
    const char *gone_where = arena_printf(g->a,
                                          "        WHERE %ss.`last_date` IN (%s,\n"
                                          "                                %s)\n"
                                          "          AND %s\n"
                                          "          AND %s\n",
                                          day_rows, d7, d28,
                                          names_in(g, "s.`activity`", 10, ACT_DAYS, false),
                                          idx_in(g, "x2.`a`", ACT_DAYS));
    /* each part grouped by itself: a grouping of their UNION would first
     * copy every user's row into a derived table and read it back */
    const char *sums = arena_printf(g->a,
                                    "               SUM(CASE WHEN s.`last_date` = %s\n"
                                    "                   THEN 1 ELSE 0 END) AS `wau_out`,\n"
                                    "               SUM(CASE WHEN s.`last_date` = %s\n"
                                    "                   THEN 1 ELSE 0 END) AS `mau_out`\n",
                                    d7, d28);
    buf_printf(b, "    LEFT JOIN (\n"
                  "        -- the users whose last active date is the first day of the window\n"
                  "        -- ending the day before (by variation: exposed by that day)\n"
                  "        SELECT x2.`a`,\n"
                  "               0 AS `b`,\n"
                  "%s"
                  "%s"
                  "%s"
                  "        GROUP BY x2.`a`\n"
                  "        UNION ALL\n"
                  "        SELECT x2.`a`,\n"
                  "               k2.`b`,\n"
                  "%s"
                  "%s"
                  "%s"
                  "%s"
                  "          AND x2.`by_variation` = 1\n"
                  "          AND e.`exposure_date` <= s.`last_date`\n"
                  "        GROUP BY x2.`a`,\n"
                  "                 k2.`b`\n"
                  "    ) l ON c.`grain` = 'day' AND l.`a` = x.`a` AND l.`b` = k.`b`\n",
               sums, gone, gone_where, sums, gone, breakdown_join_at(g, "s", "        "), gone_where);
}

/* The activities a row of grain `grain` (of `due`) reports: the day
 * measures' for the day, the growth measures' for the week and month. */
static const char *grain_acts(Gen *g, const char *grain, const char *a, int ind)
{
    return arena_printf(g->a, "(%s = 'day' AND %s\n%*sOR %s <> 'day' AND %s)", grain,
                        idx_in(g, a, ACT_DAYS), ind, "", grain, idx_in(g, a, ACT_GROWTHS));
}

/* The daily stage's rows of D (activity_stage_next), in one branch over
 * `due` (D's day, week and month, as reported): per activity, breakdown
 * and grain, the measures as published the day before (o: the rolling
 * windows of D - 1, the week's and month's counts so far; a period
 * starting on D: no row, and every user of the period before churned so
 * far), plus the users active on D that enter a rolling window or the
 * period (n: active on no day of the window or period before D; by
 * variation, since the exposure), less the users whose last active day
 * left a rolling window on D (l).  New users are first active in the
 * period, retained ones active in the period before (q), resurrected ones
 * neither (the first active date from wdue).  The users active on D
 * (wdue) are read once for all users and once by variation, each row
 * joined to the grains due. */
static void measures_next(Gen *g, Buf *b, bool days, bool pers)
{
    Buf tp;
    buf_init(&tp);
    gen_tag_pred(g, &tp, "e");
    const char *d7 = addn(g, "{{to_date}}", -7), *d28 = addn(g, "{{to_date}}", -28);
    const char *week = tmp(g, week_start, "{{to_date}}");
    const char *month = tmp(g, month_start, "{{to_date}}");
    buf_puts(b, "    -- the day, week and month of the date due: as published the day before,\n"
                "    -- plus the users active on the date due that enter a rolling window or\n"
                "    -- the period (new: first active date in the period; retained: active in\n"
                "    -- the previous period; resurrected: neither; churned: the previous\n"
                "    -- period's users not back), less the users leaving a rolling window\n"
                "    SELECT x.`a`,\n"
                "           k.`b`,\n"
                "           c.`grain`,\n"
                "           c.`period`,\n");
    if (days)
        buf_puts(b, "           CASE WHEN c.`grain` = 'day' THEN COALESCE(n.`dau`, 0) ELSE 0 END AS `dau`,\n"
                    "           CASE WHEN c.`grain` = 'day'\n"
                    "               THEN COALESCE(o.`wau_rolling`, 0) + COALESCE(n.`wau_in`, 0)\n"
                    "                   - COALESCE(l.`wau_out`, 0)\n"
                    "               ELSE 0\n"
                    "           END AS `wau_rolling`,\n"
                    "           CASE WHEN c.`grain` = 'day'\n"
                    "               THEN COALESCE(o.`mau_rolling`, 0) + COALESCE(n.`mau_in`, 0)\n"
                    "                   - COALESCE(l.`mau_out`, 0)\n"
                    "               ELSE 0\n"
                    "           END AS `mau_rolling`,\n");
    else
        buf_puts(b, "           0 AS `dau`,\n"
                    "           0 AS `wau_rolling`,\n"
                    "           0 AS `mau_rolling`,\n");
    /* n: a row per activity and breakdown, the week's counts as w_*, the
     * month's as m_* */
    static const char *const counts[] = {"active", "new_users", "retained", "resurrected"};
    for (int i = 0; i < 4; i++)
        if (pers)
            buf_printf(b, "           CASE c.`grain`\n"
                          "               WHEN 'week' THEN COALESCE(o.`%s`, 0) + COALESCE(n.`w_%s`, 0)\n"
                          "               WHEN 'month' THEN COALESCE(o.`%s`, 0) + COALESCE(n.`m_%s`, 0)\n"
                          "               ELSE 0\n"
                          "           END AS `%s`,\n",
                       counts[i], counts[i], counts[i], counts[i], counts[i]);
        else
            buf_printf(b, "           0 AS `%s`,\n", counts[i]);
    if (pers)
        buf_puts(b, "           CASE c.`grain`\n"
                    "               WHEN 'week' THEN COALESCE(o.`churned`, 0) - COALESCE(n.`w_retained`, 0)\n"
                    "               WHEN 'month' THEN COALESCE(o.`churned`, 0) - COALESCE(n.`m_retained`, 0)\n"
                    "               ELSE 0\n"
                    "           END AS `churned`\n");
    else
        buf_puts(b, "           0 AS `churned`\n");
    buf_printf(b, "    FROM due c\n"
                  "    JOIN %s k\n"
                  "        ON c.`grain` = 'day' AND k.`since` <= {{to_date}}\n"
                  "        OR c.`grain` <> 'day' AND c.`period` >= %s\n"
                  "    JOIN acts x ON k.`b` = 0 OR x.`by_variation` = 1\n"
                  "    LEFT JOIN (\n",
               tname(g, T_ACT_WBK), pstart(g, "c.`grain`", "k.`since`", 14));
    /* o: the day's rolling windows of D - 1, and the counts of D's week and
     * month so far (when they started before D) */
    const char *o_where = arena_printf(
        g->a, "(%s%s%s)", days ? arena_printf(g->a, "r.`grain` = 'day' AND r.`period` = %s",
                                              addn(g, "{{to_date}}", -1))
                               : "",
        days && pers ? "\n               OR " : "",
        pers ? arena_printf(g->a,
                            "(r.`grain` = 'week'\n"
                            "                   AND r.`period` =\n"
                            "                       %s\n"
                            "                   OR r.`grain` = 'month'\n"
                            "                   AND r.`period` =\n"
                            "                       %s)\n"
                            "               AND r.`period` < {{to_date}}",
                            week, month)
             : "");
    published_rows(g, b,
                   "               MAX(CASE WHEN r.`measure` = 'wau_rolling' THEN r.`value` END) "
                   "AS `wau_rolling`,\n"
                   "               MAX(CASE WHEN r.`measure` = 'mau_rolling' THEN r.`value` END) "
                   "AS `mau_rolling`,\n"
                   "               MAX(CASE WHEN r.`measure` IN ('wau', 'mau') THEN r.`value` END) AS `active`,\n"
                   "               MAX(CASE WHEN r.`measure` = 'new' THEN r.`value` END) AS `new_users`,\n"
                   "               MAX(CASE WHEN r.`measure` = 'retained' THEN r.`value` END) AS `retained`,\n"
                   "               MAX(CASE WHEN r.`measure` = 'resurrected' THEN r.`value` END) AS `resurrected`,\n"
                   "               MAX(CASE WHEN r.`measure` = 'churned' THEN r.`value` END) AS `churned`",
                   o_where);
    if (pers) {
        /* the period before D's one, when D starts it (else no row) */
        const char *prev_of_due =
            arena_printf(g->a,
                         "(q.`grain` = 'week'\n"
                         "               AND {{to_date}} =\n"
                         "                   %s\n"
                         "               AND q.`period` = %s\n"
                         "               OR q.`grain` = 'month'\n"
                         "               AND {{to_date}} =\n"
                         "                   %s\n"
                         "               AND q.`period` =\n"
                         "                   CAST(DATE_ADD({{to_date}}, INTERVAL -1 MONTH) AS DATE))",
                         week, addn(g, "{{to_date}}", -7), month);
        buf_printf(b, "        UNION ALL\n"
                      "        -- a period starting on the date due: the previous period's users\n"
                      "        SELECT q.`a`,\n"
                      "               0,\n"
                      "               q.`grain`,\n"
                      "               %s,\n"
                      "               0,\n"
                      "               0,\n"
                      "               0,\n"
                      "               0,\n"
                      "               0,\n"
                      "               0,\n"
                      "               COUNT(*)\n"
                      "        FROM %s q\n"
                      "        WHERE %s\n"
                      "          AND %s\n"
                      "        GROUP BY q.`a`,\n"
                      "                 q.`grain`,\n"
                      "                 q.`period`\n",
                   pnext(g, "q.`grain`", "q.`period`", 15), tname(g, T_ACT_PERIOD),
                   idx_in(g, "q.`a`", ACT_GROWTHS), prev_of_due);
        const char *by_var = idx_in_of(g, "q.`a`", ACT_GROWTHS, true);
        if (strcmp(by_var, "1 = 0") != 0)
            buf_printf(b, "        UNION ALL\n"
                          "        -- ... by variation: active there on or after the exposure\n"
                          "        SELECT q.`a`,\n"
                          "               k.`b`,\n"
                          "               q.`grain`,\n"
                          "               %s,\n"
                          "               0,\n"
                          "               0,\n"
                          "               0,\n"
                          "               0,\n"
                          "               0,\n"
                          "               0,\n"
                          "               COUNT(*)\n"
                          "        FROM %s q\n"
                          "        JOIN %s e\n"
                          "            ON e.`user_id` = q.`user_id`\n"
                          "            AND %s\n"
                          "        JOIN %s k\n"
                          "            ON k.`tracking_key` = e.`tracking_key`\n"
                          "            AND k.`variation_key` = e.`variation_key`\n"
                          "            AND k.`b` > 0\n"
                          "        WHERE %s\n"
                          "          AND %s\n"
                          "          AND q.`last_d` >= e.`exposure_date`\n"
                          "        GROUP BY q.`a`,\n"
                          "                 k.`b`,\n"
                          "                 q.`grain`,\n"
                          "                 q.`period`\n",
                       pnext(g, "q.`grain`", "q.`period`", 15), tname(g, T_ACT_PERIOD),
                       tname(g, T_ASSIGN), tp.data, tname(g, T_ACT_WBK), by_var, prev_of_due);
    }
    /* n: each part grouped by itself (a grouping of their UNION would
     * first copy every user's row into a derived table and read it back),
     * one row per activity and breakdown: a user's row is counted for the
     * day, the week and the month in its columns, not joined to the grains
     * (a grouping reads a temporary table per row it groups) */
    buf_printf(b, "    ) o\n"
                  "        ON o.`a` = x.`a`\n"
                  "        AND o.`b` = k.`b`\n"
                  "        AND o.`grain` = c.`grain`\n"
                  "        AND o.`period` = CASE WHEN c.`grain` = 'day'\n"
                  "                             THEN %s\n"
                  "                             ELSE c.`period`\n"
                  "                         END\n"
                  "    LEFT JOIN (\n"
                  "        -- the users active on the date due, counted for the day (wau_in,\n"
                  "        -- mau_in: active on no day of the rolling window before it), the week\n"
                  "        -- (w_*) and the month (m_*: active on no day of the period before it,\n"
                  "        -- and of those new, retained or resurrected)\n"
                  "        SELECT v.`a`,\n"
                  "               0 AS `b`,\n",
               addn(g, "{{to_date}}", -1));
    struct {
        const char *prefix, *start, *prev, *alias;
    } per[2] = {{"w", "pd.`week`", "pd.`prev_week`", "qw"},
                {"m", "pd.`month`", "pd.`prev_month`", "qm"}};
    for (int part = 0; part < 2; part++) {
        if (part == 1) {
            if (strcmp(idx_in_of(g, "x2.`a`", ACT_DAYS | ACT_GROWTHS, true), "1 = 0") == 0)
                break;
            buf_puts(b, "        UNION ALL\n"
                        "        -- by variation: exposed by the date due, counted from the exposure on\n"
                        "        -- (a window or period before it from the exposure on)\n"
                        "        SELECT v.`a`,\n"
                        "               k2.`b`,\n");
        }
        /* the day (window) or period before D the user was not active in */
        const char *since = part ? "e.`exposure_date`" : NULL;
        const char *fresh_fmt =
            part ? "(v.`prev_d` IS NULL OR v.`prev_d` < %s\n"
                   "                   OR v.`prev_d` < e.`exposure_date`)"
                 : "(v.`prev_d` IS NULL OR v.`prev_d` < %s)";
        const char *since_fmt = "GREATEST(%s,\n                                    e.`exposure_date`)";
        buf_printf(b, "               COUNT(*) AS `dau`,\n"
                      "               SUM(CASE WHEN v.`prev_d` IS NULL\n"
                      "                   OR v.`prev_d` < %s\n"
                      "                   THEN 1 ELSE 0 END) AS `wau_in`,\n"
                      "               SUM(CASE WHEN v.`prev_d` IS NULL\n"
                      "                   OR v.`prev_d` < %s\n"
                      "                   THEN 1 ELSE 0 END) AS `mau_in`",
                   part ? arena_printf(g->a, since_fmt, d7) : d7,
                   part ? arena_printf(g->a, since_fmt, d28) : d28);
        for (int q = 0; pers && q < 2; q++) {
            const char *fresh = arena_printf(g->a, fresh_fmt, per[q].start);
            buf_printf(b, ",\n"
                          "               SUM(CASE WHEN %s\n"
                          "                   THEN 1 ELSE 0 END) AS `%s_active`,\n"
                          "               SUM(CASE WHEN %s\n"
                          "                   AND v.`first_date` >= %s\n"
                          "                   THEN 1 ELSE 0 END) AS `%s_new_users`,\n"
                          "               SUM(CASE WHEN %s.`user_id` IS NOT NULL THEN 1 ELSE 0 END) AS `%s_retained`,\n"
                          "               SUM(CASE WHEN %s\n"
                          "                   AND %s.`user_id` IS NULL AND v.`first_date` < %s\n"
                          "                   THEN 1 ELSE 0 END) AS `%s_resurrected`",
                       fresh, per[q].prefix, fresh, per[q].start, per[q].prefix, per[q].alias,
                       per[q].prefix, fresh, per[q].alias, per[q].start, per[q].prefix);
        }
        buf_printf(b, "\n        FROM %s v\n%s", tname(g, T_ACT_WDUE),
                   pers ? "        CROSS JOIN bounds pd\n" : "");
        if (part)
            buf_printf(b, "        JOIN acts x2 ON x2.`a` = v.`a` AND x2.`by_variation` = 1\n%s",
                       breakdown_join_at(g, "v", "        "));
        /* the previous period's row of a user entering the period: the
         * condition on v is checked before the lookup */
        for (int q = 0; pers && q < 2; q++)
            buf_printf(b, "        LEFT JOIN %s %s\n"
                          "            ON %s\n"
                          "            AND %s.`period` = %s\n"
                          "            AND %s.`a` = v.`a`\n"
                          "            AND %s.`grain` = '%s'\n"
                          "            AND %s.`user_id` = v.`user_id`%s%s%s\n",
                       tname(g, T_ACT_PERIOD), per[q].alias,
                       arena_printf(g->a, fresh_fmt, per[q].start), per[q].alias, per[q].prev,
                       per[q].alias, per[q].alias, q ? "month" : "week", per[q].alias,
                       since ? "\n            AND " : "", since ? per[q].alias : "",
                       since ? arena_printf(g->a, ".`last_d` >= %s", since) : "");
        if (part)
            buf_printf(b, "        WHERE e.`exposure_date` <= {{to_date}}\n"
                          "          AND %s\n"
                          "        GROUP BY v.`a`,\n"
                          "                 k2.`b`\n",
                       idx_in(g, "x2.`a`", ACT_DAYS | ACT_GROWTHS));
        else
            buf_printf(b, "        WHERE %s\n"
                          "        GROUP BY v.`a`\n",
                       idx_in(g, "v.`a`", ACT_DAYS | ACT_GROWTHS));
    }
    buf_puts(b, "    ) n ON n.`a` = x.`a` AND n.`b` = k.`b`\n");
    if (days)
        leaving_users(g, b);
    buf_printf(b, "    WHERE %s", grain_acts(g, "c.`grain`", "x.`a`", 10));
    buf_free(&tp);
}

/* The CTEs of the daily stage after calendar_ctes: `due` (rstage: D's day,
 * week and month, as reported) or `cur` (cstage: D's week and month). */
static void next_ctes(Gen *g, Buf *b, bool rstage, bool days, bool pers)
{
    const char *week = tmp(g, week_start, "{{to_date}}"), *month = tmp(g, month_start, "{{to_date}}");
    if (!rstage) {
        buf_printf(b, ",\n-- the week and the month of the date due\n"
                      "cur AS (\n"
                      "    SELECT 'week' AS `grain`,\n"
                      "           %s AS `period`\n"
                      "    UNION ALL\n"
                      "    SELECT 'month',\n"
                      "           %s\n"
                      ")",
                   week, month);
        return;
    }
    buf_puts(b, ",\n-- the grains of the date due reported: its day, week and month\ndue AS (");
    if (days)
        buf_puts(b, "\n    SELECT 'day' AS `grain`,\n"
                    "           CAST({{to_date}} AS DATE) AS `period`");
    if (days && pers)
        buf_puts(b, "\n    UNION ALL");
    if (pers)
        buf_printf(b, "\n    SELECT 'week'%s,\n"
                      "           %s%s\n"
                      "    UNION ALL\n"
                      "    SELECT 'month',\n"
                      "           %s",
                   days ? "" : " AS `grain`", week, days ? "" : " AS `period`", month);
    buf_puts(b, "\n)");
    if (pers)
        buf_printf(b, ",\n-- the week and the month of the date due and the periods before them\n"
                      "bounds AS (\n"
                      "    SELECT %s AS `week`,\n"
                      "           %s\n"
                      "               AS `prev_week`,\n"
                      "           %s AS `month`,\n"
                      "           CAST(DATE_ADD(%s,\n"
                      "                         INTERVAL -1 MONTH) AS DATE) AS `prev_month`\n"
                      ")",
                   week, monday_of(g, "{{to_date}}", -7), month, month);
}

/* rstage: the growth report rows of the periods due; `next`: the
 * activity_stage_next shape (above). */
static const char *rstage_body(Gen *g, bool next)
{
    Buf b;
    buf_init(&b);
    calendar_ctes(g, &b);
    measure_cte(g, &b);
    bool days = any_report(g->ir, ACT_DAYS), pers = any_report(g->ir, ACT_GROWTHS);
    if (next && (days || pers))
        next_ctes(g, &b, true, days, pers);
    buf_printf(&b, "\nSELECT c.`period`,\n"
                   "       %s AS `tag`,\n"
                   "       x.`activity`,\n"
                   "       c.`grain`,\n"
                   "       k.`breakdown`,\n"
                   "       k.`breakdown_value`,\n"
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
    if (next && (days || pers))
        measures_next(g, &b, days, pers);
    if (!next && days)
        day_measures(g, &b);
    if (!next && days && pers)
        buf_puts(&b, "\n    UNION ALL\n");
    if (!next && pers)
        period_measures(g, &b);
    if (!days && !pers) /* cohorts only */
        buf_puts(&b, "    SELECT 0 AS `a`,\n"
                     "           0 AS `b`,\n"
                     "           '' AS `grain`,\n"
                     "           d AS `period`,\n"
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
    buf_printf(&b, "\n) c\n"
                   "JOIN acts x ON x.`a` = c.`a`\n"
                   "JOIN %s k ON k.`b` = c.`b`\n"
                   "JOIN ms m\n"
                   "    ON m.`a` = c.`a`\n"
                   "    AND (m.`grain` = c.`grain` OR m.`grain` = '' AND c.`grain` <> 'day')",
               tname(g, T_ACT_WBK));
    if (days || pers) {
        Buf tp;
        buf_init(&tp);
        gen_tag_pred(g, &tp, "r");
        buf_printf(&b, "\nUNION ALL\n"
                       "-- the day rows of [lo, first date due) and the week rows of [lo, its week)\n"
                       "-- as published: their days did not change, and a period's measures read\n"
                       "-- no later day\n"
                       "SELECT r.`period`,\n"
                       "       r.`tag`,\n"
                       "       r.`activity`,\n"
                       "       r.`grain`,\n"
                       "       r.`breakdown`,\n"
                       "       r.`breakdown_value`,\n"
                       "       r.`measure`,\n"
                       "       r.`value`\n"
                       "FROM %s r\n"
                       "WHERE %s\n"
                       "  AND r.`period` >= {{from_date}}\n"
                       "  AND (r.`grain` = 'day' AND r.`period` < {{event_date}}\n"
                       "       OR r.`grain` = 'week'\n"
                       "       AND r.`period` <\n"
                       "           %s)",
                   tname(g, T_ACT_REPORT), tp.data, monday_due(g, 0));
        buf_free(&tp);
    }
    const char *s = arena_strdup(g->a, b.data);
    buf_free(&b);
    return s;
}

/* The cte `cg`: the cohort grains each activity reports (after
 * calendar_ctes; the caller closes it). */
static void cohort_grains(Gen *g, Buf *b)
{
    buf_puts(b, ",\n-- the cohort grains each activity reports\ncg AS (");
    bool first = true;
    for (int i = 0; i < g->ir->nactivities; i++) {
        const IrActivity *a = &g->ir->activities[i];
        for (int k = 0; k < 2; k++) {
            if (!(a->reports & (k ? ACT_COHORTS_MONTHLY : ACT_COHORTS_WEEKLY)))
                continue;
            buf_printf(b, "%s\n    SELECT %d%s,\n           '%s'%s", first ? "" : "\n    UNION ALL",
                       i, first ? " AS `a`" : "", k ? "month" : "week", first ? " AS `grain`" : "");
            first = false;
        }
    }
}

/* The cells of the date due's week and month on the daily path (see
 * activity_stage_next): as published the day before (a period starting
 * on the date due: the previous period's cohorts and sizes, none active
 * yet), plus the users first active on the date (the date's period is
 * their cohort) and the users entering the period's active set on it, by
 * cohort.  Rows of (period, a, grain, cohort, cohort_size, active). */
static void cohort_cells_next(Gen *g, Buf *b, const char *otp)
{
    const char *cohort = tname(g, T_ACT_COHORT), *wdue = tname(g, T_ACT_WDUE);
    /* MariaDB: wdue's users read by their previous active day, forced: it
     * takes a scan when about half of them enter the week or month */
    const char *by_prev = g->d->id == DIALECT_MARIADB ? " FORCE INDEX (`abc_prev_key`)" : "";
    buf_printf(b, "    -- a period that started before the date due: its cells as published the\n"
                  "    -- day before\n"
                  "    SELECT o.`period`,\n"
                  "           x.`a`,\n"
                  "           o.`grain`,\n"
                  "           o.`cohort`,\n"
                  "           o.`cohort_size`,\n"
                  "           o.`active`\n"
                  "    FROM %s o\n"
                  "    JOIN acts x ON x.`activity` = o.`activity`\n"
                  "    JOIN cg c ON c.`a` = x.`a` AND c.`grain` = o.`grain`\n"
                  "    JOIN cur p ON p.`grain` = o.`grain` AND p.`period` = o.`period`\n"
                  "    WHERE %s\n"
                  "      AND p.`period` < {{to_date}}\n"
                  "    UNION ALL\n"
                  "    -- a period starting on the date due: the previous period's cohorts and\n"
                  "    -- their sizes\n"
                  "    SELECT p.`period`,\n"
                  "           x.`a`,\n"
                  "           o.`grain`,\n"
                  "           o.`cohort`,\n"
                  "           o.`cohort_size`,\n"
                  "           0\n"
                  "    FROM %s o\n"
                  "    JOIN acts x ON x.`activity` = o.`activity`\n"
                  "    JOIN cg c ON c.`a` = x.`a` AND c.`grain` = o.`grain`\n"
                  "    JOIN cur p\n"
                  "        ON p.`grain` = o.`grain`\n"
                  "        AND p.`period` = {{to_date}}\n"
                  "        AND o.`period` = %s\n"
                  "    WHERE %s\n"
                  "    UNION ALL\n"
                  "    -- the users first active on the date due (among its users, with no\n"
                  "    -- active day before): the date's period is their cohort\n"
                  "    SELECT p.`period`,\n"
                  "           v.`a`,\n"
                  "           p.`grain`,\n"
                  "           p.`period`,\n"
                  "           COUNT(*),\n"
                  "           0\n"
                  "    FROM %s v%s\n"
                  "    %s cg c ON c.`a` = v.`a`\n"
                  "    %s cur p ON p.`grain` = c.`grain`\n"
                  "    WHERE v.`prev_d` IS NULL\n"
                  "      AND v.`first_date` = {{to_date}}\n"
                  "    GROUP BY p.`period`,\n"
                  "             v.`a`,\n"
                  "             p.`grain`\n"
                  "    UNION ALL\n"
                  "    -- the users entering the period's active set on the date due, by cohort\n"
                  "    -- (counted here: a row per user would be copied into the derived table\n"
                  "    -- and read back; on MariaDB the users read once, the grains after them)\n"
                  "    SELECT p.`period`,\n"
                  "           v.`a`,\n"
                  "           p.`grain`,\n"
                  "           %s,\n"
                  "           0,\n"
                  "           COUNT(*)\n"
                  "    FROM %s v%s\n"
                  "    %s cg c ON c.`a` = v.`a`\n"
                  "    %s cur p ON p.`grain` = c.`grain`\n"
                  "    WHERE (v.`prev_d` IS NULL OR v.`prev_d` < p.`period`)\n"
                  "      -- (the users entering the week or the month: read by that day)\n"
                  "      AND (v.`prev_d` IS NULL\n"
                  "           OR v.`prev_d` < GREATEST(\n"
                  "               %s,\n"
                  "               %s))\n"
                  "    GROUP BY\n"
                  "        p.`period`,\n"
                  "        v.`a`,\n"
                  "        p.`grain`,\n"
                  "        %s\n",
               cohort, otp, cohort, pprev(g, "p.`grain`", "p.`period`", 22), otp, wdue, by_prev,
               g->d->join_left_first, g->d->join_left_first,
               pstart(g, "p.`grain`", "v.`first_date`", 11), wdue,
               by_prev,
               g->d->join_left_first,
               g->d->join_left_first, tmp(g, week_start, "{{to_date}}"),
               tmp(g, month_start, "{{to_date}}"), pstart(g, "p.`grain`", "v.`first_date`", 8));
}

static const char *cstage_body(Gen *g, bool next)
{
    Buf b, otp;
    buf_init(&b);
    buf_init(&otp);
    gen_tag_pred(g, &otp, "o");
    calendar_ctes(g, &b);
    cohort_grains(g, &b);
    buf_puts(&b, "\n)");
    if (next)
        next_ctes(g, &b, false, false, true);
    buf_printf(&b, "\nSELECT q.`period`,\n"
                   "       %s AS `tag`,\n"
                   "       x.`activity`,\n"
                   "       q.`grain`,\n"
                   "       q.`cohort`,\n"
                   "       CASE WHEN q.`grain` = 'week'\n"
                   "           THEN FLOOR(DATEDIFF(q.`period`, q.`cohort`) / 7)\n"
                   "           ELSE (YEAR(q.`period`) - YEAR(q.`cohort`)) * 12\n"
                   "               + MONTH(q.`period`) - MONTH(q.`cohort`)\n"
                   "       END AS `k`,\n"
                   "       SUM(q.`cohort_size`) AS `cohort_size`,\n"
                   "       SUM(q.`active`) AS `active`,\n"
                   "       1e0 * SUM(q.`active`) / SUM(q.`cohort_size`) AS `ratio`\n"
                   "FROM (\n",
               lit(g, g->ir->tag));
    if (!next)
        buf_printf(&b,
                   "    -- every cohort x period from the cohort on, with the cohort's size\n"
                   "    SELECT p.`period`,\n"
                   "           z.`a`,\n"
                   "           z.`grain`,\n"
                   "           z.`cohort`,\n"
                   "           z.`cohort_size`,\n"
                   "           0 AS `active`\n"
                   "    FROM (\n"
                   "        SELECT 'week' AS `grain`,\n"
                   "               d AS `period`\n"
                   "        FROM days\n"
                   "        WHERE DAYOFWEEK(d) = 2\n"
                   "          AND d >=\n"
                  "              %s\n"
                   "        UNION ALL\n"
                   "        SELECT 'month',\n"
                   "               d\n"
                   "        FROM days\n"
                   "        WHERE DAYOFMONTH(d) = 1\n"
                   "    ) p\n"
                   "    JOIN (\n"
                   "        -- users by the period of their first active date\n"
                   "        SELECT c.`a`,\n"
                   "               c.`grain`,\n"
                   "               %s AS `cohort`,\n"
                   "               COUNT(*) AS `cohort_size`\n"
                   "        FROM %s s\n"
                   "        JOIN cg c ON s.`activity` = %s\n"
                   "        WHERE s.`first_date` <= {{to_date}}\n"
                   "        GROUP BY c.`a`,\n"
                   "                 c.`grain`,\n"
                   "                 %s\n"
                   "    ) z ON z.`grain` = p.`grain` AND z.`cohort` <= p.`period`\n"
                   "    UNION ALL\n"
                   "    -- of them, the users active per period\n"
                   "    SELECT w.`period`,\n"
                   "           w.`a`,\n"
                   "           w.`grain`,\n"
                   "           %s,\n"
                   "           0,\n"
                   "           1\n"
                   "    FROM %s w\n"
                   "    JOIN cg c ON c.`a` = w.`a` AND c.`grain` = w.`grain`\n"
                   "    JOIN %s s\n"
                   "        ON s.`activity` = %s\n"
                   "        AND s.`user_id` = w.`user_id`\n"
                   "    WHERE w.`period` >= {{from_date}}\n"
                   "      AND w.`period` <= {{to_date}}\n"
                   "      AND (w.`grain` = 'month'\n"
                   "           OR w.`period` >=\n"
                   "               %s)\n"
                   "      AND s.`first_date` <= {{to_date}}\n",
                   monday_due(g, 0), pstart(g, "c.`grain`", "s.`first_date`", 10),
                   tname(g, T_ACT_USER), act_name(g, "c.`a`", 20),
                   pstart(g, "c.`grain`", "s.`first_date`", 9),
                   pstart(g, "w.`grain`", "s.`first_date`", 10), tname(g, T_ACT_PERIOD),
                   tname(g, T_ACT_USER), act_name(g, "w.`a`", 19), monday_due(g, 0));
    else
        cohort_cells_next(g, &b, otp.data);
    buf_printf(&b,
                   ") q\n"
                   "JOIN acts x ON x.`a` = q.`a`\n"
                   "GROUP BY q.`period`,\n"
                   "         x.`activity`,\n"
                   "         q.`grain`,\n"
                   "         q.`cohort`\n"
                   "UNION ALL\n"
                   "-- the cells of the weeks of [lo, the first date due's week) as published:\n"
                   "-- their days did not change\n"
                   "SELECT o.`period`,\n"
                   "       o.`tag`,\n"
                   "       o.`activity`,\n"
                   "       o.`grain`,\n"
                   "       o.`cohort`,\n"
                   "       o.`k`,\n"
                   "       o.`cohort_size`,\n"
                   "       o.`active`,\n"
                   "       o.`ratio`\n"
                   "FROM %s o\n"
                   "WHERE %s\n"
                   "  AND o.`grain` = 'week'\n"
                   "  AND o.`period` >= {{from_date}}\n"
                   "  AND o.`period` <\n"
                   "      %s",
               tname(g, T_ACT_COHORT), otp.data, monday_due(g, 0));
    buf_free(&otp);
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

/* One write into step s. */
static void push_write(Gen *g, SqlStep *s, const WriteSpec *w)
{
    SqlStmts st;
    sql_stmts_init(&st, g->a);
    g->d->write(&st, w);
    gen_push_stmts(g, s, &st);
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
    push_write(g, s, &w);

    if (gen_activity_days_in_pre(g)) {
        s = gen_step(g, SQLSTEP_ACTIVITY_FILL_DAYS, "activity_fill_days",
                     "replace the active users of the days in [{{from_date}}, {{to_date}}] from "
                     "the per-user day table (days pre_fill filled in this run)");
        s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
        buf_reset(&body);
        fill_days_body(g, &body);
        WriteSpec wd = {.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_DAY],
                        .part_col = "event_date", .lo = "{{from_date}}", .hi = "{{to_date}}",
                        .label = gen_label(g, "activity_fill_days"),
                        .comment = "active users per activity and day, from the per-user day "
                                   "table",
                        .cols = DAY_COLUMNS, .ncols = NELEM(DAY_COLUMNS), .body = body.data};
        push_write(g, s, &wd);
    }

    s = gen_step(g, SQLSTEP_ACTIVITY_STATE, "activity_state",
                 "upsert the first and last active date of the users with active days in "
                 "[{{from_date}}, {{to_date}}] or whose first or last one was in it, and drop "
                 "those left with no active day (after activity_fill)");
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
    /* a user whose every active day a refill removed has no state any more
     * (the upsert below only writes users that still have active days) */
    Buf gone, del;
    buf_init(&gone);
    buf_init(&del);
    const char *user_t = tname(g, T_ACT_USER);
    buf_printf(&gone,
               "(`first_date` >= {{from_date}} AND `first_date` <= {{to_date}}\n"
               "     OR `last_date` >= {{from_date}} AND `last_date` <= {{to_date}})\n"
               "  AND NOT EXISTS (\n"
               "    SELECT 1\n"
               "    FROM %s d\n"
               "    WHERE d.`activity` = %s.`activity`\n"
               "      AND d.`user_id` = %s.`user_id`\n"
               "  )",
               tname(g, T_ACT_DAY), user_t, user_t);
    g->d->delete_where(&del, &g->tables[T_ACT_USER], gone.data);
    sql_stmts_push(&st, &del);
    buf_free(&gone);
    buf_free(&del);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_PERIODS_CHECK, "activity_periods_check",
                 "the period rows of the weeks and months from {{from_date}} with an active day "
                 "on or after {{event_date}}, the first date filled (0: merge the new days "
                 "with activity_periods_add; else replace the periods with activity_periods)");
    s->params = SQLP_EVENT_DATE | SQLP_FROM_DATE;
    static const char *const check_cols[] = {"period_rows"};
    s->columns = gen_columns(g, check_cols, 1);
    s->ncolumns = 1;
    buf_reset(&body);
    buf_printf(&body, "SELECT COUNT(*) AS `period_rows`\n"
                      "FROM %s\n"
                      "WHERE `period` >= {{from_date}}\n"
                      "  AND `last_d` >= {{event_date}}",
               tname(g, T_ACT_PERIOD));
    gen_push(g, s, &body);

    s = gen_step(g, SQLSTEP_ACTIVITY_DUE_USERS, "activity_due_users",
                 "the users active on {{to_date}} with their last active day in the 30 days "
                 "before and their first active date, from the user state before "
                 "activity_state_add merges the day (one new date filled; read by "
                 "activity_stage_next)");
    s->params = SQLP_TO_DATE | SQLP_RUN_ID;
    sql_stmts_init(&st, g->a);
    work_write(g, &st, T_ACT_WDUE, WDUE_COLUMNS, NELEM(WDUE_COLUMNS), "activity_wdue",
               "the users active on the date due, with their last active day before it and "
               "their first active date",
               wdue_body(g));
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_STATE_ADD, "activity_state_add",
                 "upsert the first and last active date of the users with active days in "
                 "[{{from_date}}, {{to_date}}] when those days are new (activity_periods_check "
                 "counts none): the first stays as stored, the last is the last of the days");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    buf_reset(&body);
    /* MariaDB merges each active day into the stored row by the upsert
     * (USER_MERGE: no stored day is on or after the first of these, so
     * the stored first date stays and the last is the last new day);
     * StarRocks's upsert replaces the row: the body reads the stored one */
    bool merge = g->d->id == DIALECT_MARIADB;
    if (merge)
        buf_printf(&body,
                   "-- a row per new active day, merged into the user's stored row\n"
                   "SELECT t.`activity`,\n"
                   "       t.`user_id`,\n"
                   "       t.`event_date`,\n"
                   "       t.`event_date`\n"
                   "FROM %s t\n"
                   "WHERE t.`event_date` >= {{from_date}}\n"
                   "  AND t.`event_date` <= {{to_date}}",
                   tname(g, T_ACT_DAY));
    else
        buf_printf(&body,
                   "SELECT t.`activity`,\n"
                   "       t.`user_id`,\n"
                   "       COALESCE(MIN(u.`first_date`), MIN(t.`event_date`)),\n"
                   "       MAX(t.`event_date`)\n"
                   "FROM %s t\n"
                   "-- no stored day is on or after the first of these: the stored first date\n"
                   "-- stays, the last is the last of the new days\n"
                   "LEFT JOIN %s u\n"
                   "    ON u.`activity` = t.`activity` AND u.`user_id` = t.`user_id`\n"
                   "WHERE t.`event_date` >= {{from_date}}\n"
                   "  AND t.`event_date` <= {{to_date}}\n"
                   "GROUP BY t.`activity`,\n"
                   "         t.`user_id`",
                   tname(g, T_ACT_DAY), tname(g, T_ACT_USER));
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_ACT_USER],
                    .label = gen_label(g, "activity_state_add"),
                    .comment = "first and last active date of the users of the new days",
                    .cols = USER_COLUMNS, .ncols = NELEM(USER_COLUMNS),
                    .upsert_merge = merge ? USER_MERGE : NULL, .body = body.data};
    push_write(g, s, &w);

    s = gen_step(g, SQLSTEP_ACTIVITY_PERIODS_ADD, "activity_periods_add",
                 "merge the active days of [{{from_date}}, {{to_date}}] into the period rows of "
                 "their weeks and months (days no period row has yet)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    w = (WriteSpec){.mode = WRITE_UPSERT, .table = &g->tables[T_ACT_PERIOD],
                    .label = gen_label(g, "activity_periods_add"),
                    .comment = "the days filled merged into their periods",
                    .cols = PERIOD_COLUMNS, .ncols = NELEM(PERIOD_COLUMNS),
                    .upsert_merge = PERIOD_MERGE, .body = period_add_body(g)};
    push_write(g, s, &w);

    s = gen_step(g, SQLSTEP_ACTIVITY_PERIODS, "activity_periods",
                 "replace the first and last active day per user of the weeks and months "
                 "starting in [{{from_date}}, {{to_date}}] (after activity_state)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    w = (WriteSpec){.mode = WRITE_REPLACE_RANGE, .table = &g->tables[T_ACT_PERIOD],
                    .part_col = "period", .lo = "{{from_date}}", .hi = "{{to_date}}",
                    .label = gen_label(g, "activity_periods"),
                    .comment = "first and last active day per user, week and month",
                    .cols = PERIOD_COLUMNS, .ncols = NELEM(PERIOD_COLUMNS),
                    .body = period_body(g)};
    push_write(g, s, &w);

    s = gen_step(g, SQLSTEP_ACTIVITY_STAGE, "activity_stage",
                 "compute the growth report and cohort rows of the periods starting in "
                 "[{{from_date}}, {{to_date}}] into the stage tables (after activity_state)");
    s->params = SQLP_EVENT_DATE | SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    sql_stmts_init(&st, g->a);
    work_write(g, &st, T_ACT_WBK, WBK_COLUMNS, NELEM(WBK_COLUMNS), "activity_wbk",
               "the breakdowns, numbered", wbk_body(g));
    work_write(g, &st, T_ACT_WDELTA, WDELTA_COLUMNS, NELEM(WDELTA_COLUMNS), "activity_wdelta",
               "active users per day and next active day", wdelta_body(g));
    work_write(g, &st, T_ACT_WDAY, WDAY_COLUMNS, NELEM(WDAY_COLUMNS), "activity_wday",
               "each user's last active day of the 28 days ending on the date due",
               wday_body(g));
    if (by_variation_periods(g))
        work_write(g, &st, T_ACT_WPER, WPER_COLUMNS, NELEM(WPER_COLUMNS), "activity_wper",
                   "users active per week and month by variation", wper_body(g));
    work_write(g, &st, T_ACT_RSTAGE, REPORT_COLUMNS, NELEM(REPORT_COLUMNS), "activity_rstage",
               "growth measures of the periods due", rstage_body(g, false));
    const char *cstage = any_report(ir, ACT_COHORTS) ? cstage_body(g, false) : NULL;
    if (cstage)
        work_write(g, &st, T_ACT_CSTAGE, COHORT_COLUMNS, NELEM(COHORT_COLUMNS),
                   "activity_cstage", "retention triangle cells of the periods due", cstage);
    gen_push_stmts(g, s, &st);

    s = gen_step(g, SQLSTEP_ACTIVITY_STAGE_NEXT, "activity_stage_next",
                 "instead of activity_stage when the one date due ({{event_date}} = "
                 "{{to_date}}) follows the last published date and its days were new: the "
                 "same stage rows, the day, week and month of the date due from their rows "
                 "as published the day before plus the users active on it that enter a "
                 "rolling window or period, less those leaving the rolling windows");
    s->params = SQLP_EVENT_DATE | SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
    sql_stmts_init(&st, g->a);
    work_write(g, &st, T_ACT_WBK, WBK_COLUMNS, NELEM(WBK_COLUMNS), "activity_wbk",
               "the breakdowns, numbered", wbk_body(g));
    work_write(g, &st, T_ACT_RSTAGE, REPORT_COLUMNS, NELEM(REPORT_COLUMNS), "activity_rstage",
               "growth measures of the periods due", rstage_body(g, true));
    if (cstage)
        work_write(g, &st, T_ACT_CSTAGE, COHORT_COLUMNS, NELEM(COHORT_COLUMNS),
                   "activity_cstage", "retention triangle cells of the periods due",
                   cstage_body(g, true));
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
            buf_puts(&body, ",\n       ");
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
