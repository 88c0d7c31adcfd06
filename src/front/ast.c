/* ast.c — AST builders (called from the lemon grammar actions) and
 * structural equality for round-trip tests. */
#include <string.h>

#include "abc/parse.h"

static SrcLoc span(SrcLoc a, SrcLoc b)
{
    SrcLoc l = {a.off, (b.off + b.len > a.off) ? b.off + b.len - a.off : a.len};
    return l;
}

AstWord *ast_word(ParseCtx *c, AstWordKind kind, const Token *t)
{
    AstWord *w = arena_alloc(c->arena, sizeof *w);
    w->kind = kind;
    w->text = t->text ? t->text : "";
    w->num = t->num;
    w->loc = t->loc;
    return w;
}

AstWord *ast_qname(ParseCtx *c, const Token *a, const Token *b)
{
    AstWord *w = arena_alloc(c->arena, sizeof *w);
    w->kind = W_QNAME;
    w->text = a->text;
    w->text2 = b->text;
    w->loc = span(a->loc, b->loc);
    return w;
}

AstWord *ast_range(ParseCtx *c, const Token *a, const Token *b)
{
    AstWord *w = arena_alloc(c->arena, sizeof *w);
    w->kind = W_RANGE;
    w->text = a->text;
    w->text2 = b->text;
    w->num = a->num;
    w->num2 = b->num;
    w->loc = span(a->loc, b->loc);
    return w;
}

AstWord *ast_path(ParseCtx *c, const Token *name, const Token *key, bool quoted)
{
    AstWord *w = arena_alloc(c->arena, sizeof *w);
    w->kind = W_PATH;
    w->text = name->text;
    w->loc = name->loc;
    return ast_path_add(c, w, key, quoted);
}

AstWord *ast_path_add(ParseCtx *c, AstWord *path, const Token *key, bool quoted)
{
    AstPathKey *k = arena_alloc(c->arena, sizeof *k);
    k->text = key->text ? key->text : "";
    k->quoted = quoted;
    k->loc = key->loc;
    AstPathKey **tail = &path->keys;
    while (*tail)
        tail = &(*tail)->next;
    *tail = k;
    path->loc = span(path->loc, key->loc);
    return path;
}

static const char *const json_type_names[] = {
    [JT_NONE] = "", [JT_STRING] = "string", [JT_NUMBER] = "number", [JT_BOOLEAN] = "boolean"};

AstJsonType ast_json_type(const char *name)
{
    for (int t = JT_STRING; t <= JT_BOOLEAN; t++)
        if (name && strcmp(name, json_type_names[t]) == 0)
            return (AstJsonType)t;
    return JT_NONE;
}

const char *ast_json_type_name(AstJsonType t)
{
    return t >= JT_NONE && t <= JT_BOOLEAN ? json_type_names[t] : "";
}

AstWord *ast_column_as(ParseCtx *c, AstWord *col, const Token *as, const Token *type)
{
    (void)as;
    col->as = ast_json_type(type->text);
    if (col->as == JT_NONE)
        diag_error(c->diag, type->loc, "unknown type '%s' (string, number or boolean)", type->text);
    col->loc = span(col->loc, type->loc);
    return col;
}

/* The *_append builders keep the list's last node in its head's `tail`
 * field, so building a list of n nodes is O(n).  `tail` is a hint: the
 * walk goes on from it to the real end, so a list built some other way
 * (tail NULL) still appends correctly. */
AstWord *ast_words_append(AstWord *list, AstWord *w, bool comma)
{
    w->comma_before = comma;
    if (!list)
        return w;
    AstWord *p = list->tail ? list->tail : list;
    while (p->next)
        p = p->next;
    p->next = w;
    list->tail = w;
    return list;
}

AstCond *ast_cmp(ParseCtx *c, AstWord *col, AstCmpOp op, AstWord *lit)
{
    AstCond *x = arena_alloc(c->arena, sizeof *x);
    x->kind = C_CMP;
    x->column = col;
    x->op = op;
    x->lits = lit;
    x->loc = span(col->loc, lit->loc);
    return x;
}

AstCond *ast_in(ParseCtx *c, AstWord *col, bool negated, AstWord *lits)
{
    AstCond *x = arena_alloc(c->arena, sizeof *x);
    x->kind = C_IN;
    x->column = col;
    x->negated = negated;
    x->lits = lits;
    AstWord *last = lits;
    while (last->next)
        last = last->next;
    x->loc = span(col->loc, last->loc);
    return x;
}

AstCond *ast_is_null(ParseCtx *c, AstWord *col, bool negated)
{
    AstCond *x = arena_alloc(c->arena, sizeof *x);
    x->kind = C_IS_NULL;
    x->column = col;
    x->negated = negated;
    x->loc = col->loc;
    return x;
}

AstCond *ast_bool(ParseCtx *c, AstCondKind kind, AstCond *lhs, AstCond *rhs, const Token *op)
{
    AstCond *x = arena_alloc(c->arena, sizeof *x);
    x->kind = kind;
    x->lhs = lhs;
    x->rhs = rhs;
    if (!lhs || (kind != C_NOT && !rhs))
        x->loc = op->loc;
    else
        x->loc = kind == C_NOT ? span(op->loc, lhs->loc) : span(lhs->loc, rhs->loc);
    return x;
}

AstCond *ast_paren(ParseCtx *c, AstCond *inner, const Token *open, const Token *close)
{
    (void)c;
    (void)open;
    (void)close;
    return inner; /* parentheses only group; the printer re-adds them as needed */
}

AstArg *ast_arg(ParseCtx *c, AstWord *words, AstCond *where)
{
    AstArg *a = arena_alloc(c->arena, sizeof *a);
    a->words = words;
    a->where = where;
    a->loc = words->loc;
    if (where)
        a->loc = span(words->loc, where->loc);
    return a;
}

