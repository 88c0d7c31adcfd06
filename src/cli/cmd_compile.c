/* cmd_compile.c — abc compile: specs → generated/<tag>/ (plan.h layout).
 *
 *   abc compile [-o DIR] [--dialect starrocks|mariadb|all] [--check] [-j N] SPEC...
 *
 * Everything is computed in memory first; a spec error, a table claimed by
 * two tags or a name the dialect cannot take stops the command before any
 * file is touched.  Writing is two-phase: every file goes to a temporary
 * name next to its target and is fsync'ed, and only when all of them were
 * written are they renamed into place — so a full disk or an unwritable
 * directory leaves generated/ exactly as it was.  --check writes nothing,
 * prints a unified diff of every file that would change (and names stale
 * files) and exits 1 when anything differs.  No symbolic link below DIR is
 * followed: one on the way to a generated file or an owned directory stops
 * the command (exit 1) before anything is written or deleted, temporary
 * files are opened O_NOFOLLOW, and stale files are removed with unlinkat()
 * in a directory opened without following links.
 * Exit codes: 0 ok, 1 spec error or stale, 2 usage, 3 environment. */
#include "abc/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "abc/plan.h"
#include "abc/spec.h"

static void usage(FILE *f)
{
    fputs("usage: abc compile [-o DIR] [--dialect starrocks|mariadb|all] [--check] [-q] [-j N] SPEC...\n"
          "\n"
          "Write the SQL and plan of each spec into DIR/<tag>/ (default DIR: generated):\n"
          "  <tag>/<dialect>/NN_<step>.sql   statements of each step, with placeholders\n"
          "  <tag>/<dialect>/plan.json       steps, placeholders, result columns, methods\n"
          "  <tag>/schema.lock               wide-table columns per schema version\n"
          "  <tag>/migrations/NNNN_vK.<dialect>.sql  when a spec change alters columns\n"
          "\n"
          "  -o DIR              output directory (default generated)\n"
          "  --dialect D         starrocks, mariadb, or all (default: the dialects DIR/<tag>/\n"
          "                      already holds; all for a new tag — the same for --check)\n"
          "  --check             write nothing; print a diff and exit 1 when DIR is stale,\n"
          "                      with the command that brings it up to date\n"
          "  -q, --quiet         no summary (files written, changed, removed; migrations)\n"
          "  -j, --jobs N        specs compiled in parallel (default: the online CPUs);\n"
          "                      the output does not depend on N\n"
          "  --help              this text\n"
          "\n"
          "No symbolic link below DIR is followed: one in the way is an error.\n"
          "exit codes: 0 ok, 1 spec error, stale output or a symbolic link in the way,\n"
          "2 usage, 3 file system\n"
          "docs/GENERATED.md describes the files.\n",
          f);
}

typedef struct Unit {
    const char *path;
    SpecUnit su;
    bool loaded;
    AbcStatus load_st, plan_st;
    Arena arena;
    PlanOutputs out;
    char plan_err[512];
    /* write phase: temporary files staged for this unit and their targets */
    char **tmp, **dst;
    int ntmp;
    int nnew;                  /* of the staged files, those that did not exist */
    char **new_migrations;     /* staged migration files that did not exist (paths) */
    int nnew_migrations;
    char write_err[4400];
} Unit;

/* ---- a pool of threads over the units ------------------------------------
 * Loading, generating and staging the files of one spec touch only that
 * spec's unit (its own arena and diagnostics), so units run in parallel;
 * everything printed is printed afterwards, in argument order. */
/* What every unit of one invocation shares, read-only. */
typedef struct Job {
    const char *outdir;
    const char *dialect_arg; /* --dialect, or NULL */
    bool check;              /* --check */
    bool quiet;              /* --quiet: no summary */
} Job;

typedef void (*UnitFn)(Unit *u, const Job *job);

typedef struct Pool {
    Unit *u;
    int nunits;
    const Job *job;
    UnitFn fn;
    atomic_int next;
} Pool;

static void *pool_worker(void *arg)
{
    Pool *p = arg;
    for (;;) {
        int i = atomic_fetch_add(&p->next, 1);
        if (i >= p->nunits)
            return NULL;
        p->fn(&p->u[i], p->job);
    }
}

