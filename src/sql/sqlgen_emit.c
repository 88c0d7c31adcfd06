/* sqlgen_emit.c — the emit helpers of the SQL backend (see sqlgen_emit.h). */
#include "sqlgen_emit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- context helpers ------------------------------------------------------ */

void gen_error(Gen *g, SrcLoc loc, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g->nerrors++;
    if (g->diag)
        diag_error(g->diag, loc, "%s", msg);
}

SqlStep *gen_step(Gen *g, SqlStepKind kind, const char *name, const char *summary)
{
    if (g->nsteps == g->cap) {
        int cap = g->cap ? g->cap * 2 : 16;
        SqlStep *steps = arena_alloc(g->a, (size_t)cap * sizeof *steps);
        if (g->nsteps)
            memcpy(steps, g->steps, (size_t)g->nsteps * sizeof *steps);
        g->steps = steps;
        g->cap = cap;
    }
    SqlStep *s = &g->steps[g->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name = arena_strdup(g->a, name);
    s->summary = summary;
    s->metric = -1;
    s->file = arena_printf(g->a, "%02d_%s.sql", g->nsteps, name);
    return s;
}

static void push_flags(Gen *g, SqlStep *s, const Buf *stmt, unsigned flags)
{
    const char **items = arena_alloc(g->a, (size_t)(s->nstmts + 1) * sizeof *items);
    unsigned *fl = arena_alloc(g->a, (size_t)(s->nstmts + 1) * sizeof *fl);
    if (s->nstmts) {
        memcpy(items, s->stmts, (size_t)s->nstmts * sizeof *items);
        memcpy(fl, s->flags, (size_t)s->nstmts * sizeof *fl);
    }
    fl[s->nstmts] = flags;
    items[s->nstmts++] = arena_strndup(g->a, stmt->data ? stmt->data : "", stmt->len);
    s->stmts = items;
    s->flags = fl;
}

void gen_push(Gen *g, SqlStep *s, const Buf *stmt) { push_flags(g, s, stmt, 0); }

void gen_push_flags(Gen *g, SqlStep *s, const Buf *stmt, unsigned flags)
{
    push_flags(g, s, stmt, flags);
}

void gen_push_stmts(Gen *g, SqlStep *s, const SqlStmts *st)
{
    for (int i = 0; i < st->n; i++) {
        Buf b = {(char *)st->items[i], strlen(st->items[i]), 0};
        push_flags(g, s, &b, st->flags ? st->flags[i] : 0);
    }
}

void gen_analyze(Gen *g, SqlStep *s, int table)
{
    if (!g->d->analyze_table)
        return;
    Buf b;
    buf_init(&b);
    g->d->analyze_table(&b, &g->tables[table]);
    gen_push(g, s, &b);
    buf_free(&b);
}

void gen_recreate(Gen *g, SqlStep *s, int table)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "DROP TABLE IF EXISTS ");
    gen_table(g, &b, table);
    gen_push(g, s, &b);
    buf_reset(&b);
    g->d->create_table(&b, &g->tables[table]);
    gen_push(g, s, &b);
    buf_free(&b);
}

const char **gen_col_names(Gen *g, int table)
{
    const TableDef *t = &g->tables[table];
    const char **v = arena_alloc(g->a, (size_t)(t->ncols ? t->ncols : 1) * sizeof *v);
    for (int i = 0; i < t->ncols; i++)
        v[i] = t->cols[i].name;
    return v;
}

SqlColumn *gen_columns(Gen *g, const char *const *names, int n)
{
    SqlColumn *c = arena_alloc(g->a, (size_t)n * sizeof *c);
    for (int i = 0; i < n; i++)
        c[i] = (SqlColumn){names[i], -1, names[i]};
    return c;
}

void gen_id(Gen *g, Buf *b, const char *name) { g->d->ident(b, name); }

void gen_select_grouped(Gen *g, Buf *b)
{
    buf_puts(b, "SELECT");
    if (g->d->group_by_sort)
        buf_printf(b, " %s", g->d->group_by_sort);
}

void gen_col(Gen *g, Buf *b, const char *alias, const char *name)
{
    if (alias) {
        buf_puts(b, alias);
        buf_putc(b, '.');
    }
    g->d->ident(b, name);
}

void gen_str(Gen *g, Buf *b, const char *s) { g->d->string(b, s); }

void gen_table(Gen *g, Buf *b, int t)
{
    dialect_qualified(g->d, b, g->tables[t].db, g->tables[t].name);
}

const char *gen_comment_text(Gen *g, const char *s)
{
    char *c = arena_strdup(g->a, s);
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = '?';
    return c;
}

const char *gen_metric_col(Gen *g, int m, const char *suffix)
{
    return arena_printf(g->a, "%s__%s", g->ir->metrics[m].name, suffix);
}

const char *gen_label(Gen *g, const char *step)
{
    return arena_printf(g->a, "abc_%s_%s_{{run_id}}", g->label_tag, step);
}

void gen_tag_pred(Gen *g, Buf *b, const char *alias)
{
    gen_col(g, b, alias, "tag");
    buf_puts(b, " = ");
    gen_str(g, b, g->ir->tag);
}


const char *gen_segment_col(Gen *g, int i) { return g->ir->segments[i].name; }
