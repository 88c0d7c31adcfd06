/* test_fmt.c — the canonical printers: exact DSL output, comments kept,
 * idempotence and AST equality after a round trip, YAML quoting of hard
 * strings (read back by the YAML front end), and `abc fmt` (-w, --check,
 * --to) through the binary. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abc/fmt.h"
#include "abc/parse.h"
#include "abc/yaml_front.h"

static Arena arena;

static void setup(void) { arena_init(&arena); }
static void teardown(void) { arena_free(&arena); }

TestSuite(fmt, .init = setup, .fini = teardown);

static AstSpec *parse(const char *src)
{
    Diag d;
    diag_init(&d, "t.ab", src, strlen(src));
    AstSpec *s = NULL;
    AbcStatus st = parse_dsl(src, strlen(src), &arena, &d, &s);
    cr_assert_eq(st, ABC_OK, "DSL rejected (%s):\n%s", d.nmsgs ? d.msgs[0].msg : "-", src);
    diag_free(&d);
    return s;
}

static AstSpec *parse_yaml(const char *src)
{
    Diag d;
    diag_init(&d, "t.yaml", src, strlen(src));
    AstSpec *s = NULL;
    AbcStatus st = yaml_parse_spec(src, strlen(src), &arena, &d, &s);
    cr_assert_eq(st, ABC_OK, "YAML rejected (%s):\n%s", d.nmsgs ? d.msgs[0].msg : "-", src);
    diag_free(&d);
    return s;
}

static const char *dsl(const AstSpec *s)
{
    Buf b;
    buf_init(&b);
    fmt_dsl(s, &b);
    char *r = arena_strdup(&arena, b.data ? b.data : "");
    buf_free(&b);
    return r;
}

static const char *yaml(const AstSpec *s)
{
    Buf b;
    buf_init(&b);
    char err[256] = "";
    AbcStatus st = fmt_yaml(s, &b, err, sizeof err);
    cr_assert_eq(st, ABC_OK, "fmt_yaml: %s", err);
    char *r = arena_strdup(&arena, b.data ? b.data : "");
    buf_free(&b);
    return r;
}

/* fmt is idempotent and keeps the AST. */
static void check_dsl_roundtrip(const char *src)
{
    AstSpec *a = parse(src);
    const char *once = dsl(a);
    AstSpec *b = parse(arena_strdup(&arena, once));
    cr_assert(ast_equal(a, b), "fmt changed the AST of:\n%s\n--- printed:\n%s", src, once);
    const char *twice = dsl(b);
    cr_assert_str_eq(once, twice, "fmt is not idempotent");
}

/* DSL -> YAML -> AST is the DSL AST. */
static void check_yaml_roundtrip(const char *src)
{
    AstSpec *a = parse(src);
    const char *y = yaml(a);
    AstSpec *b = parse_yaml(arena_strdup(&arena, y));
    cr_assert(ast_equal(a, b), "DSL -> YAML changed the AST of:\n%s\n--- YAML:\n%s", src, y);
    cr_assert_str_eq(yaml(b), y, "fmt_yaml is not idempotent");
}

Test(fmt, canonical_layout)
{
    const char *src = "tag   t{module \"m\" ;source e \"a.b\"{user u;time t ;date d;where x=1 and(y==\"z\"or w<>2);}\n"
                      "segment s=exposure.c;metric m=count( e where x in(1,2) )within 7d cap p99;"
                      "guardrail g=any(e)lower is better;analysis{methods ttest,bayes;alpha 0.05;}}";
    const char *want = "tag t {\n"
                       "  module \"m\";\n"
                       "\n"
                       "  source e \"a.b\" {\n"
                       "    user u;\n"
                       "    time t;\n"
                       "    date d;\n"
                       "    where x = 1 and (y = \"z\" or w != 2);\n"
                       "  }\n"
                       "\n"
                       "  segment s = exposure.c;\n"
                       "\n"
                       "  metric m = count(e where x in (1, 2)) within 7d cap p99;\n"
                       "  guardrail g = any(e) lower is better;\n"
                       "\n"
                       "  analysis {\n"
                       "    methods ttest, bayes;\n"
                       "    alpha 0.05;\n"
                       "  }\n"
                       "}\n";
    cr_assert_str_eq(dsl(parse(src)), want);
    check_dsl_roundtrip(src);
}

