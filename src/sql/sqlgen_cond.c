/* sqlgen_cond.c — spec filters (`where event_name = "app_open"`) as SQL.
 * Columns are quoted identifiers of the row alias; strings go through the
 * dialect's literal function; numbers are re-printed from their parsed
 * value, so no spelling from the spec reaches the SQL text unquoted. */
#include "sqlgen_cond.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dialect_common.h"

static const char *cond_column(const AstWord *w)
{
    if (!w)
        return NULL;
    return w->kind == W_QNAME ? w->text2 : w->text;
}

void gen_check_path(Gen *g, const AstWord *path)
{
    char why[160];
    for (const AstPathKey *k = path->keys; k; k = k->next) {
        if (g->d->check_string(k->text, why, sizeof why) != ABC_OK ||
            g->d->check_json_key(k->text, why, sizeof why) != ABC_OK) {
            gen_error(g, k->loc, "this JSON key cannot be read in %s: it %s", g->d->name, why);
            return;
        }
        if (strstr(k->text, "{{")) {
            gen_error(g, k->loc, "this JSON key contains '{{', which is reserved for placeholders");
            return;
        }
    }
}

void gen_column(Gen *g, Buf *b, const char *alias, const char *col, const AstWord *path)
{
    if (!path) {
        gen_col(g, b, alias, col);
        return;
    }
    Buf c;
    buf_init(&c);
    gen_col(g, &c, alias, col);
    int n = 0;
    for (const AstPathKey *k = path->keys; k; k = k->next)
        n++;
    const char **keys = arena_alloc(g->a, sizeof(char *) * (size_t)(n ? n : 1));
    n = 0;
    for (const AstPathKey *k = path->keys; k; k = k->next)
        keys[n++] = k->text;
    JsonRead as = path->as == JT_NUMBER    ? JSON_READ_NUMBER
                  : path->as == JT_BOOLEAN ? JSON_READ_BOOLEAN
                                           : JSON_READ_STRING;
    g->d->json_value(b, c.data, keys, n, as);
    buf_free(&c);
}

static void gen_cond_column(Gen *g, Buf *b, const char *alias, const AstWord *w)
{
    gen_column(g, b, alias, cond_column(w), w->kind == W_PATH ? w : NULL);
}

static bool number_ok(const AstWord *w, double *v)
{
    if (!w->text || !*w->text)
        return false;
    for (const char *p = w->text; *p; p++)
        if (!strchr("0123456789.eE+-", *p))
            return false;
    char *end = NULL;
    double x = strtod(w->text, &end);
    if (*end || !isfinite(x))
        return false;
    *v = x;
    return true;
}

static bool lit_ok(Gen *g, const AstWord *w)
{
    char why[160];
    double v;
    switch (w->kind) {
    case W_STRING:
        if (g->d->check_string(w->text, why, sizeof why) != ABC_OK) {
            gen_error(g, w->loc, "this string cannot be written as a %s literal: it %s", g->d->name, why);
            return false;
        }
        if (strstr(w->text, "{{")) {
            gen_error(g, w->loc, "this string contains '{{', which is reserved for placeholders");
            return false;
        }
        return true;
    case W_NUMBER:
        if (!number_ok(w, &v)) {
            gen_error(g, w->loc, "'%s' is not a decimal number", gen_comment_text(g, w->text));
            return false;
        }
        return true;
    case W_IDENT:
        if (strcmp(w->text, "true") == 0 || strcmp(w->text, "false") == 0)
            return true;
        /* fall through */
    default:
        gen_error(g, w->loc, "expected a string, a number, true or false here");
        return false;
    }
}

void gen_check_cond(Gen *g, const IrCond *c)
{
    char why[160];
    switch (c->kind) {
    case C_CMP:
    case C_IN:
    case C_IS_NULL: {
        const char *col = cond_column(c->column);
        if (!col) {
            gen_error(g, c->loc, "condition without a column");
            return;
        }
        if (g->d->check_ident(col, why, sizeof why) != ABC_OK)
            gen_error(g, c->column->loc, "column '%s' cannot be used as a %s name: it %s",
                      gen_comment_text(g, col), g->d->name, why);
        else if (strstr(col, "{{"))
            gen_error(g, c->column->loc, "column '%s' contains '{{', which is reserved for "
                      "placeholders", gen_comment_text(g, col));
        if (c->column->kind == W_PATH)
            gen_check_path(g, c->column);
        for (const AstWord *w = c->lits; w; w = w->next)
            lit_ok(g, w);
        if (c->kind != C_IS_NULL && !c->lits)
            gen_error(g, c->loc, "condition without a value");
        break;
    }
    case C_AND:
    case C_OR:
        gen_check_cond(g, c->lhs);
        gen_check_cond(g, c->rhs);
        break;
    case C_NOT:
        gen_check_cond(g, c->lhs ? c->lhs : c->rhs);
        break;
    }
}

static void lit(Gen *g, Buf *b, const AstWord *w)
{
    double v = 0;
    switch (w->kind) {
    case W_STRING: gen_str(g, b, w->text); break;
    case W_NUMBER:
        /* the number as written (validated decimal syntax): a BIGINT id
         * must not go through a double */
        if (number_ok(w, &v))
            buf_puts(b, w->text);
        break;
    default: buf_puts(b, strcmp(w->text, "true") == 0 ? "TRUE" : "FALSE"); break;
    }
}

void gen_cond(Gen *g, Buf *b, const IrCond *c, const char *alias)
{
    static const char *const ops[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
    switch (c->kind) {
    case C_CMP:
        gen_cond_column(g, b, alias, c->column);
        buf_puts(b, ops[c->op]);
        lit(g, b, c->lits);
        break;
    case C_IN:
        gen_cond_column(g, b, alias, c->column);
        buf_puts(b, c->negated ? " NOT IN (" : " IN (");
        for (const AstWord *w = c->lits; w; w = w->next) {
            lit(g, b, w);
            if (w->next)
                buf_puts(b, ", ");
        }
        buf_putc(b, ')');
        break;
    case C_IS_NULL:
        gen_cond_column(g, b, alias, c->column);
        buf_puts(b, c->negated ? " IS NOT NULL" : " IS NULL");
        break;
    case C_AND:
    case C_OR:
        buf_putc(b, '(');
        gen_cond(g, b, c->lhs, alias);
        buf_puts(b, c->kind == C_AND ? " AND " : " OR ");
        gen_cond(g, b, c->rhs, alias);
        buf_putc(b, ')');
        break;
    case C_NOT:
        buf_puts(b, "NOT (");
        gen_cond(g, b, c->lhs ? c->lhs : c->rhs, alias);
        buf_putc(b, ')');
        break;
    }
}