static void for_each_unit(Unit *u, int nunits, const Job *job, UnitFn fn, int jobs)
{
    Pool p = {u, nunits, job, fn, 0};
    atomic_init(&p.next, 0);
    if (jobs > nunits)
        jobs = nunits;
    pthread_t th[64];
    int started = 0;
    for (int j = 1; j < jobs && j < 64; j++)
        if (pthread_create(&th[started], NULL, pool_worker, &p) == 0)
            started++;
    pool_worker(&p);
    for (int j = 0; j < started; j++)
        pthread_join(th[j], NULL);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool same_file_content(const char *path, const PlanFile *f, bool *exists)
{
    char *data = NULL;
    size_t len = 0;
    char err[256];
    *exists = access(path, F_OK) == 0;
    if (!*exists || file_read_all(path, 1u << 30, &data, &len, err, sizeof err) != ABC_OK)
        return false;
    bool same = len == f->len && memcmp(data, f->data, len) == 0;
    free(data);
    return same;
}

/* A unit's owned directories (<tag>/<dialect>) hold only that unit's files:
 * tags are unique within a run. */
static const PlanFile *produced(const Unit *u, const char *rel)
{
    for (int k = 0; k < u->out.nfiles; k++)
        if (strcmp(u->out.files[k].path, rel) == 0)
            return &u->out.files[k];
    return NULL;
}

/* Stale: files in an owned directory that this compile does not produce.
 * The directory is opened without following links (a linked directory is
 * refused earlier, by check_links) and fn gets its descriptor, so a removal
 * is an unlinkat() in it: only a name of that directory can go. */
typedef void (*StaleFn)(int dfd, const char *name, const char *rel, void *ctx);

static void each_stale(const char *outdir, const Unit *u, int nunits, StaleFn fn, void *ctx)
{
    for (int i = 0; i < nunits; i++)
        for (int d = 0; d < u[i].out.nowned; d++) {
            int dfd = file_open_dir_nofollow(outdir, u[i].out.owned_dirs[d]);
            if (dfd < 0)
                continue;
            DIR *dp = fdopendir(dfd);
            if (!dp) {
                close(dfd);
                continue;
            }
            char **names = NULL;
            int n = 0, cap = 0;
            struct dirent *de;
            while ((de = readdir(dp)) != NULL) {
                if (de->d_name[0] == '.')
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 32;
                    names = realloc(names, (size_t)cap * sizeof *names);
                }
                names[n++] = strdup(de->d_name);
            }
            for (int k = 0; k < n; k++) {
                char rel[4096];
                snprintf(rel, sizeof rel, "%s/%s", u[i].out.owned_dirs[d], names[k]);
                if (!produced(&u[i], rel))
                    fn(dirfd(dp), names[k], rel, ctx);
                free(names[k]);
            }
            free(names);
            closedir(dp);
        }
}

static void report_stale(int dfd, const char *name, const char *rel, void *ctx)
{
    (void)dfd;
    (void)name;
    int *stale = ctx;
    printf("abc compile --check: %s is stale (no longer produced)\n", rel);
    (*stale)++;
}

static void remove_stale(int dfd, const char *name, const char *rel, void *ctx)
{
    (void)rel;
    int *removed = ctx;
    if (unlinkat(dfd, name, 0) == 0)
        (*removed)++;
}

/* No file abc writes or deletes may be reached through a symbolic link:
 * every generated path and every owned directory is checked component by
 * component below outdir before anything is written (1 and a message naming
 * the link, else 0). */
static int check_links(const char *outdir, const Unit *u, int nunits)
{
    char err[4400];
    for (int i = 0; i < nunits; i++) {
        for (int d = 0; d < u[i].out.nowned; d++)
            if (file_check_nofollow(outdir, u[i].out.owned_dirs[d], err, sizeof err) != ABC_OK)
                goto refuse;
        for (int k = 0; k < u[i].out.nfiles; k++)
            if (file_check_nofollow(outdir, u[i].out.files[k].path, err, sizeof err) != ABC_OK)
                goto refuse;
    }
    return 0;
refuse:
    fprintf(stderr, "abc compile: %s\nabc compile: nothing was changed in '%s'\n", err, outdir);
    return 1;
}

/* Phase 1 (per unit, in parallel): write every changed file of the unit to
 * a temporary name next to its target. */
