/* sqlgen_guard.c — the statements that keep a run from losing or hiding
 * data, generated like every other step (generated/<tag>/<dialect>/,
 * `abc run --dry-run --sql`):
 *
 *   preflight   every source table and column the spec reads, as the
 *               warehouse's information_schema lists them (before the
 *               first write; the runner names what is missing);
 *   exposure_keys  in one pass over the exposure source's rows of the
 *               due dates, per date: the exposure rows with a NULL user,
 *               experiment or variation key (the assignment skips them,
 *               the run reports how many: a data-quality note), those whose
 *               user id is longer than the StarRocks primary keys hold (the
 *               run stops), and the source's fingerprint of the date (its
 *               rows and checksum, as fingerprint_scan reads them: that
 *               scan then reads only the late-data horizon of this source);
 *   lock_*      a per-tag lease in abc.run_lock (tag, owner, host, pid,
 *               expires_at, taken_at) held for the whole run: lock_take
 *               drops an expired lease and inserts this run's unless one
 *               exists (MariaDB INSERT IGNORE on the primary key; StarRocks
 *               an upsert the runner guards by reading before and after),
 *               lock_read reads the holder, lock_release deletes this run's
 *               lease.  The owner is the run's {{run_id}};
 *   owner_*     the tag that owns each table several specs could name (the
 *               wide and the daily table) in abc.table_owner (table_name,
 *               tag, claimed_at): owner_read lists their owners, owner_claim
 *               records this tag for those without one (MariaDB INSERT
 *               IGNORE on the primary key; StarRocks an upsert the runner
 *               guards by reading before and after). */
#include "sqlgen_int.h"
#include "dialect_common.h"

#include <string.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const TableCol lock_cols[] = {
    {"tag", CT_STR64, true, "spec tag"},
    {"owner", CT_STR64, false, "the run holding the lease (its run id)"},
    {"host", CT_STR255, false, "host of that run"},
    {"pid", CT_BIGINT, false, "process id of that run"},
    {"expires_at", CT_DATETIME, false, "UTC; an expired lease is taken over"},
    {"taken_at", CT_DATETIME, false, "UTC"},
};

const char *const SQLGEN_LOCK_COLUMNS[] = {"tag", "owner", "host", "pid", "expires_at", "taken_at"};
const int SQLGEN_LOCK_NCOLUMNS = NELEM(SQLGEN_LOCK_COLUMNS);

void gen_lock_table(Gen *g)
{
    TableDef *t = &g->tables[T_LOCK];
    t->db = g->tables[T_STATE].db;
    t->name = "run_lock";
    t->cols = lock_cols;
    t->ncols = NELEM(lock_cols);
    t->key = TKEY_PRIMARY;
    t->nkey = 1;
    t->part = TPART_NONE;
    t->part_col = NULL;
    t->dist_col = "tag";
    t->comment = "abc: one run per tag at a time (a lease)";
}

static const TableCol owner_cols[] = {
    {"table_name", CT_STR128, true, "database.table"},
    {"tag", CT_STR64, true, "the tag whose runs write the table"},
    {"claimed_at", CT_DATETIME, false, "UTC, when the claim was recorded"},
};

const char *const SQLGEN_OWNER_COLUMNS[] = {"table_name", "tag", "claimed_at"};
const int SQLGEN_OWNER_NCOLUMNS = NELEM(SQLGEN_OWNER_COLUMNS);

void gen_owner_table(Gen *g)
{
    TableDef *t = &g->tables[T_OWNER];
    t->db = g->tables[T_STATE].db;
    t->name = "table_owner";
    t->cols = owner_cols;
    t->ncols = NELEM(owner_cols);
    t->key = TKEY_PRIMARY;
    t->nkey = 1;
    t->part = TPART_NONE;
    t->part_col = NULL;
    t->dist_col = "table_name";
    t->comment = "abc: the tag that owns a wide or daily table (one tag per table)";
}

/* ---- preflight ------------------------------------------------------------- */

