/* lexer.re — re2c tokenizer of the abc spec DSL.
 *
 * One call returns one token from a fully read, NUL-terminated buffer; the
 * NUL rule distinguishes the end of input from a stray NUL byte (an error).
 * Keywords are matched here; lemon's %fallback lets most of them act as
 * identifiers.  Comments run from '#' to the end of the line.  Strings are
 * double-quoted, single-line, with escapes \" \\ \n \t \r; the token's text
 * is the unescaped value.  Any other byte is reported and skipped. */
#include <stdlib.h>
#include <string.h>

#include "abc/parse.h"
#include "parser.h"

void lex_init(Lexer *lx, const char *text, size_t len, uint32_t base, Arena *arena, Diag *diag)
{
    lx->buf = (const unsigned char *)text;
    lx->cur = lx->buf;
    lx->lim = lx->buf + len;
    lx->base = base;
    lx->arena = arena;
    lx->diag = diag;
    lx->fixed = false;
    lx->comments = NULL;
    lx->comments_tail = NULL;
}

static SrcLoc lex_loc(const Lexer *lx, const unsigned char *start, const unsigned char *end)
{
    if (lx->fixed)
        return lx->fixed_loc;
    SrcLoc l = {lx->base + (uint32_t)(start - lx->buf), (uint32_t)(end - start)};
    return l;
}

static void lex_comment(Lexer *lx, const unsigned char *start, const unsigned char *end)
{
    if (!lx->comments_tail)
        return;
    AstComment *c = arena_alloc(lx->arena, sizeof *c);
    c->text = arena_strndup(lx->arena, (const char *)start, (size_t)(end - start));
    c->loc = lex_loc(lx, start, end);
    const unsigned char *p = start;
    while (p > lx->buf && (p[-1] == ' ' || p[-1] == '\t'))
        p--;
    c->own_line = p == lx->buf || p[-1] == '\n';
    *lx->comments_tail = c;
    lx->comments_tail = &c->next;
}

/* Unescape the body of a string literal [s, e) into the arena. */
static const char *lex_unescape(Lexer *lx, const unsigned char *s, const unsigned char *e)
{
    char *out = arena_alloc(lx->arena, (size_t)(e - s) + 1);
    size_t n = 0;
    for (const unsigned char *p = s; p < e; p++) {
        if (*p != '\\') {
            out[n++] = (char)*p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        default: out[n++] = (char)*p; break; /* \" and \\ (others rejected by the rule) */
        }
    }
    out[n] = '\0';
    return out;
}

