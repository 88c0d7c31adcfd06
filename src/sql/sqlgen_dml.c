/* sqlgen_dml.c — the statements that fill experiment_data (config),
 * experiment_assignment (assign) and the wide table (wide), for one
 * event_date (daily) or a date range (backfill).
 *
 * Assignment is a commutative merge, so days may be processed in any order
 * and re-run: per tag x experiment x user it keeps the earliest exposure
 * (its variation, date and segment values), the earliest activation at or
 * after it, and multiple_variations_date: the first date of an exposure to
 * another variation than the first one, so that the unit counts as seen in
 * several variations from that date on, not before (every per-date
 * quantity is as of the date: docs/RUNNING.md).  The wide table gets, per
 * experiment x user x day, each metric's components from that day's events
 * at or after the user's first exposure (and before the phase end); the
 * exposure-day row also carries the CUPED pre-period covariates.  pre_fill
 * reads a day's rows of each source once into the per-user day table
 * (T_PRE: each user's day sums, the covariate parts); the daily wide fill
 * takes its whole-day units' sums and its new units' covariates there, and
 * reads the day's source rows again only for the units whose day an
 * exposure or a phase end cuts. */
#include "sqlgen_int.h"

#include <string.h>

#include "dialect_common.h"

/* Date bounds of a step: daily (lo == hi == {{event_date}}) or range. */
typedef struct Span {
    bool range;
    const char *lo, *hi;
} Span;

static Span span_of(bool range)
{
    if (range)
        return (Span){true, "{{from_date}}", "{{to_date}}"};
    return (Span){false, "{{event_date}}", "{{event_date}}"};
}

/* alias.col within the span: "= D" or ">= lo AND <= hi" */
static void span_pred(Gen *g, Buf *b, const char *alias, const char *col, Span sp)
{
    gen_col(g, b, alias, col);
    if (!sp.range) {
        buf_printf(b, " = %s", sp.lo);
    } else {
        buf_printf(b, " >= %s AND ", sp.lo);
        gen_col(g, b, alias, col);
        buf_printf(b, " <= %s", sp.hi);
    }
}

static void phases_cte(Gen *g, Buf *b)
{
    buf_puts(b, "-- experiments of the tag and their latest phase (written by the config step)\n"
                "phases AS (\n    SELECT\n        ");
    gen_id(g, b, "tracking_key");
    buf_puts(b, ",\n        MAX(");
    gen_id(g, b, "phase_start");
    buf_puts(b, ") AS ");
    gen_id(g, b, "phase_start");
    buf_puts(b, ",\n        MAX(");
    gen_id(g, b, "phase_end");
    buf_puts(b, ") AS ");
    gen_id(g, b, "phase_end");
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_EXPDATA);
    buf_puts(b, "\n    WHERE ");
    gen_tag_pred(g, b, NULL);
    buf_puts(b, "\n    GROUP BY ");
    gen_id(g, b, "tracking_key");
    buf_puts(b, "\n)");
}

void gen_config(Gen *g)
{
    SqlStep *s = gen_step(g, SQLSTEP_CONFIG, "config",
                          "replace the tag's rows of experiment_data with the resolved latest "
                          "phases ({{values}}: one row per experiment x variation)");
    s->params = SQLP_VALUES | SQLP_RUN_ID;
    Buf part;
    buf_init(&part);
    gen_str(g, &part, g->ir->tag);
    WriteSpec w = {.mode = WRITE_REPLACE_PART, .table = &g->tables[T_EXPDATA], .part_col = "tag",
                   .part_value = part.data, .label = gen_label(g, "config"),
                   .comment = "experiment config of the tag; the first column of every row is the tag",
                   .cols = SQLGEN_EXPDATA_COLUMNS, .ncols = SQLGEN_EXPDATA_NCOLUMNS,
                   .body = "VALUES {{values}}"};
    SqlStmts st;
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    Buf q;
    buf_init(&q);
    gen_table(g, &q, T_EXPDATA);
    s->load_table = arena_strdup(g->a, q.data);
    s->load_columns = SQLGEN_EXPDATA_COLUMNS;
    s->nload_columns = SQLGEN_EXPDATA_NCOLUMNS;
    buf_free(&q);
    buf_free(&part);
}

void gen_config_clear(Gen *g)
{
    SqlStep *s = gen_step(g, SQLSTEP_CONFIG_CLEAR, "config_clear",
                          "when GrowthBook lists no experiment for the tag: delete the tag's rows "
                          "of experiment_data (instead of config)");
    Buf where, b;
    buf_init(&where);
    buf_init(&b);
    gen_tag_pred(g, &where, NULL);
    g->d->delete_where(&b, &g->tables[T_EXPDATA], where.data);
    gen_push(g, s, &b);
    buf_free(&where);
    buf_free(&b);
}

/* reset: a full run forgets the tag's assignments; with growth analytics
 * also the active days, users and periods after the last date due that
 * an earlier run through a later date left, so the tables hold what the
 * full run computes and the next daily run merges its day into them
 * (activity_periods_check finds no later period). */
void gen_reset(Gen *g)
{
    bool activity = g->ir->nactivities > 0;
    SqlStep *s = gen_step(g, SQLSTEP_RESET, "reset",
                          activity ? "full rebuild only: forget the tag's assignments before the "
                                     "backfill, and the growth tables' active days, users first "
                                     "active and periods after {{to_date}} (the last date due)"
                                   : "full rebuild only: forget the tag's assignments before the "
                                     "backfill");
    Buf where, b;
    buf_init(&where);
    buf_init(&b);
    gen_tag_pred(g, &where, NULL);
    g->d->delete_where(&b, &g->tables[T_ASSIGN], where.data);
    gen_push(g, s, &b);
    if (activity) {
        static const struct { int table; const char *where; } later[] = {
            {T_ACT_DAY, "`event_date` > {{to_date}}"},
            {T_ACT_USER, "`first_date` > {{to_date}}"},
            {T_ACT_PERIOD, "`period` > {{to_date}}"},
        };
        s->params |= SQLP_TO_DATE;
        for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
            buf_reset(&b);
            g->d->delete_where(&b, &g->tables[later[i].table], later[i].where);
            gen_push(g, s, &b);
        }
    }
    buf_free(&where);
    buf_free(&b);
}

/* ---- assignment ------------------------------------------------------------ */

static void variation_expr(Gen *g, Buf *b, const IrSource *src)
{
    const IrSpec *ir = g->ir;
    if (ir->nassignments == 0) {
        gen_col(g, b, "s", ir->exposure.variation_col);
        return;
    }
    /* hash assignment: bucket = crc32(salt || user_id) mod 10000 */
    buf_puts(b, "CASE");
    for (int i = 0; i < ir->nassignments; i++) {
        const IrHashAssignment *h = &ir->assignments[i];
        buf_puts(b, "\n            WHEN ");
        gen_col(g, b, "s", ir->exposure.experiment_col);
        buf_puts(b, " = ");
        gen_str(g, b, h->tracking_key);
        buf_puts(b, " THEN CASE");
        Buf key, crc;
        buf_init(&key);
        buf_init(&crc);
        buf_puts(&key, "CONCAT(");
        gen_str(g, &key, h->salt);
        buf_puts(&key, ", ");
        Buf uid;
        buf_init(&uid);
        gen_col(g, &uid, "s", src->user_col);
        g->d->cast_string(&key, uid.data);
        buf_putc(&key, ')');
        g->d->crc32(&crc, key.data);
        double cum = 0;
        for (int v = 0; v < h->nvariations; v++) {
            cum += h->weights[v];
            long hi = v + 1 == h->nvariations ? 10000 : (long)(cum * 10000.0 + 0.5);
            if (v + 1 < h->nvariations)
                buf_printf(b, "\n                WHEN %s %% 10000 < %ld THEN ", crc.data, hi);
            else
                buf_puts(b, "\n                ELSE ");
            gen_str(g, b, h->variations[v]);
        }
        buf_puts(b, "\n            END");
        buf_free(&key);
        buf_free(&crc);
        buf_free(&uid);
    }
    buf_puts(b, "\n            ELSE ");
    gen_col(g, b, "s", ir->exposure.variation_col);
    buf_puts(b, "\n        END");
}

static void and_cond(Gen *g, Buf *b, const IrCond *c, const char *alias, const char *indent)
{
    if (!c)
        return;
    buf_printf(b, "\n%sAND ", indent);
    gen_cond(g, b, c, alias);
}

/* Segment i's value, a string, from the row `alias` (the exposure's row
 * or the segment's user table's). */
static void segment_value_expr(Gen *g, Buf *b, int i, const char *alias)
{
    const IrSegment *sg = &g->ir->segments[i];
    Buf c;
    buf_init(&c);
    gen_column(g, &c, alias, sg->column, sg->path);
    g->d->cast_string(b, c.data);
    buf_free(&c);
}

/* The one-day form of assign_day's `firsts` (after `ranked`'s select
 * list): each user's first exposure of the day (the row ranked first) and
 * the day again if the user saw another variation in it, by one grouping
 * of the ranked rows (group_by_sort): MariaDB computes a window aggregate
 * over a whole partition by reading the partition's rows again, for each
 * such aggregate. */
