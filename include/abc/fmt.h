/* fmt.h — canonical printers of a spec's AST: the DSL (`abc fmt`) and YAML
 * (`abc fmt --to yaml`).  Both are deterministic; fmt_dsl is idempotent and
 * what it prints parses back to an equal AST (ast_equal).  DSL comments are
 * kept by fmt_dsl (leading comments before their item, trailing ones after
 * it); YAML output carries no comments.  fmt_yaml fails (ABC_ERR_SPEC, err
 * set) only for constructs YAML cannot hold, e.g. a block with words other
 * than source/exposure/assignment/activity. */
#ifndef ABC_FMT_H
#define ABC_FMT_H

#include "abc/ast.h"

void fmt_dsl(const AstSpec *spec, Buf *out);
AbcStatus fmt_yaml(const AstSpec *spec, Buf *out, char *err, size_t errlen) ABC_MUST_CHECK;

/* The DSL text of a word list (", " before words that had a comma). */
void fmt_words(const AstWord *w, Buf *out);

#endif
