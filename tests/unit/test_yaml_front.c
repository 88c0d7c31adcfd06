/* test_yaml_front.c — the YAML front end: the AST it builds equals the DSL
 * AST of the same spec (where the mapping allows), scalar styles and
 * sequences map onto words, and every YAML-specific error is reported at
 * the right line:col. */
#include <criterion/criterion.h>

#include <string.h>

#include "abc/parse.h"
#include "abc/spec.h"
#include "abc/yaml_front.h"

static Arena arena;
static Diag diag;

static void setup(void) { arena_init(&arena); }
static void teardown(void)
{
    diag_free(&diag);
    arena_free(&arena);
}

TestSuite(yaml, .init = setup, .fini = teardown);

static AstSpec *yaml_ok(const char *src)
{
    diag_init(&diag, "t.yaml", src, strlen(src));
    AstSpec *s = NULL;
    AbcStatus st = yaml_parse_spec(src, strlen(src), &arena, &diag, &s);
    cr_assert_eq(st, ABC_OK, "YAML rejected (%s):\n%s", diag.nmsgs ? diag.msgs[0].msg : "-", src);
    cr_assert_not_null(s);
    return s;
}

static AstSpec *dsl_ok(const char *src)
{
    Diag d;
    diag_init(&d, "t.ab", src, strlen(src));
    AstSpec *s = NULL;
    AbcStatus st = parse_dsl(src, strlen(src), &arena, &d, &s);
    cr_assert_eq(st, ABC_OK, "DSL rejected (%s):\n%s", d.nmsgs ? d.msgs[0].msg : "-", src);
    diag_free(&d);
    return s;
}

/* The YAML must fail; its first diagnostic says want at line:col. */
static void yaml_fails_at(const char *src, int line, int col, const char *want)
{
    diag_free(&diag);
    diag_init(&diag, "t.yaml", src, strlen(src));
    AstSpec *s = (AstSpec *)&s;
    AbcStatus st = yaml_parse_spec(src, strlen(src), &arena, &diag, &s);
    cr_assert_eq(st, ABC_ERR_SPEC, "accepted:\n%s", src);
    cr_assert_eq(s, (AstSpec *)&s, "out-param written on failure");
    cr_assert_gt(diag.nmsgs, 0);
    int l, c;
    diag_line_col(&diag, diag.msgs[0].loc.off, &l, &c);
    cr_assert_not_null(strstr(diag.msgs[0].msg, want), "got \"%s\", want \"%s\" for:\n%s",
                       diag.msgs[0].msg, want, src);
    cr_assert(l == line && c == col, "\"%s\" at %d:%d, want %d:%d", diag.msgs[0].msg, l, c, line, col);
}

#define YHEAD                                                                                      \
    "tag: t\nmodule: \"m\"\nsources:\n  events:\n    table: \"ods.app_events\"\n"               \
    "    user: user_id\n    time: event_time\n    date: event_date\n"                            \
    "exposure:\n  source: events\n  where: event_name = \"v\"\n  experiment: exp_key\n"          \
    "  variation: var_key\nmetrics:\n  opens: count(events) within 7d\n"
#define YHEAD_LINES 15

