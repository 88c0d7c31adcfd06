/* test_dialect.c — identifier and literal quoting of both dialects, and
 * sqlgen_bind's validation of runtime parameters. */
#include <criterion/criterion.h>
#include <string.h>

#include "abc/sqlgen.h"

static char *q_ident(const Dialect *d, const char *s)
{
    static char out[512];
    Buf b;
    buf_init(&b);
    d->ident(&b, s);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

static char *q_str(const Dialect *d, const char *s)
{
    static char out[512];
    Buf b;
    buf_init(&b);
    d->string(&b, s);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

Test(dialect, identifiers)
{
    char why[160];
    cr_assert_str_eq(q_ident(&dialect_mariadb, "a`b"), "`a``b`");
    cr_assert_eq(dialect_mariadb.check_ident("a`b", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident("a`b", why, sizeof why), ABC_OK);
    char longname[80];
    memset(longname, 'x', 65);
    longname[65] = '\0';
    cr_assert_neq(dialect_mariadb.check_ident(longname, why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident(longname, why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_mariadb.check_ident("a\nb", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_mariadb.check_ident("trailing ", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_mariadb.check_ident("\xF0\x9F\x98\x80", why, sizeof why), ABC_OK);
    cr_assert_eq(dialect_mariadb.check_ident("caf\xC3\xA9", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident("bad\xC3", why, sizeof why), ABC_OK);
    cr_assert_neq(dialect_starrocks.check_ident("", why, sizeof why), ABC_OK);
}

Test(dialect, strings)
{
    cr_assert_str_eq(q_str(&dialect_mariadb, "it's"), "'it''s'");
    cr_assert_str_eq(q_str(&dialect_mariadb, "a\\b"), "CONCAT('a', CHAR(92 USING utf8mb4), 'b')");
    cr_assert_str_eq(q_str(&dialect_mariadb, "\\"), "CONCAT(CHAR(92 USING utf8mb4))");
    cr_assert_str_eq(q_str(&dialect_starrocks, "a\\'b"), "'a\\\\''b'");
    cr_assert_str_eq(q_str(&dialect_starrocks, "x\ny"), "'x\\ny'");
    cr_assert_str_eq(q_str(&dialect_mariadb, "--;/*"), "'--;/*'");
    char why[160];
    cr_assert_neq(dialect_starrocks.check_string("a\x01", why, sizeof why), ABC_OK);
}

Test(dialect, bind)
{
    char err[256];
    Buf b;
    buf_init(&b);
    SqlParams p = {.event_date = "2024-02-29", .run_id = "r1"};
    cr_assert_eq(sqlgen_bind(&dialect_mariadb, "x = {{event_date}} `l_{{run_id}}`", &p, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "x = '2024-02-29' `l_r1`");
    buf_reset(&b);
    p.event_date = "2023-02-29";
    cr_assert_eq(sqlgen_bind(&dialect_mariadb, "{{event_date}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    p.event_date = "2024-01-01' OR 1=1 --";
    cr_assert_eq(sqlgen_bind(&dialect_mariadb, "{{event_date}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    p.event_date = "2024-01-01";
    p.run_id = "a`b";
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "{{run_id}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "{{nope}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "{{from_date}}", &p, &b, err, sizeof err), ABC_ERR_USAGE);
    cr_assert_eq(b.len, 0);
    SqlValue row[3] = {{SQLV_STRING, "o'k\\", 0, 0}, {SQLV_NULL, NULL, 0, 0}, {SQLV_DOUBLE, NULL, 0, 0.5}};
    p.values = row;
    p.nrows = 1;
    p.ncols = 3;
    cr_assert_eq(sqlgen_bind(&dialect_starrocks, "VALUES {{values}}", &p, &b, err, sizeof err), ABC_OK);
    cr_assert_str_eq(b.data, "VALUES \n    ('o''k\\\\', NULL, 0.5)");
    buf_free(&b);
}