Test(fmt, conditions_get_only_the_parentheses_they_need)
{
    const char *src = "tag t { where ((a = 1)) or (b = 2 and c = 3); where not (a = 1 or b = 2); "
                      "where a = 1 and (b = 2 and c = 3); where (a = 1 and b = 2) and c = 3; "
                      "where a is not null and b not in (\"x\", -1.5, true); }";
    const char *want = "tag t {\n"
                       "  where a = 1 or b = 2 and c = 3;\n"
                       "  where not (a = 1 or b = 2);\n"
                       "  where a = 1 and (b = 2 and c = 3);\n"
                       "  where a = 1 and b = 2 and c = 3;\n"
                       "  where a is not null and b not in (\"x\", -1.5, true);\n"
                       "}\n";
    cr_assert_str_eq(dsl(parse(src)), want);
    check_dsl_roundtrip(src);
}

Test(fmt, numbers_and_words_keep_their_spelling)
{
    const char *src = "tag t { x 0.050 1e3 -2 7d 1..7 a.b \"s\", c; }";
    cr_assert_str_eq(dsl(parse(src)), "tag t {\n  x 0.050 1e3 -2 7d 1..7 a.b \"s\", c;\n}\n");
}

Test(fmt, comments_are_kept)
{
    const char *src = "# head 1\n"
                      "# head 2\n"
                      "tag t { # after brace\n"
                      "  # before a\n"
                      "  a 1; # after a\n"
                      "  b {   # after b brace\n"
                      "    # inside b\n"
                      "    c 2;\n"
                      "    # end of b\n"
                      "  }\n"
                      "  # end of spec\n"
                      "}\n"
                      "# tail\n";
    const char *want = "# head 1\n"
                       "# head 2\n"
                       "tag t {\n"
                       "  # after brace\n"
                       "  # before a\n"
                       "  a 1;  # after a\n"
                       "\n"
                       "  b {\n"
                       "    # after b brace\n"
                       "    # inside b\n"
                       "    c 2;\n"
                       "    # end of b\n"
                       "  }\n"
                       "  # end of spec\n"
                       "}\n"
                       "# tail\n";
    const char *got = dsl(parse(src));
    cr_assert_str_eq(got, want);
    cr_assert_str_eq(dsl(parse(arena_strdup(&arena, got))), want, "comments stay put on a second run");
}

Test(fmt, strings_are_escaped)
{
    const char *src = "tag t { salt \"q\\\"b\\\\n\\nt\\tr\\r\xc3\xa9\"; }";
    const char *got = dsl(parse(src));
    cr_assert_str_eq(got, "tag t {\n  salt \"q\\\"b\\\\n\\nt\\tr\\r\xc3\xa9\";\n}\n");
    check_dsl_roundtrip(src);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return arena_strdup(&arena, buf);
}

Test(fmt, specs_are_canonical_and_round_trip)
{
    const char *names[] = {"retention", "engagement", "recharge", "subscribe", "advertisement"};
    for (int i = 0; i < 5; i++) {
        char path[256];
        snprintf(path, sizeof path, "specs/%s.ab", names[i]);
        char *src = read_file(path);
        cr_assert_str_eq(dsl(parse(src)), src, "%s is not canonical", path);
        check_dsl_roundtrip(src);
        snprintf(path, sizeof path, "specs/%s.yaml", names[i]);
        cr_assert_str_eq(yaml(parse(src)), read_file(path), "fmt --to yaml differs from %s", path);
    }
}

Test(fmt, hand_written_specs_round_trip)
{
    DIR *d = opendir("tests/golden/roundtrip");
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".ab") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "tests/golden/roundtrip/%s", e->d_name);
        char *src = read_file(path);
        check_dsl_roundtrip(src);
        /* unnamed activities and `guardrail NAME =` normalise in YAML, so
         * the AST may differ once; the YAML form is then a fixed point */
        const char *y = yaml(parse(src));
        cr_assert_str_eq(yaml(parse_yaml(arena_strdup(&arena, y))), y, "%s: YAML not a fixed point", path);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 2);
}