Test(yaml, same_ast_as_the_dsl)
{
    const char *y = "tag: t\n"
                    "module: \"m\"\n"
                    "experiments: from growthbook tag \"t\" status running\n"
                    "assignments:\n"
                    "  \"exp-1\":\n"
                    "    salt: \"s\"\n"
                    "    variations: [control 0.5, treatment 0.5]\n"
                    "sources:\n"
                    "  events:\n"
                    "    table: \"ods.e\"\n"
                    "    user: u\n"
                    "    time: t\n"
                    "    date: d\n"
                    "    where: a != \"bot\" and b is not null\n"
                    "exposure:\n"
                    "  source: events\n"
                    "  where: e = \"x\" or (f in (1, 2) and not g < 3)\n"
                    "  experiment: k\n"
                    "  variation: v\n"
                    "  first:\n"
                    "  multiple: exclude\n"
                    "segments:\n"
                    "  country: exposure.country\n"
                    "metrics:\n"
                    "  m1: count(events where e = \"open\") within 7d cap p99 cuped 14d\n"
                    "  m2: ratio(m1, m3) secondary\n"
                    "  m3: retained(events, days 1..7)\n"
                    "guardrails:\n"
                    "  g: any(events where e = \"crash\") within 7d lower is better\n"
                    "analysis:\n"
                    "  methods: [ttest, bayes]\n"
                    "  alpha: 0.05\n"
                    "  prior: 0 0.3\n"
                    "activities:\n"
                    "  act:\n"
                    "    active: events where e = \"open\"\n"
                    "    reports:\n"
                    "      - dau\n"
                    "      - growth\n";
    const char *d = "tag t {\n"
                    "  module \"m\";\n"
                    "  experiments from growthbook tag \"t\" status running;\n"
                    "  assignment \"exp-1\" {\n    salt \"s\";\n    variations control 0.5, treatment 0.5;\n  }\n"
                    "  source events \"ods.e\" {\n    user u;\n    time t;\n    date d;\n"
                    "    where a != \"bot\" and b is not null;\n  }\n"
                    "  exposure events where e = \"x\" or (f in (1, 2) and not g < 3) {\n"
                    "    experiment k;\n    variation v;\n    first;\n    multiple exclude;\n  }\n"
                    "  segment country = exposure.country;\n"
                    "  metric m1 = count(events where e = \"open\") within 7d cap p99 cuped 14d;\n"
                    "  metric m2 = ratio(m1, m3) secondary;\n"
                    "  metric m3 = retained(events, days 1..7);\n"
                    "  guardrail g = any(events where e = \"crash\") within 7d lower is better;\n"
                    "  analysis {\n    methods ttest, bayes;\n    alpha 0.05;\n    prior 0 0.3;\n  }\n"
                    "  activity act {\n    active events where e = \"open\";\n    reports dau, growth;\n  }\n"
                    "}\n";
    AstSpec *ya = yaml_ok(y);
    AstSpec *da = dsl_ok(d);
    cr_assert(ast_equal(ya, da), "the YAML and DSL forms parse to different ASTs");
}

Test(yaml, recharge_twins_are_ast_equal)
{
    /* recharge has no guardrail, so its twins are equal at the AST level */
    SpecUnit a, y;
    cr_assert_eq(spec_load(&a, "specs/recharge.ab"), ABC_OK);
    cr_assert_eq(spec_load(&y, "specs/recharge.yaml"), ABC_OK);
    cr_assert(ast_equal(a.ast, y.ast));
    spec_unit_free(&a);
    spec_unit_free(&y);
}

Test(yaml, guardrail_in_metrics_differs_only_in_the_ast)
{
    AstSpec *a = yaml_ok("tag: t\nmetrics:\n  g: count(e) guardrail\n");
    AstSpec *b = yaml_ok("tag: t\nguardrails:\n  g: count(e)\n");
    cr_assert_not(ast_equal(a, b), "metric ... guardrail and guardrail ... are different ASTs");
    cr_assert_str_eq(b->items->key->text, "guardrail");
    cr_assert_str_eq(a->items->key->text, "metric");
}

