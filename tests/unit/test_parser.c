/* test_parser.c — the lemon grammar and its driver: AST shapes of every item
 * kind, condition precedence, word kinds and commas, locations, ast_equal,
 * fragments (parse_fragment), and error recovery (several errors in one
 * pass, the opener of an unclosed block, nesting limits). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "abc/parse.h"

static Arena arena;
static Diag diag;
static const char *source;

static void setup(void) { arena_init(&arena); }
static void teardown(void)
{
    diag_free(&diag);
    arena_free(&arena);
}

TestSuite(parser, .init = setup, .fini = teardown);

static AstSpec *parse_ok(const char *src)
{
    source = src;
    diag_free(&diag);
    diag_init(&diag, "t.ab", src, strlen(src));
    AstSpec *spec = NULL;
    AbcStatus st = parse_dsl(src, strlen(src), &arena, &diag, &spec);
    cr_assert_eq(st, ABC_OK, "parse failed: %s", diag.nmsgs ? diag.msgs[0].msg : "(no message)");
    cr_assert_not_null(spec);
    cr_assert_eq(diag.nerrors, 0);
    return spec;
}

/* Parse a spec that must fail; returns the number of errors. */
static int parse_fails(const char *src)
{
    source = src;
    diag_free(&diag);
    diag_init(&diag, "t.ab", src, strlen(src));
    AstSpec *spec = (AstSpec *)&spec; /* must stay untouched */
    AbcStatus st = parse_dsl(src, strlen(src), &arena, &diag, &spec);
    cr_assert_eq(st, ABC_ERR_SPEC, "accepted:\n%s", src);
    cr_assert_eq(spec, (AstSpec *)&spec, "out-param written on failure");
    cr_assert_gt(diag.nerrors, 0, "failure without a diagnostic");
    return diag.nerrors;
}

/* Diagnostic k says `want` at line:col. */
static void expect_diag(int k, int line, int col, const char *want)
{
    cr_assert_gt(diag.nmsgs, k, "no diagnostic %d (want %d:%d %s)", k, line, col, want);
    int l, c;
    diag_line_col(&diag, diag.msgs[k].loc.off, &l, &c);
    cr_assert_not_null(strstr(diag.msgs[k].msg, want), "diagnostic %d: \"%s\", want \"%s\"", k,
                       diag.msgs[k].msg, want);
    cr_assert(l == line && c == col, "diagnostic %d (%s) at %d:%d, want %d:%d", k,
              diag.msgs[k].msg, l, c, line, col);
}

static const AstItem *item_at(const AstSpec *s, int i)
{
    const AstItem *it = s->items;
    for (int k = 0; k < i && it; k++)
        it = it->next;
    cr_assert_not_null(it, "no item %d", i);
    return it;
}

static int count_items(const AstItem *it)
{
    int n = 0;
    for (; it; it = it->next)
        n++;
    return n;
}

static const char *slice(SrcLoc l)
{
    return arena_strndup(&arena, source + l.off, l.len);
}

#define SPEC_HEAD "tag t {\n"

Test(parser, minimal_spec)
{
    AstSpec *s = parse_ok("tag t { }");
    cr_assert_str_eq(s->tag->text, "t");
    cr_assert_null(s->items);
    cr_assert_eq(s->loc.off, 0);
    cr_assert_eq(s->loc.len, 9, "the spec spans 'tag' to '}'");
}

