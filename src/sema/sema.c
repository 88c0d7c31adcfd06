/* sema.c — semantic analysis of one spec: AST → IR.
 *
 * Phases: (1) top-level settings and sources, (2) exposure, segments,
 * assignments, (3) metric names, then metric bodies (so ratios and CUPED
 * covariates may refer to metrics defined later), (4) analysis and activity.
 * Each check reports at the word that is wrong and continues. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "abc/sema.h"

#define MAX_NAME 48 /* metric/segment names: room for column suffixes within 64 */

/* Name → index, open addressing over a power-of-two table (arena).  Specs
 * may define tens of thousands of metrics: lookups must not be linear. */
typedef struct NameTable {
    const char **names;
    int *index;
    size_t mask;
} NameTable;

typedef struct Sema {
    Arena *arena;
    Diag *diag;
    IrSpec *ir;
    const AstItem **metric_items; /* parallel to ir->metrics */
    const AstItem *exposure_item;
    const AstItem *analysis_item;
    NameTable metric_names;       /* ir->metrics by name */
    NameTable segment_names;      /* ir->segments by name */
} Sema;

static void names_init(Arena *a, NameTable *t, int n)
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
static int names_find(const NameTable *t, const char *name)
{
    if (!t->names)
        return -1;
    size_t i = names_slot(t, name);
    return t->names[i] ? t->index[i] : -1;
}

/* Add name (not yet present); the table holds at most half its size. */
static void names_add(NameTable *t, const char *name, int index)
{
    size_t i = names_slot(t, name);
    t->names[i] = name;
    t->index[i] = index;
}

/* ---- small helpers -------------------------------------------------------- */

static const char *word_text(const AstWord *w)
{
    switch (w->kind) {
    case W_IDENT:
    case W_STRING:
    case W_NUMBER:
    case W_DURATION: return w->text;
    case W_QNAME: return w->text;
    case W_RANGE: return "range";
    }
    return "";
}

static const char *word_kind_name(const AstWord *w)
{
    switch (w->kind) {
    case W_IDENT: return "a name";
    case W_STRING: return "a string";
    case W_NUMBER: return "a number";
    case W_DURATION: return "a duration";
    case W_QNAME: return "a qualified name";
    case W_RANGE: return "a range";
    }
    return "a word";
}

static bool is_word(const AstWord *w, const char *s)
{
    return w && w->kind == W_IDENT && strcmp(w->text, s) == 0;
}

/* A warehouse identifier: [A-Za-z_][A-Za-z0-9_]*, 1..64 bytes. */
static bool valid_ident(const char *s, size_t max)
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