Test(yaml, scalar_styles)
{
    AstSpec *s = yaml_ok("tag: t\n"
                         "a: plain words 7d\n"
                         "b: \"double quoted: one string\"\n"
                         "c: 'single # quoted'\n"
                         "d: |\n  block literal\n"
                         "e: >-\n  folded\n  text\n"
                         "f:\n"
                         "g: ~\n"
                         "h: null\n"
                         "i: \"\"\n"
                         "j: 'null'\n");
    const AstItem *it = s->items;
    cr_assert_str_eq(it->key->text, "a");
    cr_assert_eq(it->words->kind, W_IDENT);
    cr_assert_eq(it->words->next->next->kind, W_DURATION);
    it = it->next;
    cr_assert_eq(it->words->kind, W_STRING);
    cr_assert_str_eq(it->words->text, "double quoted: one string");
    cr_assert_null(it->words->next);
    it = it->next;
    cr_assert_eq(it->words->kind, W_STRING);
    cr_assert_str_eq(it->words->text, "single # quoted");
    it = it->next;
    cr_assert_eq(it->words->kind, W_IDENT, "a block scalar is DSL words");
    cr_assert_str_eq(it->words->next->text, "literal");
    it = it->next;
    cr_assert_str_eq(it->words->text, "folded");
    cr_assert_str_eq(it->words->next->text, "text");
    for (int i = 0; i < 3; i++) {
        it = it->next;
        cr_assert_eq(it->kind, I_SETTING);
        cr_assert_null(it->words, "'%s' is null: no words", it->key->text);
    }
    it = it->next;
    cr_assert_eq(it->words->kind, W_STRING, "a quoted empty string is a string");
    cr_assert_str_eq(it->words->text, "");
    it = it->next;
    cr_assert_eq(it->words->kind, W_STRING, "a quoted 'null' is a string");
    cr_assert_str_eq(it->words->text, "null");
}

Test(yaml, sequences_are_comma_lists)
{
    AstSpec *s = yaml_ok("tag: t\nm: [a, b c, \"d\"]\nn:\n  - x\n  - 'y z'\n");
    const AstWord *w = s->items->words;
    cr_assert_str_eq(w->text, "a");
    cr_assert_not(w->comma_before);
    cr_assert_str_eq(w->next->text, "b");
    cr_assert(w->next->comma_before);
    cr_assert_str_eq(w->next->next->text, "c");
    cr_assert_not(w->next->next->comma_before);
    cr_assert_eq(w->next->next->next->kind, W_STRING);
    cr_assert(w->next->next->next->comma_before);
    w = s->items->next->words;
    cr_assert_str_eq(w->text, "x");
    cr_assert_eq(w->next->kind, W_STRING);
    cr_assert_str_eq(w->next->text, "y z");
    cr_assert(w->next->comma_before);
}

Test(yaml, blocks_and_where)
{
    AstSpec *s = yaml_ok("tag: t\nanalysis:\n  alpha: 0.1\n  nested:\n    deeper: 1\n"
                         "exposure:\n  source: events\n  first:\n");
    const AstItem *a = s->items;
    cr_assert_eq(a->kind, I_BLOCK);
    cr_assert_str_eq(a->key->text, "analysis");
    cr_assert_eq(a->items->kind, I_SETTING);
    cr_assert_eq(a->items->next->kind, I_BLOCK);
    const AstItem *x = a->next;
    cr_assert_eq(x->kind, I_BLOCK);
    cr_assert_str_eq(x->words->text, "events");
    cr_assert_null(x->where);
    cr_assert_str_eq(x->items->key->text, "first");
    cr_assert_null(x->items->next, "source is not repeated as an item");
}

Test(yaml, locations_point_into_the_yaml)
{
    const char *src = YHEAD "  clicks: count(events where name = \"\xc3\xa9\xe6\xbc\xa2\") within 7d\n";
    AstSpec *s = yaml_ok(src);
    const AstItem *m = s->items;
    while (m->next)
        m = m->next;
    cr_assert_str_eq(m->name->text, "clicks");
    int l, c;
    diag_line_col(&diag, m->name->loc.off, &l, &c);
    cr_assert_eq(l, YHEAD_LINES + 1);
    cr_assert_eq(c, 3);
    const AstWord *within = m->words;
    diag_line_col(&diag, within->loc.off, &l, &c);
    cr_assert_eq(l, YHEAD_LINES + 1);
    cr_assert_eq(c, 43, "columns count characters, not bytes (got %d)", c);
    cr_assert_eq(strncmp(src + within->loc.off, "within", 6), 0);
    diag_line_col(&diag, s->tag->loc.off, &l, &c);
    cr_assert(l == 1 && c == 6);
}

