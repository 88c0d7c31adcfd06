/* test_config.c — abc.yaml parsing (types, unknown/duplicate keys, positions),
 * DSNs, environment precedence, secret files and secret hygiene. */
#include <criterion/criterion.h>

#include "abc/config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void clear_env(void)
{
    unsetenv("ABC_DSN");
    unsetenv("ABC_PASSWORD");
    unsetenv("GROWTHBOOK_API_HOST");
    unsetenv("GROWTHBOOK_API_KEY");
}

/* each test runs in its own process: the files a test wrote go with it */
static char g_dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_files(void)
{
    if (g_dir[0])
        nftw(g_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config, .init = clear_env, .fini = remove_files);

static AbcConfig *parse_ok(const char *text)
{
    AbcConfig *c = NULL;
    char err[512] = "";
    cr_assert_eq(config_parse(text, strlen(text), "t.yaml", &c, err, sizeof err), ABC_OK, "%s",
                 err);
    cr_assert_not_null(c);
    return c;
}

static void parse_fails(const char *text, const char *want)
{
    AbcConfig *c = NULL;
    char err[512] = "";
    AbcStatus st = config_parse(text, strlen(text), "t.yaml", &c, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_USAGE, "accepted:\n%s", text);
    cr_assert_null(c);
    cr_assert_not_null(strstr(err, want), "\n got: %s\nwant: %s", err, want);
}

Test(config, defaults)
{
    const char *texts[] = {"", "# nothing\n", "---\n", "~\n", "warehouse:\ngrowthbook:\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        AbcConfig *c = parse_ok(texts[i]);
        cr_assert_eq(c->warehouse.remote, 0);
        cr_assert_str_eq(c->warehouse.embedded_datadir, ".abc/warehouse");
        cr_assert_eq(c->warehouse.dialect, DIALECT_AUTO);
        cr_assert_null(c->warehouse.password);
        cr_assert_null(c->growthbook.api_host);
        cr_assert_null(c->growthbook.file);
        cr_assert_null(c->growthbook.api_key);
        cr_assert_eq(c->growthbook.connect_timeout_ms, 10000);
        cr_assert_eq(c->growthbook.timeout_ms, 60000);
        cr_assert_eq(c->growthbook.deadline_ms, 300000);
        cr_assert_eq(c->warehouse.read_timeout_s, 3600);
        cr_assert_eq(c->warehouse.query_timeout_s, 0);
        cr_assert_eq(c->growthbook.allow_insecure_http, 0);
        cr_assert_str_eq(c->databases.abc, "abc");
        cr_assert_str_eq(c->databases.report, "flow_report_app");
        cr_assert_eq(c->lookback_days, 2);
        cr_assert_eq(c->warehouse.connections, 2);
        cr_assert_eq(c->warehouse.embedded_buffer_pool_mb, 256);
        cr_assert_eq(c->warehouse.temp_table_mb, 256);
        SessionSettings ss;
        config_session_settings(c, &ss);
        cr_assert_eq(ss.timeout_s, 0);
        cr_assert_eq(ss.temp_table_mb, 256);
        config_free(c);
    }
}

Test(config, every_key)
{
    AbcConfig *c = parse_ok("warehouse:\n"
                            "  dsn: mysql://abc_runner@sr-fe.internal:9031/abc\n"
                            "  embedded_datadir: /var/lib/abc\n"
                            "  dialect: starrocks\n"
                            "  read_timeout_s: 7200\n"
                            "  query_timeout_s: 1800\n"
                            "  connections: 1\n"
                            "  embedded_buffer_pool_mb: 2048\n"
                            "  temp_table_mb: 0\n"
                            "growthbook:\n"
                            "  api_host: https://gb.example.com\n"
                            "  project_id: prj_1\n"
                            "  connect_timeout_s: 2.5\n"
                            "  timeout_s: 30\n"
                            "  deadline_s: 90\n"
                            "  allow_insecure_http: true\n"
                            "databases:\n"
                            "  abc: abc_test\n"
                            "  report: report_app\n"
                            "lookback_days: 7\n");
    cr_assert_eq(c->warehouse.remote, 1);
    cr_assert_str_eq(c->warehouse.dsn.user, "abc_runner");
    cr_assert_str_eq(c->warehouse.dsn.host, "sr-fe.internal");
    cr_assert_eq(c->warehouse.dsn.port, 9031);
    cr_assert_str_eq(c->warehouse.dsn.database, "abc");
    cr_assert_null(c->warehouse.dsn.socket);
    cr_assert_str_eq(c->warehouse.dsn_origin, "t.yaml");
    cr_assert_str_eq(c->warehouse.embedded_datadir, "/var/lib/abc");
    cr_assert_eq(c->warehouse.dialect, DIALECT_STARROCKS);
    cr_assert_eq(c->warehouse.read_timeout_s, 7200);
    cr_assert_eq(c->warehouse.query_timeout_s, 1800);
    cr_assert_eq(c->warehouse.connections, 1);
    WhOptions wo;
    config_wh_options(c, &wo);
    cr_assert_eq(wo.read_timeout_s, 7200);
    cr_assert_eq(wo.max_retries, 3);
    cr_assert_eq(c->warehouse.embedded_buffer_pool_mb, 2048);
    cr_assert_eq(wo.buffer_pool_mb, 2048);
    cr_assert_eq(c->warehouse.temp_table_mb, 0);
    SessionSettings ss;
    config_session_settings(c, &ss);
    cr_assert_eq(ss.timeout_s, 1800);
    cr_assert_eq(ss.temp_table_mb, 0);
    cr_assert_str_eq(c->growthbook.api_host, "https://gb.example.com");
    cr_assert_str_eq(c->growthbook.project_id, "prj_1");
    cr_assert_eq(c->growthbook.connect_timeout_ms, 2500);
    cr_assert_eq(c->growthbook.timeout_ms, 30000);
    cr_assert_eq(c->growthbook.deadline_ms, 90000);
    cr_assert_eq(c->growthbook.allow_insecure_http, 1);
    cr_assert_str_eq(c->databases.abc, "abc_test");
    cr_assert_str_eq(c->databases.report, "report_app");
    cr_assert_eq(c->lookback_days, 7);

    GbOptions o;
    config_gb_options(c, &o);
    cr_assert_str_eq(o.api_host, "https://gb.example.com");
    cr_assert_null(o.file);
    cr_assert_str_eq(o.project_id, "prj_1");
    cr_assert_eq(o.connect_timeout_ms, 2500);
    cr_assert_eq(o.timeout_ms, 30000);
    cr_assert_eq(o.deadline_ms, 90000);
    cr_assert_eq(o.allow_insecure_http, 1);
    cr_assert_eq(o.max_attempts, 5);
    config_free(c);
}

Test(config, default_port_follows_dialect)
{
    AbcConfig *c = parse_ok("warehouse: {dsn: 'mysql://u@h/db', dialect: starrocks}\n");
    cr_assert_eq(c->warehouse.dsn.port, 9030);
    cr_assert_eq(c->warehouse.dsn.port_given, 0);
    config_free(c);
    c = parse_ok("warehouse: {dsn: 'mysql://u@h/db'}\n");
    cr_assert_eq(c->warehouse.dsn.port, 3306);
    config_free(c);
}

Test(config, errors_have_positions)
{
    parse_fails("warehouse:\n  dsn: mysql://u@h:1/d\nwarehous: {}\n",
                "t.yaml:3:1: error: unknown key 'warehous'; did you mean 'warehouse'? (expected "
                "warehouse, growthbook, databases, lookback_days)");
    parse_fails("warehouse:\n  dns: x\n", "t.yaml:2:3: error: unknown key 'dns' in warehouse; "
                                          "did you mean 'dsn'?");
    parse_fails("growthbook:\n  api_hots: http://x\n", "t.yaml:2:3: error: unknown key 'api_hots' "
                                                      "in growthbook; did you mean 'api_host'?");
    parse_fails("databases:\n  reports: x\n", "t.yaml:2:3: error: unknown key 'reports' in "
                                              "databases; did you mean 'report'?");
    parse_fails("lookback: 3\n", "t.yaml:1:1: error: unknown key 'lookback'; did you mean "
                                  "'lookback_days'? (expected");
    parse_fails("zzz: 3\n", "t.yaml:1:1: error: unknown key 'zzz' (expected warehouse");
    parse_fails("lookback_days: \"2\"\n", "t.yaml:1:16: error: lookback_days: expected an "
                                          "integer, got a quoted string");
    parse_fails("lookback_days: two\n", "t.yaml:1:16: error: lookback_days: expected an "
                                        "integer, got 'two'");
    parse_fails("lookback_days: 2.5\n", "expected an integer, got '2.5'");
    parse_fails("lookback_days: 400\n", "t.yaml:1:16: error: lookback_days: 400 is outside 0..365");
    parse_fails("lookback_days: [1]\n", "lookback_days: expected an integer, got a sequence");
    parse_fails("warehouse: mysql://u@h\n", "t.yaml:1:12: error: warehouse: expected a mapping, "
                                            "got a scalar");
    parse_fails("warehouse:\n  dialect: oracle\n", "t.yaml:2:12: error: warehouse.dialect: "
                                                   "expected starrocks, mariadb or auto, got "
                                                   "'oracle'");
    parse_fails("warehouse:\n  dialect: [starrocks]\n", "warehouse.dialect: expected a string, "
                                                        "got a sequence");
    parse_fails("warehouse:\n  embedded_datadir:\n", "t.yaml:2:20: error: "
                                                     "warehouse.embedded_datadir: expected a "
                                                     "string, got null");
    parse_fails("databases:\n  abc: 1abc\n", "t.yaml:2:8: error: databases.abc: '1abc' is not a "
                                             "database name");
    parse_fails("databases:\n  report: \"flow-report\"\n", "databases.report: 'flow-report' is "
                                                           "not a database name");
    parse_fails("growthbook:\n  timeout_s: 0\n", "t.yaml:2:14: error: growthbook.timeout_s: 0 s "
                                                 "is outside (0, 3600]");
    parse_fails("growthbook:\n  connect_timeout_s: fast\n", "expected a number of seconds, got "
                                                            "'fast'");
    parse_fails("growthbook:\n  timeout_s: '5'\n", "growthbook.timeout_s: expected a number of "
                                                   "seconds, got a quoted string");
    parse_fails("warehouse:\n  read_timeout_s: 0\n", "t.yaml:2:19: error: "
                                                   "warehouse.read_timeout_s: 0 is outside "
                                                   "1..604800");
    parse_fails("warehouse:\n  query_timeout_s: 0\n", "t.yaml:2:20: error: "
                                                    "warehouse.query_timeout_s: 0 is outside "
                                                    "1..259200");
    parse_fails("warehouse:\n  embedded_buffer_pool_mb: 16\n", "t.yaml:2:28: error: "
                                                             "warehouse.embedded_buffer_pool_mb: "
                                                             "16 is outside 32..1048576");
    parse_fails("warehouse:\n  temp_table_mb: 65537\n", "t.yaml:2:18: error: "
                                                       "warehouse.temp_table_mb: 65537 is outside "
                                                       "0..65536");
    parse_fails("warehouse:\n  temp_table_mb: -1\n", "warehouse.temp_table_mb: -1 is outside "
                                                    "0..65536");
    parse_fails("warehouse:\n  connections: 3\n", "t.yaml:2:16: error: "
                                                 "warehouse.connections: 3 is outside 1..2");
    parse_fails("warehouse:\n  query_timeout: 60\n", "unknown key 'query_timeout' in warehouse; "
                                                     "did you mean 'query_timeout_s'?");
    parse_fails("warehouse:\n  read_timeout_s: 1.5\n", "warehouse.read_timeout_s: expected an "
                                                     "integer, got '1.5'");
    parse_fails("growthbook:\n  deadline_s: 100000\n", "t.yaml:2:15: error: "
                                                      "growthbook.deadline_s: 100000 s is "
                                                      "outside (0, 86400]");
    parse_fails("growthbook:\n  allow_insecure_http: yes\n", "t.yaml:2:24: error: "
                                                            "growthbook.allow_insecure_http: "
                                                            "expected true or false, got 'yes'");
    parse_fails("growthbook:\n  allow_insecure_http: 'true'\n", "growthbook.allow_insecure_http: "
                                                               "expected true or false, got a "
                                                               "quoted string");
    parse_fails("growthbook:\n  api_host: gb.example.com\n", "t.yaml:2:13: error: "
                                                             "growthbook.api_host: must start "
                                                             "with http:// or https://");
    parse_fails("growthbook:\n  file: snap.json\n  api_host: http://x\n",
                "t.yaml:3:3: error: growthbook: set either api_host or file, not both");
    parse_fails("- warehouse\n", "t.yaml:1:1: error: expected a mapping of settings at the top, "
                                 "got a sequence");
    parse_fails("? [a, b]\n: 1\n", "t.yaml:1:3: error: the top level: keys must be plain names");
    parse_fails("a: 1\n---\nb: 2\n", "t.yaml:3:1: error: only one YAML document is allowed");
    parse_fails("warehouse: {dsn: 'mysql://u@h'}\nwarehouse: {}\n",
                "t.yaml:2:1: error: duplicate key 'warehouse' in the top level (first at line 1)");
    parse_fails("warehouse:\n  dsn: mysql://u@h\n  dialect: auto\n  dsn: mysql://v@h\n",
                "t.yaml:4:3: error: duplicate key 'dsn' in warehouse (first at line 2)");
    parse_fails("warehouse:\n  dsn: mysql://u@h\n   dialect: auto\n", "t.yaml:3:");
    parse_fails("warehouse: {dsn: 'mysql://u@h'\n", "t.yaml:");
    parse_fails("warehouse:\n\tdsn: x\n", "t.yaml:2:1: error:");
    parse_fails("warehouse:\n  dialect: starrocks\n",
                "t.yaml: error: warehouse.dialect is starrocks but no DSN is set");
}

Test(config, secrets_in_the_file_are_rejected)
{
    parse_fails("warehouse:\n  dsn: mysql://abc:hunter2pw@db:3306/abc\n",
                "t.yaml:2:8: error: warehouse.dsn: the DSN contains a password; remove it and "
                "set the ABC_PASSWORD environment variable");
    parse_fails("warehouse:\n  password: hunter2pw\n",
                "t.yaml:2:3: error: warehouse.password: secrets are not read from the config "
                "file; set the ABC_PASSWORD environment variable or warehouse.password_file");
    parse_fails("growthbook:\n  api_key: secret_xyz\n",
                "t.yaml:2:3: error: growthbook.api_key: secrets are not read from the config "
                "file; set the GROWTHBOOK_API_KEY environment variable");
    AbcConfig *c = NULL;
    char err[512];
    const char *t = "warehouse:\n  dsn: mysql://abc:hunter2pw@db:3306/abc\n";
    cr_assert_neq(config_parse(t, strlen(t), "t.yaml", &c, err, sizeof err), ABC_OK);
    cr_assert_null(strstr(err, "hunter2pw"), "%s", err);
}

Test(config, dsn_forms)
{
    Arena a;
    arena_init(&a);
    ConfigDsn d;
    char err[256];
    cr_assert_eq(config_parse_dsn("mysql://abc@127.0.0.1:9030/abc", &a, &d, err, sizeof err),
                 ABC_OK, "%s", err);
    cr_assert_str_eq(d.user, "abc");
    cr_assert_str_eq(d.host, "127.0.0.1");
    cr_assert_eq(d.port, 9030);
    cr_assert_str_eq(d.database, "abc");
    cr_assert_eq(config_parse_dsn("MYSQL://r%40corp@[::1]:3307", &a, &d, err, sizeof err),
                 ABC_OK, "%s", err);
    cr_assert_str_eq(d.user, "r@corp");
    cr_assert_str_eq(d.host, "::1");
    cr_assert_eq(d.port, 3307);
    cr_assert_str_eq(d.database, "");
    cr_assert_eq(config_parse_dsn("mysql://u@localhost/d?socket=%2Ftmp%2Fm.sock", &a, &d, err,
                                  sizeof err),
                 ABC_OK, "%s", err);
    cr_assert_str_eq(d.socket, "/tmp/m.sock");
    cr_assert_eq(d.port_given, 0);
    cr_assert_eq(d.port, 0);

    struct {
        const char *dsn;
        const char *want;
    } bad[] = {
        {"postgres://u@h/d", "DSN must look like mysql://user@host:port/database"},
        {"mysql://h:3306/d", "DSN has no user"},
        {"mysql://@h/d", "empty user name"},
        {"mysql://u:pw@h/d", "the DSN contains a password"},
        {"mysql://u:@h/d", "the DSN contains a password"},
        {"mysql://u@/d", "DSN has no host"},
        {"mysql://u@h:0/d", "port must be a number from 1 to 65535"},
        {"mysql://u@h:70000/d", "port must be a number from 1 to 65535"},
        {"mysql://u@h:/d", "port must be a number from 1 to 65535"},
        {"mysql://u@h:33a/d", "port must be a number from 1 to 65535"},
        {"mysql://u@h$st/d", "DSN host has an invalid character '$'"},
        {"mysql://u@[zz]/d", "bad IPv6 address"},
        {"mysql://u@h/d-b", "DSN database 'd-b' must be letters, digits and '_'"},
        {"mysql://u@h/d?ssl=1", "unknown parameter 'ssl'"},
        {"mysql://u@h/d?socket=rel.sock", "socket must be an absolute path"},
        {"mysql://u%4@h/d", "bad %-escape"},
        {"mysql://u%00x@h/d", "bad %-escape"},
        {"mysql://u@h/d#frag", "fragment"},
        {"mysql://u@h /d", "spaces or control characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(config_parse_dsn(bad[i].dsn, &a, &d, err, sizeof err), ABC_ERR_USAGE,
                     "accepted %s", bad[i].dsn);
        cr_assert_not_null(strstr(err, bad[i].want), "%s: %s", bad[i].dsn, err);
        cr_assert_null(strstr(err, "pw@"), "%s", err);
    }
    arena_free(&a);
}

/* ---- files, environment, secrets --------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char p[4][160];
    static int k;
    if (!g_dir[0]) {
        strcpy(g_dir, "/tmp/abc-config-XXXXXX");
        cr_assert_not_null(mkdtemp(g_dir));
    }
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", g_dir, name);
    return p[k];
}

static const char *write_file(const char *name, const char *text, mode_t mode)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    cr_assert_eq(chmod(path, mode), 0);
    return path;
}

static AbcStatus load(const char *path, AbcConfig **c, char *err, size_t errlen)
{
    *c = NULL;
    err[0] = '\0';
    AbcStatus st = config_load(path, c, err, errlen);
    if (st != ABC_OK)
        cr_assert_null(*c);
    return st;
}

Test(config, environment_overrides_file)
{
    const char *cfg = write_file("abc.yaml",
                                 "warehouse:\n  dsn: mysql://file_user@filehost:1111/f\n"
                                 "growthbook:\n  file: snap.json\n",
                                 0644);
    AbcConfig *c;
    char err[512];
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(c->warehouse.dsn.host, "filehost");
    cr_assert_str_eq(c->warehouse.dsn_origin, cfg);
    cr_assert_str_eq(c->growthbook.file, "snap.json");
    cr_assert_null(c->growthbook.api_key);
    config_free(c);

    setenv("ABC_DSN", "mysql://env_user@envhost:2222/e", 1);
    setenv("GROWTHBOOK_API_HOST", "http://127.0.0.1:3100", 1);
    setenv("GROWTHBOOK_API_KEY", "secret_envkey_123", 1);
    setenv("ABC_PASSWORD", "pw_from_env_456", 1);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(c->warehouse.dsn.user, "env_user");
    cr_assert_str_eq(c->warehouse.dsn.host, "envhost");
    cr_assert_eq(c->warehouse.dsn.port, 2222);
    cr_assert_str_eq(c->warehouse.dsn_origin, "ABC_DSN");
    cr_assert_str_eq(c->growthbook.api_host, "http://127.0.0.1:3100");
    cr_assert_null(c->growthbook.file, "env api host replaces the file");
    cr_assert_str_eq(c->growthbook.api_key, "secret_envkey_123");
    cr_assert_str_eq(c->growthbook.api_key_origin, "GROWTHBOOK_API_KEY");
    cr_assert_str_eq(c->warehouse.password, "pw_from_env_456");
    cr_assert_str_eq(c->warehouse.password_origin, "ABC_PASSWORD");
    GbOptions o;
    config_gb_options(c, &o);
    cr_assert_str_eq(o.api_key, "secret_envkey_123");
    cr_assert_str_eq(o.api_host, "http://127.0.0.1:3100");

    Buf b;
    buf_init(&b);
    config_describe(c, &b);
    cr_assert_null(strstr(b.data, "secret_envkey_123"), "%s", b.data);
    cr_assert_null(strstr(b.data, "pw_from_env_456"), "%s", b.data);
    cr_assert_not_null(strstr(b.data, "growthbook.api_key: set (from GROWTHBOOK_API_KEY)"));
    cr_assert_not_null(strstr(b.data, "warehouse.password: set (from ABC_PASSWORD)"));
    cr_assert_not_null(strstr(b.data, "warehouse: mysql://env_user@envhost:2222/e (from ABC_DSN)"),
                       "%s", b.data);
    buf_free(&b);
    config_free(c);

    /* Empty variables count as unset. */
    setenv("ABC_DSN", "", 1);
    setenv("GROWTHBOOK_API_HOST", "", 1);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(c->warehouse.dsn.host, "filehost");
    cr_assert_str_eq(c->growthbook.file, "snap.json");
    config_free(c);
}

