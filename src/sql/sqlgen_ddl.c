/* sqlgen_ddl.c — the tables of a tag (docs/TABLES.md) and their DDL.
 *
 * Shared by all tags: experiment_data, experiment_assignment,
 * schema_migrations and the dashboard table; per tag: the wide table (its
 * component columns follow the spec's metrics), the report table, the
 * daily report table and the report stage table.  Every statement is
 * CREATE TABLE IF NOT EXISTS, so the step is idempotent. */
#include "sqlgen_int.h"
#include "abc/report_row.h"

#include <string.h>

static const TableCol expdata_cols[] = {
    {"tag", CT_STR64, true, "spec tag"},
    {"tracking_key", CT_STR128, true, "GrowthBook trackingKey = exposure experiment value"},
    {"variation_key", CT_STR64, true, "variation key = exposure variation value"},
    {"experiment_id", CT_STR128, false, "GrowthBook experiment id"},
    {"experiment_name", CT_STR255, false, NULL},
    {"status", CT_STR32, false, "draft | running | stopped"},
    {"phase_index", CT_INT, false, "index of the latest phase"},
    {"phase_name", CT_STR255, false, NULL},
    {"phase_start", CT_DATETIME, false, "latest phase start"},
    {"phase_end", CT_DATETIME, false, "latest phase end, NULL while running"},
    {"coverage", CT_DOUBLE, false, NULL},
    {"variation_id", CT_STR128, false, NULL},
    {"variation_name", CT_STR255, false, NULL},
    {"weight", CT_DOUBLE, false, "traffic split weight of the latest phase"},
    {"is_control", CT_TINYINT, false, "1 for the first variation"},
    {"fetched_at", CT_DATETIME, false, NULL},
    {"spec_hash", CT_STR16, false, NULL},
    {"abc_version", CT_STR32, false, NULL},
};

static const TableCol assign_cols[] = {
    {"tag", CT_STR64, true, "spec tag"},
    {"tracking_key", CT_STR128, true, "experiment"},
    {"user_id", CT_STR128, true, NULL},
    {"variation_key", CT_STR64, false, "variation at first exposure"},
    {"first_exposure_time", CT_DATETIME, false, NULL},
    {"exposure_date", CT_DATE, false, "partition date of the first exposure (day 0)"},
    {"multiple_variations", CT_TINYINT, false, "1 when multiple_variations_date is set"},
    {"activation_time", CT_DATETIME, false, "first activation event at or after exposure (specs with activation)"},
    {"activation_date", CT_DATE, false, "its partition date: day 0 of specs with activation"},
    /* then one column per segment of the spec, named after it */
    {"multiple_variations_date", CT_DATE, false,
     "first date of an exposure to another variation than the first (NULL: none)"},
};

static const TableCol migration_cols[] = {
    {"tag", CT_STR64, true, NULL},
    {"version", CT_INT, true, "schema version reached"},
    {"name", CT_STR255, false, "migration file"},
    {"applied_at", CT_DATETIME, false, NULL},
    {"abc_version", CT_STR32, false, NULL},
};


#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *const SQLGEN_EXPDATA_COLUMNS[] = {
    "tag", "tracking_key", "variation_key", "experiment_id", "experiment_name", "status",
    "phase_index", "phase_name", "phase_start", "phase_end", "coverage", "variation_id",
    "variation_name", "weight", "is_control", "fetched_at", "spec_hash", "abc_version"};
const int SQLGEN_EXPDATA_NCOLUMNS = NELEM(SQLGEN_EXPDATA_COLUMNS);

/* The report row's columns come from its one schema (report_row.h). */
static const TableCol report_cols[] = {
#define COL_(name, type, kind, not_null, comment) {#name, type, not_null, comment},
    REPORT_ROW_COLUMNS(COL_)
#undef COL_
};

const char *const SQLGEN_REPORT_COLUMNS[] = {
#define NAME_(name, type, kind, not_null, comment) #name,
    REPORT_ROW_COLUMNS(NAME_)
#undef NAME_
};
const int SQLGEN_REPORT_NCOLUMNS = NELEM(SQLGEN_REPORT_COLUMNS);

