/* parse.c — the DSL driver: validates the bytes (UTF-8, NUL, size), runs the
 * re2c lexer into the lemon parser, tracks open blocks and parentheses for
 * nesting limits and "expected '}' to close ..." messages, and formats
 * syntax errors with what the parser expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/parse.h"
#include "parser.h"

const char *lex_token_name(int code)
{
    switch (code) {
    case 0: return "end of input";
    case TK_TAG: return "'tag'";
    case TK_METRIC: return "'metric'";
    case TK_GUARDRAIL: return "'guardrail'";
    case TK_SEGMENT: return "'segment'";
    case TK_WHERE: return "'where'";
    case TK_AND: return "'and'";
    case TK_OR: return "'or'";
    case TK_NOT: return "'not'";
    case TK_IN: return "'in'";
    case TK_IS: return "'is'";
    case TK_AS: return "'as'";
    case TK_NULL: return "'null'";
    case TK_TRUE: return "'true'";
    case TK_FALSE: return "'false'";
    case TK_IDENT: return "a name";
    case TK_STRING: return "a string";
    case TK_NUMBER: return "a number";
    case TK_DURATION: return "a duration";
    case TK_DOT: return "'.'";
    case TK_DOTDOT: return "'..'";
    case TK_LBRACE: return "'{'";
    case TK_RBRACE: return "'}'";
    case TK_LPAREN: return "'('";
    case TK_RPAREN: return "')'";
    case TK_SEMI: return "';'";
    case TK_COMMA: return "','";
    case TK_EQ: return "'='";
    case TK_NE: return "'!='";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    default: return "a token";
    }
}

static void describe_token(const Token *t, char *out, size_t n)
{
    if (t->code == TK_IDENT || (t->text && t->code != TK_STRING && t->code != 0))
        snprintf(out, n, "'%.40s'", t->text ? t->text : "");
    else if (t->code == TK_STRING)
        snprintf(out, n, "string \"%.40s\"", t->text ? t->text : "");
    else
        snprintf(out, n, "%s", lex_token_name(t->code));
}

void parse_syntax_error(ParseCtx *c, const Token *t, const int *expected, int nexpected)
{
    c->syntax_failed = true;
    if (t->code == 0 && c->nopen > 0) {
        int line, col;
        diag_line_col(c->diag, c->openers[c->nopen - 1].off, &line, &col);
        diag_error(c->diag, t->loc, "expected '}' to close '%s' at %d:%d",
                   c->opener_names[c->nopen - 1], line, col);
        return;
    }
    char what[96];
    describe_token(t, what, sizeof what);
    Buf b;
    buf_init(&b);
    if (nexpected > 0 && nexpected <= 6) {
        buf_puts(&b, ", expected ");
        for (int i = 0; i < nexpected; i++) {
            if (i > 0)
                buf_puts(&b, i == nexpected - 1 ? " or " : ", ");
            buf_puts(&b, lex_token_name(expected[i]));
        }
    }
    if (t->code == 0)
        diag_error(c->diag, t->loc, "unexpected end of input%s", b.data ? b.data : "");
    else
        diag_error(c->diag, t->loc, "unexpected %s%s", what, b.data ? b.data : "");
    buf_free(&b);
}

void parse_stack_overflow(ParseCtx *c)
{
    if (!c->overflowed)
        diag_error(c->diag, c->cur.loc, "%s nested too deeply",
                   c->cur.code == TK_NOT ? "condition" : "spec");
    c->overflowed = true;
    c->syntax_failed = true;
}

void parse_block_open(ParseCtx *c, const Token *key)
{
    c->openers[c->nopen] = key->loc;
    c->opener_names[c->nopen] = key->text ? key->text : "{";
    c->nopen++;
}

void parse_block_close(ParseCtx *c)
{
    if (c->nopen > 0)
        c->nopen--;
}

/* Run the lexer into the parser.  first_code, when non-zero, is a fragment
 * entry token fed before the text. */
