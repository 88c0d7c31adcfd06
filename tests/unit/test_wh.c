/* test_wh.c — the warehouse client against the embedded server (temp
 * datadir per test) and against a real mariadbd started by
 * tests/integration/mariadbd.sh on a private socket.  Criterion runs every
 * test in its own process, which matches libmariadbd's once-per-process
 * initialisation. */
#include <criterion/criterion.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abc/dialect.h"
#include "abc/wh.h"

static char g_tmp[256];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void make_tmp(void)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/abc-test-wh.XXXXXX");
    cr_assert_not_null(mkdtemp(g_tmp));
}

static void remove_tmp(void)
{
    if (g_tmp[0])
        nftw(g_tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- a real mariadbd via the harness script ------------------------------ */

typedef struct Server {
    char socket[256];
    unsigned port;
    long pid;
} Server;

static Server g_srv;

static void server_start(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "bash tests/integration/mariadbd.sh %s/srv", g_tmp);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, p), "mariadbd.sh printed nothing");
    line[strcspn(line, "\n")] = 0;
    snprintf(g_srv.socket, sizeof g_srv.socket, "%s", line);
    cr_assert_not_null(fgets(line, sizeof line, p));
    g_srv.port = (unsigned)strtoul(line, NULL, 10);
    cr_assert_not_null(fgets(line, sizeof line, p));
    g_srv.pid = strtol(line, NULL, 10);
    cr_assert_eq(pclose(p), 0, "mariadbd.sh failed");
    cr_assert_gt(g_srv.pid, 0);
    cr_assert_neq(g_srv.port, 3306u);
}

static void server_stop(void)
{
    if (g_srv.pid <= 0)
        return;
    char pidfile[300];
    snprintf(pidfile, sizeof pidfile, "%s/srv/mariadbd.pid", g_tmp);
    kill((pid_t)g_srv.pid, SIGTERM);
    for (int i = 0; i < 300 && access(pidfile, F_OK) == 0; i++)
        usleep(100000);
    g_srv.pid = 0;
}

static void setup_tmp(void) { make_tmp(); }

static void teardown_tmp(void)
{
    wh_shutdown();
    remove_tmp();
}

static void setup_server(void)
{
    make_tmp();
    server_start();
}

static void teardown_server(void)
{
    wh_shutdown();
    server_stop();
    remove_tmp();
}

static Warehouse *open_embedded(const WhOptions *opt)
{
    char dir[300], err[512] = "";
    Warehouse *w = NULL;
    snprintf(dir, sizeof dir, "%s/wh", g_tmp);
    AbcStatus st = wh_open_embedded(dir, "t", opt, &w, err, sizeof err);
    cr_assert_eq(st, ABC_OK, "open embedded: %s", err);
    cr_assert_not_null(w);
    return w;
}

static Warehouse *open_remote(const WhOptions *opt)
{
    char err[512] = "";
    Warehouse *w = NULL;
    AbcStatus st = wh_open_remote(NULL, 0, "root", NULL, NULL, g_srv.socket, opt, &w, err,
                                  sizeof err);
    cr_assert_eq(st, ABC_OK, "open remote: %s", err);
    return w;
}

static void exec_ok(Warehouse *w, const char *sql)
{
    char err[512] = "";
    cr_assert_eq(wh_exec(w, sql, NULL, err, sizeof err), ABC_OK, "%s: %s", sql, err);
}

static char *value(Warehouse *w, const char *sql)
{
    char err[512] = "";
    char *v = NULL;
    cr_assert_eq(wh_query_value(w, sql, &v, err, sizeof err), ABC_OK, "%s: %s", sql, err);
    return v;
}

static void assert_value(Warehouse *w, const char *sql, const char *want)
{
    char *v = value(w, sql);
    cr_assert_not_null(v, "%s returned NULL", sql);
    cr_assert_str_eq(v, want, "%s", sql);
    free(v);
}

/* ---- embedded -------------------------------------------------------------- */

TestSuite(embedded, .init = setup_tmp, .fini = teardown_tmp, .timeout = 60);

Test(embedded, fresh_datadir_is_bootstrapped)
{
    Warehouse *w = open_embedded(NULL);
    cr_assert(wh_is_embedded(w));
    cr_assert_eq(wh_dialect(w), DIALECT_MARIADB);
    cr_assert_str_eq(dialect_id_name(wh_dialect(w)), "mariadb");
    cr_assert_not_null(strstr(wh_server_version(w), "MariaDB"), "%s", wh_server_version(w));
    /* system schema exists, so stored functions work */
    assert_value(w, "SELECT COUNT(*) FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME IN ('proc', 'plugin', 'table_stats')",
                 "3");
    exec_ok(w, "CREATE FUNCTION t.plus1(x INT) RETURNS INT DETERMINISTIC RETURN x + 1");
    assert_value(w, "SELECT t.plus1(41)", "42");
    assert_value(w, "SELECT DATABASE()", "t");
    assert_value(w, "SELECT @@character_set_server", "utf8mb4");
    char *dd = value(w, "SELECT @@datadir");
    cr_assert_not_null(strstr(dd, "/wh"), "%s", dd);
    free(dd);
    wh_close(w);
}