static void one_day_firsts(Gen *g, Buf *b)
{
    const IrSpec *ir = g->ir;
    buf_puts(b, "\n    FROM valid x\n),\n"
                "-- each user's first exposure of the day (ranked first), and the day again if\n"
                "-- the user saw another variation in it\nfirsts AS (\n    ");
    gen_select_grouped(g, b);
    buf_puts(b, "\n        r.`tracking_key`,\n        r.`user_id`,\n"
                "        MAX(CASE WHEN r.`rn` = 1 THEN r.`variation_key` END) AS `variation_key`,\n"
                "        MAX(CASE WHEN r.`rn` = 1 THEN r.`exposure_time` END) AS `exposure_time`,\n"
                "        MAX(r.`exposure_date`) AS `exposure_date`,\n"
                "        CASE WHEN MIN(r.`variation_key`) <> MAX(r.`variation_key`)\n"
                "            THEN MAX(r.`exposure_date`) END AS `other_date`");
    for (int i = 0; i < ir->nsegments; i++) {
        if (ir->segments[i].from == SEG_USER_TABLE)
            continue;
        const char *c = gen_segment_col(g, i);
        buf_puts(b, ",\n        MAX(CASE WHEN r.`rn` = 1 THEN ");
        gen_col(g, b, "r", c);
        buf_puts(b, " END) AS ");
        gen_id(g, b, c);
    }
    buf_puts(b, "\n    FROM ranked r\n    GROUP BY\n        r.`tracking_key`,\n        r.`user_id`\n),\n");
}