int gen_metric_components(Gen *g, int m, TableCol *cols)
{
    const IrMetric *mt = &g->ir->metrics[m];
    int n = 0;
    switch (mt->kind) {
    case MK_PROPORTION:
    case MK_COUNT:
    case MK_ACTIVE_DAYS:
    case MK_RETENTION:
    case MK_TIME_TO_EVENT:
        cols[n++] = (TableCol){gen_metric_col(g, m, "events"), CT_BIGINT, false,
                               "events of the day after exposure"};
        break;
    case MK_SUM:
    case MK_QUANTILE:
        cols[n++] = (TableCol){gen_metric_col(g, m, "sum"), CT_DOUBLE, false,
                               "sum of the value over the day's events after exposure"};
        break;
    case MK_MEAN:
        cols[n++] = (TableCol){gen_metric_col(g, m, "sum"), CT_DOUBLE, false,
                               "sum of the value over the day's events after exposure"};
        cols[n++] = (TableCol){gen_metric_col(g, m, "events"), CT_BIGINT, false,
                               "events of the day after exposure"};
        break;
    case MK_FUNNEL:
        for (int s = 0; s < mt->nsteps; s++)
            cols[n++] = (TableCol){gen_metric_col(g, m, arena_printf(g->a, "step%d_first", s + 1)),
                                   CT_DATETIME, false,
                                   arena_printf(g->a, "first step-%d event of the day", s + 1)};
        break;
    case MK_RATIO:
        break;
    }
    if (mt->cuped.kind != CUPED_NONE)
        cols[n++] = (TableCol){gen_metric_col(g, m, "pre"), CT_DOUBLE, false,
                               arena_printf(g->a, "CUPED covariate, days -%d..-1 (exposure-day row)",
                                            mt->cuped.pre_days)};
    for (int i = 0; i < n; i++) {
        const char *c = arena_printf(g->a, "metric %s (spec line %d): %s", mt->name, mt->line,
                                     cols[i].comment);
        cols[i].comment = gen_comment_text(g, c);
    }
    return n;
}

static void set_table(TableDef *t, const TableCol *cols, int ncols, TableKey key, int nkey,
                      TablePart part, const char *part_col, const char *dist, const char *comment)
{
    t->cols = cols;
    t->ncols = ncols;
    t->key = key;
    t->nkey = nkey;
    t->part = part;
    t->part_col = part_col;
    t->dist_col = dist;
    t->comment = comment;
}

