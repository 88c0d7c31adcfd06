/* fuzz_dsl.c — libFuzzer target for the DSL front end (lexer, parser, sema)
 * and the canonical printers.
 *
 * Every input goes through spec_load_bytes() (path "-", see SPEC_PATH).
 * Whatever happens, the status contract of spec.h must hold and the
 * diagnostics must print.  When the input parses, these properties are
 * checked, and the target aborts on the first one that fails:
 *   1. fmt_dsl(ast) parses again, to an AST equal to the first (ast_equal);
 *   2. fmt_dsl is idempotent: formatting the re-parsed AST prints the same
 *      text;
 *   3. the reformatted spec gets the same analysis verdict, and when the
 *      spec is clean, the same IR (ir_dump);
 *   4. the YAML form: fmt_yaml must succeed for a clean spec, and that
 *      YAML is a clean spec with the same IR (the DSL and YAML twins
 *      compile alike).  For any spec, when fmt_yaml succeeds and its output
 *      parses, that output is a fixed point (fmt_yaml of the re-parsed tree
 *      prints the same text).  The YAML of a spec with errors need not
 *      parse: a setting or name given twice becomes a duplicate YAML key.
 * Set ABC_FUZZ_NO_YAML=1 to skip property 4 (e.g. while a known conversion
 * bug is open, so a long run can look for other problems). */
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
    fprintf(stderr, "fuzz_dsl: property failed: %s\n", what);
    if (a)
        fprintf(stderr, "---- first ----\n%s\n", a);
    if (b)
        fprintf(stderr, "---- second ----\n%s\n", b);
    abort();
}

/* spec.h's contract: ABC_OK <=> clean with an IR; errors always explained. */
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

static void dump(const SpecUnit *u, Buf *out)
{
    buf_init(out);
    if (u->ir)
        ir_dump(u->ir, out, false);
    buf_putc(out, '\0');
}

static void check_yaml_twin(const SpecUnit *u, AbcStatus st, const Buf *ir_text)
{
    char err[256] = "";
    Buf y;
    buf_init(&y);
    if (fmt_yaml(u->ast, &y, err, sizeof err) != ABC_OK) {
        if (st == ABC_OK)
            fail("fmt_yaml refused a clean spec", err, NULL);
        buf_free(&y);
        return;
    }
    buf_putc(&y, '\0');
    SpecUnit v;
    AbcStatus st2 = spec_load_bytes(&v, SPEC_PATH, y.data, y.len - 1, SYNTAX_YAML);
    check_status(&v, st2);
    Buf d;
    buf_init(&d);
    bool first = true;
    diag_to_json(&v.diag, &d, &first);
    buf_putc(&d, '\0');
    if (!v.ast) {
        if (st == ABC_OK)
            fail("the YAML form of a clean spec does not parse", y.data, d.data);
        buf_free(&d);
        spec_unit_free(&v);
        buf_free(&y);
        return;
    }
    Buf y2;
    buf_init(&y2);
    if (fmt_yaml(v.ast, &y2, err, sizeof err) != ABC_OK)
        fail("fmt_yaml refused its own output", y.data, err);
    buf_putc(&y2, '\0');
    if (strcmp(y.data, y2.data) != 0)
        fail("fmt_yaml of the YAML form prints another text", y.data, y2.data);
    if (st == ABC_OK) {
        if (st2 != ABC_OK)
            fail("the YAML form of a clean spec is not clean", y.data, d.data);
        Buf ir2;
        dump(&v, &ir2);
        if (strcmp(ir_text->data, ir2.data) != 0)
            fail("the YAML form of a clean spec has another IR", ir_text->data, ir2.data);
        buf_free(&ir2);
    }
    buf_free(&d);
    buf_free(&y2);
    spec_unit_free(&v);
    buf_free(&y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpecUnit u;
    AbcStatus st = spec_load_bytes(&u, SPEC_PATH, (const char *)data, size, SYNTAX_DSL);
    check_status(&u, st);
    if (!u.ast) {
        spec_unit_free(&u);
        return 0;
    }
    Buf ir1;
    dump(&u, &ir1);

    /* 1. the canonical form parses back to an equal AST */
    Buf f1;
    buf_init(&f1);
    fmt_dsl(u.ast, &f1);
    buf_putc(&f1, '\0');
    SpecUnit v;
    AbcStatus st2 = spec_load_bytes(&v, SPEC_PATH, f1.data, f1.len - 1, SYNTAX_DSL);
    check_status(&v, st2);
    if (!v.ast)
        fail("fmt_dsl output does not parse", f1.data, NULL);
    if (!ast_equal(u.ast, v.ast))
        fail("fmt_dsl output parses to a different AST", (const char *)u.src, f1.data);

    /* 2. idempotence */
    Buf f2;
    buf_init(&f2);
    fmt_dsl(v.ast, &f2);
    buf_putc(&f2, '\0');
    if (strcmp(f1.data, f2.data) != 0)
        fail("fmt_dsl is not idempotent", f1.data, f2.data);

    /* 3. same verdict, same IR */
    if ((st == ABC_OK) != (st2 == ABC_OK))
        fail("the reformatted spec gets another analysis verdict", (const char *)u.src, f1.data);
    Buf ir2;
    dump(&v, &ir2);
    if (strcmp(ir1.data, ir2.data) != 0)
        fail("the reformatted spec has another IR", ir1.data, ir2.data);

    /* 4. the YAML twin */
    if (!getenv("ABC_FUZZ_NO_YAML"))
        check_yaml_twin(&u, st, &ir1);

    buf_free(&ir1);
    buf_free(&ir2);
    buf_free(&f1);
    buf_free(&f2);
    spec_unit_free(&v);
    spec_unit_free(&u);
    return 0;
}
