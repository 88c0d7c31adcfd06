/* lexer.re — re2c tokenizer of the abc spec DSL.
 *
 * One call returns one token from a fully read, NUL-terminated buffer; the
 * NUL rule distinguishes the end of input from a stray NUL byte (an error).
 * Keywords are matched here; lemon's %fallback lets most of them act as
 * identifiers.  Comments run from '#' to the end of the line.  Strings are
 * double-quoted, single-line, with escapes \" \\ \n \t \r; the token's text
 * is the unescaped value; strings are scanned by hand (lex_string) so that
 * each problem inside one is reported once, where it is.  Any other byte is
 * reported and skipped. */
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

/* Length of a character at p that a string may not hold raw, or 0: C0
 * control bytes other than tab, DEL, C1 controls (U+0080..U+009F) and the
 * Unicode line and paragraph separators (U+2028, U+2029).  YAML cannot
 * carry them in the block scalars `abc fmt --to yaml` writes (libyaml
 * refuses control characters and reads NEL/LS/PS as line breaks), and the
 * DSL has no escape for them.  *cp is the code point.  Shared with the
 * YAML front end (quoted scalars become DSL strings). */
size_t lex_bad_string_char(const unsigned char *p, const unsigned char *lim, unsigned *cp)
{
    if (p >= lim)
        return 0;
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
        *cp = *p;
        return 1;
    }
    if (*p == 0xC2 && p + 1 < lim && p[1] >= 0x80 && p[1] <= 0x9F) {
        *cp = p[1];
        return 2;
    }
    if (*p == 0xE2 && p + 2 < lim && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
        *cp = 0x2000u + (p[2] - 0x80u);
        return 3;
    }
    return 0;
}

/* Unescape the body of a string literal [s, e) into the arena.  The body
 * has been checked by lex_string (escapes are \" \\ \n \t \r). */
static const char *lex_unescape(Lexer *lx, const unsigned char *s, const unsigned char *e)
{
    char *out = arena_alloc(lx->arena, (size_t)(e - s) + 1);
    size_t n = 0;
    for (const unsigned char *p = s; p < e; p++) {
        if (*p != '\\' || p + 1 >= e) {
            out[n++] = (char)*p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        default: out[n++] = (char)*p; break; /* \" and \\ */
        }
    }
    out[n] = '\0';
    return out;
}

/* Is p the end of a line (LF or CRLF) or of the input? */
static bool at_line_end(const Lexer *lx, const unsigned char *p)
{
    return p >= lx->lim || *p == '\n' || (*p == '\r' && p + 1 < lx->lim && p[1] == '\n');
}

/* Scan a string literal whose opening quote is at start; returns the end of
 * the token.  Strings end on the same line.  Each problem is reported once,
 * at the byte concerned: a NUL byte, a raw control character (see
 * lex_bad_string_char), an unknown escape (after which the rest of the
 * string is skipped), a missing closing quote (at the opening quote). */
static const unsigned char *lex_string(Lexer *lx, const unsigned char *start, Token *t)
{
    const unsigned char *p = start + 1;
    bool bad_escape = false;
    while (!at_line_end(lx, p) && *p != '"') {
        if (*p == '\0') {
            diag_error(lx->diag, lex_loc(lx, p, p + 1), "NUL byte in spec");
            p++;
            continue;
        }
        if (*p == '\\') {
            const unsigned char *n = p + 1;
            if (!at_line_end(lx, n) && *n != '\0' && strchr("\"\\ntr", *n)) {
                p += 2;
                continue;
            }
            if (!bad_escape) {
                bool lone = at_line_end(lx, n) || *n == '\0';
                diag_error(lx->diag, lex_loc(lx, p, lone ? n : n + 1),
                           "unknown escape in string (use \\\" \\\\ \\n \\t \\r)");
            }
            bad_escape = true;
            p = n;
            continue;
        }
        unsigned cp;
        size_t bad = lex_bad_string_char(p, lx->lim, &cp);
        if (bad) {
            if (!bad_escape)
                diag_error(lx->diag, lex_loc(lx, p, p + bad),
                           "%s U+%04X in a string (write \\n, \\t or \\r, or leave it out)",
                           cp >= 0x2000 ? "line separator" : "control character", cp);
            p += bad;
            continue;
        }
        p++;
    }
    const unsigned char *body_end = p;
    if (p < lx->lim && *p == '"')
        p++;
    else if (!bad_escape)
        diag_error(lx->diag, lex_loc(lx, start, start + 1),
                   "unterminated string (strings end on the same line)");
    t->text = bad_escape ? "" : lex_unescape(lx, start + 1, body_end);
    return p;
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
        "as"        { TOK(TK_AS); }
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
        digit+ [a-zA-Z_] [a-zA-Z0-9_]* {
            /* listed after "digit+ d" and number, which win ties: 7d, 1e3 */
            diag_error(lx->diag, lex_loc(lx, start, YYCURSOR),
                       "'%.*s' is not a number or a duration (durations are written like 7d)",
                       (int)(YYCURSOR - start > 40 ? 40 : YYCURSOR - start), (const char *)start);
            lx->cur = YYCURSOR;
            continue;
        }
        ident {
            t->text = arena_strndup(lx->arena, (const char *)start, (size_t)(YYCURSOR - start));
            TOK(TK_IDENT);
        }
        ["] {
            YYCURSOR = lex_string(lx, start, t);
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
