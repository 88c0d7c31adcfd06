/* sema.h — semantic analysis: AstSpec → IrSpec.
 *
 * Resolves names (sources, metrics, segments), checks every construct of
 * docs/LANGUAGE.md (kinds, windows, options, analysis settings), and builds
 * the dialect-free IR in the same arena.  All problems are reported to the
 * Diag at the offending word, with a close-name suggestion for unknown
 * names; analysis continues past errors where it is sound.  Returns ABC_OK
 * with *out set only when no error was recorded.
 *
 * path is the spec file (its base name must equal the tag); bytes/len are
 * hashed into IrSpec.content_hash.
 */
#ifndef ABC_SEMA_H
#define ABC_SEMA_H

#include "abc/ast.h"
#include "abc/diag.h"
#include "abc/ir.h"

AbcStatus sema_check(const AstSpec *ast, const char *path, const char *bytes, size_t len,
                     Arena *arena, Diag *diag, IrSpec **out) ABC_MUST_CHECK;

#endif
