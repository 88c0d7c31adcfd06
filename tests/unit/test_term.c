/* test_term.c — text printed on a terminal: control characters, C1
 * controls, bidirectional overrides and invalid UTF-8 come out as visible
 * escapes; everything else, UTF-8 included, as it is. */
#include <criterion/criterion.h>

#include <string.h>

#include "abc/base.h"

Test(term, escapes_what_a_terminal_would_act_on)
{
    struct {
        const char *in, *want;
    } cases[] = {
        {"plain name", "plain name"},
        {"café 実験 🚀 'q' \"d\" `b` back\\slash", "café 実験 🚀 'q' \"d\" `b` back\\slash"},
        {"a\tb\nc\rd", "a\\tb\\nc\\rd"},
        {"title\x1b]0;owned\x07 \x1b[2J", "title\\x1b]0;owned\\x07 \\x1b[2J"},
        {"v\vt\x7f", "v\\x0bt\\x7f"},
        {"csi \xc2\x9b" "31m nel \xc2\x85", "csi \\u009b31m nel \\u0085"},
        {"abc\xe2\x80\xae" "cba \xe2\x81\xa6x\xe2\x80\x8f", "abc\\u202ecba \\u2066x\\u200f"},
        {"bad \xff\xfe utf8 \xc3", "bad \\xff\\xfe utf8 \\xc3"},
        {"overlong \xc0\x80", "overlong \\xc0\\x80"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Buf b;
        buf_init(&b);
        buf_put_term(&b, cases[i].in);
        cr_assert_str_eq(b.data ? b.data : "", cases[i].want, "case %zu", i);
        buf_free(&b);
        Arena a;
        arena_init(&a);
        const char *t = term_safe(&a, cases[i].in);
        cr_assert_str_eq(t, cases[i].want, "case %zu", i);
        if (strcmp(cases[i].in, cases[i].want) == 0)
            cr_assert_eq(t, cases[i].in, "case %zu: a clean string is not copied", i);
        arena_free(&a);
    }
}