Test(parser, settings_words_and_commas)
{
    AstSpec *s = parse_ok("tag t {\n  methods ttest, bayes uplift;\n  module \"m\";\n  first;\n"
                          "  x a.b 1..7 7d -2.5 \"s\";\n}\n");
    cr_assert_eq(count_items(s->items), 4);
    const AstItem *m = item_at(s, 0);
    cr_assert_eq(m->kind, I_SETTING);
    cr_assert_str_eq(m->key->text, "methods");
    const AstWord *w = m->words;
    cr_assert_str_eq(w->text, "ttest");
    cr_assert_not(w->comma_before);
    cr_assert_str_eq(w->next->text, "bayes");
    cr_assert(w->next->comma_before);
    cr_assert_str_eq(w->next->next->text, "uplift");
    cr_assert_not(w->next->next->comma_before);
    cr_assert_null(w->next->next->next);

    cr_assert_eq(item_at(s, 1)->words->kind, W_STRING);
    cr_assert_str_eq(item_at(s, 1)->words->text, "m");
    cr_assert_null(item_at(s, 2)->words, "a bare key has no words");

    w = item_at(s, 3)->words;
    AstWordKind kinds[] = {W_QNAME, W_RANGE, W_DURATION, W_NUMBER, W_STRING};
    for (int i = 0; i < 5; i++, w = w->next) {
        cr_assert_not_null(w);
        cr_assert_eq(w->kind, kinds[i], "word %d kind %d", i, w->kind);
    }
    cr_assert_null(w);
    w = item_at(s, 3)->words;
    cr_assert_str_eq(w->text, "a");
    cr_assert_str_eq(w->text2, "b");
    cr_assert_str_eq(slice(w->loc), "a.b");
    cr_assert_float_eq(w->next->num, 1, 0);
    cr_assert_float_eq(w->next->num2, 7, 0);
    cr_assert_str_eq(slice(w->next->loc), "1..7");
    cr_assert_float_eq(w->next->next->num, 7, 0);
    cr_assert_str_eq(w->next->next->next->text, "-2.5", "numbers keep their spelling");
}

Test(parser, blocks_and_where)
{
    const char *src = "tag t {\n  source events \"ods.e\" {\n    user u;\n    where a = 1;\n  }\n"
                      "  exposure events where x = \"v\" {\n    first;\n  }\n}\n";
    AstSpec *s = parse_ok(src);
    const AstItem *b = item_at(s, 0);
    cr_assert_eq(b->kind, I_BLOCK);
    cr_assert_str_eq(b->key->text, "source");
    cr_assert_str_eq(b->words->text, "events");
    cr_assert_eq(b->words->next->kind, W_STRING);
    cr_assert_eq(count_items(b->items), 2);
    cr_assert_eq(b->items->next->kind, I_WHERE);
    cr_assert_str_eq(b->items->next->key->text, "where");
    cr_assert_not_null(b->items->next->where);
    cr_assert_eq(source[b->close_loc.off], '}');
    cr_assert_str_eq(slice(b->key->loc), "source");
    cr_assert_eq(b->loc.off + b->loc.len, b->close_loc.off + 1, "a block spans to its '}'");

    const AstItem *x = item_at(s, 1);
    cr_assert_eq(x->kind, I_BLOCK);
    cr_assert_not_null(x->where);
    cr_assert_eq(x->where->kind, C_CMP);
    cr_assert_str_eq(x->where->column->text, "x");
    cr_assert_eq(x->where->lits->kind, W_STRING);
    cr_assert_str_eq(x->where->lits->text, "v");
}

Test(parser, nested_blocks)
{
    AstSpec *s = parse_ok("tag t { a { b { c 1; } } }");
    const AstItem *a = item_at(s, 0);
    cr_assert_eq(a->kind, I_BLOCK);
    cr_assert_eq(a->items->kind, I_BLOCK);
    cr_assert_eq(a->items->items->kind, I_SETTING);
    cr_assert_str_eq(a->items->items->key->text, "c");
}

