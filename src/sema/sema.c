/* sema.c — semantic analysis of one spec: AST → IR.
 *
 * Phases: (1) top-level settings and sources, (2) exposure, segments,
 * assignments, (3) metric names, then metric bodies (so ratios and CUPED
 * covariates may refer to metrics defined later), (4) analysis and activity.
 * Each check reports at the word that is wrong and continues. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abc/dates.h"
#include "sema_int.h"

/* ---- the spec ---------------------------------------------------------------------- */

static const char *base_name_no_ext(Arena *a, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return arena_strndup(a, b, dot ? (size_t)(dot - b) : strlen(b));
}

static void set_table_name(Sema *s, const AstItem *it, const char **dst)
{
    const char *n = expect_name(s, it, it->words, "a name");
    if (!n)
        return;
    if (!valid_ident(n, 64))
        diag_error(s->diag, it->words->loc, "'%s' is not a valid database or table name (letters, digits, '_', at most 64)", n);
    expect_no_more(s, it->words->next);
    *dst = n;
}

/* Segments are columns of experiment_assignment named after them, next to
 * its own columns and, in the statistics queries, next to the per-unit
 * columns and result columns abc names: a segment may not take one of
 * those names, nor one of the former positional segment columns, nor
 * contain "__" (the metric columns' separator); column names ignore case,
 * so neither may two segments differ only in case. */
static const char *const reserved_columns[] = {
    "tag", "tracking_key", "user_id", "variation_key", "first_exposure_time", "exposure_date",
    "exposure_time", "multiple_variations", "multiple_variations_date", "activation_time",
    "activation_date", "act_time", "act_date", "rn", "first_variation", "other_date",
    "analysis_date", "event_date", "days_observed", "days_since_exposure", "segment",
    "segment_value", "value", "units", "day", "event", "events", "censored", "cap",
    "segment_1", "segment_2", "segment_3", "segment_4", "segment_5", "segment_6", "segment_7",
    "segment_8"};

static bool segment_name_clash(Sema *s, const AstWord *name)
{
    const char *n = name->text;
    for (size_t i = 0; i < sizeof reserved_columns / sizeof reserved_columns[0]; i++)
        if (strcasecmp(n, reserved_columns[i]) == 0) {
            diag_error(s->diag, name->loc, "segment '%s' has the name of a column abc uses "
                       "itself ('%s'; segments are columns of experiment_assignment named after "
                       "them); rename the segment", n, reserved_columns[i]);
            return true;
        }
    if (strstr(n, "__")) {
        diag_error(s->diag, name->loc, "segment name '%s' contains '__', which is reserved for "
                   "the metric columns; rename the segment", n);
        return true;
    }
    for (int i = 0; i < s->ir->nsegments; i++)
        if (strcasecmp(n, s->ir->segments[i].name) == 0) {
            int line, col;
            diag_line_col(s->diag, s->ir->segments[i].loc.off, &line, &col);
            diag_error(s->diag, name->loc, "segment '%s' differs from segment '%s' (%d:%d) only in "
                       "case; column names ignore case, so they would share one column", n,
                       s->ir->segments[i].name, line, col);
            return true;
        }
    return false;
}

