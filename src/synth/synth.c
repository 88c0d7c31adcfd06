/* synth.c — generate a seeded synthetic product dataset with known effects
 * and load it into the warehouse.
 *
 * Order of work: resolve the configuration into one ExpPlan per experiment
 * (exposure window, cumulative weights after the SRM fault, per-variation
 * lever multipliers); create staging tables ods.<t>__synth; walk the users in
 * order, each one day by day through the data window, appending rows as
 * tab-separated text to one temp file per table; load a file whenever it
 * grows past a chunk (LOAD DATA LOCAL INFILE, or 1000-row INSERTs when the
 * server refuses LOCAL loads); finally swap the staging tables in with one
 * atomic RENAME TABLE.  A failed run drops the staging tables and leaves the
 * previous dataset intact.
 *
 * Every random draw comes from one gsl_rng (mt19937) in a fixed order, so
 * the rows depend only on the configuration.  Numbers are written as fixed
 * decimals from integers (tenths of seconds, cents, 1/10000 of revenue) so
 * the text, and thus CHECKSUM TABLE, is identical across runs and machines.
 */
#include "abc/synth.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_BYTES (48u << 20) /* load a temp file when it grows past this */
#define INSERT_ROWS 1000
#define DAY_START (7 * 3600)    /* sessions start between 07:00 and 23:00 */
#define DAY_SPAN (16 * 3600)
#define MAX_SESSIONS 16
#define REPEAT_VIEW_P 0.2       /* experiment_viewed again on a later active day */

static const char *const k_lever_names[SYN_LEVER_COUNT] = {
    "active",        "sessions",   "session_seconds", "paywall_view",  "trial_start",
    "subscribe",     "recharge",   "recharge_amount", "ad_impression", "ad_click",
    "ad_revenue",    "chat_message", "crash",
};

const char *synth_lever_name(SynthLever l)
{
    return (unsigned)l < SYN_LEVER_COUNT ? k_lever_names[l] : "?";
}

int synth_lever_find(const char *name, SynthLever *out)
{
    for (int i = 0; i < SYN_LEVER_COUNT; i++)
        if (strcmp(name, k_lever_names[i]) == 0) {
            *out = (SynthLever)i;
            return 0;
        }
    return -1;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) ABC_PRINTF(3, 4);
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- dates ------------------------------------------------------------------ */

/* days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's
 * days_from_civil algorithm) */
static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

static void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (*m <= 2);
}

int synth_parse_date(const char *s, int32_t *out)
{
    if (!s || strlen(s) < 10)
        return -1;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return -1;
        } else if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
    }
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (y < 1971 || y > 9998 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int32_t z = days_from_civil(y, m, d);
    int y2;
    unsigned m2, d2;
    civil_from_days(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return -1; /* e.g. 2026-02-30 */
    *out = z;
    return 0;
}

void synth_format_date(int32_t day, char out[11])
{
    int y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02u-%02u", y, m % 100, d % 100);
}

/* ---- effects ---------------------------------------------------------------- */

AbcStatus synth_parse_effect(char *arg, SynthEffect *out, char *err, size_t errlen)
{
    SynthEffect e = {0};
    char *eq = strrchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        set_err(err, errlen, "--effect %s: expected [EXPERIMENT[/VARIATION]:]METRIC=VALUE", arg);
        return ABC_ERR_USAGE;
    }
    *eq = 0;
    char *val = eq + 1;
    char *metric = arg;
    char *colon = strrchr(arg, ':');
    if (colon) {
        *colon = 0;
        metric = colon + 1;
        char *slash = strchr(arg, '/');
        if (slash) {
            *slash = 0;
            e.variation = slash + 1;
            if (!*e.variation) {
                set_err(err, errlen, "--effect: empty variation after '/'");
                return ABC_ERR_USAGE;
            }
        }
        e.experiment = arg;
        if (!*e.experiment) {
            set_err(err, errlen, "--effect: empty experiment before ':'");
            return ABC_ERR_USAGE;
        }
    }
    if (synth_lever_find(metric, &e.lever) != 0) {
        Buf names;
        buf_init(&names);
        for (int i = 0; i < SYN_LEVER_COUNT; i++)
            buf_printf(&names, "%s%s", i ? ", " : "", k_lever_names[i]);
        set_err(err, errlen, "--effect: unknown metric '%s' (one of: %s)", metric, names.data);
        buf_free(&names);
        return ABC_ERR_USAGE;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(val, &end);
    if (errno != 0 || end == val || *end != 0 || !isfinite(v) || v <= -1.0 || v > 100.0) {
        set_err(err, errlen, "--effect %s: value '%s' must be a number in (-1, 100]", metric, val);
        return ABC_ERR_USAGE;
    }
    e.value = v;
    *out = e;
    return ABC_OK;
}

static int exp_matches(const GbExperiment *e, const char *name)
{
    return strcmp(e->tracking_key, name) == 0 || strcmp(e->id, name) == 0;
}

static const GbExperiment *find_exp(const GbTagConfig *c, const char *name)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n_experiments; i++)
        if (exp_matches(&c->experiments[i], name))
            return &c->experiments[i];
    return NULL;
}

/* ---- plan ------------------------------------------------------------------- */

typedef struct ExpPlan {
    const GbExperiment *e;
    int32_t first_day, end_day;          /* exposure window [first, end) in the data */
    int in_window;                       /* 0: phase misses the window, no exposures */
    double *cum;                         /* cumulative weights, last == 1 */
    double (*eff)[SYN_LEVER_COUNT];      /* per variation: true effect, 0 = none */
    double (*mult)[SYN_LEVER_COUNT];     /* per variation: 1 + effect */
    double shift;                        /* SRM shift applied */
} ExpPlan;

typedef struct Plan {
    ExpPlan *exps;
    size_t n;
    int32_t data_first, data_end;        /* [start - pre_days, start + days) */
} Plan;

static void plan_free(Plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->exps[i].cum);
        free(p->exps[i].mult);
        free(p->exps[i].eff);
    }
    free(p->exps);
    p->exps = NULL;
    p->n = 0;
}

static double effect_for(const SynthConfig *cfg, const GbExperiment *e, const GbVariation *v,
                         SynthLever l)
{
    double val = 0.0;
    int best = -1;
    for (size_t i = 0; i < cfg->n_effects; i++) {
        const SynthEffect *f = &cfg->effects[i];
        if (f->lever != l)
            continue;
        if (f->experiment && !exp_matches(e, f->experiment))
            continue;
        if (f->variation && strcmp(f->variation, v->key) != 0)
            continue;
        int spec = (f->experiment ? 2 : 0) + (f->variation ? 1 : 0);
        if (spec >= best) {
            best = spec;
            val = f->value;
        }
    }
    return val;
}