Test(parser, segment_and_metrics)
{
    const char *src = "tag t {\n  segment country = exposure.country;\n"
                      "  metric m = sum(payments.amount where x > 1) within 7d cap p99;\n"
                      "  guardrail g = retained(events, days 1..7);\n"
                      "  metric f = funnel(e where a = 1, e where a = 2, e);\n}\n";
    AstSpec *s = parse_ok(src);
    const AstItem *g = item_at(s, 0);
    cr_assert_eq(g->kind, I_SEGMENT);
    cr_assert_str_eq(g->key->text, "segment");
    cr_assert_str_eq(g->name->text, "country");
    cr_assert_eq(g->words->kind, W_QNAME);

    const AstItem *m = item_at(s, 1);
    cr_assert_eq(m->kind, I_METRIC);
    cr_assert_str_eq(m->key->text, "metric");
    cr_assert_str_eq(m->name->text, "m");
    cr_assert_str_eq(m->call->func->text, "sum");
    cr_assert_eq(m->call->args->words->kind, W_QNAME);
    cr_assert_eq(m->call->args->where->kind, C_CMP);
    cr_assert_eq(m->call->args->where->op, OP_GT);
    cr_assert_null(m->call->args->next);
    cr_assert_str_eq(slice(m->call->loc), "sum(payments.amount where x > 1)");
    cr_assert_str_eq(m->words->text, "within");
    cr_assert_eq(m->words->next->kind, W_DURATION);
    cr_assert_str_eq(m->words->next->next->text, "cap");
    cr_assert_str_eq(m->words->next->next->next->text, "p99");

    const AstItem *r = item_at(s, 2);
    cr_assert_str_eq(r->key->text, "guardrail");
    const AstArg *a2 = r->call->args->next;
    cr_assert_str_eq(a2->words->text, "days");
    cr_assert_eq(a2->words->next->kind, W_RANGE);
    cr_assert_null(r->words);

    const AstItem *f = item_at(s, 3);
    int n = 0;
    for (const AstArg *a = f->call->args; a; a = a->next)
        n++;
    cr_assert_eq(n, 3);
    cr_assert_null(f->call->args->next->next->where);
}

/* the condition of the first metric's first argument */
static const AstCond *cond_of(const char *cond)
{
    char buf[512];
    snprintf(buf, sizeof buf, "tag t { metric m = count(e where %s); }", cond);
    char *copy = arena_strdup(&arena, buf);
    AstSpec *s = parse_ok(copy);
    return s->items->call->args->where;
}

Test(parser, condition_precedence)
{
    const AstCond *c = cond_of("a = 1 or b = 2 and c = 3");
    cr_assert_eq(c->kind, C_OR, "and binds tighter than or");
    cr_assert_eq(c->lhs->kind, C_CMP);
    cr_assert_eq(c->rhs->kind, C_AND);

    c = cond_of("a = 1 and b = 2 or c = 3");
    cr_assert_eq(c->kind, C_OR);
    cr_assert_eq(c->lhs->kind, C_AND);

    c = cond_of("(a = 1 or b = 2) and c = 3");
    cr_assert_eq(c->kind, C_AND, "parentheses group");
    cr_assert_eq(c->lhs->kind, C_OR);

    c = cond_of("not a = 1 and b = 2");
    cr_assert_eq(c->kind, C_AND, "not binds tighter than and");
    cr_assert_eq(c->lhs->kind, C_NOT);
    cr_assert_null(c->lhs->rhs);

    c = cond_of("a = 1 and b = 2 and c = 3");
    cr_assert_eq(c->kind, C_AND, "left-associative");
    cr_assert_eq(c->lhs->kind, C_AND);
    cr_assert_eq(c->rhs->kind, C_CMP);
}

Test(parser, condition_forms)
{
    const AstCond *c = cond_of("x in (\"a\", 2, true)");
    cr_assert_eq(c->kind, C_IN);
    cr_assert_not(c->negated);
    cr_assert_eq(c->lits->kind, W_STRING);
    cr_assert_eq(c->lits->next->kind, W_NUMBER);
    cr_assert_eq(c->lits->next->next->kind, W_IDENT);
    cr_assert_str_eq(c->lits->next->next->text, "true");

    c = cond_of("e.x not in (1)");
    cr_assert_eq(c->kind, C_IN);
    cr_assert(c->negated);
    cr_assert_eq(c->column->kind, W_QNAME);

    c = cond_of("x is null");
    cr_assert_eq(c->kind, C_IS_NULL);
    cr_assert_not(c->negated);
    c = cond_of("x is not null");
    cr_assert_eq(c->kind, C_IS_NULL);
    cr_assert(c->negated);

    const char *ops[] = {"=", "!=", "<", "<=", ">", ">=", "==", "<>"};
    AstCmpOp want[] = {OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE};
    for (int i = 0; i < 8; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "x %s 1", ops[i]);
        c = cond_of(buf);
        cr_assert_eq(c->kind, C_CMP);
        cr_assert_eq(c->op, want[i], "operator %s", ops[i]);
    }
    c = cond_of("flag = false");
    cr_assert_str_eq(c->lits->text, "false");
}

