/* sema_sources.c — sources, experiments, hash assignments, exposure and segments (see sema_int.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "sema_int.h"

/* ---- sources ----------------------------------------------------------------- */

int find_source(const IrSpec *ir, const char *name)
{
    for (int i = 0; i < ir->nsources; i++)
        if (strcmp(ir->sources[i].name, name) == 0)
            return i;
    return -1;
}

int resolve_source(Sema *s, const AstWord *w, bool need_events)
{
    if (w->kind != W_IDENT) {
        diag_error(s->diag, w->loc, "expected a source name, found %s", word_kind_name(w));
        return -1;
    }
    int i = find_source(s->ir, w->text);
    if (i < 0) {
        const char **names = arena_alloc(s->arena, sizeof(char *) * (size_t)(s->ir->nsources + 1));
        for (int k = 0; k < s->ir->nsources; k++)
            names[k] = s->ir->sources[k].name;
        const char *sugg = diag_suggest(w->text, names, s->ir->nsources);
        if (sugg)
            diag_error(s->diag, w->loc, "undefined source '%s'; did you mean '%s'?", w->text, sugg);
        else
            diag_error(s->diag, w->loc, "undefined source '%s'", w->text);
        return -1;
    }
    if (need_events && s->ir->sources[i].is_user_table) {
        diag_error(s->diag, w->loc,
                   "source '%s' is a user table (no time/date columns); events need a source "
                   "with 'time' and 'date'",
                   w->text);
        return -1;
    }
    return i;
}

/* `json COL, ...;`: the source's columns that hold JSON objects. */
static void sema_source_json(Sema *s, const AstItem *c, IrSource *src)
{
    if (c->where)
        diag_error(s->diag, c->where->loc, "unexpected 'where' on 'json'");
    if (!c->words) {
        diag_error(s->diag, c->key->loc, "expected: json COLUMN, ...;");
        return;
    }
    int n = word_count(c->words);
    src->json_cols = arena_alloc(s->arena, sizeof(char *) * (size_t)n);
    for (const AstWord *w = c->words; w; w = w->next) {
        if (w->kind != W_IDENT) {
            diag_error(s->diag, w->loc, "expected a column name, found %s", word_kind_name(w));
            continue;
        }
        if (!valid_ident(w->text, 64)) {
            diag_error(s->diag, w->loc, "'%s' is not a valid column name", w->text);
            continue;
        }
        if (json_col_index(src, w->text) >= 0) {
            diag_error(s->diag, w->loc, "JSON column '%s' listed twice", w->text);
            continue;
        }
        src->json_cols[src->njson++] = w->text;
    }
}

void sema_source(Sema *s, const AstItem *it, IrSource *src)
{
    const AstWord *w = it->words;
    memset(src, 0, sizeof *src);
    src->loc = it->loc;
    if (!w || w->kind != W_IDENT) {
        diag_error(s->diag, w ? w->loc : it->key->loc, "expected: source NAME \"db.table\" { ... }");
        return;
    }
    src->name = w->text;
    w = w->next;
    if (!w || w->kind != W_STRING) {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "source '%s' needs its table as a string, e.g. \"ods.app_events\"", src->name);
        return;
    }
    const char *dot = strchr(w->text, '.');
    if (dot) {
        src->database = arena_strndup(s->arena, w->text, (size_t)(dot - w->text));
        src->table = dot + 1;
    } else {
        src->table = w->text;
    }
    if ((src->database && !valid_ident(src->database, 64)) || !valid_ident(src->table, 64))
        diag_error(s->diag, w->loc,
                   "table \"%s\" must be [db.]table with names of letters, digits and '_' "
                   "(at most 64 each)",
                   w->text);
    expect_no_more(s, w->next);
    if (it->kind != I_BLOCK) {
        diag_error(s->diag, it->loc, "source '%s' needs a block: { user COL; time COL; date COL; }",
                   src->name);
        return;
    }
    if (it->where)
        diag_error(s->diag, it->where->loc, "put a source's standing filter inside its block: where ...;");
    enum SourceKey { SK_USER, SK_TIME, SK_DATE, SK_WHERE, SK_JSON, NSKEYS };
    static const char *const keys[NSKEYS] = {[SK_USER] = "user", [SK_TIME] = "time",
                                             [SK_DATE] = "date", [SK_WHERE] = "where",
                                             [SK_JSON] = "json"};
    const AstItem *seen[NSKEYS] = {0};
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, NSKEYS, "source setting", seen);
        if (k < 0 || k == SK_WHERE)
            continue; /* the filter after the JSON columns, which it may read */
        if (k == SK_JSON) {
            sema_source_json(s, c, src);
            continue;
        }
        const char *col = expect_name(s, c, c->words, "a column name");
        if (!col)
            continue;
        if (!valid_ident(col, 64))
            diag_error(s->diag, c->words->loc, "'%s' is not a valid column name", col);
        expect_no_more(s, c->words->next);
        if (c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (k == SK_USER)
            src->user_col = col;
        else if (k == SK_TIME)
            src->time_col = col;
        else
            src->date_col = col;
    }
    if (seen[SK_WHERE] && check_cond(s, seen[SK_WHERE]->where, src->name))
        src->filter = normalise_cond(s, seen[SK_WHERE]->where, src, (int)(src - s->ir->sources));
    if (!src->user_col)
        diag_error(s->diag, it->key->loc, "source '%s' needs 'user COLUMN;'", src->name);
    if ((src->time_col == NULL) != (src->date_col == NULL))
        diag_error(s->diag, it->key->loc,
                   "source '%s' needs both 'time' and 'date' (or neither, for a user table)",
                   src->name);
    src->is_user_table = !src->time_col && !src->date_col;
}