static AbcStatus plan_build(const SynthConfig *cfg, Plan *out, char *err, size_t errlen)
{
    Plan p = {0};
    AbcStatus st = ABC_OK;
    const GbTagConfig *c = cfg->experiments;

    p.data_first = cfg->start - cfg->pre_days;
    p.data_end = cfg->start + cfg->days;
    size_t n = c ? c->n_experiments : 0;
    if (n) {
        p.exps = calloc(n, sizeof *p.exps);
        if (!p.exps)
            goto oom;
    }
    for (size_t i = 0; i < n; i++) {
        const GbExperiment *e = &c->experiments[i];
        ExpPlan *x = &p.exps[i];
        p.n = i + 1;
        x->e = e;
        int32_t ps, pe = p.data_end;
        if (synth_parse_date(e->date_started, &ps) != 0) {
            set_err(err, errlen, "experiment %s: bad phase start '%s'", e->tracking_key,
                    e->date_started);
            st = ABC_ERR_SPEC;
            goto fail;
        }
        if (e->date_ended && *e->date_ended) {
            if (synth_parse_date(e->date_ended, &pe) != 0) {
                set_err(err, errlen, "experiment %s: bad phase end '%s'", e->tracking_key,
                        e->date_ended);
                st = ABC_ERR_SPEC;
                goto fail;
            }
        }
        x->first_day = ps > p.data_first ? ps : p.data_first;
        x->end_day = pe < p.data_end ? pe : p.data_end;
        x->in_window = x->first_day < x->end_day;

        size_t nv = e->n_variations;
        x->cum = calloc(nv, sizeof *x->cum);
        x->mult = calloc(nv, sizeof *x->mult);
        x->eff = calloc(nv, sizeof *x->eff);
        if (!x->cum || !x->mult || !x->eff)
            goto oom;
        double w[64];
        double total = 0;
        if (nv > 64) {
            set_err(err, errlen, "experiment %s: more than 64 variations", e->tracking_key);
            st = ABC_ERR_SPEC;
            goto fail;
        }
        for (size_t v = 0; v < nv; v++)
            w[v] = e->variations[v].weight;
        for (size_t s = 0; s < cfg->n_srm; s++) {
            if (!exp_matches(e, cfg->srm[s].experiment))
                continue;
            double sh = cfg->srm[s].shift;
            if (sh > w[nv - 1]) {
                set_err(err, errlen, "--srm %s=%g: shift exceeds the weight %g of the last variation",
                        cfg->srm[s].experiment, sh, w[nv - 1]);
                st = ABC_ERR_USAGE;
                goto fail;
            }
            w[0] += sh;
            w[nv - 1] -= sh;
            x->shift = sh;
        }
        for (size_t v = 0; v < nv; v++)
            total += w[v];
        if (!(total > 0)) {
            set_err(err, errlen, "experiment %s: traffic weights sum to 0", e->tracking_key);
            st = ABC_ERR_SPEC;
            goto fail;
        }
        double acc = 0;
        for (size_t v = 0; v < nv; v++) {
            acc += w[v] / total;
            x->cum[v] = v + 1 == nv ? 1.0 : acc;
            for (int l = 0; l < SYN_LEVER_COUNT; l++) {
                x->eff[v][l] = v == 0 ? 0.0 : effect_for(cfg, e, &e->variations[v], (SynthLever)l);
                x->mult[v][l] = 1.0 + x->eff[v][l];
            }
        }
    }
    *out = p;
    return ABC_OK;
oom:
    set_err(err, errlen, "synth: out of memory");
    st = ABC_ERR_ENV;
fail:
    plan_free(&p);
    return st;
}

/* Validate cfg; print the plan to o when non-NULL. */
/* ---- growth plant: weeks ----------------------------------------------------- */

int synth_growth_weeks(const SynthConfig *cfg, int32_t *cohort_week, int32_t *lapse_week,
                       int32_t *wave_week)
{
    int32_t first = cfg->start - cfg->pre_days, end = cfg->start + cfg->days;
    /* 1970-01-01 (day 0) was a Thursday: Mondays are the days d with (d + 3) % 7 == 0 */
    int32_t monday = first + (int32_t)((7 - ((first % 7 + 7 + 3) % 7)) % 7);
    int nfull = 0;
    for (int32_t m = monday; m + 6 < end; m += 7)
        nfull++;
    if (nfull < 3)
        return -1;
    *lapse_week = monday;
    *wave_week = monday + 7 * (nfull - 1);
    *cohort_week = *wave_week - 7;
    return 0;
}

/* The cohort users active again the week after: round(retention × size). */
static uint64_t growth_retained(const SynthConfig *cfg)
{
    return (uint64_t)llround(cfg->cohort_retention * (double)cfg->cohort_users);
}

static AbcStatus check_config(const SynthConfig *cfg, FILE *o, char *err, size_t errlen)
{
    const GbTagConfig *c = cfg->experiments;
    if (cfg->users < 1 || cfg->users > 50000000) {
        set_err(err, errlen, "--users must be between 1 and 50000000");
        return ABC_ERR_USAGE;
    }
    if (cfg->days < 1 || cfg->pre_days < 0 || cfg->days + cfg->pre_days > 3660) {
        set_err(err, errlen, "--days must be >= 1, --pre-days >= 0, together at most 3660");
        return ABC_ERR_USAGE;
    }
    if (!(cfg->multi_exposure >= 0 && cfg->multi_exposure <= 1)) {
        set_err(err, errlen, "--multi-exposure must be a share in [0, 1]");
        return ABC_ERR_USAGE;
    }
    if (!(cfg->cohort_retention >= 0 && cfg->cohort_retention <= 1)) {
        set_err(err, errlen, "--cohort-retention must be a share in [0, 1]");
        return ABC_ERR_USAGE;
    }
    if (cfg->cohort_users > 50000000 || cfg->wave_users > 50000000) {
        set_err(err, errlen, "--cohort and --wave must be between 0 and 50000000");
        return ABC_ERR_USAGE;
    }
    for (size_t i = 0; i < cfg->n_effects; i++) {
        const SynthEffect *f = &cfg->effects[i];
        if (!c || c->n_experiments == 0) {
            set_err(err, errlen, "--effect %s: no experiments (give --snapshot)",
                    synth_lever_name(f->lever));
            return ABC_ERR_USAGE;
        }
        if (!f->experiment)
            continue;
        const GbExperiment *e = find_exp(c, f->experiment);
        if (!e) {
            set_err(err, errlen, "--effect: no experiment '%s' in the snapshot", f->experiment);
            return ABC_ERR_USAGE;
        }
        if (f->variation) {
            size_t v = 0;
            while (v < e->n_variations && strcmp(e->variations[v].key, f->variation) != 0)
                v++;
            if (v == e->n_variations) {
                set_err(err, errlen, "--effect: experiment %s has no variation '%s'",
                        e->tracking_key, f->variation);
                return ABC_ERR_USAGE;
            }
            if (v == 0) {
                set_err(err, errlen, "--effect: variation '%s' of %s is the control",
                        f->variation, e->tracking_key);
                return ABC_ERR_USAGE;
            }
        }
    }
    for (size_t i = 0; i < cfg->n_srm; i++) {
        if (!find_exp(c, cfg->srm[i].experiment)) {
            set_err(err, errlen, "--srm: no experiment '%s' in the snapshot", cfg->srm[i].experiment);
            return ABC_ERR_USAGE;
        }
        if (!(cfg->srm[i].shift > 0 && cfg->srm[i].shift < 1)) {
            set_err(err, errlen, "--srm %s: shift must be in (0, 1)", cfg->srm[i].experiment);
            return ABC_ERR_USAGE;
        }
    }

    Plan p;
    AbcStatus st = plan_build(cfg, &p, err, errlen);
    if (st != ABC_OK)
        return st;
    if (o) {
        char a[11], b[11], s[11];
        synth_format_date(p.data_first, a);
        synth_format_date(p.data_end - 1, b);
        synth_format_date(cfg->start, s);
        fprintf(o, "synth: %llu users, %s..%s (%d pre-period days, experiment period from %s, %d days), seed %llu\n",
                (unsigned long long)cfg->users, a, b, cfg->pre_days, s, cfg->days,
                (unsigned long long)cfg->seed);
        for (size_t i = 0; i < p.n; i++) {
            const ExpPlan *x = &p.exps[i];
            if (!x->in_window) {
                fprintf(o, "synth: experiment %s: latest phase (%s) misses the data window: no exposures\n",
                        x->e->tracking_key, x->e->date_started);
                continue;
            }
            synth_format_date(x->first_day, a);
            synth_format_date(x->end_day - 1, b);
            fprintf(o, "synth: experiment %s: %zu variations, coverage %.2f, exposures %s..%s\n",
                    x->e->tracking_key, x->e->n_variations, x->e->coverage, a, b);
            for (size_t v = 1; v < x->e->n_variations; v++)
                for (int l = 0; l < SYN_LEVER_COUNT; l++)
                    if (x->eff[v][l] != 0.0)
                        fprintf(o, "synth:   true effect %s variation %s %s %+.1f%%\n",
                                x->e->tracking_key, x->e->variations[v].key, k_lever_names[l],
                                x->eff[v][l] * 100.0);
            if (x->shift > 0)
                fprintf(o, "synth:   fault: SRM, %.3f of traffic moved from variation %s to %s\n",
                        x->shift, x->e->variations[x->e->n_variations - 1].key,
                        x->e->variations[0].key);
        }
        if (cfg->multi_exposure > 0)
            fprintf(o, "synth: fault: %.2f%% of exposed users also logged in a second variation\n",
                    cfg->multi_exposure * 100.0);
        int32_t cw, lw, ww;
        if (cfg->cohort_users + cfg->wave_users == 0) {
            fprintf(o, "synth: growth plant: none (--cohort 0 --wave 0)\n");
        } else if (synth_growth_weeks(cfg, &cw, &lw, &ww) != 0) {
            fprintf(o, "synth: growth plant: none (it needs three full ISO weeks of data)\n");
        } else {
            char w1[11], w2[11], w3[11];
            synth_format_date(cw, w1);
            synth_format_date(cw + 7, w2);
            synth_format_date(lw, w3);
            if (cfg->cohort_users)
                fprintf(o, "synth: growth plant: a cohort of %llu users first active in the week of %s, "
                           "%llu of them (%.1f%%) active again in the week of %s\n",
                        (unsigned long long)cfg->cohort_users, w1, (unsigned long long)growth_retained(cfg),
                        cfg->cohort_retention * 100.0, w2);
            synth_format_date(ww, w1);
            if (cfg->wave_users)
                fprintf(o, "synth: growth plant: a wave of %llu users active in the week of %s, idle, "
                           "back (resurrected) in the week of %s\n",
                        (unsigned long long)cfg->wave_users, w3, w1);
        }
    }
    plan_free(&p);
    return ABC_OK;
}

