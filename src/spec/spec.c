/* spec.c — front-end driver: read a spec file, pick the front end by file
 * extension, parse to AST, analyse to IR.  See spec.h for the contract. */
#include <stdlib.h>
#include <string.h>

#include "abc/parse.h"
#include "abc/sema.h"
#include "abc/spec.h"
#include "abc/yaml_front.h"

SpecSyntax spec_syntax_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
        return SYNTAX_YAML;
    return SYNTAX_DSL;
}

static void unit_init(SpecUnit *u, const char *path, const char *bytes, size_t len,
                      SpecSyntax syntax)
{
    memset(u, 0, sizeof *u);
    u->src = malloc(len + 1);
    if (!u->src)
        abort();
    memcpy(u->src, bytes, len);
    u->src[len] = '\0';
    u->src_len = len;
    u->syntax = syntax;
    arena_init(&u->arena);
    diag_init(&u->diag, path, u->src, len);
}

AbcStatus spec_parse_bytes(SpecUnit *u, const char *path, const char *bytes, size_t len,
                           SpecSyntax syntax)
{
    unit_init(u, path, bytes, len, syntax);
    if (len > SPEC_MAX_BYTES) {
        diag_file_error(&u->diag, "spec is larger than the %u-byte limit", SPEC_MAX_BYTES);
        return ABC_ERR_SPEC;
    }
    AbcStatus st = syntax == SYNTAX_YAML
                       ? yaml_parse_spec(u->src, len, &u->arena, &u->diag, &u->ast)
                       : parse_dsl(u->src, len, &u->arena, &u->diag, &u->ast);
    return st;
}

AbcStatus spec_load_bytes(SpecUnit *u, const char *path, const char *bytes, size_t len,
                          SpecSyntax syntax)
{
    AbcStatus st = spec_parse_bytes(u, path, bytes, len, syntax);
    if (st != ABC_OK)
        return st;
    return sema_check(u->ast, path, u->src, u->src_len, &u->arena, &u->diag, &u->ir);
}

AbcStatus spec_load(SpecUnit *u, const char *path)
{
    char *bytes = NULL;
    size_t len = 0;
    char err[512];
    AbcStatus st = file_read_all(path, SPEC_MAX_BYTES, &bytes, &len, err, sizeof err);
    if (st != ABC_OK) {
        unit_init(u, path, "", 0, spec_syntax_of(path));
        diag_file_error(&u->diag, "%s", err);
        return st;
    }
    st = spec_load_bytes(u, path, bytes, len, spec_syntax_of(path));
    free(bytes);
    return st;
}

void spec_unit_free(SpecUnit *u)
{
    diag_free(&u->diag);
    arena_free(&u->arena);
    free(u->src);
    u->src = NULL;
}