void gen_assign(Gen *g, bool range)
{
    const IrSpec *ir = g->ir;
    const IrExposure *e = &ir->exposure;
    const IrSource *src = &ir->sources[e->source];
    Span sp = span_of(range);
    SqlStep *s = gen_step(g, range ? SQLSTEP_ASSIGN_RANGE : SQLSTEP_ASSIGN_DAY,
                          range ? "assign_range" : "assign_day",
                          range ? "merge the first exposures of [{{from_date}}, {{to_date}}] into "
                                  "experiment_assignment (backfill)"
                                : "merge the first exposures of {{event_date}} into "
                                  "experiment_assignment (per due date, before wide_day)");
    s->params = (range ? SQLP_FROM_DATE | SQLP_TO_DATE : SQLP_EVENT_DATE) | SQLP_RUN_ID;
    int nseg = ir->nsegments;
    Buf b;
    buf_init(&b);
    buf_puts(&b, "WITH\n");
    phases_cte(g, &b);
    /* DISTINCT: a derived table (MariaDB: joined from a join buffer, see
     * small_derived_buffered below), not merged into a lookup per row */
    buf_puts(&b, ",\nvariations AS (\n    SELECT DISTINCT\n        ");
    gen_id(g, &b, "tracking_key");
    buf_puts(&b, ",\n        ");
    gen_id(g, &b, "variation_key");
    buf_puts(&b, "\n    FROM ");
    gen_table(g, &b, T_EXPDATA);
    buf_puts(&b, "\n    WHERE ");
    gen_tag_pred(g, &b, NULL);
    buf_printf(&b, "\n),\n-- exposure events (spec line %d)%s\nexposures AS (\n    SELECT\n        ",
               e->line, range ? " of the date range" : " of the day");
    gen_col(g, &b, "s", e->experiment_col);
    buf_puts(&b, " AS ");
    gen_id(g, &b, "tracking_key");
    buf_puts(&b, ",\n        ");
    gen_col(g, &b, "s", src->user_col);
    buf_puts(&b, " AS ");
    gen_id(g, &b, "user_id");
    buf_puts(&b, ",\n        ");
    variation_expr(g, &b, src);
    buf_puts(&b, " AS ");
    gen_id(g, &b, "variation_key");
    buf_puts(&b, ",\n        ");
    gen_col(g, &b, "s", src->time_col);
    buf_puts(&b, " AS ");
    gen_id(g, &b, "exposure_time");
    buf_puts(&b, ",\n        ");
    gen_col(g, &b, "s", src->date_col);
    buf_puts(&b, " AS ");
    gen_id(g, &b, "exposure_date");
    /* the exposure's own segments here; a user table's in `merged`, looked
     * up once per first exposure rather than per exposure row */
    for (int i = 0; i < nseg; i++) {
        const IrSegment *sg = &ir->segments[i];
        if (sg->from == SEG_USER_TABLE)
            continue;
        buf_printf(&b, ",\n        -- segment %s (spec line %d)\n        ",
                   gen_comment_text(g, sg->name), sg->line);
        segment_value_expr(g, &b, i, "s");
        buf_puts(&b, " AS ");
        gen_id(g, &b, gen_segment_col(g, i));
    }
    buf_puts(&b, "\n    FROM ");
    dialect_qualified(g->d, &b, src->database, src->table);
    buf_printf(&b, " s\n    %s phases p ON p.", g->d->join_left_first);
    gen_id(g, &b, "tracking_key");
    buf_puts(&b, " = ");
    gen_col(g, &b, "s", e->experiment_col);
    buf_puts(&b, "\n    WHERE ");
    span_pred(g, &b, "s", src->date_col, sp);
    buf_puts(&b, "\n      AND ");
    gen_col(g, &b, "s", src->time_col);
    buf_puts(&b, " >= p.");
    gen_id(g, &b, "phase_start");
    buf_puts(&b, "\n      AND (p.");
    gen_id(g, &b, "phase_end");
    buf_puts(&b, " IS NULL OR ");
    gen_col(g, &b, "s", src->time_col);
    buf_puts(&b, " < p.");
    gen_id(g, &b, "phase_end");
    buf_putc(&b, ')');
    /* a row without a user or experiment key is skipped (and counted by
     * exposure_keys); one without a variation key finds none in `valid` */
    buf_puts(&b, "\n      AND ");
    gen_col(g, &b, "s", src->user_col);
    buf_puts(&b, " IS NOT NULL AND ");
    gen_col(g, &b, "s", e->experiment_col);
    buf_puts(&b, " IS NOT NULL");
    and_cond(g, &b, e->filter, "s", "      ");
    and_cond(g, &b, src->filter, "s", "      ");
    if (ir->experiments.nkeys > 0) {
        buf_puts(&b, "\n      AND ");
        gen_col(g, &b, "s", e->experiment_col);
        buf_puts(&b, " IN (");
        for (int i = 0; i < ir->experiments.nkeys; i++) {
            buf_puts(&b, i ? ",\n          " : "\n          ");
            gen_str(g, &b, ir->experiments.keys[i]);
        }
        buf_puts(&b, "\n      )");
    }
    buf_printf(&b, "\n),\n-- only variation keys the experiment has (a NULL key has none)\nvalid AS (\n"
                 "    SELECT x.*\n    FROM exposures x\n    %s variations v\n"
                 "        ON v.`tracking_key` = x.`tracking_key` AND v.`variation_key` = x.`variation_key`\n"
                 "),\nranked AS (\n    SELECT x.*,\n"
                 "        ROW_NUMBER() OVER (\n"
                 "            PARTITION BY x.`tracking_key`, x.`user_id`\n"
                 "            ORDER BY x.`exposure_time`, x.`variation_key`\n"
                 "        ) AS `rn`",
               g->d->join_left_first);
    if (range)
        buf_puts(&b, ",\n        FIRST_VALUE(x.`variation_key`) OVER (\n"
                     "            PARTITION BY x.`tracking_key`, x.`user_id`\n"
                     "            ORDER BY x.`exposure_time`, x.`variation_key`\n"
                     "        ) AS `first_variation`\n"
                     "    FROM valid x\n),\n"
                     "-- each user's first exposure in this span, and the first date in it of an\n"
                     "-- exposure to another variation\nfirsts AS (\n"
                     "    SELECT * FROM (\n        SELECT x.*,\n"
                     "            MIN(CASE WHEN x.`variation_key` <> x.`first_variation`\n"
                     "                THEN x.`exposure_date` END)\n"
                     "                OVER (PARTITION BY x.`tracking_key`, x.`user_id`) AS `other_date`\n"
                     "        FROM ranked x\n    ) r\n    WHERE r.`rn` = 1\n),\n");
    else
        one_day_firsts(g, &b);
    buf_puts(&b, "-- what earlier days already recorded (a row flagged before "
                 "multiple_variations_date\n-- existed counts as seen in another variation from "
                 "its exposure date)\nknown AS (\n    SELECT\n        `tag`,\n        `tracking_key`,\n"
                 "        `user_id`,\n        `variation_key`,\n        `first_exposure_time`,\n"
                 "        `exposure_date`,\n"
                 "        COALESCE(\n            `multiple_variations_date`,\n"
                 "            CASE WHEN `multiple_variations` = 1 THEN `exposure_date` END\n"
                 "        ) AS `multiple_variations_date`");
    bool act = e->has_activation;
    for (int i = 0; i < nseg; i++) {
        buf_puts(&b, ",\n        ");
        gen_id(g, &b, gen_segment_col(g, i));
    }
    if (act)
        buf_puts(&b, ",\n        `activation_time`,\n        `activation_date`");
    buf_puts(&b, "\n    FROM ");
    gen_table(g, &b, T_ASSIGN);
    buf_puts(&b, "\n    WHERE ");
    gen_tag_pred(g, &b, NULL);
    buf_puts(&b, "\n)");
    buf_puts(&b, ",\n-- merge: keep the earliest exposure; the first date of another variation\n"
                 "merged AS (\nSELECT\n    ");
    gen_str(g, &b, ir->tag);
    buf_puts(&b, " AS `tag`,\n    n.`tracking_key`,\n    n.`user_id`,\n");
    const char *earlier = "CASE WHEN o.`user_id` IS NULL OR n.`exposure_time` < o.`first_exposure_time`\n"
                          "        THEN";
    buf_printf(&b, "    %s n.`variation_key` ELSE o.`variation_key` END AS `variation_key`,\n",
               earlier);
    buf_printf(&b, "    %s n.`exposure_time` ELSE o.`first_exposure_time` END AS "
                   "`first_exposure_time`,\n", earlier);
    buf_printf(&b, "    %s n.`exposure_date` ELSE o.`exposure_date` END AS `exposure_date`,\n",
               earlier);
    /* the first date of another variation than the unit's first: the
     * earliest of what was known and what the span adds (a known unit's
     * multiple_variations_date is never before its exposure_date) */
    buf_puts(&b, "    CASE\n"
                 "        -- new unit: the span's first exposure to another variation\n"
                 "        WHEN o.`user_id` IS NULL THEN n.`other_date`\n"
                 "        -- an earlier exposure to another variation: the old first exposure counts\n"
                 "        WHEN n.`exposure_time` < o.`first_exposure_time`\n"
                 "            AND n.`variation_key` <> o.`variation_key`\n"
                 "            THEN CASE WHEN n.`other_date` IS NULL OR o.`exposure_date` < n.`other_date`\n"
                 "                THEN o.`exposure_date` ELSE n.`other_date` END\n"
                 "        -- the span starts in another variation than the first\n"
                 "        WHEN n.`variation_key` <> o.`variation_key`\n"
                 "            THEN CASE WHEN o.`multiple_variations_date` IS NULL\n"
                 "                    OR n.`exposure_date` < o.`multiple_variations_date`\n"
                 "                THEN n.`exposure_date` ELSE o.`multiple_variations_date` END\n"
                 "        -- the same first variation\n"
                 "        ELSE CASE WHEN o.`multiple_variations_date` IS NULL\n"
                 "                OR n.`other_date` < o.`multiple_variations_date`\n"
                 "            THEN n.`other_date` ELSE o.`multiple_variations_date` END\n"
                 "    END AS `multiple_variations_date`");
    for (int i = 0; i < nseg; i++) {
        const IrSegment *sg = &ir->segments[i];
        const char *c = gen_segment_col(g, i);
        buf_printf(&b, ",\n    %s ", earlier);
        if (sg->from == SEG_USER_TABLE) {
            segment_value_expr(g, &b, i, arena_printf(g->a, "u%d", i));
            buf_puts(&b, "\n       ");
        } else {
            gen_col(g, &b, "n", c);
        }
        buf_puts(&b, " ELSE ");
        gen_col(g, &b, "o", c);
        buf_puts(&b, " END AS ");
        gen_id(g, &b, c);
    }
    if (act)
        buf_puts(&b, ",\n    o.`activation_time`,\n    o.`activation_date`");
    buf_puts(&b, "\nFROM firsts n\nLEFT JOIN known o\n"
                 "    ON o.`tracking_key` = n.`tracking_key` AND o.`user_id` = n.`user_id`");
    for (int i = 0; i < nseg; i++) {
        const IrSegment *sg = &ir->segments[i];
        if (sg->from != SEG_USER_TABLE)
            continue;
        const IrSource *us = &ir->sources[sg->source];
        /* only where the new exposure is the unit's first (the value is
         * used only there): the condition on n and o is checked before
         * the lookup */
        buf_printf(&b, "\n-- segment %s (spec line %d): the user table's row of the user, where the\n"
                       "-- exposure is the unit's first\nLEFT JOIN ",
                   gen_comment_text(g, sg->name), sg->line);
        dialect_qualified(g->d, &b, us->database, us->table);
        buf_printf(&b, " u%d\n    ON (o.`user_id` IS NULL OR n.`exposure_time` < o.`first_exposure_time`)\n"
                       "    AND u%d.",
                   i, i);
        gen_id(g, &b, us->user_col);
        buf_puts(&b, " = n.`user_id`");
    }
    const char *multi = "    CASE WHEN b.`multiple_variations_date` IS NULL THEN 0 ELSE 1 END\n"
                        "        AS `multiple_variations`,\n    b.`multiple_variations_date`";
    const char *head = "    b.`tag`,\n    b.`tracking_key`,\n    b.`user_id`,\n    b.`variation_key`,\n"
                       "    b.`first_exposure_time`,\n    b.`exposure_date`,\n";
    if (!act) {
        buf_printf(&b, "\n)\nSELECT\n%s%s", head, multi);
        for (int i = 0; i < nseg; i++) {
            buf_puts(&b, ",\n    ");
            gen_col(g, &b, "b", gen_segment_col(g, i));
        }
        buf_puts(&b, "\nFROM merged b");
    } else {
        const IrSource *as = &ir->sources[e->activation.source];
        buf_puts(&b, "\n),\n-- users not exposed in this span whose activation may be in it: none yet,\n"
                     "-- or one not before the span (a late earlier event moves it)\n"
                     "waiting AS (\n    SELECT\n        o.`tag`,\n        o.`tracking_key`,\n"
                     "        o.`user_id`,\n        o.`variation_key`,\n        o.`first_exposure_time`,\n"
                     "        o.`exposure_date`,\n        o.`multiple_variations_date`");
        for (int i = 0; i < nseg; i++) {
            buf_puts(&b, ",\n        ");
            gen_col(g, &b, "o", gen_segment_col(g, i));
        }
        buf_printf(&b, ",\n        o.`activation_time`,\n        o.`activation_date`\n    FROM known o\n"
                       "    LEFT JOIN firsts n\n"
                       "        ON n.`tracking_key` = o.`tracking_key` AND n.`user_id` = o.`user_id`\n"
                       "    WHERE n.`user_id` IS NULL\n"
                       "      AND (o.`activation_time` IS NULL OR o.`activation_date` >= %s)\n),\n"
                       "base AS (\n    SELECT * FROM merged\n    UNION ALL\n    SELECT * FROM waiting\n),\n",
                   sp.lo);
        buf_printf(&b, "-- activation events (spec line %d) of the span\nacts AS (\n    SELECT\n        ",
                   e->line);
        gen_col(g, &b, "s", as->user_col);
        buf_puts(&b, " AS `user_id`,\n        ");
        gen_col(g, &b, "s", as->time_col);
        buf_puts(&b, " AS `act_time`,\n        ");
        gen_col(g, &b, "s", as->date_col);
        buf_puts(&b, " AS `act_date`\n    FROM ");
        dialect_qualified(g->d, &b, as->database, as->table);
        buf_puts(&b, " s\n    WHERE ");
        span_pred(g, &b, "s", as->date_col, sp);
        and_cond(g, &b, e->activation.filter, "s", "      ");
        and_cond(g, &b, as->filter, "s", "      ");
        buf_puts(&b, "\n),\n-- each unit's first activation at or after its exposure, in this span\n"
                     "act_first AS (\n    SELECT\n        b.`tracking_key`,\n        b.`user_id`,\n"
                     "        MIN(a.`act_time`) AS `act_time`,\n        MIN(a.`act_date`) AS `act_date`\n"
                     "    FROM base b\n    JOIN acts a\n"
                     "        ON a.`user_id` = b.`user_id` AND a.`act_time` >= b.`first_exposure_time`\n"
                     "    GROUP BY\n        b.`tracking_key`,\n        b.`user_id`\n)\nSELECT\n");
        buf_puts(&b, head);
        buf_puts(&b, multi);
        for (int i = 0; i < nseg; i++) {
            buf_puts(&b, ",\n    ");
            gen_col(g, &b, "b", gen_segment_col(g, i));
        }
        const char *keep = "CASE WHEN b.`activation_time` IS NOT NULL\n"
                           "            AND (f.`act_time` IS NULL OR b.`activation_time` <= f.`act_time`)\n"
                           "        THEN";
        buf_printf(&b, ",\n    %s b.`activation_time` ELSE f.`act_time` END AS `activation_time`,\n"
                       "    %s b.`activation_date` ELSE f.`act_date` END AS `activation_date`\n"
                       "FROM base b\nLEFT JOIN act_first f\n"
                       "    ON f.`tracking_key` = b.`tracking_key` AND f.`user_id` = b.`user_id`",
                   keep, keep);
    }

    const char **cols = arena_alloc(g->a, (size_t)(10 + nseg) * sizeof *cols);
    static const char *const base[] = {"tag", "tracking_key", "user_id", "variation_key",
                                       "first_exposure_time", "exposure_date", "multiple_variations",
                                       "multiple_variations_date"};
    int ncols = 0;
    for (int i = 0; i < 8; i++)
        cols[ncols++] = base[i];
    for (int i = 0; i < nseg; i++)
        cols[ncols++] = gen_segment_col(g, i);
    if (act) {
        cols[ncols++] = "activation_time";
        cols[ncols++] = "activation_date";
    }
    WriteSpec w = {.mode = WRITE_UPSERT, .table = &g->tables[T_ASSIGN],
                   .label = gen_label(g, range ? "assign_range" : "assign_day"),
                   .comment = "first exposure per experiment x user (upsert by tag, tracking_key, user_id)",
                   .cols = cols, .ncols = ncols, .body = b.data,
                   /* the phases and the variation keys (a few rows each) from a
                    * join buffer after the exposure rows; not with activation,
                    * whose act_first is a derived table of a row per unit */
                   .small_derived_buffered = !act};
    SqlStmts st;
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    gen_analyze(g, s, T_ASSIGN);
    buf_free(&b);
}