static void add_col(Gen *g, SqlSourceCol **cols, int *n, int *cap, int source, const char *col)
{
    if (!col || source < 0 || source >= g->ir->nsources)
        return;
    for (int i = 0; i < *n; i++)
        if ((*cols)[i].source == source && strcmp((*cols)[i].column, col) == 0)
            return;
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 32;
        SqlSourceCol *p = arena_alloc(g->a, (size_t)nc * sizeof *p);
        if (*n)
            memcpy(p, *cols, (size_t)*n * sizeof *p);
        *cols = p;
        *cap = nc;
    }
    const IrSource *s = &g->ir->sources[source];
    (*cols)[(*n)++] = (SqlSourceCol){source, s->database, s->table, col};
}

static void add_cond(Gen *g, SqlSourceCol **cols, int *n, int *cap, int source, const IrCond *c)
{
    if (!c)
        return;
    if (c->column)
        add_col(g, cols, n, cap, source,
                c->column->kind == W_QNAME ? c->column->text2 : c->column->text);
    add_cond(g, cols, n, cap, source, c->lhs);
    add_cond(g, cols, n, cap, source, c->rhs);
}

static void add_set(Gen *g, SqlSourceCol **cols, int *n, int *cap, const IrEventSet *set)
{
    if (set->source < 0)
        return;
    const IrSource *s = &g->ir->sources[set->source];
    add_col(g, cols, n, cap, set->source, s->user_col);
    add_col(g, cols, n, cap, set->source, s->time_col);
    add_col(g, cols, n, cap, set->source, s->date_col);
    add_cond(g, cols, n, cap, set->source, s->filter);
    add_cond(g, cols, n, cap, set->source, set->filter);
}

/* Every (source table, column) the spec reads, in spec order. */
static SqlSourceCol *source_columns(Gen *g, int *out_n)
{
    const IrSpec *ir = g->ir;
    SqlSourceCol *cols = NULL;
    int n = 0, cap = 0;
    const IrExposure *e = &ir->exposure;
    IrEventSet ex = {e->source, e->filter};
    add_set(g, &cols, &n, &cap, &ex);
    add_col(g, &cols, &n, &cap, e->source, e->experiment_col);
    add_col(g, &cols, &n, &cap, e->source, e->variation_col);
    if (e->has_activation)
        add_set(g, &cols, &n, &cap, &e->activation);
    for (int i = 0; i < ir->nsegments; i++) {
        const IrSegment *sg = &ir->segments[i];
        int src = sg->from == SEG_USER_TABLE ? sg->source : e->source;
        if (sg->from == SEG_USER_TABLE)
            add_col(g, &cols, &n, &cap, src, ir->sources[src].user_col);
        add_col(g, &cols, &n, &cap, src, sg->column);
    }
    for (int m = 0; m < ir->nmetrics; m++) {
        const IrMetric *mt = &ir->metrics[m];
        add_set(g, &cols, &n, &cap, &mt->set);
        add_col(g, &cols, &n, &cap, mt->set.source, mt->value_col);
        for (int k = 0; k < mt->nsteps; k++)
            add_set(g, &cols, &n, &cap, &mt->steps[k]);
    }
    for (int i = 0; i < ir->nactivities; i++)
        add_set(g, &cols, &n, &cap, &ir->activities[i].active);
    *out_n = n;
    return cols;
}