Test(parser, keywords_as_names)
{
    /* %fallback: tag/metric/guardrail/segment/true/false/is work as identifiers */
    AstSpec *s = parse_ok("tag tag { metric metric = count(segment); is true false; }");
    cr_assert_str_eq(s->tag->text, "tag");
    cr_assert_str_eq(item_at(s, 0)->name->text, "metric");
    cr_assert_str_eq(item_at(s, 0)->call->args->words->text, "segment");
    cr_assert_str_eq(item_at(s, 1)->key->text, "is");
}

Test(parser, comments_are_attached_to_the_spec)
{
    AstSpec *s = parse_ok("# a\ntag t { # b\n  x 1; # c\n}\n# d\n");
    int n = 0;
    for (const AstComment *c = s->comments; c; c = c->next)
        n++;
    cr_assert_eq(n, 4);
    cr_assert_str_eq(s->comments->text, "# a");
}

Test(parser, ast_equal_ignores_layout_and_comments)
{
    AstSpec *a = parse_ok("tag t {\n  # c\n  metric m = count(e where x = 1 and (y = 2 or z = 3)) within 7d;\n"
                          "  methods a, b;\n  s n \"x\" { u 1; }\n}\n");
    Diag d2;
    const char *src2 = "tag t{metric m=count(e where x==1 and(y=2 or z=3))within 7d;methods a,b;s n \"x\"{u 1;}}";
    diag_init(&d2, "t.ab", src2, strlen(src2));
    AstSpec *b = NULL;
    cr_assert_eq(parse_dsl(src2, strlen(src2), &arena, &d2, &b), ABC_OK);
    diag_free(&d2);
    cr_assert(ast_equal(a, b));
    cr_assert(ast_equal(b, a));
    cr_assert(ast_equal(a, a));
    cr_assert_not(ast_equal(a, NULL));
    cr_assert(ast_equal(NULL, NULL));
}

static bool equal_src(const char *x, const char *y)
{
    Diag d;
    AstSpec *a = NULL, *b = NULL;
    diag_init(&d, "t.ab", x, strlen(x));
    cr_assert_eq(parse_dsl(x, strlen(x), &arena, &d, &a), ABC_OK, "%s", x);
    diag_free(&d);
    diag_init(&d, "t.ab", y, strlen(y));
    cr_assert_eq(parse_dsl(y, strlen(y), &arena, &d, &b), ABC_OK, "%s", y);
    diag_free(&d);
    return ast_equal(a, b);
}

Test(parser, ast_equal_sees_differences)
{
    cr_assert(equal_src("tag t { a 1; }", "tag t { a 1.0; }"), "numbers compare by value");
    cr_assert_not(equal_src("tag t { a 1; }", "tag u { a 1; }"));
    cr_assert_not(equal_src("tag t { a 1; }", "tag t { a 2; }"));
    cr_assert_not(equal_src("tag t { a x y; }", "tag t { a x, y; }"), "commas matter");
    cr_assert_not(equal_src("tag t { a \"x\"; }", "tag t { a x; }"), "word kinds matter");
    cr_assert_not(equal_src("tag t { a 1; }", "tag t { a 1; b; }"));
    cr_assert_not(equal_src("tag t { a { } }", "tag t { a; }"));
    cr_assert_not(equal_src("tag t { a 7d; }", "tag t { a 8d; }"));
    cr_assert_not(equal_src("tag t { a 1..7; }", "tag t { a 1..8; }"));
    cr_assert_not(equal_src("tag t { a p.x; }", "tag t { a p.y; }"));
    cr_assert_not(equal_src("tag t { metric m = c(e where x = 1); }", "tag t { metric m = c(e where x != 1); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e where x = 1); }", "tag t { metric m = c(e where x = 2); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e where x in (1)); }", "tag t { metric m = c(e where x not in (1)); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e where a = 1 and b = 1); }", "tag t { metric m = c(e where a = 1 or b = 1); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e); }", "tag t { guardrail m = c(e); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e); }", "tag t { metric n = c(e); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e); }", "tag t { metric m = c(e, f); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e); }", "tag t { metric m = d(e); }"));
    cr_assert_not(equal_src("tag t { metric m = c(e) within 7d; }", "tag t { metric m = c(e); }"));
    cr_assert_not(equal_src("tag t { segment s = e.x; }", "tag t { segment s = e.y; }"));
}