/* Strings that YAML would misread if printed plain. */
static const char *const hard[] = {
    "a: b", "a #b", "#x", "-x", "- x", "? x", "x:", ":x", "yes", "no", "on", "off", "true",
    "False", "null", "NULL", "~", "", " lead", "trail ", "'single'", "\"double\"", "back\\slash",
    "new\nline", "tab\there", "cr\rx", "[x]", "{x}", "a, b", "&anchor", "*alias",
    "!tag", "%pct", "@at", "`tick`", "|pipe", ">gt", "caf\xc3\xa9 \xe6\xbc\xa2\xf0\x9f\x98\x80",
    "0.5", "1e3", "7d", "--", "/*", ";", "a'b\"c"};

static void dsl_escape(const char *s, Buf *b)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(b, '\\');
        if (*s == '\n')
            buf_puts(b, "\\n");
        else if (*s == '\t')
            buf_puts(b, "\\t");
        else if (*s == '\r')
            buf_puts(b, "\\r");
        else
            buf_putc(b, *s);
    }
}

Test(fmt, yaml_quotes_hard_strings)
{
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        Buf e, src;
        buf_init(&e);
        buf_init(&src);
        dsl_escape(hard[i], &e);
        const char *x = e.data ? e.data : "";
        buf_printf(&src,
                   "tag t {\n  salt \"%s\";\n  keys \"%s\", \"k2\";\n  assignment \"%s\" {\n    salt \"%s\";\n  }\n"
                   "  source s \"%s\" {\n    where c = \"%s\" or c in (\"%s\", \"z\");\n  }\n"
                   "  exposure s where c != \"%s\" {\n    activation s where d = \"%s\";\n  }\n"
                   "  metric m = count(s where c = \"%s\") within 7d;\n}\n",
                   x, x, x, x, x, x, x, x, x, x);
        AstSpec *a = parse(src.data);
        const char *y = yaml(a);
        AstSpec *b = parse_yaml(arena_strdup(&arena, y));
        cr_assert(ast_equal(a, b), "string %zu (%s) does not survive YAML:\n%s", i, hard[i], y);
        /* and the DSL printer escapes it back */
        check_dsl_roundtrip(src.data);
        buf_free(&e);
        buf_free(&src);
    }
}

Test(fmt, yaml_keeps_plain_what_is_safe)
{
    AstSpec *a = parse("tag t {\n  module \"m\";\n  methods ttest, bayes;\n  x a b;\n}\n");
    cr_assert_str_eq(yaml(a), "tag: t\nmodule: \"m\"\nmethods: [ttest, bayes]\nx: a b\n");
}

Test(fmt, yaml_refuses_what_it_cannot_hold)
{
    const char *srcs[] = {"tag t { analysis x { } }", "tag t { foo where a = 1 { } }",
                          "tag t { activity a b { } }", "tag t { assignment k { } }",
                          "tag t { source s { } }", "tag t { source s \"x\" where a = 1 { } }",
                          "tag t { x { metric m = c(e); } }"};
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        AstSpec *a = parse(srcs[i]);
        Buf b;
        buf_init(&b);
        char err[256] = "";
        cr_assert_eq(fmt_yaml(a, &b, err, sizeof err), ABC_ERR_SPEC, "printed %s", srcs[i]);
        cr_assert_neq(err[0], '\0', "no reason given for %s", srcs[i]);
        buf_free(&b);
    }
}

Test(fmt, fmt_words_commas)
{
    AstSpec *a = parse("tag t { x a, b c, \"d\" 1..2; }");
    Buf b;
    buf_init(&b);
    fmt_words(a->items->words, &b);
    cr_assert_str_eq(b.data, "a, b c, \"d\" 1..2");
    buf_free(&b);
}

/* A comma group that starts with a string and has more words ("treat:
 * ment" 0.25) is DSL text, not a YAML string: a block list of literal
 * scalars (it used to be copied raw into a flow sequence). */
Test(fmt, yaml_string_led_comma_groups)
{
    check_yaml_roundtrip("tag t {\n  assignment \"e\" {\n    variations \"control\" 0.5, \"treat: ment\" 0.5;\n  }\n}\n");
    check_yaml_roundtrip("tag t {\n  x \"a\" 1, b, \"c\";\n}\n");
    check_yaml_roundtrip("tag t {\n  x a, b where c = 1;\n}\n");
}