static void gen_preflight(Gen *g)
{
    SqlStep *s = gen_step(g, SQLSTEP_PREFLIGHT, "preflight",
                          "the source tables' columns the spec reads, from information_schema "
                          "(before the first write; the runner names any that is missing)");
    static const char *const cols[] = {"TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME"};
    s->columns = gen_columns(g, cols, NELEM(cols));
    s->ncolumns = NELEM(cols);
    int n = 0;
    SqlSourceCol *sc = source_columns(g, &n);
    g->source_cols = sc;
    g->nsource_cols = n;
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT\n");
    dialect_ident_lines(g->d, &b, NULL, cols, NELEM(cols), "    ");
    buf_puts(&b, "\nFROM ");
    dialect_qualified(g->d, &b, "information_schema", "COLUMNS");
    buf_puts(&b, "\nWHERE ");
    int nt = 0;
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int k = 0; k < i && !seen; k++)
            seen = sc[k].source == sc[i].source;
        if (seen)
            continue;
        buf_puts(&b, nt++ ? "\n   OR " : "");
        size_t at = b.len;
        buf_puts(&b, "(");
        gen_id(g, &b, "TABLE_SCHEMA");
        buf_puts(&b, " = ");
        if (sc[i].database)
            gen_str(g, &b, sc[i].database);
        else
            buf_puts(&b, "DATABASE()");
        buf_puts(&b, " AND ");
        gen_id(g, &b, "TABLE_NAME");
        buf_puts(&b, " = ");
        gen_str(g, &b, sc[i].table);
        buf_puts(&b, " AND ");
        gen_id(g, &b, "COLUMN_NAME");
        buf_puts(&b, " IN (");
        int nc = 0;
        for (int k = i; k < n; k++) {
            if (sc[k].source != sc[i].source)
                continue;
            if (nc++)
                buf_puts(&b, ", ");
            gen_str(g, &b, sc[k].column);
        }
        buf_puts(&b, "))");
        sql_wrap(&b, at);
    }
    if (nt == 0)
        buf_puts(&b, "1 = 0");
    gen_push(g, s, &b);
    buf_free(&b);
}

/* ---- the per-tag lease ------------------------------------------------------------ */

static void lock_pred(Gen *g, Buf *b)
{
    buf_puts(b, "\nWHERE ");
    gen_tag_pred(g, b, NULL);
}

static void gen_lock(Gen *g)
{
    const TableDef *t = &g->tables[T_LOCK];
    Buf b;
    buf_init(&b);

    SqlStep *s = gen_step(g, SQLSTEP_LOCK_READ, "lock_read",
                          "the tag's lease: who holds it and until when (before and after "
                          "lock_take)");
    static const char *const read_cols[] = {"owner", "host", "pid", "expires_at", "expired"};
    s->columns = gen_columns(g, read_cols, NELEM(read_cols));
    s->ncolumns = NELEM(read_cols);
    buf_puts(&b, "SELECT\n");
    dialect_ident_lines(g->d, &b, NULL, read_cols, 4, "    ");
    buf_puts(&b, ",\n    CASE WHEN ");
    gen_id(g, &b, "expires_at");
    buf_puts(&b, " < UTC_TIMESTAMP() THEN 1 ELSE 0 END AS ");
    gen_id(g, &b, "expired");
    buf_puts(&b, "\nFROM ");
    gen_table(g, &b, T_LOCK);
    lock_pred(g, &b);
    gen_push(g, s, &b);

    s = gen_step(g, SQLSTEP_LOCK_TAKE, "lock_take",
                 "first, before the run state is read: create the lease table if missing, "
                 "drop the tag's expired lease, insert this run's unless the tag has one "
                 "({{values}}: one row)");
    s->params = SQLP_VALUES;
    s->load_table = arena_printf(g->a, "%s.%s", t->db, t->name);
    s->load_columns = SQLGEN_LOCK_COLUMNS;
    s->nload_columns = SQLGEN_LOCK_NCOLUMNS;
    if (g->d->id == DIALECT_MARIADB) {
        buf_reset(&b);
        buf_puts(&b, "CREATE DATABASE IF NOT EXISTS ");
        gen_id(g, &b, t->db);
        gen_push(g, s, &b);
    }
    buf_reset(&b);
    g->d->create_table(&b, t);
    gen_push(g, s, &b);
    buf_reset(&b);
    buf_puts(&b, "DELETE FROM ");
    gen_table(g, &b, T_LOCK);
    lock_pred(g, &b);
    buf_puts(&b, " AND ");
    gen_id(g, &b, "expires_at");
    buf_puts(&b, " < UTC_TIMESTAMP()");
    gen_push(g, s, &b);
    buf_reset(&b);
    /* MariaDB: the primary key decides between two runs (INSERT IGNORE keeps
     * the lease that is there); StarRocks has no such insert: the runner
     * reads the lease before (held: stop) and after (another owner won:
     * stop) */
    buf_puts(&b, g->d->id == DIALECT_MARIADB ? "INSERT IGNORE INTO " : "INSERT INTO ");
    gen_table(g, &b, T_LOCK);
    buf_puts(&b, " (\n");
    dialect_ident_lines(g->d, &b, NULL, SQLGEN_LOCK_COLUMNS, SQLGEN_LOCK_NCOLUMNS, "    ");
    buf_puts(&b, "\n)\nVALUES {{values}}");
    gen_push(g, s, &b);

    s = gen_step(g, SQLSTEP_LOCK_RELEASE, "lock_release",
                 "last, after a run that took the lease (also after a failure): delete this "
                 "run's lease");
    s->params = SQLP_RUN_ID;
    buf_reset(&b);
    buf_puts(&b, "DELETE FROM ");
    gen_table(g, &b, T_LOCK);
    lock_pred(g, &b);
    buf_puts(&b, " AND ");
    gen_id(g, &b, "owner");
    buf_puts(&b, " = '{{run_id}}'");
    gen_push(g, s, &b);
    buf_free(&b);
}

