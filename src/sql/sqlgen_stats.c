/* sqlgen_stats.c — the per-unit state and the sufficient-statistics
 * queries (docs/STATS.md).
 *
 * The unit state (T_UNIT_STATE) holds, per unit, each metric's value over
 * its window as of each analysis date (StarRocks: a row per date; MariaDB:
 * a version per change, state_versions); unit_state derives a date's
 * values from the previous analysis date's and the unit's wide row of the
 * day, so a daily run reads the new day's wide rows and one date of state,
 * not every unit's history.  The units of a date are the tag's units
 * exposed by it (users seen in more than one variation by the date left
 * out of that date unless the spec keeps them).
 *
 * Every statistics query starts from the same CTEs: the unit state of the
 * analysis dates in [{{from_date}}, {{to_date}}] (MariaDB: of {{to_date}}
 * alone, stats_one_date), then caps and `vals`.
 * From there:
 *   stats_moments            n, Σx, Σx² per metric (+ CUPED pre sums, ratio
 *                            denominator sums, cap value, funnel steps);
 *                            where moments_per_unit a row per unit instead,
 *                            from which abc also takes the percentile caps,
 *                            the quantiles and the survival tables
 *                            (stats_in_abc), so no other query follows
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

/* ---- the per-unit state ------------------------------------------------------ */

/* How a metric's state value as of a date follows from the value as of the
 * previous analysis date and the unit's wide row of the date. */
typedef enum Combine {
    COMBINE_ADD,      /* a sum (none: 0); active days add 1 per active day */
    COMBINE_FLAG,     /* 0/1: the larger (none: 0) */
    COMBINE_MIN,      /* the smallest, NULL while none (first step time, day of the event) */
    COMBINE_MAX       /* the largest, NULL while none (the CUPED covariate) */
} Combine;

/* One value column of the state: metric m's column `suffix` (NULL: the
 * metric's name), and its part in the unit's wide row `w` of the date (one
 * row per unit and day; without one, every column of `w` is NULL), which
 * `combine` folds into the state. */
typedef struct StateCol {
    int metric;
    const char *suffix;
    ColType type;
    Combine combine;
    const char *part;
    const char *what; /* for the column's comment */
} StateCol;

/* The state columns of metric m (not a ratio) into out (at most nsteps + 2). */
static int state_cols(Gen *g, int m, StateCol *out)
{
    const IrMetric *mt = &g->ir->metrics[m];
    const char *W = window_cond(g, mt);
    Buf c;
    buf_init(&c);
    int n = 0;
    switch (mt->kind) {
    case MK_PROPORTION:
    case MK_RETENTION:
        ref(g, &c, "w", m, "events");
        out[n++] = (StateCol){m, NULL, CT_BIGINT, COMBINE_FLAG,
                              arena_printf(g->a, "CASE WHEN %s AND %s > 0 THEN 1 ELSE 0 END", W,
                                           c.data),
                              "1 when an event fell in the window"};
        break;
    case MK_COUNT:
        ref(g, &c, "w", m, "events");
        out[n++] = (StateCol){m, NULL, CT_BIGINT, COMBINE_ADD,
                              arena_printf(g->a, "CASE WHEN %s THEN %s END", W, c.data),
                              "events in the window"};
        break;
    case MK_SUM:
    case MK_QUANTILE:
        ref(g, &c, "w", m, "sum");
        out[n++] = (StateCol){m, NULL, CT_DOUBLE, COMBINE_ADD,
                              arena_printf(g->a, "CASE WHEN %s THEN %s END", W, c.data),
                              "sum of the value in the window"};
        break;
    case MK_MEAN:
        ref(g, &c, "w", m, "sum");
        out[n++] = (StateCol){m, "num", CT_DOUBLE, COMBINE_ADD,
                              arena_printf(g->a, "CASE WHEN %s THEN %s END", W, c.data),
                              "sum of the value in the window"};
        buf_reset(&c);
        ref(g, &c, "w", m, "events");
        out[n++] = (StateCol){m, "den", CT_BIGINT, COMBINE_ADD,
                              arena_printf(g->a, "CASE WHEN %s THEN %s END", W, c.data),
                              "events in the window"};
        break;
    case MK_ACTIVE_DAYS:
        ref(g, &c, "w", m, "events");
        out[n++] = (StateCol){m, NULL, CT_BIGINT, COMBINE_ADD,
                              arena_printf(g->a, "CASE WHEN %s AND %s > 0 THEN 1 ELSE 0 END", W,
                                           c.data),
                              "active days in the window"};
        break;
    case MK_FUNNEL:
        for (int s = 0; s < mt->nsteps; s++) {
            const char *sfx = arena_printf(g->a, "step%d_first", s + 1);
            buf_reset(&c);
            ref(g, &c, "w", m, sfx);
            out[n++] = (StateCol){m, sfx, CT_DATETIME, COMBINE_MIN,
                                  arena_printf(g->a, "CASE WHEN %s THEN %s END", W, c.data),
                                  arena_printf(g->a, "first step-%d event in the window", s + 1)};
        }
        break;
    case MK_TIME_TO_EVENT:
        ref(g, &c, "w", m, "events");
        out[n++] = (StateCol){m, "day", CT_INT, COMBINE_MIN,
                              arena_printf(g->a, "CASE WHEN %s AND %s > 0 "
                                                 "THEN w.`days_since_exposure` END", W, c.data),
                              "day since exposure of the first event in the window"};
        break;
    case MK_RATIO:
        break;
    }
    if (mt->cuped.kind != CUPED_NONE) {
        buf_reset(&c);
        ref(g, &c, "w", m, "pre");
        out[n++] = (StateCol){m, "pre", CT_DOUBLE, COMBINE_MAX, arena_strdup(g->a, c.data),
                              arena_printf(g->a, "CUPED covariate, days -%d..-1 (NULL: none)",
                                           mt->cuped.pre_days)};
    }
    buf_free(&c);
    return n;
}

/* Every state value column of the spec, metric by metric. */
static StateCol *all_state_cols(Gen *g, int *n)
{
    int cap = 0;
    for (int i = 0; i < g->ir->nmetrics; i++)
        cap += g->ir->metrics[i].nsteps + 2;
    StateCol *v = arena_alloc(g->a, (size_t)(cap ? cap : 1) * sizeof *v);
    *n = 0;
    for (int i = 0; i < g->ir->nmetrics; i++)
        if (g->ir->metrics[i].kind != MK_RATIO)
            *n += state_cols(g, i, v + *n);
    return v;
}

static const char *state_col_name(Gen *g, const StateCol *c)
{
    return c->suffix ? gen_metric_col(g, c->metric, c->suffix) : g->ir->metrics[c->metric].name;
}

/* How the unit state is kept.  StarRocks: one row per analysis date and
 * unit, a date's partition overwritten from the previous date's (columnar
 * writes are cheap).  MariaDB: versions — a unit's row holds its values
 * over [valid_from, valid_to), a date writes a version only for the units
 * whose values change on it (a wide row of the date, or exposed on it) and
 * ends their previous one, so a daily run writes the day's active units,
 * not every unit (a row store pays a B-tree insert per row).  The dates
 * the versions cover are listed in T_UNIT_STATE_DATES. */
static bool state_versions(const Gen *g) { return g->d->id == DIALECT_MARIADB; }

bool gen_stats_one_date(const Gen *g) { return state_versions(g); }

