/* yaml_front.c — the YAML front end.
 *
 * Two passes: libyaml's event stream is read into a small node tree (with
 * byte offsets, duplicate-key, alias/anchor, tag, depth and multi-document
 * checks), then the tree is mapped onto the same AST the DSL produces (the
 * mapping is documented in yaml_front.h and docs/LANGUAGE.md).  Scalar
 * values are parsed with the DSL grammar through parse_fragment(). */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "abc/parse.h"
#include "abc/yaml_front.h"

typedef enum YKind { Y_SCALAR, Y_SEQ, Y_MAP } YKind;

typedef struct YNode {
    YKind kind;
    const char *value; /* scalar (arena, NUL-terminated) */
    size_t len;
    yaml_scalar_style_t style;
    uint32_t off;      /* byte offset of the node start */
    struct YNode *key; /* Y_MAP entries: key node; value is the entry itself */
    struct YNode *child, *next;
} YNode;

typedef struct YReader {
    const char *src;
    size_t len;
    uint32_t *line_starts;
    int nlines;
    Arena *arena;
    Diag *diag;
    yaml_parser_t parser;
} YReader;

/* Byte offset of a libyaml mark (line/column count characters). */
static uint32_t mark_offset(const YReader *r, yaml_mark_t m)
{
    if (m.line >= (size_t)r->nlines)
        return (uint32_t)r->len;
    uint32_t off = r->line_starts[m.line];
    size_t col = m.column;
    while (col > 0 && off < r->len && r->src[off] != '\n') {
        off++;
        while (off < r->len && ((unsigned char)r->src[off] & 0xC0) == 0x80)
            off++;
        col--;
    }
    return off;
}

static SrcLoc node_loc(const YNode *n)
{
    SrcLoc l = {n->off, n->kind == Y_SCALAR && n->len ? (uint32_t)n->len : 1};
    return l;
}

static bool next_event(YReader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev)) {
        SrcLoc l = {mark_offset(r, r->parser.problem_mark), 1};
        /* reader errors (bad bytes) have no mark, only a byte offset */
        if (r->parser.error == YAML_READER_ERROR)
            l.off = r->parser.problem_offset < r->len ? (uint32_t)r->parser.problem_offset
                                                      : (uint32_t)r->len;
        if (r->parser.context)
            diag_error(r->diag, l, "YAML: %s %s", r->parser.problem ? r->parser.problem : "error",
                       r->parser.context);
        else
            diag_error(r->diag, l, "YAML: %s", r->parser.problem ? r->parser.problem : "error");
        return false;
    }
    return true;
}

/* The keys of one mapping, for duplicate detection in O(1): open
 * addressing over a power-of-two table in the arena, doubled when half
 * full (mappings such as `metrics:` may hold tens of thousands of keys). */
typedef struct KeySet {
    const YNode **slots;
    size_t cap, count;
} KeySet;

static size_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)h;
}

/* The key node already in the set with key's text, or NULL after adding key. */
static const YNode *keyset_add(Arena *a, KeySet *ks, const YNode *key)
{
    if ((ks->count + 1) * 2 > ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 16;
        const YNode **slots = arena_alloc(a, sizeof *slots * cap);
        for (size_t i = 0; i < ks->cap; i++) {
            if (!ks->slots[i])
                continue;
            size_t j = key_hash(ks->slots[i]->value) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = ks->slots[i];
        }
        ks->slots = slots;
        ks->cap = cap;
    }
    size_t j = key_hash(key->value) & (ks->cap - 1);
    for (; ks->slots[j]; j = (j + 1) & (ks->cap - 1))
        if (strcmp(ks->slots[j]->value, key->value) == 0)
            return ks->slots[j];
    ks->slots[j] = key;
    ks->count++;
    return NULL;
}

