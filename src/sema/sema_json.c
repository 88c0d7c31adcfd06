/* sema_json.c — paths into JSON columns: resolution against a source's
 * declared JSON columns, key checks, and the one type of each path across
 * the spec (see sema_int.h). */
#include <stdio.h>
#include <string.h>

#include "sema_int.h"

#define MAX_JSON_KEYS 32   /* keys in one path */
#define MAX_JSON_KEY 255   /* bytes in one key */

/* One distinct path (source, JSON column, keys) and the first typed use. */
struct JsonUse {
    int source;
    const char *text;  /* "col.k1.k2" with keys as written, for lookups and messages */
    AstJsonType type;
    SrcLoc loc;
};

int json_col_index(const IrSource *src, const char *name)
{
    for (int i = 0; i < src->njson; i++)
        if (strcmp(src->json_cols[i], name) == 0)
            return i;
    return -1;
}

static void no_json_col(Sema *s, const IrSource *src, const char *name, SrcLoc loc)
{
    const char *sugg = diag_suggest(name, src->json_cols, src->njson);
    if (sugg)
        diag_error(s->diag, loc, "'%s' is not a JSON column of source '%s'; did you mean '%s'?",
                   name, src->name, sugg);
    else
        diag_error(s->diag, loc,
                   "'%s' is not a JSON column of source '%s' (declare it in the source: json %s;)",
                   name, src->name, name);
}

static bool check_key(Sema *s, const AstPathKey *k)
{
    if (!k->text[0]) {
        diag_error(s->diag, k->loc, "empty key in a JSON path");
        return false;
    }
    if (strlen(k->text) > MAX_JSON_KEY) {
        diag_error(s->diag, k->loc, "a JSON key is at most %d bytes", MAX_JSON_KEY);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)k->text; *p; p++)
        if (*p < 0x20) {
            diag_error(s->diag, k->loc, "a JSON key cannot hold control characters");
            return false;
        }
    return true;
}

/* The path `jcol.keys` of src as an IR word (W_PATH: text = the JSON
 * column, keys, as = the declared type); NULL after an error.  jcol_quoted:
 * the column name was written as a string. */
static AstWord *make_path(Sema *s, const IrSource *src, const char *jcol, SrcLoc jloc,
                          bool jcol_quoted, const AstPathKey *keys, AstJsonType as, SrcLoc loc)
{
    if (jcol_quoted) {
        diag_error(s->diag, jloc, "a column name is not quoted; quote the keys of the path only");
        return NULL;
    }
    if (json_col_index(src, jcol) < 0) {
        no_json_col(s, src, jcol, jloc);
        return NULL;
    }
    int n = 0;
    bool ok = true;
    for (const AstPathKey *k = keys; k; k = k->next) {
        ok &= check_key(s, k);
        if (++n == MAX_JSON_KEYS + 1) {
            diag_error(s->diag, k->loc, "a JSON path has at most %d keys", MAX_JSON_KEYS);
            ok = false;
        }
    }
    if (!ok)
        return NULL;
    AstWord *w = arena_alloc(s->arena, sizeof *w);
    w->kind = W_PATH;
    w->text = jcol;
    w->keys = (AstPathKey *)keys;
    w->as = as;
    w->loc = loc;
    return w;
}

static const char *path_text(Sema *s, const AstWord *w)
{
    Buf b;
    buf_init(&b);
    AstJsonType as = w->as;
    ((AstWord *)w)->as = JT_NONE;
    ir_put_column(&b, w);
    ((AstWord *)w)->as = as;
    const char *t = arena_strdup(s->arena, b.data ? b.data : "");
    buf_free(&b);
    return t;
}

/* Record that path (an IR word) of source src is read as type at loc;
 * a path read as two types is an error.  JT_NONE: the type comes from the
 * path's other uses (string when it has none), fixed by sema_json_finish. */