static void stage_unit(Unit *u, const Job *job)
{
    const char *outdir = job->outdir;
    u->tmp = calloc((size_t)u->out.nfiles + 1, sizeof *u->tmp);
    u->dst = calloc((size_t)u->out.nfiles + 1, sizeof *u->dst);
    char made[4096] = ""; /* the last directory known to exist */
    char *err = u->write_err;
    size_t errlen = sizeof u->write_err;
    for (int k = 0; k < u->out.nfiles; k++) {
        const PlanFile *f = &u->out.files[k];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", outdir, f->path);
        if (f->keep_existing && access(path, F_OK) == 0)
            continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        if (strcmp(dir, made) != 0) {
            if (file_mkdirs(dir, err, errlen) != ABC_OK)
                return;
            snprintf(made, sizeof made, "%s", dir);
        }
        struct stat sb;
        if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
            /* found now, not when renaming: renames must not fail half-way */
            snprintf(u->write_err, sizeof u->write_err, "cannot replace '%s': it is not a regular file",
                     path);
            return;
        }
        bool exists;
        if (same_file_content(path, f, &exists))
            continue; /* unchanged: leave the file (and its mtime) alone */
        if (!exists) {
            u->nnew++;
            if (strstr(f->path, "/migrations/")) {
                if (!u->new_migrations)
                    u->new_migrations = calloc((size_t)u->out.nfiles + 1, sizeof(char *));
                u->new_migrations[u->nnew_migrations++] = strdup(path);
            }
        }
        char *t = malloc(strlen(path) + 32);
        sprintf(t, "%s.tmp.%ld", path, (long)getpid());
        u->tmp[u->ntmp] = t;
        u->dst[u->ntmp] = strdup(path);
        u->ntmp++;
        if (file_write_whole(t, f->data, f->len, false, path, err, errlen) != ABC_OK)
            return;
    }
}

/* Phase 2: one flush, then rename every staged file into place. */
static int write_all(const Job *job, Unit *u, int nunits, int jobs)
{
    const char *outdir = job->outdir;
    int rc = 3;
    for_each_unit(u, nunits, job, stage_unit, jobs);
    int staged = 0;
    for (int i = 0; i < nunits; i++) {
        if (u[i].write_err[0]) {
            fprintf(stderr, "abc compile: %s\n", u[i].write_err);
            goto fail;
        }
        staged += u[i].ntmp;
    }
    /* one flush of the file system instead of an fsync per file: every
     * temporary file is durable before the first rename */
    if (staged > 0) {
        int dfd = open(outdir, O_RDONLY | O_DIRECTORY);
        if (dfd < 0 || syncfs(dfd) != 0) {
            fprintf(stderr, "abc compile: cannot flush '%s': %s\n", outdir, strerror(errno));
            if (dfd >= 0)
                close(dfd);
            goto fail;
        }
        close(dfd);
    }
    for (int i = 0; i < nunits; i++)
        for (int k = 0; k < u[i].ntmp; k++) {
            if (rename(u[i].tmp[k], u[i].dst[k]) != 0) {
                fprintf(stderr, "abc compile: cannot replace '%s': %s\n", u[i].dst[k],
                        strerror(errno));
                goto fail;
            }
            free(u[i].tmp[k]);
            u[i].tmp[k] = NULL;
        }
    int removed = 0;
    each_stale(outdir, u, nunits, remove_stale, &removed);
    rc = 0;
    if (!job->quiet) {
        int nnew = 0, nmig = 0, nfiles = 0;
        for (int i = 0; i < nunits; i++) {
            nnew += u[i].nnew;
            nmig += u[i].nnew_migrations;
            nfiles += u[i].out.nfiles;
        }
        if (staged == 0 && removed == 0)
            fprintf(stderr, "abc compile: %s is up to date (%d spec%s, %d files)\n", outdir, nunits,
                    nunits == 1 ? "" : "s", nfiles);
        else
            fprintf(stderr, "abc compile: %s: %d file%s written (%d new, %d changed), %d removed, "
                    "%d unchanged; %d migration%s added\n", outdir, staged, staged == 1 ? "" : "s",
                    nnew, staged - nnew, removed, nfiles - staged, nmig, nmig == 1 ? "" : "s");
        for (int i = 0; i < nunits; i++)
            for (int k = 0; k < u[i].nnew_migrations; k++)
                fprintf(stderr, "  new migration %s (review it: `abc run` applies it)\n",
                        u[i].new_migrations[k]);
    }
fail:
    for (int i = 0; i < nunits; i++) {
        for (int k = 0; k < u[i].ntmp; k++) {
            if (u[i].tmp[k]) {
                unlink(u[i].tmp[k]);
                free(u[i].tmp[k]);
            }
            free(u[i].dst[k]);
        }
        free(u[i].tmp);
        free(u[i].dst);
        for (int k = 0; k < u[i].nnew_migrations; k++)
            free(u[i].new_migrations[k]);
        free(u[i].new_migrations);
    }
    if (rc)
        fprintf(stderr, "abc compile: nothing was changed in '%s'\n", outdir);
    return rc;
}

