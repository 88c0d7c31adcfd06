/* stats_bench.c — timing of the statistics kernel.
 *
 *   stats_bench cells [N]        N cells (default 100000) of two-arm sufficient
 *                                statistics through Welch t-test + Gaussian
 *                                Bayesian + confidence sequence
 *   stats_bench bootstrap [N R]  Poisson bootstrap, N units per arm, R resamples
 *   stats_bench mw [N]           Mann-Whitney U, N units per arm
 *
 * Prints one line "name seconds checksum" per run; data is generated with a
 * seeded gsl_rng so runs are comparable.
 */
#include "abc/stats.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench_cells(size_t n)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    StatsSums *cells = malloc(2 * n * sizeof *cells);
    if (!r || !cells)
        return 3;
    gsl_rng_set(r, 1);
    for (size_t i = 0; i < 2 * n; i++) {
        double units = 1000 + gsl_rng_uniform_int(r, 100000);
        double mean = 5 + gsl_rng_uniform(r), sd = 1 + gsl_rng_uniform(r);
        cells[i] = (StatsSums){.n = units, .sum = mean * units,
                               .sum_sq = (sd * sd + mean * mean) * units};
    }
    double t0 = now(), check = 0;
    for (size_t i = 0; i < n; i++) {
        StatsMoments a, b;
        if (stats_moments(STATS_MEAN, &cells[2 * i], &a) != ABC_OK ||
            stats_moments(STATS_MEAN, &cells[2 * i + 1], &b) != ABC_OK)
            return 1;
        StatsEffect e = stats_effect(STATS_RELATIVE, &a, &b);
        StatsTest t, cs;
        StatsBayes bay;
        if (stats_ttest(&e, stats_welch_dof(&a, &b), 0.05, STATS_TWO_SIDED, STATS_HIGHER_BETTER,
                        &t) != ABC_OK ||
            stats_bayes_gaussian(&e, 0, 0, 0.05, STATS_HIGHER_BETTER, &bay) != ABC_OK ||
            stats_cs(&e, a.n + b.n, 0.05, 5000, &cs) != ABC_OK)
            return 1;
        check += t.p_value + bay.chance_to_win + cs.ci_lo;
    }
    double dt = now() - t0;
    printf("cells %.6f %.10g n=%zu\n", dt, check, n);
    free(cells);
    gsl_rng_free(r);
    return 0;
}

static double *sample(gsl_rng *r, size_t n, double shift)
{
    double *x = malloc(n * sizeof *x);
    if (!x)
        return NULL;
    for (size_t i = 0; i < n; i++)
        x[i] = floor(gsl_ran_exponential(r, 2.0) * 100) / 100 + shift; /* ties, as real data */
    return x;
}

static int bench_raw(const char *what, size_t n, size_t resamples)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return 3;
    gsl_rng_set(r, 2);
    double *a = sample(r, n, 0), *b = sample(r, n, 0.01);
    if (!a || !b)
        return 3;
    double t0 = now(), check;
    if (strcmp(what, "mw") == 0) {
        StatsMannWhitney mw;
        if (stats_mann_whitney(a, n, b, n, &mw) != ABC_OK)
            return 1;
        check = mw.p_value;
    } else {
        StatsBootstrap bs;
        if (stats_bootstrap(a, n, b, n, STATS_ABSOLUTE, resamples, 42, 0.05, &bs) != ABC_OK)
            return 1;
        check = bs.ci_lo;
    }
    printf("%s %.6f %.10g n=%zu\n", what, now() - t0, check, n);
    free(a);
    free(b);
    gsl_rng_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    stats_init();
    const char *what = argc > 1 ? argv[1] : "cells";
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    if (strcmp(what, "cells") == 0)
        return bench_cells(n ? n : 100000);
    if (strcmp(what, "mw") == 0)
        return bench_raw("mw", n ? n : 1000000, 0);
    if (strcmp(what, "bootstrap") == 0)
        return bench_raw("bootstrap", n ? n : 1000000,
                         argc > 3 ? strtoul(argv[3], NULL, 10) : 1000);
    fprintf(stderr, "usage: stats_bench cells|bootstrap|mw [N [R]]\n");
    return 2;
}
