/* hourly.h — the cumulative sample-ratio check of the hourly series
 * (specs with `hourly;`, docs/TABLES.md "Hourly series").
 *
 * The hourly_cumulative step returns, per experiment, hour and variation,
 * the units exposed up to the end of that hour and the variation's weight;
 * hourly_srm() turns each experiment-hour into the Pearson chi-square
 * p-value of those counts against the weights (stats_srm, the kernel's
 * SRM test), so a broken rollout shows within the hour.
 *
 * Ownership: the strings of the results are the rows' own (borrowed).
 */
#ifndef ABC_HOURLY_H
#define ABC_HOURLY_H

#include <stdbool.h>

/* Times as whole seconds since 1970-01-01 UTC.  'YYYY-MM-DD HH:MM:SS' (or
 * a date alone: its midnight) → *t; false on anything else. */
bool hourly_ts_parse(const char *s, long long *t);
/* t → 'YYYY-MM-DD HH:MM:SS' in out[20]. */
void hourly_ts_format(long long t, char out[20]);

typedef struct HourlyCumulative {
    const char *hour;          /* 'YYYY-MM-DD HH:00:00' */
    const char *tracking_key, *variation_key;
    double cumulative;         /* units exposed up to the end of the hour */
    double weight;             /* the variation's weight; NaN when unknown */
} HourlyCumulative;

typedef struct HourlySrm {
    const char *hour, *tracking_key;
    double p_value;            /* NaN: nobody exposed yet, or no usable weights */
} HourlySrm;

/* rows: grouped by tracking key and hour (each group's rows consecutive,
 * as hourly_cumulative orders them).  Writes one result per group to out
 * (room for n) and returns how many. */
int hourly_srm(const HourlyCumulative *rows, int n, HourlySrm *out);

#endif