/* An argument as the shell reads it back: quoted unless it is plain. */
static void put_shell_word(Buf *b, const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=+,:@%") ==
                  strlen(w)) {
        buf_puts(b, w);
        return;
    }
    buf_putc(b, '\'');
    for (; *w; w++)
        if (*w == '\'')
            buf_puts(b, "'\\''");
        else
            buf_putc(b, *w);
    buf_putc(b, '\'');
}

static int check_all(const Job *job, Unit *u, int nunits)
{
    const char *outdir = job->outdir;
    int stale = 0;
    for (int i = 0; i < nunits; i++)
        for (int k = 0; k < u[i].out.nfiles; k++) {
            const PlanFile *f = &u[i].out.files[k];
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", outdir, f->path);
            bool exists;
            if (f->keep_existing && access(path, F_OK) == 0)
                continue;
            if (same_file_content(path, f, &exists))
                continue;
            printf("abc compile --check: %s/%s is %s\n", outdir, f->path,
                   exists ? "out of date" : "missing");
            cli_print_diff(path, f->path, f->data, f->len, exists);
            stale++;
        }
    each_stale(outdir, u, nunits, report_stale, &stale);
    if (stale) {
        /* the command that brings outdir up to date: the same specs, the
         * same -o and --dialect (the defaults of compile and --check agree) */
        Buf cmd;
        buf_init(&cmd);
        buf_puts(&cmd, "abc compile");
        if (strcmp(outdir, "generated") != 0) {
            buf_puts(&cmd, " -o ");
            put_shell_word(&cmd, outdir);
        }
        if (job->dialect_arg) {
            buf_puts(&cmd, " --dialect ");
            put_shell_word(&cmd, job->dialect_arg);
        }
        for (int i = 0; i < nunits; i++) {
            buf_putc(&cmd, ' ');
            put_shell_word(&cmd, u[i].path);
        }
        fprintf(stderr, "abc compile --check: %d file%s in '%s' stale; to fix, run\n  %s\nand commit "
                "the result\n", stale, stale == 1 ? "" : "s", outdir, cmd.data);
        buf_free(&cmd);
    }
    return stale ? 1 : 0;
}

/* Tables claimed by the schema locks already in outdir, sorted by table
 * name: read once per run, looked up once per table. */
typedef struct Claim {
    char *table;
    char *tag;
} Claim;

static int claim_cmp(const void *x, const void *y)
{
    return strcmp(((const Claim *)x)->table, ((const Claim *)y)->table);
}

static Claim *read_claims(const char *outdir, int *nclaims)
{
    Claim *c = NULL;
    int n = 0, cap = 0;
    DIR *dp = opendir(outdir);
    struct dirent *de;
    while (dp && (de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/schema.lock", outdir, de->d_name);
        char *text = NULL;
        size_t len;
        char err[256];
        if (file_read_all(path, 1u << 24, &text, &len, err, sizeof err) != ABC_OK)
            continue;
        Arena a;
        arena_init(&a);
        PlanLock l;
        if (plan_lock_parse(text, &a, &l, err, sizeof err) == ABC_OK)
            for (int i = 0; i < 3; i++) {
                if (!l.tables[i])
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    c = realloc(c, (size_t)cap * sizeof *c);
                }
                c[n++] = (Claim){strdup(l.tables[i]), strdup(l.tag)};
            }
        arena_free(&a);
        free(text);
    }
    if (dp)
        closedir(dp);
    if (n)
        qsort(c, (size_t)n, sizeof *c, claim_cmp);
    *nclaims = n;
    return c;
}

/* Another tag's lock claiming this table, or NULL. */
static const char *claimed_elsewhere(const Claim *c, int n, const char *tag, const char *table)
{
    Claim key = {(char *)table, NULL};
    const Claim *hit = n ? bsearch(&key, c, (size_t)n, sizeof *c, claim_cmp) : NULL;
    if (!hit)
        return NULL;
    while (hit > c && strcmp(hit[-1].table, table) == 0)
        hit--;
    for (; hit < c + n && strcmp(hit->table, table) == 0; hit++)
        if (strcmp(hit->tag, tag) != 0)
            return hit->tag;
    return NULL;
}