AbcStatus synth_check(const SynthConfig *cfg, char *err, size_t errlen)
{
    return check_config(cfg, cfg->progress, err, errlen);
}

/* ---- loaders: temp TSV file per table ---------------------------------------- */

typedef struct Loader {
    const char *table;      /* final name, e.g. "app_events" */
    const char *columns;    /* "(a, b, ...)" */
    char path[PATH_MAX];
    FILE *f;
    Buf row;                /* pending bytes, written in blocks */
    size_t bytes_in_file;
    uint64_t rows_in_file;
    uint64_t rows;
    unsigned chunks;
} Loader;

typedef struct Ctx {
    Warehouse *w;
    const SynthConfig *cfg;
    SynthLoad load;
    struct timespec t0;
} Ctx;

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static AbcStatus loader_open(Loader *l, const char *dir, const char *table, const char *columns,
                             char *err, size_t errlen)
{
    l->table = table;
    l->columns = columns;
    buf_init(&l->row);
    snprintf(l->path, sizeof l->path, "%s/%s.tsv", dir, table);
    l->f = fopen(l->path, "w");
    if (!l->f) {
        set_err(err, errlen, "synth: cannot create %s: %s", l->path, strerror(errno));
        return ABC_ERR_ENV;
    }
    return ABC_OK;
}

static void loader_close(Loader *l)
{
    if (l->f)
        fclose(l->f);
    l->f = NULL;
    if (l->path[0])
        unlink(l->path);
    buf_free(&l->row);
}

static AbcStatus loader_write(Loader *l, char *err, size_t errlen)
{
    if (l->row.len && fwrite(l->row.data, 1, l->row.len, l->f) != l->row.len) {
        set_err(err, errlen, "synth: writing %s: %s", l->path, strerror(errno));
        return ABC_ERR_ENV;
    }
    l->bytes_in_file += l->row.len;
    buf_reset(&l->row);
    return ABC_OK;
}

/* Append a SQL literal for one TSV field (\N = NULL); the field is
 * unescaped as LOAD DATA ... ESCAPED BY '\\' would (see put_tsv_text). */
static void put_literal(Warehouse *w, Buf *b, const char *s, size_t n)
{
    if (n == 2 && s[0] == '\\' && s[1] == 'N') {
        buf_puts(b, "NULL");
        return;
    }
    Buf raw;
    buf_init(&raw);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\\' && i + 1 < n) {
            ch = s[++i];
            ch = ch == 't' ? '\t' : ch == 'n' ? '\n' : ch;
        }
        buf_putc(&raw, ch);
    }
    buf_putc(b, '\'');
    wh_escape(w, b, raw.data ? raw.data : "", raw.len);
    buf_putc(b, '\'');
    buf_free(&raw);
}

/* A text field from outside (GrowthBook keys) in a TSV row: backslash, tab
 * and newline escaped, as LOAD DATA ... ESCAPED BY '\\' reads them. */
static void put_tsv_text(Buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            buf_puts(b, "\\\\");
        else if (*s == '\t')
            buf_puts(b, "\\t");
        else if (*s == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *s);
    }
}