static void unknown_word(Sema *s, const AstWord *w, const char *what, const char *const *known,
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

static int word_count(const AstWord *w)
{
    int n = 0;
    for (; w; w = w->next)
        n++;
    return n;
}

/* A name given as a single identifier or string word. */
static const char *expect_name(Sema *s, const AstItem *it, const AstWord *w, const char *what)
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

static bool expect_no_more(Sema *s, const AstWord *w)
{
    if (w) {
        diag_error(s->diag, w->loc, "unexpected '%s' here", word_text(w));
        return false;
    }
    return true;
}

static bool expect_number(Sema *s, const AstItem *it, const AstWord *w, double lo, double hi,
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

static bool expect_int(Sema *s, const AstWord *w, const char *what, long lo, long hi, long *out)
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
static bool not_a_setting(Sema *s, const AstItem *c)
{
    if (c->kind == I_SETTING || c->kind == I_WHERE)
        return false;
    diag_error(s->diag, c->key->loc, "'%s' is a setting, not a %s", c->key->text,
               c->kind == I_BLOCK ? "block" : "definition");
    return true;
}

static void dup_setting(Sema *s, const AstItem *it, const AstItem *first)
{
    int line, col;
    diag_line_col(s->diag, first->loc.off, &line, &col);
    diag_error(s->diag, it->key->loc, "'%s' is set twice (first at %d:%d)", it->key->text, line,
               col);
}

/* The index of a block item's key among keys, once each: an unknown key,
 * a key written as a block or definition, or a repeated key is reported and
 * gives -1.  seen[] (n entries, zeroed by the caller) records first uses. */
static int block_setting(Sema *s, const AstItem *c, const char *const *keys, int n,
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


/* ---- conditions ------------------------------------------------------------- */

#define MAX_COND_DEPTH 64    /* nesting of not and of (...) groups */
#define MAX_COND_TERMS 4096  /* comparisons in one condition */

typedef struct CondCheck {
    const AstCond *root;
    const char *source_name;
    int terms;
    bool failed; /* a limit was hit: reported once, the rest is skipped */
} CondCheck;

static void check_cmp(Sema *s, const AstCond *c, const char *source_name);

/* Depth of an operand of a k-chain at depth d: a group of the other
 * operator (`a and (b or c)`) is one level deeper. */
static int operand_depth(AstCondKind k, const AstCond *operand, int d)
{
    return (operand->kind == C_AND || operand->kind == C_OR) && operand->kind != k ? d + 1 : d;
}

/* Nesting is what the user wrote: `not`, and a group under `not` or of
 * another operator (`a and (b or c)`), go one level deeper; a flat chain
 * `a and b and c` (a left spine of one operator) does not, and is walked
 * by a loop, as are `not` chains, so only real groups cost stack. */
static void check_cond_at(Sema *s, const AstCond *c, CondCheck *cc, int depth)
{
    while (c && !cc->failed) {
        if (depth > MAX_COND_DEPTH) {
            diag_error(s->diag, c->loc, "condition nested too deeply");
            cc->failed = true;
            return;
        }
        if (c->kind == C_NOT) {
            c = c->lhs;
            depth++;
            if (c && (c->kind == C_AND || c->kind == C_OR))
                depth++; /* not (a or b): the group is a level of its own */
            continue;
        }
        if (c->kind == C_AND || c->kind == C_OR) {
            AstCondKind k = c->kind;
            const AstCond *p = c;
            for (; p && p->kind == k && !cc->failed; p = p->lhs)
                if (p->rhs)
                    check_cond_at(s, p->rhs, cc, operand_depth(k, p->rhs, depth));
            if (!p)
                return;
            depth = operand_depth(k, p, depth);
            c = p;
            continue;
        }
        if (++cc->terms > MAX_COND_TERMS) {
            diag_error(s->diag, cc->root->loc, "condition has more than %d comparisons",
                       MAX_COND_TERMS);
            cc->failed = true;
            return;
        }
        check_cmp(s, c, cc->source_name);
        return;
    }
}

/* Columns in a filter are plain names of the filtered source; `src.col`
 * must name that source.  False when a nesting or size limit was hit (the
 * condition must then not be walked recursively). */
static bool check_cond(Sema *s, const AstCond *c, const char *source_name)
{
    CondCheck cc = {c, source_name, 0, false};
    check_cond_at(s, c, &cc, 0);
    return !cc.failed;
}

static void check_cmp(Sema *s, const AstCond *c, const char *source_name)
{
    const AstWord *col = c->column;
    if (col->kind == W_QNAME) {
        if (source_name && strcmp(col->text, source_name) != 0)
            diag_error(s->diag, col->loc,
                       "column '%s.%s' does not belong to source '%s' (filters see one source)",
                       col->text, col->text2, source_name);
        if (!valid_ident(col->text2, 64))
            diag_error(s->diag, col->loc, "'%s' is not a valid column name", col->text2);
    } else if (!valid_ident(col->text, 64)) {
        diag_error(s->diag, col->loc, "'%s' is not a valid column name", col->text);
    }
    for (const AstWord *l = c->lits; l; l = l->next) {
        if (l->kind == W_NUMBER && !isfinite(l->num))
            diag_error(s->diag, l->loc, "number out of range");
        if (c->kind == C_CMP && l->kind == W_IDENT && c->op != OP_EQ && c->op != OP_NE)
            diag_error(s->diag, l->loc, "'%s' can only be compared with = or !=", l->text);
    }
}

/* Rewrite src.col to col so the IR holds plain column names. */
static const IrCond *normalise_cond(Sema *s, const AstCond *c)
{
    if (!c)
        return NULL;
    AstCond *n = arena_alloc(s->arena, sizeof *n);
    *n = *c;
    if (c->column && c->column->kind == W_QNAME) {
        AstWord *w = arena_alloc(s->arena, sizeof *w);
        *w = *c->column;
        w->kind = W_IDENT;
        w->text = c->column->text2;
        w->text2 = NULL;
        w->next = NULL;
        n->column = w;
    }
    n->lhs = (AstCond *)normalise_cond(s, c->lhs);
    n->rhs = (AstCond *)normalise_cond(s, c->rhs);
    return n;
}

/* ---- sources ----------------------------------------------------------------- */

static int find_source(const IrSpec *ir, const char *name)
{
    for (int i = 0; i < ir->nsources; i++)
        if (strcmp(ir->sources[i].name, name) == 0)
            return i;
    return -1;
}

static int resolve_source(Sema *s, const AstWord *w, bool need_events)
{
    if (w->kind != W_IDENT) {
        diag_error(s->diag, w->loc, "expected a source name, found %s", word_kind_name(w));
        return -1;
    }
    int i = find_source(s->ir, w->text);
    if (i < 0) {
        const char **names = arena_alloc(s->arena, sizeof(char *) * (size_t)(s->ir->nsources + 1));
        for (int k = 0; k < s->ir->nsources; k++)
            names[k] = s->ir->sources[k].name;
        const char *sugg = diag_suggest(w->text, names, s->ir->nsources);
        if (sugg)
            diag_error(s->diag, w->loc, "undefined source '%s'; did you mean '%s'?", w->text, sugg);
        else
            diag_error(s->diag, w->loc, "undefined source '%s'", w->text);
        return -1;
    }
    if (need_events && s->ir->sources[i].is_user_table) {
        diag_error(s->diag, w->loc,
                   "source '%s' is a user table (no time/date columns); events need a source "
                   "with 'time' and 'date'",
                   w->text);
        return -1;
    }
    return i;
}

static void sema_source(Sema *s, const AstItem *it, IrSource *src)
{
    const AstWord *w = it->words;
    memset(src, 0, sizeof *src);
    src->loc = it->loc;
    if (!w || w->kind != W_IDENT) {
        diag_error(s->diag, w ? w->loc : it->key->loc, "expected: source NAME \"db.table\" { ... }");
        return;
    }
    src->name = w->text;
    w = w->next;
    if (!w || w->kind != W_STRING) {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "source '%s' needs its table as a string, e.g. \"ods.app_events\"", src->name);
        return;
    }
    const char *dot = strchr(w->text, '.');
    if (dot) {
        src->database = arena_strndup(s->arena, w->text, (size_t)(dot - w->text));
        src->table = dot + 1;
    } else {
        src->table = w->text;
    }
    if ((src->database && !valid_ident(src->database, 64)) || !valid_ident(src->table, 64))
        diag_error(s->diag, w->loc,
                   "table \"%s\" must be [db.]table with names of letters, digits and '_' "
                   "(at most 64 each)",
                   w->text);
    expect_no_more(s, w->next);
    if (it->kind != I_BLOCK) {
        diag_error(s->diag, it->loc, "source '%s' needs a block: { user COL; time COL; date COL; }",
                   src->name);
        return;
    }
    if (it->where)
        diag_error(s->diag, it->where->loc, "put a source's standing filter inside its block: where ...;");
    const AstItem *seen[4] = {0};
    static const char *const keys[] = {"user", "time", "date", "where"};
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, 4, "source setting", seen);
        if (k < 0)
            continue;
        if (k == 3) {
            if (check_cond(s, c->where, src->name))
                src->filter = normalise_cond(s, c->where);
            continue;
        }
        const char *col = expect_name(s, c, c->words, "a column name");
        if (!col)
            continue;
        if (!valid_ident(col, 64))
            diag_error(s->diag, c->words->loc, "'%s' is not a valid column name", col);
        expect_no_more(s, c->words->next);
        if (c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (k == 0)
            src->user_col = col;
        else if (k == 1)
            src->time_col = col;
        else
            src->date_col = col;
    }
    if (!src->user_col)
        diag_error(s->diag, it->key->loc, "source '%s' needs 'user COLUMN;'", src->name);
    if ((src->time_col == NULL) != (src->date_col == NULL))
        diag_error(s->diag, it->key->loc,
                   "source '%s' needs both 'time' and 'date' (or neither, for a user table)",
                   src->name);
    src->is_user_table = !src->time_col && !src->date_col;
}

/* ---- experiments, assignments ----------------------------------------------- */

static void sema_experiments(Sema *s, const AstItem *it, const AstItem **seen_gb,
                             const AstItem **seen_keys)
{
    IrExperiments *e = &s->ir->experiments;
    const AstWord *w = it->words;
    if (is_word(w, "from")) {
        if (*seen_gb) {
            dup_setting(s, it, *seen_gb);
            return;
        }
        *seen_gb = it;
        w = w->next;
        if (!is_word(w, "growthbook")) {
            diag_error(s->diag, w ? w->loc : it->key->loc, "expected 'growthbook' after 'from'");
            return;
        }
        e->from_growthbook = true;
        for (w = w->next; w; w = w->next) {
            static const char *const opts[] = {"tag", "project", "status"};
            if (w->kind != W_IDENT) {
                diag_error(s->diag, w->loc, "expected tag, project or status, found %s",
                           word_kind_name(w));
                return;
            }
            int k = -1;
            for (int i = 0; i < 3; i++)
                if (strcmp(w->text, opts[i]) == 0)
                    k = i;
            if (k < 0) {
                unknown_word(s, w, "experiments filter", opts, 3);
                return;
            }
            const AstWord *v = w->next;
            if (!v || (v->kind != W_STRING && v->kind != W_IDENT)) {
                diag_error(s->diag, v ? v->loc : w->loc, "'%s' needs a value", w->text);
                return;
            }
            if (k == 2 && strcmp(v->text, "running") && strcmp(v->text, "stopped") &&
                strcmp(v->text, "draft")) {
                diag_error(s->diag, v->loc, "status must be running, stopped or draft");
            }
            if (k == 0)
                e->gb_tag = v->text;
            else if (k == 1)
                e->gb_project = v->text;
            else
                e->gb_status = v->text;
            w = v;
        }
    } else if (is_word(w, "keys")) {
        if (*seen_keys) {
            dup_setting(s, it, *seen_keys);
            return;
        }
        *seen_keys = it;
        int n = word_count(w->next);
        if (n == 0) {
            diag_error(s->diag, w->loc, "'keys' needs at least one tracking key");
            return;
        }
        e->keys = arena_alloc(s->arena, sizeof(char *) * (size_t)n);
        for (const AstWord *k = w->next; k; k = k->next) {
            if (k->kind != W_STRING) {
                diag_error(s->diag, k->loc, "tracking keys are strings, e.g. \"exp-1\"");
                continue;
            }
            if (k->text[0] == '\0') {
                diag_error(s->diag, k->loc, "empty tracking key");
                continue;
            }
            for (int j = 0; j < e->nkeys; j++)
                if (strcmp(e->keys[j], k->text) == 0)
                    diag_error(s->diag, k->loc, "tracking key \"%s\" listed twice", k->text);
            e->keys[e->nkeys++] = k->text;
        }
    } else {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "expected 'experiments from growthbook [tag \"...\"] [project \"...\"] [status "
                   "...];' or 'experiments keys \"...\", ...;'");
    }
}

