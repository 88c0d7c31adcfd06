/* plan_outputs.c — every file `abc compile` produces for one tag, in
 * memory: the step files and plan.json per dialect, the schema lock and,
 * when the spec's metric columns changed since the lock, the numbered
 * migration for both dialects.  See plan.h for the layout. */
#include "abc/plan.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_file(Arena *a, PlanOutputs *o, const char *path, Buf *data, bool keep)
{
    if (o->nfiles == o->cap) {
        int cap = o->cap ? o->cap * 2 : 32;
        PlanFile *f = arena_alloc(a, (size_t)cap * sizeof *f);
        if (o->nfiles)
            memcpy(f, o->files, (size_t)o->nfiles * sizeof *f);
        o->files = f;
        o->cap = cap;
    }
    o->files[o->nfiles++] = (PlanFile){arena_strdup(a, path),
                                       arena_strndup(a, data->data ? data->data : "", data->len),
                                       data->len, keep};
}

static int find_col(const PlanLock *l, const char *name)
{
    for (int i = 0; i < l->ncols; i++)
        if (strcasecmp(l->cols[i].name, name) == 0)
            return i;
    return -1;
}

static const char *qualified(Arena *a, const TableDef *t)
{
    return arena_printf(a, "%s.%s", t->db, t->name);
}

