/* spec.h — the front-end driver: load a spec file (DSL `.ab` or YAML
 * `.yaml`/`.yml`), parse it to an AST, analyse it to IR.
 *
 * SpecUnit owns the source bytes, the arena (AST + IR) and the diagnostics;
 * spec_unit_free() releases everything.  spec_load() returns ABC_OK with
 * unit->ir set when the spec is clean, ABC_ERR_SPEC when diagnostics were
 * recorded (print them with diag_print(&unit->diag, stderr)), ABC_ERR_ENV
 * when the file cannot be read.
 */
#ifndef ABC_SPEC_H
#define ABC_SPEC_H

#include "abc/ast.h"
#include "abc/diag.h"
#include "abc/ir.h"

#define SPEC_MAX_BYTES (16u * 1024u * 1024u) /* larger files are refused */
#define SPEC_MAX_DEPTH 64                    /* nesting limit of conditions/blocks */

typedef enum SpecSyntax { SYNTAX_DSL, SYNTAX_YAML } SpecSyntax;

typedef struct SpecUnit {
    char *src;
    size_t src_len;
    SpecSyntax syntax;
    Arena arena;
    Diag diag;
    AstSpec *ast;
    IrSpec *ir;
} SpecUnit;

/* The syntax a path implies: .yaml/.yml → YAML, anything else → DSL. */
SpecSyntax spec_syntax_of(const char *path);

/* Load and analyse; see the header comment for the status contract. */
AbcStatus spec_load(SpecUnit *unit, const char *path) ABC_MUST_CHECK;
/* Same, from bytes already in memory (path is used for messages and the
 * file-name/tag check).  The bytes are copied. */
AbcStatus spec_load_bytes(SpecUnit *unit, const char *path, const char *bytes, size_t len,
                          SpecSyntax syntax) ABC_MUST_CHECK;
/* Parse only (no semantic analysis): unit->ast set on success. */
AbcStatus spec_parse_bytes(SpecUnit *unit, const char *path, const char *bytes, size_t len,
                           SpecSyntax syntax) ABC_MUST_CHECK;
void spec_unit_free(SpecUnit *unit);

#endif
