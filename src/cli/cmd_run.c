/* cmd_run.c — abc run: parse the command line, load abc.yaml, open the
 * warehouse once, run each spec (run.h), print the JSON summary, and map
 * outcomes to exit codes. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "abc/cli.h"
#include "abc/config.h"
#include "abc/dates.h"
#include "abc/gb.h"
#include "abc/ir.h"
#include "abc/run.h"
#include "abc/runcli.h"
#include "abc/spec.h"
#include "abc/wh.h"

static const char run_help[] =
    "usage: abc run [options] SPEC... | --all\n"
    "\n"
    "Resolve the latest phase of each experiment of the spec's tag, fill the\n"
    "assignment and wide tables for the dates due, compute the statistics and\n"
    "replace the tag's report tables; write a Markdown memo per tag.\n"
    "\n"
    "  --all               every spec in specs/ (X.ab wins over its X.yaml twin)\n"
    "  --date D            process event date D only (YYYY-MM-DD, not after today)\n"
    "  --from D --to D     process a date range (backfill; not after today)\n"
    "  --full              rebuild from the earliest phase start\n"
    "  --intraday          refresh only the hourly series (specs with `hourly;`): the\n"
    "                      hours from the last hour filled minus one (late events)\n"
    "                      through the current hour (UTC); no statistics, no report;\n"
    "                      meant for a scheduler every 15 minutes\n"
    "  --dry-run           print what would run (experiments, dates, steps); change nothing\n"
    "  --sql               with --dry-run: print every statement the run would send,\n"
    "                      bound with its values (run state and migrations included),\n"
    "                      for the configured dialect; nothing is read from the\n"
    "                      warehouse (a first run unless --date/--from/--to), and no\n"
    "                      connection is made when warehouse.dialect is set\n"
    "  --fail-on LIST      exit 4 when a check fails: srm, guardrail, data_quality\n"
    "                      (added to the spec's fail_on)\n"
    "  --format text|json  json: a machine-readable summary on stdout\n"
    "  --memo-dir DIR      where memos go (default reports/)\n"
    "  --config FILE       configuration (default ./abc.yaml)\n"
    "  --quiet             no progress lines on stderr\n"
    "\n"
    "Without --date/--from/--full, the dates due are those since the tag's last\n"
    "successful run (kept in the warehouse) through yesterday (UTC), and before\n"
    "them any of the last lookback_days dates done (default 2) whose source rows\n"
    "changed since they were filled (late data; --dry-run names them).\n"
    "With --all every spec is checked before any runs.  With several specs a\n"
    "line per tag ends the output: PASS, WARN (a check failed that was not asked\n"
    "to fail the run), FAIL (a requested check; exit 4) or ERROR.\n"
    "\n"
    "exit codes: 0 ok, 1 spec or data error, 2 usage, 3 no abc.yaml, warehouse,\n"
    "GrowthBook or file system, 4 a requested health check failed\n";

int runcli_parse_fail_on(const char *list, unsigned *out)
{
    unsigned bits = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "srm") == 0)
            bits |= FAIL_SRM;
        else if (strcmp(t, "guardrail") == 0)
            bits |= FAIL_GUARDRAIL;
        else if (strcmp(t, "data_quality") == 0)
            bits |= FAIL_DATA_QUALITY;
        else
            return -1;
    }
    *out = bits;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int runcli_all_specs(const char *dir, char ***out, int *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    int cnt = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || e->d_name[0] == '.')
            continue;
        bool ab = strcmp(dot, ".ab") == 0;
        bool yaml = strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0;
        if (!ab && !yaml)
            continue;
        if (yaml) {
            /* skip a YAML twin of a DSL spec */
            char twin[1024];
            snprintf(twin, sizeof twin, "%s/%.*s.ab", dir, (int)(dot - e->d_name), e->d_name);
            FILE *f = fopen(twin, "r");
            if (f) {
                fclose(f);
                continue;
            }
        }
        if (cnt == cap) {
            cap = cap ? cap * 2 : 8;
            char **p = realloc(names, sizeof(char *) * (size_t)cap);
            if (!p)
                abort();
            names = p;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[cnt] = malloc(len);
        if (!names[cnt])
            abort();
        snprintf(names[cnt], len, "%s/%s", dir, e->d_name);
        cnt++;
    }
    closedir(d);
    if (cnt)
        qsort(names, (size_t)cnt, sizeof *names, cmp_str);
    *out = names;
    *n = cnt;
    return 0;
}