/* A name (tag or table) used by a unit: sorted by name, then by unit, a
 * name used twice sits next to its earlier use. */
typedef struct Use {
    const char *name;
    int unit;
} Use;

static int use_cmp(const void *x, const void *y)
{
    const Use *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->unit > b->unit) - (a->unit < b->unit);
}

static int check_tables(const char *outdir, const Unit *u, int nunits)
{
    int rc = 0, nclaims = 0;
    if (nunits <= 0)
        return 0;
    Use *use = malloc(((size_t)nunits * 3 + 1) * sizeof *use);
    int nuse = 0;
    for (int i = 0; i < nunits; i++)
        for (int t = 0; t < 3; t++) {
            bool dup = false; /* one tag naming the same table twice is sema's business */
            for (int s = 0; s < t; s++)
                dup = dup || strcmp(u[i].out.tables[s], u[i].out.tables[t]) == 0;
            if (!dup)
                use[nuse++] = (Use){u[i].out.tables[t], i};
        }
    qsort(use, (size_t)nuse, sizeof *use, use_cmp);
    for (int k = 1; k < nuse; k++)
        for (int j = k - 1; j >= 0 && strcmp(use[j].name, use[k].name) == 0; j--) {
            const Unit *a = &u[use[j].unit], *b = &u[use[k].unit];
            fprintf(stderr, "%s: error: table %s is also used by tag '%s' (%s)\n", b->path,
                    use[k].name, a->su.ir->tag, a->path);
            rc = 1;
        }
    Claim *c = read_claims(outdir, &nclaims);
    for (int i = 0; i < nunits; i++)
        for (int t = 0; t < 3; t++) {
            const char *other = claimed_elsewhere(c, nclaims, u[i].su.ir->tag, u[i].out.tables[t]);
            if (other) {
                fprintf(stderr, "%s: error: table %s already belongs to tag '%s' (%s/%s/schema.lock)\n",
                        u[i].path, u[i].out.tables[t], other, outdir, other);
                rc = 1;
            }
        }
    for (int k = 0; k < nclaims; k++) {
        free(c[k].table);
        free(c[k].tag);
    }
    free(c);
    free(use);
    return rc;
}

static void load_unit(Unit *u, const Job *job)
{
    (void)job;
    u->load_st = spec_load(&u->su, u->path);
    u->loaded = true;
}

/* Each tag once per run: tags name tables and directories. */
static int check_tags(const Unit *u, int nunits, int rc)
{
    if (nunits <= 0)
        return rc;
    Use *t = malloc(((size_t)nunits + 1) * sizeof *t);
    int n = 0;
    for (int i = 0; i < nunits; i++)
        if (u[i].load_st == ABC_OK && u[i].su.ir)
            t[n++] = (Use){u[i].su.ir->tag, i};
    qsort(t, (size_t)n, sizeof *t, use_cmp);
    for (int i = 1; i < n; i++)
        for (int k = i - 1; k >= 0 && strcmp(t[k].name, t[i].name) == 0; k--) {
            fprintf(stderr, "%s: error: tag '%s' is also defined by %s; compile one spec per tag\n",
                    u[t[i].unit].path, t[i].name, u[t[k].unit].path);
            rc = 1;
        }
    free(t);
    return rc;
}

static void plan_unit(Unit *u, const Job *job)
{
    const IrSpec *ir = u->su.ir;
    const Dialect *ds[2];
    int nd = 0;
    const char *arg = job->dialect_arg;
    if (arg && strcmp(arg, "all") == 0) {
        ds[nd++] = &dialect_starrocks;
        ds[nd++] = &dialect_mariadb;
    } else if (arg) {
        ds[nd++] = dialect_by_name(arg);
    } else {
        /* the default of compile and --check alike: the dialects DIR/<tag>/
         * holds, both for a tag compiled for the first time */
        char p[4096];
        snprintf(p, sizeof p, "%s/%s/starrocks", job->outdir, ir->tag);
        if (is_dir(p))
            ds[nd++] = &dialect_starrocks;
        snprintf(p, sizeof p, "%s/%s/mariadb", job->outdir, ir->tag);
        if (is_dir(p))
            ds[nd++] = &dialect_mariadb;
        if (nd == 0) {
            ds[nd++] = &dialect_starrocks;
            ds[nd++] = &dialect_mariadb;
        }
    }
    u->plan_st = plan_tag_outputs(ir, ds, nd, job->outdir, &u->arena, &u->su.diag, &u->out,
                                  u->plan_err, sizeof u->plan_err);
}