static void drive(ParseCtx *ctx, Lexer *lx, int first_code)
{
    void *parser = AbcParseAlloc(malloc, ctx);
    if (!parser) {
        diag_file_error(ctx->diag, "out of memory");
        ctx->syntax_failed = true;
        return;
    }
    Token tok;
    memset(&tok, 0, sizeof tok);
    if (first_code) {
        tok.code = first_code;
        tok.loc.off = lx->base;
        AbcParse(parser, first_code, tok);
    }
    Token item_start;
    bool at_item_start = true;
    memset(&item_start, 0, sizeof item_start);
    int parens = 0;
    for (;;) {
        lex_next(lx, &tok);
        if (at_item_start && tok.code != 0) {
            item_start = tok;
            at_item_start = false;
        }
        switch (tok.code) {
        case TK_LBRACE:
            if (ctx->nopen >= PARSE_MAX_DEPTH) {
                diag_error(ctx->diag, tok.loc, "blocks nested deeper than %d levels", PARSE_MAX_DEPTH);
                ctx->syntax_failed = true;
                goto out;
            }
            parse_block_open(ctx, &item_start);
            at_item_start = true;
            break;
        case TK_RBRACE:
            parse_block_close(ctx);
            at_item_start = true;
            break;
        case TK_SEMI:
            at_item_start = true;
            break;
        case TK_LPAREN:
            if (++parens > PARSE_MAX_DEPTH) {
                diag_error(ctx->diag, tok.loc, "parentheses nested deeper than %d levels",
                           PARSE_MAX_DEPTH);
                ctx->syntax_failed = true;
                goto out;
            }
            break;
        case TK_RPAREN:
            if (parens > 0)
                parens--;
            break;
        default:
            break;
        }
        ctx->cur = tok;
        AbcParse(parser, tok.code, tok);
        if (tok.code == 0 || ctx->overflowed)
            break;
        if (ctx->diag->nerrors > ctx->diag->max_errors)
            break;
    }
out:
    AbcParseFree(parser, free);
}

static bool check_bytes(Diag *diag, const char *src, size_t len, uint32_t base)
{
    long bad = diag_utf8_invalid_at(src, len);
    if (bad >= 0) {
        SrcLoc l = {base + (uint32_t)bad, 1};
        diag_error(diag, l, "invalid UTF-8 byte 0x%02x", (unsigned char)src[bad]);
        return false;
    }
    return true;
}

AbcStatus parse_dsl(const char *src, size_t len, Arena *arena, Diag *diag, AstSpec **out)
{
    ParseCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = arena;
    ctx.diag = diag;
    ctx.src = src;
    if (!check_bytes(diag, src, len, 0))
        return ABC_ERR_SPEC;
    Lexer lx;
    lex_init(&lx, src, len, 0, arena, diag);
    /* An input with no tokens at all gets one clear message. */
    Lexer probe = lx;
    Token t;
    int before = diag->nerrors, before_msgs = diag->nmsgs;
    lex_next(&probe, &t);
    if (t.code == 0 && diag->nerrors == before) {
        diag_error(diag, t.loc, "empty spec: expected 'tag NAME { ... }'");
        return ABC_ERR_SPEC;
    }
    /* lex again from the start: drop what the probe reported */
    while (diag->nmsgs > before_msgs)
        free(diag->msgs[--diag->nmsgs].msg);
    diag->nerrors = before;
    lx.comments_tail = &lx.comments;
    drive(&ctx, &lx, 0);
    if (ctx.syntax_failed || diag->nerrors > 0 || !ctx.spec)
        return ABC_ERR_SPEC;
    ctx.spec->comments = lx.comments;
    *out = ctx.spec;
    return ABC_OK;
}

AbcStatus parse_fragment(FragmentKind kind, const char *text, size_t len, uint32_t base,
                         bool verbatim, Arena *arena, Diag *diag, AstCall **call,
                         AstWord **words, AstCond **cond)
{
    ParseCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = arena;
    ctx.diag = diag;
    int before = diag->nerrors;
    if (!check_bytes(diag, text, len, base))
        return ABC_ERR_SPEC;
    if (memchr(text, '\0', len)) {
        SrcLoc l = {base, 1};
        diag_error(diag, l, "NUL byte in spec");
        return ABC_ERR_SPEC;
    }
    /* the lexer needs a NUL-terminated copy */
    char *copy = arena_strndup(arena, text, len);
    Lexer lx;
    lex_init(&lx, copy, len, base, arena, diag);
    if (!verbatim) {
        lx.fixed = true;
        lx.fixed_loc.off = base;
        lx.fixed_loc.len = 1;
    }
    int first = kind == FRAG_KIND_METRIC ? TK_FRAG_METRIC
              : kind == FRAG_KIND_COND   ? TK_FRAG_COND
                                         : TK_FRAG_VALUE;
    drive(&ctx, &lx, first);
    if (ctx.syntax_failed || diag->nerrors > before)
        return ABC_ERR_SPEC;
    if (call)
        *call = ctx.call;
    if (words)
        *words = ctx.words;
    if (cond)
        *cond = ctx.cond;
    return ABC_OK;
}