/* ---- wide table ------------------------------------------------------------- */

/* One component column of the wide table and where its value comes from. */
typedef struct Comp {
    const char *col;
    int source;   /* source whose CTE computes it */
    bool pre;     /* from the pre-period CTE */
    bool is_time; /* a first-event time (no COALESCE) */
} Comp;

static const IrEventSet *comp_set(const IrMetric *m, int step)
{
    return m->kind == MK_FUNNEL ? &m->steps[step] : &m->set;
}

/* "CASE WHEN <filter> THEN x ELSE y END" or x when there is no filter. */
static void when_filter(Gen *g, Buf *b, const IrCond *f, const char *extra, const char *then_,
                        const char *else_)
{
    if (!f && !extra) {
        buf_puts(b, then_);
        return;
    }
    buf_puts(b, "CASE WHEN ");
    if (extra)
        buf_puts(b, extra);
    if (f) {
        if (extra)
            buf_puts(b, " AND ");
        gen_cond(g, b, f, "s");
    }
    buf_printf(b, " THEN %s", then_);
    if (else_)
        buf_printf(b, " ELSE %s", else_);
    buf_puts(b, " END");
}

/* The rows of a group that pass filter f, less its closing parenthesis:
 * "COUNT(CASE WHEN <f> THEN 1 END" or "COUNT(*" (a BIGINT count, where a
 * SUM of 1s and 0s would add DECIMALs on MariaDB). */
static void count_filter(Gen *g, Buf *b, const IrCond *f)
{
    if (!f) {
        buf_puts(b, "COUNT(*");
        return;
    }
    buf_puts(b, "COUNT(");
    when_filter(g, b, f, NULL, "1", NULL);
}

/* The whole comment, wrapped over "-- " lines of at most 100 characters. */
static const char *metric_text(Gen *g, const IrMetric *m, const char *what)
{
    return arena_printf(g->a, "metric %s (spec line %d): %s", m->name, m->line, what);
}

static void metric_comment(Gen *g, Buf *b, const IrMetric *m, const char *what)
{
    sql_comment(b, "        ", metric_text(g, m, what));
}

/* The longest CUPED pre-period of the covariates read from source (< 0:
 * from any source), in days; 0 without CUPED. */
static int max_pre_days(const IrSpec *ir, int source)
{
    int mx = 0;
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->cuped.kind == CUPED_NONE)
            continue;
        const IrMetric *c = m->cuped.kind == CUPED_SELF ? m : &ir->metrics[m->cuped.metric];
        if ((source < 0 || c->set.source == source) && m->cuped.pre_days > mx)
            mx = m->cuped.pre_days;
    }
    return mx;
}

/* The day form's whole-day units: a unit exposed before the day whose
 * phase does not end within it counts every event of the day (the date
 * column is the day of `time`), so its row is its user's day sums, which
 * pre_fill wrote to the per-user day table from one read of each source.
 * `ua`: a row per user of the day, each source's sums side by side (with
 * several sources, the user's rows of the day grouped, one per source).
 * No other part of the fill gives these units a row of the day, so
 * whole_day_select adds one row per unit without a GROUP BY.  Returns
 * false, writing nothing, when no source has day sums. */
static bool whole_day_cte(Gen *g, Buf *b, const Comp *comps, int ncomp, const bool *used)
{
    const IrSpec *ir = g->ir;
    int nused = 0, only = -1;
    for (int src = 0; src < ir->nsources; src++)
        if (used[src]) {
            nused++;
            only = src;
        }
    if (nused == 0)
        return false;
    buf_puts(b, ",\n");
    sql_comment(b, "", "the users' day sums of every source (the per-user day table), for the "
                       "units whose whole day counts");
    /* with several sources, a grouping of the day's rows by user: by a sort
     * where the dialect has one (group_by_sort), not a temporary table
     * looked up per row */
    buf_puts(b, "ua AS (\n    ");
    if (nused > 1)
        gen_select_grouped(g, b);
    else
        buf_puts(b, "SELECT");
    buf_puts(b, "\n        d.`event_date`,\n        d.`user_id`");
    for (int k = 0; k < ncomp; k++) {
        if (comps[k].pre) /* (every other component is a used source's day sum) */
            continue;
        buf_puts(b, ",\n        ");
        size_t item = b->len;
        if (nused == 1) {
            gen_col(g, b, "d", comps[k].col);
        } else {
            buf_printf(b, "%s(CASE WHEN d.`source` = %d THEN ", comps[k].is_time ? "MIN" : "MAX",
                       comps[k].source);
            gen_col(g, b, "d", comps[k].col);
            buf_puts(b, " END) AS ");
            gen_id(g, b, comps[k].col);
        }
        sql_wrap(b, item);
    }
    buf_puts(b, "\n    FROM ");
    gen_table(g, b, T_PRE);
    buf_puts(b, " d\n    WHERE ");
    span_pred(g, b, "d", "event_date", span_of(false));
    if (nused == 1) {
        buf_printf(b, "\n      AND d.`source` = %d\n)", only);
        return true;
    }
    buf_puts(b, "\n      AND d.`source` IN (");
    for (int src = 0, n = 0; src < ir->nsources; src++)
        if (used[src])
            buf_printf(b, n++ ? ", %d" : "%d", src);
    buf_puts(b, ")\n    GROUP BY\n        d.`event_date`,\n        d.`user_id`\n)");
    return true;
}

/* The whole-day units' rows (see whole_day_cte), in the columns `order` of
 * the wide table: the day's users first, each unit looked up by user.  A
 * query of its own (a branch of the write, reading the body's CTEs). */
static void whole_day_select(Gen *g, Buf *b, const Comp *const *order, int norder,
                             const char *next_day)
{
    buf_puts(b, "-- the whole-day units: their users' day sums\n"
                "SELECT\n    e.`event_date`,\n    u.`tracking_key`,\n    u.`user_id`,\n"
                "    u.`exposure_date`,\n"
                "    DATEDIFF(e.`event_date`, u.`exposure_date`) AS `days_since_exposure`");
    for (int k = 0; k < norder; k++) {
        const Comp *cp = order[k];
        buf_puts(b, ",\n    ");
        if (cp->pre) /* the covariates: on the exposure day only */
            buf_puts(b, "NULL");
        else if (cp->is_time)
            gen_col(g, b, "e", cp->col);
        else {
            buf_puts(b, "COALESCE(");
            gen_col(g, b, "e", cp->col);
            buf_puts(b, ", 0)");
        }
        buf_puts(b, " AS ");
        gen_id(g, b, cp->col);
    }
    buf_printf(b, "\nFROM ua e\n%s units u ON u.`user_id` = e.`user_id`\n"
                  "WHERE u.`exposure_date` < e.`event_date`\n"
                  "  AND (u.`phase_end` IS NULL OR u.`phase_end` >= %s)",
               g->d->join_left_first, next_day);
}

bool gen_activity_days_in_pre(Gen *g)
{
    const IrSpec *ir = g->ir;
    if (ir->nactivities == 0)
        return false;
    int room = 1;
    for (int i = 0; i < ir->nmetrics; i++)
        room += 2 + ir->metrics[i].nsteps;
    DaySum *ds = arena_alloc(g->a, (size_t)room * sizeof *ds);
    for (int a = 0; a < ir->nactivities; a++)
        if (gen_day_sums(g, ir->activities[a].active.source, ds) == 0)
            return false;
    return true;
}

const char *gen_activity_day_col(Gen *g, int a)
{
    return arena_printf(g->a, "%s__active", g->ir->activities[a].name);
}

int gen_day_sums(Gen *g, int src, DaySum *out)
{
    const IrSpec *ir = g->ir;
    if (src < 0 || src >= ir->nsources || ir->sources[src].is_user_table)
        return 0;
    int n = 0;
    for (int i = 0; i < ir->nmetrics; i++) {
        const IrMetric *m = &ir->metrics[i];
        if (m->kind == MK_RATIO)
            continue;
        int nsets = m->kind == MK_FUNNEL ? m->nsteps : 1;
        for (int k = 0; k < nsets; k++) {
            if (comp_set(m, k)->source != src)
                continue;
            bool count = m->kind == MK_PROPORTION || m->kind == MK_COUNT ||
                         m->kind == MK_ACTIVE_DAYS || m->kind == MK_RETENTION ||
                         m->kind == MK_TIME_TO_EVENT || m->kind == MK_MEAN;
            bool sum = m->kind == MK_SUM || m->kind == MK_QUANTILE || m->kind == MK_MEAN;
            if (sum)
                out[n++] = (DaySum){gen_metric_col(g, i, "sum"), CT_DOUBLE, i, k};
            if (count)
                out[n++] = (DaySum){gen_metric_col(g, i, "events"), CT_BIGINT, i, k};
            if (m->kind == MK_FUNNEL)
                out[n++] = (DaySum){gen_metric_col(g, i, arena_printf(g->a, "step%d_first", k + 1)),
                                    CT_DATETIME, i, k};
        }
    }
    return n;
}

