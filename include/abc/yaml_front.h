/* yaml_front.h — the YAML front end (libyaml event API → the same AstSpec
 * as the DSL).  The mapping from YAML to items is in docs/LANGUAGE.md:
 * top-level keys are settings or blocks; `sources`, `segments`, `metrics`,
 * `assignments` and `activities` are maps of named definitions; a plain or
 * block scalar value is read as DSL words (and conditions/metric calls with
 * the DSL grammar, positions mapped into the YAML file); a quoted scalar is
 * one string word; a sequence separates its elements with commas.
 * Duplicate keys, anchors/aliases, tags and multiple documents are errors. */
#ifndef ABC_YAML_FRONT_H
#define ABC_YAML_FRONT_H

#include "abc/ast.h"
#include "abc/diag.h"

AbcStatus yaml_parse_spec(const char *src, size_t len, Arena *arena, Diag *diag,
                          AstSpec **out) ABC_MUST_CHECK;

#endif
