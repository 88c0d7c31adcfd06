/* cmd_synth.c — `abc synth`: write a seeded synthetic dataset with known
 * effects into the warehouse (embedded by default, or a remote MariaDB).
 * Parses the command line into a SynthConfig, loads the GrowthBook snapshot,
 * opens the warehouse and hands over to synth_run(). */
#include "abc/cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abc/gb.h"
#include "abc/synth.h"
#include "abc/wh.h"

#define MAX_LIST 64

static const char k_usage[] =
    "usage: abc synth [options]\n"
    "\n"
    "Write a reproducible synthetic dataset with known treatment effects into the\n"
    "warehouse: ods.users, ods.app_events, ods.payments and ods.synth_truth\n"
    "(see docs/DATA.md).  Data of an earlier abc synth is replaced (atomically)\n"
    "only with --replace, or when you confirm it on a terminal: results that\n"
    "`abc run` computed from the old data stay until `abc run --full`.\n"
    "\n"
    "warehouse (default: embedded, --datadir .abc/warehouse):\n"
    "  --datadir DIR          embedded MariaDB datadir (created on first use)\n"
    "  --socket PATH          remote MariaDB on a unix socket\n"
    "  --host HOST --port N   remote MariaDB over TCP\n"
    "  --db-user USER         remote user (default root); password from $ABC_PASSWORD\n"
    "\n"
    "data:\n"
    "  --users N              users (default 10000)\n"
    "  --days N               experiment-period days from --start (default 28)\n"
    "  --pre-days N           history before --start, for CUPED (default 14)\n"
    "  --start YYYY-MM-DD     first experiment-period day (default: earliest latest-phase\n"
    "                         start in the snapshot, else 2026-10-01)\n"
    "  --seed N               random seed (default 42); same options + seed = same rows\n"
    "  --snapshot FILE        GrowthBook snapshot {\"experiments\":[...]}: users are exposed\n"
    "                         to the latest phase of each experiment\n"
    "  --effect [EXP[/VAR]:]METRIC=VALUE\n"
    "                         relative true effect (0.05 = +5%) of non-control variations\n"
    "                         (all, or of experiment EXP = trackingKey or id, or only\n"
    "                         variation key VAR) on METRIC, one of: active, sessions,\n"
    "                         session_seconds, paywall_view, trial_start, subscribe,\n"
    "                         recharge, recharge_amount, ad_impression, ad_click,\n"
    "                         ad_revenue, chat_message, crash.  Repeatable.\n"
    "  --srm EXP=F            fault: move share F of EXP's traffic from its last\n"
    "                         variation to control (sample-ratio mismatch).  Repeatable.\n"
    "  --multi-exposure F     fault: share F of exposed users also logged in another\n"
    "                         variation\n"
    "  --cohort N             growth plant: a signup cohort of N more users, first active\n"
    "                         (a chat) in the week before the last full ISO week of the\n"
    "                         data (default users/20; 0: none)\n"
    "  --cohort-retention F   share of the cohort active again the week after (default 0.4)\n"
    "  --wave N               growth plant: N more users active in the first full week,\n"
    "                         idle, back in the last full week (resurrected; default\n"
    "                         users/40; 0: none).  The plant never touches experiments\n"
    "  --load auto|infile|insert\n"
    "                         LOAD DATA LOCAL INFILE, or 1000-row INSERTs (auto: infile,\n"
    "                         falling back to insert when the server refuses it)\n"
    "  --replace              replace the data of an earlier abc synth (without it, and\n"
    "                         without a yes on a terminal, existing data is kept: exit 1)\n"
    "  --force                also replace ods tables that abc synth did not create\n"
    "  --quiet                no progress on stderr\n"
    "  --help                 this text\n"
    "\n"
    "exit codes: 0 ok, 1 data error or existing data kept, 2 usage, 3 warehouse or file\n"
    "system\n";

static int usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error("synth", fmt, arg);
}

static const char *const synth_opts[] = {
    "--help", "--force", "--replace", "--quiet", "--datadir", "--socket", "--host", "--port",
    "--db-user", "--users", "--days", "--pre-days", "--start", "--seed", "--snapshot", "--effect",
    "--srm", "--multi-exposure", "--load", "--cohort", "--cohort-retention", "--wave", NULL,
};

/* Whether to replace the data an earlier abc synth left: --replace, or a
 * yes typed on a terminal; otherwise say what is kept and how to replace it. */
