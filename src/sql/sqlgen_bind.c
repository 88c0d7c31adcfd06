/* sqlgen_bind.c — runtime parameters into statement templates.
 *
 * A template contains `{{name}}` placeholders and nothing else that looks
 * like one (sqlgen refuses "{{" in spec names and strings).  Each
 * placeholder is replaced by a literal the dialect quoted, after checking
 * the value: dates must be real calendar dates, datetimes real times, run
 * ids plain label characters, numbers finite, strings representable.  On
 * any error nothing is appended to out. */
#include "abc/sqlgen.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dialect_common.h"

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool date_ok(const char *s)
{
    if (!s || strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || m < 1 || m > 12 || d < 1)
        return false;
    int md = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= md;
}

static bool date_only(const char *s) { return date_ok(s) && s[10] == '\0'; }

static bool datetime_ok(const char *s)
{
    if (!date_ok(s) || strlen(s) != 19 || s[10] != ' ' || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    return num(s + 11, 2) < 24 && num(s + 14, 2) < 60 && num(s + 17, 2) < 60;
}

AbcStatus sqlgen_literal(const Dialect *d, const SqlValue *v, Buf *out, char *err, size_t errlen)
{
    char why[160];
    switch (v->kind) {
    case SQLV_NULL:
        buf_puts(out, "NULL");
        return ABC_OK;
    case SQLV_INT:
        buf_printf(out, "%lld", v->i);
        return ABC_OK;
    case SQLV_DOUBLE:
        if (!isfinite(v->d)) {
            snprintf(err, errlen, "a number is not finite");
            return ABC_ERR_USAGE;
        }
        dialect_number(out, v->d);
        return ABC_OK;
    case SQLV_DATE:
        if (!date_only(v->s)) {
            snprintf(err, errlen, "'%.40s' is not a date YYYY-MM-DD", v->s ? v->s : "(null)");
            return ABC_ERR_USAGE;
        }
        d->date_literal(out, v->s);
        return ABC_OK;
    case SQLV_DATETIME:
        if (!datetime_ok(v->s)) {
            snprintf(err, errlen, "'%.40s' is not a datetime YYYY-MM-DD HH:MM:SS", v->s ? v->s : "(null)");
            return ABC_ERR_USAGE;
        }
        d->datetime_literal(out, v->s);
        return ABC_OK;
    case SQLV_STRING:
        if (!v->s || d->check_string(v->s, why, sizeof why) != ABC_OK) {
            snprintf(err, errlen, "a string value %s", v->s ? why : "is missing");
            return ABC_ERR_USAGE;
        }
        d->string(out, v->s);
        return ABC_OK;
    }
    snprintf(err, errlen, "unknown value kind");
    return ABC_ERR_USAGE;
}

static AbcStatus bind_date(const Dialect *d, const char *name, const char *v, Buf *out, char *err,
                           size_t errlen)
{
    if (!v) {
        snprintf(err, errlen, "placeholder {{%s}} has no value", name);
        return ABC_ERR_USAGE;
    }
    if (!date_only(v)) {
        snprintf(err, errlen, "{{%s}}: '%.40s' is not a date YYYY-MM-DD", name, v);
        return ABC_ERR_USAGE;
    }
    d->string(out, v);
    return ABC_OK;
}

static AbcStatus bind_values(const Dialect *d, const SqlParams *p, Buf *out, char *err, size_t errlen)
{
    if (!p->values || p->nrows < 1 || p->ncols < 1) {
        snprintf(err, errlen, "placeholder {{values}} needs at least one row");
        return ABC_ERR_USAGE;
    }
    /* a row on one line when it fits in SQL_WIDTH, else one value per line */
    Buf row;
    buf_init(&row);
    AbcStatus st = ABC_OK;
    for (int r = 0; r < p->nrows && st == ABC_OK; r++) {
        buf_reset(&row);
        buf_puts(&row, "    (");
        for (int c = 0; c < p->ncols && st == ABC_OK; c++) {
            if (c)
                buf_puts(&row, ", ");
            st = sqlgen_literal(d, &p->values[(size_t)r * (size_t)p->ncols + (size_t)c], &row, err,
                                errlen);
        }
        buf_puts(&row, "),");
        buf_putc(out, r ? ',' : '\n');
        if (r)
            buf_putc(out, '\n');
        if (st != ABC_OK || sql_line_width(&row) <= SQL_WIDTH) {
            buf_put(out, row.data, row.len - 1);
            continue;
        }
        buf_puts(out, "    (");
        for (int c = 0; c < p->ncols && st == ABC_OK; c++) {
            buf_puts(out, c ? ",\n        " : "\n        ");
            st = sqlgen_literal(d, &p->values[(size_t)r * (size_t)p->ncols + (size_t)c], out, err,
                                errlen);
        }
        buf_puts(out, "\n    )");
    }
    buf_free(&row);
    return st;
}

/* Does the parameter named by a (known) placeholder have a value? */
static bool has_value(const SqlParams *p, const char *name)
{
    if (strcmp(name, "event_date") == 0)
        return p->event_date != NULL;
    if (strcmp(name, "from_date") == 0)
        return p->from_date != NULL;
    if (strcmp(name, "to_date") == 0)
        return p->to_date != NULL;
    if (strcmp(name, "analysis_date") == 0)
        return p->analysis_date != NULL;
    if (strcmp(name, "run_id") == 0)
        return p->run_id != NULL;
    if (strcmp(name, "values") == 0)
        return p->values != NULL;
    if (strcmp(name, "from_time") == 0)
        return p->from_time != NULL;
    if (strcmp(name, "to_time") == 0)
        return p->to_time != NULL;
    return true; /* unknown: bind it, and fail */
}

AbcStatus sqlgen_bind(const Dialect *d, const char *tmpl, const SqlParams *p, Buf *out, char *err,
                      size_t errlen)
{
    Buf b;
    buf_init(&b);
    AbcStatus st = ABC_OK;
    const char *s = tmpl;
    for (;;) {
        const char *open = strstr(s, "{{");
        if (!open) {
            buf_puts(&b, s);
            break;
        }
        buf_put(&b, s, (size_t)(open - s));
        const char *close = strstr(open + 2, "}}");
        if (!close || close - open > 40) {
            snprintf(err, errlen, "unterminated placeholder in the statement");
            st = ABC_ERR_USAGE;
            goto out;
        }
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(close - open - 2), open + 2);
        if (p->keep_unbound && !has_value(p, name)) {
            buf_put(&b, open, (size_t)(close + 2 - open));
            s = close + 2;
            continue;
        }
        if (strcmp(name, "event_date") == 0)
            st = bind_date(d, name, p->event_date, &b, err, errlen);
        else if (strcmp(name, "from_date") == 0)
            st = bind_date(d, name, p->from_date, &b, err, errlen);
        else if (strcmp(name, "to_date") == 0)
            st = bind_date(d, name, p->to_date, &b, err, errlen);
        else if (strcmp(name, "analysis_date") == 0)
            st = bind_date(d, name, p->analysis_date, &b, err, errlen);
        else if (strcmp(name, "run_id") == 0) {
            size_t n = p->run_id ? strlen(p->run_id) : 0;
            bool ok = n >= 1 && n <= 40;
            for (size_t i = 0; ok && i < n; i++) {
                char c = p->run_id[i];
                ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            }
            if (!ok) {
                snprintf(err, errlen, "{{run_id}} must be 1 to 40 characters of [A-Za-z0-9_]");
                st = ABC_ERR_USAGE;
            } else {
                buf_puts(&b, p->run_id);
            }
        } else if (strcmp(name, "values") == 0)
            st = bind_values(d, p, &b, err, errlen);
        else if (strcmp(name, "from_time") == 0 || strcmp(name, "to_time") == 0) {
            const char *v = name[0] == 'f' ? p->from_time : p->to_time;
            if (!v) {
                snprintf(err, errlen, "placeholder {{%s}} has no value", name);
                st = ABC_ERR_USAGE;
            } else {
                SqlValue t = {SQLV_DATETIME, v, 0, 0};
                st = sqlgen_literal(d, &t, &b, err, errlen);
            }
        }
        else {
            snprintf(err, errlen, "unknown placeholder {{%s}}", name);
            st = ABC_ERR_USAGE;
        }
        if (st != ABC_OK)
            goto out;
        s = close + 2;
    }
    buf_put(out, b.data ? b.data : "", b.len);
out:
    buf_free(&b);
    return st;
}