/* `experiments from growthbook ...;` and `experiments keys ...;` together
 * (accepted by sema) share one `experiments:` mapping with `from` and
 * `keys` entries. */
Test(fmt, yaml_both_experiments_settings)
{
    check_yaml_roundtrip("tag t {\n  experiments from growthbook;\n  experiments keys \"a\";\n}\n");
    AstSpec *a = parse("tag t {\n  experiments keys \"a\", \"b\";\n  module \"m\";\n"
                       "  experiments from growthbook tag \"x\";\n}\n");
    cr_assert_str_eq(yaml(a), "tag: t\nexperiments:\n  keys: [\"a\", \"b\"]\n"
                              "  from: growthbook tag \"x\"\nmodule: \"m\"\n");
    /* one experiments setting keeps the plain form */
    a = parse("tag t {\n  experiments keys \"a\", \"b\";\n}\n");
    cr_assert_str_eq(yaml(a), "tag: t\nexperiments: [keys \"a\", \"b\"]\n");
    /* two of one kind have no YAML form */
    a = parse("tag t {\n  experiments keys \"a\";\n  experiments keys \"b\";\n}\n");
    Buf b;
    buf_init(&b);
    char err[256] = "";
    cr_assert_eq(fmt_yaml(a, &b, err, sizeof err), ABC_ERR_SPEC);
    buf_free(&b);
}

/* A DSL string may not hold a raw control character (the DSL has no escape
 * for it, and YAML block scalars cannot carry it): the lexer rejects it,
 * once, where it is; so does the YAML front end for a quoted scalar. */
Test(fmt, yaml_control_byte_in_condition_string)
{
    const char *src = "tag t {\n  source s \"x\" {\n    where c = \"ctl\x01\";\n  }\n}\n";
    Diag d;
    diag_init(&d, "t.ab", src, strlen(src));
    AstSpec *s = NULL;
    cr_assert_eq(parse_dsl(src, strlen(src), &arena, &d, &s), ABC_ERR_SPEC);
    cr_assert_eq(d.nmsgs, 1);
    cr_assert_str_eq(d.msgs[0].msg, "control character U+0001 in a string (write \\n, \\t or \\r, or leave it out)");
    cr_assert_eq(d.msgs[0].loc.off, (uint32_t)(strchr(src, '\x01') - src));
    diag_free(&d);
    const char *y = "tag: t\nmodule: \"a\\x01\"\n";
    diag_init(&d, "t.yaml", y, strlen(y));
    cr_assert_eq(yaml_parse_spec(y, strlen(y), &arena, &d, &s), ABC_ERR_SPEC);
    cr_assert_eq(d.nmsgs, 1);
    diag_free(&d);
    /* escapes and raw tabs are fine, and survive the trip */
    check_yaml_roundtrip("tag t {\n  source s \"x\" {\n    where c = \"a\\tb\\n\tc\";\n  }\n}\n");
}

/* ---- abc fmt through the binary -------------------------------------------- */

static const char *abc_bin(void)
{
    const char *b = getenv("ABC_BIN");
    if (!b)
        b = "build/abc";
    cr_assert_eq(access(b, X_OK), 0, "abc binary %s not found (set ABC_BIN)", b);
    return b;
}

static char tmpdir[256];

static void make_tmp(void)
{
    setup();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/abc-test-fmt.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
    teardown();
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Run abc with args (shell words); returns the exit status; stdout and
 * stderr are captured into the arena. */
static int run_abc(const char *args, char **out, char **err)
{
    char cmd[2048], o[512], e[512];
    snprintf(o, sizeof o, "%s/stdout", tmpdir);
    snprintf(e, sizeof e, "%s/stderr", tmpdir);
    snprintf(cmd, sizeof cmd, "%s %s >'%s' 2>'%s'", abc_bin(), args, o, e);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "abc died: %s", cmd);
    if (out)
        *out = read_file(o);
    if (err)
        *err = read_file(e);
    return WEXITSTATUS(st);
}

