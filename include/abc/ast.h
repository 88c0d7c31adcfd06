/* ast.h — the syntax tree both front ends (DSL and YAML) produce.
 *
 * The grammar is deliberately small and regular: a spec is a list of items;
 * most items are *settings* — a key followed by words (identifiers, strings,
 * numbers, durations such as 7d, qualified names such as payments.amount,
 * ranges such as 1..7), optionally a `where` condition.  What the words mean
 * is decided by semantic analysis (sema.h), which can then point at the exact
 * word that is wrong.  Conditions (`where ...`) and metric calls have their
 * own nodes.
 *
 * Ownership: every node, string and list lives in the Arena passed to the
 * parser; nothing is freed separately.  Every node carries its SrcLoc.
 */
#ifndef ABC_AST_H
#define ABC_AST_H

#include <stdbool.h>

#include "abc/base.h"

typedef enum AstWordKind {
    W_IDENT,    /* retention, ttest, p99 */
    W_STRING,   /* "ods.app_events" (text is the unescaped value) */
    W_NUMBER,   /* 0.05, 14 (text keeps the spelling) */
    W_DURATION, /* 7d (num = 7) */
    W_QNAME,    /* payments.amount (text = "payments", text2 = "amount") */
    W_RANGE,    /* 1..7 (num = 1, num2 = 7) */
    W_PATH      /* a name and three or more keys, or with a quoted key: events.properties.page,
                 * properties."key.with.dots" (text = the first name, keys = the rest) */
} AstWordKind;

/* The type a JSON path is read as: declared with `as TYPE`, or (in the IR)
 * inferred from its use. */
typedef enum AstJsonType { JT_NONE, JT_STRING, JT_NUMBER, JT_BOOLEAN } AstJsonType;

/* One key of a W_PATH after its first name. */
typedef struct AstPathKey {
    const char *text;  /* the key (a quoted key unescaped) */
    bool quoted;       /* written as a string: "key.with.dots" */
    SrcLoc loc;
    struct AstPathKey *next;
} AstPathKey;

typedef struct AstWord {
    AstWordKind kind;
    const char *text;
    const char *text2;
    double num, num2;
    bool comma_before; /* a ',' separated it from the previous word */
    AstPathKey *keys;  /* W_PATH: the keys after text */
    AstJsonType as;    /* a condition's column: the type declared by `as TYPE` (JT_NONE: none);
                        * in the IR, a JSON path's type (W_PATH) */
    SrcLoc loc;
    struct AstWord *next;
    struct AstWord *tail; /* builders only: last word of the list this word heads */
} AstWord;

typedef enum AstCondKind {
    C_CMP,      /* column op literal */
    C_IN,       /* column [not] in (literal, ...) */
    C_IS_NULL,  /* column is [not] null */
    C_AND,
    C_OR,
    C_NOT
} AstCondKind;

typedef enum AstCmpOp { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } AstCmpOp;

typedef struct AstCond {
    AstCondKind kind;
    SrcLoc loc;
    /* C_CMP, C_IN, C_IS_NULL */
    AstWord *column; /* W_IDENT, W_QNAME or W_PATH (`as TYPE` in its `as`) */
    AstCmpOp op;
    bool negated;    /* not in / is not null */
    AstWord *lits;   /* W_STRING / W_NUMBER / W_IDENT true|false; list for C_IN */
    /* C_AND, C_OR, C_NOT */
    struct AstCond *lhs, *rhs;
} AstCond;

/* A call argument: words (e.g. `events`, `payments.amount`, `day 1`,
 * `0.9`) and an optional filter on the event set. */
typedef struct AstArg {
    AstWord *words;
    AstCond *where;
    SrcLoc loc;
    struct AstArg *next;
    struct AstArg *tail;  /* builders only: last argument of the list this one heads */
} AstArg;

typedef struct AstCall {
    AstWord *func; /* W_IDENT: count, sum, retained, ... */
    AstArg *args;
    SrcLoc loc;
} AstCall;

typedef enum AstItemKind {
    I_SETTING,   /* key words [where cond] ;         */
    I_WHERE,     /* where cond ;  (inside a block)   */
    I_BLOCK,     /* key words [where cond] { items } (source, exposure, analysis, ...) */
    I_SEGMENT,   /* segment name = words ;           */
    I_METRIC     /* metric|guardrail name = call words ; */
} AstItemKind;

typedef struct AstItem {
    AstItemKind kind;
    AstWord *key;     /* the leading keyword (source, metric, alpha, ...) */
    AstWord *name;    /* I_SEGMENT / I_METRIC: the defined name */
    AstWord *words;   /* settings' values; metric options */
    AstCond *where;
    AstCall *call;    /* I_METRIC */
    struct AstItem *items; /* I_BLOCK children */
    SrcLoc loc;
    SrcLoc close_loc; /* I_BLOCK: the '}' */
    struct AstItem *next;
    struct AstItem *tail; /* builders only: last item of the list this one heads */
} AstItem;

/* A '#' comment of the DSL, kept so `abc fmt` can reprint it. */
typedef struct AstComment {
    const char *text; /* from '#' to the end of the line */
    SrcLoc loc;
    bool own_line;    /* nothing but blanks before it on its line */
    struct AstComment *next;
} AstComment;

typedef struct AstSpec {
    AstWord *tag;   /* the tag name */
    AstItem *items;
    AstComment *comments; /* in source order */
    SrcLoc loc;
} AstSpec;

/* "string" | "number" | "boolean" → the type; JT_NONE for anything else. */
AstJsonType ast_json_type(const char *name);
/* The type's name; "" for JT_NONE. */
const char *ast_json_type_name(AstJsonType t);

/* Structural equality ignoring locations (used by round-trip tests). */
bool ast_equal(const AstSpec *a, const AstSpec *b);
bool ast_cond_equal(const AstCond *a, const AstCond *b);

#endif
