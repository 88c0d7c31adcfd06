/* sema_util.c — name tables, word helpers and setting helpers of semantic analysis (see sema_int.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "sema_int.h"

void names_init(Arena *a, NameTable *t, int n)
{
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    t->names = arena_alloc(a, sizeof(char *) * cap);
    t->index = arena_alloc(a, sizeof(int) * cap);
    t->mask = cap - 1;
}

static size_t names_slot(const NameTable *t, const char *name)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    size_t i = (size_t)h & t->mask;
    while (t->names[i] && strcmp(t->names[i], name) != 0)
        i = (i + 1) & t->mask;
    return i;
}

/* Index stored for name, or -1. */
int names_find(const NameTable *t, const char *name)
{
    if (!t->names)
        return -1;
    size_t i = names_slot(t, name);
    return t->names[i] ? t->index[i] : -1;
}

/* Add name (not yet present); the table holds at most half its size. */
void names_add(NameTable *t, const char *name, int index)
{
    size_t i = names_slot(t, name);
    t->names[i] = name;
    t->index[i] = index;
}

/* ---- small helpers -------------------------------------------------------- */

const char *word_text(const AstWord *w)
{
    switch (w->kind) {
    case W_IDENT:
    case W_STRING:
    case W_NUMBER:
    case W_DURATION: return w->text;
    case W_QNAME: return w->text;
    case W_PATH: return w->text;
    case W_RANGE: return "range";
    }
    return "";
}

const char *word_kind_name(const AstWord *w)
{
    switch (w->kind) {
    case W_IDENT: return "a name";
    case W_STRING: return "a string";
    case W_NUMBER: return "a number";
    case W_DURATION: return "a duration";
    case W_QNAME: return "a qualified name";
    case W_PATH: return "a JSON path";
    case W_RANGE: return "a range";
    }
    return "a word";
}

bool is_word(const AstWord *w, const char *s)
{
    return w && w->kind == W_IDENT && strcmp(w->text, s) == 0;
}

/* A warehouse identifier: [A-Za-z_][A-Za-z0-9_]*, 1..64 bytes. */
bool valid_ident(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

void unknown_word(Sema *s, const AstWord *w, const char *what, const char *const *known,
                         int n)
{
    const char *sugg = diag_suggest(word_text(w), known, n);
    Buf b;
    buf_init(&b);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", known[i]);
    if (sugg)
        diag_error(s->diag, w->loc, "unknown %s '%s'; did you mean '%s'?", what, word_text(w), sugg);
    else
        diag_error(s->diag, w->loc, "unknown %s '%s' (expected one of: %s)", what, word_text(w),
                   b.data);
    buf_free(&b);
}

int word_count(const AstWord *w)
{
    int n = 0;
    for (; w; w = w->next)
        n++;
    return n;
}

/* A name given as a single identifier or string word. */
const char *expect_name(Sema *s, const AstItem *it, const AstWord *w, const char *what)
{
    if (!w) {
        diag_error(s->diag, it->key->loc, "'%s' needs %s", it->key->text, what);
        return NULL;
    }
    if (w->kind != W_IDENT && w->kind != W_STRING) {
        diag_error(s->diag, w->loc, "expected %s, found %s", what, word_kind_name(w));
        return NULL;
    }
    return w->text;
}

bool expect_no_more(Sema *s, const AstWord *w)
{
    if (w) {
        diag_error(s->diag, w->loc, "unexpected '%s' here", word_text(w));
        return false;
    }
    return true;
}

bool expect_number(Sema *s, const AstItem *it, const AstWord *w, double lo, double hi,
                          bool lo_open, bool hi_open, double *out)
{
    if (!w || w->kind != W_NUMBER) {
        if (w)
            diag_error(s->diag, w->loc, "'%s' expects a number, found %s", it->key->text,
                       word_kind_name(w));
        else
            diag_error(s->diag, it->key->loc, "'%s' expects a number", it->key->text);
        return false;
    }
    double v = w->num;
    bool ok = isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (!ok) {
        diag_error(s->diag, w->loc, "'%s' must be in %s%g, %g%s, got %s", it->key->text,
                   lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]", w->text);
        return false;
    }
    *out = v;
    return true;
}

bool expect_int(Sema *s, const AstWord *w, const char *what, long lo, long hi, long *out)
{
    if (!w || w->kind != W_NUMBER || strchr(w->text, '.') || strchr(w->text, 'e') ||
        strchr(w->text, 'E')) {
        if (w)
            diag_error(s->diag, w->loc, "%s must be a whole number", what);
        return false;
    }
    if (w->num < (double)lo || w->num > (double)hi) {
        diag_error(s->diag, w->loc, "%s must be between %ld and %ld, got %s", what, lo, hi, w->text);
        return false;
    }
    *out = (long)w->num;
    return true;
}

/* "'alpha' is a setting, not a block" for a known setting written with a
 * block (or a metric/segment form); true when it reported. */
bool not_a_setting(Sema *s, const AstItem *c)
{
    if (c->kind == I_SETTING || c->kind == I_WHERE)
        return false;
    diag_error(s->diag, c->key->loc, "'%s' is a setting, not a %s", c->key->text,
               c->kind == I_BLOCK ? "block" : "definition");
    return true;
}

void dup_setting(Sema *s, const AstItem *it, const AstItem *first)
{
    int line, col;
    diag_line_col(s->diag, first->loc.off, &line, &col);
    diag_error(s->diag, it->key->loc, "'%s' is set twice (first at %d:%d)", it->key->text, line,
               col);
}

/* The index of a block item's key among keys, once each: an unknown key,
 * a key written as a block or definition, or a repeated key is reported and
 * gives -1.  seen[] (n entries, zeroed by the caller) records first uses. */
int block_setting(Sema *s, const AstItem *c, const char *const *keys, int n,
                         const char *what, const AstItem **seen)
{
    int k = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(c->key->text, keys[i]) == 0)
            k = i;
    if (k < 0) {
        unknown_word(s, c->key, what, keys, n);
        return -1;
    }
    if (not_a_setting(s, c))
        return -1;
    if (seen[k]) {
        dup_setting(s, c, seen[k]);
        return -1;
    }
    seen[k] = c;
    return k;
}
