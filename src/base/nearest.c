/* nearest.c — the valid word nearest to a mistyped one, for "did you
 * mean" hints of the command line and of abc.yaml: an edit distance with
 * transpositions, a cut-off that grows with the word, and no hint when two
 * candidates are equally near. */
#include "abc/base.h"

#include <stdio.h>
#include <string.h>

int word_distance(const char *a, const char *b)
{
    /* optimal string alignment: insertions, deletions, substitutions and
     * transpositions of neighbours cost 1 (so "metirc" is 1 from "metric") */
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *word_nearest(const char *word, const char *const *cands)
{
    /* an option given as --name=value is compared by its name */
    char w[80];
    snprintf(w, sizeof w, "%s", word);
    char *eq = strncmp(w, "--", 2) == 0 ? strchr(w, '=') : NULL;
    if (eq)
        *eq = '\0';
    size_t len = strlen(w);
    const char *best = NULL;
    int best_d = 99, ties = 0;
    for (size_t i = 0; cands[i]; i++) {
        int d = word_distance(w, cands[i]);
        /* a unique abbreviation counts as one edit away */
        if (d > 1 && len >= 4 && strncmp(cands[i], w, len) == 0)
            d = 1;
        if (d < best_d) {
            best = cands[i], best_d = d, ties = 0;
        } else if (d == best_d) {
            ties++;
        }
    }
    size_t core = len > 2 && w[0] == '-' && w[1] == '-' ? len - 2 : len;
    int limit = core <= 3 ? 1 : core <= 6 ? 2 : 3;
    if (!best || best_d == 0 || best_d > limit || ties)
        return NULL;
    return best;
}