void gen_guard(Gen *g)
{
    gen_preflight(g);
    gen_lock(g);
}

/* ---- the owners of the tables several specs could name --------------------------- */

void gen_owner(Gen *g)
{
    Buf b;
    buf_init(&b);
    SqlStep *s = gen_step(g, SQLSTEP_OWNER_READ, "owner_read",
                          "the tags that own the wide and the daily table (another tag: the run "
                          "stops before writing)");
    static const char *const read_cols[] = {"table_name", "tag"};
    s->columns = gen_columns(g, read_cols, NELEM(read_cols));
    s->ncolumns = NELEM(read_cols);
    buf_puts(&b, "SELECT ");
    gen_id(g, &b, "table_name");
    buf_puts(&b, ", ");
    gen_id(g, &b, "tag");
    buf_puts(&b, "\nFROM ");
    gen_table(g, &b, T_OWNER);
    buf_puts(&b, "\nWHERE ");
    gen_id(g, &b, "table_name");
    buf_puts(&b, " IN (");
    const int mine[] = {T_WIDE, T_DAILY};
    for (int i = 0; i < NELEM(mine); i++) {
        const TableDef *t = &g->tables[mine[i]];
        const char *name = arena_printf(g->a, "%s.%s", t->db, t->name);
        if (strlen(name) > SQLGEN_KEY_TABLE_NAME_BYTES)
            gen_error(g, (SrcLoc){0, 0},
                      "the table name %s is %zu bytes long: abc.table_owner records names of at "
                      "most %d bytes (the StarRocks primary key limit); choose a shorter one",
                      name, strlen(name), SQLGEN_KEY_TABLE_NAME_BYTES);
        if (i)
            buf_puts(&b, ", ");
        gen_str(g, &b, name);
    }
    buf_putc(&b, ')');
    gen_push(g, s, &b);

    s = gen_step(g, SQLSTEP_OWNER_CLAIM, "owner_claim",
                 "record this tag as the owner of the wide and the daily table where no tag is "
                 "({{values}}: one row per table)");
    s->params = SQLP_VALUES;
    const TableDef *t = &g->tables[T_OWNER];
    s->load_table = arena_printf(g->a, "%s.%s", t->db, t->name);
    s->load_columns = SQLGEN_OWNER_COLUMNS;
    s->nload_columns = SQLGEN_OWNER_NCOLUMNS;
    buf_reset(&b);
    /* MariaDB: the primary key keeps the first claim; StarRocks upserts and
     * the runner reads the owners again after the claim */
    buf_puts(&b, g->d->id == DIALECT_MARIADB ? "INSERT IGNORE INTO " : "INSERT INTO ");
    gen_table(g, &b, T_OWNER);
    buf_puts(&b, " (");
    for (int i = 0; i < SQLGEN_OWNER_NCOLUMNS; i++) {
        if (i)
            buf_puts(&b, ", ");
        gen_id(g, &b, SQLGEN_OWNER_COLUMNS[i]);
    }
    buf_puts(&b, ")\nVALUES {{values}}");
    gen_push(g, s, &b);
    buf_free(&b);
}