Test(yaml, sema_errors_point_into_the_yaml)
{
    const char *src = YHEAD "  clicks: count(evnts) within 7d\n";
    SpecUnit u;
    cr_assert_eq(spec_load_bytes(&u, "t.yaml", src, strlen(src), SYNTAX_YAML), ABC_ERR_SPEC);
    int l, c;
    diag_line_col(&u.diag, u.diag.msgs[0].loc.off, &l, &c);
    cr_assert_str_eq(u.diag.msgs[0].msg, "undefined source 'evnts'; did you mean 'events'?");
    cr_assert(l == YHEAD_LINES + 1 && c == 17, "at %d:%d", l, c);
    spec_unit_free(&u);
}

Test(yaml, structural_errors)
{
    yaml_fails_at("", 1, 1, "empty spec: expected a mapping with 'tag: NAME'");
    yaml_fails_at("# only a comment\n", 1, 1, "empty spec");
    yaml_fails_at("- a\n- b\n", 1, 1, "a YAML spec is a mapping starting with 'tag: NAME'");
    yaml_fails_at("hello\n", 1, 1, "a YAML spec is a mapping");
    yaml_fails_at("module: m\n", 1, 1, "missing 'tag: NAME'");
    yaml_fails_at("tag: [t]\n", 1, 6, "'tag' must be a name");
    yaml_fails_at("tag: \"a b\"\n", 1, 6, "'tag' must be a name");
    yaml_fails_at("tag: t\n---\ntag: u\n", 2, 1, "a spec holds one YAML document");
    yaml_fails_at("tag: t\nmodule: m\nmodule: n\n", 3, 1, "duplicate key 'module' (first at 2:1)");
    yaml_fails_at("tag: t\nmetrics:\n  a: count(e)\n  a: count(e)\n", 4, 3, "duplicate key 'a' (first at 3:3)");
    yaml_fails_at("tag: t\nx: &a 1\n", 2, 4, "YAML anchors are not allowed");
    yaml_fails_at("tag: t\nx: *a\n", 2, 4, "YAML aliases are not allowed");
    yaml_fails_at("tag: t\nx: !!str 1\n", 2, 4, "YAML tags ('!...') are not allowed");
    yaml_fails_at("tag: t\nx: !custom\n  a: 1\n", 2, 4, "YAML tags");
    yaml_fails_at("tag: t\n? [a]\n: 1\n", 2, 3, "mapping keys must be plain names");
    yaml_fails_at("tag: t\nsources: [a]\n", 2, 10, "sources must be a mapping");
    yaml_fails_at("tag: t\nsources:\n  e:\n    user: u\n", 3, 3, "source 'e' needs 'table: db.table'");
    yaml_fails_at("tag: t\nsources:\n  e: 1\n", 3, 6, "source must be a mapping");
    yaml_fails_at("tag: t\nsources:\n  e-x:\n    table: \"a\"\n", 3, 3, "'e-x' is not a valid name");
    yaml_fails_at("tag: t\nmetrics:\n  m:\n", 3, 5, "'m' needs a definition");
    yaml_fails_at("tag: t\nmetrics:\n  m: [count(e)]\n", 3, 6, "'m' needs a definition");
    yaml_fails_at("tag: t\nexposure:\n  first:\n", 2, 1, "exposure needs 'source: NAME'");
    yaml_fails_at("tag: t\nexposure: events\n", 2, 11, "exposure must be a mapping");
    yaml_fails_at("tag: t\nexposure:\n  source: e\n  where:\n", 4, 9, "'where' needs a condition");
    yaml_fails_at("tag: t\nx:\n  - a: 1\n", 3, 5, "list elements must be plain values");
    yaml_fails_at("tag: t\nx: [a, ~]\n", 2, 8, "empty list element");
    yaml_fails_at("tag: t\nx-y: 1\n", 2, 1, "'x-y' is not a valid setting name");
    yaml_fails_at("tag: t\nanalysis:\n  a b: 1\n", 3, 3, "'a b' is not a valid setting name");
    /* the caret marks the condition, not the word where */
    yaml_fails_at("tag: t\nx: a where b = 1\ny: [a where b = 1]\n", 3, 13, "unexpected 'where' here");
    yaml_fails_at("tag: t\nsegments:\n  s: a where b = 1\n", 3, 14, "unexpected 'where' here");
}

