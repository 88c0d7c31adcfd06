/* parser.y — lemon grammar of the abc spec DSL (see docs/LANGUAGE.md).
 *
 * Small and regular on purpose: a spec is `tag NAME { items }`; an item is a
 * setting (`key words [where cond];`), a block (`key words [where cond] {
 * items }`), a `where` line, a segment or a metric.  Meaning is checked by
 * sema.c.  Actions are one-line calls into the ast_* builders (parse.h).
 * Fragment entry tokens let the YAML front end reuse this grammar. */

%name AbcParse
%token_prefix TK_
%token_type {Token}
%extra_context {ParseCtx *ctx}
%default_type {void *}
%stack_size 1000

%include {
#include <assert.h>
#include <stdlib.h>
#include "abc/parse.h"
}

%syntax_error {
    /* Collect the tokens this state could shift, for "expected ..." */
    int expected[PARSE_MAX_EXPECTED];
    int nexp = 0;
    for (int k = 1; k < YYNTOKEN && nexp < PARSE_MAX_EXPECTED; k++) {
        if (k == TK_FRAG_METRIC || k == TK_FRAG_COND || k == TK_FRAG_VALUE || k == TK_ILLEGAL)
            continue;
#ifdef YYFALLBACK
        if (yyFallback[k] != 0)
            continue;
#endif
        if (yy_find_shift_action((YYCODETYPE)k, yypParser->yytos->stateno) != YY_ERROR_ACTION)
            expected[nexp++] = k;
    }
    parse_syntax_error(ctx, &yyminor, expected, nexp);
}
%stack_overflow { parse_stack_overflow(ctx); }
%parse_failure { ctx->syntax_failed = true; }

%token FRAG_METRIC FRAG_COND FRAG_VALUE ILLEGAL.
%fallback IDENT TAG METRIC GUARDRAIL SEGMENT TRUE FALSE IS AS.

%left OR.
%left AND.
%right NOT.

input ::= spec.
input ::= FRAG_METRIC call(C) opt_words(W).      { ctx->call = C; ctx->words = W; }
input ::= FRAG_COND cond(X).                     { ctx->cond = X; }
input ::= FRAG_VALUE opt_wordlist(W) opt_where(X). { ctx->words = W; ctx->cond = X; }

spec ::= TAG(K) IDENT(N) LBRACE items(I) RBRACE(R). { ast_set_spec(ctx, &K, &N, I, &R); }

%type items {AstItem *}
%type item {AstItem *}
items(A) ::= .                     { A = NULL; }
items(A) ::= items(L) item(X).     { A = ast_items_append(L, X); }

item(A) ::= IDENT(K) opt_wordlist(W) opt_where(X) SEMI(E).  { A = ast_setting(ctx, &K, W, X, &E); }
item(A) ::= WHERE(K) cond(X) SEMI(E).                       { A = ast_where_item(ctx, &K, X, &E); }
item(A) ::= IDENT(K) opt_wordlist(W) opt_where(X) LBRACE items(I) RBRACE(R).
                                                            { A = ast_block(ctx, &K, W, X, I, &R); }
item(A) ::= SEGMENT(K) IDENT(N) EQ words(W) SEMI(E).        { A = ast_segment(ctx, &K, &N, W, &E); }
item(A) ::= METRIC(K) IDENT(N) EQ call(C) opt_words(W) SEMI(E).   { A = ast_metric(ctx, &K, &N, C, W, &E); }
item(A) ::= GUARDRAIL(K) IDENT(N) EQ call(C) opt_words(W) SEMI(E). { A = ast_metric(ctx, &K, &N, C, W, &E); }
item(A) ::= error SEMI.                                     { A = NULL; }

%type call {AstCall *}
%type args {AstArg *}
%type arg {AstArg *}
call(A) ::= IDENT(F) LPAREN args(L) RPAREN(R).   { A = ast_call(ctx, &F, L, &R); }
args(A) ::= arg(X).                              { A = X; }
args(A) ::= args(L) COMMA arg(X).                { A = ast_args_append(L, X); }
arg(A) ::= words(W) opt_where(X).                { A = ast_arg(ctx, W, X); }

%type words {AstWord *}
%type opt_words {AstWord *}
%type wordlist {AstWord *}
%type opt_wordlist {AstWord *}
%type word {AstWord *}
opt_words(A) ::= .                     { A = NULL; }
opt_words(A) ::= words(W).             { A = W; }
words(A) ::= word(X).                  { A = X; }
words(A) ::= words(L) word(X).         { A = ast_words_append(L, X, false); }
opt_wordlist(A) ::= .                  { A = NULL; }
opt_wordlist(A) ::= wordlist(W).       { A = W; }
wordlist(A) ::= word(X).               { A = X; }
wordlist(A) ::= wordlist(L) word(X).   { A = ast_words_append(L, X, false); }
wordlist(A) ::= wordlist(L) COMMA word(X). { A = ast_words_append(L, X, true); }