Test(config, bad_environment_values)
{
    AbcConfig *c;
    char err[512];
    setenv("ABC_DSN", "mysql://u:envsecretpw@h/d", 1);
    cr_assert_eq(load(NULL, &c, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_not_null(strstr(err, "ABC_DSN: error: the DSN contains a password"), "%s", err);
    cr_assert_null(strstr(err, "envsecretpw"));
    setenv("ABC_DSN", "localhost:3306", 1);
    cr_assert_eq(load(NULL, &c, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_not_null(strstr(err, "ABC_DSN: error: DSN must look like"), "%s", err);
    unsetenv("ABC_DSN");
    setenv("GROWTHBOOK_API_HOST", "gb.local:3100", 1);
    cr_assert_eq(load(NULL, &c, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_not_null(strstr(err, "GROWTHBOOK_API_HOST: error: must start with http://"), "%s",
                       err);
}

Test(config, secret_files)
{
    const char *pw = write_file("pw", "filepw_789\n", 0600);
    const char *key = write_file("key", "secret_filekey_000\r\n", 0400);
    char text[512];
    snprintf(text, sizeof text,
             "warehouse:\n  dsn: mysql://u@127.0.0.1:3306/abc\n  password_file: %s\n"
             "growthbook:\n  api_host: http://127.0.0.1:3100\n  api_key_file: %s\n",
             pw, key);
    const char *cfg = write_file("secrets.yaml", text, 0644);
    AbcConfig *c;
    char err[512];
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(c->warehouse.password, "filepw_789");
    cr_assert_str_eq(c->growthbook.api_key, "secret_filekey_000");
    cr_assert_not_null(strstr(c->warehouse.password_origin, "password_file /tmp/"));
    Buf b;
    buf_init(&b);
    config_describe(c, &b);
    cr_assert_null(strstr(b.data, "filepw_789"));
    cr_assert_null(strstr(b.data, "secret_filekey_000"));
    buf_free(&b);
    config_free(c);

    setenv("ABC_PASSWORD", "env_wins", 1);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(c->warehouse.password, "env_wins");
    config_free(c);
    unsetenv("ABC_PASSWORD");

    cr_assert_eq(chmod(pw, 0640), 0);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "has mode 0640; it must not be readable by group or others"),
                       "%s", err);
    cr_assert_null(strstr(err, "filepw_789"));
    cr_assert_eq(chmod(pw, 0600), 0);

    cr_assert_eq(chmod(key, 0604), 0);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "growthbook.api_key_file"), "%s", err);
    cr_assert_null(strstr(err, "secret_filekey_000"));
    cr_assert_eq(chmod(key, 0600), 0);

    write_file("pw", "line1\nline2\n", 0600);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "must hold the secret on one line"), "%s", err);
    unlink(pw);
    cr_assert_eq(load(cfg, &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "No such file"), "%s", err);
}