AbcStatus runcli_open_warehouse(const AbcConfig *cfg, Warehouse **wh, const Dialect **dialect,
                                char *err, size_t errlen)
{
    const ConfigWarehouse *c = &cfg->warehouse;
    AbcStatus st;
    WhOptions wo;
    config_wh_options(cfg, &wo);
    if (c->remote) {
        /* no default database: abc qualifies every table, and its DDL creates
         * the databases, so a fresh server works */
        st = wh_open_remote(c->dsn.host, c->dsn.port, c->dsn.user, c->password, NULL,
                            c->dsn.socket, &wo, wh, err, errlen);
    } else {
        st = wh_open_embedded(c->embedded_datadir, NULL, &wo, wh, err, errlen);
    }
    if (st != ABC_OK)
        return st;
    *dialect = dialect_by_id(c->dialect != DIALECT_AUTO ? c->dialect : wh_dialect(*wh));
    /* on the session, so a reconnect keeps it */
    Buf set;
    buf_init(&set);
    config_session_statement(cfg, *dialect, &set);
    st = set.len ? wh_set_session(*wh, set.data, err, errlen) : ABC_OK;
    buf_free(&set);
    if (st != ABC_OK) {
        wh_close(*wh);
        *wh = NULL;
    }
    return st;
}

/* The configured dialect, when it is known without asking the server:
 * set in abc.yaml, or the embedded warehouse (MariaDB).  NULL otherwise. */
static const Dialect *configured_dialect(const AbcConfig *cfg)
{
    if (cfg->warehouse.dialect != DIALECT_AUTO)
        return dialect_by_id(cfg->warehouse.dialect);
    return cfg->warehouse.remote ? NULL : &dialect_mariadb;
}

/* Exit code of several outcomes: usage > environment > spec > health > ok. */
static int worse(int a, int b)
{
    static const int rank[] = {0, 2, 4, 3, 1}; /* by exit code 0..4 */
    return rank[b] > rank[a] ? b : a;
}

static const char *const run_opts[] = {
    "--help", "--all", "--full", "--intraday", "--dry-run", "--sql", "--quiet", "--date", "--from",
    "--to", "--memo-dir", "--config", "--format", "--fail-on", NULL,
};
static const char *const plan_opts[] = {
    "--help", "--full", "--date", "--from", "--to", "--config", "--format", NULL,
};

AbcStatus runcli_load_config(const char *cmd, const char *path, AbcConfig **cfg, int *rc)
{
    char err[2048];
    if (!path && access("abc.yaml", F_OK) != 0 && !getenv("ABC_DSN") &&
        !getenv("GROWTHBOOK_API_HOST")) {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            snprintf(cwd, sizeof cwd, ".");
        cli_error(cmd, "no abc.yaml found in %s (abc reads ./abc.yaml): run abc from the "
                  "project root, or give --config FILE", cwd);
        *rc = 3;
        return ABC_ERR_ENV;
    }
    AbcStatus st = config_load(path, cfg, err, sizeof err);
    if (st != ABC_OK) {
        cli_error(cmd, "%s", err);
        *rc = st == ABC_ERR_USAGE ? 2 : 3;
    }
    return st;
}

/* A date option: YYYY-MM-DD, a real calendar date. */
static bool bad_date(const char *cmd, const char *opt, const char *v)
{
    long d;
    if (!v || date_parse(v, &d))
        return false;
    cli_usage_error(cmd, "%s: '%s' is not a date YYYY-MM-DD", opt, v);
    return true;
}