void gen_tables(Gen *g)
{
    TableDef *t = g->tables;
    set_table(&t[T_EXPDATA], expdata_cols, NELEM(expdata_cols), TKEY_PRIMARY, 3, TPART_LIST,
              "tag", "tracking_key", "abc: experiment config of the latest phase, replaced per tag");
    /* the assignment table: its own columns, the spec's segment columns
     * (other tags' segments may be there too: the table is shared), and
     * multiple_variations_date last (MariaDB adds it when missing) */
    int nfixed = NELEM(assign_cols) - 1;
    TableCol *acols = arena_alloc(g->a, (size_t)(NELEM(assign_cols) + g->ir->nsegments) * sizeof *acols);
    memcpy(acols, assign_cols, (size_t)nfixed * sizeof *acols);
    for (int i = 0; i < g->ir->nsegments; i++) {
        const IrSegment *sg = &g->ir->segments[i];
        acols[nfixed + i] = (TableCol){gen_segment_col(g, i), CT_STR255, false,
                                       gen_comment_text(g, arena_printf(g->a, "segment %s (spec line "
                                                                        "%d of tag %s): its value at "
                                                                        "exposure", sg->name,
                                                                        sg->line, g->ir->tag))};
    }
    acols[nfixed + g->ir->nsegments] = assign_cols[nfixed];
    set_table(&t[T_ASSIGN], acols, nfixed + g->ir->nsegments + 1, TKEY_PRIMARY, 3, TPART_LIST, "tag",
              "user_id", "abc: first exposure per tag x experiment x user");
    /* the wide fill joins each source row to its units by user, and reads
     * the units of a day 0 (exposure, or activation where the spec has it) */
    t[T_ASSIGN].indexes[0] = (TableIndex){"abc_lookup_key", {"tag", "user_id"}};
    t[T_ASSIGN].indexes[1] = g->ir->exposure.has_activation
                                 ? (TableIndex){"abc_activation_key", {"tag", "activation_date"}}
                                 : (TableIndex){"abc_exposure_key", {"tag", "exposure_date"}};
    /* the unit state ends the versions of the units seen in another
     * variation: the few flagged, not the tag's every unit */
    t[T_ASSIGN].indexes[2] = (TableIndex){"abc_multiple_key", {"tag", "multiple_variations"}};
    /* the growth steps number the tag's variations: a loose scan of this
     * index reads a row per variation, not per unit (ASSIGN_VARIATION_KEY) */
    t[T_ASSIGN].indexes[3] = (TableIndex){ASSIGN_VARIATION_KEY,
                                          {"tag", "tracking_key", "variation_key", "exposure_date"}};
    set_table(&t[T_MIGRATIONS], migration_cols, NELEM(migration_cols), TKEY_PRIMARY, 2,
              TPART_NONE, NULL, "tag", "abc: schema versions applied per tag");
    set_table(&t[T_REPORT], report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3, TPART_LIST, "tag",
              "experiment_id", arena_printf(g->a, "abc: latest results of tag %s", g->ir->tag));
    set_table(&t[T_DAILY], report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3, TPART_TAG_DAY,
              "analysis_date", "experiment_id",
              arena_printf(g->a, "abc: results of tag %s per analysis date", g->ir->tag));
    /* a daily run replaces one date's rows of the tag: read those, not
     * every date's (MariaDB; StarRocks overwrites the date's partition) */
    t[T_DAILY].indexes[0] = (TableIndex){"abc_date_key", {"tag", "analysis_date"}};
    set_table(&t[T_STAGE], report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3, TPART_NONE, NULL,
              "experiment_id", arena_printf(g->a, "abc: staged results of tag %s", g->ir->tag));
    set_table(&t[T_DASHBOARD], report_cols, NELEM(report_cols), TKEY_DUPLICATE, 3, TPART_LIST,
              "tag", "experiment_id", "abc: results of every tag for dashboards");

    /* the wide table */
    int cap = 8 + g->ir->nmetrics * 2 + 64 + g->nretired;
    for (int m = 0; m < g->ir->nmetrics; m++)
        cap += g->ir->metrics[m].nsteps;
    TableCol *cols = arena_alloc(g->a, (size_t)cap * sizeof *cols);
    int n = 0;
    cols[n++] = (TableCol){"event_date", CT_DATE, true, "day of the activity (partition)"};
    cols[n++] = (TableCol){"tracking_key", CT_STR128, true, "experiment"};
    cols[n++] = (TableCol){"user_id", CT_STR128, true, NULL};
    cols[n++] = (TableCol){"exposure_date", CT_DATE, false, "day 0 of the user"};
    cols[n++] = (TableCol){"days_since_exposure", CT_INT, false, "event_date - exposure_date"};
    for (int m = 0; m < g->ir->nmetrics; m++)
        n += gen_metric_components(g, m, cols + n);
    for (int i = 0; i < g->nretired; i++) {
        cols[n] = g->retired[i];
        cols[n].not_null = false;
        cols[n].comment = "retired: no longer in the spec; kept, NULL for new rows";
        n++;
    }
    set_table(&t[T_WIDE], cols, n, TKEY_DUPLICATE, 3, TPART_DAY, "event_date", "user_id",
              gen_comment_text(g, arena_printf(g->a, "abc: per-user, per-day metric components "
                                               "of tag %s", g->ir->tag)));
    t[T_WIDE].evolving = true;
    /* read by day only: the batch of unit_state_versions finds each unit's
     * next day in a session table of its own (sqlgen_stats.c) */
    t[T_WIDE].read_by_day = true;
    /* the unit state reads a day's wide rows still inside the longest
     * window (days_since_exposure <= W), not the day's every row */
    t[T_WIDE].indexes[0] = (TableIndex){"abc_window_key", {"event_date", "days_since_exposure"}};

    /* the per-user day table: per source day and user, the wide table's
     * day sums of that source (the wide fill's whole-day units take them
     * here) and each CUPED metric's covariate part of the day, for every
     * user with events that day, exposed or not — each source row is read
     * once, by the fill of its own day (pre_fill), and a fill reads the
     * covariates of its new exposures here.  A derived table: rebuilt with
     * the tag, never migrated.  Each of its value columns is also a wide
     * table column (n of them). */
    DaySum *ds = arena_alloc(g->a, (size_t)(n + 1) * sizeof *ds);
    TableCol *pc = arena_alloc(g->a, (size_t)(3 + n + g->ir->nactivities) * sizeof *pc);
    int k = 0;
    pc[k++] = (TableCol){"event_date", CT_DATE, true, "day of the source rows (partition)"};
    pc[k++] = (TableCol){"user_id", CT_STR128, true,
                         "a user with events that day; the empty string marks the day as "
                         "filled"};
    pc[k++] = (TableCol){"source", CT_INT, false,
                         "the source of the row: its number in the spec (NULL on a mark)"};
    for (int m = 0; m < g->ir->nmetrics; m++) {
        const IrMetric *mt = &g->ir->metrics[m];
        if (mt->cuped.kind == CUPED_NONE)
            continue;
        pc[k++] = (TableCol){gen_metric_col(g, m, "pre"), CT_DOUBLE, false,
                             gen_comment_text(g, arena_printf(g->a, "metric %s (spec line %d): "
                                                              "its CUPED covariate's part of "
                                                              "the day", mt->name, mt->line))};
    }
    for (int src = 0; src < g->ir->nsources; src++) {
        int nd = gen_day_sums(g, src, ds);
        for (int i = 0; i < nd; i++) {
            const IrMetric *mt = &g->ir->metrics[ds[i].metric];
            pc[k++] = (TableCol){ds[i].col, ds[i].type, false,
                                 gen_comment_text(g, arena_printf(g->a, "metric %s (spec line "
                                                                  "%d): the user's day of "
                                                                  "source %s", mt->name,
                                                                  mt->line,
                                                                  g->ir->sources[src].name))};
        }
    }
    /* each activity's flag of the day (activity_fill_days reads it), where
     * every activity's source has day sums here */
    bool act_days = gen_activity_days_in_pre(g); /* (day sums here, so k > 3) */
    for (int a = 0; act_days && a < g->ir->nactivities; a++) {
        const IrActivity *ac = &g->ir->activities[a];
        pc[k++] = (TableCol){gen_activity_day_col(g, a), CT_INT, false,
                             gen_comment_text(g, arena_printf(g->a, "activity %s: 1 when the "
                                                              "user was active that day",
                                                              ac->name))};
    }
    if (k > 3) /* a day sum or a covariate part */
        set_table(&t[T_PRE], pc, k, TKEY_DUPLICATE, 2, TPART_DAY, "event_date", "user_id",
                  gen_comment_text(g, arena_printf(g->a, "abc: per-user day sums and CUPED "
                                                   "pre-period parts of tag %s", g->ir->tag)));
    /* the dialect's limit on a table's columns (InnoDB 1017; StarRocks FE
     * max_column_number_per_table, 10000 by default) */
    int limit = g->d->id == DIALECT_MARIADB ? 1017 : 10000;
    if (n > limit) {
        SrcLoc at = g->ir->nmetrics ? g->ir->metrics[g->ir->nmetrics - 1].loc : (SrcLoc){0, 0};
        gen_error(g, at, "the wide table would have %d columns; %s allows at most %d in a table "
                         "(split the metrics over several specs)", n, g->d->name, limit);
    }
}