/* valid_to of a version that still holds */
#define OPEN_VERSION "'9999-12-31'"

/* The state table: per unit (experiment x user) its variation, exposure
 * date and segment values, and each metric's value over its window as of
 * an analysis date (state_versions: over a range of them).  A derived
 * table: its columns follow the spec, so a rebuild drops and creates it
 * (unit_state_reset), as the per-user day table.  MariaDB keys it (clustered)
 * by unit and valid_from: a date's rows are read in unit order whatever
 * versions a run left, so its sums of doubles add in the same order however
 * the date was run (daily, --date, --full).  StarRocks partitions it by
 * date and overwrites a date's partition. */
void gen_unit_state_table(Gen *g)
{
    const IrSpec *ir = g->ir;
    int nv;
    StateCol *sc = all_state_cols(g, &nv);
    int n = 0;
    TableCol *cols = arena_alloc(g->a, (size_t)(6 + ir->nsegments + nv) * sizeof *cols);
    if (!state_versions(g))
        cols[n++] = (TableCol){"analysis_date", CT_DATE, true,
                               "the date the values are as of (partition)"};
    cols[n++] = (TableCol){"tracking_key", CT_STR128, true, "experiment"};
    cols[n++] = (TableCol){"user_id", CT_STR128, true, NULL};
    if (state_versions(g)) {
        cols[n++] = (TableCol){"valid_from", CT_DATE, true, "the first analysis date the values "
                                                            "hold"};
        cols[n++] = (TableCol){"valid_to", CT_DATE, true,
                               "the first analysis date the values no longer hold (9999-12-31: "
                               "they still do)"};
    }
    cols[n++] = (TableCol){"variation_key", CT_STR128, false, NULL};
    cols[n++] = (TableCol){"exposure_date", CT_DATE, false, "day 0 of the unit"};
    for (int i = 0; i < ir->nsegments; i++)
        cols[n++] = (TableCol){gen_segment_col(g, i), CT_STR255, false,
                               gen_comment_text(g, arena_printf(g->a, "segment %s (spec line %d)",
                                                                ir->segments[i].name,
                                                                ir->segments[i].line))};
    for (int i = 0; i < nv; i++) {
        const IrMetric *m = &ir->metrics[sc[i].metric];
        cols[n++] = (TableCol){state_col_name(g, &sc[i]), sc[i].type, false,
                               gen_comment_text(g, arena_printf(g->a, "metric %s (spec line %d): %s",
                                                                m->name, m->line, sc[i].what))};
    }
    TableDef *t = &g->tables[T_UNIT_STATE];
    t->cols = cols;
    t->ncols = n;
    t->dist_col = "user_id";
    if (state_versions(g)) {
        t->key = TKEY_PRIMARY;
        t->nkey = 3;
        t->part = TPART_NONE;
        t->comment = gen_comment_text(g, arena_printf(g->a, "abc: per-unit metric values of tag "
                                                      "%s, a version per change", ir->tag));
        /* unit_state_clear and unit_state_prune find the versions that
         * start or end in a range of dates (usually none, or a day's) */
        t->indexes[0] = (TableIndex){"abc_from_key", {"valid_from"}};
        t->indexes[1] = (TableIndex){"abc_to_key", {"valid_to"}};
        static const TableCol date_cols[] = {
            {"analysis_date", CT_DATE, true, "a date whose unit state the versions hold"}};
        TableDef *dt = &g->tables[T_UNIT_STATE_DATES];
        dt->cols = date_cols;
        dt->ncols = 1;
        dt->key = TKEY_PRIMARY;
        dt->nkey = 1;
        dt->part = TPART_NONE;
        dt->comment = gen_comment_text(g, arena_printf(g->a, "abc: the analysis dates of %s",
                                                       t->name));
        return;
    }
    t->key = TKEY_DUPLICATE;
    t->nkey = 3;
    t->part = TPART_DAY;
    t->part_col = "analysis_date";
    t->comment = gen_comment_text(g, arena_printf(g->a, "abc: per-unit metric values as of each "
                                                  "analysis date of tag %s", ir->tag));
}

/* The assignment column a unit's day 0 is read from. */
static const char *exposure_col(const Gen *g)
{
    return g->ir->exposure.has_activation ? "activation_date" : "exposure_date";
}

/* The units of the tag as of the analysis date {{event_date}} (when the
 * wide table has rows of it): WITH days, units, unit_days.  Ends without a
 * comma. */
static void units_ctes(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    buf_puts(b, "WITH\n-- the analysis date: {{event_date}}, when the wide table has rows of it\n"
                "days AS (\n    SELECT DISTINCT `event_date` AS `analysis_date`\n    FROM ");
    gen_table(g, b, T_WIDE);
    buf_puts(b, "\n    WHERE `event_date` = {{event_date}}\n),\n");
    buf_printf(b, "-- units of the tag (spec line %d)%s\nunits AS (\n"
                  "    SELECT\n        a.`tracking_key`,\n        a.`user_id`,\n        a.`variation_key`,\n"
                  "        a.`%s` AS `exposure_date`",
               ir->exposure.line,
               ir->exposure.multiple == MULTI_EXCLUDE ? "; a user seen in another variation is left\n"
                                                        "-- out from that date on" : "",
               exposure_col(g));
    segment_list(g, b, "a", "        ");
    if (ir->exposure.multiple == MULTI_EXCLUDE)
        buf_puts(b, ",\n        a.`multiple_variations`,\n        a.`multiple_variations_date`");
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_ASSIGN);
    buf_puts(b, " a\n    WHERE ");
    gen_tag_pred(g, b, "a");
    if (ir->exposure.has_activation)
        buf_puts(b, " AND a.`activation_time` IS NOT NULL");
    buf_puts(b, "\n),\nunit_days AS (\n    SELECT\n        d.`analysis_date`,\n"
                "        u.`tracking_key`,\n        u.`user_id`,\n        u.`variation_key`,\n"
                "        u.`exposure_date`");
    segment_list(g, b, "u", "        ");
    buf_puts(b, "\n    FROM units u\n    JOIN days d ON u.`exposure_date` <= d.`analysis_date`");
    if (ir->exposure.multiple == MULTI_EXCLUDE)
        /* a row without the date (written before the column existed)
         * keeps its flag for every date */
        buf_puts(b, "\n        -- as of the date: not yet seen in another variation\n"
                    "        AND (u.`multiple_variations` = 0\n"
                    "            OR u.`multiple_variations_date` > d.`analysis_date`)");
    buf_puts(b, "\n)");
}

/* The longest day window of the metrics read (-1 when one has none). */
static int longest_window(Gen *g)
{
    int max_day = -1;
    for (int i = 0; i < g->ir->nmetrics; i++) {
        const IrMetric *m = &g->ir->metrics[i];
        if (m->kind == MK_RATIO)
            continue;
        if (m->window.kind != WIN_DAYS)
            return -1;
        if (m->window.to_day > max_day)
            max_day = m->window.to_day;
    }
    return max_day;
}

/* ",\n    <metric value as of {{event_date}}> AS `<column>`" per state column:
 * the unit's previous values `p` (every column NULL without them) folded
 * with its wide row `w` of {{event_date}}.  Each metric's value is a fold
 * over the unit's days in date order (a sum, a flag, a minimum, a
 * maximum), so a date's values are those of one pass over every row up to
 * it, however the date was run; a unit without a wide row keeps its
 * values. */
