/* hourly.c — the cumulative SRM p-value per experiment and hour (hourly.h). */
#include "abc/hourly.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc/dates.h"
#include "abc/stats.h"

enum { DAY_S = 86400 };

void hourly_ts_format(long long t, char out[20])
{
    long day = (long)(t / DAY_S);
    unsigned s = (unsigned)(t % DAY_S);
    date_format(day, out); /* out[0..9] */
    out[10] = ' ';
    out[11] = (char)('0' + s / 36000 % 10);
    out[12] = (char)('0' + s / 3600 % 10);
    out[13] = ':';
    out[14] = (char)('0' + s / 600 % 6);
    out[15] = (char)('0' + s / 60 % 10);
    out[16] = ':';
    out[17] = (char)('0' + s % 60 / 10);
    out[18] = (char)('0' + s % 10);
    out[19] = '\0';
}

/* 'YYYY-MM-DD HH:MM:SS' (or a date alone: midnight). */
bool hourly_ts_parse(const char *s, long long *t)
{
    long day;
    if (!s || !date_parse_prefix(s, &day))
        return false;
    int h = 0, m = 0, sec = 0;
    if (strlen(s) > 10) {
        char tail;
        if (sscanf(s + 10, " %2d:%2d:%2d%c", &h, &m, &sec, &tail) != 3 || h > 23 || m > 59 ||
            sec > 59 || h < 0 || m < 0 || sec < 0)
            return false;
    }
    *t = (long long)day * DAY_S + h * 3600 + m * 60 + sec;
    return true;
}

static double group_p(const HourlyCumulative *g, int k)
{
    double *n = malloc(sizeof(double) * (size_t)k), *w = malloc(sizeof(double) * (size_t)k);
    if (!n || !w)
        abort();
    double total = 0, wsum = 0;
    bool ok = true;
    for (int i = 0; i < k; i++) {
        n[i] = g[i].cumulative;
        w[i] = g[i].weight;
        ok = ok && isfinite(n[i]) && n[i] >= 0 && isfinite(w[i]) && w[i] >= 0;
        total += n[i];
        wsum += w[i];
    }
    double p = NAN;
    if (ok && total > 0 && wsum > 0) {
        for (int i = 0; i < k; i++)
            w[i] /= wsum; /* stats_srm wants weights summing to 1 */
        if (stats_srm(n, w, (size_t)k, &p) != ABC_OK)
            p = NAN;
    }
    free(n);
    free(w);
    return p;
}

static bool same_group(const HourlyCumulative *a, const HourlyCumulative *b)
{
    return strcmp(a->tracking_key, b->tracking_key) == 0 && strcmp(a->hour, b->hour) == 0;
}

int hourly_srm(const HourlyCumulative *rows, int n, HourlySrm *out)
{
    int ng = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && same_group(&rows[i], &rows[j]))
            j++;
        out[ng++] = (HourlySrm){rows[i].hour, rows[i].tracking_key, group_p(rows + i, j - i)};
        i = j;
    }
    return ng;
}