Test(config, file_lookup)
{
    AbcConfig *c;
    char err[512];
    cr_assert_eq(load(tmp_path("missing.yaml"), &c, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "missing.yaml: error: cannot open"), "%s", err);

    /* No --config and no abc.yaml here: defaults plus environment. */
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    tmp_path("x");
    cr_assert_eq(chdir(g_dir), 0);
    setenv("GROWTHBOOK_API_KEY", "secret_k", 1);
    cr_assert_eq(load(NULL, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_null(c->path);
    cr_assert_eq(c->warehouse.remote, 0);
    cr_assert_str_eq(c->growthbook.api_key, "secret_k");
    config_free(c);

    /* With abc.yaml in the current directory it is read. */
    write_file("abc.yaml", "lookback_days: 5\nbogus: 1\n", 0644);
    cr_assert_eq(load(NULL, &c, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_not_null(strstr(err, "abc.yaml:2:1: error: unknown key 'bogus'"), "%s", err);
    write_file("abc.yaml", "lookback_days: 5\n", 0644);
    cr_assert_eq(load(NULL, &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(c->path, "abc.yaml");
    cr_assert_eq(c->lookback_days, 5);
    config_free(c);
    cr_assert_eq(chdir(cwd), 0);
}

Test(config, example_config_loads)
{
    AbcConfig *c;
    char err[512];
    cr_assert_eq(load("examples/abc.yaml", &c, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(c->warehouse.remote, 0);
    cr_assert_str_eq(c->growthbook.file, "examples/growthbook-snapshot.json");
    GbOptions o;
    config_gb_options(c, &o);
    GbTagConfig *t = NULL;
    cr_assert_eq(gb_resolve_tag(&o, "retention", &t, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(t->n_experiments, 2);
    gb_tag_config_free(t);
    config_free(c);
}