static void state_values(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    int nv;
    StateCol *sc = all_state_cols(g, &nv);
    for (int i = 0; i < nv; i++) {
        const IrMetric *m = &ir->metrics[sc[i].metric];
        const char *name = state_col_name(g, &sc[i]);
        const char *part = sc[i].part;
        Buf p;
        buf_init(&p);
        gen_col(g, &p, "p", name);
        buf_puts(b, ",\n");
        if (i == 0 || sc[i - 1].metric != sc[i].metric)
            sql_comment(b, "    ", arena_printf(g->a, "metric %s (spec line %d): %s, %s", m->name,
                                                m->line, sqlgen_kind_name(m->kind),
                                                window_text(g, m)));
        buf_puts(b, "    ");
        size_t item = b->len;
        switch (sc[i].combine) {
        case COMBINE_ADD:
            buf_printf(b, "COALESCE(%s, 0) + COALESCE(%s, 0)", p.data, part);
            break;
        case COMBINE_FLAG: /* the day's part is 0 or 1, also without a row */
            buf_printf(b, "GREATEST(COALESCE(%s, 0), %s)", p.data, part);
            break;
        case COMBINE_MIN:
            buf_printf(b, "COALESCE(LEAST(%s, %s), %s, %s)", p.data, part, p.data, part);
            break;
        case COMBINE_MAX:
            buf_printf(b, "COALESCE(GREATEST(%s, %s), %s, %s)", p.data, part, p.data, part);
            break;
        }
        buf_puts(b, " AS ");
        gen_id(g, b, name);
        sql_wrap(b, item);
        buf_free(&p);
    }
}

/* "<sep>AND <alias>.`days_since_exposure` <= N": no wide row past the
 * longest window can count (nothing when a metric's window is the phase);
 * counted_rows: " AND w...". */
static void counted_rows_of(Gen *g, Buf *b, const char *alias, const char *sep)
{
    int max_day = longest_window(g);
    if (max_day >= 0)
        buf_printf(b, "%sAND %s.`days_since_exposure` <= %d", sep, alias, max_day);
}

static void counted_rows(Gen *g, Buf *b) { counted_rows_of(g, b, "w", " "); }

/* The end of a unit state select over unit_days `ud`: the segment columns
 * and state_values, then FROM unit_days joined to the unit's previous
 * values `p` (the state table ON prev_on, said by prev_what) and to its
 * wide row `w` of {{event_date}}. */
static void state_fold(Gen *g, Buf *b, const char *prev_what, const char *prev_on)
{
    segment_list(g, b, "ud", "    ");
    state_values(g, b);
    buf_printf(b, "\nFROM unit_days ud\n-- %s\nLEFT JOIN ", prev_what);
    gen_table(g, b, T_UNIT_STATE);
    buf_printf(b, " p\n    ON %s\n-- its row of the date\nLEFT JOIN ", prev_on);
    gen_table(g, b, T_WIDE);
    buf_puts(b, " w\n    ON w.`event_date` = {{event_date}} AND w.`tracking_key` = "
                "ud.`tracking_key`\n    AND w.`user_id` = ud.`user_id`");
    counted_rows(g, b);
}

/* unit_state (one row per date): the state of {{event_date}} = the state
 * of {{from_date}} (the previous analysis date; 1000-01-01 when there is
 * none) folded with the unit's wide row of {{event_date}}.  The runner
 * steps through every analysis date (every day of the wide table) in
 * order, so no wide row lies between the two dates, and the wide table has
 * one row per day and unit: each unit of the date is one primary-key
 * lookup of its previous state and one of its day's row, no grouping. */
static void unit_state_select(Gen *g, Buf *b)
{
    units_ctes(g, b);
    buf_puts(b, "\nSELECT\n    ud.`analysis_date`,\n    ud.`tracking_key`,\n    ud.`user_id`,\n"
                "    ud.`variation_key`,\n    ud.`exposure_date`");
    state_fold(g, b, "the unit's values as of the previous analysis date",
               "p.`analysis_date` = {{from_date}} AND p.`tracking_key` = ud.`tracking_key`\n"
               "    AND p.`user_id` = ud.`user_id`");
}

/* The session table of a batch of analysis dates (unit_state_end): the
 * units' counted wide rows of ({{from_date}}, {{to_date}}], keyed in unit
 * order, where each version of the batch finds its unit's next change (the
 * wide table is read by day only: T_WIDE's read_by_day). */
static void changes_table(const Gen *g, Buf *b)
{
    dialect_qualified(g->d, b, g->tables[T_ASSIGN].db, "abc_state_changes");
}

/* "(SELECT ...)": the first wide table date after `after`, up to
 * {{to_date}}, on or after the multiple_variations_date of the assignment
 * row `a` (any, without one) — the date unit_state would leave the user
 * out from, ending his version (the wide table's days are the analysis
 * dates).  `indent`: that of the opening parenthesis's line. */
static void left_out_date(Gen *g, Buf *b, const char *after, const char *indent)
{
    buf_printf(b, "(\n%s    SELECT x.`event_date`\n%s    FROM ", indent, indent);
    gen_table(g, b, T_WIDE);
    buf_printf(b, " x\n%s    WHERE x.`event_date` > %s AND x.`event_date` <= {{to_date}}\n"
                  "%s      AND (a.`multiple_variations_date` IS NULL\n"
                  "%s          OR x.`event_date` >= a.`multiple_variations_date`)\n"
                  "%s    ORDER BY\n%s        x.`event_date`\n%s    LIMIT 1\n%s)",
               indent, after, indent, indent, indent, indent, indent, indent);
}

/* The versions of {{event_date}} (state_versions), inserted after the
 * versions they follow end on the date, in two selects that need no
 * grouping: `day0` false, the units with a counted wide row of the date,
 * read from that row; true, the units whose day 0 it is without one.  Of
 * those, the ones that are units of the tag as of the date, each with its
 * values: its version that ended on the date (none: a new unit) folded
 * with its wide row.  `batch` (a date of several computed in a row, up to
 * {{to_date}}, whose wide rows are all filled): each version is written
 * with its end — the unit's next date in changes_table, or the first date
 * from which the unit is left out (the first wide table date on or after
 * multiple_variations_date), up to {{to_date}} — so no later date of the
 * batch updates it. */