typedef struct Collect {
    int rows;
    int nulls;
    char names[3][16];
    char first[3][16];
} Collect;

static AbcStatus collect_row(const WhRow *r, void *ctx)
{
    Collect *c = ctx;
    cr_assert_eq(r->ncols, 3u);
    cr_assert_eq(r->index, (uint64_t)c->rows);
    if (c->rows == 0) {
        for (unsigned i = 0; i < 3; i++) {
            snprintf(c->names[i], sizeof c->names[i], "%s", r->names[i]);
            snprintf(c->first[i], sizeof c->first[i], "%s", r->values[i] ? r->values[i] : "<null>");
        }
    }
    for (unsigned i = 0; i < 3; i++)
        if (!r->values[i])
            c->nulls++;
    c->rows++;
    return ABC_OK;
}

Test(embedded, caller_umask_survives_the_server_start)
{
    umask(022);
    Warehouse *w = open_embedded(NULL);
    mode_t now = umask(022);
    cr_assert_eq(now, 022, "the umask is %03o after starting the embedded server", (unsigned)now);
    wh_close(w);
}

Test(embedded, refuses_a_datadir_owned_by_another_user)
{
    /* `sudo abc run` in a user's project must not write root-owned files
     * into that user's datadir */
    if (geteuid() != 0)
        cr_skip_test("needs root to make a directory owned by another user");
    char dir[300], err[512] = "";
    snprintf(dir, sizeof dir, "%s/theirs", g_tmp);
    cr_assert_eq(mkdir(dir, 0755), 0);
    cr_assert_eq(chown(dir, 65534, 65534), 0);
    Warehouse *w = NULL;
    AbcStatus st = wh_open_embedded(dir, NULL, NULL, &w, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_ENV, "%s", err);
    cr_assert_null(w);
    cr_assert_not_null(strstr(err, "belongs to uid 65534"), "%s", err);
    cr_assert_not_null(strstr(err, "runs as uid 0"), "%s", err);
    char probe[400];
    snprintf(probe, sizeof probe, "%s/abc.lock", dir);
    cr_assert_neq(access(probe, F_OK), 0, "a file was created in the datadir");
    snprintf(probe, sizeof probe, "%s/.tmp", dir);
    cr_assert_neq(access(probe, F_OK), 0, "a directory was created in the datadir");
}

Test(embedded, buffer_pool_from_options)
{
    /* warehouse.embedded_buffer_pool_mb reaches the server abc starts */
    WhOptions opt = {.buffer_pool_mb = 64};
    Warehouse *w = open_embedded(&opt);
    assert_value(w, "SELECT @@innodb_buffer_pool_size", "67108864");
    wh_close(w);
}

