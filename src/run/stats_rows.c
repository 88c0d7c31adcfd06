/* stats_rows.c — decode statistics result sets into typed rows (see
 * stats_rows.h): column roles are resolved once per step, then each row is
 * read by position. */
#include "abc/stats_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"

typedef enum Role {
    R_IGNORE, R_DATE, R_KEY, R_VAR, R_SEG, R_SEGVAL, R_SLOT, R_UNITS, R_VALUE, R_DAY, R_EVENTS,
    R_CENSORED, R_DAYS_OBSERVED, R_MOMENT
} Role;

typedef struct ColRole {
    Role role;
    int slot;        /* R_SLOT */
    int metric;      /* R_MOMENT */
    StatsRowStat stat;
    int step;
} ColRole;

struct StatsRowDecoder {
    const SqlStep *step;
    unsigned ncols;
    ColRole *cols;
    int nslots, nmoments;
    StatsRowMoment *moments;
};

static bool stat_of(const char *s, StatsRowStat *st, int *step)
{
    static const char *const names[] = {"n", "sum", "sum_sq", "pre_sum", "pre_sum_sq", "sum_pre",
                                        "den_sum", "den_sum_sq", "sum_den", "cap_value"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (!strcmp(s, names[i])) {
            *st = (StatsRowStat)i;
            return true;
        }
    if (!strncmp(s, "step_", 5) && atoi(s + 5) >= 1) {
        *st = SRS_STEP;
        *step = atoi(s + 5) - 1;
        return true;
    }
    return false;
}

/* A units row's per-unit column (the SqlColumn stat units_select names). */
static bool unit_stat_of(const char *s, StatsRowStat *st, int *step)
{
    static const struct {
        const char *name;
        StatsRowStat st;
    } names[] = {{"value", SRS_VALUE}, {"pre", SRS_PRE},
                 {"num", SRS_NUM},     {"den", SRS_DEN},
                 {"day", SRS_EVENT_DAY}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            *st = names[i].st;
            return true;
        }
    if (!strncmp(s, "step_", 5) && atoi(s + 5) >= 1) {
        *st = SRS_STEP;
        *step = atoi(s + 5) - 1;
        return true;
    }
    return false;
}

/* The slot (0-based) of a distribution or units result column: its position among
 * the step's segment_slot columns (named after the segments); -1 when it
 * is none of them. */
static int slot_of(const SqlStep *step, const char *name)
{
    int k = 0;
    for (int i = 0; i < step->ncolumns; i++) {
        const SqlColumn *sc = &step->columns[i];
        if (!sc->stat || strcmp(sc->stat, "segment_slot") != 0)
            continue;
        if (strcmp(sc->name, name) == 0)
            return k < STATS_ROW_MAX_SLOTS ? k : -1;
        k++;
    }
    return -1;
}

/* The name of slot k (the k-th segment_slot column), or "segment slot". */
static const char *slot_name(const SqlStep *step, int k)
{
    for (int i = 0; i < step->ncolumns; i++) {
        const SqlColumn *sc = &step->columns[i];
        if (sc->stat && strcmp(sc->stat, "segment_slot") == 0 && k-- == 0)
            return sc->name;
    }
    return "segment slot";
}

AbcStatus stats_rows_decoder(const SqlStep *step, int nsegments, const WhRow *first,
                             StatsRowDecoder **out, char *err, size_t errlen)
{
    StatsRowDecoder *d = calloc(1, sizeof *d);
    ColRole *cols = calloc(first->ncols ? first->ncols : 1, sizeof *cols);
    StatsRowMoment *mom = calloc(first->ncols ? first->ncols : 1, sizeof *mom);
    if (!d || !cols || !mom) {
        free(d);
        free(cols);
        free(mom);
        snprintf(err, errlen, "out of memory");
        return ABC_ERR_ENV;
    }
    d->step = step;
    d->ncols = first->ncols;
    d->cols = cols;
    d->moments = mom;
    bool have[R_MOMENT + 1] = {0}, slot_seen[STATS_ROW_MAX_SLOTS] = {0};
    for (unsigned i = 0; i < first->ncols; i++) {
        const char *n = first->names[i];
        ColRole *c = &cols[i];
        if (!strcmp(n, "analysis_date")) c->role = R_DATE;
        else if (!strcmp(n, "tracking_key")) c->role = R_KEY;
        else if (!strcmp(n, "variation_key")) c->role = R_VAR;
        else if (!strcmp(n, "segment")) c->role = R_SEG;
        else if (!strcmp(n, "segment_value")) c->role = R_SEGVAL;
        else if (step->shape == STATS_DISTRIBUTION && !strcmp(n, "value")) c->role = R_VALUE;
        else if (step->shape == STATS_DISTRIBUTION && !strcmp(n, "units")) c->role = R_UNITS;
        else if (step->shape == STATS_SURVIVAL && !strcmp(n, "day")) c->role = R_DAY;
        else if (step->shape == STATS_SURVIVAL && !strcmp(n, "events")) c->role = R_EVENTS;
        else if (step->shape == STATS_SURVIVAL && !strcmp(n, "censored")) c->role = R_CENSORED;
        else if (step->shape == STATS_UNITS && !strcmp(n, "days_observed")) c->role = R_DAYS_OBSERVED;
        else if ((step->shape == STATS_DISTRIBUTION || step->shape == STATS_UNITS) &&
                 (c->slot = slot_of(step, n)) >= 0) {
            /* a segment slot: the k-th segment_slot column of the step,
             * named after its segment */
            c->role = R_SLOT;
            slot_seen[c->slot] = true;
            if (c->slot + 1 > d->nslots)
                d->nslots = c->slot + 1;
        } else if (step->shape == STATS_MOMENTS || step->shape == STATS_UNITS) {
            bool units = step->shape == STATS_UNITS;
            for (int k = 0; k < step->ncolumns; k++) {
                const SqlColumn *sc = &step->columns[k];
                if (strcmp(sc->name, n) != 0)
                    continue;
                if (!units && sc->metric < 0 && !strcmp(sc->stat, "units"))
                    c->role = R_UNITS;
                else if (sc->metric >= 0 && (units ? unit_stat_of(sc->stat, &c->stat, &c->step)
                                                   : stat_of(sc->stat, &c->stat, &c->step))) {
                    c->role = R_MOMENT;
                    c->metric = sc->metric;
                }
                break;
            }
        }
        have[c->role] = true;
    }
    const char *missing = !have[R_DATE] ? "analysis_date" : !have[R_KEY] ? "tracking_key"
                        : !have[R_VAR] ? "variation_key" : NULL;
    if (!missing && step->shape != STATS_DISTRIBUTION && step->shape != STATS_UNITS)
        missing = !have[R_SEG] ? "segment" : !have[R_SEGVAL] ? "segment_value" : NULL;
    if (!missing && step->shape == STATS_UNITS)
        missing = !have[R_DAYS_OBSERVED] ? "days_observed" : NULL;
    if (!missing && (step->shape == STATS_DISTRIBUTION || step->shape == STATS_UNITS)) {
        if (step->shape == STATS_DISTRIBUTION)
            missing = !have[R_VALUE] ? "value" : !have[R_UNITS] ? "units" : NULL;
        for (int k = 0; !missing && k < nsegments && k < STATS_ROW_MAX_SLOTS; k++)
            if (!slot_seen[k])
                missing = slot_name(step, k);
    }
    if (!missing && step->shape == STATS_SURVIVAL)
        missing = !have[R_DAY] ? "day" : !have[R_EVENTS] ? "events" : !have[R_CENSORED] ? "censored" : NULL;
    if (missing) {
        snprintf(err, errlen, "step %s: result lacks column %s", step->name, missing);
        stats_rows_decoder_free(d);
        return ABC_ERR_SPEC;
    }
    *out = d;
    return ABC_OK;
}

static bool number(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

AbcStatus stats_rows_decode(StatsRowDecoder *d, const WhRow *row, StatsRow *out, char *err,
                            size_t errlen)
{
    if (row->ncols != d->ncols) {
        snprintf(err, errlen, "step %s: row %llu has %u columns, the result %u", d->step->name,
                 (unsigned long long)row->index, row->ncols, d->ncols);
        return ABC_ERR_SPEC;
    }
    memset(out, 0, sizeof *out);
    out->segment = out->segment_value = "";
    out->nslots = d->nslots;
    out->moments = d->moments;
    for (unsigned i = 0; i < row->ncols; i++) {
        const ColRole *c = &d->cols[i];
        const char *s = row->values[i];
        double v = 0;
        bool numeric = c->role >= R_UNITS;
        if (numeric && s && !number(s, &v)) {
            snprintf(err, errlen, "step %s: column %s: '%.30s' is not a number", d->step->name,
                     row->names[i], s);
            return ABC_ERR_SPEC;
        }
        switch (c->role) {
        case R_IGNORE: break;
        case R_DATE:
            if (!s || !date_parse_prefix(s, &out->date)) {
                snprintf(err, errlen, "step %s: analysis_date '%.20s' is not a date", d->step->name,
                         s ? s : "NULL");
                return ABC_ERR_SPEC;
            }
            break;
        case R_KEY: out->tracking_key = s; break;
        case R_VAR: out->variation_key = s; break;
        case R_SEG: out->segment = s ? s : ""; break;
        case R_SEGVAL: out->segment_value = s ? s : ""; break;
        case R_SLOT: out->slots[c->slot] = s ? s : "(null)"; break;
        case R_UNITS: out->units = v; break;
        case R_VALUE: out->value = v; break;
        case R_DAY: out->day = v; break;
        case R_EVENTS: out->events = v; break;
        case R_CENSORED: out->censored = v; break;
        case R_DAYS_OBSERVED: out->days_observed = v; break;
        case R_MOMENT:
            d->moments[out->nmoments++] =
                (StatsRowMoment){c->metric, c->stat, c->step, s ? v : NAN, s == NULL};
            break;
        }
    }
    if (!out->tracking_key || !out->variation_key)
        out->tracking_key = out->variation_key = NULL;
    return ABC_OK;
}

void stats_rows_decoder_free(StatsRowDecoder *d)
{
    if (!d)
        return;
    free(d->cols);
    free(d->moments);
    free(d);
}
