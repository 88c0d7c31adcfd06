/* cmd_check.c — abc check: parse and validate specs, print diagnostics
 * (text or JSON), optionally dump the IR. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abc/cli.h"
#include "abc/spec.h"
#include "abc/sqlgen.h"

static const char check_help[] =
    "usage: abc check [--format text|json] [--dump-ir] SPEC...\n"
    "\n"
    "Parse and validate each spec (.ab DSL or .yaml), reporting every problem as\n"
    "file:line:col: error: message with the source line and a caret.\n"
    "\n"
    "  --format json  print diagnostics as a JSON list of\n"
    "                 {file, line, col, severity, message} on stdout\n"
    "  --dump-ir      print the analysed IR of each clean spec on stdout\n"
    "\n"
    "exit codes: 0 all specs clean, 1 a spec has errors (or cannot be read), 2 usage\n";

int cmd_check(int argc, char **argv)
{
    bool json = false, dump = false;
    int first = 1;
    for (; first < argc; first++) {
        const char *a = argv[first];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(check_help, stdout);
            return 0;
        } else if (strcmp(a, "--format") == 0 && first + 1 < argc) {
            const char *f = argv[++first];
            if (strcmp(f, "json") == 0)
                json = true;
            else if (strcmp(f, "text") != 0) {
                fprintf(stderr, "abc check: unknown format '%s' (text or json)\n", f);
                return 2;
            }
        } else if (strcmp(a, "--format=json") == 0) {
            json = true;
        } else if (strcmp(a, "--format=text") == 0) {
            json = false;
        } else if (strcmp(a, "--dump-ir") == 0) {
            dump = true;
        } else if (strcmp(a, "--") == 0) {
            first++;
            break;
        } else if (a[0] == '-' && a[1]) {
            static const char *const opts[] = {"--help", "--format", "--dump-ir", NULL};
            if (strcmp(a, "--format") == 0)
                return cli_usage_error("check", "--format needs a value (text or json)");
            return cli_unknown_option("check", a, opts);
        } else {
            break;
        }
    }
    if (first >= argc) {
        return cli_usage_error("check", "no spec given");
    }
    int rc = 0;
    Buf out;
    buf_init(&out);
    bool first_json = true;
    if (json)
        buf_putc(&out, '[');
    Arena claims_arena; /* tables claimed by the specs checked so far */
    arena_init(&claims_arena);
    SqlClaims claims = {0};
    for (int i = first; i < argc; i++) {
        SpecUnit u;
        AbcStatus st = spec_load(&u, argv[i]);
        if (st == ABC_OK)
            st = sqlgen_check(u.ir, &claims_arena, &claims, &u.diag);
        if (st != ABC_OK)
            rc = 1;
        if (json) {
            diag_to_json(&u.diag, &out, &first_json);
        } else {
            diag_print(&u.diag, stderr);
        }
        if (st == ABC_OK && dump)
            ir_dump(u.ir, &out, false);
        spec_unit_free(&u);
    }
    if (json)
        buf_puts(&out, first_json ? "]\n" : "\n]\n");
    if (out.len)
        fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    arena_free(&claims_arena);
    return rc;
}