static void versions_select(Gen *g, Buf *b, bool batch, bool day0)
{
    const IrSpec *ir = g->ir;
    const char *exp = exposure_col(g);
    bool exclude = ir->exposure.multiple == MULTI_EXCLUDE;
    buf_puts(b, "SELECT\n    a.`tracking_key`,\n    a.`user_id`,\n"
                "    {{event_date}} AS `valid_from`,\n    ");
    if (batch) {
        buf_puts(b, "-- until the unit's next change in the batch");
        if (exclude)
            buf_puts(b, ", or the date it is left out from");
        buf_puts(b, "\n    ");
        if (exclude)
            buf_puts(b, "LEAST(");
        buf_puts(b, "COALESCE((\n        SELECT c2.`event_date`\n        FROM ");
        changes_table(g, b);
        buf_puts(b, " c2\n        WHERE c2.`tracking_key` = a.`tracking_key` AND c2.`user_id` = "
                    "a.`user_id`\n          AND c2.`event_date` > {{event_date}}\n"
                    "        ORDER BY\n            c2.`event_date`\n        LIMIT 1\n"
                    "    ), DATE " OPEN_VERSION ")");
        if (exclude) {
            buf_puts(b, ",\n        COALESCE(CASE WHEN a.`multiple_variations` <> 0 THEN ");
            left_out_date(g, b, "{{event_date}}", "        ");
            buf_puts(b, " END, DATE " OPEN_VERSION "))");
        }
        buf_puts(b, " AS `valid_to`,\n");
    } else {
        buf_puts(b, OPEN_VERSION " AS `valid_to`,\n");
    }
    buf_printf(b, "    a.`variation_key`,\n    a.`%s` AS `exposure_date`", exp);
    segment_list(g, b, "a", "    ");
    state_values(g, b);
    if (!day0) {
        buf_puts(b, "\n-- the units with a counted wide row of the date, each looked up by its "
                    "key\nFROM ");
        gen_table(g, b, T_WIDE);
        buf_puts(b, " w\nSTRAIGHT_JOIN ");
        gen_table(g, b, T_ASSIGN);
        buf_puts(b, " a\n    ON ");
        gen_tag_pred(g, b, "a");
        buf_puts(b, " AND a.`tracking_key` = w.`tracking_key` AND a.`user_id` = w.`user_id`");
    } else {
        buf_puts(b, "\n-- the units whose day 0 the date is, without a counted wide row of "
                    "it\nFROM ");
        gen_table(g, b, T_ASSIGN);
        buf_puts(b, " a\nLEFT JOIN ");
        gen_table(g, b, T_WIDE);
        buf_puts(b, " w\n    ON w.`event_date` = {{event_date}} AND w.`tracking_key` = "
                    "a.`tracking_key`\n    AND w.`user_id` = a.`user_id`");
        counted_rows(g, b);
    }
    buf_puts(b, "\n-- the unit's values until the date: its version that ended on it\nLEFT JOIN ");
    gen_table(g, b, T_UNIT_STATE);
    buf_puts(b, " p\n    ON p.`tracking_key` = a.`tracking_key` AND p.`user_id` = a.`user_id`\n"
                "    AND p.`valid_from` < {{event_date}} AND p.`valid_to` = {{event_date}}\n");
    sql_comment(b, "", arena_printf(g->a, "units of the tag (spec line %d) as of the date%s",
                                    ir->exposure.line,
                                    exclude ? "; a user seen in another variation is left out "
                                              "from that date on" : ""));
    buf_puts(b, "WHERE ");
    if (!day0) {
        buf_puts(b, "w.`event_date` = {{event_date}}");
        counted_rows(g, b);
        buf_printf(b, "\n  AND a.`%s` <= {{event_date}}", exp);
    } else {
        gen_tag_pred(g, b, "a");
        buf_printf(b, " AND a.`%s` = {{event_date}} AND w.`user_id` IS NULL", exp);
    }
    if (ir->exposure.has_activation)
        buf_puts(b, "\n  AND a.`activation_time` IS NOT NULL");
    if (exclude)
        /* a row without the date (written before the column existed)
         * keeps its flag for every date */
        buf_puts(b, "\n  AND (a.`multiple_variations` = 0\n"
                    "      OR a.`multiple_variations_date` > {{event_date}})");
}

/* MariaDB's START TRANSACTION (SQLSTMT_TX_BEGIN) or COMMIT (SQLSTMT_TX_END)
 * around the statements of a state_versions step. */
static void versions_tx(Gen *g, SqlStep *s, unsigned flag)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, flag == SQLSTMT_TX_BEGIN ? "START TRANSACTION" : "COMMIT");
    gen_push_flags(g, s, &b, flag);
    buf_free(&b);
}

/* unit_state's first statements: the versions of the units with a
 * counted wide row of {{event_date}} end on it, so do those of the users
 * seen in another variation by it (multiple exclude). */
static void end_versions_of_date(Gen *g, SqlStep *s)
{
    Buf b;
    buf_init(&b);
    sql_comment(&b, "", "unit state, analysis date {{event_date}}: end the versions of the "
                        "units with a wide row of it");
    buf_puts(&b, "UPDATE ");
    gen_table(g, &b, T_WIDE);
    buf_puts(&b, " w\nSTRAIGHT_JOIN ");
    gen_table(g, &b, T_UNIT_STATE);
    buf_puts(&b, " s\n    ON s.`tracking_key` = w.`tracking_key` AND s.`user_id` = w.`user_id`\n"
                 "    AND s.`valid_from` < {{event_date}} AND s.`valid_to` = " OPEN_VERSION "\n"
                 "SET s.`valid_to` = {{event_date}}\n"
                 "WHERE w.`event_date` = {{event_date}}");
    counted_rows(g, &b);
    gen_push(g, s, &b);

    if (g->ir->exposure.multiple == MULTI_EXCLUDE) {
        buf_reset(&b);
        sql_comment(&b, "", "unit state, analysis date {{event_date}}: end the versions of the "
                            "users seen in another variation by it");
        buf_puts(&b, "UPDATE ");
        gen_table(g, &b, T_ASSIGN);
        buf_puts(&b, " a\nSTRAIGHT_JOIN ");
        gen_table(g, &b, T_UNIT_STATE);
        buf_puts(&b, " s\n    ON s.`tracking_key` = a.`tracking_key` AND s.`user_id` = "
                     "a.`user_id`\n    AND s.`valid_from` < {{event_date}} AND s.`valid_to` = "
                     OPEN_VERSION "\nSET s.`valid_to` = {{event_date}}\nWHERE ");
        gen_tag_pred(g, &b, "a");
        buf_puts(&b, " AND a.`multiple_variations` <> 0\n    AND (a.`multiple_variations_date` IS "
                     "NULL OR a.`multiple_variations_date` <= {{event_date}})");
        gen_push(g, s, &b);
    }
    buf_free(&b);
}

/* The statements of unit_state under state_versions, one transaction:
 * the versions of the units with a counted wide row of {{event_date}} end
 * on it, so do those of the units seen in another variation by it (when
 * the spec leaves them out), then the date's versions go in and the date
 * is listed.  A unit's versions are a primary-key range.  `batch`
 * (unit_state_versions): the versions go in with their end
 * (versions_select), the versions before the batch having ended by
 * unit_state_end, so nothing is updated. */
static void gen_versions_step(Gen *g, SqlStep *s, bool batch)
{
    const TableDef *t = &g->tables[T_UNIT_STATE];
    Buf b;
    buf_init(&b);
    versions_tx(g, s, SQLSTMT_TX_BEGIN);
    if (!batch)
        end_versions_of_date(g, s);

    const char **cols = gen_col_names(g, T_UNIT_STATE);
    for (int day0 = 0; day0 <= 1; day0++) {
        buf_reset(&b);
        versions_select(g, &b, batch, day0);
        WriteSpec w = {.mode = WRITE_APPEND, .table = t, .label = gen_label(g, "unit_state"),
                       .comment = day0 ? "unit state, analysis date {{event_date}}: the versions "
                                         "of the units whose day 0 it is, without a wide row of it"
                                       : "unit state, analysis date {{event_date}}: the versions "
                                         "of the units with a wide row of it",
                       .cols = cols, .ncols = t->ncols, .body = b.data};
        SqlStmts st;
        sql_stmts_init(&st, g->a);
        g->d->write(&st, &w);
        gen_push_stmts(g, s, &st);
    }

    buf_reset(&b);
    buf_puts(&b, "INSERT INTO ");
    gen_table(g, &b, T_UNIT_STATE_DATES);
    buf_puts(&b, " (`analysis_date`)\nVALUES ({{event_date}})");
    gen_push(g, s, &b);

    versions_tx(g, s, SQLSTMT_TX_END);
    buf_free(&b);
}