/* The first health failure of a tag's results, for the summary line:
 * "SRM in EXP", "guardrail METRIC worse in EXP variation V", "data quality
 * in EXP".  Empty when the results name none. */
static void first_failure(const Buf *json, char *out, size_t outlen)
{
    out[0] = '\0';
    cJSON *doc = json->len ? cJSON_ParseWithLength(json->data, json->len) : NULL;
    const cJSON *exps = cJSON_GetObjectItemCaseSensitive(doc, "experiments"), *e;
    cJSON_ArrayForEach(e, exps) {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "tracking_key"));
        key = key ? key : "?";
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "srm"))) {
            snprintf(out, outlen, "SRM in %s", key);
            break;
        }
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(e, "metrics")) {
            const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "role"));
            const char *dec = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "decision"));
            if (role && dec && !strcmp(role, "guardrail") && !strcmp(dec, "loser")) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "metric"));
                const char *var = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "variation"));
                snprintf(out, outlen, "guardrail %s worse in %s variation %s", name ? name : "?",
                         key, var ? var : "?");
                break;
            }
        }
        if (out[0])
            break;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "data_quality_issue")) ||
            cJSON_GetObjectItemCaseSensitive(e, "data_quality")) {
            snprintf(out, outlen, "data quality issue in %s", key);
            break;
        }
    }
    cJSON_Delete(doc);
}

/* With --all, every spec loads and checks before any runs: a broken spec
 * in specs/ stops the command before the first warehouse statement.  (Specs
 * named one by one are each attempted, as a scheduler listing them expects.) */
static int precheck_specs(const char *cmd, char **specs, int nspecs)
{
    int bad = 0, rc = 0;
    for (int k = 0; k < nspecs; k++) {
        SpecUnit u;
        AbcStatus st = spec_load(&u, specs[k]);
        if (st != ABC_OK) {
            diag_print(&u.diag, stderr);
            if (u.diag.nmsgs == 0)
                cli_error(cmd, "cannot read spec '%s'", specs[k]);
            bad++;
            rc = 1;
        }
        spec_unit_free(&u);
    }
    if (bad)
        cli_error(cmd, "%d of %d spec%s %s errors; nothing was run", bad, nspecs,
                  nspecs == 1 ? "" : "s", bad == 1 ? "has" : "have");
    return rc;
}

