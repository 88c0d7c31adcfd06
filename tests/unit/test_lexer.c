/* test_lexer.c — the re2c tokenizer: token codes, spellings, unescaped
 * string values, byte locations (with a base offset and in fixed mode),
 * comments, and every lexical error (with its location). */
#include <criterion/criterion.h>

#include <string.h>

#include "abc/parse.h"
#include "parser.h"

#define MAXTOK 64

typedef struct Lexed {
    Arena arena;
    Diag diag;
    Lexer lx;
    Token tok[MAXTOK];
    int n; /* tokens before end of input (the end token is tok[n]) */
} Lexed;

static Lexed L;

static void lex_all_base(const char *src, size_t len, uint32_t base)
{
    arena_init(&L.arena);
    diag_init(&L.diag, "t.ab", src, len);
    lex_init(&L.lx, src, len, base, &L.arena, &L.diag);
    L.n = 0;
    for (;;) {
        cr_assert_lt(L.n, MAXTOK, "too many tokens");
        lex_next(&L.lx, &L.tok[L.n]);
        if (L.tok[L.n].code == 0)
            break;
        L.n++;
    }
}

static void lex_all(const char *src) { lex_all_base(src, strlen(src), 0); }

static void lexed_free(void)
{
    diag_free(&L.diag);
    arena_free(&L.arena);
}

TestSuite(lexer, .fini = lexed_free);