static void sema_assignment(Sema *s, const AstItem *it, IrHashAssignment *a)
{
    memset(a, 0, sizeof *a);
    a->loc = it->loc;
    const AstWord *w = it->words;
    if (!w || w->kind != W_STRING || it->kind != I_BLOCK) {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "expected: assignment \"TRACKING_KEY\" { salt \"...\"; variations NAME WEIGHT, ...; }");
        return;
    }
    a->tracking_key = w->text;
    if (!w->text[0])
        diag_error(s->diag, w->loc, "empty tracking key");
    expect_no_more(s, w->next);
    const AstItem *seen_salt = NULL, *seen_var = NULL, *seen_start = NULL;
    for (const AstItem *c = it->items; c; c = c->next) {
        static const char *const keys[] = {"salt", "variations", "start"};
        bool known = false;
        for (int i = 0; i < 3; i++)
            known |= strcmp(c->key->text, keys[i]) == 0;
        if (known && not_a_setting(s, c))
            continue;
        if (known && c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (strcmp(c->key->text, "start") == 0 && c->kind == I_SETTING) {
            long day;
            if (seen_start) {
                dup_setting(s, c, seen_start);
                continue;
            }
            seen_start = c;
            if (!c->words || c->words->kind != W_STRING || !date_parse(c->words->text, &day)) {
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc,
                           "start must be a date string \"YYYY-MM-DD\"");
                continue;
            }
            a->start = c->words->text;
            expect_no_more(s, c->words->next);
        } else if (strcmp(c->key->text, "salt") == 0 && c->kind == I_SETTING) {
            if (seen_salt) {
                dup_setting(s, c, seen_salt);
                continue;
            }
            seen_salt = c;
            if (!c->words || c->words->kind != W_STRING) {
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc, "salt must be a string");
                continue;
            }
            a->salt = c->words->text;
            expect_no_more(s, c->words->next);
        } else if (strcmp(c->key->text, "variations") == 0 && c->kind == I_SETTING) {
            if (seen_var) {
                dup_setting(s, c, seen_var);
                continue;
            }
            seen_var = c;
            int n = c->words ? 1 : 0; /* comma groups: one NAME WEIGHT each */
            for (const AstWord *g = c->words; g; g = g->next)
                n += g->comma_before;
            if (n < 2) {
                diag_error(s->diag, c->key->loc, "at least two variations are needed: NAME WEIGHT, NAME WEIGHT");
                continue;
            }
            n = word_count(c->words); /* room for any number of pairs */
            a->variations = arena_alloc(s->arena, sizeof(char *) * (size_t)n);
            a->weights = arena_alloc(s->arena, sizeof(double) * (size_t)n);
            double total = 0;
            const AstWord *v = c->words;
            while (v) {
                const AstWord *name = v, *wt = v->next;
                if ((name->kind == W_IDENT || name->kind == W_STRING) && (!wt || wt->comma_before)) {
                    diag_error(s->diag, name->loc, "a weight is missing for '%s' (NAME WEIGHT, e.g. %s 0.5)",
                               name->text, name->kind == W_IDENT ? name->text : "control");
                    break;
                }
                if ((name->kind != W_IDENT && name->kind != W_STRING) || wt->kind != W_NUMBER) {
                    diag_error(s->diag, name->loc, "expected NAME WEIGHT pairs, e.g. control 0.5, treatment 0.5");
                    break;
                }
                if (wt->num <= 0 || wt->num >= 1) {
                    diag_error(s->diag, wt->loc, "a weight must be in (0, 1), got %s", wt->text);
                }
                for (int j = 0; j < a->nvariations; j++)
                    if (strcmp(a->variations[j], name->text) == 0)
                        diag_error(s->diag, name->loc, "variation '%s' listed twice", name->text);
                a->variations[a->nvariations] = name->text;
                a->weights[a->nvariations++] = wt->num;
                total += wt->num;
                v = wt->next;
            }
            if (fabs(total - 1.0) > 1e-9 && a->nvariations >= 2)
                diag_error(s->diag, c->words->loc, "split weights sum to %.10g, not 1", total);
        } else {
            unknown_word(s, c->key, "assignment setting", keys, 3);
        }
    }
    if (!seen_salt)
        a->salt = a->tracking_key;
    if (!seen_var)
        diag_error(s->diag, it->key->loc, "assignment \"%s\" needs 'variations NAME WEIGHT, ...;'",
                   a->tracking_key);
}

/* ---- exposure, segments --------------------------------------------------------- */

static void sema_exposure(Sema *s, const AstItem *it)
{
    IrExposure *x = &s->ir->exposure;
    x->loc = it->loc;
    x->source = -1;
    x->multiple = MULTI_EXCLUDE;
    const AstWord *w = it->words;
    if (!w) {
        diag_error(s->diag, it->key->loc, "expected: exposure SOURCE where ... { experiment COL; variation COL; }");
        return;
    }
    x->source = resolve_source(s, w, true);
    expect_no_more(s, w->next);
    if (x->source >= 0) {
        if (check_cond(s, it->where, s->ir->sources[x->source].name))
            x->filter = normalise_cond(s, it->where);
    }
    if (it->kind != I_BLOCK) {
        diag_error(s->diag, it->loc, "exposure needs a block: { experiment COL; variation COL; }");
        return;
    }
    static const char *const keys[] = {"experiment", "variation", "first", "multiple", "activation"};
    const AstItem *seen[5] = {0};
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, 5, "exposure setting", seen);
        if (k < 0)
            continue;
        if (k != 4 && c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (k <= 1) {
            const char *col = expect_name(s, c, c->words, "a column name");
            if (!col)
                continue;
            if (!valid_ident(col, 64))
                diag_error(s->diag, c->words->loc, "'%s' is not a valid column name", col);
            expect_no_more(s, c->words->next);
            if (k == 0)
                x->experiment_col = col;
            else
                x->variation_col = col;
        } else if (k == 2) {
            expect_no_more(s, c->words);
        } else if (k == 3) {
            if (is_word(c->words, "exclude"))
                x->multiple = MULTI_EXCLUDE;
            else if (is_word(c->words, "first"))
                x->multiple = MULTI_FIRST;
            else
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc,
                           "'multiple' is 'exclude' (drop users seen in more than one variation) "
                           "or 'first' (keep their first variation)");
            if (c->words)
                expect_no_more(s, c->words->next);
        } else {
            if (!c->words) {
                diag_error(s->diag, c->key->loc, "expected: activation SOURCE where ...;");
                continue;
            }
            int src = resolve_source(s, c->words, true);
            expect_no_more(s, c->words->next);
            if (src >= 0) {
                x->has_activation = true;
                x->activation.source = src;
                if (check_cond(s, c->where, s->ir->sources[src].name))
                    x->activation.filter = normalise_cond(s, c->where);
            }
        }
    }
    if (!x->experiment_col)
        diag_error(s->diag, it->key->loc, "exposure needs 'experiment COLUMN;' (matches the GrowthBook tracking key)");
    if (!x->variation_col)
        diag_error(s->diag, it->key->loc, "exposure needs 'variation COLUMN;' (matches the variation key)");
}

static void sema_segment(Sema *s, const AstItem *it, IrSegment *g)
{
    memset(g, 0, sizeof *g);
    g->name = it->name->text;
    g->loc = it->loc;
    const AstWord *w = it->words;
    if (!w || w->kind != W_QNAME) {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "a segment is exposure.COLUMN or USER_SOURCE.COLUMN");
        return;
    }
    expect_no_more(s, w->next);
    if (!valid_ident(w->text2, 64))
        diag_error(s->diag, w->loc, "'%s' is not a valid column name", w->text2);
    g->column = w->text2;
    if (strcmp(w->text, "exposure") == 0) {
        g->from = SEG_EXPOSURE;
        return;
    }
    AstWord tmp = *w;
    tmp.kind = W_IDENT;
    int src = resolve_source(s, &tmp, false);
    if (src < 0)
        return;
    if (!s->ir->sources[src].is_user_table) {
        diag_error(s->diag, w->loc,
                   "source '%s' has events (many rows per user); a segment is exposure.COLUMN "
                   "or a column of a user table",
                   w->text);
        return;
    }
    g->from = SEG_USER_TABLE;
    g->source = src;
}

/* ---- metrics ------------------------------------------------------------------ */

static const char *const metric_funcs[] = {"any", "count", "sum", "mean", "active_days", "ratio",
                                           "retained", "quantile", "funnel", "time_to"};