void gen_ddl(Gen *g)
{
    SqlStep *s = gen_step(g, SQLSTEP_DDL, "ddl",
                          "create every table of the tag if missing (idempotent; every run, first)");
    Buf b;
    buf_init(&b);
    if (g->d->id == DIALECT_MARIADB) {
        const char *dbs[T_COUNT];
        int ndbs = 0;
        for (int i = 0; i < T_COUNT; i++) {
            if (!g->tables[i].cols)
                continue;
            bool seen = false;
            for (int k = 0; k < ndbs; k++)
                seen = seen || strcmp(dbs[k], g->tables[i].db) == 0;
            if (!seen)
                dbs[ndbs++] = g->tables[i].db;
        }
        for (int k = 0; k < ndbs; k++) {
            buf_reset(&b);
            buf_puts(&b, "CREATE DATABASE IF NOT EXISTS ");
            gen_id(g, &b, dbs[k]);
            gen_push(g, s, &b);
        }
    }
    for (int i = 0; i < T_COUNT; i++) {
        if (!g->tables[i].cols) /* the activity tables of a spec without activity */
            continue;
        buf_reset(&b);
        g->d->create_table(&b, &g->tables[i]);
        gen_push(g, s, &b);
        if (i == T_ASSIGN && g->d->id == DIALECT_MARIADB) {
            /* an assignment table created before the column existed
             * (MariaDB adds it only when missing) */
            const TableDef *t = &g->tables[i];
            buf_reset(&b);
            g->d->add_columns(&b, t, &t->cols[t->ncols - 1], 1);
            gen_push(g, s, &b);
        } else if (g->tables[i].indexes[0].name && g->d->id == DIALECT_MARIADB &&
                   i != T_UNIT_STATE && i != T_WIDE) {
            /* a table created before its indexes (the unit state is
             * derived: a rebuild, an upgrade of abc included, creates it
             * with them; the wide table, which a user may have replaced by
             * a view, gets them with its next column migration,
             * migrate_wide, or by hand: docs/GENERATED.md) */
            buf_reset(&b);
            g->d->add_columns(&b, &g->tables[i], NULL, 0);
            gen_push(g, s, &b);
        }
    }
    buf_free(&b);
}
