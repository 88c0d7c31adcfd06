/* sema_cond.c — conditions: checks and normalisation into IR filters (see sema_int.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "sema_int.h"

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
bool check_cond(Sema *s, const AstCond *c, const char *source_name)
{
    CondCheck cc = {c, source_name, 0, false};
    check_cond_at(s, c, &cc, 0);
    return !cc.failed;
}

/* The literals; the column is resolved by normalise_cond (sema_json.c). */
static void check_cmp(Sema *s, const AstCond *c, const char *source_name)
{
    (void)source_name;
    for (const AstWord *l = c->lits; l; l = l->next) {
        if (l->kind == W_NUMBER && !isfinite(l->num))
            diag_error(s->diag, l->loc, "number out of range");
        if (c->kind == C_CMP && l->kind == W_IDENT && c->op != OP_EQ && c->op != OP_NE)
            diag_error(s->diag, l->loc, "'%s' can only be compared with = or !=", l->text);
    }
}

/* Resolve each column against the source src (index srci): the IR holds
 * plain column names (src.col becomes col) and typed JSON paths; what does
 * not resolve is reported here. */
const IrCond *normalise_cond(Sema *s, const AstCond *c, const IrSource *src, int srci)
{
    if (!c)
        return NULL;
    AstCond *n = arena_alloc(s->arena, sizeof *n);
    *n = *c;
    if (c->column) {
        AstWord *w = cond_column(s, c, src, srci);
        if (w)
            n->column = w;
    }
    n->lhs = (AstCond *)normalise_cond(s, c->lhs, src, srci);
    n->rhs = (AstCond *)normalise_cond(s, c->rhs, src, srci);
    return n;
}