static const IrMetricKind metric_kinds[] = {MK_PROPORTION, MK_COUNT, MK_SUM, MK_MEAN,
                                            MK_ACTIVE_DAYS, MK_RATIO, MK_RETENTION, MK_QUANTILE,
                                            MK_FUNNEL, MK_TIME_TO_EVENT};

static int find_metric(const Sema *s, const char *name)
{
    return names_find(&s->metric_names, name);
}

static int resolve_metric(Sema *s, const AstWord *w)
{
    if (!w || w->kind != W_IDENT) {
        diag_error(s->diag, w->loc, "expected a metric name, found %s", word_kind_name(w));
        return -1;
    }
    int i = find_metric(s, w->text);
    if (i < 0) {
        const char **names = arena_alloc(s->arena, sizeof(char *) * (size_t)(s->ir->nmetrics + 1));
        for (int k = 0; k < s->ir->nmetrics; k++)
            names[k] = s->ir->metrics[k].name ? s->ir->metrics[k].name : "";
        const char *sugg = diag_suggest(w->text, names, s->ir->nmetrics);
        if (sugg)
            diag_error(s->diag, w->loc, "undefined metric '%s'; did you mean '%s'?", w->text, sugg);
        else
            diag_error(s->diag, w->loc, "undefined metric '%s'", w->text);
    }
    return i;
}

/* An event-set argument: SOURCE [where cond]. */
static bool arg_event_set(Sema *s, const AstArg *a, IrEventSet *out)
{
    const AstWord *w = a->words;
    if (w->kind == W_QNAME) {
        diag_error(s->diag, w->loc, "expected an event source (e.g. events where ...), not a column");
        return false;
    }
    int src = resolve_source(s, w, true);
    expect_no_more(s, w->next);
    if (src < 0)
        return false;
    out->source = src;
    if (check_cond(s, a->where, s->ir->sources[src].name))
        out->filter = normalise_cond(s, a->where);
    return true;
}

/* A value argument: SOURCE.COLUMN [where cond]. */
static bool arg_value(Sema *s, const AstArg *a, IrEventSet *set, const char **col)
{
    const AstWord *w = a->words;
    if (w->kind != W_QNAME) {
        diag_error(s->diag, w->loc, "expected a value column SOURCE.COLUMN (e.g. payments.amount)");
        return false;
    }
    AstWord tmp = *w;
    tmp.kind = W_IDENT;
    tmp.next = NULL;
    int src = resolve_source(s, &tmp, true);
    expect_no_more(s, w->next);
    if (src < 0)
        return false;
    if (!valid_ident(w->text2, 64)) {
        diag_error(s->diag, w->loc, "'%s' is not a valid column name", w->text2);
        return false;
    }
    set->source = src;
    if (check_cond(s, a->where, s->ir->sources[src].name))
        set->filter = normalise_cond(s, a->where);
    *col = w->text2;
    return true;
}

static int arg_count(const AstArg *a)
{
    int n = 0;
    for (; a; a = a->next)
        n++;
    return n;
}

static bool want_args(Sema *s, const AstCall *call, int lo, int hi, const char *usage)
{
    int n = arg_count(call->args);
    if (n < lo || n > hi) {
        diag_error(s->diag, call->loc, "%s takes %s; usage: %s", call->func->text,
                   lo == hi ? (lo == 1 ? "one argument" : "two arguments") : "more arguments",
                   usage);
        return false;
    }
    return true;
}

static void sema_metric_call(Sema *s, const AstItem *it, IrMetric *m, int self)
{
    const AstCall *call = it->call;
    const AstWord *f = call->func;
    int k = -1;
    for (int i = 0; i < 10; i++)
        if (strcmp(f->text, metric_funcs[i]) == 0)
            k = i;
    if (k < 0) {
        unknown_word(s, f, "metric function", metric_funcs, 10);
        return;
    }
    m->kind = metric_kinds[k];
    const AstArg *a = call->args;
    switch (m->kind) {
    case MK_PROPORTION:
    case MK_COUNT:
    case MK_ACTIVE_DAYS:
    case MK_TIME_TO_EVENT:
        if (want_args(s, call, 1, 1, "FUNC(SOURCE [where ...])"))
            arg_event_set(s, a, &m->set);
        break;
    case MK_SUM:
    case MK_MEAN:
        if (want_args(s, call, 1, 1, "FUNC(SOURCE.COLUMN [where ...])"))
            arg_value(s, a, &m->set, &m->value_col);
        break;
    case MK_QUANTILE:
        if (!want_args(s, call, 2, 2, "quantile(SOURCE.COLUMN [where ...], Q)"))
            break;
        arg_value(s, a, &m->set, &m->value_col);
        if (a->next->words->kind != W_NUMBER || a->next->words->next || a->next->where) {
            diag_error(s->diag, a->next->loc, "the quantile is a number in (0, 1), e.g. 0.9");
        } else {
            m->quantile = a->next->words->num;
            if (!(m->quantile > 0 && m->quantile < 1))
                diag_error(s->diag, a->next->words->loc, "quantile %s is outside (0, 1)",
                           a->next->words->text);
        }
        break;
    case MK_RATIO:
        if (!want_args(s, call, 2, 2, "ratio(NUMERATOR_METRIC, DENOMINATOR_METRIC)"))
            break;
        for (int i = 0; i < 2; i++, a = a->next) {
            if (a->where || a->words->next) {
                diag_error(s->diag, a->loc, "ratio arguments are metric names");
                continue;
            }
            int r = resolve_metric(s, a->words);
            if (r < 0)
                continue;
            if (r == self) {
                diag_error(s->diag, a->words->loc, "ratio '%s' refers to itself", m->name);
                continue;
            }
            const AstItem *target = s->metric_items[r];
            if (target->call && strcmp(target->call->func->text, "ratio") == 0) {
                diag_error(s->diag, a->words->loc, "'%s' is a ratio; a ratio of a ratio is not supported",
                           a->words->text);
                continue;
            }
            if (target->call && (strcmp(target->call->func->text, "quantile") == 0 ||
                                 strcmp(target->call->func->text, "funnel") == 0 ||
                                 strcmp(target->call->func->text, "time_to") == 0)) {
                diag_error(s->diag, a->words->loc,
                           "'%s' is a %s metric; ratios take count, sum, any, mean, active_days or retained metrics",
                           a->words->text, target->call->func->text);
                continue;
            }
            if (i == 0)
                m->num = r;
            else
                m->den = r;
        }
        break;
    case MK_RETENTION: {
        if (!want_args(s, call, 2, 2, "retained(SOURCE [where ...], day N | days A..B)"))
            break;
        arg_event_set(s, a, &m->set);
        const AstWord *d = a->next->words;
        if (a->next->where) {
            diag_error(s->diag, a->next->where->loc, "unexpected 'where' in the retention days");
            break;
        }
        m->window.kind = WIN_DAYS;
        if (is_word(d, "day") && d->next && d->next->kind == W_NUMBER && !d->next->next) {
            long n;
            if (expect_int(s, d->next, "the retention day", 0, 366, &n))
                m->window.from_day = m->window.to_day = (int)n;
        } else if (is_word(d, "days") && d->next && d->next->kind == W_RANGE && !d->next->next) {
            const AstWord *r = d->next;
            if (r->num != floor(r->num) || r->num2 != floor(r->num2) || r->num < 0 ||
                r->num2 > 366 || r->num > r->num2)
                diag_error(s->diag, r->loc, "retention days A..B need whole numbers 0 <= A <= B <= 366");
            else
                m->window.from_day = (int)r->num, m->window.to_day = (int)r->num2;
        } else {
            diag_error(s->diag, d->loc, "expected 'day N' or 'days A..B'");
        }
        break;
    }
    case MK_FUNNEL: {
        int n = arg_count(a);
        if (n < 2) {
            diag_error(s->diag, call->loc, "a funnel needs at least two steps");
            break;
        }
        if (n > 20) {
            diag_error(s->diag, call->loc, "a funnel has at most 20 steps");
            break;
        }
        m->steps = arena_alloc(s->arena, sizeof(IrEventSet) * (size_t)n);
        for (; a; a = a->next)
            if (arg_event_set(s, a, &m->steps[m->nsteps]))
                m->nsteps++;
        if (m->nsteps > 0)
            m->set = m->steps[0];
        break;
    }
    }
}