/* ---- experiments, assignments ----------------------------------------------- */

void sema_experiments(Sema *s, const AstItem *it, const AstItem **seen_gb,
                             const AstItem **seen_keys)
{
    IrExperiments *e = &s->ir->experiments;
    const AstWord *w = it->words;
    if (is_word(w, "from")) {
        if (*seen_gb) {
            dup_setting(s, it, *seen_gb);
            return;
        }
        *seen_gb = it;
        w = w->next;
        if (!is_word(w, "growthbook")) {
            diag_error(s->diag, w ? w->loc : it->key->loc, "expected 'growthbook' after 'from'");
            return;
        }
        e->from_growthbook = true;
        for (w = w->next; w; w = w->next) {
            enum GbFilter { GF_TAG, GF_PROJECT, GF_STATUS, NGF };
            static const char *const opts[NGF] = {[GF_TAG] = "tag", [GF_PROJECT] = "project",
                                                  [GF_STATUS] = "status"};
            if (w->kind != W_IDENT) {
                diag_error(s->diag, w->loc, "expected tag, project or status, found %s",
                           word_kind_name(w));
                return;
            }
            int k = -1;
            for (int i = 0; i < NGF; i++)
                if (strcmp(w->text, opts[i]) == 0)
                    k = i;
            if (k < 0) {
                unknown_word(s, w, "experiments filter", opts, NGF);
                return;
            }
            const AstWord *v = w->next;
            if (!v || (v->kind != W_STRING && v->kind != W_IDENT)) {
                diag_error(s->diag, v ? v->loc : w->loc, "'%s' needs a value", w->text);
                return;
            }
            if (k == GF_STATUS && strcmp(v->text, "running") && strcmp(v->text, "stopped") &&
                strcmp(v->text, "draft")) {
                diag_error(s->diag, v->loc, "status must be running, stopped or draft");
            }
            if (k == GF_TAG)
                e->gb_tag = v->text;
            else if (k == GF_PROJECT)
                e->gb_project = v->text;
            else
                e->gb_status = v->text;
            w = v;
        }
    } else if (is_word(w, "keys")) {
        if (*seen_keys) {
            dup_setting(s, it, *seen_keys);
            return;
        }
        *seen_keys = it;
        int n = word_count(w->next);
        if (n == 0) {
            diag_error(s->diag, w->loc, "'keys' needs at least one tracking key");
            return;
        }
        e->keys = arena_alloc(s->arena, sizeof(char *) * (size_t)n);
        for (const AstWord *k = w->next; k; k = k->next) {
            if (k->kind != W_STRING) {
                diag_error(s->diag, k->loc, "tracking keys are strings, e.g. \"exp-1\"");
                continue;
            }
            if (k->text[0] == '\0') {
                diag_error(s->diag, k->loc, "empty tracking key");
                continue;
            }
            for (int j = 0; j < e->nkeys; j++)
                if (strcmp(e->keys[j], k->text) == 0)
                    diag_error(s->diag, k->loc, "tracking key \"%s\" listed twice", k->text);
            e->keys[e->nkeys++] = k->text;
        }
    } else {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "expected 'experiments from growthbook [tag \"...\"] [project \"...\"] [status "
                   "...];' or 'experiments keys \"...\", ...;'");
    }
}