/* ---- the exposure rows' keys: NULL, or too long for StarRocks ------------------- */

/* ",\n    AGG(CASE WHEN conds[0] AND ... THEN then END) AS name", a
 * condition per line when there are several, each line wrapped. */
static void exposure_sum(Gen *g, Buf *b, const char *agg, const char *const *conds, int n,
                         const char *then, const char *name)
{
    buf_puts(b, ",\n    ");
    size_t item = b->len;
    buf_printf(b, "%s(CASE WHEN %s", agg, conds[0]);
    for (int i = 1; i < n; i++) {
        sql_wrap(b, item);
        buf_puts(b, "\n            AND ");
        item = b->len;
        buf_puts(b, conds[i]);
    }
    if (n > 1) {
        sql_wrap(b, item);
        buf_puts(b, "\n        ");
        item = b->len;
    } else {
        buf_putc(b, ' ');
    }
    buf_printf(b, "THEN %s END) AS ", then);
    gen_id(g, b, name);
    sql_wrap(b, item);
}

void gen_exposure_keys(Gen *g)
{
    const IrSpec *ir = g->ir;
    const IrExposure *e = &ir->exposure;
    const IrSource *src = &ir->sources[e->source];
    bool fprint = gen_fprint_source(g, e->source);
    SqlStep *s = gen_step(g, SQLSTEP_EXPOSURE_KEYS, "exposure_keys",
                          "per date of [{{from_date}}, {{to_date}}]: the exposure rows with a NULL "
                          "user, experiment or variation key (skipped by the assignment; a "
                          "data-quality note) and with a user id longer than the primary key of "
                          "experiment_assignment holds on StarRocks (before the first write; any: "
                          "the run stops), and the exposure source's rows and checksum (its "
                          "fingerprint of the date, recorded by fingerprint_write)");
    s->params = SQLP_FROM_DATE | SQLP_TO_DATE;
    static const char *const cols[] = {"event_date", "null_key_rows", "long_user_ids", "longest",
                                       "row_count", "checksum"};
    s->columns = gen_columns(g, cols, fprint ? NELEM(cols) : NELEM(cols) - 2);
    s->ncolumns = fprint ? NELEM(cols) : NELEM(cols) - 2;
    Buf b, user, len, nul;
    buf_init(&b);
    buf_init(&user);
    buf_init(&len);
    buf_init(&nul);
    gen_col(g, &user, "s", src->user_col);
    buf_puts(&len, "LENGTH(");
    g->d->cast_string(&len, user.data);
    buf_putc(&len, ')');
    buf_printf(&nul, "%s IS NULL OR ", user.data);
    gen_col(g, &nul, "s", e->experiment_col);
    buf_puts(&nul, " IS NULL");
    if (ir->nassignments == 0) {
        /* hash-assigned experiments need no variation column */
        buf_puts(&nul, " OR ");
        gen_col(g, &nul, "s", e->variation_col);
        buf_puts(&nul, " IS NULL");
    }
    /* the exposure rows: the filters in each sum, not in WHERE, so that the
     * pass counts every row of the date for the fingerprint (a filter that
     * is NULL keeps a row out, as in WHERE) */
    Buf filt[2];
    const char *conds[3];
    int nf = 0;
    const IrCond *filters[] = {e->filter, src->filter};
    for (int i = 0; i < 2; i++) {
        if (!filters[i])
            continue;
        buf_init(&filt[nf]);
        buf_putc(&filt[nf], '(');
        gen_cond(g, &filt[nf], filters[i], "s");
        buf_putc(&filt[nf], ')');
        conds[nf] = filt[nf].data;
        nf++;
    }
    buf_puts(&b, "SELECT\n    ");
    gen_col(g, &b, "s", src->date_col);
    buf_puts(&b, " AS ");
    gen_id(g, &b, "event_date");
    Buf cond;
    buf_init(&cond);
    buf_printf(&cond, "(%s)", nul.data);
    conds[nf] = cond.data;
    exposure_sum(g, &b, "SUM", conds, nf + 1, "1 ELSE 0", "null_key_rows");
    /* LENGTH counts bytes in both dialects */
    buf_reset(&cond);
    buf_printf(&cond, "%s > %d", len.data, SQLGEN_KEY_USER_ID_BYTES);
    conds[nf] = cond.data;
    exposure_sum(g, &b, "SUM", conds, nf + 1, "1 ELSE 0", "long_user_ids");
    exposure_sum(g, &b, "MAX", conds, nf + 1, len.data, "longest");
    buf_free(&cond);
    for (int i = 0; i < nf; i++)
        buf_free(&filt[i]);
    if (fprint) {
        buf_puts(&b, ",\n    COUNT(*) AS ");
        gen_id(g, &b, "row_count");
        buf_puts(&b, ",\n    ");
        size_t item = b.len;
        buf_puts(&b, "SUM(");
        gen_row_hash(g, &b, e->source);
        buf_puts(&b, ") AS ");
        gen_id(g, &b, "checksum");
        sql_wrap(&b, item);
    }
    buf_puts(&b, "\nFROM ");
    dialect_qualified(g->d, &b, src->database, src->table);
    buf_puts(&b, " s\nWHERE ");
    gen_col(g, &b, "s", src->date_col);
    buf_puts(&b, " >= {{from_date}} AND ");
    gen_col(g, &b, "s", src->date_col);
    buf_puts(&b, " <= {{to_date}}\nGROUP BY ");
    gen_col(g, &b, "s", src->date_col);
    gen_push(g, s, &b);
    buf_free(&nul);
    buf_free(&len);
    buf_free(&user);
    buf_free(&b);
}