/* The select items of day sums ds[0..n) over the rows `s` of source so,
 * each "<ind><aggregate> AS <col>,\n" after its comment line. */
static void day_sum_items(Gen *g, Buf *cols, const char *ind, const IrSource *so,
                          const DaySum *ds, int n)
{
    for (int k = 0; k < n; k++) {
        const IrMetric *m = &g->ir->metrics[ds[k].metric];
        const IrEventSet *set = comp_set(m, ds[k].step);
        size_t item;
        if (ds[k].type == CT_DOUBLE) {
            Buf v, f;
            buf_init(&v);
            buf_init(&f);
            gen_column(g, &v, "s", m->value_col, m->value_path);
            if (m->value_path)
                ir_put_column(&f, m->value_path);
            else
                buf_puts(&f, m->value_col);
            if (set->filter) {
                buf_puts(&f, " where ");
                ir_cond_to_text(set->filter, &f);
            }
            sql_comment(cols, ind, metric_text(g, m, arena_printf(g->a, "sum of %s", f.data)));
            item = cols->len;
            buf_printf(cols, "%sSUM(", ind);
            when_filter(g, cols, set->filter, NULL, v.data, NULL);
            buf_free(&f);
            buf_free(&v);
        } else if (ds[k].type == CT_BIGINT) {
            sql_comment(cols, ind, metric_text(g, m, arena_printf(g->a, "%s events of the day",
                                                                  sqlgen_kind_name(m->kind))));
            item = cols->len;
            buf_puts(cols, ind);
            count_filter(g, cols, set->filter);
        } else {
            Buf t;
            buf_init(&t);
            gen_col(g, &t, "s", so->time_col);
            sql_comment(cols, ind, metric_text(g, m, arena_printf(g->a, "funnel step %d: first "
                                                                  "event time", ds[k].step + 1)));
            item = cols->len;
            buf_printf(cols, "%sMIN(", ind);
            when_filter(g, cols, set->filter, NULL, t.data, NULL);
            buf_free(&t);
        }
        buf_puts(cols, ") AS ");
        gen_id(g, cols, ds[k].col);
        sql_wrap(cols, item);
        buf_puts(cols, ",\n");
    }
}

/* Which table units_select reads first. */
typedef enum UnitsOrder {
    UNITS_ANY,           /* the optimizer's choice */
    UNITS_PHASES_FIRST,  /* the phases, then the assignment by its key */
    UNITS_ASSIGN_FIRST,  /* the assignment (by its day-0 date), then the phases */
} UnitsOrder;

/* SELECT of the units' columns (day 0 being the activation where the spec
 * has it) from the assignment joined to the phases, in the order `order`;
 * the caller writes the WHERE */
static void units_select(Gen *g, Buf *b, UnitsOrder order, const char *phases)
{
    if (g->ir->exposure.has_activation)
        buf_puts(b, "    SELECT\n        a.`tracking_key`,\n        a.`user_id`,\n"
                    "        a.`activation_time` AS `first_exposure_time`,\n"
                    "        a.`activation_date` AS `exposure_date`,\n        p.`phase_end`\n");
    else
        buf_puts(b, "    SELECT\n        a.`tracking_key`,\n        a.`user_id`,\n"
                    "        a.`first_exposure_time`,\n        a.`exposure_date`,\n"
                    "        p.`phase_end`\n");
    if (order == UNITS_PHASES_FIRST) {
        buf_printf(b, "    FROM %s p\n    %s ", phases, g->d->join_left_first);
        gen_table(g, b, T_ASSIGN);
        buf_puts(b, " a\n        ON a.`tracking_key` = p.`tracking_key`");
    } else {
        buf_puts(b, "    FROM ");
        gen_table(g, b, T_ASSIGN);
        buf_printf(b, " a\n    %s %s p ON p.`tracking_key` = a.`tracking_key`",
                   order == UNITS_ASSIGN_FIRST ? g->d->join_left_first : "JOIN", phases);
    }
}

/* ",\n-- ...\nunits_new AS (...)": the units whose day 0 falls in the
 * span sp.  The assignment first (Dialect.join_left_first), by its day-0
 * date index: joined from the phases (MariaDB's choice once an experiment
 * has many units) it read every unit of the experiment to find these. */
static void units_new_cte(Gen *g, Buf *b, Span sp)
{
    bool act = g->ir->exposure.has_activation;
    buf_printf(b, ",\n-- the units whose day 0 falls in the span, found by their %s date\n"
                  "units_new AS (\n",
               act ? "activation" : "exposure");
    units_select(g, b, UNITS_ASSIGN_FIRST, "phases");
    buf_puts(b, "\n    WHERE ");
    gen_tag_pred(g, b, "a");
    buf_puts(b, "\n      AND ");
    span_pred(g, b, "a", act ? "activation_date" : "exposure_date", sp);
    buf_puts(b, "\n)");
}

/* The day form's units whose day is cut by their exposure or their
 * phase's end (next_day: the day after sp.lo), a SELECT reading
 * units_new: two branches, each read by an index, the units of day 0 by
 * its date, those of a phase ending on the day by their experiment. */
static void units_cut_select(Gen *g, Buf *b, Span sp, const char *next_day)
{
    buf_puts(b, "    SELECT\n        `tracking_key`,\n        `user_id`,\n"
                "        `first_exposure_time`,\n        `exposure_date`,\n        `phase_end`\n"
                "    FROM units_new\n    UNION\n");
    units_select(g, b, UNITS_PHASES_FIRST, "phases");
    buf_printf(b, "\n    WHERE p.`phase_end` >= %s\n      AND p.`phase_end` < %s\n      AND ", sp.lo,
               next_day);
    gen_tag_pred(g, b, "a");
    buf_printf(b, "\n      AND a.`%s` <= %s",
               g->ir->exposure.has_activation ? "activation_date" : "exposure_date", sp.lo);
}

