/* test_dialect.c — identifier and literal quoting of both dialects, and
 * sqlgen_bind's validation of runtime parameters, the dialect literals of
 * bound values, transaction flags, and the generated run-state and
 * migration steps. */
#include <criterion/criterion.h>
#include <string.h>

#include "abc/spec.h"
#include "abc/sqlgen.h"

static char *q_ident(const Dialect *d, const char *s)
{
    static char out[512];
    Buf b;
    buf_init(&b);
    d->ident(&b, s);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

static char *q_str(const Dialect *d, const char *s)
{
    static char out[512];
    Buf b;
    buf_init(&b);
    d->string(&b, s);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

Test(dialect, identifiers)
{
    char why[160];
    cr_assert_str_eq(q_ident(&dialect_mariadb, "a`b"), "`a``b`");
    cr_assert_eq(dialect_mariadb.check_ident("a`b", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident("a`b", why, sizeof why), ABC_OK);
    char longname[80];
    memset(longname, 'x', 65);
    longname[65] = '\0';
    cr_assert_neq(dialect_mariadb.check_ident(longname, why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident(longname, why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_mariadb.check_ident("a\nb", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_mariadb.check_ident("trailing ", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_mariadb.check_ident("\xF0\x9F\x98\x80", why, sizeof why), ABC_OK);
    cr_assert_eq(dialect_mariadb.check_ident("caf\xC3\xA9", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident("bad\xC3", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident("", why, sizeof why), ABC_OK);
}

Test(dialect, strings)
{
    cr_assert_str_eq(q_str(&dialect_mariadb, "it's"), "'it''s'");
    cr_assert_str_eq(q_str(&dialect_mariadb, "a\\b"), "CONCAT('a', CHAR(92 USING utf8mb4), 'b')");
    cr_assert_str_eq(q_str(&dialect_mariadb, "\\"), "CONCAT(CHAR(92 USING utf8mb4))");
    cr_assert_str_eq(q_str(&dialect_starrocks, "a\\'b"), "'a\\\\''b'");
    cr_assert_str_eq(q_str(&dialect_starrocks, "x\ny"), "'x\\ny'");
    cr_assert_str_eq(q_str(&dialect_mariadb, "--;/*"), "'--;/*'");
    char why[160];
    cr_assert_neq(dialect_starrocks.check_string("a\x01", why, sizeof why), ABC_OK);
}

Test(dialect, bind)
{
    char err[256];
    Buf b;
    buf_init(&b);
    SqlParams p = {.event_date = "2024-02-29", .run_id = "r1"};
    cr_assert_eq(sqlgen_bind(&dialect_mariadb, "x = {{event_date}} `l_{{run_id}}`", &p, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "x = '2024-02-29' `l_r1`");
    buf_reset(&b);
    p.event_date = "2023-02-29";
    cr_assert_eq(sqlgen_bind(&dialect_mariadb, "{{event_date}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    p.event_date = "2024-01-01' OR 1=1 --";
    cr_assert_eq(sqlgen_bind(&dialect_mariadb, "{{event_date}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    p.event_date = "2024-01-01";
    p.run_id = "a`b";
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "{{run_id}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "{{nope}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "{{from_date}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(b.len, 0);
    SqlValue row[3] = {{SQLV_STRING, "o'k\\", 0, 0}, {SQLV_NULL, NULL, 0, 0}, {SQLV_DOUBLE, NULL, 0, 0.5}};
    p.values = row;
    p.nrows = 1;
    p.ncols = 3;
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "VALUES {{values}}", &p, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "VALUES \n    ('o''k\\\\', NULL, 0.5)");
    buf_free(&b);
}

Test(dialect, temporal_literals)
{
    char err[256];
    Buf b;
    buf_init(&b);
    SqlValue ts = {SQLV_DATETIME, "2026-01-16 09:30:00", 0, 0}, day = {SQLV_DATE, "2026-01-16", 0, 0};
    cr_assert_eq(sqlgen_literal(&dialect_starrocks, &ts, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "DATETIME '2026-01-16 09:30:00'"); /* StarRocks has no TIMESTAMP '…' */
    buf_reset(&b);
    cr_assert_eq(sqlgen_literal(&dialect_starrocks, &day, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "DATE '2026-01-16'");
    buf_reset(&b);
    cr_assert_eq(sqlgen_literal(&dialect_mariadb, &ts, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "'2026-01-16 09:30:00'");
    buf_reset(&b);
    SqlValue bad = {SQLV_DATETIME, "2026-01-16 24:00:00", 0, 0};
    cr_assert_eq(sqlgen_literal(&dialect_starrocks, &bad, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(b.len, 0);
    buf_free(&b);
}

static char *session_sql(const Dialect *d, unsigned timeout_s, unsigned temp_table_mb)
{
    static char out[512];
    SessionSettings ss = {.timeout_s = timeout_s, .temp_table_mb = temp_table_mb};
    Buf b;
    buf_init(&b);
    d->session_settings(&b, &ss);
    snprintf(out, sizeof out, "%s", b.len ? b.data : "");
    buf_free(&b);
    return out;
}

/* One statement with every setting that applies, none when none does. */
Test(dialect, session_settings)
{
    cr_assert_str_eq(session_sql(&dialect_mariadb, 0, 0), "");
    cr_assert_str_eq(session_sql(&dialect_mariadb, 60, 0), "SET SESSION max_statement_time = 60");
    cr_assert_str_eq(session_sql(&dialect_mariadb, 0, 256),
                     "SET SESSION tmp_table_size = 268435456, max_heap_table_size = 268435456");
    cr_assert_str_eq(session_sql(&dialect_mariadb, 30, 65536),
                     "SET SESSION max_statement_time = 30, tmp_table_size = 68719476736, "
                     "max_heap_table_size = 68719476736");
    cr_assert_str_eq(session_sql(&dialect_starrocks, 0, 256), "");
    cr_assert_str_eq(session_sql(&dialect_starrocks, 60, 256), "SET query_timeout = 60");
}

Test(dialect, transactions_are_flags)
{
    Arena a;
    arena_init(&a);
    static const TableCol cols[] = {{"tag", CT_STR64, true, NULL}, {"v", CT_INT, false, NULL}};
    TableDef t = {.db = "abc", .name = "t", .cols = cols, .ncols = 2, .key = TKEY_DUPLICATE,
                  .nkey = 1, .part = TPART_LIST, .part_col = "tag", .dist_col = "tag"};
    static const char *const names[] = {"tag", "v"};
    WriteSpec w = {.mode = WRITE_REPLACE_PART, .table = &t, .part_col = "tag",
                   .part_value = "'x'", .cols = names, .ncols = 2, .body = "VALUES ('x', 1)"};
    SqlStmts m, s;
    sql_stmts_init(&m, &a);
    sql_stmts_init(&s, &a);
    dialect_mariadb.write(&m, &w);
    dialect_starrocks.write(&s, &w);
    cr_assert_eq(m.n, 4);
    cr_assert_eq(m.flags[0], SQLSTMT_TX_BEGIN);
    cr_assert_eq(m.flags[1], 0u);
    cr_assert_eq(m.flags[2], 0u);
    cr_assert_eq(m.flags[3], SQLSTMT_TX_END);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.flags[0], 0u);
    arena_free(&a);
}

Test(dialect, one_dialect_enum)
{
    cr_assert_eq(dialect_by_id(DIALECT_STARROCKS), &dialect_starrocks);
    cr_assert_eq(dialect_by_id(DIALECT_MARIADB), &dialect_mariadb);
    cr_assert_null(dialect_by_id(DIALECT_AUTO));
    cr_assert_str_eq(dialect_id_name(DIALECT_AUTO), "auto");
    cr_assert_eq(dialect_by_name(dialect_id_name(dialect_starrocks.id)), &dialect_starrocks);
}

static const SqlStep *step_of(const SqlProgram *p, SqlStepKind k)
{
    for (int i = 0; i < p->nsteps; i++)
        if (p->steps[i].kind == k)
            return &p->steps[i];
    return NULL;
}

/* The runner's statements (run state, migrations) come from the generator,
 * bound per dialect: a StarRocks run state has DATETIME, never TIMESTAMP. */
Test(dialect, run_state_and_migration_steps)
{
    SpecUnit u;
    cr_assert_eq(spec_load(&u, "specs/retention.ab"), ABC_OK);
    const Dialect *ds[2] = {&dialect_starrocks, &dialect_mariadb};
    for (int di = 0; di < 2; di++) {
        Arena a;
        arena_init(&a);
        SqlProgram p;
        cr_assert_eq(sqlgen_program(u.ir, ds[di], &a, &u.diag, &p), ABC_OK);
        const SqlStep *w = step_of(&p, SQLSTEP_STATE_WRITE);
        cr_assert_not_null(w);
        cr_assert_eq(w->params, (unsigned)SQLP_VALUES);
        cr_assert_eq(w->nload_columns, SQLGEN_STATE_NCOLUMNS);
        SqlValue row[6] = {{SQLV_STRING, "retention", 0, 0}, {SQLV_DATE, "2026-10-11", 0, 0},
                           {SQLV_DATE, "2026-10-01", 0, 0},  {SQLV_STRING, "abcd", 0, 0},
                           {SQLV_STRING, "0.1.0", 0, 0},     {SQLV_DATETIME, "2026-10-12 03:04:05", 0, 0}};
        SqlParams prm = {.values = row, .nrows = 1, .ncols = 6};
        char err[256];
        Buf b;
        buf_init(&b);
        cr_assert_eq(sqlgen_bind(ds[di], w->stmts[0], &prm, &b, err, sizeof err), ABC_OK, "%s", err);
        cr_assert_null(strstr(b.data, "TIMESTAMP"));
        if (di == 0) {
            cr_assert_not_null(strstr(b.data, "INSERT INTO `abc`.`run_state`"));
            cr_assert_not_null(strstr(b.data, "DATE '2026-10-11', DATE '2026-10-01'"));
            cr_assert_not_null(strstr(b.data, "DATETIME '2026-10-12 03:04:05')"));
            cr_assert_null(strstr(b.data, "ON DUPLICATE"));
        } else {
            cr_assert_not_null(strstr(b.data, "'2026-10-12 03:04:05')\nON DUPLICATE KEY UPDATE"));
        }
        /* {{values}} left as written only when asked to */
        buf_reset(&b);
        SqlParams none = {.keep_unbound = true};
        cr_assert_eq(sqlgen_bind(ds[di], w->stmts[0], &none, &b, err, sizeof err), ABC_OK);
        cr_assert_not_null(strstr(b.data, "VALUES {{values}}"));
        none.keep_unbound = false;
        buf_reset(&b);
        cr_assert_eq(sqlgen_bind(ds[di], w->stmts[0], &none, &b, err, sizeof err), ABC_ERR_USAGE);

        /* the migration adds exactly the missing columns, in the table's order */
        const TableDef *wide = p.wide;
        const char **present = arena_alloc(&a, sizeof(char *) * (size_t)(wide->ncols + 1));
        const char **tables = arena_alloc(&a, sizeof(char *) * (size_t)(wide->ncols + 1));
        int n = 0;
        for (int i = 0; i < wide->ncols; i++)
            if (strcmp(wide->cols[i].name, "crashes__events") != 0) {
                tables[n] = wide->name;
                present[n++] = wide->cols[i].name;
            }
        SqlStep alter;
        int added[2];
        cr_assert_eq(sqlgen_migrate_wide(&p, tables, present, n, &a, &alter, added), 1);
        cr_assert_eq(added[0], 1);
        cr_assert_eq(added[1], 0); /* no assignment row: a new table, left alone */
        cr_assert_eq(alter.nstmts, 1);
        cr_assert_not_null(strstr(alter.stmts[0], "`crashes__events` BIGINT NULL"));
        cr_assert_null(strstr(alter.stmts[0], "`opens_7d__events`"));
        cr_assert_eq(alter.kind, SQLSTEP_MIGRATE_WIDE);
        cr_assert_eq(strstr(alter.stmts[0], "IF NOT EXISTS") != NULL, di == 1);
        tables[n] = wide->name;
        present[n++] = "CRASHES__EVENTS"; /* names match case-insensitively */
        cr_assert_eq(sqlgen_migrate_wide(&p, tables, present, n, &a, &alter, added), 0);
        /* the shared assignment table: its segment columns (named after the
         * segments) that it lacks; only "country" there, from another tag */
        tables[n] = "experiment_assignment";
        present[n++] = "country";
        cr_assert_eq(sqlgen_migrate_wide(&p, tables, present, n, &a, &alter, added), 2);
        cr_assert_eq(added[0], 0);
        cr_assert_eq(added[1], 2);
        cr_assert_eq(alter.nstmts, 1);
        cr_assert_not_null(strstr(alter.stmts[0], "`abc`.`experiment_assignment`"));
        cr_assert_not_null(strstr(alter.stmts[0], "`platform` VARCHAR("));
        cr_assert_not_null(strstr(alter.stmts[0], "`tier` VARCHAR("));
        cr_assert_null(strstr(alter.stmts[0], "`country`"));
        cr_assert_not_null(step_of(&p, SQLSTEP_STATE_READ));
        cr_assert_not_null(step_of(&p, SQLSTEP_MIGRATE_RECORD));
        buf_free(&b);
        arena_free(&a);
    }
    spec_unit_free(&u);
}

/* warehouse.replication_num reaches the StarRocks PROPERTIES (a cluster
 * with fewer than 3 backends); without it none is written. */
Test(dialect, starrocks_replication_num)
{
    static const TableCol cols[] = {{"tag", CT_STR64, true, NULL}, {"v", CT_INT, false, NULL}};
    TableDef t = {.db = "abc", .name = "t", .cols = cols, .ncols = 2, .key = TKEY_PRIMARY,
                  .nkey = 1, .part = TPART_NONE, .dist_col = "tag"};
    Buf b;
    buf_init(&b);
    dialect_starrocks.create_table(&b, &t);
    cr_expect(!strstr(b.data, "replication_num"), "%s", b.data);
    buf_reset(&b);
    t.replication_num = 1;
    t.evolving = true;
    dialect_starrocks.create_table(&b, &t);
    cr_expect(strstr(b.data, "PROPERTIES (\n    \"replication_num\" = \"1\",\n    \"fast_schema_evolution\" = \"true\"\n)"),
              "%s", b.data);
    buf_free(&b);
}

/* MariaDB's lookup index: any columns, in the CREATE TABLE and added to a
 * table created without it (alone, or after added columns); StarRocks has
 * none. */
Test(dialect, mariadb_lookup_index)
{
    static const TableCol cols[] = {{"tracking_key", CT_STR128, true, NULL},
                                    {"user_id", CT_STR128, true, NULL},
                                    {"first_exposure_time", CT_DATETIME, false, NULL}};
    TableDef t = {.db = "abc", .name = "u", .cols = cols, .ncols = 3, .key = TKEY_PRIMARY,
                  .nkey = 2, .part = TPART_NONE, .dist_col = "user_id",
                  .indexes = {{"abc_lookup_key", {"first_exposure_time", "tracking_key"}}}};
    Buf b;
    buf_init(&b);
    dialect_mariadb.create_table(&b, &t);
    cr_expect(strstr(b.data, "PRIMARY KEY (`tracking_key`, `user_id`),\n"
                             "    KEY `abc_lookup_key` (`first_exposure_time`, `tracking_key`)\n)"),
              "%s", b.data);
    buf_reset(&b);
    dialect_mariadb.add_columns(&b, &t, NULL, 0);
    cr_expect_str_eq(b.data, "ALTER TABLE `abc`.`u`\n    ADD KEY IF NOT EXISTS `abc_lookup_key` "
                             "(`first_exposure_time`, `tracking_key`)");
    buf_reset(&b);
    dialect_mariadb.add_columns(&b, &t, &cols[2], 1);
    cr_expect(strstr(b.data, "ADD COLUMN IF NOT EXISTS `first_exposure_time` DATETIME NULL,\n"
                             "    ADD KEY IF NOT EXISTS `abc_lookup_key`"),
              "%s", b.data);
    buf_reset(&b);
    dialect_starrocks.create_table(&b, &t);
    cr_expect(!strstr(b.data, "abc_lookup_key"), "%s", b.data);
    buf_free(&b);
}

/* MariaDB's lookups of a few rows in a large table: the unit state's
 * versions by valid_from and valid_to (created with the table, never
 * ALTERed in: it is derived, and a view may stand in its place), the
 * assignment's flagged units and its variations (read loosely, forced);
 * the unit state of a date read by one statistics query, whose per-unit
 * rows abc takes the percentile caps and the quantiles from (no caps
 * table, no quantile query, the capped metric sent uncapped); StarRocks has
 * none of these. */
Test(dialect, mariadb_few_rows_by_index)
{
    SpecUnit u;
    cr_assert_eq(spec_load(&u, "specs/retention.ab"), ABC_OK);
    const Dialect *ds[2] = {&dialect_starrocks, &dialect_mariadb};
    for (int di = 0; di < 2; di++) {
        bool mdb = di == 1;
        Arena a;
        arena_init(&a);
        SqlProgram p;
        cr_assert_eq(sqlgen_program(u.ir, ds[di], &a, &u.diag, &p), ABC_OK);
        const SqlStep *reset = step_of(&p, SQLSTEP_UNIT_STATE_RESET);
        bool state_keys = false;
        for (int i = 0; i < reset->nstmts; i++)
            state_keys |= strstr(reset->stmts[i], "KEY `abc_from_key` (`valid_from`),\n"
                                                  "    KEY `abc_to_key` (`valid_to`)") != NULL;
        cr_expect_eq(state_keys, mdb);
        const SqlStep *ddl = step_of(&p, SQLSTEP_DDL);
        bool assign_keys = false, daily_key = false;
        for (int i = 0; i < ddl->nstmts; i++) {
            /* a daily run replaces one date of the daily table: by index */
            daily_key |= strstr(ddl->stmts[i], "CREATE TABLE IF NOT EXISTS `abc`.`tbl_report_daily_"
                                               "retention_retention`") &&
                         strstr(ddl->stmts[i], "KEY `abc_date_key` (`tag`, `analysis_date`)");
            cr_expect(!(strstr(ddl->stmts[i], "ALTER TABLE") &&
                        strstr(ddl->stmts[i], "__unit_state`")),
                      "%s", ddl->stmts[i]);
            assign_keys |= strstr(ddl->stmts[i], "CREATE TABLE IF NOT EXISTS `abc`.`experiment_"
                                                 "assignment`") &&
                           strstr(ddl->stmts[i], "KEY `abc_multiple_key` (`tag`, "
                                                 "`multiple_variations`)") &&
                           strstr(ddl->stmts[i], "KEY `abc_variation_key` (`tag`, `tracking_key`, "
                                                 "`variation_key`, `exposure_date`)");
        }
        cr_expect_eq(assign_keys, mdb);
        cr_expect_eq(daily_key, mdb);
        bool forced = false, quantile_step = false, caps_table = false, capped_in_sql = false;
        for (int k = 0; k < p.nsteps; k++) {
            const SqlStep *s = &p.steps[k];
            for (int i = 0; i < s->nstmts; i++) {
                forced |= strstr(s->stmts[i], "FORCE INDEX (`abc_variation_key`)\nWHERE") &&
                          strstr(s->stmts[i], "GROUP BY e.`tag`,\n         e.`tracking_key`");
                quantile_step |= s->kind == SQLSTEP_STATS &&
                                 strstr(s->name, "stats_quantile_") == s->name;
                caps_table |= strstr(s->stmts[i], "abc_stats_caps") != NULL;
                capped_in_sql |= s->kind == SQLSTEP_STATS &&
                                 strstr(s->stmts[i], "LEAST(uv.`revenue_7d`") != NULL;
            }
        }
        cr_expect_eq(forced, mdb);
        cr_expect_eq(quantile_step, !mdb);
        cr_expect_eq(capped_in_sql, !mdb);
        cr_expect(!caps_table);
        /* assign_day: the exposure rows read first, the phases and the
         * variation keys (a few rows each) joined from a join buffer after
         * them on MariaDB, not looked up per row; the user table's segment
         * looked up only where the exposure is the unit's first */
        const SqlStep *assign = step_of(&p, SQLSTEP_ASSIGN_DAY);
        bool upsert = false;
        for (int i = 0; i < assign->nstmts; i++) {
            const char *sq = assign->stmts[i];
            if (!strstr(sq, "INSERT INTO") && !strstr(sq, "INSERT OVERWRITE"))
                continue;
            upsert = true;
            cr_expect_eq(strstr(sq, "SET STATEMENT optimizer_switch = 'derived_with_keys=off' FOR\n"
                                    "INSERT INTO") != NULL,
                         mdb, "%s", sq);
            cr_expect_eq(strstr(sq, "STRAIGHT_JOIN phases p ON") != NULL, mdb, "%s", sq);
            cr_expect_eq(strstr(sq, "STRAIGHT_JOIN variations v") != NULL, mdb, "%s", sq);
            cr_expect_not_null(strstr(sq, "variations AS (\n    SELECT DISTINCT"), "%s", sq);
            cr_expect_not_null(strstr(sq, "LEFT JOIN `ods`.`users` u2\n"
                                          "    ON (o.`user_id` IS NULL OR n.`exposure_time` < "
                                          "o.`first_exposure_time`)\n"
                                          "    AND u2.`user_id` = n.`user_id`"),
                               "%s", sq);
        }
        cr_expect(upsert);
        arena_free(&a);
    }
    spec_unit_free(&u);
}

/* Growth analytics: the activity tables and steps exist only for specs
 * with activity blocks; the day arithmetic is the dialect's; the stage is
 * switched in over a literal range of periods, in report_publish's
 * transaction on MariaDB and by dynamic partition overwrites on StarRocks
 * (which deletes only by literal predicates). */
Test(dialect, activity_steps)
{
    const Dialect *ds[2] = {&dialect_starrocks, &dialect_mariadb};
    SpecUnit with, without;
    cr_assert_eq(spec_load(&with, "specs/engagement.ab"), ABC_OK);
    cr_assert_eq(spec_load(&without, "tests/integration/run/itest.ab"), ABC_OK);
    cr_assert_gt(with.ir->nactivities, 0);
    cr_assert_eq(without.ir->nactivities, 0);
    for (int di = 0; di < 2; di++) {
        Arena a;
        arena_init(&a);
        SqlProgram p, q;
        cr_assert_eq(sqlgen_program(with.ir, ds[di], &a, &with.diag, &p), ABC_OK);
        cr_assert_eq(sqlgen_program(without.ir, ds[di], &a, &without.diag, &q), ABC_OK);
        cr_assert_null(step_of(&q, SQLSTEP_ACTIVITY_FILL));
        cr_assert_null(step_of(&q, SQLSTEP_ACTIVITY_PUBLISH));
        const SqlStep *ddl = step_of(&q, SQLSTEP_DDL);
        for (int i = 0; i < ddl->nstmts; i++)
            cr_assert_null(strstr(ddl->stmts[i], "tbl_activity_"));
        cr_assert_eq(p.ntables, q.ntables + 12);

        const SqlStep *fill = step_of(&p, SQLSTEP_ACTIVITY_FILL);
        const SqlStep *state = step_of(&p, SQLSTEP_ACTIVITY_STATE);
        const SqlStep *periods = step_of(&p, SQLSTEP_ACTIVITY_PERIODS);
        const SqlStep *stage = step_of(&p, SQLSTEP_ACTIVITY_STAGE);
        const SqlStep *pub = step_of(&p, SQLSTEP_ACTIVITY_PUBLISH);
        const SqlStep *read = step_of(&p, SQLSTEP_ACTIVITY_READ);
        const SqlStep *rpub = step_of(&p, SQLSTEP_REPORT_PUBLISH);
        cr_assert(fill && state && periods && stage && pub && read);
        cr_assert(fill < state && state < periods && periods < stage && stage < pub && pub < read);
        /* the stage keeps the day rows before the first date due as
         * published, and reads no active day before it - 28 */
        cr_assert(stage->params & SQLP_EVENT_DATE);
        cr_assert_eq(periods->params, (unsigned)(SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID));
        /* new days are merged into the stored period rows (the earlier first
         * and the later last day) when the check finds no row they change */
        const SqlStep *check = step_of(&p, SQLSTEP_ACTIVITY_PERIODS_CHECK);
        const SqlStep *add = step_of(&p, SQLSTEP_ACTIVITY_PERIODS_ADD);
        cr_assert(check && add && state < check && check < add && add < periods);
        cr_assert_eq(check->ncolumns, 1);
        cr_assert_eq(check->params, (unsigned)(SQLP_EVENT_DATE | SQLP_FROM_DATE));
        cr_assert_eq(add->nstmts, 1);
        cr_assert_not_null(strstr(add->stmts[0], "INSERT INTO"));
        /* StarRocks groups the days and joins the stored rows; MariaDB's
         * upsert merges each day into its stored row */
        if (di == 0) {
            cr_assert_not_null(strstr(add->stmts[0], "LEAST(COALESCE(o.`first_d`, n.`first_d`)"));
            cr_assert_null(strstr(add->stmts[0], "ON DUPLICATE KEY UPDATE"));
        } else {
            cr_assert_null(strstr(add->stmts[0], "GROUP BY"), "%s", add->stmts[0]);
            cr_assert_null(strstr(add->stmts[0], "LEFT JOIN"), "%s", add->stmts[0]);
            cr_assert_not_null(strstr(add->stmts[0],
                                      "ON DUPLICATE KEY UPDATE\n"
                                      "    `first_d` = LEAST(COALESCE(`first_d`, VALUES(`first_d`)), "
                                      "VALUES(`first_d`)),\n"
                                      "    `last_d` = GREATEST(COALESCE(`last_d`, VALUES(`last_d`)), "
                                      "VALUES(`last_d`))"),
                               "%s", add->stmts[0]);
        }
        /* the users' first and last active dates of new days, likewise */
        const SqlStep *uadd = step_of(&p, SQLSTEP_ACTIVITY_STATE_ADD);
        cr_assert(uadd && uadd->nstmts == 1);
        const char *merged = "ON DUPLICATE KEY UPDATE\n"
                             "    `first_date` = LEAST(COALESCE(`first_date`, VALUES(`first_date`)), "
                             "VALUES(`first_date`)),\n"
                             "    `last_date` = GREATEST(COALESCE(`last_date`, VALUES(`last_date`)), "
                             "VALUES(`last_date`))";
        cr_assert_eq(strstr(uadd->stmts[0], merged) != NULL, di == 1, "%s", uadd->stmts[0]);
        cr_assert_eq(strstr(uadd->stmts[0], "GROUP BY") == NULL, di == 1, "%s", uadd->stmts[0]);
        cr_assert_eq(rpub->params & (SQLP_FROM_DATE | SQLP_TO_DATE),
                     (unsigned)(SQLP_FROM_DATE | SQLP_TO_DATE));
        /* report_publish switches the activity stage with the reports: on
         * MariaDB before its one COMMIT, on StarRocks per partition */
        bool act_in_pub = false;
        for (int i = 0; i < rpub->nstmts; i++)
            act_in_pub |= strstr(rpub->stmts[i], "tbl_activity_report_") != NULL &&
                          (di == 1 || strstr(rpub->stmts[i], "dynamic_overwrite = true"));
        cr_assert(act_in_pub);
        if (di == 1)
            cr_assert_not_null(strstr(rpub->stmts[rpub->nstmts - 1], "COMMIT"));
        cr_assert_eq(pub->params, (unsigned)(SQLP_FROM_DATE | SQLP_TO_DATE | SQLP_RUN_ID));
        cr_assert_eq(read->ncolumns, 5);
        ddl = step_of(&p, SQLSTEP_DDL);
        int ntables = 0;
        for (int i = 0; i < ddl->nstmts; i++)
            ntables += strstr(ddl->stmts[i], "CREATE TABLE") != NULL &&
                       strstr(ddl->stmts[i], "tbl_activity_") != NULL;
        cr_assert_eq(ntables, 12);
        /* several days due: the active days with the next one are counted
         * per day and next day (wdelta), and the day measures sum those
         * counts; wday keeps a row per user for one day due only */
        int wdelta_writes = 0, delta_sums = 0;
        for (int i = 0; i < stage->nstmts; i++) {
            const char *sq = stage->stmts[i];
            if (strstr(sq, " `abc`.`tbl_activity_wdelta_") && strstr(sq, "LEAD(u.`d`)")) {
                wdelta_writes++;
                cr_assert_not_null(strstr(sq, "COUNT(*)\nFROM ("), "%s", sq);
                cr_assert_not_null(strstr(sq, "GROUP BY t.`a`,"), "%s", sq);
            }
            if (strstr(sq, "-- growth measures of the periods due")) {
                cr_assert_not_null(strstr(sq, "1 * SUM(w.`n`) AS `dd`"), "%s", sq);
                cr_assert_null(strstr(sq, "COUNT(*) AS `dd`"), "%s", sq);
                delta_sums++;
            }
            if (strstr(sq, "INTO `abc`.`tbl_activity_wday_") ||
                strstr(sq, "OVERWRITE `abc`.`tbl_activity_wday_"))
                cr_assert_null(strstr(sq, "next_d"), "%s", sq);
        }
        cr_assert_eq(wdelta_writes, 1);
        cr_assert_eq(delta_sums, 1);
        /* the daily stage: the same stage tables, no wday/wper copies, the
         * week and month from the published report rows */
        const SqlStep *next = step_of(&p, SQLSTEP_ACTIVITY_STAGE_NEXT);
        cr_assert(next && stage < next && next < pub);
        cr_assert_eq(next->params, stage->params);
        int reads_published = 0, wdue_reads = 0;
        for (int i = 0; i < next->nstmts; i++) {
            cr_assert_null(strstr(next->stmts[i], "tbl_activity_wper_"));
            cr_assert_null(strstr(next->stmts[i], "tbl_activity_wday_"));
            /* the day table's users of D come from wdue, written before */
            cr_assert_null(strstr(next->stmts[i], "INTO `abc`.`tbl_activity_wdue_"));
            cr_assert_null(strstr(next->stmts[i], "OVERWRITE `abc`.`tbl_activity_wdue_"));
            for (const char *at = next->stmts[i]; (at = strstr(at, "-- as published the day before")); at++)
                reads_published++;
            wdue_reads += !strstr(next->stmts[i], "TRUNCATE") &&
                          strstr(next->stmts[i], "tbl_activity_wdue_") != NULL;
        }
        cr_assert_eq(wdue_reads, 2); /* rstage and cstage */
        /* the cohort cells: the users entering D's week or month read by
         * their previous active day (MariaDB: that index, forced) */
        bool entering_by_prev = false;
        for (int i = 0; i < next->nstmts; i++)
            entering_by_prev |= strstr(next->stmts[i], "-- retention triangle cells") &&
                                strstr(next->stmts[i], "OR v.`prev_d` < GREATEST(\n") &&
                                (di == 0 || strstr(next->stmts[i], " v FORCE INDEX (`abc_prev_key`)\n"));
        cr_assert(entering_by_prev);
        /* activity_due_users: D's users with their previous active day and
         * first active date, one lookup of the user state each, before
         * activity_state_add merges D (in a new date's fill) */
        const SqlStep *due = step_of(&p, SQLSTEP_ACTIVITY_DUE_USERS);
        cr_assert(due && check < due && due < uadd);
        cr_assert_eq(due->params, (unsigned)(SQLP_TO_DATE | SQLP_RUN_ID));
        int due_writes = 0;
        for (int i = 0; i < due->nstmts; i++) {
            const char *sq = due->stmts[i];
            if (!strstr(sq, "AS `prev_d`"))
                continue;
            due_writes++;
            cr_assert_not_null(strstr(sq, "LEFT JOIN `abc`.`tbl_activity_user_"), "%s", sq);
            cr_assert_not_null(strstr(sq, "COALESCE(s.`first_date`, CAST({{to_date}} AS DATE))"),
                               "%s", sq);
            cr_assert_null(strstr(sq, "GROUP BY"), "%s", sq);
            cr_assert_null(strstr(sq, "ORDER BY"), "%s", sq);
        }
        cr_assert_eq(due_writes, 1);
        /* the day rows, the periods and the cohort cells start from the
         * published rows */
        cr_assert_geq(reads_published, 1);
        /* rstage: one branch over the grains due, reading the published rows
         * once and the users active on D twice (all users, by variation);
         * only a user entering the week or the month looks up the previous
         * period */
        int rstages = 0;
        for (int i = 0; i < next->nstmts; i++) {
            const char *sq = next->stmts[i];
            if (!strstr(sq, "-- growth measures of the periods due"))
                continue;
            rstages++;
            int published = 0, wdue_scans = 0, lookups = 0;
            for (const char *at = sq; (at = strstr(at, "-- as published the day before")); at++)
                published++;
            for (const char *at = sq; (at = strstr(at, "FROM `abc`.`tbl_activity_wdue_")); at++)
                wdue_scans++;
            for (const char *at = sq; (at = strstr(at, "LEFT JOIN `abc`.`tbl_activity_period_")); at++)
                lookups++;
            cr_assert_eq(published, 1, "%s", sq);
            bool by_variation = false;
            for (int ai = 0; ai < with.ir->nactivities; ai++)
                by_variation |= with.ir->activities[ai].by_variation;
            cr_assert_eq(wdue_scans, by_variation ? 2 : 1, "%s", sq);
            /* the previous week's and month's rows, looked up per part */
            cr_assert_eq(lookups, by_variation ? 4 : 2, "%s", sq);
            /* a user's row counted for the day, the week and the month in its
             * columns: grouped per activity (and breakdown), not per grain */
            cr_assert_null(strstr(sq, " due c\n        LEFT JOIN"), "%s", sq);
            cr_assert_not_null(strstr(sq, "CROSS JOIN bounds pd\n"), "%s", sq);
            cr_assert_not_null(strstr(sq, "        GROUP BY v.`a`\n"), "%s", sq);
            /* the first active date from wdue, not from the user state */
            cr_assert_null(strstr(sq, "s.`first_date` >= c.`period`"), "%s", sq);
            cr_assert_not_null(strstr(sq, "due AS (\n    SELECT 'day' AS `grain`"), "%s", sq);
        }
        cr_assert_eq(rstages, 1);
        /* the users leaving the rolling windows, whose last active date is
         * D - 7 or D - 28, not a scan of the user state: on MariaDB read by
         * that date (the user state's (activity, last_date) index), on
         * StarRocks from the day table's two partitions */
        bool leaving = false;
        for (int i = 0; i < next->nstmts; i++)
            leaving |= di == 1 ? strstr(next->stmts[i], "        FROM `abc`.`tbl_activity_user_") &&
                                     strstr(next->stmts[i], "WHERE s.`last_date` IN (")
                               : strstr(next->stmts[i], "AND s.`last_date` = y.`event_date`") &&
                                     strstr(next->stmts[i], "WHERE y.`event_date` IN (");
        cr_assert(leaving);

        char err[256];
        Buf b;
        buf_init(&b);
        SqlParams prm = {.from_date = "2024-02-26", .to_date = "2024-03-05", .run_id = "r1"};
        for (int i = 0; i < pub->nstmts; i++) {
            buf_reset(&b);
            cr_assert_eq(sqlgen_bind(ds[di], pub->stmts[i], &prm, &b, err, sizeof err), ABC_OK, "%s", err);
            if (strncmp(b.data, "DELETE", 6) == 0)
                cr_assert_not_null(strstr(b.data, "`period` >= '2024-02-26' AND `period` <= '2024-03-05'"),
                                   "%s", b.data);
            cr_assert_not_null(strstr(pub->stmts[pub->nstmts - 1], di == 0 ? "INSERT" : "COMMIT"));
            if (di == 0)
                cr_assert_null(strstr(b.data, "DELETE"), "%s", b.data);
        }
        /* the period rows of the weeks and months starting in the range are
         * replaced, on both dialects by a DELETE of that range */
        bool period_delete = false;
        for (int i = 0; i < periods->nstmts; i++) {
            buf_reset(&b);
            cr_assert_eq(sqlgen_bind(ds[di], periods->stmts[i], &prm, &b, err, sizeof err), ABC_OK,
                         "%s", err);
            period_delete |= strncmp(b.data, "DELETE", 6) == 0 &&
                             strstr(b.data, "`period` >= '2024-02-26' AND `period` <= '2024-03-05'");
        }
        cr_assert(period_delete);
        SqlParams sprm = prm;
        sprm.event_date = "2024-03-04";
        bool kept = false, lo28 = false;
        for (int i = 0; i < stage->nstmts; i++) {
            buf_reset(&b);
            cr_assert_eq(sqlgen_bind(ds[di], stage->stmts[i], &sprm, &b, err, sizeof err), ABC_OK,
                         "%s", err);
            kept |= strstr(b.data, "r.`period` < '2024-03-04'") != NULL;
            lo28 |= strstr(b.data, di == 0 ? "days_add('2024-03-04', -28)"
                                           : "DATE_ADD('2024-03-04', INTERVAL (-28) DAY)") != NULL;
        }
        cr_assert(kept && lo28);
        bool day_arith = false;
        for (int i = 0; i < stage->nstmts; i++)
            day_arith |= strstr(stage->stmts[i], di == 0 ? "days_add({{from_date}}, "
                                                         : "DATE_ADD({{from_date}}, INTERVAL (") != NULL;
        cr_assert(day_arith);
        cr_assert_eq(pub->flags[0], di == 0 ? 0u : (unsigned)SQLSTMT_TX_BEGIN);
        buf_free(&b);
        arena_free(&a);
    }
    spec_unit_free(&with);
    spec_unit_free(&without);
}

/* StarRocks cancels a load whose encoded primary key is over 128 bytes:
 * every primary-key table of the programs (with and without activity
 * blocks) bounds its key strings so the longest key fits, and the DDL
 * spells the bounds. */
Test(dialect, starrocks_primary_keys_fit)
{
    static const int widths[] = {SQLGEN_KEY_TAG_BYTES, SQLGEN_KEY_TRACKING_KEY_BYTES,
                                 SQLGEN_KEY_USER_ID_BYTES};
    static const TableCol cols[] = {{"tag", CT_STR64, true, NULL},
                                    {"tracking_key", CT_STR128, true, NULL},
                                    {"user_id", CT_STR128, true, NULL}};
    TableDef t = {.db = "abc", .name = "t", .cols = cols, .ncols = 3, .key = TKEY_PRIMARY,
                  .nkey = 3, .part = TPART_NONE, .dist_col = "tag"};
    cr_expect_eq(starrocks_key_bytes(&t), 258 + 514 + 512);
    t.key_bytes = widths;
    cr_expect_eq(starrocks_key_bytes(&t), 22 + 50 + 56);
    Buf b;
    buf_init(&b);
    dialect_starrocks.create_table(&b, &t);
    cr_expect(strstr(b.data, "`tag` VARCHAR(20) NOT NULL") && strstr(b.data, "`user_id` VARCHAR(56)"),
              "%s", b.data);
    buf_free(&b);

    const char *specs[] = {"specs/engagement.ab", "specs/retention.ab", "tests/integration/run/itest.ab"};
    for (size_t si = 0; si < sizeof specs / sizeof specs[0]; si++) {
        SpecUnit u;
        cr_assert_eq(spec_load(&u, specs[si]), ABC_OK);
        Arena a;
        arena_init(&a);
        SqlProgram p;
        cr_assert_eq(sqlgen_program(u.ir, &dialect_starrocks, &a, &u.diag, &p), ABC_OK);
        int npk = 0;
        for (int i = 0; i < p.ntables; i++) {
            if (p.tables[i].key != TKEY_PRIMARY)
                continue;
            npk++;
            cr_expect(starrocks_key_bytes(&p.tables[i]) <= STARROCKS_KEY_LIMIT, "%s: %s key %d bytes",
                      specs[si], p.tables[i].name, starrocks_key_bytes(&p.tables[i]));
        }
        cr_expect_geq(npk, 6, "%s: %d primary-key tables", specs[si], npk);
        arena_free(&a);
        spec_unit_free(&u);
    }
}