static bool may_replace(Warehouse *w, int replace, int *rc)
{
    char desc[512], err[512];
    if (synth_existing(w, desc, sizeof desc, err, sizeof err) != ABC_OK) {
        cli_error("synth", "%s", err);
        *rc = 3;
        return false;
    }
    if (!desc[0])
        return true;
    if (replace) {
        fprintf(stderr, "abc synth: replacing %s\n", desc);
        return true;
    }
    if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
        fprintf(stderr, "abc synth: the warehouse holds %s.\nReplace it? [y/N] ", desc);
        char line[64];
        if (fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y'))
            return true;
    } else {
        cli_error("synth", "the warehouse holds %s", desc);
    }
    fputs("abc synth: nothing was changed; pass --replace to replace it (then rerun `abc run "
          "--full`: results computed from the old data are not redone otherwise)\n", stderr);
    *rc = 1;
    return false;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, int *out)
{
    uint64_t v;
    if (parse_u64(s, &v) != 0 || v > 100000)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_share(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1)
        return -1;
    *out = v;
    return 0;
}

int cmd_synth(int argc, char **argv)
{
    int rc = 0;
    AbcStatus st;
    char err[1024] = "";
    const char *datadir = NULL, *sock = NULL, *host = NULL, *user = "root", *snapshot = NULL;
    const char *start = NULL;
    unsigned port = 0;
    int quiet = 0, replace = 0;
    SynthEffect effects[MAX_LIST];
    SynthSrm srm[MAX_LIST];
    SynthConfig cfg = {
        .users = 10000, .days = 28, .pre_days = 14, .seed = 42, .effects = effects, .srm = srm,
        .cohort_retention = 0.4,
    };
    int cohort_set = 0, wave_set = 0;
    GbTagConfig *gb = NULL;
    Warehouse *w = NULL;
    int opened = 0;

    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        char *val = NULL;
        const char *name = a;
        char namebuf[64];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(k_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--force") == 0) {
            cfg.force = 1;
            continue;
        }
        if (strcmp(a, "--replace") == 0) {
            replace = 1;
            continue;
        }
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", a);
        if (strcmp(a, "--user") == 0 || strncmp(a, "--user=", 7) == 0)
            return usage_error("%s is ambiguous: --users N is how many synthetic users, "
                               "--db-user USER the remote warehouse user", a);
        char *eq = strchr(a, '=');
        {
            bool known = false;
            size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
            for (int k = 0; synth_opts[k]; k++)
                known = known || (strlen(synth_opts[k]) == nlen && strncmp(synth_opts[k], a, nlen) == 0);
            if (!known)
                return cli_unknown_option("synth", a, synth_opts);
        }
        if (eq && (size_t)(eq - a) < sizeof namebuf) {
            memcpy(namebuf, a, (size_t)(eq - a));
            namebuf[eq - a] = 0;
            name = namebuf;
            val = eq + 1;
        } else {
            if (i + 1 >= argc)
                return usage_error("option %s needs a value", a);
            val = argv[++i];
        }
        if (strcmp(name, "--datadir") == 0) {
            datadir = val;
        } else if (strcmp(name, "--socket") == 0) {
            sock = val;
        } else if (strcmp(name, "--host") == 0) {
            host = val;
        } else if (strcmp(name, "--port") == 0) {
            int p;
            if (parse_int(val, &p) != 0 || p < 1 || p > 65535)
                return usage_error("--port: '%s' is not a port number", val);
            port = (unsigned)p;
        } else if (strcmp(name, "--db-user") == 0) {
            user = val;
        } else if (strcmp(name, "--users") == 0) {
            if (parse_u64(val, &cfg.users) != 0 || cfg.users < 1)
                return usage_error("--users: '%s' is not a positive integer", val);
        } else if (strcmp(name, "--days") == 0) {
            if (parse_int(val, &cfg.days) != 0 || cfg.days < 1)
                return usage_error("--days: '%s' is not a positive integer", val);
        } else if (strcmp(name, "--pre-days") == 0) {
            if (parse_int(val, &cfg.pre_days) != 0)
                return usage_error("--pre-days: '%s' is not a non-negative integer", val);
        } else if (strcmp(name, "--start") == 0) {
            if (synth_parse_date(val, &cfg.start) != 0 || strlen(val) != 10)
                return usage_error("--start: '%s' is not a date YYYY-MM-DD", val);
            start = val;
        } else if (strcmp(name, "--cohort") == 0) {
            if (parse_u64(val, &cfg.cohort_users) != 0)
                return usage_error("--cohort: '%s' is not a non-negative integer", val);
            cohort_set = 1;
        } else if (strcmp(name, "--wave") == 0) {
            if (parse_u64(val, &cfg.wave_users) != 0)
                return usage_error("--wave: '%s' is not a non-negative integer", val);
            wave_set = 1;
        } else if (strcmp(name, "--cohort-retention") == 0) {
            if (parse_share(val, &cfg.cohort_retention) != 0)
                return usage_error("--cohort-retention: '%s' is not a share in [0, 1]", val);
        } else if (strcmp(name, "--seed") == 0) {
            if (parse_u64(val, &cfg.seed) != 0)
                return usage_error("--seed: '%s' is not a non-negative integer", val);
        } else if (strcmp(name, "--snapshot") == 0) {
            snapshot = val;
        } else if (strcmp(name, "--effect") == 0) {
            if (cfg.n_effects == MAX_LIST)
                return usage_error("too many --effect options (max %s)", "64");
            st = synth_parse_effect(val, &effects[cfg.n_effects], err, sizeof err);
            if (st != ABC_OK)
                return usage_error("%s", err);
            cfg.n_effects++;
        } else if (strcmp(name, "--srm") == 0) {
            char *e2 = strrchr(val, '=');
            if (!e2 || e2 == val)
                return usage_error("--srm %s: expected EXPERIMENT=SHARE", val);
            *e2 = 0;
            if (cfg.n_srm == MAX_LIST)
                return usage_error("too many --srm options (max %s)", "64");
            if (parse_share(e2 + 1, &srm[cfg.n_srm].shift) != 0)
                return usage_error("--srm: '%s' is not a share in [0, 1]", e2 + 1);
            srm[cfg.n_srm++].experiment = val;
        } else if (strcmp(name, "--multi-exposure") == 0) {
            if (parse_share(val, &cfg.multi_exposure) != 0)
                return usage_error("--multi-exposure: '%s' is not a share in [0, 1]", val);
        } else if (strcmp(name, "--load") == 0) {
            if (strcmp(val, "auto") == 0)
                cfg.load = SYNTH_LOAD_AUTO;
            else if (strcmp(val, "infile") == 0)
                cfg.load = SYNTH_LOAD_INFILE;
            else if (strcmp(val, "insert") == 0)
                cfg.load = SYNTH_LOAD_INSERT;
            else
                return usage_error("--load: '%s' is not auto, infile or insert", val);
        } else {
            return usage_error("unknown option %s", name);
        }
    }
    if (datadir && (sock || host))
        return usage_error("%s", "--datadir and --socket/--host are exclusive");
    if (sock && host)
        return usage_error("%s", "--socket and --host are exclusive");
    if (port && !host)
        return usage_error("%s", "--port needs --host");
    cfg.progress = quiet ? NULL : stderr;
    if (!cohort_set)
        cfg.cohort_users = cfg.users / 20;
    if (!wave_set)
        cfg.wave_users = cfg.users / 40;

    if (snapshot) {
        st = gb_load_snapshot(snapshot, NULL, 0, &gb, err, sizeof err);
        if (st != ABC_OK) {
            fprintf(stderr, "abc synth: %s\n", err);
            rc = (int)st; /* AbcStatus values are the exit codes */
            goto out;
        }
        cfg.experiments = gb;
    }
    if (!start) {
        /* the earliest start among running phases (dateEnded ""), else
         * among all; else a fixed date, never "today" (reproducibility) */
        int32_t first = 0;
        int have = 0;
        for (int pass = 0; pass < 2 && !have; pass++)
            for (size_t i = 0; gb && i < gb->n_experiments; i++) {
                const GbExperiment *e = &gb->experiments[i];
                int32_t d;
                if (pass == 0 && e->date_ended && *e->date_ended)
                    continue;
                if (synth_parse_date(e->date_started, &d) == 0 && (!have || d < first)) {
                    first = d;
                    have = 1;
                }
            }
        if (!have)
            (void)synth_parse_date("2026-10-01", &first);
        cfg.start = first;
    }
    if (!snapshot && !quiet)
        fputs("abc synth: no --snapshot: users and events only, no exposures\n", stderr);

    st = synth_check(&cfg, err, sizeof err);
    if (st != ABC_OK) {
        fprintf(stderr, "abc synth: %s\n", err);
        rc = (int)st; /* AbcStatus values are the exit codes */
        goto out;
    }
    /* no retries: a load that lost its connection may have committed;
     * a larger buffer pool keeps the bulk load in memory */
    WhOptions opt = {.local_infile = 1, .max_retries = 0, .buffer_pool_mb = 512};
    if (sock || host) {
        const char *pw = getenv("ABC_PASSWORD");
        st = wh_open_remote(host, port, user, pw, NULL, sock, &opt, &w, err, sizeof err);
    } else {
        st = wh_open_embedded(datadir ? datadir : ".abc/warehouse", NULL, &opt, &w, err, sizeof err);
    }
    opened = 1;
    if (st == ABC_OK && !may_replace(w, replace, &rc))
        goto out;
    if (st == ABC_OK)
        st = synth_run(w, &cfg, NULL, err, sizeof err);
    if (st != ABC_OK) {
        fprintf(stderr, "abc synth: %s\n", err);
        rc = (int)st; /* AbcStatus values are the exit codes */
        goto out;
    }
out:
    wh_close(w);
    if (opened)
        wh_shutdown();
    gb_tag_config_free(gb);
    return rc;
}