void gen_wide(Gen *g, bool range)
{
    const IrSpec *ir = g->ir;
    Span sp = span_of(range);
    SqlStep *s = gen_step(g, range ? SQLSTEP_WIDE_RANGE : SQLSTEP_WIDE_DAY,
                          range ? "wide_range" : "wide_day",
                          range ? "rebuild the wide-table days [{{from_date}}, {{to_date}}] "
                                  "(backfill, after assign_range)"
                                : "rebuild the wide-table partition {{event_date}} (per due date, "
                                  "after assign_day)");
    s->params = (range ? SQLP_FROM_DATE | SQLP_TO_DATE : SQLP_EVENT_DATE) | SQLP_RUN_ID;

    /* cut_units_session: the day form writes two session tables before
     * the fill.  The phases, without an index: `units` (in the day form,
     * the whole-day units alone) joins them from a join buffer after each
     * unit's lookup by user.  The units of day 0 and of a phase ending
     * keep the phases CTE, read after the assignment: the session table,
     * merged into their statement, let MariaDB read the phases first and
     * every unit of each experiment after them (1,000,000 users).  Then
     * the units whose day is cut (cut_create below). */
    bool cut_session = !range && g->d->cut_units_session;
    Buf phases_create, phases_name;
    buf_init(&phases_create);
    buf_init(&phases_name);
    if (cut_session) {
        dialect_qualified(g->d, &phases_name, g->tables[T_ASSIGN].db, "abc_phases");
        buf_printf(&phases_create,
                   "-- the experiments' latest phases, without an index: the whole-day units join\n"
                   "-- its few rows from a join buffer rather than looking them up once per unit\n"
                   "CREATE OR REPLACE TEMPORARY TABLE %s AS\nWITH\n",
                   phases_name.data);
        phases_cte(g, &phases_create);
        buf_puts(&phases_create, "\nSELECT\n    `tracking_key`,\n    `phase_start`,\n"
                                 "    `phase_end`\nFROM phases");
    }

    Buf b;
    buf_init(&b);
    buf_puts(&b, "WITH\n");
    phases_cte(g, &b);
    const char *day0 = ir->exposure.has_activation ? "activation_date" : "exposure_date";
    buf_puts(&b, ir->exposure.has_activation
                     ? ",\n-- users activated by the last day of the span (day 0 = activation)\nunits AS (\n"
                     : ",\n-- users exposed by the last day of the span\nunits AS (\n");
    units_select(g, &b, UNITS_ANY, cut_session ? phases_name.data : "phases");
    buf_puts(&b, "\n    WHERE ");
    gen_tag_pred(g, &b, "a");
    buf_printf(&b, "\n      AND a.`%s` <= %s\n)", day0, sp.hi);
    units_new_cte(g, &b, sp);
    Buf next_day; /* the day form: the day after {{event_date}} */
    buf_init(&next_day);
    Buf cut_create, cut_name;
    buf_init(&cut_create);
    buf_init(&cut_name);
    if (!range) {
        g->d->date_add_days(&next_day, sp.lo, 1);
        if (cut_session) {
            dialect_qualified(g->d, &cut_name, g->tables[T_ASSIGN].db, "abc_cut_units");
            buf_printf(&cut_create,
                       "-- the units whose day is cut by their exposure or their phase's end, keyed by\n"
                       "-- user: the fill below matches their events one by one, and MariaDB, knowing\n"
                       "-- their number, looks their events up by user where the source has an index\n"
                       "-- led by (date, user); a phase that ended before the day counts none of its\n"
                       "-- events\n"
                       "CREATE OR REPLACE TEMPORARY TABLE %s (\n"
                       "    PRIMARY KEY (`user_id`, `tracking_key`)\n) AS\nWITH\n",
                       cut_name.data);
            phases_cte(g, &cut_create);
            units_new_cte(g, &cut_create, sp);
            buf_puts(&cut_create, ",\nunits_cut AS (\n");
            units_cut_select(g, &cut_create, sp, next_day.data);
            buf_puts(&cut_create, "\n)\nSELECT\n    `tracking_key`,\n    `user_id`,\n"
                                  "    `first_exposure_time`,\n    `exposure_date`,\n"
                                  "    `phase_end`\nFROM units_cut");
        } else {
            buf_puts(&cut_name, "units_cut");
            buf_puts(&b, ",\n-- the units whose day is cut by their exposure or their phase's end: their\n"
                         "-- events are matched one by one; a phase that ended before the day counts\n"
                         "-- none of its events\n"
                         "units_cut AS (\n");
            units_cut_select(g, &b, sp, next_day.data);
            buf_puts(&b, "\n)");
        }
    }

    int maxcomp = 8;
    for (int i = 0; i < ir->nmetrics; i++)
        maxcomp += 3 + ir->metrics[i].nsteps;
    Comp *comps = arena_alloc(g->a, (size_t)maxcomp * sizeof *comps);
    int ncomp = 0;
    bool *used = arena_alloc(g->a, (size_t)(ir->nsources + 1) * sizeof *used);
    bool *pre_used = arena_alloc(g->a, (size_t)(ir->nsources + 1) * sizeof *pre_used);

    /* post-exposure aggregates, one CTE per event source */
    DaySum *ds = arena_alloc(g->a, (size_t)maxcomp * sizeof *ds);
    for (int src = 0; src < ir->nsources; src++) {
        const IrSource *so = &ir->sources[src];
        Buf cols;
        buf_init(&cols);
        int nds = gen_day_sums(g, src, ds);
        day_sum_items(g, &cols, "        ", so, ds, nds);
        for (int k = 0; k < nds; k++)
            comps[ncomp++] = (Comp){ds[k].col, src, false, ds[k].type == CT_DATETIME};
        if (cols.len == 0) {
            buf_free(&cols);
            continue;
        }
        used[src] = true;
        cols.len -= 2; /* drop the last ",\n" */
        cols.data[cols.len] = '\0';
        buf_puts(&b, ",\n");
        sql_comment(&b, "", arena_printf(g->a, range ? "source %s: events at or after each user's "
                                                       "exposure"
                                                     : "source %s: the events of the units whose "
                                                       "day is cut, at or after the exposure "
                                                       "(the whole-day units: whole_day below)",
                                         so->name));
        buf_printf(&b, "agg_%d AS (\n", src);
        buf_puts(&b, "    SELECT\n        u.`tracking_key`,\n        u.`user_id`,\n"
                     "        u.`exposure_date`,\n        ");
        gen_col(g, &b, "s", so->date_col);
        buf_puts(&b, " AS `event_date`,\n");
        buf_puts(&b, cols.data);
        buf_puts(&b, "\n    FROM ");
        dialect_qualified(g->d, &b, so->database, so->table);
        /* the day form leaves the order to the warehouse: MariaDB looks
         * the cut units' events up by user when the source has an index
         * led by (date, user), and otherwise reads the day's events once,
         * each looked up among the cut units (docs/GENERATED.md) */
        buf_printf(&b, " s\n    JOIN %s u ON u.`user_id` = ", range ? "units" : cut_name.data);
        gen_col(g, &b, "s", so->user_col);
        buf_puts(&b, "\n    WHERE ");
        span_pred(g, &b, "s", so->date_col, sp);
        buf_puts(&b, "\n      AND ");
        gen_col(g, &b, "s", so->date_col);
        buf_puts(&b, " >= u.`exposure_date`\n      AND ");
        gen_col(g, &b, "s", so->time_col);
        buf_puts(&b, " >= u.`first_exposure_time`\n      AND (u.`phase_end` IS NULL OR ");
        size_t at = b.len;
        gen_col(g, &b, "s", so->time_col);
        buf_puts(&b, " < u.`phase_end`)");
        sql_wrap(&b, at);
        and_cond(g, &b, so->filter, "s", "      ");
        buf_puts(&b, "\n    GROUP BY\n        u.`tracking_key`,\n        u.`user_id`,\n"
                     "        u.`exposure_date`,\n        ");
        gen_col(g, &b, "s", so->date_col);
        buf_puts(&b, "\n)");
        buf_free(&cols);
    }

    /* CUPED pre-period covariates, on the exposure-day row: summed from the
     * per-user day table (pre_fill wrote it from the sources), never from a
     * second read of the raw events */
    if (g->tables[T_PRE].cols && max_pre_days(ir, -1) > 0) {
        int mx = max_pre_days(ir, -1), ps = ir->nsources; /* ps: the covariates' pseudo-source */
        pre_used[ps] = true;
        buf_puts(&b, ",\n");
        sql_comment(&b, "", arena_printf(g->a, "CUPED covariates over days -%d..-1 of the users "
                                               "exposed in the span, from the per-user day table",
                                         mx));
        buf_puts(&b, "pre AS (\n    SELECT\n        u.`tracking_key`,\n"
                     "        u.`user_id`,\n        u.`exposure_date`,\n"
                     "        u.`exposure_date` AS `event_date`");
        for (int i = 0; i < ir->nmetrics; i++) {
            const IrMetric *m = &ir->metrics[i];
            if (m->cuped.kind == CUPED_NONE)
                continue;
            const IrMetric *c = m->cuped.kind == CUPED_SELF ? m : &ir->metrics[m->cuped.metric];
            const char *col = gen_metric_col(g, i, "pre");
            buf_puts(&b, ",\n");
            metric_comment(g, &b, m, arena_printf(g->a, "CUPED covariate: %s %s over days -%d..-1",
                                                    sqlgen_kind_name(c->kind), c->name,
                                                    m->cuped.pre_days));
            size_t item = b.len;
            Buf lo, ref;
            buf_init(&lo);
            buf_init(&ref);
            g->d->date_add_days(&lo, "u.`exposure_date`", -m->cuped.pre_days);
            gen_col(g, &ref, "p", col);
            /* a day flag (proportion, retention): any day; the rest add up */
            bool flag = c->kind == MK_PROPORTION || c->kind == MK_RETENTION;
            buf_printf(&b, "        %s(CASE WHEN p.`event_date` >= %s THEN %s END) AS ",
                       flag ? "MAX" : "SUM", lo.data, ref.data);
            gen_id(g, &b, col);
            sql_wrap(&b, item);
            comps[ncomp++] = (Comp){col, ps, true, false};
            buf_free(&lo);
            buf_free(&ref);
        }
        buf_puts(&b, "\n    FROM ");
        gen_table(g, &b, T_PRE);
        buf_puts(&b, " p\n    JOIN units_new u ON u.`user_id` = p.`user_id`\n    WHERE ");
        Buf lo;
        buf_init(&lo);
        g->d->date_add_days(&lo, sp.lo, -mx);
        size_t at = b.len;
        buf_printf(&b, "p.`event_date` >= %s AND p.`event_date` < %s", lo.data, sp.hi);
        sql_wrap(&b, at);
        buf_reset(&lo);
        g->d->date_add_days(&lo, "u.`exposure_date`", -mx);
        at = b.len;
        buf_printf(&b, "\n      AND p.`event_date` >= %s AND p.`event_date` < u.`exposure_date`",
                   lo.data);
        sql_wrap(&b, at + 1);
        /* the days with a covariate part (the table holds every active
         * user's day): a unit without any has no pre-period row */
        at = b.len;
        buf_puts(&b, "\n      AND (");
        bool any_part = false;
        for (int i = 0; i < ir->nmetrics; i++) {
            if (ir->metrics[i].cuped.kind == CUPED_NONE)
                continue;
            buf_puts(&b, any_part ? " OR " : "");
            gen_col(g, &b, "p", gen_metric_col(g, i, "pre"));
            buf_puts(&b, " <> 0");
            any_part = true;
        }
        buf_putc(&b, ')');
        sql_wrap(&b, at + 1);
        buf_puts(&b, "\n    GROUP BY\n        u.`tracking_key`,\n        u.`user_id`,\n"
                     "        u.`exposure_date`\n)");
        buf_free(&lo);
    }

    bool whole_day = !range && whole_day_cte(g, &b, comps, ncomp, used);

    /* every (experiment, user, day) with activity, plus each exposure day:
     * the per-source aggregates stacked with UNION ALL (each row carries
     * its own components, NULL for the others, and the unit's exposure
     * date, so the units are not joined again), then one GROUP BY.  This
     * is one pass over small rows in both dialects, where LEFT JOINs of
     * several derived tables made MariaDB scan them once per row.  The day
     * form stacks only the cut units, the covariates and the exposure days
     * there; its whole-day units follow, one row each (whole_day_select). */
    const TableDef *wt = &g->tables[T_WIDE];
    const Comp **order = arena_alloc(g->a, (size_t)(wt->ncols + 1) * sizeof *order);
    int norder = 0;
    for (int c = 5; c < wt->ncols; c++) {
        for (int k = 0; k < ncomp; k++)
            if (strcmp(comps[k].col, wt->cols[c].name) == 0)
                order[norder++] = &comps[k];
        /* a retired column (no longer in the spec) stays NULL for new rows */
    }
    buf_puts(&b, ",\nparts AS (\n");
    bool first_part = true;
    /* src == nsources: the covariates, from the per-user day table */
    for (int src = 0; src <= ir->nsources; src++) {
        for (int pre = 0; pre < 2; pre++) {
            if (!(pre ? pre_used[src] : used[src]))
                continue;
            if (!first_part)
                buf_puts(&b, "\n    UNION ALL\n");
            first_part = false;
            buf_puts(&b, "    SELECT\n        `tracking_key`,\n        `user_id`,\n"
                         "        `exposure_date`,\n        `event_date`");
            for (int k = 0; k < norder; k++) {
                buf_puts(&b, ",\n        ");
                if (order[k]->source == src && order[k]->pre == (pre != 0))
                    gen_id(g, &b, order[k]->col);
                else
                    buf_puts(&b, "NULL");
                buf_puts(&b, " AS ");
                gen_id(g, &b, order[k]->col);
            }
            if (pre)
                buf_puts(&b, "\n    FROM pre");
            else
                buf_printf(&b, "\n    FROM agg_%d", src);
        }
    }
    if (!first_part)
        buf_puts(&b, "\n    UNION ALL\n");
    buf_puts(&b, "    SELECT\n        `tracking_key`,\n        `user_id`,\n"
                 "        `exposure_date`,\n        `exposure_date` AS `event_date`");
    for (int k = 0; k < norder; k++) {
        buf_puts(&b, ",\n        NULL AS ");
        gen_id(g, &b, order[k]->col);
    }
    buf_puts(&b, "\n    FROM units_new\n)\n");
    size_t with_end = b.len; /* the WITH clause ends: WriteSpec.with */
    gen_select_grouped(g, &b);
    buf_puts(&b, "\n    k.`event_date`,\n    k.`tracking_key`,\n    k.`user_id`,\n"
                 "    k.`exposure_date`,\n    DATEDIFF(k.`event_date`, k.`exposure_date`) AS "
                 "`days_since_exposure`");
    const char **cols = arena_alloc(g->a, (size_t)(5 + ncomp) * sizeof *cols);
    static const char *const base[] = {"event_date", "tracking_key", "user_id", "exposure_date",
                                       "days_since_exposure"};
    for (int i = 0; i < 5; i++)
        cols[i] = base[i];
    int ncols = 5;
    for (int k = 0; k < norder; k++) {
        const Comp *cp = order[k];
        buf_puts(&b, ",\n    ");
        Buf ref;
        buf_init(&ref);
        gen_col(g, &ref, "k", cp->col);
        if (cp->pre)
            buf_printf(&b, "CASE WHEN k.`event_date` = k.`exposure_date`\n"
                           "        THEN COALESCE(SUM(%s), 0) END", ref.data);
        else if (cp->is_time)
            buf_printf(&b, "MIN(%s)", ref.data);
        else
            buf_printf(&b, "COALESCE(SUM(%s), 0)", ref.data);
        buf_puts(&b, " AS ");
        gen_id(g, &b, cp->col);
        buf_free(&ref);
        cols[ncols++] = cp->col;
    }
    buf_puts(&b, "\nFROM parts k\n"
                 "GROUP BY\n    k.`event_date`,\n    k.`tracking_key`,\n    k.`user_id`,\n"
                 "    k.`exposure_date`");
    /* the whole-day units' rows: a branch of the write (WriteSpec), which
     * MariaDB inserts by itself rather than through a UNION ALL's
     * temporary table */
    Buf whole;
    buf_init(&whole);
    const char **branches = NULL;
    if (whole_day) {
        whole_day_select(g, &whole, order, norder, next_day.data);
        branches = arena_alloc(g->a, sizeof *branches);
        branches[0] = whole.data;
    }

    WriteSpec w = {.table = wt, .part_col = "event_date",
                   .label = gen_label(g, range ? "wide_range" : "wide_day"),
                   .comment = range ? "wide table, days [{{from_date}}, {{to_date}}]"
                                    : "wide table, partition {{event_date}}",
                   .cols = cols, .ncols = ncols,
                   .with = arena_strndup(g->a, b.data, with_end), .body = b.data + with_end,
                   .branches = branches, .nbranches = whole_day ? 1 : 0};
    if (range) {
        w.mode = WRITE_REPLACE_RANGE;
        w.lo = sp.lo;
        w.hi = sp.hi;
    } else {
        w.mode = WRITE_REPLACE_PART;
        w.part_value = sp.lo;
    }
    /* the session tables inside the write's transaction (WriteSpec.prelude):
     * a lost session then fails the step rather than re-sending the fill
     * alone (wh.c), and the fill's isolation level
     * (Dialect.read_committed_next) holds for its reads too */
    const char *prelude[2] = {phases_create.data, cut_create.data};
    if (cut_session) {
        w.prelude = prelude;
        w.nprelude = 2;
    }
    SqlStmts st;
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    gen_analyze(g, s, T_WIDE);
    buf_free(&b);
    buf_free(&whole);
    buf_free(&next_day);
    buf_free(&cut_create);
    buf_free(&cut_name);
    buf_free(&phases_create);
    buf_free(&phases_name);
}