/* ---- fragments ------------------------------------------------------------- */

Test(parser, fragment_metric)
{
    const char *yaml = "metrics:\n  m: count(events where a = 1) within 7d\n";
    const char *frag = strstr(yaml, "count");
    size_t len = strlen(frag) - 1;
    source = yaml;
    diag_init(&diag, "t.yaml", yaml, strlen(yaml));
    AstCall *call = NULL;
    AstWord *words = NULL;
    cr_assert_eq(parse_fragment(FRAG_KIND_METRIC, frag, len, (uint32_t)(frag - yaml), true, &arena,
                                &diag, &call, &words, NULL),
                 ABC_OK);
    cr_assert_str_eq(call->func->text, "count");
    cr_assert_str_eq(words->text, "within");
    cr_assert_str_eq(slice(call->args->where->column->loc), "a", "locations map into the file");
    cr_assert_str_eq(slice(words->next->loc), "7d");
}

Test(parser, fragment_condition_and_value)
{
    const char *src = "x = 1 or not y is null";
    diag_init(&diag, "t.yaml", src, strlen(src));
    AstCond *c = NULL;
    cr_assert_eq(parse_fragment(FRAG_KIND_COND, src, strlen(src), 0, true, &arena, &diag, NULL, NULL,
                                &c),
                 ABC_OK);
    cr_assert_eq(c->kind, C_OR);
    cr_assert_eq(c->rhs->kind, C_NOT);

    const char *v = "events where a = 1";
    AstWord *w = NULL;
    c = NULL;
    cr_assert_eq(parse_fragment(FRAG_KIND_VALUE, v, strlen(v), 0, true, &arena, &diag, NULL, &w, &c),
                 ABC_OK);
    cr_assert_str_eq(w->text, "events");
    cr_assert_null(w->next);
    cr_assert_eq(c->kind, C_CMP);

    const char *list = "ttest, bayes";
    w = NULL;
    c = (AstCond *)1;
    cr_assert_eq(parse_fragment(FRAG_KIND_VALUE, list, strlen(list), 0, true, &arena, &diag, NULL, &w,
                                &c),
                 ABC_OK);
    cr_assert(w->next->comma_before);
    cr_assert_null(c, "no where: the condition is set to NULL");

    w = (AstWord *)1;
    cr_assert_eq(parse_fragment(FRAG_KIND_VALUE, "", 0, 0, true, &arena, &diag, NULL, &w, &c), ABC_OK);
    cr_assert_null(w, "an empty value has no words");
    cr_assert_eq(diag.nerrors, 0);
}

Test(parser, fragment_errors_point_into_the_file)
{
    const char *yaml = "tag: t\nmetrics:\n  m: count(events where a = ) within 7d\n";
    const char *frag = strstr(yaml, "count");
    size_t len = strlen(frag) - 1;
    source = yaml;
    diag_init(&diag, "t.yaml", yaml, strlen(yaml));
    AstCall *call = (AstCall *)&call;
    cr_assert_eq(parse_fragment(FRAG_KIND_METRIC, frag, len, (uint32_t)(frag - yaml), true, &arena,
                                &diag, &call, NULL, NULL),
                 ABC_ERR_SPEC);
    cr_assert_eq(call, (AstCall *)&call, "out-param written on failure");
    expect_diag(0, 3, 29, "unexpected ')'");
}

