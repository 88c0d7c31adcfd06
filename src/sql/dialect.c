/* dialect.c — what the dialects share: lookup by name, UTF-8 validation,
 * qualified names and the statement list. */
#include "abc/dialect.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect_common.h"

const Dialect *dialect_by_name(const char *name)
{
    if (strcmp(name, "starrocks") == 0)
        return &dialect_starrocks;
    if (strcmp(name, "mariadb") == 0)
        return &dialect_mariadb;
    return NULL;
}

const Dialect *dialect_by_id(DialectId id)
{
    switch (id) {
    case DIALECT_STARROCKS: return &dialect_starrocks;
    case DIALECT_MARIADB: return &dialect_mariadb;
    case DIALECT_AUTO: break;
    }
    return NULL;
}

const char *dialect_id_name(DialectId id)
{
    switch (id) {
    case DIALECT_STARROCKS: return "starrocks";
    case DIALECT_MARIADB: return "mariadb";
    case DIALECT_AUTO: break;
    }
    return "auto";
}

long dialect_utf8_chars(const char *s, unsigned long *max_cp)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    unsigned long top = 0;
    while (*p) {
        unsigned long cp;
        int len = utf8_decode(p, &cp);
        if (!len)
            return -1;
        if (cp > top)
            top = cp;
        p += len;
        n++;
    }
    if (max_cp)
        *max_cp = top;
    return n;
}

void dialect_qualified(const Dialect *d, Buf *out, const char *db, const char *name)
{
    if (db) {
        d->ident(out, db);
        buf_putc(out, '.');
    }
    d->ident(out, name);
}

void sql_stmts_init(SqlStmts *s, Arena *a)
{
    s->arena = a;
    s->items = NULL;
    s->flags = NULL;
    s->n = s->cap = 0;
}

void sql_stmts_push_flags(SqlStmts *s, const Buf *text, unsigned flags)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        const char **items = arena_alloc(s->arena, (size_t)cap * sizeof *items);
        unsigned *fl = arena_alloc(s->arena, (size_t)cap * sizeof *fl);
        if (s->n) {
            memcpy(items, s->items, (size_t)s->n * sizeof *items);
            memcpy(fl, s->flags, (size_t)s->n * sizeof *fl);
        }
        s->items = items;
        s->flags = fl;
        s->cap = cap;
    }
    s->flags[s->n] = flags;
    s->items[s->n++] = arena_strndup(s->arena, text->data ? text->data : "", text->len);
}

void sql_stmts_push(SqlStmts *s, const Buf *text) { sql_stmts_push_flags(s, text, 0); }

AbcStatus dialect_check_text(const char *s, bool is_ident, int max_chars, bool bmp_only,
                             char *why, size_t whylen)
{
    unsigned long top = 0;
    long n = dialect_utf8_chars(s, &top);
    if (n < 0) {
        snprintf(why, whylen, "is not valid UTF-8");
        return ABC_ERR_SPEC;
    }
    if (is_ident && n == 0) {
        snprintf(why, whylen, "is empty");
        return ABC_ERR_SPEC;
    }
    if (max_chars > 0 && n > max_chars) {
        snprintf(why, whylen, "is %ld characters long; the limit is %d", n, max_chars);
        return ABC_ERR_SPEC;
    }
    if (bmp_only && top > 0xFFFF) {
        snprintf(why, whylen, "contains a character outside the Basic Multilingual Plane");
        return ABC_ERR_SPEC;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool ws = *p == '\t' || *p == '\n' || *p == '\r';
        if (*p == 0x7F || (*p < 0x20 && (is_ident || !ws))) {
            snprintf(why, whylen, "contains the control character 0x%02X", *p);
            return ABC_ERR_SPEC;
        }
    }
    return ABC_OK;
}

void dialect_number(Buf *out, double v)
{
    char tmp[40];
    if (v == floor(v) && fabs(v) < 1e15) {
        /* whole numbers without an exponent: 100, not 1e+02 */
        snprintf(tmp, sizeof tmp, "%.0f", v);
        buf_puts(out, tmp);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(out, tmp);
}

void dialect_ident_list(const Dialect *d, Buf *out, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(out, ", ");
        d->ident(out, names[i]);
    }
}