void lex_next(Lexer *lx, Token *t)
{
    const unsigned char *YYMARKER = NULL;
    for (;;) {
        const unsigned char *start = lx->cur;
        const unsigned char *YYCURSOR = lx->cur;
        t->text = NULL;
        t->num = 0;
#define TOK(c)                                   \
    do {                                         \
        lx->cur = YYCURSOR;                      \
        if (!t->text)                            \
            t->text = arena_strndup(lx->arena, (const char *)start, (size_t)(YYCURSOR - start)); \
        t->code = (c);                           \
        t->loc = lex_loc(lx, start, YYCURSOR);   \
        return;                                  \
    } while (0)
        /*!re2c
        re2c:define:YYCTYPE = "unsigned char";
        re2c:yyfill:enable = 0;

        digit = [0-9];
        ident = [a-zA-Z_][a-zA-Z0-9_]*;
        number = "-"? digit+ ("." digit+)? ([eE] [+-]? digit+)?;
        esc = "\\" ["\\ntr];
        strch = [^"\\\n\x00] | esc;

        "\x00" {
            if (start >= lx->lim) {
                lx->cur = start;
                t->code = 0;
                t->loc = lex_loc(lx, start, start);
                return;
            }
            diag_error(lx->diag, lex_loc(lx, start, YYCURSOR), "NUL byte in spec");
            lx->cur = YYCURSOR;
            continue;
        }
        [ \t\r\n]+ { lx->cur = YYCURSOR; continue; }
        "#" [^\n\x00]* { lex_comment(lx, start, YYCURSOR); lx->cur = YYCURSOR; continue; }

        "tag"       { TOK(TK_TAG); }
        "metric"    { TOK(TK_METRIC); }
        "guardrail" { TOK(TK_GUARDRAIL); }
        "segment"   { TOK(TK_SEGMENT); }
        "where"     { TOK(TK_WHERE); }
        "and"       { TOK(TK_AND); }
        "or"        { TOK(TK_OR); }
        "not"       { TOK(TK_NOT); }
        "in"        { TOK(TK_IN); }
        "is"        { TOK(TK_IS); }
        "null"      { TOK(TK_NULL); }
        "true"      { t->text = "true"; TOK(TK_TRUE); }
        "false"     { t->text = "false"; TOK(TK_FALSE); }

        digit+ "d" {
            t->num = strtod((const char *)start, NULL);
            t->text = arena_strndup(lx->arena, (const char *)start, (size_t)(YYCURSOR - start));
            TOK(TK_DURATION);
        }
        number {
            t->text = arena_strndup(lx->arena, (const char *)start, (size_t)(YYCURSOR - start));
            t->num = strtod(t->text, NULL);
            TOK(TK_NUMBER);
        }
        ident {
            t->text = arena_strndup(lx->arena, (const char *)start, (size_t)(YYCURSOR - start));
            TOK(TK_IDENT);
        }
        ["] strch* ["] {
            t->text = lex_unescape(lx, start + 1, YYCURSOR - 1);
            TOK(TK_STRING);
        }
        ["] strch* "\\" [^"\\ntr\n\x00]? {
            diag_error(lx->diag, lex_loc(lx, YYCURSOR - 2, YYCURSOR),
                       "unknown escape in string (use \\\" \\\\ \\n \\t \\r)");
            /* skip to the end of the string or line */
            while (*YYCURSOR && *YYCURSOR != '"' && *YYCURSOR != '\n')
                YYCURSOR++;
            if (*YYCURSOR == '"')
                YYCURSOR++;
            t->text = "";
            TOK(TK_STRING);
        }
        ["] strch* {
            diag_error(lx->diag, lex_loc(lx, start, start + 1),
                       "unterminated string (strings end on the same line)");
            t->text = lex_unescape(lx, start + 1, YYCURSOR);
            TOK(TK_STRING);
        }
        ".." { TOK(TK_DOTDOT); }
        "."  { TOK(TK_DOT); }
        "{"  { TOK(TK_LBRACE); }
        "}"  { TOK(TK_RBRACE); }
        "("  { TOK(TK_LPAREN); }
        ")"  { TOK(TK_RPAREN); }
        ";"  { TOK(TK_SEMI); }
        ","  { TOK(TK_COMMA); }
        "="  { TOK(TK_EQ); }
        "==" { TOK(TK_EQ); }
        "!=" { TOK(TK_NE); }
        "<>" { TOK(TK_NE); }
        "<"  { TOK(TK_LT); }
        "<=" { TOK(TK_LE); }
        ">"  { TOK(TK_GT); }
        ">=" { TOK(TK_GE); }

        [\x80-\xff]+ {
            diag_error(lx->diag, lex_loc(lx, start, YYCURSOR),
                       "non-ASCII text is only allowed in strings and comments");
            lx->cur = YYCURSOR;
            continue;
        }
        * {
            if (*start >= 0x20 && *start < 0x7f)
                diag_error(lx->diag, lex_loc(lx, start, YYCURSOR), "unexpected character '%c'", *start);
            else
                diag_error(lx->diag, lex_loc(lx, start, YYCURSOR), "unexpected byte 0x%02x", *start);
            lx->cur = YYCURSOR;
            continue;
        }
        */
#undef TOK
    }
}