/* The duration word w after the option keyword kw (which a missing
 * duration is reported at). */
static bool parse_days(Sema *s, const AstWord *kw, const AstWord *w, const char *what, int *out)
{
    if (!w || w->kind != W_DURATION) {
        diag_error(s->diag, w ? w->loc : kw->loc, "%s needs a duration in days, e.g. 7d", what);
        return false;
    }
    if (w->num < 1 || w->num > 366) {
        diag_error(s->diag, w->loc, "%s must be between 1d and 366d, got %s", what, w->text);
        return false;
    }
    *out = (int)w->num;
    return true;
}

static void sema_metric_options(Sema *s, const AstItem *it, IrMetric *m, bool *has_window,
                                bool *window_phase)
{
    static const char *const opts[] = {"within", "cap", "cuped", "higher", "lower", "goal",
                                       "secondary", "guardrail"};
    bool seen_role = strcmp(it->key->text, "guardrail") == 0;
    bool seen_dir = false, seen_cap = false, seen_cuped = false;
    for (const AstWord *w = it->words; w; w = w->next) {
        if (w->kind != W_IDENT) {
            diag_error(s->diag, w->loc, "unexpected %s '%s' in metric options", word_kind_name(w),
                       word_text(w));
            return;
        }
        if (strcmp(w->text, "within") == 0) {
            if (*has_window) {
                diag_error(s->diag, w->loc, "the window is set twice");
                return;
            }
            *has_window = true;
            if (is_word(w->next, "phase")) {
                *window_phase = true;
                w = w->next;
                continue;
            }
            int d;
            if (!parse_days(s, w, w->next, "'within'", &d))
                return;
            m->window.kind = WIN_DAYS;
            m->window.from_day = 0;
            m->window.to_day = d - 1;
            w = w->next;
        } else if (strcmp(w->text, "cap") == 0) {
            if (seen_cap) {
                diag_error(s->diag, w->loc, "'cap' is set twice");
                return;
            }
            seen_cap = true;
            const AstWord *v = w->next;
            if (v && v->kind == W_NUMBER) {
                if (!(v->num > 0) || !isfinite(v->num)) {
                    diag_error(s->diag, v->loc, "an absolute cap must be a positive number");
                    return;
                }
                m->cap.kind = CAP_ABSOLUTE;
                m->cap.value = v->num;
            } else if (v && v->kind == W_IDENT && v->text[0] == 'p' && v->text[1]) {
                char *end;
                double p = strtod(v->text + 1, &end);
                bool digits = strspn(v->text + 1, "0123456789") == strlen(v->text + 1);
                if (*end || !digits || !(p > 0 && p < 100)) { /* not p5e1 */
                    diag_error(s->diag, v->loc, "a percentile cap is p1..p99, e.g. p99");
                    return;
                }
                m->cap.kind = CAP_PERCENTILE;
                m->cap.value = p / 100.0;
            } else {
                diag_error(s->diag, v ? v->loc : w->loc,
                           "'cap' needs an absolute value (cap 1000) or a percentile (cap p99)");
                return;
            }
            w = v;
        } else if (strcmp(w->text, "cuped") == 0) {
            if (seen_cuped) {
                diag_error(s->diag, w->loc, "'cuped' is set twice");
                return;
            }
            seen_cuped = true;
            const AstWord *v = w->next;
            if (v && v->kind == W_IDENT) {
                int r = resolve_metric(s, v);
                if (r < 0)
                    return;
                m->cuped.kind = CUPED_OTHER;
                m->cuped.metric = r;
                v = v->next;
            } else {
                m->cuped.kind = CUPED_SELF;
            }
            if (!parse_days(s, w, v, "the CUPED pre-period", &m->cuped.pre_days))
                return;
            w = v;
        } else if (strcmp(w->text, "higher") == 0 || strcmp(w->text, "lower") == 0) {
            if (seen_dir) {
                diag_error(s->diag, w->loc, "the direction is set twice");
                return;
            }
            seen_dir = true;
            if (!is_word(w->next, "is") || !is_word(w->next->next, "better")) {
                diag_error(s->diag, w->loc, "write '%s is better'", w->text);
                return;
            }
            m->direction = w->text[0] == 'h' ? DIR_HIGHER : DIR_LOWER;
            w = w->next->next;
        } else if (strcmp(w->text, "goal") == 0 || strcmp(w->text, "secondary") == 0 ||
                   strcmp(w->text, "guardrail") == 0) {
            if (seen_role) {
                diag_error(s->diag, w->loc, "the role is set twice");
                return;
            }
            seen_role = true;
            m->role = w->text[0] == 'g' ? (w->text[1] == 'o' ? ROLE_GOAL : ROLE_GUARDRAIL)
                                        : ROLE_SECONDARY;
        } else {
            unknown_word(s, w, "metric option", opts, 8);
            return;
        }
    }
}

static void sema_metric(Sema *s, const AstItem *it, IrMetric *m, int self)
{
    m->role = strcmp(it->key->text, "guardrail") == 0 ? ROLE_GUARDRAIL : ROLE_GOAL;
    m->direction = DIR_HIGHER;
    m->window.kind = WIN_PHASE;
    m->set.source = -1; /* until resolved; stays -1 for ratios and on errors */
    sema_metric_call(s, it, m, self);
    bool has_window = false, phase = false;
    IrWindow own = m->window;
    sema_metric_options(s, it, m, &has_window, &phase);
    const char *fn = it->call->func->text;
    if (has_window && (m->kind == MK_RETENTION || m->kind == MK_RATIO)) {
        diag_error(s->diag, it->call->loc,
                   "%s metrics take no 'within' window (%s)", fn,
                   m->kind == MK_RETENTION ? "the days are part of retained(...)"
                                           : "the window comes from its two metrics");
        m->window = own;
    }
    if (phase)
        m->window.kind = WIN_PHASE;
    if (m->kind == MK_TIME_TO_EVENT && (!has_window || phase))
        diag_error(s->diag, it->call->loc,
                   "time_to needs a window in days to censor at, e.g. 'within 14d'");
    if (m->cap.kind != CAP_NONE &&
        !(m->kind == MK_COUNT || m->kind == MK_SUM || m->kind == MK_ACTIVE_DAYS))
        diag_error(s->diag, it->call->loc, "'cap' applies to count, sum and active_days metrics, not %s", fn);
    if (m->cuped.kind != CUPED_NONE) {
        if (m->kind == MK_RATIO || m->kind == MK_QUANTILE || m->kind == MK_FUNNEL ||
            m->kind == MK_TIME_TO_EVENT)
            diag_error(s->diag, it->call->loc, "CUPED is not available for %s metrics", fn);
        if (m->cuped.kind == CUPED_SELF)
            m->cuped.metric = self;
    }
}

/* The second pass of metric checks, once every metric is known. */
static void sema_metric_links(Sema *s)
{
    IrSpec *ir = s->ir;
    for (int i = 0; i < ir->nmetrics; i++) {
        IrMetric *m = &ir->metrics[i];
        const AstItem *it = s->metric_items[i];
        if (m->cuped.kind == CUPED_OTHER) {
            const IrMetric *c = &ir->metrics[m->cuped.metric];
            if (m->cuped.metric == i)
                m->cuped.kind = CUPED_SELF;
            else if (c->kind == MK_RATIO || c->kind == MK_QUANTILE || c->kind == MK_FUNNEL ||
                     c->kind == MK_TIME_TO_EVENT)
                diag_error(s->diag, it->loc, "CUPED covariate '%s' must be a count, sum, any, mean or active_days metric",
                           c->name);
        }
        if (m->cuped.kind != CUPED_NONE) {
            const IrMetric *c = &ir->metrics[m->cuped.metric];
            if (c->set.source >= 0 && c->set.source < ir->nsources &&
                ir->sources[c->set.source].is_user_table)
                diag_error(s->diag, it->loc, "CUPED needs pre-period data, and '%s' has no dates",
                           ir->sources[c->set.source].name);
        }
    }
}