Test(yaml, libyaml_errors_have_positions)
{
    yaml_fails_at("tag: t\nx: [a, b\ny: 1\n", 3, 2, "YAML: did not find expected ',' or ']'");
    yaml_fails_at("tag: t\nsources:\n  e:\n    table: a\n   user: u\n", 5, 4, "YAML: did not find expected key");
    yaml_fails_at("tag: t\n\tx: 1\n", 2, 1, "YAML: found a tab character that violates indentation");
    yaml_fails_at("tag: t\nx: \"open\n", 3, 1, "YAML: found unexpected end of stream");
    yaml_fails_at("tag: t\nx: a: b\n", 2, 5, "YAML: mapping values are not allowed");
}

Test(yaml, nul_and_depth)
{
    const char src[] = "tag: t\nx: a\0b\n";
    diag_init(&diag, "t.yaml", src, sizeof src - 1);
    AstSpec *s = NULL;
    cr_assert_eq(yaml_parse_spec(src, sizeof src - 1, &arena, &diag, &s), ABC_ERR_SPEC);
    int l, c;
    diag_line_col(&diag, diag.msgs[0].loc.off, &l, &c);
    cr_assert_str_eq(diag.msgs[0].msg, "NUL byte in spec");
    cr_assert(l == 2 && c == 5);
    diag_free(&diag);

    char deep[4096] = "tag: t\nx: ";
    for (int i = 0; i < PARSE_MAX_DEPTH + 2; i++)
        strcat(deep, "[");
    yaml_fails_at(deep, 2, 4 + PARSE_MAX_DEPTH, "YAML nested deeper than 64 levels");
}

Test(yaml, fragment_errors)
{
    /* plain scalars are verbatim: the error is at the token */
    yaml_fails_at(YHEAD "  c: count(events where a = ) within 7d\n", YHEAD_LINES + 1, 29,
                  "unexpected ')', expected a string or a number");
    /* a quoted scalar is not verbatim: the error is at the scalar */
    yaml_fails_at(YHEAD "  c: \"count(events where a = ) within 7d\"\n", YHEAD_LINES + 1, 6,
                  "unexpected ')'");
    yaml_fails_at(YHEAD "  c: count(events where a = @)\n", YHEAD_LINES + 1, 29,
                  "unexpected character '@'");
    yaml_fails_at("tag: t\nexposure:\n  source: e\n  where: a = 1 and\n", 4, 19,
                  "unexpected end of input");
    yaml_fails_at("tag: t\nsources:\n  e:\n    table: \"x\"\n    where: a =\n", 5, 15,
                  "unexpected end of input");
    yaml_fails_at("tag: t\nmetrics:\n  m: within 7d\n", 3, 13, "unexpected '7d', expected '('");
}

Test(yaml, several_errors_in_one_pass)
{
    const char *src = "tag: t\nmetrics:\n  a: count(e where x = )\n  b: ratio(\n  9c: count(e)\n"
                      "sources: 1\n";
    diag_init(&diag, "t.yaml", src, strlen(src));
    AstSpec *s = NULL;
    cr_assert_eq(yaml_parse_spec(src, strlen(src), &arena, &diag, &s), ABC_ERR_SPEC);
    cr_assert_eq(diag.nerrors, 4, "every definition is checked (%d errors)", diag.nerrors);
}

