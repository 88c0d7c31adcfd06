/* dialect.c — what the dialects share: lookup by name, UTF-8 validation,
 * qualified names and the statement list. */
#include "abc/dialect.h"

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
        buf_printf(out, "-- %s\n", comment);
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