/* ---- analysis ------------------------------------------------------------------ */

static void sema_analysis(Sema *s, const AstItem *it)
{
    IrAnalysis *a = &s->ir->analysis;
    enum AnalysisKey {
        AK_METHODS, AK_ALPHA, AK_SIDED, AK_EFFECT, AK_PRIOR, AK_SEQUENTIAL, AK_CORRECTION, AK_SRM,
        AK_FAIL_ON, AK_POWER, AK_MDE, AK_BOOTSTRAP, NKEYS
    };
    static const char *const keys[NKEYS] = {
        [AK_METHODS] = "methods",       [AK_ALPHA] = "alpha",       [AK_SIDED] = "sided",
        [AK_EFFECT] = "effect",         [AK_PRIOR] = "prior",       [AK_SEQUENTIAL] = "sequential",
        [AK_CORRECTION] = "correction", [AK_SRM] = "srm",           [AK_FAIL_ON] = "fail_on",
        [AK_POWER] = "power",           [AK_MDE] = "mde",           [AK_BOOTSTRAP] = "bootstrap"};
    const AstItem *seen[NKEYS] = {0};
    if (it->kind != I_BLOCK || it->words || it->where) {
        diag_error(s->diag, it->key->loc, "expected: analysis { methods ...; alpha ...; }");
        return;
    }
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, NKEYS, "analysis setting", seen);
        if (k < 0)
            continue;
        if (c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' in analysis");
        const AstWord *w = c->words;
        switch (k) {
        case AK_METHODS: { /* methods */
            const char *const *names = IR_METHOD_NAMES;
            a->methods = 0;
            if (!w)
                diag_error(s->diag, c->key->loc, "'methods' needs at least one method");
            for (; w; w = w->next) {
                int m = -1;
                for (int i = 0; i < 7; i++)
                    if (w->kind == W_IDENT && strcmp(w->text, names[i]) == 0)
                        m = i;
                if (m < 0) {
                    unknown_word(s, w, "method", names, 7);
                    continue;
                }
                if (a->methods & (1u << m))
                    diag_error(s->diag, w->loc, "method '%s' listed twice", w->text);
                a->methods |= 1u << m;
            }
            break;
        }
        case AK_ALPHA:
            if (expect_number(s, c, w, 0, 0.5, true, false, &a->alpha))
                expect_no_more(s, w->next);
            break;
        case AK_SIDED:
            if (is_word(w, "two") || is_word(w, "one")) {
                a->one_sided = w->text[0] == 'o';
                expect_no_more(s, w->next);
            } else {
                diag_error(s->diag, w ? w->loc : c->key->loc, "'sided' is 'one' or 'two'");
            }
            break;
        case AK_EFFECT:
            if (is_word(w, "relative") || is_word(w, "absolute")) {
                a->effect = w->text[0] == 'r' ? EFFECT_RELATIVE : EFFECT_ABSOLUTE;
                expect_no_more(s, w->next);
            } else {
                diag_error(s->diag, w ? w->loc : c->key->loc, "'effect' is 'relative' or 'absolute'");
            }
            break;
        case AK_PRIOR: /* prior MEAN STDDEV */
            if (!w || w->kind != W_NUMBER || !w->next || w->next->kind != W_NUMBER) {
                diag_error(s->diag, w ? w->loc : c->key->loc,
                           "'prior' takes the mean and standard deviation of the relative effect, e.g. prior 0 0.3");
                break;
            }
            if (!(w->next->num > 0) || !isfinite(w->next->num) || !isfinite(w->num)) {
                diag_error(s->diag, w->next->loc, "the prior's standard deviation must be positive");
                break;
            }
            a->has_prior = true;
            a->prior_mean = w->num;
            a->prior_stddev = w->next->num;
            expect_no_more(s, w->next->next);
            break;
        case AK_SEQUENTIAL: { /* sequential none | msprt [tau X] | cs [tuning X] | obf looks N */
            const char *const *seqs = IR_SEQUENTIAL_NAMES;
            int q = -1;
            for (int i = 0; w && i < 4; i++)
                if (is_word(w, seqs[i]))
                    q = i;
            if (q < 0) {
                if (w)
                    unknown_word(s, w, "sequential method", seqs, 4);
                else
                    diag_error(s->diag, c->key->loc, "'sequential' needs none, msprt, cs or obf");
                break;
            }
            a->sequential = (IrSequential)q;
            const AstWord *p = w->next;
            if (q == 1) {
                a->seq_param = 0.1;
                if (is_word(p, "tau")) {
                    if (!p->next || p->next->kind != W_NUMBER || !(p->next->num > 0)) {
                        diag_error(s->diag, p->loc, "'tau' needs a positive number");
                        break;
                    }
                    a->seq_param = p->next->num;
                    p = p->next->next;
                }
            } else if (q == 2) {
                a->seq_param = 5000;
                if (is_word(p, "tuning")) {
                    if (!p->next || p->next->kind != W_NUMBER || !(p->next->num > 0)) {
                        diag_error(s->diag, p->loc, "'tuning' needs a positive number");
                        break;
                    }
                    a->seq_param = p->next->num;
                    p = p->next->next;
                }
            } else if (q == 3) {
                long looks;
                if (!is_word(p, "looks")) {
                    diag_error(s->diag, p ? p->loc : w->loc, "'obf' needs the planned looks: sequential obf looks 5");
                    break;
                }
                if (!expect_int(s, p->next, "looks", 2, 50, &looks)) {
                    if (!p->next)
                        diag_error(s->diag, p->loc, "'looks' needs a number");
                    break;
                }
                a->looks = (int)looks;
                p = p->next->next;
            }
            expect_no_more(s, p);
            break;
        }
        case AK_CORRECTION: {
            const char *const *corr = IR_CORRECTION_NAMES;
            int q = -1;
            for (int i = 0; w && i < 4; i++)
                if (is_word(w, corr[i]))
                    q = i;
            if (q < 0) {
                if (w)
                    unknown_word(s, w, "correction", corr, 4);
                else
                    diag_error(s->diag, c->key->loc, "'correction' needs none, bonferroni, holm or bh");
                break;
            }
            a->correction = (IrCorrection)q;
            expect_no_more(s, w->next);
            break;
        }
        case AK_SRM:
            if (expect_number(s, c, w, 0, 1, true, true, &a->srm_threshold))
                expect_no_more(s, w->next);
            break;
        case AK_FAIL_ON: {
            const char *const *fails = IR_FAIL_ON_NAMES;
            if (!w)
                diag_error(s->diag, c->key->loc, "'fail_on' needs srm, guardrail or data_quality");
            for (; w; w = w->next) {
                int q = -1;
                for (int i = 0; i < 3; i++)
                    if (is_word(w, fails[i]))
                        q = i;
                if (q < 0)
                    unknown_word(s, w, "health check", fails, 3);
                else
                    a->fail_on |= 1u << q;
            }
            break;
        }
        case AK_POWER:
            if (expect_number(s, c, w, 0, 1, true, true, &a->power_target))
                expect_no_more(s, w->next);
            break;
        case AK_MDE:
            if (expect_number(s, c, w, 0, 1e300, true, false, &a->mde))
                expect_no_more(s, w->next);
            break;
        case AK_BOOTSTRAP: {
            long n, seed;
            if (!expect_int(s, w, "bootstrap resamples", 100, 100000, &n)) {
                if (!w)
                    diag_error(s->diag, c->key->loc, "'bootstrap' needs the number of resamples");
                break;
            }
            a->bootstrap_resamples = (int)n;
            if (is_word(w->next, "seed")) {
                if (expect_int(s, w->next->next, "the seed", 0, 2147483647L, &seed))
                    a->bootstrap_seed = (unsigned long)seed;
                else if (!w->next->next)
                    diag_error(s->diag, w->next->loc, "'seed' needs a number");
                else
                    break;
                if (w->next->next)
                    expect_no_more(s, w->next->next->next);
            } else {
                expect_no_more(s, w->next);
            }
            break;
        }
        }
    }
    /* confidence sequences and mSPRT are two-sided by construction */
    if (a->one_sided && (a->sequential == SEQ_CS || a->sequential == SEQ_MSPRT) && seen[AK_SIDED])
        diag_error(s->diag, seen[AK_SIDED]->key->loc,
                   "'sided one' cannot be combined with 'sequential %s': its always-valid "
                   "intervals are two-sided (use 'sequential obf looks N' for a one-sided "
                   "sequential design)",
                   a->sequential == SEQ_CS ? "cs" : "msprt");
}