/* unit_state_end (state_versions): before the dates of a batch in
 * ({{from_date}}, {{to_date}}] go in by unit_state_versions, the batch's
 * counted wide rows go into the session table changes_table, then the
 * versions that hold at {{from_date}} end on their unit's first date there,
 * or on the first wide table date from which a user seen in another
 * variation is left out — where unit_state would end them, date by date. */
static void gen_versions_end_step(Gen *g, SqlStep *s)
{
    Buf b;
    buf_init(&b);
    sql_comment(&b, "", "unit state, analysis dates ({{from_date}}, {{to_date}}]: the units' "
                        "counted wide rows, in unit order (the session table the versions of "
                        "the batch find their unit's next change in)");
    buf_puts(&b, "CREATE OR REPLACE TEMPORARY TABLE ");
    changes_table(g, &b);
    buf_puts(&b, " (\n    PRIMARY KEY (`tracking_key`, `user_id`, `event_date`)\n) AS\n"
                 "SELECT\n    w.`tracking_key`,\n    w.`user_id`,\n    w.`event_date`\nFROM ");
    gen_table(g, &b, T_WIDE);
    buf_puts(&b, " w\nWHERE w.`event_date` > {{from_date}} AND w.`event_date` <= {{to_date}}");
    counted_rows_of(g, &b, "w", "\n  ");
    gen_push(g, s, &b);

    buf_reset(&b);
    sql_comment(&b, "", "unit state, analysis dates ({{from_date}}, {{to_date}}]: end the "
                        "versions that hold at {{from_date}} on their unit's first change "
                        "(none when no earlier date has state: abc run leaves it out then)");
    buf_puts(&b, "UPDATE (\n    SELECT\n        e.`tracking_key`,\n        e.`user_id`,\n"
                 "        MIN(e.`end_date`) AS `end_date`\n    FROM (\n"
                 "        -- the unit's first date of the batch with a counted wide row\n"
                 "        SELECT\n            c.`tracking_key`,\n            c.`user_id`,\n"
                 "            MIN(c.`event_date`) AS `end_date`\n        FROM ");
    changes_table(g, &b);
    buf_puts(&b, " c\n        GROUP BY\n            c.`tracking_key`,\n            c.`user_id`");
    if (g->ir->exposure.multiple == MULTI_EXCLUDE) {
        buf_puts(&b, "\n        UNION ALL\n        -- the first date a user seen in another "
                     "variation is left out from\n        SELECT\n            a.`tracking_key`,\n"
                     "            a.`user_id`,\n            ");
        left_out_date(g, &b, "{{from_date}}", "            ");
        buf_puts(&b, "\n        FROM ");
        gen_table(g, &b, T_ASSIGN);
        buf_puts(&b, " a\n        WHERE ");
        gen_tag_pred(g, &b, "a");
        buf_puts(&b, " AND a.`multiple_variations` <> 0");
    }
    buf_puts(&b, "\n    ) e\n    GROUP BY\n        e.`tracking_key`,\n        e.`user_id`\n) e\n"
                 "STRAIGHT_JOIN ");
    gen_table(g, &b, T_UNIT_STATE);
    buf_puts(&b, " s\n    ON s.`tracking_key` = e.`tracking_key` AND s.`user_id` = e.`user_id`\n"
                 "    AND s.`valid_from` <= {{from_date}} AND s.`valid_to` = " OPEN_VERSION "\n"
                 "SET s.`valid_to` = e.`end_date`\nWHERE e.`end_date` IS NOT NULL");
    gen_push_flags(g, s, &b, SQLSTMT_EARLIER_STATE);
    buf_free(&b);
}

static void gen_unit_state(Gen *g)
{
    const TableDef *t = &g->tables[T_UNIT_STATE];
    bool versions = state_versions(g);
    Buf b;
    buf_init(&b);

    SqlStep *s = gen_step(g, SQLSTEP_UNIT_STATE_RESET, "unit_state_reset",
                          "drop and create the per-unit state table (a rebuild: first run, --full, "
                          "a changed spec or abc)");
    gen_recreate(g, s, T_UNIT_STATE);
    if (versions)
        gen_recreate(g, s, T_UNIT_STATE_DATES);

    s = gen_step(g, SQLSTEP_UNIT_STATE_CLEAR, "unit_state_clear",
                 versions ? "take the unit state back to before {{from_date}} (the first date due), "
                            "before the fills change their wide rows: the versions from it go, "
                            "those that ended on or after it hold again; none is left when no "
                            "earlier date is listed (pruned)"
                          : "delete the unit state of the dates from {{from_date}} (the first date "
                            "due) on, before the fills change their wide rows");
    s->params = SQLP_FROM_DATE;
    if (versions) {
        versions_tx(g, s, SQLSTMT_TX_BEGIN);
        buf_reset(&b);
        g->d->delete_where(&b, &g->tables[T_UNIT_STATE_DATES], "`analysis_date` >= {{from_date}}");
        gen_push(g, s, &b);
        buf_reset(&b);
        g->d->delete_where(&b, t, "`valid_from` >= {{from_date}}");
        gen_push(g, s, &b);
        buf_reset(&b);
        Buf none;
        buf_init(&none);
        buf_puts(&none, "NOT EXISTS (SELECT 1 FROM ");
        gen_table(g, &none, T_UNIT_STATE_DATES);
        buf_puts(&none, ")");
        g->d->delete_where(&b, t, none.data);
        buf_free(&none);
        gen_push(g, s, &b);
        buf_reset(&b);
        buf_puts(&b, "UPDATE ");
        gen_table(g, &b, T_UNIT_STATE);
        buf_puts(&b, "\nSET `valid_to` = " OPEN_VERSION "\nWHERE `valid_to` >= {{from_date}} AND "
                     "`valid_to` < " OPEN_VERSION);
        gen_push(g, s, &b);
        versions_tx(g, s, SQLSTMT_TX_END);
    } else {
        buf_reset(&b);
        g->d->delete_where(&b, t, "`analysis_date` >= {{from_date}}");
        gen_push(g, s, &b);
    }

    s = gen_step(g, SQLSTEP_UNIT_STATE_LAST, "unit_state_last",
                 "the last date before {{from_date}} with unit state (NULL: none)");
    s->params = SQLP_FROM_DATE;
    static const char *const last_cols[] = {"last_state_date"};
    s->columns = gen_columns(g, last_cols, 1);
    s->ncolumns = 1;
    buf_reset(&b);
    buf_puts(&b, "SELECT MAX(`analysis_date`) AS `last_state_date`\nFROM ");
    gen_table(g, &b, versions ? T_UNIT_STATE_DATES : T_UNIT_STATE);
    buf_puts(&b, "\nWHERE `analysis_date` < {{from_date}}");
    gen_push(g, s, &b);

    s = gen_step(g, SQLSTEP_UNIT_STATE_DATES, "unit_state_dates",
                 "the analysis dates after {{from_date}} (the last date with unit state), up to "
                 "{{to_date}}: the wide table's days, oldest first");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
    static const char *const date_cols[] = {"analysis_date"};
    s->columns = gen_columns(g, date_cols, 1);
    s->ncolumns = 1;
    buf_reset(&b);
    buf_puts(&b, "SELECT DISTINCT `event_date` AS `analysis_date`\nFROM ");
    gen_table(g, &b, T_WIDE);
    buf_puts(&b, "\nWHERE `event_date` > {{from_date}} AND `event_date` <= {{to_date}}\n"
                 "ORDER BY\n    `analysis_date`");
    gen_push(g, s, &b);

    if (versions) {
        s = gen_step(g, SQLSTEP_UNIT_STATE, "unit_state",
                     "the unit state of {{event_date}}: a version for each unit whose values "
                     "change on it (its wide row of the date folded into the version it ends; "
                     "the runner steps through every analysis date, oldest first)");
        s->params = SQLP_EVENT_DATE | SQLP_RUN_ID;
        gen_versions_step(g, s, false);
        s = gen_step(g, SQLSTEP_UNIT_STATE_END, "unit_state_end",
                     "before several analysis dates in ({{from_date}}, {{to_date}}] go in by "
                     "unit_state_versions: their units' counted wide rows into a session table "
                     "in unit order, then end the versions that hold at {{from_date}} (the last "
                     "date with state) on their unit's first change");
        s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
        gen_versions_end_step(g, s);
        s = gen_step(g, SQLSTEP_UNIT_STATE_VERSIONS, "unit_state_versions",
                     "the unit state of {{event_date}}, one of several analysis dates up to "
                     "{{to_date}} computed in a row: unit_state's versions, each written with its "
                     "end (the unit's next change up to {{to_date}}, from unit_state_end's session "
                     "table), nothing updated");
        s->params = SQLP_EVENT_DATE | SQLP_TO_DATE | SQLP_RUN_ID;
        gen_versions_step(g, s, true);
    } else {
        s = gen_step(g, SQLSTEP_UNIT_STATE, "unit_state",
                     "replace the unit state of {{event_date}}: each unit's values as of "
                     "{{from_date}} (the previous analysis date with state; the runner steps "
                     "through every analysis date) folded with its wide row of {{event_date}}");
        s->params = SQLP_EVENT_DATE | SQLP_FROM_DATE | SQLP_RUN_ID;
        buf_reset(&b);
        unit_state_select(g, &b);
        const char **cols = gen_col_names(g, T_UNIT_STATE);
        WriteSpec w = {.mode = WRITE_REPLACE_PART, .table = t, .part_col = "analysis_date",
                       .part_value = "{{event_date}}", .label = gen_label(g, "unit_state"),
                       .comment = "unit state, analysis date {{event_date}}", .cols = cols,
                       .ncols = t->ncols, .body = b.data};
        SqlStmts st;
        sql_stmts_init(&st, g->a);
        g->d->write(&st, &w);
        gen_push_stmts(g, s, &st);
    }

    s = gen_step(g, SQLSTEP_UNIT_STATE_PRUNE, "unit_state_prune",
                 "delete the unit state before {{from_date}}: no later run reads it");
    s->params = SQLP_FROM_DATE;
    buf_reset(&b);
    g->d->delete_where(&b, t, versions ? "`valid_to` <= {{from_date}}"
                                       : "`analysis_date` < {{from_date}}");
    gen_push(g, s, &b);
    if (versions) {
        buf_reset(&b);
        g->d->delete_where(&b, &g->tables[T_UNIT_STATE_DATES], "`analysis_date` < {{from_date}}");
        gen_push(g, s, &b);
    }
    buf_free(&b);
}