static void json_use(Sema *s, int src, AstWord *path, AstJsonType type, SrcLoc loc)
{
    if (type == JT_NONE) {
        if (s->nuntyped == s->untyped_cap) {
            int cap = s->untyped_cap ? 2 * s->untyped_cap : 16;
            AstWord **u = arena_alloc(s->arena, sizeof *u * (size_t)cap);
            int *us = arena_alloc(s->arena, sizeof *us * (size_t)cap);
            if (s->nuntyped) {
                memcpy(u, s->untyped, sizeof *u * (size_t)s->nuntyped);
                memcpy(us, s->untyped_src, sizeof *us * (size_t)s->nuntyped);
            }
            s->untyped = u;
            s->untyped_src = us;
            s->untyped_cap = cap;
        }
        s->untyped_src[s->nuntyped] = src;
        s->untyped[s->nuntyped++] = path;
        return;
    }
    path->as = type;
    const char *text = path_text(s, path);
    for (int i = 0; i < s->njson_uses; i++) {
        struct JsonUse *u = &s->json_uses[i];
        if (u->source != src || strcmp(u->text, text) != 0)
            continue;
        if (u->type != type) {
            int line, col;
            diag_line_col(s->diag, u->loc.off, &line, &col);
            diag_error(s->diag, loc, "'%s' is read as a %s here but as a %s at %d:%d", text,
                       ast_json_type_name(type), ast_json_type_name(u->type), line, col);
        }
        return;
    }
    if (s->njson_uses == s->json_uses_cap) {
        int cap = s->json_uses_cap ? 2 * s->json_uses_cap : 16;
        struct JsonUse *u = arena_alloc(s->arena, sizeof *u * (size_t)cap);
        if (s->njson_uses)
            memcpy(u, s->json_uses, sizeof *u * (size_t)s->njson_uses);
        s->json_uses = u;
        s->json_uses_cap = cap;
    }
    s->json_uses[s->njson_uses++] = (struct JsonUse){src, text, type, loc};
}

static AstJsonType lit_type(const AstWord *l)
{
    if (l->kind == W_STRING)
        return JT_STRING;
    if (l->kind == W_NUMBER)
        return JT_NUMBER;
    return JT_BOOLEAN; /* true | false */
}

/* A condition's column in a filter of source src: col, SRC.col, or a path
 * J.k..., SRC.J.k..., J."k" into a JSON column J of src.  Reports what is
 * wrong; returns the IR column word (NULL on error).  srci: src's index in
 * the IR (-1 while the source itself is being checked: its standing filter). */
AstWord *cond_column(Sema *s, const AstCond *c, const IrSource *src, int srci)
{
    const AstWord *col = c->column;
    AstWord *out = NULL;
    const char *plain = NULL;
    SrcLoc ploc = col->loc;
    if (col->kind == W_IDENT) {
        plain = col->text;
    } else if (col->kind == W_QNAME) {
        if (strcmp(col->text, src->name) == 0) {
            plain = col->text2;
        } else if (json_col_index(src, col->text) >= 0) {
            AstPathKey *k = arena_alloc(s->arena, sizeof *k);
            k->text = col->text2;
            k->loc = col->loc;
            out = make_path(s, src, col->text, col->loc, false, k, col->as, col->loc);
        } else if (find_source(s->ir, col->text) >= 0) {
            diag_error(s->diag, col->loc,
                       "column '%s.%s' does not belong to source '%s' (filters see one source)",
                       col->text, col->text2, src->name);
        } else {
            no_json_col(s, src, col->text, col->loc);
        }
    } else if (col->kind == W_PATH) {
        const AstPathKey *k = col->keys;
        if (strcmp(col->text, src->name) == 0 && k->next) /* SRC.J.k... */
            out = make_path(s, src, k->text, k->loc, k->quoted, k->next, col->as, col->loc);
        else if (strcmp(col->text, src->name) == 0)
            diag_error(s->diag, k->loc, "a column name is not quoted; quote the keys of a JSON "
                       "path only");
        else if (json_col_index(src, col->text) >= 0 || find_source(s->ir, col->text) < 0)
            out = make_path(s, src, col->text, col->loc, false, k, col->as, col->loc);
        else
            diag_error(s->diag, col->loc, "column '%s' does not belong to source '%s' (filters "
                       "see one source)", path_text(s, col), src->name);
    }
    if (plain) {
        if (!valid_ident(plain, 64))
            diag_error(s->diag, ploc, "'%s' is not a valid column name", plain);
        else if (json_col_index(src, plain) >= 0)
            diag_error(s->diag, ploc,
                       "'%s' is a JSON column: compare a value in it, e.g. %s.key", plain, plain);
        else if (col->as != JT_NONE)
            diag_error(s->diag, ploc, "'as %s' reads a value in a JSON column; '%s' is a column",
                       ast_json_type_name(col->as), plain);
        else {
            out = arena_alloc(s->arena, sizeof *out);
            *out = *col;
            out->kind = W_IDENT;
            out->text = plain;
            out->text2 = NULL;
            out->next = NULL;
        }
    }
    if (out && out->kind == W_PATH) {
        /* the type: declared, or the literals' */
        AstJsonType t = col->as;
        for (const AstWord *l = c->kind == C_IS_NULL ? NULL : c->lits; l; l = l->next) {
            AstJsonType lt = lit_type(l);
            if (t != JT_NONE && lt != t) {
                diag_error(s->diag, l->loc, "'%s' is read as a %s; this %s is a %s",
                           path_text(s, out), ast_json_type_name(t),
                           c->kind == C_IN ? "value" : "comparison", ast_json_type_name(lt));
                out = NULL;
                break;
            }
            t = lt;
        }
        if (out)
            json_use(s, srci, out, t, col->loc);
    }
    return out;
}