/* ---- activity (growth analytics) ------------------------------------------------ */

static void sema_activity(Sema *s, const AstItem *it, IrActivity *act)
{
    memset(act, 0, sizeof *act);
    act->loc = it->loc;
    act->active.source = -1;
    act->name = "activity";
    if (it->words) {
        const char *n = expect_name(s, it, it->words, "a name");
        if (n) {
            if (!valid_ident(n, MAX_NAME))
                diag_error(s->diag, it->words->loc, "'%s' is not a valid name", n);
            act->name = n;
        }
        expect_no_more(s, it->words->next);
    }
    if (it->kind != I_BLOCK) {
        diag_error(s->diag, it->key->loc, "expected: activity { active SOURCE where ...; reports dau, wau, ...; }");
        return;
    }
    static const char *const keys[] = {"active", "reports", "by"};
    const AstItem *seen[3] = {0};
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, 3, "activity setting", seen);
        if (k < 0)
            continue;
        if (k == 0) {
            if (!c->words) {
                diag_error(s->diag, c->key->loc, "expected: active SOURCE [where ...];");
                continue;
            }
            AstArg a = {c->words, c->where, c->loc, NULL, NULL};
            arg_event_set(s, &a, &act->active);
            continue;
        }
        if (c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (k == 1) {
            static const char *const reps[] = {"dau", "wau", "mau", "growth", "cohorts_weekly",
                                               "cohorts_monthly"};
            if (!c->words)
                diag_error(s->diag, c->key->loc, "'reports' needs at least one of dau, wau, mau, growth, cohorts_weekly, cohorts_monthly");
            for (const AstWord *w = c->words; w; w = w->next) {
                int q = -1;
                for (int i = 0; i < 6; i++)
                    if (is_word(w, reps[i]))
                        q = i;
                if (q < 0)
                    unknown_word(s, w, "activity report", reps, 6);
                else
                    act->reports |= 1u << q;
            }
        } else {
            if (is_word(c->words, "variation")) {
                act->by_variation = true;
                expect_no_more(s, c->words->next);
            } else {
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc, "expected 'by variation;'");
            }
        }
    }
    if (!seen[0])
        diag_error(s->diag, it->key->loc, "activity needs 'active SOURCE [where ...];'");
    if (!act->reports)
        act->reports = ACT_DAU | ACT_WAU | ACT_MAU;
}

/* ---- the spec ---------------------------------------------------------------------- */

static const char *base_name_no_ext(Arena *a, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return arena_strndup(a, b, dot ? (size_t)(dot - b) : strlen(b));
}

static void set_table_name(Sema *s, const AstItem *it, const char **dst)
{
    const char *n = expect_name(s, it, it->words, "a name");
    if (!n)
        return;
    if (!valid_ident(n, 64))
        diag_error(s->diag, it->words->loc, "'%s' is not a valid database or table name (letters, digits, '_', at most 64)", n);
    expect_no_more(s, it->words->next);
    *dst = n;
}

