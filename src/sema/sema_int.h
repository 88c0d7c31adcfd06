/* sema_int.h — private to semantic analysis (src/sema/): the analysis
 * context, the name tables and the helpers the concerns share.  One file
 * per concern: sema_util.c (names, words, settings), sema_cond.c
 * (conditions), sema_sources.c (sources, experiments, assignments,
    * exposure, segments), sema_metrics.c, sema_analysis.c (analysis,
    * activity); sema.c drives the phases over the spec. */
#ifndef ABC_SEMA_INT_H
#define ABC_SEMA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "abc/sema.h"

#define MAX_NAME 48 /* metric/segment names: room for column suffixes within 64 */

/* Name → index, open addressing over a power-of-two table (arena).  Specs
 * may define tens of thousands of metrics: lookups must not be linear. */
typedef struct NameTable {
    const char **names;
    int *index;
    size_t mask;
} NameTable;

typedef struct Sema {
    Arena *arena;
    Diag *diag;
    IrSpec *ir;
    const AstItem **metric_items; /* parallel to ir->metrics */
    const AstItem *exposure_item;
    const AstItem *analysis_item;
    NameTable metric_names;       /* ir->metrics by name */
    NameTable segment_names;      /* ir->segments by name */
    /* JSON paths (sema_json.c): each distinct path's type, the paths typed by it */
    struct JsonUse *json_uses;
    int njson_uses, json_uses_cap;
    AstWord **untyped;
    int *untyped_src;
    int nuntyped, untyped_cap;
} Sema;

/* ---- sema_util.c ---- */
void names_init(Arena *a, NameTable *t, int n);
int names_find(const NameTable *t, const char *name);
void names_add(NameTable *t, const char *name, int index);
bool is_word(const AstWord *w, const char *s);
bool valid_ident(const char *s, size_t max);
void unknown_word(Sema *s, const AstWord *w, const char *what, const char *const *known,
    int n);
int word_count(const AstWord *w);
bool expect_no_more(Sema *s, const AstWord *w);
bool expect_number(Sema *s, const AstItem *it, const AstWord *w, double lo, double hi,
    bool lo_open, bool hi_open, double *out);
bool expect_int(Sema *s, const AstWord *w, const char *what, long lo, long hi, long *out);
bool not_a_setting(Sema *s, const AstItem *c);
void dup_setting(Sema *s, const AstItem *it, const AstItem *first);
int block_setting(Sema *s, const AstItem *c, const char *const *keys, int n,
    const char *what, const AstItem **seen);
const char *word_text(const AstWord *w);
const char *word_kind_name(const AstWord *w);
const char *expect_name(Sema *s, const AstItem *it, const AstWord *w, const char *what);

/* ---- sema_cond.c ---- */
bool check_cond(Sema *s, const AstCond *c, const char *source_name);
const IrCond *normalise_cond(Sema *s, const AstCond *c, const IrSource *src, int srci);

/* ---- sema_json.c ---- */
int json_col_index(const IrSource *src, const char *name);
AstWord *cond_column(Sema *s, const AstCond *c, const IrSource *src, int srci);
bool value_column(Sema *s, const AstWord *w, int srci, AstJsonType type, bool use,
    const char **col, const AstWord **path);
bool value_as(Sema *s, const AstWord *w, AstJsonType *type, const AstWord **rest);
void sema_json_finish(Sema *s);

/* ---- sema_sources.c ---- */
int find_source(const IrSpec *ir, const char *name);
int resolve_source(Sema *s, const AstWord *w, bool need_events);
void sema_source(Sema *s, const AstItem *it, IrSource *src);
void sema_experiments(Sema *s, const AstItem *it, const AstItem **seen_gb,
    const AstItem **seen_keys);
void sema_assignment(Sema *s, const AstItem *it, IrHashAssignment *a);
void sema_exposure(Sema *s, const AstItem *it);
void sema_segment(Sema *s, const AstItem *it, IrSegment *g);
void sema_segment_columns(Sema *s);

/* ---- sema_metrics.c ---- */
int find_metric(const Sema *s, const char *name);
bool arg_event_set(Sema *s, const AstArg *a, IrEventSet *out);
void sema_metric(Sema *s, const AstItem *it, IrMetric *m, int self);
void sema_metric_links(Sema *s);

/* ---- sema_analysis.c ---- */
void sema_analysis(Sema *s, const AstItem *it);
void sema_activity(Sema *s, const AstItem *it, IrActivity *act);

#endif