word(A) ::= IDENT(T).                  { A = ast_word(ctx, W_IDENT, &T); }
word(A) ::= STRING(T).                 { A = ast_word(ctx, W_STRING, &T); }
word(A) ::= NUMBER(T).                 { A = ast_word(ctx, W_NUMBER, &T); }
word(A) ::= DURATION(T).               { A = ast_word(ctx, W_DURATION, &T); }
word(A) ::= IDENT(X) DOT IDENT(Y).     { A = ast_qname(ctx, &X, &Y); }
word(A) ::= NUMBER(X) DOTDOT NUMBER(Y). { A = ast_range(ctx, &X, &Y); }
word(A) ::= path(P).                   { A = P; }

/* A path into a JSON column: three or more names, or a quoted key. */
%type path {AstWord *}
path(A) ::= IDENT(X) DOT STRING(Y).    { A = ast_path(ctx, &X, &Y, true); }
path(A) ::= IDENT(X) DOT IDENT(Y) DOT IDENT(Z).  { A = ast_path_add(ctx, ast_path(ctx, &X, &Y, false), &Z, false); }
path(A) ::= IDENT(X) DOT IDENT(Y) DOT STRING(Z). { A = ast_path_add(ctx, ast_path(ctx, &X, &Y, false), &Z, true); }
path(A) ::= path(P) DOT IDENT(Z).      { A = ast_path_add(ctx, P, &Z, false); }
path(A) ::= path(P) DOT STRING(Z).     { A = ast_path_add(ctx, P, &Z, true); }

%type opt_where {AstCond *}
%type cond {AstCond *}
%type colref {AstWord *}
%type column {AstWord *}
%type lit {AstWord *}
%type lits {AstWord *}
opt_where(A) ::= .                     { A = NULL; }
opt_where(A) ::= WHERE cond(X).        { A = X; }

cond(A) ::= cond(L) OR(O) cond(R).     { A = ast_bool(ctx, C_OR, L, R, &O); }
cond(A) ::= cond(L) AND(O) cond(R).    { A = ast_bool(ctx, C_AND, L, R, &O); }
cond(A) ::= NOT(O) cond(X).            { A = ast_bool(ctx, C_NOT, X, NULL, &O); }
cond(A) ::= LPAREN(O) cond(X) RPAREN(C). { A = ast_paren(ctx, X, &O, &C); }
cond(A) ::= colref(X) EQ lit(Y).       { A = ast_cmp(ctx, X, OP_EQ, Y); }
cond(A) ::= colref(X) NE lit(Y).       { A = ast_cmp(ctx, X, OP_NE, Y); }
cond(A) ::= colref(X) LT lit(Y).       { A = ast_cmp(ctx, X, OP_LT, Y); }
cond(A) ::= colref(X) LE lit(Y).       { A = ast_cmp(ctx, X, OP_LE, Y); }
cond(A) ::= colref(X) GT lit(Y).       { A = ast_cmp(ctx, X, OP_GT, Y); }
cond(A) ::= colref(X) GE lit(Y).       { A = ast_cmp(ctx, X, OP_GE, Y); }
cond(A) ::= colref(X) IN LPAREN lits(L) RPAREN.     { A = ast_in(ctx, X, false, L); }
cond(A) ::= colref(X) NOT IN LPAREN lits(L) RPAREN. { A = ast_in(ctx, X, true, L); }
cond(A) ::= colref(X) IS NULL.         { A = ast_is_null(ctx, X, false); }
cond(A) ::= colref(X) IS NOT NULL.     { A = ast_is_null(ctx, X, true); }

colref(A) ::= column(X).               { A = X; }
colref(A) ::= column(X) AS(K) IDENT(T). { A = ast_column_as(ctx, X, &K, &T); }
column(A) ::= IDENT(T).                { A = ast_word(ctx, W_IDENT, &T); }
column(A) ::= IDENT(X) DOT IDENT(Y).   { A = ast_qname(ctx, &X, &Y); }
column(A) ::= path(P).                 { A = P; }
lit(A) ::= STRING(T).                  { A = ast_word(ctx, W_STRING, &T); }
lit(A) ::= NUMBER(T).                  { A = ast_word(ctx, W_NUMBER, &T); }
lit(A) ::= TRUE(T).                    { A = ast_word(ctx, W_IDENT, &T); }
lit(A) ::= FALSE(T).                   { A = ast_word(ctx, W_IDENT, &T); }
lits(A) ::= lit(X).                    { A = X; }
lits(A) ::= lits(L) COMMA lit(X).      { A = ast_words_append(L, X, true); }