AbcStatus sema_check(const AstSpec *ast, const char *path, const char *bytes, size_t len,
                     Arena *arena, Diag *diag, IrSpec **out)
{
    Sema s;
    memset(&s, 0, sizeof s);
    s.arena = arena;
    s.diag = diag;
    IrSpec *ir = s.ir = arena_alloc(arena, sizeof *ir);
    int errors_before = diag->nerrors;
    ir->path = path;
    hash_hex64(bytes, len, ir->content_hash);
    ir->tag = ast->tag->text;
    ir->exposure.source = -1;
    ir->analysis.alpha = 0.05;
    ir->analysis.methods = METHOD_TTEST | METHOD_BAYES;
    ir->analysis.srm_threshold = 0.001;
    ir->analysis.power_target = 0.8;
    ir->analysis.bootstrap_resamples = 1000;
    ir->analysis.bootstrap_seed = 1;
    ir->abc_database = "abc";
    ir->report_database = "flow_report_app";

    if (!valid_ident(ir->tag, 32))
        diag_error(diag, ast->tag->loc, "tag '%s' must be letters, digits and '_' (at most 32)", ir->tag);
    const char *stem = base_name_no_ext(arena, path);
    if (strcmp(stem, ir->tag) != 0 && strcmp(path, "-") != 0)
        diag_error(diag, ast->tag->loc, "tag '%s' does not match the file name '%s' (one tag per file, named after it)",
                   ir->tag, stem);

    /* count what to allocate */
    int nsrc = 0, nmet = 0, nseg = 0, nact = 0, nasg = 0;
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_METRIC)
            nmet++;
        else if (it->kind == I_SEGMENT)
            nseg++;
        else if (strcmp(it->key->text, "source") == 0)
            nsrc++;
        else if (strcmp(it->key->text, "activity") == 0)
            nact++;
        else if (strcmp(it->key->text, "assignment") == 0)
            nasg++;
    }
    ir->sources = arena_alloc(arena, sizeof(IrSource) * (size_t)(nsrc + 1));
    ir->metrics = arena_alloc(arena, sizeof(IrMetric) * (size_t)(nmet + 1));
    ir->segments = arena_alloc(arena, sizeof(IrSegment) * (size_t)(nseg + 1));
    ir->activities = arena_alloc(arena, sizeof(IrActivity) * (size_t)(nact + 1));
    ir->assignments = arena_alloc(arena, sizeof(IrHashAssignment) * (size_t)(nasg + 1));
    s.metric_items = arena_alloc(arena, sizeof(AstItem *) * (size_t)(nmet + 1));
    names_init(arena, &s.metric_names, nmet);
    names_init(arena, &s.segment_names, nseg);

    enum TopKey {
        TK_MODULE, TK_DATABASE, TK_REPORT_DATABASE, TK_WIDE_TABLE, TK_REPORT_TABLE, TK_DAILY_TABLE,
        TK_EXPERIMENTS, TK_ASSIGNMENT, TK_SOURCE, TK_EXPOSURE, TK_SEGMENT, TK_METRIC, TK_GUARDRAIL,
        TK_ANALYSIS, TK_ACTIVITY, NTOP
    };
    static const char *const top[NTOP] = {
        [TK_MODULE] = "module",           [TK_DATABASE] = "database",
        [TK_REPORT_DATABASE] = "report_database", [TK_WIDE_TABLE] = "wide_table",
        [TK_REPORT_TABLE] = "report_table", [TK_DAILY_TABLE] = "daily_table",
        [TK_EXPERIMENTS] = "experiments", [TK_ASSIGNMENT] = "assignment",
        [TK_SOURCE] = "source",           [TK_EXPOSURE] = "exposure",
        [TK_SEGMENT] = "segment",         [TK_METRIC] = "metric",
        [TK_GUARDRAIL] = "guardrail",     [TK_ANALYSIS] = "analysis",
        [TK_ACTIVITY] = "activity"};
    const AstItem *seen_top[NTOP] = {0};
    const AstItem *seen_gb = NULL, *seen_keys = NULL;

    /* phase 1: sources and naming settings */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_METRIC || it->kind == I_SEGMENT)
            continue;
        if (it->kind == I_WHERE) {
            diag_error(diag, it->key->loc, "'where' belongs inside a source block or after an exposure source");
            continue;
        }
        int k = -1;
        for (int i = 0; i < NTOP; i++)
            if (strcmp(it->key->text, top[i]) == 0)
                k = i;
        if (k < 0 || k == TK_SEGMENT || k == TK_METRIC || k == TK_GUARDRAIL) {
            unknown_word(&s, it->key, "setting", top, NTOP);
            continue;
        }
        if (k == TK_SOURCE) {
            IrSource *src = &ir->sources[ir->nsources];
            sema_source(&s, it, src);
            if (!src->name)
                continue;
            int first = find_source(ir, src->name);
            if (first >= 0) {
                int line, col;
                diag_line_col(diag, ir->sources[first].loc.off, &line, &col);
                diag_error(diag, it->words->loc, "source '%s' is defined twice (first at %d:%d)",
                           src->name, line, col);
                continue;
            }
            if (strcmp(src->name, "exposure") == 0) {
                diag_error(diag, it->words->loc, "'exposure' is reserved (segments use exposure.COLUMN)");
                continue;
            }
            ir->nsources++;
            continue;
        }
        if (k == TK_EXPERIMENTS) {
            if (it->kind == I_BLOCK) {
                diag_error(diag, it->key->loc, "'experiments' is a setting, not a block");
                continue;
            }
            if (it->where)
                diag_error(diag, it->where->loc, "unexpected 'where' on 'experiments'");
            sema_experiments(&s, it, &seen_gb, &seen_keys);
            continue;
        }
        if (k == TK_ASSIGNMENT || k == TK_ACTIVITY)
            continue; /* phase 2 / 4 */
        if (seen_top[k]) {
            dup_setting(&s, it, seen_top[k]);
            continue;
        }
        seen_top[k] = it;
        if (k == TK_EXPOSURE || k == TK_ANALYSIS)
            continue;
        if (it->kind == I_BLOCK) {
            diag_error(diag, it->key->loc, "'%s' is a setting, not a block", it->key->text);
            continue;
        }
        if (it->where)
            diag_error(diag, it->where->loc, "unexpected 'where' on '%s'", it->key->text);
        const char **dst = k == TK_MODULE ? &ir->module
                         : k == TK_DATABASE ? &ir->abc_database
                         : k == TK_REPORT_DATABASE ? &ir->report_database
                         : k == TK_WIDE_TABLE ? &ir->wide_table
                         : k == TK_REPORT_TABLE ? &ir->report_table
                                  : &ir->daily_table;
        set_table_name(&s, it, dst);
    }
    if (!seen_top[TK_MODULE])
        diag_error(diag, ast->tag->loc, "spec '%s' needs 'module \"NAME\";' (used in table names)", ir->tag);
    if (!ir->module)
        ir->module = ir->tag;
    if (!ir->wide_table)
        ir->wide_table = arena_printf(arena, "tbl_wide_user_%s_%s", ir->module, ir->tag);
    if (!ir->report_table)
        ir->report_table = arena_printf(arena, "tbl_report_user_%s_%s", ir->module, ir->tag);
    if (!ir->daily_table)
        ir->daily_table = arena_printf(arena, "tbl_report_daily_%s_%s", ir->module, ir->tag);
    if (strlen(ir->daily_table) > 64)
        diag_error(diag, ast->tag->loc, "table name '%s' is longer than 64 characters; shorten the module or set daily_table",
                   ir->daily_table);
    if (!seen_gb && !seen_keys && nasg == 0) {
        ir->experiments.from_growthbook = true; /* default: GrowthBook experiments tagged with the tag */
    }
    if (ir->experiments.from_growthbook && !ir->experiments.gb_tag)
        ir->experiments.gb_tag = ir->tag;

    /* phase 2: exposure, segments, assignments */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_SEGMENT) {
            IrSegment *g = &ir->segments[ir->nsegments];
            int first = names_find(&s.segment_names, it->name->text);
            if (first >= 0) {
                int line, col;
                diag_line_col(diag, ir->segments[first].loc.off, &line, &col);
                diag_error(diag, it->name->loc, "segment '%s' is defined twice (first at %d:%d)",
                           it->name->text, line, col);
                continue;
            }
            if (!valid_ident(it->name->text, MAX_NAME)) {
                diag_error(diag, it->name->loc, "segment name '%s' is longer than %d characters",
                           it->name->text, MAX_NAME);
                continue;
            }
            sema_segment(&s, it, g);
            names_add(&s.segment_names, g->name, ir->nsegments);
            ir->nsegments++;
            continue;
        }
        if (it->kind != I_METRIC && strcmp(it->key->text, "exposure") == 0 && seen_top[TK_EXPOSURE] == it)
            sema_exposure(&s, it);
        if (it->kind != I_METRIC && strcmp(it->key->text, "assignment") == 0) {
            IrHashAssignment *a = &ir->assignments[ir->nassignments];
            sema_assignment(&s, it, a);
            for (int i = 0; i < ir->nassignments; i++)
                if (a->tracking_key && strcmp(ir->assignments[i].tracking_key, a->tracking_key) == 0)
                    diag_error(diag, it->words->loc, "assignment \"%s\" is defined twice", a->tracking_key);
            ir->nassignments++;
        }
    }
    if (!seen_top[TK_EXPOSURE])
        diag_error(diag, ast->tag->loc, "spec '%s' needs an 'exposure SOURCE where ... { ... }' block", ir->tag);

    /* phase 3: metric names, then bodies */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind != I_METRIC)
            continue;
        const char *name = it->name->text;
        if (!valid_ident(name, MAX_NAME)) {
            diag_error(diag, it->name->loc, "metric name '%s' is longer than %d characters", name, MAX_NAME);
            continue;
        }
        int prev = find_metric(&s, name);
        if (prev >= 0) {
            int line, col;
            diag_line_col(diag, ir->metrics[prev].loc.off, &line, &col);
            diag_error(diag, it->name->loc, "metric '%s' is defined twice (first at %d:%d)", name, line, col);
            continue;
        }
        if (names_find(&s.segment_names, name) >= 0)
            diag_error(diag, it->name->loc, "'%s' is already a segment", name);
        IrMetric *m = &ir->metrics[ir->nmetrics];
        m->name = name;
        m->loc = it->loc;
        m->line = diag_line_of(diag, it->loc.off);
        names_add(&s.metric_names, name, ir->nmetrics);
        s.metric_items[ir->nmetrics++] = it;
    }
    for (int i = 0; i < ir->nmetrics; i++)
        sema_metric(&s, s.metric_items[i], &ir->metrics[i], i);
    sema_metric_links(&s);
    for (int i = 0; i < ir->nsegments; i++)
        ir->segments[i].line = diag_line_of(diag, ir->segments[i].loc.off);
    ir->exposure.line = diag_line_of(diag, ir->exposure.loc.off);
    if (nmet == 0) /* a metric rejected above has had its error */
        diag_error(diag, ast->tag->loc, "spec '%s' defines no metrics", ir->tag);

    /* phase 4: analysis and activity */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_METRIC || it->kind == I_SEGMENT)
            continue;
        if (strcmp(it->key->text, "analysis") == 0 && seen_top[TK_ANALYSIS] == it)
            sema_analysis(&s, it);
        else if (strcmp(it->key->text, "activity") == 0) {
            IrActivity *act = &ir->activities[ir->nactivities];
            sema_activity(&s, it, act);
            for (int i = 0; i < ir->nactivities; i++)
                if (strcmp(ir->activities[i].name, act->name) == 0)
                    diag_error(diag, it->key->loc, "activity '%s' is defined twice", act->name);
            ir->nactivities++;
        }
    }
    if (ir->analysis.sequential != SEQ_NONE && (ir->analysis.methods & METHOD_TTEST) == 0 &&
        seen_top[TK_ANALYSIS])
        diag_warning(diag, seen_top[TK_ANALYSIS]->key->loc, "sequential testing applies to the t-test, which is not among the methods");

    if (diag->nerrors > errors_before)
        return ABC_ERR_SPEC;
    *out = ir;
    return ABC_OK;
}