void sema_assignment(Sema *s, const AstItem *it, IrHashAssignment *a)
{
    memset(a, 0, sizeof *a);
    a->loc = it->loc;
    const AstWord *w = it->words;
    if (!w || w->kind != W_STRING || it->kind != I_BLOCK) {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "expected: assignment \"TRACKING_KEY\" { salt \"...\"; variations NAME WEIGHT, ...; }");
        return;
    }
    a->tracking_key = w->text;
    if (!w->text[0])
        diag_error(s->diag, w->loc, "empty tracking key");
    expect_no_more(s, w->next);
    const AstItem *seen_salt = NULL, *seen_var = NULL, *seen_start = NULL;
    for (const AstItem *c = it->items; c; c = c->next) {
        static const char *const keys[] = {"salt", "variations", "start"};
        bool known = false;
        for (int i = 0; i < 3; i++)
            known |= strcmp(c->key->text, keys[i]) == 0;
        if (known && not_a_setting(s, c))
            continue;
        if (known && c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (strcmp(c->key->text, "start") == 0 && c->kind == I_SETTING) {
            long day;
            if (seen_start) {
                dup_setting(s, c, seen_start);
                continue;
            }
            seen_start = c;
            if (!c->words || c->words->kind != W_STRING || !date_parse(c->words->text, &day)) {
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc,
                           "start must be a date string \"YYYY-MM-DD\"");
                continue;
            }
            a->start = c->words->text;
            expect_no_more(s, c->words->next);
        } else if (strcmp(c->key->text, "salt") == 0 && c->kind == I_SETTING) {
            if (seen_salt) {
                dup_setting(s, c, seen_salt);
                continue;
            }
            seen_salt = c;
            if (!c->words || c->words->kind != W_STRING) {
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc, "salt must be a string");
                continue;
            }
            a->salt = c->words->text;
            expect_no_more(s, c->words->next);
        } else if (strcmp(c->key->text, "variations") == 0 && c->kind == I_SETTING) {
            if (seen_var) {
                dup_setting(s, c, seen_var);
                continue;
            }
            seen_var = c;
            int n = c->words ? 1 : 0; /* comma groups: one NAME WEIGHT each */
            for (const AstWord *g = c->words; g; g = g->next)
                n += g->comma_before;
            if (n < 2) {
                diag_error(s->diag, c->key->loc, "at least two variations are needed: NAME WEIGHT, NAME WEIGHT");
                continue;
            }
            n = word_count(c->words); /* room for any number of pairs */
            a->variations = arena_alloc(s->arena, sizeof(char *) * (size_t)n);
            a->weights = arena_alloc(s->arena, sizeof(double) * (size_t)n);
            double total = 0;
            const AstWord *v = c->words;
            while (v) {
                const AstWord *name = v, *wt = v->next;
                if ((name->kind == W_IDENT || name->kind == W_STRING) && (!wt || wt->comma_before)) {
                    diag_error(s->diag, name->loc, "a weight is missing for '%s' (NAME WEIGHT, e.g. %s 0.5)",
                               name->text, name->kind == W_IDENT ? name->text : "control");
                    break;
                }
                if ((name->kind != W_IDENT && name->kind != W_STRING) || wt->kind != W_NUMBER) {
                    diag_error(s->diag, name->loc, "expected NAME WEIGHT pairs, e.g. control 0.5, treatment 0.5");
                    break;
                }
                if (wt->num <= 0 || wt->num >= 1) {
                    diag_error(s->diag, wt->loc, "a weight must be in (0, 1), got %s", wt->text);
                }
                for (int j = 0; j < a->nvariations; j++)
                    if (strcmp(a->variations[j], name->text) == 0)
                        diag_error(s->diag, name->loc, "variation '%s' listed twice", name->text);
                a->variations[a->nvariations] = name->text;
                a->weights[a->nvariations++] = wt->num;
                total += wt->num;
                v = wt->next;
            }
            if (fabs(total - 1.0) > 1e-9 && a->nvariations >= 2)
                diag_error(s->diag, c->words->loc, "split weights sum to %.10g, not 1", total);
        } else {
            unknown_word(s, c->key, "assignment setting", keys, 3);
        }
    }
    if (!seen_salt)
        a->salt = a->tracking_key;
    if (!seen_var)
        diag_error(s->diag, it->key->loc, "assignment \"%s\" needs 'variations NAME WEIGHT, ...;'",
                   a->tracking_key);
}

/* ---- exposure, segments --------------------------------------------------------- */

