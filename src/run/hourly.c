/* hourly.c — the cumulative SRM p-value per experiment and hour (hourly.h). */
#include "abc/hourly.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abc/stats.h"

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