/* Read one node whose first event is ev (consumed by the caller). */
static YNode *read_node(YReader *r, yaml_event_t *ev, int depth)
{
    YNode *n = arena_alloc(r->arena, sizeof *n);
    n->off = mark_offset(r, ev->start_mark);
    SrcLoc here = {n->off, 1};
    if (depth > PARSE_MAX_DEPTH) {
        diag_error(r->diag, here, "YAML nested deeper than %d levels", PARSE_MAX_DEPTH);
        return NULL;
    }
    const yaml_char_t *anchor = NULL, *tag = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        diag_error(r->diag, here, "YAML aliases are not allowed in specs");
        return NULL;
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        n->kind = Y_SCALAR;
        n->value = arena_strndup(r->arena, (const char *)ev->data.scalar.value,
                                 ev->data.scalar.length);
        n->len = ev->data.scalar.length;
        n->style = ev->data.scalar.style;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        n->kind = Y_SEQ;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        n->kind = Y_MAP;
        break;
    default:
        diag_error(r->diag, here, "unexpected YAML structure");
        return NULL;
    }
    if (anchor) {
        diag_error(r->diag, here, "YAML anchors are not allowed in specs");
        return NULL;
    }
    if (tag) {
        diag_error(r->diag, here, "YAML tags ('!...') are not allowed in specs");
        return NULL;
    }
    if (n->kind == Y_SCALAR)
        return n;
    YNode **tail = &n->child;
    KeySet keys = {NULL, 0, 0};
    for (;;) {
        yaml_event_t e;
        if (!next_event(r, &e))
            return NULL;
        if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&e);
            return n;
        }
        YNode *key = NULL;
        if (n->kind == Y_MAP) {
            key = read_node(r, &e, depth + 1);
            yaml_event_delete(&e);
            if (!key)
                return NULL;
            if (key->kind != Y_SCALAR) {
                diag_error(r->diag, node_loc(key), "mapping keys must be plain names");
                return NULL;
            }
            const YNode *first = keyset_add(r->arena, &keys, key);
            if (first) {
                int line, col;
                diag_line_col(r->diag, first->off, &line, &col);
                diag_error(r->diag, node_loc(key), "duplicate key '%s' (first at %d:%d)",
                           key->value, line, col);
                return NULL;
            }
            if (!next_event(r, &e))
                return NULL;
        }
        YNode *v = read_node(r, &e, depth + 1);
        yaml_event_delete(&e);
        if (!v)
            return NULL;
        v->key = key;
        *tail = v;
        tail = &v->next;
    }
}

static YNode *read_document(YReader *r)
{
    yaml_event_t ev;
    YNode *root = NULL;
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type != YAML_STREAM_START_EVENT) {
        yaml_event_delete(&ev);
        return NULL;
    }
    yaml_event_delete(&ev);
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        SrcLoc l = {0, 0};
        diag_error(r->diag, l, "empty spec: expected a mapping with 'tag: NAME'");
        return NULL;
    }
    yaml_event_delete(&ev); /* document start */
    if (!next_event(r, &ev))
        return NULL;
    root = read_node(r, &ev, 0);
    yaml_event_delete(&ev);
    if (!root)
        return NULL;
    if (!next_event(r, &ev)) /* document end */
        return NULL;
    yaml_event_delete(&ev);
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type != YAML_STREAM_END_EVENT) {
        SrcLoc l = {mark_offset(r, ev.start_mark), 1};
        diag_error(r->diag, l, "a spec holds one YAML document");
        yaml_event_delete(&ev);
        return NULL;
    }
    yaml_event_delete(&ev);
    return root;
}

/* ---- tree → AST ------------------------------------------------------------- */

typedef struct YMap {
    YReader *r;
    bool ok;
} YMap;

static bool is_null_scalar(const YNode *n)
{
    return n->kind == Y_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE &&
           (n->len == 0 || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0);
}

/* Is the scalar's text exactly the source bytes at its offset? */
static bool verbatim(const YReader *r, const YNode *n)
{
    return n->style == YAML_PLAIN_SCALAR_STYLE && n->off + n->len <= r->len &&
           memcmp(r->src + n->off, n->value, n->len) == 0;
}

/* A quoted scalar as a DSL string.  A character the DSL cannot spell
 * (lex_bad_string_char; \n and \r have escapes) is an error, as in the
 * DSL, so that every spec has both forms. */
static AstWord *string_word(YReader *r, const YNode *n)
{
    const unsigned char *p = (const unsigned char *)n->value, *end = p + n->len;
    while (p < end) {
        unsigned cp;
        size_t bad = *p == '\n' || *p == '\r' ? 0 : lex_bad_string_char(p, end, &cp);
        if (bad) {
            diag_error(r->diag, node_loc(n),
                       "%s U+%04X in a string (write \\n, \\t or \\r, or leave it out)",
                       cp >= 0x2000 ? "line separator" : "control character", cp);
            break;
        }
        p++;
    }
    AstWord *w = arena_alloc(r->arena, sizeof *w);
    w->kind = W_STRING;
    w->text = n->value;
    w->loc = node_loc(n);
    return w;
}