void sema_exposure(Sema *s, const AstItem *it)
{
    IrExposure *x = &s->ir->exposure;
    x->loc = it->loc;
    x->source = -1;
    x->multiple = MULTI_EXCLUDE;
    const AstWord *w = it->words;
    if (!w) {
        diag_error(s->diag, it->key->loc, "expected: exposure SOURCE where ... { experiment COL; variation COL; }");
        return;
    }
    x->source = resolve_source(s, w, true);
    expect_no_more(s, w->next);
    if (x->source >= 0) {
        if (check_cond(s, it->where, s->ir->sources[x->source].name))
            x->filter = normalise_cond(s, it->where, &s->ir->sources[x->source], x->source);
    }
    if (it->kind != I_BLOCK) {
        diag_error(s->diag, it->loc, "exposure needs a block: { experiment COL; variation COL; }");
        return;
    }
    enum ExposureKey { XK_EXPERIMENT, XK_VARIATION, XK_FIRST, XK_MULTIPLE, XK_ACTIVATION, NXKEYS };
    static const char *const keys[NXKEYS] = {
        [XK_EXPERIMENT] = "experiment", [XK_VARIATION] = "variation", [XK_FIRST] = "first",
        [XK_MULTIPLE] = "multiple",     [XK_ACTIVATION] = "activation"};
    const AstItem *seen[NXKEYS] = {0};
    for (const AstItem *c = it->items; c; c = c->next) {
        int k = block_setting(s, c, keys, NXKEYS, "exposure setting", seen);
        if (k < 0)
            continue;
        if (k != XK_ACTIVATION && c->where)
            diag_error(s->diag, c->where->loc, "unexpected 'where' on '%s'", c->key->text);
        if (k == XK_EXPERIMENT || k == XK_VARIATION) {
            const char *col = expect_name(s, c, c->words, "a column name");
            if (!col)
                continue;
            if (!valid_ident(col, 64))
                diag_error(s->diag, c->words->loc, "'%s' is not a valid column name", col);
            expect_no_more(s, c->words->next);
            if (k == XK_EXPERIMENT)
                x->experiment_col = col;
            else
                x->variation_col = col;
        } else if (k == XK_FIRST) {
            expect_no_more(s, c->words);
        } else if (k == XK_MULTIPLE) {
            if (is_word(c->words, "exclude"))
                x->multiple = MULTI_EXCLUDE;
            else if (is_word(c->words, "first"))
                x->multiple = MULTI_FIRST;
            else
                diag_error(s->diag, c->words ? c->words->loc : c->key->loc,
                           "'multiple' is 'exclude' (drop users seen in more than one variation) "
                           "or 'first' (keep their first variation)");
            if (c->words)
                expect_no_more(s, c->words->next);
        } else {
            if (!c->words) {
                diag_error(s->diag, c->key->loc, "expected: activation SOURCE where ...;");
                continue;
            }
            int src = resolve_source(s, c->words, true);
            expect_no_more(s, c->words->next);
            if (src >= 0) {
                x->has_activation = true;
                x->activation.source = src;
                if (check_cond(s, c->where, s->ir->sources[src].name))
                    x->activation.filter = normalise_cond(s, c->where, &s->ir->sources[src], src);
            }
        }
    }
    if (!x->experiment_col)
        diag_error(s->diag, it->key->loc, "exposure needs 'experiment COLUMN;' (matches the GrowthBook tracking key)");
    if (!x->variation_col)
        diag_error(s->diag, it->key->loc, "exposure needs 'variation COLUMN;' (matches the variation key)");
}

void sema_segment(Sema *s, const AstItem *it, IrSegment *g)
{
    memset(g, 0, sizeof *g);
    g->name = it->name->text;
    g->loc = it->loc;
    const AstWord *w = it->words;
    if (!w || (w->kind != W_QNAME && w->kind != W_PATH)) {
        diag_error(s->diag, w ? w->loc : it->key->loc,
                   "a segment is exposure.COLUMN or USER_SOURCE.COLUMN");
        return;
    }
    expect_no_more(s, w->next);
    if (w->kind == W_QNAME && !valid_ident(w->text2, 64)) {
        diag_error(s->diag, w->loc, "'%s' is not a valid column name", w->text2);
        return;
    }
    g->column = w->text2;
    if (strcmp(w->text, "exposure") == 0) {
        g->from = SEG_EXPOSURE;
        g->path = w; /* resolved against the exposure source by sema_segment_columns */
        return;
    }
    AstWord tmp = *w;
    tmp.kind = W_IDENT;
    int src = resolve_source(s, &tmp, false);
    if (src < 0)
        return;
    if (!s->ir->sources[src].is_user_table) {
        diag_error(s->diag, w->loc,
                   "source '%s' has events (many rows per user); a segment is exposure.COLUMN "
                   "or a column of a user table",
                   w->text);
        return;
    }
    g->from = SEG_USER_TABLE;
    g->source = src;
    value_column(s, w, src, JT_STRING, false, &g->column, &g->path);
}

/* Segments of the exposure row, once the exposure source is known: a
 * column, or a path into one of its JSON columns (read as a string). */
void sema_segment_columns(Sema *s)
{
    for (int i = 0; i < s->ir->nsegments; i++) {
        IrSegment *g = &s->ir->segments[i];
        if (g->from != SEG_EXPOSURE || !g->path)
            continue;
        const AstWord *w = g->path;
        g->path = NULL;
        if (s->ir->exposure.source >= 0)
            value_column(s, w, s->ir->exposure.source, JT_STRING, false, &g->column, &g->path);
    }
}