AbcStatus sema_check(const AstSpec *ast, const char *path, const char *bytes, size_t len,
                     Arena *arena, Diag *diag, IrSpec **out)
{
    Sema s;
    memset(&s, 0, sizeof s);
    s.arena = arena;
    s.diag = diag;
    IrSpec *ir = s.ir = arena_alloc(arena, sizeof *ir);
    int errors_before = diag->nerrors;
    ir->path = path;
    hash_hex64(bytes, len, ir->content_hash);
    ir->tag = ast->tag->text;
    ir->exposure.source = -1;
    ir->analysis.alpha = 0.05;
    ir->analysis.methods = METHOD_TTEST | METHOD_BAYES;
    ir->analysis.srm_threshold = 0.001;
    ir->analysis.power_target = 0.8;
    ir->analysis.bootstrap_resamples = 1000;
    ir->analysis.bootstrap_seed = 1;
    ir->abc_database = "abc";
    ir->report_database = "flow_report_app";

    if (!valid_ident(ir->tag, 32))
        diag_error(diag, ast->tag->loc, "tag '%s' must be letters, digits and '_' (at most 32)", ir->tag);
    const char *stem = base_name_no_ext(arena, path);
    if (strcmp(stem, ir->tag) != 0 && strcmp(path, "-") != 0)
        diag_error(diag, ast->tag->loc, "tag '%s' does not match the file name '%s' (one tag per file, named after it)",
                   ir->tag, stem);

    /* count what to allocate */
    int nsrc = 0, nmet = 0, nseg = 0, nact = 0, nasg = 0;
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_METRIC)
            nmet++;
        else if (it->kind == I_SEGMENT)
            nseg++;
        else if (strcmp(it->key->text, "source") == 0)
            nsrc++;
        else if (strcmp(it->key->text, "activity") == 0)
            nact++;
        else if (strcmp(it->key->text, "assignment") == 0)
            nasg++;
    }
    ir->sources = arena_alloc(arena, sizeof(IrSource) * (size_t)(nsrc + 1));
    ir->metrics = arena_alloc(arena, sizeof(IrMetric) * (size_t)(nmet + 1));
    ir->segments = arena_alloc(arena, sizeof(IrSegment) * (size_t)(nseg + 1));
    ir->activities = arena_alloc(arena, sizeof(IrActivity) * (size_t)(nact + 1));
    ir->assignments = arena_alloc(arena, sizeof(IrHashAssignment) * (size_t)(nasg + 1));
    s.metric_items = arena_alloc(arena, sizeof(AstItem *) * (size_t)(nmet + 1));
    names_init(arena, &s.metric_names, nmet);
    names_init(arena, &s.segment_names, nseg);

    enum TopKey {
        TK_MODULE, TK_DATABASE, TK_REPORT_DATABASE, TK_WIDE_TABLE, TK_REPORT_TABLE, TK_DAILY_TABLE,
        TK_EXPERIMENTS, TK_ASSIGNMENT, TK_SOURCE, TK_EXPOSURE, TK_SEGMENT, TK_METRIC, TK_GUARDRAIL,
        TK_ANALYSIS, TK_ACTIVITY, NTOP
    };
    static const char *const top[NTOP] = {
        [TK_MODULE] = "module",           [TK_DATABASE] = "database",
        [TK_REPORT_DATABASE] = "report_database", [TK_WIDE_TABLE] = "wide_table",
        [TK_REPORT_TABLE] = "report_table", [TK_DAILY_TABLE] = "daily_table",
        [TK_EXPERIMENTS] = "experiments", [TK_ASSIGNMENT] = "assignment",
        [TK_SOURCE] = "source",           [TK_EXPOSURE] = "exposure",
        [TK_SEGMENT] = "segment",         [TK_METRIC] = "metric",
        [TK_GUARDRAIL] = "guardrail",     [TK_ANALYSIS] = "analysis",
        [TK_ACTIVITY] = "activity"};
    const AstItem *seen_top[NTOP] = {0};
    const AstItem *seen_gb = NULL, *seen_keys = NULL;

    /* phase 1: sources and naming settings */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_METRIC || it->kind == I_SEGMENT)
            continue;
        if (it->kind == I_WHERE) {
            diag_error(diag, it->key->loc, "'where' belongs inside a source block or after an exposure source");
            continue;
        }
        int k = -1;
        for (int i = 0; i < NTOP; i++)
            if (strcmp(it->key->text, top[i]) == 0)
                k = i;
        if (k < 0 || k == TK_SEGMENT || k == TK_METRIC || k == TK_GUARDRAIL) {
            unknown_word(&s, it->key, "setting", top, NTOP);
            continue;
        }
        if (k == TK_SOURCE) {
            IrSource *src = &ir->sources[ir->nsources];
            sema_source(&s, it, src);
            if (!src->name)
                continue;
            int first = find_source(ir, src->name);
            if (first >= 0) {
                int line, col;
                diag_line_col(diag, ir->sources[first].loc.off, &line, &col);
                diag_error(diag, it->words->loc, "source '%s' is defined twice (first at %d:%d)",
                           src->name, line, col);
                continue;
            }
            if (strcmp(src->name, "exposure") == 0) {
                diag_error(diag, it->words->loc, "'exposure' is reserved (segments use exposure.COLUMN)");
                continue;
            }
            ir->nsources++;
            continue;
        }
        if (k == TK_EXPERIMENTS) {
            if (it->kind == I_BLOCK) {
                diag_error(diag, it->key->loc, "'experiments' is a setting, not a block");
                continue;
            }
            if (it->where)
                diag_error(diag, it->where->loc, "unexpected 'where' on 'experiments'");
            sema_experiments(&s, it, &seen_gb, &seen_keys);
            continue;
        }
        if (k == TK_ASSIGNMENT || k == TK_ACTIVITY)
            continue; /* phase 2 / 4 */
        if (seen_top[k]) {
            dup_setting(&s, it, seen_top[k]);
            continue;
        }
        seen_top[k] = it;
        if (k == TK_EXPOSURE || k == TK_ANALYSIS)
            continue;
        if (it->kind == I_BLOCK) {
            diag_error(diag, it->key->loc, "'%s' is a setting, not a block", it->key->text);
            continue;
        }
        if (it->where)
            diag_error(diag, it->where->loc, "unexpected 'where' on '%s'", it->key->text);
        const char **dst = k == TK_MODULE ? &ir->module
                         : k == TK_DATABASE ? &ir->abc_database
                         : k == TK_REPORT_DATABASE ? &ir->report_database
                         : k == TK_WIDE_TABLE ? &ir->wide_table
                         : k == TK_REPORT_TABLE ? &ir->report_table
                                  : &ir->daily_table;
        set_table_name(&s, it, dst);
    }
    if (!seen_top[TK_MODULE])
        diag_error(diag, ast->tag->loc, "spec '%s' needs 'module \"NAME\";' (used in table names)", ir->tag);
    if (!ir->module)
        ir->module = ir->tag;
    if (!ir->wide_table)
        ir->wide_table = arena_printf(arena, "tbl_wide_user_%s_%s", ir->module, ir->tag);
    if (!ir->report_table)
        ir->report_table = arena_printf(arena, "tbl_report_user_%s_%s", ir->module, ir->tag);
    if (!ir->daily_table)
        ir->daily_table = arena_printf(arena, "tbl_report_daily_%s_%s", ir->module, ir->tag);
    if (strlen(ir->daily_table) > 64)
        diag_error(diag, ast->tag->loc, "table name '%s' is longer than 64 characters; shorten the module or set daily_table",
                   ir->daily_table);
    if (!seen_gb && !seen_keys && nasg == 0) {
        ir->experiments.from_growthbook = true; /* default: GrowthBook experiments tagged with the tag */
    }
    if (ir->experiments.from_growthbook && !ir->experiments.gb_tag)
        ir->experiments.gb_tag = ir->tag;

    /* phase 2: exposure, segments, assignments */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_SEGMENT) {
            IrSegment *g = &ir->segments[ir->nsegments];
            int first = names_find(&s.segment_names, it->name->text);
            if (first >= 0) {
                int line, col;
                diag_line_col(diag, ir->segments[first].loc.off, &line, &col);
                diag_error(diag, it->name->loc, "segment '%s' is defined twice (first at %d:%d)",
                           it->name->text, line, col);
                continue;
            }
            if (!valid_ident(it->name->text, MAX_NAME)) {
                diag_error(diag, it->name->loc, "segment name '%s' is longer than %d characters",
                           it->name->text, MAX_NAME);
                continue;
            }
            if (segment_name_clash(&s, it->name))
                continue;
            sema_segment(&s, it, g);
            names_add(&s.segment_names, g->name, ir->nsegments);
            ir->nsegments++;
            continue;
        }
        if (it->kind != I_METRIC && strcmp(it->key->text, "exposure") == 0 && seen_top[TK_EXPOSURE] == it)
            sema_exposure(&s, it);
        if (it->kind != I_METRIC && strcmp(it->key->text, "assignment") == 0) {
            IrHashAssignment *a = &ir->assignments[ir->nassignments];
            sema_assignment(&s, it, a);
            for (int i = 0; i < ir->nassignments; i++)
                if (a->tracking_key && strcmp(ir->assignments[i].tracking_key, a->tracking_key) == 0)
                    diag_error(diag, it->words->loc, "assignment \"%s\" is defined twice", a->tracking_key);
            ir->nassignments++;
        }
    }
    if (!seen_top[TK_EXPOSURE])
        diag_error(diag, ast->tag->loc, "spec '%s' needs an 'exposure SOURCE where ... { ... }' block", ir->tag);

    sema_segment_columns(&s);

    /* phase 3: metric names, then bodies */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind != I_METRIC)
            continue;
        const char *name = it->name->text;
        if (!valid_ident(name, MAX_NAME)) {
            diag_error(diag, it->name->loc, "metric name '%s' is longer than %d characters", name, MAX_NAME);
            continue;
        }
        int prev = find_metric(&s, name);
        if (prev >= 0) {
            int line, col;
            diag_line_col(diag, ir->metrics[prev].loc.off, &line, &col);
            diag_error(diag, it->name->loc, "metric '%s' is defined twice (first at %d:%d)", name, line, col);
            continue;
        }
        if (names_find(&s.segment_names, name) >= 0)
            diag_error(diag, it->name->loc, "'%s' is already a segment", name);
        IrMetric *m = &ir->metrics[ir->nmetrics];
        m->name = name;
        m->loc = it->loc;
        m->line = diag_line_of(diag, it->loc.off);
        names_add(&s.metric_names, name, ir->nmetrics);
        s.metric_items[ir->nmetrics++] = it;
    }
    for (int i = 0; i < ir->nmetrics; i++)
        sema_metric(&s, s.metric_items[i], &ir->metrics[i], i);
    sema_metric_links(&s);
    for (int i = 0; i < ir->nsegments; i++)
        ir->segments[i].line = diag_line_of(diag, ir->segments[i].loc.off);
    ir->exposure.line = diag_line_of(diag, ir->exposure.loc.off);
    if (nmet == 0) /* a metric rejected above has had its error */
        diag_error(diag, ast->tag->loc, "spec '%s' defines no metrics", ir->tag);

    /* phase 4: analysis and activity */
    for (const AstItem *it = ast->items; it; it = it->next) {
        if (it->kind == I_METRIC || it->kind == I_SEGMENT)
            continue;
        if (strcmp(it->key->text, "analysis") == 0 && seen_top[TK_ANALYSIS] == it)
            sema_analysis(&s, it);
        else if (strcmp(it->key->text, "activity") == 0) {
            IrActivity *act = &ir->activities[ir->nactivities];
            sema_activity(&s, it, act);
            for (int i = 0; i < ir->nactivities; i++)
                if (strcmp(ir->activities[i].name, act->name) == 0)
                    diag_error(diag, it->key->loc, "activity '%s' is defined twice", act->name);
            ir->nactivities++;
        }
    }
    sema_json_finish(&s);
    if (ir->analysis.sequential != SEQ_NONE && (ir->analysis.methods & METHOD_TTEST) == 0 &&
        seen_top[TK_ANALYSIS])
        diag_warning(diag, seen_top[TK_ANALYSIS]->key->loc, "sequential testing applies to the t-test, which is not among the methods");

    /* the hourly series buckets the exposure source's timestamps */
    if (ir->analysis.hourly && ir->exposure.source >= 0 &&
        !ir->sources[ir->exposure.source].time_col)
        diag_error(diag, ir->analysis.hourly_loc,
                   "'hourly' needs a timestamp: the exposure source '%s' has no 'time' column",
                   ir->sources[ir->exposure.source].name);

    if (diag->nerrors > errors_before)
        return ABC_ERR_SPEC;
    *out = ir;
    return ABC_OK;
}