AbcStatus plan_tag_outputs(const IrSpec *ir, const Dialect *const *dialects, int ndialects,
                           const char *outdir, Arena *a, Diag *diag, PlanOutputs *out, char *err,
                           size_t errlen)
{
    PlanOutputs o;
    memset(&o, 0, sizeof o);
    AbcStatus st;
    /* the programs live in a scratch arena freed on return: only the
     * rendered files (and names) are copied into a */
    Arena scratch;
    arena_init(&scratch);
    Arena *const g = &scratch;
    Buf b;
    buf_init(&b);

    /* the spec's wide-table columns (dialect-independent names and types) */
    SqlProgram *progs = arena_alloc(g, (size_t)ndialects * sizeof *progs);
    for (int i = 0; i < ndialects; i++) {
        st = sqlgen_program(ir, dialects[i], g, diag, &progs[i]);
        if (st != ABC_OK)
            goto out;
    }
    const SqlProgram probe = progs[0];
    const TableDef *wide = probe.wide;

    /* the lock on disk, if any */
    PlanLock old;
    bool have_old = false;
    const char *lock_path = arena_printf(a, "%s/%s/schema.lock", outdir, ir->tag);
    char *text = NULL;
    size_t tlen = 0;
    char rerr[256];
    if (file_read_all(lock_path, 1u << 24, &text, &tlen, rerr, sizeof rerr) == ABC_OK) {
        st = plan_lock_parse(text, a, &old, err, errlen);
        free(text);
        if (st != ABC_OK) {
            char msg[300];
            snprintf(msg, sizeof msg, "%s: %s", lock_path, err);
            snprintf(err, errlen, "%s", msg);
            goto out;
        }
        have_old = true;
    }

    /* the new lock */
    PlanLock nl;
    memset(&nl, 0, sizeof nl);
    nl.tag = ir->tag;
    nl.tables[0] = qualified(a, probe.wide);
    nl.tables[1] = qualified(a, &probe.tables[4]);
    nl.tables[2] = qualified(a, &probe.tables[5]);
    nl.cols = arena_alloc(a, (size_t)(wide->ncols + (have_old ? old.ncols : 0) + 1) * sizeof *nl.cols);
    TableCol *added = arena_alloc(a, (size_t)(wide->ncols + 1) * sizeof *added);
    int nadded = 0;
    const char **removed = arena_alloc(a, (size_t)((have_old ? old.ncols : 0) + 1) * sizeof *removed);
    int nremoved = 0;
    for (int i = 0; i < wide->ncols; i++) {
        const TableCol *c = &wide->cols[i];
        if (have_old) {
            int k = find_col(&old, c->name);
            if (k < 0) {
                added[nadded++] = *c;
            } else if (old.cols[k].type != c->type) {
                int m = -1;
                for (int j = 0; j < ir->nmetrics; j++)
                    if (strncmp(c->name, ir->metrics[j].name, strlen(ir->metrics[j].name)) == 0)
                        m = j;
                SrcLoc loc = m >= 0 ? ir->metrics[m].loc : (SrcLoc){0, 0};
                diag_error(diag, loc, "column '%s' of the published table %s would change type "
                           "from %s to %s; give the metric a new name instead", c->name,
                           nl.tables[0], plan_col_type_name(old.cols[k].type),
                           plan_col_type_name(c->type));
                st = ABC_ERR_SPEC;
                goto out;
            }
        }
        nl.cols[nl.ncols++] = (PlanLockCol){c->name, c->type, false};
    }
    TableCol *retired = arena_alloc(a, (size_t)((have_old ? old.ncols : 0) + 1) * sizeof *retired);
    int nretired = 0;
    if (have_old) {
        for (int k = 0; k < old.ncols; k++) {
            bool still = false;
            for (int i = 0; i < wide->ncols; i++)
                still = still || strcasecmp(wide->cols[i].name, old.cols[k].name) == 0;
            if (still)
                continue;
            if (!old.cols[k].retired)
                removed[nremoved++] = old.cols[k].name;
            nl.cols[nl.ncols++] = (PlanLockCol){old.cols[k].name, old.cols[k].type, true};
            retired[nretired++] = (TableCol){old.cols[k].name, old.cols[k].type, false, NULL};
        }
    }
    /* the segment columns of experiment_assignment: added, kept, retired */
    const TableDef *assign = probe.assign;
    int nseg = ir->nsegments, first_seg = assign->ncols - 1 - nseg;
    nl.segs = arena_alloc(a, (size_t)(nseg + (have_old ? old.nsegs : 0) + 1) * sizeof *nl.segs);
    TableCol *sadded = arena_alloc(a, (size_t)(nseg + 1) * sizeof *sadded);
    int nsadded = 0, nsremoved = 0;
    const char **sremoved = arena_alloc(a, (size_t)((have_old ? old.nsegs : 0) + 1) * sizeof *sremoved);
    for (int i = 0; i < nseg; i++) {
        const TableCol *c = &assign->cols[first_seg + i];
        bool known = false;
        for (int k = 0; have_old && k < old.nsegs && !known; k++)
            known = strcasecmp(old.segs[k].name, c->name) == 0;
        if (!known)
            sadded[nsadded++] = *c;
        nl.segs[nl.nsegs++] = (PlanLockCol){c->name, CT_STR255, false};
    }
    for (int k = 0; have_old && k < old.nsegs; k++) {
        bool still = false;
        for (int i = 0; i < nseg && !still; i++)
            still = strcasecmp(assign->cols[first_seg + i].name, old.segs[k].name) == 0;
        if (still)
            continue;
        if (!old.segs[k].retired)
            sremoved[nsremoved++] = old.segs[k].name;
        nl.segs[nl.nsegs++] = (PlanLockCol){old.segs[k].name, CT_STR255, true};
    }
    bool changed = nadded || nremoved || nsadded || nsremoved;
    nl.version = have_old ? old.version + (changed ? 1 : 0) : 1;

    /* a migration for both dialects when the columns changed */
    if (have_old && changed) {
        const Dialect *both[2] = {&dialect_starrocks, &dialect_mariadb};
        for (int di = 0; di < 2; di++) {
            SqlProgram p;
            st = sqlgen_program_ex(ir, both[di], retired, nretired, g, diag, &p);
            if (st != ABC_OK)
                goto out;
            buf_reset(&b);
            char title[200];
            snprintf(title, sizeof title, "migration of %s%s from schema version %d to %d",
                     nl.tables[0], nsadded || nsremoved ? " and its segment columns" : "",
                     old.version, nl.version);
            sqlgen_header(ir, both[di], title, &b);
            for (int i = 0; i < nadded; i++)
                sqlgen_comment(&b, arena_printf(g, "adds %s %s", added[i].name,
                                                plan_col_type_name(added[i].type)));
            for (int i = 0; i < nremoved; i++)
                sqlgen_comment(&b, arena_printf(g, "retires %s: kept in the table (a published "
                                                   "table loses no column), NULL for new rows",
                                                removed[i]));
            for (int i = 0; i < nsadded; i++)
                sqlgen_comment(&b, arena_printf(g, "adds segment column %s to %s.%s",
                                                sadded[i].name, assign->db, assign->name));
            for (int i = 0; i < nsremoved; i++)
                sqlgen_comment(&b, arena_printf(g, "retires segment column %s of %s.%s: kept in "
                                                   "the table, NULL for the tag's new rows",
                                                sremoved[i], assign->db, assign->name));
            if (nadded) {
                buf_puts(&b, "\n");
                both[di]->add_columns(&b, p.wide, added, nadded);
                buf_puts(&b, ";\n");
            }
            if (nsadded) {
                buf_puts(&b, "\n");
                both[di]->add_columns(&b, p.assign, sadded, nsadded);
                buf_puts(&b, ";\n");
            }
            add_file(a, &o, arena_printf(a, "%s/migrations/%04d_v%d.%s.sql", ir->tag,
                                         nl.version - 1, nl.version, both[di]->name),
                     &b, true);
        }
    }

    const char **owned = arena_alloc(a, (size_t)ndialects * sizeof *owned);
    for (int di = 0; di < ndialects; di++) {
        /* retired columns change the wide-table statements: generate again */
        SqlProgram p = progs[di];
        if (nretired) {
            st = sqlgen_program_ex(ir, dialects[di], retired, nretired, g, diag, &p);
            if (st != ABC_OK)
                goto out;
        }
        p.schema_version = nl.version;
        owned[di] = arena_printf(a, "%s/%s", ir->tag, dialects[di]->name);
        for (int i = 0; i < p.nsteps; i++) {
            buf_reset(&b);
            sqlgen_step_file(&p, &p.steps[i], &b);
            add_file(a, &o, arena_printf(a, "%s/%s", owned[di], p.steps[i].file), &b, false);
        }
        buf_reset(&b);
        plan_json(&p, &b);
        add_file(a, &o, arena_printf(a, "%s/plan.json", owned[di]), &b, false);
    }
    buf_reset(&b);
    plan_lock_render(&nl, &b);
    add_file(a, &o, arena_printf(a, "%s/schema.lock", ir->tag), &b, false);

    o.tag_dir = ir->tag;
    o.owned_dirs = owned;
    o.nowned = ndialects;
    for (int i = 0; i < 3; i++)
        o.tables[i] = nl.tables[i];
    *out = o;
    st = ABC_OK;
out:
    buf_free(&b);
    arena_free(&scratch);
    return st;
}