Test(parser, fragment_not_verbatim_uses_the_scalar_location)
{
    const char *yaml = "tag: t\nm: \"count(e where a = )\"\n";
    const char *q = strchr(yaml, '"');
    const char *text = "count(e where a = )"; /* the unquoted value, not in the source */
    diag_init(&diag, "t.yaml", yaml, strlen(yaml));
    cr_assert_eq(parse_fragment(FRAG_KIND_METRIC, text, strlen(text), (uint32_t)(q - yaml), false,
                                &arena, &diag, NULL, NULL, NULL),
                 ABC_ERR_SPEC);
    expect_diag(0, 2, 4, "unexpected ')'");
}

Test(parser, fragment_rejects_nul)
{
    const char text[] = "count(e\0)";
    diag_init(&diag, "t.yaml", text, sizeof text - 1);
    cr_assert_eq(parse_fragment(FRAG_KIND_METRIC, text, sizeof text - 1, 0, true, &arena, &diag, NULL,
                                NULL, NULL),
                 ABC_ERR_SPEC);
    expect_diag(0, 1, 1, "NUL byte");
}

Test(parser, fragment_needs_a_call)
{
    const char *text = "within 7d";
    diag_init(&diag, "t.yaml", text, strlen(text));
    cr_assert_eq(parse_fragment(FRAG_KIND_METRIC, text, strlen(text), 0, true, &arena, &diag, NULL,
                                NULL, NULL),
                 ABC_ERR_SPEC);
    cr_assert_gt(diag.nerrors, 0);
}

/* ---- errors ------------------------------------------------------------------ */

Test(parser, empty_input)
{
    parse_fails("");
    expect_diag(0, 1, 1, "empty spec: expected 'tag NAME { ... }'");
    parse_fails("# only\n  \n");
    expect_diag(0, 3, 1, "empty spec");
    cr_assert_eq(diag.nerrors, 1);
}

Test(parser, several_errors_in_one_pass)
{
    int n = parse_fails("tag t {\n  metric a = count(e where x = );\n  metric b = ;\n"
                        "  ok 1;\n  alpha = 0.5;\n  metric c = c(e) within 7d\n}\n");
    cr_assert_geq(n, 4);
    expect_diag(0, 2, 32, "unexpected ')', expected a string or a number");
    expect_diag(1, 3, 14, "unexpected ';', expected a name");
    expect_diag(2, 5, 9, "unexpected '=', expected '{' or ';'");
    expect_diag(3, 7, 1, "unexpected '}'");
}

Test(parser, unclosed_block_names_its_opener)
{
    parse_fails("tag t {\n  source events \"x\" {\n    user u;\n");
    expect_diag(0, 4, 1, "expected '}' to close 'source' at 2:3");
    cr_assert_eq(diag.nerrors, 1);
    diag_free(&diag);
    parse_fails("tag t {\n  analysis {\n  }\n");
    expect_diag(0, 4, 1, "expected '}' to close 'tag' at 1:1");
}

Test(parser, unbalanced_braces_and_parentheses)
{
    parse_fails("tag t { } }");
    expect_diag(0, 1, 11, "unexpected '}'");
    diag_free(&diag);
    parse_fails("tag t { metric m = count(e where (a = 1); }");
    expect_diag(0, 1, 41, "unexpected ';', expected ')'");
    diag_free(&diag);
    parse_fails("tag t { metric m = count(e)); }");
    expect_diag(0, 1, 28, "unexpected ')', expected ';'");
}

Test(parser, tokens_after_the_spec)
{
    parse_fails("tag t { }\ntag u { }\n");
    expect_diag(0, 2, 1, "unexpected 'tag'");
}

Test(parser, string_describes_itself)
{
    parse_fails("tag \"t\" { }");
    expect_diag(0, 1, 5, "unexpected string \"t\", expected a name");
}

Test(parser, lexical_errors_fail_the_parse)
{
    parse_fails("tag t { x @; }");
    expect_diag(0, 1, 11, "unexpected character '@'");
    cr_assert_eq(diag.nerrors, 1, "the rest parses");
}

