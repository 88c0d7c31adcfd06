/* sqlgen_report.c — writing results: the runner computes the statistics in
 * C and loads its result rows into the tag's stage table; publishing then
 * replaces, atomically, the tag's report rows, its dashboard rows and one
 * analysis date of the daily table from the stage.
 *   StarRocks: INSERT OVERWRITE ... PARTITION (`tag` = '<tag>') — one
 *              atomic partition swap per table; the daily table is
 *              partitioned by (tag, analysis_date), so a daily table
 *              that several tags name loses only this tag's rows.
 *   MariaDB:   DELETE + INSERT inside InnoDB transactions; the report and
 *              dashboard rows of the latest date share one transaction, so
 *              a failure leaves both on the previous run. */
#include "sqlgen_int.h"

/* The write that replaces `table`'s rows with part_col = part_value by
 * the staged results of {{analysis_date}}; the SELECT lands in body. */
static WriteSpec publish_spec(Gen *g, Buf *body, int table, const char *part_col,
                              const char *part_value, const char *label, const char *comment)
{
    buf_puts(body, "SELECT\n    ");
    for (int i = 0; i < SQLGEN_REPORT_NCOLUMNS; i++) {
        if (i)
            buf_puts(body, ",\n    ");
        gen_id(g, body, SQLGEN_REPORT_COLUMNS[i]);
    }
    buf_puts(body, "\nFROM ");
    gen_table(g, body, T_STAGE);
    buf_puts(body, "\nWHERE ");
    gen_tag_pred(g, body, NULL);
    buf_puts(body, "\n  AND `analysis_date` = {{analysis_date}}");
    return (WriteSpec){.mode = WRITE_REPLACE_PART, .table = &g->tables[table], .part_col = part_col,
                       .part_value = part_value, .label = gen_label(g, label), .comment = comment,
                       .cols = SQLGEN_REPORT_COLUMNS, .ncols = SQLGEN_REPORT_NCOLUMNS,
                       .body = body->data};
}

void gen_report(Gen *g)
{
    Buf b, tag;
    buf_init(&b);
    buf_init(&tag);
    gen_str(g, &tag, g->ir->tag);

    SqlStep *s = gen_step(g, SQLSTEP_REPORT_STAGE, "report_stage",
                          "clear the tag's stage rows before loading new results");
    Buf where;
    buf_init(&where);
    gen_tag_pred(g, &where, NULL);
    g->d->delete_where(&b, &g->tables[T_STAGE], where.data);
    gen_push(g, s, &b);
    buf_free(&where);

    s = gen_step(g, SQLSTEP_REPORT_LOAD, "report_load",
                 "load result rows into the stage ({{values}}; repeat per batch)");
    s->params = SQLP_VALUES | SQLP_RUN_ID;
    WriteSpec w = {.mode = WRITE_APPEND, .table = &g->tables[T_STAGE],
                   .label = gen_label(g, "report_load"), .comment = "result rows of this run",
                   .cols = SQLGEN_REPORT_COLUMNS, .ncols = SQLGEN_REPORT_NCOLUMNS,
                   .body = "VALUES {{values}}"};
    SqlStmts st;
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    buf_reset(&b);
    gen_table(g, &b, T_STAGE);
    s->load_table = arena_strdup(g->a, b.data);
    s->load_columns = SQLGEN_REPORT_COLUMNS;
    s->nload_columns = SQLGEN_REPORT_NCOLUMNS;

    s = gen_step(g, SQLSTEP_REPORT_PUBLISH, "report_publish",
                 g->d->id == DIALECT_MARIADB
                     ? "replace the tag's report rows and dashboard rows with the staged results "
                       "of {{analysis_date}} (the latest date), both in one transaction"
                     : "replace the tag's report rows and dashboard rows with the staged results "
                       "of {{analysis_date}} (the latest date), atomically per table");
    s->params = SQLP_ANALYSIS_DATE | SQLP_RUN_ID;
    Buf rb, db;
    buf_init(&rb);
    buf_init(&db);
    WriteSpec all[4] = {
        publish_spec(g, &rb, T_REPORT, "tag", tag.data, "report", "latest results of the tag"),
        publish_spec(g, &db, T_DASHBOARD, "tag", tag.data, "dashboard",
                     "the tag's rows of the dashboard table")};
    /* growth analytics: the activity stage switches with the reports */
    int nall = 2 + gen_activity_swap(g, all + 2);
    if (nall > 2) {
        s->params |= SQLP_FROM_DATE | SQLP_TO_DATE;
        s->summary = arena_printf(g->a, "%s; also the growth report and cohort rows of "
                                        "[{{from_date}}, {{to_date}}] from the activity stage",
                                  s->summary);
    }
    sql_stmts_init(&st, g->a);
    g->d->write_together(&st, all, nall);
    gen_push_stmts(g, s, &st);
    buf_free(&rb);
    buf_free(&db);

    s = gen_step(g, SQLSTEP_DAILY_PUBLISH, "daily_publish",
                 "replace the tag's rows of {{analysis_date}} in the daily table with the staged "
                 "results of that date (once per analysis date)");
    s->params = SQLP_ANALYSIS_DATE | SQLP_RUN_ID;
    Buf dayb;
    buf_init(&dayb);
    WriteSpec day = publish_spec(g, &dayb, T_DAILY, "analysis_date", "{{analysis_date}}", "daily",
                                 "results as of {{analysis_date}}");
    day.tag_value = tag.data; /* a daily table may be shared: only this tag's rows */
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &day);
    gen_push_stmts(g, s, &st);
    buf_free(&dayb);
    buf_free(&b);
    buf_free(&tag);
}