int runcli_main(const char *cmd, int argc, char **argv)
{
    RunOptions o;
    memset(&o, 0, sizeof o);
    o.progress = stderr;
    bool all = false, json = false, plan = !strcmp(cmd, "plan");
    const char *config_path = NULL;
    char **specs = NULL;
    int nspecs = 0;
    char **args = calloc((size_t)argc + 1, sizeof(char *));
    int nargs = 0;
    if (!args)
        abort();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(run_help, stdout);
            free(args);
            return 0;
        } else if (!strcmp(a, "--all")) {
            all = true;
        } else if (!strcmp(a, "--full")) {
            o.full = true;
        } else if (!strcmp(a, "--intraday") && !strcmp(cmd, "run")) {
            o.intraday = true;
        } else if (!strcmp(a, "--dry-run")) {
            o.dry_run = true;
        } else if (!strcmp(a, "--sql")) {
            o.sql = true;
        } else if (!strcmp(a, "--quiet")) {
            o.progress = NULL;
        } else if (!strcmp(a, "--date") && v) {
            o.date = v, i++;
        } else if (!strcmp(a, "--from") && v) {
            o.from = v, i++;
        } else if (!strcmp(a, "--to") && v) {
            o.to = v, i++;
        } else if (!strcmp(a, "--memo-dir") && v) {
            o.memo_dir = v, i++;
        } else if (!strcmp(a, "--config") && v) {
            config_path = v, i++;
        } else if (!strcmp(a, "--format") && v) {
            if (!strcmp(v, "json"))
                json = true;
            else if (strcmp(v, "text")) {
                cli_usage_error(cmd, "unknown format '%s' (text or json)", v);
                free(args);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--fail-on") && v) {
            if (runcli_parse_fail_on(v, &o.fail_on) != 0) {
                cli_usage_error(cmd, "--fail-on takes srm, guardrail, data_quality (comma-separated)");
                free(args);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--")) {
            while (++i < argc)
                args[nargs++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            const char *const *opts = plan ? plan_opts : run_opts;
            bool known = false;
            for (int k = 0; opts[k]; k++)
                known = known || !strcmp(opts[k], a);
            if (known)
                cli_usage_error(cmd, "%s needs a value", a);
            else
                cli_unknown_option(cmd, a, opts);
            free(args);
            return 2;
        } else {
            args[nargs++] = argv[i];
        }
    }
    if ((o.date && (o.from || o.to || o.full)) || ((o.from || o.to) && o.full)) {
        cli_usage_error(cmd, "--date, --from/--to and --full exclude each other");
        free(args);
        return 2;
    }
    if (o.intraday && (o.date || o.from || o.to || o.full)) {
        cli_usage_error(cmd, "--intraday refreshes today's hours: it takes no --date, --from/--to "
                             "or --full");
        free(args);
        return 2;
    }
    if (o.sql && !o.dry_run) {
        cli_usage_error(cmd, "--sql goes with --dry-run");
        free(args);
        return 2;
    }
    if (all == (nargs > 0)) {
        cli_usage_error(cmd, all ? "--all takes no spec arguments" : "no spec given (or --all)");
        free(args);
        return 2;
    }
    /* dates are checked here, before abc.yaml, GrowthBook or the warehouse */
    if (bad_date(cmd, "--date", o.date) || bad_date(cmd, "--from", o.from) ||
        bad_date(cmd, "--to", o.to)) {
        free(args);
        return 2;
    }
    if (o.from && o.to && strcmp(o.from, o.to) > 0) {
        cli_usage_error(cmd, "--from %s is after --to %s", o.from, o.to);
        free(args);
        return 2;
    }
    if (json)
        o.plan_out = stderr; /* stdout carries the JSON document */
    char err[2048];
    /* dates are checked before the warehouse or GrowthBook is contacted */
    if (run_check_dates(&o, err, sizeof err) != ABC_OK) {
        fprintf(stderr, "abc run: %s\n", err);
        free(args);
        return 2;
    }
    AbcConfig *cfg = NULL;
    int rc = 0;
    if (runcli_load_config(cmd, config_path, &cfg, &rc) != ABC_OK) {
        free(args);
        return rc;
    }
    if (all) {
        if (runcli_all_specs("specs", &specs, &nspecs) != 0 || nspecs == 0) {
            cli_error(cmd, "--all found no specs in specs/");
            config_free(cfg);
            free(args);
            return 2;
        }
    } else {
        nspecs = nargs;
        specs = malloc(sizeof(char *) * (size_t)nspecs);
        if (!specs)
            abort();
        for (int k = 0; k < nspecs; k++)
            specs[k] = strdup(args[k]);
    }
    free(args);
    Warehouse *wh = NULL, *wh_side = NULL;
    const Dialect *dialect = NULL;
    Buf out, summary;
    buf_init(&out);
    buf_init(&summary);
    AbcStatus st;
    if (all && (rc = precheck_specs(cmd, specs, nspecs)) != 0) {
        if (json)
            printf("{\"abc_version\": \"%s\", \"tags\": [], \"error\": \"a spec has errors; "
                   "nothing was run\", \"exit_code\": %d}\n", ABC_VERSION, rc);
        goto done;
    }
    /* --dry-run --sql sends nothing: it connects only to learn the dialect;
     * a dry run on an embedded warehouse not yet created reads no run
     * state (a first run) and creates nothing */
    dialect = o.sql ? configured_dialect(cfg) : NULL;
    if (!dialect && o.dry_run && !cfg->warehouse.remote &&
        access(cfg->warehouse.embedded_datadir, F_OK) != 0)
        dialect = configured_dialect(cfg);
    st = dialect ? ABC_OK : runcli_open_warehouse(cfg, &wh, &dialect, err, sizeof err);
    if (st != ABC_OK) {
        cli_error(cmd, "%s", err);
        rc = 3;
        goto done;
    }
    /* a remote warehouse gets a second connection: the growth tables fill
     * on it beside the statistics (run.h); without one they run in turn */
    if (wh && cfg->warehouse.remote && cfg->warehouse.connections > 1 && !o.dry_run &&
        !o.intraday) {
        const Dialect *d2;
        char err2[512];
        if (runcli_open_warehouse(cfg, &wh_side, &d2, err2, sizeof err2) != ABC_OK) {
            wh_side = NULL;
            if (o.progress)
                fprintf(o.progress, "abc %s: a second warehouse connection could not be opened "
                                    "(%s); everything runs on one\n", cmd, err2);
        }
    }
    RunEnv env = {cfg, wh, wh_side, dialect};
    buf_printf(&out, "{\"abc_version\": \"%s\", \"dialect\": \"%s\", \"tags\": [", ABC_VERSION,
               dialect->name);
    int count[4] = {0, 0, 0, 0}; /* pass (or plan), warn, fail, error */
    for (int k = 0; k < nspecs; k++) {
        RunOutcome res;
        err[0] = '\0';
        st = run_spec(&env, specs[k], &o, &res, err, sizeof err);
        int code = st == ABC_OK ? (res.health_failed ? 4 : 0)
                 : st == ABC_ERR_ENV ? 3
                 : st == ABC_ERR_USAGE ? 2 : 1;
        char why[512] = "";
        if (st == ABC_OK && !o.dry_run && (res.health_failed || res.srm_failures ||
                                           res.guardrail_failures || res.data_quality_failures))
            first_failure(&res.json, why, sizeof why);
        if (st != ABC_OK)
            cli_error(cmd, "%s: %s", specs[k], err);
        else if (res.health_failed)
            fprintf(stderr, "%sabc %s %s: health check failed%s (SRM %d, guardrails %d, data quality %d)%s%s\n",
                    cli_sgr(stderr, CLI_RED), cmd, res.tag, cli_sgr(stderr, CLI_RESET),
                    res.srm_failures, res.guardrail_failures, res.data_quality_failures,
                    why[0] ? ": " : "", why);
        rc = worse(rc, code);
        count[st != ABC_OK ? 3 : res.health_failed ? 2 : why[0] ? 1 : 0]++;
        /* the per-tag summary line: PASS, WARN (a check failed that was not
         * asked to fail the run), FAIL (a requested check), ERROR */
        {
            const char *word = st != ABC_OK ? "ERROR" : res.health_failed ? "FAIL"
                             : why[0] ? "WARN" : o.dry_run ? "PLAN" : "PASS";
            CliColor col = st != ABC_OK || res.health_failed ? CLI_RED : why[0] ? CLI_YELLOW : CLI_GREEN;
            char detail[1024];
            if (st != ABC_OK)
                snprintf(detail, sizeof detail, "exit %d: %.900s", code, err);
            else if (why[0])
                snprintf(detail, sizeof detail, "%.800s (SRM %d, guardrails %d, data quality %d)", why,
                         res.srm_failures, res.guardrail_failures, res.data_quality_failures);
            else if (res.nhours)
                snprintf(detail, sizeof detail, "%d experiment%s, hours %.13s:00 .. %.13s:00 "
                         "(%d hour%s, intraday)", res.nexperiments,
                         res.nexperiments == 1 ? "" : "s", res.first_hour, res.last_hour,
                         res.nhours, res.nhours == 1 ? "" : "s");
            else if (o.intraday)
                snprintf(detail, sizeof detail, "no hourly series (analysis { hourly; }): "
                         "nothing to refresh");
            else if (res.ndays)
                snprintf(detail, sizeof detail, "%d experiment%s, %s .. %s (%d day%s)",
                         res.nexperiments, res.nexperiments == 1 ? "" : "s", res.first_date,
                         res.last_date, res.ndays, res.ndays == 1 ? "" : "s");
            else
                snprintf(detail, sizeof detail, "%d experiment%s, no dates due", res.nexperiments,
                         res.nexperiments == 1 ? "" : "s");
            /* no newline in the one-line summary */
            for (char *c = detail; *c; c++)
                if (*c == '\n' || *c == '\r')
                    *c = ' ';
            buf_printf(&summary, "  %s%-5s%s  %-16s %s\n", cli_sgr(stderr, col), word,
                       cli_sgr(stderr, CLI_RESET), res.tag ? res.tag : specs[k], detail);
        }
        buf_puts(&out, k ? ",\n  {" : "\n  {");
        buf_puts(&out, "\"spec\": ");
        buf_put_json_string(&out, specs[k]);
        buf_puts(&out, ", \"tag\": ");
        if (res.tag)
            buf_put_json_string(&out, res.tag);
        else
            buf_puts(&out, "null");
        buf_printf(&out, ", \"exit_code\": %d", code);
        if (st != ABC_OK) {
            buf_puts(&out, ", \"error\": ");
            buf_put_json_string(&out, err);
        } else if (o.intraday) {
            buf_printf(&out, ", \"intraday\": true, \"dry_run\": %s, \"hours\": %d",
                       o.dry_run ? "true" : "false", res.nhours);
            if (res.nhours)
                buf_printf(&out, ", \"from_hour\": \"%s\", \"to_hour\": \"%s\"", res.first_hour,
                           res.last_hour);
            buf_printf(&out, ", \"experiments\": %d", res.nexperiments);
        } else if (o.dry_run) {
            buf_printf(&out, ", \"dry_run\": true, \"days\": %d", res.ndays);
            if (res.ndays)
                buf_printf(&out, ", \"from\": \"%s\", \"to\": \"%s\"", res.first_date, res.last_date);
            buf_printf(&out, ", \"experiments\": %d", res.nexperiments);
        } else {
            buf_printf(&out, ", \"days\": %d", res.ndays);
            if (res.ndays) {
                buf_printf(&out, ", \"from\": \"%s\", \"to\": \"%s\"", res.first_date, res.last_date);
            }
            buf_printf(&out, ", \"experiments\": %d, \"srm_failures\": %d, \"guardrail_failures\": %d, "
                             "\"data_quality_failures\": %d, \"health_failed\": %s",
                       res.nexperiments, res.srm_failures, res.guardrail_failures,
                       res.data_quality_failures, res.health_failed ? "true" : "false");
            if (res.memo_path) {
                buf_puts(&out, ", \"memo\": ");
                buf_put_json_string(&out, res.memo_path);
            }
            if (res.json.len) {
                buf_puts(&out, ", \"results\": ");
                buf_put(&out, res.json.data, res.json.len);
            }
            if (res.activity_json.len) {
                buf_puts(&out, ", \"activity\": ");
                buf_put(&out, res.activity_json.data, res.activity_json.len);
            }
        }
        buf_putc(&out, '}');
        run_outcome_free(&res);
    }
    buf_printf(&out, "\n], \"exit_code\": %d}\n", rc);
    if (json)
        fwrite(out.data, 1, out.len, stdout);
    if (nspecs > 1 && !o.sql && summary.len) {
        fprintf(stderr, "abc %s: %d tags: %d %s, %d warned, %d failed, %d errors (exit %d)\n", cmd,
                nspecs, count[0], o.dry_run ? "planned" : "passed", count[1], count[2], count[3], rc);
        fwrite(summary.data, 1, summary.len, stderr);
    }
done:
    buf_free(&out);
    buf_free(&summary);
    wh_close(wh_side);
    wh_close(wh);
    wh_shutdown();
    gb_global_cleanup();
    for (int k = 0; k < nspecs; k++)
        free(specs[k]);
    free(specs);
    config_free(cfg);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    return runcli_main("run", argc, argv);
}