int cmd_compile(int argc, char **argv)
{
    const char *outdir = "generated";
    const char *dialect_arg = NULL;
    bool check = false, quiet = false;
    const char **specs = calloc((size_t)argc + 1, sizeof *specs);
    int nspecs = 0, rc = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = ncpu > 0 ? (ncpu > 64 ? 64 : (int)ncpu) : 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            free(specs);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (++i >= argc) {
                free(specs);
                return cli_usage_error("compile", "%s needs a value", a);
            }
            outdir = argv[i];
        } else if (strcmp(a, "--dialect") == 0) {
            if (++i >= argc) {
                free(specs);
                return cli_usage_error("compile", "%s needs a value", a);
            }
            dialect_arg = argv[i];
        } else if (strncmp(a, "--dialect=", 10) == 0) {
            dialect_arg = a + 10;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            char *end;
            if (++i >= argc) {
                free(specs);
                return cli_usage_error("compile", "%s needs a value", a);
            }
            long j = strtol(argv[i], &end, 10);
            if (*end || j < 1 || j > 64) {
                fprintf(stderr, "abc compile: --jobs wants a number from 1 to 64, not '%s'\n", argv[i]);
                goto usage_err;
            }
            jobs = (int)j;
        } else if (a[0] == '-' && a[1] != '\0') {
            static const char *const opts[] = {"--help", "-o", "--output", "--dialect", "--check",
                                               "--quiet", "-j", "--jobs", NULL};
            free(specs);
            return cli_unknown_option("compile", a, opts);
        } else {
            specs[nspecs++] = a;
        }
    }
    if (nspecs == 0) {
        fputs("abc compile: no spec given\n", stderr);
        goto usage_err;
    }
    if (dialect_arg && strcmp(dialect_arg, "all") != 0 && !dialect_by_name(dialect_arg)) {
        const char *const ds[] = {"starrocks", "mariadb", "all", NULL};
        const char *near = cli_nearest(dialect_arg, ds);
        fprintf(stderr, "abc compile: unknown dialect '%s' (starrocks, mariadb or all)%s%s%s\n",
                dialect_arg, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        goto usage_err;
    }

    Unit *u = calloc((size_t)nspecs, sizeof *u);
    for (int i = 0; i < nspecs; i++) {
        u[i].path = specs[i];
        arena_init(&u[i].arena);
    }
    Job job = {outdir, dialect_arg, check, quiet};
    for_each_unit(u, nspecs, &job, load_unit, jobs);
    for (int i = 0; i < nspecs; i++) {
        if (u[i].load_st != ABC_OK) {
            diag_print(&u[i].su.diag, stderr);
            if (u[i].load_st == ABC_ERR_ENV && u[i].su.diag.nmsgs == 0)
                fprintf(stderr, "abc compile: cannot read '%s'\n", specs[i]);
            rc = rc ? rc : (u[i].load_st == ABC_ERR_ENV ? 3 : 1);
        }
    }
    rc = check_tags(u, nspecs, rc);
    if (rc == 0) {
        for_each_unit(u, nspecs, &job, plan_unit, jobs);
        for (int i = 0; i < nspecs && rc == 0; i++)
            if (u[i].plan_st != ABC_OK) {
                diag_print(&u[i].su.diag, stderr);
                if (u[i].plan_err[0])
                    fprintf(stderr, "abc compile: %s\n", u[i].plan_err);
                rc = u[i].plan_st == ABC_ERR_ENV ? 3 : 1;
            }
    }
    /* two tags on one table: within this run, then against other tags' locks */
    if (rc == 0)
        rc = check_tables(outdir, u, nspecs);
    if (rc == 0)
        rc = check_links(outdir, u, nspecs);
    if (rc == 0)
        rc = check ? check_all(&job, u, nspecs) : write_all(&job, u, nspecs, jobs);

    for (int i = 0; i < nspecs; i++) {
        arena_free(&u[i].arena);
        if (u[i].loaded)
            spec_unit_free(&u[i].su);
    }
    free(u);
    free(specs);
    return rc;
usage_err:
    fputs("Try 'abc compile --help'.\n", stderr);
    free(specs);
    return 2;
}
