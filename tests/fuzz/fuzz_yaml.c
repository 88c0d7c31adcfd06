/* fuzz_yaml.c — libFuzzer target for the YAML front end (libyaml event
 * reader, tree → AST mapping, DSL fragments, sema) and the printers.
 *
 * Every input goes through spec_load_bytes() (path "-", see SPEC_PATH);
 * the status contract of spec.h must hold and the diagnostics must print.
 * When the input parses, these properties are checked (abort on the first failure):
 *   1. YAML round trip: when fmt_yaml(ast) succeeds, its output parses, and
 *      fmt_yaml of that is the same text (idempotence); a clean spec stays
 *      clean with the same IR (ir_dump).  fmt_yaml must succeed for a clean
 *      spec.  (ASTs are not compared here: fmt_yaml groups definitions by
 *      kind and writes `guardrails:` entries as metrics with the guardrail
 *      role, so the tree legitimately changes shape, not meaning.)
 *   2. YAML → DSL: for a clean spec, fmt_dsl(ast) parses as DSL to an equal
 *      AST (ast_equal), which is clean with the same IR.
 * ABC_FUZZ_NO_DSL=1 skips property 2, ABC_FUZZ_NO_YAML=1 property 1 (while
 * a known bug is open, so a long run can look for other problems). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/fmt.h"
#include "abc/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "-" (standard input) skips sema's tag/file-name check, so every seed
 * spec, whatever its tag, can be clean and reach the IR checks. */
#define SPEC_PATH "-"

static FILE *sink(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    return f;
}

static void fail(const char *what, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_yaml: property failed: %s\n", what);
    if (a)
        fprintf(stderr, "---- first ----\n%s\n", a);
    if (b)
        fprintf(stderr, "---- second ----\n%s\n", b);
    abort();
}

static void check_status(const SpecUnit *u, AbcStatus st)
{
    if (st == ABC_OK) {
        if (!u->ast || !u->ir || u->diag.nerrors != 0)
            fail("ABC_OK without an AST and IR, or with errors", NULL, NULL);
    } else if (st == ABC_ERR_SPEC) {
        if (u->diag.nerrors == 0)
            fail("ABC_ERR_SPEC without a diagnostic", NULL, NULL);
    } else {
        fail("unexpected status from spec_load_bytes", NULL, NULL);
    }
    if (sink())
        diag_print(&u->diag, sink());
    Buf j;
    buf_init(&j);
    bool first = true;
    diag_to_json(&u->diag, &j, &first);
    buf_free(&j);
}

/* The diagnostics as one string, for failure reports. */
static void diag_text(const SpecUnit *u, Buf *out)
{
    buf_init(out);
    bool first = true;
    diag_to_json(&u->diag, out, &first);
    buf_putc(out, '\0');
}

static void dump(const SpecUnit *u, Buf *out)
{
    buf_init(out);
    if (u->ir)
        ir_dump(u->ir, out, false);
    buf_putc(out, '\0');
}

static void check_yaml_round_trip(const SpecUnit *u, AbcStatus st, const Buf *ir1)
{
    char err[256] = "";
    Buf y1;
    buf_init(&y1);
    if (fmt_yaml(u->ast, &y1, err, sizeof err) != ABC_OK) {
        if (st == ABC_OK)
            fail("fmt_yaml refused a clean spec", err, u->src);
        buf_free(&y1);
        return;
    }
    buf_putc(&y1, '\0');
    SpecUnit v;
    AbcStatus st2 = spec_load_bytes(&v, SPEC_PATH, y1.data, y1.len - 1, SYNTAX_YAML);
    check_status(&v, st2);
    if (!v.ast) {
        Buf d;
        diag_text(&v, &d);
        fail("fmt_yaml output does not parse", y1.data, d.data);
    }
    Buf y2;
    buf_init(&y2);
    if (fmt_yaml(v.ast, &y2, err, sizeof err) != ABC_OK)
        fail("fmt_yaml refused its own output", y1.data, err);
    buf_putc(&y2, '\0');
    if (strcmp(y1.data, y2.data) != 0)
        fail("fmt_yaml is not idempotent", y1.data, y2.data);
    if (st == ABC_OK) {
        if (st2 != ABC_OK) {
            Buf d;
            diag_text(&v, &d);
            fail("fmt_yaml output of a clean spec is not clean", y1.data, d.data);
        }
        Buf ir2;
        dump(&v, &ir2);
        if (strcmp(ir1->data, ir2.data) != 0)
            fail("fmt_yaml output has another IR", ir1->data, ir2.data);
        buf_free(&ir2);
    }
    buf_free(&y1);
    buf_free(&y2);
    spec_unit_free(&v);
}

static void check_dsl_twin(const SpecUnit *u, const Buf *ir1)
{
    Buf f;
    buf_init(&f);
    fmt_dsl(u->ast, &f);
    buf_putc(&f, '\0');
    SpecUnit v;
    AbcStatus st = spec_load_bytes(&v, SPEC_PATH, f.data, f.len - 1, SYNTAX_DSL);
    check_status(&v, st);
    if (!v.ast) {
        Buf d;
        diag_text(&v, &d);
        fail("the DSL form of a clean YAML spec does not parse", f.data, d.data);
    }
    if (!ast_equal(u->ast, v.ast))
        fail("the DSL form of a clean YAML spec parses to a different AST", u->src, f.data);
    if (st != ABC_OK) {
        Buf d;
        diag_text(&v, &d);
        fail("the DSL form of a clean YAML spec is not clean", f.data, d.data);
    }
    Buf ir2;
    dump(&v, &ir2);
    if (strcmp(ir1->data, ir2.data) != 0)
        fail("the DSL form of a clean YAML spec has another IR", ir1->data, ir2.data);
    buf_free(&ir2);
    buf_free(&f);
    spec_unit_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpecUnit u;
    AbcStatus st = spec_load_bytes(&u, SPEC_PATH, (const char *)data, size, SYNTAX_YAML);
    check_status(&u, st);
    if (u.ast) {
        Buf ir1;
        dump(&u, &ir1);
        if (!getenv("ABC_FUZZ_NO_YAML"))
            check_yaml_round_trip(&u, st, &ir1);
        if (st == ABC_OK && !getenv("ABC_FUZZ_NO_DSL"))
            check_dsl_twin(&u, &ir1);
        buf_free(&ir1);
    }
    spec_unit_free(&u);
    return 0;
}
