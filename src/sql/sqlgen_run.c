/* sqlgen_run.c — the runner's own statements, generated like every other
 * step so that reviewers read them in generated/<tag>/<dialect>/ and
 * `abc run --dry-run --sql` shows them bound: the run_state table and its
 * read and upsert, the migration of the wide table (read its columns,
 * ALTER TABLE adding the missing ones, record the schema version), and the
 * source fingerprints that decide which past dates a run re-fills (read
 * the recorded ones, scan the sources' rows and checksum per date, record
 * those of the dates filled).
 * Runtime values (dates, times, the migration's version and name) enter
 * only through {{values}} rows, quoted by the dialect at bind time. */
#include "sqlgen_int.h"
#include "dialect_common.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const TableCol state_cols[] = {
    {"tag", CT_STR64, true, "spec tag"},
    {"last_date", CT_DATE, false, "last event date processed by a successful run"},
    {"first_date", CT_DATE, false, "first event date of the phase window"},
    {"spec_hash", CT_STR16, false, NULL},
    {"abc_version", CT_STR32, false, NULL},
    {"updated_at", CT_DATETIME, false, NULL},
};

const char *const SQLGEN_STATE_COLUMNS[] = {"tag", "last_date", "first_date", "spec_hash",
                                            "abc_version", "updated_at"};
const int SQLGEN_STATE_NCOLUMNS = NELEM(SQLGEN_STATE_COLUMNS);

const char *const SQLGEN_MIGRATION_COLUMNS[] = {"tag", "version", "name", "applied_at",
                                                "abc_version"};
const int SQLGEN_MIGRATION_NCOLUMNS = NELEM(SQLGEN_MIGRATION_COLUMNS);

static const TableCol fprint_cols[] = {
    {"tag", CT_STR64, true, "spec tag"},
    {"source", CT_STR64, true, "the spec's source name"},
    {"event_date", CT_DATE, true, "a date of the source's rows"},
    {"row_count", CT_BIGINT, false, "the source's rows of that date when it was last filled"},
    {"checksum", CT_BIGINT, false, "sum of a hash of the columns the spec reads, over those rows"},
    {"recorded_at", CT_DATETIME, false, "UTC"},
};

const char *const SQLGEN_FPRINT_COLUMNS[] = {"tag", "source", "event_date", "row_count",
                                             "checksum", "recorded_at"};
const int SQLGEN_FPRINT_NCOLUMNS = NELEM(SQLGEN_FPRINT_COLUMNS);

void gen_fprint_table(Gen *g)
{
    TableDef *t = &g->tables[T_FPRINT];
    t->db = g->tables[T_STATE].db;
    t->name = "source_fingerprint";
    t->cols = fprint_cols;
    t->ncols = NELEM(fprint_cols);
    t->key = TKEY_PRIMARY;
    t->nkey = 3;
    t->part = TPART_NONE;
    t->part_col = NULL;
    t->dist_col = "tag";
    t->comment = "abc: per tag, source and date, the rows a fill read (late data detection)";
}

void gen_state_table(Gen *g)
{
    TableDef *t = &g->tables[T_STATE];
    t->cols = state_cols;
    t->ncols = NELEM(state_cols);
    t->key = TKEY_PRIMARY;
    t->nkey = 1;
    t->part = TPART_NONE;
    t->part_col = NULL;
    t->dist_col = "tag";
    t->comment = "abc: dates done per tag, for incremental runs";
}

/* SELECT <cols> (quoted; or, when agg is given, agg(<the one column>) AS
 * it) FROM db.table WHERE <col> = '<value>' [AND ...]: pred holds pairs of
 * column and string value. */
static void select_where(Gen *g, Buf *b, const char *const *cols, int ncols, const char *agg,
                         const char *db, const char *table, const char *const *pred, int npred)
{
    buf_puts(b, "SELECT");
    for (int i = 0; i < ncols; i++) {
        buf_puts(b, i ? ",\n    " : "\n    ");
        if (agg) {
            buf_printf(b, "%s(", agg);
            gen_id(g, b, cols[i]);
            buf_puts(b, ") AS ");
        }
        gen_id(g, b, cols[i]);
    }
    buf_puts(b, "\nFROM ");
    dialect_qualified(g->d, b, db, table);
    for (int i = 0; i < npred; i += 2) {
        buf_puts(b, i ? "\n  AND " : "\nWHERE ");
        gen_id(g, b, pred[i]);
        buf_puts(b, " = ");
        gen_str(g, b, pred[i + 1]);
    }
}