/* Words (and an optional where) of a scalar or sequence value. */
static bool value_words(YReader *r, const YNode *n, AstWord **words, AstCond **where)
{
    *words = NULL;
    if (where)
        *where = NULL;
    if (n->kind == Y_MAP) {
        diag_error(r->diag, node_loc(n), "expected a value here, not a mapping");
        return false;
    }
    if (n->kind == Y_SEQ) {
        AstWord *list = NULL;
        for (const YNode *e = n->child; e; e = e->next) {
            AstWord *w = NULL;
            if (e->kind != Y_SCALAR) {
                diag_error(r->diag, node_loc(e), "list elements must be plain values");
                return false;
            }
            if (!value_words(r, e, &w, NULL))
                return false;
            if (!w) {
                diag_error(r->diag, node_loc(e), "empty list element");
                return false;
            }
            list = ast_words_append(list, w, list != NULL);
        }
        *words = list;
        return true;
    }
    if (is_null_scalar(n))
        return true;
    if (n->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || n->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        *words = string_word(r, n);
        return true;
    }
    AstCond *c = NULL;
    if (parse_fragment(FRAG_KIND_VALUE, n->value, n->len, n->off, verbatim(r, n), r->arena,
                       r->diag, NULL, words, &c) != ABC_OK)
        return false;
    if (c && !where) {
        diag_error(r->diag, c->loc, "unexpected 'where' here");
        return false;
    }
    if (where)
        *where = c;
    return true;
}

static AstCond *value_cond(YReader *r, const YNode *n)
{
    if (n->kind != Y_SCALAR || is_null_scalar(n)) {
        diag_error(r->diag, node_loc(n), "'where' needs a condition, e.g. event_name = \"app_open\"");
        return NULL;
    }
    AstCond *c = NULL;
    if (parse_fragment(FRAG_KIND_COND, n->value, n->len, n->off, verbatim(r, n), r->arena,
                       r->diag, NULL, NULL, &c) != ABC_OK)
        return NULL;
    return c;
}

static AstWord *key_word(YReader *r, const YNode *key, const char *text)
{
    AstWord *w = arena_alloc(r->arena, sizeof *w);
    w->kind = W_IDENT;
    w->text = text ? text : key->value;
    w->loc = node_loc(key);
    return w;
}

static AstItem *new_item(YReader *r, AstItemKind kind, const YNode *key, const char *keytext)
{
    AstItem *it = arena_alloc(r->arena, sizeof *it);
    it->kind = kind;
    it->key = key_word(r, key, keytext);
    it->loc = node_loc(key);
    return it;
}

static void append(AstItem **list, AstItem *it)
{
    *list = ast_items_append(*list, it); /* O(1): the head keeps the tail */
}