/* ---- abc check: dialect limits and tables claimed by two tags -------------------- */

AbcStatus sqlgen_check(const IrSpec *ir, Arena *a, SqlClaims *claims, Diag *d)
{
    static const Dialect *const dialects[] = {&dialect_mariadb, &dialect_starrocks};
    AbcStatus st = ABC_OK;
    SqlProgram p;
    for (int i = 0; i < NELEM(dialects); i++) {
        Arena tmp;
        arena_init(&tmp);
        if (sqlgen_program(ir, dialects[i], &tmp, d, &p) != ABC_OK)
            st = ABC_ERR_SPEC;
        arena_free(&tmp);
        if (st != ABC_OK)
            return st;
    }
    if (sqlgen_program(ir, &dialect_mariadb, a, d, &p) != ABC_OK)
        return ABC_ERR_SPEC;
    const TableDef *mine[] = {p.wide, p.daily};
    const char *what[] = {"wide table", "daily table"};
    for (int k = 0; k < NELEM(mine); k++) {
        const char *name = arena_printf(a, "%s.%s", mine[k]->db ? mine[k]->db : "", mine[k]->name);
        for (int i = 0; i < claims->n; i++)
            if (strcmp(claims->items[i].table, name) == 0 && strcmp(claims->items[i].tag, ir->tag) != 0) {
                diag_error(d, (SrcLoc){0, 0},
                           "the %s %s is also the table of tag '%s' (%s): each tag replaces its "
                           "dates in it, so one would overwrite the other's rows; give this "
                           "spec its own table", what[k], name, claims->items[i].tag,
                           claims->items[i].path);
                st = ABC_ERR_SPEC;
            }
        if (claims->n == claims->cap) {
            int nc = claims->cap ? claims->cap * 2 : 16;
            SqlClaim *c = arena_alloc(a, (size_t)nc * sizeof *c);
            if (claims->n)
                memcpy(c, claims->items, (size_t)claims->n * sizeof *c);
            claims->items = c;
            claims->cap = nc;
        }
        claims->items[claims->n++] = (SqlClaim){name, arena_strdup(a, ir->tag),
                                                arena_strdup(a, ir->path ? ir->path : "")};
    }
    return st;
}