/* A value SRC.col or SRC.J.k... of an already resolved source: *col is the
 * column (the JSON column of a path); the path, or NULL.  type: what the
 * value is read as (JT_NONE: from its other uses); with use set, the read
 * counts for the path's one type across the spec. */
bool value_column(Sema *s, const AstWord *w, int srci, AstJsonType type, bool use,
                  const char **col, const AstWord **path)
{
    const IrSource *src = &s->ir->sources[srci];
    *path = NULL;
    if (w->kind == W_QNAME) {
        if (!valid_ident(w->text2, 64)) {
            diag_error(s->diag, w->loc, "'%s' is not a valid column name", w->text2);
            return false;
        }
        if (json_col_index(src, w->text2) >= 0) {
            diag_error(s->diag, w->loc, "'%s' is a JSON column: name a value in it, e.g. %s.%s.key",
                       w->text2, w->text, w->text2);
            return false;
        }
        *col = w->text2;
        return true;
    }
    const AstPathKey *k = w->keys;
    if (!k->next) {
        diag_error(s->diag, k->loc, "a column name is not quoted; quote the keys of a JSON path only");
        return false;
    }
    AstWord *p = make_path(s, src, k->text, k->loc, k->quoted, k->next, JT_NONE, w->loc);
    if (!p)
        return false;
    if (use)
        json_use(s, srci, p, type, w->loc);
    else
        p->as = type;
    *col = p->text;
    *path = p;
    return true;
}

/* `as TYPE` words after a value; *type gets the type (JT_NONE without);
 * returns the word after them.  False after an error. */
bool value_as(Sema *s, const AstWord *w, AstJsonType *type, const AstWord **rest)
{
    *type = JT_NONE;
    *rest = w;
    if (!w || !is_word(w, "as"))
        return true;
    const AstWord *t = w->next;
    if (!t || t->kind != W_IDENT || ast_json_type(t->text) == JT_NONE) {
        diag_error(s->diag, t ? t->loc : w->loc, "expected a type after 'as': string, number or boolean");
        return false;
    }
    *type = ast_json_type(t->text);
    *rest = t->next;
    return true;
}

/* Paths whose type came from no use of their own: the type of the path's
 * typed uses, or string. */
void sema_json_finish(Sema *s)
{
    for (int i = 0; i < s->nuntyped; i++) {
        AstWord *p = s->untyped[i];
        const char *text = path_text(s, p);
        p->as = JT_STRING;
        for (int j = 0; j < s->njson_uses; j++)
            if (s->json_uses[j].source == s->untyped_src[i] && strcmp(s->json_uses[j].text, text) == 0)
                p->as = s->json_uses[j].type;
    }
}