Test(parser, invalid_utf8_is_checked_first)
{
    parse_fails("tag t { x \"\xc3\x28\"; }");
    expect_diag(0, 1, 12, "invalid UTF-8 byte 0xc3");
    cr_assert_eq(diag.nerrors, 1);
}

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = arena_alloc(&arena, hl + ul * (size_t)n + tl + 1);
    memcpy(s, head, hl);
    for (int i = 0; i < n; i++)
        memcpy(s + hl + ul * (size_t)i, unit, ul);
    memcpy(s + hl + ul * (size_t)n, tail, tl + 1);
    return s;
}

Test(parser, block_depth_limit)
{
    /* 64 levels (the tag's block included) are fine */
    char *ok = repeat("tag t {", " b {", PARSE_MAX_DEPTH - 1, "");
    ok = repeat(ok, " }", PARSE_MAX_DEPTH, "");
    parse_ok(ok);
    diag_free(&diag);
    char *deep = repeat("tag t {", " b {", PARSE_MAX_DEPTH, "");
    deep = repeat(deep, " }", PARSE_MAX_DEPTH + 1, "");
    parse_fails(deep);
    cr_assert_eq(diag.nerrors, 1);
    cr_assert_not_null(strstr(diag.msgs[0].msg, "blocks nested deeper than 64 levels"));
}

Test(parser, parenthesis_depth_limit)
{
    /* count( is one level */
    char *ok = repeat("tag t { metric m = count(e where ", "(", PARSE_MAX_DEPTH - 1, "a = 1");
    ok = repeat(ok, ")", PARSE_MAX_DEPTH, "; }");
    parse_ok(ok);
    diag_free(&diag);
    char *deep = repeat("tag t { metric m = count(e where ", "(", PARSE_MAX_DEPTH, "a = 1");
    deep = repeat(deep, ")", PARSE_MAX_DEPTH + 1, "; }");
    parse_fails(deep);
    cr_assert_eq(diag.nerrors, 1);
    cr_assert_not_null(strstr(diag.msgs[0].msg, "parentheses nested deeper than 64 levels"));
}

Test(parser, long_not_chain_fails_cleanly)
{
    /* deeper than lemon's stack: must fail with a message, not crash */
    char *deep = repeat("tag t { metric m = count(e where ", "not ", 5000, "a = 1); }");
    parse_fails(deep);
    cr_assert_gt(diag.nmsgs, 0);
}

Test(parser, long_not_chain_reports_nesting_at_the_token)
{
    char *deep = repeat("tag t { metric m = count(e where ", "not ", 5000, "a = 1); }");
    parse_fails(deep);
    cr_assert_eq(diag.nmsgs, 1, "one error, and the parse stops");
    cr_assert_str_eq(diag.msgs[0].msg, "condition nested too deeply");
    cr_assert_eq(strncmp(deep + diag.msgs[0].loc.off, "not ", 4), 0, "at a 'not'");
}

/* The list builders append in O(1): the head keeps the last node, so a
 * spec of n items (or a setting of n words) is built in O(n). */
Test(parser, lists_keep_their_tail)
{
    char *many = repeat("tag t {", " x a b c;", 3000, " }");
    AstSpec *s = parse_ok(many);
    const AstItem *last = s->items;
    int n = 1;
    while (last->next) {
        last = last->next;
        n++;
    }
    cr_assert_eq(n, 3000);
    cr_assert_eq(s->items->tail, last, "the head's tail is the last item");
    cr_assert_eq(s->items->words->tail, s->items->words->next->next);
    /* a tail that is behind (a list built by hand) is only a hint */
    AstItem a = {0}, b = {0}, c = {0};
    a.next = &b;
    cr_assert_eq(ast_items_append(&a, &c), &a);
    cr_assert_eq(b.next, &c);
    cr_assert_eq(a.tail, &c);
}

Test(parser, error_flood_is_capped)
{
    char *many = repeat("tag t {", " x = 1;", 200, " }");
    parse_fails(many);
    cr_assert_leq(diag.nmsgs, diag.max_errors, "recorded messages stop at max_errors");
}