void dialect_comment_line(Buf *out, const char *comment)
{
    if (comment && *comment)
        sql_comment(out, "", comment);
}

void dialect_write_query(Buf *out, const WriteSpec *w)
{
    if (w->with)
        buf_puts(out, w->with);
    buf_puts(out, w->body);
    for (int i = 0; i < w->nbranches; i++) {
        buf_puts(out, "\nUNION ALL\n");
        buf_puts(out, w->branches[i]);
    }
}

void dialect_col_def(const Dialect *d, Buf *out, const TableCol *c, const char *indent)
{
    d->ident(out, c->name);
    buf_putc(out, ' ');
    d->col_type(out, c->type);
    buf_puts(out, c->not_null ? " NOT NULL" : " NULL");
    if (c->comment)
        dialect_comment_clause(d, out, " COMMENT ", c->comment, indent);
}

void dialect_comment_clause(const Dialect *d, Buf *out, const char *clause, const char *text,
                            const char *indent)
{
    Buf lit;
    buf_init(&lit);
    d->string(&lit, text);
    size_t ls = out->len;
    while (ls > 0 && out->data[ls - 1] != '\n')
        ls--;
    /* on its own line when the whole would not fit in SQL_WIDTH */
    if (out->len - ls + strlen(clause) + lit.len > SQL_WIDTH) {
        buf_putc(out, '\n');
        buf_puts(out, indent);
        buf_puts(out, "    ");
        while (*clause == ' ')
            clause++;
    }
    buf_puts(out, clause);
    buf_put(out, lit.data, lit.len);
    buf_free(&lit);
}

/* ---- layout: lines of at most SQL_WIDTH characters outside string literals ---- */

/* Characters of out[from, to) on one line, string literal contents not
 * counted (the quotes are). *lit carries whether `from` is inside one. */
static int width_of(const char *s, size_t from, size_t to, bool *lit)
{
    int w = 0;
    for (size_t i = from; i < to; i++) {
        if (*lit) {
            if (s[i] == '\'') {
                if (i + 1 < to && s[i + 1] == '\'') {
                    i++;
                    continue;
                }
                *lit = false;
                w++;
            }
            continue;
        }
        if (s[i] == '\'')
            *lit = true;
        w++;
    }
    return w;
}

int sql_line_width(const Buf *out)
{
    size_t ls = out->len;
    while (ls > 0 && out->data[ls - 1] != '\n')
        ls--;
    bool lit = false;
    return width_of(out->data, ls, out->len, &lit);
}

void sql_comment(Buf *out, const char *indent, const char *text)
{
    int room = SQL_WIDTH - (int)strlen(indent) - 3;
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p) {
        /* the longest run of whole words that fits (a longer word alone) */
        const char *end = p, *cut = NULL;
        while (*end && end - p <= room) {
            if (*end == ' ')
                cut = end;
            end++;
        }
        if (!*end && end - p <= room)
            cut = end;
        else if (!cut) {
            cut = p;
            while (*cut && *cut != ' ')
                cut++;
        }
        buf_puts(out, indent);
        buf_puts(out, "-- ");
        for (const char *q = p; q < cut; q++)
            buf_putc(out, ((unsigned char)*q < 0x20 || *q == 0x7F) ? '?' : *q);
        /* no trailing spaces on the line */
        while (out->len > 0 && out->data[out->len - 1] == ' ')
            out->len--;
        buf_putc(out, '\n');
        p = cut;
        while (*p == ' ')
            p++;
    }
}

static bool kw_at(const char *s, size_t i, size_t n)
{
    static const char *const kws[] = {"AND ", "OR ", "WHEN ", "THEN ", "ELSE ", "OVER ", "END"};
    for (size_t k = 0; k < sizeof kws / sizeof kws[0]; k++) {
        size_t l = strlen(kws[k]);
        if (i + l <= n && memcmp(s + i, kws[k], l) == 0 &&
            (kws[k][l - 1] == ' ' || i + l == n || !isalnum((unsigned char)s[i + l])))
            return true;
    }
    return false;
}