static const char *messy = "tag t {module \"m\";   x  1 ;}\n";
static const char *tidy = "tag t {\n  module \"m\";\n  x 1;\n}\n";

Test(fmt, cli_prints_canonical_form, .init = make_tmp, .fini = rm_tmp)
{
    char p[512], args[600];
    snprintf(p, sizeof p, "%s/t.ab", tmpdir);
    write_file(p, messy);
    char *out, *err;
    snprintf(args, sizeof args, "fmt '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 0, "%s", err);
    cr_assert_str_eq(out, tidy);
    cr_assert_str_eq(read_file(p), messy, "plain fmt does not touch the file");
}

Test(fmt, cli_check_and_write, .init = make_tmp, .fini = rm_tmp)
{
    char p[512], args[600];
    snprintf(p, sizeof p, "%s/t.ab", tmpdir);
    write_file(p, messy);
    char *out, *err;
    snprintf(args, sizeof args, "fmt --check '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 1);
    cr_assert_not_null(strstr(err, "t.ab: not in canonical form"), "%s", err);
    /* the diff from the file to its canonical form, on stdout */
    cr_assert_not_null(strstr(out, "t.ab\n+++ "), "%s", out);
    cr_assert_not_null(strstr(out, "\n@@ -"), "%s", out);
    cr_assert_str_eq(read_file(p), messy, "--check writes nothing");

    snprintf(args, sizeof args, "fmt -w '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 0, "%s", err);
    cr_assert_str_eq(out, "", "-w prints nothing");
    cr_assert_str_eq(read_file(p), tidy);

    snprintf(args, sizeof args, "fmt --check '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 0, "%s", err);
    cr_assert_str_eq(err, "");

    /* no temp files are left behind */
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    cr_assert_eq(n, 0);
}

Test(fmt, cli_convert_and_write_beside, .init = make_tmp, .fini = rm_tmp)
{
    char p[512], y[512], args[600];
    snprintf(p, sizeof p, "%s/t.ab", tmpdir);
    snprintf(y, sizeof y, "%s/t.yaml", tmpdir);
    write_file(p, messy);
    char *out, *err;
    snprintf(args, sizeof args, "fmt -w --to yaml '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 0, "%s", err);
    cr_assert_str_eq(read_file(y), "tag: t\nmodule: \"m\"\nx: 1\n");
    cr_assert_str_eq(read_file(p), messy, "the source is left alone");
    snprintf(args, sizeof args, "fmt --to ab '%s'", y);
    cr_assert_eq(run_abc(args, &out, &err), 0, "%s", err);
    cr_assert_str_eq(out, tidy);
    snprintf(args, sizeof args, "fmt --check --to yaml '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 1, "a file is never in the canonical form of another syntax");
}

Test(fmt, cli_errors, .init = make_tmp, .fini = rm_tmp)
{
    char p[512], args[700];
    snprintf(p, sizeof p, "%s/t.ab", tmpdir);
    write_file(p, "tag t { x = 1; }\n");
    char *out, *err;
    snprintf(args, sizeof args, "fmt '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 1);
    cr_assert_not_null(strstr(err, "t.ab:1:11: error: unexpected '='"), "%s", err);
    cr_assert_str_eq(out, "");
    snprintf(args, sizeof args, "fmt -w '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 1);
    cr_assert_str_eq(read_file(p), "tag t { x = 1; }\n", "a spec with errors is not rewritten");

    snprintf(args, sizeof args, "fmt -w --check '%s'", p);
    cr_assert_eq(run_abc(args, &out, &err), 2);
    cr_assert_eq(run_abc("fmt", &out, &err), 2);
    cr_assert_not_null(strstr(err, "no spec given"));
    cr_assert_eq(run_abc("fmt --bogus x.ab", &out, &err), 2);
    cr_assert_eq(run_abc("fmt --to json x.ab", &out, &err), 2);
    snprintf(args, sizeof args, "fmt '%s/missing.ab'", tmpdir);
    cr_assert_eq(run_abc(args, &out, &err), 1);
    cr_assert_not_null(strstr(err, "cannot open"), "%s", err);
    cr_assert_eq(run_abc("fmt --help", &out, &err), 0);
    cr_assert_not_null(strstr(out, "usage: abc fmt"));
}
