/* report_row.c — the report row's schema, values and read-back (see
 * report_row.h); everything here is generated from REPORT_ROW_COLUMNS. */
#include "abc/report_row.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ReportColumn REPORT_SCHEMA[] = {
#define COL_(name, type, kind, not_null, comment)                                                  \
    {{#name, type, not_null, comment}, RF_##kind, offsetof(ReportRow, name)},
    REPORT_ROW_COLUMNS(COL_)
#undef COL_
};
const int REPORT_NCOLUMNS = (int)(sizeof REPORT_SCHEMA / sizeof REPORT_SCHEMA[0]);

#define FIELD(r, c, T) ((T *)((char *)(r) + REPORT_SCHEMA[c].offset))
#define CFIELD(r, c, T) ((const T *)((const char *)(r) + REPORT_SCHEMA[c].offset))

void report_row_init(ReportRow *r)
{
    for (int c = 0; c < REPORT_NCOLUMNS; c++)
        switch (REPORT_SCHEMA[c].kind) {
        case RF_STR:
        case RF_DATE:
        case RF_DATETIME: *FIELD(r, c, const char *) = NULL; break;
        case RF_INT: *FIELD(r, c, long long) = REPORT_INT_NULL; break;
        case RF_DOUBLE: *FIELD(r, c, double) = NAN; break;
        }
}

void report_row_values(const ReportRow *r, SqlValue *out)
{
    for (int c = 0; c < REPORT_NCOLUMNS; c++) {
        SqlValue v = {SQLV_NULL, NULL, 0, 0};
        switch (REPORT_SCHEMA[c].kind) {
        case RF_STR: {
            const char *s = *CFIELD(r, c, const char *);
            if (s)
                v = (SqlValue){SQLV_STRING, s, 0, 0};
            break;
        }
        case RF_DATE:
        case RF_DATETIME: {
            const char *s = *CFIELD(r, c, const char *);
            if (s && *s)
                v = (SqlValue){REPORT_SCHEMA[c].kind == RF_DATE ? SQLV_DATE : SQLV_DATETIME, s, 0, 0};
            break;
        }
        case RF_INT: {
            long long i = *CFIELD(r, c, long long);
            if (i != REPORT_INT_NULL)
                v = (SqlValue){SQLV_INT, NULL, i, 0};
            break;
        }
        case RF_DOUBLE: {
            double d = *CFIELD(r, c, double);
            if (isfinite(d))
                v = (SqlValue){SQLV_DOUBLE, NULL, 0, d};
            break;
        }
        }
        out[c] = v;
    }
}

void report_row_map(const char *const *names, int n, int *map)
{
    for (int i = 0; i < n; i++) {
        map[i] = -1;
        for (int c = 0; names[i] && c < REPORT_NCOLUMNS; c++)
            if (strcmp(names[i], REPORT_SCHEMA[c].col.name) == 0) {
                map[i] = c;
                break;
            }
    }
}

AbcStatus report_row_read(ReportRow *r, const int *map, const char *const *vals, int n,
                          Arena *arena, char *err, size_t errlen)
{
    report_row_init(r);
    for (int i = 0; i < n; i++) {
        int c = map[i];
        const char *s = vals[i];
        if (c < 0 || !s)
            continue;
        switch (REPORT_SCHEMA[c].kind) {
        case RF_STR:
        case RF_DATE:
        case RF_DATETIME: *FIELD(r, c, const char *) = arena_strdup(arena, s); break;
        case RF_INT:
        case RF_DOUBLE: {
            char *end;
            errno = 0;
            double d = strtod(s, &end);
            if (end == s || *end || errno == ERANGE) {
                snprintf(err, errlen, "column %s: '%.40s' is not a number", REPORT_SCHEMA[c].col.name, s);
                return ABC_ERR_SPEC;
            }
            if (REPORT_SCHEMA[c].kind == RF_INT)
                *FIELD(r, c, long long) = (long long)d;
            else
                *FIELD(r, c, double) = d;
            break;
        }
        }
    }
    return ABC_OK;
}

const char *report_row_str(const ReportRow *r, int col)
{
    ReportFieldKind k = REPORT_SCHEMA[col].kind;
    return k == RF_STR || k == RF_DATE || k == RF_DATETIME ? *CFIELD(r, col, const char *) : NULL;
}

double report_row_num(const ReportRow *r, int col)
{
    if (REPORT_SCHEMA[col].kind == RF_DOUBLE)
        return *CFIELD(r, col, double);
    if (REPORT_SCHEMA[col].kind == RF_INT) {
        long long i = *CFIELD(r, col, long long);
        return i == REPORT_INT_NULL ? NAN : (double)i;
    }
    return NAN;
}