/* Breaks the last line of out (from `from` on, where no string literal,
 * quoted name or comment is open) at spaces between tokens while it is
 * over SQL_WIDTH: preferably before AND, OR, WHEN, THEN, ELSE, OVER and
 * END at the lowest parenthesis depth, else after a comma, else at any
 * space; continuation lines are indented 4 more than the line. */
void sql_wrap(Buf *out, size_t from)
{
    size_t ls = from;
    while (ls > 0 && out->data[ls - 1] != '\n')
        ls--;
    size_t ind = 0;
    while (ls + ind < out->len && out->data[ls + ind] == ' ')
        ind++;
    for (;;) {
        bool lit = false;
        if (width_of(out->data, ls, out->len, &lit) <= SQL_WIDTH - 1)
            return;
        /* scan the line for break candidates */
        const char *s = out->data;
        size_t n = out->len, best = 0;
        int best_key = 1 << 30, depth = 0;
        bool in_lit = false, in_id = false;
        lit = false;
        for (size_t i = from > ls + ind ? from : ls + ind; i < n; i++) {
            char c = s[i];
            if (c == '\n')
                return; /* a literal or a comment spans lines: leave it */
            if (in_lit) {
                if (c == '\'') {
                    if (i + 1 < n && s[i + 1] == '\'')
                        i++;
                    else
                        in_lit = false;
                }
                continue;
            }
            if (in_id) {
                if (c == '`') {
                    if (i + 1 < n && s[i + 1] == '`')
                        i++;
                    else
                        in_id = false;
                }
                continue;
            }
            if (c == '\'') {
                in_lit = true;
                continue;
            }
            if (c == '`') {
                in_id = true;
                continue;
            }
            if (c == '-' && i + 1 < n && s[i + 1] == '-')
                break;
            if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            else if (c == ' ' && i > ls + ind + 12) {
                bool prefix = false;
                int wb = width_of(s, ls, i, &prefix);
                if (wb > SQL_WIDTH - 1)
                    break;
                int cls = kw_at(s, i + 1, n) ? 0 : s[i - 1] == ',' ? 1 : 2;
                int key = (depth < 0 ? 0 : depth) * 3 + cls;
                if (key <= best_key) {
                    best_key = key;
                    best = i;
                }
            }
        }
        if (!best)
            return; /* one token longer than the line: leave it */
        /* replace the space at best by "\n" + indent + 4 */
        size_t add = ind + 4;
        Buf tail;
        buf_init(&tail);
        buf_put(&tail, s + best + 1, n - best - 1);
        out->len = best;
        buf_putc(out, '\n');
        ls = from = out->len;
        for (size_t k = 0; k < add; k++)
            buf_putc(out, ' ');
        buf_put(out, tail.data ? tail.data : "", tail.len);
        buf_free(&tail);
        ind = add;
    }
}

void dialect_ident_lines(const Dialect *d, Buf *out, const char *alias, const char *const *names,
                         int n, const char *indent)
{
    for (int i = 0; i < n; i++) {
        buf_puts(out, i ? ",\n" : "");
        buf_puts(out, indent);
        if (alias) {
            buf_puts(out, alias);
            buf_putc(out, '.');
        }
        d->ident(out, names[i]);
    }
}

void dialect_json_path(Buf *out, const char *const *keys, int nkeys)
{
    buf_putc(out, '$');
    for (int i = 0; i < nkeys; i++) {
        const char *k = keys[i];
        bool bare = (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_';
        for (const char *p = k; *p && bare; p++)
            bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                   *p == '_';
        buf_putc(out, '.');
        if (bare) {
            buf_puts(out, k);
            continue;
        }
        buf_putc(out, '"');
        for (const char *p = k; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_putc(out, '"');
    }
}
