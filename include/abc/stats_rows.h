/* stats_rows.h — statistics result sets decoded into typed rows.
 *
 * Contract: a StatsRowDecoder is built once per statistics step from the
 * step's shape and its result set's column names (stats_rows_decoder);
 * every row is then decoded by column position, never by name
 * (stats_rows_decode), into a StatsRow whose numbers are doubles and whose
 * strings are borrowed from the warehouse row (valid during the callback).
 * Bad input — a missing dimension column, text where a number belongs, a
 * date that is not one — is ABC_ERR_SPEC naming the step and column.
 * results.c consumes StatsRow only; it never sees the warehouse's row type.
 */
#ifndef ABC_STATS_ROWS_H
#define ABC_STATS_ROWS_H

#include <stdbool.h>

#include "abc/sqlgen.h"
#include "abc/wh.h"

#define STATS_ROW_MAX_SLOTS 16

typedef enum StatsRowStat {
    /* moments rows */
    SRS_N, SRS_SUM, SRS_SUM_SQ, SRS_PRE_SUM, SRS_PRE_SUM_SQ, SRS_SUM_PRE, SRS_DEN_SUM,
    SRS_DEN_SUM_SQ, SRS_SUM_DEN, SRS_CAP,
    SRS_STEP, /* moments: a funnel step's count; units: the unit's step flag */
    /* unit rows: the unit's value (a percentile capped metric's
     * uncapped), CUPED covariate, mean numerator and denominator, a
     * time-to-event metric's day of the event (NULL: none yet) */
    SRS_VALUE, SRS_PRE, SRS_NUM, SRS_DEN, SRS_EVENT_DAY
} StatsRowStat;

/* One moment of one metric in a moments row (a unit's value in a units row). */
typedef struct StatsRowMoment {
    int metric;
    StatsRowStat stat;
    int step;        /* SRS_STEP: 0-based funnel step */
    double value;
    bool is_null;
} StatsRowMoment;

typedef struct StatsRow {
    long date;                          /* analysis date, day number */
    const char *tracking_key;           /* NULL: the row has NULL keys */
    const char *variation_key;
    const char *segment, *segment_value; /* moments and survival rows ("" = all users) */
    int nslots;                         /* distribution and units rows: the segments' values */
    const char *slots[STATS_ROW_MAX_SLOTS];
    double units;                       /* moments: units; distribution: count of the value */
    double value;                       /* distribution: the per-unit value */
    double day, events, censored;       /* survival */
    double days_observed;               /* units */
    int nmoments;
    StatsRowMoment *moments;            /* decoder-owned, valid until the next decode */
} StatsRow;

typedef struct StatsRowDecoder StatsRowDecoder;

/* Build the decoder from the step and the first row's column names. */
AbcStatus stats_rows_decoder(const SqlStep *step, int nsegments, const WhRow *first,
                             StatsRowDecoder **out, char *err, size_t errlen) ABC_MUST_CHECK;
AbcStatus stats_rows_decode(StatsRowDecoder *d, const WhRow *row, StatsRow *out, char *err,
                            size_t errlen) ABC_MUST_CHECK;
void stats_rows_decoder_free(StatsRowDecoder *d);

#endif