/* A load step of one {{values}} row into table t. */
static SqlStep *load_step(Gen *g, SqlStepKind kind, const char *name, const char *summary, int t,
                          WriteMode mode, const char *const *cols, int ncols, const char *comment)
{
    SqlStep *s = gen_step(g, kind, name, summary);
    s->params = SQLP_VALUES;
    s->load_table = arena_printf(g->a, "%s.%s", g->tables[t].db, g->tables[t].name);
    s->load_columns = cols;
    s->nload_columns = ncols;
    WriteSpec w = {.mode = mode, .table = &g->tables[t], .comment = comment, .cols = cols,
                   .ncols = ncols, .body = "VALUES {{values}}"};
    SqlStmts st;
    sql_stmts_init(&st, g->a);
    g->d->write(&st, &w);
    gen_push_stmts(g, s, &st);
    return s;
}

/* The ALTER TABLE adding cols to the wide table (one schema change). */
static void push_alter(Gen *g, SqlStep *s, int t, const TableCol *cols, int n)
{
    if (n == 0)
        return;
    Buf b;
    buf_init(&b);
    g->d->add_columns(&b, &g->tables[t], cols, n);
    gen_push(g, s, &b);
    buf_free(&b);
}

void gen_runstate(Gen *g)
{
    Buf b;
    buf_init(&b);
    const char *tag_pred[] = {"tag", g->ir->tag};

    SqlStep *s = gen_step(g, SQLSTEP_STATE_READ, "state_read",
                          "the tag's last successful run (first, before anything is written)");
    static const char *const read_cols[] = {"last_date", "spec_hash", "abc_version"};
    s->columns = gen_columns(g, read_cols, NELEM(read_cols));
    s->ncolumns = NELEM(read_cols);
    select_where(g, &b, read_cols, NELEM(read_cols), NULL, g->tables[T_STATE].db,
                 g->tables[T_STATE].name, tag_pred, 2);
    gen_push(g, s, &b);

    bool segs = g->ir->nsegments > 0;
    s = gen_step(g, SQLSTEP_MIGRATE_COLUMNS, "migrate_columns",
                 segs ? "the columns of the wide table and of experiment_assignment in the "
                        "warehouse (after ddl; none: a new table)"
                      : "the wide table's columns in the warehouse (after ddl; none: a new table)");
    static const char *const col_cols[] = {"TABLE_NAME", "COLUMN_NAME"};
    s->columns = gen_columns(g, col_cols, 2);
    s->ncolumns = 2;
    buf_reset(&b);
    const char *wide_pred[] = {"TABLE_SCHEMA", g->tables[T_WIDE].db, "TABLE_NAME",
                               g->tables[T_WIDE].name};
    select_where(g, &b, col_cols, 2, NULL, "information_schema", "COLUMNS", wide_pred, 4);
    if (segs) {
        /* the assignment table is shared: the segment columns of this spec */
        buf_puts(&b, "\n   OR ");
        buf_puts(&b, "(");
        gen_id(g, &b, "TABLE_SCHEMA");
        buf_puts(&b, " = ");
        gen_str(g, &b, g->tables[T_ASSIGN].db);
        buf_puts(&b, " AND ");
        gen_id(g, &b, "TABLE_NAME");
        buf_puts(&b, " = ");
        gen_str(g, &b, g->tables[T_ASSIGN].name);
        buf_puts(&b, ")");
    }
    gen_push(g, s, &b);

    /* the file shows the columns a spec change can add: the metric
     * components `<metric>__<part>` (and retired ones); the runner sends
     * the same ALTER with only the columns the table lacks */
    s = gen_step(g, SQLSTEP_MIGRATE_WIDE, "migrate_wide",
                 segs ? "when the wide table or experiment_assignment lacks columns of the spec: "
                        "add them (the runner sends only the missing ones; shown: every metric "
                        "and segment column)"
                      : "when the wide table lacks columns of the spec: add them (the runner sends "
                        "only the missing ones; shown: every metric column)");
    const TableDef *w = &g->tables[T_WIDE];
    TableCol *metric_cols = arena_alloc(g->a, (size_t)(w->ncols + 1) * sizeof *metric_cols);
    int n = 0;
    for (int i = 0; i < w->ncols; i++)
        if (strstr(w->cols[i].name, "__"))
            metric_cols[n++] = w->cols[i];
    push_alter(g, s, T_WIDE, metric_cols, n);
    const TableDef *at = &g->tables[T_ASSIGN];
    push_alter(g, s, T_ASSIGN, at->cols + at->ncols - 1 - g->ir->nsegments, g->ir->nsegments);

    s = gen_step(g, SQLSTEP_MIGRATE_VERSION, "migrate_version",
                 "after migrate_wide: the tag's latest recorded schema version (NULL: none, i.e. 1)");
    static const char *const ver_cols[] = {"version"};
    s->columns = gen_columns(g, ver_cols, 1);
    s->ncolumns = 1;
    buf_reset(&b);
    select_where(g, &b, ver_cols, 1, "MAX", g->tables[T_MIGRATIONS].db,
                 g->tables[T_MIGRATIONS].name, tag_pred, 2);
    gen_push(g, s, &b);

    load_step(g, SQLSTEP_MIGRATE_RECORD, "migrate_record",
              "after migrate_version: record the schema version the migration reached "
              "({{values}}: one row)",
              T_MIGRATIONS, WRITE_APPEND, SQLGEN_MIGRATION_COLUMNS, SQLGEN_MIGRATION_NCOLUMNS,
              "abc schema migration of the wide table");
    load_step(g, SQLSTEP_STATE_WRITE, "state_write",
              "last, after the report is published: the tag's run state ({{values}}: one row)",
              T_STATE, WRITE_UPSERT, SQLGEN_STATE_COLUMNS, SQLGEN_STATE_NCOLUMNS, "abc run state");
    buf_free(&b);
}

