/* parse.h — the DSL front end: re2c lexer (grammar/lexer.re), lemon parser
 * (grammar/parser.y) and the driver that feeds one to the other.
 *
 * The lexer returns one token per call from a fully read, NUL-terminated
 * buffer; its state lives in Lexer (no globals).  Token codes come from the
 * lemon-generated parser.h.  Grammar actions are one-line calls into the
 * ast_* builders below, which allocate in the ParseCtx arena.  Diagnostics
 * go to the ParseCtx Diag; parse_dsl() reports every syntax error it can
 * recover from (it resynchronises at ';' and '}').
 *
 * Fragments: the YAML front end parses scalar values (a metric expression,
 * a condition, a setting's words) with the same grammar through
 * parse_fragment(); token locations are shifted by the fragment's offset in
 * the YAML file, so diagnostics point into the YAML source.
 */
#ifndef ABC_PARSE_H
#define ABC_PARSE_H

#include <stdbool.h>

#include "abc/ast.h"
#include "abc/diag.h"

#define PARSE_MAX_DEPTH 64 /* nesting limit of blocks and parentheses */

typedef struct Token {
    int code;         /* lemon token code; 0 = end of input */
    SrcLoc loc;
    const char *text; /* IDENT / NUMBER spelling, STRING unescaped value (arena) */
    double num;
} Token;

typedef struct Lexer {
    const unsigned char *buf; /* start of the NUL-terminated text being lexed */
    const unsigned char *cur;
    const unsigned char *lim; /* points at the terminating NUL */
    uint32_t base;            /* offset of buf[0] in the diagnosed source */
    bool fixed;               /* every token gets fixed_loc (text not verbatim in the source) */
    AstComment *comments, **comments_tail; /* collected when comments_tail is set */
    SrcLoc fixed_loc;
    Arena *arena;
    Diag *diag;
} Lexer;

void lex_init(Lexer *lx, const char *text, size_t len, uint32_t base, Arena *arena, Diag *diag);
/* Next token; lexical errors are reported to the Diag and skipped. */
void lex_next(Lexer *lx, Token *tok);
const char *lex_token_name(int code);
/* Length (1..3) of a character at p, before lim, that may not appear raw in
 * a string (C0 controls but tab, DEL, C1 controls, U+2028, U+2029), with
 * its code point in *cp; 0 for any other character. */
size_t lex_bad_string_char(const unsigned char *p, const unsigned char *lim, unsigned *cp);

typedef enum FragmentKind {
    FRAG_KIND_METRIC, /* call [option words]           */
    FRAG_KIND_COND,   /* condition                      */
    FRAG_KIND_VALUE   /* [words] [where condition]      */
} FragmentKind;

typedef struct ParseCtx {
    Arena *arena;
    Diag *diag;
    const char *src;   /* the diagnosed source (for opener messages) */
    AstSpec *spec;     /* result of a whole-spec parse */
    AstCall *call;     /* fragment results */
    AstWord *words;
    AstCond *cond;
    bool syntax_failed;
    bool overflowed;   /* the parser stack overflowed: the parse stops */
    Token cur;         /* the token being fed to the parser */
    /* open blocks, for "expected '}' to close 'source' at 3:5" */
    SrcLoc openers[PARSE_MAX_DEPTH];
    const char *opener_names[PARSE_MAX_DEPTH];
    int nopen;
} ParseCtx;

/* Parse a whole DSL spec. ABC_OK with *out set, or ABC_ERR_SPEC. */
AbcStatus parse_dsl(const char *src, size_t len, Arena *arena, Diag *diag,
                    AstSpec **out) ABC_MUST_CHECK;

/* Parse a fragment located at byte offset base of the diagnosed source. */
/* When `verbatim` is false the text is not a slice of the source (a quoted
 * or folded YAML scalar): every location is then the fragment's own
 * (base, len). */
AbcStatus parse_fragment(FragmentKind kind, const char *text, size_t len, uint32_t base,
                         bool verbatim, Arena *arena, Diag *diag, AstCall **call,
                         AstWord **words, AstCond **cond) ABC_MUST_CHECK;

/* ---- AST builders called from grammar actions --------------------------- */
AstWord *ast_word(ParseCtx *c, AstWordKind kind, const Token *t);
AstWord *ast_qname(ParseCtx *c, const Token *a, const Token *b);
AstWord *ast_range(ParseCtx *c, const Token *a, const Token *b);
/* A W_PATH: name `.` key (quoted when the key token is a STRING), then
 * ast_path_add for each further key. */
AstWord *ast_path(ParseCtx *c, const Token *name, const Token *key, bool quoted);
AstWord *ast_path_add(ParseCtx *c, AstWord *path, const Token *key, bool quoted);
/* A condition's column followed by `as TYPE` (string, number, boolean). */
AstWord *ast_column_as(ParseCtx *c, AstWord *col, const Token *as, const Token *type);

AstWord *ast_words_append(AstWord *list, AstWord *w, bool comma);
AstCond *ast_cmp(ParseCtx *c, AstWord *col, AstCmpOp op, AstWord *lit);
AstCond *ast_in(ParseCtx *c, AstWord *col, bool negated, AstWord *lits);
AstCond *ast_is_null(ParseCtx *c, AstWord *col, bool negated);
AstCond *ast_bool(ParseCtx *c, AstCondKind kind, AstCond *lhs, AstCond *rhs, const Token *op);
AstCond *ast_paren(ParseCtx *c, AstCond *inner, const Token *open, const Token *close);
AstArg *ast_arg(ParseCtx *c, AstWord *words, AstCond *where);
AstArg *ast_args_append(AstArg *list, AstArg *a);
AstCall *ast_call(ParseCtx *c, const Token *func, AstArg *args, const Token *close);
AstItem *ast_setting(ParseCtx *c, const Token *key, AstWord *words, AstCond *where,
                     const Token *end);
AstItem *ast_where_item(ParseCtx *c, const Token *kw, AstCond *where, const Token *end);
AstItem *ast_block(ParseCtx *c, const Token *key, AstWord *words, AstCond *where,
                   AstItem *items, const Token *close);
AstItem *ast_segment(ParseCtx *c, const Token *kw, const Token *name, AstWord *words,
                     const Token *end);
AstItem *ast_metric(ParseCtx *c, const Token *kw, const Token *name, AstCall *call,
                    AstWord *options, const Token *end);
AstItem *ast_items_append(AstItem *list, AstItem *it);
void ast_set_spec(ParseCtx *c, const Token *kw, const Token *name, AstItem *items,
                  const Token *close);
void parse_block_open(ParseCtx *c, const Token *key);
void parse_block_close(ParseCtx *c);
#define PARSE_MAX_EXPECTED 48
void parse_syntax_error(ParseCtx *c, const Token *t, const int *expected, int nexpected);
/* %stack_overflow: report "nested too deeply" at the current token.  Only
 * prefix chains (not not not ...) can get there: blocks and parentheses
 * are capped at PARSE_MAX_DEPTH by the driver first. */
void parse_stack_overflow(ParseCtx *c);

/* Lemon entry points (parser.c). */
void *AbcParseAlloc(void *(*mallocProc)(size_t), ParseCtx *ctx);
void AbcParseFree(void *p, void (*freeProc)(void *));
void AbcParse(void *p, int code, Token tok);

#endif