static bool valid_name(const char *s)
{
    if (!s[0] || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return true;
}

/* A key used as a name (metric, source, segment...) must be an identifier. */
static AstWord *name_word(YReader *r, const YNode *key)
{
    if (!valid_name(key->value)) {
        diag_error(r->diag, node_loc(key), "'%s' is not a valid name (letters, digits and '_')",
                   key->value);
        return NULL;
    }
    /* the DSL keywords that cannot stand for a name (parser.y %fallback
     * lets the others), so that every YAML spec has a DSL twin */
    static const char *const reserved[] = {"where", "and", "or", "not", "in", "null"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(key->value, reserved[i]) == 0) {
            diag_error(r->diag, node_loc(key), "'%s' is a keyword and cannot be a name",
                       key->value);
            return NULL;
        }
    return key_word(r, key, NULL);
}

/* Items of a block body: each key a setting, `where` a where-line. */
static bool block_items(YReader *r, const YNode *map, AstItem **items, const char *skip1,
                        const char *skip2)
{
    bool ok = true;
    for (const YNode *e = map->child; e; e = e->next) {
        const char *k = e->key->value;
        if ((skip1 && strcmp(k, skip1) == 0) || (skip2 && strcmp(k, skip2) == 0))
            continue;
        if (strcmp(k, "where") == 0) {
            AstItem *it = new_item(r, I_WHERE, e->key, "where");
            it->where = value_cond(r, e);
            if (!it->where) {
                ok = false;
                continue;
            }
            append(items, it);
            continue;
        }
        if (!valid_name(k)) {
            diag_error(r->diag, node_loc(e->key), "'%s' is not a valid setting name", k);
            ok = false;
            continue;
        }
        if (e->kind == Y_MAP) {
            AstItem *it = new_item(r, I_BLOCK, e->key, NULL);
            ok &= block_items(r, e, &it->items, NULL, NULL);
            append(items, it);
            continue;
        }
        AstItem *it = new_item(r, I_SETTING, e->key, NULL);
        if (!value_words(r, e, &it->words, &it->where)) {
            ok = false;
            continue;
        }
        append(items, it);
    }
    return ok;
}

static const YNode *map_get(const YNode *map, const char *key)
{
    for (const YNode *e = map->child; e; e = e->next)
        if (strcmp(e->key->value, key) == 0)
            return e;
    return NULL;
}

static bool need_map(YReader *r, const YNode *n, const char *what)
{
    if (n->kind != Y_MAP) {
        diag_error(r->diag, node_loc(n), "%s must be a mapping", what);
        return false;
    }
    return true;
}

/* `experiments: {from: ..., keys: ...}`: one `experiments from ...;` or
 * `experiments keys ...;` setting per entry, in order (the form `abc fmt
 * --to yaml` gives a spec holding both). */
static bool map_experiments(YReader *r, const YNode *map, AstItem **items)
{
    bool ok = true;
    for (const YNode *e = map->child; e; e = e->next) {
        const char *k = e->key->value;
        if (strcmp(k, "from") != 0 && strcmp(k, "keys") != 0) {
            diag_error(r->diag, node_loc(e->key),
                       "'experiments' as a mapping holds 'from' and 'keys', not '%s'", k);
            ok = false;
            continue;
        }
        AstItem *it = new_item(r, I_SETTING, map->key, NULL);
        AstWord *rest = NULL;
        if (!value_words(r, e, &rest, NULL)) {
            ok = false;
            continue;
        }
        it->words = key_word(r, e->key, NULL);
        if (rest)
            rest->comma_before = false;
        it->words->next = rest;
        append(items, it);
    }
    return ok;
}

static bool map_spec(YReader *r, const YNode *root, AstSpec **out)
{
    if (root->kind != Y_MAP) {
        diag_error(r->diag, node_loc(root), "a YAML spec is a mapping starting with 'tag: NAME'");
        return false;
    }
    const YNode *tag = map_get(root, "tag");
    if (!tag) {
        diag_error(r->diag, node_loc(root), "missing 'tag: NAME'");
        return false;
    }
    if (tag->kind != Y_SCALAR || !valid_name(tag->value)) {
        diag_error(r->diag, node_loc(tag), "'tag' must be a name (letters, digits and '_')");
        return false;
    }
    AstSpec *spec = arena_alloc(r->arena, sizeof *spec);
    spec->tag = key_word(r, tag, tag->value);
    spec->tag->loc = node_loc(tag);
    spec->loc = node_loc(root);
    bool ok = true;
    for (const YNode *e = root->child; e; e = e->next) {
        const char *k = e->key->value;
        if (e == tag)
            continue;
        if (strcmp(k, "sources") == 0 || strcmp(k, "assignments") == 0 ||
            strcmp(k, "activities") == 0) {
            if (!need_map(r, e, k)) {
                ok = false;
                continue;
            }
            const char *kw = k[0] == 's' ? "source" : k[1] == 's' ? "assignment" : "activity";
            for (const YNode *d = e->child; d; d = d->next) {
                AstItem *it = new_item(r, I_BLOCK, d->key, kw);
                AstWord *name;
                if (kw[0] == 'a' && kw[1] == 's') {
                    name = string_word(r, d->key);
                } else {
                    name = name_word(r, d->key);
                    if (!name) {
                        ok = false;
                        continue;
                    }
                }
                /* the unnamed `activity { }` is printed as `activity:` */
                it->words = kw[0] == 'a' && strcmp(name->text, "activity") == 0 ? NULL : name;
                if (!need_map(r, d, kw)) {
                    ok = false;
                    continue;
                }
                if (kw[0] == 's') {
                    const YNode *table = map_get(d, "table");
                    if (!table || table->kind != Y_SCALAR) {
                        diag_error(r->diag, node_loc(d->key), "source '%s' needs 'table: db.table'",
                                   d->key->value);
                        ok = false;
                        continue;
                    }
                    name->next = string_word(r, table);
                }
                ok &= block_items(r, d, &it->items, "table", NULL);
                append(&spec->items, it);
            }
            continue;
        }
        if (strcmp(k, "segments") == 0 || strcmp(k, "metrics") == 0 ||
            strcmp(k, "guardrails") == 0) {
            if (!need_map(r, e, k)) {
                ok = false;
                continue;
            }
            for (const YNode *d = e->child; d; d = d->next) {
                AstWord *name = name_word(r, d->key);
                if (!name) {
                    ok = false;
                    continue;
                }
                if (d->kind != Y_SCALAR || is_null_scalar(d)) {
                    diag_error(r->diag, node_loc(d), "'%s' needs a definition", d->key->value);
                    ok = false;
                    continue;
                }
                if (k[0] == 's') {
                    AstItem *it = new_item(r, I_SEGMENT, d->key, "segment");
                    it->name = name;
                    if (!value_words(r, d, &it->words, NULL)) {
                        ok = false;
                        continue;
                    }
                    append(&spec->items, it);
                } else {
                    AstItem *it = new_item(r, I_METRIC, d->key, k[0] == 'm' ? "metric" : "guardrail");
                    it->name = name;
                    if (parse_fragment(FRAG_KIND_METRIC, d->value, d->len, d->off, verbatim(r, d),
                                       r->arena, r->diag, &it->call, &it->words, NULL) != ABC_OK) {
                        ok = false;
                        continue;
                    }
                    append(&spec->items, it);
                }
            }
            continue;
        }
        if (strcmp(k, "where") == 0) { /* as in the DSL: sema says where it belongs */
            AstItem *it = new_item(r, I_WHERE, e->key, "where");
            if (!(it->where = value_cond(r, e))) {
                ok = false;
                continue;
            }
            append(&spec->items, it);
            continue;
        }
        if (strcmp(k, "experiments") == 0 && e->kind == Y_MAP) {
            ok &= map_experiments(r, e, &spec->items);
            continue;
        }
        if (strcmp(k, "exposure") == 0) {
            if (!need_map(r, e, k)) {
                ok = false;
                continue;
            }
            AstItem *it = new_item(r, I_BLOCK, e->key, NULL);
            const YNode *src = map_get(e, "source");
            if (!src || is_null_scalar(src)) {
                diag_error(r->diag, node_loc(e->key), "exposure needs 'source: NAME'");
                ok = false;
                continue;
            }
            ok &= value_words(r, src, &it->words, NULL);
            const YNode *wh = map_get(e, "where");
            if (wh && !(it->where = value_cond(r, wh)))
                ok = false;
            ok &= block_items(r, e, &it->items, "source", "where");
            append(&spec->items, it);
            continue;
        }
        if (!valid_name(k)) {
            diag_error(r->diag, node_loc(e->key), "'%s' is not a valid setting name", k);
            ok = false;
            continue;
        }
        if (e->kind == Y_MAP) {
            AstItem *it = new_item(r, I_BLOCK, e->key, NULL);
            ok &= block_items(r, e, &it->items, NULL, NULL);
            append(&spec->items, it);
            continue;
        }
        AstItem *it = new_item(r, I_SETTING, e->key, NULL);
        if (!value_words(r, e, &it->words, &it->where)) {
            ok = false;
            continue;
        }
        append(&spec->items, it);
    }
    if (!ok)
        return false;
    *out = spec;
    return true;
}

AbcStatus yaml_parse_spec(const char *src, size_t len, Arena *arena, Diag *diag, AstSpec **out)
{
    YReader r;
    memset(&r, 0, sizeof r);
    r.src = src;
    r.len = len;
    r.arena = arena;
    r.diag = diag;
    AbcStatus st = ABC_ERR_SPEC;
    if (memchr(src, '\0', len)) {
        SrcLoc l = {(uint32_t)((const char *)memchr(src, '\0', len) - src), 1};
        diag_error(diag, l, "NUL byte in spec");
        return ABC_ERR_SPEC;
    }
    /* as the DSL driver does: one clear message at the bad byte */
    long bad = diag_utf8_invalid_at(src, len);
    if (bad >= 0) {
        SrcLoc l = {(uint32_t)bad, 1};
        diag_error(diag, l, "invalid UTF-8 byte 0x%02x", (unsigned char)src[bad]);
        return ABC_ERR_SPEC;
    }
    int nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += src[i] == '\n';
    r.line_starts = arena_alloc(arena, sizeof(uint32_t) * (size_t)(nlines + 1));
    r.line_starts[0] = 0;
    r.nlines = 1;
    for (size_t i = 0; i < len; i++)
        if (src[i] == '\n')
            r.line_starts[r.nlines++] = (uint32_t)(i + 1);
    if (!yaml_parser_initialize(&r.parser)) {
        diag_file_error(diag, "cannot initialise the YAML parser");
        return ABC_ERR_ENV;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)src, len);
    YNode *root = read_document(&r);
    AstSpec *spec = NULL;
    if (root && map_spec(&r, root, &spec) && diag->nerrors == 0) {
        *out = spec;
        st = ABC_OK;
    }
    yaml_parser_delete(&r.parser);
    return st;
}
