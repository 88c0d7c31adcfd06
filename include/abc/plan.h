/* plan.h — the compiled plan of a tag and everything `abc compile` writes.
 *
 * Layout under the output directory (docs/GENERATED.md):
 *   <tag>/schema.lock                     columns of the tag's wide table, per
 *                                         schema version (shared by dialects)
 *   <tag>/migrations/NNNN_vK.<dialect>.sql ALTER TABLEs from version K-1 to K,
 *                                         written for both dialects, never
 *                                         rewritten once they exist
 *   <tag>/<dialect>/NN_<step>.sql         the statements of each step
 *   <tag>/<dialect>/plan.json             steps, placeholders, result columns,
 *                                         metrics and their methods
 *
 * plan_tag_outputs() computes the files of one tag in memory from the IR,
 * the dialects asked for and what the output directory already holds (the
 * lock and the migrations).  Nothing is written here: the caller writes the
 * files (each atomically) or compares them with the disk (--check).
 * Ownership: PlanOutputs and its strings live in the Arena given.
 * Status: ABC_ERR_SPEC with diagnostics (names the dialect cannot take, a
 * column changing type), ABC_ERR_ENV with err set (unreadable lock).
 */
#ifndef ABC_PLAN_H
#define ABC_PLAN_H

#include <stdbool.h>

#include "abc/base.h"
#include "abc/diag.h"
#include "abc/dialect.h"
#include "abc/ir.h"
#include "abc/sqlgen.h"

typedef struct PlanFile {
    const char *path;  /* relative to the output directory: "<tag>/..." */
    const char *data;
    size_t len;
    bool keep_existing; /* a migration: never rewritten when it exists */
} PlanFile;

typedef struct PlanOutputs {
    PlanFile *files;
    int nfiles, cap;
    const char *tag_dir;          /* "<tag>" */
    const char *const *owned_dirs; /* directories where files not produced are stale */
    int nowned;
    const char *tables[3];        /* db.table of the wide, report and daily tables */
} PlanOutputs;

/* The schema lock: the wide table's columns with their portable types. */
typedef struct PlanLockCol {
    const char *name;
    ColType type;
    bool retired; /* no longer in the spec; kept in the table, NULL from then on */
} PlanLockCol;

typedef struct PlanLock {
    int version;
    const char *tag;
    const char *tables[3];
    PlanLockCol *cols;
    int ncols;
    /* the spec's segment columns of the shared experiment_assignment
     * (type STR255; retired: no longer a segment of the spec) */
    PlanLockCol *segs;
    int nsegs;
} PlanLock;

/* Parse a schema.lock text; ABC_ERR_ENV with err on a malformed lock. */
AbcStatus plan_lock_parse(const char *text, Arena *a, PlanLock *out, char *err,
                          size_t errlen) ABC_MUST_CHECK;
void plan_lock_render(const PlanLock *lock, Buf *out);

/* plan.json of one compiled program (deterministic, sorted as the steps). */
void plan_json(const SqlProgram *p, Buf *out);

/* The methods that apply to a metric, from the spec's analysis settings. */
void plan_metric_methods(const IrSpec *ir, const IrMetric *m, Buf *json_array);

/* All files of one tag for the given dialects; see the header comment. */
AbcStatus plan_tag_outputs(const IrSpec *ir, const Dialect *const *dialects, int ndialects,
                           const char *outdir, Arena *a, Diag *diag, PlanOutputs *out,
                           char *err, size_t errlen) ABC_MUST_CHECK;

/* The portable type names used in schema.lock ("BIGINT", "STR128", ...). */
const char *plan_col_type_name(ColType t);

#endif