/* ---- the per-user day table ----------------------------------------------- */

/* Per CUPED metric, the day's part of its covariate for one user: a flag
 * for proportion, retention and active days, else a count or a sum. */
static void pre_part(Gen *g, Buf *b, const IrMetric *c)
{
    Buf v;
    buf_init(&v);
    switch (c->kind) {
    case MK_PROPORTION:
    case MK_RETENTION:
    case MK_ACTIVE_DAYS:
        buf_puts(b, "MAX(");
        when_filter(g, b, c->set.filter, NULL, "1", "0");
        break;
    case MK_SUM:
    case MK_MEAN:
        gen_column(g, &v, "s", c->value_col, c->value_path);
        buf_puts(b, "SUM(");
        when_filter(g, b, c->set.filter, NULL, v.data, NULL);
        break;
    default:
        count_filter(g, b, c->set.filter);
        break;
    }
    buf_putc(b, ')');
    buf_free(&v);
}

/* pre_fill (sums: the dates due, every user's day sums and covariate
 * parts) or pre_fill_covariates (the pre-period days before them: only the
 * users with a covariate part, their parts; the day sums stay NULL, as no
 * fill reads them): one SELECT per source, each user's day of it; then the
 * marks of the days ({{values}}), in the same transaction where the
 * dialect has one: a day is marked only once its rows are there. */