AstArg *ast_args_append(AstArg *list, AstArg *a)
{
    AstArg *p = list->tail ? list->tail : list;
    while (p->next)
        p = p->next;
    p->next = a;
    list->tail = a;
    return list;
}

AstCall *ast_call(ParseCtx *c, const Token *func, AstArg *args, const Token *close)
{
    AstCall *k = arena_alloc(c->arena, sizeof *k);
    k->func = ast_word(c, W_IDENT, func);
    k->args = args;
    k->loc = span(func->loc, close->loc);
    return k;
}

static AstItem *new_item(ParseCtx *c, AstItemKind kind, const Token *key, const Token *end)
{
    AstItem *it = arena_alloc(c->arena, sizeof *it);
    it->kind = kind;
    it->key = ast_word(c, W_IDENT, key);
    it->loc = span(key->loc, end->loc);
    return it;
}

AstItem *ast_setting(ParseCtx *c, const Token *key, AstWord *words, AstCond *where,
                     const Token *end)
{
    AstItem *it = new_item(c, I_SETTING, key, end);
    it->words = words;
    it->where = where;
    return it;
}

AstItem *ast_where_item(ParseCtx *c, const Token *kw, AstCond *where, const Token *end)
{
    AstItem *it = new_item(c, I_WHERE, kw, end);
    it->key->text = "where";
    it->where = where;
    return it;
}

AstItem *ast_block(ParseCtx *c, const Token *key, AstWord *words, AstCond *where,
                   AstItem *items, const Token *close)
{
    AstItem *it = new_item(c, I_BLOCK, key, close);
    it->words = words;
    it->where = where;
    it->items = items;
    it->close_loc = close->loc;
    return it;
}

AstItem *ast_segment(ParseCtx *c, const Token *kw, const Token *name, AstWord *words,
                     const Token *end)
{
    AstItem *it = new_item(c, I_SEGMENT, kw, end);
    it->key->text = "segment";
    it->name = ast_word(c, W_IDENT, name);
    it->words = words;
    return it;
}

AstItem *ast_metric(ParseCtx *c, const Token *kw, const Token *name, AstCall *call,
                    AstWord *options, const Token *end)
{
    AstItem *it = new_item(c, I_METRIC, kw, end);
    it->name = ast_word(c, W_IDENT, name);
    it->call = call;
    it->words = options;
    return it;
}

AstItem *ast_items_append(AstItem *list, AstItem *it)
{
    if (!it)
        return list;
    if (!list)
        return it;
    AstItem *p = list->tail ? list->tail : list;
    while (p->next)
        p = p->next;
    p->next = it;
    list->tail = it;
    return list;
}

void ast_set_spec(ParseCtx *c, const Token *kw, const Token *name, AstItem *items,
                  const Token *close)
{
    AstSpec *s = arena_alloc(c->arena, sizeof *s);
    s->tag = ast_word(c, W_IDENT, name);
    s->items = items;
    s->loc = span(kw->loc, close->loc);
    c->spec = s;
}

/* ---- structural equality ------------------------------------------------- */
static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool keys_equal(const AstPathKey *a, const AstPathKey *b)
{
    for (; a && b; a = a->next, b = b->next)
        if (a->quoted != b->quoted || !str_eq(a->text, b->text))
            return false;
    return !a && !b;
}

static bool words_equal(const AstWord *a, const AstWord *b)
{
    for (; a && b; a = a->next, b = b->next) {
        if (a->kind != b->kind || a->comma_before != b->comma_before || a->as != b->as ||
            !keys_equal(a->keys, b->keys))
            return false;
        if (a->kind == W_NUMBER || a->kind == W_DURATION || a->kind == W_RANGE) {
            if (a->num != b->num || a->num2 != b->num2)
                return false;
        } else if (!str_eq(a->text, b->text) || !str_eq(a->text2, b->text2)) {
            return false;
        }
    }
    return !a && !b;
}

/* Loops down the left operands (long `and` chains and `not` chains are
 * left spines), recursing only into right operands (real groups). */
bool ast_cond_equal(const AstCond *a, const AstCond *b)
{
    for (;;) {
        if (!a || !b)
            return a == b;
        if (a->kind != b->kind || a->op != b->op || a->negated != b->negated)
            return false;
        if (!words_equal(a->column, b->column) || !words_equal(a->lits, b->lits))
            return false;
        if (!ast_cond_equal(a->rhs, b->rhs))
            return false;
        a = a->lhs;
        b = b->lhs;
    }
}

static bool call_equal(const AstCall *a, const AstCall *b)
{
    if (!a || !b)
        return a == b;
    if (!words_equal(a->func, b->func))
        return false;
    const AstArg *x = a->args, *y = b->args;
    for (; x && y; x = x->next, y = y->next)
        if (!words_equal(x->words, y->words) || !ast_cond_equal(x->where, y->where))
            return false;
    return !x && !y;
}

static bool items_equal(const AstItem *a, const AstItem *b)
{
    for (; a && b; a = a->next, b = b->next) {
        if (a->kind != b->kind || !str_eq(a->key->text, b->key->text))
            return false;
        if ((a->name || b->name) && (!a->name || !b->name || !str_eq(a->name->text, b->name->text)))
            return false;
        if (!words_equal(a->words, b->words) || !ast_cond_equal(a->where, b->where) ||
            !call_equal(a->call, b->call) || !items_equal(a->items, b->items))
            return false;
    }
    return !a && !b;
}

bool ast_equal(const AstSpec *a, const AstSpec *b)
{
    if (!a || !b)
        return a == b;
    return str_eq(a->tag->text, b->tag->text) && items_equal(a->items, b->items);
}