/* Whether abc computes the percentile caps, the quantiles' order
 * statistics and the survival tables itself, from the units rows of
 * stats_moments (results.c), where the moments come a row per unit: the
 * unit state of a date is then read once, where a caps query and a query
 * per quantile or time-to-event metric read it again each (MariaDB, which
 * has no percentile aggregate either).  The units rows then hold a
 * percentile capped metric's value uncapped, and a time-to-event metric's
 * day of the event. */
static bool stats_in_abc(const Gen *g) { return g->d->moments_per_unit; }

/* The analysis date of a unit state row read by state_of_dates. */
static const char *state_date(const Gen *g)
{
    return state_versions(g) ? "d.`analysis_date`" : "s.`analysis_date`";
}

/* state_date as the select item `analysis_date` */
static const char *state_date_item(const Gen *g)
{
    return state_versions(g) ? "d.`analysis_date` AS `analysis_date`" : "s.`analysis_date`";
}

/* "FROM <unit state> s ... WHERE ...": each unit's state row `s` of the
 * analysis dates in [{{from_date}}, {{to_date}}]; the date is state_date.
 * state_versions: the versions that hold on {{to_date}} alone, when it is
 * a listed date `d` (stats_one_date: the runner sends each date due by
 * itself).  `d` is then one row found by its key, a constant to MariaDB,
 * so the query reads one table: a grouping or an ORDER BY of its rows
 * sorts them as they are read, where a join of several dates would first
 * copy every row into a temporary table. */
static void state_of_dates(Gen *g, Buf *b, const char *indent)
{
    buf_puts(b, "FROM ");
    gen_table(g, b, T_UNIT_STATE);
    if (!state_versions(g)) {
        buf_printf(b, " s\n%sWHERE s.`analysis_date` >= {{from_date}} AND s.`analysis_date` <= "
                      "{{to_date}}", indent);
        return;
    }
    buf_printf(b, " s\n%sJOIN ", indent);
    gen_table(g, b, T_UNIT_STATE_DATES);
    buf_printf(b, " d\n%s    ON d.`analysis_date` = {{to_date}} AND d.`analysis_date` >= "
                  "{{from_date}}\n%sWHERE s.`valid_from` <= d.`analysis_date` AND s.`valid_to` > "
                  "d.`analysis_date`", indent, indent);
}

/* "user_values AS (...)": each unit's state row of the analysis dates in
 * [{{from_date}}, {{to_date}}], with metric `only`'s columns (-1: every
 * metric's). */
static void user_values_cte(Gen *g, Buf *b, int only)
{
    buf_puts(b, "-- per unit and analysis date: each metric's value over its window, "
                "cumulative to the date\n-- (the unit state that unit_state wrote)\n"
                "user_values AS (\n    SELECT\n        ");
    buf_printf(b, "%s,\n        s.`tracking_key`,\n        s.`user_id`,\n"
                  "        s.`variation_key`,\n        DATEDIFF(%s, s.`exposure_date`) AS "
                  "`days_observed`", state_date_item(g), state_date(g));
    segment_list(g, b, "s", "        ");
    int nv;
    StateCol *sc = all_state_cols(g, &nv);
    for (int i = 0; i < nv; i++) {
        if (only >= 0 && sc[i].metric != only)
            continue;
        const char *name = state_col_name(g, &sc[i]);
        buf_puts(b, ",\n        ");
        if (sc[i].combine == COMBINE_MAX) { /* the covariate: 0 without pre-period rows */
            buf_puts(b, "COALESCE(");
            gen_col(g, b, "s", name);
            buf_puts(b, ", 0) AS ");
            gen_id(g, b, name);
        } else {
            gen_col(g, b, "s", name);
        }
    }
    buf_puts(b, "\n    ");
    state_of_dates(g, b, "    ");
    buf_puts(b, "\n)");
}

/* The percentile of metric i's cap over its column, an aggregate: pooled
 * over the variations of an experiment, per date (the caller groups). */