Test(embedded, exec_query_nulls_and_names)
{
    Warehouse *w = open_embedded(NULL);
    char err[512] = "";
    uint64_t affected = 0, n = 0;
    exec_ok(w, "CREATE TABLE x (id INT PRIMARY KEY, name VARCHAR(16) NULL, v DOUBLE NULL)");
    cr_assert_eq(wh_exec(w, "INSERT INTO x VALUES (1, 'a', 1.5), (2, NULL, NULL), (3, '', 0)",
                         &affected, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(affected, 3u);
    Collect c = {0};
    cr_assert_eq(wh_query(w, "SELECT id, name AS label, v FROM x ORDER BY id", collect_row, &c, &n,
                          err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(n, 3u);
    cr_assert_eq(c.rows, 3);
    cr_assert_eq(c.nulls, 2);
    cr_assert_str_eq(c.names[0], "id");
    cr_assert_str_eq(c.names[1], "label");
    cr_assert_str_eq(c.first[1], "a");
    cr_assert_str_eq(c.first[2], "1.5");
    /* an empty string is not NULL */
    char *v = value(w, "SELECT name FROM x WHERE id = 3");
    cr_assert_not_null(v);
    cr_assert_str_eq(v, "");
    free(v);
    v = value(w, "SELECT name FROM x WHERE id = 2");
    cr_assert_null(v);
    /* a statement without a result set delivers no rows */
    Collect none = {0};
    cr_assert_eq(wh_query(w, "UPDATE x SET v = 2 WHERE id = 1", collect_row, &none, &n, err,
                          sizeof err), ABC_OK);
    cr_assert_eq(n, 0u);
    cr_assert_eq(wh_exec(w, "DELETE FROM x WHERE id >= 2", &affected, err, sizeof err), ABC_OK);
    cr_assert_eq(affected, 2u);
    wh_close(w);
}

typedef struct Stream {
    uint64_t rows;
    long long sum;
    uint64_t stop_at;
} Stream;

static AbcStatus stream_row(const WhRow *r, void *ctx)
{
    Stream *s = ctx;
    cr_assert_eq(r->index, s->rows);
    s->sum += strtoll(r->values[0], NULL, 10);
    s->rows++;
    if (s->stop_at && s->rows == s->stop_at)
        return ABC_ERR_SPEC;
    return ABC_OK;
}

Test(embedded, streams_large_results_and_stops_early)
{
    Warehouse *w = open_embedded(NULL);
    char err[512] = "";
    uint64_t n = 0;
    exec_ok(w, "CREATE TABLE d (k INT)");
    exec_ok(w, "INSERT INTO d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)");
    /* 10^5 rows k = 0 .. 99999 */
    const char *big = "SELECT a.k + 10 * b.k + 100 * c.k + 1000 * e.k + 10000 * f.k AS k "
                      "FROM d a, d b, d c, d e, d f";
    Stream s = {0};
    cr_assert_eq(wh_query(w, big, stream_row, &s, &n, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(n, 100000u);
    cr_assert_eq(s.sum, 99999LL * 100000LL / 2);

    /* the callback stops the query: its status comes back, the rest is
     * discarded, and the connection stays usable */
    Stream stop = {.stop_at = 10};
    AbcStatus st = wh_query(w, big, stream_row, &stop, &n, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_eq(stop.rows, 10u);
    cr_assert_not_null(strstr(err, "row callback stopped"), "%s", err);
    assert_value(w, "SELECT COUNT(*) FROM d", "10");
    wh_close(w);
}

Test(embedded, bad_sql_reports_code_and_statement_without_retry)
{
    Warehouse *w = open_embedded(NULL);
    char err[512] = "";
    AbcStatus st = wh_exec(w, "-- header comment\nSELEC 1 FROM nowhere\nWHERE x = 1", NULL, err,
                           sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_eq(wh_last_errno(w), 1064u);
    cr_assert_eq(wh_last_error(w), WH_ERR_SYNTAX);
    cr_assert_str_eq(wh_last_sqlstate(w), "42000");
    cr_assert_not_null(strstr(err, "warehouse error 1064 (42000)"), "%s", err);
    cr_assert_not_null(strstr(err, "[in: SELEC 1 FROM nowhere]"), "%s", err);
    cr_assert_eq(wh_stats(w).retries, 0u);
    cr_assert_eq(wh_stats(w).statements, 1u);

    st = wh_exec(w, "SELECT * FROM no_such_table", NULL, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_eq(wh_last_errno(w), 1146u);
    cr_assert_eq(wh_last_error(w), WH_ERR_NO_TABLE);
    cr_assert_eq(wh_stats(w).retries, 0u);

    /* one statement per call: multi-statement text is a syntax error */
    st = wh_exec(w, "SELECT 1; SELECT 2", NULL, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_eq(wh_last_errno(w), 1064u);

    /* success clears the last error */
    exec_ok(w, "SELECT 1");
    cr_assert_eq(wh_last_errno(w), 0u);
    cr_assert_eq(wh_last_error(w), WH_ERR_NONE);
    cr_assert_str_eq(wh_last_sqlstate(w), "00000");

    char *v = NULL;
    st = wh_query_value(w, "SELECT 1 FROM DUAL WHERE 1 = 0", &v, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_not_null(strstr(err, "expected one row, got 0"), "%s", err);
    st = wh_query_value(w, "SELECT 1 UNION ALL SELECT 2", &v, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_null(v);
    wh_close(w);
}

Test(embedded, lock_wait_is_retried_but_not_inside_a_transaction)
{
    WhOptions opt = {.max_retries = 2, .retry_base_ms = 10,
                     .init_command = "SET SESSION innodb_lock_wait_timeout = 1"};
    Warehouse *a = open_embedded(&opt);
    Warehouse *b = open_embedded(&opt);
    char err[512] = "";
    exec_ok(a, "CREATE TABLE l (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
    exec_ok(a, "INSERT INTO l VALUES (1, 0)");
    exec_ok(a, "START TRANSACTION");
    exec_ok(a, "UPDATE l SET v = 1 WHERE id = 1");

    AbcStatus st = wh_exec(b, "UPDATE l SET v = 2 WHERE id = 1", NULL, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_ENV);
    cr_assert_eq(wh_last_errno(b), 1205u, "%s", err);
    cr_assert_eq(wh_last_error(b), WH_ERR_LOCK);
    cr_assert_eq(wh_stats(b).retries, 2u, "bounded retries on lock wait");
    cr_assert_eq(wh_stats(b).statements, 3u);

    exec_ok(b, "START TRANSACTION");
    st = wh_exec(b, "UPDATE l SET v = 3 WHERE id = 1", NULL, err, sizeof err);
    cr_assert_eq(wh_last_errno(b), 1205u, "%s", err);
    cr_assert_eq(wh_stats(b).retries, 2u, "no retry inside a transaction");
    exec_ok(b, "ROLLBACK");
    exec_ok(a, "COMMIT");
    exec_ok(b, "UPDATE l SET v = 4 WHERE id = 1");
    assert_value(a, "SELECT v FROM l", "4");
    wh_close(a);
    wh_close(b);
}

Test(embedded, reopen_same_datadir_but_not_another)
{
    for (int i = 0; i < 3; i++) {
        Warehouse *w = open_embedded(NULL);
        exec_ok(w, "CREATE TABLE IF NOT EXISTS r (i INT)");
        exec_ok(w, "INSERT INTO r VALUES (1)");
        wh_close(w);
    }
    Warehouse *w = open_embedded(NULL);
    assert_value(w, "SELECT COUNT(*) FROM r", "3");
    char dir[300], err[512] = "";
    Warehouse *other = NULL;
    snprintf(dir, sizeof dir, "%s/other", g_tmp);
    AbcStatus st = wh_open_embedded(dir, NULL, NULL, &other, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_ENV);
    cr_assert_null(other);
    cr_assert_not_null(strstr(err, "already runs on"), "%s", err);
    wh_close(w);
}

Test(embedded, escape_and_session_status)
{
    Warehouse *w = open_embedded(NULL);
    char err[512] = "";
    exec_ok(w, "CREATE TABLE s (v VARCHAR(64))");
    const char nasty[] = "it's a \\ \"test\"\n";
    Buf sql;
    buf_init(&sql);
    buf_puts(&sql, "INSERT INTO s VALUES ('");
    wh_escape(w, &sql, nasty, strlen(nasty));
    buf_puts(&sql, "')");
    exec_ok(w, sql.data);
    buf_free(&sql);
    char *v = value(w, "SELECT v FROM s");
    cr_assert_str_eq(v, nasty);
    free(v);

    WhCounters before = {0}, after = {0};
    cr_assert_eq(wh_session_status(w, "Handler_read%", &before, err, sizeof err), ABC_OK, "%s",
                 err);
    cr_assert_gt(before.n, 3u);
    exec_ok(w, "INSERT INTO s SELECT v FROM s");
    exec_ok(w, "INSERT INTO s SELECT v FROM s");
    assert_value(w, "SELECT COUNT(*) FROM s WHERE v LIKE 'it%'", "4");
    cr_assert_eq(wh_session_status(w, "Handler_read%", &after, err, sizeof err), ABC_OK);
    cr_assert_gt(wh_counter(&after, "Handler_read_rnd_next"),
                 wh_counter(&before, "Handler_read_rnd_next"));
    cr_assert_eq(wh_counter(&after, "No_such_counter"), 0u);
    wh_counters_free(&before);
    wh_counters_free(&after);
    wh_close(w);
}

/* ---- remote: a real mariadbd ---------------------------------------------- */

TestSuite(remote, .init = setup_server, .fini = teardown_server, .timeout = 90);

Test(remote, connects_over_socket_and_loopback)
{
    Warehouse *w = open_remote(NULL);
    cr_assert(!wh_is_embedded(w));
    cr_assert_eq(wh_dialect(w), DIALECT_MARIADB);
    cr_assert_null(strstr(wh_server_version(w), "embedded"), "%s", wh_server_version(w));
    exec_ok(w, "CREATE DATABASE IF NOT EXISTS rt");
    exec_ok(w, "CREATE TABLE rt.x (a INT, b VARCHAR(8) NULL)");
    exec_ok(w, "INSERT INTO rt.x VALUES (1, NULL), (2, 'b')");
    wh_close(w);

    char err[512] = "";
    Warehouse *t = NULL;
    cr_assert_eq(wh_open_remote("127.0.0.1", g_srv.port, "root", NULL, "rt", NULL, NULL, &t, err,
                                sizeof err), ABC_OK, "%s", err);
    assert_value(t, "SELECT COUNT(*) FROM x WHERE b IS NULL", "1");
    char *port = value(t, "SELECT @@port");
    cr_assert_eq(strtoul(port, NULL, 10), g_srv.port);
    free(port);
    wh_close(t);

    /* a remote-only process never starts the embedded server */
    char dir[300];
    Warehouse *e = NULL;
    snprintf(dir, sizeof dir, "%s/emb", g_tmp);
    cr_assert_eq(wh_open_embedded(dir, NULL, NULL, &e, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "remote warehouse"), "%s", err);
    cr_assert_eq(access(dir, F_OK), -1, "no datadir was created");
}

Test(remote, connect_failure_names_target_not_password)
{
    char err[512] = "", sock[300];
    Warehouse *w = NULL;
    snprintf(sock, sizeof sock, "%s/no-such.sock", g_tmp);
    AbcStatus st = wh_open_remote(NULL, 0, "alice", "s3cret-pw", NULL, sock, NULL, &w, err,
                                  sizeof err);
    cr_assert_eq(st, ABC_ERR_ENV);
    cr_assert_null(w);
    cr_assert_not_null(strstr(err, "alice@"), "%s", err);
    cr_assert_not_null(strstr(err, "no-such.sock"), "%s", err);
    cr_assert_null(strstr(err, "s3cret"), "%s", err);
}

Test(remote, dropped_connection_is_reconnected_and_retried)
{
    WhOptions opt = {.max_retries = 2, .retry_base_ms = 20};
    Warehouse *w = open_remote(&opt);
    Warehouse *killer = open_remote(NULL);
    char sql[64];

    char *id1 = value(w, "SELECT CONNECTION_ID()");
    snprintf(sql, sizeof sql, "KILL CONNECTION %s", id1);
    exec_ok(killer, sql);
    usleep(100000);
    char *id2 = value(w, "SELECT CONNECTION_ID()");
    cr_assert_str_neq(id1, id2, "a new session answered");
    cr_assert_eq(wh_stats(w).reconnects, 1u);
    cr_assert_eq(wh_stats(w).retries, 1u);
    free(id1);

    /* without retries the loss is reported as a connection error */
    WhOptions none = {.max_retries = 0};
    Warehouse *w0 = open_remote(&none);
    char *id3 = value(w0, "SELECT CONNECTION_ID()");
    snprintf(sql, sizeof sql, "KILL CONNECTION %s", id3);
    exec_ok(killer, sql);
    usleep(100000);
    char err[512] = "";
    AbcStatus st = wh_exec(w0, "SELECT 1", NULL, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_ENV);
    unsigned code = wh_last_errno(w0);
    cr_assert(code == 2006 || code == 2013 || code == 1927, "code %u: %s", code, err);
    cr_assert_eq(wh_stats(w0).retries, 0u);
    /* the next call reconnects */
    exec_ok(w0, "SELECT 1");
    free(id2);
    free(id3);
    wh_close(w0);
    wh_close(w);
    wh_close(killer);
}

Test(remote, syntax_error_is_not_retried)
{
    WhOptions opt = {.max_retries = 3, .retry_base_ms = 10};
    Warehouse *w = open_remote(&opt);
    char err[512] = "";
    AbcStatus st = wh_exec(w, "SELECT FROM WHERE", NULL, err, sizeof err);
    cr_assert_eq(st, ABC_ERR_SPEC);
    cr_assert_eq(wh_last_errno(w), 1064u);
    cr_assert_eq(wh_stats(w).retries, 0u);
    cr_assert_eq(wh_stats(w).statements, 1u);
    wh_close(w);
}

/* ---- synth: the library side of `abc synth` -------------------------------- */

#include "abc/synth.h"

Test(synth_lib, dates_round_trip)
{
    const char *ok_dates[] = {"1971-01-01", "2026-10-01", "2028-02-29", "2100-12-31", "2000-03-01"};
    for (size_t i = 0; i < sizeof ok_dates / sizeof ok_dates[0]; i++) {
        int32_t d;
        char out[11];
        cr_assert_eq(synth_parse_date(ok_dates[i], &d), 0, "%s", ok_dates[i]);
        synth_format_date(d, out);
        cr_assert_str_eq(out, ok_dates[i]);
    }
    int32_t a, b;
    cr_assert_eq(synth_parse_date("2026-10-01", &a), 0);
    cr_assert_eq(synth_parse_date("2026-09-30", &b), 0);
    cr_assert_eq(a - b, 1);
    cr_assert_eq(a, 20727); /* days since 1970-01-01 */
    const char *bad[] = {"2026-02-30", "2026-1-01", "2026/10/01", "", "2027-02-29", "2026-13-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(synth_parse_date(bad[i], &a), -1, "%s", bad[i]);
}

Test(synth_lib, parse_effect)
{
    char err[256];
    SynthEffect e;
    char a1[] = "subscribe=0.05";
    cr_assert_eq(synth_parse_effect(a1, &e, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_null(e.experiment);
    cr_assert_null(e.variation);
    cr_assert_eq(e.lever, SYN_SUBSCRIBE);
    cr_assert_float_eq(e.value, 0.05, 1e-12);
    char a2[] = "ret-push-reminder/2:active=-0.1";
    cr_assert_eq(synth_parse_effect(a2, &e, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_str_eq(e.experiment, "ret-push-reminder");
    cr_assert_str_eq(e.variation, "2");
    cr_assert_eq(e.lever, SYN_ACTIVE);
    char a3[] = "exp:nosuch=0.1", a4[] = "active=abc", a5[] = "active=-1", a6[] = "active",
         a7[] = ":active=0.1";
    char *bad[] = {a3, a4, a5, a6, a7};
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(synth_parse_effect(bad[i], &e, err, sizeof err), ABC_ERR_USAGE, "%s", bad[i]);
    SynthLever l;
    cr_assert_eq(synth_lever_find("ad_revenue", &l), 0);
    cr_assert_str_eq(synth_lever_name(l), "ad_revenue");
    cr_assert_eq(synth_lever_find("revenue", &l), -1);
}

static const char k_snapshot[] =
    "{\"experiments\":[{\"id\":\"exp_1\",\"trackingKey\":\"exp-one\",\"name\":\"One\","
    "\"status\":\"running\",\"archived\":false,\"tags\":[\"t\"],"
    "\"variations\":[{\"variationId\":\"v0\",\"key\":\"0\",\"name\":\"C\"},"
    "{\"variationId\":\"v1\",\"key\":\"1\",\"name\":\"T\"}],"
    "\"phases\":[{\"name\":\"Main\",\"dateStarted\":\"2026-10-03T00:00:00Z\",\"dateEnded\":\"\","
    "\"coverage\":0.5,\"trafficSplit\":[{\"variationId\":\"v0\",\"weight\":0.5},"
    "{\"variationId\":\"v1\",\"weight\":0.5}]}]},"
    "{\"id\":\"exp_2\",\"trackingKey\":\"exp-old\",\"name\":\"Old\","
    "\"status\":\"stopped\",\"archived\":false,\"tags\":[\"t\"],"
    "\"variations\":[{\"variationId\":\"w0\",\"key\":\"0\",\"name\":\"C\"},"
    "{\"variationId\":\"w1\",\"key\":\"1\",\"name\":\"T\"}],"
    "\"phases\":[{\"name\":\"Main\",\"dateStarted\":\"2024-01-01T00:00:00Z\","
    "\"dateEnded\":\"2024-02-01T00:00:00Z\",\"coverage\":1,"
    "\"trafficSplit\":[{\"variationId\":\"w0\",\"weight\":0.5},"
    "{\"variationId\":\"w1\",\"weight\":0.5}]}]}]}";

static char *checksum_all(Warehouse *w)
{
    Buf b;
    buf_init(&b);
    const char *t[] = {"users", "app_events", "payments", "synth_truth"};
    for (int i = 0; i < 4; i++) {
        char sql[320];
        snprintf(sql, sizeof sql, "SELECT CAST(SUM(CRC32(CONCAT_WS('|', %s))) AS CHAR) FROM ods.%s",
                 i == 0   ? "user_id, signup_date, country, platform, tier"
                 : i == 1 ? "user_id, event_time, event_name, exp_key, var_key, session_seconds, "
                            "screen, ad_revenue"
                 : i == 2 ? "user_id, paid_at, amount, product"
                          : "metric, experiment, variation, true_effect",
                 t[i]);
        char *v = value(w, sql);
        buf_printf(&b, "%s ", v ? v : "NULL");
        free(v);
    }
    return buf_take(&b);
}

TestSuite(synth_run, .init = setup_tmp, .fini = teardown_tmp, .timeout = 120);

Test(synth_run, small_dataset_is_reproducible_and_counted)
{
    char err[512] = "";
    GbTagConfig *gb = NULL;
    cr_assert_eq(gb_parse_list(k_snapshot, sizeof k_snapshot - 1, NULL, "inline", 0, &gb, err,
                               sizeof err), ABC_OK, "%s", err);
    char e1[] = "exp-one:active=0.2";
    SynthEffect eff[1];
    cr_assert_eq(synth_parse_effect(e1, &eff[0], err, sizeof err), ABC_OK);
    SynthSrm srm[1] = {{.experiment = "exp-one", .shift = 0.1}};
    SynthConfig cfg = {.users = 400, .days = 6, .pre_days = 2, .seed = 3, .experiments = gb,
                       .effects = eff, .n_effects = 1, .srm = srm, .n_srm = 1,
                       .multi_exposure = 0.05};
    cr_assert_eq(synth_parse_date("2026-10-03", &cfg.start), 0);
    WhOptions opt = {.local_infile = 1};
    Warehouse *w = open_embedded(&opt);

    SynthResult r1, r2;
    cr_assert_eq(synth_run(w, &cfg, &r1, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(r1.users, 400u);
    cr_assert_eq(r1.load_used, SYNTH_LOAD_INFILE);
    char sql[128];
    char *v;
    v = value(w, "SELECT COUNT(*) FROM ods.app_events");
    snprintf(sql, sizeof sql, "%llu", (unsigned long long)r1.events);
    cr_assert_str_eq(v, sql);
    free(v);
    v = value(w, "SELECT COUNT(*) FROM ods.payments");
    snprintf(sql, sizeof sql, "%llu", (unsigned long long)r1.payments);
    cr_assert_str_eq(v, sql);
    free(v);
    v = value(w, "SELECT COUNT(*) FROM ods.app_events WHERE event_name = 'experiment_viewed'");
    snprintf(sql, sizeof sql, "%llu", (unsigned long long)r1.exposures);
    cr_assert_str_eq(v, sql);
    free(v);
    /* the stopped 2024 experiment misses the window: no exposures */
    assert_value(w, "SELECT COUNT(*) FROM ods.app_events WHERE exp_key = 'exp-old'", "0");
    /* coverage 0.5: about half the users that were active in the phase */
    v = value(w, "SELECT COUNT(DISTINCT user_id) FROM ods.app_events WHERE exp_key = 'exp-one'");
    long exposed = strtol(v, NULL, 10);
    free(v);
    cr_assert(exposed > 60 && exposed < 200, "exposed %ld", exposed);
    assert_value(w, "SELECT MIN(event_date) FROM ods.app_events", "2026-10-01");
    assert_value(w, "SELECT MAX(event_date) FROM ods.app_events", "2026-10-08");
    assert_value(w, "SELECT MIN(event_date) FROM ods.app_events WHERE exp_key IS NOT NULL",
                 "2026-10-03");
    assert_value(w, "SELECT CONCAT(metric, ' ', experiment, ' ', variation, ' ', true_effect) "
                    "FROM ods.synth_truth", "active exp-one 1 0.2");
    char *c1 = checksum_all(w);

    cr_assert_eq(synth_run(w, &cfg, &r2, err, sizeof err), ABC_OK, "%s", err);
    char *c2 = checksum_all(w);
    cr_assert_str_eq(c1, c2, "same seed, same data");
    cr_assert_eq(r1.events, r2.events);

    cfg.load = SYNTH_LOAD_INSERT;
    cr_assert_eq(synth_run(w, &cfg, &r2, err, sizeof err), ABC_OK, "%s", err);
    cr_assert_eq(r2.load_used, SYNTH_LOAD_INSERT);
    char *c3 = checksum_all(w);
    cr_assert_str_eq(c1, c3, "INSERT path loads the same rows");

    cfg.load = SYNTH_LOAD_AUTO;
    cfg.seed = 4;
    cr_assert_eq(synth_run(w, &cfg, &r2, err, sizeof err), ABC_OK, "%s", err);
    char *c4 = checksum_all(w);
    cr_assert_str_neq(c1, c4, "another seed, other data");
    assert_value(w, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ods' "
                    "AND TABLE_NAME LIKE '%\\_\\_synth%'", "0");
    free(c1);
    free(c2);
    free(c3);
    free(c4);
    wh_close(w);
    gb_tag_config_free(gb);
}

Test(synth_run, refuses_foreign_tables_and_bad_config)
{
    char err[512] = "";
    Warehouse *w = open_embedded(NULL);
    SynthConfig cfg = {.users = 10, .days = 2, .pre_days = 0, .seed = 1};
    cr_assert_eq(synth_parse_date("2026-10-01", &cfg.start), 0);
    exec_ok(w, "CREATE DATABASE ods");
    exec_ok(w, "CREATE TABLE ods.users (id INT)");
    cr_assert_eq(synth_run(w, &cfg, NULL, err, sizeof err), ABC_ERR_SPEC);
    cr_assert_not_null(strstr(err, "--force"), "%s", err);
    assert_value(w, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ods' "
                    "AND TABLE_NAME = 'users'", "1");
    cfg.force = 1;
    cr_assert_eq(synth_run(w, &cfg, NULL, err, sizeof err), ABC_OK, "%s", err);
    assert_value(w, "SELECT COUNT(*) FROM ods.users", "10");

    /* an effect without experiments, an unknown SRM experiment */
    char e1[] = "active=0.1";
    SynthEffect eff;
    cr_assert_eq(synth_parse_effect(e1, &eff, err, sizeof err), ABC_OK);
    SynthConfig bad = cfg;
    bad.effects = &eff;
    bad.n_effects = 1;
    cr_assert_eq(synth_check(&bad, err, sizeof err), ABC_ERR_USAGE);
    SynthSrm srm = {.experiment = "nope", .shift = 0.1};
    bad = cfg;
    bad.srm = &srm;
    bad.n_srm = 1;
    cr_assert_eq(synth_check(&bad, err, sizeof err), ABC_ERR_USAGE);
    bad = cfg;
    bad.users = 0;
    cr_assert_eq(synth_check(&bad, err, sizeof err), ABC_ERR_USAGE);
    wh_close(w);
}

Test(embedded, shutdown_disconnects_open_handles)
{
    Warehouse *w = open_embedded(NULL);
    exec_ok(w, "CREATE TABLE z (i INT)");
    exec_ok(w, "START TRANSACTION");
    exec_ok(w, "INSERT INTO z VALUES (1)");
    wh_shutdown();
    char err[512] = "";
    cr_assert_eq(wh_exec(w, "SELECT 1", NULL, err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "shut down"), "%s", err);
    wh_close(w);
    Warehouse *again = NULL;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/wh", g_tmp);
    cr_assert_eq(wh_open_embedded(dir, NULL, NULL, &again, err, sizeof err), ABC_ERR_ENV);
    cr_assert_null(again);
    cr_assert_eq(wh_open_remote(NULL, 0, "root", NULL, NULL, "/nonexistent.sock", NULL, &again,
                                err, sizeof err), ABC_ERR_ENV);
    cr_assert_not_null(strstr(err, "shut down"), "%s", err);
}

Test(embedded, private_tmpdir_is_not_a_database)
{
    Warehouse *w = open_embedded(NULL);
    char *t = value(w, "SELECT @@tmpdir");
    cr_assert_not_null(strstr(t, "/wh/.tmp"), "%s", t);
    free(t);
    exec_ok(w, "CREATE TEMPORARY TABLE tt (i INT)");
    assert_value(w, "SELECT COUNT(*) FROM information_schema.SCHEMATA "
                    "WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 't')",
                 "0");
    wh_close(w);
}

Test(wh, error_kinds)
{
    cr_assert_eq(wh_error_kind(0), WH_ERR_NONE);
    cr_assert_eq(wh_error_kind(1049), WH_ERR_NO_TABLE);
    cr_assert_eq(wh_error_kind(1062), WH_ERR_DUP_KEY);
    cr_assert_eq(wh_error_kind(1406), WH_ERR_DATA_TOO_LONG);
    cr_assert_eq(wh_error_kind(1021), WH_ERR_DISK_FULL);
    cr_assert_eq(wh_error_kind(1114), WH_ERR_DISK_FULL);
    cr_assert_eq(wh_error_kind(1026), WH_ERR_DISK_FULL);
    cr_assert_eq(wh_error_kind(3), WH_ERR_DISK_FULL);
    cr_assert_eq(wh_error_kind(20), WH_ERR_DISK_FULL);
    cr_assert_eq(wh_error_kind(28), WH_ERR_DISK_FULL);
    cr_assert_eq(wh_error_kind(1037), WH_ERR_RESOURCES);
    cr_assert_eq(wh_error_kind(1969), WH_ERR_TIMEOUT);
    cr_assert_eq(wh_error_kind(1030), WH_ERR_OTHER);
    cr_assert(wh_message_no_space("Got error 28 \"No space left on device\" from storage engine InnoDB"));
    cr_assert(wh_message_no_space("Error writing file './abc/t.MAI' (errno: 28 \"No space left on device\")"));
    cr_assert_not(wh_message_no_space("Got error 128 \"Out of memory in engine\" from storage engine"));
    cr_assert_not(wh_message_no_space(NULL));
    cr_assert_eq(wh_error_kind(1927), WH_ERR_CONN_LOST);
    cr_assert_eq(wh_error_kind(2013), WH_ERR_CONN_LOST);
    cr_assert_eq(wh_error_kind(2003), WH_ERR_CONN_REFUSED);
    cr_assert_eq(wh_error_kind(4166), WH_ERR_LOCAL_INFILE);
    cr_assert_eq(wh_error_kind(2059), WH_ERR_CLIENT);
    cr_assert_eq(wh_error_kind(1366), WH_ERR_OTHER);
}

/* The MariaDB JSON extraction abc generates, executed: keys with a dot, a
 * double quote, a backslash, a space, a leading digit and non-ASCII text
 * are addressed exactly, a missing key or a non-number reads NULL, and a
 * boolean reads TRUE/FALSE. */
static char *json_read(Warehouse *w, const char *doc_sql, const char *key, JsonRead as)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT ");
    const char *keys[] = {key};
    dialect_mariadb.json_value(&b, doc_sql, keys, 1, as);
    char *v = value(w, b.data);
    buf_free(&b);
    return v;
}

Test(embedded, json_paths_with_hostile_keys_read_exactly)
{
    Warehouse *w = open_embedded(NULL);
    const char *doc = "'{\"a.b\": \"dot\", \"q\\\\\"k\": \"quote\", \"b\\\\\\\\s\": \"slash\", "
                      "\"sp ace\": \"space\", \"1x\": \"digit\", \"страна\": \"de\", "
                      "\"n\": 2.5, \"s\": \"text\", \"t\": true, \"f\": false}'";
    static const struct { const char *key, *want; } strings[] = {
        {"a.b", "dot"}, {"q\"k", "quote"}, {"b\\s", "slash"},
        {"sp ace", "space"}, {"1x", "digit"}, {"страна", "de"},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        char *v = json_read(w, doc, strings[i].key, JSON_READ_STRING);
        cr_assert_not_null(v, "key %s read NULL", strings[i].key);
        cr_assert_str_eq(v, strings[i].want, "key %s", strings[i].key);
        free(v);
    }
    char *v = json_read(w, doc, "n", JSON_READ_NUMBER);
    cr_assert_str_eq(v, "2.5");
    free(v);
    cr_assert_null(json_read(w, doc, "s", JSON_READ_NUMBER), "a string read as a number");
    cr_assert_null(json_read(w, doc, "missing", JSON_READ_STRING), "a missing key");
    v = json_read(w, doc, "t", JSON_READ_BOOLEAN);
    cr_assert_str_eq(v, "1");
    free(v);
    v = json_read(w, doc, "f", JSON_READ_BOOLEAN);
    cr_assert_str_eq(v, "0");
    free(v);
    cr_assert_null(json_read(w, doc, "n", JSON_READ_BOOLEAN), "a number read as a boolean");
    wh_close(w);
}