static void expect_codes(const int *codes, int n)
{
    cr_assert_eq(L.n, n, "got %d tokens, want %d", L.n, n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(L.tok[i].code, codes[i], "token %d: code %d (%s), want %d (%s)", i,
                     L.tok[i].code, lex_token_name(L.tok[i].code), codes[i],
                     lex_token_name(codes[i]));
}

static void expect_loc(int i, uint32_t off, uint32_t len)
{
    cr_assert_eq(L.tok[i].loc.off, off, "token %d offset %u, want %u", i, L.tok[i].loc.off, off);
    cr_assert_eq(L.tok[i].loc.len, len, "token %d length %u, want %u", i, L.tok[i].loc.len, len);
}

static void expect_error(int k, const char *want, uint32_t off)
{
    cr_assert_gt(L.diag.nmsgs, k, "no diagnostic %d (want \"%s\")", k, want);
    cr_assert_not_null(strstr(L.diag.msgs[k].msg, want), "diagnostic %d: \"%s\", want \"%s\"", k,
                       L.diag.msgs[k].msg, want);
    cr_assert_eq(L.diag.msgs[k].loc.off, off, "diagnostic %d at %u, want %u", k,
                 L.diag.msgs[k].loc.off, off);
}

Test(lexer, keywords_and_identifiers)
{
    lex_all("tag metric guardrail segment where and or not in is null true false tagx _a1 Metric");
    int want[] = {TK_TAG, TK_METRIC, TK_GUARDRAIL, TK_SEGMENT, TK_WHERE, TK_AND, TK_OR,
                  TK_NOT, TK_IN, TK_IS, TK_NULL, TK_TRUE, TK_FALSE, TK_IDENT, TK_IDENT, TK_IDENT};
    expect_codes(want, 16);
    cr_assert_str_eq(L.tok[0].text, "tag");
    cr_assert_str_eq(L.tok[11].text, "true");
    cr_assert_str_eq(L.tok[13].text, "tagx"); /* longest match, not 'tag' + 'x' */
    cr_assert_str_eq(L.tok[14].text, "_a1");
    cr_assert_str_eq(L.tok[15].text, "Metric"); /* keywords are case-sensitive */
    cr_assert_eq(L.diag.nerrors, 0);
}

Test(lexer, punctuation_and_operators)
{
    lex_all("{ } ( ) ; , . .. = == != <> < <= > >=");
    int want[] = {TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_SEMI, TK_COMMA, TK_DOT,
                  TK_DOTDOT, TK_EQ, TK_EQ, TK_NE, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE};
    expect_codes(want, 16);
    cr_assert_eq(L.diag.nerrors, 0);
}

Test(lexer, numbers_and_durations)
{
    lex_all("0 14 0.05 -1.5 2e3 -1.5E-2 7d 366d 1..7 payments.amount");
    int want[] = {TK_NUMBER, TK_NUMBER, TK_NUMBER, TK_NUMBER, TK_NUMBER, TK_NUMBER,
                  TK_DURATION, TK_DURATION, TK_NUMBER, TK_DOTDOT, TK_NUMBER,
                  TK_IDENT, TK_DOT, TK_IDENT};
    expect_codes(want, 14);
    cr_assert_str_eq(L.tok[2].text, "0.05");
    cr_assert_float_eq(L.tok[2].num, 0.05, 1e-15);
    cr_assert_float_eq(L.tok[3].num, -1.5, 1e-15);
    cr_assert_float_eq(L.tok[4].num, 2000, 1e-9);
    cr_assert_float_eq(L.tok[5].num, -0.015, 1e-15);
    cr_assert_str_eq(L.tok[6].text, "7d");
    cr_assert_float_eq(L.tok[6].num, 7, 0);
    cr_assert_float_eq(L.tok[7].num, 366, 0);
    cr_assert_float_eq(L.tok[8].num, 1, 0);
    cr_assert_float_eq(L.tok[10].num, 7, 0);
    cr_assert_str_eq(L.tok[11].text, "payments");
    cr_assert_str_eq(L.tok[13].text, "amount");
    cr_assert_eq(L.diag.nerrors, 0);
}

Test(lexer, strings_are_unescaped)
{
    lex_all("\"plain\" \"q\\\"uote\" \"back\\\\slash\" \"a\\nb\\tc\\rd\" \"\" \"caf\xc3\xa9 # not: a comment\"");
    int want[] = {TK_STRING, TK_STRING, TK_STRING, TK_STRING, TK_STRING, TK_STRING};
    expect_codes(want, 6);
    cr_assert_str_eq(L.tok[0].text, "plain");
    cr_assert_str_eq(L.tok[1].text, "q\"uote");
    cr_assert_str_eq(L.tok[2].text, "back\\slash");
    cr_assert_str_eq(L.tok[3].text, "a\nb\tc\rd");
    cr_assert_str_eq(L.tok[4].text, "");
    cr_assert_str_eq(L.tok[5].text, "caf\xc3\xa9 # not: a comment");
    /* the location covers the quotes */
    expect_loc(0, 0, 7);
    expect_loc(1, 8, 9);
    cr_assert_eq(L.diag.nerrors, 0);
}

Test(lexer, locations_are_byte_ranges)
{
    const char *src = "tag t {\n  metric m = count(events) within 7d;\n}";
    lex_all(src);
    expect_loc(0, 0, 3);  /* tag */
    expect_loc(1, 4, 1);  /* t */
    expect_loc(2, 6, 1);  /* { */
    expect_loc(3, 10, 6); /* metric */
    expect_loc(4, 17, 1); /* m */
    cr_assert_eq(L.tok[11].code, TK_DURATION);
    expect_loc(11, (uint32_t)(strstr(src, "7d") - src), 2);
    cr_assert_eq(L.tok[L.n].code, 0);
    cr_assert_eq(L.tok[L.n].loc.off, strlen(src), "end of input is at the end of the text");
}

Test(lexer, base_offset_shifts_locations)
{
    const char *src = "count(events)";
    lex_all_base(src, strlen(src), 1000);
    expect_loc(0, 1000, 5);
    expect_loc(2, 1006, 6);
    cr_assert_eq(L.tok[L.n].loc.off, 1000 + strlen(src));
}

Test(lexer, fixed_mode_gives_every_token_one_location)
{
    const char *src = "a = \"x\" and b != 2";
    arena_init(&L.arena);
    diag_init(&L.diag, "t.yaml", src, strlen(src));
    lex_init(&L.lx, src, strlen(src), 0, &L.arena, &L.diag);
    L.lx.fixed = true;
    L.lx.fixed_loc.off = 77;
    L.lx.fixed_loc.len = 1;
    Token t;
    int n = 0;
    for (lex_next(&L.lx, &t); t.code != 0; lex_next(&L.lx, &t), n++) {
        cr_assert_eq(t.loc.off, 77);
        cr_assert_eq(t.loc.len, 1);
    }
    cr_assert_eq(n, 7);
}

Test(lexer, end_of_input_repeats)
{
    lex_all("x");
    Token t;
    lex_next(&L.lx, &t);
    cr_assert_eq(t.code, 0);
    lex_next(&L.lx, &t);
    cr_assert_eq(t.code, 0);
    cr_assert_eq(L.diag.nerrors, 0);
}

Test(lexer, whitespace_and_comments_are_skipped)
{
    lex_all("  \t\r\n# comment \"with a quote\n a # trailing; b\n\t# last");
    int want[] = {TK_IDENT};
    expect_codes(want, 1);
    cr_assert_str_eq(L.tok[0].text, "a");
    cr_assert_eq(L.diag.nerrors, 0);
}

Test(lexer, comments_are_collected_with_own_line_flag)
{
    const char *src = "# first\nx; # second\n   # third\n";
    arena_init(&L.arena);
    diag_init(&L.diag, "t.ab", src, strlen(src));
    lex_init(&L.lx, src, strlen(src), 0, &L.arena, &L.diag);
    L.lx.comments_tail = &L.lx.comments;
    Token t;
    do
        lex_next(&L.lx, &t);
    while (t.code != 0);
    const AstComment *c = L.lx.comments;
    cr_assert_not_null(c);
    cr_assert_str_eq(c->text, "# first");
    cr_assert(c->own_line);
    cr_assert_eq(c->loc.off, 0);
    c = c->next;
    cr_assert_not_null(c);
    cr_assert_str_eq(c->text, "# second");
    cr_assert_not(c->own_line);
    cr_assert_eq(c->loc.off, 11);
    c = c->next;
    cr_assert_not_null(c);
    cr_assert_str_eq(c->text, "# third");
    cr_assert(c->own_line, "blanks before a comment keep it on its own line");
    cr_assert_null(c->next);
}

Test(lexer, comments_not_collected_without_tail)
{
    lex_all("# c\nx");
    cr_assert_null(L.lx.comments);
}

Test(lexer, unterminated_string)
{
    lex_all("a \"abc\nb");
    int want[] = {TK_IDENT, TK_STRING, TK_IDENT};
    expect_codes(want, 3);
    cr_assert_str_eq(L.tok[1].text, "abc", "the string runs to the end of the line");
    cr_assert_eq(L.diag.nerrors, 1);
    expect_error(0, "unterminated string", 2);
    cr_assert_eq(L.diag.msgs[0].loc.len, 1, "the caret marks the opening quote");
}

Test(lexer, unterminated_string_at_end_of_input)
{
    lex_all("\"abc");
    cr_assert_eq(L.n, 1);
    cr_assert_eq(L.tok[0].code, TK_STRING);
    expect_error(0, "unterminated string", 0);
}

Test(lexer, unknown_escape)
{
    lex_all("\"a\\qb\" c");
    int want[] = {TK_STRING, TK_IDENT};
    expect_codes(want, 2);
    cr_assert_eq(L.diag.nerrors, 1);
    expect_error(0, "unknown escape in string", 2);
    cr_assert_eq(L.diag.msgs[0].loc.len, 2, "the caret covers the backslash and the letter");
    cr_assert_str_eq(L.tok[1].text, "c", "lexing resumes after the string");
}

Test(lexer, stray_characters_are_reported_and_skipped)
{
    lex_all("a @ b $ c ` d");
    int want[] = {TK_IDENT, TK_IDENT, TK_IDENT, TK_IDENT};
    expect_codes(want, 4);
    cr_assert_eq(L.diag.nerrors, 3);
    expect_error(0, "unexpected character '@'", 2);
    expect_error(1, "unexpected character '$'", 6);
    expect_error(2, "unexpected character '`'", 10);
}

Test(lexer, single_quotes_and_minus_are_stray)
{
    lex_all("'x' - 1");
    cr_assert_eq(L.diag.nerrors, 3);
    expect_error(0, "unexpected character '''", 0);
    expect_error(2, "unexpected character '-'", 4);
}

Test(lexer, control_bytes_are_reported_in_hex)
{
    lex_all("a\x01" "b\x7f");
    cr_assert_eq(L.n, 2);
    cr_assert_eq(L.diag.nerrors, 2);
    expect_error(0, "unexpected byte 0x01", 1);
    expect_error(1, "unexpected byte 0x7f", 3);
}

Test(lexer, nul_byte_is_an_error_not_the_end)
{
    const char src[] = "a\0b";
    lex_all_base(src, 3, 0);
    int want[] = {TK_IDENT, TK_IDENT};
    expect_codes(want, 2);
    cr_assert_str_eq(L.tok[1].text, "b", "lexing goes on after a stray NUL");
    cr_assert_eq(L.diag.nerrors, 1);
    expect_error(0, "NUL byte in spec", 1);
}

Test(lexer, lone_backslash_at_end_of_line)
{
    lex_all("\"ab\\\n\"x\"");
    cr_assert_eq(L.diag.nerrors, 1, "one error: the string ends with its line");
    expect_error(0, "unknown escape in string", 3);
    cr_assert_eq(L.diag.msgs[0].loc.len, 1, "the caret marks the backslash alone");
    cr_assert_eq(L.tok[1].code, TK_STRING);
    cr_assert_str_eq(L.tok[1].text, "x");
}

Test(lexer, nul_byte_inside_a_string)
{
    const char src[] = "\"a\0b\" c";
    lex_all_base(src, sizeof src - 1, 0);
    int want[] = {TK_STRING, TK_IDENT};
    expect_codes(want, 2);
    cr_assert_eq(L.diag.nerrors, 1, "one error, not an unterminated string as well");
    expect_error(0, "NUL byte in spec", 2);
}

Test(lexer, raw_control_characters_in_strings)
{
    /* tab is fine; other C0 controls, DEL, C1 controls, LS and PS are not */
    lex_all("\"a\tb\" \"c\x01\" \"\x7f\" \"\xc2\x85\" \"\xe2\x80\xa8\" \"d\r\" x");
    cr_assert_eq(L.n, 7);
    cr_assert_str_eq(L.tok[0].text, "a\tb");
    cr_assert_eq(L.diag.nerrors, 5);
    expect_error(0, "control character U+0001 in a string", 8);
    expect_error(1, "control character U+007F in a string", 12);
    expect_error(2, "control character U+0085 in a string", 16);
    cr_assert_eq(L.diag.msgs[2].loc.len, 2);
    expect_error(3, "line separator U+2028 in a string", 21);
    expect_error(4, "control character U+000D in a string", 28);
}

Test(lexer, crlf_ends_an_unterminated_string)
{
    lex_all("\"ab\r\nc");
    cr_assert_eq(L.diag.nerrors, 1);
    expect_error(0, "unterminated string", 0);
    cr_assert_str_eq(L.tok[0].text, "ab");
}

Test(lexer, digits_then_letters)
{
    lex_all("7d 1e3 7days x");
    int want[] = {TK_DURATION, TK_NUMBER, TK_IDENT};
    expect_codes(want, 3);
    cr_assert_eq(L.diag.nerrors, 1);
    expect_error(0, "'7days' is not a number or a duration (durations are written like 7d)", 7);
}

Test(lexer, non_ascii_outside_strings)
{
    lex_all("m\xc3\xb6" "dule \"\xc3\xb6k\" # \xc3\xb6\n");
    int want[] = {TK_IDENT, TK_IDENT, TK_STRING};
    expect_codes(want, 3);
    cr_assert_eq(L.diag.nerrors, 1, "non-ASCII in strings and comments is fine");
    expect_error(0, "non-ASCII text is only allowed in strings and comments", 1);
    cr_assert_eq(L.diag.msgs[0].loc.len, 2, "one error for the whole run of non-ASCII bytes");
}

Test(lexer, token_names)
{
    cr_assert_str_eq(lex_token_name(0), "end of input");
    cr_assert_str_eq(lex_token_name(TK_SEMI), "';'");
    cr_assert_str_eq(lex_token_name(TK_IDENT), "a name");
    cr_assert_str_eq(lex_token_name(TK_STRING), "a string");
    cr_assert_str_eq(lex_token_name(TK_NE), "'!='");
    cr_assert_str_eq(lex_token_name(TK_RBRACE), "'}'");
}