static AbcStatus load_by_insert(Ctx *c, Loader *l, char *err, size_t errlen)
{
    AbcStatus st = ABC_OK;
    FILE *in = fopen(l->path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    Buf sql;
    unsigned rows = 0;
    buf_init(&sql);
    if (!in) {
        set_err(err, errlen, "synth: cannot read %s: %s", l->path, strerror(errno));
        return ABC_ERR_ENV;
    }
    while ((n = getline(&line, &cap, in)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = 0;
        if (rows == 0)
            buf_printf(&sql, "INSERT INTO ods.%s__synth %s VALUES ", l->table, l->columns);
        else
            buf_putc(&sql, ',');
        buf_putc(&sql, '(');
        const char *p = line;
        for (int first = 1;; first = 0) {
            const char *tab = strchr(p, '\t');
            size_t len = tab ? (size_t)(tab - p) : strlen(p);
            if (!first)
                buf_putc(&sql, ',');
            put_literal(c->w, &sql, p, len);
            if (!tab)
                break;
            p = tab + 1;
        }
        buf_putc(&sql, ')');
        if (++rows == INSERT_ROWS) {
            st = wh_exec(c->w, sql.data, NULL, err, errlen);
            if (st != ABC_OK)
                goto out;
            buf_reset(&sql);
            rows = 0;
        }
    }
    if (rows)
        st = wh_exec(c->w, sql.data, NULL, err, errlen);
out:
    free(line);
    fclose(in);
    buf_free(&sql);
    return st;
}

/* Load the rows written so far and start a new file. */
static AbcStatus loader_flush(Ctx *c, Loader *l, char *err, size_t errlen)
{
    AbcStatus st = loader_write(l, err, errlen);
    if (st != ABC_OK)
        return st;
    if (l->rows_in_file == 0)
        return ABC_OK;
    if (fclose(l->f) != 0) {
        l->f = NULL;
        set_err(err, errlen, "synth: writing %s: %s", l->path, strerror(errno));
        return ABC_ERR_ENV;
    }
    l->f = NULL;
    if (c->load != SYNTH_LOAD_INSERT) {
        Buf sql;
        buf_init(&sql);
        buf_puts(&sql, "LOAD DATA LOCAL INFILE '");
        wh_escape(c->w, &sql, l->path, strlen(l->path));
        buf_printf(&sql, "' INTO TABLE ods.%s__synth CHARACTER SET utf8mb4 "
                         "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' %s",
                   l->table, l->columns);
        st = wh_exec(c->w, sql.data, NULL, err, errlen);
        buf_free(&sql);
        if (st != ABC_OK && c->load == SYNTH_LOAD_AUTO && wh_last_error(c->w) == WH_ERR_LOCAL_INFILE) {
            if (c->cfg->progress)
                fprintf(c->cfg->progress, "synth: LOAD DATA LOCAL refused (%u); using INSERTs\n",
                        wh_last_errno(c->w));
            c->load = SYNTH_LOAD_INSERT;
        } else if (st == ABC_OK) {
            c->load = SYNTH_LOAD_INFILE;
        }
    }
    if (c->load == SYNTH_LOAD_INSERT)
        st = load_by_insert(c, l, err, errlen);
    if (st != ABC_OK)
        return st;
    l->chunks++;
    if (c->cfg->progress)
        fprintf(c->cfg->progress, "synth: loaded %llu %s rows (%llu so far) %.1fs\n",
                (unsigned long long)l->rows_in_file, l->table, (unsigned long long)l->rows,
                elapsed(&c->t0));
    l->rows_in_file = 0;
    l->bytes_in_file = 0;
    l->f = fopen(l->path, "w");
    if (!l->f) {
        set_err(err, errlen, "synth: cannot create %s: %s", l->path, strerror(errno));
        return ABC_ERR_ENV;
    }
    return ABC_OK;
}

/* Finish one row in l->row; writes and loads as the buffers fill. */
static AbcStatus loader_end_row(Ctx *c, Loader *l, char *err, size_t errlen)
{
    buf_putc(&l->row, '\n');
    l->rows++;
    l->rows_in_file++;
    if (l->row.len >= (1u << 20)) {
        AbcStatus st = loader_write(l, err, errlen);
        if (st != ABC_OK)
            return st;
        if (l->bytes_in_file >= CHUNK_BYTES)
            return loader_flush(c, l, err, errlen);
    }
    return ABC_OK;
}

/* ---- row formatting ------------------------------------------------------------ */

static void put_u64(Buf *b, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_put(b, tmp + i, sizeof tmp - (size_t)i);
}

/* v / 10^decimals as a fixed decimal, v >= 0 */
static void put_fixed(Buf *b, uint64_t v, int decimals)
{
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    put_u64(b, v / scale);
    if (decimals) {
        char tmp[24];
        uint64_t frac = v % scale;
        for (int i = decimals - 1; i >= 0; i--) {
            tmp[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        buf_putc(b, '.');
        buf_put(b, tmp, (size_t)decimals);
    }
}

static void put_2d(Buf *b, unsigned v)
{
    buf_putc(b, (char)('0' + v / 10 % 10));
    buf_putc(b, (char)('0' + v % 10));
}

static void put_time(Buf *b, const char *date, int sec)
{
    buf_put(b, date, 10);
    buf_putc(b, ' ');
    put_2d(b, (unsigned)(sec / 3600));
    buf_putc(b, ':');
    put_2d(b, (unsigned)(sec / 60 % 60));
    buf_putc(b, ':');
    put_2d(b, (unsigned)(sec % 60));
}

#define TAB(b) buf_putc((b), '\t')
#define NUL(b) buf_put((b), "\\N", 2)

/* ---- the generative model ------------------------------------------------------ */

static const char *const k_countries[] = {"US", "IN", "BR", "DE", "JP", "GB"};
static const double k_country_w[] = {0.35, 0.20, 0.15, 0.10, 0.10, 0.10};
static const char *const k_platforms[] = {"ios", "android", "web"};
static const double k_platform_w[] = {0.45, 0.50, 0.05};
static const double k_crash_base[] = {0.006, 0.012, 0.004};
static const char *const k_tiers[] = {"free", "plus", "pro"};
static const double k_tier_w[] = {0.85, 0.10, 0.05};
static const double k_packs[] = {0.99, 4.99, 9.99, 19.99, 49.99};
static const double k_pack_w[] = {0.35, 0.30, 0.20, 0.10, 0.05};
static const char *const k_screens[] = {"home", "feed", "chat", "paywall", "store"};

static size_t pick(gsl_rng *r, const double *w, size_t n)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        acc += w[i];
        if (u < acc)
            return i;
    }
    return n - 1;
}

/* Per-user state. */
typedef struct User {
    char id[16];
    size_t idlen;
    const char *country, *platform;
    int platform_i;
    int tier_free;
    double act, eng, spend, adaff, chat;
    int subscribed;
    /* per experiment */
    int *var;          /* assigned variation */
    int32_t *exp_day;  /* exposure day, INT32_MAX = not (yet) exposed */
    unsigned char *eligible, *multi;
} User;

typedef struct Gen {
    Ctx *c;
    const Plan *p;
    gsl_rng *r;
    Loader users, events, pays;
    const char *ev_name; /* the event row being written */
    char (*dates)[11];  /* per data day */
    User u;
    SynthResult res;
} Gen;

/* The start of an app_events row: user, time, date, event name. */
static void ev_begin(Gen *g, int32_t di, int sec, const char *name)
{
    Buf *b = &g->events.row;
    g->ev_name = name;
    buf_put(b, g->u.id, g->u.idlen);
    TAB(b);
    put_time(b, g->dates[di], sec);
    TAB(b);
    buf_put(b, g->dates[di], 10);
    TAB(b);
    buf_puts(b, name);
    TAB(b);
}

/* The end of an app_events row after exp_key and var_key. */
static AbcStatus ev_end(Gen *g, const char *screen, int64_t tenths_seconds, int64_t rev_e4,
                        char *err, size_t errlen)
{
    Buf *b = &g->events.row;
    buf_puts(b, g->u.country);
    TAB(b);
    buf_puts(b, g->u.platform);
    TAB(b);
    if (tenths_seconds >= 0)
        put_fixed(b, (uint64_t)tenths_seconds, 1);
    else
        NUL(b);
    TAB(b);
    if (screen)
        buf_puts(b, screen);
    else
        NUL(b);
    TAB(b);
    if (rev_e4 >= 0)
        put_fixed(b, (uint64_t)rev_e4, 4);
    else
        NUL(b);
    TAB(b);
    /* properties: a JSON object made of the row's own values (no random
     * draw): page (the screen; absent without one), device, value (the ad
     * revenue, absent without), seconds, opened (a boolean), a key with a
     * dot and a non-ASCII key */
    buf_puts(b, "{\"device\": \"");
    buf_puts(b, g->u.platform);
    buf_printf(b, "\", \"opened\": %s, \"app.version\": \"2.%d\", \"страна\": \"",
               strcmp(g->ev_name, "app_open") == 0 ? "true" : "false", g->u.platform_i);
    buf_puts(b, g->u.country);
    buf_putc(b, '"');
    if (screen) {
        buf_puts(b, ", \"page\": \"");
        buf_puts(b, screen);
        buf_putc(b, '"');
    }
    if (rev_e4 >= 0) {
        buf_puts(b, ", \"value\": ");
        put_fixed(b, (uint64_t)rev_e4, 4);
    }
    if (tenths_seconds >= 0) {
        buf_puts(b, ", \"seconds\": ");
        put_fixed(b, (uint64_t)tenths_seconds, 1);
    }
    buf_putc(b, '}');
    g->res.events++;
    return loader_end_row(g->c, &g->events, err, errlen);
}

static AbcStatus event(Gen *g, int32_t di, int sec, const char *name, const char *screen,
                       int64_t tenths, int64_t rev_e4, char *err, size_t errlen)
{
    ev_begin(g, di, sec, name);
    NUL(&g->events.row);
    TAB(&g->events.row);
    NUL(&g->events.row);
    TAB(&g->events.row);
    return ev_end(g, screen, tenths, rev_e4, err, errlen);
}

static AbcStatus exposure(Gen *g, int32_t di, int sec, const GbExperiment *e, int v, char *err,
                          size_t errlen)
{
    Buf *b = &g->events.row;
    ev_begin(g, di, sec, "experiment_viewed");
    put_tsv_text(b, e->tracking_key);
    TAB(b);
    put_tsv_text(b, e->variations[v].key);
    TAB(b);
    g->res.exposures++;
    return ev_end(g, NULL, -1, -1, err, errlen);
}

static AbcStatus payment(Gen *g, int32_t di, int sec, int64_t cents, const char *product,
                         char *err, size_t errlen)
{
    Buf *b = &g->pays.row;
    buf_put(b, g->u.id, g->u.idlen);
    TAB(b);
    put_time(b, g->dates[di], sec);
    TAB(b);
    buf_put(b, g->dates[di], 10);
    TAB(b);
    put_fixed(b, (uint64_t)cents, 2);
    TAB(b);
    buf_puts(b, product);
    g->res.payments++;
    return loader_end_row(g->c, &g->pays, err, errlen);
}

static int clamp_sec(double s)
{
    if (s < 0)
        return 0;
    if (s > 86399)
        return 86399;
    return (int)s;
}

static AbcStatus gen_user(Gen *g, uint64_t idx, char *err, size_t errlen)
{
    AbcStatus st;
    gsl_rng *r = g->r;
    User *u = &g->u;
    const Plan *p = g->p;
    const SynthConfig *cfg = g->c->cfg;

    u->idlen = (size_t)snprintf(u->id, sizeof u->id, "u%07llu", (unsigned long long)(idx + 1));
    u->country = k_countries[pick(r, k_country_w, 6)];
    u->platform_i = (int)pick(r, k_platform_w, 3);
    u->platform = k_platforms[u->platform_i];
    size_t tier = pick(r, k_tier_w, 3);
    u->tier_free = tier == 0;
    int32_t signup = p->data_first - 1 - (int32_t)gsl_rng_uniform_int(r, 730);
    u->act = gsl_ran_beta(r, 1.0, 4.0);
    u->eng = gsl_ran_lognormal(r, 0.0, 0.4);
    u->spend = gsl_ran_lognormal(r, -0.5, 1.0);
    u->adaff = gsl_ran_lognormal(r, 0.0, 0.5);
    u->chat = gsl_ran_gamma(r, 0.5, 2.0);
    u->subscribed = tier != 0;
    for (size_t e = 0; e < p->n; e++) {
        const ExpPlan *x = &p->exps[e];
        double a = gsl_rng_uniform(r), b = gsl_rng_uniform(r), m = gsl_rng_uniform(r);
        int v = 0;
        while (v + 1 < (int)x->e->n_variations && b >= x->cum[v])
            v++;
        u->var[e] = v;
        u->eligible[e] = x->in_window && a < x->e->coverage;
        u->multi[e] = m < cfg->multi_exposure;
        u->exp_day[e] = INT32_MAX;
    }

    /* users row */
    char sd[11];
    synth_format_date(signup, sd);
    Buf *ub = &g->users.row;
    buf_put(ub, u->id, u->idlen);
    TAB(ub);
    buf_put(ub, sd, 10);
    TAB(ub);
    buf_puts(ub, u->country);
    TAB(ub);
    buf_puts(ub, u->platform);
    TAB(ub);
    buf_puts(ub, k_tiers[tier]);
    st = loader_end_row(g->c, &g->users, err, errlen);
    if (st != ABC_OK)
        return st;
    g->res.users++;

    for (int32_t d = p->data_first; d < p->data_end; d++) {
        int32_t di = d - p->data_first;
        /* retention lever: exposures on earlier days */
        double m_act = 1.0;
        for (size_t e = 0; e < p->n; e++)
            if (u->exp_day[e] < d)
                m_act *= p->exps[e].mult[u->var[e]][SYN_ACTIVE];
        double pa = u->act * m_act;
        if (gsl_rng_uniform(r) >= (pa < 0.98 ? pa : 0.98))
            continue;

        /* active today: first exposures happen at the first session */
        int newly[64] = {0};
        for (size_t e = 0; e < p->n && e < 64; e++)
            if (u->eligible[e] && u->exp_day[e] == INT32_MAX && d >= p->exps[e].first_day &&
                d < p->exps[e].end_day) {
                u->exp_day[e] = d;
                newly[e] = 1;
                g->res.exposed_users++;
            }
        double m[SYN_LEVER_COUNT];
        for (int l = 0; l < SYN_LEVER_COUNT; l++)
            m[l] = 1.0;
        for (size_t e = 0; e < p->n; e++)
            if (u->exp_day[e] <= d)
                for (int l = 0; l < SYN_LEVER_COUNT; l++)
                    m[l] *= p->exps[e].mult[u->var[e]][l];

        unsigned ns = 1 + gsl_ran_poisson(r, 0.3 * u->eng * m[SYN_SESSIONS]);
        if (ns > MAX_SESSIONS)
            ns = MAX_SESSIONS;
        int t[MAX_SESSIONS];
        for (unsigned s = 0; s < ns; s++) {
            int x = DAY_START + (int)gsl_rng_uniform_int(r, DAY_SPAN);
            unsigned k = s;
            while (k > 0 && t[k - 1] > x) {
                t[k] = t[k - 1];
                k--;
            }
            t[k] = x;
        }

        /* exposure rows */
        int off = 1;
        for (size_t e = 0; e < p->n; e++) {
            const ExpPlan *x = &p->exps[e];
            if (u->exp_day[e] > d || d >= x->end_day)
                continue;
            int show = newly[e] || gsl_rng_uniform(r) < REPEAT_VIEW_P;
            if (!show)
                continue;
            st = exposure(g, di, clamp_sec(t[0] + off++), x->e, u->var[e], err, errlen);
            if (st != ABC_OK)
                return st;
            if (newly[e] && u->multi[e]) {
                int nv = (int)x->e->n_variations;
                int other = (u->var[e] + 1 + (int)gsl_rng_uniform_int(r, (unsigned long)(nv - 1))) % nv;
                st = exposure(g, di, clamp_sec(t[0] + 60 + off++), x->e, other, err, errlen);
                if (st != ABC_OK)
                    return st;
            }
        }

        /* recharge: at most once a day */
        double pr = 0.01 * u->spend * m[SYN_RECHARGE];
        if (gsl_rng_uniform(r) < (pr < 0.5 ? pr : 0.5)) {
            int when = clamp_sec(t[gsl_rng_uniform_int(r, ns)] + 30 + (int)gsl_rng_uniform_int(r, 300));
            double amount = k_packs[pick(r, k_pack_w, 5)] * m[SYN_RECHARGE_AMOUNT];
            int64_t cents = (int64_t)llround(amount * 100.0);
            st = event(g, di, when, "recharge", "store", -1, -1, err, errlen);
            if (st == ABC_OK)
                st = payment(g, di, when, cents, "recharge", err, errlen);
            if (st != ABC_OK)
                return st;
        }

        for (unsigned s = 0; s < ns; s++) {
            double dur = gsl_ran_lognormal(r, log(150.0 * u->eng), 0.8) * m[SYN_SESSION_SECONDS];
            if (dur < 1)
                dur = 1;
            int start = t[s];
            int end = clamp_sec(start + dur);
            int span = end - start > 0 ? end - start : 1;
            st = event(g, di, start, "app_open", "home", -1, -1, err, errlen);
            if (st != ABC_OK)
                return st;

            double pv_rate = (u->tier_free ? 0.12 : 0.03) * m[SYN_PAYWALL_VIEW];
            unsigned pv = gsl_ran_poisson(r, pv_rate);
            for (unsigned k = 0; k < pv; k++) {
                int at = start + (int)gsl_rng_uniform_int(r, (unsigned long)span);
                st = event(g, di, at, "paywall_view", "paywall", -1, -1, err, errlen);
                if (st != ABC_OK)
                    return st;
                double ptr = 0.06 * m[SYN_TRIAL_START];
                if (gsl_rng_uniform(r) < (ptr < 1 ? ptr : 1)) {
                    st = event(g, di, clamp_sec(at + 5), "trial_start", "paywall", -1, -1, err, errlen);
                    if (st != ABC_OK)
                        return st;
                }
                double sp = u->spend < 5 ? u->spend : 5;
                double psub = 0.04 * sp * m[SYN_SUBSCRIBE];
                if (gsl_rng_uniform(r) < (psub < 1 ? psub : 1) && !u->subscribed) {
                    int64_t cents = gsl_rng_uniform(r) < 0.3 ? 5999 : 999;
                    u->subscribed = 1;
                    st = event(g, di, clamp_sec(at + 10), "subscribe", "paywall", -1, -1, err, errlen);
                    if (st == ABC_OK)
                        st = payment(g, di, clamp_sec(at + 10), cents, "subscription", err, errlen);
                    if (st != ABC_OK)
                        return st;
                }
            }

            unsigned imps = gsl_ran_poisson(r, 0.7 * u->adaff * m[SYN_AD_IMPRESSION]);
            for (unsigned k = 0; k < imps; k++) {
                int at = start + (int)gsl_rng_uniform_int(r, (unsigned long)span);
                st = event(g, di, at, "ad_impression", "feed", -1, -1, err, errlen);
                if (st != ABC_OK)
                    return st;
                double pc = 0.03 * m[SYN_AD_CLICK];
                if (gsl_rng_uniform(r) < (pc < 1 ? pc : 1)) {
                    double rev = gsl_ran_lognormal(r, log(0.12), 0.5) * m[SYN_AD_REVENUE];
                    st = event(g, di, clamp_sec(at + 1), "ad_click", "feed", -1,
                               (int64_t)llround(rev * 10000.0), err, errlen);
                    if (st != ABC_OK)
                        return st;
                }
            }

            unsigned chats = gsl_ran_poisson(r, 0.3 * u->chat * m[SYN_CHAT_MESSAGE]);
            for (unsigned k = 0; k < chats; k++) {
                int at = start + (int)gsl_rng_uniform_int(r, (unsigned long)span);
                st = event(g, di, at, "chat_message", "chat", -1, -1, err, errlen);
                if (st != ABC_OK)
                    return st;
            }

            const char *last = "home";
            double pcr = k_crash_base[u->platform_i] * m[SYN_CRASH];
            if (gsl_rng_uniform(r) < (pcr < 1 ? pcr : 1)) {
                last = k_screens[gsl_rng_uniform_int(r, 5)];
                st = event(g, di, end, "crash", last, -1, -1, err, errlen);
                if (st != ABC_OK)
                    return st;
            } else if (imps) {
                last = "feed";
            }
            st = event(g, di, end, "session_end", last, (int64_t)llround(dur * 10.0), -1, err, errlen);
            if (st != ABC_OK)
                return st;
        }
    }
    return ABC_OK;
}

/* ---- growth plant: users ------------------------------------------------------ */

/* One chat session of the current growth user on a day of the week
 * starting on `monday`: app_open, chat_message, session_end. */
static AbcStatus growth_session(Gen *g, gsl_rng *r, int32_t monday, char *err, size_t errlen)
{
    int32_t di = monday + (int32_t)gsl_rng_uniform_int(r, 7) - g->p->data_first;
    int start = DAY_START + (int)gsl_rng_uniform_int(r, DAY_SPAN - 3600);
    int dur = 60 + (int)gsl_rng_uniform_int(r, 600);
    AbcStatus st = event(g, di, start, "app_open", "home", -1, -1, err, errlen);
    if (st == ABC_OK)
        st = event(g, di, start + 20, "chat_message", "chat", -1, -1, err, errlen);
    if (st == ABC_OK)
        st = event(g, di, start + dur, "session_end", "chat", (int64_t)dur * 10, -1, err, errlen);
    return st;
}

/* The growth plant's users, numbered after the model's: the cohort
 * (first active in cohort_week, the first `retained` of them again the
 * week after), then the wave (active in lapse_week, back in wave_week). */
static AbcStatus gen_growth(Gen *g, gsl_rng *r, uint64_t first_idx, char *err, size_t errlen)
{
    const SynthConfig *cfg = g->c->cfg;
    int32_t cw, lw, ww;
    if (cfg->cohort_users + cfg->wave_users == 0 || synth_growth_weeks(cfg, &cw, &lw, &ww) != 0)
        return ABC_OK;
    uint64_t retained = growth_retained(cfg), n = cfg->cohort_users + cfg->wave_users;
    User *u = &g->u;
    for (uint64_t j = 0; j < n; j++) {
        bool cohort = j < cfg->cohort_users;
        u->idlen = (size_t)snprintf(u->id, sizeof u->id, "u%07llu", (unsigned long long)(first_idx + j + 1));
        u->country = k_countries[pick(r, k_country_w, 6)];
        u->platform_i = (int)pick(r, k_platform_w, 3);
        u->platform = k_platforms[u->platform_i];
        int32_t week1 = cohort ? cw : lw, week2 = cohort ? cw + 7 : ww;
        char sd[11];
        synth_format_date(week1, sd);
        Buf *ub = &g->users.row;
        buf_put(ub, u->id, u->idlen);
        TAB(ub);
        buf_put(ub, sd, 10);
        TAB(ub);
        buf_puts(ub, u->country);
        TAB(ub);
        buf_puts(ub, u->platform);
        TAB(ub);
        buf_puts(ub, "free");
        AbcStatus st = loader_end_row(g->c, &g->users, err, errlen);
        if (st == ABC_OK)
            st = growth_session(g, r, week1, err, errlen);
        if (st == ABC_OK && (!cohort || j < retained))
            st = growth_session(g, r, week2, err, errlen);
        if (st != ABC_OK)
            return st;
        g->res.users++;
        g->res.growth_users++;
    }
    return ABC_OK;
}

/* ---- tables ---------------------------------------------------------------------- */

static const char *const k_tables[] = {"users", "app_events", "payments", "synth_truth"};
#define N_TABLES 4

static const char *const k_ddl[N_TABLES] = {
    "CREATE TABLE ods.users__synth (\n"
    "  user_id VARCHAR(64) NOT NULL,\n"
    "  signup_date DATE NOT NULL,\n"
    "  country VARCHAR(8) NOT NULL,\n"
    "  platform VARCHAR(16) NOT NULL,\n"
    "  tier VARCHAR(16) NOT NULL,\n"
    "  PRIMARY KEY (user_id)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE ods.app_events__synth (\n"
    "  user_id VARCHAR(64) NOT NULL,\n"
    "  event_time DATETIME NOT NULL,\n"
    "  event_date DATE NOT NULL,\n"
    "  event_name VARCHAR(64) NOT NULL,\n"
    "  exp_key VARCHAR(128) NULL,\n"
    "  var_key VARCHAR(64) NULL,\n"
    "  country VARCHAR(8) NOT NULL,\n"
    "  platform VARCHAR(16) NOT NULL,\n"
    "  session_seconds DOUBLE NULL,\n"
    "  screen VARCHAR(64) NULL,\n"
    "  ad_revenue DOUBLE NULL,\n"
    "  properties TEXT NULL\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE ods.payments__synth (\n"
    "  user_id VARCHAR(64) NOT NULL,\n"
    "  paid_at DATETIME NOT NULL,\n"
    "  pay_date DATE NOT NULL,\n"
    "  amount DOUBLE NOT NULL,\n"
    "  product VARCHAR(32) NOT NULL,\n"
    "  KEY idx_pay_date_user (pay_date, user_id)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE ods.synth_truth__synth (\n"
    "  metric VARCHAR(64) NOT NULL,\n"
    "  experiment VARCHAR(128) NOT NULL,\n"
    "  variation VARCHAR(64) NOT NULL,\n"
    "  true_effect DOUBLE NOT NULL,\n"
    "  PRIMARY KEY (experiment, variation, metric)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
};

static AbcStatus exec_fmt(Warehouse *w, char *err, size_t errlen, const char *fmt, ...)
    ABC_PRINTF(4, 5);
static AbcStatus exec_fmt(Warehouse *w, char *err, size_t errlen, const char *fmt, ...)
{
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    AbcStatus st = wh_exec(w, b.data, NULL, err, errlen);
    buf_free(&b);
    return st;
}

static void drop_staging(Warehouse *w)
{
    char e[256];
    for (int i = 0; i < N_TABLES; i++)
        (void)exec_fmt(w, e, sizeof e, "DROP TABLE IF EXISTS ods.%s__synth", k_tables[i]);
}

/* Refuse to replace ods tables that synth did not write, unless forced. */
static AbcStatus check_existing(Ctx *c, char *err, size_t errlen)
{
    char *theirs = NULL, *ours = NULL;
    AbcStatus st = wh_query_value(c->w,
                                  "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                                  "'ods' AND TABLE_NAME IN ('users', 'app_events', 'payments')",
                                  &theirs, err, errlen);
    if (st == ABC_OK)
        st = wh_query_value(c->w,
                            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                            "'ods' AND TABLE_NAME = 'synth_truth'",
                            &ours, err, errlen);
    if (st == ABC_OK && theirs && strcmp(theirs, "0") != 0 && ours && strcmp(ours, "0") == 0 &&
        !c->cfg->force) {
        set_err(err, errlen, "synth: ods already holds users/app_events/payments tables that abc "
                             "synth did not write; pass --force to replace them");
        st = ABC_ERR_SPEC;
    }
    free(theirs);
    free(ours);
    return st;
}

AbcStatus synth_existing(Warehouse *w, char *desc, size_t desclen, char *err, size_t errlen)
{
    char *ours = NULL, *users = NULL, *events = NULL, *first = NULL, *last = NULL;
    desc[0] = '\0';
    AbcStatus st = wh_query_value(w,
                                  "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                                  "'ods' AND TABLE_NAME IN ('synth_truth', 'users', 'app_events')",
                                  &ours, err, errlen);
    if (st == ABC_OK && ours && strcmp(ours, "3") == 0) {
        st = wh_query_value(w, "SELECT COUNT(*) FROM ods.users", &users, err, errlen);
        if (st == ABC_OK)
            st = wh_query_value(w, "SELECT COUNT(*) FROM ods.app_events", &events, err, errlen);
        if (st == ABC_OK)
            st = wh_query_value(w, "SELECT MIN(event_date) FROM ods.app_events", &first, err, errlen);
        if (st == ABC_OK)
            st = wh_query_value(w, "SELECT MAX(event_date) FROM ods.app_events", &last, err, errlen);
        if (st == ABC_OK)
            snprintf(desc, desclen, "%s users and %s events dated %s .. %s in ods.users, "
                     "ods.app_events, ods.payments (written by an earlier abc synth)",
                     users ? users : "?", events ? events : "?", first ? first : "-",
                     last ? last : "-");
    }
    free(ours);
    free(users);
    free(events);
    free(first);
    free(last);
    return st;
}

static AbcStatus load_truth(Ctx *c, const Plan *p, char *err, size_t errlen)
{
    AbcStatus st = ABC_OK;
    Buf sql;
    buf_init(&sql);
    for (size_t e = 0; e < p->n && st == ABC_OK; e++) {
        const GbExperiment *x = p->exps[e].e;
        for (size_t v = 1; v < x->n_variations && st == ABC_OK; v++)
            for (int l = 0; l < SYN_LEVER_COUNT && st == ABC_OK; l++) {
                double eff = p->exps[e].eff[v][l];
                if (eff == 0.0)
                    continue;
                buf_reset(&sql);
                buf_printf(&sql, "INSERT INTO ods.synth_truth__synth VALUES ('%s', '", k_lever_names[l]);
                wh_escape(c->w, &sql, x->tracking_key, strlen(x->tracking_key));
                buf_puts(&sql, "', '");
                wh_escape(c->w, &sql, x->variations[v].key, strlen(x->variations[v].key));
                buf_printf(&sql, "', %.17g)", eff);
                st = wh_exec(c->w, sql.data, NULL, err, errlen);
            }
    }
    buf_free(&sql);
    return st;
}

/* Move the staging tables in: one RENAME TABLE, atomic in MariaDB. */
static AbcStatus swap_in(Ctx *c, char *err, size_t errlen)
{
    AbcStatus st;
    Buf sql;
    buf_init(&sql);
    char *n = NULL;
    int exists[N_TABLES];
    for (int i = 0; i < N_TABLES; i++) {
        buf_reset(&sql);
        buf_printf(&sql, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ods' "
                         "AND TABLE_NAME = '%s'", k_tables[i]);
        st = wh_query_value(c->w, sql.data, &n, err, errlen);
        if (st != ABC_OK)
            goto out;
        exists[i] = n && strcmp(n, "0") != 0;
        free(n);
        n = NULL;
        buf_reset(&sql);
        st = exec_fmt(c->w, err, errlen, "DROP TABLE IF EXISTS ods.%s__synth_old", k_tables[i]);
        if (st != ABC_OK)
            goto out;
    }
    buf_reset(&sql);
    buf_puts(&sql, "RENAME TABLE ");
    for (int i = 0; i < N_TABLES; i++) {
        if (i)
            buf_puts(&sql, ", ");
        if (exists[i])
            buf_printf(&sql, "ods.%s TO ods.%s__synth_old, ", k_tables[i], k_tables[i]);
        buf_printf(&sql, "ods.%s__synth TO ods.%s", k_tables[i], k_tables[i]);
    }
    st = wh_exec(c->w, sql.data, NULL, err, errlen);
    if (st != ABC_OK)
        goto out;
    for (int i = 0; i < N_TABLES && st == ABC_OK; i++)
        if (exists[i])
            st = exec_fmt(c->w, err, errlen, "DROP TABLE IF EXISTS ods.%s__synth_old", k_tables[i]);
out:
    buf_free(&sql);
    return st;
}

AbcStatus synth_run(Warehouse *w, const SynthConfig *cfg, SynthResult *out, char *err,
                    size_t errlen)
{
    AbcStatus st;
    Plan p = {0};
    Gen g;
    Ctx c = {.w = w, .cfg = cfg, .load = cfg->load};
    char dir[PATH_MAX] = "";
    int staged = 0;
    gsl_rng *gr = NULL;

    memset(&g, 0, sizeof g);
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    st = check_config(cfg, NULL, err, errlen);
    if (st != ABC_OK)
        return st;
    if (wh_dialect(w) != DIALECT_MARIADB) {
        set_err(err, errlen, "synth: writes MariaDB tables; the warehouse is %s",
                dialect_id_name(wh_dialect(w)));
        return ABC_ERR_ENV;
    }
    st = plan_build(cfg, &p, err, errlen);
    if (st != ABC_OK)
        return st;
    if (p.n > 64) {
        set_err(err, errlen, "synth: at most 64 experiments (snapshot has %zu)", p.n);
        st = ABC_ERR_USAGE;
        goto out;
    }

    st = wh_exec(w, "CREATE DATABASE IF NOT EXISTS ods", NULL, err, errlen);
    if (st != ABC_OK)
        goto out;
    st = check_existing(&c, err, errlen);
    if (st != ABC_OK)
        goto out;
    staged = 1;
    drop_staging(w);
    for (int i = 0; i < N_TABLES && st == ABC_OK; i++)
        st = wh_exec(w, k_ddl[i], NULL, err, errlen);
    if (st != ABC_OK)
        goto out;

    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/abc-synth.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        set_err(err, errlen, "synth: cannot create a temp directory under %s: %s",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
        dir[0] = 0;
        st = ABC_ERR_ENV;
        goto out;
    }
    st = loader_open(&g.users, dir, "users", "(user_id, signup_date, country, platform, tier)",
                     err, errlen);
    if (st == ABC_OK)
        st = loader_open(&g.events, dir, "app_events",
                         "(user_id, event_time, event_date, event_name, exp_key, var_key, country, "
                         "platform, session_seconds, screen, ad_revenue, properties)",
                         err, errlen);
    if (st == ABC_OK)
        st = loader_open(&g.pays, dir, "payments", "(user_id, paid_at, pay_date, amount, product)",
                         err, errlen);
    if (st != ABC_OK)
        goto out;

    g.c = &c;
    g.p = &p;
    int32_t ndays = p.data_end - p.data_first;
    g.dates = calloc((size_t)ndays, sizeof *g.dates);
    size_t ne = p.n ? p.n : 1;
    g.u.var = calloc(ne, sizeof *g.u.var);
    g.u.exp_day = calloc(ne, sizeof *g.u.exp_day);
    g.u.eligible = calloc(ne, 1);
    g.u.multi = calloc(ne, 1);
    g.r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g.dates || !g.u.var || !g.u.exp_day || !g.u.eligible || !g.u.multi || !g.r) {
        set_err(err, errlen, "synth: out of memory");
        st = ABC_ERR_ENV;
        goto out;
    }
    /* mt19937 takes 32 bits of seed: fold the 64-bit seed */
    gsl_rng_set(g.r, (unsigned long)((cfg->seed ^ (cfg->seed >> 32)) & 0xffffffffu));
    for (int32_t d = 0; d < ndays; d++)
        synth_format_date(p.data_first + d, g.dates[d]);

    for (uint64_t i = 0; i < cfg->users; i++) {
        st = gen_user(&g, i, err, errlen);
        if (st != ABC_OK)
            goto out;
    }
    /* the growth plant draws from its own stream, so the users above are
     * the same with or without it */
    gr = gsl_rng_alloc(gsl_rng_mt19937);
    if (!gr) {
        set_err(err, errlen, "synth: out of memory");
        st = ABC_ERR_ENV;
        goto out;
    }
    gsl_rng_set(gr, (unsigned long)((cfg->seed ^ (cfg->seed >> 32) ^ 0x9e3779b9u) & 0xffffffffu));
    st = gen_growth(&g, gr, cfg->users, err, errlen);
    if (st != ABC_OK)
        goto out;
    st = loader_flush(&c, &g.users, err, errlen);
    if (st == ABC_OK)
        st = loader_flush(&c, &g.events, err, errlen);
    if (st == ABC_OK)
        st = loader_flush(&c, &g.pays, err, errlen);
    /* the secondary index is built once, sorted, after the bulk load:
     * much faster than maintaining it row by row.  It is led by (date,
     * user), the order of an event table sorted by day and user (a
     * StarRocks duplicate key of the same columns): a day's range, and one
     * user's rows of a day, are read by it */
    if (st == ABC_OK)
        st = wh_exec(w,
                     "ALTER TABLE ods.app_events__synth ADD KEY idx_event_date_user (event_date, "
                     "user_id)",
                     NULL, err, errlen);
    if (st == ABC_OK)
        st = load_truth(&c, &p, err, errlen);
    if (st == ABC_OK)
        st = swap_in(&c, err, errlen);
    if (st != ABC_OK)
        goto out;
    staged = 0;
    g.res.seconds = elapsed(&c.t0);
    g.res.load_used = c.load == SYNTH_LOAD_INSERT ? SYNTH_LOAD_INSERT : SYNTH_LOAD_INFILE;
    if (cfg->progress)
        fprintf(cfg->progress,
                "synth: done: %llu users (%llu of the growth plant), %llu events (%llu exposures, "
                "%llu user-experiment exposures), %llu payments in %.1fs (%.0f rows/s, %s)\n",
                (unsigned long long)g.res.users, (unsigned long long)g.res.growth_users,
                (unsigned long long)g.res.events,
                (unsigned long long)g.res.exposures, (unsigned long long)g.res.exposed_users,
                (unsigned long long)g.res.payments, g.res.seconds,
                (double)(g.res.users + g.res.events + g.res.payments) /
                    (g.res.seconds > 0 ? g.res.seconds : 1),
                g.res.load_used == SYNTH_LOAD_INSERT ? "INSERT" : "LOAD DATA LOCAL");
    if (out)
        *out = g.res;
out:
    if (staged)
        drop_staging(w);
    loader_close(&g.users);
    loader_close(&g.events);
    loader_close(&g.pays);
    if (dir[0])
        rmdir(dir);
    if (g.r)
        gsl_rng_free(g.r);
    if (gr)
        gsl_rng_free(gr);
    free(g.dates);
    free(g.u.var);
    free(g.u.exp_day);
    free(g.u.eligible);
    free(g.u.multi);
    plan_free(&p);
    return st;
}
