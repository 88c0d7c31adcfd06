/* plan_lock.c — the schema lock of a tag (generated/<tag>/schema.lock).
 *
 * Text, one item per line, so a change shows in review:
 *     # abc schema lock ... (comment lines start with '#')
 *     tag retention
 *     version 2
 *     table wide abc.tbl_wide_user_retention_retention
 *     column event_date DATE
 *     retired old_metric__events BIGINT
 *     segment country
 *     retired_segment old_segment
 * The lock is the memory of what a published wide table holds: a column
 * is never removed from it, only marked retired.  The segment lines are
 * the tag's columns of the shared experiment_assignment (one per segment,
 * named after it), kept the same way. */
#include "abc/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"STR16", "STR32", "STR64", "STR128", "STR255", "TINYINT",
                                         "INT", "BIGINT", "DOUBLE", "DATE", "DATETIME"};

const char *plan_col_type_name(ColType t) { return type_names[t]; }

static bool type_by_name(const char *s, ColType *out)
{
    for (int i = 0; i < (int)(sizeof type_names / sizeof type_names[0]); i++)
        if (strcmp(type_names[i], s) == 0) {
            *out = (ColType)i;
            return true;
        }
    return false;
}

static const char *const table_keys[3] = {"wide", "report", "daily"};

AbcStatus plan_lock_parse(const char *text, Arena *a, PlanLock *out, char *err, size_t errlen)
{
    PlanLock l;
    memset(&l, 0, sizeof l);
    int cap = 16, scap = 8;
    l.cols = arena_alloc(a, (size_t)cap * sizeof *l.cols);
    l.segs = arena_alloc(a, (size_t)scap * sizeof *l.segs);
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = arena_strndup(a, p, n);
        p = nl ? nl + 1 : p + n;
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *w1 = line, *w2 = strchr(w1, ' ');
        if (!w2)
            goto bad;
        *w2++ = '\0';
        /* names may hold spaces: a column's type is the last word, a table's
         * name the rest of the line */
        bool col = strcmp(w1, "column") == 0 || strcmp(w1, "retired") == 0;
        char *w3 = col ? strrchr(w2, ' ') : strchr(w2, ' ');
        if (w3)
            *w3++ = '\0';
        if (strcmp(w1, "tag") == 0 && !w3) {
            l.tag = w2;
        } else if (strcmp(w1, "version") == 0 && !w3) {
            char *end;
            long v = strtol(w2, &end, 10);
            if (*end || v < 1 || v > 9999)
                goto bad;
            l.version = (int)v;
        } else if (strcmp(w1, "table") == 0 && w3) {
            int k = -1;
            for (int i = 0; i < 3; i++)
                if (strcmp(w2, table_keys[i]) == 0)
                    k = i;
            if (k < 0)
                goto bad;
            l.tables[k] = w3;
        } else if ((strcmp(w1, "segment") == 0 || strcmp(w1, "retired_segment") == 0) && !w3) {
            if (l.nsegs == scap) {
                PlanLockCol *c = arena_alloc(a, (size_t)scap * 2 * sizeof *c);
                memcpy(c, l.segs, (size_t)scap * sizeof *c);
                l.segs = c;
                scap *= 2;
            }
            l.segs[l.nsegs++] = (PlanLockCol){w2, CT_STR255, w1[0] == 'r'};
        } else if (col && w3) {
            ColType t;
            if (!type_by_name(w3, &t))
                goto bad;
            if (l.ncols == cap) {
                PlanLockCol *c = arena_alloc(a, (size_t)cap * 2 * sizeof *c);
                memcpy(c, l.cols, (size_t)cap * sizeof *c);
                l.cols = c;
                cap *= 2;
            }
            l.cols[l.ncols++] = (PlanLockCol){w2, t, w1[0] == 'r'};
        } else {
            goto bad;
        }
    }
    if (l.version < 1 || !l.tag) {
        snprintf(err, errlen, "schema lock without a tag or version");
        return ABC_ERR_ENV;
    }
    *out = l;
    return ABC_OK;
bad:
    snprintf(err, errlen, "schema lock line %d is malformed", lineno);
    return ABC_ERR_ENV;
}

void plan_lock_render(const PlanLock *l, Buf *out)
{
    buf_printf(out, "# abc schema lock: the columns of the tag's wide table and its segment columns\n"
                    "# of experiment_assignment, per schema version.  Written by `abc compile`;\n"
                    "# a removed metric's or segment's columns stay, marked retired.\n"
                    "tag %s\nversion %d\n", l->tag, l->version);
    for (int i = 0; i < 3; i++)
        if (l->tables[i])
            buf_printf(out, "table %s %s\n", table_keys[i], l->tables[i]);
    for (int i = 0; i < l->ncols; i++)
        buf_printf(out, "%s %s %s\n", l->cols[i].retired ? "retired" : "column", l->cols[i].name,
                   type_names[l->cols[i].type]);
    for (int i = 0; i < l->nsegs; i++)
        buf_printf(out, "%s %s\n", l->segs[i].retired ? "retired_segment" : "segment", l->segs[i].name);
}
