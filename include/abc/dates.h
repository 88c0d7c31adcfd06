/* dates.h — calendar dates as day numbers (days since 1970-01-01, UTC),
 * strict parsing of YYYY-MM-DD, and formatting.  Pure functions. */
#ifndef ABC_DATES_H
#define ABC_DATES_H

#include <stdbool.h>

/* Parse exactly "YYYY-MM-DD" (a real calendar date, years 1900..9999);
 * false on anything else.  *day only on success. */
bool date_parse(const char *s, long *day);
/* Parse the date part of an ISO 8601 timestamp ("2026-10-01T00:00:00Z"). */
bool date_parse_prefix(const char *s, long *day);
/* "YYYY-MM-DD" into out[11]. */
void date_format(long day, char out[11]);
/* Today in UTC, or ABC_TODAY from the environment when set (tests, demos). */
bool date_today(long *day);

#endif