/* ---- source fingerprints ---------------------------------------------------- */

void gen_row_hash(Gen *g, Buf *b, int source)
{
    bool mdb = g->d->id == DIALECT_MARIADB;
    buf_puts(b, mdb ? "CRC32(CONCAT_WS('|'" : "murmur_hash3_32(CONCAT_WS('|'");
    for (int i = 0; i < g->nsource_cols; i++) {
        if (g->source_cols[i].source != source)
            continue;
        buf_puts(b, mdb ? ", " : ", CAST(");
        gen_col(g, b, "s", g->source_cols[i].column);
        if (!mdb)
            buf_puts(b, " AS VARCHAR)");
    }
    buf_puts(b, "))");
}

static bool source_fingerprinted(const IrSpec *ir, const SqlSourceCol *cols, int ncols, int source)
{
    const IrSource *so = &ir->sources[source];
    if (so->is_user_table || !so->date_col)
        return false;
    for (int i = 0; i < ncols; i++)
        if (cols[i].source == source)
            return true;
    return false;
}

bool sqlgen_fprint_source(const SqlProgram *p, int source)
{
    return source_fingerprinted(p->ir, p->source_cols, p->nsource_cols, source);
}

bool gen_fprint_source(const Gen *g, int source)
{
    return source_fingerprinted(g->ir, g->source_cols, g->nsource_cols, source);
}

int gen_fprint_exposure_stmt(const Gen *g)
{
    int e = g->ir->exposure.source;
    if (!gen_fprint_source(g, e))
        return -1;
    int k = 0;
    for (int src = 0; src < e; src++)
        k += gen_fprint_source(g, src);
    return k;
}

static void fprint_result(Gen *g, SqlStep *s)
{
    static const char *const cols[] = {"source", "event_date", "row_count", "checksum"};
    s->columns = gen_columns(g, cols, NELEM(cols));
    s->ncolumns = NELEM(cols);
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
}

