/* cmd_fmt.c — abc fmt: print specs in canonical form, rewrite them (-w),
 * check formatting (--check), or convert between the DSL and YAML (--to). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/cli.h"
#include "abc/fmt.h"
#include "abc/spec.h"

static const char fmt_help[] =
    "usage: abc fmt [-w | --check] [--to ab|yaml] SPEC...\n"
    "\n"
    "Print each spec in canonical form on stdout.\n"
    "\n"
    "  -w           rewrite the file in place (atomically); with --to, write the\n"
    "               converted spec beside it (retention.ab -> retention.yaml)\n"
    "  --check      write nothing; exit 1, name the files that are not in\n"
    "               canonical form and print the diff (on stdout)\n"
    "  --to FORMAT  convert: 'ab' (the DSL) or 'yaml'\n"
    "\n"
    "DSL comments are kept; YAML output has none.  A spec with syntax errors is\n"
    "not formatted (its diagnostics are printed).\n"
    "\n"
    "exit codes: 0 ok, 1 syntax error or (with --check) unformatted, 2 usage, 3 cannot write\n";

static char *sibling_path(const char *path, const char *ext)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    char *p = malloc(stem + strlen(ext) + 2);
    if (!p)
        abort();
    memcpy(p, path, stem);
    sprintf(p + stem, ".%s", ext);
    return p;
}

int cmd_fmt(int argc, char **argv)
{
    bool write = false, check = false;
    int to = -1; /* -1 same syntax, SYNTAX_DSL, SYNTAX_YAML */
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(fmt_help, stdout);
            return 0;
        } else if (strcmp(a, "-w") == 0) {
            write = true;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else if (strcmp(a, "--to") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "ab") == 0 || strcmp(f, "dsl") == 0)
                to = SYNTAX_DSL;
            else if (strcmp(f, "yaml") == 0)
                to = SYNTAX_YAML;
            else {
                fprintf(stderr, "abc fmt: unknown format '%s' (ab or yaml)\n", f);
                return 2;
            }
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1]) {
            static const char *const opts[] = {"--help", "-w", "--check", "--to", NULL};
            if (strcmp(a, "--to") == 0)
                return cli_usage_error("fmt", "--to needs a value (ab or yaml)");
            return cli_unknown_option("fmt", a, opts);
        } else {
            break;
        }
    }
    if (i >= argc) {
        return cli_usage_error("fmt", "no spec given");
    }
    if (write && check) {
        fputs("abc fmt: -w and --check exclude each other\n", stderr);
        return 2;
    }
    int rc = 0;
    for (; i < argc; i++) {
        const char *path = argv[i];
        SpecUnit u;
        char *bytes = NULL;
        size_t len = 0;
        char err[512];
        if (file_read_all(path, SPEC_MAX_BYTES, &bytes, &len, err, sizeof err) != ABC_OK) {
            fprintf(stderr, "%s: error: %s\n", path, err);
            rc = rc ? rc : 1;
            continue;
        }
        SpecSyntax from = spec_syntax_of(path);
        AbcStatus st = spec_parse_bytes(&u, path, bytes, len, from);
        free(bytes);
        if (st != ABC_OK) {
            diag_print(&u.diag, stderr);
            spec_unit_free(&u);
            rc = rc ? rc : 1;
            continue;
        }
        SpecSyntax target = to < 0 ? from : (SpecSyntax)to;
        Buf out;
        buf_init(&out);
        if (target == SYNTAX_DSL) {
            fmt_dsl(u.ast, &out);
        } else if (fmt_yaml(u.ast, &out, err, sizeof err) != ABC_OK) {
            fprintf(stderr, "%s: error: %s\n", path, err);
            buf_free(&out);
            spec_unit_free(&u);
            rc = rc ? rc : 1;
            continue;
        }
        if (check) {
            if (target != from || out.len != u.src_len || memcmp(out.data, u.src, out.len) != 0) {
                fprintf(stderr, "%s: not in canonical form (run abc fmt -w %s)\n", path, path);
                if (target == from)
                    cli_print_diff(path, path, out.data, out.len, true);
                rc = 1;
            }
        } else if (write) {
            char *dest = target == from ? strdup(path)
                                        : sibling_path(path, target == SYNTAX_YAML ? "yaml" : "ab");
            if (file_write_atomic(dest, out.data, out.len, err, sizeof err) != ABC_OK) {
                fprintf(stderr, "abc fmt: %s\n", err);
                rc = 3;
            }
            free(dest);
        } else {
            fwrite(out.data, 1, out.len, stdout);
        }
        buf_free(&out);
        spec_unit_free(&u);
    }
    return rc;
}