static void cap_expr(Gen *g, Buf *b, int i)
{
    Buf v;
    buf_init(&v);
    ref(g, &v, NULL, i, NULL);
    g->d->percentile(b, v.data, g->ir->metrics[i].cap.value);
    buf_free(&v);
}

/* The statistics' shared CTEs, up to and including `vals`, over the unit
 * state of the analysis dates [{{from_date}}, {{to_date}}], with metric
 * `only`'s columns (-1: every metric's).  Ends without a comma. */
static void prefix(Gen *g, Buf *b, int only)
{
    const IrSpec *ir = g->ir;
    buf_puts(b, "WITH\n");
    user_values_cte(g, b, only);

    /* percentile caps: pooled over the variations of an experiment, per date */
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (!has_cap_pct(m) || (only >= 0 && i != only))
            continue;
        if (stats_in_abc(g))
            continue;
        buf_puts(b, ",\n");
        sql_comment(b, "", arena_printf(g->a, "metric %s (spec line %d): cap at the pooled p%g of "
                                              "per-user values", m->name, m->line,
                                        m->cap.value * 100));
        buf_printf(b, "cap_%d AS (\n    SELECT\n        `analysis_date`,\n"
                      "        `tracking_key`,\n        ", i);
        size_t item = b->len;
        cap_expr(g, b, i);
        buf_puts(b, " AS `cap`");
        sql_wrap(b, item);
        buf_puts(b, "\n    FROM user_values\n    GROUP BY\n        `analysis_date`,\n"
                    "        `tracking_key`");
        buf_puts(b, "\n)");
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
            } else if (m->cap.kind == CAP_PERCENTILE && !stats_in_abc(g)) {
                buf_printf(b, "LEAST(%s, c%d.`cap`) AS ", v.data, i);
            } else {
                if (m->cap.kind == CAP_PERCENTILE)
                    buf_puts(b, "-- uncapped: abc caps it at the pooled percentile\n        ");
                buf_printf(b, "%s AS ", v.data);
            }
            ref(g, b, NULL, i, NULL);
            if (m->cap.kind == CAP_PERCENTILE && !stats_in_abc(g)) {
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
        if (has_cap_pct(&ir->metrics[i]) && (only < 0 || i == only) && !stats_in_abc(g))
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

/* The grouping by every segment at once: one row per combination of
 * segment values (`abc_seg_<i>`), which the segment groupings add up. */
#define SEG_ALL (-2)

/* SELECT list head + FROM/GROUP BY for one grouping (seg -1: all users);
 * sorted: under the dialect's group_by_sort (a grouping of the unit
 * state's many rows). */
static void group_head(Gen *g, Buf *b, int seg, bool sorted)
{
    if (sorted)
        gen_select_grouped(g, b);
    else
        buf_puts(b, "SELECT");
    buf_puts(b, "\n    `analysis_date`,\n    `tracking_key`,\n    `variation_key`,\n    ");
    if (seg == SEG_ALL) {
        for (int i = 0; i < g->ir->nsegments; i++) {
            buf_puts(b, i ? ",\n    " : "");
            segment_value(g, b, i);
            buf_printf(b, " AS `abc_seg_%d`", i);
        }
    } else if (seg < 0) {
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
    for (int i = 0; seg == SEG_ALL && i < g->ir->nsegments; i++) {
        buf_puts(b, ",\n    ");
        segment_value(g, b, i);
    }
    if (seg >= 0) {
        buf_puts(b, ",\n    ");
        segment_value(g, b, seg);
    }
    if (extra)
        buf_printf(b, ",\n    %s", extra);
}

/* Aggregates of one moments row; `inc` restricts to mature units (or NULL).
 * MariaDB sums an integer column as DECIMAL, one digit group at a time, and
 * multiplies two BIGINTs as BIGINT (an error past 2^63): the sums start
 * from 1e0, so each term and its products are DOUBLE, as the kernel reads
 * them (a DOUBLE term is unchanged). */
static void agg_sum(Gen *g, Buf *b, const char *inc, const char *x)
{
    const char *term = g->d->id == DIALECT_MARIADB ? arena_printf(g->a, "1e0 * %s", x) : x;
    if (inc)
        buf_printf(b, "SUM(CASE WHEN %s THEN %s ELSE 0 END)", inc, term);
    else
        buf_printf(b, "SUM(%s)", term);
}

static void moment(Gen *g, Buf *b, Cols *c, int m, const char *stat, const char *inc, const char *x)
{
    const char *name = gen_metric_col(g, m, stat);
    buf_puts(b, ",\n    ");
    size_t item = b->len;
    if (strcmp(stat, "n") == 0)
        buf_puts(b, inc ? arena_printf(g->a, "COUNT(CASE WHEN %s THEN 1 END)", inc) : "COUNT(*)");
    else
        agg_sum(g, b, inc, x);
    buf_puts(b, " AS ");
    gen_id(g, b, name);
    sql_wrap(b, item);
    if (c)
        col_add(g, c, name, m, stat);
}

static void moments_select(Gen *g, Buf *b, int seg, Cols *c)
{
    const IrSpec *ir = g->ir;
    group_head(g, b, seg, true);
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

/* The segment column of grouping `k.i` (0: all users, i + 1: segment i). */
static void grouping_case(Gen *g, Buf *b, bool value)
{
    buf_puts(b, "CASE k.`i`\n        WHEN 0 THEN ''");
    for (int i = 0; i < g->ir->nsegments; i++) {
        buf_printf(b, "\n        WHEN %d THEN ", i + 1);
        if (value)
            buf_printf(b, "f.`abc_seg_%d`", i);
        else
            gen_str(g, b, g->ir->segments[i].name);
    }
    buf_puts(b, "\n    END");
}

/* Specs with segments: the moments of all users and of each segment's
 * values, added up from one grouping by every segment at once (sums,
 * counts and sums of products add; the percentile cap is the same in every
 * cell of a date and experiment), so the units are aggregated once, not
 * once per grouping.  `c` holds the columns: the dimensions, then the
 * moments the inner grouping named. */
static void moments_rollup(Gen *g, Buf *b, Cols *c)
{
    const IrSpec *ir = g->ir;
    buf_puts(b, "-- every grouping (all users, then each segment's values) adds up the cells of\n"
                "-- one grouping by every segment at once\n"
                "SELECT\n    f.`analysis_date`,\n    f.`tracking_key`,\n    f.`variation_key`,\n    ");
    grouping_case(g, b, false);
    buf_puts(b, " AS `segment`,\n    ");
    grouping_case(g, b, true);
    buf_puts(b, " AS `segment_value`");
    int first = c->n;
    Buf inner;
    buf_init(&inner);
    moments_select(g, &inner, SEG_ALL, c);
    for (int i = first; i < c->n; i++) {
        bool cap = strcmp(c->v[i].stat, "cap_value") == 0;
        buf_printf(b, ",\n    %s(f.", cap ? "MAX" : "SUM");
        gen_id(g, b, c->v[i].name);
        buf_puts(b, ") AS ");
        gen_id(g, b, c->v[i].name);
    }
    buf_puts(b, "\nFROM (\n");
    /* the inner grouping, indented, each line wrapped again at its new width */
    for (const char *line = inner.data; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        size_t at = b->len;
        buf_printf(b, "    %.*s", (int)n, line);
        sql_wrap(b, at);
        if (nl)
            buf_putc(b, '\n');
        line += n + (nl ? 1 : 0);
    }
    buf_puts(b, "\n) f\nCROSS JOIN (\n    SELECT 0 AS `i`");
    for (int i = 0; i < ir->nsegments; i++)
        buf_printf(b, "\n    UNION ALL\n    SELECT %d", i + 1);
    buf_puts(b, "\n) k\nGROUP BY\n    f.`analysis_date`,\n    f.`tracking_key`,\n    f.`variation_key`,\n    ");
    grouping_case(g, b, false);
    buf_puts(b, ",\n    ");
    grouping_case(g, b, true);
    buf_free(&inner);
}

/* The head of a query with a row per unit cell (the quantile's
 * distribution, the rows per unit): "SELECT date, experiment, variation",
 * and those columns. */
static void unit_cell_head(Gen *g, Buf *b, Cols *c)
{
    static const char *const d3[] = {"analysis_date", "tracking_key", "variation_key"};
    for (int k = 0; k < 3; k++)
        col_add(g, c, d3[k], -1, d3[k]);
    buf_puts(b, "SELECT\n    `analysis_date`,\n    `tracking_key`,\n    `variation_key`");
}

/* Each segment's value as a slot column named after the segment (NULL as
 * '(null)'); grp (or NULL) gets the same values for a GROUP BY. */
static void slot_columns(Gen *g, Buf *b, Cols *c, Buf *grp)
{
    for (int seg = 0; seg < g->ir->nsegments; seg++) {
        const char *slot = gen_segment_col(g, seg);
        buf_puts(b, ",\n    ");
        segment_value(g, b, seg);
        buf_puts(b, " AS ");
        gen_id(g, b, slot);
        if (grp) {
            buf_puts(grp, ",\n    ");
            segment_value(g, grp, seg);
        }
        col_add(g, c, slot, -1, "segment_slot");
    }
}

/* moments_per_unit: a row per unit of `vals` — its cell (date,
 * experiment, variation, every segment slot), its days observed and each
 * metric's value as the moments would read it (an absolute cap applied; a
 * percentile capped value uncapped; CUPED covariate; mean numerator and
 * denominator; funnel steps; a time-to-event metric's day) — in no order.
 * abc adds up the moments of every cell as they pass, the sums
 * moments_select would compute, sorts the values of the percentile capped
 * and the quantile metrics for their caps and order statistics, and counts
 * the time-to-event days (results.c, stats_in_abc). */
static void units_select(Gen *g, Buf *b, Cols *c)
{
    const IrSpec *ir = g->ir;
    unit_cell_head(g, b, c);
    col_add(g, c, "days_observed", -1, "days_observed");
    buf_puts(b, ",\n    `days_observed`");
    slot_columns(g, b, c, NULL);
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->kind == MK_RATIO)
            continue; /* its numerator's and denominator's values */
        buf_printf(b, ",\n    -- metric %s (spec line %d): %s", m->name, m->line,
                   sqlgen_kind_name(m->kind));
        const char *stats[8];
        int n = 0;
        if (m->kind == MK_MEAN) {
            stats[n++] = "num";
            stats[n++] = "den";
        } else {
            stats[n++] = "value";
            if (m->kind == MK_TIME_TO_EVENT)
                stats[n++] = "day"; /* the survival's time (stats_in_abc) */
            if (m->cuped.kind != CUPED_NONE)
                stats[n++] = "pre";
        }
        for (int k = 0; k < n; k++) {
            const char *col = strcmp(stats[k], "value") ? gen_metric_col(g, i, stats[k]) : m->name;
            buf_puts(b, k ? ",\n    " : "\n    ");
            gen_id(g, b, col);
            col_add(g, c, col, i, stats[k]);
        }
        for (int k = 0; m->kind == MK_FUNNEL && k < m->nsteps; k++) {
            const char *sfx = arena_printf(g->a, "step_%d", k + 1);
            const char *col = gen_metric_col(g, i, sfx);
            buf_puts(b, ",\n    ");
            gen_id(g, b, col);
            col_add(g, c, col, i, sfx);
        }
    }
    buf_puts(b, "\nFROM vals");
}

void gen_stats(Gen *g)
{
    const IrSpec *ir = g->ir;
    gen_unit_state(g);
    Buf b;
    buf_init(&b);

    bool per_unit = g->d->moments_per_unit;
    SqlStep *s = stats_step(g, "stats_moments",
                            per_unit ? "a row per unit and analysis date: its cell (experiment, "
                                       "variation, segment slots), days observed and every "
                                       "metric's value (a percentile capped metric's uncapped; a "
                                       "time-to-event metric's day), from which abc adds up the "
                                       "sufficient statistics of every cell and takes the "
                                       "percentile caps, the quantiles and the survival tables (no "
                                       "order)"
                                     : "sufficient statistics of every metric per analysis date x "
                                       "experiment x variation x segment value",
                            per_unit ? STATS_UNITS : STATS_MOMENTS, -1);
    Cols cols = {0};
    if (per_unit) {
        prefix(g, &b, -1);
        buf_putc(&b, '\n');
        units_select(g, &b, &cols);
    } else {
        dims(g, &cols);
        prefix(g, &b, -1);
        buf_putc(&b, '\n');
        if (ir->nsegments == 0)
            moments_select(g, &b, -1, &cols);
        else
            moments_rollup(g, &b, &cols);
        union_order(&b, 5);
    }
    gen_push(g, s, &b);
    s->columns = cols.v;
    s->ncolumns = cols.n;

    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->kind != MK_QUANTILE && m->kind != MK_TIME_TO_EVENT)
            continue;
        if (stats_in_abc(g))
            continue; /* from the units rows */
        bool q = m->kind == MK_QUANTILE;
        s = stats_step(g,
                       arena_printf(g->a, "%s_%s", q ? "stats_quantile" : "stats_survival",
                                    file_part(g, m->name)),
                       q ? "distinct per-user values and their counts per date x experiment x "
                           "variation x segment slots, in ascending order of value per date x "
                           "experiment (order statistics for the quantile and its CI, streamed "
                           "into the cells of every segment value)"
                         : "days since exposure to the first event: events and censored units "
                           "(Kaplan-Meier, log-rank)",
                       q ? STATS_DISTRIBUTION : STATS_SURVIVAL, i);
        Cols c = {0};
        buf_reset(&b);
        prefix(g, &b, i);
        Buf v;
        buf_init(&v);
        ref(g, &v, NULL, i, NULL);
        if (q) {
            /* one grouping: per unit cell (date, experiment, variation and
             * every segment slot) the distinct values and their counts,
             * ordered by date, experiment and value: abc adds each row to
             * the all-users cell and to its value's cell of every segment,
             * whose streams then see their values in ascending order (no
             * rows repeated per segment, no values held) */
            buf_putc(&b, '\n');
            unit_cell_head(g, &b, &c);
            Buf grp;
            buf_init(&grp);
            buf_printf(&grp, "\n    `analysis_date`,\n    `tracking_key`,\n    %s,\n    `variation_key`",
                       v.data);
            slot_columns(g, &b, &c, &grp);
            buf_printf(&b, ",\n    %s AS `value`,\n    COUNT(*) AS `units`\nFROM vals\nGROUP BY%s"
                           "\nORDER BY%s",
                       v.data, grp.data, grp.data);
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
                group_head(g, &b, seg, false);
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
        gen_push(g, s, &b);
        s->columns = c.v;
        s->ncolumns = c.n;
        buf_free(&v);
    }
    buf_free(&b);
}