void gen_fingerprint(Gen *g)
{
    const IrSpec *ir = g->ir;
    Buf b;
    buf_init(&b);
    SqlStep *s = gen_step(g, SQLSTEP_FPRINT_READ, "fingerprint_read",
                          "after state_read, on an incremental run: the source fingerprints "
                          "recorded for the dates of the late-data horizon");
    fprint_result(g, s);
    buf_puts(&b, "SELECT");
    for (int i = 1; i <= 4; i++) {
        buf_puts(&b, i > 1 ? ",\n    " : "\n    ");
        gen_id(g, &b, SQLGEN_FPRINT_COLUMNS[i]);
    }
    buf_puts(&b, "\nFROM ");
    gen_table(g, &b, T_FPRINT);
    buf_puts(&b, "\nWHERE ");
    gen_tag_pred(g, &b, NULL);
    buf_puts(&b, "\n  AND ");
    gen_id(g, &b, "event_date");
    buf_puts(&b, " >= {{from_date}} AND ");
    gen_id(g, &b, "event_date");
    buf_puts(&b, " <= {{to_date}}");
    gen_push(g, s, &b);

    /* one statement per dated source the spec reads: a GROUP BY on its
     * date column (on StarRocks the partition column, so each date is
     * one partition's scan) */
    s = gen_step(g, SQLSTEP_FPRINT_SCAN, "fingerprint_scan",
                 "before the fill: per source table and date of the horizon and the dates "
                 "due, its rows and checksum now (a date without rows: none); the exposure "
                 "source's dates due are exposure_keys' pass, so its statement reads the "
                 "horizon only");
    fprint_result(g, s);
    for (int src = 0; src < ir->nsources; src++) {
        const IrSource *so = &ir->sources[src];
        if (!gen_fprint_source(g, src))
            continue;
        buf_reset(&b);
        buf_puts(&b, "SELECT\n    ");
        gen_str(g, &b, so->name);
        buf_puts(&b, " AS ");
        gen_id(g, &b, "source");
        buf_puts(&b, ",\n    ");
        gen_col(g, &b, "s", so->date_col);
        buf_puts(&b, " AS ");
        gen_id(g, &b, "event_date");
        buf_puts(&b, ",\n    COUNT(*) AS ");
        gen_id(g, &b, "row_count");
        buf_puts(&b, ",\n    ");
        size_t item = b.len;
        buf_puts(&b, "SUM(");
        gen_row_hash(g, &b, src);
        buf_puts(&b, ") AS ");
        gen_id(g, &b, "checksum");
        sql_wrap(&b, item);
        buf_puts(&b, "\nFROM ");
        dialect_qualified(g->d, &b, so->database, so->table);
        buf_puts(&b, " s\nWHERE ");
        gen_col(g, &b, "s", so->date_col);
        buf_puts(&b, " >= {{from_date}} AND ");
        gen_col(g, &b, "s", so->date_col);
        buf_puts(&b, " <= {{to_date}}\nGROUP BY ");
        gen_col(g, &b, "s", so->date_col);
        gen_push(g, s, &b);
    }

    load_step(g, SQLSTEP_FPRINT_WRITE, "fingerprint_write",
              "after the fill: the fingerprints fingerprint_scan read, for every source and "
              "date filled (0 rows where it found none; {{values}}: the rows)",
              T_FPRINT, WRITE_UPSERT, SQLGEN_FPRINT_COLUMNS, SQLGEN_FPRINT_NCOLUMNS,
              "abc source fingerprints");
    buf_free(&b);
}

/* The columns of t (from `first` on, n of them) that the present columns
 * of t lack; nothing when t has no present column (a new table). */
static int missing_of(const TableDef *t, int first, int n, const char *const *tables,
                      const char *const *present, int npresent, TableCol *missing)
{
    bool exists = false;
    for (int k = 0; k < npresent && !exists; k++)
        exists = strcasecmp(tables[k], t->name) == 0;
    if (!exists)
        return 0;
    int m = 0;
    for (int i = first; i < first + n; i++) {
        bool have = false;
        for (int k = 0; k < npresent && !have; k++)
            have = strcasecmp(tables[k], t->name) == 0 &&
                   strcasecmp(present[k], t->cols[i].name) == 0;
        if (!have)
            missing[m++] = t->cols[i];
    }
    return m;
}

int sqlgen_migrate_wide(const SqlProgram *p, const char *const *tables, const char *const *present,
                        int npresent, Arena *a, SqlStep *out, int added[2])
{
    const TableDef *w = p->wide, *as = p->assign;
    int nseg = p->ir->nsegments;
    TableCol *missing = arena_alloc(a, (size_t)(w->ncols + 1) * sizeof *missing);
    TableCol *amissing = arena_alloc(a, (size_t)(nseg + 1) * sizeof *amissing);
    int n = missing_of(w, 0, w->ncols, tables, present, npresent, missing);
    int na = as && nseg ? missing_of(as, as->ncols - 1 - nseg, nseg, tables, present, npresent,
                                     amissing)
                        : 0;
    added[0] = n;
    added[1] = na;
    if (n + na == 0)
        return 0;
    const SqlStep *tmpl = NULL;
    for (int i = 0; i < p->nsteps; i++)
        if (p->steps[i].kind == SQLSTEP_MIGRATE_WIDE)
            tmpl = &p->steps[i];
    memset(out, 0, sizeof *out);
    if (tmpl)
        *out = *tmpl;
    out->kind = SQLSTEP_MIGRATE_WIDE;
    out->name = "migrate_wide";
    out->metric = -1;
    Buf b;
    buf_init(&b);
    const char **stmts = arena_alloc(a, 2 * sizeof *stmts);
    unsigned *flags = arena_alloc(a, 2 * sizeof *flags);
    out->nstmts = 0;
    if (n) {
        p->dialect->add_columns(&b, w, missing, n);
        stmts[out->nstmts] = arena_strndup(a, b.data, b.len);
        flags[out->nstmts++] = 0;
    }
    if (na) {
        buf_reset(&b);
        p->dialect->add_columns(&b, as, amissing, na);
        stmts[out->nstmts] = arena_strndup(a, b.data, b.len);
        flags[out->nstmts++] = 0;
    }
    out->stmts = stmts;
    out->flags = flags;
    buf_free(&b);
    return n + na;
}