Test(yaml, spec_level_checks_apply)
{
    SpecUnit u;
    const char *src = YHEAD;
    cr_assert_eq(spec_load_bytes(&u, "other.yaml", src, strlen(src), SYNTAX_YAML), ABC_ERR_SPEC);
    cr_assert_not_null(strstr(u.diag.msgs[0].msg, "does not match the file name 'other'"));
    spec_unit_free(&u);
    cr_assert_eq(spec_load_bytes(&u, "t.yml", src, strlen(src), SYNTAX_YAML), ABC_OK);
    spec_unit_free(&u);
    cr_assert_eq(spec_syntax_of("a/b.yml"), SYNTAX_YAML);
    cr_assert_eq(spec_syntax_of("a/b.yaml"), SYNTAX_YAML);
    cr_assert_eq(spec_syntax_of("a/b.ab"), SYNTAX_DSL);
    cr_assert_eq(spec_syntax_of("a.yaml/b"), SYNTAX_DSL);
    cr_assert_eq(spec_syntax_of("-"), SYNTAX_DSL);
}

Test(yaml, alias_bomb_is_refused_quickly)
{
    char src[8192] = "tag: t\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 0; i < 9; i++) {
        char line[256];
        char n = (char)('b' + i), p = (char)('a' + i);
        snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", n, n,
                 p, p, p, p, p, p, p, p, p);
        strcat(src, line);
    }
    yaml_fails_at(src, 2, 4, "YAML anchors are not allowed");
    cr_assert_eq(diag.nerrors, 1);
}

/* `experiments:` as a mapping holds the two settings `abc fmt --to yaml`
 * cannot put under one key otherwise. */
Test(yaml, experiments_mapping)
{
    AstSpec *y = yaml_ok("tag: t\nexperiments:\n  from: growthbook tag \"x\"\n  keys: [\"a\", \"b\"]\n");
    AstSpec *d = dsl_ok("tag t {\n  experiments from growthbook tag \"x\";\n"
                        "  experiments keys \"a\", \"b\";\n}\n");
    cr_assert(ast_equal(y, d));
    diag_free(&diag);
    yaml_fails_at("tag: t\nexperiments:\n  form: growthbook\n", 3, 3,
                  "'experiments' as a mapping holds 'from' and 'keys', not 'form'");
}

/* The unnamed activity is written `activity:` in YAML and read back
 * without a name. */
Test(yaml, unnamed_activity)
{
    AstSpec *y = yaml_ok("tag: t\nactivities:\n  activity:\n    active: events\n  other:\n    active: events\n");
    AstSpec *d = dsl_ok("tag t {\n  activity {\n    active events;\n  }\n"
                        "  activity other {\n    active events;\n  }\n}\n");
    cr_assert(ast_equal(y, d));
}

/* Bad bytes are reported where they are, not at 1:1. */
Test(yaml, bad_bytes_have_positions)
{
    yaml_fails_at("tag: t\nmodule: \"m\xff\"\n", 2, 11, "invalid UTF-8 byte 0xff");
    diag_free(&diag);
    yaml_fails_at("tag: t\nmodule: \"m\"\nx: a\x01 b\n", 3, 5, "YAML: control characters are not allowed");
    diag_free(&diag);
    yaml_fails_at("tag: t\nmodule: \"a\\x01\"\n", 2, 9, "control character U+0001 in a string");
}

/* Found by fuzz_yaml (tests/fuzz/crashers): YAML specs without a DSL twin. */
Test(yaml, fuzz_findings)
{
    yaml_fails_at("tag: t\nmetrics:\n  in: count(events)\n", 3, 3, "'in' is a keyword and cannot be a name");
    diag_free(&diag);
    yaml_fails_at("tag: t\nexposure:\n  source:\n", 2, 1, "exposure needs 'source: NAME'");
    diag_free(&diag);
    /* a top-level where is a where line, as in the DSL (sema rejects it) */
    AstSpec *y = yaml_ok("tag: t\nwhere: a = 1\n");
    cr_assert_eq(y->items->kind, I_WHERE);
}