static void pre_fill_step(Gen *g, bool sums)
{
    const IrSpec *ir = g->ir;
    const TableDef *pt = &g->tables[T_PRE];
    Buf b;
    buf_init(&b);
    SqlStep *s =
        sums ? gen_step(g, SQLSTEP_PRE_FILL, "pre_fill",
                        "replace the per-user day table's rows of [{{from_date}}, {{to_date}}]: "
                        "per source, day and user, the wide table's day sums and each CUPED "
                        "covariate's part; then mark the days ({{values}}: (event_date, '') per "
                        "day)")
             : gen_step(g, SQLSTEP_PRE_FILL_COVARIATES, "pre_fill_covariates",
                        "replace the per-user day table's rows of the pre-period days "
                        "[{{from_date}}, {{to_date}}]: per source, day and user with a CUPED "
                        "covariate part, the parts (day sums NULL); then mark the days "
                        "({{values}}: (event_date, '') per day)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_VALUES | SQLP_RUN_ID;
    static const char *const mark_cols[] = {"event_date", "user_id"};
    s->load_table = arena_printf(g->a, "%s.%s", pt->db, pt->name);
    s->load_columns = mark_cols;
    s->nload_columns = 2;
    const char **cols = gen_col_names(g, T_PRE);
    DaySum *ds = arena_alloc(g->a, (size_t)pt->ncols * sizeof *ds);
    /* a SELECT per source, each where it starts in b: the write's body and
     * its branches (WriteSpec), which MariaDB inserts one by one */
    size_t *starts = arena_alloc(g->a, (size_t)(ir->nsources + 1) * sizeof *starts);
    int nparts = 0;
    bool act_days = gen_activity_days_in_pre(g);
    for (int src = 0; src < ir->nsources; src++) {
        const IrSource *so = &ir->sources[src];
        Buf sel, having, only;
        buf_init(&sel);
        buf_init(&having);
        buf_init(&only); /* the rows any covariate counts (empty: all of them) */
        bool any = false, every_row = false;
        for (int i = 0; i < ir->nmetrics; i++) {
            const IrMetric *m = &ir->metrics[i];
            if (m->cuped.kind == CUPED_NONE)
                continue;
            const IrMetric *c = m->cuped.kind == CUPED_SELF ? m : &ir->metrics[m->cuped.metric];
            buf_puts(&sel, ",\n");
            if (c->set.source != src) {
                buf_puts(&sel, "    NULL AS ");
                gen_id(g, &sel, gen_metric_col(g, i, "pre"));
                continue;
            }
            sql_comment(&sel, "    ", arena_printf(g->a, "metric %s (spec line %d): %s %s of the "
                                                   "day", m->name, m->line,
                                                   sqlgen_kind_name(c->kind), c->name));
            size_t item = sel.len;
            buf_puts(&sel, "    ");
            size_t expr = sel.len;
            pre_part(g, &sel, c);
            buf_printf(&having, "%s%.*s <> 0", any ? "\n    OR " : "", (int)(sel.len - expr),
                       sel.data + expr);
            if (!c->set.filter) {
                every_row = true;
            } else {
                buf_puts(&only, only.len ? "\n    OR " : "");
                gen_cond(g, &only, c->set.filter, "s");
            }
            buf_puts(&sel, " AS ");
            gen_id(g, &sel, gen_metric_col(g, i, "pre"));
            sql_wrap(&sel, item);
            any = true;
        }
        /* the day sums of every source, this one's computed */
        int nown = 0;
        for (int s2 = 0; s2 < ir->nsources; s2++) {
            int nd = gen_day_sums(g, s2, ds);
            if (s2 == src && sums) {
                nown = nd;
                if (nd) {
                    Buf items;
                    buf_init(&items);
                    day_sum_items(g, &items, "    ", so, ds, nd);
                    items.len -= 2; /* the last ",\n" */
                    items.data[items.len] = '\0';
                    buf_puts(&sel, ",\n");
                    buf_puts(&sel, items.data);
                    buf_free(&items);
                }
                continue;
            }
            for (int k = 0; k < nd; k++) {
                buf_puts(&sel, ",\n    NULL AS ");
                gen_id(g, &sel, ds[k].col);
            }
        }
        /* each activity's flag of the day (gen_activity_days_in_pre): this
         * source's activities over every row of the user's day */
        for (int a = 0; act_days && a < ir->nactivities; a++) {
            const IrActivity *ac = &ir->activities[a];
            buf_puts(&sel, ",\n");
            if (ac->active.source != src || !sums) {
                buf_puts(&sel, "    NULL AS ");
                gen_id(g, &sel, gen_activity_day_col(g, a));
                continue;
            }
            sql_comment(&sel, "    ", arena_printf(g->a, "activity %s: active that day",
                                                   ac->name));
            size_t item = sel.len;
            buf_puts(&sel, "    MAX(");
            when_filter(g, &sel, ac->active.filter, NULL, "1", "0");
            buf_puts(&sel, ") AS ");
            gen_id(g, &sel, gen_activity_day_col(g, a));
            sql_wrap(&sel, item);
        }
        if (any || nown) {
            starts[nparts++] = b.len;
            sql_comment(&b, "", arena_printf(g->a, "source %s", so->name));
            gen_select_grouped(g, &b);
            buf_puts(&b, "\n    ");
            gen_col(g, &b, "s", so->date_col);
            buf_puts(&b, " AS `event_date`,\n    ");
            gen_col(g, &b, "s", so->user_col);
            buf_printf(&b, " AS `user_id`,\n    %d AS `source`", src);
            buf_puts(&b, sel.data);
            buf_puts(&b, "\nFROM ");
            dialect_qualified(g->d, &b, so->database, so->table);
            buf_puts(&b, " s\nWHERE ");
            span_pred(g, &b, "s", so->date_col, span_of(true));
            buf_puts(&b, "\n  AND ");
            gen_col(g, &b, "s", so->user_col);
            buf_puts(&b, " IS NOT NULL");
            and_cond(g, &b, so->filter, "s", "  ");
            /* without day sums, only the users with a covariate part */
            if (!nown && !every_row) {
                size_t at = b.len;
                buf_printf(&b, "\n  AND (%s)", only.data);
                sql_wrap(&b, at + 1);
            }
            buf_puts(&b, "\nGROUP BY\n    ");
            gen_col(g, &b, "s", so->date_col);
            buf_puts(&b, ",\n    ");
            gen_col(g, &b, "s", so->user_col);
            if (!nown) {
                buf_puts(&b, "\nHAVING ");
                buf_puts(&b, having.data);
            }
        }
        buf_free(&sel);
        buf_free(&having);
        buf_free(&only);
    }
    WriteSpec w = {.mode = WRITE_REPLACE_RANGE, .table = pt, .part_col = "event_date",
                   .lo = "{{from_date}}", .hi = "{{to_date}}",
                   .label = gen_label(g, sums ? "pre_fill" : "pre_fill_covariates"),
                   .comment = sums ? "each user's day sums and covariate parts, days "
                                     "[{{from_date}}, {{to_date}}]"
                                   : "each user's covariate parts, pre-period days "
                                     "[{{from_date}}, {{to_date}}]",
                   .cols = cols, .ncols = pt->ncols, .body = b.data};
    if (nparts > 1) {
        starts[nparts] = b.len;
        const char **branches = arena_alloc(g->a, (size_t)(nparts - 1) * sizeof *branches);
        for (int i = 1; i < nparts; i++)
            branches[i - 1] = arena_strndup(g->a, b.data + starts[i], starts[i + 1] - starts[i]);
        w.body = arena_strndup(g->a, b.data, starts[1]);
        w.branches = branches;
        w.nbranches = nparts - 1;
    }
    WriteSpec mw = {.mode = WRITE_APPEND, .table = pt, .label = gen_label(g, "pre_mark"),
                    .comment = "the days filled", .cols = mark_cols, .ncols = 2,
                    .body = "VALUES {{values}}"};
    SqlStmts st, marks;
    sql_stmts_init(&st, g->a);
    sql_stmts_init(&marks, g->a);
    g->d->write(&st, &w);
    g->d->write(&marks, &mw);
    int n = st.n;
    bool tx = n > 0 && st.flags && (st.flags[n - 1] & SQLSTMT_TX_END);
    for (int i = 0; i < n - tx; i++) {
        Buf one = {(char *)st.items[i], strlen(st.items[i]), 0};
        gen_push_flags(g, s, &one, st.flags ? st.flags[i] : 0);
    }
    gen_push_stmts(g, s, &marks);
    if (tx) {
        Buf one = {(char *)st.items[n - 1], strlen(st.items[n - 1]), 0};
        gen_push_flags(g, s, &one, st.flags[n - 1]);
    }
    gen_analyze(g, s, T_PRE);
    buf_free(&b);
}

void gen_pre(Gen *g)
{
    const IrSpec *ir = g->ir;
    const TableDef *pt = &g->tables[T_PRE];
    if (!pt->cols)
        return;
    Buf b;
    buf_init(&b);

    SqlStep *s = gen_step(g, SQLSTEP_PRE_RESET, "pre_reset",
                          "drop and create the per-user day table (a rebuild: first run, --full, "
                          "a changed spec or abc)");
    gen_recreate(g, s, T_PRE);

    /* with CUPED, the pre-period days before the first date due: which the
     * table holds, and the fill of the others */
    bool cuped = max_pre_days(ir, -1) > 0;
    if (cuped) {
        s = gen_step(g, SQLSTEP_PRE_DAYS, "pre_days",
                     "the days of [{{from_date}}, {{to_date}}] the per-user day table holds (its "
                     "marks: user_id '')");
        s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
        static const char *const day_cols[] = {"event_date"};
        s->columns = gen_columns(g, day_cols, 1);
        s->ncolumns = 1;
        buf_reset(&b);
        buf_puts(&b, "SELECT `event_date`\nFROM ");
        gen_table(g, &b, T_PRE);
        buf_puts(&b, "\nWHERE `user_id` = '' AND `event_date` >= {{from_date}} AND "
                     "`event_date` <= {{to_date}}");
        gen_push(g, s, &b);
    }
    pre_fill_step(g, true);
    if (cuped)
        pre_fill_step(g, false);

    s = gen_step(g, SQLSTEP_PRE_PRUNE, "pre_prune",
                 "delete the per-user day rows before {{from_date}}: no later run reads them");
    s->params = SQLP_FROM_DATE;
    buf_reset(&b);
    Buf where;
    buf_init(&where);
    buf_puts(&where, "`event_date` < {{from_date}}");
    g->d->delete_where(&b, pt, where.data);
    gen_push(g, s, &b);
    buf_free(&where);
    buf_free(&b);
}

/* ---- for other phases ------------------------------------------------------ */

void gen_phases_cte(Gen *g, Buf *b) { phases_cte(g, b); }

void gen_exposure_variation(Gen *g, Buf *b, const IrSource *src) { variation_expr(g, b, src); }
